"""The print queue: jobs from the store's `print_jobs` to the printer, once, or loudly not at all.

Life of a job: `queued` -> `sending` -> `sent`, or `failed` (with a one-line reason), `expired`
(not sent in time: labels must not pour out when a printer comes back hours later),
`cancelled`, or `uncertain`.

Rules, and why:

* Never printed twice by accident. A job is claimed compare-and-set (`queued` -> `sending`),
  so two workers (the GUI and a CLI, two threads) cannot both send it. A reprint is a new job
  with its own idempotency key, made only on an explicit request, logged with who and when.
* Never lost. Jobs live in the encrypted store; a kill -9 leaves them where they were.
* `uncertain`, not resent: a job found in `sending` whose worker is gone (the process died
  mid-send) may have printed, wholly or in part. Resending it blindly is how duplicate labels
  happen, and dropping it is how labels go missing, so the queue marks it `uncertain` and the
  user decides (reprint, or "it printed"). A worker proves it is alive by holding an exclusive
  lock on its own lease file for its lifetime; the kernel releases it when the process dies.
* A failure after part of a job left this machine is judged by what can have printed: ZPL and
  TSPL print a label only at its `^XZ` / `PRINT`, so a job cut before the first of those
  printed nothing and may be sent again; anything else goes to `uncertain`.
* Transient failures (busy, timeout, offline, disconnected) are retried with exponential
  backoff, the job back in `queued` between attempts (so it can be cancelled, and a crash
  while waiting loses nothing); permanent ones (permission denied, not found, paper out, head
  open) fail at once, visibly, and stay retryable by hand.
* Pre-flight: where the transport can ask the printer, paper out / head open / paused stop the
  job before a byte is sent (a printer in that state would hold the job and print it later,
  stale). Where it cannot say ("unknown"), the job is sent.

Thread-safe: the GUI runs `process`/`run_pending` on a worker thread; listeners are called on
that thread (a Qt adapter re-emits them as signals).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from clickdrop_desktop.store import PrintJob, PrintJobState, PrintJobStateChanged
from printing.queue_jobs import DEFAULT_EXPIRY, Preparer, QueueJobs
from printing.queue_send import TRANSIENT_ERRORS, PrinterNotReady, nothing_printed
from printing.queue_types import JobDeferred, JobRejected, JobResult, RetryPolicy, default_actor
from printing.transports import PrinterError
from printing.uri import PrinterUri, coerce_uri

__all__ = [
    "DEFAULT_EXPIRY",
    "JobDeferred",
    "JobRejected",
    "JobResult",
    "PrintQueue",
    "PrinterNotReady",
    "RetryPolicy",
    "default_actor",
    "nothing_printed",
]

log = logging.getLogger(__name__)

_ERROR_MAX = 300


def _one_line(text: str) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= _ERROR_MAX else line[: _ERROR_MAX - 1] + "…"


class PrintQueue(QueueJobs):
    """One account's print queue. Create it when the account opens; `close()` it after.

    Args:
        store: the account's open store (its `print_jobs`).
        expiry: how long a queued job may wait before it expires instead of printing.
        retry: the backoff for transient printer errors.
        actor: who acts through this queue, for the history (`default_actor()` if None).
        transport_factory: builds a transport for a URI (tests inject fakes).
        clock: the current time (UTC); `sleep` waits between retries (tests pass fakes).
        lease_dir: where worker lease files live (default: beside the store).
        preflight: ask the printer for its status before sending (where it can say).

    The job state machine (requests, claims, recovery, listeners) is `QueueJobs`'; this
    class sends: `process`, `submit`, `run_pending`, with retries.
    """

    # -- sending ----------------------------------------------------------------------------

    def run_pending(
        self, prepare: Preparer, *, before: Callable[[PrintJob], None] | None = None
    ) -> list[JobResult]:
        """Send every queued job, oldest first, until none is left that this run has not
        tried (a deferred job waits for the next run)."""
        self.recover()
        self.expire_stale()
        tried: set[int] = set()
        results: list[JobResult] = []
        while True:
            waiting = [
                job
                for job in self.store.print_jobs.list([PrintJobState.QUEUED], limit=100_000)
                if job.id not in tried
            ]
            if not waiting:
                return results
            for job in waiting:
                tried.add(job.id)
                results.append(self.process(job.id, prepare, before=before))

    def process(
        self,
        job_id: int,
        prepare: Preparer,
        *,
        before: Callable[[PrintJob], None] | None = None,
    ) -> JobResult:
        """Send one queued job, retrying transient failures. Never raises for a printer or
        document problem: the job's final state and the result's `error` say what happened.

        `before(job)` runs while the job is still `queued` (e.g. fetch its label: slow, and
        nothing is sent yet, so a crash there leaves a plain queued job); it may raise
        `JobDeferred` or `JobRejected`. `prepare(job)` then makes the bytes.
        """
        if before is not None:
            current = self.store.print_jobs.get(job_id)
            if current is None or current.state is not PrintJobState.QUEUED:
                return self._not_claimed(current, job_id)
            try:
                before(current)
            except JobDeferred as exc:
                return JobResult(self._note(current, exc.message), error=exc.message, deferred=True)
            except JobRejected as exc:
                job = self._move(current, PrintJobState.FAILED, exc.message, [PrintJobState.QUEUED])
                return JobResult(job, error=exc.message, rejected=True)
        job, won = self._claim(job_id)
        if not won:
            return self._not_claimed(job, job_id)
        return self._prepare_and_send(job, prepare)

    def submit(
        self,
        order_identifier: int,
        document_type: str,
        printer_uri: PrinterUri | str,
        prepare: Preparer,
        *,
        copies: int = 1,
        reprint: bool = False,
        actor: str | None = None,
    ) -> JobResult:
        """`enqueue` then `process`, for a document already at hand (a bench scan of a cached
        label): the job is recorded and claimed in ONE commit instead of two, then made and
        sent exactly as `process` does. The store syncs every commit to disk (a few ms each on
        a busy machine, the largest cost of a scan once the label is encoded), and nothing
        happens between the two that another worker could observe.

        Raises what `enqueue` raises; everything else is in the result, as for `process`.
        """
        token = self._next_claim_token()
        jobs = self.store.print_jobs
        with self.store.transaction():
            queued = self._insert(
                order_identifier, document_type, printer_uri, copies, reprint, actor
            )
            job = queued
            if queued.state is PrintJobState.QUEUED:
                job = jobs.claim(queued.id, now=self._clock(), owner=token)
        self._notify(queued)
        won = job.state is PrintJobState.SENDING and job.claimed_by == token
        if won or (job.state is PrintJobState.EXPIRED and queued.state is PrintJobState.QUEUED):
            self._notify(job)
        if not won:
            return self._not_claimed(job, job.id)
        return self._prepare_and_send(job, prepare)

    def _prepare_and_send(self, job: PrintJob, prepare: Preparer) -> JobResult:
        """Make a claimed (`sending`) job's bytes and send them."""
        try:
            data = prepare(job)
            uri = coerce_uri(job.printer_uri)
        except JobDeferred as exc:
            job = self._finish(job, PrintJobState.QUEUED, exc.message, "deferred")
            return JobResult(job, error=exc.message, deferred=True)
        except JobRejected as exc:
            job = self._finish(job, PrintJobState.FAILED, exc.message)
            return JobResult(job, error=exc.message, rejected=True)
        except Exception as exc:  # noqa: BLE001 - a render failure fails this job only
            message = _one_line(getattr(exc, "message", None) or str(exc) or type(exc).__name__)
            log.warning("print job %s could not be prepared: %s", job.id, message)
            job = self._finish(job, PrintJobState.FAILED, message)
            return JobResult(job, error=message, rejected=True)
        return self._send_with_retries(job, uri, data)

    def _send_with_retries(self, job: PrintJob, uri: PrinterUri, data: bytes) -> JobResult:
        while True:
            try:
                self.sender.send(uri, data, job_name=f"clickdrop {job.idempotency_key}")
            except PrinterError as exc:
                message = _one_line(exc.message)
                if not nothing_printed(uri.language, data, exc.bytes_sent):
                    note = _one_line(
                        f"{message} ({exc.bytes_sent} of {len(data)} bytes had gone): it may "
                        "have printed; check the printer, then reprint it or mark it printed"
                    )
                    final = self._finish(job, PrintJobState.UNCERTAIN, note)
                    return JobResult(final, exc.bytes_sent, note)
                if not self._should_retry(exc, job):
                    final = self._finish(job, PrintJobState.FAILED, message)
                    return JobResult(final, exc.bytes_sent, message)
                delay = self.retry_policy.delay(job.attempts)
                self._finish(
                    job,
                    PrintJobState.QUEUED,
                    message,
                    "retry scheduled",
                    detail=f"{message}; next try in {delay:g} s",
                )
                self._sleep(delay)
                job, won = self._claim(job.id)
                if not won:
                    return self._not_claimed(job, job.id)  # cancelled or expired meanwhile
                continue
            return JobResult(self._finish(job, PrintJobState.SENT, None), len(data))

    @staticmethod
    def _not_claimed(job: PrintJob | None, job_id: int) -> JobResult:
        if job is None:
            raise PrintJobStateChanged(f"no print job {job_id}", job_state="missing")
        if job.state is PrintJobState.SENT:
            return JobResult(job)
        if job.state is PrintJobState.EXPIRED:
            return JobResult(
                job, error="the job waited too long and expired instead of printing late"
            )
        if job.state is PrintJobState.SENDING:
            return JobResult(job, error="another window or process is sending this job now")
        return JobResult(job, error=job.last_error or f"the job is {job.state.value}")

    def _should_retry(self, exc: PrinterError, job: PrintJob) -> bool:
        if not isinstance(exc, TRANSIENT_ERRORS) or not exc.retryable:
            return False
        if job.attempts >= self.retry_policy.attempts:
            return False
        return job.expires_at is None or job.expires_at > self._clock()
