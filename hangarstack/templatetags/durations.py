"""{{ seconds|in_words }}: a pause or a wait as people say it ("15 minutes", "1 hour 5 minutes")."""

import datetime

from django import template

register = template.Library()


@register.filter
def in_words(value) -> str:
    """Seconds (a number) or a timedelta, rounded up to the minute once it is a minute or more."""
    if isinstance(value, datetime.timedelta):
        value = value.total_seconds()
    try:
        seconds = max(0, int(value))
    except (TypeError, ValueError):
        return ""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


@register.simple_tag(takes_context=True)
def pause_in_words(context) -> str:
    """The lock-out page's pause: ours (`pause`, seconds) or django-axes' (`cooloff_timedelta`)."""
    for name in ("pause", "cooloff_timedelta"):
        value = context.get(name)
        if value:
            return in_words(value)
    return ""
