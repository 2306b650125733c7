"""Keep Aircraft.search_vector current with a database trigger.

A trigger rather than code in save(): bulk writes, raw SQL and manufacturer
renames all keep search right, and no caller can forget to.
Weights: designation and name (A) rank above the manufacturer (B), role (C)
and description (D).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION aircraft_search_document(a aircraft_aircraft, maker_name text)
RETURNS tsvector LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector('simple', coalesce(a.designation, '') || ' ' || coalesce(a.designation_key, '')), 'A')
      || setweight(to_tsvector('english', coalesce(a.name, '')), 'A')
      || setweight(to_tsvector('english', coalesce(maker_name, '')), 'B')
      || setweight(to_tsvector('english', replace(coalesce(a.role, ''), '-', ' ')), 'C')
      || setweight(to_tsvector('english', coalesce(a.description, '')), 'D')
$$;

CREATE OR REPLACE FUNCTION aircraft_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := aircraft_search_document(
    NEW, (SELECT name FROM aircraft_manufacturer WHERE id = NEW.manufacturer_id));
  RETURN NEW;
END $$;

CREATE TRIGGER aircraft_search_update
  BEFORE INSERT OR UPDATE OF designation, name, role, description, manufacturer_id
  ON aircraft_aircraft FOR EACH ROW EXECUTE FUNCTION aircraft_search_update();

CREATE OR REPLACE FUNCTION manufacturer_rename_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE aircraft_aircraft a SET search_vector = aircraft_search_document(a, NEW.name)
   WHERE a.manufacturer_id = NEW.id;
  RETURN NEW;
END $$;

CREATE TRIGGER manufacturer_rename_search_update
  AFTER UPDATE OF name ON aircraft_manufacturer
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
  EXECUTE FUNCTION manufacturer_rename_search_update();
"""

REVERSE = """
DROP TRIGGER IF EXISTS manufacturer_rename_search_update ON aircraft_manufacturer;
DROP FUNCTION IF EXISTS manufacturer_rename_search_update();
DROP TRIGGER IF EXISTS aircraft_search_update ON aircraft_aircraft;
DROP FUNCTION IF EXISTS aircraft_search_update();
DROP FUNCTION IF EXISTS aircraft_search_document(aircraft_aircraft, text);
"""


class Migration(migrations.Migration):
    dependencies = [("aircraft", "0001_initial")]

    operations = [migrations.RunSQL(FUNCTION, REVERSE)]
