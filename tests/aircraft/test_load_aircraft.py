import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from aircraft.configuration import EnginePlacement, RotorLayout, TailLayout, WingPlanform
from aircraft.models import Aircraft, AircraftSource, CatalogueRelease, Figure, Manufacturer
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
    length = plane.figures.get(quantity="length")
    assert (length.kind, length.value, length.unit, length.source.key) == ("overall", "22.5", "m", "tcds")
    empty = plane.figures.get(quantity="empty_weight")
    assert (empty.value, empty.unit) == ("66,000", "lb")  # kept as published
    assert (plane.first_flight_year, plane.entered_service_year, plane.era_year) == (1960, 1962, 1962)
    assert plane.powerplant_source.key == "tcds"
    assert (plane.wing_planform, plane.engine_placement, plane.configuration_source.key) == (
        "straight",
        "wing-nacelles",
        "tcds",
    )
    assert plane.rank_range_km == 5000


def test_layout_source_must_be_one_of_the_records_sources(tmp_path):
    document = catalogue_document()
    document["aircraft"][0]["configuration"]["source"] = "nowhere"
    with pytest.raises(CommandError, match="nowhere"):
        load(write(tmp_path, document))
    assert Aircraft.objects.count() == 0


def test_the_fixture_schema_offers_exactly_the_layout_choices_the_model_has():
    schema = json.loads(Path(settings.CATALOGUE_SCHEMA).read_text())
    properties = schema["$defs"]["aircraft"]["properties"]["configuration"]["properties"]
    for name, choices in (
        ("wing_planform", WingPlanform),
        ("engine_placement", EnginePlacement),
        ("tail_layout", TailLayout),
        ("rotor_layout", RotorLayout),
    ):
        assert properties[name]["enum"] == choices.values, name


@pytest.mark.parametrize(
    "configuration",
    [
        {"wing_planform": "triplane", "engine_placement": "nose", "tail_layout": "conventional"},
        {"wing_planform": "straight", "engine_placement": "wing-and-nose", "tail_layout": "conventional"},
        {"wing_planform": "swept", "engine_placement": "wing-and-tail", "tail_layout": "conventional"},
        {"wing_planform": "straight", "engine_placement": "wing-nacelles", "tail_layout": "triple-fin"},
        {"wing_planform": "swept", "engine_placement": "fuselage", "tail_layout": "canard-tailplane"},
    ],
    ids=lambda c: "-".join(c.values()),
)
def test_the_newer_layouts_load_and_export_unchanged(tmp_path, configuration):
    document = catalogue_document(aircraft_count=1)
    document["aircraft"][0]["configuration"].update(configuration)
    load(write(tmp_path, document))
    plane = Aircraft.objects.get()
    assert {name: getattr(plane, name) for name in configuration} == configuration
    exported = next(r for r in catalogue_export()["aircraft"] if r["slug"] == plane.slug)
    assert {name: exported["configuration"][name] for name in configuration} == configuration


def test_a_layout_the_model_does_not_know_is_refused_by_name(tmp_path):
    document = catalogue_document(aircraft_count=1)
    document["aircraft"][0]["configuration"]["tail_layout"] = "quadruple-fin"
    with pytest.raises(CommandError, match="quadruple-fin"):
        load(write(tmp_path, document))
    assert Aircraft.objects.count() == 0


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
    document["aircraft"][1]["figures"][5]["value"] = "6100"
    output = load(write(tmp_path, document))
    assert "0 created, 1 updated, 2 unchanged" in output
    plane = Aircraft.objects.get(designation="LM-1")
    assert plane.pk == original_pk
    assert plane.figures.get(quantity="range", kind="typical").value == "6100"
    assert plane.rank_range_km == 6100


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
    del doc["aircraft"][1]["sources"]
    return doc


def _impossible_number(doc):
    doc["aircraft"][1]["figures"][0]["value"] = "0"
    return doc


def _heavier_when_empty(doc):
    doc["aircraft"][2]["figures"][2]["value"] = "900,000"
    return doc


def _duplicate_designation(doc):
    doc["aircraft"][2]["designation"] = doc["aircraft"][0]["designation"].lower()
    doc["aircraft"][2]["manufacturer"] = doc["aircraft"][0]["manufacturer"]
    return doc


def _wrong_type(doc):
    doc["aircraft"][1]["dates"]["first_flight"]["year"] = "nineteen sixty"
    return doc


def _unknown_source(doc):
    doc["aircraft"][1]["figures"][1]["source"] = "wikipedia"
    return doc


def _kind_not_allowed(doc):
    doc["aircraft"][1]["figures"][5]["kind"] = "at-altitude"
    return doc


