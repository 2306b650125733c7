"""Writes to the catalogue. Views, admin actions and commands call these."""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from . import digest as digests
from . import quantities
from .fixture import Document, FixtureError
from .models import (
    CONFIGURATION_FIELDS,
    SOURCED_FIELDS,
    Aircraft,
    AircraftSource,
    CatalogueRelease,
    Correction,
    Figure,
    Manufacturer,
    SearchTotal,
)
from .photos import photos_export, photos_load, photos_problems
from .stamps import catalogue_stamp_refresh

MANUFACTURER_FIELDS = ("name", "slug", "country", "founded", "description", "website", "logo")
DATES = ("first_flight", "entered_service", "retired")


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    manufacturers: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0}
    )
    release_changed: bool = False
    photos_changed: int = 0  # aircraft whose photos were added, changed or removed

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.deleted
            or self.release_changed
            or self.photos_changed
            or self.manufacturers["created"]
            or self.manufacturers["updated"]
            or self.manufacturers["deleted"]
        )


class _DryRunRollback(Exception):
    pass


def _compact(record: dict) -> dict:
    """Drop empty values so that a record and its export compare equal."""
    return {key: value for key, value in record.items() if value not in (None, "", [], {})}


# --- One record, both ways ---------------------------------------------------


MANUFACTURER_SOURCE_FIELDS = {
    "id": "source_key",
    "title": "source_title",
    "publisher": "source_publisher",
    "url": "source_url",
    "kind": "source_kind",
    "checked": "source_checked",
}


def _manufacturer_source(values: dict) -> dict:
    """A manufacturer's source as the catalogue file gives it (empty parts left out)."""
    return _compact({key: values.get(key) for key in MANUFACTURER_SOURCE_FIELDS})


def manufacturer_record(maker: Manufacturer) -> dict:
    source = _manufacturer_source(
        {key: getattr(maker, column) for key, column in MANUFACTURER_SOURCE_FIELDS.items()}
        | {"checked": maker.source_checked.isoformat() if maker.source_checked else None}
    )
    sources = [source] if source else []
    return _compact(
        {
            "name": maker.name,
            "slug": maker.slug,
            "country": maker.country,
            "founded": maker.founded,
            "successor": maker.successor.name if maker.successor_id else None,
            "description": maker.description,
            "website": maker.website,
            "logo": maker.logo.name,
            "sources": sources,
        }
    )


def normalised_manufacturer(record: dict) -> dict:
    sources = [source for source in map(_manufacturer_source, record.get("sources", [])) if source]
    return _compact({**{key: record.get(key) for key in (*MANUFACTURER_FIELDS, "successor")}, "sources": sources})


def aircraft_record(plane: Aircraft, sources: list[AircraftSource], figures: list[Figure]) -> dict:
    """An aircraft in the fixture's format (docs/catalogue-model.md)."""
    keys = {source.pk: source.key for source in sources}

    def event(prefix: str) -> dict | None:
        year = getattr(plane, f"{prefix}_year")
        if year is None:
            return None
        day = getattr(plane, f"{prefix}_date")
        return _compact(
            {
                "year": year,
                "date": day.isoformat() if day else None,
                "source": keys.get(getattr(plane, f"{prefix}_source_id")),
            }
        )

    production = _compact(
        {
            "first_year": plane.production_first_year,
            "last_year": plane.production_last_year,
            "number_built": plane.number_built,
            "counted_year": plane.number_built_year,
        }
    )
    powerplant = _compact({"count": plane.engine_count, "model": plane.engine_model, "type": plane.engine_type})
    return _compact(
        {
            "slug": plane.slug,
            "manufacturer": plane.manufacturer.name,
            "designation": plane.designation,
            "name": plane.name,
            "variant_of": plane.variant_of.slug if plane.variant_of_id else None,
            "role": plane.role,
            "status": plane.status,
            "country": plane.country,
            "description": plane.description,
            "notes": plane.notes,
            "unpublished": list(plane.unpublished),
            "identity": _compact(
                {
                    "icao_type": plane.icao_type,
                    "wake_category": plane.wake_category,
                    "military_designation": plane.military_designation,
                    "nato_name": plane.nato_name,
                    "aliases": list(plane.aliases),
                }
            ),
            "sources": [
                {
                    "id": source.key,
                    "title": source.title,
                    "publisher": source.publisher,
                    "url": source.url,
                    "kind": source.kind,
                    "checked": source.checked.isoformat(),
                }
                for source in sources
            ],
            "dates": _compact({prefix: event(prefix) for prefix in DATES}),
            "production": _compact({**production, "source": keys.get(plane.production_source_id)})
            if production
            else None,
            "powerplant": _compact({**powerplant, "source": keys.get(plane.powerplant_source_id)})
            if powerplant
            else None,
            "configuration": _compact(
                {
                    **{name: getattr(plane, name) for name in CONFIGURATION_FIELDS},
                    "source": keys.get(plane.configuration_source_id),
                }
            ),
            "figures": [
                _compact(
                    {
                        "quantity": figure.quantity,
                        "kind": figure.kind,
                        "value": figure.value,
                        "unit": figure.unit,
                        "condition": figure.condition,
                        "source": keys[figure.source_id],
                    }
                )
                for figure in sorted(figures, key=_figure_order)
            ],
            "image": plane.image.name,
            "image_alt": plane.image_alt,
        }
    )


