"""Transports move printer-language bytes to a printer: USB, TCP 9100, a file or device, the OS queue.

`open_transport(uri)` is the one entry point; the print queue builds on the `Transport` contract
in `base.py` and the typed `PrinterError`s.
"""

from __future__ import annotations

from typing import Any

from printing.transports.base import (
    PrinterBusy,
    PrinterDisconnected,
    PrinterError,
    PrinterNotFound,
    PrinterOffline,
    PrinterPermissionDenied,
    PrinterTimeout,
    PrinterUnsupported,
    Transport,
)
from printing.uri import PrinterUri, coerce_uri

__all__ = [
    "PrinterBusy",
    "PrinterDisconnected",
    "PrinterError",
    "PrinterNotFound",
    "PrinterOffline",
    "PrinterPermissionDenied",
    "PrinterTimeout",
    "PrinterUnsupported",
    "Transport",
    "open_transport",
]


def open_transport(uri: PrinterUri | str, *, usb_backend: Any = None) -> Transport:
    """The transport for `uri`. Nothing is opened yet: each `send` opens the device afresh.

    `usb_backend` injects a pyusb backend (tests pass the fake one from tests/helpers/fake_usb.py).
    Raises `PrinterUriError` for a bad URI string.
    """
    parsed = coerce_uri(uri)
    if parsed.transport == "usb":
        from printing.transports.usb import UsbTransport  # lazy: pyusb only when used

        return UsbTransport(parsed, backend=usb_backend)
    if parsed.transport == "tcp":
        from printing.transports.tcp import TcpTransport

        return TcpTransport(parsed)
    if parsed.transport == "file":
        from printing.transports.file import FileTransport

        return FileTransport(parsed)
    from printing.transports.spool import SpoolTransport

    return SpoolTransport(parsed)
