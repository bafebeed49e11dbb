"""What a cache rebuild carries from the old file besides settings: cached labels and documents
(printing one again would make Click & Drop generate it again, which can be billed), the print
jobs with their history, and the order rows they belong to (their foreign key needs them).

Read row by row from the old file, so a damaged page loses only the rows on it: a row that
reads is authentic (SQLCipher authenticates every page it decrypts), and one that does not is
counted as lost. A page that fails its check leaves that connection failing every later read,
so the old file is opened afresh after each failure. Copied in batches, so memory stays
bounded however many labels are cached.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from clickdrop_desktop.store.connection import Connection, DatabaseError
from clickdrop_desktop.store.database import Database
from clickdrop_desktop.store.errors import StoreError
from clickdrop_desktop.store.jobs_schema import ACCOUNT_DOCUMENTS

_BATCH = 100  # orders per transaction of the new store: a few MB of labels at most
#: A read that fails, or an old file that no longer opens (StoreError) when opened again.
_FAILURES: tuple[type[Exception], ...] = (*DatabaseError, StoreError)
_TABLES = ("orders", "order_records", "documents", "print_jobs", "print_job_events")


@dataclass(slots=True)
class CarryReport:
    """Counts of what was carried and what could not be; None: the old list did not read."""

    documents: int = 0
    documents_lost: int | None = 0
    jobs: int = 0
    jobs_lost: int | None = 0


def _columns(conn: Connection, table: str) -> list[str]:
    # table_xinfo's `hidden` is 2 or 3 for generated columns: they cannot be inserted.
    rows = conn.execute(f"PRAGMA table_xinfo({table})").fetchall()
    return [str(r[1]) for r in rows if int(r[6]) == 0]


class _Old:
    """The old file's connection, opened again after a read that failed."""

    def __init__(self, open_old: Callable[[], Connection]) -> None:
        self._open = open_old
        self._conn: Connection | None = None

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]] | None:
        """The rows `sql` selects, or None when they do not read (a damaged page)."""
        try:
            if self._conn is None:
                self._conn = self._open()
            return [tuple(r) for r in self._conn.execute(sql, params).fetchall()]
        except _FAILURES:
            self.close()
            return None

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()


def _list(old: _Old, *queries: str) -> list[tuple[Any, ...]] | None:
    """The first of `queries` that reads in full (a table scan, then an index), else None."""
    for query in queries:
        rows = old.rows(query)
        if rows is not None:
            return rows
    return None


def _columns_of(old: _Old, table: str) -> list[str]:
    rows = old.rows(f"PRAGMA table_xinfo({table})")
    if rows is None:
        raise _Unreadable
    return [str(r[1]) for r in rows if int(r[6]) == 0]


