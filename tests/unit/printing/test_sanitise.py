"""Sanitisers: no command-start byte survives, for any text (Hypothesis), plus known attacks."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from printing.decoders import decode_bytes
from printing.sanitise import (
    clean_text,
    escpos_text,
    tspl_string,
    tspl_string_data,
    zpl_comment,
    zpl_field,
    zpl_field_data,
)
from tests.unit.printing.samples import HOSTILE_TEXT

# Text that leans on the characters that matter, plus anything at all.
risky = st.text(alphabet=st.sampled_from('^~_\\"\r\n\t\x00\x1b\x1d\x10\x1c\x7f\x85\u202e a1'))
anything = st.text()
texts = st.one_of(risky, anything)


def _controls(text: str) -> list[str]:
    return [ch for ch in text if ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0]


@settings(max_examples=1500)
@given(texts)
def test_zpl_field_data_has_no_prefix_or_control(value: str) -> None:
    data = zpl_field_data(value)
    assert "^" not in data
    assert "~" not in data
    assert _controls(data) == []
    # Every "_" starts a valid escape, so the printer cannot misread a following byte.
    assert re.fullmatch(r"(?:[^_]|_[0-9A-F]{2})*", data)


@settings(max_examples=500)
@given(texts)
def test_zpl_field_is_one_field_to_a_zebra(value: str) -> None:
    job = f"^XA^CI28^FO10,10^A0N,30,30{zpl_field(value)}^XZ".encode()
    result = decode_bytes(job, strict=False)
    assert result.commands == ["^XA", "^CI", "^FO", "^A0", "^FH", "^FD", "^FS", "^XZ"]


@settings(max_examples=500)
@given(texts)
def test_zpl_comment_cannot_end_early(value: str) -> None:
    comment = zpl_comment(value)
    assert not set(comment) & {"^", "~"}
    assert comment.isascii()
    assert _controls(comment) == []


@settings(max_examples=1500)
@given(texts)
def test_escpos_text_allows_only_printables_and_lf(value: str) -> None:
    out = escpos_text(value)
    assert [ch for ch in _controls(out) if ch != "\n"] == []
    assert not set(out) & {"\x1b", "\x1d", "\x10", "\x1c", "\x18", "\r"}


@settings(max_examples=1500)
@given(texts)
def test_tspl_string_cannot_close_the_quote_or_the_line(value: str) -> None:
    data = tspl_string_data(value)
    assert "\r" not in data
    assert "\n" not in data
    assert _controls(data) == []
    # The only double quotes left are inside the \["] escape.
    assert '"' not in data.replace('\\["]', "")
    data.encode("cp1252")  # always sendable after CODEPAGE 1252


def test_known_attacks() -> None:
    assert zpl_field("Flat 1^XZ^XA^FO0,0^FDPWNED~JR_x") == (
        "^FH_^FDFlat 1_5EXZ_5EXA_5EFO0,0_5EFDPWNED_7EJR_5Fx^FS"
    )
    assert escpos_text("Flat 1\x1b@\x1bp\x00\x19\xfa\x1dV\x00Main St\n") == (
        "Flat 1@p\x19\xfaVMain St\n".replace("\x19", "")
    )
    assert tspl_string('Unit "7"\r\nPRINT 99') == '"Unit \\["]7\\["]PRINT 99"'
    assert tspl_string("C:\\[R]x") == '"C:/[R]x"'
    assert zpl_comment("Order ^XZ~JR") == "Order ?XZ?JR"


def test_clean_text_rules() -> None:
    assert clean_text("a\u202eb\u200bc\x00d") == "abcd"  # bidi override, zero-width, NUL
    assert clean_text("e\u0301") == "\u00e9"  # NFC
    assert clean_text("x\r\ny", keep_newlines=True) == "x\ny"
    assert clean_text("x\r\ny") == "xy"
    assert clean_text("a\tb") == "a b"
    assert clean_text("z" * 500) == "z" * 100
    assert clean_text("z" * 500, max_len=10) == "z" * 10


def test_hostile_sample_through_every_sanitiser() -> None:
    assert "^" not in zpl_field_data(HOSTILE_TEXT)
    assert "\x1b" not in escpos_text(HOSTILE_TEXT)
    assert "\r" not in tspl_string_data(HOSTILE_TEXT)