def _unit_not_allowed(doc):
    doc["aircraft"][1]["figures"][0]["unit"] = "kg"
    return doc


def _same_figure_twice(doc):
    doc["aircraft"][1]["figures"].append(dict(doc["aircraft"][1]["figures"][5], value="7000"))
    return doc


def _variant_of_nothing(doc):
    doc["aircraft"][1]["variant_of"] = "no-such-aircraft"
    return doc


def _variant_loop(doc):
    doc["aircraft"][0]["variant_of"] = doc["aircraft"][1]["slug"]
    doc["aircraft"][1]["variant_of"] = doc["aircraft"][0]["slug"]
    return doc


def _service_before_first_flight(doc):
    doc["aircraft"][1]["dates"]["entered_service"]["year"] = 1950
    return doc


def _retired_but_active(doc):
    doc["aircraft"][1]["dates"]["retired"] = {"year": 2001, "source": "tcds"}
    return doc


def _unknown_manufacturer(doc):
    doc["aircraft"][1]["manufacturer"] = "Nobody Aviation"
    return doc


def _too_early(doc):
    doc["aircraft"][1]["dates"]["first_flight"]["year"] = 1850
    return doc


@pytest.mark.parametrize(
    "spoil, expected",
    [
        (_invalid_json, "not valid JSON"),
        (_schema_violation, "aircraft[1] (Loader Maker 1 LM-1): (record): 'sources' is a required property"),
        (
            _impossible_number,
            "aircraft[1] (Loader Maker 1 LM-1): figures[0] (length): length must be greater than zero",
        ),
        (_heavier_when_empty, "aircraft[2] (Loader Maker 0 LM-2): figures: empty weight exceeds the maximum take-off"),
        (_duplicate_designation, "aircraft[2] (Loader Maker 0 lm-0): designation: duplicate of aircraft[0]"),
        (_wrong_type, "aircraft[1] (Loader Maker 1 LM-1): dates.first_flight.year"),
        (_unknown_manufacturer, "manufacturer: 'Nobody Aviation' is not in the manufacturers list"),
        (_too_early, "aircraft[1] (Loader Maker 1 LM-1): dates.first_flight.year"),
        (_unknown_source, "aircraft[1] (Loader Maker 1 LM-1): figures: source 'wikipedia' is not one of this record"),
        (_kind_not_allowed, "aircraft[1] (Loader Maker 1 LM-1): figures[5] (range): kind 'at-altitude' is not one of"),
        (_unit_not_allowed, "aircraft[1] (Loader Maker 1 LM-1): figures[0] (length): length cannot be given in 'kg'"),
        (_same_figure_twice, "aircraft[1] (Loader Maker 1 LM-1): figures[7] (range): a typical range is given twice"),
        (_variant_of_nothing, "variant_of: 'no-such-aircraft' is not an aircraft slug in this file"),
        (_variant_loop, "variant_of: variants form a loop"),
        (_service_before_first_flight, "dates.entered_service: 1950 is before the first flight (1959)"),
        (_retired_but_active, "status: an aircraft with a retirement date cannot be active"),
    ],
)
def test_bad_file_names_the_problem_and_leaves_database_unchanged(tmp_path, spoil, expected):
    load(write(tmp_path, catalogue_document(), "good.json"))
    before = database_state()
    document = catalogue_document()
    document["aircraft"][0]["figures"][5]["value"] = "9999"  # a valid change that must not land either
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
    plane.save()
    plane.figures.get(quantity="max_speed").delete()
    exported = tmp_path / "export.json"
    call_command("export_aircraft", str(exported), stdout=StringIO())
    before = database_state()
    output = load(exported)
    assert "Nothing to do" in output
    assert database_state() == before
    records = {record["designation"]: record for record in json.loads(exported.read_text())["aircraft"]}
    assert records["LM-3"]["name"] == "Edited in the admin"
    assert records["LM-3"]["configuration"]["source"] == "tcds"  # the layout keeps its source
    assert "max_speed" not in {figure["quantity"] for figure in records["LM-3"]["figures"]}


def test_export_is_idempotent(tmp_path):
    load(write(tmp_path, catalogue_document()))
    exported = tmp_path / "export.json"
    call_command("export_aircraft", str(exported), stdout=StringIO())
    out = StringIO()
    call_command("export_aircraft", str(exported), stdout=out)
    assert "Nothing to do" in out.getvalue()