class _Copier:
    def __init__(self, old: _Old, db: Database) -> None:
        self.old = old
        self.db = db
        with db.read() as conn:
            self.shared = {
                table: [c for c in _columns_of(old, table) if c in set(_columns(conn, table))]
                for table in _TABLES
            }

    def select(self, table: str, where: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        # Through an index first (orders by identifier, history by job); if that fails, the
        # table itself: a damaged index page would otherwise lose every row looked up by it
        # (all the labels, for the orders' unique index). Rowid lookups fail the same twice.
        columns = ", ".join(self.shared[table])
        for source in (table, f"{table} NOT INDEXED"):
            rows = self.old.rows(f"SELECT {columns} FROM {source} WHERE {where}", params)
            if rows is not None:
                return rows
        raise _Unreadable

    def insert(self, conn: Connection, table: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            names = self.shared[table]
            conn.executemany(
                f"INSERT OR IGNORE INTO {table} ({', '.join(names)}) "
                f"VALUES ({', '.join('?' * len(names))})",
                rows,
            )


class _Unreadable(Exception):
    """A row of the old file did not read."""


def _batches(items: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def copy(open_old: Callable[[], Connection], db: Database) -> CarryReport:
    """Copy documents, print jobs and their history (with their orders) from the old file
    (`open_old` opens it; raises if it does not open) into `db`.

    Best effort; never raises for the old file's damage (it is counted instead).
    """
    old = _Old(open_old)
    try:
        return _copy(old, db)
    finally:
        old.close()


def _copy(old: _Old, db: Database) -> CarryReport:
    report = CarryReport()
    try:
        copier = _Copier(old, db)
    except _Unreadable:  # not even the old schema reads
        return CarryReport(documents_lost=None, jobs_lost=None)
    documents = _list(
        old,
        "SELECT id, order_identifier FROM documents",
        "SELECT id, order_identifier FROM documents INDEXED BY sqlite_autoindex_documents_1",
    )
    jobs = _list(
        old,
        "SELECT id, order_identifier, document_type FROM print_jobs",
        "SELECT id, order_identifier, document_type FROM print_jobs INDEXED BY print_jobs_by_order",
    )
    if documents is None:
        report.documents_lost, documents = None, []
    if jobs is None:
        report.jobs_lost, jobs = None, []
    by_order: dict[int, tuple[list[int], list[int]]] = {}
    for doc_id, order in documents:
        by_order.setdefault(int(order), ([], []))[0].append(int(doc_id))
    account_jobs: list[int] = []
    for job_id, order, document_type in jobs:
        if document_type in ACCOUNT_DOCUMENTS:  # the manifest's jobs belong to no order
            account_jobs.append(int(job_id))
        else:
            by_order.setdefault(int(order), ([], []))[1].append(int(job_id))
    for batch in _batches(sorted(by_order)):
        _copy_orders(copier, batch, by_order, report)
    for batch in _batches(account_jobs):
        _copy_jobs(copier, batch, report)
    return report


def _copy_orders(
    copier: _Copier,
    batch: list[int],
    by_order: dict[int, tuple[list[int], list[int]]],
    report: CarryReport,
) -> None:
    with copier.db.transaction() as conn:
        for order in batch:
            doc_ids, job_ids = by_order[order]
            try:
                row = copier.select("orders", "order_identifier = ?", (order,))
                record = copier.select("order_records", "order_identifier = ?", (order,))
            except _Unreadable:
                row = record = []
            if not row or not record:  # no order to hang them on: all of its rows are lost
                _lose(report, len(doc_ids), len(job_ids))
                continue
            copier.insert(conn, "orders", row)
            copier.insert(conn, "order_records", record)
            for doc_id in doc_ids:
                try:
                    copier.insert(
                        conn, "documents", copier.select("documents", "id = ?", (doc_id,))
                    )
                    report.documents += 1
                except _Unreadable:
                    _lose(report, 1, 0)
            _copy_jobs_in(copier, conn, job_ids, report)


def _copy_jobs(copier: _Copier, job_ids: list[int], report: CarryReport) -> None:
    with copier.db.transaction() as conn:
        _copy_jobs_in(copier, conn, job_ids, report)


def _copy_jobs_in(
    copier: _Copier, conn: Connection, job_ids: list[int], report: CarryReport
) -> None:
    for job_id in job_ids:
        try:
            job = copier.select("print_jobs", "id = ?", (job_id,))
        except _Unreadable:
            _lose(report, 0, 1)
            continue
        copier.insert(conn, "print_jobs", job)
        report.jobs += 1
        try:  # the history is a bonus: a job without it still guards against a second print
            events = copier.select("print_job_events", "job_id = ?", (job_id,))
        except _Unreadable:
            continue
        copier.insert(conn, "print_job_events", events)


def _lose(report: CarryReport, documents: int, jobs: int) -> None:
    if report.documents_lost is not None:
        report.documents_lost += documents
    if report.jobs_lost is not None:
        report.jobs_lost += jobs


def carry_lines(labels: CarryReport | None) -> tuple[list[str], list[str], int | None]:
    """A rebuild report's (carried, not recoverable, labels lost) for what `copy` did; None:
    the old file did not open at all."""
    billed = "printing one fetches it again from Click & Drop, which may bill it"
    if labels is None:
        return [], [f"cached labels and print history (the old file does not open; {billed})"], None
    carried, missing = [], []
    if labels.documents:
        carried.append(f"{labels.documents} cached label(s)")
    if labels.jobs:
        carried.append(f"{labels.jobs} print job(s) with their history")
    if labels.documents_lost is None:
        missing.append(f"cached labels (their list does not read; {billed})")
    elif labels.documents_lost:
        missing.append(f"{labels.documents_lost} cached label(s) ({billed})")
    if labels.jobs_lost is None:
        missing.append("print history (its list does not read)")
    elif labels.jobs_lost:
        missing.append(f"{labels.jobs_lost} print job(s) of the history")
    return carried, missing, labels.documents_lost
