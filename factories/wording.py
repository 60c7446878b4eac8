"""Consumer-blaming wording in text written for the consumer.

A letter must never blame the consumer, also when no cause is found (see domain.md). The phrase list
comes from the setting HITOTSUBU_BLAMING_PHRASES when present; the letters engine's check uses the
same setting and the same defaults, so a report that passes here does not fail at printing.
"""

import unicodedata

from django.conf import settings

DEFAULT_BLAMING_PHRASES = (
    "保管",
    "誤使用",
    "お客様の不注意",
    "misuse",
    "storage",
    "you should have",
)


def blaming_phrases() -> tuple[str, ...]:
    return tuple(getattr(settings, "HITOTSUBU_BLAMING_PHRASES", DEFAULT_BLAMING_PHRASES) or ())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def blaming_phrases_in(text: str) -> list[str]:
    """The blaming phrases found in the text (as listed), compared width- and case-insensitively."""
    folded = _fold(text)
    if not folded:
        return []
    return [phrase for phrase in blaming_phrases() if phrase and _fold(phrase) in folded]
