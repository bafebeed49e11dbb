"""Documents, sync state and the incident log."""

from __future__ import annotations

import json

import pytest

from clickdrop_desktop.store import OrderSource, Store, StoreError, hash_identifier
from tests.helpers.order_factory import full_orders


@pytest.fixture
def with_orders(store: Store) -> Store:
    store.upsert_orders(full_orders(3), OrderSource.FULL)
    return store


def test_documents_put_get_has_replace(with_orders: Store) -> None:
    docs = with_orders.documents
    assert not docs.has(1_000_001, "postageLabel")
    docs.put(1_000_001, "postageLabel", b"%PDF-1.7 one", page_width_mm=101.6, page_height_mm=152.4)
    stored = docs.get(1_000_001, "postageLabel")
    assert stored is not None
    assert stored.data == b"%PDF-1.7 one"
    assert (stored.page_width_mm, stored.page_height_mm) == (101.6, 152.4)
    assert "one" not in repr(stored)  # label bytes never in a repr
    docs.put(1_000_001, "postageLabel", b"%PDF-1.7 two")
    replaced = docs.get(1_000_001, "postageLabel")
    assert replaced is not None
    assert replaced.data == b"%PDF-1.7 two"
    docs.put(1_000_001, "despatchNote", b"%PDF note", page_count=2)
    assert [d.document_type for d in docs.list_for(1_000_001)] == ["despatchNote", "postageLabel"]
    assert docs.delete(1_000_001, "despatchNote")
    assert docs.get(1_000_002, "postageLabel") is None


def test_documents_belong_to_cached_orders(with_orders: Store) -> None:
    with pytest.raises(StoreError):
        with_orders.documents.put(42, "postageLabel", b"%PDF")


def test_sync_state(store: Store) -> None:
    assert store.sync_state.get("token") is None
    assert store.sync_state.get("token", "none") == "none"
    store.sync_state.set("token", "abc")
    store.sync_state.set_json("window", {"from": "2026-01-01", "pages": 3})
    assert store.sync_state.get("token") == "abc"
    assert store.sync_state.get_json("window") == {"from": "2026-01-01", "pages": 3}
    store.sync_state.delete("token")
    assert store.sync_state.items() == {"window": '{"from":"2026-01-01","pages":3}'}


def test_a_page_and_its_cursor_commit_together(store: Store) -> None:
    def page_then_fail() -> None:
        with store.transaction() as tx:
            tx.upsert_orders(full_orders(5), OrderSource.LIST)
            tx.sync_state.set("token", "page-2")
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        page_then_fail()
    assert store.count_orders() == 0
    assert store.sync_state.get("token") is None


def test_incidents_record_export_and_acknowledge(store: Store) -> None:
    hashed = [hash_identifier(n) for n in (77, 78)]
    incident = store.incidents.add(
        "unrequested_ids",
        "GET /orders/{orderIdentifiers}",
        counts={"requested": 2, "returned": 4, "quarantined": 2},
        hashed_ids=hashed,
        details={"headers": {"x-cache": "HIT"}, "checks": ["unrequested_ids"]},
        quarantine_reason="ids not asked for",
    )
    assert store.incidents.get(incident.id) == incident
    assert [q.record_count for q in store.incidents.quarantined()] == [2]
    document = json.loads(store.incidents.export_json(account="shop"))
    assert document["account"] == "shop"
    assert document["incidents"][0]["hashed_ids"] == hashed
    assert document["incidents"][0]["counts"]["returned"] == 4
    assert len(store.incidents.list(unacknowledged_only=True)) == 1
    assert store.incidents.acknowledge() == 1
    assert store.incidents.list(unacknowledged_only=True) == []


def test_incident_details_cannot_carry_records(store: Store) -> None:
    record = {"shippingInfo": {"firstName": "Someone", "address": {"line": "1 Else St"}}}
    with pytest.raises(StoreError):
        store.incidents.add("foreign_trading_name", "GET /orders/full", counts={}, details=record)
    assert store.incidents.list() == []


def test_hashed_ids_are_stable_and_opaque() -> None:
    assert hash_identifier(12345) == hash_identifier("12345")
    assert "12345" not in hash_identifier(12345)
    assert len(hash_identifier(1)) == 20
