"""Photos of the returned sample: validated by their content, never by their name.

The file is opened with Pillow; only a JPEG or PNG that Pillow verifies is accepted, and only up to
HITOTSUBU_PHOTO_MAX_BYTES (default 5 MB) and HITOTSUBU_PHOTO_MAX_PIXELS (default 40 million, checked
from the header before anything is decoded: a 300 KB PNG can decode to 300 MB). The bytes are stored as uploaded: nothing is stripped or
re-encoded. Photos live in private media (MEDIA_ROOT/investigations/), never served as static files.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}


def max_bytes() -> int:
    return int(getattr(settings, "HITOTSUBU_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_pixels() -> int:
    return int(getattr(settings, "HITOTSUBU_PHOTO_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def _too_many_pixels(width, height, limit) -> ValidationError:
    return ValidationError(
        _("The photo is %(width)s × %(height)s pixels; photos may have at most %(limit)s million pixels. "
          "Please send a smaller photo.") % {"width": width, "height": height, "limit": f"{limit / 1e6:g}"},
        code="too_many_pixels",
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def validate_photo(uploaded) -> str:
    """Check an uploaded file; return its content type ('image/jpeg' or 'image/png').

    Raises ValidationError with a message the person uploading can act on.
    """
    from PIL import Image, UnidentifiedImageError

    if uploaded is None:
        raise ValidationError(_("Choose a photo to upload."), code="required")
    size = getattr(uploaded, "size", None)
    if size is None:
        raise ValidationError(_("The upload is not a file."), code="invalid")
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            _("The photo is %(size)s; photos may be at most %(limit)s. Please send a smaller photo.")
            % {"size": _megabytes(size), "limit": _megabytes(limit)},
            code="too_large",
        )
    pixels = max_pixels()
    # Pillow refuses to decode past this (DecompressionBombError at twice it), for any image anywhere.
    Image.MAX_IMAGE_PIXELS = pixels
    try:
        uploaded.seek(0)
        # open() reads only the header: the dimensions are checked before anything is decoded.
        with Image.open(uploaded) as image:
            kind = image.format
            width, height = image.size
            if width * height > pixels:
                raise _too_many_pixels(width, height, pixels)
            image.verify()
    except Image.DecompressionBombError:  # more than twice the limit: Pillow stops at the header too
        raise ValidationError(
            _("The photo has more than %(limit)s million pixels, the most a photo may have. "
              "Please send a smaller photo.") % {"limit": f"{pixels / 1e6:g}"}, code="too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("The file is not a readable JPEG or PNG photo (whatever its name says)."), code="not_an_image"
        ) from None
    finally:
        uploaded.seek(0)
    if kind not in FORMATS:
        raise ValidationError(
            _("Photos must be JPEG or PNG; this file is %(kind)s.") % {"kind": kind or _("an unknown format")},
            code="format",
        )
    return FORMATS[kind][0]


def photo_upload_to(instance, filename) -> str:
    """A random name with the extension of the detected format; the uploader's file name is not kept."""
    extension = {ct: ext for ct, ext in FORMATS.values()}.get(instance.content_type, "bin")
    return f"investigations/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"
