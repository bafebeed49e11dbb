"""Find the label(s) on a page larger than the media: one 6x4 on A4, two, four, anywhere.

Method, on the page rendered small: if two or more quarters of the page hold ink and almost
nothing crosses the lines between them, it is a 2x2 sheet and each busy quarter is a label.
Otherwise one media-sized window slides over the page (a summed-area table makes each
position one lookup) to where it holds the most ink, less a penalty for ink just outside it
(a window that cuts through a label has ink on both sides of its edge). The label is then
shrink-wrapped to the ink inside. Cut lines, cut marks and captions hold little ink, so they
never decide; and if the labels found leave much of the page's ink out (a full-page form or
letter), the page is not a sheet of labels and the caller fits the whole page instead.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pypdfium2 as pdfium
from PIL import Image

_FINE_SCALE = 0.5  # 36 dpi: label edges to within 2 pt
_COARSE = 3  # 12 dpi cells for the window search
_GUTTER_SHARE = 0.02  # cut lines and captions across the middle of a 2x2 sheet: up to 2 %
_COVERED = 0.85  # labels must hold this share of all the ink on the page
_MARGIN_PT = 1.5
_SLACK = 1.02
_RING_PENALTY = 4


@dataclass(frozen=True, slots=True)
class Region:
    """Part of a page in points, top-left origin, in the page's displayed orientation."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


def find_labels(
    page: pdfium.PdfPage, page_w: float, page_h: float, media_w: float, media_h: float
) -> list[Region]:
    """Label regions on `page` in reading order, or [] if it is not a sheet of labels."""
    grey = page.render(scale=_FINE_SCALE, grayscale=True, may_draw_forms=False).to_pil()
    # Ink: anything visibly darker than paper, so a light-grey frame still counts.
    fine = grey.point(lambda v: 255 if v < 240 else 0)
    cols, rows = max(2, fine.width // _COARSE), max(2, fine.height // _COARSE)
    coarse = bytearray(fine.resize((cols, rows), Image.Resampling.BOX).tobytes())
    table = _summed_area(coarse, cols, rows)
    total = table[rows][cols]
    if total == 0:
        return []

    def ink(x0: int, y0: int, x1: int, y1: int) -> int:
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(cols, x1), min(rows, y1)
        return table[y1][x1] - table[y0][x1] - table[y1][x0] + table[y0][x0]

    half_c, half_r = cols // 2, rows // 2
    quadrants = [
        (0, 0, half_c, half_r),
        (half_c, 0, cols, half_r),
        (0, half_r, half_c, rows),
        (half_c, half_r, cols, rows),
    ]
    amounts = [ink(*q) for q in quadrants]
    busy = [
        q for q, amount in zip(quadrants, amounts, strict=True) if amount >= max(amounts) * 0.25
    ]
    gutters = ink(half_c - 1, 0, half_c + 1, rows) + ink(0, half_r - 1, cols, half_r + 1)
    if len(busy) >= 2 and gutters <= total * _GUTTER_SHARE:
        # A sheet of two to four labels, one per quarter of the page.
        claimed = sum(ink(*q) for q in busy)
        found = [
            _shrink_wrap(fine, x0, y0, x1 - x0, y1 - y0, page_w, page_h, media_w, media_h, pad=0)
            for x0, y0, x1, y1 in busy
        ]
    else:
        cell = _COARSE / _FINE_SCALE  # points per coarse cell
        w, h = round(media_w / cell), round(media_h / cell)
        windows = [(a, b) for a, b in {(w, h), (h, w)} if 0 < a <= cols and 0 < b <= rows]
        best = _best_window(table, cols, rows, windows)
        if best is None:
            return []
        claimed, x, y, w, h = best
        found = [_shrink_wrap(fine, x, y, w, h, page_w, page_h, media_w, media_h)]
    # Labels hold nearly all the ink; if not, this is a page of something else.
    return found if claimed >= total * _COVERED else []


def _best_window(
    table: list[list[int]], cols: int, rows: int, windows: list[tuple[int, int]]
) -> tuple[int, int, int, int, int] | None:
    """(ink, x, y, w, h) of the best window, or None.

    Best = most ink inside, less a penalty for ink in the ring of cells just outside: a window
    that cuts through labels has ink on both sides of its edge, one around a whole label has
    white paper (or a thin cut line) there.
    """

    best: tuple[int, int, int, int, int, int] | None = None
    for w, h in windows:
        for y in range(rows - h + 1):
            # Rows of the table at the window's top and bottom, and one cell beyond (the ring).
            top, bottom = table[y], table[y + h]
            ring_top, ring_bottom = table[max(0, y - 1)], table[min(rows, y + h + 1)]
            for x in range(cols - w + 1):
                right = x + w
                inside = bottom[right] - top[right] - bottom[x] + top[x]
                left_r, right_r = max(0, x - 1), min(cols, right + 1)
                around = (
                    ring_bottom[right_r]
                    - ring_top[right_r]
                    - ring_bottom[left_r]
                    + ring_top[left_r]
                )
                score = inside - _RING_PENALTY * (around - inside)
                if best is None or score > best[0]:
                    best = (score, inside, x, y, w, h)
    if best is None or best[0] <= 0:
        return None
    return best[1:]


def _summed_area(values: bytearray, cols: int, rows: int) -> list[list[int]]:
    table = [[0] * (cols + 1)]
    for y in range(rows):
        running = itertools.accumulate(values[y * cols : (y + 1) * cols], initial=0)
        table.append([a + b for a, b in zip(running, table[-1], strict=True)])
    return table


def _shrink_wrap(
    fine: Image.Image,
    x: int,
    y: int,
    w: int,
    h: int,
    page_w: float,
    page_h: float,
    media_w: float,
    media_h: float,
    *,
    pad: int = _COARSE,
) -> Region:
    """The ink inside a window (`pad` fine pixels of slack each side), in points."""
    box = (
        max(0, x * _COARSE - pad),
        max(0, y * _COARSE - pad),
        min(fine.width, (x + w) * _COARSE + pad),
        min(fine.height, (y + h) * _COARSE + pad),
    )
    window = Region(*(v / _FINE_SCALE for v in box))
    inked = fine.crop(box).getbbox()
    if inked is None:
        return window
    x0, y0, x1, y1 = (v / _FINE_SCALE for v in inked)
    ox, oy = box[0] / _FINE_SCALE, box[1] / _FINE_SCALE
    region = Region(
        max(0.0, ox + x0 - _MARGIN_PT),
        max(0.0, oy + y0 - _MARGIN_PT),
        min(page_w, ox + x1 + _MARGIN_PT),
        min(page_h, oy + y1 + _MARGIN_PT),
    )
    fits = (region.width <= media_w * _SLACK and region.height <= media_h * _SLACK) or (
        region.width <= media_h * _SLACK and region.height <= media_w * _SLACK
    )
    return region if fits else _centred(region, media_w, media_h, page_w, page_h)


def _centred(found: Region, media_w: float, media_h: float, page_w: float, page_h: float) -> Region:
    """A media-sized region centred on `found` (which overhangs a little: a cut mark)."""
    w, h = (media_w, media_h) if found.height >= found.width else (media_h, media_w)
    cx, cy = (found.left + found.right) / 2, (found.top + found.bottom) / 2
    left = min(max(0.0, cx - w / 2), max(0.0, page_w - w))
    top = min(max(0.0, cy - h / 2), max(0.0, page_h - h))
    return Region(left, top, min(page_w, left + w), min(page_h, top + h))
