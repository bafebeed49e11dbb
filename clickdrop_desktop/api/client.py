"""`ClickDropClient`: one typed object for every endpoint of the Click & Drop API v1.

It owns the account's single `httpx.Client` (never shared, no HTTP cache) through `HttpEngine`,
which handles the auth header, the rate limit, retries and the response-size cap (see
`api/http.py` for the retry policy). This module turns endpoints into typed calls: identifier
encoding and chunking at 100, per-endpoint error bodies, and partial success as results.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from clickdrop_desktop.api.capabilities import Capabilities, probe_capabilities
from clickdrop_desktop.api.documents import Documents, DocumentType, merge_pdfs
from clickdrop_desktop.api.errors import ApiError, BadResponse, NotFound
from clickdrop_desktop.api.events import CallEvent, ResponseMeta
from clickdrop_desktop.api.http import DEFAULT_MAX_RESPONSE_BYTES, AuthScheme, Call, HttpEngine
from clickdrop_desktop.api.identifiers import (
    OrderKey,
    chunk_keys,
    encode_keys,
    matches,
    unique_keys,
)
from clickdrop_desktop.api.models import Order, OrderPage, VersionInfo, _list, _obj, format_datetime
from clickdrop_desktop.api.results import OrdersById
from clickdrop_desktop.api.writes import OrderWrites
from clickdrop_desktop.closing import Closing

log = logging.getLogger("clickdrop_desktop.api")

__all__ = ["DEFAULT_BASE_URL", "ClickDropClient", "DocumentType", "merge_pdfs"]

DEFAULT_BASE_URL = "https://api.parcel.royalmail.com/api/v1"


class ClickDropClient(OrderWrites, Documents, Closing):
    """The Click & Drop API, typed. Thread-safe; use as a context manager or call `close()`.

    Args:
        base_url: e.g. `https://api.parcel.royalmail.com/api/v1` or a sandbox URL.
        api_key: the account's integration key. Kept private: never in a message, log or repr.
        rate_per_s: client-side limit (5 default; 1 for older accounts; 0 turns it off).
        timeout: seconds to wait for a connection or for the next bytes of an answer.
        deadline_s: longest one attempt may take in total (guards against a slow drip).
        transport: an httpx transport (tests pass `httpx.MockTransport`).
        max_response_bytes: answers larger than this are refused (`BadResponse`).
        auth_scheme: "bearer" or "bare" when known from an earlier session; None finds out.
        on_event: called after every HTTP attempt with its `CallEvent` (connectivity feed).
        on_rate_wait: called with the seconds the client is about to wait for the rate limit.
        clock, sleep, rng: injectable for tests (fake time, no real waiting, fixed jitter).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        rate_per_s: float = 5.0,
        timeout: float = 30.0,
        deadline_s: float = 120.0,
        transport: httpx.BaseTransport | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_retries: int = 3,
        max_rate_limit_retries: int = 4,
        max_retry_after_s: float = 60.0,
        auth_scheme: AuthScheme | None = None,
        on_event: Callable[[CallEvent], None] | None = None,
        on_rate_wait: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("the API URL must start with https:// (or http:// for a sandbox)")
        if parts.query or parts.fragment:
            raise ValueError("the API URL must not have a query or fragment")
        key = api_key.strip()
        if not key or any(ch.isspace() or not ch.isprintable() for ch in key):
            # Also keeps the key from smuggling a second header line into the request.
            raise ValueError("the API key is empty or contains spaces or control characters")
        if timeout <= 0 or deadline_s <= 0 or max_response_bytes <= 0:
            raise ValueError("timeout, deadline_s and max_response_bytes must be positive")
        self._base_url = base_url.rstrip("/")
        self._engine = HttpEngine(
            self._base_url,
            key,
            rate_per_s=rate_per_s,
            timeout=timeout,
            deadline_s=deadline_s,
            transport=transport,
            max_response_bytes=max_response_bytes,
            max_retries=max_retries,
            max_rate_limit_retries=max_rate_limit_retries,
            max_retry_after_s=max_retry_after_s,
            auth_scheme=auth_scheme,
            on_event=on_event,
            on_rate_wait=on_rate_wait,
            clock=clock,
            sleep=sleep,
            rng=rng or random.Random(),  # noqa: S311 - jitter, not crypto
        )

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        self._engine.close()

    def __repr__(self) -> str:
        return f"ClickDropClient({self._base_url!r}, auth_scheme={self.auth_scheme!r})"

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def auth_scheme(self) -> AuthScheme | None:
        """ "bearer" or "bare" once a call got past authentication; None until then."""
        return self._engine.auth_scheme

    @property
    def rate_per_s(self) -> float:
        return self._engine.limiter.rate_per_s

    # -- version and capabilities -------------------------------------------------------------

    def version(self) -> VersionInfo:
        """`GET /version` (no key needed): the connectivity probe."""
        call = Call("GET", "/version", "GET /version", authenticated=False)
        return VersionInfo.from_api(self._send(call, "").json())

    def probe_capabilities(self) -> Capabilities:
        """Key valid? OBA labels? ChannelShipper `/full`? See `api/capabilities.py`."""
        return probe_capabilities(self)

    # -- listing ---------------------------------------------------------------------------------

    def list_orders(
        self,
        *,
        page_size: int = 100,
        start: datetime | None = None,
        end: datetime | None = None,
        continuation_token: str | None = None,
        full: bool = False,
    ) -> OrderPage:
        """One page of `GET /orders` (or `/orders/full` with `full=True`, ChannelShipper)."""
        if not 1 <= page_size <= 100:
            raise ValueError("page_size must be 1..100")
        params = {"pageSize": str(page_size)}
        if start is not None:
            params["startDateTime"] = format_datetime(start)
        if end is not None:
            params["endDateTime"] = format_datetime(end)
        if continuation_token:
            params["continuationToken"] = continuation_token
        path = "/orders/full" if full else "/orders"
        answer = self._send(Call("GET", path, f"GET {path}", params=params), "full" if full else "")
        data = _obj(answer.json(), "orders page")
        parse = Order.from_api_full if full else Order.from_api
        orders = tuple(
            parse(o, what="orders[]") for o in _list(data.get("orders"), "orders page.orders")
        )
        token = data.get("continuationToken")
        if token is not None and not isinstance(token, str):
            raise BadResponse("orders page.continuationToken is not a string")
        return OrderPage(orders=orders, continuation_token=token or None, meta=answer.meta)

    def list_orders_full(self, **kwargs: Any) -> OrderPage:
        """`GET /orders/full` (ChannelShipper only; others get `FeatureNotAvailable`)."""
        return self.list_orders(full=True, **kwargs)

    def iter_order_pages(
        self,
        *,
        full: bool = False,
        page_size: int = 100,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Iterator[OrderPage]:
        """Every page, following `continuationToken` until a page has none."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            page = self.list_orders(
                full=full, page_size=page_size, start=start, end=end, continuation_token=token
            )
            yield page
            token = page.continuation_token
            if token is None:
                return
            if token in seen:
                raise BadResponse("Click & Drop sent the same continuation token twice")
            seen.add(token)

    def iter_orders(self, **kwargs: Any) -> Iterator[Order]:
        """Every order of every page (see `iter_order_pages` for the arguments)."""
        for page in self.iter_order_pages(**kwargs):
            yield from page.orders

    # -- by identifier -------------------------------------------------------------------------

    def get_orders(self, keys: Sequence[OrderKey], *, full: bool = False) -> OrdersById:
        """`GET /orders/{ids}` (or `/full`), 100 per call; 404 for a chunk = all of it missing."""
        wanted = unique_keys(keys)
        orders: list[Order] = []
        metas: list[ResponseMeta] = []
        suffix = "/full" if full else ""
        endpoint = f"GET /orders/{{orderIdentifiers}}{suffix}"
        parse = Order.from_api_full if full else Order.from_api
        for chunk in chunk_keys(wanted):
            call = Call("GET", f"/orders/{encode_keys(chunk)}{suffix}", endpoint)
            try:
                answer = self._send(call, "full" if full else "", not_found_ok=True)
            except ApiError as exc:
                exc.partial = OrdersById(tuple(wanted), tuple(orders), tuple(metas))
                raise
            metas.append(answer.meta)
            if answer.status == 404:
                continue
            body = answer.json()
            if not isinstance(body, list):
                raise BadResponse("Click & Drop sent an object where a list of orders was expected")
            orders.extend(parse(o, what="orders[]") for o in body)
        return OrdersById(tuple(wanted), tuple(orders), tuple(metas))

    def get_order(self, key: OrderKey, *, full: bool = False) -> Order:
        """One order; `NotFound` when the account has no such order (any more)."""
        result = self.get_orders([key], full=full)
        if result.missing:
            raise NotFound(
                f"order {key!r} was not found (deleted in Click & Drop?)", status_code=404
            )
        return next(o for o in result.orders if matches(key, o.order_identifier, o.order_reference))

    def find_orders_by_reference(self, references: Sequence[str]) -> dict[str, Order]:
        """Which of `references` exist upstream: the reconciliation step before resending a
        create whose outcome is unknown. Missing references are absent from the result; if
        two orders share a reference, the newest wins."""
        if any(not isinstance(r, str) for r in references):
            raise TypeError("references are strings (order identifiers are not references)")
        result = self.get_orders(list(references))
        found: dict[str, Order] = {}
        wanted = set(references)
        for order in result.orders:
            ref = order.order_reference
            if ref in wanted and ref is not None:
                current = found.get(ref)
                if current is None or order.created_on >= current.created_on:
                    found[ref] = order
        if result.unexpected:
            log.warning("reference lookup returned %d orders not asked for", len(result.unexpected))
        return found
