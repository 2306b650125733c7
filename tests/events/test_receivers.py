"""The seam's receivers: an event never breaks the page that caused it."""

import logging

import pytest

from events import envelope, receivers
from tests.factories import AircraftFactory

pytestmark = pytest.mark.django_db


def test_a_producer_that_raises_is_logged_and_the_page_still_answers(client, settings, monkeypatch, caplog):
    settings.EVENTS_ENABLED = True
    handed = []

    def broken_publish(event):
        handed.append(event)
        raise RuntimeError("a bug in the producer")

    monkeypatch.setattr(receivers.producer, "publish", broken_publish)
    plane = AircraftFactory()
    with caplog.at_level(logging.ERROR, logger="events.receivers"):
        response = client.get(plane.get_absolute_url())
    assert response.status_code == 200
    assert [event.type for event in handed] == ["aircraft.viewed"]
    [record] = [r for r in caplog.records if r.name == "events.receivers"]
    assert record.getMessage() == "could not publish an event on hangarstack.aircraft.views"
    assert str(record.exc_info[1]) == "a bug in the producer"


def test_a_visit_that_cannot_be_noted_is_logged_and_the_page_still_answers(client, settings, monkeypatch, caplog):
    settings.EVENTS_ENABLED = True
    handed = []
    monkeypatch.setattr(receivers.producer, "publish", handed.append)

    def unreadable(request):
        raise ValueError("a bug in reading the client")

    monkeypatch.setattr(envelope, "client_facts", unreadable)
    plane = AircraftFactory()
    with caplog.at_level(logging.ERROR, logger="events.receivers"):
        response = client.get(plane.get_absolute_url())
    assert response.status_code == 200
    assert handed == []
    [record] = [r for r in caplog.records if r.name == "events.receivers"]
    assert record.getMessage() == "could not publish an event on hangarstack.aircraft.views"
    assert str(record.exc_info[1]) == "a bug in reading the client"
