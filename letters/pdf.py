"""Letters as PDF: the public API and the context contract.

    from letters.pdf import render_one, render_batch, check_letter

    problems = check_letter("apology_letter", ctx)      # [] -> fit to print
    pdf_bytes = render_one("apology_letter", ctx)
    render_batch("first_notice_postcard", ctxs, "/path/out.pdf", progress=bar.update)

The engine never touches models: a context is a plain dict (or dataclass;
nested values may be dicts or dataclasses). Missing values render empty and
are reported by check_letter; rendering itself never refuses a context.

Common keys (every kind)
    language      'ja' (default) or 'en'
    date          datetime.date the letter is dated
    reference     str, the case reference, e.g. 'HT-2026-000123'
    product_name  str
    consumer      {name, postal_code, address}   postal_code: '8100001' or '810-0001';
                  address: str, a newline separates street and building (a
                  second line is set as a second, lower column on the postcard),
                  or a list of lines
    sender        the consumer hotline: {name, postal_code, address, phone, hours}
                  (name: whitespace separates organisation and department, set
                  as separate columns on the postcard)

first_notice_postcard  (100 x 148 mm; 2 pages per card: address side, message side)
    common keys, plus optional
    factory_name       str (not printed on the card today; kept for the mapping)
    address_direction  'vertical' | 'horizontal'  overrides
                       settings.HITOTSUBU_POSTCARD_ADDRESS_DIRECTION (default 'vertical').
                       A name mostly in Latin letters is always set horizontally.
    print_boxes        bool, overrides settings.HITOTSUBU_POSTCARD_PRINT_BOXES (default
                       False): print the vermilion postal-code boxes and stamp box
                       for blank card stock.

return_kit  (A4, 1 page)
    common keys, plus
    return_reference  str printed large and as a QR code (defaults to reference)
    carrier           str, e.g. 'ヤマト運輸（宅急便）'
    return_to         {name, postal_code, address, phone}: where the parcel goes

apology_letter  (A4 business letter)
    common keys (sender unused), plus
    factory      {name, postal_code, address, responsible}  responsible: title and name
    summary      the approved consumer-facing summary:
                 {conclusion: 'determined' | 'probable' | 'not_determined',
                  defect: str (optional; what was wrong, e.g. 'a stick wrapped wrongly'),
                  examined, manufacturing_process, cause_occurrence, cause_escape,
                  prevention, findings}
                 Each text is a str (blank line = new paragraph) or list of paragraphs.
                 determined/probable need examined, manufacturing_process,
                 cause_occurrence, cause_escape, prevention. not_determined needs
                 examined (what was checked), findings (what was found) and prevention
                 (what is done anyway); it states the conclusion first.
    replacement  [{name, quantity}] (or [str]) the replacement enclosed
    goodwill     str, optional small gift enclosed

packing_slip  (A5)
    common keys, plus
    items           [{name, quantity}] replacement product(s) (falls back to replacement)
    include_letter  bool (default True): the apology letter is listed as enclosed
    goodwill        str, optional goodwill item

Settings read (all optional): HITOTSUBU_BLAMING_PHRASES (list of str; default
letters.rendering.checks.DEFAULT_BLAMING_PHRASES), HITOTSUBU_POSTCARD_ADDRESS_DIRECTION,
HITOTSUBU_POSTCARD_PRINT_BOXES.

Batches (render_batch): chunks of letters render in worker subprocesses, one per core
(letters/rendering/worker.py; plain subprocesses, so a Celery prefork child, which is
daemonic, uses every core too), and are joined into one PDF in order. First-notice
postcards are set as a printed form (letters/rendering/form.py): what cards share is laid
out once per chunk and drawn under each card's own part; the pages look exactly like
render_one's.

Safety: consumer text is autoescaped by Django; WeasyPrint's URL fetcher
(letters.rendering.fetcher.SafeURLFetcher) serves only letters/fonts and
letters/static_assets, never the network; templates load nothing remote.
Fonts: IPAex Mincho/Gothic from letters/fonts, embedded and subset in every PDF.
"""

from __future__ import annotations

from letters.rendering import engine
from letters.rendering.batch import render_batch
from letters.rendering.checks import DEFAULT_BLAMING_PHRASES, check_letter
from letters.rendering.engine import KINDS

__all__ = ["KINDS", "DEFAULT_BLAMING_PHRASES", "check_letter", "render_batch", "render_html",
           "render_one"]


def render_one(kind: str, context) -> bytes:
    """The PDF of one letter (all its pages) as bytes."""
    return engine.render_items(kind, [engine.prepare(kind, context)])


def render_html(kind: str, context) -> str:
    """The HTML WeasyPrint receives for one letter (for previews and check_letter)."""
    return engine.render_html(kind, [engine.prepare(kind, context)])
