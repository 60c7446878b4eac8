import pytest

from factories.models import Line, PlantCode, Product


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def biscuit(kyu, sai):
    """Made in two plants: the lot code decides where a case goes (no default factory)."""
    product = Product.objects.create(code="BISCUIT-12", name="ビスケット 12枚", lot_format="YYYY.MM.DD P L")
    PlantCode.objects.create(product=product, code="KY", factory=kyu)
    PlantCode.objects.create(product=product, code="+SA", factory=sai)
    return product


@pytest.fixture
def lines(kyu, sai):
    return {
        "KYU-3": Line.objects.create(factory=kyu, code="3", name="ビスケット第3ライン"),
        "SAI-1": Line.objects.create(factory=sai, code="1", name="焼成1号"),
    }
