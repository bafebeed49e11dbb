"""Hostile Click & Drop answers: every parser and every client call either returns its typed
result or raises `BadResponse` / another `ApiError`, for any body, status and headers.

Two levels, both Hypothesis:
- the parsers (`Order.from_api`, `/full`, create/delete/status results, manifests, version,
  error bodies) on real records mutated at random paths (a field replaced by any JSON value,
  deleted, a list emptied) and on arbitrary JSON;
- the whole client on a transport that answers any status with any bytes and headers
  (`Content-Type`, `Retry-After` in every shape, `Content-Length` lies), so the HTTP layer,
  JSON decoding, error-body parsing and retry policy meet garbage together. Waits are
  recorded on a fake clock: a `Retry-After` of any size may never make the client wait
  longer than its cap.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.api.errors import ApiError, BadResponse
from clickdrop_desktop.api.events import ResponseMeta
from clickdrop_desktop.api.models import Order, OrderPage, VersionInfo
from clickdrop_desktop.api.results import (
    CreateOrdersResult,
    DeleteResult,
    ManifestDetails,
    ManifestResult,
    StatusUpdateResult,
    problems_from_body,
)
from tests.helpers.fake_api import API_KEY, BASE_URL, FakeClock, full_order_json, order_json
from tests.reliability.ledger import Tally, scaled

MAX_RETRY_AFTER_S = 60.0

leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "2026-13-45T99:99:99",
            "2026-03-06T13:33:02.6925807+00:00",
            "0001-01-01T00:00:00",
            "9999-12-31T23:59:59.9999999-23:59",
            "NaN",
            "1e309",
            "\x00",
            "\u202e",
            "JVBERi0xLjQ=",
            "not base64!",
        ]
    ),
)
json_value = st.recursive(
    leaf,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)

META = ResponseMeta(status=200, url="https://api.example.test/api/v1/manifests/5001")
CREATE_PAGE = {
    "successCount": 1,
    "errorsCount": 1,
    "createdOrders": [
        {
            "orderIdentifier": 1,
            "orderReference": "R1",
            "createdOn": "2026-03-06T13:33:02",
            "orderDate": "2026-03-06T13:33:02",
            "printedOn": None,
            "manifestedOn": None,
            "shippedOn": None,
            "trackingNumber": None,
            "packages": [{"packageNumber": 1, "trackingNumber": None}],
            "label": None,
            "labelErrors": [],
            "generatedDocuments": [],
        }
    ],
    "failedOrders": [
        {
            "order": {"orderReference": "R2"},
            "errors": [{"errorCode": 1, "errorMessage": "bad", "fields": []}],
        }
    ],
}
DELETE_PAGE = {
    "deletedOrders": [{"orderIdentifier": 1, "orderReference": "R1", "orderInfo": "x"}],
    "errors": [{"orderIdentifier": 2, "code": "OrderNotFound", "message": "gone"}],
}
STATUS_PAGE = {
    "updatedOrders": [{"orderIdentifier": 1, "orderReference": "R1", "status": "despatched"}],
    "errors": [{"orderIdentifier": 2, "code": "x", "message": "no", "status": "new"}],
}
MANIFEST = {"manifestNumber": 5001, "documentPdf": None, "status": "Completed"}
VERSION = {"commit": "abc", "build": "1", "release": "1.0", "releaseDate": "2026-01-01T00:00:00"}

PARSERS: dict[str, tuple[Any, Callable[[Any], object]]] = {
    "order": (order_json(20000001), lambda v: Order.from_api(v)),
    "order_full": (full_order_json(40000001), lambda v: Order.from_api_full(v)),
    "create_result": (CREATE_PAGE, CreateOrdersResult.parse_page),
    "delete_result": (DELETE_PAGE, DeleteResult.parse_page),
    "status_result": (STATUS_PAGE, StatusUpdateResult.parse_page),
    "manifest": (MANIFEST, lambda v: ManifestResult.from_api(v, ready=True, meta=META)),
    "manifest_details": (MANIFEST, lambda v: ManifestDetails.from_api(v, meta=META)),
    "version": (VERSION, VersionInfo.from_api),
    "error_body": ({"errors": [{"code": "x", "message": "y"}]}, problems_from_body),
}


def check_message(exc: ApiError) -> None:
    """What the user would see: one line, never the key."""
    assert exc.message
    assert "\n" not in exc.message
    assert API_KEY not in str(exc)
    assert API_KEY not in repr(exc)


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """`base` with one to four random paths replaced by any JSON, deleted, or emptied."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        node = data
        while isinstance(node, dict | list) and node:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            key = draw(st.sampled_from(keys))
            child = node[key]
            if isinstance(child, dict | list) and child and draw(st.booleans()):
                node = child
                continue
            action = draw(st.sampled_from(["replace", "replace", "delete", "empty"]))
            if action == "delete":
                del node[key]
            elif action == "empty" and isinstance(child, dict | list):
                node[key] = type(child)()
            else:
                node[key] = draw(json_value)
            break
    return data


