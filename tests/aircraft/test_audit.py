"""aircraft/audit.py and the audit_catalogue command that prints it."""

import datetime
import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from aircraft import audit
from aircraft.audit import catalogue_audit, landing_page_reason, mach_band, speed_of_sound_kn
from aircraft.models import Aircraft, AircraftSource, Figure
from tests.factories import DEFAULT_FIGURES, AircraftFactory, ManufacturerFactory, figures_with

# --- Building records ------------------------------------------------------------------
# AircraftFactory's DEFAULT_FIGURES are a complete, consistent fixed-wing set:
# 1,000 kn at altitude is Mach 1.51 (sea level) to 1.74 (11,000 m); its Mach is 1.60.


def make_aircraft(designation="TX-1", *, figures=None, source_url=None, **fields) -> Aircraft:
    """An aircraft with one source, 'main', and no figures, dates or powerplant unless given.

    Saved without full_clean, as bad data can arrive (the audit exists for it)."""
    values = {
        "designation": designation,
        "name": "",
        "slug": designation.lower(),
        "figures": figures or {},
        "first_flight_year": None,
        "entered_service_year": None,
        "engine_count": None,
        "engine_model": "",
        "engine_type": "",
    }
    plane = AircraftFactory(**{**values, **fields})
    if source_url:
        plane.sources.update(url=source_url)
    return plane


def source(plane: Aircraft, key: str = "main") -> AircraftSource:
    return plane.sources.get(key=key)


def add_figure(plane, quantity, kind, value, unit, *, condition="") -> Figure:
    return Figure.objects.create(
        aircraft=plane, quantity=quantity, kind=kind, value=value, unit=unit, condition=condition, source=source(plane)
    )


def complete_fixed_wing(designation="TX-1", *, figures=DEFAULT_FIGURES, **fields) -> Aircraft:
    """A fixed-wing record with every expected figure, date and powerplant, each citing its source."""
    values = {
        "first_flight_year": 1997,
        "first_flight_date": datetime.date(1997, 9, 7),
        "entered_service_year": 2005,
        "engine_count": 2,
        "engine_model": "F119-PW-100",
        "engine_type": Aircraft.Engine.TURBOFAN,
    }
    plane = make_aircraft(designation, figures=figures, **{**values, **fields})
    plane.powerplant_source = source(plane)
    plane.save()
    return plane


def checks(findings) -> list[tuple[str, tuple[str, ...]]]:
    return [(finding.check, finding.aircraft) for finding in findings]


def run(*args) -> str:
    out = StringIO()
    call_command("audit_catalogue", *args, stdout=out)
    return out.getvalue()


# --- Pure rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.embraercommercialaviation.com/",
        "https://www.embraercommercialaviation.com",
        "https://example.com/index.html",
        "https://example.com/en/",
        "https://example.com/en-us/",
        "https://www.bellflight.com/products/",
        "https://example.com/en/products/aircraft",
        "https://www.saab.com/about/history",
        "https://www.bellflight.com/company/history",
        "https://ingeniumcanada.org/aviation",
        "https://www.easa.europa.eu/en/document-library/type-certificates",
        "https://easa.europa.eu/en/document-library/type-certificates/",
        "https://www.boeing.com/commercial/airports/plan_manuals.page",
        "https://aircraft.airbus.com/en/customer-care/fleet-wide-care/"
        "airport-operations-and-aircraft-characteristics/aircraft-characteristics",
        "https://www.nationalmuseum.af.mil/Visit/Museum-Exhibits/Fact-Sheets/",
    ],
)
def test_landing_and_index_pages_are_recognised(url):
    assert landing_page_reason(url) is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://www.af.mil/About-Us/Fact-Sheets/Display/Article/104506/f-22-raptor/",
        "https://example.com/fact-sheet",
        "https://www.dassault-aviation.com/en/defense/rafale/",
        "https://www.bellflight.com/products/bell-505",
        "https://www.eurofighter.com/the-aircraft",
        "https://bombardier.com/en/aircraft/global-7500",
        "https://www.airbus.com/en/products-services/helicopters/civil-helicopters/h160",
        # A document under an index page is not the index page.
        "https://www.easa.europa.eu/en/document-library/type-certificates/aircraft-cs-25-cs-22-cs-23/easatcima047-boeing-787",
        "https://www.boeing.com/content/dam/boeing/boeingdotcom/commercial/airports/acaps/787.pdf",
        # A query string selects a document.
        "https://example.com/?document=4711",
        "https://en.wikipedia.org/w/index.php?title=Lockheed_Martin_F-22_Raptor",
    ],
)
def test_pages_that_hold_figures_are_not_landing_pages(url):
    assert landing_page_reason(url) is None


