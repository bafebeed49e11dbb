"""A USB printer unplugged in the middle of a job (the real USB transport over the fake pyusb
backend): the job fails visibly, stays retryable, and a retry after replugging prints it once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from clickdrop_desktop.store import PrintJobState, Store
from printing.decoders import decode_bytes
from printing.queue import PrintQueue
from printing.service import PrintOutcome, PrintService
from printing.transports import open_transport
from printing.uri import PrinterUri
from tests.helpers.fake_usb import FakePrinter, FakeUsbBackend
from tests.helpers.print_fakes import FakeClock, FakeLabels, open_store

DOC = "postageLabel"


@dataclass
class UsbBench:
    store: Store
    queue: PrintQueue
    service: PrintService
    device: FakePrinter
    clock: FakeClock
    orders: list[int]


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[UsbBench]:
    store, orders = open_store(tmp_path, 2)
    device = FakePrinter(vid=0x1FC9, pid=0x2016, serial="TSPL1", unplug_after=20_000)
    backend = FakeUsbBackend(device)
    clock = FakeClock()

    def transport(uri: PrinterUri):  # type: ignore[no-untyped-def]
        return open_transport(uri, usb_backend=backend)

    queue = PrintQueue(
        store,
        transport_factory=transport,
        clock=clock,
        sleep=clock.sleep,
        monotonic=clock.monotonic,
    )
    service = PrintService(store, queue, labels=FakeLabels())
    yield UsbBench(store, queue, service, device, clock, [o.order_identifier for o in orders])
    queue.close()
    store.close()


def _replug(device: FakePrinter) -> None:
    device.replug()
    device.received.clear()  # a printer that lost power starts with an empty buffer
    device.unplug_after = None


def test_tspl_unplugged_mid_job_fails_visibly_and_retry_prints_once(bench: UsbBench) -> None:
    uri = "tspl+usb://1fc9:2016/TSPL1"
    result = bench.service.print_document(bench.orders[0], DOC, uri)
    assert result.outcome is PrintOutcome.PRINTER_PROBLEM
    assert result.job is not None
    job = bench.queue.get(result.job.id)
    assert job is not None
    assert job.state is PrintJobState.FAILED
    assert "\n" not in (job.last_error or "")
    assert job.last_error
    assert bench.device.events.count("unplug") == 1
    # The cut-off job held no complete label (TSPL prints at PRINT), so retrying is safe.
    _replug(bench.device)
    retried = bench.service.retry([job.id])
    assert retried[0].printed
    decoded = decode_bytes(bytes(bench.device.received), language="tspl")
    assert len(decoded.labels) == 1


def test_escpos_unplugged_mid_job_is_uncertain_and_reprintable(bench: UsbBench) -> None:
    uri = "escpos+usb://1fc9:2016/TSPL1"
    result = bench.service.print_document(bench.orders[1], DOC, uri)
    assert result.outcome is PrintOutcome.UNCERTAIN
    assert "may have printed" in result.message
    assert bench.clock.sleeps == []  # never resent on its own
    _replug(bench.device)
    again = bench.service.print_document(bench.orders[1], DOC, uri)
    assert again.outcome is PrintOutcome.UNCERTAIN  # a plain print refuses
    assert bytes(bench.device.received) == b""
    resent = bench.service.print_document(bench.orders[1], DOC, uri, reprint=True)
    assert resent.ok
    assert resent.job is not None
    assert result.job is not None
    assert resent.job.id == result.job.id  # the same job, sent again on purpose
    decoded = decode_bytes(bytes(bench.device.received), language="escpos")
    assert len(decoded.labels) == 1
