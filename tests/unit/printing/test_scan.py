"""Scan-to-print: every way a bench scans an order, and every outcome it must show."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from clickdrop_desktop.api.errors import Offline
from clickdrop_desktop.api.models import Order
from clickdrop_desktop.store import OrderSource, PrintJobState, Store
from printing.documents import order_barcode_payload
from printing.queue import PrintQueue
from printing.scan import ScanOutcome, ScanToPrint, clean_scan
from printing.service import PrintService
from printing.status import PrinterState
from printing.transports import PrinterDisconnected
from printing.uri import parse_printer_uri
from tests.helpers.order_factory import full_record
from tests.helpers.print_fakes import (
    FakeClock,
    FakeLabels,
    FakePrinters,
    open_store,
    with_conditions,
)

LABELS = "zpl+tcp://label-printer:9100"
SLIPS = "zpl+tcp://slip-printer:9100"


@dataclass
class Bench:
    store: Store
    queue: PrintQueue
    service: PrintService
    labels: FakeLabels
    printers: FakePrinters
    orders: list[Order]
    scanner: ScanToPrint

    def sent(self, uri: str = LABELS) -> list[bytes]:
        return self.printers.state(parse_printer_uri(uri)).jobs


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    store, orders = open_store(tmp_path, 12)
    printers = FakePrinters()
    clock = FakeClock()
    queue = PrintQueue(
        store, actor="packer (scan)", transport_factory=printers, clock=clock, sleep=clock.sleep
    )
    labels = FakeLabels()
    service = PrintService(store, queue, labels=labels)
    scanner = ScanToPrint(service, {"postageLabel": LABELS}, actor="packer (scan)")
    yield Bench(store, queue, service, labels, printers, orders, scanner)
    queue.close()
    store.close()


def _with_tracking(bench: Bench) -> Order:
    return next(o for o in bench.orders if o.tracking_number)


def test_scanning_a_reference_prints_its_label(bench: Bench) -> None:
    order = bench.orders[0]
    result = bench.scanner.scan(f"{order.order_reference}\r\n")
    assert result.outcome is ScanOutcome.OK
    assert result.order_identifier == order.order_identifier
    assert result.message.endswith("label printed")
    assert len(bench.sent()) == 1


@pytest.mark.parametrize("form", ["barcode", "identifier", "tracking", "spaced", "aim"])
def test_every_scannable_form_finds_the_order(bench: Bench, form: str) -> None:
    order = _with_tracking(bench)
    tracking = order.tracking_number or ""
    text = {
        "barcode": order_barcode_payload(order.order_identifier),
        "identifier": str(order.order_identifier),
        "tracking": tracking,
        "spaced": f"{tracking[:2]} {tracking[2:6]} {tracking[6:10]} {tracking[10:]}",
        "aim": "]C0" + tracking,
    }[form]
    stored = bench.scanner.resolve(text)
    assert stored is not None
    assert stored.order.order_identifier == order.order_identifier


def test_unknown_scan_prints_nothing(bench: Bench) -> None:
    result = bench.scanner.scan("NOT-AN-ORDER-123")
    assert result.outcome is ScanOutcome.UNKNOWN_ORDER
    assert result.message == "NOT-AN-ORDER-123: no such order in this account"
    assert bench.queue.jobs() == []
    assert bench.labels.calls == []


@pytest.mark.parametrize("text", ["", "   ", "\x1b\x00", "^XA^FDx^FS^XZ", "9" * 200, "CD:"])
def test_junk_scans_are_unknown_and_shown_safely(bench: Bench, text: str) -> None:
    result = bench.scanner.scan(text)
    assert result.outcome is ScanOutcome.UNKNOWN_ORDER
    assert result.message.isprintable()
    assert bench.queue.jobs() == []


def test_a_second_scan_does_not_print_again_but_reprint_does(bench: Bench) -> None:
    reference = bench.orders[1].order_reference or ""
    assert bench.scanner.scan(reference).ok
    again = bench.scanner.scan(reference)
    assert again.outcome is ScanOutcome.ALREADY_PRINTED
    assert "use reprint" in again.message
    assert len(bench.sent()) == 1
    reprinted = bench.scanner.scan(reference, reprint=True)
    assert reprinted.ok
    assert reprinted.prints[0].job is not None
    assert reprinted.prints[0].job.reprint
    assert len(bench.sent()) == 2
    events = bench.queue.history(reprinted.prints[0].job.id)
    assert (events[0].action, events[0].actor) == ("reprint", "packer (scan)")


def test_printer_problem_comes_with_its_reason(bench: Bench) -> None:
    bench.printers.state(parse_printer_uri(LABELS)).status = with_conditions(PrinterState.PAPER_OUT)
    result = bench.scanner.scan(bench.orders[2].order_reference or "")
    assert result.outcome is ScanOutcome.PRINTER_PROBLEM
    assert "out of labels" in result.message
    assert "\n" not in result.message
    job = result.prints[0].job
    assert job is not None
    assert bench.queue.get(job.id).state is PrintJobState.FAILED  # type: ignore[union-attr]


def test_offline_and_not_cached(bench: Bench) -> None:
    bench.labels.fail_with = Offline("Click & Drop did not answer")
    result = bench.scanner.scan(bench.orders[3].order_reference or "")
    assert result.outcome is ScanOutcome.OFFLINE_NO_LABEL
    assert "waits in the queue" in result.message


def test_no_label_for_this_account(bench: Bench) -> None:
    bench.service.labels_available = False
    result = bench.scanner.scan(bench.orders[4].order_reference or "")
    assert result.outcome is ScanOutcome.NO_LABEL


def test_label_and_packing_slip_on_their_own_printers(bench: Bench) -> None:
    scanner = ScanToPrint(bench.service, [("postageLabel", LABELS), ("packingSlip", SLIPS)])
    result = scanner.scan(bench.orders[5].order_reference or "")
    assert result.ok
    assert result.message.endswith("label and packing slip printed")
    assert len(bench.sent(LABELS)) == 1
    assert len(bench.sent(SLIPS)) == 1


def test_no_packing_slip_when_the_label_did_not_print(bench: Bench) -> None:
    bench.printers.state(parse_printer_uri(LABELS)).status = with_conditions(PrinterState.HEAD_OPEN)
    scanner = ScanToPrint(bench.service, [("postageLabel", LABELS), ("packingSlip", SLIPS)])
    result = scanner.scan(bench.orders[6].order_reference or "")
    assert result.outcome is ScanOutcome.PRINTER_PROBLEM
    assert bench.sent(SLIPS) == []


def test_an_interrupted_earlier_send_needs_the_reprint_key(bench: Bench) -> None:
    escpos = "escpos+tcp://label-printer:9100"
    state = bench.printers.state(parse_printer_uri(escpos))
    state.script = [PrinterDisconnected("went away", bytes_sent=500, total=100_000)]
    scanner = ScanToPrint(bench.service, {"postageLabel": escpos})
    reference = bench.orders[7].order_reference or ""
    first = scanner.scan(reference)
    assert first.outcome is ScanOutcome.PRINTER_PROBLEM
    assert "may have printed" in first.message
    second = scanner.scan(reference)
    assert second.outcome is ScanOutcome.ALREADY_PRINTED
    assert "may have printed" in second.message
    assert scanner.scan(reference, reprint=True).ok


def test_clean_scan() -> None:
    assert clean_scan("\x02REF-1\r\n") == "REF-1"
    assert clean_scan("]C1TT123456785GB") == "TT123456785GB"
    assert clean_scan("]") == "]"


def test_scan_to_print_needs_a_printer(bench: Bench) -> None:
    with pytest.raises(ValueError, match="needs a printer"):
        ScanToPrint(bench.service, {})


def test_digits_that_are_one_orders_number_and_anothers_reference_are_refused(
    tmp_path: Path,
) -> None:
    store, orders = open_store(tmp_path, 2)
    first = orders[0]
    record = full_record(1_000_050, random.Random(5))
    record["orderReference"] = str(first.order_identifier)  # a channel with numeric references
    store.upsert_orders([Order.from_api_full(record)], OrderSource.FULL)
    queue = PrintQueue(store, transport_factory=FakePrinters(), clock=FakeClock())
    scanner = ScanToPrint(PrintService(store, queue, labels=FakeLabels()), {"postageLabel": LABELS})
    result = scanner.scan(str(first.order_identifier))
    assert result.outcome is ScanOutcome.UNKNOWN_ORDER
    assert "packing-slip barcode" in result.message
    assert queue.jobs() == []
    # Our own barcode is never ambiguous.
    assert scanner.scan(order_barcode_payload(first.order_identifier)).ok
    queue.close()
    store.close()
