"""The sync engine over fakes: windows, refresh, archive, resume after a kill, guards, pause."""

from __future__ import annotations

import dataclasses
import threading
from datetime import timedelta
from typing import Any

import pytest

from clickdrop_desktop.api.errors import Offline, ValidationFailed
from clickdrop_desktop.api.events import CallEvent, Outcome
from clickdrop_desktop.errors import IsolationAlert
from clickdrop_desktop.sync.engine import (
    SyncEngine,
    SyncIsolationAlert,
    SyncOptions,
    SyncPaused,
    SyncProgress,
    acknowledge,
    learn_trading_names,
    sign_in_trading_names,
)
from clickdrop_desktop.sync.ports import Fetched
from tests.helpers.sync_fakes import BASE, MemoryStorage, ScriptedApi, make_order

OPTIONS = SyncOptions(
    page_size=10, batch_size=5, overlap=timedelta(minutes=10), confirm_new_ids=False, prefetch=0
)


def engine(api: ScriptedApi, storage: MemoryStorage, **kw: Any) -> SyncEngine:
    kw.setdefault("options", OPTIONS)
    return SyncEngine(api, storage, account="shop", full=False, **kw)


def test_first_sync_pages_everything_and_reports_progress() -> None:
    api = ScriptedApi([make_order(i, minutes=i) for i in range(1, 26)])
    storage = MemoryStorage()
    seen: list[SyncProgress] = []
    result = engine(api, storage, on_progress=seen.append).run()
    assert sorted(storage.orders) == list(range(1, 26))
    assert (result.fetched, result.stored, result.pages) == (25, 25, 3)
    assert [p.pages for p in seen] == [1, 2, 3]
    assert [c[0] for c in api.calls] == ["list", "list", "list"]  # nothing older to refresh
    assert storage.state["phase"] == "idle"
    assert storage.state["high_water"].startswith("2026-11-01T09:25")


def test_incremental_sync_uses_overlap_and_refreshes_open_orders() -> None:
    orders = [make_order(i, minutes=i * 10) for i in range(1, 13)]
    api = ScriptedApi(orders)
    storage = MemoryStorage()
    engine(api, storage).run()
    # Upstream: order 2 despatched elsewhere, order 3 deleted, a new order 13.
    api.orders = [o for o in orders if o.order_identifier != 3]
    api.orders[1] = make_order(2, minutes=20, shipped=True)
    api.orders.append(make_order(13, minutes=130))
    api.calls.clear()
    result = engine(api, storage).run()
    start, token = api.calls[0][1]
    assert token is None
    assert start == BASE + timedelta(minutes=120) - timedelta(minutes=10)
    refreshed = [c[1] for c in api.calls if c[0] == "ids"]
    assert refreshed == [(1, 2, 3, 4, 5), (6, 7, 8, 9, 10), (11, 12)]
    assert storage.orders[2].shipped_on is not None
    assert storage.archived == {3}
    assert result.archived == 1
    assert 13 in storage.orders
    # Order 2 is despatched now: a third sync no longer refreshes it; 3 stays archived.
    api.calls.clear()
    engine(api, storage).run()
    assert next(c[1] for c in api.calls if c[0] == "ids") == (1, 4, 5, 6, 7)


@pytest.mark.parametrize("kill_at", range(6))
def test_kill_inside_any_commit_resumes_without_duplicates(kill_at: int) -> None:
    orders = [make_order(i, minutes=i) for i in range(1, 43)]
    storage = MemoryStorage(fail_commit_after=kill_at)
    with pytest.raises(KeyboardInterrupt):
        engine(ScriptedApi(orders), storage).run()
    committed = dict(storage.orders)
    assert len(committed) == min(kill_at, 5) * 10 if kill_at < 5 else 42
    storage.fail_commit_after = None
    api = ScriptedApi(orders)
    result = engine(api, storage).run()
    assert sorted(storage.orders) == list(range(1, 43))
    assert result.resumed == (kill_at > 0)
    if 0 < kill_at < 5:
        assert api.calls[0][1][1] == f"t{kill_at * 10}"  # the first page not committed


