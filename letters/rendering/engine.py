"""HTML and PDF for one document (one letter, or one chunk of a batch).

Per process we build the expensive WeasyPrint objects once: a
FontConfiguration holding the two vendored @font-face fonts, the parsed
stylesheets per kind, and the safe URL fetcher. A worker of the batch pool
calls warm_up() once and then renders many chunks with them.

Templates are rendered by a private Django template Engine (autoescape on,
project templates/ dir) rather than the TEMPLATES setting: a letter must look
the same in a web request, a Celery task and a spawned batch worker, with no
context processors or request in play, and it must work before/without a
configured database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template import Engine
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from letters.rendering import contexts
from letters.rendering.fetcher import ASSETS_DIR, FONTS_DIR, SafeURLFetcher

BASE_DIR = Path(__file__).resolve().parent.parent.parent
TEMPLATES_DIR = BASE_DIR / "templates"
CSS_DIR = ASSETS_DIR / "css"

KINDS = {
    # kind: stylesheets (in order); the template is templates/letters/<kind>.html
    "first_notice_postcard": ("fonts.css", "postcard.css"),
    "return_kit": ("fonts.css", "letter.css"),
    "apology_letter": ("fonts.css", "letter.css"),
    "packing_slip": ("fonts.css", "letter.css"),
}
FONT_FILES = (FONTS_DIR / "ipaexm.ttf", FONTS_DIR / "ipaexg.ttf")

logger = logging.getLogger(__name__)


def setting(name: str, default):
    """A HITOTSUBU_* setting, or the default when Django is not configured."""
    if settings.configured:
        return getattr(settings, name, default)
    return default


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown letter kind {kind!r}; expected one of {sorted(KINDS)}")


def prepare(kind: str, context) -> dict:
    check_kind(kind)
    if kind == "first_notice_postcard":
        return contexts.prepare_postcard(
            context,
            vertical=setting("HITOTSUBU_POSTCARD_ADDRESS_DIRECTION", "vertical") == "vertical",
            print_boxes=setting("HITOTSUBU_POSTCARD_PRINT_BOXES", False),
        )
    return contexts.PREPARE[kind](context)


_template_engine: Engine | None = None


def template_engine() -> Engine:
    global _template_engine
    if _template_engine is None:
        _template_engine = Engine(dirs=[str(TEMPLATES_DIR)], autoescape=True, debug=False,
                                  string_if_invalid="")
    return _template_engine


def render_html(kind: str, items: list[dict]) -> str:
    """HTML for one document holding the prepared items (one page set each)."""
    check_kind(kind)
    template = template_engine().get_template(f"letters/{kind}.html")
    language = items[0]["language"] if items else "ja"
    from django.template import Context

    return template.render(Context({"items": items, "language": language}))


@dataclass
class Resources:
    font_config: FontConfiguration
    stylesheets: dict[str, list[CSS]]
    fetcher: SafeURLFetcher


_resources: Resources | None = None


def warm_up() -> Resources:
    """Build (once per process) the font configuration and parsed stylesheets."""
    global _resources
    if _resources is None:
        # WeasyPrint logs every render step and fontTools every subset table at
        # INFO; with the project's root logger at INFO a 10,000-card batch would
        # write ~100 lines per chunk. Warnings (missing font, refused URL) stay.
        for name in ("weasyprint.progress", "fontTools"):
            logging.getLogger(name).setLevel(logging.WARNING)
        for font in FONT_FILES:
            if not font.is_file():  # never fall back silently to a host font
                raise FileNotFoundError(f"letter font missing: {font}")
        fetcher = SafeURLFetcher()
        font_config = FontConfiguration()
        parsed: dict[str, CSS] = {}
        sheets = {}
        for kind, names in KINDS.items():
            for name in names:
                if name not in parsed:
                    path = CSS_DIR / name
                    parsed[name] = CSS(string=path.read_text(encoding="utf-8"),
                                       base_url=path.as_uri(), url_fetcher=fetcher,
                                       font_config=font_config)
            sheets[kind] = [parsed[n] for n in names]
        _resources = Resources(font_config, sheets, fetcher)
    return _resources


def write_pdf(kind: str, html: str, target=None):
    """PDF bytes (or written to target) for one HTML document of this kind."""
    res = warm_up()
    document = HTML(string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=res.fetcher)
    return document.write_pdf(target, stylesheets=res.stylesheets[kind],
                              font_config=res.font_config)


def render_items(kind: str, items: list[dict], target=None):
    return write_pdf(kind, render_html(kind, items), target)
