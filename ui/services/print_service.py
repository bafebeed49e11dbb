"""The print path the GUI drives: document -> bitmap -> printer bytes -> transport, via the queue.

A thin adapter over what exists today (the store's persistent `print_jobs`, `printing.raster`,
`printing.encoders`, `printing.transports`, `printing.documents`); when printing's own queue
service lands this class delegates to it. Every method blocks (disk, network, USB): call it from
a `ui.tasks` worker on the "print" lane, never from the GUI thread.

Rules kept here: a first print of (order, document) is idempotent (the store's idempotency key);
a second print needs `reprint=True`; labels come from the encrypted cache, and are generated
upstream (`GET /orders/{id}/label`, billable) only when the caller says so (`allow_fetch`).
"""

from __future__ import annotations

import contextlib
import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from clickdrop_desktop.api.errors import ApiError
from ui.services.views import PrintJobRow

if TYPE_CHECKING:
    # The print stack (PDFium, reportlab, Pillow, SQLCipher) loads on first use, not at start-up.
    from clickdrop_desktop.api.models import Order
    from clickdrop_desktop.store import PrintJob, PrintJobState, Store
    from printing.bitmap import Bitmap
    from printing.raster import Media
    from printing.uri import PrinterUri

log = logging.getLogger(__name__)

PACKING_SLIP = "packingSlip"
#: Documents Click & Drop makes (the label call); the rest we draw ourselves.
API_DOCUMENTS = frozenset({"postageLabel", "despatchNote", "CN22", "CN23"})
#: A job not sent within this time expires instead of printing hours later.
JOB_TTL = timedelta(minutes=15)
WORKER = "desktop"
_CANCELLABLE = ("queued", "failed", "uncertain")


class PrintOutcome(enum.Enum):
    PRINTED = "printed"
    ALREADY_PRINTED = "already_printed"
    NO_LABEL = "no_label"  # not cached, and not allowed (or not able) to make one now
    UNKNOWN_ORDER = "unknown_order"
    PRINTER_PROBLEM = "printer_problem"  # the job stays in the queue, failed, for a retry
    NO_PRINTER = "no_printer"


@dataclass(frozen=True, slots=True)
class PrintResult:
    order_id: int
    reference: str
    outcome: PrintOutcome
    message: str
    job_id: int | None = None
    bytes_sent: int = 0
    label_made: bool = False  # the label was generated upstream for this print


class LabelClient(Protocol):
    def get_label(self, keys: list[int], document_type: str = ...) -> bytes: ...


def media_of(uri: PrinterUri) -> Media:
    from printing.raster import Media

    return Media(uri.media.width_mm, uri.media.height_mm, uri.media.name)


