"""The persistent print queue: one job per (order, document), reprints explicit, stale jobs expire.

Every change of a job's state is also written to `print_job_events` (who, when, what), so a
reprint, a retry or a cancel is an explicit action on record. State changes that race with
another worker (two windows, a CLI beside the GUI) are compare-and-set: `transition()` names
the states it expects and fails if the job has moved on.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clickdrop_desktop.store.codec import from_db, from_db_required, now_db, to_db
from clickdrop_desktop.store.connection import Connection
from clickdrop_desktop.store.database import Database
from clickdrop_desktop.store.errors import (
    DuplicatePrintJob,
    PrintJobStateChanged,
    StoreError,
    UncertainPrintJob,
)


class PrintJobState(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker; after a crash it may or may not have printed
    SENT = "sent"
    FAILED = "failed"
    EXPIRED = "expired"  # not sent before expires_at: labels must not pour out hours later
    CANCELLED = "cancelled"
    # Found in `sending` after its worker died (kill -9, power cut): part or all of it may have
    # reached the printer. Never resent on its own; the user says "it printed" or "send again".
    UNCERTAIN = "uncertain"


ACTIVE_STATES = (PrintJobState.QUEUED, PrintJobState.SENDING)
_RETRYABLE = (
    PrintJobState.FAILED,
    PrintJobState.EXPIRED,
    PrintJobState.CANCELLED,
    PrintJobState.UNCERTAIN,
)
_COLUMNS = (
    "id, idempotency_key, order_identifier, document_type, printer_uri, copies, reprint, "
    "reprint_number, state, attempts, last_error, created_at, updated_at, expires_at, "
    "requested_by, claimed_by"
)
_UNSET: Any = object()


def _moment(now: datetime | None) -> str:
    if now is None:
        return now_db()
    text = to_db(now)
    assert text is not None  # to_db maps only None to None
    return text


@dataclass(frozen=True, slots=True)
class PrintJob:
    id: int
    idempotency_key: str
    order_identifier: int
    document_type: str
    printer_uri: str
    copies: int
    reprint: bool
    reprint_number: int  # 0 for the first print, n for the n-th reprint
    state: PrintJobState
    attempts: int
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None
    requested_by: str | None = None  # who asked for it ("alice@bench-1 (scan)")
    claimed_by: str | None = None  # the worker that moved it to `sending`


@dataclass(frozen=True, slots=True)
class PrintJobEvent:
    """One line of a job's history: what happened, when, and on whose action."""

    id: int
    job_id: int
    at: datetime
    action: str  # queued, reprint, requeued, sending, sent, failed, retry, expired, ...
    state: PrintJobState
    actor: str | None
    detail: str | None


def idempotency_key(order_identifier: int, document_type: str, reprint_number: int = 0) -> str:
    """`<order>/<document>` for the first print, `<order>/<document>/reprint-<n>` after."""
    base = f"{order_identifier}/{document_type}"
    return base if reprint_number == 0 else f"{base}/reprint-{reprint_number}"


def _job(row: Any) -> PrintJob:
    return PrintJob(
        id=int(row[0]),
        idempotency_key=row[1],
        order_identifier=int(row[2]),
        document_type=row[3],
        printer_uri=row[4],
        copies=int(row[5]),
        reprint=bool(row[6]),
        reprint_number=int(row[7]),
        state=PrintJobState(row[8]),
        attempts=int(row[9]),
        last_error=row[10],
        created_at=from_db_required(row[11]),
        updated_at=from_db_required(row[12]),
        expires_at=from_db(row[13]),
        requested_by=row[14],
        claimed_by=row[15],
    )


def _by_id(conn: Connection, job_id: int) -> PrintJob:
    row = conn.execute(f"SELECT {_COLUMNS} FROM print_jobs WHERE id = ?", (job_id,)).fetchone()
    if row is None:
        raise StoreError(f"no print job {job_id}")
    return _job(row)


def _log(
    conn: Connection,
    job_id: int,
    action: str,
    state: PrintJobState,
    *,
    at: str,
    actor: str | None = None,
    detail: str | None = None,
) -> None:
    conn.execute(
        "INSERT INTO print_job_events (job_id, at, action, state, actor, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (job_id, at, action, PrintJobState(state).value, actor, detail),
    )


