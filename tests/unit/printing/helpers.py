"""Shared checks for the printing tests: barcode reading and golden-image comparison."""

from __future__ import annotations

import os
from pathlib import Path

import zxingcpp
from PIL import Image, ImageChops

from printing.bitmap import Bitmap

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
UPDATE = os.environ.get("CLICKDROP_UPDATE_GOLDEN") == "1"


def barcodes(image: Image.Image | Bitmap) -> dict[str, str]:
    """Every barcode zxing-cpp finds: text -> format name."""
    picture = image.to_image() if isinstance(image, Bitmap) else image
    return {b.text: b.format.name for b in zxingcpp.read_barcodes(picture.convert("L"))}


def assert_golden(bitmap: Bitmap, name: str) -> None:
    """The 1-bit bitmap must equal tests/golden/<name>.png dot for dot.

    Regenerate deliberately with CLICKDROP_UPDATE_GOLDEN=1 (and look at the PNGs you commit).
    """
    path = GOLDEN / f"{name}.png"
    image = bitmap.to_image()
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, optimize=True)
    assert path.exists(), f"missing golden image {path.name}: run with CLICKDROP_UPDATE_GOLDEN=1"
    with Image.open(path) as stored:
        expected = stored.convert("1")
    assert expected.size == image.size, f"{name}: size {image.size} != golden {expected.size}"
    diff = ImageChops.logical_xor(expected, image).getbbox()
    assert diff is None, f"{name}: dots differ from the golden image inside {diff}"
