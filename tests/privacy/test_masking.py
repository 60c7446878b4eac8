"""Finding the consumer's personal data in free text, however it was typed, and nothing else."""

import pytest

from privacy import masking

CONSUMER = {"name": "蒼井\u3000紫苑", "name_kana": "アオイ\u3000シオン", "postal_code": "8100001",
            "address": "福岡県福岡市中央区天神9-8-7\u3000ひとつぶハイツ305", "phone": "092-555-0123",
            "email": "shion.aoi@example.jp"}
M = masking.MASK


@pytest.fixture(scope="module")
def patterns():
    return masking.patterns_for(CONSUMER)


@pytest.mark.parametrize("typed", [
    "092-555-0123", "0925550123", "０９２－５５５－０１２３", "092 555 0123", "092(555)0123", "+81 92 555 0123",
    "+81-92-555-0123", "092ー555ー0123", "０９２ー５５５ー０１２３",
])
def test_the_consumers_phone_is_masked_in_any_formatting(patterns, typed):
    masked = masking.mask(f"お客様の電話 {typed} まで折り返し", patterns)
    assert "555" not in masked and "５５５" not in masked and M in masked
    assert masked.startswith("お客様の電話 ") and masked.endswith(" まで折り返し")


@pytest.mark.parametrize("typed", ["蒼井紫苑", "蒼井 紫苑", "蒼井　紫苑", "蒼井　 紫苑"])
def test_the_consumers_name_is_masked_with_or_without_spaces(patterns, typed):
    assert masking.mask(f"{typed}様より入電", patterns) == f"{M}様より入電"


def test_the_family_name_alone_is_the_consumer_too(patterns):
    assert masking.mask("蒼井様は箱を保管中", patterns) == f"{M}様は箱を保管中"


@pytest.mark.parametrize("typed", ["アオイシオン", "ｱｵｲ ｼｵﾝ", "あおい　しおん", "アオイ"])
def test_the_reading_is_masked_in_katakana_hiragana_and_half_width(patterns, typed):
    assert masking.mask(f"読み {typed} 様", patterns) == f"読み {M} 様"


@pytest.mark.parametrize("typed", ["shion.aoi@example.jp", "SHION.AOI@EXAMPLE.JP", "ｓｈｉｏｎ．ａｏｉ＠ｅｘａｍｐｌｅ．ｊｐ"])
def test_the_consumers_email_is_masked_in_any_case_and_width(patterns, typed):
    assert masking.mask(f"メール {typed} へ", patterns) == f"メール {M} へ"


@pytest.mark.parametrize("typed, expected", [
    ("福岡県福岡市中央区天神9-8-7　ひとつぶハイツ305", M),
    ("天神９－８－７にお住まい", f"{M}にお住まい"),
    ("ひとつぶハイツ305号室", f"{M}号室"),
    ("〒810-0001", M),
    ("８１０－０００１", M),
])
def test_the_address_its_street_part_and_postal_code_are_masked(patterns, typed, expected):
    assert masking.mask(typed, patterns) == expected


@pytest.mark.parametrize("text", [
    "One stick in the pack was wrapped crookedly and the gum was exposed.",
    "ロット 2026.11.20 KY3 賞味期限 2027-05-20 3本入り",
    "天神店で購入、包装が破れていた",
    "lot 20261120123, 12 pieces, line 3",
    "紫色の異物",  # '紫' is in the name, one character alone is not the consumer
])
def test_product_facts_are_left_alone(patterns, text):
    assert masking.mask(text, patterns) == text
    assert masking.find(CONSUMER, text) == []


def test_any_phone_number_or_email_is_masked_whoever_it_belongs_to(patterns):
    masked = masking.mask("娘さん 090-1234-5678 / musume@example.com", patterns)
    assert masked == f"娘さん {M} / {M}"


def test_find_names_each_kind_once_in_a_fixed_order():
    text = "蒼井様 092-555-0123 shion.aoi@example.jp 天神9-8-7 アオイ"
    assert masking.find(CONSUMER, text) == ["name", "kana", "phone", "email", "address"]


def test_an_erased_consumer_has_nothing_left_to_match():
    erased = {name: masking.ERASED for name in ("name", "name_kana", "address", "phone", "email")}
    text = "（消去済み） was here, call 092-555-0123"
    # The marker itself is not personal data; a phone number still is.
    assert masking.mask(text, masking.patterns_for(erased)) == f"（消去済み） was here, call {M}"
