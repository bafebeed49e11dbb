"""An ink canvas for decoders: places decoded graphics the way a printer's image buffer does."""

from __future__ import annotations

from typing import Literal

from PIL import Image, ImageChops

from printing.bitmap import Bitmap

DrawMode = Literal["overwrite", "or", "xor"]


class InkCanvas:
    """A mode "1" image where 1 = a dot (the reverse of a normal picture), so OR adds ink."""

    def __init__(self, width: int, height: int) -> None:
        self.width = max(1, width)
        self.height = max(1, height)
        self._image = Image.new("1", (self.width, self.height), 0)

    def draw(
        self, data: bytes, row_bytes: int, rows: int, x: int, y: int, mode: DrawMode = "or"
    ) -> None:
        """Put `rows` rows of packed 1 = dot data at (x, y); anything off the canvas is lost."""
        if row_bytes <= 0 or rows <= 0:
            return
        # Packed "1" data with 1 = white in Pillow's terms is exactly 1 = ink here.
        patch = Image.frombytes("1", (row_bytes * 8, rows), data)
        if mode == "overwrite":
            self._image.paste(patch, (x, y))
            return
        region = (x, y, x + patch.width, y + patch.height)
        current = self._image.crop(region)
        combined = (
            ImageChops.logical_or(current, patch)
            if mode == "or"
            else ImageChops.logical_xor(current, patch)
        )
        self._image.paste(combined, (x, y))

    def is_blank(self) -> bool:
        return self._image.getbbox() is None

    def to_bitmap(self, dpi: int) -> Bitmap:
        return Bitmap(self.width, self.height, self._image.tobytes(), dpi)


def stack(fragments: list[tuple[int, int, bytes]], dpi: int) -> Bitmap:
    """Raster fragments `(row_bytes, rows, data)` one under another, as ESC/POS prints them."""
    width_bytes = max(f[0] for f in fragments)
    parts: list[bytes] = []
    for row_bytes, rows, data in fragments:
        if row_bytes == width_bytes:
            parts.append(data)
            continue
        pad = bytes(width_bytes - row_bytes)
        parts.extend(data[r * row_bytes : (r + 1) * row_bytes] + pad for r in range(rows))
    return Bitmap(width_bytes * 8, sum(f[1] for f in fragments), b"".join(parts), dpi)
