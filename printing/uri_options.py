"""Printer URI parts below the address: media sizes, the `?options`, and safe error text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

DPIS = (203, 300)
DEFAULT_DPI = 203
DEFAULT_MEDIA = "4x6"
MM_PER_INCH = 25.4

# Named media sizes, width x height in mm, portrait. "4x6" is the Click & Drop thermal label
# (101.6 x 152.4 mm); "6x4" is what UK users call the same stock, so it is accepted as an alias.
_NAMED_MEDIA: dict[str, tuple[float, float]] = {
    "4x6": (101.6, 152.4),
    "a4": (210.0, 297.0),
    "a6": (105.0, 148.0),
}
_MEDIA_ALIASES = {"6x4": "4x6"}
_MEDIA_MM = re.compile(r"^(\d{1,3}(?:\.\d{1,2})?)x(\d{1,4}(?:\.\d{1,2})?)mm$")
_OPTION_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_PROFILE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")

# An option validator returns the canonical text of a value, or raises PrinterUriError.
_Validator = Callable[[str, str], str]


class PrinterUriError(ValueError):
    """A printer URI that cannot be used; `message` is one line, safe to show (no control chars)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def printable(text: str, limit: int = 80) -> str:
    """`text` with anything unprintable (control, bidi-override, unassigned) shown as an escape,
    cut to `limit`: safe to echo into a terminal or a log."""
    out: list[str] = []
    for ch in text:
        if ch.isprintable():
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    shown = "".join(out)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def has_unprintable(text: str) -> bool:
    return not text.isprintable()


@dataclass(frozen=True)
class Media:
    """Loaded media: size in mm and in printer dots at `dpi` (dots are what encoders need)."""

    name: str
    width_mm: float
    height_mm: float
    dpi: int = DEFAULT_DPI

    @property
    def width_dots(self) -> int:
        return round(self.width_mm / MM_PER_INCH * self.dpi)

    @property
    def height_dots(self) -> int:
        return round(self.height_mm / MM_PER_INCH * self.dpi)

    @property
    def width_bytes(self) -> int:
        """Bytes per raster row (1 bit per dot, rows padded to whole bytes)."""
        return (self.width_dots + 7) // 8


def parse_media(value: str, dpi: int = DEFAULT_DPI) -> Media:
    """`4x6`, `6x4` (alias), `a4`, or `WxHmm` such as `100x150mm`."""
    text = value.strip().lower()
    text = _MEDIA_ALIASES.get(text, text)
    if text in _NAMED_MEDIA:
        width, height = _NAMED_MEDIA[text]
        return Media(text, width, height, dpi)
    match = _MEDIA_MM.match(text)
    if match:
        width, height = float(match.group(1)), float(match.group(2))
        if not (10 <= width <= 420 and 10 <= height <= 2000):
            raise PrinterUriError(
                f"media {printable(value)} is out of range (width 10-420 mm, height 10-2000 mm)"
            )
        return Media(f"{_fmt_mm(width)}x{_fmt_mm(height)}mm", width, height, dpi)
    raise PrinterUriError(
        f"unknown media {printable(value)!r}: use 4x6, a4, or WIDTHxHEIGHTmm (e.g. 100x150mm)"
    )


