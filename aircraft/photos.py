"""Photos: resized renditions, and photos in the catalogue's export and load.

Renditions are made once, when a photo is saved (the admin, load_aircraft, or
`manage.py photo_renditions` for any missing), never while a page renders: a
page only reads the names stored in AircraftPhoto.renditions. Every file goes
through the photo's own storage (settings.STORAGES["default"]), so the same
code writes to a disk or to object storage.

Export and load: an aircraft record may carry a "photos" list (credit and
file name, as in the export). The files themselves travel in the media backup
(scripts/backup.sh) or the storage bucket; the catalogue file carries which
file belongs to which aircraft, with its credit.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from .models import Aircraft, AircraftPhoto

WIDTHS = (320, 640, 960, 1280, 1920)
FORMATS = (("webp", "WEBP", "image/webp"), ("jpeg", "JPEG", "image/jpeg"))
QUALITY = {"WEBP": 80, "JPEG": 82}
EXPORT_FIELDS = ("image", "alt_text", "caption", "author", "licence", "source_url", "position")


# --- Renditions ---------------------------------------------------------------


def rendition_widths(original_width: int) -> list[int]:
    """Standard widths narrower than the original, plus the original (capped at the widest)."""
    widths = [w for w in WIDTHS if w < original_width]
    widths.append(min(original_width, WIDTHS[-1]))
    return sorted(set(widths))


def photo_renditions_current(photo: AircraftPhoto) -> bool:
    return bool(photo.renditions) and photo.renditions.get("source") == photo.image.name


def photo_renditions_build(*, photo: AircraftPhoto) -> dict:
    """Make every width in WebP and JPEG from the photo's file, store them, record their names.

    Replaces (and deletes) renditions of an earlier file. Returns the new
    `renditions` value, already saved on the photo.
    """
    storage = photo.image.storage
    with photo.image.open("rb") as source:
        original = Image.open(source)
        original = ImageOps.exif_transpose(original)  # phones store rotation in EXIF
        original.load()
    if original.mode not in ("RGB", "L"):
        background = Image.new("RGB", original.size, (255, 255, 255))
        rgba = original.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        original = background
    original = original.convert("RGB")
    key = hashlib.blake2b(photo.image.name.encode(), digest_size=6).hexdigest()
    sizes = []
    for width in rendition_widths(original.width):
        height = max(1, round(original.height * width / original.width))
        resized = original if width == original.width else original.resize((width, height), Image.Resampling.LANCZOS)
        entry = {"width": width, "height": height}
        for ext, pillow_format, _ in FORMATS:
            buffer = io.BytesIO()
            resized.save(buffer, pillow_format, quality=QUALITY[pillow_format], optimize=True)
            name = f"photos/renditions/{photo.pk}/{key}-{width}.{ext}"
            if storage.exists(name):
                storage.delete(name)
            entry[ext] = storage.save(name, ContentFile(buffer.getvalue()))
        sizes.append(entry)
    old = photo.renditions or {}
    renditions = {"source": photo.image.name, "sizes": sizes}
    AircraftPhoto.objects.filter(pk=photo.pk).update(renditions=renditions)
    photo.renditions = renditions
    kept = {entry[ext] for entry in sizes for ext, _, _ in FORMATS}
    for entry in old.get("sizes", []):
        for ext, _, _ in FORMATS:
            if entry.get(ext) and entry[ext] not in kept:
                storage.delete(entry[ext])
    return renditions


def photo_save(*, photo: AircraftPhoto) -> AircraftPhoto:
    """Validate, save and (when the file is new) make the renditions."""
    photo.full_clean()
    photo.save()
    if not photo_renditions_current(photo):
        photo_renditions_build(photo=photo)
    return photo


def photo_delete_files(*, photo: AircraftPhoto) -> None:
    """Remove the renditions from storage (the original stays, as Django leaves FileFields)."""
    storage = photo.image.storage
    for entry in (photo.renditions or {}).get("sizes", []):
        for ext, _, _ in FORMATS:
            if entry.get(ext):
                storage.delete(entry[ext])


# --- What templates read -------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    """Everything a <picture> element needs, as URLs."""

    photo: AircraftPhoto
    sources: list[tuple[str, str]]  # (mime type, srcset)
    src: str
    srcset: str
    width: int
    height: int


def picture(photo: AircraftPhoto, fallback_width: int = 960) -> Picture:
    """URLs for one photo: WebP and JPEG srcsets, and a JPEG for browsers without srcset.

    Until renditions exist (a photo loaded but not yet processed), the original
    file alone is offered, at its own size.
    """
    storage = photo.image.storage
    sizes = (photo.renditions or {}).get("sizes") if photo_renditions_current(photo) else None
    if not sizes:
        url = photo.image.url
        return Picture(photo, [], url, "", photo.width, photo.height)
    sources = []
    for ext, _, mime in FORMATS:
        sources.append((mime, ", ".join(f"{storage.url(s[ext])} {s['width']}w" for s in sizes)))
    fallback = min(sizes, key=lambda s: (abs(s["width"] - fallback_width), -s["width"]))
    jpeg = next(srcset for mime, srcset in sources if mime == "image/jpeg")
    return Picture(photo, sources[:1], storage.url(fallback["jpeg"]), jpeg, fallback["width"], fallback["height"])


# --- Export and load -----------------------------------------------------------------


def photos_export(plane: Aircraft) -> list[dict]:
    """An aircraft's photos for the catalogue file: credit, order and file name."""
    records = []
    for photo in plane.photos.all():
        record = {name: getattr(photo, name) for name in EXPORT_FIELDS}
        record["image"] = photo.image.name
        records.append({key: value for key, value in record.items() if value != ""})
    return records


def photos_problems(plane: Aircraft, records: list[dict], where: str) -> list[str]:
    """Model rules for each photo record, and its file present in storage; [] when all is well."""
    problems = []
    storage = AircraftPhoto._meta.get_field("image").storage
    for index, record in enumerate(records):
        # Without the file: opening a missing one would raise before it could be reported.
        photo = AircraftPhoto(aircraft=plane, **{k: record.get(k, "") for k in EXPORT_FIELDS[1:-1]})
        photo.position = record.get("position", index)
        try:
            photo.full_clean(exclude=["aircraft", "image"])
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                problems.append(f"{where}: photos[{index}].{name}: {' '.join(messages)}")
        if not record.get("image") or not storage.exists(record["image"]):
            problems.append(f"{where}: photos[{index}].image: {record.get('image')!r} is not in the media storage")
    return problems


def photos_load(plane: Aircraft, records: list[dict]) -> bool:
    """Make the aircraft's photos exactly these (keyed on file name); True if anything changed.

    Call photos_problems first: this assumes the records are valid.
    """
    existing = {photo.image.name: photo for photo in plane.photos.all()}
    changed = False
    for index, record in enumerate(records):
        photo = existing.pop(record["image"], None) or AircraftPhoto(aircraft=plane)
        values = {name: record.get(name, "") for name in EXPORT_FIELDS if name != "image"}
        values["position"] = record.get("position", index)
        differs = photo.pk is None or any(getattr(photo, k) != v for k, v in values.items())
        if not differs:
            if not photo_renditions_current(photo):
                photo_renditions_build(photo=photo)
            continue
        for name, value in values.items():
            setattr(photo, name, value)
        if photo.pk is None:
            photo.image = record["image"]  # the descriptor reads its width and height
        photo_save(photo=photo)
        changed = True
    for photo in existing.values():
        photo_delete_files(photo=photo)
        photo.delete()
        changed = True
    return changed
