import json
import logging

from core import context
from core.logs import JsonFormatter, RequestContextFilter


def test_json_lines_carry_the_request_id():
    record = logging.LogRecord("hangarstack", logging.WARNING, __file__, 1, "outbox %s", ("growing",), None)
    token = context.request_id.set("req-123")
    try:
        RequestContextFilter().filter(record)
    finally:
        context.request_id.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-123"
    assert line["message"] == "outbox growing"
    assert line["level"] == "WARNING"


def test_every_response_has_a_request_id(client):
    response = client.get("/health/ready", HTTP_X_REQUEST_ID="from-nginx-42")
    assert response.status_code in (200, 503)
    page = client.get("/no-such-page/", HTTP_X_REQUEST_ID="from-nginx-42")
    assert page["X-Request-ID"] == "from-nginx-42"