def _figure_order(figure) -> tuple[int, int]:
    quantity = figure["quantity"] if isinstance(figure, dict) else figure.quantity
    kind = figure.get("kind") if isinstance(figure, dict) else figure.kind
    spec = quantities.QUANTITIES[quantity]
    kinds = [code for code, _ in spec.kinds]
    return list(quantities.QUANTITIES).index(quantity), kinds.index(kind) if kind in kinds else 0


def normalised_aircraft(record: dict) -> dict:
    """A fixture record as aircraft_record would export it: defaults filled, empties dropped."""
    figures = [
        _compact({**figure, "kind": figure.get("kind") or quantities.QUANTITIES[figure["quantity"]].default_kind})
        for figure in record.get("figures", [])
    ]
    dates = _compact({prefix: _compact(event) if event else None for prefix, event in record.get("dates", {}).items()})
    production = record.get("production") or {}
    powerplant = record.get("powerplant") or {}
    return _compact(
        {
            **record,
            "identity": _compact(record.get("identity", {})),
            "dates": dates,
            "production": _compact(production) if len(_compact(production)) > 1 else None,
            "powerplant": _compact(powerplant) if len(_compact(powerplant)) > 1 else None,
            "configuration": _compact(record.get("configuration", {})),
            "figures": sorted(figures, key=_figure_order),
            "photos": None,  # photos are compared and loaded on their own (_load_photos)
        }
    )


def _source_for(sources: dict[str, AircraftSource], block: dict | None) -> AircraftSource | None:
    return sources.get(block["source"]) if block and block.get("source") else None


def _aircraft_scalars(record: dict) -> dict:
    identity = record.get("identity", {})
    dates = record.get("dates", {})
    production = record.get("production") or {}
    powerplant = record.get("powerplant") or {}
    values = {
        "designation": record["designation"],
        "name": record["name"],
        "slug": record["slug"],
        "role": record["role"],
        "status": record["status"],
        "country": record.get("country", ""),
        "description": record["description"],
        "notes": record.get("notes", ""),
        "icao_type": identity.get("icao_type", ""),
        "wake_category": identity.get("wake_category", ""),
        "military_designation": identity.get("military_designation", ""),
        "nato_name": identity.get("nato_name", ""),
        "aliases": list(identity.get("aliases", [])),
        "unpublished": list(record.get("unpublished", [])),
        "production_first_year": production.get("first_year"),
        "production_last_year": production.get("last_year"),
        "number_built": production.get("number_built"),
        "number_built_year": production.get("counted_year"),
        "engine_count": powerplant.get("count"),
        "engine_model": powerplant.get("model", ""),
        "engine_type": powerplant.get("type", ""),
        "image": record.get("image", ""),
        "image_alt": record.get("image_alt", ""),
        **{name: record.get("configuration", {}).get(name, "") for name in CONFIGURATION_FIELDS},
    }
    for prefix in DATES:
        event = dates.get(prefix) or {}
        values[f"{prefix}_year"] = event.get("year")
        values[f"{prefix}_date"] = datetime.date.fromisoformat(event["date"]) if event.get("date") else None
    return values


