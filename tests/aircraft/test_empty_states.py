"""Honest empty states: "Not published" only where a source says so, "Not in the catalogue
yet" elsewhere, and for staff who may edit, a way into the admin that no cache ever shares."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from aircraft.models import Aircraft
from tests.factories import DEFAULT_FIGURES, AircraftFactory, catalogue_document

pytestmark = pytest.mark.django_db

WITHOUT_CEILING = {key: value for key, value in DEFAULT_FIGURES.items() if key[0] != "service_ceiling"}
ADD_IT = "in the admin</a>"


def row(page: str, label: str) -> str:
    """The specification table's row for label, as HTML."""
    return page.split(f'<th scope="row">{label}</th>', 1)[1].split("</tr>", 1)[0]


def test_a_figure_a_source_says_is_not_published_says_so():
    plane = AircraftFactory(figures=WITHOUT_CEILING, unpublished=["service_ceiling"])
    page = Client().get(plane.get_absolute_url()).content.decode()
    assert "Not published" in row(page, "Service ceiling")
    assert "Not in the catalogue yet" not in row(page, "Service ceiling")
    data = Client().get(f"/api/aircraft/{plane.slug}/").json()
    assert data["not_published"] == ["service_ceiling:overall"]
    assert "service_ceiling:overall" not in data["missing"]


def test_a_figure_the_catalogue_lacks_is_not_in_the_catalogue_yet():
    plane = AircraftFactory(figures=WITHOUT_CEILING)
    page = Client().get(plane.get_absolute_url()).content.decode()
    assert "Not in the catalogue yet" in row(page, "Service ceiling")
    assert "Not published" not in page
    assert Client().get(f"/api/aircraft/{plane.slug}/").json()["missing"] == ["service_ceiling:overall"]


def test_a_variant_inherits_what_its_base_says_is_not_published():
    base = AircraftFactory(figures=WITHOUT_CEILING, unpublished=["service_ceiling"])
    variant = AircraftFactory(figures={}, variant_of=base, manufacturer=base.manufacturer)
    page = Client().get(variant.get_absolute_url()).content.decode()
    assert "Not published" in row(page, "Service ceiling")


def test_unpublished_figures_travel_through_the_fixture(tmp_path):
    document = catalogue_document(aircraft_count=2)
    document["aircraft"][0]["unpublished"] = ["service_ceiling"]
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document))
    call_command("load_aircraft", str(path), stdout=StringIO())
    assert Aircraft.objects.get(slug=document["aircraft"][0]["slug"]).unpublished == ["service_ceiling"]
    exported = tmp_path / "export.json"
    call_command("export_aircraft", str(exported), stdout=StringIO())
    assert json.loads(exported.read_text())["aircraft"][0]["unpublished"] == ["service_ceiling"]
    out = StringIO()
    call_command("load_aircraft", str(exported), stdout=out)
    assert "Nothing to do" in out.getvalue()


@pytest.fixture
def staff(client, editor):
    """A client signed in as a catalogue editor."""
    return client


def test_staff_who_may_edit_get_a_way_in_and_their_page_is_never_shared(staff):
    plane = AircraftFactory(figures=WITHOUT_CEILING)
    visitor = Client()
    before = visitor.get(plane.get_absolute_url())  # cached for visitors
    staff_page = staff.get(plane.get_absolute_url())
    html = staff_page.content.decode()
    change = f"/admin/aircraft/aircraft/{plane.pk}/change/"
    assert f'href="{change}#figures-group"' in row(html, "Service ceiling")
    assert f'href="{change}">Edit this aircraft in the admin' in html
    assert "private" in staff_page["Cache-Control"] and "public" not in staff_page["Cache-Control"]
    after = visitor.get(plane.get_absolute_url())
    assert ADD_IT not in after.content.decode() and "/admin/" not in after.content.decode()
    assert after.content == before.content


def test_staff_served_first_never_fill_the_cache_with_their_page(staff):
    plane = AircraftFactory(figures=WITHOUT_CEILING)
    assert ADD_IT in staff.get(plane.get_absolute_url()).content.decode()
    assert "/admin/" not in Client().get(plane.get_absolute_url()).content.decode()


def test_staff_without_the_right_to_edit_get_no_link():
    plane = AircraftFactory(figures=WITHOUT_CEILING)
    viewer = Client()
    viewer.force_login(User.objects.create_user("viewer", password="pw-viewer-123", is_staff=True))
    assert ADD_IT not in viewer.get(plane.get_absolute_url()).content.decode()


def test_a_layout_says_whether_a_source_for_it_is_recorded(django_capture_on_commit_callbacks):
    layout = {"wing_planform": "swept", "engine_placement": "underwing", "tail_layout": "conventional"}
    plane = AircraftFactory(rotor_layout="none", **layout)
    page = Client().get(plane.get_absolute_url()).content.decode()
    assert "Swept wing" in row(page, "Layout") and "(source not recorded yet)" in row(page, "Layout")

    plane.configuration_source = plane.sources.first()
    with django_capture_on_commit_callbacks(execute=True):  # the saved change makes cached pages stale
        plane.save()
    page = Client().get(plane.get_absolute_url()).content.decode()
    assert 'class="source-marker"' in row(page, "Layout") and "not recorded" not in row(page, "Layout")
