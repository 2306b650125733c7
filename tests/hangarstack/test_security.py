"""Bad input never yields a 500; production settings refuse unsafe defaults."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from tests.factories import AircraftFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def plane(db):
    return AircraftFactory(slug="f-22a-raptor", designation="F-22A", name="Raptor")


@pytest.mark.parametrize(
    "url",
    [
        "/aircraft/%00/",
        "/aircraft/..%2F..%2Fetc%2Fpasswd/",
        "/aircraft/" + "a" * 3000 + "/",
        "/manufacturers/%E2%98%83/",
        "/aircraft/?" + "&".join(f"role={i}" for i in range(150)),
        "/aircraft/?page=99999999999999999999",
        "/aircraft/?decade=-1",
        "/search/?q=" + "x" * 20000,
        "/search/?q=%ff%fe%fd",
        "/search/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/search/?q=1%27%3B%20DROP%20TABLE%20aircraft_aircraft%3B--",
        "/search/?page=abc&q=raptor",
        "/compare/?a=%00&a=%ff",
        "/api/aircraft/?q=%ff&page=%00",
        "/api/aircraft/?decade=19x0",
        "/api/aircraft/%ff/",
        "/aircraft/Lockheed%20Martin/%ff",
        "/manufacturer/%00",
    ],
)
def test_malformed_requests_get_a_4xx_or_a_page(client, plane, url):
    response = client.get(url)
    assert response.status_code < 500, url
    assert response.status_code in (200, 301, 400, 404), (url, response.status_code)


def test_a_host_not_ours_is_a_400_page_and_json_under_the_api(client, plane):
    page = client.get("/aircraft/f-22a-raptor/", HTTP_HOST="evil.example")
    assert page.status_code == 400 and b"Bad request" in page.content and b"evil.example" not in page.content
    api = client.get("/api/aircraft/", HTTP_HOST="evil.example")
    assert api.status_code == 400 and api.json()["error"]["status"] == 400


def test_non_utf8_path_bytes_are_a_client_error(client, plane):
    response = client.generic("GET", b"/aircraft/\xff\xfe/".decode("latin-1"))
    assert response.status_code in (400, 404)


def test_html_in_search_is_escaped(client, plane):
    body = client.get("/search/?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E").content.decode()
    assert "<img src=x onerror" not in body


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_wrong_methods_are_405(client, plane, method):
    assert getattr(client, method)("/aircraft/f-22a-raptor/").status_code == 405
    assert getattr(client, method)("/api/aircraft/f-22a-raptor/").status_code == 405


def test_oversized_body_is_refused(client, plane):
    response = client.post("/preferences/units/", {"units": "metric", "next": "/", "pad": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 400


def test_too_many_fields_is_refused(client, plane):
    response = client.post("/preferences/units/", {f"f{i}": "1" for i in range(500)})
    assert response.status_code == 400


def test_security_headers(client, plane):
    response = client.get("/aircraft/f-22a-raptor/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_cors_only_for_listed_origins(client, plane, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://friend.example"]
    allowed = client.get("/api/aircraft/", HTTP_ORIGIN="https://friend.example")
    assert allowed["Access-Control-Allow-Origin"] == "https://friend.example"
    refused = client.get("/api/aircraft/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in refused
    page = client.get("/aircraft/", HTTP_ORIGIN="https://friend.example")
    assert "Access-Control-Allow-Origin" not in page  # only the API


def test_admin_lives_at_the_configured_path(db):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.urls import reverse; print(reverse('admin:index'))",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "hangarstack.settings.test", "ADMIN_URL": "back-office/"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "/back-office/"


def prod_settings(**env):
    base = {
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")},
        "DJANGO_SETTINGS_MODULE": "hangarstack.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "hangarstack.example",
        "CACHE_URL": "redis://127.0.0.1:1/0",
        "EVENTS_IP_HASH_KEY": secrets.token_urlsafe(32),
    }
    base.update(env)
    base = {k: v for k, v in base.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_check_deploy():
    result = prod_settings()
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "env, complaint",
    [
        ({"DEBUG": "true"}, "DEBUG must not be on"),
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be set"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must list"),
        ({"CACHE_URL": None}, "CACHE_URL must point at Redis"),
        ({"EVENTS_IP_HASH_KEY": None}, "EVENTS_IP_HASH_KEY must be set"),
        ({"EVENTS_IP_HASH_KEY": "short"}, "EVENTS_IP_HASH_KEY must be set"),
    ],
)
def test_production_refuses_unsafe_configuration(env, complaint):
    result = prod_settings(**env)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_https_redirect_exempts_probes(client, settings, plane):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^health", r"^metrics$"]
    assert client.get("/aircraft/").status_code == 301
    assert client.get("/health").status_code == 200
    assert client.get("/metrics").status_code == 200


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def editor(db, settings):
    settings.SIGNIN_MAX_FAILURES = 3
    return User.objects.create_user("editor", password="right-password-1", is_staff=True)


def test_failed_sign_ins_lock_the_account_out(client, editor, settings):
    for _ in range(3):
        response = sign_in(client, "editor", "wrong")
        assert response.status_code == 200  # the form, with its error
    locked = sign_in(client, "editor", "right-password-1")
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    assert 0 < int(locked["Retry-After"]) <= settings.SIGNIN_LOCKOUT_SECONDS  # what is left of the pause


@pytest.mark.parametrize("spelling", ["editor ", " editor", "EDITOR", "\uff45\uff44\uff49\uff54\uff4f\uff52"])
def test_no_spelling_of_a_locked_username_gets_more_tries(client, editor, spelling):
    for _ in range(3):
        sign_in(client, "editor", "wrong")
    assert sign_in(client, spelling, "right-password-1").status_code == 429


def test_a_stranger_cannot_lock_staff_out_of_their_own_address(client, editor):
    for _ in range(5):
        sign_in(client, "editor", "wrong", address="203.0.113.9")
    assert sign_in(client, "editor", "right-password-1", address="203.0.113.9").status_code == 429
    assert sign_in(client, "editor", "right-password-1", address="10.0.0.1").status_code == 302


def test_successful_sign_in_clears_failures(client, editor):
    for _ in range(2):
        sign_in(client, "editor", "wrong")
    assert sign_in(client, "editor", "right-password-1").status_code == 302
    client.logout()
    for _ in range(2):
        sign_in(client, "editor", "wrong")
    assert sign_in(client, "editor", "right-password-1").status_code == 302


def test_nul_in_the_prototype_api_is_a_json_404(client, plane):
    response = client.get("/api/aircraft/Boeing%00")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404
