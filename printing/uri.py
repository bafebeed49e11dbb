"""Printer URIs (`LANGUAGE+TRANSPORT://ADDRESS[?OPTIONS]`, DESIGN.md): parse, validate, print back."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath
from typing import Literal
from urllib.parse import quote, unquote

from printing.uri_options import (
    DEFAULT_DPI,
    DEFAULT_MEDIA,
    DPIS,
    MM_PER_INCH,
    Media,
    Options,
    PrinterUriError,
    has_unprintable,
    parse_media,
    parse_options,
    printable,
)

__all__ = [
    "DEFAULT_DPI",
    "DEFAULT_MEDIA",
    "DEFAULT_TCP_PORT",
    "DPIS",
    "LANGUAGES",
    "MM_PER_INCH",
    "TRANSPORTS",
    "Language",
    "Media",
    "Options",
    "PrinterUri",
    "PrinterUriError",
    "TransportKind",
    "coerce_uri",
    "parse_media",
    "parse_printer_uri",
    "printable",
]

Language = Literal["escpos", "zpl", "tspl", "pdf"]
TransportKind = Literal["usb", "tcp", "file", "spool"]

LANGUAGES: tuple[Language, ...] = ("escpos", "zpl", "tspl", "pdf")
TRANSPORTS: tuple[TransportKind, ...] = ("usb", "tcp", "file", "spool")
DEFAULT_TCP_PORT = 9100
_HEX_ID = re.compile(r"^(?:0x)?([0-9a-fA-F]{1,4})$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.?$"
)
_MAX_URI = 2048

# Characters kept as-is when an address part is printed back; everything else is %-encoded.
_SAFE_PATH = "/:._-~+@,"
_SAFE_NAME = "._-~+@,"


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
    if has_unprintable(text):
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
    dpi, media, options = parse_options(language, query, _decode)
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
    if has_unprintable(decoded):
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
    elif (
        port_text.isascii()  # "²" is isdigit() too, and int() refuses it
        and port_text.isdigit()
        and len(port_text) <= 5
        and 1 <= int(port_text) <= 65535
    ):
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


def coerce_uri(uri: PrinterUri | str) -> PrinterUri:
    """Accept either form, so callers can pass what the user typed."""
    return uri if isinstance(uri, PrinterUri) else parse_printer_uri(uri)
