"""Retention purge: despatched orders past the period go with their labels and personal data."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from clickdrop_desktop.store import OrderSource, Store
from tests.helpers.order_factory import full_orders

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_purges_only_despatched_orders_older_than_the_period(store: Store) -> None:
    old, kept_for_outbox, recent, never, never_old = full_orders(5)
    shipped = {
        old.order_identifier: NOW - timedelta(days=40),
        kept_for_outbox.order_identifier: NOW - timedelta(days=40),
        recent.order_identifier: NOW - timedelta(days=2),
    }
    orders = [
        dataclasses.replace(o, shipped_on=shipped.get(o.order_identifier))
        for o in (old, kept_for_outbox, recent, never, never_old)
    ]
    store.upsert_orders(orders, OrderSource.FULL)
    for order in orders:
        store.documents.put(order.order_identifier, "postageLabel", b"%PDF-label")
    ident = kept_for_outbox.order_identifier
    store.outbox.enqueue("despatch", {"orderIdentifier": ident}, order_identifier=ident)

    assert old.order_reference is not None
    assert store.find_order(old.order_reference) is not None

    assert store.retention.purge_despatched(30, now=NOW) == 1

    assert store.get_order(old.order_identifier) is None
    assert store.documents.get(old.order_identifier, "postageLabel") is None
    assert store.find_order(old.order_reference) is None  # gone from the search index too
    for order in (kept_for_outbox, recent, never, never_old):
        assert store.get_order(order.order_identifier) is not None
        assert store.documents.get(order.order_identifier, "postageLabel") is not None
    assert store.retention.purge_despatched(30, now=NOW) == 0  # idempotent


def test_a_period_below_one_day_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="at least"):
        store.retention.purge_despatched(0)
