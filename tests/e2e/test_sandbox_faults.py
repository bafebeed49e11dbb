"""Every fault the sandbox can switch on at run time, seen from a plain HTTP client."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx
import pytest

from clickdrop_desktop.sandbox.info import SandboxControlError, SandboxInfo
from tests.helpers.sandbox import api_client

pytestmark = pytest.mark.e2e

BASES = {"olp": 10_000_000, "oba": 20_000_000, "oba-a4": 30_000_000, "channelshipper": 40_000_000}
ORDER = {
    "recipient": {
        "address": {"fullName": "A B", "addressLine1": "1 St", "city": "York", "countryCode": "GB"}
    },
    "orderDate": "2026-11-28T10:00:00Z",
    "subtotal": 1,
    "shippingCostCharged": 0,
    "total": 1,
}


def _owner(order_id: int) -> str:
    return next(name for name, base in BASES.items() if base < order_id <= base + 10_000_000)


def test_maintenance_is_503_on_everything_until_cleared(sandbox: SandboxInfo) -> None:
    fault = sandbox.set_fault("maintenance", retry_after=120)
    with api_client(sandbox, "oba") as client:
        version = client.get("/version")
        orders = client.get("/orders")
        create = client.post("/orders", json={"items": [ORDER]})
        assert sandbox.faults()[0]["id"] == fault  # the control API keeps working
        sandbox.clear_fault(fault)
        after = client.get("/orders")
    for response in (version, orders, create):
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["Retry-After"] == "120"
    assert after.status_code == 200
    assert sandbox.requests()[0]["fault"] == "maintenance"


def test_maintenance_json_body_and_count(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("maintenance", body="json", count=2)
    with api_client(sandbox, "oba") as client:
        statuses = [client.get("/orders").status_code for _ in range(3)]
        sandbox.set_fault("maintenance", body="empty", count=1)
        empty = client.get("/orders")
    assert statuses == [503, 503, 200]
    assert empty.content == b""


def _wait_for(predicate: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)  # polling interval, not a wait for an effect


def test_slow_responses_time_out_a_short_timeout(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("slow", delay_ms=1500, count=1)
    with api_client(sandbox, "oba") as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get("/orders", timeout=0.2)
        assert client.get("/orders").status_code == 200
    # The slow request is still being served; let it finish so it cannot meet the next
    # test's faults.
    _wait_for(lambda: len(sandbox.requests(everything=True)) == 2)


def test_drop_before_processing_loses_nothing(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("drop", count=1, path="/orders", method="POST")
    order = dict(ORDER, orderReference="DROP-BEFORE")
    with api_client(sandbox, "olp") as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/orders", json={"items": [order]})
        assert client.get('/orders/"DROP-BEFORE"').status_code == 404
    [entry] = sandbox.requests()
    assert (entry["status"], entry["delivered"], entry["fault"]) == (None, False, "drop")


def test_drop_after_processing_creates_the_order_but_loses_the_reply(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("drop", when="after", count=1, method="POST")
    order = dict(ORDER, orderReference="DROP-AFTER")
    with api_client(sandbox, "olp") as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/orders", json={"items": [order]})
        found = client.get('/orders/"DROP-AFTER"')
        retry = client.post("/orders", json={"items": [order]}).json()
    assert found.status_code == 200
    assert retry["failedOrders"][0]["errors"][0]["errorCode"] == 5  # a blind resend is a duplicate
    first, second = sandbox.requests()
    assert (first["status"], first["delivered"], first["fault"]) == (200, False, "drop")
    assert (second["status"], second["delivered"]) == (200, True)


def test_storm_of_429_with_and_without_retry_after(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("storm", count=2, retry_after=3)
    with api_client(sandbox, "oba") as client:
        storm = [client.get("/orders") for _ in range(3)]
        sandbox.set_fault("storm", count=1)
        bare = client.get("/version")
    assert [r.status_code for r in storm] == [429, 429, 200]
    assert storm[0].headers["Retry-After"] == "3"
    assert bare.status_code == 429
    assert "Retry-After" not in bare.headers


def test_storm_for_a_duration_is_listed_with_its_time_left(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("storm", duration_s=600)
    [listed] = sandbox.faults()
    assert 0 < listed["seconds_left"] <= 600
    with api_client(sandbox, "oba") as client:
        assert {client.get("/orders").status_code for _ in range(5)} == {429}
    assert sandbox.faults()[0]["fired"] == 5


def test_error_500_in_the_endpoint_shape(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("error_500", count=2)
    with api_client(sandbox, "oba") as client:
        plain = client.get("/orders")
        manifest = client.get("/manifests/1")
    assert plain.status_code == manifest.status_code == 500
    assert plain.json()["message"]
    assert manifest.json()["errors"][0]["code"] == "InternalError"


def test_malformed_json_and_not_a_pdf(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("malformed", count=2)
    with api_client(sandbox, "oba") as client:
        listing = client.get("/orders")
        label = client.get(f"/orders/{BASES['oba'] + 1}/label", params={"documentType": "CN22"})
    assert listing.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(listing.content)
    assert label.status_code == 200
    assert label.headers["content-type"] == "application/pdf"
    assert not label.content.startswith(b"%PDF")


def test_truncated_body_breaks_the_read(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("truncated", count=1)
    with api_client(sandbox, "oba") as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/orders")
        assert client.get("/orders").status_code == 200


def test_leak_mixed_puts_foreign_orders_in_a_page(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("leak_mixed", count=1, from_account="olp", leak_count=3)
    with api_client(sandbox, "oba") as client:
        leaked = client.get("/orders", params={"pageSize": 10}).json()["orders"]
        clean = client.get("/orders", params={"pageSize": 10}).json()["orders"]
    owners = [_owner(int(o["orderIdentifier"])) for o in leaked]
    assert owners.count("olp") == 3
    assert owners.count("oba") == 10
    assert {_owner(int(o["orderIdentifier"])) for o in clean} == {"oba"}
    assert sandbox.requests(everything=True)[0]["fault"] == "leak_mixed"


def test_leak_extra_ids_answers_ids_not_asked_for(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("leak_extra_ids", count=1, leak_count=2)
    asked = BASES["oba"] + 5
    with api_client(sandbox, "oba") as client:
        got = client.get(f"/orders/{asked}").json()
    assert got[0]["orderIdentifier"] == asked
    assert len(got) == 3
    assert all(_owner(int(o["orderIdentifier"])) != "oba" for o in got[1:])


def test_leak_shared_cache_serves_another_accounts_page(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("leak_shared_cache", count=1, from_account="channelshipper", age=90)
    with api_client(sandbox, "oba") as client:
        response = client.get("/orders", params={"pageSize": 5})
    assert response.headers["Age"] == "90"
    assert response.headers["X-Cache"] == "HIT"
    assert "public" in response.headers["Cache-Control"]
    owners = {_owner(int(o["orderIdentifier"])) for o in response.json()["orders"]}
    assert owners == {"channelshipper"}


def test_leak_trading_name_on_full_records(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("leak_trading_name", count=1, from_account="oba")
    with api_client(sandbox, "channelshipper") as client:
        orders = client.get("/orders/full", params={"pageSize": 3}).json()["orders"]
    assert orders[0]["tradingName"] == "Northwind Parcels Ltd"
    assert {o["tradingName"] for o in orders[1:]} == {"Kestrel Trading Co"}


def test_mutate_immutable_changes_reference_and_created_on(sandbox: SandboxInfo) -> None:
    target = BASES["oba"] + 7
    with api_client(sandbox, "oba") as client:
        before = client.get(f"/orders/{target - 1};{target}").json()
        sandbox.set_fault("mutate_immutable", count=1, order=target)
        untouched = client.get(f"/orders/{target - 1}").json()  # target absent: not fired
        changed = client.get(f"/orders/{target - 1};{target}").json()
        sandbox.set_fault("mutate_immutable", count=1, fields=["createdOn"])
        only_date = client.get(f"/orders/{target}").json()[0]
    assert untouched == before[:1]
    assert changed[0] == before[0]
    assert changed[1]["orderIdentifier"] == target
    assert changed[1]["orderReference"] == f"{before[1]['orderReference']}-CHANGED"
    assert changed[1]["createdOn"] < before[1]["createdOn"]
    assert only_date["orderReference"] == before[1]["orderReference"]
    assert only_date["createdOn"] != before[1]["createdOn"]


def test_faults_can_target_one_account_path_or_method(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("error_500", account="olp")
    sandbox.set_fault("storm", path="/orders/status")
    sandbox.set_fault("maintenance", method="DELETE")
    with api_client(sandbox, "oba") as oba, api_client(sandbox, "olp") as olp:
        assert oba.get("/orders").status_code == 200
        assert olp.get("/orders").status_code == 500
        assert oba.put("/orders/status", json={"items": []}).status_code == 429
        assert oba.delete(f"/orders/{BASES['oba'] + 1}").status_code == 503


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"kind": "earthquake"},
        {"kind": "slow"},
        {"kind": "storm", "count": 0},
        {"kind": "drop", "when": "during"},
        {"kind": "leak_mixed", "from_account": "nobody"},
        {"kind": "storm", "colour": "red"},
        {"kind": "mutate_immutable", "fields": ["total"]},
    ],
)
def test_bad_fault_specs_are_refused(sandbox: SandboxInfo, spec: dict[str, object]) -> None:
    with pytest.raises(SandboxControlError):
        sandbox.set_fault(**spec)
    assert sandbox.faults() == []


def test_reset_clears_faults_config_and_log(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("maintenance")
    sandbox.configure(rate_limit=1, rate_limit_retry_after=9)
    with api_client(sandbox, "oba") as client:
        client.post("/orders", json={"items": [ORDER]})
    sandbox.reset()
    info = sandbox.info()
    assert sandbox.faults() == []
    assert sandbox.requests(everything=True) == []
    assert (info["rate_limit"], info["rate_limit_retry_after"]) == (0, None)
