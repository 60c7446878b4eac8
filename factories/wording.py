"""Consumer-blaming wording in text written for the consumer.

A letter must never blame the consumer, also when no cause is found (see domain.md). The phrase list
comes from the setting HITOTSUBU_BLAMING_PHRASES when present; the letters engine's check uses the
same setting and the same defaults, so a report that passes here does not fail at printing.
"""

import unicodedata

from django.conf import settings

# The one list (the letters check uses it too). Phrases are specific on purpose: "保管" alone would
# refuse the factory's own "保管サンプル" (retained samples), which every good letter mentions.
DEFAULT_BLAMING_PHRASES = (
    # Japanese
    "お客様の保管", "保管状態", "保管状況", "保管方法", "保管環境", "誤使用", "不注意", "お客様の責任",
    "お客様側の", "お客様のお取り扱い", "取り扱いの誤り", "取扱いの誤り", "使用方法の誤り", "ご使用方法",
    "直射日光", "高温多湿", "当社に責任はございません", "弊社に責任はございません", "起こり得ません",
    "ありえません", "あり得ません", "考えられません",
    # English
    "improper storage", "your storage", "stored it", "storage conditions", "misuse", "mishandl",
    "improper use", "incorrect use", "you should have", "your fault", "your responsibility", "customer error",
    "careless", "cannot happen", "could not have happened", "not our fault",
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
