"""The replay engine against the sandbox: in order, batched, exactly once, conflicts kept."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from clickdrop_desktop.api.models import OrderStatus
from clickdrop_desktop.api.requests import (
    AddressRequest,
    CreateOrderRequest,
    PackageFormat,
    RecipientDetailsRequest,
    ShipmentPackageRequest,
)
from clickdrop_desktop.outbox.changes import cancel_order, mark_despatched, queue_new_orders
from clickdrop_desktop.outbox.report import StopReason
from clickdrop_desktop.store import OutboxState
from tests.unit.outbox.conftest import Bench


def new_order(ref: str) -> CreateOrderRequest:
    return CreateOrderRequest(
        order_reference=ref,
        recipient=RecipientDetailsRequest(
            address=AddressRequest(
                full_name="Ada Lovelace",
                address_line1="12 St James's Square",
                city="London",
                postcode="SW1Y 4LB",
                country_code="GB",
            )
        ),
        order_date=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        subtotal=Decimal("10.00"),
        shipping_cost_charged=Decimal("2.50"),
        total=Decimal("12.50"),
        packages=(
            ShipmentPackageRequest(
                weight_in_grams=500, package_format_identifier=PackageFormat.PARCEL
            ),
        ),
    )


def put_ids(bench: Bench) -> list[int | str]:
    """Every order named by an applied PUT /orders/status, in log order."""
    named: list[int | str] = []
    for entry in bench.mutations("PUT"):
        if entry["status"] == 200 and entry["fault"] in (None, "drop"):
            for item in entry["body"]["items"]:
                named.append(item.get("orderIdentifier") or item.get("orderReference"))
    return named


def posted_refs(bench: Bench) -> list[str]:
    return [
        item["orderReference"]
        for entry in bench.mutations("POST")
        if entry["path"].endswith("/orders") and entry["status"] == 200
        for item in entry["body"]["items"]
    ]


def states(bench: Bench) -> dict[str, OutboxState]:
    return {item.op_id: item.state for item in bench.store.outbox.list()}


def test_despatch_is_sent_once_and_the_cache_shows_it(bench: Bench) -> None:
    ids = bench.ids(OrderStatus.NEW, 3)
    queued = mark_despatched(bench.store, [str(i) for i in ids], tracking_number=None)
    assert len(queued.items) == 3
    for ident in ids:  # optimistic: shown despatched before anything is sent
        stored = bench.store.get_order(ident)
        assert stored is not None
        assert stored.status is OrderStatus.DESPATCHED
    report = bench.replayer().replay()
    assert report.complete
    assert sorted(report.done) == sorted(i.op_id for i in queued.items)
    assert report.requests == 1
    assert sorted(put_ids(bench)) == sorted(ids)
    for ident in ids:
        assert bench.sandbox.order_state(bench.account, ident)["order"]["shippedOn"]
    again = bench.replayer().replay()  # nothing left: nothing sent
    assert again.requests == 0
    assert len(bench.mutations()) == 1


@pytest.mark.sandbox(orders=600)
def test_status_updates_go_100_per_request(bench: Bench) -> None:
    ids = bench.ids(OrderStatus.NEW, 80) + bench.ids(OrderStatus.PRINTED, 70)
    mark_despatched(bench.store, [str(i) for i in ids])
    report = bench.replayer().replay()
    assert report.complete
    puts = bench.mutations("PUT")
    assert [len(p["body"]["items"]) for p in puts] == [100, 50]
    assert sorted(put_ids(bench)) == sorted(ids)


def test_maintenance_stops_the_replay_and_loses_nothing(bench: Bench) -> None:
    ids = bench.ids(OrderStatus.NEW, 4)
    mark_despatched(bench.store, [str(i) for i in ids])
    fault = bench.sandbox.set_fault("maintenance")
    report = bench.replayer().replay()
    assert report.stopped is StopReason.OFFLINE
    assert report.offline
    assert report.waiting == 4
    assert put_ids(bench) == []
    bench.sandbox.clear_fault(fault)
    report = bench.replayer().replay()
    assert report.complete
    assert sorted(put_ids(bench)) == sorted(ids)


def test_a_dropped_answer_is_reconciled_not_resent(bench: Bench) -> None:
    ids = bench.ids(OrderStatus.NEW, 2)
    mark_despatched(bench.store, [str(i) for i in ids])
    bench.sandbox.set_fault("drop", when="after", path="/orders/status", count=1)
    report = bench.replayer().replay()
    assert report.stopped is StopReason.OFFLINE
    assert {i.state for i in bench.store.outbox.list()} == {OutboxState.SENDING}
    report = bench.replayer().replay()  # reads the orders back: applied, so done
    assert report.complete
    assert report.requests == 0
    assert sorted(put_ids(bench)) == sorted(ids)  # the one PUT, applied once


def test_an_op_left_sending_moments_ago_is_left_to_settle(bench: Bench) -> None:
    ids = bench.ids(OrderStatus.NEW, 1)
    mark_despatched(bench.store, [str(ids[0])])
    bench.sandbox.set_fault("drop", when="after", path="/orders/status", count=1)
    bench.replayer(settle_s=30).replay()
    report = bench.replayer(settle_s=30).replay()
    assert report.settling == 1
    assert report.requests == 0
    bench.later(31)
    report = bench.replayer(settle_s=30).replay()
    assert report.complete
    assert put_ids(bench) == ids


def test_a_5xx_on_the_update_is_checked_before_sending_again(bench: Bench) -> None:
    ids = bench.ids(OrderStatus.NEW, 2)
    mark_despatched(bench.store, [str(i) for i in ids])
    bench.sandbox.set_fault("error_500", path="/orders/status", count=1)
    first = bench.replayer().replay()
    assert first.stopped is StopReason.OFFLINE
    second = bench.replayer().replay()
    assert second.complete
    assert sorted(put_ids(bench)) == sorted(ids)  # the 500 applied nothing; one applied PUT


def test_creates_then_a_despatch_by_reference_in_order(bench: Bench) -> None:
    items = queue_new_orders(bench.store, [new_order("SHOP-1"), new_order("SHOP-2")])
    local = [i.order_identifier for i in items]
    assert all(ident is not None and ident < 0 for ident in local)
    stand_in = bench.store.find_order("SHOP-1")
    assert stand_in is not None
    assert stand_in.order_identifier < 0
    despatch = mark_despatched(bench.store, ["SHOP-1"], tracking_number="RM123456785GB")
    assert despatch.items[0].order_identifier is None  # only known by reference until created
    report = bench.replayer().replay()
    assert report.complete, report.notes
    assert posted_refs(bench) == ["SHOP-1", "SHOP-2"]
    assert put_ids(bench) == ["SHOP-1"]
    real = bench.store.find_order("SHOP-1")
    assert real is not None
    assert real.order_identifier > 0
    assert real.status is OrderStatus.DESPATCHED
    assert all(bench.store.get_order(ident) is None for ident in local if ident is not None)
    upstream = bench.sandbox.order_state(bench.account, real.order_identifier)
    assert upstream["order"]["orderReference"] == "SHOP-1"


def test_a_create_whose_answer_was_lost_is_found_by_reference(bench: Bench) -> None:
    queue_new_orders(bench.store, [new_order("LOST-1")])
    bench.sandbox.set_fault("drop", when="after", method="POST", path="/orders", count=1)
    first = bench.replayer().replay()
    assert first.stopped is StopReason.OFFLINE
    second = bench.replayer().replay()
    assert second.complete
    assert second.requests == 0  # looked up, not re-POSTed
    assert posted_refs(bench) == ["LOST-1"]
    assert bench.store.find_order("LOST-1").order_identifier > 0  # type: ignore[union-attr]


def test_a_reference_taken_upstream_is_a_conflict_and_blocks_its_despatch(bench: Bench) -> None:
    queue_new_orders(bench.store, [new_order("TAKEN-1"), new_order("FREE-1")])
    mark_despatched(bench.store, ["TAKEN-1"])
    bench.sandbox.create_upstream(bench.account, new_order("TAKEN-1").to_api())
    report = bench.replayer().replay()
    by_kind = {(i.kind, i.order_reference): i for i in bench.store.outbox.list()}
    conflict = by_kind[("create", "TAKEN-1")]
    assert conflict.state is OutboxState.CONFLICT
    assert "already used by another order" in (conflict.last_error or "")
    assert by_kind[("create", "FREE-1")].state is OutboxState.DONE
    assert by_kind[("despatch", "TAKEN-1")].state is OutboxState.PENDING  # waits behind it
    assert report.needs_user == 1
    assert report.waiting == 1
    assert put_ids(bench) == []


def test_conflicts_deleted_upstream_and_label_cancelled_upstream(bench: Bench) -> None:
    new_id = bench.ids(OrderStatus.NEW, 1)[0]
    printed_id = bench.ids(OrderStatus.PRINTED, 1)[0]
    mark_despatched(bench.store, [str(new_id), str(printed_id)])
    bench.sandbox.mutate(bench.account, new_id, "delete")
    bench.sandbox.mutate(bench.account, printed_id, "reset")  # label voided upstream
    report = bench.replayer().replay()
    problems = {i.order_identifier: i for i in bench.store.outbox.list()}
    assert problems[new_id].state is OutboxState.CONFLICT
    assert "deleted there" in (problems[new_id].last_error or "")
    assert problems[printed_id].state is OutboxState.CONFLICT
    assert "label" in (problems[printed_id].last_error or "")
    assert report.needs_user == 2
    assert put_ids(bench) == []


def test_already_despatched_upstream(bench: Bench) -> None:
    same, other = bench.ids(OrderStatus.NEW, 2)
    mark_despatched(bench.store, [str(same)])
    mark_despatched(bench.store, [str(other)], tracking_number="RM000000001GB")
    for ident in (same, other):
        bench.sandbox.mutate(bench.account, ident, "print")
        bench.sandbox.mutate(bench.account, ident, "despatch")
    bench.replayer().replay()
    got = {i.order_identifier: i for i in bench.store.outbox.list()}
    assert got[same].state is OutboxState.DONE  # nothing to send
    assert got[other].state is OutboxState.CONFLICT  # another tracking number upstream
    assert "RM000000001GB" in (got[other].last_error or "")
    assert put_ids(bench) == []


def test_partial_success_is_settled_per_item(bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    keep, gone = bench.ids(OrderStatus.NEW, 2)
    mark_despatched(bench.store, [str(keep), str(gone)])
    real_get = bench.client.get_orders

    def stale_read(*args: object, **kwargs: object) -> object:
        result = real_get(*args, **kwargs)  # type: ignore[arg-type]
        bench.sandbox.mutate(bench.account, gone, "delete")  # deleted between read and send
        return result

    monkeypatch.setattr(bench.client, "get_orders", stale_read)
    report = bench.replayer().replay()
    got = {i.order_identifier: i.state for i in bench.store.outbox.list()}
    assert got == {keep: OutboxState.DONE, gone: OutboxState.CONFLICT}
    assert report.requests == 1
    assert report.needs_user == 1


def test_cancel_is_sent_once_and_an_unsent_new_order_is_just_dropped(bench: Bench) -> None:
    ident = bench.ids(OrderStatus.NEW, 1)[0]
    cancel_order(bench.store, str(ident))
    stored = bench.store.get_order(ident)
    assert stored is not None
    assert stored.archived
    queue_new_orders(bench.store, [new_order("NEVER-1")])
    dropped = cancel_order(bench.store, "NEVER-1")
    assert dropped.settled_locally
    assert bench.store.find_order("NEVER-1") is None
    report = bench.replayer().replay()
    assert report.complete
    deletes = bench.mutations("DELETE")
    assert len(deletes) == 1
    assert str(ident) in deletes[0]["path"]
    assert posted_refs(bench) == []
    assert bench.sandbox.order_state(bench.account, ident)["deleted"] is True


def test_an_auth_failure_pauses_and_keeps_everything(bench: Bench) -> None:
    from clickdrop_desktop.api.client import ClickDropClient

    ids = bench.ids(OrderStatus.NEW, 2)
    mark_despatched(bench.store, [str(i) for i in ids])
    bench.client.close()
    bench.client = ClickDropClient(bench.sandbox.url, "wrong-key", rate_per_s=0, max_retries=0)
    report = bench.replayer().replay()
    assert report.stopped is StopReason.AUTH
    assert report.waiting == 2
    assert {i.state for i in bench.store.outbox.list()} == {OutboxState.PENDING}


def test_the_outbox_survives_a_restart_between_claim_and_answer(bench: Bench) -> None:
    """What kill -9 after the claim leaves: `sending` ops, reconciled after a restart."""
    ids = bench.ids(OrderStatus.NEW, 2)
    mark_despatched(bench.store, [str(i) for i in ids])
    bench.sandbox.set_fault("drop", when="before", path="/orders/status", count=1)
    bench.replayer().replay()  # never reached the server, but claimed first: sending
    bench.reopen()
    sending = bench.store.outbox.list([OutboxState.SENDING])
    assert len(sending) == 2
    report = bench.replayer().replay()
    assert report.complete
    assert sorted(put_ids(bench)) == sorted(ids)


def test_a_create_that_lands_after_its_look_up_is_adopted_not_duplicated(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue_new_orders(bench.store, [new_order("LATE-1")])
    bench.sandbox.set_fault("drop", when="after", method="POST", path="/orders", count=1)
    bench.replayer().replay()  # applied upstream, answer lost: sending
    real_find = bench.client.find_orders_by_reference
    calls: list[int] = []

    def blind_once(refs: list[str]) -> object:
        calls.append(1)
        return {} if len(calls) == 1 else real_find(refs)  # the first look-up misses it

    monkeypatch.setattr(bench.client, "find_orders_by_reference", blind_once)
    report = bench.replayer().replay()
    assert report.complete, report.notes
    (item,) = bench.store.outbox.list()
    assert item.state is OutboxState.DONE
    upstream = [r for r in posted_refs(bench) if r == "LATE-1"]
    assert len(upstream) == 2  # the resend was refused as a duplicate: one order upstream
    found = bench.store.find_order("LATE-1")
    assert found is not None
    assert found.order_identifier > 0


def test_cancel_of_a_new_order_being_sent_reaches_the_real_order(bench: Bench) -> None:
    queue_new_orders(bench.store, [new_order("INFLIGHT-1")])
    bench.sandbox.set_fault("drop", when="after", method="POST", path="/orders", count=1)
    bench.replayer().replay()  # the create is `sending`: cancelling must go upstream
    queued = cancel_order(bench.store, "INFLIGHT-1")
    assert len(queued.items) == 1
    report = bench.replayer().replay()
    assert report.complete, report.notes
    assert len(bench.mutations("DELETE")) == 1
    real = bench.store.find_order("INFLIGHT-1")
    assert real is not None
    assert real.order_identifier > 0
    assert real.archived
    assert bench.sandbox.order_state(bench.account, real.order_identifier)["deleted"] is True


def test_one_replay_per_account_at_a_time(bench: Bench) -> None:
    from clickdrop_desktop.outbox.lock import ReplayLock

    ids = bench.ids(OrderStatus.NEW, 1)
    mark_despatched(bench.store, [str(ids[0])])
    other = ReplayLock(bench.store.path)  # another process replaying this account
    assert other.acquire()
    try:
        report = bench.replayer().replay()
        assert report.stopped is StopReason.BUSY
        assert not report.offline
        assert report.waiting == 1
        assert put_ids(bench) == []
    finally:
        other.release()
    assert bench.replayer().replay().complete
    assert put_ids(bench) == ids
