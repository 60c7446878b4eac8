"""Japanese text to search keys: base forms of content words, found by Janome's morphological analyser.

Why Janome: pure Python with its IPADIC dictionary inside the wheel (one pinned package, no native
build, no separate dictionary download), good enough for short complaint texts. A verb also yields
its 連用形 stem, the form Japanese uses as a noun (破れる -> 破れ, 割れる -> 割れ, 入る -> 入り), so
`包装が破れていた` and `包装の破れ` share the keys 包装 and 破れ.
"""

import functools
import re
import unicodedata
from collections import Counter

# Parts of speech that carry content; sub-kinds that do not (suffixes, pronouns, numbers, 非自立 like いる in ていた).
CONTENT_POS = {"名詞", "動詞", "形容詞"}
SKIP_DETAIL = {"非自立", "代名詞", "数", "接尾", "特殊"}
# 五段 verbs: the last kana of the base form and the i-row kana of the 連用形.
GODAN_RENYOU = str.maketrans("うくぐすつぬぶむる", "いきぎしちにびみり")
STOP_WORDS = {"する", "なる", "ある", "いる", "れる", "られる", "こと", "もの", "よう", "ため", "さん", "様"}
MAX_TEXT = 4000


@functools.lru_cache(maxsize=1)
def _tokenizer():
    from janome.tokenizer import Tokenizer

    # mmap: the dictionary is mapped, not copied into each worker's memory.
    return Tokenizer(mmap=True)


def _normalise(text: str) -> str:
    # Full-width letters and digits to half-width, half-width kana to full-width; lower-case Latin.
    return unicodedata.normalize("NFKC", text or "").lower()[:MAX_TEXT]


def keys(text: str) -> Counter:
    """Search keys of the text with their counts (term frequency)."""
    found = Counter()
    for token in _tokenizer().tokenize(_normalise(text)):
        pos = token.part_of_speech.split(",")
        if pos[0] not in CONTENT_POS or pos[1] in SKIP_DETAIL:
            continue
        base = token.base_form if token.base_form not in ("", "*") else token.surface
        if base in STOP_WORDS or len(base) > 40 or re.fullmatch(r"[\W_]+", base):
            continue
        if len(base) == 1 and not re.match(r"[\u4e00-\u9fff]", base):
            continue  # one kana or letter says nothing; one kanji (傷, 虫, 穴) does
        found[base] += 1
        if pos[0] == "動詞":
            stem = _renyou(base, token.infl_type)
            if stem and stem != base:
                found[stem] += 1
    return found


def _renyou(base: str, infl_type: str) -> str:
    """The 連用形 of a verb, which Japanese also uses as a noun (破れる -> 破れ)."""
    if infl_type.startswith("一段"):
        return base[:-1] if base.endswith("る") and len(base) > 1 else ""
    if infl_type.startswith("五段"):
        return base[:-1] + base[-1].translate(GODAN_RENYOU) if len(base) > 1 else ""
    return ""
