"""AccountSession: its own client and store, connectivity fed by its calls, switching closes all."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from clickdrop_desktop.connectivity import State
from clickdrop_desktop.session import AccountProfile, AccountSession, Sessions, UnlockedKeys
from clickdrop_desktop.store import StoreClosed
from tests.helpers.fake_api import FakeApi, json_response, order_json


def fake_account(ident_base: int) -> FakeApi:
    api = FakeApi()
    orders = [order_json(ident_base + i, f"REF-{ident_base + i}") for i in range(1, 4)]
    api.add("GET", "/orders", json_response(200, {"orders": orders}))
    api.add("GET", r"/orders/[0-9;]+", json_response(200, orders))
    api.add("GET", "/version", json_response(200, {"releaseDate": "2026-01-01T00:00:00Z"}))
    return api


def open_session(tmp_path: Path, name: str, api: FakeApi, key: str) -> AccountSession:
    profile = AccountProfile(
        name=name,
        api_url="https://api.example.test/api/v1",
        account_id=f"id-{name}",
        store_path=tmp_path / f"{name}.db",
        rate_per_s=0,
    )
    keys = UnlockedKeys(key, bytearray(secrets.token_bytes(32)))
    return AccountSession(profile, keys, transport=api.transport(), max_retries=0)


def test_each_session_has_its_own_client_and_store(tmp_path: Path) -> None:
    api_a, api_b = fake_account(1000), fake_account(2000)
    with (
        open_session(tmp_path, "a", api_a, "key-aaaa-1111") as a,
        open_session(tmp_path, "b", api_b, "key-bbbb-2222") as b,
    ):
        assert a.client is not b.client
        assert a.store is not b.store
        assert a.connectivity is not b.connectivity
        a.sync()
        b.sync()
        assert {r.order_identifier for r in a.store.query_orders()} == {1001, 1002, 1003}
        assert {r.order_identifier for r in b.store.query_orders()} == {2001, 2002, 2003}
    # Each account's requests went only to its own transport, with its own key.
    assert {r.headers["authorization"] for r in api_a.requests} == {"Bearer key-aaaa-1111"}
    assert {r.headers["authorization"] for r in api_b.requests} == {"Bearer key-bbbb-2222"}


def test_connectivity_and_listeners_follow_the_calls(tmp_path: Path) -> None:
    api = fake_account(1000)
    api.add("GET", "/version", json_response(503, {"message": "maintenance"}))
    seen: list[str] = []
    with open_session(tmp_path, "a", api, "key-aaaa-1111") as session:
        remove = session.add_listener(lambda event: seen.append(event.endpoint))
        with pytest.raises(Exception, match=r"."):
            session.client.version()
        assert session.connectivity.state is State.OFFLINE
        remove()
        session.sync()
        assert session.connectivity.state is State.ONLINE
    assert seen
    assert all(endpoint == "GET /version" for endpoint in seen)


def test_switching_closes_the_previous_session_entirely(tmp_path: Path) -> None:
    apis = {"a": fake_account(1000), "b": fake_account(2000)}
    sessions = Sessions(lambda name: open_session(tmp_path, name, apis[name], f"key-{name}-0000"))
    first = sessions.switch("a")
    first.sync()
    keys = first._keys
    second = sessions.switch("b")
    assert first.closed
    assert first.store.closed
    assert keys.api_key == ""
    assert not any(keys.store_key)
    with pytest.raises(StoreClosed):
        first.store.query_orders()
    with pytest.raises(RuntimeError):
        first.client.list_orders()  # its httpx client is closed: nothing can go out as "a"
    assert sessions.current is second
    assert {r.order_identifier for r in second.store.query_orders()} == set()
    sessions.close()
    assert second.closed
