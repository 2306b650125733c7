import pytest

from events import health as events_health


def test_liveness_needs_nothing(client):
    response = client.get("/health", HTTP_HOST="10.1.2.3")  # probes may use an IP as Host
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_readiness_reports_every_dependency(client):
    response = client.get("/health/ready")
    body = response.json()
    assert response.status_code == 200
    assert set(body["checks"]) == {"database", "cache", "kafka"}
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "ok"
    assert body["checks"]["kafka"]["status"] == "ok"
    assert "outbox_backlog" in body["checks"]["kafka"]
    assert body["version"] and body["timestamp"]
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_broker_down_is_degraded_not_unready(client, settings, monkeypatch):
    settings.KAFKA = {**settings.KAFKA, "BOOTSTRAP_SERVERS": "127.0.0.1:1"}
    monkeypatch.setattr(events_health, "_last", None)
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["kafka"]["status"] == "degraded"
    monkeypatch.setattr(events_health, "_last", None)


@pytest.mark.django_db
def test_readiness_details_only_for_metrics_readers(client, settings):
    settings.METRICS_ALLOWED_CIDRS = ["127.0.0.0/8"]
    settings.METRICS_TOKEN = "probe-token"
    stranger = client.get("/health/ready", REMOTE_ADDR="203.0.113.7")
    assert stranger.status_code == 200
    assert stranger.json() == {"status": "ok"}
    with_token = client.get("/health/ready", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer probe-token")
    assert "checks" in with_token.json()
