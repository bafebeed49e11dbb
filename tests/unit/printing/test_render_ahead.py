"""Rendering a scanned label while its job is recorded: same bytes, errors where they belong."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clickdrop_desktop.store import PrintJob, PrintJobState, Store
from printing import service as service_module
from printing.jobs import job_bytes
from printing.queue import JobRejected, PrintQueue
from printing.raster import RasterError
from printing.render_ahead import RenderAhead
from printing.service import PrintOutcome, PrintService
from printing.uri import coerce_uri
from tests.helpers.print_fakes import FakeClock, FakeLabels, FakePrinters, open_store

DOC = "postageLabel"
URI = "zpl+tcp://printer-a:9100?dpi=300"


def _job(order: int = 7, uri: str = URI, copies: int = 1) -> PrintJob:
    now = datetime(2026, 11, 28, tzinfo=UTC)
    return PrintJob(
        id=1,
        idempotency_key=f"{order}/{DOC}",
        order_identifier=order,
        document_type=DOC,
        printer_uri=uri,
        copies=copies,
        reprint=False,
        reprint_number=0,
        state=PrintJobState.SENDING,
        attempts=1,
        last_error=None,
        created_at=now,
        updated_at=now,
        expires_at=None,
    )


def test_bytes_are_made_on_another_thread_and_kept_for_their_job() -> None:
    made_on: list[str] = []
    kept: list[bytes] = []

    def make() -> bytes:
        made_on.append(threading.current_thread().name)
        return b"job"

    def fallback(_job: PrintJob) -> bytes:
        raise AssertionError("not for this job")

    ahead = RenderAhead(make, (7, DOC, URI, 1), fallback=fallback, keep=kept.append)
    assert ahead.prepare(_job()) == b"job"
    assert made_on == ["print-render-ahead"]
    assert kept == [b"job"]


def test_another_job_is_prepared_the_usual_way() -> None:
    ahead = RenderAhead(
        lambda: b"ahead", (7, DOC, URI, 1), fallback=lambda j: b"usual", keep=lambda data: None
    )
    assert ahead.wait(5)
    assert ahead.prepare(_job(uri="zpl+tcp://printer-b:9100")) == b"usual"
    assert ahead.prepare(_job(copies=2)) == b"usual"
    assert ahead.prepare(_job(order=8)) == b"usual"


def test_errors_reach_the_job_not_the_thread() -> None:
    def unreadable() -> bytes:
        raise RasterError("not a readable PDF (broken)")

    ahead = RenderAhead(
        unreadable, (7, DOC, URI, 1), fallback=lambda j: b"", keep=lambda data: None
    )
    with pytest.raises(JobRejected, match="order 7's postageLabel: not a readable PDF"):
        ahead.prepare(_job())

    def broken() -> bytes:
        raise ValueError("copies must be 1..999")

    ahead = RenderAhead(broken, (7, DOC, URI, 1), fallback=lambda j: b"", keep=lambda data: None)
    with pytest.raises(ValueError, match="copies must be"):
        ahead.prepare(_job())


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[Store, PrintService, FakePrinters, list[int]]]:
    store, orders = open_store(tmp_path, 3)
    printers = FakePrinters()
    queue = PrintQueue(store, transport_factory=printers, clock=FakeClock())
    service = PrintService(store, queue, labels=FakeLabels())
    yield store, service, printers, [o.order_identifier for o in orders]
    queue.close()
    store.close()


def test_a_cold_scan_sends_exactly_the_encoded_job(
    env: tuple[Store, PrintService, FakePrinters, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, service, printers, orders = env
    service.prepare_labels(orders)  # PDFs cached, nothing encoded
    started: list[RenderAhead] = []

    class Counted(RenderAhead):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            started.append(self)

    monkeypatch.setattr(service_module, "RenderAhead", Counted)

    def not_the_usual_way(job: PrintJob) -> bytes:
        raise AssertionError(f"job {job.id} was prepared again instead of taking its render")

    monkeypatch.setattr(service, "job_bytes", not_the_usual_way)
    assert service.print_document(orders[0], DOC, URI).ok
    assert len(started) == 1
    cached = store.documents.get(orders[0], DOC)
    assert cached is not None
    expected = job_bytes(cached.data, coerce_uri(URI), title=f"order {orders[0]}")
    printer = printers.state(coerce_uri(URI))
    assert printer.jobs == [expected]
    # Kept: a reprint is only a transport write, with no render ahead.
    assert service.print_document(orders[0], DOC, URI, reprint=True).ok
    assert len(started) == 1
    assert printer.jobs == [expected, expected]
    # Already printed: the queue refuses it, and nothing is rendered for it.
    result = service.print_document(orders[1], DOC, URI)
    assert result.ok
    assert len(started) == 2
    assert service.print_document(orders[1], DOC, URI).outcome is PrintOutcome.ALREADY_PRINTED
    assert len(started) == 2


def test_a_refused_print_leaves_no_render_running(
    env: tuple[Store, PrintService, FakePrinters, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # An interrupted job (uncertain) is refused by the queue before anything is prepared; the
    # render started for it must be finished when print_document returns (a thread left
    # inside PDFium at interpreter exit can crash the process).
    store, service, printers, orders = env
    service.prepare_labels(orders[:1])
    job = store.print_jobs.insert(orders[0], DOC, URI)
    store.print_jobs.transition(job.id, PrintJobState.UNCERTAIN, expect=[PrintJobState.QUEUED])
    started: list[RenderAhead] = []

    class Counted(RenderAhead):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            started.append(self)

    monkeypatch.setattr(service_module, "RenderAhead", Counted)
    result = service.print_document(orders[0], DOC, URI)
    assert result.outcome is PrintOutcome.UNCERTAIN
    assert len(started) == 1
    assert started[0].wait(0)  # already finished
    assert printers.opened == 0