class PrintService:
    """Prints one account's documents through its store's persistent queue."""

    def __init__(
        self,
        store: Store,
        *,
        client: LabelClient | None,
        labels_available: bool,
        sender: str = "",
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        usb_backend: object | None = None,
    ) -> None:
        self._store = store
        self._client = client
        self._labels_available = labels_available
        self._sender = sender
        self._now = now
        self._usb_backend = usb_backend

    # -- documents ------------------------------------------------------------------------------

    def has_document(self, order_id: int, document: str) -> bool:
        return document == PACKING_SLIP or self._store.documents.has(order_id, document)

    def document_pdf(
        self, order: Order, document: str, *, allow_fetch: bool, size: str = "4x6"
    ) -> bytes | None:
        """The document's PDF: cached, drawn by us, or (with `allow_fetch`) made upstream."""
        order_id = order.order_identifier
        if document not in API_DOCUMENTS:
            from printing.documents import packing_slip

            return packing_slip(order, size="a4" if size == "a4" else "4x6", sender=self._sender)
        stored = self._store.documents.get(order_id, document)
        if stored is not None:
            return stored.data
        if not allow_fetch or not self._labels_available or self._client is None:
            return None
        pdf = self._client.get_label([order_id], document)
        self._store.documents.put(order_id, document, pdf)
        return pdf

    def prepare_labels(
        self, order_ids: list[int], progress: Callable[[int, int], None] | None = None
    ) -> tuple[list[int], list[str]]:
        """Make and cache the labels of orders that have none (billable upstream).

        One call per order, so each PDF is known to be that order's. Returns the ids whose
        label was made, and one line per problem.
        """
        made: list[int] = []
        problems: list[str] = []
        for done, order_id in enumerate(order_ids, 1):
            if not self._store.documents.has(order_id, "postageLabel"):
                stored = self._store.get_order(order_id)
                if stored is None:
                    problems.append(f"order {order_id} is not in the cache")
                    continue
                try:
                    if self.document_pdf(stored.order, "postageLabel", allow_fetch=True):
                        made.append(order_id)
                except ApiError as exc:
                    problems.append(f"{stored.order.order_reference or order_id}: {exc.message}")
                    if exc.transient:
                        break  # offline or throttled: stop, the rest keep their place
            if progress is not None:
                progress(done, len(order_ids))
        return made, problems

    def render(
        self, order: Order, document: str, printer_uri: str, *, allow_fetch: bool = False
    ) -> list[Bitmap]:
        """The exact bitmaps the printer at `printer_uri` would get (empty if no document)."""
        from printing.raster import RasterOptions, rasterise_pdf
        from printing.uri import coerce_uri

        uri = coerce_uri(printer_uri)
        pdf = self.document_pdf(order, document, allow_fetch=allow_fetch, size=uri.media.name)
        if pdf is None:
            return []
        return rasterise_pdf(pdf, RasterOptions(dpi=uri.dpi, media=media_of(uri)))

    # -- printing -------------------------------------------------------------------------------

    def print_order(
        self,
        order_id: int,
        document: str,
        printer_uri: str | None,
        *,
        reprint: bool = False,
        allow_fetch: bool = False,
    ) -> PrintResult:
        """Queue one document and send the queue; the result says what happened to it."""
        from clickdrop_desktop.store import DuplicatePrintJob, PrintJobState, UncertainPrintJob

        stored = self._store.get_order(order_id)
        if stored is None:
            return PrintResult(order_id, str(order_id), PrintOutcome.UNKNOWN_ORDER, "not cached")
        order = stored.order
        ref = order.order_reference or str(order_id)
        if not printer_uri:
            return PrintResult(
                order_id, ref, PrintOutcome.NO_PRINTER, "no printer is set up (Settings)"
            )
        if not reprint and self._store.print_jobs.was_printed(order_id, document):
            return PrintResult(
                order_id, ref, PrintOutcome.ALREADY_PRINTED, "already printed; reprint to repeat"
            )
        cached = document not in API_DOCUMENTS or self._store.documents.has(order_id, document)
        try:
            pdf_ok = self.document_pdf(order, document, allow_fetch=allow_fetch) is not None
        except ApiError as exc:
            return PrintResult(order_id, ref, PrintOutcome.NO_LABEL, exc.message)
        if not pdf_ok:
            why = (
                "this account cannot get labels through the API (OBA accounts only)"
                if not self._labels_available
                else "no label cached yet; prepare labels while online"
            )
            return PrintResult(order_id, ref, PrintOutcome.NO_LABEL, why)
        try:
            job = self._store.print_jobs.insert(
                order_id,
                document,
                printer_uri,
                reprint=reprint,
                expires_at=self._now() + JOB_TTL,
            )
        except UncertainPrintJob:
            return PrintResult(
                order_id,
                ref,
                PrintOutcome.ALREADY_PRINTED,
                "an earlier send was interrupted and may have printed; reprint to send again",
            )
        except DuplicatePrintJob:
            return PrintResult(
                order_id, ref, PrintOutcome.ALREADY_PRINTED, "already printed; reprint to repeat"
            )
        sent = self.drain()
        final = self._store.print_jobs.get(job.id)
        if final is not None and final.state is PrintJobState.SENT:
            return PrintResult(
                order_id,
                ref,
                PrintOutcome.PRINTED,
                "printed",
                job.id,
                sent.get(job.id, 0),
                label_made=not cached,
            )
        error = (final.last_error if final else None) or "the printer did not take the job"
        return PrintResult(
            order_id, ref, PrintOutcome.PRINTER_PROBLEM, error, job.id, label_made=not cached
        )

    def drain(self) -> dict[int, int]:
        """Send every queued job in order (expiring stale ones); job id -> bytes sent."""
        from clickdrop_desktop.store import PrintJobState
        from printing.transports import PrinterError

        sent: dict[int, int] = {}
        while True:
            job = self._store.print_jobs.claim_next(now=self._now(), owner=WORKER)
            if job is None:
                return sent
            try:
                sent[job.id] = self._send(job)
            except (PrinterError, ApiError, ValueError, OSError) as exc:
                message = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
                self._settle(job.id, PrintJobState.FAILED, message[:200])
            else:
                self._settle(job.id, PrintJobState.SENT, None)

    def _settle(self, job_id: int, state: PrintJobState, error: str | None) -> None:
        from clickdrop_desktop.store import PrintJobState, PrintJobStateChanged

        # Cancelled or expired meanwhile: the queue's state wins.
        with contextlib.suppress(PrintJobStateChanged):
            self._store.print_jobs.transition(
                job_id, state, expect=[PrintJobState.SENDING], actor=WORKER, error=error
            )

    def _send(self, job: PrintJob) -> int:
        from printing.encoders import JobOptions, encode
        from printing.transports import open_transport
        from printing.uri import coerce_uri

        stored = self._store.get_order(job.order_identifier)
        if stored is None:
            raise ValueError("the order is no longer cached")
        uri = coerce_uri(job.printer_uri)
        bitmaps = self.render(stored.order, job.document_type, job.printer_uri)
        if not bitmaps:
            raise ValueError("no document to print")
        darkness = uri.options.get("darkness")
        speed = uri.options.get("speed")
        options = JobOptions(
            copies=job.copies,
            darkness=int(darkness) if darkness else None,
            speed=int(float(speed)) if speed else None,
            title=stored.order.order_reference,
        )
        if uri.language == "pdf":
            data = self.document_pdf(stored.order, job.document_type, allow_fetch=False) or b""
        else:
            data = encode(uri.language, bitmaps, options)
        transport = open_transport(uri, usb_backend=self._usb_backend)
        try:
            transport.send(data, job_name=f"clickdrop-{job.idempotency_key}")
        finally:
            transport.close()
        return len(data)

    def retry(self, job_ids: list[int]) -> None:
        for job_id in job_ids:
            self._store.print_jobs.requeue(job_id, expires_at=self._now() + JOB_TTL, actor=WORKER)
        self.drain()

    def cancel(self, job_ids: list[int]) -> None:
        from clickdrop_desktop.store import PrintJobState, PrintJobStateChanged

        cancellable = [PrintJobState(s) for s in _CANCELLABLE]
        for job_id in job_ids:
            try:
                self._store.print_jobs.transition(
                    job_id,
                    PrintJobState.CANCELLED,
                    expect=cancellable,
                    actor=WORKER,
                )
            except PrintJobStateChanged:
                continue  # printed or gone meanwhile

    def jobs(self, limit: int = 200) -> list[PrintJobRow]:
        """The newest jobs for the queue panel (newest first)."""
        refs: dict[int, str] = {}
        rows = []
        for job in self._store.print_jobs.recent(limit):
            if job.order_identifier not in refs:
                stored = self._store.get_order(job.order_identifier)
                refs[job.order_identifier] = (
                    stored.order.order_reference
                    if stored and stored.order.order_reference
                    else str(job.order_identifier)
                )
            rows.append(
                PrintJobRow(
                    job_id=str(job.id),
                    order_reference=refs[job.order_identifier],
                    document=job.document_type,
                    printer=_short_printer(job.printer_uri),
                    state=job.state.value,
                    attempts=job.attempts,
                    error=job.last_error or "",
                    created=job.created_at,
                    reprint=job.reprint,
                )
            )
        return rows


def _short_printer(uri: str) -> str:
    """`zpl+tcp://127.0.0.1:9100?dpi=203` -> `ZPL · 127.0.0.1:9100` for the panel."""
    from printing.uri import coerce_uri

    try:
        parsed = coerce_uri(uri)
    except ValueError:
        return uri[:60]
    return f"{parsed.language.upper()} · {parsed.address}"
