"""Making changes here: the cached order and the outbox op commit together, or not at all;
pending ops survive a lost store through the journal; resolution never drops work silently."""

from __future__ import annotations

import threading

import pytest

from clickdrop_desktop.api.models import OrderStatus
from clickdrop_desktop.outbox.changes import (
    ChangeRefused,
    cancel_order,
    mark_despatched,
    pending_order_ids,
    queue_new_orders,
)
from clickdrop_desktop.outbox.operations import DespatchOp, OpKind, decode
from clickdrop_desktop.outbox.resolve import (
    ConfirmationNeeded,
    discard,
    edit_create,
    edit_despatch,
    list_changes,
    retry,
)
from clickdrop_desktop.outbox.runner import ReplayRunner
from clickdrop_desktop.store import OutboxState, Store
from tests.unit.outbox.conftest import Bench
from tests.unit.outbox.test_replay import new_order, put_ids


def test_despatch_and_its_op_commit_together(bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    ident = bench.ids(OrderStatus.NEW, 1)[0]

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(bench.store.outbox, "enqueue", broken)
    with pytest.raises(OSError, match="disk full"):
        mark_despatched(bench.store, [str(ident)])
    stored = bench.store.get_order(ident)
    assert stored is not None
    assert stored.status is OrderStatus.NEW  # the optimistic change rolled back with it
    assert bench.store.outbox.list() == []


def test_unknown_orders_queue_nothing(bench: Bench) -> None:
    ident = bench.ids(OrderStatus.NEW, 1)[0]
    with pytest.raises(ChangeRefused, match="not in the cache"):
        mark_despatched(bench.store, [str(ident), "NO-SUCH-ORDER"])
    assert bench.store.outbox.list() == []


def test_despatch_twice_or_of_a_despatched_order_is_skipped_with_a_reason(bench: Bench) -> None:
    ident = bench.ids(OrderStatus.NEW, 1)[0]
    done = bench.ids(OrderStatus.DESPATCHED, 1)[0]
    first = mark_despatched(bench.store, [str(ident)], tracking_number=" RM1 ")
    second = mark_despatched(bench.store, [str(ident), str(done)])
    assert len(first.items) == 1
    assert second.items == ()
    reasons = dict(second.skipped)
    assert "already waiting" in reasons[str(ident)]
    assert "already despatched" in reasons[str(done)]
    op = decode(first.items[0])
    assert isinstance(op, DespatchOp)
    assert op.tracking_number == "RM1"
    assert pending_order_ids(bench.store) == {ident}


@pytest.mark.parametrize("bad", ["x" * 65, "RM\x00123"])
def test_bad_tracking_numbers_are_refused(bench: Bench, bad: str) -> None:
    ident = bench.ids(OrderStatus.NEW, 1)[0]
    with pytest.raises(ChangeRefused):
        mark_despatched(bench.store, [str(ident)], tracking_number=bad)


def test_the_journal_restores_pending_changes_into_a_rebuilt_store(bench: Bench) -> None:
    ident = bench.ids(OrderStatus.NEW, 1)[0]
    queued = mark_despatched(bench.store, [str(ident)])
    queue_new_orders(bench.store, [new_order("JOURNAL-1")])
    bench.store.close()
    bench.store = Store.rebuild(bench.path, bench.key, account_id="test-account")
    restored = {i.op_id: i for i in bench.store.outbox.list()}
    assert queued.items[0].op_id in restored
    assert {i.kind for i in restored.values()} == {"despatch", "create"}
    bench.sync()  # the cache refills from the API; the outbox replays as before
    report = bench.replayer().replay()
    assert report.complete, report.notes
    assert put_ids(bench) == [ident]


def test_new_order_references_are_unique_here(bench: Bench) -> None:
    existing = bench.store.query_orders(limit=1)[0].order_reference
    assert existing
    with pytest.raises(ChangeRefused, match="already used"):
        queue_new_orders(bench.store, [new_order(existing)])
    with pytest.raises(ChangeRefused, match="already used"):
        queue_new_orders(bench.store, [new_order("DUP-1"), new_order("dup-1")])
    assert bench.store.outbox.list() == []  # all or nothing
    assert bench.store.find_order("DUP-1") is None


def test_cancelling_an_order_with_a_label_is_refused(bench: Bench) -> None:
    printed = bench.ids(OrderStatus.PRINTED, 1)[0]
    with pytest.raises(ChangeRefused, match="label would become void"):
        cancel_order(bench.store, str(printed))


def test_discard_needs_confirmation_and_puts_the_order_back(bench: Bench) -> None:
    ident = bench.ids(OrderStatus.NEW, 1)[0]
    item = mark_despatched(bench.store, [str(ident)]).items[0]
    with pytest.raises(ConfirmationNeeded):
        discard(bench.store, item.op_id)
    assert bench.store.outbox.get(item.op_id).state is OutboxState.PENDING  # type: ignore[union-attr]
    discard(bench.store, item.op_id[:8], confirmed=True)  # a prefix, as the list shows it
    assert bench.store.outbox.unsynced_count() == 0
    stored = bench.store.get_order(ident)
    assert stored is not None
    assert stored.status is OrderStatus.NEW
    assert bench.replayer().replay().requests == 0


def test_a_conflict_is_retried_or_edited(bench: Bench) -> None:
    queue_new_orders(bench.store, [new_order("CLASH-1")])
    bench.sandbox.create_upstream(bench.account, new_order("CLASH-1").to_api())
    bench.replayer().replay()
    (entry,) = list_changes(bench.store)
    assert entry.needs_user
    assert entry.to_dict()["state"] == "conflict"
    retry(bench.store, entry.op_id)
    bench.replayer().replay()  # still taken upstream: a conflict again, never a duplicate
    (entry,) = list_changes(bench.store)
    assert entry.state is OutboxState.CONFLICT
    edited = edit_create(bench.store, entry.op_id, new_order("CLASH-1B"))
    assert bench.store.find_order("CLASH-1B") is not None
    report = bench.replayer().replay()
    assert report.complete
    assert bench.store.outbox.get(edited.op_id).state is OutboxState.DONE  # type: ignore[union-attr]
    with pytest.raises(ChangeRefused):
        retry(bench.store, edited.op_id)


def test_a_despatch_can_be_edited_with_another_tracking_number(bench: Bench) -> None:
    ident = bench.ids(OrderStatus.NEW, 1)[0]
    item = mark_despatched(bench.store, [str(ident)], tracking_number="OLD1").items[0]
    edited = edit_despatch(bench.store, item.op_id, "NEW1")
    assert [c.op_id for c in list_changes(bench.store)] == [edited.op_id]
    bench.replayer().replay()
    (put,) = bench.mutations("PUT")
    assert put["body"]["items"][0]["trackingNumber"] == "NEW1"


def test_the_runner_replays_when_connectivity_comes_back(bench: Bench) -> None:
    ids = bench.ids(OrderStatus.NEW, 2)
    mark_despatched(bench.store, [str(i) for i in ids])
    fault = bench.sandbox.set_fault("maintenance")
    reports = []
    runner = ReplayRunner(bench.replayer(), bench.connectivity, on_report=reports.append)
    runner.start()
    try:
        runner.run_now()  # offline: the client's 503 turns connectivity offline
        assert bench.connectivity.state.value == "offline"
        assert put_ids(bench) == []
        bench.sandbox.clear_fault(fault)
        bench.client.version()  # the probe answers: online again -> replay on a worker
        assert runner.wait_idle(timeout=30)
    finally:
        runner.stop()
    assert sorted(put_ids(bench)) == sorted(ids)
    assert reports[-1].complete


def test_the_runner_pauses_on_auth_errors(bench: Bench) -> None:
    calls = threading.Event()

    class Refusing:
        def replay_settled(self, **_kw: object) -> object:
            from clickdrop_desktop.outbox.report import ReplayReport, StopReason

            calls.set()
            return ReplayReport(stopped=StopReason.AUTH, stop_message="key refused")

    runner = ReplayRunner(Refusing(), bench.connectivity, submit=lambda work: work())  # type: ignore[arg-type]
    runner.trigger()
    assert calls.is_set()
    assert runner.paused
    calls.clear()
    runner.trigger()
    assert not calls.is_set()  # paused: automatic triggers ignored
    runner.resume()
    assert calls.is_set()


def test_op_kinds_are_listed_by_name(bench: Bench) -> None:
    ident = bench.ids(OrderStatus.NEW, 1)[0]
    mark_despatched(bench.store, [str(ident)], tracking_number="RM9")
    queue_new_orders(bench.store, [new_order("LIST-1")])
    whats = [c.what for c in list_changes(bench.store)]
    assert whats[0].startswith("despatch order")
    assert "RM9" in whats[0]
    assert whats[1] == "new order 'LIST-1'"
    assert {c.kind for c in list_changes(bench.store)} == {OpKind.DESPATCH, OpKind.CREATE}