def test_a_manufacturer_source_survives_load_and_export_whole(tmp_path):
    document = catalogue_document()
    source = {
        "id": "history",
        "title": "Loader Maker 0: company history",
        "publisher": "Test Encyclopedia",
        "url": "https://example.com/loader-maker-0",
        "kind": "encyclopedia",
        "checked": "2026-11-29",
    }
    document["manufacturers"][0] |= {"founded": 1912, "successor": "Loader Maker 1", "sources": [source]}
    load(write(tmp_path, document))
    maker = Manufacturer.objects.get(name="Loader Maker 0")
    assert (maker.source_key, maker.source_publisher, maker.source_kind) == (
        "history",
        "Test Encyclopedia",
        "encyclopedia",
    )
    exported = tmp_path / "export.json"
    call_command("export_aircraft", str(exported), stdout=StringIO())
    makers = {m["name"]: m for m in json.loads(exported.read_text())["manufacturers"]}
    assert makers["Loader Maker 0"]["sources"] == [source]
    assert "sources" not in makers["Loader Maker 1"]
    assert "Nothing to do" in load(exported)


def test_the_shipped_catalogue_loads_and_round_trips(tmp_path):
    load(settings.CATALOGUE_FIXTURE)
    assert Aircraft.objects.count() >= 100
    assert Manufacturer.objects.count() >= 12
    for designation in ("F-22A", "SR-71A", "B-52H", "C-130J", "RQ-4B", "X-47B", "YF-23"):
        assert Aircraft.objects.filter(designation__istartswith=designation[:4]).exists(), designation
    assert not Aircraft.objects.filter(sources=None).exists()
    assert not Figure.objects.filter(source__url="").exists()
    exported = tmp_path / "export.json"
    call_command("export_aircraft", str(exported), stdout=StringIO())
    assert "Nothing to do" in load(exported)


def test_the_shipped_catalogue_shows_no_conversion_artefact():
    load(settings.CATALOGUE_FIXTURE)
    artefact = re.compile(r"\d(?:001|999|998|002) (?:lb|ft|kg|m)\b")
    shown = [text for figure in Figure.objects.all() for text in figure.display().values()]
    assert len(shown) > 500
    assert [text for text in shown if artefact.search(text)] == []
    # Published as 488000 lb by Boeing: shown as that round figure, with the metric one derived from it.
    b52 = Figure.objects.get(aircraft__designation="B-52H", quantity="max_takeoff_weight")
    assert b52.display()["imperial"] == "488,000 lb"


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


def test_variant_inherits_what_it_does_not_give(tmp_path):
    document = catalogue_document()
    variant = document["aircraft"][2]
    variant["variant_of"] = document["aircraft"][0]["slug"]
    variant["figures"] = [{"quantity": "range", "kind": "ferry", "value": "4000", "unit": "nmi", "source": "tcds"}]
    load(write(tmp_path, document))
    plane = Aircraft.objects.get(designation="LM-2")
    assert plane.variant_of.designation == "LM-0"
    assert plane.figures.count() == 1
    # The base's typical range sorts the variant; its own ferry range is never used for that.
    assert plane.rank_range_km == 5000
    assert plane.digest["card"][0]["metric"] == "20.5 m"


def test_a_maximum_range_is_shown_as_such_and_never_ranked_as_a_typical_one(tmp_path):
    document = catalogue_document(aircraft_count=1)
    document["aircraft"][0]["figures"] = [
        {
            "quantity": "range",
            "kind": "maximum",
            "value": "2,100",
            "unit": "nmi",
            "source": "tcds",
            "condition": "with maximum fuel",
        }
    ]
    load(write(tmp_path, document))
    plane = Aircraft.objects.get(designation="LM-0")
    figure = plane.figures.get(quantity="range")
    assert (figure.kind, figure.label, figure.condition) == ("maximum", "Range (maximum)", "with maximum fuel")
    assert plane.rank_range_km is None


def test_prune_takes_figures_and_sources_with_the_aircraft(tmp_path):
    load(write(tmp_path, catalogue_document(aircraft_count=4)))
    load(write(tmp_path, catalogue_document(aircraft_count=2)), "--prune")
    assert Aircraft.objects.count() == 2
    assert AircraftSource.objects.count() == 2
    assert Figure.objects.count() == 14


def test_a_removed_figure_is_deleted_and_a_new_source_added(tmp_path):
    document = catalogue_document()
    load(write(tmp_path, document))
    record = document["aircraft"][0]
    record["sources"].append(dict(record["sources"][0], id="manual", url="https://example.com/manual"))
    record["figures"] = [*record["figures"][:2], dict(record["figures"][2], source="manual")]
    assert "1 updated" in load(write(tmp_path, document))
    plane = Aircraft.objects.get(designation="LM-0")
    assert sorted(plane.figures.values_list("quantity", "source__key")) == [
        ("empty_weight", "manual"),
        ("length", "tcds"),
        ("wingspan", "tcds"),
    ]
