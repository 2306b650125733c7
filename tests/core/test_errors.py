import json

from django.test import RequestFactory

from core.errors import is_api, json_error


def test_a_json_error_has_one_shape_with_its_extra_fields():
    response = json_error(400, "invalid query parameters", fields={"year": ["Enter a whole number."]})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "error": {"status": 400, "message": "invalid query parameters", "fields": {"year": ["Enter a whole number."]}}
    }


def test_only_paths_under_api_answer_errors_in_json():
    requests = RequestFactory()
    assert is_api(requests.get("/api/aircraft/"))
    assert not is_api(requests.get("/aircraft/"))
    assert not is_api(requests.get("/apiary/"))
