"""Consumer text is data, never markup; the PDF engine reads only our own files."""

from pathlib import Path

import pytest

from letters.pdf import render_html, render_one
from letters.rendering.fetcher import FONTS_DIR, RefusedURL, SafeURLFetcher, resolve_allowed

from . import samples
from .helpers import page_text

EVIL_NAME = '<script>alert(1)</script><img src="file:///etc/passwd">'
EVIL_ADDRESS = '<img src="file:///etc/passwd"><link rel="stylesheet" href="http://example.com/x.css">'


@pytest.fixture
def spy_fetcher(monkeypatch):
    """Record every URL WeasyPrint asks for while rendering."""
    seen = []
    original = SafeURLFetcher.fetch

    def fetch(self, url, headers=None):
        seen.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(SafeURLFetcher, "fetch", fetch)
    return seen


@pytest.mark.parametrize("kind,factory", [
    ("first_notice_postcard", samples.postcard), ("apology_letter", samples.apology),
    ("return_kit", samples.return_kit), ("packing_slip", samples.packing_slip)])
def test_injection_is_escaped_and_printed_as_text(kind, factory, spy_fetcher):
    consumer = {"name": EVIL_NAME, "postal_code": "8100001", "address": EVIL_ADDRESS}
    ctx = factory(consumer=consumer, product_name="<b>gum</b>")
    html = render_html(kind, ctx)
    assert "<script>" not in html and '<img src="file' not in html and "<b>gum" not in html
    assert "&lt;script&gt;" in html
    ctx["address_direction"] = "horizontal"  # the postcard's Latin-text path too
    pdf = render_one(kind, ctx)
    assert pdf.startswith(b"%PDF")
    assert not any("passwd" in u or u.startswith("http") for u in spy_fetcher)
    if kind != "first_notice_postcard":  # postcard sets the name in cells, checked below
        assert "<script>" in page_text(pdf).replace("\n", "")


def test_300_character_name_renders():
    name = "あ" * 150 + "Ab<>&\"'" * 21 + "X" * 3
    for kind, factory in (("first_notice_postcard", samples.postcard),
                          ("apology_letter", samples.apology)):
        pdf = render_one(kind, factory(consumer={**samples.CONSUMER, "name": name}))
        assert pdf.startswith(b"%PDF")


def test_fetcher_serves_only_project_fonts_and_assets(tmp_path):
    fetcher = SafeURLFetcher()
    font = fetcher.fetch((FONTS_DIR / "ipaexm.ttf").as_uri())
    assert font.read(4) == b"\x00\x01\x00\x00"
    refused = ["file:///etc/passwd", "file://localhost/etc/passwd", "http://example.com/a.png",
               "https://example.com/font.ttf", "ftp://example.com/x", "data:text/plain,hello",
               (FONTS_DIR / ".." / ".." / "config" / "settings.py").as_uri(),
               (FONTS_DIR / "IPA_Font_License_v1.0.txt").as_uri(),  # not a font/asset type
               "file:///etc/../etc/passwd"]
    link = tmp_path / "evil.ttf"
    link.symlink_to("/etc/passwd")
    refused.append(link.as_uri())
    inside_link = FONTS_DIR / "test-evil-link.ttf"
    for url in refused:
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert len(fetcher.refused) == len(refused)
    assert not inside_link.exists()


def test_fetcher_refuses_symlink_out_of_assets(tmp_path, monkeypatch):
    # A symlink placed inside the allowed folder pointing out of it is refused.
    from letters.rendering import fetcher as fetcher_module

    allowed = tmp_path / "fonts"
    allowed.mkdir()
    (allowed / "ok.ttf").write_bytes(b"\x00\x01\x00\x00font")
    (allowed / "passwd.ttf").symlink_to("/etc/passwd")
    monkeypatch.setattr(fetcher_module, "ALLOWED_ROOTS", (allowed.resolve(),))
    assert resolve_allowed((allowed / "ok.ttf").as_uri()).name == "ok.ttf"
    with pytest.raises(RefusedURL):
        resolve_allowed((allowed / "passwd.ttf").as_uri())


def test_templates_reference_nothing_remote():
    root = Path(__file__).resolve().parents[2]
    for path in [*(root / "templates" / "letters").rglob("*.html"),
                 *(root / "letters" / "static_assets").rglob("*.css")]:
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "//" not in text.replace(
            "://", ""), path
