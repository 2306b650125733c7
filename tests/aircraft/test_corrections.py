"""Corrections from visitors: the form, its rate limit, and the editors' review queue."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from aircraft.models import AircraftSource, Correction, SourceKind
from aircraft.services import correction_accept, correction_decline, correction_submit
from events import topics
from events.models import OutboxEvent
from tests.factories import AircraftFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "figure": "service_ceiling:overall",
    "value": "65,000",
    "unit": "ft",
    "source_url": "https://www.example.org/fact-sheet/ceiling",
    "note": "The fact sheet was updated in 2025.",
}


def corrections_url(plane) -> str:
    return f"/aircraft/{plane.slug}/corrections/"


def test_a_visitor_sends_a_correction_from_the_cached_aircraft_page():
    plane = AircraftFactory()
    visitor = Client(enforce_csrf_checks=True)  # the cached page carries no CSRF token, and needs none
    page = visitor.get(plane.get_absolute_url()).content.decode()
    assert f'action="{corrections_url(plane)}"' in page
    assert "csrfmiddlewaretoken" not in page

    response = visitor.post(corrections_url(plane), GOOD)
    assert response.status_code == 303
    assert response["Location"] == f"{corrections_url(plane)}?sent=1"
    correction = Correction.objects.get()
    assert (correction.aircraft, correction.quantity, correction.kind) == (plane, "service_ceiling", "overall")
    assert (correction.value, correction.unit, correction.status) == ("65,000", "ft", Correction.Status.PENDING)
    assert correction.source_url == GOOD["source_url"] and correction.note == GOOD["note"]
    thanks = visitor.get(response["Location"])
    assert "waiting for review" in thanks.content.decode()
    assert thanks["Cache-Control"] == "no-store"


def test_nothing_about_the_visitor_is_kept_beyond_what_they_typed():
    typed = {"aircraft", "quantity", "kind", "value", "unit", "source_url", "note"}
    review = {"id", "status", "created_at", "reviewed_at", "reviewed_by", "figure"}
    editor_fills = {"source_title", "source_publisher", "source_kind"}
    assert {f.name for f in Correction._meta.concrete_fields} == typed | review | editor_fills


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"source_url": ""}, "source_url", "This field is required."),
        ({"source_url": "not a url"}, "source_url", "Enter a valid URL."),
        ({"unit": "kg"}, "unit", "Service ceiling cannot be given in &#x27;kg&#x27;"),
        ({"value": "-3"}, "value", "Service ceiling must be greater than zero."),
        ({"figure": "service_ceiling:ferry"}, "figure", "Select a valid choice."),
    ],
)
def test_a_bad_correction_is_explained_and_not_kept(client, change, field, message):
    plane = AircraftFactory()
    response = client.post(corrections_url(plane), {**GOOD, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert f'href="#correction-{plane.slug}-{field}"' in response.content.decode()
    assert not Correction.objects.exists()


def test_a_bot_filling_the_hidden_field_is_thanked_and_ignored(client):
    plane = AircraftFactory()
    response = client.post(corrections_url(plane), {**GOOD, "website": "https://spam.example/"})
    assert response.status_code == 303
    assert not Correction.objects.exists()


def test_corrections_are_rate_limited_per_address(client, settings):
    settings.RATELIMIT_CORRECTIONS = "2/h"
    plane = AircraftFactory()
    assert [client.post(corrections_url(plane), GOOD).status_code for _ in range(3)] == [303, 303, 429]
    assert Correction.objects.count() == 2
    assert client.get(plane.get_absolute_url()).status_code == 200  # reading is not limited by it


def test_an_unknown_aircraft_is_a_404_and_other_methods_a_405(client):
    assert client.post("/aircraft/no-such-plane/corrections/", GOOD).status_code == 404
    plane = AircraftFactory()
    assert client.put(corrections_url(plane)).status_code == 405


# --- Review ------------------------------------------------------------------------


def submitted(plane, **changes) -> Correction:
    fields = {k: v for k, v in GOOD.items() if k != "figure"} | {"quantity": "service_ceiling", "kind": "overall"}
    return correction_submit(aircraft=plane, **(fields | changes))


def test_accepting_writes_the_figure_and_its_new_source_as_an_event():
    plane = AircraftFactory()
    correction = submitted(plane)
    correction.source_kind = SourceKind.GOVERNMENT
    correction.save()
    OutboxEvent.objects.all().delete()

    figure = correction_accept(correction=correction, editor="editor")

    figure.refresh_from_db()
    assert (figure.value, figure.unit, figure.source.url) == ("65,000", "ft", GOOD["source_url"])
    assert figure.source.kind == SourceKind.GOVERNMENT and figure.source.publisher == "example.org"
    plane.refresh_from_db()
    correction.refresh_from_db()
    assert correction.status == Correction.Status.ACCEPTED and correction.figure == figure
    assert correction.reviewed_by == "editor" and correction.reviewed_at is not None
    updates = [json.loads(e.value)["data"] for e in OutboxEvent.objects.filter(topic=topics.DATA_UPDATES.name)]
    figure_update = next(u for u in updates if u["entity"] == "figure")
    assert figure_update["action"] == "updated"
    assert figure_update["changes"]["value"] == {"old": "15000", "new": "65,000"}
    assert any(u["entity"] == "aircraftsource" and u["action"] == "created" for u in updates)


def test_accepting_a_figure_the_catalogue_lacks_adds_it_citing_a_source_it_already_has():
    plane = AircraftFactory(figures={})
    existing = AircraftSource.objects.get(aircraft=plane)
    correction = submitted(plane, source_url=existing.url, quantity="range", kind="ferry", value="1,600", unit="nmi")
    figure = correction_accept(correction=correction, editor="editor")
    assert (figure.quantity, figure.kind, figure.source) == ("range", "ferry", existing)
    assert AircraftSource.objects.filter(aircraft=plane).count() == 1
    plane.refresh_from_db()
    assert plane.rank_range_km is None  # a ferry range is never ranked as a typical one


def test_a_new_source_needs_its_kind_before_it_is_accepted():
    correction = submitted(AircraftFactory())
    with pytest.raises(ValidationError, match="kind of source"):
        correction_accept(correction=correction, editor="editor")
    correction.refresh_from_db()
    assert correction.status == Correction.Status.PENDING


def test_a_reviewed_correction_cannot_be_reviewed_again():
    correction = submitted(AircraftFactory())
    correction_decline(correction=correction, editor="editor")
    correction.refresh_from_db()
    assert correction.status == Correction.Status.DECLINED
    with pytest.raises(ValidationError, match="already declined"):
        correction_accept(correction=correction, editor="editor")


def test_an_editor_reviews_the_queue_in_the_admin(client, editor):
    plane = AircraftFactory()
    kept = submitted(plane, source_url="https://example.com/fact-sheet")  # the aircraft's own source
    dropped = submitted(plane, value="99,999")
    queue = client.get("/admin/aircraft/correction/")
    assert queue.status_code == 200
    assert "65,000 ft" in queue.content.decode() and "15000 m" in queue.content.decode()

    for correction, action in ((kept, "accept"), (dropped, "decline")):
        response = client.post(
            "/admin/aircraft/correction/", {"action": action, "_selected_action": [correction.pk]}, follow=True
        )
        assert response.status_code == 200
    kept.refresh_from_db()
    dropped.refresh_from_db()
    assert (kept.status, dropped.status) == (Correction.Status.ACCEPTED, Correction.Status.DECLINED)
    assert plane.figures.get(quantity="service_ceiling").value == "65,000"
    assert kept.reviewed_by == "editor"


def test_the_admin_says_why_a_correction_could_not_be_accepted(client, editor):
    correction = submitted(AircraftFactory())  # a new source, kind not chosen yet
    response = client.post(
        "/admin/aircraft/correction/", {"action": "accept", "_selected_action": [correction.pk]}, follow=True
    )
    assert "Say what kind of source it is" in response.content.decode()
    correction.refresh_from_db()
    assert correction.status == Correction.Status.PENDING
