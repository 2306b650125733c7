import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from aircraft.models import Aircraft, CatalogueRelease, Manufacturer
from aircraft.services import catalogue_export
from tests.factories import catalogue_document

pytestmark = pytest.mark.django_db


def write(tmp_path, document, name="catalogue.json"):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def load(path, *args):
    out = StringIO()
    call_command("load_aircraft", str(path), *args, stdout=out)
    return out.getvalue()


def database_state():
    return json.dumps(catalogue_export(), sort_keys=True), Aircraft.objects.count(), Manufacturer.objects.count()


def test_valid_file_creates_everything_and_reports_counts(tmp_path):
    output = load(write(tmp_path, catalogue_document(aircraft_count=5)))
    assert "5 created, 0 updated, 0 unchanged" in output
    assert Aircraft.objects.count() == 5
    assert Manufacturer.objects.count() == 2
    release = CatalogueRelease.objects.get()
    assert release.version == "2026.11.0"
    plane = Aircraft.objects.get(designation="LM-2")
    assert plane.manufacturer.name == "Loader Maker 0"
    assert str(plane.length_m) == "22.50"


def test_second_run_changes_nothing(tmp_path):
    path = write(tmp_path, catalogue_document())
    load(path)
    before = database_state()
    output = load(path)
    assert "Nothing to do" in output
    assert "0 created, 0 updated, 3 unchanged" in output
    assert database_state() == before


def test_changed_record_is_updated_in_place(tmp_path):
    document = catalogue_document()
    load(write(tmp_path, document))
    original_pk = Aircraft.objects.get(designation="LM-1").pk
    document["aircraft"][1]["specs"]["range_km"] = 6100
    output = load(write(tmp_path, document))
    assert "0 created, 1 updated, 2 unchanged" in output
    plane = Aircraft.objects.get(designation="LM-1")
    assert (plane.pk, plane.range_km) == (original_pk, 6100)


def test_dry_run_writes_nothing(tmp_path):
    output = load(write(tmp_path, catalogue_document()), "--dry-run")
    assert "Would have" in output and "3 created" in output
    assert Aircraft.objects.count() == 0
    assert CatalogueRelease.objects.count() == 0


def test_prune_deletes_records_missing_from_the_file(tmp_path):
    load(write(tmp_path, catalogue_document(aircraft_count=4)))
    output = load(write(tmp_path, catalogue_document(aircraft_count=2)), "--prune")
    assert "2 deleted" in output
    assert sorted(Aircraft.objects.values_list("designation", flat=True)) == ["LM-0", "LM-1"]


def _invalid_json(doc):
    return json.dumps(doc)[:-20]


def _schema_violation(doc):
    del doc["aircraft"][1]["source"]
    return doc


def _impossible_number(doc):
    doc["aircraft"][1]["specs"]["length_m"] = -4
    return doc


def _heavier_when_empty(doc):
    doc["aircraft"][2]["specs"]["empty_weight_kg"] = 900000
    return doc


def _duplicate_designation(doc):
    doc["aircraft"][2]["designation"] = doc["aircraft"][0]["designation"].lower()
    doc["aircraft"][2]["manufacturer"] = doc["aircraft"][0]["manufacturer"]
    return doc


def _wrong_type(doc):
    doc["aircraft"][1]["introduced"] = "nineteen sixty"
    return doc


def _unknown_manufacturer(doc):
    doc["aircraft"][1]["manufacturer"] = "Nobody Aviation"
    return doc


def _too_early(doc):
    doc["aircraft"][1]["introduced"] = 1850
    return doc


