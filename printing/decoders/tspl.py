"""TSPL decoder: `BITMAP` data (1 bit = WHITE in TSPL) drawn into the image buffer, `PRINT`ed.

Commands are lines ended by CR LF (or LF); `BITMAP x,y,width_bytes,height,mode,` is followed
by exactly width_bytes*height raw bytes. `<ESC>!?` and its siblings are immediate commands
with no line end. Text and barcode commands are recorded by name but not drawn (no fonts).
"""

from __future__ import annotations

import re

from printing.decoders import DecodedLabel, Event, Language, StatusQuery
from printing.decoders.canvas import DrawMode, InkCanvas
from printing.raster import MM_PER_INCH

_INVERT = bytes(255 - i for i in range(256))
_BITMAP = re.compile(rb"BITMAP\s+(-?\d+)\s*,\s*(-?\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,")
_IMMEDIATE = (b"\x1b!?", b"\x1b!S", b"\x1b!R", b"\x1b!C", b"\x1b!D", b"\x1b!O")
_MODES: dict[int, DrawMode] = {0: "overwrite", 1: "or", 2: "xor"}
_MAX_LINE = 64 * 1024  # a line longer than this is garbage, not a command


class TsplDecoder:
    """Incremental TSPL parser; see the module docstring."""

    language: Language = "tspl"

    def __init__(self, *, dpi: int = 203) -> None:
        self.dpi = dpi
        self.errors: list[str] = []
        self.commands: list[str] = []
        self.strings: list[str] = []  # quoted arguments seen (TEXT etc.), for injection tests
        self._buffer = bytearray()
        self._size = (round(4 * dpi), round(6 * dpi))
        self._canvas: InkCanvas | None = None

    def feed(self, data: bytes) -> list[Event]:
        self._buffer += data
        return self._parse(final=False)

    def close(self) -> list[Event]:
        events = self._parse(final=True)
        if self._buffer.strip():
            self.errors.append("the job ends inside a TSPL command")
        self._buffer.clear()
        return events

    def _parse(self, *, final: bool) -> list[Event]:
        buf = self._buffer
        events: list[Event] = []
        pos = 0
        while pos < len(buf):
            if buf[pos] in b"\r\n\t \x00":
                pos += 1
                continue
            if buf[pos] == 0x1B or buf.startswith(b"~!", pos):
                if pos + 3 > len(buf):
                    break
                self._immediate(bytes(buf[pos : pos + 3]), events)
                pos += 3
                continue
            match = _BITMAP.match(buf, pos)
            if match:
                end = self._bitmap(buf, match)
                if end < 0:
                    break
                pos = end
                continue
            line_end = buf.find(b"\n", pos)
            if line_end < 0:
                if len(buf) - pos > _MAX_LINE:
                    self.errors.append("a TSPL line is far too long: not a TSPL job?")
                    pos = len(buf)
                if not final or pos >= len(buf):
                    break
                line_end = len(buf)
            self._line(bytes(buf[pos:line_end]).decode("latin-1").strip(), events)
            pos = line_end + 1
        del buf[: min(pos, len(buf))]
        return events

    def _immediate(self, command: bytes, events: list[Event]) -> None:
        name = command.decode("latin-1").replace("\x1b", "<ESC>")
        self.commands.append(name)
        if command in (b"\x1b!?", b"\x1b!S") or command.startswith(b"~!"):
            events.append(StatusQuery("tspl", command))

    def _bitmap(self, buf: bytearray, match: re.Match[bytes]) -> int:
        x, y, row_bytes, rows, mode = (int(v) for v in match.groups())
        start = match.end()
        end = start + row_bytes * rows
        if end > len(buf):
            return -1
        self.commands.append("BITMAP")
        # TSPL: 1 = white, 0 = black; the canvas wants 1 = dot.
        data = bytes(buf[start:end]).translate(_INVERT)
        if mode not in _MODES:
            self.errors.append(f"BITMAP mode {mode} is not 0, 1 or 2")
        else:
            self._image().draw(data, row_bytes, rows, x, y, _MODES[mode])
        return end

    def _line(self, line: str, events: list[Event]) -> None:
        if not line:
            return
        word, _, args = line.partition(" ")
        name = word.upper()
        self.commands.append(name)
        self.strings += re.findall(r'"((?:[^"\\]|\\\["\])*)"', args)
        if name == "SIZE":
            self._size = self._parse_size(args)
            self._canvas = None
        elif name == "CLS":
            self._canvas = InkCanvas(*self._size)
        elif name == "PRINT":
            self._print(args, events)

    def _parse_size(self, args: str) -> tuple[int, int]:
        dims: list[int] = []
        for part in args.split(",")[:2]:
            text = part.strip().lower()
            try:
                if text.endswith("mm"):
                    dims.append(round(float(text[:-2]) / MM_PER_INCH * self.dpi))
                elif text.endswith("dot"):
                    dims.append(int(float(text[:-3])))
                else:
                    dims.append(round(float(text) * self.dpi))  # inches
            except ValueError:
                self.errors.append(f"unreadable SIZE {args!r}")
                return self._size
        if len(dims) != 2 or min(dims) <= 0:
            self.errors.append(f"unreadable SIZE {args!r}")
            return self._size
        return dims[0], dims[1]

    def _image(self) -> InkCanvas:
        if self._canvas is None:
            self._canvas = InkCanvas(*self._size)  # no CLS: the buffer starts blank
        return self._canvas

    def _print(self, args: str, events: list[Event]) -> None:
        parts = [p.strip() for p in args.split(",")]
        try:
            sets = int(parts[0]) if parts and parts[0] else 1
            copies = int(parts[1]) if len(parts) > 1 and parts[1] else 1
        except ValueError:
            self.errors.append(f"unreadable PRINT {args!r}")
            return
        if sets < 1 or copies < 1:
            return
        bitmap = self._image().to_bitmap(self.dpi)
        total = sets * copies
        for copy in range(1, total + 1):
            events.append(DecodedLabel("tspl", bitmap, copy, total))
