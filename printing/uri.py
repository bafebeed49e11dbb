"""Printer URIs (`LANGUAGE+TRANSPORT://ADDRESS[?OPTIONS]`, DESIGN.md): parse, validate, print back."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath
from typing import Literal
from urllib.parse import quote, unquote

Language = Literal["escpos", "zpl", "tspl", "pdf"]
TransportKind = Literal["usb", "tcp", "file", "spool"]

LANGUAGES: tuple[Language, ...] = ("escpos", "zpl", "tspl", "pdf")
TRANSPORTS: tuple[TransportKind, ...] = ("usb", "tcp", "file", "spool")
DPIS = (203, 300)
DEFAULT_DPI = 203
DEFAULT_MEDIA = "4x6"
DEFAULT_TCP_PORT = 9100
MM_PER_INCH = 25.4

# Named media sizes, width x height in mm, portrait. "4x6" is the Click & Drop thermal label
# (101.6 x 152.4 mm); "6x4" is what UK users call the same stock, so it is accepted as an alias.
_NAMED_MEDIA: dict[str, tuple[float, float]] = {
    "4x6": (101.6, 152.4),
    "a4": (210.0, 297.0),
}
_MEDIA_ALIASES = {"6x4": "4x6"}
_MEDIA_MM = re.compile(r"^(\d{1,3}(?:\.\d{1,2})?)x(\d{1,4}(?:\.\d{1,2})?)mm$")

_OPTION_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_HEX_ID = re.compile(r"^(?:0x)?([0-9a-fA-F]{1,4})$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.?$"
)
_PROFILE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_MAX_URI = 2048

# Characters kept as-is when an address part is printed back; everything else is %-encoded.
_SAFE_PATH = "/:._-~+@,"
_SAFE_NAME = "._-~+@,"

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


def _has_control(text: str) -> bool:
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


@dataclass(frozen=True)
class PrinterUri:
    """A parsed printer URI. `str()` gives the canonical form, which parses back to an equal value."""

    language: Language
    transport: TransportKind
    address: str
    dpi: int = DEFAULT_DPI
    media: Media = field(default_factory=lambda: parse_media(DEFAULT_MEDIA))
    options: Options = field(default_factory=Options)

    def __str__(self) -> str:
        query: list[str] = []
        if self.dpi != DEFAULT_DPI:
            query.append(f"dpi={self.dpi}")
        if self.media.name != DEFAULT_MEDIA:
            query.append(f"media={self.media.name}")
        query += [f"{key}={quote(value, safe='._-')}" for key, value in self.options.items()]
        text = f"{self.language}+{self.transport}://{self._address_text()}"
        return f"{text}?{'&'.join(query)}" if query else text

    def _address_text(self) -> str:
        if self.transport == "usb":
            vid, pid, serial = self.usb_ids
            base = f"{vid:04x}:{pid:04x}"
            return f"{base}/{quote(serial, safe=_SAFE_NAME)}" if serial is not None else base
        if self.transport == "tcp":
            host, port = self.tcp_endpoint
            shown = f"[{host}]" if ":" in host else host
            return f"{shown}:{port}"
        if self.transport == "file":
            path = self.address if self.address.startswith("/") else "/" + self.address
            return quote(path, safe=_SAFE_PATH)
        return quote(self.address, safe=_SAFE_NAME)

    # Typed views of the address, one per transport.
    @property
    def usb_ids(self) -> tuple[int, int, str | None]:
        """(vendor id, product id, serial or None) of a `usb://VID:PID[/SERIAL]` URI."""
        self._expect("usb")
        ids, _, serial = self.address.partition("/")
        vid, _, pid = ids.partition(":")
        return int(vid, 16), int(pid, 16), (serial if serial else None)

    @property
    def tcp_endpoint(self) -> tuple[str, int]:
        self._expect("tcp")
        host, _, port = self.address.rpartition(":")
        return host, int(port)

    @property
    def file_path(self) -> str:
        self._expect("file")
        return self.address

    @property
    def spool_queue(self) -> str:
        self._expect("spool")
        return self.address

    def option(self, key: str, default: str | None = None) -> str | None:
        return self.options.get(key, default)

    @property
    def timeout_s(self) -> float | None:
        value = self.options.get("timeout")
        return float(value) if value is not None else None

    @property
    def chunk_size(self) -> int | None:
        value = self.options.get("chunk")
        return int(value) if value is not None else None

    @property
    def pause_s(self) -> float:
        return int(self.options.get("pause", "0")) / 1000

    def _expect(self, transport: TransportKind) -> None:
        if self.transport != transport:
            raise PrinterUriError(f"{self.transport} printer URI has no {transport} address")


def parse_printer_uri(text: str) -> PrinterUri:
    """Parse a printer URI; bad input raises `PrinterUriError` with one clear line."""
    if not isinstance(text, str) or not text.strip():
        raise PrinterUriError("empty printer URI: expected e.g. zpl+tcp://127.0.0.1:9100")
    text = text.strip()
    if len(text) > _MAX_URI:
        raise PrinterUriError(f"printer URI is too long ({len(text)} characters)")
    if _has_control(text):
        raise PrinterUriError(f"printer URI contains unprintable characters: {printable(text)}")
    scheme, sep, rest = text.partition("://")
    if not sep:
        raise PrinterUriError(
            f"not a printer URI: {printable(text)} (expected LANGUAGE+TRANSPORT://ADDRESS, "
            "e.g. zpl+tcp://127.0.0.1:9100)"
        )
    language_text, plus, transport_text = scheme.lower().partition("+")
    if not plus:
        raise PrinterUriError(
            f"printer URI scheme {printable(scheme)!r} needs LANGUAGE+TRANSPORT, e.g. tspl+usb"
        )
    if language_text not in LANGUAGES:
        raise PrinterUriError(
            f"unknown printer language {printable(language_text)!r}: use {', '.join(LANGUAGES)}"
        )
    if transport_text not in TRANSPORTS:
        raise PrinterUriError(
            f"unknown transport {printable(transport_text)!r}: use {', '.join(TRANSPORTS)}"
        )
    language: Language = language_text
    transport: TransportKind = transport_text
    address_text, _, query = rest.partition("?")
    if "#" in address_text or "#" in query:
        raise PrinterUriError("printer URI must not contain '#'")
    address = _parse_address(transport, address_text)
    dpi, media, options = _parse_options(language, query)
    return PrinterUri(language, transport, address, dpi, media, options)


def _parse_address(transport: TransportKind, text: str) -> str:
    if transport == "usb":
        return _parse_usb(text)
    if transport == "tcp":
        return _parse_tcp(text)
    if transport == "file":
        return _parse_file(text)
    return _parse_spool(text)


def _decode(text: str, what: str) -> str:
    try:
        decoded = unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise PrinterUriError(f"{what} is not valid UTF-8 after %-decoding") from None
    if _has_control(decoded):
        raise PrinterUriError(f"{what} contains unprintable characters: {printable(decoded)}")
    return decoded


def _parse_usb(text: str) -> str:
    ids, slash, serial_text = text.partition("/")
    vid_text, colon, pid_text = ids.partition(":")
    vid_match, pid_match = _HEX_ID.match(vid_text), _HEX_ID.match(pid_text)
    if not colon or not vid_match or not pid_match:
        raise PrinterUriError(
            f"bad USB address {printable(text)!r}: expected usb://VID:PID[/SERIAL] in hex, "
            "e.g. usb://0a5f:0081"
        )
    vid, pid = int(vid_match.group(1), 16), int(pid_match.group(1), 16)
    if vid == 0:
        raise PrinterUriError("USB vendor id 0000 is not a real device")
    address = f"{vid:04x}:{pid:04x}"
    if slash:
        serial = _decode(serial_text, "USB serial number")
        if not serial or "/" in serial or len(serial) > 126:
            raise PrinterUriError(f"bad USB serial number {printable(serial)!r}")
        address += f"/{serial}"
    return address


def _parse_tcp(text: str) -> str:
    if not text:
        raise PrinterUriError("tcp printer URI needs a host, e.g. zpl+tcp://192.168.1.50:9100")
    if text.startswith("["):
        host, bracket, after = text[1:].partition("]")
        if not bracket:
            raise PrinterUriError(f"bad IPv6 address in {printable(text)!r}: missing ']'")
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise PrinterUriError(f"bad IPv6 address {printable(host)!r}") from None
        port_text = after[1:] if after.startswith(":") else ""
        if after and not after.startswith(":"):
            raise PrinterUriError(f"bad tcp address {printable(text)!r}")
    else:
        host, colon, port_text = text.rpartition(":")
        if not colon:
            host, port_text = text, ""
        if ":" in host:
            raise PrinterUriError("IPv6 printer addresses go in brackets: tcp://[fe80::1]:9100")
        if not _HOSTNAME.match(host):
            raise PrinterUriError(f"bad printer host name {printable(host)!r}")
        host = host.lower()
    if port_text == "":
        port = DEFAULT_TCP_PORT
    elif port_text.isdigit() and len(port_text) <= 5 and 1 <= int(port_text) <= 65535:
        port = int(port_text)
    else:
        raise PrinterUriError(f"bad TCP port {printable(port_text)!r}: expected 1-65535")
    return f"{host}:{port}"


def _parse_file(text: str) -> str:
    # file:///path -> text "/path"; file://localhost/path is the same thing.
    if text.startswith("localhost/"):
        text = text[len("localhost") :]
    path = _decode(text, "file path")
    if not path.startswith("/"):
        raise PrinterUriError(
            f"file printer needs an absolute path: file:///path (got {printable(path)!r})"
        )
    # file:///C:/labels/out.bin is a Windows drive path; keep it without the leading slash.
    if re.match(r"^/[A-Za-z]:/", path):
        path = str(PureWindowsPath(path[1:])).replace("\\", "/")
    elif path != "/" and not path.endswith("/"):
        path = str(PurePosixPath(path))
    if path.endswith("/"):
        raise PrinterUriError(f"file printer path {printable(path)!r} names a directory")
    if len(path) > 1024:
        raise PrinterUriError("file printer path is too long")
    return path


def _parse_spool(text: str) -> str:
    name = _decode(text, "print queue name").strip()
    if not name:
        raise PrinterUriError("spool printer URI needs a queue name, e.g. pdf+spool://Office_A4")
    if len(name) > 127:
        raise PrinterUriError("print queue name is too long (127 characters at most)")
    return name


def _parse_options(language: Language, query: str) -> tuple[int, Media, Options]:
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
        seen[key] = _decode(raw_value, f"option {key}").strip()
    dpi = DEFAULT_DPI
    if "dpi" in seen:
        dpi_text = seen.pop("dpi")
        if not dpi_text.isdigit() or int(dpi_text) not in DPIS:
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


def coerce_uri(uri: PrinterUri | str) -> PrinterUri:
    """Accept either form, so callers can pass what the user typed."""
    return uri if isinstance(uri, PrinterUri) else parse_printer_uri(uri)
