"""A visit in the browser becomes an event on the real broker, and the analytics consumer counts it."""

import pytest
from playwright.sync_api import expect

from aircraft.models import Aircraft

from .support import consume_views, views_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_visit_arrives_on_the_views_topic_and_the_view_count_rises(page, catalogue, kafka_topics, flush_events):
    plane = Aircraft.objects.get(slug="sr-71a-blackbird")
    count = page.locator(".view-count")

    page.goto(plane.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("SR-71A Blackbird")
    expect(count).to_have_count(0)  # nothing counted yet: nothing said (never "0 views")
    expect(page.locator("main")).not_to_contain_text("0 views")
    flush_events()
    visits = views_of(plane.pk)
    assert len(visits) == 1, visits
    visit = visits[0]
    assert visit["type"] == "com.hangarstack.aircraft.viewed"
    assert visit["subject"] == "sr-71a-blackbird"
    assert visit["data"]["via"] == "page"
    assert visit["data"]["aircraft"]["slug"] == "sr-71a-blackbird"

    # Nothing counts a view until the consumer has run ...
    page.reload()
    expect(count).to_have_count(0)
    flush_events()
    assert len(views_of(plane.pk)) == 2

    # ... then both visits show, and running it again over the same events counts nothing twice.
    consume_views()
    page.reload()
    expect(count).to_have_text("2 views")
    consume_views()
    flush_events()
    consume_views()  # picks up the third visit (the reload above) only
    page.reload()
    expect(count).to_have_text("3 views")

    # The home page's "Most viewed" panel picks it up too.
    page.goto("/")
    expect(page.get_by_role("region", name="Most viewed").get_by_role("listitem").first).to_contain_text(
        "SR-71A Blackbird"
    )
