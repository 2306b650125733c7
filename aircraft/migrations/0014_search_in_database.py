"""Search in PostgreSQL: pg_trgm and unaccent, one search document, and a word list
for typo correction.

The search document is built in ONE place, aircraft_search_titles() and
aircraft_search_document() below: the names an aircraft goes by (designation,
name, military designation, ICAO type designator, NATO reporting name,
aliases) are one line each in aircraft_search_titles(). To make another field
searchable, a later migration re-creates that function with the new line
(CREATE OR REPLACE) and refreshes the rows (UPDATE aircraft_aircraft SET
search_vector = NULL: the trigger rebuilds every document and the word list
follows).

- Text search configuration `hangarstack_search`: the simple parser and
  dictionary (no stemming, no stop words) behind `unaccent`, so "Écureuil" and
  "ecureuil" are one word and the document's words are real words, fit to show
  in "Did you mean". Queries add the English stem of each word (selectors).
- aircraft_search_keys: each title without case, accents, spaces or
  punctuation ("F/A-18E" -> "fa18e", "Globemaster III" -> "globemasteriii"): a
  query that is exactly one of them ranks that aircraft first.
- aircraft_searchword: every word of every document with the number of aircraft
  holding it, kept exact by statement-level triggers (bulk inserts of 100,000
  generated aircraft cost one pass, not 100,000 trigger calls); a misspelt word
  is corrected to its nearest neighbour here through a GIN trigram index.

Both extensions are "trusted": the database owner can create them without
being a superuser (PostgreSQL 13+).
"""

from importlib import import_module

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models

SEARCH_SQL = """
CREATE TEXT SEARCH CONFIGURATION hangarstack_search (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION hangarstack_search
  ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart
  WITH unaccent, simple;

-- Lower case, no accents, letters and digits only: "F/A-18E" -> "fa18e".
CREATE OR REPLACE FUNCTION search_key(value text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT lower(regexp_replace(unaccent(coalesce(value, '')), '[^[:alnum:]]+', '', 'g'))
$$;

-- The names an aircraft goes by, one line each. Add a field here to make it
-- searchable as a name (matched exactly, ranked first).
CREATE OR REPLACE FUNCTION aircraft_search_titles(a aircraft_aircraft) RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT array_remove(ARRAY[
    a.designation,
    nullif(a.name, ''),
    nullif(concat_ws(' ', a.designation, nullif(a.name, '')), a.designation),
    nullif(a.military_designation, ''),
    nullif(a.icao_type, ''),
    nullif(a.nato_name, '')
  ] || coalesce(a.aliases, '{}'::varchar[])::text[], NULL)
$$;

CREATE OR REPLACE FUNCTION aircraft_search_keys(a aircraft_aircraft) RETURNS varchar[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(DISTINCT search_key(t)) FILTER (WHERE search_key(t) <> ''), '{}')
    FROM unnest(aircraft_search_titles(a)) AS t
$$;

-- Weights: the names (A) rank above the manufacturer (B), role (C) and description (D).
CREATE OR REPLACE FUNCTION aircraft_search_document(a aircraft_aircraft, maker_name text)
RETURNS tsvector LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector('hangarstack_search',
                     array_to_string(aircraft_search_titles(a) || aircraft_search_keys(a)::text[], ' ')), 'A')
      || setweight(to_tsvector('hangarstack_search', coalesce(maker_name, '')), 'B')
      || setweight(to_tsvector('hangarstack_search',
                     concat_ws(' ', replace(coalesce(a.role, ''), '-', ' '), a.country)), 'C')
      || setweight(to_tsvector('hangarstack_search', coalesce(a.description, '')), 'D')
$$;

-- Every column may feed the document, so every write recomputes it (writes are rare).
DROP TRIGGER IF EXISTS aircraft_search_update ON aircraft_aircraft;
CREATE OR REPLACE FUNCTION aircraft_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := aircraft_search_document(
    NEW, (SELECT name FROM aircraft_manufacturer WHERE id = NEW.manufacturer_id));
  NEW.search_keys := aircraft_search_keys(NEW);
  RETURN NEW;
END $$;
CREATE TRIGGER aircraft_search_update BEFORE INSERT OR UPDATE ON aircraft_aircraft
  FOR EACH ROW EXECUTE FUNCTION aircraft_search_update();

-- Rewriting every document recomputes the keys too (the trigger above).
UPDATE aircraft_aircraft SET search_vector = NULL;

-- The word list: words with a letter in them, as the document holds them.
CREATE OR REPLACE FUNCTION search_words(doc tsvector) RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
  SELECT lexeme FROM unnest(doc) WHERE lexeme ~ '[[:alpha:]]' AND length(lexeme) BETWEEN 2 AND 200
$$;

-- Adds each word's change in aircraft count; a word no aircraft holds any more goes.
CREATE OR REPLACE FUNCTION searchword_apply(words text[], deltas int[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO aircraft_searchword AS s (word, aircraft)
  SELECT * FROM unnest(words, deltas)
  ON CONFLICT (word) DO UPDATE SET aircraft = s.aircraft + EXCLUDED.aircraft;
  -- A second statement: it sees the counts the first one wrote.
  DELETE FROM aircraft_searchword WHERE word = ANY (words) AND aircraft <= 0;
$$;

CREATE OR REPLACE FUNCTION aircraft_searchword_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM searchword_apply(array_agg(word), array_agg(d)) FROM (
    SELECT word, count(*)::int AS d FROM new_rows, search_words(new_rows.search_vector) AS word GROUP BY word
  ) AS delta HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION aircraft_searchword_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM searchword_apply(array_agg(word), array_agg(d)) FROM (
    SELECT word, -count(*)::int AS d FROM old_rows, search_words(old_rows.search_vector) AS word GROUP BY word
  ) AS delta HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION aircraft_searchword_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM searchword_apply(array_agg(word), array_agg(d)) FROM (
    SELECT word, sum(d)::int AS d FROM (
      SELECT search_words(n.search_vector) AS word, 1 AS d
        FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.search_vector IS DISTINCT FROM o.search_vector
      UNION ALL
      SELECT search_words(o.search_vector), -1
        FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.search_vector IS DISTINCT FROM o.search_vector
    ) AS w GROUP BY word HAVING sum(d) <> 0
  ) AS delta HAVING count(*) > 0;
  RETURN NULL;
END $$;

-- The word list from scratch, then kept by the triggers.
DELETE FROM aircraft_searchword;
INSERT INTO aircraft_searchword (word, aircraft)
SELECT word, count(*) FROM aircraft_aircraft, search_words(search_vector) AS word GROUP BY word;

CREATE TRIGGER aircraft_searchword_insert AFTER INSERT ON aircraft_aircraft
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aircraft_searchword_insert();
CREATE TRIGGER aircraft_searchword_delete AFTER DELETE ON aircraft_aircraft
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION aircraft_searchword_delete();
CREATE TRIGGER aircraft_searchword_update AFTER UPDATE ON aircraft_aircraft
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION aircraft_searchword_update();
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS aircraft_searchword_insert ON aircraft_aircraft;
DROP TRIGGER IF EXISTS aircraft_searchword_delete ON aircraft_aircraft;
DROP TRIGGER IF EXISTS aircraft_searchword_update ON aircraft_aircraft;
DROP FUNCTION IF EXISTS aircraft_searchword_insert();
DROP FUNCTION IF EXISTS aircraft_searchword_delete();
DROP FUNCTION IF EXISTS aircraft_searchword_update();
DROP FUNCTION IF EXISTS searchword_apply(text[], int[]);
DROP FUNCTION IF EXISTS search_words(tsvector);
DROP TRIGGER IF EXISTS aircraft_search_update ON aircraft_aircraft;
DROP FUNCTION IF EXISTS aircraft_search_keys(aircraft_aircraft);
"""


