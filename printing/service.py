"""`PrintService`: an order's document, from the encrypted cache to the printer, through the queue.

Where a document comes from is `printing.service_documents`' part (`DocumentSource`, the
base class). Then `printing.jobs` renders at the printer's true dpi and media and encodes for
its language; the bytes go through `PrintQueue` (idempotency, expiry, retries, pre-flight).
Encoded jobs are kept in a small in-memory cache keyed by the document's hash and the exact
printer settings, so a reprint is only a transport write.

Every method blocks (disk, network, USB): the GUI calls them from a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from clickdrop_desktop.store import (
    DuplicatePrintJob,
    PrintJob,
    PrintJobState,
    UncertainPrintJob,
)
from printing.account_documents import ACCOUNT_DOCUMENTS, describe
from printing.bitmap import Bitmap
from printing.encoded_cache import render_key
from printing.jobs import document_size, job_bytes, render
from printing.queue import JobDeferred, JobRejected, JobResult
from printing.raster import RasterError
from printing.render_ahead import RenderAhead
from printing.service_documents import DocumentSource
from printing.service_types import (
    DocumentUnavailable,
    LabelSource,
    PrepareResult,
    PrintOutcome,
    PrintResult,
)
from printing.uri import PrinterUri, coerce_uri

__all__ = [
    "DocumentSource",
    "DocumentUnavailable",
    "LabelSource",
    "PrepareResult",
    "PrintOutcome",
    "PrintResult",
    "PrintService",
]


class PrintService(DocumentSource):
    """One account's printing. Build it when the account opens, with its store and queue.

    Args:
        store: the account's open store.
        queue: the print queue over that store.
        labels: the API client, or None when there is none (then only cached labels print).
        labels_available: False for accounts that cannot get labels through the API (non-OBA).
        online: False when connectivity is known to be offline (the API is then not tried).
        sender: the business name on our own documents.
        sheet: how labels go on A4 for `pdf` printers.
        include_cn: the label call's `includeCN` (None: the account's setting).

    Documents as PDF (cached, drawn, or fetched when asked) are `DocumentSource`'s; this
    class prepares, renders, encodes and prints them.
    """

    def prepare_labels(
        self,
        order_identifiers: Sequence[int],
        document_type: str = "postageLabel",
        *,
        printers: Sequence[PrinterUri | str] = (),
        progress: Callable[[int, int], None] | None = None,
    ) -> PrepareResult:
        """The explicit "prepare labels" action (billable upstream): fetch and cache what is
        missing, one call per order so each PDF is known to be that order's; then encode each
        label for `printers` (the bench's label printer) and keep that too, so a scan of a
        prepared label only has to send it."""
        fetched = cached = 0
        problems: list[str] = []
        total = len(order_identifiers)
        uris = [coerce_uri(uri) for uri in printers]
        for done, order_identifier in enumerate(order_identifiers, 1):
            have = self.store.documents.has(order_identifier, document_type)
            if have:
                cached += 1
            else:
                try:
                    self._fetch(order_identifier, document_type)
                except DocumentUnavailable as exc:
                    problems.append(exc.message)
                    if exc.offline:
                        return PrepareResult(fetched, cached, tuple(problems), True)
                else:
                    fetched += 1
                    have = True
            for uri in uris if have else []:
                try:
                    self.encoded(order_identifier, document_type, uri, persist=True)
                except (RasterError, ValueError) as exc:
                    problems.append(f"order {order_identifier}'s {document_type}: {exc}")
            if progress is not None:
                progress(done, total)
        return PrepareResult(fetched, cached, tuple(problems), False)

    # -- rendering (the preview and the printer see the same bitmaps) ---------------------------

    def render(
        self, order_identifier: int, document_type: str, printer_uri: PrinterUri | str
    ) -> list[Bitmap]:
        """The bitmaps the printer at `printer_uri` will print. Never calls the API: a label
        that is not cached raises `DocumentUnavailable`."""
        uri = coerce_uri(printer_uri)
        pdf = self.document_pdf(order_identifier, document_type, size=document_size(uri))
        return render(pdf, uri, sheet=self.sheet)

    def job_bytes(self, job: PrintJob) -> bytes:
        """The bytes for a job's printer, from the encoded cache when this document was
        encoded for these printer settings before. Raises `JobDeferred` / `JobRejected`."""
        try:
            return self.encoded(
                job.order_identifier, job.document_type, job.printer_uri, copies=job.copies
            )
        except DocumentUnavailable as exc:
            raise (JobDeferred if exc.offline else JobRejected)(exc.message) from None
        except RasterError as exc:
            raise JobRejected(
                f"order {job.order_identifier}'s {job.document_type}: {exc}"
            ) from None

    def encoded(
        self,
        order_identifier: int,
        document_type: str,
        printer_uri: PrinterUri | str,
        *,
        copies: int = 1,
        persist: bool = False,
    ) -> bytes:
        """The job bytes of a cached (or our own) document for a printer; never calls the API.

        `persist` keeps them in the store too (done for prepared labels), so even the first
        print after a restart is only a transport write.
        """
        uri = coerce_uri(printer_uri)
        pdf = self.document_pdf(order_identifier, document_type, size=document_size(uri))
        key = render_key(
            order_identifier, document_type, pdf, uri, copies=copies, sheet=repr(self.sheet)
        )
        data = self._encoded.get(key)
        if data is None:
            data = job_bytes(
                pdf, uri, copies=copies, title=f"order {order_identifier}", sheet=self.sheet
            )
            self._encoded.put(key, data, language=uri.language, persist=persist)
        return data

    def _preparer(
        self,
        order_identifier: int,
        document_type: str,
        uri: PrinterUri,
        copies: int,
        reprint: bool,
    ) -> tuple[Callable[[PrintJob], bytes], RenderAhead | None]:
        """`job_bytes`, or for a document not encoded for this printer yet (a cold scan), a
        render started now on a helper thread, to overlap the queue's commit (and that
        thread, which the caller must wait for)."""
        if not reprint and self.store.print_jobs.was_printed(order_identifier, document_type):
            return self.job_bytes, None  # the queue will refuse it: render nothing
        try:
            pdf = self.document_pdf(order_identifier, document_type, size=document_size(uri))
        except DocumentUnavailable:
            return self.job_bytes, None  # gone meanwhile: the job says so
        key = render_key(
            order_identifier, document_type, pdf, uri, copies=copies, sheet=repr(self.sheet)
        )
        want = (order_identifier, document_type, str(uri), copies)
        kept = self._encoded.get(key)
        if kept is not None:  # prepared: the bytes are at hand

            def prepared(job: PrintJob) -> bytes:
                mine = (job.order_identifier, job.document_type, job.printer_uri, job.copies)
                return kept if mine == want else self.job_bytes(job)

            return prepared, None
        sheet = self.sheet
        title = f"order {order_identifier}"
        ahead = RenderAhead(
            lambda: job_bytes(pdf, uri, copies=copies, title=title, sheet=sheet),
            want,
            fallback=self.job_bytes,
            keep=lambda data: self._encoded.put(key, data, language=uri.language),
        )
        return ahead.prepare, ahead

    def _ready(self, job: PrintJob) -> None:
        """Before a job is claimed: have its document (fetching it now if it must be, since
        the job itself is the user's explicit request), so the slow part happens while the
        job is still safely `queued`."""
        try:
            self.document_pdf(job.order_identifier, job.document_type, fetch=True)
        except DocumentUnavailable as exc:
            raise (JobDeferred if exc.offline else JobRejected)(exc.message) from None

    # -- printing ------------------------------------------------------------------------------

    def print_document(
        self,
        order_identifier: int,
        document_type: str,
        printer_uri: PrinterUri | str,
        *,
        copies: int = 1,
        reprint: bool = False,
        fetch: bool = True,
        actor: str | None = None,
    ) -> PrintResult:
        """Print one document of one order now, through the queue; never raises for an
        expected problem (the result's outcome and message say what happened)."""
        uri = coerce_uri(printer_uri)
        if document_type in ACCOUNT_DOCUMENTS:  # no order: the job carries the document's number
            reference = describe(order_identifier, document_type)
        else:
            stored = self.store.get_order(order_identifier)
            if stored is None:
                return PrintResult(
                    order_identifier,
                    str(order_identifier),
                    document_type,
                    PrintOutcome.UNKNOWN_ORDER,
                    f"order {order_identifier} is not in this account's cache (sync first?)",
                )
            reference = stored.order.order_reference or str(order_identifier)

        def result(
            outcome: PrintOutcome, message: str, job: PrintJob | None = None, sent: int = 0
        ) -> PrintResult:
            return PrintResult(
                order_identifier, reference, document_type, outcome, message, job, sent
            )

        at_hand = self.has_document(order_identifier, document_type)
        try:
            if at_hand:
                # Nothing to fetch first: queue and claim it in one commit, then send; a
                # document not encoded yet renders meanwhile.
                prepare, ahead = self._preparer(
                    order_identifier, document_type, uri, copies, reprint
                )
                try:
                    outcome = self.queue.submit(
                        order_identifier,
                        document_type,
                        uri,
                        prepare,
                        copies=copies,
                        reprint=reprint,
                        actor=actor,
                    )
                finally:
                    if ahead is not None:
                        ahead.wait()  # also when the queue refused the job: no render left behind
                return self._result(outcome, result)
            job = self.queue.enqueue(
                order_identifier, document_type, uri, copies=copies, reprint=reprint, actor=actor
            )
        except UncertainPrintJob as exc:
            return result(PrintOutcome.UNCERTAIN, exc.message)
        except DuplicatePrintJob as exc:
            return result(PrintOutcome.ALREADY_PRINTED, exc.message)
        if not fetch:
            message = f"order {order_identifier}'s {document_type} is not cached; the job waits"
            return result(PrintOutcome.OFFLINE_NO_LABEL, message, job)
        outcome = self.queue.process(job.id, self.job_bytes, before=self._ready)
        return self._result(outcome, result)

    @staticmethod
    def _result(
        outcome: JobResult, result: Callable[[PrintOutcome, str, PrintJob | None, int], PrintResult]
    ) -> PrintResult:
        job = outcome.job
        if outcome.printed:
            copies = f" ({job.copies} copies)" if job.copies > 1 else ""
            return result(PrintOutcome.PRINTED, f"printed{copies}", job, outcome.bytes_sent)
        message = outcome.error or job.last_error or f"the job is {job.state.value}"
        if outcome.deferred or job.state is PrintJobState.QUEUED:
            return result(PrintOutcome.OFFLINE_NO_LABEL, message, job, 0)
        if job.state is PrintJobState.UNCERTAIN:
            return result(PrintOutcome.UNCERTAIN, message, job, outcome.bytes_sent)
        if outcome.rejected:
            return result(PrintOutcome.NO_LABEL, message, job, 0)
        if job.state is PrintJobState.EXPIRED:
            message = "the job waited too long and expired instead of printing late"
        return result(PrintOutcome.PRINTER_PROBLEM, message, job, outcome.bytes_sent)

    def run_pending(self) -> list[JobResult]:
        """Send every waiting job (e.g. after the printer or the API came back)."""
        return self.queue.run_pending(self.job_bytes, before=self._ready)

    def retry(self, job_ids: Sequence[int], *, actor: str | None = None) -> list[JobResult]:
        """The user's explicit retry of failed / expired / uncertain jobs; then send them."""
        results = []
        for job_id in job_ids:
            self.queue.retry(job_id, actor=actor)
            results.append(self.queue.process(job_id, self.job_bytes, before=self._ready))
        return results

    def cancel(self, job_ids: Sequence[int], *, actor: str | None = None) -> list[PrintJob]:
        return [self.queue.cancel(job_id, actor=actor) for job_id in job_ids]
