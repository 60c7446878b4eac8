"""API helpers: a token client per cast member and the JSON body of a new case."""

import pytest
from rest_framework.test import APIClient

from tests.conftest import DISTINCTIVE_CONSUMER, intake_data

CONSUMER_KEYS = ("name", "name_kana", "postal_code", "address", "phone", "email")


def case_body(for_product, consumer=None, **overrides) -> dict:
    """The JSON a client sends to POST /api/cases/ (consumer nested), from the shared intake data."""
    flat = intake_data(for_product)
    body = {k: v for k, v in flat.items() if not k.startswith("consumer_")}
    body["consumer"] = {k: DISTINCTIVE_CONSUMER[f"consumer_{k}"] for k in CONSUMER_KEYS}
    if isinstance(consumer, dict):
        body["consumer"].update(consumer)
    elif consumer is not None:
        body["consumer"] = consumer  # a wrong type on purpose
    body.update(overrides)
    return body


def token_client(user) -> APIClient:
    from accounts.models import ApiToken

    _instance, token = ApiToken.objects.create(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def api(cast):
    """api("hotline") -> an APIClient authenticated with that cast member's token."""
    clients = {}

    def client_for(who):
        if who not in clients:
            clients[who] = token_client(cast[who])
        return clients[who]

    return client_for


def case_url(case_or_reference, *rest) -> str:
    reference = getattr(case_or_reference, "reference", case_or_reference)
    return "/".join(["/api/cases", reference, *rest, ""])


@pytest.fixture
def biscuit(kyu, sai):
    """Made in two plants: the lot code decides where a case goes (no default factory)."""
    from factories.models import PlantCode, Product

    product = Product.objects.create(code="BISCUIT-12", name="ビスケット 12枚", lot_format="YYYY.MM.DD P L")
    PlantCode.objects.create(product=product, code="KY", factory=kyu)
    PlantCode.objects.create(product=product, code="+SA", factory=sai)
    return product


def image_bytes(fmt="JPEG", size=(40, 30)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/jpeg")
