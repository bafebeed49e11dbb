"""Every error type: per-endpoint 400 shapes, 403 reasons, 404, and answers the spec forbids."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.api.errors import (
    ApiError,
    BadResponse,
    FeatureNotAvailable,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)
from clickdrop_desktop.api.requests import OrderStatusValue, StatusUpdateRequest
from tests.helpers.fake_api import (
    ChunkedStream,
    FakeApi,
    FakeClock,
    json_response,
    make_client,
    make_order,
    order_json,
)

BY_IDS = r"/orders/[^/]+"


def _call(client: ClickDropClient, name: str) -> Any:
    despatch = [StatusUpdateRequest(status=OrderStatusValue.DESPATCHED, order_identifier=1)]
    calls = {
        "list": lambda: client.list_orders(),
        "full": lambda: client.list_orders_full(),
        "get": lambda: client.get_orders([1]),
        "get_full": lambda: client.get_orders([1], full=True),
        "delete": lambda: client.delete_orders([1]),
        "create": lambda: client.create_orders([make_order()]),
        "status": lambda: client.update_status(despatch),
        "label": lambda: client.get_label([1]),
        "manifest": lambda: client.manifest_eligible(),
        "manifest_get": lambda: client.get_manifest(1),
    }
    return calls[name]()


ROUTES = {
    "list": ("GET", "/orders"),
    "full": ("GET", "/orders/full"),
    "get": ("GET", BY_IDS),
    "get_full": ("GET", r"/orders/[^/]+/full"),
    "delete": ("DELETE", BY_IDS),
    "create": ("POST", "/orders"),
    "status": ("PUT", "/orders/status"),
    "label": ("GET", r"/orders/[^/]+/label"),
    "manifest": ("POST", "/manifests"),
    "manifest_get": ("GET", r"/manifests/\d+"),
}

# Each endpoint's own 400 body (api notes section 7).
BAD_REQUEST_BODIES: dict[str, tuple[Any, tuple[int | None, str | None, str, str]]] = {
    "list": (
        {"code": "InvalidPageSize", "message": "pageSize too big"},
        (None, None, "InvalidPageSize", "pageSize too big"),
    ),
    "create": (
        {"message": "items is required", "details": "d"},
        (None, None, None, "items is required"),
    ),
    "get": (
        [
            {
                "accountOrderNumber": 1,
                "channelOrderReference": "WEB1",
                "code": "E1",
                "message": "bad id",
            }
        ],
        (1, "WEB1", "E1", "bad id"),
    ),
    "get_full": (
        [
            {
                "accountOrderNumber": 1,
                "channelOrderReference": "WEB1",
                "code": "E1",
                "message": "bad id",
            }
        ],
        (1, "WEB1", "E1", "bad id"),
    ),
    "label": (
        [
            {
                "accountOrderNumber": 157272,
                "channelOrderReference": "WEB238404",
                "code": "OrderValidationError",
                "message": "Label generation only available for orders with postage applied status",
            }
        ],
        (
            157272,
            "WEB238404",
            "OrderValidationError",
            "Label generation only available for orders with postage applied status",
        ),
    ),
    "delete": (
        [{"orderIdentifier": 1, "orderReference": "A", "code": "E2", "message": "cannot delete"}],
        (1, "A", "E2", "cannot delete"),
    ),
    "status": (
        [
            {
                "orderIdentifier": 1,
                "orderReference": "A",
                "status": "new",
                "code": "E3",
                "message": "no",
            }
        ],
        (1, "A", "E3", "no"),
    ),
    "manifest": (
        {"errors": [{"code": "E4", "description": "no carrier"}]},
        (None, None, "E4", "no carrier"),
    ),
    "manifest_get": (
        {"errors": [{"code": "E5", "description": "bad number"}]},
        (None, None, "E5", "bad number"),
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_REQUEST_BODIES))
def test_400_bodies_of_every_endpoint_become_per_order_problems(name: str) -> None:
    body, (ident, ref, code, message) = BAD_REQUEST_BODIES[name]
    api = FakeApi()
    api.add(*ROUTES[name], json_response(400, body))
    with make_client(api) as client, pytest.raises(ValidationFailed) as info:
        _call(client, name)
    problem = info.value.problems[0]
    assert (problem.order_identifier, problem.order_reference, problem.code) == (ident, ref, code)
    assert problem.message == message
    assert message in info.value.message
    assert "\n" not in info.value.message
    assert info.value.status_code == 400


def test_400_without_a_readable_body_still_fails_clearly() -> None:
    api = FakeApi()
    api.add("GET", "/orders", httpx.Response(400, text="<html>Bad Request</html>"))
    with make_client(api) as client, pytest.raises(ValidationFailed, match="rejected") as info:
        client.list_orders()
    assert info.value.problems == ()


@pytest.mark.parametrize(
    ("name", "feature", "reason"),
    [
        ("full", "full", "ChannelShipper"),
        ("get_full", "full", "ChannelShipper"),
        ("label", "labels", "OBA"),
        ("manifest", "manifests", "OBA"),
        ("manifest_get", "manifests", "OBA"),
        ("delete", "delete", "delete"),
        ("status", "status", "ChannelShipper"),
    ],
)
def test_403_names_the_feature_and_the_account_type_it_needs(
    name: str, feature: str, reason: str
) -> None:
    api = FakeApi()
    api.add(*ROUTES[name], httpx.Response(403))
    with make_client(api) as client, pytest.raises(FeatureNotAvailable) as info:
        _call(client, name)
    assert info.value.feature == feature
    assert reason in info.value.message
    assert info.value.status_code == 403


@pytest.mark.parametrize("name", ["list", "label", "manifest", "manifest_get"])
def test_404_is_not_found(name: str) -> None:
    api = FakeApi()
    api.add(*ROUTES[name], httpx.Response(404))
    with make_client(api) as client, pytest.raises(NotFound):
        _call(client, name)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b'{"orders": [', "malformed JSON"),
        (b"", "empty body"),
        (b"<html>maintenance</html>", "malformed JSON"),
        (b'{"orders": [{"orderIdentifier": NaN, "createdOn": "2026-01-01"}]}', "malformed"),
        (b"[" * 100_000 + b"]" * 100_000, "malformed"),
        (b'{"orders": {"not": "a list"}}', "not a JSON array"),
        (b'["a", "list"]', "not a JSON object"),
        (b'{"orders": [{"createdOn": "2026-01-01"}]}', "no orderIdentifier"),
        (b'{"orders": [{"orderIdentifier": "x1", "createdOn": "2026-01-01"}]}', "not a number"),
        (b'{"orders": [{"orderIdentifier": 1, "createdOn": "yesterday"}]}', "date-time"),
        (b'{"orders": [], "continuationToken": 5}', "continuationToken"),
    ],
)
def test_answers_the_spec_does_not_allow_are_bad_responses(content: bytes, match: str) -> None:
    api = FakeApi()
    api.add("GET", "/orders", httpx.Response(200, content=content))
    with make_client(api) as client, pytest.raises(BadResponse, match=match):
        client.list_orders()


def test_tolerated_quirks_of_real_responses() -> None:
    api = FakeApi()
    api.add(
        "GET",
        "/orders",
        json_response(
            200,
            {
                "orders": [
                    order_json(
                        1,
                        createdOn="2026-03-06T13:33:02.6925807",  # naive, 7 digits
                        orderDate="2026-03-06T14:33:02+01:00",
                        printedOn=None,
                        packages=None,
                        futureField={"kept": True},
                    ),
                    {
                        "orderIdentifier": 2.0,
                        "createdOn": "2026-03-06T13:33:02Z",
                        "orderReference": 42,
                    },
                ],
                "continuationToken": None,
                "somethingNew": 1,
            },
        ),
    )
    with make_client(api) as client:
        page = client.list_orders()
    first, second = page.orders
    assert first.created_on.tzinfo is not None
    assert first.order_date == first.created_on.replace(microsecond=0)
    assert first.extra == {"futureField": {"kept": True}}
    assert first.raw["futureField"] == {"kept": True}
    assert second.order_identifier == 2
    assert second.order_reference == "42"


def test_by_id_answer_that_is_not_a_list_is_refused() -> None:
    api = FakeApi()
    api.add("GET", BY_IDS, json_response(200, {"orders": []}))
    with make_client(api) as client, pytest.raises(BadResponse, match="list of orders"):
        client.get_orders([1])


def test_label_that_is_not_a_pdf_is_refused_with_what_it_said() -> None:
    api = FakeApi()
    api.add(
        "GET",
        r"/orders/[^/]+/label",
        json_response(200, [{"code": "X", "message": "Label service unavailable"}]),
    )
    with make_client(api) as client, pytest.raises(BadResponse, match="not a PDF") as info:
        client.get_label([1])
    assert "Label service unavailable" in info.value.message


def test_label_html_instead_of_pdf() -> None:
    api = FakeApi()
    api.add("GET", r"/orders/[^/]+/label", httpx.Response(200, text="<html>hi</html>"))
    with make_client(api) as client, pytest.raises(BadResponse, match="not a PDF"):
        client.get_label([1])


def test_body_over_the_size_cap_announced_by_content_length() -> None:
    api = FakeApi()
    api.add("GET", "/orders", httpx.Response(200, content=b"x" * 2000))
    with (
        make_client(api, max_response_bytes=1000) as client,
        pytest.raises(BadResponse, match="larger than"),
    ):
        client.list_orders()
    assert len(api.requests) == 1  # too big is not retried: it would be too big again


def test_body_over_the_size_cap_without_content_length_stops_reading() -> None:
    api = FakeApi()
    stream = ChunkedStream([b"[" + b" " * 999] * 1000)  # 1 MB, no length announced
    api.add("GET", "/orders", httpx.Response(200, stream=stream))
    with (
        make_client(api, max_response_bytes=10_000) as client,
        pytest.raises(BadResponse, match="larger than"),
    ):
        client.list_orders()


def test_decompressed_size_counts_against_the_cap() -> None:
    import gzip

    bomb = gzip.compress(b" " * 5_000_000)
    api = FakeApi()
    api.add(
        "GET", "/orders", httpx.Response(200, content=bomb, headers={"Content-Encoding": "gzip"})
    )
    with (
        make_client(api, max_response_bytes=100_000) as client,
        pytest.raises(BadResponse, match="larger than"),
    ):
        client.list_orders()


def test_truncated_body_shorter_than_announced() -> None:
    api = FakeApi()
    api.add(
        "POST",
        "/orders",
        httpx.Response(200, content=b'{"successCount": 1', headers={"Content-Length": "500"}),
    )
    with make_client(api) as client, pytest.raises(BadResponse, match="cut off") as info:
        client.create_orders([make_order()])
    assert info.value.maybe_applied  # the order may well exist: reconcile, don't resend
    assert len(api.requests) == 1


def test_connection_dropped_mid_body() -> None:
    api = FakeApi()
    api.add(
        "GET",
        "/orders",
        lambda _r: httpx.Response(
            200, stream=ChunkedStream([b'{"orders": ['], httpx.RemoteProtocolError("peer closed"))
        ),
    )
    with make_client(api) as client, pytest.raises(BadResponse, match="cut off"):
        client.list_orders()
    assert len(api.requests) == 4  # a read: retried 3 times first


def test_slow_drip_hits_the_deadline() -> None:
    clock = FakeClock()

    class Drip(httpx.SyncByteStream):
        def __iter__(self) -> Any:
            for _ in range(100):
                clock.now += 5.0  # 5 s per byte
                yield b" "

    api = FakeApi()
    api.add("GET", "/orders", lambda _r: httpx.Response(200, stream=Drip()))
    with (
        make_client(api, clock, deadline_s=60.0, max_retries=0) as client,
        pytest.raises(ServiceUnavailable, match="longer than 60 s"),
    ):
        client.list_orders()


def test_redirects_are_not_followed() -> None:
    api = FakeApi()
    api.add(
        "GET", "/orders", httpx.Response(302, headers={"Location": "https://evil.example/steal"})
    )
    with make_client(api) as client, pytest.raises(BadResponse, match="redirect"):
        client.list_orders()
    assert len(api.requests) == 1


def test_unexpected_status_is_an_api_error() -> None:
    api = FakeApi()
    api.add("GET", "/orders", httpx.Response(418))
    with make_client(api) as client, pytest.raises(ApiError, match="418"):
        client.list_orders()


def test_server_error_message_is_one_line_from_the_body() -> None:
    api = FakeApi()
    api.add("GET", "/orders", json_response(500, {"message": "Database\nexploded"}))
    with make_client(api, max_retries=0) as client, pytest.raises(ServiceUnavailable) as info:
        client.list_orders()
    assert info.value.message == "Click & Drop is failing (HTTP 500): Database exploded"
    assert info.value.status_code == 500


def test_a_failure_in_a_later_chunk_carries_the_earlier_results() -> None:
    api = FakeApi()
    answers = iter(
        [
            json_response(200, {"deletedOrders": [{"orderIdentifier": 1}]}),
            httpx.Response(503),
        ]
    )
    api.add("DELETE", BY_IDS, lambda _r: next(answers))
    with make_client(api) as client, pytest.raises(ServiceUnavailable) as info:
        client.delete_orders(list(range(1, 151)))
    assert info.value.maybe_applied
    assert [d.order_identifier for d in info.value.partial.deleted] == [1]


def test_client_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="https"):
        ClickDropClient("ftp://x", "k")
    with pytest.raises(ValueError, match="API key"):
        ClickDropClient("https://x", "   ")
    with pytest.raises(ValueError, match="API key"):
        ClickDropClient("https://x", "abc\r\nX-Evil: 1")