def test_speed_of_sound_follows_the_standard_atmosphere():
    assert speed_of_sound_kn(0) == pytest.approx(661.5)
    assert speed_of_sound_kn(11_000) == pytest.approx(573.6, abs=0.1)
    assert speed_of_sound_kn(20_000) == speed_of_sound_kn(11_000)
    assert speed_of_sound_kn(5_000) == pytest.approx(623.1, abs=0.1)


def test_a_speed_at_an_unstated_altitude_allows_the_mach_numbers_from_sea_level_to_the_tropopause():
    band = mach_band(1303, sea_level=False)
    assert band.low == pytest.approx(1.97, abs=0.01)
    assert band.high == pytest.approx(2.27, abs=0.01)
    assert band.admits(2.0)
    assert band.admits(2.38)  # within 5% above
    assert not band.admits(2.5)
    assert not band.admits(1.8)


def test_a_stated_altitude_narrows_the_band_to_that_altitude():
    band = mach_band(1629, sea_level=False, condition="at 40,000 ft")
    assert band.low == band.high == pytest.approx(2.84, abs=0.01)
    assert not band.admits(2.5)  # the F-15C's fact sheet: 1,629 kn but Mach 2.5
    assert mach_band(1629, sea_level=False).admits(2.5)  # at an unknown altitude it could be true
    assert mach_band(500, sea_level=False, condition="at FL350").high == pytest.approx(500 / 576.6, abs=0.01)


def test_a_sea_level_speed_only_sets_a_floor_for_the_maximum_mach():
    band = mach_band(800, sea_level=True)
    assert band.high is None
    assert band.admits(2.5)  # faster higher up
    assert not band.admits(1.0)  # slower than the sea-level speed itself


# --- Contradictions ---------------------------------------------------------------------


@pytest.mark.django_db
def test_clean_complete_record_passes_every_check():
    complete_fixed_wing()
    report = catalogue_audit()
    assert report.aircraft == 1
    assert report.counts() == dict.fromkeys(audit.CATEGORIES, 0)
    fixed_wing = next(group for group in report.completeness if group.group == audit.FIXED_WING)
    assert fixed_wing.total == fixed_wing.complete == 1
    assert report.missing_by_role == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "speed, mach, condition",
    [
        (("max_speed", "at-altitude", "1303", "kn"), "2.5", ""),  # above what 1,303 kn allows anywhere
        (("max_speed", "at-altitude", "1303", "kn"), "1.7", ""),  # below it
        (("max_speed", "at-altitude", "1629", "kn"), "2.5", "at 40,000 ft"),  # exact altitude given
        (("max_speed", "at-altitude", "2414", "km/h"), "2.5", ""),  # km/h: 1,303 kn
        (("max_speed", "sea-level", "800", "kn"), "1.0", ""),  # Mach 1.21 at sea level alone
        (("max_speed", "unstated", "1303", "kn"), "2.5", ""),  # no altitude: Mach 1.97 to 2.27 at most
    ],
)
def test_speed_against_mach_beyond_what_altitude_explains_is_a_contradiction(speed, mach, condition):
    plane = complete_fixed_wing(figures=figures_with(max_speed=None, mach=None))
    add_figure(plane, *speed, condition=condition)
    add_figure(plane, "mach", "maximum", mach, "mach")
    report = catalogue_audit()
    assert checks(report.contradictions) == [("speed-vs-mach", (plane.slug,))]
    assert f"Mach {mach}" in report.contradictions[0].message


