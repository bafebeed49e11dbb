"""Auth fallback, 429 handling, the retry policy per method, events, and the key staying secret."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.api.errors import (
    ApiError,
    AuthError,
    BadResponse,
    FeatureNotAvailable,
    NotFound,
    Offline,
    RateLimited,
    ServiceUnavailable,
    ValidationFailed,
)
from clickdrop_desktop.api.events import CallEvent, Outcome
from clickdrop_desktop.api.http import retry_after_seconds
from clickdrop_desktop.api.requests import OrderStatusValue, StatusUpdateRequest
from tests.helpers.fake_api import (
    API_KEY,
    FakeApi,
    FakeClock,
    json_response,
    make_client,
    make_order,
    pdf_bytes,
)

EMPTY_PAGE = {"orders": [], "continuationToken": None}


def _auth_by_scheme(accept: str) -> Callable[[httpx.Request], httpx.Response]:
    """A server that accepts only one way of sending the key."""

    def answer(request: httpx.Request) -> httpx.Response:
        header = request.headers.get("authorization", "")
        ok = header == (f"Bearer {API_KEY}" if accept == "bearer" else API_KEY)
        return json_response(200, EMPTY_PAGE) if ok else httpx.Response(401)

    return answer


# -- auth ----------------------------------------------------------------------------------------


def test_bearer_first_then_the_bare_key_once_and_remembered() -> None:
    api = FakeApi()
    api.add("GET", "/orders", _auth_by_scheme("bare"))
    with make_client(api) as client:
        client.list_orders()
        client.list_orders()
    headers = [r.headers["authorization"] for r in api.requests]
    assert headers == [f"Bearer {API_KEY}", API_KEY, API_KEY]
    assert client.auth_scheme == "bare"


def test_bearer_that_works_is_remembered_and_never_falls_back() -> None:
    api = FakeApi()
    api.add("GET", "/orders", _auth_by_scheme("bearer"))
    with make_client(api) as client:
        client.list_orders()
        assert client.auth_scheme == "bearer"
        api.add("GET", "/orders", httpx.Response(401))  # key revoked later
        with pytest.raises(AuthError):
            client.list_orders()
    assert [r.headers["authorization"] for r in api.requests] == [f"Bearer {API_KEY}"] * 2


def test_both_schemes_refused_is_an_auth_error() -> None:
    api = FakeApi()
    api.add("GET", "/orders", httpx.Response(401))
    with make_client(api) as client, pytest.raises(AuthError) as info:
        client.list_orders()
    assert len(api.requests) == 2
    assert info.value.status_code == 401
    assert client.auth_scheme is None


def test_a_known_scheme_from_an_earlier_session_is_used_directly() -> None:
    api = FakeApi()
    api.add("GET", "/orders", _auth_by_scheme("bare"))
    with make_client(api, auth_scheme="bare") as client:
        client.list_orders()
    assert [r.headers["authorization"] for r in api.requests] == [API_KEY]


def test_create_falls_back_too_because_a_401_was_not_processed() -> None:
    api = FakeApi()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"].startswith("Bearer"):
            return httpx.Response(401)
        return json_response(200, {"successCount": 1})

    api.add("POST", "/orders", answer)
    with make_client(api) as client:
        assert client.create_orders([make_order()]).success_count == 1
    assert len(api.requests) == 2


# -- 429 -----------------------------------------------------------------------------------------


def test_429_honours_retry_after_seconds() -> None:
    clock = FakeClock()
    api = FakeApi()
    api.add(
        "GET",
        "/orders",
        httpx.Response(429, headers={"Retry-After": "3"}),
        json_response(200, EMPTY_PAGE),
    )
    waits: list[float] = []
    with make_client(api, clock, on_rate_wait=waits.append) as client:
        client.list_orders()
    assert len(api.requests) == 2
    assert clock.sleeps == [3.0]
    assert waits == [3.0]  # reported for the progress line


def test_429_honours_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=7), usegmt=True)
    assert retry_after_seconds(header, now=now) == 7.0
    assert retry_after_seconds("1.5") == 1.5
    assert retry_after_seconds("-4") == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_429_without_retry_after_backs_off_exponentially_with_jitter() -> None:
    clock = FakeClock()
    api = FakeApi()
    api.add("GET", "/orders", httpx.Response(429))
    with (
        make_client(api, clock, max_rate_limit_retries=4) as client,
        pytest.raises(RateLimited) as info,
    ):
        client.list_orders()
    assert len(api.requests) == 5  # first try + 4 retries
    assert info.value.retry_after is None
    assert info.value.transient
    # base 1 s doubling, each jittered into [50 %, 100 %] of its step.
    for n, wait in enumerate(clock.sleeps, start=1):
        step = min(2 ** (n - 1), 30)
        assert step / 2 <= wait <= step
    assert len(set(clock.sleeps)) == 4


def test_429_retry_after_too_long_is_raised_at_once_with_the_wait() -> None:
    clock = FakeClock()
    api = FakeApi()
    api.add("GET", "/orders", httpx.Response(429, headers={"Retry-After": "600"}))
    with make_client(api, clock) as client, pytest.raises(RateLimited) as info:
        client.list_orders()
    assert info.value.retry_after == 600.0
    assert clock.sleeps == []
    assert len(api.requests) == 1


def test_429_is_retried_even_for_create_because_it_was_refused_unprocessed() -> None:
    api = FakeApi()
    api.add(
        "POST",
        "/orders",
        httpx.Response(429, headers={"Retry-After": "1"}),
        json_response(200, {"successCount": 1}),
    )
    with make_client(api) as client:
        assert client.create_orders([make_order()]).success_count == 1
    assert len(api.requests) == 2


def test_a_429_pause_holds_back_the_next_calls_too() -> None:
    clock = FakeClock()
    api = FakeApi()
    api.add("GET", "/orders/full", httpx.Response(429, headers={"Retry-After": "2"}))
    api.add("GET", "/orders", json_response(200, EMPTY_PAGE))
    with make_client(api, clock, rate_per_s=5.0, max_rate_limit_retries=0) as client:
        with pytest.raises(RateLimited):
            client.list_orders_full()
        client.list_orders()  # another call on the same client waits out the pause
    # 2 s of pause, then its own 200 ms slot of the 5/s spacing.
    assert clock.sleeps == pytest.approx([2.2])


def test_client_rate_limit_spaces_calls() -> None:
    clock = FakeClock()
    api = FakeApi()
    api.add("GET", "/orders", json_response(200, EMPTY_PAGE))
    with make_client(api, clock, rate_per_s=1.0) as client:
        for _ in range(3):
            client.list_orders()
    assert clock.sleeps == pytest.approx([1.0, 1.0])
    assert client.rate_per_s == 1.0


# -- retry policy per method -----------------------------------------------------------------------


def _connect_error(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused", request=request)


def _read_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("slow", request=request)


def _dropped(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError("Server disconnected without sending a response.")


NETWORK = {"connect": _connect_error, "read_timeout": _read_timeout, "dropped": _dropped}


def _status_call(client: ClickDropClient) -> Any:
    return client.update_status(
        [StatusUpdateRequest(status=OrderStatusValue.DESPATCHED, order_identifier=1)]
    )


IDEMPOTENT: dict[str, tuple[str, str, Callable[[ClickDropClient], Any], httpx.Response]] = {
    "list": ("GET", "/orders", lambda c: c.list_orders(), json_response(200, EMPTY_PAGE)),
    "get": ("GET", r"/orders/[^/]+", lambda c: c.get_orders([1]), json_response(200, [])),
    "status": ("PUT", "/orders/status", _status_call, json_response(200, {"updatedOrders": []})),
    "manifest_get": (
        "GET",
        r"/manifests/\d+",
        lambda c: c.get_manifest(1),
        json_response(200, {"manifestNumber": 1, "status": "Completed"}),
    ),
    "version": (
        "GET",
        "/version",
        lambda c: c.version(),
        json_response(200, {"releaseDate": "2026-01-01T00:00:00Z"}),
    ),
}

NOT_IDEMPOTENT: dict[str, tuple[str, str, Callable[[ClickDropClient], Any], httpx.Response]] = {
    "create": (
        "POST",
        "/orders",
        lambda c: c.create_orders([make_order()]),
        json_response(200, {"successCount": 1}),
    ),
    "delete": (
        "DELETE",
        r"/orders/[^/]+",
        lambda c: c.delete_orders([1]),
        json_response(200, {"deletedOrders": []}),
    ),
    "label": (
        "GET",
        r"/orders/[^/]+/label",
        lambda c: c.get_label([1]),
        httpx.Response(200, content=pdf_bytes()),
    ),
    "manifest": (
        "POST",
        "/manifests",
        lambda c: c.manifest_eligible(),
        json_response(201, {"manifestNumber": 1}),
    ),
}


@pytest.mark.parametrize("fault", ["connect", "read_timeout", "dropped", "500", "503"])
@pytest.mark.parametrize("name", sorted(IDEMPOTENT))
def test_idempotent_calls_are_retried_on_network_errors_and_5xx(name: str, fault: str) -> None:
    method, path, call, ok = IDEMPOTENT[name]
    first: Any = NETWORK[fault] if fault in NETWORK else httpx.Response(int(fault))
    api = FakeApi()
    api.add(method, path, first, first, ok)
    with make_client(api) as client:
        call(client)
    assert len(api.requests) == 3


@pytest.mark.parametrize("name", sorted(IDEMPOTENT))
def test_idempotent_calls_give_up_after_max_retries(name: str) -> None:
    method, path, call, _ok = IDEMPOTENT[name]
    api = FakeApi()
    api.add(method, path, httpx.Response(503))
    with make_client(api, max_retries=2) as client, pytest.raises(ServiceUnavailable) as info:
        call(client)
    assert len(api.requests) == 3
    assert not info.value.maybe_applied
    assert "maintenance" in info.value.message


@pytest.mark.parametrize("name", sorted(NOT_IDEMPOTENT))
def test_non_idempotent_calls_are_retried_when_the_request_was_never_sent(name: str) -> None:
    method, path, call, ok = NOT_IDEMPOTENT[name]
    api = FakeApi()
    api.add(method, path, _connect_error, ok)
    with make_client(api) as client:
        call(client)
    assert len(api.requests) == 2


@pytest.mark.parametrize("fault", ["read_timeout", "dropped", "500", "502", "503"])
@pytest.mark.parametrize("name", sorted(NOT_IDEMPOTENT))
def test_non_idempotent_calls_are_never_resent_after_an_ambiguous_failure(
    name: str, fault: str
) -> None:
    method, path, call, ok = NOT_IDEMPOTENT[name]
    first: Any = NETWORK[fault] if fault in NETWORK else httpx.Response(int(fault))
    api = FakeApi()
    api.add(method, path, first, ok)
    with make_client(api) as client, pytest.raises(ServiceUnavailable) as info:
        call(client)
    assert len(api.requests) == 1
    assert info.value.maybe_applied
    if fault in NETWORK:
        assert isinstance(info.value, Offline)


def test_offline_after_connect_failures_says_nothing_was_applied() -> None:
    api = FakeApi()
    api.add("POST", "/orders", _connect_error)
    with make_client(api, max_retries=1) as client, pytest.raises(Offline) as info:
        client.create_orders([make_order()])
    assert not info.value.maybe_applied
    assert len(api.requests) == 2
    assert "cannot be reached" in info.value.message


def test_retries_back_off_with_jitter() -> None:
    clock = FakeClock()
    api = FakeApi()
    api.add("GET", "/orders", httpx.Response(500))
    with make_client(api, clock, max_retries=3) as client, pytest.raises(ServiceUnavailable):
        client.list_orders()
    for n, wait in enumerate(clock.sleeps, start=1):
        step = 0.5 * 2 ** (n - 1)
        assert step / 2 <= wait <= step


# -- events ----------------------------------------------------------------------------------


def test_every_attempt_is_reported_with_its_outcome() -> None:
    events: list[CallEvent] = []
    api = FakeApi()
    api.add(
        "GET",
        "/orders",
        _connect_error,
        _read_timeout,
        httpx.Response(503),
        httpx.Response(500),
        httpx.Response(429, headers={"Retry-After": "0"}),
        json_response(200, EMPTY_PAGE),
    )
    with make_client(api, on_event=events.append, max_retries=5) as client:
        client.list_orders()
    assert [e.outcome for e in events] == [
        Outcome.UNREACHABLE,
        Outcome.TIMEOUT,
        Outcome.MAINTENANCE,
        Outcome.SERVER_ERROR,
        Outcome.RATE_LIMITED,
        Outcome.OK,
    ]
    assert [e.attempt for e in events] == [1, 2, 3, 4, 5, 6]
    assert [e.will_retry for e in events] == [True] * 5 + [False]
    assert {e.endpoint for e in events} == {"GET /orders"}
    assert [e.status for e in events] == [None, None, 503, 500, 429, 200]
    assert all(e.elapsed_s >= 0 for e in events)


def test_account_and_client_error_outcomes() -> None:
    events: list[CallEvent] = []
    api = FakeApi()
    api.add("GET", r"/orders/[^/]+/label", httpx.Response(403))
    api.add("GET", r"/orders/[^/]+", httpx.Response(400, json=[{"message": "bad"}]))
    api.add("GET", "/orders", httpx.Response(401))
    with make_client(api, on_event=events.append) as client:
        with pytest.raises(FeatureNotAvailable):
            client.get_label([1])
        with pytest.raises(ValidationFailed):
            client.get_orders([1])
        with pytest.raises(AuthError):
            client.list_orders()
    assert [(e.outcome, e.endpoint) for e in events] == [
        (Outcome.ACCOUNT, "GET /orders/{orderIdentifiers}/label"),
        (Outcome.CLIENT_ERROR, "GET /orders/{orderIdentifiers}"),
        # The 403 and 400 proved the Bearer key gets through, so a later 401 means the key
        # was revoked: no fallback attempt.
        (Outcome.ACCOUNT, "GET /orders"),
    ]
    assert client.auth_scheme == "bearer"


def test_a_failing_observer_does_not_break_the_call(caplog: pytest.LogCaptureFixture) -> None:
    def boom(_: object) -> None:
        raise RuntimeError("observer bug")

    api = FakeApi()
    api.add("GET", "/orders", json_response(200, EMPTY_PAGE))
    with (
        caplog.at_level(logging.WARNING),
        make_client(api, on_event=boom, on_rate_wait=boom, rate_per_s=0.001) as client,
    ):
        client.list_orders()
        client.list_orders()  # waits for a token: on_rate_wait fires and fails
    assert "observer failed" in caplog.text


# -- the key stays secret ----------------------------------------------------------------------


def test_the_key_never_appears_in_errors_logs_events_or_repr(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events: list[CallEvent] = []
    api = FakeApi()
    api.add("GET", "/version", _connect_error)
    api.add("GET", "/orders", httpx.Response(401))
    api.add("GET", r"/orders/[^/]+", httpx.Response(404), json_response(400, {"message": "x"}))
    api.add("GET", "/orders/full", httpx.Response(403))
    api.add("GET", r"/manifests/\d+", httpx.Response(503))
    api.add("GET", r"/orders/[^/]+/label", httpx.Response(200, content=b"nope"))
    api.add("POST", "/orders", _read_timeout)
    api.add("PUT", "/orders/status", httpx.Response(429, headers={"Retry-After": "999"}))
    errors: list[BaseException] = []
    with (
        caplog.at_level(logging.DEBUG),
        make_client(api, on_event=events.append, max_retries=1) as client,
    ):
        for action in (
            client.version,
            client.list_orders,
            client.list_orders_full,
            lambda: client.get_order(1),
            lambda: client.get_orders([1]),
            lambda: client.get_manifest(1),
            lambda: client.get_label([1]),
            lambda: client.create_orders([make_order()]),
            lambda: _status_call(client),
        ):
            with pytest.raises(ApiError) as info:
                action()
            errors.append(info.value)
        texts = [repr(client), str(client)]
    kinds = {type(e) for e in errors}
    assert {Offline, AuthError, FeatureNotAvailable, NotFound, ValidationFailed} <= kinds
    assert {ServiceUnavailable, BadResponse, RateLimited} <= kinds
    for error in errors:
        texts += [str(error), repr(error), error.message, repr(error.__dict__)]
        assert error.__cause__ is None  # no httpx exception (holding the request) chained
    texts += [repr(e) for e in events] + [r.getMessage() for r in caplog.records]
    secret_part = API_KEY.split("-")[-1]
    for text in texts:
        assert API_KEY not in text
        assert secret_part not in text
