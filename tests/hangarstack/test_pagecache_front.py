"""The page cache's WSGI front (what gunicorn serves): hits answered before
Django's request cycle, everything else handed to Django, counted once."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.test import RequestFactory

from aircraft import stamps as catalogue_stamps
from hangarstack import metrics
from hangarstack.pagecache import PageCache, PageCacheFront
from tests.factories import AircraftFactory
from tests.hangarstack.conftest import redis_commands

pytestmark = pytest.mark.django_db(transaction=True)


class Answer:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes, through_django: bool):
        self.status_code = int(status.split()[0])
        self.status_line = status
        self.headers = dict(headers)
        self.names = [name for name, _ in headers]
        self.content = body
        self.through_django = through_django


@pytest.fixture
def front():
    application = PageCacheFront(WSGIHandler())
    started = []

    def note(**kwargs):
        started.append(True)

    def call(path: str, method: str = "get", **headers) -> Answer:
        environ = getattr(RequestFactory(), method)(path, **headers).environ
        seen = {}

        def start_response(status, response_headers, exc_info=None):
            seen.update(status=status, headers=response_headers)

        before = len(started)
        chunks = application(environ, start_response)
        body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        return Answer(seen["status"], seen["headers"], body, len(started) > before)

    request_started.connect(note, weak=False)
    yield call
    request_started.disconnect(note)


def test_a_hit_is_answered_before_django_with_the_pages_own_headers(front):
    plane = AircraftFactory()
    made = front(plane.get_absolute_url(), HTTP_X_REQUEST_ID="one")
    hit = front(plane.get_absolute_url(), HTTP_X_REQUEST_ID="two")
    assert made.through_django and not hit.through_django
    assert hit.status_line == "200 OK" and hit.content == made.content
    for header in ("Content-Security-Policy", "X-Frame-Options", "ETag", "Cache-Control", "Content-Type"):
        assert hit.headers[header] == made.headers[header]
    assert (made.headers["X-Request-ID"], hit.headers["X-Request-ID"]) == ("one", "two")
    assert int(hit.headers["Content-Length"]) == len(hit.content)
    assert len(hit.names) == len(set(hit.names))  # each header once


def test_a_hit_is_still_a_view_and_is_counted_in_the_metrics(front, published):
    plane = AircraftFactory()
    front(plane.get_absolute_url())
    counter = metrics.REQUESTS.labels("GET", "aircraft:aircraft-detail", "200")
    before = counter._value.get()
    hit = front(plane.get_absolute_url())
    assert not hit.through_django
    assert counter._value.get() == before + 1
    views = [e for e in published if e.topic == "hangarstack.aircraft.views"]
    assert [e.envelope["data"]["aircraft"]["id"] for e in views] == [plane.pk, plane.pk]


def test_a_hit_shows_the_live_count_and_answers_conditional_and_head_requests(front, published):
    plane = AircraftFactory()
    front(plane.get_absolute_url())
    catalogue_stamps.popularity_changed({plane.pk: 321})
    hit = front(plane.get_absolute_url())
    assert not hit.through_django and "<strong>321</strong> views" in hit.content.decode()
    assert int(hit.headers["Content-Length"]) == len(hit.content)
    unchanged = front(plane.get_absolute_url(), HTTP_IF_NONE_MATCH=hit.headers["ETag"])
    assert unchanged.status_line == "304 Not Modified" and unchanged.content == b""
    assert not unchanged.through_django and unchanged.headers["ETag"] == hit.headers["ETag"]
    assert "Content-Type" not in unchanged.headers
    head = front(plane.get_absolute_url(), method="head")
    assert not head.through_django and head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == hit.headers["Content-Length"]
    views = [e for e in published if e.topic == "hangarstack.aircraft.views"]
    assert len(views) == 3  # made, hit, 304: a HEAD reads nobody's page


def test_a_miss_costs_one_lookup_and_is_counted_once(front, settings):
    settings.RATELIMIT_PUBLIC = "3/m"
    plane = AircraftFactory()
    front(f"/aircraft/{plane.slug}/corrections/")  # counted: 1 (stamps started, connection open)
    with redis_commands() as commands:
        miss = front(plane.get_absolute_url())  # counted: 2, by the front alone
    assert miss.through_django and miss.status_code == 200
    assert [c for c in commands if c.startswith("EVALSHA")] == commands[:1]  # the front's lookup, not again below
    hit = front(plane.get_absolute_url())  # 3: within the limit only if the miss counted once
    refused = front(plane.get_absolute_url())  # 4
    assert hit.status_code == 200 and not hit.through_django
    assert refused.status_code == 429 and refused.through_django  # Django's 429 page, from the handed-down lookup
    assert int(refused.headers["Retry-After"]) > 0 and refused.headers["X-Request-ID"]
    assert front(f"/api/aircraft/{plane.slug}/").status_code == 429


def test_probes_and_static_files_go_straight_to_django(front):
    front("/health")
    with redis_commands() as commands:
        assert front("/health").through_django
        assert front("/static/css/site.css").through_django
    assert commands == []


def test_a_failure_in_the_front_hands_the_request_to_django(front, monkeypatch, caplog):
    plane = AircraftFactory()
    front(plane.get_absolute_url())

    real_hit, calls = PageCache.hit, []

    def broken_once(self, request, lookup):  # in the front; the middleware below works
        calls.append(request)
        if len(calls) == 1:
            raise RuntimeError("a bug in the hit path")
        return real_hit(self, request, lookup)

    monkeypatch.setattr(PageCache, "hit", broken_once)
    answer = front(plane.get_absolute_url())
    assert answer.through_django and answer.status_code == 200
    assert plane.name in answer.content.decode()
    assert "page cache front failed" in caplog.text


def test_gunicorn_serves_the_front():
    from hangarstack import wsgi

    assert isinstance(wsgi.application, PageCacheFront)
    assert wsgi.application.django is wsgi.django_application