@pytest.mark.django_db
def test_a_sea_level_speed_below_a_higher_maximum_mach_is_not_a_contradiction():
    plane = complete_fixed_wing()
    add_figure(plane, "max_speed", "sea-level", "800", "kn")  # Mach 1.21 low down, Mach 1.60 up high
    assert catalogue_audit().contradictions == []


@pytest.mark.django_db
def test_cruise_speed_against_cruise_mach_is_checked():
    plane = complete_fixed_wing()
    add_figure(plane, "cruise_speed", "typical", "488", "kn", condition="at 35,000 ft")  # Mach 0.85 there
    add_figure(plane, "mach", "cruise", "0.85", "mach")
    assert catalogue_audit().contradictions == []
    Figure.objects.filter(quantity="mach", kind="cruise").update(value="0.95", metric_value="0.95")
    assert checks(catalogue_audit().contradictions) == [("cruise-vs-mach", (plane.slug,))]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["empty", "operating"])
def test_empty_weight_above_mtow_is_a_contradiction(kind):
    plane = complete_fixed_wing(figures=figures_with(empty_weight=None))
    add_figure(plane, "empty_weight", kind, "40,000", "kg")  # above 20,000 kg
    report = catalogue_audit()
    assert checks(report.contradictions) == [("empty-above-mtow", (plane.slug,))]


@pytest.mark.django_db
def test_entry_into_service_before_first_flight_is_a_contradiction():
    # The database refuses an earlier year on the row itself; the full dates can still disagree.
    plane = complete_fixed_wing(entered_service_year=1997, entered_service_date=datetime.date(1997, 3, 1))
    report = catalogue_audit()
    assert checks(report.contradictions) == [("service-before-first-flight", (plane.slug,))]
    assert "1997-03-01" in report.contradictions[0].message


@pytest.mark.django_db
def test_a_variant_entering_service_before_its_base_first_flew_is_a_contradiction():
    base = complete_fixed_wing("TX-1")
    variant = make_aircraft("TX-1B", variant_of=base, entered_service_year=1990)
    variant.entered_service_source = source(variant)
    variant.save()
    report = catalogue_audit()
    assert checks(report.contradictions) == [("service-before-first-flight", (variant.slug,))]
    assert "(inherited)" in report.contradictions[0].message


@pytest.mark.django_db
def test_retired_but_active_is_a_contradiction_and_retired_without_a_date_only_missing():
    active = complete_fixed_wing("TX-1", retired_year=2020)
    active.retired_source = source(active)
    active.save()
    complete_fixed_wing("TX-2", status=Aircraft.Status.RETIRED)
    report = catalogue_audit()
    assert checks(report.contradictions) == [("retired-but-active", (active.slug,))]
    retired = next(group for group in report.completeness if group.group == audit.RETIRED)
    assert retired.fields[0].missing == ["tx-2"]
    assert report.missing_by_role == {"fighter": {"retired": ["tx-2"]}}


@pytest.mark.django_db
def test_retirement_before_entry_into_service_is_a_contradiction():
    plane = complete_fixed_wing(status=Aircraft.Status.RETIRED, retired_year=2001)
    plane.retired_source = source(plane)
    plane.save()
    assert checks(catalogue_audit().contradictions) == [("retired-before-service", (plane.slug,))]


@pytest.mark.django_db
def test_production_ending_before_it_starts_is_a_contradiction():
    plane = complete_fixed_wing(production_first_year=2000, production_last_year=1995)
    plane.production_source = source(plane)
    plane.save()
    assert checks(catalogue_audit().contradictions) == [("production-ends-before-start", (plane.slug,))]


