"""Servers and site for the fault suite (`make chaos`).

Own servers under .devstack/chaos (PostgreSQL, Redis, the Tansu broker), owned
by this process so a test can stop, hang and restart them; a fresh database per
run; gunicorn with the production settings, the relay and the consumer.
"""

import os
import shutil
from pathlib import Path

import pytest

from .harness import ROOT, Database, Site, wait_until

STATE_DIR = Path(os.environ.setdefault("HANGARSTACK_STATE_DIR", str(ROOT / ".devstack" / "chaos")))

import devstack  # noqa: E402 - reads HANGARSTACK_STATE_DIR at import


@pytest.fixture(scope="session")
def stack():
    stack = devstack.Stack()
    try:
        servers = {
            "DATABASE_URL": stack.postgres(),
            "CACHE_URL": stack.redis(),
            "KAFKA_BOOTSTRAP_SERVERS": stack.kafka(),
        }
        owned = {name for name, _proc, _sig in stack._owned}
        assert owned == {"postgres", "redis", "kafka"}, "another process runs this state dir's servers"
        admin = Database(servers["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres")
        admin.query("DROP DATABASE IF EXISTS hangarstack WITH (FORCE)")
        admin.query("CREATE DATABASE hangarstack")
        yield stack, servers
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def site(stack):
    _stack, servers = stack
    site = Site(servers, STATE_DIR)
    shutil.rmtree(site.spool_dir, ignore_errors=True)
    for name in ("gunicorn", "relay", "consumer"):
        (site.logs / f"{name}.log").unlink(missing_ok=True)
    site.manage("migrate", "--noinput")
    site.manage("load_aircraft")
    site.manage("create_topics")
    site.manage("collectstatic", "--noinput")  # production settings serve hashed static names
    site.db = Database(servers["DATABASE_URL"])
    site.free_slugs = site.db.slugs(40)
    site.start()
    try:
        # The consumer group's first join (the embedded broker takes its time): absorbed here, once.
        probe = site.free_slugs.pop()
        assert site.post(f"/api/aircraft/{probe}/view").status == 202
        wait_until(lambda: site.db.views(probe) == 1, 90, what="the consumer's first batch")
        yield site
    finally:
        site.stop()


@pytest.fixture
def plane(site):
    """An aircraft no other test has viewed, so its count starts at zero."""
    return site.free_slugs.pop(0)


@pytest.fixture
def servers(stack):
    return stack[0]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, "rep_" + report.when, report)
    return report