def _fmt_mm(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


class Options(Mapping[str, str]):
    """Per-printer options after `?`, immutable and hashable so `PrinterUri` can be frozen."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self._items: tuple[tuple[str, str], ...] = tuple(sorted((items or {}).items()))

    def __getitem__(self, key: str) -> str:
        for name, value in self._items:
            if name == key:
                return value
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Options):
            return self._items == other._items
        if isinstance(other, Mapping):
            return dict(self._items) == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Options({dict(self._items)!r})"


def _int_range(low: int, high: int) -> _Validator:
    def check(key: str, value: str) -> str:
        if not re.fullmatch(r"-?\d{1,7}", value) or not low <= int(value) <= high:
            raise PrinterUriError(f"option {key} must be a whole number from {low} to {high}")
        return str(int(value))

    return check


def _float_range(low: float, high: float) -> _Validator:
    def check(key: str, value: str) -> str:
        if not re.fullmatch(r"\d{1,4}(?:\.\d{1,3})?", value) or not low <= float(value) <= high:
            raise PrinterUriError(f"option {key} must be a number from {low:g} to {high:g}")
        return _fmt_mm(float(value))

    return check


def _boolean(key: str, value: str) -> str:
    lowered = value.lower()
    if lowered in ("1", "yes", "true", "on"):
        return "yes"
    if lowered in ("0", "no", "false", "off"):
        return "no"
    raise PrinterUriError(f"option {key} must be yes or no")


def _profile(key: str, value: str) -> str:
    if not _PROFILE.match(value):
        raise PrinterUriError(f"option {key} must be a python-escpos profile name (e.g. TM-T88V)")
    return value


# Options every transport understands: per-chunk timeout (s), chunk size (bytes), pause (ms).
_TRANSPORT_OPTIONS: dict[str, _Validator] = {
    "timeout": _float_range(0.5, 600),
    "chunk": _int_range(64, 1 << 20),
    # Milliseconds to wait between chunks, for printers whose buffer overflows on a steady
    # stream (cognitivegears/ha-escpos-thermal-printer#45, labelle-org/labelle#68).
    "pause": _int_range(0, 2000),
}
_LANGUAGE_OPTIONS: dict[str, dict[str, _Validator]] = {
    # ESC/POS: capability profile, cut after each label, image fragment height in dots.
    "escpos": {"profile": _profile, "cut": _boolean, "fragment": _int_range(8, 4096)},
    # ZPL: ^MD darkness relative to the printer's setting (-30..30), ^PR speed 1-14 (in/s).
    # Ranges match printing/encoders (JobOptions), which turns them into commands.
    "zpl": {"darkness": _int_range(-30, 30), "speed": _int_range(1, 14)},
    # TSPL: DENSITY 0-15, SPEED 1-18, GAP between labels in mm.
    "tspl": {"darkness": _int_range(0, 15), "speed": _int_range(1, 18), "gap": _float_range(0, 50)},
    "pdf": {},
}


def parse_options(
    language: str, query: str, decode: Callable[[str, str], str]
) -> tuple[int, Media, Options]:
    """`dpi`, `media` and the validated per-transport and per-language options of `query`."""
    allowed = {**_TRANSPORT_OPTIONS, **_LANGUAGE_OPTIONS[language]}
    seen: dict[str, str] = {}
    for part in query.split("&") if query else []:
        if not part:
            continue
        key, eq, raw_value = part.partition("=")
        key = key.strip().lower()
        if not eq or not _OPTION_KEY.match(key):
            raise PrinterUriError(f"bad printer option {printable(part)!r}: expected name=value")
        if key in seen:
            raise PrinterUriError(f"printer option {key} is given twice")
        seen[key] = decode(raw_value, f"option {key}").strip()
    dpi = DEFAULT_DPI
    if "dpi" in seen:
        dpi_text = seen.pop("dpi")
        if not (dpi_text.isascii() and dpi_text.isdigit()) or int(dpi_text) not in DPIS:
            raise PrinterUriError(
                f"dpi must be 203 or 300 (got {printable(dpi_text)!r}): the printer's true resolution"
            )
        dpi = int(dpi_text)
    media = parse_media(seen.pop("media", DEFAULT_MEDIA), dpi)
    options: dict[str, str] = {}
    for key, value in seen.items():
        if key not in allowed:
            known = ", ".join(sorted({"dpi", "media", *allowed}))
            raise PrinterUriError(
                f"unknown option {key!r} for {language} printers (known: {known})"
            )
        options[key] = allowed[key](key, value)
    return dpi, media, Options(options)
