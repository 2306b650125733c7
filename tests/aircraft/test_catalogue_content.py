"""What the shipped catalogue (fixtures/aircraft.json) holds, so it cannot quietly shrink or thin out.

Issue 10 asks for 300+ aircraft from 30+ manufacturers, every figure read in a source the record names, and nine
in ten of the expected figures filled. The completeness floors below are the shares the 2026.11.9 catalogue
reached, rounded down to the nearest 5%; most are below the target of 90% (README, "Catalogue data"). Raise a
floor when the catalogue fills a field; never lower one without saying why in the README.
"""

import json

import pytest
from django.conf import settings

from aircraft import audit
from aircraft.models import Aircraft, Manufacturer
from aircraft.selectors import aircraft_search

# Every slug of catalogue 2026.11.1: the prototype's URLs and the site's links depend on them.
SLUGS_OF_2026_11_1 = (
    "p-38l-lightning",
    "sr-71a-blackbird",
    "u-2s-dragon-lady",
    "f-22a-raptor",
    "f-35a-lightning-ii",
    "f-35b-lightning-ii",
    "f-35c-lightning-ii",
    "f-117a-nighthawk",
    "c-130j-super-hercules",
    "c-5m-super-galaxy",
    "f-16c-fighting-falcon",
    "p-3c-orion",
    "b-17g-flying-fortress",
    "b-29-superfortress",
    "b-52h-stratofortress",
    "f-15c-eagle",
    "f-15e-strike-eagle",
    "fa-18e-super-hornet",
    "ch-47f-chinook",
    "c-17a-globemaster-iii",
    "kc-46a-pegasus",
    "p-8a-poseidon",
    "ah-64e-apache-guardian",
    "737-800",
    "747-400",
    "747-8i",
    "777-300er",
    "787-9-dreamliner",
    "307-stratoliner",
    "kc-135r-stratotanker",
    "b-2a-spirit",
    "b-21-raider",
    "e-2d-advanced-hawkeye",
    "f-5e-tiger-ii",
    "yf-23-black-widow-ii",
    "rq-4-global-hawk",
    "mq-8c-fire-scout",
    "x-47b-ucas-d",
    "f-14a-tomcat",
    "mq-4c-triton",
    "t-38c-talon",
    "ea-6b-prowler",
    "f6f-5-hellcat",
    "a220-300",
    "a320neo",
    "a321neo",
    "a330-300",
    "a330-900",
    "a350-900",
    "a350-1000",
    "a380-800",
    "a400m-atlas",
    "a330-mrtt",
    "e175",
    "e190-e2",
    "e195-e2",
    "c-390-millennium",
    "emb-314-super-tucano",
    "phenom-300e",
    "praetor-600",
    "erj-145",
    "rafale-c",
    "rafale-m",
    "mirage-2000-5",
    "falcon-7x",
    "falcon-8x",
    "falcon-6x",
    "falcon-900lx",
    "jas-39c-gripen",
    "jas-39e-gripen",
    "globaleye",
    "340b",
    "aj-37-viggen",
    "j-35-draken",
    "global-7500",
    "global-6500",
    "challenger-350",
    "challenger-650",
    "crj900",
    "uh-60m-black-hawk",
    "ch-53k-king-stallion",
    "mh-60r-seahawk",
    "s-92",
    "ch-53e-super-stallion",
    "uh-1h-iroquois",
    "ah-1z-viper",
    "uh-1y-venom",
    "407gxi",
    "505-jet-ranger-x",
    "mv-22b-osprey",
    "x-1",
    "mq-1b-predator",
    "mq-9a-reaper",
    "mq-1c-gray-eagle",
    "mq-9b-skyguardian",
    "dhc-2-beaver",
    "dhc-3-otter",
    "dhc-4-caribou",
    "dhc-6-400-twin-otter",
    "dhc-8-400",
    "atr-42-600",
    "atr-72-600",
    "typhoon-fgr4",
    "typhoon-t3",
    "g650er",
    "g700",
    "g280",
    "g550",
    "pc-12-ngx",
    "pc-21",
    "pc-24-super-versatile-jet",
    "pc-6-porter",
    "h125-ecureuil",
    "h135",
    "h145",
    "h160",
    "h225-super-puma",
    "aw139",
    "aw101-merlin",
    "aw169",
    "m-346-master",
    "c-27j-spartan",
)

# (audit group, field) -> lowest share allowed, in percent. Target for all: 90.
COMPLETENESS_FLOORS = {
    ("fixed-wing", "length"): 95,
    ("fixed-wing", "wingspan"): 90,
    ("fixed-wing", "height"): 90,
    ("fixed-wing", "max_takeoff_weight"): 90,
    ("fixed-wing", "max_speed"): 90,  # maximum speed or Mach
    ("fixed-wing", "range"): 65,
    ("fixed-wing", "service_ceiling"): 90,
    ("fixed-wing", "first_flight"): 95,
    ("fixed-wing", "entered_service"): 90,  # or a status saying why not
    ("rotorcraft", "rotor_diameter"): 85,
    ("rotorcraft", "length"): 75,
    ("rotorcraft", "max_takeoff_weight"): 90,
    ("rotorcraft", "max_speed"): 95,
    ("rotorcraft", "range"): 70,
    ("rotorcraft", "service_ceiling"): 85,
    ("all", "engine_count"): 95,
    ("all", "engine_model"): 95,
    ("all", "crew"): 90,
    ("airliners", "passengers"): 95,
    ("retired", "retired"): 20,
}
# Aircraft whose layout was recorded before a layout needed a source (2026.11.1); may only fall.
LEGACY_UNSOURCED_LAYOUTS = 76


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return json.loads(settings.CATALOGUE_FIXTURE.read_text(encoding="utf-8"))


