import pytest
from django.contrib.auth.models import User

from aircraft.models import Aircraft
from tests.admin_pages import page_data
from tests.factories import AircraftFactory

pytestmark = pytest.mark.django_db


def change_url(plane) -> str:
    return f"/admin/aircraft/aircraft/{plane.pk}/change/"


def figure_rows(data: dict) -> list[str]:
    return sorted(key.split("-")[1] for key in data if key.startswith("figures-") and key.endswith("-quantity"))


def test_editor_can_change_an_aircraft(client, editor):
    plane = AircraftFactory()
    data = page_data(client, change_url(plane), name="Renamed")
    range_row = next(k for k in data if k.endswith("-quantity") and data[k] == "range").rsplit("-", 1)[0]
    data[f"{range_row}-value"] = "4,321"
    response = client.post(change_url(plane), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    plane.refresh_from_db()
    assert plane.name == "Renamed"
    assert plane.figures.get(quantity="range").value == "4,321"
    assert plane.rank_range_km == 4321  # the sort column follows the edit


def test_editor_adds_a_figure_in_pounds(client, editor):
    plane = AircraftFactory(figures={})
    source = plane.sources.get()
    data = page_data(client, change_url(plane))
    data.update(
        {
            "figures-TOTAL_FORMS": "1",
            "figures-0-quantity": "max_takeoff_weight",
            "figures-0-kind": "overall",
            "figures-0-value": "83,500",
            "figures-0-unit": "lb",
            "figures-0-source": source.pk,
        }
    )
    assert client.post(change_url(plane), data).status_code == 302
    figure = plane.figures.get()
    assert (figure.value, figure.unit) == ("83,500", "lb")
    assert figure.display() == {"metric": "37,900 kg", "imperial": "83,500 lb"}


def test_validation_error_shows_beside_the_field(client, editor):
    plane = AircraftFactory()
    data = page_data(client, change_url(plane), entered_service_year=1950, first_flight_year=1960)
    length_row = next(k for k in data if k.endswith("-quantity") and data[k] == "length").rsplit("-", 1)[0]
    data[f"{length_row}-unit"] = "kg"
    response = client.post(change_url(plane), data)
    assert response.status_code == 200
    assert "entered_service_year" in response.context["adminform"].form.errors
    figure_errors = [form.errors for inline in response.context["inline_admin_formsets"] for form in inline.formset]
    assert any("cannot be given in 'kg'" in " ".join(errors.get("value", [])) for errors in figure_errors)


def test_figure_sources_are_only_the_aircrafts_own(client, editor):
    plane, other = AircraftFactory(), AircraftFactory()
    response = client.get(change_url(plane))
    figures = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == "figures")
    choices = list(figures.forms[0].fields["source"].queryset)
    assert choices == list(plane.sources.all())
    assert other.sources.get() not in choices


def test_change_page_shows_sources_figures_variants_photos_and_kinds(client, editor):
    base = AircraftFactory()
    AircraftFactory(variant_of=base, designation="X-VAR")
    body = client.get(change_url(base)).content.decode()
    assert "typical, maximum, ferry, combat-radius" in body  # what each kind means, beside the figures
    prefixes = [i.formset.prefix for i in client.get(change_url(base)).context["inline_admin_formsets"]]
    assert prefixes == ["sources", "figures", "variants", "photos"]
    assert "X-VAR" in body


def test_figure_kind_select_offers_each_kind_once(client, editor):
    formsets = client.get(change_url(AircraftFactory())).context["inline_admin_formsets"]
    figures = next(i.formset for i in formsets if i.formset.prefix == "figures")
    codes = [code for code, _ in figures.empty_form.fields["kind"].choices if code]
    assert codes.count("overall") == 1
    assert len(codes) == len(set(codes))


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
    AircraftFactory(designation="F-22A", name="Raptor", entered_service_year=2005)
    AircraftFactory(designation="B-52H", name="Stratofortress", entered_service_year=1961)
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


def test_editors_see_the_searches_that_found_nothing_most_frequent_first(client, editor):
    from aircraft.models import SearchTotal

    SearchTotal.objects.create(query="sukhoi", searches=3, last_result_count=0)
    SearchTotal.objects.create(query="flanker", searches=9, last_result_count=0)
    SearchTotal.objects.create(query="raptor", searches=50, last_result_count=1)
    response = client.get("/admin/aircraft/unansweredsearch/")
    assert response.status_code == 200
    assert [row.query for row in response.context["cl"].result_list] == ["flanker", "sukhoi"]
    assert client.get("/admin/aircraft/unansweredsearch/add/").status_code == 403


def test_editor_hides_a_query_from_popular_searches(client, editor, django_capture_on_commit_callbacks):
    from django.test import Client

    from aircraft.models import SearchTotal

    visitor = Client()
    plane = AircraftFactory()
    total = SearchTotal.objects.create(query="rude words", searches=80, last_result_count=1, top_aircraft=plane)
    assert [p.pk for p in visitor.get("/").context["popular_searches"]] == [plane.pk]  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/aircraft/searchtotal/", {"action": "hide", "_selected_action": [total.pk]}, follow=True
        )
    assert response.status_code == 200
    total.refresh_from_db()
    assert total.hidden
    page = visitor.get("/")
    assert page.context is not None, "served the stale cached page"
    assert page.context["popular_searches"] == []


def test_editor_records_the_newer_layouts_and_the_api_and_drawing_show_them(client, editor):
    plane = AircraftFactory(engine_count=3)
    form = client.get(change_url(plane)).context["adminform"].form
    offered = {name: {value for value, _ in form.fields[name].choices} for name in ("wing_planform", "tail_layout")}
    offered["engine_placement"] = {value for value, _ in form.fields["engine_placement"].choices}
    assert {"triplane"} <= offered["wing_planform"]
    assert {"triple-fin", "canard-tailplane"} <= offered["tail_layout"]
    assert {"wing-and-tail", "wing-and-nose"} <= offered["engine_placement"]
    data = page_data(
        client,
        change_url(plane),
        wing_planform="triplane",
        engine_placement="wing-and-nose",
        tail_layout="canard-tailplane",
        rotor_layout="none",
        configuration_source=str(plane.sources.get().pk),
    )
    response = client.post(change_url(plane), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    layout = client.get(f"/api/aircraft/{plane.slug}/").json()["layout"]
    assert (layout["wing_planform"], layout["engine_placement"], layout["tail_layout"]) == (
        "triplane",
        "wing-and-nose",
        "canard-tailplane",
    )
    drawing = client.get(f"/aircraft/{plane.slug}/drawing.svg").content.decode()
    assert "Triplane; 3 engines: 2 on the wing, 1 in the nose; canard foreplane and tailplane" in drawing
