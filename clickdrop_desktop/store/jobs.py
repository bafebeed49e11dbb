"""The persistent print queue: one job per (order, document), reprints explicit, stale jobs expire."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from clickdrop_desktop.store.codec import from_db, from_db_required, now_db, to_db
from clickdrop_desktop.store.connection import Connection
from clickdrop_desktop.store.database import Database
from clickdrop_desktop.store.errors import DuplicatePrintJob, StoreError


class PrintJobState(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker; after a crash it may or may not have printed
    SENT = "sent"
    FAILED = "failed"
    EXPIRED = "expired"  # not sent before expires_at: labels must not pour out hours later
    CANCELLED = "cancelled"


_RETRYABLE = (PrintJobState.FAILED, PrintJobState.EXPIRED, PrintJobState.CANCELLED)
_COLUMNS = (
    "id, idempotency_key, order_identifier, document_type, printer_uri, copies, reprint, "
    "reprint_number, state, attempts, last_error, created_at, updated_at, expires_at"
)


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
    )


def _by_id(conn: Connection, job_id: int) -> PrintJob:
    row = conn.execute(f"SELECT {_COLUMNS} FROM print_jobs WHERE id = ?", (job_id,)).fetchone()
    if row is None:
        raise StoreError(f"no print job {job_id}")
    return _job(row)


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
    ) -> PrintJob:
        """Queue a print. Idempotent for a first print: the same (order, document) gives the
        same job (re-queued if it failed, expired or was cancelled); once sent, a second print
        raises `DuplicatePrintJob` unless `reprint=True`, which makes a new numbered job."""
        if copies < 1:
            raise StoreError("copies must be at least 1")
        now = now_db()
        with self._db.transaction() as conn:
            if reprint:
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
                    return self._existing(conn, _job(row), printer_uri, copies, expires_at, now)
            cursor = conn.execute(
                f"INSERT INTO print_jobs ({_COLUMNS}) "
                "VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?, ?)",
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
                ),
            )
            return _by_id(conn, int(cursor.lastrowid))

    def _existing(
        self,
        conn: Connection,
        job: PrintJob,
        printer_uri: str,
        copies: int,
        expires_at: datetime | None,
        now: str,
    ) -> PrintJob:
        if job.state in (PrintJobState.QUEUED, PrintJobState.SENDING):
            return job
        if job.state is PrintJobState.SENT:
            raise DuplicatePrintJob(
                f"order {job.order_identifier}'s {job.document_type} was already printed; "
                "use reprint to print it again",
                idempotency_key=job.idempotency_key,
            )
        conn.execute(
            "UPDATE print_jobs SET state = ?, printer_uri = ?, copies = ?, expires_at = ?, "
            "last_error = NULL, updated_at = ? WHERE id = ?",
            (PrintJobState.QUEUED.value, printer_uri, copies, to_db(expires_at), now, job.id),
        )
        return _by_id(conn, job.id)

    def claim_next(self, *, now: datetime | None = None) -> PrintJob | None:
        """Expire stale jobs, then move the oldest queued job to `sending` and return it."""
        moment = to_db(now or datetime.now(UTC))
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE print_jobs SET state = ?, updated_at = ? "
                "WHERE state = ? AND expires_at IS NOT NULL AND expires_at <= ?",
                (PrintJobState.EXPIRED.value, moment, PrintJobState.QUEUED.value, moment),
            )
            row = conn.execute(
                "SELECT id FROM print_jobs WHERE state = ? ORDER BY id LIMIT 1",
                (PrintJobState.QUEUED.value,),
            ).fetchone()
            if row is None:
                return None
            conn.execute(
                "UPDATE print_jobs SET state = ?, attempts = attempts + 1, updated_at = ? "
                "WHERE id = ?",
                (PrintJobState.SENDING.value, moment, int(row[0])),
            )
            return _by_id(conn, int(row[0]))

    def mark(self, job_id: int, state: PrintJobState, *, error: str | None = None) -> PrintJob:
        with self._db.transaction() as conn:
            _by_id(conn, job_id)
            conn.execute(
                "UPDATE print_jobs SET state = ?, last_error = ?, updated_at = ? WHERE id = ?",
                (PrintJobState(state).value, error, now_db(), job_id),
            )
            return _by_id(conn, job_id)

    def requeue(self, job_id: int) -> PrintJob:
        """Try a failed, expired or cancelled job again (same idempotency key)."""
        with self._db.transaction() as conn:
            job = _by_id(conn, job_id)
            if job.state not in _RETRYABLE:
                raise StoreError(f"print job {job_id} is {job.state.value}; it cannot be retried")
            conn.execute(
                "UPDATE print_jobs SET state = ?, expires_at = NULL, updated_at = ? WHERE id = ?",
                (PrintJobState.QUEUED.value, now_db(), job_id),
            )
            return _by_id(conn, job_id)

    def get(self, job_id: int) -> PrintJob | None:
        with self._db.read() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM print_jobs WHERE id = ?", (job_id,)
            ).fetchone()
        return None if row is None else _job(row)

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
