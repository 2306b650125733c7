"""What catalogue staff do in the admin, and what the admin refuses."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from aircraft.models import Aircraft
from events import topics
from events.relay import Relay
from tests.factories import AircraftFactory

from .support import PASSWORD, describe, read_topic, serious

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LOGIN = "/admin/login/"
FAILED = "Please enter the correct username and password for a staff account"
THROTTLED = "Too many sign-in attempts"
LIMIT = 5  # failed sign-ins per (username, client address) in 15 minutes, then HTTP 429


def sign_in(page, username: str, password: str):
    """Submit the admin sign-in form; returns the HTTP response to the POST."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_response(lambda r: r.request.method == "POST" and LOGIN in r.url) as posted:
        page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return posted.value


def height(page):
    """The height on the public data sheet: (first shown, other unit system)."""
    row = page.locator(".spec-table tr").filter(has=page.get_by_role("rowheader", name="Height", exact=True))
    return row.locator(".value"), row.locator(".value-alt")


def figure_form(page, quantity: str):
    """The row of the admin's figures inline that holds this quantity."""
    return page.locator("#figures-group tr.form-row").filter(
        has=page.locator(f"select[name$='-quantity'] option[value='{quantity}'][selected]")
    )


def test_editor_changes_a_specification_and_everyone_sees_it_at_once(
    page, browser, live_server, catalogue, editors_group, make_user, kafka_topics, screenshot
):
    make_user("editor", staff=True, groups=[editors_group])
    plane = Aircraft.objects.get(slug="f-22a-raptor")
    figure = plane.figures.get(quantity="height", kind="overall")

    # A visitor has the page open already (so any page cache holds the old figure).
    visitor = browser.new_context(base_url=live_server.url)
    public = visitor.new_page()
    try:
        public.goto("/aircraft/f-22a-raptor/")
        shown, other = height(public)
        expect(shown).to_have_text("5.081 m")  # derived from the dataset's 16.67 ft
        expect(other).to_have_text("16.67 ft")

        page.goto("/admin/")
        expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
        screenshot("admin-login")
        response = sign_in(page, "editor", PASSWORD)
        assert response.status == 302
        expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue administration")
        screenshot("admin-index")
        # an editor is given the catalogue, not the user accounts
        expect(page.locator("tr.model-aircraft")).to_be_visible()
        expect(page.locator("tr.model-user")).to_have_count(0)

        page.locator("tr.model-aircraft").get_by_role("link", name="Aircraft").click()
        page.locator("#searchbar").fill("F-22A")
        page.locator("#searchbar").press("Enter")
        page.locator("#result_list").get_by_role("link", name="F-22A", exact=True).click()
        expect(page).to_have_url(re.compile(rf"/admin/aircraft/aircraft/{plane.pk}/change/(\?.*)?$"))
        expect(page.get_by_role("link", name="Delete")).to_have_count(0)  # editors may not delete an aircraft

        # The figures inline: each figure as published, with its kind and its source.
        expect(page.locator("#figures-group tr.form-row.has_original")).to_have_count(plane.figures.count())
        row = figure_form(page, "height")
        expect(row).to_have_count(1)
        expect(row.locator("select[name$='-kind']")).to_have_value("overall")
        # Kinds are offered once each, by the codes the help table beside the inline lists: a length
        # or a take-off weight reads "overall", never the label of another quantity's "overall".
        for quantity in ("length", "max_takeoff_weight", "crew"):
            kind = figure_form(page, quantity).locator("select[name$='-kind']")
            expect(kind.locator("option:checked")).to_have_text("overall")
        offered = kind.locator("option").evaluate_all("options => options.map(o => o.value)")
        assert len(offered) == len(set(offered)), offered
        expect(row.locator("input[name$='-value']")).to_have_value("16.67")
        expect(row.locator("select[name$='-unit']")).to_have_value("ft")
        expect(row.locator("select[name$='-source'] option:checked")).to_have_text(str(figure.source))
        # The editor enters the figure as a metric source prints it: 5.08 metres.
        row.locator("input[name$='-value']").fill("5.08")
        row.locator("select[name$='-unit']").select_option("m")
        screenshot("admin-aircraft-change")
        page.locator("input[name=_save]").first.click()
        expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
        screenshot("admin-aircraft-changed")

        # The visitor reloads and sees the new figure straight away, in both unit systems.
        public.reload()
        shown, other = height(public)
        expect(shown).to_have_text("5.08 m")  # as published
        expect(other).to_have_text("16 ft 8 in")  # derived, to the precision the source printed
        public.get_by_role("button", name="Show imperial units").click()
        expect(public.locator(".units-switch__current")).to_have_text("Units: Imperial")
        expect(shown).to_have_text("16 ft 8 in")
        expect(other).to_have_text("5.08 m")
    finally:
        visitor.close()

    # Saved as published, and the change is on hangarstack.data.updates, with who made it.
    figure.refresh_from_db()
    assert (figure.value, figure.unit) == ("5.08", "m")
    Relay().drain()
    updates = [
        e
        for e in read_topic(topics.DATA_UPDATES)
        if e["data"]["entity"] == "figure" and e["data"]["id"] == figure.pk and e["data"]["action"] == "updated"
    ]
    assert len(updates) == 1, updates
    changes = updates[0]["data"]["changes"]
    assert changes["value"] == {"old": "16.67", "new": "5.08"}
    assert changes["unit"] == {"old": "ft", "new": "m"}
    assert Decimal(changes["metric_value"]["new"]) == Decimal("5.08")
    assert updates[0]["data"]["actor"] == "user:editor"
    assert updates[0]["subject"] == "f-22a-raptor:height:overall"
    # Nothing else about the aircraft changed, so nothing else was announced for it.
    others = [
        e
        for e in read_topic(topics.DATA_UPDATES)
        if e["data"]["action"] == "updated" and e["data"]["actor"] == "user:editor" and e not in updates
    ]
    assert others == [], others


