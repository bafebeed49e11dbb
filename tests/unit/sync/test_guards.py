"""The isolation guards as pure functions: each sign of a foreign record, and no false alarms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from clickdrop_desktop.api.models import Order
from clickdrop_desktop.sync import guards
from clickdrop_desktop.sync.guards import FindingKind, GuardContext, Immutable
from clickdrop_desktop.sync.incidents import IdHasher

CREATED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def plain(ident: int, ref: str | None = None, created: datetime = CREATED) -> Order:
    return Order.from_api(
        {
            "orderIdentifier": ident,
            "orderReference": ref if ref is not None else f"REF-{ident}",
            "createdOn": created.isoformat(),
        }
    )


def full(ident: int, trading_name: str | None) -> Order:
    data: dict[str, Any] = {
        "orderIdentifier": ident,
        "orderReference": f"REF-{ident}",
        "createdOn": CREATED.isoformat(),
        "tradingName": trading_name,
        "subtotal": 1,
        "shippingCostCharged": 0,
        "orderDiscount": 0,
        "total": 1,
        "weightInGrams": 100,
        "shippingDetails": {"shippingCost": 0},
        "shippingInfo": {},
        "billingInfo": {},
        "orderLines": [],
    }
    return Order.from_api_full(data)


def context(**overrides: Any) -> GuardContext:
    values: dict[str, Any] = {
        "trading_names": frozenset(),
        "known_immutable": {},
        "known_foreign_hashes": frozenset(),
        "hash_id": IdHasher(b"s" * 16),
    }
    values.update(overrides)
    return GuardContext(**values)


def test_clean_page_passes() -> None:
    orders = [plain(1), plain(2), plain(1)]  # an exact duplicate is not a conflict
    assert guards.inspect(orders, {"cache-control": "no-store, private"}, context()) == []


@pytest.mark.parametrize(
    "headers",
    [
        {"age": "0"},
        {"age": "412"},
        {"x-cache": "HIT"},
        {"x-cache": "Hit from cloudfront"},
        {"cf-cache-status": "HIT"},
        {"cache-control": "public, max-age=60"},
        {"cache-control": "max-age=0, s-maxage=300"},
    ],
)
def test_shared_cache_signs_make_every_record_suspect(headers: dict[str, str]) -> None:
    findings = guards.inspect([plain(1), plain(2)], headers, context())
    assert [f.kind for f in findings] == [FindingKind.SHARED_CACHE]
    assert findings[0].suspect_ids == {1, 2}


@pytest.mark.parametrize(
    "headers",
    [{"x-cache": "MISS"}, {"cache-control": "private, no-store"}, {"x-cache-status": "BYPASS"}],
)
def test_cache_headers_without_a_hit_pass(headers: dict[str, str]) -> None:
    assert guards.check_shared_cache(headers, [1]) is None


def test_by_id_response_with_unrequested_ids() -> None:
    findings = guards.inspect([plain(1), plain(77)], {}, context(), requested=[1, 2])
    assert [(f.kind, f.suspect_ids) for f in findings] == [
        (FindingKind.UNREQUESTED_IDS, frozenset({77}))
    ]


def test_missing_ids_in_a_by_id_response_are_not_a_finding() -> None:
    # Missing means gone upstream (archived), not foreign.
    assert guards.inspect([plain(1)], {}, context(), requested=[1, 2, 3]) == []


def test_foreign_trading_name_on_full_records() -> None:
    ctx = context(trading_names=frozenset({"Acme  Goods Ltd"}))
    orders = [full(1, "acme goods ltd"), full(2, "Other Shop"), full(3, None)]
    findings = guards.inspect(orders, {}, ctx)
    assert [(f.kind, f.suspect_ids) for f in findings] == [
        (FindingKind.FOREIGN_TRADING_NAME, frozenset({2, 3}))
    ]
    assert "Other Shop" not in findings[0].detail


def test_trading_name_not_checked_on_plain_records_or_before_recorded() -> None:
    assert guards.check_trading_names({"Acme"}, [plain(1)]) is None
    assert guards.check_trading_names(set(), [full(1, "Anything")]) is None


def test_immutable_fields_changed() -> None:
    known = {
        1: Immutable("REF-1", CREATED),
        2: Immutable("REF-2", CREATED),
        3: Immutable("REF-3", CREATED),
    }
    orders = [
        plain(1),  # same
        plain(2, ref="SOMEONE-ELSE"),
        plain(3, created=CREATED + timedelta(days=3)),
        plain(4),  # new: nothing to compare
    ]
    findings = guards.inspect(orders, {}, context(known_immutable=known))
    assert [(f.kind, f.suspect_ids) for f in findings] == [
        (FindingKind.IMMUTABLE_CHANGED, frozenset({2, 3}))
    ]


def test_conflicting_duplicate_in_one_response() -> None:
    findings = guards.inspect([plain(5), plain(5, ref="OTHER")], {}, context())
    assert [(f.kind, f.suspect_ids) for f in findings] == [
        (FindingKind.CONFLICTING_DUPLICATE, frozenset({5}))
    ]


def test_known_foreign_id_comes_back() -> None:
    hasher = IdHasher(b"k" * 16)
    ctx = context(hash_id=hasher, known_foreign_hashes=frozenset({hasher(900)}))
    findings = guards.inspect([plain(1), plain(900)], {}, ctx)
    assert [(f.kind, f.suspect_ids) for f in findings] == [
        (FindingKind.KNOWN_FOREIGN, frozenset({900}))
    ]


def test_several_findings_are_all_reported() -> None:
    ctx = context(known_immutable={1: Immutable("X", CREATED)})
    findings = guards.inspect([plain(1), plain(9)], {"age": "3"}, ctx, requested=[1])
    assert {f.kind for f in findings} == {
        FindingKind.SHARED_CACHE,
        FindingKind.UNREQUESTED_IDS,
        FindingKind.IMMUTABLE_CHANGED,
    }
