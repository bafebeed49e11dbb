"""Full-text search: prefixes as you type over reference, name, company, postcode, tracking
numbers and SKUs; typed text is data, never FTS syntax; the index follows every change."""

from __future__ import annotations

import random

import pytest

from clickdrop_desktop.api.models import Order, OrderStatus
from clickdrop_desktop.store import OrderSort, OrderSource, Store
from clickdrop_desktop.store.search import match_expression
from tests.helpers.order_factory import full_orders, full_record


def _order(ident: int, **changes: object) -> Order:
    raw = full_record(ident, random.Random(ident))
    info = dict(raw["shippingInfo"])
    for key in ("firstName", "lastName", "companyName", "postcode"):
        if key in changes:
            info[key] = changes.pop(key)
    raw["shippingInfo"] = info
    if "sku" in changes:
        raw["orderLines"] = [{"SKU": changes.pop("sku"), "quantity": 1}]
    if "tracking" in changes:
        number = changes.pop("tracking")
        raw["shippingDetails"] = {
            **raw["shippingDetails"],
            "trackingNumber": number,
            "packages": [{"packageNumber": 1, "trackingNumber": number}],
        }
        raw["printedOn"] = raw["printedOn"] or raw["createdOn"]
    raw.update(changes)
    return Order.from_api_full(raw)


@pytest.fixture
def filled(store: Store) -> Store:
    store.upsert_orders(
        [
            _order(
                1,
                firstName="Jane",
                lastName="Smithson",
                postcode="SW1A 1AA",
                orderReference="ORD-1001",
                sku="WIDGET-042",
                tracking="TT123456789GB",
                companyName=None,
            ),
            _order(
                2,
                firstName="Siobhán",
                lastName="O'Brien",
                companyName="Thistle & Thorn",
                postcode="EH1 2NG",
                orderReference="ORD-1002",
                sku="CANDLE-7",
            ),
            _order(
                3,
                firstName="John",
                lastName="Smith",
                companyName=None,
                postcode="M1 1AE",
                orderReference="WEB-77",
                sku="MUG-001",
            ),
            *full_orders(40, start=10_000),
        ],
        OrderSource.FULL,
    )
    return store


def _ids(store: Store, text: str, status: OrderStatus | None = None) -> set[int]:
    rows = store.query_orders(text, status, limit=1000)
    assert store.count_orders(text, status) == len(rows)
    return {r.order_identifier for r in rows}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Smi", {1, 3}),
        ("smiths", {1}),
        ("Jane Smi", {1}),
        ("SW1A", {1}),
        ("SW1A 1", {1}),
        ("sw1a1aa", {1}),  # postcodes typed without their space
        ("ORD-100", {1, 2}),
        ("ORD-1002", {2}),
        ("WEB-7", {3}),
        ("TT1234", {1}),
        ("WIDGET-04", {1}),
        ("candle", {2}),
        ("Thistle", {2}),
        ("O'Br", {2}),
        ("Siobhan", {2}),  # accents do not matter
        ("SIOBHÁN", {2}),
    ],
)
def test_prefix_search(filled: Store, typed: str, expected: set[int]) -> None:
    assert _ids(filled, typed) & {1, 2, 3} == expected
    assert _ids(filled, typed) - expected <= set(range(10_000, 10_040))


@pytest.mark.parametrize(
    "typed",
    ['"', "*", "AND", "NEAR(a b)", "a OR b", "-Smith", "search_text:x", "(", "^x", "x'", "''"],
)
def test_typed_text_is_never_query_syntax(filled: Store, typed: str) -> None:
    filled.query_orders(typed)  # no error: operators are searched for as words
    filled.count_orders(typed)


def test_nothing_searchable_finds_nothing(filled: Store) -> None:
    assert filled.query_orders("---") == []
    assert filled.count_orders("!!") == 0
    assert match_expression("  ") is None
    assert filled.count_orders("   ") == filled.count_orders()  # blank is no search


def test_status_filter_inside_the_search(filled: Store) -> None:
    everything = _ids(filled, "ORD")
    per_status = [
        _ids(filled, "ORD", s)
        for s in (OrderStatus.NEW, OrderStatus.PRINTED, OrderStatus.DESPATCHED)
    ]
    assert set().union(*per_status) == everything
    filled.archive_orders([1])
    assert 1 not in _ids(filled, "Smithson")
    assert _ids(filled, "Smithson", OrderStatus.ARCHIVED) == {1}
    filled.upsert_orders(
        [
            _order(
                1,
                firstName="Jane",
                lastName="Smithson",
                postcode="SW1A 1AA",
                orderReference="ORD-1001",
                sku="WIDGET-042",
                tracking="TT123456789GB",
            )
        ],
        OrderSource.BY_ID,
    )
    assert _ids(filled, "Smithson") == {1}


def test_sorted_searches_agree_with_unsorted(filled: Store) -> None:
    for sort in OrderSort:
        rows = filled.query_orders("o", sort=sort, limit=1000)
        assert {r.order_identifier for r in rows} == _ids(filled, "o")
    page = [r.order_identifier for r in filled.query_orders("o", sort=OrderSort.RECIPIENT)]
    paged = [
        r.order_identifier
        for off in range(0, len(page), 7)
        for r in filled.query_orders("o", sort=OrderSort.RECIPIENT, offset=off, limit=7)
    ]
    assert paged == page


def test_the_index_follows_updates(filled: Store) -> None:
    moved = _order(
        3, firstName="John", lastName="Smith", postcode="LS1 4AP", orderReference="WEB-77"
    )
    filled.upsert_orders([moved], OrderSource.FULL)
    assert 3 not in _ids(filled, "M1 1AE")
    assert 3 in _ids(filled, "LS1 4")
    with filled._db.read() as conn:  # FTS5's own consistency check of the external content
        conn.execute("INSERT INTO orders_fts (orders_fts) VALUES ('integrity-check')")


def test_search_by_identifier(filled: Store) -> None:
    assert _ids(filled, "1") >= {1}
    assert 10_005 in _ids(filled, "10005")
