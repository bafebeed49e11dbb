"""The `{orderIdentifiers}` path segment is parsed exactly as the spec describes it."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from clickdrop_desktop.sandbox.identifiers import IdentifierError, parse_identifiers


def test_spec_example() -> None:
    segment = '"ref";1001;"Reference%3BWith%3BSpecial%3BSymbols!";2345/'
    assert parse_identifiers(segment) == ["ref", 1001, "Reference;With;Special;Symbols!", 2345]


def test_quotes_may_be_percent_encoded_too() -> None:
    assert parse_identifiers("%22A%20B%22;%22x%22") == ["A B", "x"]


def test_quoted_number_is_a_reference_not_an_id() -> None:
    assert parse_identifiers('"1001";1001') == ["1001", 1001]


@pytest.mark.parametrize(
    "reference",
    ['ORD"7";DROP;"x"', "ЗАКАЗ-Ω-5", "🎁-4-👩‍👩‍👧", "100% a+b/c?d#e&f=1", "  12  ", "^XA1~JR"],
)
def test_hostile_references_round_trip(reference: str) -> None:
    assert parse_identifiers(f'"{quote(reference, safe="")}"') == [reference]


def test_duplicates_are_kept_once_in_order() -> None:
    assert parse_identifiers("3;1;3") == [3, 1]


@pytest.mark.parametrize(
    ("segment", "why"),
    [
        ("", "No order identifiers"),
        ("abc", "Invalid order identifier"),
        ("1;;2", "Invalid order identifier"),
        ('"unterminated', "Invalid order identifier"),
        ('""', "empty"),
        ("%221%22%3B2", "Invalid order identifier"),  # the whole list encoded: ; must stay bare
        ("-5", "Invalid order identifier"),
        ("99999999999", "out of range"),
        ('"%FF"', "UTF-8"),
    ],
)
def test_invalid_segments_are_rejected(segment: str, why: str) -> None:
    with pytest.raises(IdentifierError, match=why):
        parse_identifiers(segment)


def test_at_most_100() -> None:
    assert len(parse_identifiers(";".join(str(i) for i in range(1, 101)))) == 100
    with pytest.raises(IdentifierError, match="maximum is 100"):
        parse_identifiers(";".join(str(i) for i in range(1, 102)))
