"""TSPL/TSPL2 jobs (Rollo, Munbyn, Xprinter, TSC-class 4x6 printers): `BITMAP` per label.

Polarity: in a TSPL `BITMAP` a 1 bit is WHITE (no dot) and a 0 bit is BLACK, the opposite of
ESC/POS and ZPL. Our `Bitmap` is 1 = dot, so the data is inverted on the way out, and the
padding bits at the end of each row (0 = no dot in a `Bitmap`) become 1 = white as they must.
Mode 0 (OVERWRITE) puts the data straight into the image buffer.
"""

from __future__ import annotations

from collections.abc import Sequence

from printing.bitmap import Bitmap
from printing.encoders import EncodeError
from printing.raster import MM_PER_INCH, MediaSize

_INVERT = bytes(255 - i for i in range(256))
EOL = b"\r\n"


def encode_tspl(
    bitmaps: Sequence[Bitmap],
    *,
    media: MediaSize | None = None,
    gap_mm: float = 3.0,
    gap_offset_mm: float = 0.0,
    density: int | None = None,
    speed: int | None = None,
    direction: int = 0,
    copies: int = 1,
) -> bytes:
    """`SIZE`, `GAP`, `DIRECTION`, [`DENSITY`, `SPEED`], then per label `CLS`, `BITMAP`, `PRINT`.

    `media` defaults to the first bitmap's size at its dpi; `gap_mm` 0 means continuous stock.
    `density` is 0..15 (darkness), `speed` 1..18 inches/s (what the model supports).
    """
    if not bitmaps:
        raise EncodeError("nothing to print: no labels")
    if density is not None and not 0 <= density <= 15:
        raise EncodeError(f"TSPL density must be 0..15, not {density}")
    if speed is not None and not 1 <= speed <= 18:
        raise EncodeError(f"TSPL speed must be 1..18, not {speed}")
    if direction not in (0, 1):
        raise EncodeError(f"TSPL direction must be 0 or 1, not {direction}")
    first = bitmaps[0]
    width_mm, height_mm = (
        (media.width_mm, media.height_mm)
        if media
        else (first.width / first.dpi * MM_PER_INCH, first.height / first.dpi * MM_PER_INCH)
    )
    head = [
        f"SIZE {_mm(width_mm)} mm,{_mm(height_mm)} mm",
        f"GAP {_mm(gap_mm)} mm,{_mm(gap_offset_mm)} mm",
        f"DIRECTION {direction}",
        "REFERENCE 0,0",
    ]
    if density is not None:
        head.append(f"DENSITY {density}")
    if speed is not None:
        head.append(f"SPEED {speed}")
    parts = [EOL.join(line.encode("ascii") for line in head) + EOL]
    for bitmap in bitmaps:
        parts.append(b"CLS" + EOL)
        parts.append(f"BITMAP 0,0,{bitmap.row_bytes},{bitmap.height},0,".encode("ascii"))
        parts.append(bitmap.data.translate(_INVERT))
        parts.append(EOL + f"PRINT 1,{copies}".encode("ascii") + EOL)
    return b"".join(parts)


def _mm(value: float) -> str:
    # Two decimals keep a size within 0.05 dot of the bitmap (0.1 mm would be 0.8 dot).
    return f"{value:.2f}".rstrip("0").rstrip(".")
