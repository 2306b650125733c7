"""Names in a reader's alphabetical order: a stored column of each name without
case or accents, from one SQL function, `alphabetical`.

The function calls unaccent with its dictionary named, schema and all, so that it
depends on no search_path. It is declared IMMUTABLE, which a stored column needs,
although unaccent is only STABLE: its rules file changes only with the server's
own files, and after such a change `UPDATE ... SET name = name` recomputes the
column.
"""

from django.db import migrations, models

ALPHABETICAL_SQL = """
DO $$
DECLARE
  schema text := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent');
BEGIN
  EXECUTE format(
    'CREATE OR REPLACE FUNCTION alphabetical(value text) RETURNS text
       LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS %L',
    format('SELECT lower(%s.unaccent(%L::regdictionary, value))', schema, schema || '.unaccent'));
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("aircraft", "0018_layouts_triplane_three_fins_trijets"),
    ]

    operations = [
        migrations.RunSQL(ALPHABETICAL_SQL, "DROP FUNCTION IF EXISTS alphabetical(text);"),
        migrations.AlterModelOptions(
            name="aircraft",
            options={
                "ordering": ["manufacturer__name_order", "era_year", "designation"],
                "verbose_name_plural": "aircraft",
            },
        ),
        migrations.AlterModelOptions(
            name="manufacturer",
            options={"ordering": ["name_order"]},
        ),
        migrations.AddField(
            model_name="aircraft",
            name="name_order",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(models.F("name"), function="alphabetical"),
                output_field=models.CharField(max_length=120),
            ),
        ),
        migrations.AddField(
            model_name="manufacturer",
            name="name_order",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(models.F("name"), function="alphabetical"),
                output_field=models.CharField(max_length=120),
            ),
        ),
    ]
