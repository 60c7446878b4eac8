"""defects.carriers: carrier names and tracking-number checks."""

import pytest

from defects.carriers import (
    CARRIERS,
    JAPAN_POST,
    SAGAWA,
    YAMATO,
    Carrier,
    InvalidTrackingNumber,
    UnknownCarrier,
    carrier_choices,
    format_tracking_number,
    get_carrier,
    seven_dr_check_digit,
    validate_tracking_number,
)

# Sample numbers quoted in public sources the rules were checked against
# (a Yamato calculator's worked example, READMEs of shipping libraries, a
# Japan Post redelivery notice, a registered-mail number from a blog).
YAMATO_SAMPLES = ["123456789013", "444413758703"]
SAGAWA_SAMPLES = ["512547514334"]
JAPAN_POST_12 = ["405548424886", "202610971043"]
JAPAN_POST_11 = ["13112383852"]


def test_carrier_codes_match_the_model_choices():
    assert list(CARRIERS) == ["japan_post", "yamato", "sagawa"]


@pytest.mark.parametrize(
    "code, ja, en",
    [("japan_post", "日本郵便", "Japan Post"), ("yamato", "ヤマト運輸", "Yamato Transport"),
     ("sagawa", "佐川急便", "Sagawa Express")],
)
def test_display_names(code, ja, en):
    carrier = get_carrier(code)
    assert (carrier.code, carrier.name_ja, carrier.name_en) == (code, ja, en)
    assert carrier.name("ja") == ja and carrier.name("en") == en and carrier.name("en-us") == en
    assert str(carrier) == ja


def test_carrier_choices():
    assert carrier_choices() == [("japan_post", "日本郵便"), ("yamato", "ヤマト運輸"), ("sagawa", "佐川急便")]
    assert carrier_choices("en")[1] == ("yamato", "Yamato Transport")


def test_get_carrier_accepts_a_carrier():
    assert get_carrier(YAMATO) is YAMATO
    assert isinstance(get_carrier("sagawa"), Carrier)


@pytest.mark.parametrize("code", ["fedex", "Yamato", "", None, 1, ["yamato"], "yamato "])
def test_unknown_carrier(code):
    with pytest.raises(UnknownCarrier, match="japan_post, yamato, sagawa"):
        get_carrier(code)
    with pytest.raises(UnknownCarrier):
        validate_tracking_number(code, "123456789013")


def test_unknown_carrier_is_a_value_error():
    assert issubclass(UnknownCarrier, ValueError) and issubclass(InvalidTrackingNumber, ValueError)


@pytest.mark.parametrize(
    "body, digit", [("12345678901", "3"), ("00000000007", "0"), ("99999999999", str(99999999999 % 7)),
                    ("1234567890", str(1234567890 % 7))]
)
def test_seven_dr(body, digit):
    assert seven_dr_check_digit(body) == digit


@pytest.mark.parametrize("body", ["", "12a", "１２３", None])
def test_seven_dr_refuses_non_digits(body):
    with pytest.raises(ValueError):
        seven_dr_check_digit(body)


@pytest.mark.parametrize(
    "carrier, number",
    [("yamato", n) for n in YAMATO_SAMPLES] + [("sagawa", n) for n in SAGAWA_SAMPLES]
    + [("japan_post", n) for n in JAPAN_POST_12 + JAPAN_POST_11],
)
def test_public_samples_are_valid(carrier, number):
    assert validate_tracking_number(carrier, number) == number


@pytest.mark.parametrize("carrier", ["yamato", "sagawa", "japan_post"])
@pytest.mark.parametrize(
    "text",
    ["123456789013", "1234-5678-9013", "1234 5678 9013", "１２３４－５６７８－９０１３",
     "１２３４ー５６７８ー９０１３", "1234‐5678‐9013", "1234−5678−9013", "1234–5678–9013",
     " 1234　5678　9013 ", "1234-5678-9013\t"],
)
def test_twelve_digit_variants(carrier, text):
    assert validate_tracking_number(carrier, text) == "123456789013"


@pytest.mark.parametrize("carrier", ["yamato", "sagawa", "japan_post"])
def test_every_wrong_check_digit_is_refused(carrier):
    for last in "0124567893":
        if last == "3":
            continue
        with pytest.raises(InvalidTrackingNumber, match="mistyped or misread"):
            validate_tracking_number(carrier, "12345678901" + last)


def test_single_digit_typos_are_mostly_caught():
    # 7DR is weak (e.g. 0<->7 is invisible); it still catches most typos.
    number = "444413758703"
    caught = total = 0
    for position in range(11):
        for digit in "0123456789":
            if digit == number[position]:
                continue
            total += 1
            typo = number[:position] + digit + number[position + 1:]
            try:
                validate_tracking_number("yamato", typo)
            except InvalidTrackingNumber:
                caught += 1
    assert caught / total > 0.75


@pytest.mark.parametrize("carrier", ["yamato", "sagawa"])
@pytest.mark.parametrize("text", ["13112383852", "1234567890", "1234567890123", "1"])
def test_yamato_and_sagawa_need_twelve_digits(carrier, text):
    with pytest.raises(InvalidTrackingNumber, match=r"12 digits \(e.g. 1234-5678-9013\)"):
        validate_tracking_number(carrier, text)


def test_japan_post_registered_mail_eleven_digits():
    assert validate_tracking_number("japan_post", "131-12-38385-2") == "13112383852"
    with pytest.raises(InvalidTrackingNumber, match="mistyped"):
        validate_tracking_number("japan_post", "131-12-38385-3")


@pytest.mark.parametrize("text", ["1234567890", "1234567890123", "EA123456789JP"])
def test_japan_post_other_lengths_refused_with_both_formats_named(text):
    with pytest.raises(InvalidTrackingNumber) as info:
        validate_tracking_number("japan_post", text)
    assert "12 digits" in str(info.value) and "11 digits for registered mail" in str(info.value)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "---", "abcdefghijkl", "1234-5678-901X", "1234/5678/9013", "123456789013😀",
     "12345678901\x003", "١٢٣٤٥٦٧٨٩٠١٣", "¹²³⁴⁵⁶⁷⁸⁹⁰¹³", "①②③④⑤⑥⑦⑧⑨⑩⑪⑫", "000000000000", "0000-0000-0000"],
)
def test_refused_text(text):
    with pytest.raises(InvalidTrackingNumber):
        validate_tracking_number("yamato", text)


@pytest.mark.parametrize("value", [None, 123456789013, b"123456789013", "1" * 10_000])
def test_refused_types_and_huge_input(value):
    with pytest.raises(InvalidTrackingNumber):
        validate_tracking_number("sagawa", value)


def test_message_names_carrier_and_format():
    with pytest.raises(InvalidTrackingNumber) as info:
        validate_tracking_number("yamato", "12345")
    message = str(info.value)
    assert "Yamato Transport" in message and "ヤマト運輸" in message and "has 5 digits" in message


@pytest.mark.parametrize(
    "carrier, text, expected",
    [("yamato", "１２３４５６７８９０１３", "1234-5678-9013"),
     ("sagawa", "512547514334", "5125-4751-4334"),
     ("japan_post", "13112383852", "131-12-38385-2"),
     (JAPAN_POST, "405548424886", "4055-4842-4886"),
     (SAGAWA, "5125 4751 4334", "5125-4751-4334")],
)
def test_format_tracking_number(carrier, text, expected):
    assert format_tracking_number(carrier, text) == expected


def test_format_tracking_number_validates():
    with pytest.raises(InvalidTrackingNumber):
        format_tracking_number("yamato", "123456789012")
