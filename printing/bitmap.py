"""A 1-bit label bitmap: packed rows, 1 bit = a printed dot, the one currency of render and encode."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

# Pillow's "1;I" raw mode packs a mode "1" image inverted: black pixel -> bit 1. That is exactly
# "1 = dot" with rows padded to whole bytes by 0 (= no dot), what ESC/POS and ZPL want.
INK_RAWMODE = "1;I"


class BitmapError(ValueError):
    """Bytes that cannot be a bitmap of the stated size."""


@dataclass(frozen=True, slots=True)
class Bitmap:
    """Packed 1-bit image: `height` rows of `row_bytes` bytes, MSB = leftmost dot, 1 = black.

    `width` may be any positive number; each row is padded with 0 bits (no dot) to a whole
    byte, so `padded()` (width a multiple of 8) is the same data with the padding made visible.
    `dpi` is the printer resolution it was made for (metadata; it does not change the data).
    """

    width: int
    height: int
    data: bytes
    dpi: int = 203

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise BitmapError(f"bitmap size must be positive, not {self.width}x{self.height}")
        expected = self.row_bytes * self.height
        if len(self.data) != expected:
            raise BitmapError(
                f"{self.width}x{self.height} bitmap needs {expected} bytes, got {len(self.data)}"
            )

    @property
    def row_bytes(self) -> int:
        return (self.width + 7) // 8

    @classmethod
    def from_image(cls, image: Image.Image, *, dpi: int = 203) -> Bitmap:
        """From a Pillow image; anything but mode "1" is thresholded at 50 % grey first."""
        if image.mode != "1":
            image = image.convert("L").point(_THRESHOLD_128, "1")
        return cls(image.width, image.height, image.tobytes("raw", INK_RAWMODE), dpi)

    @classmethod
    def blank(cls, width: int, height: int, *, dpi: int = 203) -> Bitmap:
        return cls(width, height, bytes(((width + 7) // 8) * height), dpi)

    def to_image(self) -> Image.Image:
        """A Pillow mode "1" image (black dots on white), e.g. to save as PNG or preview."""
        return Image.frombytes("1", (self.width, self.height), self.data, "raw", INK_RAWMODE)

    def padded(self) -> Bitmap:
        """The same dots with the width rounded up to a whole byte, as printers receive it."""
        if self.width % 8 == 0:
            return self
        return Bitmap(self.row_bytes * 8, self.height, self.data, self.dpi)

    def rows(self) -> list[bytes]:
        step = self.row_bytes
        return [self.data[i : i + step] for i in range(0, len(self.data), step)]

    def ink_dots(self) -> int:
        """How many dots are printed (a cheap "is anything there" and darkness figure)."""
        return sum(b.bit_count() for b in self.data)

    def same_dots(self, other: Bitmap) -> bool:
        """Pixel-exact equality up to byte padding (what a round trip through a printer keeps)."""
        return (
            self.padded().width == other.padded().width
            and self.height == other.height
            and self.data == other.data
        )


_THRESHOLD_128 = [0] * 128 + [255] * 128
