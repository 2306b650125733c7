"""The catalogue works without the events app: the seam really is one-way."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.databases import database_url
from tests.factories import AircraftFactory

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import sys, django
from django.conf import settings
django.setup()
assert "events" not in [app.split(".")[0] for app in settings.INSTALLED_APPS]
from django.test import Client
client = Client()
for url in ("/", "/aircraft/", "/aircraft/seam-bird/", "/search/?q=seam&all=1", "/search/suggest?q=sea",
            "/api/aircraft/", "/health/ready"):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
assert not any(name == "events" or name.startswith("events.") for name in sys.modules), "events was imported"
print("ok")
"""


@pytest.mark.django_db(transaction=True)
def test_catalogue_site_runs_without_the_events_app(tmp_path):
    AircraftFactory(slug="seam-bird", name="Seam")
    (tmp_path / "no_events_settings.py").write_text(
        "from hangarstack.settings.test import *  # noqa\n"
        "INSTALLED_APPS = [app for app in INSTALLED_APPS if app != 'events']\n"
        "ALLOWED_HOSTS = ['testserver']\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": f"{tmp_path}:{ROOT}",
        "DJANGO_SETTINGS_MODULE": "no_events_settings",
        "DATABASE_URL": database_url(),
    }
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr[-3000:]