@pytest.mark.parametrize(
    "spoil, expected",
    [
        (_invalid_json, "not valid JSON"),
        (_schema_violation, "aircraft[1] (Loader Maker 1 LM-1): (record): 'source' is a required property"),
        (_impossible_number, "aircraft[1] (Loader Maker 1 LM-1): specs.length_m"),
        (_heavier_when_empty, "aircraft[2] (Loader Maker 0 LM-2): specs.empty_weight_kg"),
        (_duplicate_designation, "aircraft[2] (Loader Maker 0 lm-0): designation: duplicate of aircraft[0]"),
        (_wrong_type, "aircraft[1] (Loader Maker 1 LM-1): introduced"),
        (_unknown_manufacturer, "manufacturer: 'Nobody Aviation' is not in the manufacturers list"),
        (_too_early, "aircraft[1] (Loader Maker 1 LM-1): introduced"),
    ],
)
def test_bad_file_names_the_problem_and_leaves_database_unchanged(tmp_path, spoil, expected):
    load(write(tmp_path, catalogue_document(), "good.json"))
    before = database_state()
    document = catalogue_document()
    document["aircraft"][0]["specs"]["range_km"] = 9999  # a valid change that must not land either
    with pytest.raises(CommandError) as caught:
        load(write(tmp_path, spoil(document)))
    assert expected in str(caught.value)
    assert "database is unchanged" in str(caught.value)
    assert database_state() == before


def test_model_rule_violation_rolls_back_earlier_writes(tmp_path):
    """A slug already used by another aircraft is only caught by the model rules,
    after earlier records in the same file were written: all of it must roll back."""
    load(write(tmp_path, catalogue_document(), "good.json"))
    before = database_state()
    document = catalogue_document(aircraft_count=5)
    document["aircraft"][4]["slug"] = "lm-0-loaded-0"
    document["aircraft"][4]["designation"] = "LM-NEW"
    with pytest.raises(CommandError) as caught:
        load(write(tmp_path, document))
    assert "aircraft[4] (Loader Maker 0 LM-NEW): slug" in str(caught.value)
    assert database_state() == before


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        load(tmp_path / "nope.json")


def test_export_then_load_changes_nothing(tmp_path):
    load(write(tmp_path, catalogue_document(aircraft_count=6)))
    plane = Aircraft.objects.get(designation="LM-3")
    plane.name = "Edited in the admin"
    plane.max_speed_mach = None
    plane.save()
    exported = tmp_path / "export.json"
    call_command("export_aircraft", str(exported), stdout=StringIO())
    before = database_state()
    output = load(exported)
    assert "Nothing to do" in output
    assert database_state() == before
    records = {record["designation"]: record for record in json.loads(exported.read_text())["aircraft"]}
    assert records["LM-3"]["name"] == "Edited in the admin"
    assert "max_speed_mach" not in records["LM-3"]["specs"]


def test_export_is_idempotent(tmp_path):
    load(write(tmp_path, catalogue_document()))
    exported = tmp_path / "export.json"
    call_command("export_aircraft", str(exported), stdout=StringIO())
    out = StringIO()
    call_command("export_aircraft", str(exported), stdout=out)
    assert "Nothing to do" in out.getvalue()


def test_the_shipped_catalogue_loads_and_round_trips(tmp_path):
    load(settings.CATALOGUE_FIXTURE)
    assert Aircraft.objects.count() >= 100
    assert Manufacturer.objects.count() >= 12
    for designation in ("F-22A", "SR-71A", "B-52H", "C-130J", "RQ-4B", "X-47B", "YF-23"):
        assert Aircraft.objects.filter(designation__istartswith=designation[:4]).exists(), designation
    assert not Aircraft.objects.filter(source_url="").exists()
    exported = tmp_path / "export.json"
    call_command("export_aircraft", str(exported), stdout=StringIO())
    assert "Nothing to do" in load(exported)


def test_uploaded_images_survive_export_and_load(tmp_path):
    load(write(tmp_path, catalogue_document()))
    plane = Aircraft.objects.get(designation="LM-1")
    plane.image = "aircraft/lm-1.png"
    plane.image_alt = "LM-1 on the ramp"
    plane.save()
    exported = tmp_path / "export.json"
    call_command("export_aircraft", str(exported), stdout=StringIO())
    records = {r["designation"]: r for r in json.loads(exported.read_text())["aircraft"]}
    assert records["LM-1"]["image"] == "aircraft/lm-1.png"
    Aircraft.objects.filter(pk=plane.pk).update(image="", image_alt="")
    assert "1 updated" in load(exported)
    plane.refresh_from_db()
    assert (plane.image.name, plane.image_alt) == ("aircraft/lm-1.png", "LM-1 on the ramp")
