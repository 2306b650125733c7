"""{% photo %}: one photo as a <picture> with its credit (templates/includes/photo.html)."""

from django import template

from .. import pictures
from ..photos import picture

register = template.Library()


@register.inclusion_tag("includes/photo.html")
def photo(photo, sizes: str = "100vw", lazy: bool = True, credit: bool = True, css_class: str = "photo"):
    """sizes: the CSS width the photo takes (for srcset); lazy=False for a photo above the fold."""
    return {"picture": picture(photo), "sizes": sizes, "lazy": lazy, "credit": credit, "css_class": css_class}


@register.simple_tag
def card_drawing(aircraft, units: str):
    """A small top view to scale, for a card (empty when the length is not known)."""
    return pictures.card_drawing(aircraft, units)
