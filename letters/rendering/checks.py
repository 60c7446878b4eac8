"""The letter check that runs before anything is printed.

A letter goes to a person who already had a bad experience with our product.
The check stops the three mistakes that make it worse: a letter with a hole
in it (a placeholder, an empty value, an empty section), and wording that
puts the blame on the consumer (domain.md: "A letter must never blame the
consumer, also when no cause is found").
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from factories.wording import DEFAULT_BLAMING_PHRASES
from letters.rendering import contexts, engine

# Default for settings.HITOTSUBU_BLAMING_PHRASES, matched case-insensitively against the visible
# text: one list for the whole product (what the factory may not submit, a letter may not print).
# A false alarm costs a reviewer a minute; a letter that blames the consumer costs the consumer.

# Left-over template syntax or drafting markers, and Python's None printed
# by a template for a missing value.
_PLACEHOLDER = re.compile(
    r"\{\{|\}\}|\{%|%\}|\[\[|\]\]|＿＿|___|〇〇様|○○"
    # Words: ASCII-letter boundaries, as \b would not separate 策 from TODO.
    r"|(?<![A-Za-z])(?:TODO|TBD|FIXME|XXX|None)(?![A-Za-z])"
)


class _Text(HTMLParser):
    """Visible text, plus the text of each element marked data-section."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.sections: dict[str, list[str]] = {}
        self._stack: list[tuple[str, str | None]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "meta", "img", "link", "hr"):
            return
        section = dict(attrs).get("data-section")
        if section is not None:
            self.sections.setdefault(section, [])
        self._stack.append((tag, section))
        if tag in ("style", "script", "title", "svg"):
            self._skip += 1

    def handle_endtag(self, tag):
        while self._stack:
            name, _ = self._stack.pop()
            if name in ("style", "script", "title", "svg"):
                self._skip -= 1
            if name == tag:
                break

    def handle_data(self, data):
        if self._skip:
            return
        self.parts.append(data)
        for _, section in self._stack:
            if section is not None:
                self.sections[section].append(data)


def blaming_phrases() -> list[str]:
    return list(engine.setting("HITOTSUBU_BLAMING_PHRASES", DEFAULT_BLAMING_PHRASES))


def check_html(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    text = "\n".join(parser.parts)
    problems = []
    for match in sorted({m.group(0) for m in _PLACEHOLDER.finditer(text)}):
        problems.append(f"unfilled placeholder {match!r}")
    for name, parts in parser.sections.items():
        if not "".join(parts).strip():
            problems.append(f"empty section {name!r}")
    folded = text.casefold()
    for phrase in blaming_phrases():
        if phrase and phrase.casefold() in folded:
            problems.append(f"wording that may blame the consumer: {phrase!r}")
    return problems


def check_letter(kind: str, context_or_rendered_html) -> list[str]:
    """Problems that must be fixed before printing; [] means it may be printed.

    Given a context, the required values are checked too and the letter is
    rendered to HTML (the exact HTML that goes to WeasyPrint) and checked.
    Given a string, it is taken as that rendered HTML.
    """
    engine.check_kind(kind)
    if isinstance(context_or_rendered_html, str):
        return check_html(context_or_rendered_html)
    prepared = engine.prepare(kind, context_or_rendered_html)
    problems = [f"missing value: {path}" for path in contexts.missing_values(kind, prepared)]
    problems += prepared["problems"]
    problems += check_html(engine.render_html(kind, [prepared]))
    return list(dict.fromkeys(problems))
