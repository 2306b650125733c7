"""Where the catalogue's signals become events: the only seam between the apps.

High-volume events (views, searches, comparisons) go straight to the producer,
which never blocks a request, as the facts the request noted: the producer
makes their envelopes a batch at a time (events.envelope.Deferred). Catalogue
changes go to the outbox inside the transaction that changes the catalogue
(Aircraft and Manufacturer saves run in one), so a rolled-back change emits
nothing and a committed one is never lost.
"""

import functools
import logging

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.signals import setting_changed
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from aircraft.models import Aircraft, AircraftSource, Figure, Manufacturer
from aircraft.signals import aircraft_compared, aircraft_viewed, catalogue_loaded, search_performed
from core import context

from . import outbox, producer, topics
from .envelope import Deferred, json_text, make_event
from .privacy import client_context

logger = logging.getLogger(__name__)


@functools.cache
def _events_enabled() -> bool:
    """Read once, not at every view: a settings attribute costs a Python-level
    __getattribute__ (LazyObject)."""
    return settings.EVENTS_ENABLED


@receiver(setting_changed)
def _forget_events_enabled(setting: str, **kwargs) -> None:
    if setting == "EVENTS_ENABLED":
        _events_enabled.cache_clear()


def _publish(event) -> None:
    if not _events_enabled():
        return
    try:
        producer.publish(event)
    except Exception:  # an event must never break the page that caused it
        logger.exception("could not publish an event on %s", event.topic)


def _note_visit(topic, event_type: str, subject: str, key: str | None, data, request) -> None:
    """Note a visit for the producer, events being on (the visit receivers have asked already).
    Noting is guarded too: reading the client is as much a part of the event as sending it."""
    try:
        producer.publish(Deferred.now(topic, event_type, subject=subject, key=key, data=data, request=request))
    except Exception:  # an event must never break the page that caused it
        # A noted visit has no id yet, and its repr holds the client's address: the topic only.
        logger.exception("could not publish an event on %s", topic.name)


@receiver(aircraft_viewed)
def on_aircraft_viewed(
    sender, aircraft_id: int, slug: str, designation: str, manufacturer: str, request, via: str, **kwargs
) -> None:
    if not _events_enabled():  # nothing to note: no event, no visitor hash
        return
    _note_visit(
        topics.VIEWS,
        "aircraft.viewed",
        slug,
        str(aircraft_id),
        _viewed_data(aircraft_id, slug, designation, manufacturer, via),
        request,
    )


# Every view of a page, and every search for the same words, carries the same
# data: its JSON text is made once, not at every event (events.envelope.Deferred).
@functools.lru_cache(maxsize=4096)
def _viewed_data(aircraft_id: int, slug: str, designation: str, manufacturer: str, via: str) -> str:
    aircraft = {"id": aircraft_id, "slug": slug, "designation": designation, "manufacturer": manufacturer}
    return json_text({"aircraft": aircraft, "via": via})


@functools.lru_cache(maxsize=4096)
def _searched_data(query: str, result_count: int, top_result: int | None) -> str:
    data = {"query": query, "result_count": result_count}
    if top_result is not None:
        data["top_result"] = top_result
    return json_text(data)


@receiver(search_performed)
def on_search_performed(
    sender, query: str, result_count: int, request, top_result: int | None = None, **kwargs
) -> None:
    if not _events_enabled():
        return
    _note_visit(
        topics.SEARCHES,
        "search.performed",
        query,
        query.casefold(),
        _searched_data(query, result_count, top_result),
        request,
    )


@receiver(aircraft_compared)
def on_aircraft_compared(sender, slugs: list[str], request, **kwargs) -> None:
    if not _events_enabled():
        return
    _note_visit(
        topics.USER_ACTIVITY,
        "user.compared",
        ",".join(slugs),
        None,  # keyed by the visitor
        {"action": "compare", "aircraft": list(slugs), "actor": context.actor.get()},
        request,
    )


def _staff_activity(action: str, username: str, request) -> None:
    _publish(
        make_event(
            topics.USER_ACTIVITY,
            f"user.{action}",
            subject=username,
            key=username,
            data={"action": action, "actor": f"user:{username}", "client": client_context(request)},
        )
    )


@receiver(user_logged_in)
def on_signed_in(sender, request, user, **kwargs) -> None:
    if user.is_staff:
        _staff_activity("signed-in", user.get_username(), request)


@receiver(user_logged_out)
def on_signed_out(sender, request, user, **kwargs) -> None:
    if user is not None and user.is_staff:
        _staff_activity("signed-out", user.get_username(), request)


@receiver(user_login_failed)
def on_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # Never the username typed: it is often a password typed into the wrong box.
    client = client_context(request)
    _publish(
        make_event(
            topics.USER_ACTIVITY,
            "user.sign-in-failed",
            subject="sign-in",
            key=client.get("visitor", "unknown"),
            data={"action": "sign-in-failed", "actor": "anonymous", "client": client},
        )
    )


# --- Catalogue changes: durable, in the same transaction ----------------------


def _plain(value):
    return value.name if isinstance(value, FieldFile) else value


def _record_change(instance, action: str, changes: dict) -> None:
    entity = instance._meta.model_name
    data = {
        "entity": entity,
        "action": action,
        "id": instance.pk,
        "slug": instance.slug,
        "label": str(instance),
        "changes": {field: {"old": _plain(old), "new": _plain(new)} for field, (old, new) in changes.items()},
        "actor": context.actor.get(),
    }
    event = make_event(
        topics.DATA_UPDATES, f"{entity}.{action}", subject=instance.slug, key=f"{entity}:{instance.pk}", data=data
    )
    outbox.store([event])


@receiver(post_save, sender=Aircraft)
@receiver(post_save, sender=Manufacturer)
@receiver(post_save, sender=Figure)
@receiver(post_save, sender=AircraftSource)
def on_catalogue_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata of Django fixtures: not a catalogue change anyone made
        return
    changes = instance.changed_fields()
    if changes or created:
        _record_change(instance, "created" if created else "updated", changes)


@receiver(post_delete, sender=Aircraft)
@receiver(post_delete, sender=Manufacturer)
@receiver(post_delete, sender=Figure)
@receiver(post_delete, sender=AircraftSource)
def on_catalogue_deleted(sender, instance, **kwargs) -> None:
    _record_change(instance, "deleted", {})


@receiver(catalogue_loaded)
def on_catalogue_loaded(sender, version: str, report, path: str, **kwargs) -> None:
    outbox.store(
        [
            make_event(
                topics.SYSTEM,
                "catalogue.loaded",
                subject=version,
                key="catalogue",
                data={
                    "version": version,
                    "path": str(path),
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "deleted": report.deleted,
                    "actor": context.actor.get(),
                },
            )
        ]
    )