def test_parsers_take_any_json_and_fail_only_as_bad_response() -> None:
    tally = Tally("fuzz: API response parsers (mutated records, any JSON)", unit="inputs")
    names = sorted(PARSERS)

    @settings(
        max_examples=scaled(1500),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )
    @given(name=st.sampled_from(names), data=st.data())
    def check(name: str, data: st.DataObject) -> None:
        base, parse = PARSERS[name]
        value = data.draw(st.one_of(mutated(base), json_value), label="body")
        tally.bad_inputs += 1
        failure: BadResponse | None = None
        try:
            parse(value)
        except BadResponse as exc:
            failure = exc
        if failure is not None:
            check_message(failure)

    check()
    for base, parse in PARSERS.values():
        parse(copy.deepcopy(base))  # the unmutated samples are valid
    tally.runs = tally.bad_inputs
    tally.record()


# -- the whole client on a hostile transport ------------------------------------------------------

STATUSES = [200, 200, 200, 201, 202, 204, 400, 401, 403, 404, 409, 413, 429, 500, 502, 503]
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/pdf",
    "text/html",
    "application/octet-stream",
    "",
    "application/json; charset=latin-1",
]
RETRY_AFTERS = [
    None,
    "0",
    "1",
    "-5",
    "86400",
    "1e309",
    "abc",
    "Wed, 21 Oct 2015 07:28:00 GMT",
    "3.7",
]


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["json", "mutated", "bytes", "pdf", "cut"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "pdf":
        return b"%PDF-1.4\n" + draw(st.binary(max_size=100))
    base = draw(st.sampled_from([v[0] for v in PARSERS.values()] + [{"orders": [order_json(1)]}]))
    value = draw(json_value) if kind == "json" else draw(mutated(base))
    text = json.dumps(value, allow_nan=True, default=str).encode()
    if kind == "cut":
        return text[: draw(st.integers(0, max(0, len(text) - 1)))]
    return text


CALLS: dict[str, Callable[[ClickDropClient], object]] = {
    "list": lambda c: c.list_orders(page_size=10),
    "list_full": lambda c: c.list_orders(page_size=10, full=True),
    "by_id": lambda c: c.get_orders([20000001, "REF;1", 7]),
    "by_reference": lambda c: c.find_orders_by_reference(["REF-1", "x"]),
    "version": lambda c: c.version(),
    "label": lambda c: c.get_labels([20000001]),
    "despatch": lambda c: c.mark_despatched([20000001, "REF-2"]),
    "delete": lambda c: c.delete_orders([20000001]),
    "manifest": lambda c: c.get_manifest(5001),
}


def test_the_client_survives_any_answer() -> None:
    tally = Tally("fuzz: API client on a hostile transport (status, headers, bytes)", unit="calls")

    @settings(
        max_examples=scaled(600),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )
    @given(
        call=st.sampled_from(sorted(CALLS)),
        answers=st.lists(
            st.tuples(
                st.sampled_from(STATUSES),
                st.sampled_from(CONTENT_TYPES),
                st.sampled_from(RETRY_AFTERS),
                bodies(),
                st.booleans(),  # Content-Length lies
            ),
            min_size=1,
            max_size=4,
        ),
    )
    def check(call: str, answers: list[tuple[int, str, str | None, bytes, bool]]) -> None:
        tally.bad_inputs += len(answers)
        script = list(answers)

        def handler(request: httpx.Request) -> httpx.Response:
            status, ctype, retry_after, body, lie = script.pop(0) if len(script) > 1 else script[0]
            headers = {"Content-Type": ctype} if ctype else {}
            if retry_after is not None:
                headers["Retry-After"] = retry_after
            if lie:
                headers["Content-Length"] = str(len(body) + 10)
                return httpx.Response(status, headers=headers, stream=_Stream(body))
            return httpx.Response(status, headers=headers, content=body)

        clock = FakeClock()
        client = ClickDropClient(
            BASE_URL,
            API_KEY,
            rate_per_s=0,
            transport=httpx.MockTransport(handler),
            clock=clock,
            sleep=clock.sleep,
            rng=random.Random(3),
            max_retries=2,
            max_retry_after_s=MAX_RETRY_AFTER_S,
        )
        result: object = None
        failure: ApiError | None = None
        try:
            result = CALLS[call](client)
        except ApiError as exc:
            failure = exc
        finally:
            client.close()
        if failure is not None:
            check_message(failure)
        elif call.startswith("list"):
            assert isinstance(result, OrderPage)
        assert all(0 <= s <= MAX_RETRY_AFTER_S for s in clock.sleeps), clock.sleeps

    check()
    tally.runs = tally.bad_inputs
    tally.record()


class _Stream(httpx.SyncByteStream):
    """A body shorter than its Content-Length (the connection closed early)."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def __iter__(self) -> Iterator[bytes]:
        yield self._body
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


@pytest.mark.parametrize(
    ("name", "field"),
    [("order", "createdOn"), ("order_full", "createdOn"), ("version", "releaseDate")],
)
def test_a_required_timestamp_that_is_empty_is_a_bad_response(name: str, field: str) -> None:
    """Found by atheris (tests/reliability/fuzz/run.py api): "" passed the required check."""
    base, parse = PARSERS[name]
    body = copy.deepcopy(base)
    body[field] = ""
    with pytest.raises(BadResponse, match=field):
        parse(body)