def test_at_least_300_aircraft_from_at_least_30_manufacturers(catalogue):
    makers = {record["manufacturer"] for record in catalogue["aircraft"]}
    assert len(catalogue["aircraft"]) >= 300
    assert len(makers) >= 30
    assert makers <= {maker["name"] for maker in catalogue["manufacturers"]}


def test_every_slug_of_the_previous_catalogue_survives(catalogue):
    assert len(SLUGS_OF_2026_11_1) == 122
    slugs = {record["slug"] for record in catalogue["aircraft"]}
    assert [slug for slug in SLUGS_OF_2026_11_1 if slug not in slugs] == []


def test_every_value_cites_a_source_of_its_own_record(catalogue):
    uncited = []
    for record in catalogue["aircraft"]:
        own = {source["id"] for source in record["sources"]}
        cited = [("figure " + figure["quantity"], figure.get("source")) for figure in record.get("figures", [])]
        cited += [(f"date {name}", event.get("source")) for name, event in (record.get("dates") or {}).items() if event]
        cited += [(name, record[name].get("source")) for name in ("production", "powerplant") if record.get(name)]
        cited += (
            [("configuration", record["configuration"]["source"])]
            if "source" in record.get("configuration", {})
            else []
        )
        uncited += [f"{record['slug']}: {what} cites {key!r}" for what, key in cited if key not in own]
    assert uncited == []
    figures = sum(len(record.get("figures", [])) for record in catalogue["aircraft"])
    assert figures > 1500


def test_every_source_names_a_page_and_when_it_was_checked(catalogue):
    sources = [source for record in catalogue["aircraft"] for source in record["sources"]]
    sources += [source for maker in catalogue["manufacturers"] for source in maker.get("sources", [])]
    assert [s for s in sources if not s["url"].startswith(("https://", "http://")) or not s["checked"]] == []


def test_a_founding_year_or_successor_comes_with_its_source(catalogue):
    claims = [maker for maker in catalogue["manufacturers"] if maker.get("founded") or maker.get("successor")]
    assert len(claims) >= 15
    assert [maker["name"] for maker in claims if not maker.get("sources")] == []


@pytest.mark.django_db
def test_the_loaded_catalogue_is_consistent_and_no_less_complete_than_it_was(shipped_catalogue):
    assert Aircraft.objects.count() >= 300
    assert Manufacturer.objects.filter(aircraft__isnull=False).distinct().count() >= 30
    report = audit.catalogue_audit()
    assert (report.contradictions, report.landing_pages) == ([], [])
    # Layouts recorded for the 2026.11.1 aircraft before a layout needed a source; every later one names its
    # source, and this number may only fall.
    legacy_layouts = [f for f in report.unsourced if f.check == "unsourced-configuration"]
    assert len(legacy_layouts) <= LEGACY_UNSOURCED_LAYOUTS
    assert [f for f in report.unsourced if f not in legacy_layouts] == []
    shares = {(group.group, c.field): c.share for group in report.completeness for c in group.fields}
    assert set(shares) == set(COMPLETENESS_FLOORS), "a field the audit counts has no floor here, or the reverse"
    fallen = {
        key: f"{shares[key]:.1%} < {floor}%" for key, floor in COMPLETENESS_FLOORS.items() if shares[key] * 100 < floor
    }
    assert fallen == {}


# What aircraft_search finds today. Not listed because it does not work yet: an alias in Cyrillic or Chinese
# followed by a number (the Su-27's and J-20's native names): PostgreSQL's parser indexes its "-27" as a signed
# number, which the query's "27" misses (Latin designations are found through designation_key instead).
NAMES_PEOPLE_SEARCH_BY = {
    "Flanker": "su-27",  # NATO reporting name
    "MiG-29": "mig-29",
    "Fulcrum": "mig-29",
    "Concorde": "concorde",
    "Warthog": "a-10-thunderbolt-ii",  # nickname
    "Zeke": "a6m2-zero",  # Allied reporting name
    "DC-3": "dc-3",
    "Spitfire": "spitfire-mk-i",
    "Mighty Dragon": "j-20",  # English rendering of the Chinese name
    "Concordski": "tu-144",
}


@pytest.mark.django_db
def test_names_people_search_by_find_their_aircraft(shipped_catalogue):
    missed = {}
    for query, slug in NAMES_PEOPLE_SEARCH_BY.items():
        found = list(aircraft_search(query).results.values_list("slug", flat=True)[:10])
        if slug not in found:
            missed[query] = found
    assert missed == {}


@pytest.mark.django_db
def test_fastest_compares_like_with_like_on_the_real_catalogue(client, shipped_catalogue):
    """Issue 9: the SR-71A ranked 114th of 122 when "fastest" sorted on knots alone.
    On the one comparable measure it follows only the rocket-powered X-15."""
    page = client.get("/aircraft/?sort=fastest").context["page"]
    assert [plane.slug for plane in page][:2] == ["x-15", "sr-71a-blackbird"]
    # A ferry range never ranks: "longest range" orders typical ranges only.
    ranked = Aircraft.objects.filter(rank_range_km__isnull=False)
    assert not ranked.exclude(figures__quantity="range", figures__kind="typical").exclude(variant_of__isnull=False)