@pytest.mark.django_db
def test_a_figure_or_date_citing_another_aircrafts_source_is_a_contradiction():
    other = complete_fixed_wing("TX-9")
    plane = complete_fixed_wing("TX-1")
    Figure.objects.filter(aircraft=plane, quantity="length").update(source=source(other))
    Aircraft.objects.filter(pk=plane.pk).update(first_flight_source=source(other))
    report = catalogue_audit()
    assert checks(report.contradictions) == [("source-of-another-aircraft", (plane.slug,))] * 2
    messages = " ".join(finding.message for finding in report.contradictions)
    assert "figure Length" in messages and "first flight" in messages and "belongs to tx-9" in messages


@pytest.mark.django_db
def test_a_base_types_contradiction_is_reported_once_not_on_every_variant():
    base = complete_fixed_wing("TX-1", figures=figures_with(mach=("2.5", "mach")))
    variant = make_aircraft("TX-1B", variant_of=base)
    add_figure(variant, "length", "overall", "63", "ft")  # its own figures do not touch the speeds
    report = catalogue_audit()
    assert checks(report.contradictions) == [("speed-vs-mach", (base.slug,))]


@pytest.mark.django_db
def test_a_variants_own_speed_is_checked_against_the_mach_it_inherits():
    base = complete_fixed_wing("TX-1")
    variant = make_aircraft("TX-1B", variant_of=base)
    add_figure(variant, "max_speed", "at-altitude", "1400", "kn")  # Mach 2.12 to 2.44: not Mach 1.60
    report = catalogue_audit()
    assert checks(report.contradictions) == [("speed-vs-mach", (variant.slug,))]
    assert "Mach 1.60 (inherited)" in report.contradictions[0].message


# --- Landing pages, unsourced values, duplicates --------------------------------------------


@pytest.mark.django_db
def test_sources_that_are_landing_pages_are_listed_with_the_figures_that_cite_them():
    plane = complete_fixed_wing(source_url="https://www.boeing.com/commercial/airports/plan_manuals.page")
    complete_fixed_wing("TX-2")
    report = catalogue_audit()
    assert checks(report.landing_pages) == [("landing-page", (plane.slug,))]
    assert "'main'" in report.landing_pages[0].message
    assert f"{len(DEFAULT_FIGURES)} figure(s) cite it" in report.landing_pages[0].message


@pytest.mark.django_db
def test_dates_production_and_powerplant_without_a_source_are_unsourced():
    plane = complete_fixed_wing(retired_year=2020, status=Aircraft.Status.RETIRED, number_built=195)
    Aircraft.objects.filter(pk=plane.pk).update(
        first_flight_source=None, powerplant_source=None, wing_planform="delta", configuration_source=None
    )
    report = catalogue_audit()
    assert sorted(checks(report.unsourced)) == [
        ("unsourced-configuration", (plane.slug,)),
        ("unsourced-date", (plane.slug,)),
        ("unsourced-date", (plane.slug,)),
        ("unsourced-powerplant", (plane.slug,)),
        ("unsourced-production", (plane.slug,)),
    ]
    text = " ".join(finding.message for finding in report.unsourced)
    assert "first flight (1997)" in text and "retirement (2020)" in text and "number built 195" in text
    assert "entry into service" not in text  # that one has its source


@pytest.mark.django_db
def test_same_designation_key_across_manufacturers_is_a_duplicate():
    first = make_aircraft("F-16", manufacturer=ManufacturerFactory(name="General Dynamics"), slug="f-16-gd")
    second = make_aircraft("F16", manufacturer=ManufacturerFactory(name="Lockheed Martin"), slug="f16-lm")
    hawk = make_aircraft("Hawk", manufacturer=ManufacturerFactory(name="BAE Systems"), slug="hawk-bae")
    other_hawk = make_aircraft("HAWK", manufacturer=ManufacturerFactory(name="Hawker"), slug="hawk-hawker")
    make_aircraft("F-15", slug="f-15")
    report = catalogue_audit()
    assert checks(report.duplicates) == [
        ("duplicate-designation", (first.slug, second.slug)),
        ("duplicate-designation", (hawk.slug, other_hawk.slug)),  # once, not again as a name
    ]
    assert "General Dynamics F-16; Lockheed Martin F16" in report.duplicates[0].message


