from django import template

from ..stamps import view_count_html

register = template.Library()


@register.filter
def view_count(views: int) -> str:
    """An aircraft's view count, as a cache hit writes it in later (aircraft.stamps)."""
    return view_count_html(views)