def let_editors_read_searches(apps, schema_editor):
    """Catalogue editors see what visitors search for and may hide a query from
    the popular searches (migration 0003 made the group)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    group = apps.get_model("auth", "Group").objects.filter(name="Catalogue editors").first()
    if group is not None:
        Permission = apps.get_model("auth", "Permission")
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="aircraft",
                codename__in=["view_searchtotal", "change_searchtotal", "view_unansweredsearch"],
            )
        )


def restore_previous_document(apps, schema_editor):
    """Back to the English document of migrations 0002 and 0007, and their trigger."""
    original = import_module("aircraft.migrations.0002_search_trigger").FUNCTION
    update_function = original.split("CREATE TRIGGER aircraft_search_update")[0].split(
        "CREATE OR REPLACE FUNCTION aircraft_search_update()"
    )[1]
    schema_editor.execute("CREATE OR REPLACE FUNCTION aircraft_search_update()" + update_function)
    schema_editor.execute(import_module("aircraft.migrations.0007_catalogue_v2_drop_columns").SEARCH_DOCUMENT)
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS aircraft_search_titles(aircraft_aircraft);"
        "DROP FUNCTION IF EXISTS search_key(text);"
        "DROP TEXT SEARCH CONFIGURATION IF EXISTS hangarstack_search;"
        "UPDATE aircraft_aircraft SET name = name;"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("aircraft", "0013_aircraft_configuration"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("aircraft", models.IntegerField(help_text="How many aircraft documents hold the word.")),
            ],
        ),
        migrations.AddField(
            model_name="aircraft",
            name="search_keys",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=300), default=list, editable=False, size=None
            ),
        ),
        migrations.AddField(
            model_name="searchtotal",
            name="hidden",
            field=models.BooleanField(
                default=False, help_text="Never count this query towards the popular searches the site shows."
            ),
        ),
        migrations.AddField(
            model_name="searchtotal",
            name="top_aircraft",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="search_totals",
                to="aircraft.aircraft",
            ),
        ),
        migrations.AddIndex(
            model_name="aircraft",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search_keys"], name="aircraft_search_keys"),
        ),
        migrations.AddIndex(
            model_name="searchtotal",
            index=models.Index(
                condition=models.Q(("last_result_count", 0)), fields=["-searches"], name="searchtotal_found_nothing"
            ),
        ),
        migrations.AddIndex(
            model_name="searchword",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(models.F("word"), name="gin_trgm_ops"),
                name="searchword_trigram",
            ),
        ),
        migrations.AddIndex(
            model_name="searchword",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(models.F("word"), name="varchar_pattern_ops"),
                name="searchword_prefix",
            ),
        ),
        migrations.CreateModel(
            name="UnansweredSearch",
            fields=[],
            options={
                "verbose_name": "search that found nothing",
                "verbose_name_plural": "searches that found nothing",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("aircraft.searchtotal",),
        ),
        migrations.RunPython(let_editors_read_searches, migrations.RunPython.noop),
        migrations.RunPython(migrations.RunPython.noop, restore_previous_document),
        migrations.RunSQL(SEARCH_SQL, REVERSE_SQL),
    ]