def test_expired_token_restarts_the_window() -> None:
    orders = [make_order(i, minutes=i) for i in range(1, 31)]
    storage = MemoryStorage(fail_commit_after=1)
    with pytest.raises(KeyboardInterrupt):
        engine(ScriptedApi(orders), storage).run()
    storage.fail_commit_after = None
    api = ScriptedApi(orders, raise_on_call={0: ValidationFailed("token expired")})
    engine(api, storage).run()
    assert api.calls[1][1][1] is None
    assert sorted(storage.orders) == list(range(1, 31))


def test_offline_mid_sync_keeps_what_was_committed() -> None:
    orders = [make_order(i, minutes=i) for i in range(1, 31)]
    api = ScriptedApi(orders, raise_on_call={2: Offline("down")})
    storage = MemoryStorage()
    with pytest.raises(Offline):
        engine(api, storage).run()
    assert len(storage.orders) == 20
    engine(ScriptedApi(orders), storage).run()
    assert len(storage.orders) == 30


def test_cancel_between_pages() -> None:
    cancel = threading.Event()

    def stop_after_first(progress: SyncProgress) -> None:
        cancel.set()

    storage = MemoryStorage()
    api = ScriptedApi([make_order(i, minutes=i) for i in range(1, 31)])
    result = engine(api, storage, cancel=cancel, on_progress=stop_after_first).run()
    assert result.cancelled
    assert len(storage.orders) == 10
    assert storage.state["token"] == "t10"


def test_rate_limit_waits_are_counted() -> None:
    storage = MemoryStorage()
    holder: list[SyncEngine] = []

    def throttled(number: int, fetched: Fetched) -> Fetched:
        wait = CallEvent(Outcome.RATE_LIMITED, "GET /orders", 429, 0.0, will_retry=True)
        holder[0].on_call_event(wait)
        holder[0].on_call_event(CallEvent(Outcome.OK, "GET /orders", 200, 0.0))
        holder[0].on_rate_wait(0.25)  # the client's own throttle
        return fetched

    api = ScriptedApi([make_order(i, minutes=i) for i in range(1, 16)], tamper=throttled)
    holder.append(engine(api, storage))
    result = holder[0].run()
    assert result.rate_limit_waits == 4
    assert result.rate_limit_wait_s == pytest.approx(0.5)


def test_isolation_alert_quarantines_pauses_and_acknowledge_resumes() -> None:
    orders = [make_order(i, minutes=i * 10) for i in range(1, 8)]
    storage = MemoryStorage()
    engine(ScriptedApi(orders), storage).run()
    before = dict(storage.orders)

    # A by-id refresh answers with an order that was not asked for.
    def leak(number: int, fetched: Fetched) -> Fetched:
        if number >= 1:  # every by-id call
            extra = make_order(999, minutes=5)
            return dataclasses.replace(fetched, orders=(*fetched.orders, extra))
        return fetched

    api = ScriptedApi([*orders, make_order(8, minutes=80)], tamper=leak)
    with pytest.raises(SyncIsolationAlert) as caught:
        engine(api, storage).run()
    incident = caught.value.incident
    assert incident.kinds == ("unrequested_ids",)
    assert incident.suspect_records == 1
    assert 999 not in storage.orders
    assert caught.value.result.quarantined == 6  # the whole by-id batch: 5 asked for + 1
    assert storage.orders.keys() == {*before, 8}  # the clean list page was merged before
    assert "REF-999" not in str(incident.to_dict())

    with pytest.raises(SyncPaused):
        engine(ScriptedApi(orders), storage).run()
    assert acknowledge(storage) == 1
    engine(ScriptedApi(orders), storage).run()
    assert storage.state["paused_incident"] is None


def test_immutable_change_on_a_list_page_is_caught() -> None:
    storage = MemoryStorage()
    engine(ScriptedApi([make_order(1), make_order(2, minutes=1)]), storage).run()
    api = ScriptedApi([make_order(1), make_order(2, minutes=1, ref="ANOTHER-SHOP-77")])
    with pytest.raises(SyncIsolationAlert):
        engine(api, storage).run()
    assert storage.orders[2].order_reference == "REF-2"


def test_trading_names_learned_on_first_full_page_then_enforced() -> None:
    storage = MemoryStorage()
    mine = [make_order(i, minutes=i, trading_name="Acme Ltd") for i in range(1, 4)]
    eng = SyncEngine(ScriptedApi(mine), storage, account="shop", full=True, options=OPTIONS)
    assert eng.run().trading_names_learned == 1
    foreign = make_order(50, minutes=9, trading_name="Someone Else")
    eng = SyncEngine(
        ScriptedApi([*mine, foreign]), storage, account="shop", full=True, options=OPTIONS
    )
    with pytest.raises(SyncIsolationAlert) as caught:
        eng.run()
    assert caught.value.incident.kinds == ("foreign_trading_name",)
    assert 50 not in storage.orders


