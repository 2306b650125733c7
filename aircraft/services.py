"""Writes to the catalogue. Views, admin actions and commands call these."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .fixture import Document, FixtureError
from .models import SPEC_FIELDS, Aircraft, CatalogueRelease, Manufacturer

DECIMAL_FIELDS = {"length_m", "wingspan_m", "height_m", "max_speed_mach"}
MANUFACTURER_FIELDS = ("name", "slug", "country", "founded", "description", "website", "logo")


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

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.deleted
            or self.release_changed
            or self.manufacturers["created"]
            or self.manufacturers["updated"]
            or self.manufacturers["deleted"]
        )


class _DryRunRollback(Exception):
    pass


def _manufacturer_values(record: dict) -> dict:
    return {
        "name": record["name"],
        "slug": record["slug"],
        "country": record["country"],
        "founded": record.get("founded"),
        "description": record["description"],
        "website": record.get("website", ""),
        "logo": record.get("logo", ""),
    }


def _aircraft_values(record: dict) -> dict:
    specs = record.get("specs", {})
    values = {
        "designation": record["designation"],
        "name": record["name"],
        "slug": record["slug"],
        "role": record["role"],
        "status": record["status"],
        "introduced": record.get("introduced"),
        "description": record["description"],
        "source_name": record["source"]["name"],
        "source_url": record["source"]["url"],
        "source_kind": record["source"]["kind"],
        "source_verified": datetime.date.fromisoformat(record["source"]["verified"]),
        "image": record.get("image", ""),
        "image_alt": record.get("image_alt", ""),
    }
    for name in SPEC_FIELDS:
        value = specs.get(name)
        if name in DECIMAL_FIELDS and value is not None:
            value = Decimal(str(value)).quantize(Decimal("0.01"))
        values[name] = value if value is not None else ("" if name == "engines" else None)
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


def _load(document: Document, prune: bool, report: LoadReport) -> None:
    problems: list[str] = []
    makers = {m.name: m for m in Manufacturer.objects.select_for_update()}
    pending_makers = []
    for index, record in enumerate(document.manufacturers):
        values = _manufacturer_values(record)
        maker = makers.get(record["name"]) or Manufacturer()
        is_new = maker.pk is None
        if not _apply(maker, values):
            report.manufacturers["unchanged"] += 1
            continue
        try:
            maker.full_clean()
        except ValidationError as exc:
            problems += _validation_problems(f"manufacturers[{index}] ({record['name']})", exc)
            continue
        report.manufacturers["created" if is_new else "updated"] += 1
        pending_makers.append(maker)
        makers[maker.name] = maker
    if problems:
        raise FixtureError(problems)
    for maker in pending_makers:
        maker.save()

    existing = {
        (a.manufacturer_id, a.designation.casefold()): a
        for a in Aircraft.objects.select_for_update().select_related("manufacturer")
    }
    kept_ids = set()
    pending: list[Aircraft] = []
    for index, record in enumerate(document.aircraft):
        maker = makers[record["manufacturer"]]
        plane = existing.get((maker.pk, record["designation"].casefold())) or Aircraft(manufacturer=maker)
        is_new = plane.pk is None
        if not _apply(plane, _aircraft_values(record)):
            report.unchanged += 1
            kept_ids.add(plane.pk)
            continue
        try:
            plane.full_clean()
        except ValidationError as exc:
            problems += _validation_problems(
                f"aircraft[{index}] ({record['manufacturer']} {record['designation']})", exc
            )
            continue
        if is_new:
            report.created += 1
        else:
            report.updated += 1
            kept_ids.add(plane.pk)
        pending.append(plane)
    if problems:
        raise FixtureError(problems)
    for plane in pending:
        plane.save()

    if prune:
        kept_ids.update(p.pk for p in pending)
        for plane in Aircraft.objects.exclude(pk__in=kept_ids):
            plane.delete()  # one by one, so each deletion is signalled
            report.deleted += 1
        listed = {record["name"] for record in document.manufacturers}
        for maker in Manufacturer.objects.exclude(name__in=listed):
            if not maker.aircraft.exists():
                maker.delete()
                report.manufacturers["deleted"] += 1

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


def _number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def catalogue_export(*, version: str | None = None) -> dict:
    """The catalogue in the fixture's format, ordered so that diffs stay small."""
    release = CatalogueRelease.objects.order_by("-loaded_at").first()
    header = {
        "version": version or (release.version if release else timezone.now().strftime("%Y.%m.%d")),
        "date": (release.date if release and not version else timezone.localdate()).isoformat(),
        "title": release.title if release and release.title else "HangarStack aircraft catalogue",
    }
    manufacturers = []
    for maker in Manufacturer.objects.order_by("name"):
        record = {
            "name": maker.name,
            "slug": maker.slug,
            "country": maker.country,
            "founded": maker.founded,
            "description": maker.description,
            "website": maker.website,
            "logo": maker.logo.name,
        }
        manufacturers.append({key: value for key, value in record.items() if value not in (None, "")})
    aircraft = []
    for plane in Aircraft.objects.select_related("manufacturer").order_by("manufacturer__name", "designation"):
        specs = {name: _number(getattr(plane, name)) for name in SPEC_FIELDS if getattr(plane, name) not in (None, "")}
        record = {
            "manufacturer": plane.manufacturer.name,
            "designation": plane.designation,
            "name": plane.name,
            "slug": plane.slug,
            "role": plane.role,
            "status": plane.status,
            "introduced": plane.introduced,
            "description": plane.description,
            "specs": specs,
            "source": {
                "name": plane.source_name,
                "url": plane.source_url,
                "kind": plane.source_kind,
                "verified": plane.source_verified.isoformat(),
            },
            "image": plane.image.name,
            "image_alt": plane.image_alt,
        }
        aircraft.append(
            {key: value for key, value in record.items() if (value is not None and value != "") or key == "name"}
        )
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
