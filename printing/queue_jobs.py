"""The print queue's job state machine and persistence: life cycle, recovery, requests, claims."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clickdrop_desktop.closing import Closing
from clickdrop_desktop.listeners import Listeners
from clickdrop_desktop.store import (
    PrintJob,
    PrintJobEvent,
    PrintJobState,
    PrintJobStateChanged,
    Store,
)
from printing.queue_lease import WorkerLease
from printing.queue_send import JobSender, TransportFactory
from printing.queue_types import RetryPolicy, default_actor
from printing.uri import PrinterUri, coerce_uri

log = logging.getLogger(__name__)

DEFAULT_EXPIRY = timedelta(minutes=30)
CLAIM_SEPARATOR = "#"  # a job's `claimed_by` is "<worker lease id>#<claim number>"

Preparer = Callable[[PrintJob], bytes]
Listener = Callable[[PrintJob], None]


class QueueJobs(Closing):
    """The jobs side of `PrintQueue` (which documents the arguments): every state change a
    job goes through, recorded in the store and told to the listeners; the sending is
    `PrintQueue`'s."""

    def __init__(
        self,
        store: Store,
        *,
        expiry: timedelta | None = DEFAULT_EXPIRY,
        retry: RetryPolicy | None = None,
        actor: str | None = None,
        transport_factory: TransportFactory | None = None,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        lease_dir: Path | None = None,
        preflight: bool = True,
    ) -> None:
        self.store = store
        self.expiry = expiry
        self.retry_policy = retry or RetryPolicy()
        self.actor = actor or default_actor()
        self.sender = JobSender(transport_factory, preflight=preflight, monotonic=monotonic)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._sleep = sleep
        self.lease = WorkerLease(lease_dir or store.path.parent / "print-workers")
        self._listeners: Listeners[[PrintJob]] = Listeners(
            isolate="print queue listener failed"  # a broken view must never stop a print
        )
        self._lock = threading.Lock()
        self._claims = 0
        self.recovered = self.recover()

    # -- life cycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Release this worker's lease (jobs it left in `sending` become `uncertain` later)."""
        self.lease.release()

    def recover(self) -> list[PrintJob]:
        """Mark jobs left in `sending` by a dead worker `uncertain` (never resent blindly)."""
        found: list[PrintJob] = []
        for job in self.store.print_jobs.list([PrintJobState.SENDING], limit=100_000):
            lease_id = (job.claimed_by or "").partition(CLAIM_SEPARATOR)[0]
            if self.lease.is_alive(lease_id):
                continue
            try:
                moved = self.store.print_jobs.transition(
                    job.id,
                    PrintJobState.UNCERTAIN,
                    expect=[PrintJobState.SENDING],
                    action="interrupted",
                    actor=self.actor,
                    error="the app stopped while sending this job, so it may have printed: "
                    "check the printer, then reprint it or mark it printed",
                    now=self._clock(),
                )
            except PrintJobStateChanged:
                continue  # its worker finished it meanwhile
            found.append(moved)
            self._notify(moved)
        return found

    # -- listeners --------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(job)` after every change this queue makes; returns the remover.

        Called on the thread that made the change (a worker): a GUI must hop threads itself.
        """
        return self._listeners.add(listener)

    def _notify(self, job: PrintJob) -> None:
        self._listeners.tell(job)

    # -- requests (explicit user actions) ---------------------------------------------------

    def enqueue(
        self,
        order_identifier: int,
        document_type: str,
        printer_uri: PrinterUri | str,
        *,
        copies: int = 1,
        reprint: bool = False,
        actor: str | None = None,
    ) -> PrintJob:
        """Queue a print; the same (order, document) again gives the same job.

        Raises `DuplicatePrintJob` when it was printed already (a reprint must be asked for),
        `UncertainPrintJob` when its last send was interrupted, `PrinterUriError` for a bad URI.
        """
        job = self._insert(order_identifier, document_type, printer_uri, copies, reprint, actor)
        self._notify(job)
        return job

    def _insert(
        self,
        order_identifier: int,
        document_type: str,
        printer_uri: PrinterUri | str,
        copies: int,
        reprint: bool,
        actor: str | None,
    ) -> PrintJob:
        """The job row for a request (the same one again for the same order and document)."""
        return self.store.print_jobs.insert(
            order_identifier,
            document_type,
            str(coerce_uri(printer_uri)),
            copies=copies,
            reprint=reprint,
            expires_at=self._expires_at(),
            requested_by=actor or self.actor,
        )

    def retry(self, job_id: int, *, actor: str | None = None) -> PrintJob:
        """Queue a failed, expired, cancelled or uncertain job again (an explicit action)."""
        job = self.store.print_jobs.requeue(
            job_id, expires_at=self._expires_at(), actor=actor or self.actor
        )
        self._notify(job)
        return job

    def cancel(self, job_id: int, *, actor: str | None = None) -> PrintJob:
        """Cancel a job that has not been sent (queued, failed or uncertain)."""
        job = self.store.print_jobs.transition(
            job_id,
            PrintJobState.CANCELLED,
            expect=[PrintJobState.QUEUED, PrintJobState.FAILED, PrintJobState.UNCERTAIN],
            action="cancelled",
            actor=actor or self.actor,
            now=self._clock(),
        )
        self._notify(job)
        return job

    def confirm_printed(self, job_id: int, *, actor: str | None = None) -> PrintJob:
        """The user checked: an `uncertain` job did print. It becomes `sent`."""
        job = self.store.print_jobs.transition(
            job_id,
            PrintJobState.SENT,
            expect=[PrintJobState.UNCERTAIN],
            action="confirmed printed",
            actor=actor or self.actor,
            now=self._clock(),
        )
        self._notify(job)
        return job

    def expire_stale(self) -> list[PrintJob]:
        """Expire queued jobs past their time (also done before every claim)."""
        expired = self.store.print_jobs.expire_stale(now=self._clock())
        for job in expired:
            self._notify(job)
        return expired

    # -- reading ----------------------------------------------------------------------------

    def get(self, job_id: int) -> PrintJob | None:
        return self.store.print_jobs.get(job_id)

    def jobs(self, states: Iterable[PrintJobState] | None = None) -> list[PrintJob]:
        return self.store.print_jobs.list(states, limit=100_000)

    def recent(self, limit: int = 200) -> list[PrintJob]:
        return self.store.print_jobs.recent(limit)

    def history(self, job_id: int) -> list[PrintJobEvent]:
        return self.store.print_jobs.events(job_id)

    def counts(self) -> dict[PrintJobState, int]:
        return self.store.print_jobs.counts()

    def _note(self, job: PrintJob, message: str) -> PrintJob:
        """Keep a queued job queued, with why it is waiting."""
        return self._move(job, PrintJobState.QUEUED, message, [PrintJobState.QUEUED], "waiting")

    def _move(
        self,
        job: PrintJob,
        state: PrintJobState,
        error: str | None,
        expect: list[PrintJobState],
        action: str | None = None,
    ) -> PrintJob:
        try:
            moved = self.store.print_jobs.transition(
                job.id,
                state,
                expect=expect,
                action=action,
                actor=self.actor,
                error=error,
                now=self._clock(),
            )
        except PrintJobStateChanged:
            current = self.store.print_jobs.get(job.id)
            return current if current is not None else job
        self._notify(moved)
        return moved

    def _claim(self, job_id: int) -> tuple[PrintJob, bool]:
        """Try to take the job; True only if THIS call moved it to `sending` (another thread
        of this queue shares the lease, so each claim gets its own token)."""
        token = self._next_claim_token()
        job = self.store.print_jobs.claim(job_id, now=self._clock(), owner=token)
        won = job.state is PrintJobState.SENDING and job.claimed_by == token
        if won or job.state is PrintJobState.EXPIRED:
            self._notify(job)
        return job, won

    def _next_claim_token(self) -> str:
        with self._lock:
            self._claims += 1
            return f"{self.lease.id}{CLAIM_SEPARATOR}{self._claims}"

    def _finish(
        self,
        job: PrintJob,
        state: PrintJobState,
        error: str | None,
        action: str | None = None,
        *,
        detail: str | None = None,
    ) -> PrintJob:
        try:
            final = self.store.print_jobs.transition(
                job.id,
                state,
                expect=[PrintJobState.SENDING],
                action=action,
                actor=self.lease.id,
                error=error,
                detail=detail,
                now=self._clock(),
            )
        except PrintJobStateChanged:
            # Someone moved it while we held it (recovery by a confused peer); ours is the
            # truth about what happened on the wire, so record it and say so.
            log.warning("print job %s changed state while it was being sent", job.id)
            final = self.store.print_jobs.transition(
                job.id, state, expect=PrintJobState, action=action, error=error, now=self._clock()
            )
        self._notify(final)
        return final

    def _expires_at(self) -> datetime | None:
        return None if self.expiry is None else self._clock() + self.expiry