def test_learn_trading_names_at_sign_in() -> None:
    storage = MemoryStorage()
    assert learn_trading_names(storage, ["Acme Ltd", "acme  ltd", "Acme Outlet"]) == [
        "Acme Ltd",
        "Acme Outlet",
    ]


def test_quarantined_id_stays_foreign_after_acknowledge() -> None:
    storage = MemoryStorage()
    engine(ScriptedApi([make_order(1)]), storage).run()
    leak = ScriptedApi([make_order(1), make_order(2, minutes=1)], headers={"x-cache": "HIT"})
    with pytest.raises(SyncIsolationAlert):
        engine(leak, storage).run()
    acknowledge(storage)
    # A shared cache says nothing about which record is foreign: the ids are not blocked.
    engine(ScriptedApi([make_order(1), make_order(2, minutes=1)]), storage).run()
    assert sorted(storage.orders) == [1, 2]


def test_id_found_foreign_stays_foreign_after_acknowledge() -> None:
    storage = MemoryStorage()
    engine(ScriptedApi([make_order(i, minutes=i * 20) for i in range(1, 4)]), storage).run()

    def leak_once(number: int, fetched: Fetched) -> Fetched:
        if number == 1:
            return dataclasses.replace(fetched, orders=(*fetched.orders, make_order(777)))
        return fetched

    orders = [make_order(i, minutes=i * 20) for i in range(1, 4)]
    with pytest.raises(SyncIsolationAlert):
        engine(ScriptedApi(orders, tamper=leak_once), storage).run()
    acknowledge(storage)
    engine(ScriptedApi(orders), storage).run()  # finishes the interrupted refresh
    # Later the list itself carries order 777: it was found foreign before, so it still is.
    with pytest.raises(SyncIsolationAlert) as caught:
        engine(ScriptedApi([*orders, make_order(777, minutes=100)]), storage).run()
    assert caught.value.incident.kinds == ("known_foreign",)
    assert 777 not in storage.orders


CONFIRMING = dataclasses.replace(OPTIONS, confirm_new_ids=True)


def test_new_ids_of_a_list_page_are_confirmed_by_id() -> None:
    orders = [make_order(i, minutes=i) for i in range(1, 16)]
    api = ScriptedApi(orders)
    storage = MemoryStorage()
    engine(api, storage, options=CONFIRMING).run()
    assert [c[0] for c in api.calls] == ["list", "ids", "list", "ids"]
    assert api.calls[1][1] == tuple(range(1, 11))
    # Next sync: the overlap re-lists cached orders; only the new one is confirmed.
    api.orders.append(make_order(16, minutes=16))
    api.calls.clear()
    engine(api, storage, options=CONFIRMING).run()
    assert next(c for c in api.calls if c[0] == "ids") == ("ids", (16,))


def test_foreign_order_mixed_into_a_plain_list_page_is_caught() -> None:
    mine = [make_order(i, minutes=i) for i in range(1, 9)]
    foreign = make_order(5001, minutes=3, ref="THEIR-ORDER")

    def mix(number: int, fetched: Fetched) -> Fetched:
        if number == 0:  # the list page; the by-id lookup is honest
            return dataclasses.replace(
                fetched, orders=(*fetched.orders[:2], foreign, *fetched.orders[2:])
            )
        return fetched

    storage = MemoryStorage()
    with pytest.raises(SyncIsolationAlert) as caught:
        engine(ScriptedApi(mine, tamper=mix), storage, options=CONFIRMING).run()
    assert caught.value.incident.kinds == ("unconfirmed_ids",)
    assert caught.value.incident.suspect_records == 1
    assert storage.orders == {}


