"""PrintService: cache-first documents, the label call only on print/prepare, and the bytes a
real (virtual) printer receives equal the preview's bitmaps dot for dot."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import zxingcpp

from clickdrop_desktop.api.errors import FeatureNotAvailable, Offline, ServiceUnavailable
from clickdrop_desktop.store import PrintJobState, Store
from printing import service as service_module
from printing.bitmap import Bitmap
from printing.documents import order_barcode_payload
from printing.jobs import SheetOptions, pdf_info
from printing.queue import PrintQueue
from printing.service import DocumentUnavailable, PrintOutcome, PrintService
from printing.virtual_printer import VirtualPrinter
from tests.helpers.print_fakes import FakeClock, FakeLabels, FakePrinters, label_pdf, open_store

DOC = "postageLabel"


def decoded(bitmap: Bitmap) -> set[str]:
    return {b.text for b in zxingcpp.read_barcodes(bitmap.to_image().convert("L"))}


@dataclass
class Env:
    store: Store
    queue: PrintQueue
    service: PrintService
    labels: FakeLabels
    orders: list[int]
    online: list[bool]


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    store, orders = open_store(tmp_path, 4)
    queue = PrintQueue(store, actor="tester (unit)")
    labels = FakeLabels()
    online = [True]
    service = PrintService(store, queue, labels=labels, online=lambda: online[0])
    yield Env(store, queue, service, labels, [o.order_identifier for o in orders], online)
    queue.close()
    store.close()


@pytest.fixture
def printer() -> Iterator[VirtualPrinter]:
    with VirtualPrinter() as vp:
        yield vp


# -- where documents come from -----------------------------------------------------------------


def test_uncached_label_is_fetched_once_on_print_and_cached(
    env: Env, printer: VirtualPrinter
) -> None:
    order = env.orders[0]
    assert not env.service.has_document(order, DOC)
    result = env.service.print_document(order, DOC, printer.uri("zpl"))
    assert result.outcome is PrintOutcome.PRINTED
    assert env.labels.calls == [((order,), DOC)]
    stored = env.store.documents.get(order, DOC)
    assert stored is not None
    assert stored.page_count == 1
    assert (stored.page_width_mm, stored.page_height_mm) == (101.6, 152.4)
    # A reprint, and a print on another printer, are local: no second label call.
    env.service.print_document(order, DOC, printer.uri("zpl"), reprint=True)
    env.service.print_document(order, DOC, printer.uri("tspl"), reprint=True)
    assert len(env.labels.calls) == 1
    assert len(printer.wait_for_labels(3)) == 3


def test_preview_never_calls_the_api(env: Env) -> None:
    with pytest.raises(DocumentUnavailable, match="not cached") as info:
        env.service.render(env.orders[0], DOC, "zpl+tcp://127.0.0.1:9100")
    assert info.value.offline
    assert env.labels.calls == []


def test_offline_uncached_label_waits_in_the_queue_then_prints(
    env: Env, printer: VirtualPrinter
) -> None:
    env.labels.fail_with = Offline("Click & Drop did not answer (connection refused).")
    result = env.service.print_document(env.orders[0], DOC, printer.uri("zpl"))
    assert result.outcome is PrintOutcome.OFFLINE_NO_LABEL
    assert "connection refused" in result.message
    assert result.job is not None
    job = env.queue.get(result.job.id)
    assert job is not None
    assert job.state is PrintJobState.QUEUED
    assert job.attempts == 0  # nothing was sent, nothing counted
    env.labels.fail_with = None
    [done] = env.service.run_pending()
    assert done.printed
    assert len(printer.wait_for_labels(1)) == 1


def test_known_offline_does_not_even_try_the_api(env: Env) -> None:
    env.online[0] = False
    result = env.service.print_document(env.orders[0], DOC, "zpl+tcp://127.0.0.1:9")
    assert result.outcome is PrintOutcome.OFFLINE_NO_LABEL
    assert env.labels.calls == []


def test_cached_label_prints_while_offline(env: Env, printer: VirtualPrinter) -> None:
    env.service.prepare_labels([env.orders[0]])
    env.online[0] = False
    env.labels.fail_with = ServiceUnavailable("maintenance", status_code=503)
    result = env.service.print_document(env.orders[0], DOC, printer.uri("escpos"))
    assert result.ok
    assert len(env.labels.calls) == 1


def test_account_without_labels_gets_a_clear_no(env: Env) -> None:
    env.service.labels_available = False
    result = env.service.print_document(env.orders[0], DOC, "zpl+tcp://127.0.0.1:9")
    assert result.outcome is PrintOutcome.NO_LABEL
    assert "OBA accounts only" in result.message
    assert env.labels.calls == []
    assert result.job is not None
    assert env.queue.get(result.job.id).state is PrintJobState.FAILED  # type: ignore[union-attr]


def test_forbidden_label_call_is_a_no_label(env: Env) -> None:
    env.labels.fail_with = FeatureNotAvailable("Labels are for OBA accounts only", feature="labels")
    result = env.service.print_document(env.orders[0], DOC, "zpl+tcp://127.0.0.1:9")
    assert result.outcome is PrintOutcome.NO_LABEL
    assert "OBA" in result.message


def test_unknown_order(env: Env) -> None:
    result = env.service.print_document(99, DOC, "zpl+tcp://127.0.0.1:9")
    assert result.outcome is PrintOutcome.UNKNOWN_ORDER
    assert env.queue.jobs() == []


def test_prepare_labels_fetches_what_is_missing_and_stops_when_offline(env: Env) -> None:
    first = env.service.prepare_labels(env.orders[:2])
    assert (first.fetched, first.already_cached, first.stopped_offline) == (2, 0, False)
    seen: list[tuple[int, int]] = []
    again = env.service.prepare_labels(env.orders[:3], progress=lambda d, t: seen.append((d, t)))
    assert (again.fetched, again.already_cached) == (1, 2)
    assert seen == [(1, 3), (2, 3), (3, 3)]
    env.labels.fail_with = Offline("no route to host")
    stopped = env.service.prepare_labels(env.orders)
    assert stopped.stopped_offline
    assert stopped.already_cached == 3
    assert len(stopped.problems) == 1


# -- the printer gets what the preview shows ---------------------------------------------------


@pytest.mark.parametrize("language", ["escpos", "zpl", "tspl"])
@pytest.mark.parametrize("dpi", [203, 300])
def test_printed_dots_equal_the_preview(
    env: Env, printer: VirtualPrinter, language: str, dpi: int
) -> None:
    printer.dpi = dpi
    order = env.orders[1]
    uri = f"{language}+tcp://127.0.0.1:{printer.port}?dpi={dpi}"
    env.service.prepare_labels([order])
    preview = env.service.render(order, DOC, uri)
    assert env.service.print_document(order, DOC, uri).ok
    [printed] = printer.wait_for_labels(1)
    assert printed.bitmap.same_dots(preview[0])
    assert decoded(printed.bitmap) >= {env.labels.tracking(order)}


def test_copies_print_that_many_labels(env: Env, printer: VirtualPrinter) -> None:
    result = env.service.print_document(env.orders[0], DOC, printer.uri("zpl"), copies=3)
    assert result.message == "printed (3 copies)"
    assert len(printer.wait_for_labels(3)) == 3


def test_packing_slip_is_drawn_locally_with_its_scan_barcode(
    env: Env, printer: VirtualPrinter
) -> None:
    order = env.orders[2]
    result = env.service.print_document(order, "packingSlip", printer.uri("tspl"))
    assert result.ok
    assert env.labels.calls == []
    [printed] = printer.wait_for_labels(1)
    assert order_barcode_payload(order) in decoded(printed.bitmap)


def test_customer_text_never_reaches_the_job_header(env: Env, tmp_path: Path) -> None:
    reference = env.store.get_order(env.orders[0]).order.order_reference  # type: ignore[union-attr]
    out = tmp_path / "jobs.zpl"
    env.service.print_document(env.orders[0], DOC, f"zpl+file://{out}")
    data = out.read_bytes()
    assert f"^FXorder {env.orders[0]}".encode() in data
    assert reference is not None
    assert reference.encode() not in data


def test_reprint_is_served_from_the_encoded_cache(
    env: Env, printer: VirtualPrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = service_module.job_bytes

    def counting(*args: object, **kwargs: object) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service_module, "job_bytes", counting)
    uri = printer.uri("zpl")
    env.service.print_document(env.orders[0], DOC, uri)
    env.service.print_document(env.orders[0], DOC, uri, reprint=True)
    env.service.print_document(env.orders[0], DOC, uri, reprint=True, copies=2)
    assert len(calls) == 2  # copies change the bytes; the plain reprint did not render
    assert len(printer.wait_for_labels(4)) == 4


# -- office printers (pdf) ---------------------------------------------------------------------


def test_a4_pdf_printer_gets_the_label_on_a_sheet(env: Env, tmp_path: Path) -> None:
    out = tmp_path / "office.pdf"
    uri = f"pdf+file://{out}?media=a4"
    assert env.service.print_document(env.orders[0], DOC, uri).ok
    info = pdf_info(out.read_bytes())
    assert (info.page_count, info.width_mm, info.height_mm) == (1, 210.0, 297.0)
    preview = env.service.render(env.orders[0], DOC, uri)
    assert len(preview) == 1
    assert (preview[0].width, preview[0].height) == (1678, 2374)  # A4 at 203 dpi
    assert env.labels.tracking(env.orders[0]) in decoded(preview[0])


def test_four_up_sheet_with_copies(env: Env, tmp_path: Path) -> None:
    env.service.sheet = SheetOptions(layout="a4-4up", start=2)
    out = tmp_path / "sheet.pdf"
    env.service.print_document(env.orders[0], DOC, f"pdf+file://{out}?media=a4", copies=4)
    info = pdf_info(out.read_bytes())
    assert info.page_count == 2  # slots 2, 3, 4, then the first slot of a second sheet


def test_label_sized_pdf_printer_gets_the_label_itself(env: Env, tmp_path: Path) -> None:
    out = tmp_path / "thermal.pdf"
    env.service.prepare_labels([env.orders[0]])
    env.service.print_document(env.orders[0], DOC, f"pdf+file://{out}", copies=2)
    info = pdf_info(out.read_bytes())
    assert (info.page_count, info.width_mm, info.height_mm) == (2, 101.6, 152.4)


def test_unreadable_cached_label_fails_visibly(env: Env) -> None:
    env.store.documents.put(env.orders[0], DOC, b"%PDF-1.4 this is not really a pdf")
    printers = FakePrinters()
    queue = PrintQueue(env.store, transport_factory=printers, clock=FakeClock())
    service = PrintService(env.store, queue)
    result = service.print_document(env.orders[0], DOC, "zpl+tcp://x:9100")
    assert result.outcome is PrintOutcome.NO_LABEL
    assert "not a readable PDF" in result.message
    assert printers.opened == 0
    queue.close()


def test_label_pdf_helper_is_a_real_label() -> None:
    assert pdf_info(label_pdf("TT000000016GB")).page_count == 1


def test_prepared_labels_are_pre_encoded_and_survive_a_restart(
    env: Env, printer: VirtualPrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = printer.uri("escpos")
    order = env.orders[3]
    prepared = env.service.prepare_labels([order], printers=[uri])
    assert prepared.problems == ()
    renders = [
        d for d in env.store.documents.list_for(order) if d.document_type.startswith("render:")
    ]
    assert len(renders) == 1
    assert renders[0].content_type == "application/vnd.clickdrop.escpos"
    # A new service (the app restarted: nothing in memory) prints without rendering.
    calls: list[int] = []
    monkeypatch.setattr(service_module, "job_bytes", lambda *a, **k: calls.append(1) or b"")
    fresh = PrintService(env.store, env.queue, labels=env.labels)
    assert fresh.print_document(order, DOC, uri).ok
    assert calls == []
    [printed] = printer.wait_for_labels(1)
    assert env.labels.tracking(order) in decoded(printed.bitmap)


def test_a_new_copy_of_a_label_replaces_its_old_rendering(env: Env) -> None:
    uri = "zpl+tcp://127.0.0.1:9100"
    order = env.orders[0]
    env.service.prepare_labels([order], printers=[uri])
    env.store.documents.put(order, DOC, label_pdf("TT999999995GB"))  # fetched again
    env.service.encoded(order, DOC, uri, persist=True)
    renders = [
        d for d in env.store.documents.list_for(order) if d.document_type.startswith("render:")
    ]
    assert len(renders) == 1
    data = env.service.encoded(order, DOC, uri)
    assert data == env.store.documents.get(order, renders[0].document_type).data  # type: ignore[union-attr]
