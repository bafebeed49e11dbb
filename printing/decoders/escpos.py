"""ESC/POS decoder: `GS v 0` raster fragments stacked into labels, split at cuts and form feeds.

It knows the length of the commands python-escpos and common drivers send, so it walks the
stream exactly as a printer does. Text bytes are skipped (a virtual printer has no fonts);
their count is kept in `text_bytes` so a test can see that text was sent at all.
"""

from __future__ import annotations

from PIL import Image

from printing.bitmap import Bitmap
from printing.decoders import DecodedLabel, Event, Language, StatusQuery
from printing.decoders.canvas import stack

ESC, GS, DLE, FS, LF, CR, FF = 0x1B, 0x1D, 0x10, 0x1C, 0x0A, 0x0D, 0x0C

# ESC <c> followed by this many parameter bytes (Epson ESC/POS reference).
_ESC_ARGS = {
    ord(c): n
    for c, n in {
        "@": 0,
        "2": 0,
        "<": 0,
        "3": 1,
        "a": 1,
        "d": 1,
        "e": 1,
        "J": 1,
        "K": 1,
        "E": 1,
        "G": 1,
        "M": 1,
        "R": 1,
        "t": 1,
        "!": 1,
        "-": 1,
        "{": 1,
        "V": 1,
        "r": 1,
        "c": 2,
        "$": 2,
        "\\": 2,
        "p": 3,
        "D": 0,  # tab stops: NUL-terminated, handled below
        "=": 1,
        "L": 0,
        "S": 0,
        "T": 1,
        "U": 1,
        " ": 1,
        "%": 1,
        "i": 0,
        "m": 0,
    }.items()
}
# GS <c> followed by this many parameter bytes; variable-length ones are handled below.
_GS_ARGS = {
    ord(c): n
    for c, n in {
        "!": 1,
        "B": 1,
        "H": 1,
        "h": 1,
        "w": 1,
        "f": 1,
        "a": 1,
        "r": 1,
        "I": 1,
        "b": 1,
        "L": 2,
        "W": 2,
        "$": 2,
        "\\": 2,
        "P": 2,
        "T": 1,
        "/": 1,
        ":": 0,
        "^": 3,
        "\x0c": 0,
    }.items()
}


class _Incomplete(Exception):
    """The buffer ends inside a command: wait for more bytes."""


