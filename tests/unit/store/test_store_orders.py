"""Orders in the store: one transaction per batch, counts, merges, guards, archive, lookups."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime

import pytest

from clickdrop_desktop.api.models import Order, OrderStatus
from clickdrop_desktop.store import (
    ImmutableFieldChanged,
    OrderSort,
    OrderSource,
    Store,
    UpsertCounts,
)
from tests.helpers.order_factory import full_orders, full_record, info_orders, info_record


def test_counts_and_idempotence(store: Store) -> None:
    batch = full_orders(50)
    assert store.upsert_orders(batch, OrderSource.FULL) == UpsertCounts(inserted=50)
    assert store.upsert_orders(batch, OrderSource.FULL) == UpsertCounts(unchanged=50)
    changed = [
        Order.from_api_full({**o.raw, "printedOn": "2026-09-01T10:00:00Z"}) for o in batch[:5]
    ]
    counts = store.upsert_orders([*changed, *full_orders(2, start=2_000_001)], OrderSource.FULL)
    assert counts == UpsertCounts(inserted=2, updated=5, unchanged=0)
    assert counts.stored == 7
    assert store.count_orders() == 52


def test_a_record_round_trips_with_everything_the_api_sent(store: Store) -> None:
    raw = full_record(1_000_001, random.Random(3))
    raw["somethingNew"] = {"nested": [1, 2]}  # a field this version does not model
    store.upsert_orders([Order.from_api_full(raw)], OrderSource.FULL)
    stored = store.get_order(1_000_001)
    assert stored is not None
    assert stored.raw == raw
    assert stored.order == Order.from_api_full(raw)
    assert stored.order.extra["somethingNew"] == {"nested": [1, 2]}
    assert stored.source == "full"


def test_a_batch_that_would_change_immutable_fields_writes_nothing(store: Store) -> None:
    original = full_orders(3)
    store.upsert_orders(original, OrderSource.FULL)
    forged = Order.from_api_full({**original[1].raw, "orderReference": "SOMEONE-ELSES"})
    fresh = full_orders(1, start=3_000_001)
    with pytest.raises(ImmutableFieldChanged) as caught:
        store.upsert_orders([*fresh, forged], OrderSource.FULL)
    assert caught.value.order_identifiers == (original[1].order_identifier,)
    assert "SOMEONE" not in caught.value.message
    assert store.get_order(3_000_001) is None  # the good record of the batch was not stored
    stored = store.get_order(original[1].order_identifier)
    assert stored is not None
    assert stored.order.order_reference == original[1].order_reference
    moved = Order.from_api_full({**original[2].raw, "createdOn": "2020-01-01T00:00:00Z"})
    with pytest.raises(ImmutableFieldChanged):
        store.upsert_orders([moved], OrderSource.FULL)


def test_immutable_fields_lookup(store: Store) -> None:
    batch = full_orders(3)
    store.upsert_orders(batch, OrderSource.FULL)
    store.archive_orders([batch[0].order_identifier])
    known = store.immutable_fields([o.order_identifier for o in batch] + [42])
    assert set(known) == {o.order_identifier for o in batch}  # archived ones included
    assert known[batch[1].order_identifier] == (batch[1].order_reference, batch[1].created_on)


def test_plain_record_after_full_keeps_the_address(store: Store) -> None:
    raw = full_record(1_000_001, random.Random(5))
    raw.update(printedOn=None, shippedOn=None, orderStatus="new")
    raw["shippingDetails"] = {**raw["shippingDetails"], "trackingNumber": None, "packages": []}
    store.upsert_orders([Order.from_api_full(raw)], OrderSource.FULL)
    plain = info_record(raw)
    plain.update(shippedOn="2026-09-02T10:00:00Z", trackingNumber="JV123456789GB")
    assert store.upsert_orders([Order.from_api(plain)], OrderSource.BY_ID).updated == 1
    stored = store.get_order(1_000_001)
    assert stored is not None
    assert stored.order.details is not None  # /full details kept
    assert stored.order.shipped_on == datetime(2026, 9, 2, 10, tzinfo=UTC)
    assert stored.status is OrderStatus.DESPATCHED
    row = store.query_orders("JV123456789GB")[0]
    assert row.recipient_name == stored.order.details.shipping_info.full_name
    assert row.status is OrderStatus.DESPATCHED


def test_archive_and_return(store: Store) -> None:
    batch = full_orders(4)
    store.upsert_orders(batch, OrderSource.FULL)
    gone = batch[0].order_identifier
    assert store.archive_orders([gone, gone, 999]) == 1
    assert store.archive_orders([gone]) == 0
    assert store.count_orders() == 3
    assert store.count_orders(status=OrderStatus.ARCHIVED) == 1
    archived = store.get_order(gone)
    assert archived is not None
    assert archived.status is OrderStatus.ARCHIVED
    assert gone not in store.open_order_ids()
    store.upsert_orders([batch[0]], OrderSource.BY_ID)  # seen upstream again
    assert store.count_orders(status=OrderStatus.ARCHIVED) == 0


def test_status_filters_and_open_ids(store: Store) -> None:
    batch = full_orders(60)
    store.upsert_orders(batch, OrderSource.FULL)
    by_status: dict[OrderStatus, set[int]] = {}
    for order in batch:
        by_status.setdefault(order.status, set()).add(order.order_identifier)
    for status, ids in by_status.items():
        assert store.count_orders(status=status) == len(ids)
        assert {r.order_identifier for r in store.query_orders(status=status)} == ids
    open_ids = by_status.get(OrderStatus.NEW, set()) | by_status.get(OrderStatus.PRINTED, set())
    assert store.open_order_ids() == sorted(open_ids)
    first, *rest = sorted(open_ids)
    assert store.open_order_ids(after_id=first, limit=3) == rest[:3]


def test_open_ids_created_before(store: Store) -> None:
    batch = info_orders(10)
    store.upsert_orders(batch, OrderSource.LIST)
    cut = sorted(o.created_on for o in batch)[5]
    expected = sorted(
        o.order_identifier
        for o in batch
        if o.created_on < cut and o.status in (OrderStatus.NEW, OrderStatus.PRINTED)
    )
    assert store.open_order_ids(created_before=cut) == expected


def test_sorting_and_paging(store: Store) -> None:
    batch = full_orders(250)
    store.upsert_orders(batch, OrderSource.FULL)
    newest = [o.order_identifier for o in sorted(batch, key=lambda o: o.created_on, reverse=True)]
    pages = [
        r.order_identifier for off in range(0, 250, 100) for r in store.query_orders(offset=off)
    ]
    assert pages == newest
    oldest = [r.order_identifier for r in store.query_orders(sort=OrderSort.OLDEST, limit=5)]
    assert oldest == newest[::-1][:5]
    names = [
        r.recipient_name or "" for r in store.query_orders(sort=OrderSort.RECIPIENT, limit=250)
    ]
    assert names == sorted(names, key=str.casefold)
    refs = [
        r.order_reference or "" for r in store.query_orders(sort=OrderSort.REFERENCE, limit=250)
    ]
    assert refs == sorted(refs, key=str.casefold)


def test_label_flag_and_find(store: Store) -> None:
    raw = full_record(1_000_001, random.Random(8))
    raw["shippingDetails"]["packages"] = [
        {"packageNumber": 1, "trackingNumber": "TT000000001GB"},
        {"packageNumber": 2, "trackingNumber": "TT000000002GB"},
    ]
    raw["shippingDetails"]["trackingNumber"] = "TT000000001GB"
    store.upsert_orders(
        [Order.from_api_full(raw), *full_orders(5, start=2_000_001)], OrderSource.FULL
    )
    assert not store.query_orders("TT000000001GB")[0].has_label
    store.documents.put(1_000_001, "postageLabel", b"%PDF-1.7")
    assert store.query_orders("TT000000001GB")[0].has_label
    for text in (
        "1000001",
        raw["orderReference"],
        str(raw["orderReference"]).lower(),
        "TT000000001GB",
        "tt000000002gb",
        " TT000000002GB ",
    ):
        found = store.find_order(text)
        assert found is not None, text
        assert found.order_identifier == 1_000_001
    assert store.find_order("TT00000000") is None  # find is exact; search is for prefixes
    assert store.find_order("") is None


def test_local_orders_keep_their_create_request(store: Store) -> None:
    request = {
        "orderReference": "LOCAL-1",
        "recipient": {
            "address": {"fullName": "Ada Lovelace", "postcode": "NW1 6XE", "countryCode": "GB"}
        },
        "packages": [{"contents": [{"SKU": "QUILL-7", "quantity": 1}]}],
    }
    local = Order(
        order_identifier=-1,
        order_reference="LOCAL-1",
        created_on=datetime(2026, 9, 1, tzinfo=UTC),
        raw=request,
    )
    store.upsert_orders([local], OrderSource.LOCAL)
    row = store.query_orders("quill-7")[0]
    assert (row.order_identifier, row.recipient_name, row.recipient_postcode) == (
        -1,
        "Ada Lovelace",
        "NW1 6XE",
    )
    stored = store.get_order(-1)
    assert stored is not None
    assert stored.raw == request
    assert stored.source == "local"
    assert -1 not in store.open_order_ids()  # never refreshed by id upstream


def test_orders_built_in_code_get_a_raw_record(store: Store) -> None:
    order = dataclasses.replace(info_orders(1)[0], raw={})
    store.upsert_orders([order], OrderSource.LIST)
    stored = store.get_order(order.order_identifier)
    assert stored is not None
    assert stored.order.order_reference == order.order_reference
    assert stored.order.created_on == order.created_on
