"""The print path the GUI drives, over printing's own services: `printing.queue.PrintQueue`
(persistent queue: idempotency, expiry, retries, pre-flight status), `printing.service.
PrintService` (cache-first documents, the label call only on print/prepare, render and encode)
and `printing.scan.ScanToPrint` (what a bench scan means).

This module only adapts their results to what the window shows, and loads the print stack
(PDFium, reportlab, Pillow) on first use rather than at start-up. Every method blocks (disk,
network, USB): call it from a `ui.tasks` worker on the "print" lane, never the GUI thread.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ui.services.views import PrintJobRow

if TYPE_CHECKING:
    from clickdrop_desktop.api.models import Order
    from clickdrop_desktop.store import Store
    from printing.bitmap import Bitmap
    from printing.queue import PrintQueue
    from printing.service import PrintService as CorePrintService

log = logging.getLogger(__name__)

PACKING_SLIP = "packingSlip"
LABEL = "postageLabel"
MANIFEST = "manifest"  # an account document: its job carries the manifest's number


class PrintOutcome(enum.Enum):
    PRINTED = "printed"
    ALREADY_PRINTED = "already_printed"  # a second print needs the deliberate reprint
    UNCERTAIN = "uncertain"  # an interrupted send may have printed: reprint only by choice
    NO_LABEL = "no_label"  # not cached and cannot be made now (account type, offline)
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


_CORE_OUTCOMES = {
    "printed": PrintOutcome.PRINTED,
    "already_printed": PrintOutcome.ALREADY_PRINTED,
    "uncertain": PrintOutcome.UNCERTAIN,
    "unknown_order": PrintOutcome.UNKNOWN_ORDER,
    "offline_no_label": PrintOutcome.NO_LABEL,
    "no_label": PrintOutcome.NO_LABEL,
    "printer_problem": PrintOutcome.PRINTER_PROBLEM,
}


class PrintService:
    """One account's printing for the window: builds printing's queue and service lazily."""

    def __init__(
        self,
        store: Store,
        *,
        client: Any,
        labels_available: bool,
        online: Callable[[], bool] = lambda: True,
        sender: str = "",
    ) -> None:
        self._store = store
        self._client = client
        self._labels_available = labels_available
        self._online = online
        self._sender = sender
        self._queue: PrintQueue | None = None
        self._service: CorePrintService | None = None
        self._label_printer: str | None = None

    @property
    def core(self) -> CorePrintService:
        """printing's `PrintService` (and its `PrintQueue`), made on first use."""
        if self._service is None:
            from printing.queue import PrintQueue
            from printing.service import PrintService as CorePrintService

            self._queue = PrintQueue(self._store)
            self._service = CorePrintService(
                self._store,
                self._queue,
                labels=self._client,
                labels_available=self._labels_available,
                online=self._online,
                sender=self._sender,
            )
        return self._service

    def close(self) -> None:
        if self._queue is not None:
            self._queue.close()

    def use_sheet(self, media: str, start: int) -> None:
        """Settings: A4 media puts labels 4-up from the first free position of the sheet."""
        from printing.jobs import SheetOptions

        wanted = SheetOptions("a4-4up", start) if media == "a4" else SheetOptions()
        if self.core.sheet != wanted:
            self.core.sheet = wanted

    def use_label_printer(self, printer_uri: str | None) -> None:
        """The bench's label printer (Settings). Labels prepared from now on are also encoded
        for it and kept encrypted in the store, so scanning one only sends its bytes.

        Printing or scanning a label to a printer makes that the label printer too, so the
        next "prepare labels" encodes for the printer the bench actually uses.
        """
        self._label_printer = printer_uri or None

    @property
    def label_printer(self) -> str | None:
        return self._label_printer

    # -- documents ------------------------------------------------------------------------------

    def has_document(self, order_id: int, document: str) -> bool:
        return document == PACKING_SLIP or self._store.documents.has(order_id, document)

    def prepare_labels(
        self, order_ids: list[int], progress: Callable[[int, int], None] | None = None
    ) -> tuple[list[int], list[str]]:
        """Make and cache missing labels (billable upstream): (ids made now, problem lines).

        With a label printer known (`use_label_printer`), each label is also encoded for it
        now, in this worker, so a scan of it later is only a transport write.
        """
        missing = [i for i in order_ids if not self._store.documents.has(i, LABEL)]
        printers = [self._label_printer] if self._label_printer else []
        result = self.core.prepare_labels(order_ids, printers=printers, progress=progress)
        made = [i for i in missing if self._store.documents.has(i, LABEL)]
        problems = list(result.problems)
        if result.stopped_offline:
            problems.append("Click & Drop stopped answering; the rest keep their place")
        return made, problems

    def render(
        self, order: Order, document: str, printer_uri: str, *, allow_fetch: bool = False
    ) -> list[Bitmap]:
        """The exact bitmaps the printer at `printer_uri` would get; [] when not cached.

        Never calls the API (a preview must not generate a label)."""
        from printing.service import DocumentUnavailable

        try:
            return self.core.render(order.order_identifier, document, printer_uri)
        except DocumentUnavailable:
            return []

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
        """Queue one document and send it; the result says what happened to it."""
        if not printer_uri:
            return PrintResult(
                order_id, str(order_id), PrintOutcome.NO_PRINTER, "no printer is set up (Settings)"
            )
        if document == LABEL:
            self._label_printer = printer_uri
        cached = self.has_document(order_id, document)
        if not cached and (not allow_fetch or not self._labels_available):
            stored = self._store.get_order(order_id)
            if stored is None:
                return PrintResult(
                    order_id, str(order_id), PrintOutcome.UNKNOWN_ORDER, "not in the cache"
                )
            why = (
                "this account gets labels only from the Click & Drop website (OBA accounts "
                "get them through the API)"
                if not self._labels_available
                else "no label cached yet; prepare labels while online"
            )
            return PrintResult(
                order_id, stored.order.order_reference or str(order_id), PrintOutcome.NO_LABEL, why
            )
        core = self.core.print_document(
            order_id, document, printer_uri, reprint=reprint, fetch=allow_fetch
        )
        return PrintResult(
            order_id,
            core.reference,
            _CORE_OUTCOMES.get(core.outcome.value, PrintOutcome.PRINTER_PROBLEM),
            core.message,
            core.job.id if core.job is not None else None,
            core.bytes_sent,
            label_made=not cached and self.has_document(order_id, document),
        )

    def scan(
        self,
        code: str,
        printers: dict[str, str],
        *,
        reprint: bool,
        fetch: bool,
    ) -> tuple[PrintResult, int | None]:
        """A bench scan through `printing.scan.ScanToPrint`: (result of its label, order id)."""
        from printing.scan import ScanToPrint

        if printers.get(LABEL):
            self._label_printer = printers[LABEL]
        scanner = ScanToPrint(
            self.core, list(printers.items()), fetch=fetch and self._labels_available
        )
        stored = scanner.resolve(code)
        if stored is None:
            from printing.uri import printable

            return (
                PrintResult(0, printable(code, 40), PrintOutcome.UNKNOWN_ORDER, "unknown"),
                None,
            )
        order_id = stored.order.order_identifier
        had_label = self.has_document(order_id, LABEL)
        result = scanner.scan(code, reprint=reprint)
        first = result.prints[0] if result.prints else None
        outcome = (
            _CORE_OUTCOMES.get(first.outcome.value, PrintOutcome.PRINTER_PROBLEM)
            if first is not None
            else PrintOutcome.PRINTER_PROBLEM
        )
        return (
            PrintResult(
                order_id,
                result.reference,
                outcome,
                first.message if first is not None else result.message,
                first.job.id if first is not None and first.job is not None else None,
                first.bytes_sent if first is not None else 0,
                label_made=not had_label and self.has_document(order_id, LABEL),
            ),
            order_id,
        )

    def retry(self, job_ids: list[int]) -> None:
        self.core.retry(job_ids)

    def cancel(self, job_ids: list[int]) -> None:
        from clickdrop_desktop.store import PrintJobStateChanged

        for job_id in job_ids:
            try:
                self.core.cancel([job_id])
            except PrintJobStateChanged:
                continue  # printed or gone meanwhile

    def run_pending(self) -> None:
        """Send waiting jobs (after the printer or the API came back)."""
        self.core.run_pending()

    def jobs(self, limit: int = 200) -> list[PrintJobRow]:
        """The newest jobs for the queue panel (newest first)."""
        refs: dict[int, str] = {}
        rows = []
        for job in self._store.print_jobs.recent(limit):
            if job.document_type == MANIFEST:  # numbered by its manifest, not by an order
                reference = f"Manifest {job.order_identifier}"
            else:
                if job.order_identifier not in refs:
                    stored = self._store.get_order(job.order_identifier)
                    refs[job.order_identifier] = (
                        stored.order.order_reference
                        if stored and stored.order.order_reference
                        else str(job.order_identifier)
                    )
                reference = refs[job.order_identifier]
            rows.append(
                PrintJobRow(
                    job_id=str(job.id),
                    order_reference=reference,
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