def test_record_changed_in_the_list_but_not_by_id_is_caught_on_first_sync() -> None:
    mine = [make_order(i, minutes=i) for i in range(1, 5)]

    def mutate(number: int, fetched: Fetched) -> Fetched:
        if number == 0:
            changed = make_order(2, minutes=1, ref="REF-2-CHANGED")
            return dataclasses.replace(
                fetched, orders=(fetched.orders[0], changed, *fetched.orders[2:])
            )
        return fetched

    storage = MemoryStorage()
    with pytest.raises(SyncIsolationAlert) as caught:
        engine(ScriptedApi(mine, tamper=mutate), storage, options=CONFIRMING).run()
    assert caught.value.incident.kinds == ("unconfirmed_ids",)
    assert storage.orders == {}


@pytest.mark.parametrize("depth", [1, 3])
def test_prefetching_gives_the_same_store_and_still_catches_leaks(depth: int) -> None:
    orders = [make_order(i, minutes=i) for i in range(1, 58)]
    options = dataclasses.replace(CONFIRMING, prefetch=depth)
    storage = MemoryStorage()
    result = engine(ScriptedApi(orders), storage, options=options).run()
    assert sorted(storage.orders) == list(range(1, 58))
    assert (result.pages, result.fetched) == (6, 57)

    foreign = make_order(8008, minutes=100)
    leaky = ScriptedApi([*orders, make_order(58, minutes=99)])
    real_list = leaky.list_page

    def list_with_leak(**kw: Any) -> Fetched:
        page = real_list(**kw)
        return dataclasses.replace(page, orders=(*page.orders, foreign))

    leaky.list_page = list_with_leak  # type: ignore[method-assign]
    with pytest.raises(SyncIsolationAlert):
        engine(leaky, storage, options=options).run()
    assert 8008 not in storage.orders
    assert 58 not in storage.orders  # the whole page was held back


def test_offline_while_prefetching_keeps_what_was_committed() -> None:
    orders = [make_order(i, minutes=i) for i in range(1, 41)]
    options = dataclasses.replace(OPTIONS, prefetch=2)
    api = ScriptedApi(orders, raise_on_call={2: Offline("down")})
    storage = MemoryStorage()
    with pytest.raises(Offline):
        engine(api, storage, options=options).run()
    assert len(storage.orders) == 20
    engine(ScriptedApi(orders), storage, options=options).run()
    assert len(storage.orders) == 40


def test_a_leaked_first_page_does_not_teach_its_trading_name() -> None:
    mine = [make_order(i, minutes=i, trading_name="Acme Ltd") for i in range(1, 6)]
    foreign = make_order(7777, minutes=2, trading_name="Other Shop")

    def mix(number: int, fetched: Fetched) -> Fetched:
        if number == 0:
            return dataclasses.replace(fetched, orders=(*fetched.orders, foreign))
        return fetched

    storage = MemoryStorage()
    options = dataclasses.replace(CONFIRMING)
    eng = SyncEngine(
        ScriptedApi(mine, tamper=mix), storage, account="s", full=True, options=options
    )
    with pytest.raises(SyncIsolationAlert) as caught:
        eng.run()
    assert caught.value.incident.kinds == ("unconfirmed_ids",)
    assert storage.state["trading_names"] == []
    acknowledge(storage)
    eng = SyncEngine(ScriptedApi(mine), storage, account="s", full=True, options=options)
    assert eng.run().trading_names_learned == 1
    assert storage.state["trading_names"] == ["Acme Ltd"]


def test_sign_in_trading_names_from_a_confirmed_full_page() -> None:
    mine = [make_order(i, minutes=i, trading_name=n) for i, n in enumerate(["Acme", "Acme 2"], 1)]
    assert sign_in_trading_names(ScriptedApi(mine)) == ["Acme", "Acme 2"]
    assert sign_in_trading_names(ScriptedApi([])) == []


@pytest.mark.parametrize("leak", ["mixed", "cache"])
def test_sign_in_refuses_a_leaking_first_page(leak: str) -> None:
    mine = [make_order(i, minutes=i, trading_name="Acme") for i in range(1, 4)]
    foreign = make_order(999, minutes=9, trading_name="Their Shop")

    def mix(number: int, fetched: Fetched) -> Fetched:
        if number == 0:
            return dataclasses.replace(fetched, orders=(*fetched.orders, foreign))
        return fetched

    api = (
        ScriptedApi(mine, tamper=mix)
        if leak == "mixed"
        else ScriptedApi(mine, headers={"age": "30", "x-cache": "HIT"})
    )
    with pytest.raises(IsolationAlert):
        sign_in_trading_names(api)
