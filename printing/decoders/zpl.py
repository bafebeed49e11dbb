"""ZPL decoder: `^GF` graphics (hex, ACS run-length, :B64:, :Z64:) composed into labels.

A command is a prefix (`^` or `~`) and two letters; its parameters run to the next prefix,
as on a Zebra. So a `~` hidden in customer text *would* act as a command here too, which is
what lets tests prove our sanitisers keep one out. `^GFB` binary data is taken by its count.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from dataclasses import dataclass, field

from printing.decoders import DecodedLabel, DecodeError, Event, Language, StatusQuery
from printing.decoders.canvas import InkCanvas

# Commands that take no parameters, so they are complete as soon as their 3 bytes arrive
# (a host waiting for a ~HS answer sends nothing after it).
_NO_PARAMS = frozenset({"^XA", "^XZ", "^FS", "~HS", "~HI", "~HM", "~JA", "~JR", "~PS", "~HD"})
_QUERIES = frozenset({"~HS", "~HI", "~HM", "~HD"})
_PREFIXES = b"^~"

_SMALL = {c: i + 1 for i, c in enumerate("GHIJKLMNOPQRSTUVWXY")}
_LARGE = {c: (i + 1) * 20 for i, c in enumerate("ghijklmnopqrstuvwxyz")}


class _Incomplete(Exception):
    """The buffer ends inside a command: wait for more bytes."""


@dataclass
class _Format:
    """State of one `^XA..^XZ` label format."""

    width: int | None = None
    length: int | None = None
    home: tuple[int, int] = (0, 0)
    origin: tuple[int, int] = (0, 0)
    copies: int = 1
    graphics: list[tuple[int, int, int, int, bytes]] = field(default_factory=list)


class ZplDecoder:
    """Incremental ZPL parser; see the module docstring."""

    language: Language = "zpl"

    def __init__(self, *, dpi: int = 203) -> None:
        self.dpi = dpi
        self.errors: list[str] = []
        self.commands: list[str] = []
        self.comments: list[str] = []
        self._buffer = bytearray()
        self._format: _Format | None = None

    def feed(self, data: bytes) -> list[Event]:
        self._buffer += data
        return self._parse(final=False)

    def close(self) -> list[Event]:
        events = self._parse(final=True)
        if self._format is not None:
            self.errors.append("the job ends inside a label format (no ^XZ)")
            self._format = None
        return events

    def _parse(self, *, final: bool) -> list[Event]:
        buf = self._buffer
        events: list[Event] = []
        pos = 0
        while True:
            start = _next_prefix(buf, pos)
            if start < 0:
                pos = len(buf)  # text between commands is ignored, as a printer does
                break
            try:
                pos = self._command(buf, start, events, final=final)
            except _Incomplete:
                pos = start
                break
        del buf[:pos]
        return events

    def _command(self, buf: bytearray, start: int, events: list[Event], *, final: bool) -> int:
        if start + 3 > len(buf):
            if final:
                self.errors.append("the job ends inside a ZPL command")
                return len(buf)
            raise _Incomplete
        name = (chr(buf[start]) + bytes(buf[start + 1 : start + 3]).decode("latin-1")).upper()
        if name in _NO_PARAMS:
            self._run(name, "", events)
            return start + 3
        if name == "^GF" and start + 4 <= len(buf) and chr(buf[start + 3]).upper() == "B":
            return self._binary_graphic(buf, start, final=final)
        end = _next_prefix(buf, start + 3)
        if end < 0:
            if not final:
                raise _Incomplete
            end = len(buf)
        params = bytes(buf[start + 3 : end]).decode("latin-1")
        self._run(name, params, events)
        return end

    def _binary_graphic(self, buf: bytearray, start: int, *, final: bool) -> int:
        # ^GFB,b,c,d,<b raw bytes>: the data may contain ^ and ~, so go by the count.
        header_end = start + 3
        for _ in range(4):
            header_end = buf.find(b",", header_end + 1)
            if header_end < 0:
                if final:
                    self.errors.append("incomplete ^GFB header")
                    return len(buf)
                raise _Incomplete
        fields = bytes(buf[start + 3 : header_end]).decode("latin-1").split(",")
        try:
            count, total, row_bytes = int(fields[1]), int(fields[2]), int(fields[3])
        except (ValueError, IndexError):
            self.errors.append("unreadable ^GFB header")
            return header_end + 1
        end = header_end + 1 + count
        if end > len(buf):
            if final:
                self.errors.append("the job ends inside ^GFB data")
                return len(buf)
            raise _Incomplete
        self.commands.append("^GF")
        self._place(bytes(buf[header_end + 1 : end])[:total], row_bytes)
        return end

    def _run(self, name: str, params: str, events: list[Event]) -> None:
        self.commands.append(name)
        params = params.replace("\r", "").replace("\n", "")
        if name in _QUERIES:
            events.append(StatusQuery("zpl", name.encode("ascii")))
        elif name == "^XA":
            self._format = _Format()
        elif name == "^XZ":
            self._finish(events)
        elif name == "^FX":
            self.comments.append(params)
        elif self._format is None:
            return  # commands outside a format only change settings
        elif name == "^PW":
            self._format.width = _int(params, 0)
        elif name == "^LL":
            self._format.length = _int(params, 0)
        elif name == "^LH":
            self._format.home = _pair(params)
        elif name == "^FO":
            self._format.origin = _pair(params)
        elif name == "^PQ":
            self._format.copies = max(1, _int(params.split(",")[0], 1))
        elif name == "^GF":
            self._graphic(params)

    def _graphic(self, params: str) -> None:
        parts = params.split(",", 4)
        if len(parts) < 5:
            self.errors.append("^GF needs format, byte count, total, row bytes and data")
            return
        kind, total_text, row_text, data = parts[0].upper(), parts[2], parts[3], parts[4]
        try:
            total, row_bytes = int(total_text), int(row_text)
            if total <= 0 or row_bytes <= 0:
                raise ValueError
        except ValueError:
            self.errors.append(f"unreadable ^GF sizes {total_text!r},{row_text!r}")
            return
        if kind != "A":
            self.errors.append(f"^GF{kind} (compressed binary) is not supported")
            return
        try:
            raw = graphic_data(data.strip(), total, row_bytes)
        except DecodeError as exc:
            self.errors.append(str(exc))
            return
        self._place(raw, row_bytes)

    def _place(self, raw: bytes, row_bytes: int) -> None:
        if self._format is None:
            return
        rows = len(raw) // row_bytes
        x = self._format.home[0] + self._format.origin[0]
        y = self._format.home[1] + self._format.origin[1]
        self._format.graphics.append((x, y, row_bytes, rows, raw[: rows * row_bytes]))

    def _finish(self, events: list[Event]) -> None:
        fmt, self._format = self._format, None
        if fmt is None or not fmt.graphics:
            return
        width = fmt.width or max(x + rb * 8 for x, _, rb, _, _ in fmt.graphics)
        length = fmt.length or max(y + rows for _, y, _, rows, _ in fmt.graphics)
        canvas = InkCanvas(width, length)
        for x, y, row_bytes, rows, data in fmt.graphics:
            canvas.draw(data, row_bytes, rows, x, y, "or")
        bitmap = canvas.to_bitmap(self.dpi)
        for copy in range(1, fmt.copies + 1):
            events.append(DecodedLabel("zpl", bitmap, copy, fmt.copies))


def graphic_data(data: str, total: int, row_bytes: int) -> bytes:
    """The raw bytes of `^GFA` data in any of its encodings, exactly `total` long."""
    if data.startswith((":Z64:", ":B64:")):
        body, _, crc = data[5:].rpartition(":")
        if not body:
            raise DecodeError(f"{data[:5]} data has no CRC")
        encoded = body.replace(" ", "").encode("ascii")
        if crc and f"{binascii.crc_hqx(encoded, 0):04X}" != crc.upper():
            raise DecodeError(f"{data[:5]} CRC mismatch: the graphic is corrupt")
        try:
            decoded = base64.b64decode(encoded, validate=True)
            raw = zlib.decompress(decoded) if data.startswith(":Z64:") else decoded
        except (binascii.Error, zlib.error) as exc:
            raise DecodeError(f"{data[:5]} data is corrupt ({exc})") from None
    else:
        raw = expand_acs(data, row_bytes)
    if len(raw) < total:
        raw += bytes(total - len(raw))
    return raw[:total]


def expand_acs(data: str, row_bytes: int) -> bytes:
    """Zebra ASCII hex with optional run-length compression into raw bytes."""
    width = row_bytes * 2
    rows: list[str] = []
    row: list[str] = []
    filled = 0
    count = 0
    for ch in data:
        if ch in _SMALL or ch in _LARGE:
            count += _SMALL.get(ch, 0) + _LARGE.get(ch, 0)
            continue
        if ch == ",":
            row.append("0" * (width - filled))
            filled = width
        elif ch == "!":
            row.append("F" * (width - filled))
            filled = width
        elif ch == ":":
            if filled:  # ends a part-filled row with zeros first
                row.append("0" * (width - filled))
                rows.append("".join(row))
                row, filled = [], 0
            if not rows:
                raise DecodeError("ACS data starts with ':' but there is no previous row")
            rows.append(rows[-1])
            count = 0
            continue
        elif ch in "0123456789ABCDEFabcdef":
            repeat = max(1, count)
            take = min(repeat, width - filled) if repeat > 1 else 1
            row.append(ch.upper() * take)
            filled += take
            # A run may spill over the row end: carry it on into the next rows.
            spill = repeat - take
            while filled == width:
                rows.append("".join(row))
                row, filled = [], 0
                if spill:
                    take = min(spill, width)
                    row.append(ch.upper() * take)
                    filled, spill = take, spill - take
            count = 0
            continue
        else:
            continue  # spaces and anything else are ignored
        count = 0
        if filled == width:
            rows.append("".join(row))
            row, filled = [], 0
    if filled:
        row.append("0" * (width - filled))
        rows.append("".join(row))
    try:
        return bytes.fromhex("".join(rows))
    except ValueError as exc:
        raise DecodeError(f"^GF hex data is corrupt ({exc})") from None


def _next_prefix(buf: bytearray, start: int) -> int:
    caret = buf.find(b"^", start)
    tilde = buf.find(b"~", start)
    if caret < 0:
        return tilde
    if tilde < 0:
        return caret
    return min(caret, tilde)


def _int(text: str, default: int) -> int:
    try:
        return int(text.strip())
    except ValueError:
        return default


def _pair(text: str) -> tuple[int, int]:
    parts = text.split(",")
    return _int(parts[0], 0), _int(parts[1], 0) if len(parts) > 1 else 0
