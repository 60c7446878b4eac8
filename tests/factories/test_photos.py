"""Photos of the sample: JPEG/PNG by content, size-limited, stored privately under a random name."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from PIL import Image

from defects import services
from defects.models import State
from factories.photos import validate_photo


def image_file(name, fmt, size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


@pytest.fixture
def investigating(make_case):
    return make_case(State.INVESTIGATING)


@pytest.mark.parametrize("name, fmt, content_type, extension", [
    ("wrapper.jpg", "JPEG", "image/jpeg", ".jpg"),
    ("wrapper.png", "PNG", "image/png", ".png"),
    ("IMG_0001.JPG", "PNG", "image/png", ".png"),   # the name lies; the content decides
])
def test_real_photos_are_accepted_and_stored_privately(investigating, cast, settings, name, fmt, content_type,
                                                       extension):
    photo = services.add_photo(investigating, cast["qa_kyu"], image_file(name, fmt), caption="short stick")
    assert photo.content_type == content_type and photo.caption == "short stick"
    assert photo.file.name.startswith("investigations/") and photo.file.name.endswith(extension)
    assert name.split(".")[0] not in photo.file.name  # the uploader's file name is not kept
    path = Path(photo.file.path)
    assert path.is_file() and str(path).startswith(str(settings.MEDIA_ROOT))
    assert photo.size == path.stat().st_size and photo.uploaded_by == cast["qa_kyu"]


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("photo.jpg", b"This is a text file pretending to be a photo.\n" * 20), "not a readable"),
    (SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100), "not a readable"),
    (SimpleUploadedFile("photo.jpg", b""), "empty"),  # Django's own message (tests run in English)
])
def test_files_that_are_not_jpeg_or_png_photos_are_refused(investigating, cast, upload, message):
    with pytest.raises(ValidationError) as error:
        services.add_photo(investigating, cast["qa_kyu"], upload)
    assert message in error.value.message_dict["file"][0]
    assert not investigating.investigation.photos.exists()


def test_other_image_formats_are_refused(investigating, cast):
    with pytest.raises(ValidationError) as error:
        services.add_photo(investigating, cast["qa_kyu"], image_file("scan.jpg", "GIF"))
    assert "JPEG or PNG" in error.value.message_dict["file"][0]


def test_oversized_photos_are_refused_with_the_limit(investigating, cast, settings):
    settings.HITOTSUBU_PHOTO_MAX_BYTES = 100 * 1024
    buffer = io.BytesIO()
    Image.effect_noise((400, 400), 100).convert("RGB").save(buffer, format="PNG")  # noise: ~160 kB
    big = SimpleUploadedFile("big.png", buffer.getvalue())
    assert big.size > settings.HITOTSUBU_PHOTO_MAX_BYTES
    with pytest.raises(ValidationError) as error:
        services.add_photo(investigating, cast["qa_kyu"], big)
    assert "may be at most 0.1 MB" in error.value.message_dict["file"][0]
    assert not investigating.investigation.photos.exists()


def test_default_limit_is_five_megabytes(settings):
    assert settings.HITOTSUBU_PHOTO_MAX_BYTES == 5 * 1024 * 1024
    upload = SimpleUploadedFile("x.jpg", b"0" * (5 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError) as error:
        validate_photo(upload)
    assert error.value.code == "too_large" and "5.0 MB" in error.value.messages[0]


def test_only_the_cases_factory_adds_photos_and_only_on_a_draft(make_case, cast):
    case = make_case(State.INVESTIGATING)
    with pytest.raises(PermissionDenied):
        services.add_photo(case, cast["qa_sai"], image_file("a.png", "PNG"))
    approved = make_case(State.APPROVED)
    with pytest.raises(services.TransitionConflict):
        services.add_photo(approved, cast["qa_kyu"], image_file("a.png", "PNG"))


def test_removing_a_photo_deletes_its_file_after_commit(investigating, cast, django_capture_on_commit_callbacks):
    photo = services.add_photo(investigating, cast["qa_kyu"], image_file("a.png", "PNG"))
    path = Path(photo.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_photo(investigating, cast["qa_kyu"], photo.pk)
    assert not path.exists() and not investigating.investigation.photos.exists()
    with pytest.raises(Http404):
        services.remove_photo(investigating, cast["qa_kyu"], photo.pk)


def test_photo_ids_are_in_the_submitted_version(investigating, cast):
    photo = services.add_photo(investigating, cast["qa_kyu"], image_file("a.jpg", "JPEG"), caption="seal")
    from tests.conftest import fill_report

    fill_report(investigating, cast["qa_kyu"])
    services.submit_report(investigating, cast["qa_kyu"])
    assert investigating.investigation.versions.get().snapshot["photos"] == [{"id": photo.pk, "caption": "seal"}]


def png_header_only(width, height) -> bytes:
    """A valid PNG claiming width x height pixels, built by hand: no need to allocate them to test."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = zlib.compress(b"\x00" * (width + 1) * 2)  # two rows of a greyscale image; never read here
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


@pytest.mark.parametrize("width, height", [(10_000, 10_000), (7_000, 7_000), (100_000, 1_000)])
def test_a_photo_with_too_many_pixels_is_refused_before_it_is_decoded(investigating, cast, width, height):
    upload = SimpleUploadedFile("huge.png", png_header_only(width, height))
    assert upload.size < 100_000  # small on the wire; 100 million pixels once decoded
    with pytest.raises(ValidationError) as error:
        services.add_photo(investigating, cast["qa_kyu"], upload)
    message = error.value.message_dict["file"][0]
    assert "40 million pixels" in message and "smaller photo" in message
    assert not investigating.investigation.photos.exists()


def test_the_pixel_limit_comes_from_the_settings(investigating, cast, settings):
    settings.HITOTSUBU_PHOTO_MAX_PIXELS = 1_000
    with pytest.raises(ValidationError) as error:
        services.add_photo(investigating, cast["qa_kyu"], image_file("small.png", "PNG", size=(40, 30)))
    assert "40 × 30 pixels" in error.value.message_dict["file"][0]
    settings.HITOTSUBU_PHOTO_MAX_PIXELS = 40_000_000
    assert services.add_photo(investigating, cast["qa_kyu"], image_file("small.png", "PNG", size=(40, 30)))


def test_the_pixel_message_is_in_the_readers_language(investigating, cast):
    from django.utils import translation

    with translation.override("ja"), pytest.raises(ValidationError) as error:
        services.add_photo(investigating, cast["qa_kyu"], SimpleUploadedFile("huge.png", png_header_only(10_000, 10_000)))
    assert "画素" in error.value.message_dict["file"][0]
