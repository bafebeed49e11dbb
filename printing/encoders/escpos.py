"""ESC/POS raster jobs, driven by python-escpos: `GS v 0` images in fragments the printer can buffer.

python-escpos is the driver: its `Escpos` command set (a `Dummy` printer collecting the bytes)
writes the job's framing (`ESC @`, the cut), and a capability profile from its database sets the
printable width (a named profile such as `TM-T88V`, 512 dots, keeps its own; for 4-inch label
printers the database does not know, the default profile gets the media width). A bitmap wider
than the profile's printable width is refused, never cut off.

The raster itself is written by `_LabelPrinter.raster`, a method of our `Dummy` subclass, in the
exact layout python-escpos' `image(impl="bitImageRaster")` writes: `GS v 0 0 xL xH yL yH` and the
rows, 1 bit = a dot, MSB leftmost, each row padded to a whole byte with 0 (no dot). That layout
is what `Bitmap.data` already is, so a fragment is a slice of it. python-escpos' own `image()`
would get the same bytes through its `EscposImage` class (RGBA, paste, grey, invert, then "1"
again, per fragment), which cost 14 ms for a 6x4 label at 203 dpi and 30 ms at 300 dpi (most of
a scan, `tests/bench/bench_scan.py`); the slice costs microseconds. The unit tests check the two
byte for byte (tests/unit/printing/test_encoders.py).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from typing import Any

from escpos import capabilities
from escpos.printer import Dummy

from printing.bitmap import Bitmap
from printing.encoders import EncodeError

# python-escpos defaults to 960 rows per `GS v 0`; many cheap printers overflow long before
# that (python-escpos#31, #52, #662). 256 rows of a 4-inch label is 26 KB, which fits the
# smallest receive buffers we know of, and the 8-byte header per fragment costs nothing.
DEFAULT_FRAGMENT_HEIGHT = 256

INIT = b"\x1b@"  # ESC @: clear the buffer and reset modes, so no earlier state leaks in
CUT = b"\x1dVB\x00"  # GS V 66 0: feed to the cutter and cut (function B, no extra feed)
RASTER = b"\x1dv0"  # GS v 0: raster bit image
_NORMAL_DENSITY = 0  # `m` of GS v 0: 0 = full density across and along (python-escpos' default)


class _LabelPrinter(Dummy):  # type: ignore[misc]  # python-escpos ships no type hints
    """python-escpos' collecting printer, plus a raster writer that needs no image conversion."""

    def raster(self, bitmap: Bitmap, fragment_height: int) -> None:
        """`bitmap` as `GS v 0` fragments of at most `fragment_height` rows."""
        step = bitmap.row_bytes
        width = step.to_bytes(2, "little")
        data = memoryview(bitmap.data)
        for top in range(0, bitmap.height, fragment_height):
            rows = min(fragment_height, bitmap.height - top)
            head = RASTER + bytes((_NORMAL_DENSITY,)) + width + rows.to_bytes(2, "little")
            self._raw(head + data[top * step : (top + rows) * step])


def encode_escpos(
    bitmaps: Sequence[Bitmap],
    *,
    profile: str | None = None,
    fragment_height: int = DEFAULT_FRAGMENT_HEIGHT,
    cut: bool = True,
    copies: int = 1,
) -> bytes:
    """One job: `ESC @`, then per label its raster fragments and (if `cut`) `GS V 66 0`."""
    if not bitmaps:
        raise EncodeError("nothing to print: no labels")
    if not 1 <= fragment_height <= 2047:
        raise EncodeError(f"fragment height must be 1..2047 rows, not {fragment_height}")
    width = max(b.row_bytes * 8 for b in bitmaps)
    printer = _LabelPrinter(profile=label_profile(profile, width))
    printer.hw("INIT")
    for _ in range(copies):
        for bitmap in bitmaps:
            printer.raster(bitmap, fragment_height)
            if cut:
                printer.cut(feed=False)
    output: bytes = printer.output
    printer.close()
    return output


@functools.lru_cache(maxsize=32)
def label_profile(name: str | None, width_dots: int) -> Any:
    """A python-escpos profile object that knows its printable width in dots.

    A named profile keeps its own width, and a label wider than that is an error; an unnamed
    (or width-less) one gets `width_dots`, so python-escpos neither prints a warning to stdout
    nor skips its width check. Cached: building one deep-copies the profile's data, and every
    job for a printer asks for the same one (the printer only reads it).
    """
    try:
        base = capabilities.get_profile_class(name or "default")
    except KeyError:
        raise EncodeError(f"unknown ESC/POS printer profile {name!r}") from None
    data: dict[str, Any] = copy.deepcopy(base.profile_data)
    pixels = data.setdefault("media", {}).setdefault("width", {}).get("pixels", "Unknown")
    if isinstance(pixels, int):
        if width_dots > pixels:
            raise EncodeError(
                f"the label is {width_dots} dots wide but the {name} profile prints at most "
                f"{pixels}: choose media that fits this printer"
            )
    else:
        data["media"]["width"]["pixels"] = width_dots
    # python-escpos only takes a profile object if it is a `capabilities.Profile`.
    profile_class = type(f"{base.__name__}Label", (capabilities.Profile,), {"profile_data": data})
    return profile_class(features=data.get("features"))