@pytest.mark.django_db
def test_same_display_name_is_a_duplicate():
    # "Tiger" named "Tiger Moth" and "Moth" named "Tiger Moth" both read "Tiger Moth".
    make_aircraft("Tiger", name="Tiger Moth", slug="tiger")
    make_aircraft("Moth", name="Tiger Moth", slug="moth")
    make_aircraft("DH.60", name="Moth", slug="dh-60")  # "DH.60 Moth": a different name
    report = catalogue_audit()
    assert checks(report.duplicates) == [("duplicate-name", ("moth", "tiger"))]
    assert "'tiger moth'" in report.duplicates[0].message


# --- Completeness ----------------------------------------------------------------------


@pytest.mark.django_db
def test_missing_figures_are_counted_per_field_and_per_role():
    complete_fixed_wing("TX-1")
    heli = make_aircraft("H-1", role=Aircraft.Role.HELICOPTER, engine_count=2, engine_model="T700")
    for quantity, kind, value, unit in (
        ("rotor_diameter", "main", "16.36", "m"),
        ("length", "rotors-turning", "19.76", "m"),
        ("max_takeoff_weight", "overall", "9,980", "kg"),
        ("max_speed", "at-altitude", "159", "kn"),
        ("crew", "overall", "4", "count"),
    ):
        add_figure(heli, quantity, kind, value, unit)
    make_aircraft("A-300", role=Aircraft.Role.AIRLINER, status=Aircraft.Status.IN_DEVELOPMENT)
    report = catalogue_audit()
    assert report.missing_by_role["helicopter"] == {"range": ["h-1"], "service_ceiling": ["h-1"]}
    airliner = report.missing_by_role["airliner"]
    assert "entered_service" not in airliner  # in development says why
    assert airliner["passengers"] == ["a-300"] and airliner["length"] == ["a-300"]
    assert "fighter" not in report.missing_by_role
    groups = {group.group: group for group in report.completeness}
    assert groups[audit.ROTORCRAFT].total == 1 and groups[audit.ROTORCRAFT].complete == 0
    assert groups[audit.FIXED_WING].total == 2 and groups[audit.FIXED_WING].complete == 1
    length = next(c for c in groups[audit.FIXED_WING].fields if c.field == "length")
    assert (length.filled, length.total, length.share, length.meets_target) == (1, 2, 0.5, False)
    assert groups[audit.EVERY].total == 3
    assert "wingspan" not in {c.field for c in groups[audit.ROTORCRAFT].fields}  # rotor diameter instead


@pytest.mark.django_db
def test_a_variant_is_complete_with_the_figures_and_dates_it_inherits():
    base = complete_fixed_wing("TX-1")
    make_aircraft("TX-1B", variant_of=base)
    report = catalogue_audit()
    fixed_wing = next(group for group in report.completeness if group.group == audit.FIXED_WING)
    assert fixed_wing.total == fixed_wing.complete == 2


@pytest.mark.django_db
def test_the_audit_reads_the_catalogue_in_three_queries(django_assert_num_queries):
    base = complete_fixed_wing("TX-1")
    middle = make_aircraft("TX-1B", variant_of=base)
    make_aircraft("TX-1C", variant_of=middle)
    complete_fixed_wing("TX-2")
    with django_assert_num_queries(3):
        report = catalogue_audit()
    assert report.aircraft == 4


# --- The command ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_prints_sections_and_counts():
    complete_fixed_wing("TX-1", source_url="https://www.saab.com/about/history")
    plane = complete_fixed_wing("TX-2")
    Figure.objects.filter(aircraft=plane, quantity="mach").update(value="3.0", metric_value="3.0")
    output = run()
    for heading in (
        "Catalogue audit: 2 aircraft",
        "Completeness",
        "Missing figures by role",
        "Contradictions: 1",
        "Sources that are landing pages: 1",
        "Values without a source: 0",
        "Duplicate designations and names: 0",
    ):
        assert heading in output
    assert "[speed-vs-mach] tx-2" in output
    assert "Summary: contradictions 1, landing-pages 1, unsourced 0, duplicates 0" in output


