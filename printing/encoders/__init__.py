"""Printer-language encoders: 1-bit bitmaps in, job bytes out (ESC/POS, ZPL, TSPL; PDF passes).

Every encoder is a pure function of its bitmaps and options, so the preview, the golden tests
and the printer all see the same dots. Transports only move the bytes these return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from printing.bitmap import Bitmap

RasterLanguage = Literal["escpos", "zpl", "tspl"]
RASTER_LANGUAGES: tuple[RasterLanguage, ...] = ("escpos", "zpl", "tspl")


class EncodeError(ValueError):
    """Bitmaps or options a printer language cannot express (one line, safe to show)."""


@dataclass(frozen=True, slots=True)
class JobOptions:
    """Options every raster language understands; `None` keeps the printer's own setting.

    `darkness` and `speed` are in the language's own units (ZPL `^MD` -30..30 and `^PR` 1..14,
    TSPL `DENSITY` 0..15 and `SPEED` 1..18; ESC/POS ignores both). `title` is a job comment
    (customer text allowed: it is sanitised for the language).
    """

    copies: int = 1
    darkness: int | None = None
    speed: int | None = None
    title: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.copies <= 999:
            raise EncodeError(f"copies must be 1..999, not {self.copies}")


def encode(language: str, bitmaps: Sequence[Bitmap], options: JobOptions | None = None) -> bytes:
    """Encode `bitmaps` (one per label) for `language` with the language's defaults."""
    opts = options or JobOptions()
    if not bitmaps:
        raise EncodeError("nothing to print: no labels")
    if language == "escpos":
        from printing.encoders.escpos import encode_escpos

        return encode_escpos(bitmaps, copies=opts.copies)
    if language == "zpl":
        from printing.encoders.zpl import encode_zpl

        return encode_zpl(
            bitmaps,
            copies=opts.copies,
            darkness=opts.darkness,
            speed=opts.speed,
            title=opts.title,
        )
    if language == "tspl":
        from printing.encoders.tspl import encode_tspl

        return encode_tspl(bitmaps, copies=opts.copies, density=opts.darkness, speed=opts.speed)
    raise EncodeError(f"unknown printer language {language!r}: use one of {RASTER_LANGUAGES}")