class PrintJobs:
    def __init__(self, db: Database) -> None:
        self._db = db

    def insert(
        self,
        order_identifier: int,
        document_type: str,
        printer_uri: str,
        *,
        copies: int = 1,
        reprint: bool = False,
        expires_at: datetime | None = None,
        requested_by: str | None = None,
    ) -> PrintJob:
        """Queue a print. Idempotent for a first print: the same (order, document) gives the
        same job (re-queued if it failed, expired or was cancelled); once sent, a second print
        raises `DuplicatePrintJob` unless `reprint=True`, which makes a new numbered job.

        A job whose send was interrupted (`uncertain`) raises `UncertainPrintJob` for a first
        print; `reprint=True` sends that same job again. While a job of this (order, document)
        is queued or sending, a reprint returns it instead of stacking a second one.
        """
        if copies < 1:
            raise StoreError("copies must be at least 1")
        now = now_db()
        with self._db.transaction() as conn:
            if reprint:
                pending = conn.execute(
                    f"SELECT {_COLUMNS} FROM print_jobs WHERE order_identifier = ? "
                    "AND document_type = ? AND state IN (?, ?, ?) ORDER BY id DESC LIMIT 1",
                    (
                        order_identifier,
                        document_type,
                        PrintJobState.QUEUED.value,
                        PrintJobState.SENDING.value,
                        PrintJobState.UNCERTAIN.value,
                    ),
                ).fetchone()
                if pending is not None:
                    job = _job(pending)
                    if job.state is not PrintJobState.UNCERTAIN:
                        return job
                    return self._requeue_in(
                        conn, job, printer_uri, copies, expires_at, now, requested_by, "resend"
                    )
                last = conn.execute(
                    "SELECT coalesce(max(reprint_number), 0) FROM print_jobs "
                    "WHERE order_identifier = ? AND document_type = ?",
                    (order_identifier, document_type),
                ).fetchone()[0]
                number = int(last) + 1
            else:
                number = 0
                key = idempotency_key(order_identifier, document_type)
                row = conn.execute(
                    f"SELECT {_COLUMNS} FROM print_jobs WHERE idempotency_key = ?", (key,)
                ).fetchone()
                if row is not None:
                    return self._existing(
                        conn, _job(row), printer_uri, copies, expires_at, now, requested_by
                    )
            cursor = conn.execute(
                f"INSERT INTO print_jobs ({_COLUMNS}) "
                "VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?, ?, ?, NULL)",
                (
                    idempotency_key(order_identifier, document_type, number),
                    order_identifier,
                    document_type,
                    printer_uri,
                    copies,
                    int(reprint),
                    number,
                    PrintJobState.QUEUED.value,
                    now,
                    now,
                    to_db(expires_at),
                    requested_by,
                ),
            )
            job_id = int(cursor.lastrowid)
            _log(
                conn,
                job_id,
                "reprint" if reprint else "queued",
                PrintJobState.QUEUED,
                at=now,
                actor=requested_by,
                detail=f"{copies} cop{'y' if copies == 1 else 'ies'} to {printer_uri}",
            )
            return _by_id(conn, job_id)

    def _existing(
        self,
        conn: Connection,
        job: PrintJob,
        printer_uri: str,
        copies: int,
        expires_at: datetime | None,
        now: str,
        requested_by: str | None,
    ) -> PrintJob:
        if job.state is PrintJobState.SENDING:
            return job
        if job.state is PrintJobState.QUEUED:
            if (job.printer_uri, job.copies) == (printer_uri, copies):
                return job
            # Not sent yet and asked for again differently: the latest request wins.
            return self._requeue_in(
                conn, job, printer_uri, copies, expires_at, now, requested_by, "changed"
            )
        if job.state is PrintJobState.SENT:
            raise DuplicatePrintJob(
                f"order {job.order_identifier}'s {job.document_type} was already printed; "
                "use reprint to print it again",
                idempotency_key=job.idempotency_key,
            )
        if job.state is PrintJobState.UNCERTAIN:
            raise UncertainPrintJob(
                f"order {job.order_identifier}'s {job.document_type} may already have printed "
                "(the app stopped while sending it); check the printer, then reprint if it "
                "did not come out",
                idempotency_key=job.idempotency_key,
            )
        return self._requeue_in(
            conn, job, printer_uri, copies, expires_at, now, requested_by, "requeued"
        )

    @staticmethod
    def _requeue_in(
        conn: Connection,
        job: PrintJob,
        printer_uri: str,
        copies: int,
        expires_at: datetime | None,
        now: str,
        actor: str | None,
        action: str,
    ) -> PrintJob:
        conn.execute(
            "UPDATE print_jobs SET state = ?, printer_uri = ?, copies = ?, expires_at = ?, "
            "last_error = NULL, claimed_by = NULL, updated_at = ? WHERE id = ?",
            (PrintJobState.QUEUED.value, printer_uri, copies, to_db(expires_at), now, job.id),
        )
        _log(
            conn,
            job.id,
            action,
            PrintJobState.QUEUED,
            at=now,
            actor=actor,
            detail=f"was {job.state.value}; {copies} cop{'y' if copies == 1 else 'ies'} "
            f"to {printer_uri}",
        )
        return _by_id(conn, job.id)

    def _expire(self, conn: Connection, moment: str, job_id: int | None = None) -> list[PrintJob]:
        query = (
            f"SELECT {_COLUMNS} FROM print_jobs WHERE state = ? AND expires_at IS NOT NULL "
            "AND expires_at <= ?"
        )
        params: tuple[Any, ...] = (PrintJobState.QUEUED.value, moment)
        if job_id is not None:
            query += " AND id = ?"
            params += (job_id,)
        stale = [_job(row) for row in conn.execute(query, params).fetchall()]
        for job in stale:
            conn.execute(
                "UPDATE print_jobs SET state = ?, updated_at = ? WHERE id = ?",
                (PrintJobState.EXPIRED.value, moment, job.id),
            )
            _log(
                conn,
                job.id,
                "expired",
                PrintJobState.EXPIRED,
                at=moment,
                detail="not sent before it expired",
            )
        return [_by_id(conn, job.id) for job in stale]

    def expire_stale(self, *, now: datetime | None = None) -> list[PrintJob]:
        """Expire every queued job past its `expires_at`; returns them."""
        moment = _moment(now)
        with self._db.transaction() as conn:
            return self._expire(conn, moment)

    def claim_next(
        self, *, now: datetime | None = None, owner: str | None = None
    ) -> PrintJob | None:
        """Expire stale jobs, then move the oldest queued job to `sending` and return it."""
        moment = _moment(now)
        with self._db.transaction() as conn:
            self._expire(conn, moment)
            row = conn.execute(
                "SELECT id FROM print_jobs WHERE state = ? ORDER BY id LIMIT 1",
                (PrintJobState.QUEUED.value,),
            ).fetchone()
            if row is None:
                return None
            return self._claim_in(conn, int(row[0]), moment, owner)

    def claim(
        self, job_id: int, *, now: datetime | None = None, owner: str | None = None
    ) -> PrintJob:
        """Move this job from `queued` to `sending` (expiring it instead if stale).

        Returns the job as it now is: `sending` when this caller won it; any other state means
        it was not claimable (expired now, or already taken, sent or cancelled elsewhere).
        """
        moment = _moment(now)
        with self._db.transaction() as conn:
            self._expire(conn, moment, job_id)
            job = _by_id(conn, job_id)
            if job.state is not PrintJobState.QUEUED:
                return job
            return self._claim_in(conn, job_id, moment, owner)

    @staticmethod
    def _claim_in(conn: Connection, job_id: int, moment: str, owner: str | None) -> PrintJob:
        conn.execute(
            "UPDATE print_jobs SET state = ?, attempts = attempts + 1, claimed_by = ?, "
            "updated_at = ? WHERE id = ?",
            (PrintJobState.SENDING.value, owner, moment, job_id),
        )
        _log(conn, job_id, "sending", PrintJobState.SENDING, at=moment, actor=owner)
        return _by_id(conn, job_id)

    def transition(
        self,
        job_id: int,
        state: PrintJobState,
        *,
        expect: Iterable[PrintJobState],
        action: str | None = None,
        actor: str | None = None,
        error: str | None = None,
        detail: str | None = None,
        expires_at: datetime | None = _UNSET,
        now: datetime | None = None,
    ) -> PrintJob:
        """Compare-and-set: move the job to `state` only if it is in one of `expect`.

        Raises `PrintJobStateChanged` (carrying the job as it is) otherwise. `error` replaces
        `last_error` (None clears it); `expires_at`, when given, replaces the expiry.
        """
        moment = _moment(now)
        wanted = {PrintJobState(s) for s in expect}
        target = PrintJobState(state)
        with self._db.transaction() as conn:
            job = _by_id(conn, job_id)
            if job.state not in wanted:
                raise PrintJobStateChanged(
                    f"print job {job_id} is {job.state.value}, not "
                    f"{' or '.join(sorted(s.value for s in wanted))}",
                    job_state=job.state.value,
                )
            sets = ["state = ?", "last_error = ?", "updated_at = ?"]
            params: list[Any] = [target.value, error, moment]
            if expires_at is not _UNSET:
                sets.append("expires_at = ?")
                params.append(to_db(expires_at))
            if target is not PrintJobState.SENDING:
                sets.append("claimed_by = NULL")
            conn.execute(f"UPDATE print_jobs SET {', '.join(sets)} WHERE id = ?", (*params, job_id))
            _log(
                conn,
                job_id,
                action or target.value,
                target,
                at=moment,
                actor=actor,
                detail=detail if detail is not None else error,
            )
            return _by_id(conn, job_id)

    def mark(self, job_id: int, state: PrintJobState, *, error: str | None = None) -> PrintJob:
        """Set the state whatever it was (prefer `transition`, which cannot undo a race)."""
        return self.transition(job_id, state, expect=PrintJobState, error=error)

    def requeue(
        self, job_id: int, *, expires_at: datetime | None = None, actor: str | None = None
    ) -> PrintJob:
        """Try a failed, expired, cancelled or uncertain job again (same idempotency key)."""
        job = self.get(job_id)
        if job is None:
            raise StoreError(f"no print job {job_id}")
        if job.state not in _RETRYABLE:
            raise StoreError(f"print job {job_id} is {job.state.value}; it cannot be retried")
        return self.transition(
            job_id,
            PrintJobState.QUEUED,
            expect=_RETRYABLE,
            action="retry",
            actor=actor,
            detail=f"was {job.state.value}",
            expires_at=expires_at,
        )

    def log(
        self, job_id: int, action: str, *, actor: str | None = None, detail: str | None = None
    ) -> None:
        """Record an event that does not change the state (e.g. a retry after a busy printer)."""
        with self._db.transaction() as conn:
            job = _by_id(conn, job_id)
            _log(conn, job_id, action, job.state, at=now_db(), actor=actor, detail=detail)

    def events(self, job_id: int | None = None, *, limit: int = 1000) -> list[PrintJobEvent]:
        """A job's history, oldest first (or the latest `limit` events of every job)."""
        with self._db.read() as conn:
            if job_id is None:
                rows = conn.execute(
                    "SELECT id, job_id, at, action, state, actor, detail FROM print_job_events "
                    "ORDER BY id DESC LIMIT ?",
                    (limit,),
                ).fetchall()[::-1]
            else:
                rows = conn.execute(
                    "SELECT id, job_id, at, action, state, actor, detail FROM print_job_events "
                    "WHERE job_id = ? ORDER BY id LIMIT ?",
                    (job_id, limit),
                ).fetchall()
        return [
            PrintJobEvent(
                int(r[0]), int(r[1]), from_db_required(r[2]), r[3], PrintJobState(r[4]), r[5], r[6]
            )
            for r in rows
        ]

    def get(self, job_id: int) -> PrintJob | None:
        with self._db.read() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM print_jobs WHERE id = ?", (job_id,)
            ).fetchone()
        return None if row is None else _job(row)

    def for_order(self, order_identifier: int, document_type: str | None = None) -> list[PrintJob]:
        """Every job of an order (optionally of one document), oldest first."""
        with self._db.read() as conn:
            if document_type is None:
                rows = conn.execute(
                    f"SELECT {_COLUMNS} FROM print_jobs WHERE order_identifier = ? ORDER BY id",
                    (order_identifier,),
                ).fetchall()
            else:
                rows = conn.execute(
                    f"SELECT {_COLUMNS} FROM print_jobs WHERE order_identifier = ? "
                    "AND document_type = ? ORDER BY id",
                    (order_identifier, document_type),
                ).fetchall()
        return [_job(row) for row in rows]

    def recent(self, limit: int = 200) -> list[PrintJob]:
        """The newest `limit` jobs, newest first (the queue panel)."""
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM print_jobs ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [_job(row) for row in rows]

    def list(
        self, states: Iterable[PrintJobState] | None = None, *, limit: int = 1000
    ) -> list[PrintJob]:
        wanted = tuple(PrintJobState(s).value for s in states) if states is not None else None
        with self._db.read() as conn:
            if wanted is None:
                rows = conn.execute(
                    f"SELECT {_COLUMNS} FROM print_jobs ORDER BY id LIMIT ?", (limit,)
                ).fetchall()
            elif not wanted:
                rows = []
            else:
                rows = conn.execute(
                    f"SELECT {_COLUMNS} FROM print_jobs WHERE state IN "
                    f"({', '.join('?' * len(wanted))}) ORDER BY id LIMIT ?",
                    (*wanted, limit),
                ).fetchall()
        return [_job(row) for row in rows]

    def counts(self) -> dict[PrintJobState, int]:
        with self._db.read() as conn:
            rows = conn.execute("SELECT state, count(*) FROM print_jobs GROUP BY state").fetchall()
        counts = dict.fromkeys(PrintJobState, 0)
        counts.update({PrintJobState(r[0]): int(r[1]) for r in rows})
        return counts

    def was_printed(self, order_identifier: int, document_type: str) -> bool:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT 1 FROM print_jobs WHERE order_identifier = ? AND document_type = ? "
                "AND state = ? LIMIT 1",
                (order_identifier, document_type, PrintJobState.SENT.value),
            ).fetchone()
        return row is not None
