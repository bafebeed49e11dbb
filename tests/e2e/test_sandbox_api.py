"""The sandbox process against plain HTTP: auth, pagination, identifiers, gating, lifecycle."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from urllib.parse import quote

import httpx
import pytest

from clickdrop_desktop.sandbox.info import SandboxInfo
from tests.helpers.sandbox import api_client

pytestmark = pytest.mark.e2e

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ID_BASE = {"olp": 10_000_000, "oba": 20_000_000, "oba-a4": 30_000_000}
ID_BASE |= {"channelshipper": 40_000_000, "olp-bare": 50_000_000}


def _all(client: httpx.Client, path: str = "/orders", **params: object) -> list[dict[str, object]]:
    """Every order of a listing, following continuation tokens to the end."""
    orders: list[dict[str, object]] = []
    query: dict[str, object] = dict(params)
    while True:
        response = client.get(path, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        orders += page["orders"]
        if not page["continuationToken"]:
            return orders
        query["continuationToken"] = page["continuationToken"]


def _quoted(reference: str) -> str:
    return '"' + quote(reference, safe="") + '"'


# -- the process -----------------------------------------------------------------------------


def test_first_line_names_url_and_three_account_types(sandbox: SandboxInfo) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v1", sandbox.url)
    assert {a.type for a in sandbox.accounts} == {"OLP", "OBA", "ChannelShipper"}
    keys = [a.api_key for a in sandbox.accounts]
    assert all(GUID.match(k) for k in keys)
    assert len(set(keys)) == len(keys)
    assert "api_key" not in repr(sandbox.accounts)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_runs_until_signalled_then_exits_cleanly(signum: int) -> None:
    command = [sys.executable, "-m", "clickdrop_desktop", "sandbox", "--port", "0"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    first = json.loads(proc.stdout.readline())
    assert httpx.get(first["url"] + "/version", timeout=10).status_code == 200
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert b"Traceback" not in err


def test_bad_arguments_give_one_line_and_exit_2() -> None:
    command = [sys.executable, "-m", "clickdrop_desktop", "sandbox", "--orders", "-5"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "orders must be between" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_two_runs_have_different_keys(sandbox_factory: Callable[..., SandboxInfo]) -> None:
    first, second = sandbox_factory(orders=5), sandbox_factory(orders=5)
    assert {a.api_key for a in first.accounts}.isdisjoint(a.api_key for a in second.accounts)


# -- authentication --------------------------------------------------------------------------


def test_version_needs_no_auth(sandbox: SandboxInfo) -> None:
    response = httpx.get(sandbox.url + "/version", timeout=10)
    assert response.status_code == 200
    assert response.json()["releaseDate"]


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer nope", "00000000-dead-beef"])
def test_missing_or_wrong_key_is_401_with_empty_body(
    sandbox: SandboxInfo, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = httpx.get(sandbox.url + "/orders", headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.content == b""
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_bearer_and_bare_key_both_work_where_the_account_allows(sandbox: SandboxInfo) -> None:
    for name in ("olp", "oba", "channelshipper"):
        for bearer in (True, False):
            with api_client(sandbox, name, bearer=bearer) as client:
                assert client.get("/orders", params={"pageSize": 1}).status_code == 200
    key = sandbox.account("oba").api_key
    lower = httpx.get(
        sandbox.url + "/orders", headers={"Authorization": f"bearer {key}"}, timeout=30
    )
    assert lower.status_code == 200


def test_bare_key_only_account_refuses_bearer(sandbox: SandboxInfo) -> None:
    with api_client(sandbox, "olp-bare", bearer=True) as client:
        assert client.get("/orders").status_code == 401
    with api_client(sandbox, "olp-bare", bearer=False) as client:
        assert client.get("/orders").status_code == 200


def test_keys_never_reach_the_request_log(sandbox: SandboxInfo) -> None:
    with api_client(sandbox, "oba") as client:
        client.get("/orders")
        client.put("/orders/status", json={"items": []})
    log = json.dumps(sandbox.requests(everything=True))
    assert all(a.api_key not in log for a in sandbox.accounts)


# -- pagination ------------------------------------------------------------------------------


def test_pages_cover_every_order_once_in_creation_order(sandbox: SandboxInfo) -> None:
    with api_client(sandbox, "oba") as client:
        first = client.get("/orders").json()
        orders = _all(client, pageSize=100)
    assert len(first["orders"]) == 25
    assert first["continuationToken"]
    ids = [o["orderIdentifier"] for o in orders]
    assert len(ids) == len(set(ids)) == 200
    assert all(ID_BASE["oba"] < i <= ID_BASE["oba"] + 200 for i in ids)
    created = [o["createdOn"] for o in orders]
    assert created == sorted(created)


def test_last_page_has_no_token(sandbox: SandboxInfo) -> None:
    with api_client(sandbox, "olp") as client:
        page = client.get("/orders", params={"pageSize": 100}).json()
        last = client.get(
            "/orders", params={"pageSize": 100, "continuationToken": page["continuationToken"]}
        ).json()
    assert len(last["orders"]) == 100
    assert last["continuationToken"] is None


@pytest.mark.parametrize("size", ["0", "101", "-1", "ten", "2.5"])
def test_page_size_outside_1_to_100_is_400(sandbox: SandboxInfo, size: str) -> None:
    with api_client(sandbox, "oba") as client:
        response = client.get("/orders", params={"pageSize": size})
    assert response.status_code == 400
    assert "pageSize" in response.json()["message"]


def test_tokens_are_opaque_and_bound_to_account_and_view(sandbox: SandboxInfo) -> None:
    with api_client(sandbox, "channelshipper") as cs, api_client(sandbox, "oba") as oba:
        token = cs.get("/orders", params={"pageSize": 5}).json()["continuationToken"]
        assert cs.get("/orders", params={"continuationToken": token}).status_code == 200
        assert cs.get("/orders/full", params={"continuationToken": token}).status_code == 400
        assert oba.get("/orders", params={"continuationToken": token}).status_code == 400
        forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        assert cs.get("/orders", params={"continuationToken": forged}).status_code == 400
        assert cs.get("/orders", params={"continuationToken": "%%%"}).status_code == 400


def test_date_window_filters_on_created_on(sandbox: SandboxInfo) -> None:
    with api_client(sandbox, "oba") as client:
        everything = _all(client, pageSize=100)
        start, end = everything[50]["createdOn"], everything[59]["createdOn"]
        window = _all(client, pageSize=3, startDateTime=start, endDateTime=end)
        naive_start = str(start).replace("+00:00", "")
        naive = _all(client, pageSize=100, startDateTime=naive_start, endDateTime=end)
        bad = client.get("/orders", params={"startDateTime": "yesterday"})
    assert [o["orderIdentifier"] for o in window] == [
        o["orderIdentifier"] for o in everything[50:60]
    ]
    assert naive == window
    assert bad.status_code == 400


def test_accounts_never_see_each_others_orders(sandbox: SandboxInfo) -> None:
    for name, base in ID_BASE.items():
        with api_client(sandbox, name) as client:
            ids = {o["orderIdentifier"] for o in _all(client, pageSize=100)}
            assert all(base < i <= base + 200 for i in ids), name
            other = ID_BASE["oba" if name != "oba" else "olp"] + 1
            assert client.get(f"/orders/{other}").status_code == 404


# -- identifiers -----------------------------------------------------------------------------


def test_ids_and_references_mixed_in_request_order(sandbox: SandboxInfo) -> None:
    with api_client(sandbox, "oba") as client:
        orders = client.get("/orders", params={"pageSize": 10}).json()["orders"]
        a, b = orders[3], orders[7]
        segment = f"{b['orderIdentifier']};{_quoted(str(a['orderReference']))}"
        got = client.get(f"/orders/{segment}")
        encoded_quotes = client.get(f"/orders/%22{quote(str(a['orderReference']), safe='')}%22")
    assert got.status_code == 200
    assert [o["orderIdentifier"] for o in got.json()] == [
        b["orderIdentifier"],
        a["orderIdentifier"],
    ]
    assert encoded_quotes.json() == [a]


def test_hostile_references_are_found_by_reference(sandbox: SandboxInfo) -> None:
    with api_client(sandbox, "oba") as client:
        orders = _all(client, pageSize=100)
        hostile = [
            o
            for o in orders
            if o["orderReference"] and not re.fullmatch(r"[A-Z]+-\d+", str(o["orderReference"]))
        ]
        assert len(hostile) >= 10
        for order in hostile:
            found = client.get(f"/orders/{_quoted(str(order['orderReference']))}")
            assert found.status_code == 200, order["orderReference"]
            assert found.json() == [order]


def test_numeric_reference_is_not_an_identifier(sandbox: SandboxInfo) -> None:
    with api_client(sandbox, "oba") as client:
        orders = _all(client, pageSize=100)
        numeric = next(o for o in orders if str(o["orderReference"] or "").isdigit())
        by_reference = client.get(f"/orders/{_quoted(str(numeric['orderReference']))}").json()
        by_id = client.get(f"/orders/{numeric['orderReference']}").json()
    assert by_reference == [numeric]
    assert by_id[0]["orderIdentifier"] == int(str(numeric["orderReference"]))
    assert by_id[0]["orderIdentifier"] != numeric["orderIdentifier"]


@pytest.mark.parametrize("segment", ["abc", "1;;2", '"open', "%2220000001%22%3B20000002", "1.5"])
def test_unparseable_identifiers_are_400_order_errors(sandbox: SandboxInfo, segment: str) -> None:
    with api_client(sandbox, "oba") as client:
        response = client.get(f"/orders/{segment}")
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == "InvalidOrderIdentifier"
    assert set(error) == {"accountOrderNumber", "channelOrderReference", "code", "message"}


def test_at_most_100_identifiers(sandbox: SandboxInfo) -> None:
    ids = [str(ID_BASE["oba"] + i) for i in range(1, 102)]
    with api_client(sandbox, "oba") as client:
        hundred = client.get("/orders/" + ";".join(ids[:100]))
        too_many = client.get("/orders/" + ";".join(ids))
    assert hundred.status_code == 200
    assert len(hundred.json()) == 100
    assert too_many.status_code == 400
    assert "maximum is 100" in too_many.json()[0]["message"]


def test_unknown_ids_are_404_and_partly_known_ids_give_the_known(sandbox: SandboxInfo) -> None:
    with api_client(sandbox, "oba") as client:
        assert client.get(f"/orders/{ID_BASE['oba'] + 9999}").status_code == 404
        assert client.get('/orders/"no-such-ref"').status_code == 404
        partly = client.get(f"/orders/{ID_BASE['oba'] + 1};{ID_BASE['oba'] + 9999}")
    assert [o["orderIdentifier"] for o in partly.json()] == [ID_BASE["oba"] + 1]


# -- feature gating --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "status"), [("olp", 403), ("oba", 403), ("channelshipper", 200)]
)
def test_full_endpoints_are_channelshipper_only(
    sandbox: SandboxInfo, account: str, status: int
) -> None:
    order_id = ID_BASE[account] + 1
    with api_client(sandbox, account) as client:
        listing = client.get("/orders/full")
        by_id = client.get(f"/orders/{order_id}/full")
    assert (listing.status_code, by_id.status_code) == (status, status)
    if status == 403:
        assert listing.json()["message"] == "Feature not available"


def test_full_records_carry_the_account_trading_name(sandbox: SandboxInfo) -> None:
    with api_client(sandbox, "channelshipper") as client:
        orders = _all(client, "/orders/full", pageSize=100)
    assert {o["tradingName"] for o in orders} == {"Kestrel Trading Co"}
    assert {o["orderStatus"] for o in orders} >= {"new", "labelGenerated", "despatched"}
    assert all("shippingInfo" in o and "orderLines" in o for o in orders)


@pytest.mark.parametrize("account", ["olp", "channelshipper", "olp-bare"])
def test_labels_and_manifests_are_oba_only(sandbox: SandboxInfo, account: str) -> None:
    with api_client(sandbox, account) as client:
        label = client.get(
            f"/orders/{ID_BASE[account] + 1}/label",
            params={"documentType": "postageLabel", "includeReturnsLabel": "false"},
        )
        manifest = client.post("/manifests")
        manifest_get = client.get("/manifests/5001")
    assert label.status_code == 403
    assert label.json()["message"] == "Feature available for OBA accounts only"
    assert manifest.status_code == manifest_get.status_code == 403
    assert manifest.json()["errors"][0]["code"] == "Forbidden"


def test_despatched_by_other_courier_is_channelshipper_only(
    sandbox: SandboxInfo,
) -> None:
    item = {"orderIdentifier": ID_BASE["oba"] + 1, "status": "despatchedByOtherCourier"}
    with api_client(sandbox, "oba") as client:
        body = client.put("/orders/status", json={"items": [item]}).json()
    assert body["updatedOrders"] == []
    assert body["errors"][0]["code"] == "FeatureNotAvailable"


def test_wrong_methods_are_405(sandbox: SandboxInfo) -> None:
    with api_client(sandbox, "oba") as client:
        assert client.delete("/orders").status_code == 405
        assert client.post("/orders/status").status_code == 405
        assert client.get("/orders/status").status_code == 405
        assert client.get("/nothing-here").status_code == 404


# -- determinism and rate limit --------------------------------------------------------------


def _dump(info: SandboxInfo) -> str:
    pages = []
    for account in info.accounts:
        with api_client(info, account.name) as client:
            paths = ["/orders"] + (["/orders/full"] if account.type == "ChannelShipper" else [])
            for path in paths:
                query: dict[str, object] = {"pageSize": 37}
                while True:
                    response = client.get(path, params=query)
                    pages.append(response.text)
                    token = response.json()["continuationToken"]
                    if not token:
                        break
                    query["continuationToken"] = token
    return "\n".join(pages)


def test_same_seed_gives_byte_identical_responses(
    sandbox_factory: Callable[..., SandboxInfo],
) -> None:
    one, two = sandbox_factory(seed=42, orders=120), sandbox_factory(seed=42, orders=120)
    other = sandbox_factory(seed=43, orders=120)
    assert _dump(one) == _dump(two)
    assert _dump(one) != _dump(other)


@pytest.mark.sandbox(rate_limit=5)
def test_rate_limit_is_per_account_with_429(fresh_sandbox: SandboxInfo) -> None:
    with api_client(fresh_sandbox, "oba") as oba, api_client(fresh_sandbox, "olp") as olp:
        statuses = [oba.get("/orders", params={"pageSize": 1}).status_code for _ in range(20)]
        assert statuses.count(429) >= 10
        limited = oba.get("/orders")
        assert olp.get("/orders").status_code == 200
        assert httpx.get(fresh_sandbox.url + "/version", timeout=30).status_code == 200
    assert limited.status_code == 429
    assert "Retry-After" not in limited.headers
    assert "Rate limit exceeded" in limited.json()["message"]


@pytest.mark.sandbox(rate_limit=5)
def test_rate_limit_retry_after_and_switching_off(fresh_sandbox: SandboxInfo) -> None:
    fresh_sandbox.configure(rate_limit_retry_after=1)
    with api_client(fresh_sandbox, "oba") as client:
        limited = [client.get("/orders") for _ in range(20)]
        assert any(r.headers.get("Retry-After") == "1" for r in limited if r.status_code == 429)
        fresh_sandbox.configure(rate_limit=0)
        assert {client.get("/orders").status_code for _ in range(30)} == {200}