def _apply(instance, values: dict) -> bool:
    """Set values on instance; True if anything differed."""
    changed = False
    for name, value in values.items():
        current = getattr(instance, name)
        if name in ("image", "logo"):
            current = current.name or ""
        if current != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _validation_problems(where: str, error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{where}: {name}: {' '.join(messages)}" for name, messages in error.message_dict.items()]
    return [f"{where}: {' '.join(error.messages)}"]


# --- Loading ------------------------------------------------------------------


def catalogue_load(*, document: Document, prune: bool = False, dry_run: bool = False) -> LoadReport:
    """Upsert the whole document in one transaction, keyed on (manufacturer, designation).

    Every record is validated against the model rules first; any problem rolls
    everything back and raises FixtureError listing all of them.
    """
    report = LoadReport()
    try:
        with transaction.atomic():
            _load(document, prune, report)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    except IntegrityError as exc:  # a constraint the checks above did not foresee
        raise FixtureError([f"database refused the catalogue: {exc}"]) from exc
    return report


def _load_manufacturers(document: Document, report: LoadReport) -> dict[str, Manufacturer]:
    problems: list[str] = []
    makers = {m.name: m for m in Manufacturer.objects.select_for_update(of=("self",)).select_related("successor")}
    current = {name: manufacturer_record(maker) for name, maker in makers.items()}
    pending = []
    for index, record in enumerate(document.manufacturers):
        maker = makers.get(record["name"]) or Manufacturer()
        if maker.pk and current[maker.name] == normalised_manufacturer(record):
            report.manufacturers["unchanged"] += 1
            continue
        source = (record.get("sources") or [{}])[0]
        values = {key: record.get(key, "") for key in MANUFACTURER_FIELDS}
        values["founded"] = record.get("founded")
        values |= {column: source.get(key, "") for key, column in MANUFACTURER_SOURCE_FIELDS.items()}
        values["source_checked"] = datetime.date.fromisoformat(source["checked"]) if source.get("checked") else None
        is_new = maker.pk is None
        _apply(maker, values)
        try:
            maker.full_clean(exclude=["successor"])
        except ValidationError as exc:
            problems += _validation_problems(f"manufacturers[{index}] ({record['name']})", exc)
            continue
        report.manufacturers["created" if is_new else "updated"] += 1
        pending.append((maker, record))
        makers[maker.name] = maker
    if problems:
        raise FixtureError(problems)
    for maker, _ in pending:
        maker.save()
    for maker, record in pending:
        successor = makers.get(record["successor"]) if record.get("successor") else None
        if maker.successor_id != (successor.pk if successor else None):
            maker.successor = successor
            maker.save(update_fields=["successor", "updated_at"])
    return makers


def _load(document: Document, prune: bool, report: LoadReport) -> None:
    makers = _load_manufacturers(document, report)
    problems: list[str] = []
    existing = {
        (a.manufacturer_id, a.designation.casefold()): a
        for a in Aircraft.objects.select_for_update(of=("self",)).select_related("manufacturer", "variant_of")
    }
    own_sources = _group(AircraftSource.objects.filter(aircraft__in=[a.pk for a in existing.values()]))
    own_figures = _group(Figure.objects.filter(aircraft__in=[a.pk for a in existing.values()]))
    kept_ids = set()
    pending: list[tuple[Aircraft, dict]] = []
    for index, record in enumerate(document.aircraft):
        maker = makers[record["manufacturer"]]
        plane = existing.get((maker.pk, record["designation"].casefold())) or Aircraft(manufacturer=maker)
        if plane.pk:
            kept_ids.add(plane.pk)
            current = aircraft_record(plane, own_sources.get(plane.pk, []), own_figures.get(plane.pk, []))
            if current == normalised_aircraft(record):
                report.unchanged += 1
                continue
        is_new = plane.pk is None
        _apply(plane, _aircraft_scalars(record))
        try:
            plane.full_clean(exclude=["variant_of", *SOURCED_FIELDS])
        except ValidationError as exc:
            problems += _validation_problems(
                f"aircraft[{index}] ({record['manufacturer']} {record['designation']})", exc
            )
            continue
        report.created += is_new
        report.updated += not is_new
        pending.append((plane, record))
    if problems:
        raise FixtureError(problems)

    by_slug = {plane.slug: plane for plane in existing.values()}
    for plane, record in pending:
        plane.save()
        by_slug[plane.slug] = plane
        _sync_children(plane, record, own_sources.get(plane.pk, []), own_figures.get(plane.pk, []))
    for plane, record in pending:
        base = by_slug.get(record["variant_of"]) if record.get("variant_of") else None
        if plane.variant_of_id != (base.pk if base else None):
            plane.variant_of = base
            plane.save(update_fields=["variant_of", "updated_at"])
    _load_photos(document, makers, report)

    if prune:
        kept_ids.update(plane.pk for plane, _ in pending)
        doomed = list(Aircraft.objects.exclude(pk__in=kept_ids))
        # Variants first: a base cannot go while a variant still points at it.
        for plane in sorted(doomed, key=lambda p: -len(p.lineage())):
            plane.delete()  # one by one, so each deletion is signalled
            report.deleted += 1
        listed = {record["name"] for record in document.manufacturers}
        for maker in Manufacturer.objects.exclude(name__in=listed):
            if not maker.aircraft.exists():
                maker.delete()
                report.manufacturers["deleted"] += 1

    if pending:
        changed = [plane.pk for plane, _ in pending]
        catalogue_refresh_digests(aircraft=Aircraft.objects.filter(pk__in=_with_descendants(changed)))

    header = document.catalogue
    release = CatalogueRelease.objects.order_by("-loaded_at").first() or CatalogueRelease()
    release_values = {
        "version": header["version"],
        "date": datetime.date.fromisoformat(header["date"]),
        "title": header.get("title", ""),
    }
    if _apply(release, release_values):
        release.save()
        report.release_changed = True


def _load_photos(document: Document, makers: dict, report: LoadReport) -> None:
    """Records that carry a "photos" list get exactly those photos; records without one keep theirs."""
    listed = [(i, r) for i, r in enumerate(document.aircraft) if "photos" in r]
    if not listed:
        return
    planes = {
        (p.manufacturer_id, p.designation.casefold()): p
        for p in Aircraft.objects.filter(manufacturer__in=makers.values()).prefetch_related("photos")
    }
    problems, work = [], []
    for index, record in listed:
        plane = planes[(makers[record["manufacturer"]].pk, record["designation"].casefold())]
        where = f"aircraft[{index}] ({record['manufacturer']} {record['designation']})"
        problems += photos_problems(plane, record["photos"], where)
        work.append((plane, record["photos"]))
    if problems:
        raise FixtureError(problems)
    for plane, records in work:
        if photos_load(plane, records):
            report.photos_changed += 1


def _group(queryset) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in queryset.order_by("aircraft_id", "position" if queryset.model is AircraftSource else "pk"):
        grouped.setdefault(row.aircraft_id, []).append(row)
    return grouped


def _sync_children(plane: Aircraft, record: dict, sources: list[AircraftSource], figures: list[Figure]) -> None:
    """Make the aircraft's sources and figures those of the record, saving only what changed."""
    by_key = {source.key: source for source in sources}
    wanted = []
    for position, item in enumerate(record["sources"]):
        source = by_key.pop(item["id"], None) or AircraftSource(aircraft=plane, key=item["id"])
        values = {
            "title": item["title"],
            "publisher": item["publisher"],
            "url": item["url"],
            "kind": item["kind"],
            "checked": datetime.date.fromisoformat(item["checked"]),
            "position": position,
        }
        if _apply(source, values) or source.pk is None:
            source.save()
        wanted.append(source)
    resolved = {source.key: source for source in wanted}

    by_figure = {(f.quantity, f.kind): f for f in figures}
    for item in record.get("figures", []):
        kind = item.get("kind") or quantities.QUANTITIES[item["quantity"]].default_kind
        figure = by_figure.pop((item["quantity"], kind), None) or Figure(
            aircraft=plane, quantity=item["quantity"], kind=kind
        )
        values = {
            "value": item["value"],
            "unit": item["unit"],
            "condition": item.get("condition", ""),
            "source_id": resolved[item["source"]].pk,
        }
        if _apply(figure, values) or figure.pk is None:
            figure.save()
    for figure in by_figure.values():
        figure.delete()

    dates = record.get("dates", {})
    links = {f"{prefix}_source": _source_for(resolved, dates.get(prefix)) for prefix in DATES}
    links["production_source"] = _source_for(resolved, record.get("production"))
    links["powerplant_source"] = _source_for(resolved, record.get("powerplant"))
    links["configuration_source"] = _source_for(resolved, record.get("configuration"))
    changed = [
        name for name, source in links.items() if getattr(plane, f"{name}_id") != (source.pk if source else None)
    ]
    for name in changed:
        setattr(plane, name, links[name])
    if changed:
        plane.save(update_fields=[*changed, "updated_at"])
    for source in by_key.values():  # sources no record names any more
        source.delete()


def _with_descendants(ids: list[int]) -> set[int]:
    found, frontier = set(ids), set(ids)
    while frontier:
        frontier = set(Aircraft.objects.filter(variant_of__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return found


# --- Derived columns ------------------------------------------------------------


def effective_figures(plane: Aircraft, figures_by_aircraft: dict[int, list[Figure]]) -> dict[tuple[str, str], Figure]:
    """The aircraft's figures with those of its base types filled in where it gives none."""
    effective: dict[tuple[str, str], Figure] = {}
    for member in plane.lineage():
        for figure in figures_by_aircraft.get(member.pk, []):
            effective.setdefault((figure.quantity, figure.kind), figure)
    return effective


def catalogue_refresh_digests(*, aircraft: QuerySet[Aircraft]) -> int:
    """Recompute the sort and card columns of these aircraft from their figures."""
    planes = list(aircraft.select_related("variant_of__variant_of__variant_of"))
    lineage_ids = {member.pk for plane in planes for member in plane.lineage()}
    figures = _group(Figure.objects.filter(aircraft__in=lineage_ids))
    for plane in planes:
        plain = {
            key: digests.PlainFigure(f.quantity, f.kind, f.value, f.unit)
            for key, f in effective_figures(plane, figures).items()
        }
        era, _ = plane.inherited("entered_service_year")
        if era is None:
            era, _ = plane.inherited("first_flight_year")
        for name, value in digests.digest(plain, era).items():
            setattr(plane, name, value)
        # What the drawing needs besides sizes, inherited like the figures.
        plane.digest["layout"] = {name: plane.inherited(name)[0] for name in ("engine_count", *CONFIGURATION_FIELDS)}
    Aircraft.objects.bulk_update(planes, ["era_year", "rank_speed_mach", "rank_range_km", "rank_mtow_kg", "digest"])
    return len(planes)


def aircraft_refresh_digest(*, aircraft: Aircraft) -> None:
    """After an edit: this aircraft and every variant that inherits from it."""
    catalogue_refresh_digests(aircraft=Aircraft.objects.filter(pk__in=_with_descendants([aircraft.pk])))
    transaction.on_commit(catalogue_stamp_refresh)


# --- Export ---------------------------------------------------------------------


def catalogue_export(*, version: str | None = None) -> dict:
    """The catalogue in the fixture's format, ordered so that diffs stay small."""
    release = CatalogueRelease.objects.order_by("-loaded_at").first()
    header = {
        "version": version or (release.version if release else timezone.now().strftime("%Y.%m.%d")),
        "date": (release.date if release and not version else timezone.localdate()).isoformat(),
        "title": release.title if release and release.title else "HangarStack aircraft catalogue",
    }
    manufacturers = [manufacturer_record(m) for m in Manufacturer.objects.select_related("successor").order_by("name")]
    planes = list(
        Aircraft.objects.select_related("manufacturer", "variant_of")
        .prefetch_related("photos")
        .order_by("manufacturer__name", "designation")
    )
    sources = _group(AircraftSource.objects.all())
    figures = _group(Figure.objects.all())
    aircraft = [aircraft_record(p, sources.get(p.pk, []), figures.get(p.pk, [])) for p in planes]
    for plane, record in zip(planes, aircraft, strict=True):
        record.setdefault("name", "")
        if photos := photos_export(plane):
            record["photos"] = photos
    return {"catalogue": header, "manufacturers": manufacturers, "aircraft": aircraft}


def aircraft_retire(*, aircraft: QuerySet[Aircraft]) -> int:
    """Mark aircraft retired, one save each so every change is recorded."""
    count = 0
    with transaction.atomic():
        for plane in aircraft.select_for_update().exclude(status=Aircraft.Status.RETIRED):
            plane.status = Aircraft.Status.RETIRED
            plane.full_clean()
            plane.save(update_fields=["status", "updated_at"])
            count += 1
    return count


# --- Corrections from visitors ---------------------------------------------------


def correction_submit(
    *, aircraft: Aircraft, quantity: str, kind: str, value: str, unit: str, source_url: str, note: str = ""
) -> Correction:
    """A visitor's correction, waiting in the review queue."""
    correction = Correction(
        aircraft=aircraft, quantity=quantity, kind=kind, value=value, unit=unit, source_url=source_url, note=note
    )
    correction.full_clean()
    correction.save()
    return correction


def _reviewable(correction: Correction) -> Correction:
    locked = Correction.objects.select_for_update().select_related("aircraft").get(pk=correction.pk)
    if locked.status != Correction.Status.PENDING:
        raise ValidationError(f"This correction was already {locked.get_status_display().lower()}.")
    return locked


def _correction_source(correction: Correction) -> AircraftSource:
    """The aircraft's source at the correction's address, or a new one for it."""
    plane = correction.aircraft
    existing = AircraftSource.objects.filter(aircraft=plane, url=correction.source_url).first()
    if existing is not None:
        return existing
    taken = set(AircraftSource.objects.filter(aircraft=plane).values_list("key", flat=True))
    key, n = f"correction-{correction.pk}", 1
    while key in taken:
        n += 1
        key = f"correction-{correction.pk}-{n}"
    host = urlsplit(correction.source_url).hostname or correction.source_url
    last = (
        AircraftSource.objects.filter(aircraft=plane).order_by("-position").values_list("position", flat=True).first()
    )
    source = AircraftSource(
        aircraft=plane,
        key=key,
        title=correction.source_title or f"{correction.label} ({host})",
        publisher=correction.source_publisher or host.removeprefix("www."),
        url=correction.source_url,
        kind=correction.source_kind,
        checked=timezone.localdate(),
        position=(last or 0) + 1,
    )
    source.full_clean()
    source.save()
    return source


def correction_accept(*, correction: Correction, editor: str) -> Figure:
    """Write the corrected figure and its source, as an editor's edit in the admin would:
    each save is a change event on hangarstack.data.updates, in this transaction."""
    with transaction.atomic():
        correction = _reviewable(correction)
        if (
            not correction.source_kind
            and not AircraftSource.objects.filter(aircraft=correction.aircraft, url=correction.source_url).exists()
        ):
            raise ValidationError("Say what kind of source it is (source kind) before accepting.")
        source = _correction_source(correction)
        figure = Figure.objects.filter(
            aircraft=correction.aircraft, quantity=correction.quantity, kind=correction.kind
        ).first() or Figure(aircraft=correction.aircraft, quantity=correction.quantity, kind=correction.kind)
        if figure.source_id != source.pk:
            figure.condition = ""  # the old source's condition is not the new one's
        figure.value, figure.unit, figure.source = correction.value, correction.unit, source
        figure.full_clean()
        figure.save()
        correction.status = Correction.Status.ACCEPTED
        correction.figure = figure
        correction.reviewed_by = editor[:150]
        correction.reviewed_at = timezone.now()
        correction.save(update_fields=["status", "figure", "reviewed_by", "reviewed_at"])
        aircraft_refresh_digest(aircraft=correction.aircraft)
    return figure


def correction_decline(*, correction: Correction, editor: str) -> None:
    with transaction.atomic():
        correction = _reviewable(correction)
        correction.status = Correction.Status.DECLINED
        correction.reviewed_by = editor[:150]
        correction.reviewed_at = timezone.now()
        correction.save(update_fields=["status", "reviewed_by", "reviewed_at"])


def search_totals_hide(*, searches: QuerySet[SearchTotal], hidden: bool = True) -> int:
    """Keep queries out of (or back in) the popular searches the site publishes;
    pages that show them are rebuilt once the change commits."""
    from .stamps import popularity_changed

    with transaction.atomic():
        count = searches.exclude(hidden=hidden).update(hidden=hidden)
        transaction.on_commit(popularity_changed)
    return count
