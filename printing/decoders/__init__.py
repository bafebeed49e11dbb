"""Decoders: printer-language bytes back into label bitmaps (ESC/POS, ZPL, TSPL).

They power the virtual printer and let tests prove a job prints exactly the dots we rendered.
Each decoder is incremental, like a real printer's parser: `feed()` bytes as they arrive and
get back the labels completed so far and any status queries to answer at once; `close()` at
the end of the stream flushes what is left. Commands are parsed by their real lengths, so a
status-query byte pattern inside image data is never mistaken for a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from printing.bitmap import Bitmap

Language = Literal["escpos", "zpl", "tspl"]


class DecodeError(ValueError):
    """Bytes a printer could not make sense of (one line, safe to show)."""


@dataclass(frozen=True, slots=True)
class DecodedLabel:
    """One printed label: `copy` of `copies` (a job asking for 3 copies yields 3 of these)."""

    language: Language
    bitmap: Bitmap
    copy: int = 1
    copies: int = 1


@dataclass(frozen=True, slots=True)
class StatusQuery:
    """A status request in the stream, e.g. `b"\\x10\\x04\\x01"`, `b"~HS"`, `b"\\x1b!?"`."""

    language: Language
    query: bytes


Event = DecodedLabel | StatusQuery


class Decoder(Protocol):
    language: Language
    errors: list[str]
    commands: list[str]

    def feed(self, data: bytes) -> list[Event]: ...

    def close(self) -> list[Event]: ...


@dataclass
class DecodeResult:
    """Everything a byte string held: labels, queries, the command names seen, any errors."""

    language: Language
    labels: list[DecodedLabel] = field(default_factory=list)
    queries: list[StatusQuery] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def sniff_language(data: bytes) -> Language | None:
    """Guess the language from the first bytes of a job, or None if there are too few."""
    head = data.lstrip(b"\r\n\t \x00")
    if not head:
        return None
    first = head[:1]
    if first == b"\x1b":
        if len(head) < 2:
            return None
        return "tspl" if head[1:2] == b"!" else "escpos"
    if first in (b"\x1d", b"\x10"):
        return "escpos"
    if first == b"~":
        if len(head) < 2:
            return None
        return "tspl" if head[1:2] == b"!" else "zpl"
    if first == b"^":
        return "zpl"
    if first.isalpha():
        return "tspl"  # SIZE, GAP, CLS, BITMAP ... are plain words
    return "escpos"  # ESC/POS printers print anything else as text


def new_decoder(language: Language, *, dpi: int = 203) -> Decoder:
    """A fresh incremental decoder; `dpi` turns TSPL's mm sizes into dots."""
    if language == "escpos":
        from printing.decoders.escpos import EscposDecoder

        return EscposDecoder(dpi=dpi)
    if language == "zpl":
        from printing.decoders.zpl import ZplDecoder

        return ZplDecoder(dpi=dpi)
    if language == "tspl":
        from printing.decoders.tspl import TsplDecoder

        return TsplDecoder(dpi=dpi)
    raise DecodeError(f"unknown printer language {language!r}")


def decode_bytes(
    data: bytes, *, language: Language | None = None, dpi: int = 203, strict: bool = True
) -> DecodeResult:
    """Decode a whole job (or several appended, as the file transport writes them).

    With `strict`, anything the printer would have choked on raises `DecodeError`.
    """
    lang = language or sniff_language(data)
    if lang is None:
        raise DecodeError("empty job: nothing to decode")
    decoder = new_decoder(lang, dpi=dpi)
    events = decoder.feed(data) + decoder.close()
    result = DecodeResult(lang, commands=list(decoder.commands), errors=list(decoder.errors))
    for event in events:
        if isinstance(event, DecodedLabel):
            result.labels.append(event)
        else:
            result.queries.append(event)
    if strict and result.errors:
        raise DecodeError(result.errors[0])
    return result
