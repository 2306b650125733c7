"""Photos: the credit is required everywhere, renditions are real images in the
storage, pages show them with their credit, and they travel with the export."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from PIL import Image

from aircraft.models import AircraftPhoto
from aircraft.photos import photo_renditions_build, photo_save, rendition_widths
from tests.admin_pages import page_data
from tests.factories import AircraftFactory, AircraftPhotoFactory, image_upload

from .test_admin import change_url

pytestmark = pytest.mark.django_db


def stored_image(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as handle:
        image = Image.open(handle)
        image.load()
    return image


def test_rendition_widths_never_upscale():
    assert rendition_widths(2400) == [320, 640, 960, 1280, 1920]
    assert rendition_widths(500) == [320, 500]
    assert rendition_widths(200) == [200]


@pytest.mark.parametrize("field", ["author", "licence", "source_url", "alt_text"])
def test_a_photo_without_its_credit_fails_validation_and_the_database_refuses_it(media, field):
    photo = AircraftPhotoFactory.build(aircraft=AircraftFactory(), **{field: ""})
    with pytest.raises(ValidationError) as error:
        photo.full_clean()
    assert field in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        photo.save()


def test_renditions_are_webp_and_jpeg_at_every_width_in_the_storage(media):
    photo = photo_save(photo=AircraftPhotoFactory.build(aircraft=AircraftFactory(), image=image_upload(2000, 1000)))
    sizes = photo.renditions["sizes"]
    assert [s["width"] for s in sizes] == [320, 640, 960, 1280, 1920]
    for size in sizes:
        webp, jpeg = stored_image(size["webp"]), stored_image(size["jpeg"])
        assert (webp.format, jpeg.format) == ("WEBP", "JPEG")
        assert webp.size == jpeg.size == (size["width"], size["height"])
        assert size["height"] == round(size["width"] / 2)
    assert (photo.width, photo.height) == (2000, 1000)


def test_a_transparent_png_gets_renditions_too(media):
    upload = image_upload(400, 300, fmt="PNG", name="cutout.png", mode="RGBA")
    photo = photo_save(photo=AircraftPhotoFactory.build(aircraft=AircraftFactory(), image=upload))
    assert stored_image(photo.renditions["sizes"][-1]["jpeg"]).mode == "RGB"


def test_a_new_file_replaces_the_old_renditions(media):
    photo = photo_save(photo=AircraftPhotoFactory.build(aircraft=AircraftFactory(), image=image_upload(800, 600)))
    old = [s["jpeg"] for s in photo.renditions["sizes"]]
    photo.image = image_upload(700, 700, name="other.jpg")
    photo_save(photo=photo)
    assert all(not default_storage.exists(name) for name in old)
    assert photo.renditions["sizes"][-1]["height"] == 700


def inline(**fields):
    data = {
        "photos-TOTAL_FORMS": 1,
        "photos-INITIAL_FORMS": 0,
        "photos-0-image": image_upload(1000, 750),
        "photos-0-alt_text": "A grey jet on a taxiway.",
        "photos-0-caption": "",
        "photos-0-author": "Staff Sgt. Example",
        "photos-0-licence": "us-government",
        "photos-0-source_url": "https://www.af.mil/News/Photos/",
        "photos-0-position": 0,
    }
    data.update({f"photos-0-{k}": v for k, v in fields.items()})
    return data


@pytest.mark.parametrize("missing", ["author", "licence", "source_url"])
def test_the_admin_refuses_a_photo_without_author_licence_or_source(client, editor, media, missing):
    plane = AircraftFactory()
    response = client.post(change_url(plane), page_data(client, change_url(plane), **inline(**{missing: ""})))
    assert response.status_code == 200
    (photos,) = [i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is AircraftPhoto]
    assert photos.errors[0][missing]
    assert not AircraftPhoto.objects.exists()


def test_an_editor_adds_a_credited_photo_in_the_admin_and_renditions_are_made(client, editor, media):
    plane = AircraftFactory()
    response = client.post(change_url(plane), page_data(client, change_url(plane), **inline()))
    assert response.status_code == 302
    photo = plane.photos.get()
    assert (photo.author, photo.licence, photo.width, photo.height) == (
        "Staff Sgt. Example",
        "us-government",
        1000,
        750,
    )
    assert [s["width"] for s in photo.renditions["sizes"]] == [320, 640, 960, 1000]
    assert default_storage.exists(photo.renditions["sizes"][0]["webp"])


def test_the_aircraft_page_leads_with_the_photo_and_its_credit(client, media):
    plane = AircraftFactory()
    lead = photo_save(photo=AircraftPhotoFactory.build(aircraft=plane, position=0, licence="cc-by-sa-4.0"))
    photo_save(photo=AircraftPhotoFactory.build(aircraft=plane, position=1, image=image_upload(900, 600)))
    html = client.get(plane.get_absolute_url()).content.decode()
    assert html.count("<picture>") == 2
    first = html[html.index("<picture>") : html.index("</figure>")]
    assert '<source type="image/webp" srcset="' in first and " 1280w" in first
    assert 'width="960" height="600"' in first  # the fallback rendition's own size
    assert 'loading="lazy"' not in first and 'fetchpriority="high"' in first
    assert f'alt="{lead.alt_text}"' in first
    assert lead.author in first and 'href="https://creativecommons.org/licenses/by-sa/4.0/"' in first
    second = html[html.rindex("<picture>") :]
    assert 'loading="lazy"' in second
    assert "No photograph on file" not in html


def test_a_photo_without_renditions_yet_still_shows_at_its_own_size(client, media):
    photo = AircraftPhotoFactory(image=image_upload(500, 400))  # saved directly: no renditions
    html = client.get(photo.aircraft.get_absolute_url()).content.decode()
    assert f'src="{photo.image.url}"' in html and 'width="500" height="400"' in html


def test_the_credits_page_lists_every_photo_with_author_licence_and_source(client, media):
    photos = [photo_save(photo=AircraftPhotoFactory.build(aircraft=AircraftFactory())) for _ in range(3)]
    photos[1].licence = "public-domain"
    photos[1].save()
    response = client.get("/credits/")
    html = response.content.decode()
    assert response.status_code == 200
    for photo in photos:
        assert photo.author in html and photo.source_url in html and photo.aircraft.get_absolute_url() in html
    assert "Public domain" in html and "CC BY-SA 4.0" in html
    assert client.get("/credits/?page=x").status_code == 400


def test_a_credits_page_past_the_end_leads_to_the_last_page(client):
    response = client.get("/credits/?page=99999999999999999999999")  # one page, of nothing yet
    assert (response.status_code, response["Location"]) == (302, "/credits/")


def test_catalogue_editors_may_add_change_and_remove_photos():
    codenames = set(Group.objects.get(name="Catalogue editors").permissions.values_list("codename", flat=True))
    assert {"add_aircraftphoto", "change_aircraftphoto", "delete_aircraftphoto"} <= codenames


# --- Export and load ---------------------------------------------------------------


def export() -> dict:
    out = StringIO()
    call_command("export_aircraft", "-", stdout=out)
    return json.loads(out.getvalue())


def load(document: dict, tmp_path) -> str:
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document))
    out = StringIO()
    call_command("load_aircraft", str(path), stdout=out)
    return out.getvalue()


def test_photos_travel_with_the_export_and_come_back_with_a_load(media, tmp_path):
    photo = photo_save(photo=AircraftPhotoFactory.build(aircraft=AircraftFactory(), image=image_upload(700, 500)))
    document = export()
    (record,) = [r for r in document["aircraft"] if r["slug"] == photo.aircraft.slug]
    assert record["photos"] == [
        {
            "image": photo.image.name,
            "alt_text": photo.alt_text,
            "caption": photo.caption,
            "author": photo.author,
            "licence": "cc-by-sa-4.0",
            "source_url": photo.source_url,
            "position": 0,
        }
    ]
    AircraftPhoto.objects.all().delete()
    load(document, tmp_path)
    restored = AircraftPhoto.objects.get()
    assert (restored.author, restored.image.name, restored.width, restored.height) == (
        photo.author,
        photo.image.name,
        700,
        500,
    )
    assert [s["width"] for s in restored.renditions["sizes"]] == [320, 640, 700]
    assert export() == document
    updated_at = restored.updated_at
    load(document, tmp_path)  # the same file again changes nothing
    assert AircraftPhoto.objects.get().updated_at == updated_at


def test_a_record_without_photos_leaves_the_aircraft_photos_alone(media, tmp_path):
    photo = photo_save(photo=AircraftPhotoFactory.build(aircraft=AircraftFactory()))
    document = export()
    for record in document["aircraft"]:
        record.pop("photos", None)
    load(document, tmp_path)
    assert AircraftPhoto.objects.get().pk == photo.pk


def test_a_photo_whose_file_is_missing_or_uncredited_is_refused_and_changes_nothing(media, tmp_path):
    photo = photo_save(photo=AircraftPhotoFactory.build(aircraft=AircraftFactory()))
    document = export()
    (record,) = [r for r in document["aircraft"] if "photos" in r]
    record["photos"].append({**record["photos"][0], "image": "photos/not-there.jpg"})
    with pytest.raises(CommandError) as error:
        load(document, tmp_path)
    assert "photos[1].image: 'photos/not-there.jpg' is not in the media storage" in str(error.value)
    record["photos"] = [{**record["photos"][0], "author": ""}]
    with pytest.raises(CommandError) as error:
        load(document, tmp_path)
    assert "photos.0.author" in str(error.value)
    assert AircraftPhoto.objects.get().author == photo.author


def test_photo_renditions_command_makes_what_is_missing(media):
    photo = AircraftPhotoFactory(image=image_upload(800, 400))
    out = StringIO()
    call_command("photo_renditions", stdout=out)
    photo.refresh_from_db()
    assert [s["width"] for s in photo.renditions["sizes"]] == [320, 640, 800]
    assert "1 photo" in out.getvalue()
    out = StringIO()
    call_command("photo_renditions", stdout=out)
    assert "Nothing to do" in out.getvalue()
    call_command("photo_renditions", "--all", stdout=StringIO())
    photo_renditions_build(photo=photo)
    assert default_storage.exists(photo.renditions["sizes"][0]["webp"])
