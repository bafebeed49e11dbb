"""ui.services.print_service: labels prepared for the bench's label printer are pre-encoded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clickdrop_desktop.store import Store
from printing.encoded_cache import PREFIX
from printing.virtual_printer import VirtualPrinter
from tests.helpers.print_fakes import FakeLabels, open_store
from ui.services.print_service import LABEL, PrintOutcome, PrintService


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Store, list[int]]]:
    opened, orders = open_store(tmp_path, 4)
    yield opened, [o.order_identifier for o in orders]
    opened.close()


def _renderings(store: Store, order_id: int) -> list[str]:
    return [
        d.document_type
        for d in store.documents.list_for(order_id)
        if d.document_type.startswith(PREFIX)
    ]


def test_prepared_labels_are_encoded_for_the_label_printer(
    store: tuple[Store, list[int]],
) -> None:
    db, orders = store
    labels = FakeLabels()
    service = PrintService(db, client=labels, labels_available=True)
    with VirtualPrinter() as printer:
        uri = printer.uri("tspl")
        made, problems = service.prepare_labels(orders[:1])
        assert (made, problems) == ([orders[0]], [])
        assert _renderings(db, orders[0]) == []  # no label printer known yet: PDF only
        service.use_label_printer(uri)
        made, problems = service.prepare_labels(orders[1:3])
        assert (made, problems) == (orders[1:3], [])
        for order_id in orders[1:3]:
            assert len(_renderings(db, order_id)) == 1
        # A scan of a prepared label sends the kept bytes: the same job as encoding it now.
        kept = service.core.encoded(orders[1], LABEL, uri)
        result, scanned = service.scan(str(orders[1]), {LABEL: uri}, reprint=False, fetch=False)
        assert (result.outcome, scanned) == (PrintOutcome.PRINTED, orders[1])
        assert result.bytes_sent == len(kept)
        printer.wait_for_labels(1)
    service.close()


def test_printing_or_scanning_a_label_sets_the_label_printer(
    store: tuple[Store, list[int]],
) -> None:
    db, orders = store
    service = PrintService(db, client=FakeLabels(), labels_available=True)
    with VirtualPrinter() as printer:
        assert service.label_printer is None
        service.print_order(orders[0], "packingSlip", printer.uri("zpl"))
        assert service.label_printer is None  # a packing slip's printer is not the label's
        service.print_order(orders[0], LABEL, printer.uri("zpl"), allow_fetch=True)
        assert service.label_printer == printer.uri("zpl")
        service.scan(str(orders[1]), {LABEL: printer.uri("escpos")}, reprint=False, fetch=True)
        assert service.label_printer == printer.uri("escpos")
        made, _ = service.prepare_labels(orders[2:3])
        assert made == orders[2:3]
        assert len(_renderings(db, orders[2])) == 1
        printer.wait_for_labels(3)
    service.close()
