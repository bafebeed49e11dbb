"""Every endpoint of the spec through `ClickDropClient`, against a scripted MockTransport."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pypdfium2 as pdfium
import pytest

from clickdrop_desktop.api.errors import BadResponse, NotFound, ValidationFailed
from clickdrop_desktop.api.models import OrderStatus
from clickdrop_desktop.api.requests import OrderStatusValue, StatusUpdateRequest
from tests.helpers.fake_api import (
    API_KEY,
    FakeApi,
    full_order_json,
    json_response,
    make_client,
    make_order,
    order_json,
    pdf_bytes,
)

ORDERS_BY_IDS = r"/orders/[^/]+"


def _query(api: FakeApi, index: int = -1) -> dict[str, list[str]]:
    return parse_qs(urlsplit(str(api.requests[index].url)).query)


def _echo_orders(request_path: str, *, full: bool = False) -> list[dict[str, object]]:
    """Answer a by-id call with one order per requested key (as a real server would)."""
    from urllib.parse import unquote

    segment = request_path.split("/orders/", 1)[1].removesuffix("/full").split("?")[0]
    out = []
    for part in segment.split(";"):
        text = unquote(part)
        make = full_order_json if full else order_json
        if text.startswith('"'):
            out.append(make(50000 + len(out), text[1:-1]))
        else:
            out.append(make(int(text)))
    return out


# -- version -------------------------------------------------------------------------------------


def test_version_is_unauthenticated() -> None:
    api = FakeApi()
    api.add(
        "GET",
        "/version",
        json_response(
            200,
            {
                "commit": "abc",
                "build": "20260107.6",
                "release": "Release-20260107.3",
                "releaseDate": "2026-01-22T10:20:54Z",
            },
        ),
    )
    with make_client(api) as client:
        info = client.version()
    assert info.build == "20260107.6"
    assert info.release_date == datetime(2026, 1, 22, 10, 20, 54, tzinfo=UTC)
    assert "authorization" not in api.requests[0].headers
    assert client.auth_scheme is None  # /version says nothing about the key


# -- listing -------------------------------------------------------------------------------------


def test_list_orders_sends_the_spec_parameters_and_keeps_headers() -> None:
    api = FakeApi()
    api.add(
        "GET",
        "/orders",
        json_response(
            200,
            {"orders": [order_json(1), order_json(2, printedOn="2026-03-07T10:00:00")]},
            headers={"Age": "12", "X-Cache": "HIT"},
        ),
    )
    with make_client(api) as client:
        page = client.list_orders(
            page_size=50,
            start=datetime(2026, 3, 1, tzinfo=UTC),
            end=datetime(2026, 3, 31, 23, 59, tzinfo=UTC),
            continuation_token="tok en+/=",
        )
    assert _query(api) == {
        "pageSize": ["50"],
        "startDateTime": ["2026-03-01T00:00:00Z"],
        "endDateTime": ["2026-03-31T23:59:00Z"],
        "continuationToken": ["tok en+/="],
    }
    assert [o.order_identifier for o in page.orders] == [1, 2]
    assert page.orders[1].status is OrderStatus.PRINTED  # derived from printedOn
    assert page.continuation_token is None
    assert page.meta is not None
    assert page.meta.header("Age") == "12"
    assert page.meta.header("x-cache") == "HIT"
    assert api.requests[0].headers["accept"] == "application/json"
    assert api.requests[0].headers["cache-control"] == "no-store"


def test_page_size_is_limited_to_the_spec_range() -> None:
    with make_client(FakeApi()) as client, pytest.raises(ValueError, match="page_size"):
        client.list_orders(page_size=101)


def test_list_full_parses_details() -> None:
    api = FakeApi()
    api.add("GET", "/orders/full", json_response(200, {"orders": [full_order_json(7)]}))
    with make_client(api) as client:
        page = client.list_orders_full(page_size=1)
    order = page.orders[0]
    assert order.details is not None
    assert order.details.trading_name == "Acme Ltd"
    assert order.details.shipping_info.postcode == "LS1 1AA"
    assert api.requests[0].url.path == "/api/v1/orders/full"


def test_iterating_follows_continuation_tokens_to_the_end() -> None:
    api = FakeApi()
    pages = {
        None: {"orders": [order_json(1), order_json(2)], "continuationToken": "p2"},
        "p2": {"orders": [order_json(3)], "continuationToken": "p3"},
        "p3": {"orders": [order_json(4)], "continuationToken": ""},
    }

    def answer(request: object) -> object:
        token = _query(api).get("continuationToken", [None])[0]
        return json_response(200, pages[token])

    api.add("GET", "/orders", answer)  # type: ignore[arg-type]
    with make_client(api) as client:
        ids = [o.order_identifier for o in client.iter_orders(page_size=2)]
    assert ids == [1, 2, 3, 4]
    assert len(api.requests) == 3


def test_a_repeated_continuation_token_stops_the_loop() -> None:
    api = FakeApi()
    api.add("GET", "/orders", json_response(200, {"orders": [], "continuationToken": "same"}))
    with make_client(api) as client, pytest.raises(BadResponse, match="continuation token"):
        list(client.iter_order_pages())
    assert len(api.requests) == 2


# -- by identifier ------------------------------------------------------------------------------


def test_get_orders_encodes_and_merges_chunks_of_100() -> None:
    api = FakeApi()
    api.add("GET", ORDERS_BY_IDS, lambda r: json_response(200, _echo_orders(str(r.url))))
    keys: list[int | str] = [*range(1, 201), "WEB;1", "1001", 'q"uote']
    with make_client(api) as client:
        result = client.get_orders(keys)
    assert len(api.requests) == 3
    assert [p.count(";") + 1 for p in api.raw_paths()] == [100, 100, 3]
    assert api.raw_paths()[2] == "/api/v1/orders/%22WEB%3B1%22;%221001%22;%22q%22uote%22"
    assert len(result.orders) == 203
    assert result.missing == ()
    assert result.unexpected == ()
    assert len(result.metas) == 3


def test_get_orders_reports_missing_and_unexpected() -> None:
    api = FakeApi()
    api.add("GET", ORDERS_BY_IDS, json_response(200, [order_json(1), order_json(999)]))
    with make_client(api) as client:
        result = client.get_orders([1, 2, "REF-3"])
    assert result.missing == (2, "REF-3")
    assert [o.order_identifier for o in result.unexpected] == [999]
    assert [o.order_identifier for o in result.orders] == [1, 999]  # nothing dropped


def test_a_404_chunk_means_those_orders_are_missing() -> None:
    api = FakeApi()
    api.add("GET", ORDERS_BY_IDS, json_response(404, {"message": "Not Found"}))
    with make_client(api) as client:
        result = client.get_orders([5, 6])
        assert result.missing == (5, 6)
        with pytest.raises(NotFound, match="5"):
            client.get_order(5)


def test_get_order_full() -> None:
    api = FakeApi()
    api.add("GET", r"/orders/[^/]+/full", json_response(200, [full_order_json(5)]))
    with make_client(api) as client:
        order = client.get_order(5, full=True)
    assert order.details is not None
    assert api.raw_paths() == ["/api/v1/orders/5/full"]


def test_find_orders_by_reference() -> None:
    api = FakeApi()
    api.add(
        "GET",
        ORDERS_BY_IDS,
        json_response(
            200,
            [
                order_json(1, "A", createdOn="2026-01-01T00:00:00Z"),
                order_json(2, "A", createdOn="2026-02-01T00:00:00Z"),
                order_json(3, "someone-else"),
            ],
        ),
    )
    with make_client(api) as client:
        found = client.find_orders_by_reference(["A", "B"])
        assert {k: v.order_identifier for k, v in found.items()} == {"A": 2}
        assert api.raw_paths() == ["/api/v1/orders/%22A%22;%22B%22"]
        with pytest.raises(TypeError):
            client.find_orders_by_reference([1])  # type: ignore[list-item]


# -- create ----------------------------------------------------------------------------------


def test_create_sends_the_items_wrapper_and_reports_partial_success() -> None:
    api = FakeApi()
    api.add(
        "POST",
        "/orders",
        json_response(
            200,
            {
                "successCount": 1,
                "errorsCount": 1,
                "createdOrders": [
                    {
                        **order_json(1001, "WEB-1001"),
                        "label": None,
                        "labelErrors": [],
                        "generatedDocuments": [],
                    }
                ],
                "failedOrders": [
                    {
                        "order": {"orderReference": "WEB-1002"},
                        "errors": [
                            {
                                "errorCode": 31,
                                "errorMessage": "Invalid service code",
                                "fields": [{"fieldName": "serviceCode", "value": "XX"}],
                            }
                        ],
                    }
                ],
            },
        ),
    )
    with make_client(api) as client:
        result = client.create_orders([make_order(), make_order(order_reference="WEB-1002")])
    body = api.bodies()[0]
    assert list(body) == ["items"]
    assert [i["orderReference"] for i in body["items"]] == ["WEB-1001", "WEB-1002"]
    assert api.requests[0].headers["content-type"] == "application/json"
    assert result.success_count == 1
    assert result.errors_count == 1
    assert not result.all_created
    assert result.created[0].order.order_identifier == 1001
    failed = result.failed[0]
    assert failed.order_reference == "WEB-1002"
    assert failed.errors[0].code == "31"
    assert failed.errors[0].order_reference == "WEB-1002"
    assert failed.errors[0].fields == (("serviceCode", "XX"),)


def test_create_returns_inline_label_and_sends_such_orders_alone() -> None:
    from clickdrop_desktop.api.requests import LabelGenerationRequest

    label = pdf_bytes("inline")
    api = FakeApi()

    def answer(request: object) -> object:
        items = json.loads(api.requests[-1].content)["items"]
        created = [
            {
                **order_json(100 + i, item["orderReference"]),
                "label": base64.b64encode(label).decode() if "label" in item else None,
            }
            for i, item in enumerate(items)
        ]
        return json_response(200, {"successCount": len(items), "createdOrders": created})

    api.add("POST", "/orders", answer)  # type: ignore[arg-type]
    inline = LabelGenerationRequest(include_label_in_response=True)
    orders = [
        make_order(order_reference="A", label=inline),
        make_order(order_reference="B"),
        make_order(order_reference="C", label=inline),
        {**make_order(order_reference="D").to_api()},  # an already-serialised order
    ]
    with make_client(api) as client:
        result = client.create_orders(orders)
    sent = [[i["orderReference"] for i in b["items"]] for b in api.bodies()]
    assert sent == [["A"], ["C"], ["B", "D"]]
    assert result.success_count == 4
    labels = {c.order.order_reference: c.label_pdf for c in result.created}
    assert labels == {"A": label, "C": label, "B": None, "D": None}


def test_create_chunks_large_batches() -> None:
    api = FakeApi()
    api.add("POST", "/orders", json_response(200, {"successCount": 2, "errorsCount": 0}))
    with make_client(api) as client:
        result = client.create_orders(
            [make_order(order_reference=f"R{i}") for i in range(5)], chunk_size=2
        )
    assert [len(b["items"]) for b in api.bodies()] == [2, 2, 1]
    assert result.success_count == 6  # as the (scripted) server counted
    assert len(result.metas) == 3


# -- delete ----------------------------------------------------------------------------------


def test_delete_reports_deleted_and_failed_orders() -> None:
    api = FakeApi()
    api.add(
        "DELETE",
        ORDERS_BY_IDS,
        json_response(
            200,
            {
                "deletedOrders": [
                    {"orderIdentifier": 1, "orderReference": "A", "orderInfo": "deleted"}
                ],
                "errors": [
                    {
                        "orderIdentifier": 2,
                        "orderReference": "B",
                        "code": "OrderManifested",
                        "message": "Manifested orders cannot be deleted",
                    }
                ],
            },
        ),
    )
    with make_client(api) as client:
        result = client.delete_orders([1, 2])
    assert api.requests[0].method == "DELETE"
    assert api.raw_paths() == ["/api/v1/orders/1;2"]
    assert result.deleted[0].order_reference == "A"
    assert result.errors[0].code == "OrderManifested"
    assert result.errors[0].order_identifier == 2


def test_delete_chunks_and_turns_a_404_chunk_into_per_order_errors() -> None:
    api = FakeApi()
    calls = iter(
        [
            json_response(200, {"deletedOrders": [{"orderIdentifier": i} for i in range(100)]}),
            json_response(404, None),
        ]
    )
    api.add("DELETE", ORDERS_BY_IDS, lambda _r: next(calls))
    with make_client(api) as client:
        result = client.delete_orders([*range(100), "gone"])
    assert len(result.deleted) == 100
    assert [(e.order_reference, e.code) for e in result.errors] == [("gone", "NotFound")]


# -- status --------------------------------------------------------------------------------------


def test_status_update_chunks_at_100_and_reports_errors() -> None:
    api = FakeApi()

    def answer(request: object) -> object:
        items = json.loads(api.requests[-1].content)["items"]
        return json_response(
            200,
            {
                "updatedOrders": [
                    {"orderIdentifier": i["orderIdentifier"], "status": i["status"]}
                    for i in items
                    if i["orderIdentifier"] != 7
                ],
                "errors": [
                    {
                        "orderIdentifier": 7,
                        "status": "new",
                        "code": "InvalidStatus",
                        "message": "cannot despatch",
                    }
                ]
                if any(i["orderIdentifier"] == 7 for i in items)
                else [],
            },
        )

    api.add("PUT", "/orders/status", answer)  # type: ignore[arg-type]
    updates = [
        StatusUpdateRequest(status=OrderStatusValue.DESPATCHED, order_identifier=i)
        for i in range(1, 251)
    ]
    with make_client(api) as client:
        result = client.update_status(updates)
    assert [len(b["items"]) for b in api.bodies()] == [100, 100, 50]
    assert len(result.updated) == 249
    assert result.errors[0].order_identifier == 7
    assert result.errors[0].message == "cannot despatch"


def test_mark_despatched_builds_one_item_per_key() -> None:
    api = FakeApi()
    api.add("PUT", "/orders/status", json_response(200, {"updatedOrders": []}))
    with make_client(api) as client:
        client.mark_despatched([5, "WEB-1", 5])
    assert api.bodies()[0] == {
        "items": [
            {"status": "despatched", "orderIdentifier": 5},
            {"status": "despatched", "orderReference": "WEB-1"},
        ]
    }


# -- labels ----------------------------------------------------------------------------------


def test_label_call_parameters_and_accept_header() -> None:
    api = FakeApi()
    api.add("GET", r"/orders/[^/]+/label", lambda _r: _pdf_response())
    with make_client(api) as client:
        pdf = client.get_label([1, "A"])
        client.get_label(1, "postageLabel", include_returns_label=True, include_cn=False)
        client.get_label([1], "CN23", include_returns_label=True, include_cn=True)
    assert pdf.startswith(b"%PDF")
    assert api.raw_paths()[0].startswith("/api/v1/orders/1;%22A%22/label?")
    assert api.requests[0].headers["accept"] == "application/pdf, application/json"
    assert _query(api, 0) == {"documentType": ["postageLabel"], "includeReturnsLabel": ["false"]}
    assert _query(api, 1) == {
        "documentType": ["postageLabel"],
        "includeReturnsLabel": ["true"],
        "includeCN": ["false"],
    }
    # Ignored for other document types by the spec, so not sent.
    assert _query(api, 2) == {"documentType": ["CN23"]}


def _pdf_response(text: str = "label") -> object:
    import httpx

    return httpx.Response(200, content=pdf_bytes(text), headers={"Content-Type": "application/pdf"})


def test_labels_of_more_than_100_orders_are_merged_into_one_pdf() -> None:
    api = FakeApi()
    api.add("GET", r"/orders/[^/]+/label", lambda _r: _pdf_response())
    with make_client(api) as client:
        pdfs = client.get_labels(list(range(1, 151)))
        merged = client.get_label(list(range(1, 151)))
    assert len(pdfs) == 2
    assert len(pdfium.PdfDocument(merged)) == 2


def test_document_type_must_be_one_of_the_spec() -> None:
    with make_client(FakeApi()) as client, pytest.raises(ValueError, match="label"):
        client.get_label([1], "label")


# -- manifests -----------------------------------------------------------------------------------


def test_manifest_created_with_pdf_201() -> None:
    pdf = pdf_bytes("manifest")
    api = FakeApi()
    api.add(
        "POST",
        "/manifests",
        json_response(201, {"manifestNumber": 1001, "documentPdf": base64.b64encode(pdf).decode()}),
    )
    with make_client(api) as client:
        result = client.manifest_eligible(carrier_name="Royal Mail OBA")
    assert result.ready
    assert result.manifest_number == 1001
    assert result.document_pdf == pdf
    assert api.bodies()[0] == {"carrierName": "Royal Mail OBA"}


def test_manifest_202_is_not_ready_and_polls_later() -> None:
    api = FakeApi()
    api.add("POST", "/manifests", json_response(202, {"manifestNumber": 1002.0}))
    api.add("POST", r"/manifests/retry/\d+", json_response(202, {"manifestNumber": 1002}))
    api.add(
        "GET",
        r"/manifests/\d+",
        json_response(200, {"manifestNumber": 1002, "status": "In Progress"}),
    )
    with make_client(api) as client:
        first = client.manifest_eligible()
        again = client.retry_manifest(1002)
        details = client.get_manifest(1002)
    assert not first.ready
    assert first.manifest_number == 1002
    assert first.document_pdf is None
    assert api.requests[0].content == b""  # no carrier: no body
    assert not again.ready
    assert details.status == "In Progress"
    assert api.raw_paths()[1:] == ["/api/v1/manifests/retry/1002", "/api/v1/manifests/1002"]


def test_manifest_errors_are_parsed() -> None:
    api = FakeApi()
    api.add(
        "POST",
        "/manifests",
        json_response(
            400, {"errors": [{"code": "NoEligibleOrders", "description": "Nothing to manifest"}]}
        ),
    )
    with make_client(api) as client, pytest.raises(ValidationFailed) as info:
        client.manifest_eligible()
    assert info.value.problems[0].code == "NoEligibleOrders"
    assert "Nothing to manifest" in info.value.message


def test_manifest_pdf_that_is_not_a_pdf_is_refused() -> None:
    api = FakeApi()
    api.add(
        "GET",
        r"/manifests/\d+",
        json_response(
            200,
            {
                "manifestNumber": 1,
                "status": "Completed",
                "documentPdf": base64.b64encode(b"<html>").decode(),
            },
        ),
    )
    with make_client(api) as client, pytest.raises(BadResponse, match="not a PDF"):
        client.get_manifest(1)


def test_every_request_carries_the_bearer_key() -> None:
    api = FakeApi()
    api.add("GET", "/orders", json_response(200, {"orders": []}))
    with make_client(api) as client:
        client.list_orders()
    assert api.requests[0].headers["authorization"] == f"Bearer {API_KEY}"
    assert client.auth_scheme == "bearer"
