"""Issue 15, item 5: the API is not a dead end: the menu leads to documentation generated
from the code, whose examples are live requests, and /api/ links every collection."""

import re

import pytest
from playwright.sync_api import expect

from aircraft.models import Aircraft

from .support import describe, serious

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True),
]


def test_the_menu_leads_to_the_api_documentation_and_its_examples_work(page, viewport, catalogue, axe):
    page.goto("/")
    if viewport == "phone" and page.get_by_role("button", name=re.compile("menu", re.I)).count():
        page.get_by_role("button", name=re.compile("menu", re.I)).click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API").click()
    expect(page).to_have_url(re.compile(r"/api/docs/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("HangarStack API")
    expect(page.get_by_role("heading", name="GET /api/aircraft/{slug}/")).to_be_visible()
    expect(page.locator("#schema-Figure")).to_contain_text("metric_value")
    assert not serious(axe()), describe(serious(axe()))
    if viewport == "phone":
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    page.locator("#api_aircraft_detail").get_by_role("link", name="GET /api/aircraft/f-22a-raptor/").click()
    expect(page).to_have_url(re.compile(r"/api/aircraft/f-22a-raptor/$"))
    expect(page.locator("body")).to_contain_text('"display_name": "F-22A Raptor"')

    index = page.request.get("/api/")
    assert index.status == 200
    collections = index.json()["collections"]
    assert page.request.get(collections["aircraft"]).json()["count"] == Aircraft.objects.count()
    assert page.request.get("/api/openapi.json").json()["openapi"] == "3.1.0"
