"""The sandbox's state-changing endpoints: create, status, delete, labels, manifests, the log."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

import httpx
import pypdfium2 as pdfium
import pytest
import zxingcpp

from clickdrop_desktop.sandbox.info import SandboxInfo
from tests.helpers.sandbox import api_client

pytestmark = pytest.mark.e2e

OBA_BASE = 20_000_000
LABEL = {"documentType": "postageLabel", "includeReturnsLabel": "false"}


def new_order(reference: str, *, postage: bool = True, **more: Any) -> dict[str, Any]:
    """A valid CreateOrderRequest (postage applied when it has a service code and a package)."""
    order: dict[str, Any] = {
        "orderReference": reference,
        "recipient": {
            "address": {
                "fullName": "Jane Q Public",
                "addressLine1": "1 Test Street",
                "city": "Leeds",
                "postcode": "LS1 4AP",
                "countryCode": "GB",
            },
            "emailAddress": "jane@example.com",
        },
        "orderDate": "2026-11-28T10:00:00",
        "subtotal": 19.99,
        "shippingCostCharged": 3.5,
        "total": 23.49,
        "packages": [
            {
                "weightInGrams": 450,
                "packageFormatIdentifier": "smallParcel",
                "contents": [
                    {
                        "SKU": "MUG-1",
                        "name": "Mug",
                        "quantity": 1,
                        "unitValue": 19.99,
                        "unitWeightInGrams": 400,
                    }
                ],
            }
        ],
    }
    if postage:
        order["postageDetails"] = {"serviceCode": "TPN24"}
    order.update(more)
    return order


def _status(info: SandboxInfo, account: str, order_id: int) -> dict[str, Any]:
    return info.order_state(account, order_id)


def _find(info: SandboxInfo, account: str, status: str, base: int, count: int = 200) -> int:
    """The newest order in `status` (recent orders are new / postage applied)."""
    for order_id in range(base + count, base, -1):
        state = info.order_state(account, order_id)
        if state["status"] == status and state["order"]["orderReference"]:
            return order_id
    raise AssertionError(f"no {status} order")


# -- create ----------------------------------------------------------------------------------


def test_create_reports_each_order_and_keeps_going(fresh_sandbox: SandboxInfo) -> None:
    bad = new_order("BAD-1")
    del bad["recipient"]["address"]["city"]
    items = [
        new_order("NEW-1"),
        bad,
        new_order("SHP-100012"),  # a seeded reference: duplicate
        new_order("NEW-2", postage=False),
        new_order("NEW-1"),  # duplicate within the request
    ]
    with api_client(fresh_sandbox, "oba") as client:
        response = client.post("/orders", json={"items": items})
        body = response.json()
        created = {o["orderReference"]: o for o in body["createdOrders"]}
        looked_up = client.get('/orders/"NEW-1"').json()
    assert response.status_code == 200
    assert (body["successCount"], body["errorsCount"]) == (2, 3)
    assert set(created) == {"NEW-1", "NEW-2"}
    assert created["NEW-1"]["trackingNumber"] is None
    assert created["NEW-1"]["packages"] == [{"packageNumber": 1, "trackingNumber": None}]
    assert created["NEW-1"]["orderIdentifier"] == OBA_BASE + 201
    assert looked_up[0]["orderIdentifier"] == created["NEW-1"]["orderIdentifier"]
    failures = [(f["order"]["orderReference"], f["errors"][0]) for f in body["failedOrders"]]
    assert failures[0][0] == "BAD-1"
    assert failures[0][1]["errorCode"] == 1
    assert failures[0][1]["fields"][0]["fieldName"] == "recipient.address.city"
    assert [f[1]["errorCode"] for f in failures[1:]] == [5, 5]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"orderReference": "X" * 41}, 2, "orderReference"),
        ({"subtotal": -1}, 3, "subtotal"),
        ({"total": 1.001}, 4, "total"),
        ({"postageDetails": {"serviceCode": "NOPE"}}, 31, "postageDetails.serviceCode"),
        ({"orderDate": "not a date"}, 4, "orderDate"),
        ({"sender": {"tradingName": "Someone Else Ltd"}}, 4, "sender.tradingName"),
        ({"specialInstructions": "x" * 501}, 2, "specialInstructions"),
    ],
)
def test_create_validates_the_spec_limits(
    sandbox: SandboxInfo, change: dict[str, Any], code: int, field: str
) -> None:
    with api_client(sandbox, "oba") as client:
        body = client.post("/orders", json={"items": [new_order("LIMIT-1", **change)]}).json()
    assert body["successCount"] == 0
    errors = body["failedOrders"][0]["errors"]
    assert (errors[0]["errorCode"], errors[0]["fields"][0]["fieldName"]) == (code, field)


def test_create_validates_packages(sandbox: SandboxInfo) -> None:
    order = new_order("PKG-1")
    order["packages"][0]["weightInGrams"] = 30001
    order["packages"][0]["packageFormatIdentifier"] = "crate"
    order["packages"][0]["contents"][0]["quantity"] = 0
    with api_client(sandbox, "oba") as client:
        errors = client.post("/orders", json={"items": [order]}).json()["failedOrders"][0]["errors"]
    fields = {e["fields"][0]["fieldName"] for e in errors}
    assert fields >= {
        "packages[0].weightInGrams",
        "packages[0].packageFormatIdentifier",
        "packages[0].contents[0].quantity",
    }


@pytest.mark.parametrize(
    "body", [b"not json", b"{}", b'{"items": []}', b'{"items": {}}', b"[1, 2]"]
)
def test_create_without_items_is_400_error_response(sandbox: SandboxInfo, body: bytes) -> None:
    with api_client(sandbox, "oba") as client:
        response = client.post(
            "/orders", content=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 400
    assert response.json()["message"]


def test_inline_label_only_one_per_request(sandbox: SandboxInfo) -> None:
    label = {"includeLabelInResponse": True}
    items = [new_order("IL-1", label=label), new_order("IL-2", label=label)]
    with api_client(sandbox, "oba") as client:
        response = client.post("/orders", json={"items": items})
    assert response.status_code == 400
    assert response.json()["message"] == "Amount of labels across all items must not exceed 1"


def test_inline_label_for_oba_generates_it(fresh_sandbox: SandboxInfo) -> None:
    item = new_order("IL-OK", label={"includeLabelInResponse": True, "includeReturnsLabel": True})
    with api_client(fresh_sandbox, "oba") as client:
        created = client.post("/orders", json={"items": [item]}).json()["createdOrders"][0]
    pdf = base64.b64decode(created["label"])
    assert pdf.startswith(b"%PDF")
    assert len(pdfium.PdfDocument(pdf)) == 2  # label + returns label
    assert created["trackingNumber"]
    assert created["printedOn"]
    assert created["generatedDocuments"] == ["postageLabel"]


@pytest.mark.parametrize("account", ["olp", "channelshipper"])
def test_inline_label_elsewhere_creates_the_order_with_a_label_error(
    sandbox: SandboxInfo, account: str
) -> None:
    item = new_order(f"IL-{account}", postage=False, label={"includeLabelInResponse": True})
    with api_client(sandbox, account) as client:
        created = client.post("/orders", json={"items": [item]}).json()["createdOrders"][0]
    assert created["label"] is None
    assert created["labelErrors"][0]["message"] == "Feature available for OBA accounts only"


# -- status and delete -----------------------------------------------------------------------


def test_despatch_by_id_and_reference(fresh_sandbox: SandboxInfo) -> None:
    target = _find(fresh_sandbox, "oba", "labelGenerated", OBA_BASE)
    state = _status(fresh_sandbox, "oba", target)
    reference = state["order"]["orderReference"]
    items = [
        {"orderIdentifier": target, "status": "despatched"},
        {"orderReference": reference, "status": "despatched"},
        {"orderIdentifier": target, "orderReference": reference, "status": "despatched"},
        {"orderIdentifier": OBA_BASE + 9999, "status": "despatched"},
        {"orderIdentifier": target, "status": "lost"},
    ]
    with api_client(fresh_sandbox, "oba") as client:
        body = client.put("/orders/status", json={"items": items}).json()
        order = client.get(f"/orders/{target}").json()[0]
    assert [u["orderIdentifier"] for u in body["updatedOrders"]] == [target, target]
    assert [e["code"] for e in body["errors"]] == [
        "InvalidRequest",
        "OrderNotFound",
        "InvalidStatus",
    ]
    assert order["shippedOn"]


@pytest.mark.parametrize(
    "body", [b"nope", b"{}", b'{"items": []}', b'{"items": [' + b"{}," * 100 + b"{}]}"]
)
def test_status_request_errors_are_400_arrays(sandbox: SandboxInfo, body: bytes) -> None:
    with api_client(sandbox, "oba") as client:
        response = client.put("/orders/status", content=body)
    assert response.status_code == 400
    assert isinstance(response.json(), list)
    assert set(response.json()[0]) == {
        "orderIdentifier",
        "orderReference",
        "status",
        "code",
        "message",
    }


def test_reset_to_new_voids_the_label_and_a_new_label_gets_a_new_number(
    fresh_sandbox: SandboxInfo,
) -> None:
    target = _find(fresh_sandbox, "oba", "labelGenerated", OBA_BASE)
    with api_client(fresh_sandbox, "oba") as client:
        before = client.get(f"/orders/{target}").json()[0]
        client.put("/orders/status", json={"items": [{"orderIdentifier": target, "status": "new"}]})
        reset = client.get(f"/orders/{target}").json()[0]
        assert client.get(f"/orders/{target}/label", params=LABEL).status_code == 200
        again = client.get(f"/orders/{target}").json()[0]
    assert reset["trackingNumber"] is None
    assert reset["printedOn"] is None
    assert again["trackingNumber"] not in (None, before["trackingNumber"])


def test_despatched_by_other_courier_for_channelshipper(fresh_sandbox: SandboxInfo) -> None:
    target = 40_000_000 + 190
    item = {
        "orderIdentifier": target,
        "status": "despatchedByOtherCourier",
        "trackingNumber": "1Z999",
        "despatchDate": "2026-11-28T09:00:00Z",
        "shippingCarrier": "UPS",
        "shippingService": "Express",
    }
    incomplete = {
        "orderIdentifier": target,
        "status": "despatchedByOtherCourier",
        "trackingNumber": "1Z999",
    }
    with api_client(fresh_sandbox, "channelshipper") as client:
        refused = client.put("/orders/status", json={"items": [incomplete]}).json()
        body = client.put("/orders/status", json={"items": [item]}).json()
        full = client.get(f"/orders/{target}/full").json()[0]
    assert refused["errors"][0]["code"] == "InvalidRequest"
    assert body["updatedOrders"][0]["status"] == "despatchedByOtherCourier"
    assert full["orderStatus"] == "despatchedByOtherCourier"
    assert full["shippingDetails"]["trackingNumber"] == "1Z999"
    assert full["shippingDetails"]["shippingCarrier"] == "UPS"


def test_delete_then_gone_everywhere(fresh_sandbox: SandboxInfo) -> None:
    manifested = _find(fresh_sandbox, "oba", "manifested", OBA_BASE)
    with api_client(fresh_sandbox, "oba") as client:
        created = client.post("/orders", json={"items": [new_order("DEL-1")]}).json()
        new_id = created["createdOrders"][0]["orderIdentifier"]
        body = client.delete(f'/orders/{OBA_BASE + 1};"DEL-1";{manifested};{OBA_BASE + 9999}')
        assert client.get(f"/orders/{OBA_BASE + 1}").status_code == 404
        assert client.get('/orders/"DEL-1"').status_code == 404
        again = client.delete(f"/orders/{OBA_BASE + 1}")
        listed = {
            o["orderIdentifier"]
            for o in client.get("/orders", params={"pageSize": 100}).json()["orders"]
        }
        recreated = client.post("/orders", json={"items": [new_order("DEL-1")]}).json()
    data = body.json()
    assert body.status_code == 200
    assert [d["orderIdentifier"] for d in data["deletedOrders"]] == [OBA_BASE + 1, new_id]
    assert [e["code"] for e in data["errors"]] == ["OrderManifested", "OrderNotFound"]
    assert again.status_code == 404
    assert OBA_BASE + 1 not in listed
    assert recreated["successCount"] == 1  # a deleted order's reference is free again
    assert _status(fresh_sandbox, "oba", OBA_BASE + 1)["deleted"] is True


# -- labels ----------------------------------------------------------------------------------


def _barcodes(pdf: bytes, page: int = 0) -> set[str]:
    image = pdfium.PdfDocument(pdf)[page].render(scale=203 / 72).to_pil()
    return {b.text for b in zxingcpp.read_barcodes(image)}


def test_label_generation_sets_printed_on_and_tracking(fresh_sandbox: SandboxInfo) -> None:
    target = _find(fresh_sandbox, "oba", "postageApplied", OBA_BASE)
    with api_client(fresh_sandbox, "oba") as client:
        before = client.get(f"/orders/{target}").json()[0]
        response = client.get(f"/orders/{target}/label", params=LABEL)
        after = client.get(f"/orders/{target}").json()[0]
        reprint = client.get(f"/orders/{target}/label", params=LABEL)
    assert before["printedOn"] is None
    assert before["trackingNumber"] is None
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert after["printedOn"]
    assert after["trackingNumber"] in _barcodes(response.content)
    assert after["packages"][0]["trackingNumber"] == after["trackingNumber"]
    assert after["trackingNumber"] in _barcodes(reprint.content)  # same number on a reprint
    assert _status(fresh_sandbox, "oba", target)["labelsGenerated"] == 2
    logged = [
        r
        for r in fresh_sandbox.requests()
        if r["path"].endswith(f"{target}/label?documentType=postageLabel&includeReturnsLabel=false")
    ]
    assert len(logged) == 2


def test_orders_without_postage_get_400_and_nothing_changes(fresh_sandbox: SandboxInfo) -> None:
    unpaid = _find(fresh_sandbox, "oba", "new", OBA_BASE)
    ready = _find(fresh_sandbox, "oba", "postageApplied", OBA_BASE)
    with api_client(fresh_sandbox, "oba") as client:
        response = client.get(f"/orders/{ready};{unpaid}/label", params=LABEL)
        ready_after = client.get(f"/orders/{ready}").json()[0]
        note = client.get(f"/orders/{unpaid}/label", params={"documentType": "despatchNote"})
    assert response.status_code == 400
    [error] = response.json()
    assert error["accountOrderNumber"] == unpaid
    assert error["code"] == "OrderValidationError"
    assert (
        error["message"] == "Label generation only available for orders with postage applied status"
    )
    assert ready_after["printedOn"] is None  # all or nothing
    assert note.status_code == 200  # a despatch note needs no postage
    assert _status(fresh_sandbox, "oba", unpaid)["order"]["printedOn"] is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "documentType is required"),
        ({"documentType": "shippingLabel"}, "documentType is required"),
        ({"documentType": "postageLabel"}, "includeReturnsLabel is required"),
        ({"documentType": "postageLabel", "includeReturnsLabel": "yes"}, "must be true or false"),
    ],
)
def test_label_parameters_are_checked(
    sandbox: SandboxInfo, params: dict[str, str], message: str
) -> None:
    with api_client(sandbox, "oba") as client:
        response = client.get(f"/orders/{OBA_BASE + 1}/label", params=params)
    assert response.status_code == 400
    assert message in response.json()[0]["message"]


def test_multi_order_label_is_one_multi_page_pdf(fresh_sandbox: SandboxInfo) -> None:
    ids = [str(OBA_BASE + i) for i in range(1, 40)]
    with api_client(fresh_sandbox, "oba") as client:
        printed = [
            o["orderIdentifier"]
            for o in client.get("/orders/" + ";".join(ids)).json()
            if o["printedOn"]
        ][:3]
        segment = ";".join(str(i) for i in printed)
        labels = client.get(f"/orders/{segment}/label", params=LABEL)
        with_returns = client.get(
            f"/orders/{segment}/label",
            params={
                "documentType": "postageLabel",
                "includeReturnsLabel": "true",
                "includeCN": "false",
            },
        )
        notes = client.get(f"/orders/{segment}/label", params={"documentType": "despatchNote"})
    assert len(pdfium.PdfDocument(labels.content)) >= 3
    assert len(pdfium.PdfDocument(with_returns.content)) == 6
    assert len(pdfium.PdfDocument(notes.content)) >= 3
    width, height = pdfium.PdfDocument(labels.content)[0].get_size()
    assert (round(width * 25.4 / 72, 1), round(height * 25.4 / 72, 1)) == (101.6, 152.4)


def test_a4_account_gets_a4_pages(fresh_sandbox: SandboxInfo) -> None:
    target = _find(fresh_sandbox, "oba-a4", "postageApplied", 30_000_000)
    with api_client(fresh_sandbox, "oba-a4") as client:
        response = client.get(f"/orders/{target}/label", params=LABEL)
        tracking = client.get(f"/orders/{target}").json()[0]["trackingNumber"]
    width, height = pdfium.PdfDocument(response.content)[0].get_size()
    assert (round(width * 25.4 / 72), round(height * 25.4 / 72)) == (210, 297)
    assert tracking in _barcodes(response.content)


def test_label_format_can_be_switched_at_run_time(fresh_sandbox: SandboxInfo) -> None:
    fresh_sandbox.configure(account="oba", label_format="A4")
    with api_client(fresh_sandbox, "oba") as client:
        response = client.get(f"/orders/{OBA_BASE + 1}/label", params={"documentType": "CN22"})
    width, _ = pdfium.PdfDocument(response.content)[0].get_size()
    assert round(width * 25.4 / 72) == 210


# -- manifests -------------------------------------------------------------------------------


def test_manifest_202_then_completed_with_pdf(fresh_sandbox: SandboxInfo) -> None:
    printed = _find(fresh_sandbox, "oba", "labelGenerated", OBA_BASE)
    with api_client(fresh_sandbox, "oba") as client:
        wrong = client.post("/manifests", json={"carrierName": "DHL"})
        first = client.post("/manifests", json={"carrierName": "Royal Mail OBA"})
        number = first.json()["manifestNumber"]
        details = client.get(f"/manifests/{number}")
        nothing_left = client.post("/manifests")
        retry = client.post(f"/manifests/retry/{number}")
        unknown = client.get("/manifests/999")
        order = client.get(f"/orders/{printed}").json()[0]
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["code"] == "InvalidCarrier"
    assert first.status_code == 202
    assert first.json()["documentPdf"] is None
    assert details.status_code == 200
    assert details.json()["status"] == "Completed"
    pdf = base64.b64decode(details.json()["documentPdf"])
    assert pdf.startswith(b"%PDF")
    assert order["manifestedOn"]
    document = pdfium.PdfDocument(pdf)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert order["trackingNumber"] in text
    assert nothing_left.status_code == 400
    assert nothing_left.json()["errors"][0]["code"] == "NoEligibleOrders"
    assert retry.status_code == 201
    assert retry.json()["documentPdf"]
    assert unknown.status_code == 404


def test_manifest_readiness_is_configurable(fresh_sandbox: SandboxInfo) -> None:
    fresh_sandbox.configure(manifest_ready_after_polls=2)
    with api_client(fresh_sandbox, "oba") as client:
        number = client.post("/manifests").json()["manifestNumber"]
        polls = [client.get(f"/manifests/{number}").json()["status"] for _ in range(3)]
    assert polls == ["In Progress", "Completed", "Completed"]
    fresh_sandbox.configure(manifest_ready_after_polls=0)
    with api_client(fresh_sandbox, "oba-a4") as client:
        immediate = client.post("/manifests")
    assert immediate.status_code == 201
    assert immediate.json()["documentPdf"]


# -- control API and request log -------------------------------------------------------------


def test_upstream_changes_through_the_control_api(fresh_sandbox: SandboxInfo) -> None:
    target = _find(fresh_sandbox, "oba", "postageApplied", OBA_BASE)
    unpaid = _find(fresh_sandbox, "oba", "new", OBA_BASE)
    fresh_sandbox.mutate("oba", target, "despatch")
    printed = fresh_sandbox.mutate("oba", unpaid, "print")
    fresh_sandbox.mutate("oba", OBA_BASE + 2, "delete")
    created = fresh_sandbox.create_upstream("oba", new_order("WEB-UI-1"))
    with api_client(fresh_sandbox, "oba") as client:
        assert client.get(f"/orders/{target}").json()[0]["shippedOn"]
        assert client.get(f"/orders/{OBA_BASE + 2}").status_code == 404
        assert client.get('/orders/"WEB-UI-1"').status_code == 200
    assert printed["order"]["trackingNumber"]
    assert printed["labelsGenerated"] == 1
    assert created["successCount"] == 1
    assert fresh_sandbox.requests() == []  # control calls are not API calls


def test_request_log_records_mutating_calls_exactly(sandbox: SandboxInfo) -> None:
    with api_client(sandbox, "olp") as client:
        client.get("/orders")
        client.post("/orders", json={"items": [new_order("LOG-1")]})
        client.post("/orders", json={"items": [new_order("LOG-1")]})  # duplicate: 200, failed
    log = sandbox.requests()
    everything = sandbox.requests(everything=True)
    assert [(r["method"], r["path"], r["account"], r["status"]) for r in log] == [
        ("POST", "/api/v1/orders", "olp", 200)
    ] * 2
    assert [r["body"]["items"][0]["orderReference"] for r in log] == ["LOG-1", "LOG-1"]
    assert all(r["delivered"] and r["mutating"] and r["fault"] is None for r in log)
    assert len(everything) == 3
    assert sandbox.requests(since=log[0]["seq"]) == log[1:]


def test_reference_with_every_special_character_round_trips(fresh_sandbox: SandboxInfo) -> None:
    reference = 'A"B;C%D/E?F#G&H+I J'
    with api_client(fresh_sandbox, "oba") as client:
        created = client.post("/orders", json={"items": [new_order(reference)]}).json()
        found = client.get('/orders/"' + quote(reference, safe="") + '"')
    assert created["successCount"] == 1
    assert found.json()[0]["orderReference"] == reference


def test_sandbox_fixture_starts_clean(sandbox: SandboxInfo) -> None:
    assert sandbox.faults() == []
    assert sandbox.requests(everything=True) == []
    assert httpx.get(sandbox.control_url + "/info", timeout=30).json()["rate_limit"] == 0
