"""Browser tests: Debian's Chromium, driven by Playwright, against the running site.

The site is pytest-django's live_server (a real HTTP server in a thread of this
process) on the real PostgreSQL, Redis and broker that `make e2e` starts. Each
test gets a fresh browser context (no cookies carried over) at a desktop or a
phone viewport; the browser itself is launched once per run.

Nothing is skipped: a missing Chromium is installed from Debian's packages when
running as root (as CI does), and anything else missing fails with the command
that fixes it. The only thing fetched at test time is axe-core, by `npm ci`, when
tests/e2e/node_modules is missing. Screenshots go to
artifacts/e2e/<viewport>/<page>.png on every run, with an index.html to browse them.
"""

import contextlib
import os
import shutil
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command

from aircraft.models import SearchWord
from events import producer, topics
from events.models import OutboxEvent

# Playwright's sync API keeps an asyncio loop in this thread, which makes Django
# refuse ORM calls from the test body (SynchronousOnlyOperation). The test body
# and that loop never share a connection, so the guard is lifted for this
# process only (the e2e run), as Playwright's docs advise for Django.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

try:
    from playwright.sync_api import sync_playwright
except ImportError as exc:  # an install problem, said plainly
    raise ImportError(
        "The browser tests need Playwright in the virtualenv: .venv/bin/pip install -r requirements/e2e.txt "
        "(never `playwright install`: the tests drive Debian's Chromium at /usr/bin/chromium)."
    ) from exc

from . import tables
from .support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    EDITOR_PERMISSIONS,
    EDITORS,
    PASSWORD,
    VIEWPORTS,
    ensure_axe,
    ensure_chromium,
    run_axe,
    write_gallery,
)

# --- Isolation from a `make test` running beside this run on the same servers ---------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Our own test database, so a unit-test run cannot drop it under us (or we it)."""
    from django.conf import settings

    for database in settings.DATABASES.values():
        database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_e2e"


@pytest.fixture(scope="session", autouse=True)
def own_redis_database():
    """The unit tests FLUSHDB Redis database 0 around every test; this run uses database 1."""
    from django.conf import settings
    from django.core.cache import caches

    cache = settings.CACHES["default"]
    if "redis" in cache["BACKEND"].lower():
        cache["LOCATION"] = urlunsplit(urlsplit(cache["LOCATION"])._replace(path="/1"))
        caches.close_all()
        with contextlib.suppress(AttributeError):  # made lazily, so usually not made yet
            del caches["default"]


# --- Browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    ensure_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """A fresh artifacts/e2e each run, so every picture in it is from this run."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    for viewport in VIEWPORTS:
        (ARTIFACTS / viewport).mkdir(parents=True)
    yield ARTIFACTS
    write_gallery(ARTIFACTS)


@pytest.fixture
def viewport(request) -> str:
    """desktop, unless a test parametrizes it over VIEWPORTS with indirect=True."""
    return getattr(request, "param", "desktop")


@pytest.fixture
def context(browser, live_server, viewport):
    # bypass_csp: axe-core goes in as an inline script, which a strict Content-Security-Policy refuses.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, **VIEWPORTS[viewport])
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def page(context, request, artifacts):
    """A page that fails its test on a JavaScript error or a missing static file,
    and leaves a screenshot in artifacts/e2e/failures/ when the test fails."""
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))

    def check_static(response):
        if "/static/" in response.url and response.status >= 400:
            problems.append(f"{response.status} for {response.url}")

    page.on("response", check_static)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and not page.is_closed():
        failures = artifacts / "failures"
        failures.mkdir(exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
        page.screenshot(path=str(failures / f"{name}.png"), full_page=True)
    assert not problems, problems


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def screenshot(page, viewport, artifacts):
    """screenshot("home") writes the whole page to artifacts/e2e/<viewport>/home.png."""

    def take(name: str) -> Path:
        path = artifacts / viewport / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path

    return take


@pytest.fixture
def axe(page):
    """axe() -> the current page's axe-core violations, every impact."""
    script = ensure_axe()
    return lambda: run_axe(page, script)


# --- Broker ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def kafka_topics(django_db_setup, django_db_blocker):
    """This run's topics (test settings give each run its own prefix); create_topics is idempotent."""
    with django_db_blocker.unblock():
        call_command("create_topics", stdout=StringIO())
    return topics.ALL


@pytest.fixture
def flush_events():
    """Wait until every event the live server produced is acknowledged by the broker."""

    def flush():
        assert producer.get_producer().flush(10) == 0

    return flush


# --- Data -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def loaded_catalogue() -> dict:
    """The catalogue's rows as the first test to ask loaded them (filled there: a
    session fixture cannot write to a transactional test's database)."""
    return {}


@pytest.fixture
def catalogue(transactional_db, loaded_catalogue):
    """The real catalogue (fixtures/aircraft.json: 315 aircraft, 84 manufacturers) in this test's database.

    Loaded by load_aircraft in the first test that asks, then copied back in under
    fresh ids (tests/e2e/tables.py; test_tables.py shows it is the same catalogue):
    the load takes about 45 s here, the copy about 1 s. Its catalogue-change events
    are left out of the outbox every time, the first included: no test reads them,
    and a test that relays its own changes would relay them all.
    """
    if "rows" in loaded_catalogue:
        loaded_catalogue["rows"].restore()
        return
    before = tables.row_counts()
    call_command("load_aircraft", stdout=StringIO())
    loaded_catalogue["rows"] = tables.AddedRows.take(before, leave_out=["events"], made_by_triggers=[SearchWord])
    OutboxEvent.objects.all().delete()


@pytest.fixture
def editors_group(transactional_db):
    """The "Catalogue editors" group as its data migrations make it (a transactional test's flush removes it)."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=EDITORS.GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="aircraft", codename__in=EDITOR_PERMISSIONS)
    )
    return group


@pytest.fixture
def make_user(transactional_db):
    from django.contrib.auth import get_user_model

    def make(username: str, *, staff: bool, groups=()):
        user = get_user_model().objects.create_user(username=username, password=PASSWORD, is_staff=staff)
        user.groups.set(groups)
        return user

    return make
