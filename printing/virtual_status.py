"""What the virtual printer answers to status queries, byte for byte, and the faults it fakes.

Status answers (the bytes the transport's status code is tested against):

* ESC/POS `DLE EOT n` -> one byte. Fixed bits 0x12 always set.
  n=1: +0x08 when offline (cover open or paper end take an Epson offline, so both set it).
  n=2: +0x04 cover/head open, +0x20 paper end stopped printing, +0x08 never (feed button).
  n=3: 0x12 (no cutter or unrecoverable error). n=4: +0x0C near end and +0x60 end when out.
* ZPL `~HS` -> three frames `STX ... ETX CR LF`:
  `030,P,U,LLLL,000,0,0,0,000,0,0,0` (P paper out, U paused, LLLL label length in dots),
  `001,0,H,0,0,2,6,0,00000000,1,000` (H head up/open), `1234,0`.
  `~HI` -> `STX VIRTUAL-ZPL-{dpi}dpi,V1.0,{dots/mm},8192KB ETX CR LF`.
* TSPL `<ESC>!?` -> one byte: 0x01 head open, 0x04 out of paper, 0x10 paused; 0x00 ready.
  `~!T` -> `VIRTUAL-TSPL\\r`.
* Offline: a connection is accepted and our side closed at once; what the client sends is
  read and thrown away, nothing is answered or printed. The client sees end of stream on
  its first read: no answer, as from a printer that has gone away.
"""

from __future__ import annotations

from dataclasses import dataclass

from printing.decoders import Language
from printing.raster import MM_PER_INCH

STX, ETX = b"\x02", b"\x03"


@dataclass(frozen=True, slots=True)
class Faults:
    """Conditions to simulate; all False is a ready printer."""

    paper_out: bool = False
    head_open: bool = False
    paused: bool = False
    offline: bool = False

    @property
    def holding(self) -> bool:
        return self.paper_out or self.head_open or self.paused


def status_answer(language: Language, query: bytes, faults: Faults, *, dpi: int = 203) -> bytes:
    """The bytes a real printer of `language` sends back for `query` (see module docstring)."""
    if language == "escpos":
        n = query[2] if len(query) > 2 else 1
        value = 0x12
        if n == 1 and (faults.paper_out or faults.head_open):
            value |= 0x08
        elif n == 2:
            value |= (0x04 if faults.head_open else 0) | (0x20 if faults.paper_out else 0)
        elif n == 4 and faults.paper_out:
            value |= 0x0C | 0x60
        return bytes([value])
    if language == "zpl":
        if query.upper() == b"~HI":
            return (
                STX
                + f"VIRTUAL-ZPL-{dpi}dpi,V1.0,{round(dpi / MM_PER_INCH)},8192KB".encode()
                + (ETX + b"\r\n")
            )
        if query.upper() != b"~HS":
            return b""
        length = round(6 * dpi)
        lines = (
            f"030,{int(faults.paper_out)},{int(faults.paused)},{length:04d},000,0,0,0,000,0,0,0",
            f"001,0,{int(faults.head_open)},0,0,2,6,0,00000000,1,000",
            "1234,0",
        )
        return b"".join(STX + line.encode("ascii") + ETX + b"\r\n" for line in lines)
    if query == b"\x1b!?":
        value = (
            (0x01 if faults.head_open else 0)
            | (0x04 if faults.paper_out else 0)
            | (0x10 if faults.paused else 0)
        )
        return bytes([value])
    if query == b"~!T":
        return b"VIRTUAL-TSPL\r"
    return b""
