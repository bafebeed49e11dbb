"""Schema 5: print jobs of account documents (the manifest) beside order jobs, whose jobs still
follow their order (deleted with it) as the foreign key did; version-4 jobs and history intact."""

from __future__ import annotations

import os
from pathlib import Path

from clickdrop_desktop.store import OrderSource, PrintJobState, Store
from clickdrop_desktop.store import orders as order_rows
from clickdrop_desktop.store.codec import dumps, now_db
from clickdrop_desktop.store.connection import connect
from clickdrop_desktop.store.migrations import LATEST_VERSION, migrate
from tests.helpers.order_factory import full_orders


def _version4_store(path: Path, key: bytes) -> list[int]:
    """A store as schema 4 wrote it: two orders, jobs with history, one id retired."""
    conn = connect(path, key)
    migrate(conn, target=4)
    orders = full_orders(2)
    now = now_db()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("account_id", "acct-v4"), ("created_at", now), ("cipher", dumps({"version": 1}))],
    )
    order_rows.upsert(conn, orders, source=OrderSource.FULL, now=now)
    first, second = (o.order_identifier for o in orders)
    conn.executemany(
        "INSERT INTO print_jobs (id, idempotency_key, order_identifier, document_type, "
        "printer_uri, state, created_at, updated_at, requested_by) "
        "VALUES (?, ?, ?, 'postageLabel', 'zpl+tcp://p:9100', ?, ?, ?, 'ann@bench')",
        [
            (1, f"{first}/postageLabel", first, "sent", now, now),
            (2, f"{second}/postageLabel", second, "failed", now, now),
            (7, "retired", second, "cancelled", now, now),
        ],
    )
    conn.executemany(
        "INSERT INTO print_job_events (job_id, at, action, state, actor) VALUES (?, ?, ?, ?, ?)",
        [(1, now, "queued", "queued", "ann"), (1, now, "sent", "sent", "w1"), (2, now, "x", "failed", None)],
    )  # fmt: skip
    conn.execute("DELETE FROM print_jobs WHERE id = 7")
    conn.execute("COMMIT")
    conn.close()
    return [first, second]


def test_version_4_jobs_and_history_survive_and_manifest_jobs_need_no_order(
    tmp_path: Path,
) -> None:
    key = os.urandom(32)
    path = tmp_path / "store.db"
    first, second = _version4_store(path, key)
    with Store.open(path, key, account_id="acct-v4") as store:
        assert store.schema_version == LATEST_VERSION >= 5
        jobs = {job.id: job for job in store.print_jobs.list()}
        assert sorted(jobs) == [1, 2]
        assert jobs[1].requested_by == "ann@bench"
        assert [e.action for e in store.print_jobs.events(1)] == ["queued", "sent"]
        # Manifest 41 is no order of this account: its job is allowed all the same.
        manifest = store.print_jobs.insert(41, "manifest", "pdf+spool://Office?media=a4")
        assert manifest.id == 8  # after the retired id
        assert manifest.idempotency_key == "41/manifest"
        # An order's jobs (and their history) still go with the order; the manifest's stay.
        store.print_jobs.insert(second, "manifest", "pdf+spool://Office?media=a4")
        with store._db.transaction() as conn:  # as retention purges
            conn.execute("DELETE FROM orders WHERE order_identifier = ?", (first,))
        left = {(job.order_identifier, job.document_type) for job in store.print_jobs.list()}
        assert left == {(second, "postageLabel"), (41, "manifest"), (second, "manifest")}
        assert store.print_jobs.events(1) == []
        assert store.print_jobs.get(2).state is PrintJobState.FAILED  # type: ignore[union-attr]
        store.verify()
