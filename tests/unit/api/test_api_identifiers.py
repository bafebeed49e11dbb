"""Identifier encoding of `{orderIdentifiers}` exactly as the spec says, and chunking at 100."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clickdrop_desktop.api.identifiers import (
    MAX_IDS_PER_CALL,
    chunk_keys,
    encode_key,
    encode_keys,
    matches,
    parse_key,
    unique_keys,
)


def _server_split(segment: str) -> list[int | str]:
    """How a server reads the segment: split on literal `;`, decode, quoted = reference."""
    out: list[int | str] = []
    for part in segment.split(";"):
        text = unquote(part, encoding="utf-8", errors="strict")
        if text.startswith('"') and text.endswith('"') and len(text) >= 2:
            out.append(text[1:-1])
        else:
            out.append(int(text))
    return out


def test_the_spec_example_is_reproduced() -> None:
    keys = ["ref", 1001, "Reference;With;Special;Symbols!", 2345]
    encoded = encode_keys(keys)
    # The spec's own example, with its quotes written as %22 (as they travel on the wire).
    spec = '"ref";1001;"Reference%3BWith%3BSpecial%3BSymbols!";2345'
    assert encoded == spec.replace('"', "%22")


def test_ints_bare_and_references_quoted() -> None:
    assert encode_key(1001) == "1001"
    assert encode_key(0) == "0"
    assert encode_key("WEB-1") == "%22WEB-1%22"


def test_numeric_looking_reference_is_still_quoted() -> None:
    assert encode_key("1001") == "%221001%22"
    assert _server_split(encode_keys(["1001", 1001])) == ["1001", 1001]


@pytest.mark.parametrize(
    "hostile",
    [
        'say "hi"',
        "semi;colon;;",
        '";1;"',
        "ünïcödé ☃ 📦",
        "100%25 real",
        "slash/and?query#frag",
        "back\\slash & plus+",
        "  spaces  ",
        "\x00ctl\x1f",
        "%22",
    ],
)
def test_hostile_references_survive_the_round_trip(hostile: str) -> None:
    encoded = encode_keys([hostile, 7])
    assert encoded.count(";") == 1  # only the separator is a literal semicolon
    assert '"' not in encoded
    assert " " not in encoded
    assert "/" not in encoded
    assert encoded.isascii()
    assert _server_split(encoded) == [hostile, 7]


@given(st.lists(st.one_of(st.integers(0, 2**31), st.text(min_size=1)), min_size=1, max_size=20))
def test_any_keys_round_trip(keys: list[int | str]) -> None:
    assert _server_split(encode_keys(keys)) == keys


def test_separators_never_encoded() -> None:
    assert "%3B" not in encode_keys([1, 2, 3])
    assert encode_keys([1, 2, 3]) == "1;2;3"


@pytest.mark.parametrize("bad", [True, -1, 1.5, None, b"x"])
def test_invalid_keys_are_refused(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        encode_key(bad)  # type: ignore[arg-type]


def test_empty_reference_and_empty_list_are_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        encode_key("")
    with pytest.raises(ValueError, match="at least one"):
        encode_keys([])


def test_more_than_100_in_one_segment_is_refused() -> None:
    with pytest.raises(ValueError, match="at most 100"):
        encode_keys(list(range(101)))


def test_chunking_at_100() -> None:
    chunks = list(chunk_keys(list(range(250))))
    assert [len(c) for c in chunks] == [100, 100, 50]
    assert [k for c in chunks for k in c] == list(range(250))


def test_chunking_also_limits_url_length() -> None:
    refs = ["界" * 40 + str(i) for i in range(100)]  # 9 bytes per char once encoded
    chunks = list(chunk_keys(refs))
    assert len(chunks) > 1
    assert all(len(encode_keys(c)) <= 6000 for c in chunks)
    assert [k for c in chunks for k in c] == refs


def test_chunk_size_must_be_sane() -> None:
    with pytest.raises(ValueError, match="chunk size"):
        list(chunk_keys([1], size=MAX_IDS_PER_CALL + 1))


def test_unique_keys_keeps_first_and_tells_int_from_str() -> None:
    assert unique_keys([1, "1", 1, "a", "1"]) == [1, "1", "a"]


@pytest.mark.parametrize(
    ("text", "key"),
    [("1001", 1001), ('"1001"', "1001"), ("WEB-1", "WEB-1"), (" 42 ", 42), ("٣", "٣")],
)
def test_parse_key(text: str, key: int | str) -> None:
    assert parse_key(text) == key


def test_matches() -> None:
    assert matches(5, 5, "x")
    assert not matches(5, 6, "5")
    assert matches("5", 6, "5")
    assert not matches("5", 5, None)
