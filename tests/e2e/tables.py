"""The rows a command added to the database, kept once and put back under fresh ids.

Loading the real catalogue takes tens of seconds (every record validated and saved,
with its signals), and a transactional test starts from empty tables. So the browser
tests load it once and, for every later test, copy the same rows back in with COPY,
which takes well under a second.

The ids are fresh each time: each table's own sequence gives them, and every foreign
key among the copied tables follows. A test's ids are then never another test's (a
flush does not restart the sequences), which tests that read the broker's topics
rely on: the topics keep every earlier test's events. A table that triggers fill
from the others (the search words) is left to them, and its row count checked.
"""

import graphlib
from collections.abc import Iterable

from django.apps import apps
from django.db import connection, models, transaction
from psycopg import sql


def row_counts() -> dict[type[models.Model], int]:
    return {model: model._base_manager.count() for model in _tables()}


def _tables() -> list[type[models.Model]]:
    return [
        model for model in apps.get_models(include_auto_created=True) if model._meta.managed and not model._meta.proxy
    ]


def _parents_first(copied: set[type[models.Model]]) -> list[type[models.Model]]:
    """Tables in an order the triggers need: the aircraft's search document reads its
    manufacturer's name as the aircraft row goes in. Nullable keys may form cycles
    (an aircraft and its sources) and are not followed; the constraints are deferred."""
    order = graphlib.TopologicalSorter()
    for model in sorted(copied, key=lambda m: m._meta.db_table):
        order.add(
            model,
            *(
                field.related_model
                for field in model._meta.concrete_fields
                if field.is_relation
                and not field.null
                and field.related_model in copied
                and field.related_model is not model
            ),
        )
    return list(order.static_order())


class _Table:
    """One table's added rows, as COPY's text, and which columns are ids to renumber."""

    def __init__(self, model: type[models.Model], copied: set[type[models.Model]]) -> None:
        meta = model._meta
        self.model = model
        self.name = meta.db_table
        fields = [field for field in meta.concrete_fields if not field.generated]
        self.columns = [field.column for field in fields]
        # column index -> the model whose ids it holds (its own for the primary key)
        self.ids: dict[int, type[models.Model]] = {}
        for index, field in enumerate(fields):
            target = field.related_model if field.is_relation else None
            if field.primary_key and isinstance(field, models.AutoField):
                self.ids[index] = model
            elif target is not None and target in copied:
                self.ids[index] = target
            elif target is not None:
                raise ValueError(
                    f"{self.name}.{field.column} refers to {target._meta.db_table}, which was not copied: "
                    "its ids would not survive a flush"
                )
        self.pk_index = fields.index(meta.pk)
        # A sequence of its own: not so for a key that is a word or another table's id (a one-to-one)
        self.sequence_column = meta.pk.column if isinstance(meta.pk, models.AutoField) else None
        self.rows: list[tuple] = []
        self.first_id = self.last_id = 0  # of the rows, once read

    def read(self, cursor) -> None:
        query = sql.SQL("COPY (SELECT {} FROM {} ORDER BY 1) TO STDOUT").format(
            sql.SQL(", ").join(map(sql.Identifier, self.columns)), sql.Identifier(self.name)
        )
        with cursor.copy(query) as copy:
            self.rows = list(copy.rows())
        # Worked out once: every restore shifts the same ids.
        ids = [int(row[self.pk_index]) for row in self.rows]
        self.first_id, self.last_id = min(ids), max(ids)

    def write(self, cursor, shift: dict[type[models.Model], int]) -> None:
        query = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(self.name), sql.SQL(", ").join(map(sql.Identifier, self.columns))
        )
        with cursor.copy(query) as copy:
            for row in self.rows:
                copy.write_row(
                    [
                        str(int(value) + shift[self.ids[index]]) if index in self.ids and value is not None else value
                        for index, value in enumerate(row)
                    ]
                )


class AddedRows:
    """take() after a command, restore() in each later test's empty tables."""

    def __init__(self, tables: Iterable[_Table], made_by_triggers: dict[type[models.Model], int]) -> None:
        self.tables = list(tables)
        self.made_by_triggers = made_by_triggers  # model -> the rows the command's writes made its triggers add

    @property
    def table_names(self) -> list[str]:
        return [table.name for table in self.tables] + [model._meta.db_table for model in self.made_by_triggers]

    @classmethod
    def take(
        cls,
        before: dict[type[models.Model], int],
        *,
        leave_out: Iterable[str] = (),
        made_by_triggers: Iterable[type[models.Model]] = (),
    ) -> "AddedRows":
        """Every table the command added rows to, each of which must have started empty, except
        the apps left out; tables that triggers fill from the others are only counted."""
        after = row_counts()
        added = {
            model
            for model, count in after.items()
            if count != before.get(model, 0) and model._meta.app_label not in set(leave_out)
        }
        for model in added:
            if before.get(model, 0):
                raise ValueError(f"{model._meta.db_table} held rows before the command: only added tables are kept")
        by_triggers = {model: after[model] for model in made_by_triggers if model in added}
        copied = added - set(by_triggers)
        tables = [_Table(model, copied) for model in _parents_first(copied)]
        with connection.cursor() as cursor:
            for table in tables:
                table.read(cursor.cursor)
        return cls(tables, by_triggers)

    def restore(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor
            shift = {}
            for table in self.tables:
                if table.sequence_column:
                    raw.execute("SELECT nextval(pg_get_serial_sequence(%s, %s))", [table.name, table.sequence_column])
                    shift[table.model] = raw.fetchone()[0] - table.first_id
            for table in self.tables:
                table.write(raw, shift)
            for model, count in self.made_by_triggers.items():
                if model._base_manager.count() != count:
                    raise AssertionError(f"{model._meta.db_table}: its triggers made other rows than the command's")
            for table in self.tables:
                if table.sequence_column:
                    raw.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                        [table.name, table.sequence_column, table.last_id + shift[table.model]],
                    )
