"""Both catalogues are complete and compiled: an untranslated or fuzzy string fails here.

After changing any UI string: `django-admin makemessages -l ja -l en --ignore=.venv`, translate,
then `django-admin compilemessages --ignore=.venv`.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{ ?\w+ ?\}\}")


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr / msgstr[n], flags."""
    entries, entry, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if not line:
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, key = None, None
            continue
        entry = entry if entry is not None else {"flags": set()}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _space, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_empty_or_fuzzy_entry(language):
    path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"missing {path}: run makemessages"
    entries = [e for e in parse_po(path) if e["msgid"]]
    assert len(entries) > 100
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in entries if not all(v for k, v in e.items() if k.startswith("msgstr"))]
    assert not fuzzy, f"fuzzy in {language}: {fuzzy}"
    assert not empty, f"untranslated in {language}: {empty}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language):
    for entry in parse_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"):
        wanted = sorted(PLACEHOLDER.findall(entry["msgid"]))
        for key, value in entry.items():
            if key.startswith("msgstr") and entry["msgid"]:
                assert sorted(PLACEHOLDER.findall(value)) == wanted, (language, entry["msgid"], value)


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    """A .po edited without compilemessages would silently show the old text."""
    directory = LOCALE_DIR / language / "LC_MESSAGES"
    with open(directory / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for entry in parse_po(directory / "django.po"):
        if not entry["msgid"] or "msgid_plural" in entry:
            continue
        msgid = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        assert compiled._catalog.get(msgid) == entry["msgstr"], f"{language}: {entry['msgid']!r} not compiled"


def test_japanese_uses_the_trade_terms():
    ja = {e["msgid"]: e.get("msgstr") for e in parse_po(LOCALE_DIR / "ja" / "LC_MESSAGES" / "django.po")}
    assert ja["Cause of escape"] == "流出原因"
    assert ja["Prevention measures"] == "再発防止策"
    assert ja["Hotline"] == "お客様相談室"
    assert "着払い" in ja["Ask for the product back (cash on delivery)"]
