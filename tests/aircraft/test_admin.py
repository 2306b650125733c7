import pytest
from django.contrib.auth.models import Group, User

from aircraft.models import SPEC_FIELDS, Aircraft
from tests.factories import AircraftFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="pw-editor-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Catalogue editors"))
    client.force_login(user)
    return user


def form_data(plane, **changes):
    data = {
        field: getattr(plane, field)
        for field in (
            "designation",
            "name",
            "slug",
            "role",
            "status",
            "introduced",
            "description",
            *SPEC_FIELDS,
            "source_name",
            "source_url",
            "source_kind",
            "source_verified",
            "image_alt",
        )
    }
    data["manufacturer"] = plane.manufacturer_id
    data.update(changes)
    return {key: "" if value is None else value for key, value in data.items()}


def test_editor_can_change_an_aircraft(client, editor):
    plane = AircraftFactory()
    response = client.post(f"/admin/aircraft/aircraft/{plane.pk}/change/", form_data(plane, range_km=4321))
    assert response.status_code == 302
    plane.refresh_from_db()
    assert plane.range_km == 4321


def test_validation_error_shows_beside_the_field(client, editor):
    plane = AircraftFactory()
    response = client.post(
        f"/admin/aircraft/aircraft/{plane.pk}/change/",
        form_data(plane, empty_weight_kg=99999, max_takeoff_weight_kg=100, length_m=-3),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "empty_weight_kg" in errors
    assert "length_m" in errors


def test_editor_cannot_manage_users_or_delete(client, editor):
    plane = AircraftFactory()
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get(f"/admin/aircraft/aircraft/{plane.pk}/delete/").status_code == 403


@pytest.mark.parametrize("who", ["anonymous", "visitor"])
def test_only_staff_reach_the_admin(client, who):
    if who == "visitor":
        client.force_login(User.objects.create_user("visitor", password="pw-visitor-123"))
    response = client.get("/admin/aircraft/aircraft/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_retire_action(client, editor):
    planes = AircraftFactory.create_batch(2)
    response = client.post(
        "/admin/aircraft/aircraft/",
        {"action": "mark_retired", "_selected_action": [p.pk for p in planes]},
    )
    assert response.status_code == 302
    assert set(Aircraft.objects.values_list("status", flat=True)) == {"retired"}


def test_list_search_and_filters_work(client, editor):
    AircraftFactory(designation="F-22A", name="Raptor", introduced=2005)
    AircraftFactory(designation="B-52H", name="Stratofortress", introduced=1961)
    response = client.get("/admin/aircraft/aircraft/?q=raptor")
    assert [a.designation for a in response.context["cl"].result_list] == ["F-22A"]
    response = client.get("/admin/aircraft/aircraft/?decade=1960")
    assert [a.designation for a in response.context["cl"].result_list] == ["B-52H"]


def test_manufacturer_autocomplete(client, editor):
    plane = AircraftFactory()
    response = client.get(
        "/admin/autocomplete/",
        {
            "term": plane.manufacturer.name[:4],
            "app_label": "aircraft",
            "model_name": "aircraft",
            "field_name": "manufacturer",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["text"] == plane.manufacturer.name