def test_a_signed_in_visitor_who_is_not_staff_is_refused(page, make_user):
    make_user("visitor", staff=False)
    page.goto("/admin/aircraft/aircraft/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/aircraft/aircraft/$"))
    response = sign_in(page, "visitor", PASSWORD)
    assert response.status == 200
    expect(page.locator(".errornote")).to_contain_text(FAILED)
    page.goto("/admin/aircraft/aircraft/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    expect(page.locator("#result_list")).to_have_count(0)


def test_staff_without_catalogue_permissions_cannot_edit(page, make_user):
    plane = AircraftFactory()
    make_user("intern", staff=True)
    page.goto(LOGIN)
    sign_in(page, "intern", PASSWORD)
    expect(page.locator("#content-main")).to_contain_text("You don’t have permission to view or edit anything")
    response = page.goto(f"/admin/aircraft/aircraft/{plane.pk}/change/")
    assert response.status == 403


@pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True)
def test_a_failed_sign_in_is_shown(page, editors_group, make_user, screenshot):
    make_user("editor", staff=True, groups=[editors_group])
    page.goto(LOGIN)
    screenshot("admin-login")
    response = sign_in(page, "editor", "not-the-password")
    assert response.status == 200
    expect(page.locator(".errornote")).to_contain_text(FAILED)
    expect(page.get_by_label("Username")).to_have_value("editor")
    expect(page.get_by_label("Password")).to_have_value("")
    screenshot("admin-login-failed")


def test_repeated_failed_sign_ins_are_throttled(page, editors_group, make_user, screenshot, axe):
    """Spec (issue 14): after 5 failed sign-ins for one username from one address within 15 minutes,
    that sign-in answers HTTP 429 with "Too many sign-in attempts" - even to the right password;
    another username from the same address is not locked by it (django-axes, username and address together)."""
    make_user("editor", staff=True, groups=[editors_group])
    page.goto(LOGIN)
    for attempt in range(1, LIMIT + 1):
        response = sign_in(page, "editor", f"wrong-{attempt}")
        assert response.status == 200, f"attempt {attempt} answered {response.status}"
        expect(page.locator(".errornote")).to_contain_text(FAILED)

    response = sign_in(page, "editor", "wrong-again")
    assert response.status == 429, f"sign-in {LIMIT + 1} answered {response.status}, expected 429"
    expect(page.locator("body")).to_contain_text(THROTTLED)
    screenshot("admin-login-throttled")
    assert not serious(axe()), describe(serious(axe()))

    # Throttled means throttled: the right password does not get in either ...
    page.goto(LOGIN)
    response = sign_in(page, "editor", PASSWORD) if page.get_by_label("Password").count() else None
    assert response is None or response.status == 429
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))

    # ... while a colleague at the same address is not locked out by someone else's failures.
    make_user("colleague", staff=True, groups=[editors_group])
    page.goto(LOGIN)
    response = sign_in(page, "colleague", PASSWORD)
    assert response.status in (200, 302), f"the colleague's sign-in answered {response.status}"
    expect(page).not_to_have_url(re.compile(r"/admin/login/"))
