"""Fakes for the print queue and service tests: a clock, scripted transports, a label source.

The transports are real `Transport` subclasses that record what they were given, so the queue
runs its real code (claim, pre-flight, send, retry) against them. The label source draws a
4x6 label with a real Code 128 barcode, like the sandbox does, so barcodes can be decoded.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from clickdrop_desktop.api.models import Order
from clickdrop_desktop.store import OrderSource, Store
from printing.status import PrinterState, PrinterStatus
from printing.transports import PrinterError, Transport
from printing.uri import PrinterUri
from tests.helpers.order_factory import full_orders


class FakeClock:
    """UTC wall clock and monotonic clock that only move when told (or when slept on)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
        self.mono = 1000.0
        self.sleeps: list[float] = []
        self.on_sleep: Callable[[float], None] | None = None

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.mono += seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)
        if self.on_sleep is not None:
            self.on_sleep(seconds)


@dataclass
class FakePrinterState:
    """What one fake printer received, and what it will do next."""

    jobs: list[bytes] = field(default_factory=list)
    job_names: list[str] = field(default_factory=list)
    # Each send pops the next outcome: None = accept, a PrinterError = raise it.
    script: list[PrinterError | None] = field(default_factory=list)
    status: PrinterStatus = field(
        default_factory=lambda: PrinterStatus.unknown("a fake printer cannot say")
    )
    status_queries: int = 0
    sends: int = 0
    # Called inside send() before the outcome (lets a test act "mid-send").
    during_send: Callable[[], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeTransport(Transport):
    kind = "tcp"

    def __init__(self, uri: PrinterUri, state: FakePrinterState) -> None:
        super().__init__(uri)
        self.state = state

    def send(self, data: bytes, *, job_name: str) -> None:
        if self.state.during_send is not None:
            self.state.during_send()
        with self.state.lock:
            self.state.sends += 1
            outcome = self.state.script.pop(0) if self.state.script else None
            if outcome is None:
                self.state.jobs.append(bytes(data))
                self.state.job_names.append(job_name)
        if outcome is not None:
            raise outcome

    def query_status(self, language: object = None) -> PrinterStatus:
        with self.state.lock:
            self.state.status_queries += 1
        return self.state.status


class FakePrinters:
    """A transport factory: one `FakePrinterState` per printer address."""

    def __init__(self) -> None:
        self.printers: dict[str, FakePrinterState] = {}
        self.opened = 0

    def __call__(self, uri: PrinterUri) -> Transport:
        self.opened += 1
        return FakeTransport(uri, self.state(uri))

    def state(self, uri: PrinterUri | str) -> FakePrinterState:
        address = uri.address if isinstance(uri, PrinterUri) else uri
        return self.printers.setdefault(address, FakePrinterState())


def ready() -> PrinterStatus:
    return PrinterStatus.from_conditions(set(), [])


def with_conditions(*states: PrinterState) -> PrinterStatus:
    return PrinterStatus.from_conditions(set(states), [])


def label_pdf(tracking: str, *, name: str = "Ada Lovelace", a4: bool = False) -> bytes:
    """A Royal Mail-like 4x6 label (or A4 with the label in the top-left quarter) with a
    Code 128 barcode of `tracking`."""
    buffer = io.BytesIO()
    size = (210 * mm, 297 * mm) if a4 else (101.6 * mm, 152.4 * mm)
    canvas = Canvas(buffer, pagesize=size, invariant=True)
    top = size[1]
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(8 * mm, top - 15 * mm, "Royal Mail Tracked 48")
    canvas.setFont("Helvetica", 12)
    canvas.drawString(8 * mm, top - 30 * mm, name)
    canvas.drawString(8 * mm, top - 37 * mm, "1 High Street, LEEDS LS1 1AA")
    canvas.rect(4 * mm, top - 150 * mm, 93.6 * mm, 146 * mm)
    barcode = Code128(tracking, barWidth=0.5 * mm, barHeight=25 * mm, quiet=True)
    barcode.drawOn(canvas, 10 * mm, top - 90 * mm)
    canvas.drawString(10 * mm, top - 97 * mm, tracking)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


class FakeLabels:
    """`get_label` like the API client's: a PDF per order, calls counted, faults scripted."""

    def __init__(self, tracking: Callable[[int], str] | None = None) -> None:
        self.calls: list[tuple[tuple[int | str, ...], str]] = []
        self.fail_with: Exception | None = None
        self.tracking = tracking or (lambda ident: f"TT{ident % 100_000_000:08d}6GB")
        self._lock = threading.Lock()

    def get_label(
        self,
        keys: Sequence[int | str] | int | str,
        document_type: str = "postageLabel",
        *,
        include_returns_label: bool = False,
        include_cn: bool | None = None,
    ) -> bytes:
        ids = tuple(keys) if isinstance(keys, list | tuple) else (keys,)
        with self._lock:
            self.calls.append((ids, document_type))
        if self.fail_with is not None:
            raise self.fail_with
        return label_pdf(self.tracking(int(ids[0])))


def open_store(
    directory: Path, orders: int = 3, *, key: bytes | None = None
) -> tuple[Store, list[Order]]:
    """A real encrypted store holding `orders` deterministic `/full` orders."""
    store = Store.open(directory / "store.db", key or os.urandom(32), account_id="acct-print")
    seeded = full_orders(orders)
    if seeded:
        store.upsert_orders(seeded, OrderSource.FULL)
    return store, seeded
