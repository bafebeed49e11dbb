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


def test_the_period_is_recorded_and_kept_by_purge(store: Store) -> None:
    assert store.retention.period_days() is None
    assert store.retention.purge(now=NOW) == 0  # no period: nothing goes
    store.retention.purge_despatched(45, now=NOW)
    assert store.retention.period_days() == 45
    store.retention.set_period(30)
    assert store.retention.period_days() == 30
    store.retention.set_period(None)
    assert store.retention.period_days() is None
    with pytest.raises(ValueError, match="at least"):
        store.retention.set_period(0)


def test_screen_keeps_out_orders_despatched_before_the_cutoff(store: Store) -> None:
    old, held, recent, never = full_orders(4)
    shipped = {
        old.order_identifier: NOW - timedelta(days=40),
        held.order_identifier: NOW - timedelta(days=40),
        recent.order_identifier: NOW - timedelta(days=2),
    }
    batch = [
        dataclasses.replace(o, shipped_on=shipped.get(o.order_identifier))
        for o in (old, held, recent, never)
    ]
    # Without a period everything is kept.
    assert store.retention.screen(batch, now=NOW) == (batch, [])
    store.upsert_orders(batch, OrderSource.FULL)
    ident = held.order_identifier
    store.outbox.enqueue("despatch", {"orderIdentifier": ident}, order_identifier=ident)
    store.retention.set_period(30)

    with store.transaction():
        kept, expired = store.retention.screen(batch, now=NOW)
    assert expired == [old.order_identifier]
    assert [o.order_identifier for o in kept] == [
        held.order_identifier,
        recent.order_identifier,
        never.order_identifier,
    ]
    # The cached copy of the expired order went in the same transaction; the held one stays.
    assert store.get_order(old.order_identifier) is None
    assert store.get_order(held.order_identifier) is not None