@pytest.mark.django_db
def test_command_json_is_machine_readable():
    complete_fixed_wing("TX-1", source_url="https://www.saab.com/")
    data = json.loads(run("--format", "json"))
    assert data["aircraft"] == 1
    assert data["counts"]["landing-pages"] == 1
    assert data["landing_pages"][0]["aircraft"] == ["tx-1"]
    assert data["landing_pages"][0]["check"] == "landing-page"
    fixed_wing = next(group for group in data["completeness"] if group["group"] == "fixed-wing")
    assert fixed_wing["complete"] == 1
    assert all(entry["share"] == 1.0 for entry in fixed_wing["fields"])


@pytest.mark.django_db
def test_fail_on_contradictions_exits_non_zero_and_lists_them():
    plane = complete_fixed_wing()
    Figure.objects.filter(aircraft=plane, quantity="empty_weight").update(value="40,000", metric_value="40000")
    with pytest.raises(CommandError) as failure:
        run("--fail-on", "contradictions")
    assert "catalogue audit failed on contradictions" in str(failure.value)
    assert "tx-1: Empty weight" in str(failure.value)


@pytest.mark.django_db
def test_fail_on_takes_several_categories_and_names_only_those_that_failed():
    plane = complete_fixed_wing(source_url="https://example.com/en/")
    Aircraft.objects.filter(pk=plane.pk).update(powerplant_source=None)
    with pytest.raises(CommandError) as failure:
        run("--fail-on", "contradictions,landing-pages,unsourced,duplicates")
    message = str(failure.value)
    assert "failed on landing-pages, unsourced:" in message
    assert "contradictions" not in message and "duplicates:" not in message
    assert (
        run("--fail-on", "contradictions,duplicates")
        .strip()
        .endswith("Audit passed: no contradictions, no duplicates.")
    )


@pytest.mark.django_db
def test_fail_on_completeness_fails_fields_below_nine_in_ten():
    complete_fixed_wing("TX-1")
    run("--fail-on", "completeness")
    make_aircraft("TX-2")
    with pytest.raises(CommandError, match="fixed-wing: length 50%"):
        run("--fail-on", "completeness")


@pytest.mark.django_db
def test_fail_on_an_unknown_category_says_which_are_known():
    with pytest.raises(CommandError, match=r"contradiction is not a category.*contradictions, landing-pages"):
        run("--fail-on", "contradiction")


@pytest.mark.django_db
def test_real_fixture_has_no_contradictions():
    call_command("load_aircraft", str(settings.CATALOGUE_FIXTURE), stdout=StringIO())
    output = run("--fail-on", "contradictions")
    assert "Contradictions: 0" in output
    assert "Audit passed: no contradictions." in output
    fixture = json.loads(settings.CATALOGUE_FIXTURE.read_text())
    assert f"Catalogue audit: {len(fixture['aircraft'])} aircraft" in output


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("placement", "count", "fits"),
    [
        ("wing-and-tail", 3, True),
        ("wing-and-tail", 2, False),
        ("wing-and-nose", 4, False),
        ("wing-and-nose", 5, True),
        ("underwing", 2, True),
    ],
)
def test_an_engine_count_the_layout_cannot_split_is_a_contradiction(placement, count, fits):
    plane = complete_fixed_wing(engine_count=count, engine_placement=placement)
    found = checks(catalogue_audit().contradictions)
    assert found == ([] if fits else [("engines-vs-layout", (plane.slug,))])


@pytest.mark.django_db
def test_a_variant_is_held_to_its_base_types_engine_layout():
    base = complete_fixed_wing("TX-1", engine_count=3, engine_placement="wing-and-tail")
    variant = make_aircraft("TX-1B", variant_of=base, engine_count=2)  # its own count, the base's layout
    report = catalogue_audit()
    assert checks(report.contradictions) == [("engines-vs-layout", (variant.slug,))]
    assert "2 engine(s) cannot be under the wing and in the tail" in report.contradictions[0].message
