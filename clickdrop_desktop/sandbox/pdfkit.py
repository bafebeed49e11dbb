"""Fonts and safe text drawing for the sandbox's reportlab documents.

DejaVu Sans is used when it is installed (it covers Latin, Greek, Cyrillic, Hebrew and Arabic
letters; CJK and most emoji show as empty boxes); otherwise the base-14 Helvetica, with
characters it cannot encode shown as `?`. Control and format characters are drawn as visible
ASCII tags (`<ESC>`, `<U+202E>`), so hostile text shows what it holds instead of vanishing.
"""

from __future__ import annotations

import functools
import os
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/dejavu-sans-fonts",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    os.path.expanduser("~/Library/Fonts"),
    os.path.expanduser("~/.local/share/fonts"),
    os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts"),
)


@dataclass(frozen=True, slots=True)
class Fonts:
    regular: str
    bold: str
    unicode: bool  # False: base-14 fonts, Latin-1 only


@functools.cache
def fonts() -> Fonts:
    """Register DejaVu Sans once per process if found, else fall back to Helvetica."""
    for folder in _FONT_DIRS:
        regular = Path(folder) / "DejaVuSans.ttf"
        bold = Path(folder) / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            try:
                pdfmetrics.registerFont(TTFont("SandboxSans", str(regular)))
                pdfmetrics.registerFont(TTFont("SandboxSans-Bold", str(bold)))
            except Exception as exc:  # noqa: BLE001 - a broken font file must not stop labels
                print(f"sandbox: cannot load {regular}: {exc}", file=sys.stderr)
                continue
            return Fonts("SandboxSans", "SandboxSans-Bold", unicode=True)
    return Fonts("Helvetica", "Helvetica-Bold", unicode=False)


_CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "BS",
    0x09: "HT",
    0x0A: "LF",
    0x0B: "VT",
    0x0C: "FF",
    0x0D: "CR",
    0x10: "DLE",
    0x1B: "ESC",
    0x1D: "GS",
    0x7F: "DEL",
}


def printable(text: str | None) -> str:
    """`text` made safe to draw: controls become `<ESC>`-style tags, unencodable chars `?`."""
    if not text:
        return ""
    out = []
    for ch in text:
        code = ord(ch)
        if code < 0x20 or 0x7F <= code < 0xA0:
            out.append(f"<{_CONTROL_NAMES.get(code, f'x{code:02X}')}>")
        elif unicodedata.category(ch) in ("Cf", "Cs", "Co"):
            out.append(f"<U+{code:04X}>")  # bidi overrides, zero-width, lone surrogates
        else:
            out.append(ch)
    result = "".join(out)
    if not fonts().unicode:
        result = result.encode("latin-1", "replace").decode("latin-1")
    return result


def fit(text: str, font: str, size: float, width: float, min_size: float = 5.0) -> float:
    """The largest size <= `size` (down to `min_size`) at which `text` fits in `width`."""
    while size > min_size and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def ellipsize(text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def wrap(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """Word-wrap into at most `max_lines`, the last one ellipsized if text remains."""
    words = text.split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}" if current else word
        if pdfmetrics.stringWidth(trial, font, size) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        current = word
        if len(lines) == max_lines:
            break
    if current and len(lines) < max_lines:
        lines.append(current)
    consumed = " ".join(lines)
    if len(consumed) < len(text.strip()) and lines:
        lines[-1] = ellipsize(lines[-1] + " …", font, size, width)
    return [ellipsize(line, font, size, width) for line in lines[:max_lines]]


def draw_line(
    c: Canvas,
    x: float,
    y: float,
    text: str | None,
    *,
    size: float,
    width: float,
    bold: bool = False,
    min_size: float = 5.0,
) -> None:
    """One line of customer text: made printable, shrunk to fit, then ellipsized."""
    f = fonts()
    font = f.bold if bold else f.regular
    safe = printable(text)
    size = fit(safe, font, size, width, min_size)
    c.setFont(font, size)
    c.drawString(x, y, ellipsize(safe, font, size, width))


def spaced_tracking(number: str) -> str:
    """`TT123456785GB` as printed under the barcode: `TT 1234 5678 5GB`."""
    if len(number) == 13 and number[:2].isalpha() and number[-2:].isalpha():
        return f"{number[:2]} {number[2:6]} {number[6:10]} {number[10:]}"
    return number
