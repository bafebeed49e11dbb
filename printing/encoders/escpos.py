"""ESC/POS raster jobs through python-escpos: `GS v 0` images in fragments the printer can buffer.

The bytes come from python-escpos' own `image()` (collected with its `Dummy` printer), driven by
a capability profile: a named profile from its database (e.g. `TM-T88V`, 512 dots) or, for
4-inch label printers the database does not know, the default profile with the media width
filled in. A bitmap wider than the profile's printable width is refused, never cut off.
"""

from __future__ import annotations

import copy
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
    printer = Dummy(profile=label_profile(profile, width))
    printer.hw("INIT")
    for _ in range(copies):
        for bitmap in bitmaps:
            image = bitmap.to_image()
            # Split here rather than let python-escpos do it: it would convert the whole
            # image once just to measure it and then every fragment again (twice the work).
            for top in range(0, image.height, fragment_height):
                fragment = image.crop(
                    (0, top, image.width, min(top + fragment_height, image.height))
                )
                printer.image(
                    fragment,
                    impl="bitImageRaster",
                    fragment_height=fragment_height,
                    center=False,
                )
            if cut:
                printer.cut(feed=False)
    output: bytes = printer.output
    printer.close()
    return output


def label_profile(name: str | None, width_dots: int) -> Any:
    """A python-escpos profile object that knows its printable width in dots.

    A named profile keeps its own width, and a label wider than that is an error; an unnamed
    (or width-less) one gets `width_dots`, so python-escpos neither prints a warning to stdout
    nor skips its width check.
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
