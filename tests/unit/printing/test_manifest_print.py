"""A kept manifest PDF prints through the queue like any document: offline, once, A4 passed
through to an office printer or rastered for a label printer, retried from the queue."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from clickdrop_desktop.manifests import MANIFEST_DOCUMENT, kept_pdf
from clickdrop_desktop.store import PrintJobState
from printing.queue import PrintQueue, RetryPolicy
from printing.service import PrintOutcome, PrintService
from tests.helpers.print_fakes import label_pdf, open_store

A4_PDF = label_pdf("MANIFEST-7", a4=True)


@pytest.fixture
def service(tmp_path: Path):
    store, _orders = open_store(tmp_path, 1)
    store.sync_state.set("manifest.7.pdf", base64.b64encode(A4_PDF).decode("ascii"))
    queue = PrintQueue(store, retry=RetryPolicy(attempts=1), preflight=False)
    # No API at all and offline: a kept manifest must print anyway.
    yield PrintService(store, queue, labels=None, online=lambda: False)
    queue.close()
    store.close()


def test_a_kept_manifest_prints_offline_to_an_office_printer_as_it_is(
    service: PrintService, tmp_path: Path
) -> None:
    out = tmp_path / "office.pdf"
    result = service.print_document(7, MANIFEST_DOCUMENT, f"pdf+file://{out}?media=a4")
    assert result.outcome is PrintOutcome.PRINTED, result.message
    assert result.reference == "manifest 7"
    assert out.read_bytes() == A4_PDF  # A4 on A4: passed through untouched
    assert kept_pdf(service.store, 7) == A4_PDF
    # A second print is a deliberate reprint, as for labels.
    again = service.print_document(7, MANIFEST_DOCUMENT, f"pdf+file://{out}?media=a4")
    assert again.outcome is PrintOutcome.ALREADY_PRINTED
    reprint = service.print_document(
        7, MANIFEST_DOCUMENT, f"pdf+file://{out}?media=a4", reprint=True
    )
    assert reprint.outcome is PrintOutcome.PRINTED
    assert out.read_bytes() == A4_PDF * 2  # the file transport appends each job


def test_a_label_printer_gets_it_rastered_in_its_language(
    service: PrintService, tmp_path: Path
) -> None:
    out = tmp_path / "zebra.zpl"
    result = service.print_document(7, MANIFEST_DOCUMENT, f"zpl+file://{out}")
    assert result.outcome is PrintOutcome.PRINTED, result.message
    data = out.read_bytes()
    assert data.startswith(b"^XA")
    assert b"^GFA" in data


def test_a_manifest_not_kept_is_refused_in_one_line(service: PrintService, tmp_path: Path) -> None:
    result = service.print_document(8, MANIFEST_DOCUMENT, f"pdf+file://{tmp_path / 'x.pdf'}")
    assert result.outcome is PrintOutcome.NO_LABEL
    assert result.message == "manifest 8 is not kept here"
    assert not service.has_document(8, MANIFEST_DOCUMENT)
    assert service.has_document(7, MANIFEST_DOCUMENT)


def test_a_failed_manifest_job_is_retried_from_the_queue(
    service: PrintService, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-dir" / "office.pdf"
    result = service.print_document(7, MANIFEST_DOCUMENT, f"pdf+file://{missing}?media=a4")
    assert result.outcome is PrintOutcome.PRINTER_PROBLEM
    assert result.job is not None
    assert result.job.state is PrintJobState.FAILED
    missing.parent.mkdir()
    (retried,) = service.retry([result.job.id])
    assert retried.printed
    assert missing.read_bytes() == A4_PDF
