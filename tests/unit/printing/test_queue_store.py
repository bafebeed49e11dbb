"""The store side of the print queue: schema 4 from a version-3 file, compare-and-set, history."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from clickdrop_desktop.store import OrderSource, PrintJobState, PrintJobStateChanged, Store
from clickdrop_desktop.store import orders as order_rows
from clickdrop_desktop.store.codec import dumps, now_db
from clickdrop_desktop.store.connection import connect
from clickdrop_desktop.store.migrations import LATEST_VERSION, migrate
from tests.helpers.order_factory import full_orders
from tests.helpers.print_fakes import open_store

V3_INSERT = (
    "INSERT INTO print_jobs (id, idempotency_key, order_identifier, document_type, printer_uri, "
    "copies, reprint, reprint_number, state, attempts, last_error, created_at, updated_at, "
    "expires_at) VALUES (?, ?, ?, 'postageLabel', 'zpl+tcp://p:9100', 1, ?, ?, ?, 1, ?, ?, ?, NULL)"
)


def _version3_store(path: Path, key: bytes) -> list[int]:
    """A store file as version 3 of the schema wrote it, with jobs in several states."""
    conn = connect(path, key)
    migrate(conn, target=3)
    orders = full_orders(2)
    now = now_db()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("account_id", "acct-v3"), ("created_at", now), ("cipher", dumps({"version": 1}))],
    )
    order_rows.upsert(conn, orders, source=OrderSource.FULL, now=now)
    first, second = (o.order_identifier for o in orders)
    rows = [
        (1, f"{first}/postageLabel", first, 0, 0, "sent", None, now, now),
        (2, f"{first}/postageLabel/reprint-1", first, 1, 1, "failed", "paper out", now, now),
        (3, f"{second}/postageLabel", second, 0, 0, "sending", None, now, now),
        (9, "gone", second, 1, 2, "cancelled", None, now, now),
    ]
    conn.executemany(V3_INSERT, rows)
    conn.execute("DELETE FROM print_jobs WHERE id = 9")  # its id must stay retired
    conn.execute("COMMIT")
    conn.close()
    return [first, second]


def test_schema_4_migrates_version_3_jobs_intact(tmp_path: Path) -> None:
    key = os.urandom(32)
    path = tmp_path / "store.db"
    first, second = _version3_store(path, key)
    with Store.open(path, key, account_id="acct-v3") as store:
        assert store.schema_version == LATEST_VERSION >= 4
        jobs = {job.id: job for job in store.print_jobs.list()}
        assert sorted(jobs) == [1, 2, 3]
        assert jobs[1].state is PrintJobState.SENT
        assert (jobs[2].state, jobs[2].last_error, jobs[2].reprint_number) == (
            PrintJobState.FAILED,
            "paper out",
            1,
        )
        assert jobs[3].state is PrintJobState.SENDING
        assert jobs[3].claimed_by is None
        assert store.print_jobs.events(1) == []  # no history was kept before version 4
        # The new state is allowed, and new ids continue after the retired one.
        moved = store.print_jobs.transition(
            3, PrintJobState.UNCERTAIN, expect=[PrintJobState.SENDING]
        )
        assert moved.state is PrintJobState.UNCERTAIN
        new = store.print_jobs.insert(first, "packingSlip", "zpl+tcp://p:9100")
        assert new.id == 10
        assert store.print_jobs.was_printed(first, "postageLabel")
        assert not store.print_jobs.was_printed(second, "postageLabel")


def test_transition_is_compare_and_set(tmp_path: Path) -> None:
    store, orders = open_store(tmp_path, 1)
    job = store.print_jobs.insert(orders[0].order_identifier, "postageLabel", "zpl+tcp://p:9100")
    with pytest.raises(PrintJobStateChanged, match="is queued, not sending") as info:
        store.print_jobs.transition(job.id, PrintJobState.SENT, expect=[PrintJobState.SENDING])
    assert info.value.job_state == "queued"
    assert store.print_jobs.get(job.id).state is PrintJobState.QUEUED  # type: ignore[union-attr]
    store.close()


def test_claim_expires_a_stale_job_instead(tmp_path: Path) -> None:
    store, orders = open_store(tmp_path, 1)
    now = datetime.now(UTC)
    job = store.print_jobs.insert(
        orders[0].order_identifier, "postageLabel", "p", expires_at=now + timedelta(minutes=1)
    )
    late = store.print_jobs.claim(job.id, now=now + timedelta(minutes=2), owner="w1")
    assert late.state is PrintJobState.EXPIRED
    assert late.attempts == 0
    store.close()


def test_history_keeps_who_did_what_and_when(tmp_path: Path) -> None:
    store, orders = open_store(tmp_path, 1)
    ident = orders[0].order_identifier
    job = store.print_jobs.insert(ident, "postageLabel", "p", requested_by="ann@bench (gui)")
    store.print_jobs.claim(job.id, owner="w1")
    store.print_jobs.transition(job.id, PrintJobState.SENT, expect=[PrintJobState.SENDING])
    reprint = store.print_jobs.insert(ident, "postageLabel", "p", reprint=True, requested_by="bo")
    events = store.print_jobs.events()
    assert [(e.job_id, e.action, e.actor) for e in events] == [
        (job.id, "queued", "ann@bench (gui)"),
        (job.id, "sending", "w1"),
        (job.id, "sent", None),
        (reprint.id, "reprint", "bo"),
    ]
    assert all(e.at.tzinfo is not None for e in events)
    assert [j.id for j in store.print_jobs.recent(1)] == [reprint.id]
    assert [j.id for j in store.print_jobs.for_order(ident, "postageLabel")] == [job.id, reprint.id]
    store.close()