class EscposDecoder:
    """Incremental ESC/POS parser; see the module docstring."""

    language: Language = "escpos"

    def __init__(self, *, dpi: int = 203) -> None:
        self.dpi = dpi
        self.errors: list[str] = []
        self.commands: list[str] = []
        self.text_bytes = 0
        self._buffer = bytearray()
        self._fragments: list[tuple[int, int, bytes]] = []

    def feed(self, data: bytes) -> list[Event]:
        self._buffer += data
        events: list[Event] = []
        pos = 0
        buf = self._buffer
        while pos < len(buf):
            seen = len(self.commands)
            try:
                pos = self._step(buf, pos, events)
            except _Incomplete:
                del self.commands[seen:]  # it is named again when its bytes are all here
                break
        del buf[:pos]
        return events

    def close(self) -> list[Event]:
        events: list[Event] = []
        if self._buffer:
            self.errors.append(
                f"the job ends inside an ESC/POS command ({len(self._buffer)} bytes left over)"
            )
            self._buffer.clear()
        self._end_label(events)
        return events

    # -- parsing ---------------------------------------------------------------------------

    @staticmethod
    def _need(buf: bytearray, end: int) -> None:
        if end > len(buf):
            raise _Incomplete

    def _step(self, buf: bytearray, pos: int, events: list[Event]) -> int:
        byte = buf[pos]
        if byte == ESC:
            return self._esc(buf, pos)
        if byte == GS:
            return self._gs(buf, pos, events)
        if byte == DLE:
            return self._dle(buf, pos, events)
        if byte == FS:
            self._need(buf, pos + 2)
            self.commands.append(f"FS {chr(buf[pos + 1])}")
            return pos + 2
        if byte == FF:
            self.commands.append("FF")
            self._end_label(events)
            return pos + 1
        if byte not in (LF, CR):
            self.text_bytes += 1
        return pos + 1

    def _esc(self, buf: bytearray, pos: int) -> int:
        self._need(buf, pos + 2)
        code = buf[pos + 1]
        self.commands.append(f"ESC {chr(code)}")
        if code == ord("D"):  # tab positions, NUL-terminated
            end = buf.find(b"\x00", pos + 2)
            if end < 0:
                raise _Incomplete
            return end + 1
        if code == ord("*"):  # bit image: m nL nH, then columns
            self._need(buf, pos + 5)
            mode, count = buf[pos + 2], buf[pos + 3] | buf[pos + 4] << 8
            width = 3 if mode in (32, 33) else 1
            end = pos + 5 + count * width
            self._need(buf, end)
            return end
        end = pos + 2 + _ESC_ARGS.get(code, 0)
        self._need(buf, end)
        return end

    def _gs(self, buf: bytearray, pos: int, events: list[Event]) -> int:
        self._need(buf, pos + 2)
        code = buf[pos + 1]
        if code == ord("v"):
            return self._raster(buf, pos)
        self.commands.append(f"GS {chr(code)}")
        if code == ord("V"):  # cut: m, and n for functions B/C/D
            self._need(buf, pos + 3)
            mode = buf[pos + 2]
            end = pos + (4 if mode in (65, 66, 97, 98, 103, 104) else 3)
            self._need(buf, end)
            self._end_label(events)
            return end
        if code == 0x0C:  # GS FF: feed a label to its print start
            self._end_label(events)
            return pos + 2
        if code in (ord("("), ord("8")):  # GS ( x pL pH ..., GS 8 L p1..p4 ...
            if code == ord("("):
                self._need(buf, pos + 5)
                end = pos + 5 + (buf[pos + 3] | buf[pos + 4] << 8)
            else:
                self._need(buf, pos + 7)
                size = int.from_bytes(buf[pos + 3 : pos + 7], "little")
                end = pos + 7 + size
            self._need(buf, end)
            return end
        if code == ord("k"):  # barcode: m, then NUL-terminated (m<=6) or n-prefixed data
            self._need(buf, pos + 3)
            mode = buf[pos + 2]
            if mode <= 6:
                end = buf.find(b"\x00", pos + 3)
                if end < 0:
                    raise _Incomplete
                return end + 1
            self._need(buf, pos + 4)
            end = pos + 4 + buf[pos + 3]
            self._need(buf, end)
            return end
        end = pos + 2 + _GS_ARGS.get(code, 0)
        self._need(buf, end)
        return end

    def _raster(self, buf: bytearray, pos: int) -> int:
        # GS v 0 m xL xH yL yH d1...dk with k = (xL + xH*256) * (yL + yH*256)
        self._need(buf, pos + 8)
        if buf[pos + 2] != ord("0"):
            self.commands.append("GS v")
            self.errors.append(f"unknown raster command GS v {chr(buf[pos + 2])!r}")
            return pos + 3
        self.commands.append("GS v 0")
        mode = buf[pos + 3]
        row_bytes = buf[pos + 4] | buf[pos + 5] << 8
        rows = buf[pos + 6] | buf[pos + 7] << 8
        end = pos + 8 + row_bytes * rows
        self._need(buf, end)
        data = bytes(buf[pos + 8 : end])
        if row_bytes and rows:
            self._fragments.append(_scaled(row_bytes, rows, data, mode & 0x03, self.dpi))
        return end

    def _dle(self, buf: bytearray, pos: int, events: list[Event]) -> int:
        self._need(buf, pos + 2)
        code = buf[pos + 1]
        if code == 0x04:  # DLE EOT n: real-time status
            self._need(buf, pos + 3)
            self.commands.append(f"DLE EOT {buf[pos + 2]}")
            events.append(StatusQuery("escpos", bytes(buf[pos : pos + 3])))
            return pos + 3
        if code == 0x14:  # DLE DC4 fn m t (pulse, power-off, clear buffer)
            self._need(buf, pos + 5)
            self.commands.append("DLE DC4")
            return pos + 5
        if code == 0x05:  # DLE ENQ n
            self._need(buf, pos + 3)
            self.commands.append("DLE ENQ")
            return pos + 3
        self.commands.append(f"DLE {code:#04x}")
        return pos + 2

    def _end_label(self, events: list[Event]) -> None:
        if not self._fragments:
            return
        bitmap = stack(self._fragments, self.dpi)
        self._fragments = []
        events.append(DecodedLabel("escpos", bitmap))


def _scaled(row_bytes: int, rows: int, data: bytes, mode: int, dpi: int) -> tuple[int, int, bytes]:
    """Apply GS v 0's double-width (bit 0) and double-height (bit 1) modes."""
    if mode == 0:
        return row_bytes, rows, data
    image = Bitmap(row_bytes * 8, rows, data, dpi).to_image()
    scale_x, scale_y = (2 if mode & 1 else 1), (2 if mode & 2 else 1)
    image = image.resize((image.width * scale_x, image.height * scale_y), Image.Resampling.NEAREST)
    big = Bitmap.from_image(image, dpi=dpi)
    return big.row_bytes, big.height, big.data
