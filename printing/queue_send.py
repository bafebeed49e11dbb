"""Sending one job's bytes: one job per printer at a time, a pre-flight status check, and the
judgement of what a failed send can have printed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import ClassVar

from printing.status import PrinterState
from printing.transports import (
    PrinterBusy,
    PrinterDisconnected,
    PrinterError,
    PrinterOffline,
    PrinterTimeout,
    Transport,
    open_transport,
)
from printing.uri import PrinterUri

TransportFactory = Callable[[PrinterUri], Transport]

#: Errors worth trying again after a pause; anything else needs the user.
TRANSIENT_ERRORS: tuple[type[PrinterError], ...] = (
    PrinterBusy,
    PrinterTimeout,
    PrinterOffline,
    PrinterDisconnected,
)
# A printer that could not report its status is not asked again for this long: a network
# ESC/POS printer that never answers would otherwise cost every job the status timeout.
STATUS_UNKNOWN_TTL_S = 600.0
_BLOCKING_STATES = (
    PrinterState.PAPER_OUT,
    PrinterState.HEAD_OPEN,
    PrinterState.PAUSED,
    PrinterState.ERROR,
)


class PrinterNotReady(PrinterError):
    """The printer said it cannot print now (paper out, head open, paused): fix, then retry.

    Not retried automatically: a printer in that state would hold the job and print it later,
    stale, which is worse than a loud failure now.
    """

    retryable: ClassVar[bool] = False


def nothing_printed(language: str, data: bytes, bytes_sent: int) -> bool:
    """True when the first `bytes_sent` bytes of `data` cannot have printed a label.

    ZPL prints a format at `^XZ` and TSPL at `PRINT`; the Z64/hex payloads of our ZPL cannot
    hold `^XZ`, and a chance `PRINT ` inside TSPL's binary bitmap only makes the answer more
    cautious (False). ESC/POS prints raster as it arrives, and what an OS queue did with part
    of a PDF is unknown, so there any byte sent may have printed.
    """
    if bytes_sent <= 0:
        return True
    if bytes_sent >= len(data):
        return False
    head = data[:bytes_sent]
    if language == "zpl":
        return b"^XZ" not in head.upper()
    if language == "tspl":
        return b"PRINT " not in head
    return False


def _printer_key(uri: PrinterUri) -> str:
    # One device, one job at a time, whatever language or options the URI spells.
    return f"{uri.transport}://{uri.address}"


class JobSender:
    """Sends jobs through fresh transports (a replugged printer just works), one at a time
    per printer, after asking the printer whether it can print (where it can say)."""

    def __init__(
        self,
        transport_factory: TransportFactory | None = None,
        *,
        preflight: bool = True,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = transport_factory or open_transport
        self.preflight = preflight
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._printer_locks: dict[str, threading.Lock] = {}
        self._status_unknown_until: dict[str, float] = {}

    def send(self, uri: PrinterUri, data: bytes, *, job_name: str) -> None:
        """Raises a `PrinterError` (its `bytes_sent` says how much left this machine)."""
        key = _printer_key(uri)
        with self._lock:
            lock = self._printer_locks.setdefault(key, threading.Lock())
        with lock:
            transport = self._factory(uri)
            try:
                if self.preflight:
                    self._check_ready(transport, uri, key)
                transport.send(data, job_name=job_name)
            finally:
                transport.close()

    def _check_ready(self, transport: Transport, uri: PrinterUri, key: str) -> None:
        if self._status_unknown_until.get(key, 0.0) > self._monotonic():
            return
        try:
            status = transport.query_status(uri.language)
        except PrinterError:
            raise
        except Exception:  # noqa: BLE001 - a status query that breaks is a status unknown
            status = None
        if status is None or status.state is PrinterState.UNKNOWN:
            self._status_unknown_until[key] = self._monotonic() + STATUS_UNKNOWN_TTL_S
            return
        self._status_unknown_until.pop(key, None)
        what = transport.describe()
        if status.state in _BLOCKING_STATES:
            raise PrinterNotReady(
                f"{what}: {status.summary()}; nothing was sent. Fix the printer, then retry"
            )
        if status.state is PrinterState.OFFLINE:
            raise PrinterOffline(f"{what} is offline: {status.summary()}")
