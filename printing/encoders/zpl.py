"""ZPL II jobs: one `^XA..^XZ` format per label holding the bitmap as a compressed `^GFA` field.

Compression (measured on 6x4 labels, `tests/bench/bench_print.py`): Z64 (zlib, then base64,
with a CRC) is the default: typically 5-10 % of the plain hex size and fast because zlib is C.
zlib level 6 (sandbox labels, medians): 10.6 KB in 1.2 ms at 203 dpi, 17.6 KB in 2.3 ms at 300;
level 3 saves 0.6 / 1.3 ms but sends 2.3 / 4 KB more, which costs more than that on a USB
full-speed printer (about 1 MB/s); level 9 is 6-7x slower for 2 % fewer bytes; Z_RLE is no
faster than level 3 and 2.5x larger. So level 6.
Zebra's ACS run-length scheme (`acs`) is kept for firmware older than Z64 support; `hex` is the
uncompressed reference.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Sequence
from typing import Literal

from printing.bitmap import Bitmap
from printing.encoders import EncodeError
from printing.sanitise import zpl_comment

Compression = Literal["z64", "acs", "hex"]


def encode_zpl(
    bitmaps: Sequence[Bitmap],
    *,
    compression: Compression = "z64",
    darkness: int | None = None,
    speed: int | None = None,
    copies: int = 1,
    title: str | None = None,
    width_dots: int | None = None,
    length_dots: int | None = None,
) -> bytes:
    """One format per bitmap; `darkness` is `^MD` (-30..30), `speed` `^PR` (1..14 in/s).

    `^PW`/`^LL` default to the bitmap's own size; `^PQ` prints `copies` of each label.
    """
    if not bitmaps:
        raise EncodeError("nothing to print: no labels")
    if darkness is not None and not -30 <= darkness <= 30:
        raise EncodeError(f"ZPL darkness (^MD) must be -30..30, not {darkness}")
    if speed is not None and not 1 <= speed <= 14:
        raise EncodeError(f"ZPL speed (^PR) must be 1..14, not {speed}")
    if compression not in ("z64", "acs", "hex"):
        raise EncodeError(f"unknown ZPL compression {compression!r}")
    parts: list[bytes] = []
    for bitmap in bitmaps:
        head = ["^XA"]
        if title:
            head.append(f"^FX{zpl_comment(title)}")
        head += [
            f"^PW{width_dots or bitmap.width}",
            f"^LL{length_dots or bitmap.height}",
            "^LH0,0",
        ]
        if darkness is not None:
            head.append(f"^MD{darkness}")
        if speed is not None:
            head.append(f"^PR{speed}")
        head.append(f"^PQ{copies}")
        parts.append("".join(head).encode("ascii"))
        parts.append(b"^FO0,0" + graphic_field(bitmap, compression) + b"^FS^XZ\n")
    return b"".join(parts)


def graphic_field(bitmap: Bitmap, compression: Compression = "z64") -> bytes:
    """`^GFA,total,total,row_bytes,data` for one bitmap (1 bit = dot, as ZPL wants)."""
    total = len(bitmap.data)
    if compression == "z64":
        data = z64(bitmap.data)
    elif compression == "acs":
        data = acs(bitmap.data, bitmap.row_bytes)
    else:
        data = bitmap.data.hex().upper().encode("ascii")
    return f"^GFA,{total},{total},{bitmap.row_bytes},".encode("ascii") + data


def z64(raw: bytes) -> bytes:
    """`:Z64:<base64 of zlib data>:<CRC>`; the CRC-16/XMODEM is over the base64 text."""
    encoded = base64.b64encode(zlib.compress(raw, 6))
    return b":Z64:" + encoded + b":" + f"{binascii.crc_hqx(encoded, 0):04X}".encode("ascii")


# ACS repeat counts: G..Y are 1..19, g..z are 20, 40, .. 400; several add up ("vMB" = 327 B's).
_SMALL = "GHIJKLMNOPQRSTUVWXY"
_LARGE = "ghijklmnopqrstuvwxyz"
_RUN = re.compile(r"([0-9A-F])\1+")


def _count(n: int) -> str:
    out = "z" * (n // 400)
    n %= 400
    if n >= 20:
        out += _LARGE[n // 20 - 1]
        n %= 20
    if n:
        out += _SMALL[n - 1]
    return out


def _compress_row(hex_row: str) -> str:
    # A run of 0s (or Fs) to the end of the row is "," (or "!"); a lone 0 has no shorter form.
    stripped = hex_row.rstrip("0")
    if len(hex_row) - len(stripped) > 1:
        tail, hex_row = ",", stripped
    else:
        stripped = hex_row.rstrip("F")
        tail = "!" if len(hex_row) - len(stripped) > 1 else ""
        hex_row = stripped if tail else hex_row
    return _RUN.sub(lambda m: _count(len(m[0])) + m[1], hex_row) + tail


def acs(raw: bytes, row_bytes: int) -> bytes:
    """Zebra's ASCII run-length compression of hex data, with ":" for a repeated row."""
    out: list[str] = []
    previous: bytes | None = None
    for start in range(0, len(raw), row_bytes):
        row = raw[start : start + row_bytes]
        if row == previous:
            out.append(":")  # never first: a leading ":" would announce :Z64:/:B64: data
            continue
        previous = row
        out.append(_compress_row(row.hex().upper()))
    return "".join(out).encode("ascii")
