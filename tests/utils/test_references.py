"""defects.references: return references and case references."""

import itertools
import re

import pytest

from defects import references
from defects.references import (
    RETURN_REFERENCE_ALPHABET,
    CaseReference,
    InvalidCaseReference,
    InvalidReturnReference,
    format_case_reference,
    is_valid_return_reference,
    new_return_reference,
    normalize_return_reference,
    parse_case_reference,
)

CANONICAL = re.compile(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}")
VALID = "R7K3-M9QX-25"


def _to_fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# ---------------------------------------------------------------- alphabet


def test_alphabet_has_no_ambiguous_characters():
    assert not set("0O1IL") & set(RETURN_REFERENCE_ALPHABET)
    assert len(set(RETURN_REFERENCE_ALPHABET)) == len(RETURN_REFERENCE_ALPHABET) == 31
    assert RETURN_REFERENCE_ALPHABET.isascii() and RETURN_REFERENCE_ALPHABET.isupper()


# ---------------------------------------------------------------- new references


def test_new_reference_shape_and_validity():
    for _ in range(500):
        reference = new_return_reference()
        assert CANONICAL.fullmatch(reference), reference
        assert normalize_return_reference(reference) == reference


def test_new_references_are_not_repeated():
    drawn = {new_return_reference() for _ in range(5000)}
    assert len(drawn) == 5000


def test_new_references_use_every_symbol_in_every_random_position():
    # Not a sequence: each random position takes all 31 values.
    drawn = [new_return_reference().replace("-", "") for _ in range(3000)]
    for position in range(9):
        assert {r[position] for r in drawn} == set(RETURN_REFERENCE_ALPHABET)


def test_new_references_come_from_secrets(monkeypatch):
    calls = []

    def fake_choice(seq):
        calls.append(seq)
        return seq[0]

    monkeypatch.setattr(references.secrets, "choice", fake_choice)
    reference = new_return_reference()
    assert len(calls) == 9 and reference.startswith("2222-2222-2")
    assert normalize_return_reference(reference) == reference


def test_consecutive_references_are_unrelated():
    a, b = new_return_reference(), new_return_reference()
    same = sum(x == y for x, y in zip(a.replace("-", "")[:9], b.replace("-", "")[:9]))
    assert same < 9


# ---------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    "text",
    [
        VALID, "R7K3M9QX25", "r7k3-m9qx-25", "r7k3m9qx25", " R7K3 M9QX 25 ",
        _to_fullwidth("R7K3-M9QX-25"), "Ｒ７Ｋ３ーＭ９ＱＸー２５", "ｒ７ｋ３　ｍ９ｑｘ　２５",
        "R7K3–M9QX—25", "R7K3_M9QX.25", "R7K3\u2212M9QX\u221225", "R7K3\tM9QX\t25",
    ],
)
def test_normalize_accepts_variants(text):
    assert normalize_return_reference(text) == VALID


def test_every_single_substitution_is_detected():
    compact = VALID.replace("-", "")
    for position, replacement in itertools.product(range(10), RETURN_REFERENCE_ALPHABET):
        if compact[position] == replacement:
            continue
        typo = compact[:position] + replacement + compact[position + 1:]
        with pytest.raises(InvalidReturnReference, match="check character"):
            normalize_return_reference(typo)


def test_every_transposition_is_detected():
    for _ in range(50):
        compact = new_return_reference().replace("-", "")
        for i, j in itertools.combinations(range(10), 2):
            if compact[i] == compact[j]:
                continue
            swapped = list(compact)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            assert not is_valid_return_reference("".join(swapped))


@pytest.mark.parametrize(
    "text, message",
    [
        ("R7K3-M9QX-2", "10 characters"),
        ("R7K3-M9QX-255", "10 characters"),
        ("R7K3-M9QX-2O", "never 0, O, 1, I or L"),
        ("R7K3-M9QX-20", "contains: 0"),
        ("I7K3-M9QX-25", "contains: I"),
        ("L7K3-M9QX-25", "contains: L"),
        ("17K3-M9QX-25", "contains: 1"),
        ("R7K3-M9QX-26", "check character"),
        ("", "empty"),
        ("  - -  ", "empty"),
        ("R7K3-M9QX-25😀", "contains"),
        ("R7K3\x00M9QX25", "U\\+0000"),
        ("D-2026-000123", "contains"),
        ("R7K3-M9QX-²⁵", "contains"),  # superscripts are not read as digits
    ],
)
def test_normalize_refuses(text, message):
    with pytest.raises(InvalidReturnReference, match=message):
        normalize_return_reference(text)


@pytest.mark.parametrize("value", [None, 12345, b"R7K3M9QX25", "A" * 10_000])
def test_normalize_refuses_bad_types_and_huge_input(value):
    with pytest.raises(InvalidReturnReference):
        normalize_return_reference(value)


def test_errors_are_value_errors():
    assert issubclass(InvalidReturnReference, ValueError)
    assert issubclass(InvalidCaseReference, ValueError)


def test_is_valid_return_reference():
    assert is_valid_return_reference(VALID)
    assert not is_valid_return_reference("R7K3-M9QX-26")
    assert not is_valid_return_reference(None)


# ---------------------------------------------------------------- case references


@pytest.mark.parametrize(
    "year, number, expected",
    [(2026, 123, "D-2026-000123"), (2026, 1, "D-2026-000001"), (2027, 999_999, "D-2027-999999"),
     (2000, 42, "D-2000-000042")],
)
def test_format_case_reference(year, number, expected):
    assert format_case_reference(year, number) == expected
    assert parse_case_reference(expected) == (year, number)


@pytest.mark.parametrize(
    "year, number",
    [(2026, 0), (2026, -1), (2026, 1_000_000), (1999, 1), (10000, 1), ("2026", 1), (2026, "1"),
     (2026.0, 1), (True, 1), (2026, True), (None, 1), (2026, None)],
)
def test_format_case_reference_refuses(year, number):
    with pytest.raises(InvalidCaseReference):
        format_case_reference(year, number)


@pytest.mark.parametrize(
    "text",
    [
        "D-2026-000123", "d-2026-000123", "D2026000123", "d2026000123", "D 2026 000123",
        "D-2026-123", "D 2026 123", "D2026-123", "  D-2026-000123  ", "D--2026--000123",
        "ｄ－２０２６－０００１２３", "Ｄ－２０２６－０００１２３", "Ｄ２０２６０００１２３",
        "D‐2026‐000123", "D–2026–000123", "D−2026−000123", "Dー2026ー000123", "D　2026　000123",
    ],
)
def test_parse_case_reference_variants(text):
    parsed = parse_case_reference(text)
    assert parsed == CaseReference(2026, 123)
    assert str(parsed) == "D-2026-000123"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "D", "D-2026", "2026-000123", "X-2026-000123", "D-26-000123", "D202612",
     "D-2026-0000123", "D-2026-000000", "D-1999-000001", "D-2026-00012A", "D-2026-000123😀",
     "D-2026-000123\x00", "D-٢٠٢٦-000123", "D-²⁰²⁶-000123", VALID, "D-2026-000123-1"],
)
def test_parse_case_reference_refuses(text):
    with pytest.raises(InvalidCaseReference):
        parse_case_reference(text)


@pytest.mark.parametrize("value", [None, 2026000123, b"D-2026-000123", "D" * 10_000])
def test_parse_case_reference_bad_types(value):
    with pytest.raises(InvalidCaseReference):
        parse_case_reference(value)


def test_parse_case_reference_message():
    with pytest.raises(InvalidCaseReference, match="expected the form D-2026-000123"):
        parse_case_reference("case 123")
