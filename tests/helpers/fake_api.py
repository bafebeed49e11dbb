"""A scripted in-process Click & Drop for `httpx.MockTransport`, and a fake clock.

`FakeApi` answers by (method, path regex) routes. A route holds a script of answers: each an
`httpx.Response`, an exception to raise (network faults), or a callable `request -> Response`;
the last one repeats. Every request is recorded, so tests can assert exactly what was sent.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.api.requests import (
    AddressRequest,
    CreateOrderRequest,
    DimensionsRequest,
    PackageFormat,
    PostageDetailsRequest,
    ProductItemRequest,
    RecipientDetailsRequest,
    ShipmentPackageRequest,
    TagRequest,
)

Answer = httpx.Response | BaseException | Callable[[httpx.Request], httpx.Response]

API_KEY = "11111111-2222-3333-4444-SECRETKEY0042"
BASE_URL = "https://api.example.test/api/v1"


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def order_json(ident: int, ref: str | None = None, **more: Any) -> dict[str, Any]:
    """A `GetOrderInfoResource` as the real API sends it (offset timestamps, nulls)."""
    body: dict[str, Any] = {
        "orderIdentifier": ident,
        "orderReference": ref if ref is not None else f"REF-{ident}",
        "createdOn": "2026-03-06T13:33:02.6925807+00:00",
        "orderDate": "2026-03-06T13:33:02",
        "printedOn": None,
        "manifestedOn": None,
        "shippedOn": None,
        "trackingNumber": None,
        "packages": [{"packageNumber": 1, "trackingNumber": None}],
    }
    body.update(more)
    return body


def full_order_json(ident: int, ref: str | None = None, **more: Any) -> dict[str, Any]:
    """A `GetOrderDetailsResource` (ChannelShipper `/full`)."""
    body = order_json(ident, ref)
    del body["packages"], body["trackingNumber"]
    body.update(
        {
            "orderStatus": "new",
            "tradingName": "Acme Ltd",
            "subtotal": 10.0,
            "shippingCostCharged": 2.5,
            "orderDiscount": 0,
            "total": 12.5,
            "weightInGrams": 500,
            "shippingDetails": {"shippingCost": 2.5, "trackingNumber": None, "packages": []},
            "shippingInfo": {"firstName": "Ada", "lastName": "Lovelace", "postcode": "LS1 1AA"},
            "billingInfo": None,
            "orderLines": [{"SKU": "X1", "name": "Widget", "quantity": 1}],
            "tags": [{"key": "k", "value": "v"}],
        }
    )
    body.update(more)
    return body


def pdf_bytes(text: str = "label") -> bytes:
    """A small real PDF (one page)."""
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.drawString(72, 72, text)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    script: list[Answer]
    calls: int = 0

    def next_answer(self) -> Answer:
        answer = self.script[min(self.calls, len(self.script) - 1)]
        self.calls += 1
        return answer


@dataclass
class FakeApi:
    """Routes match `request.url.raw_path` (still percent-encoded) without the base path."""

    base_path: str = "/api/v1"
    routes: list[_Route] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)

    def add(self, method: str, path_regex: str, *script: Answer) -> _Route:
        route = _Route(method, re.compile(path_regex), list(script))
        self.routes.insert(0, route)  # later routes win
        return route

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        raw = request.url.raw_path.decode("ascii").split("?", 1)[0]
        path = raw.removeprefix(self.base_path)
        for route in self.routes:
            if route.method == request.method and route.pattern.fullmatch(path):
                answer = route.next_answer()
                if isinstance(answer, BaseException):
                    raise answer
                if callable(answer):
                    return answer(request)
                return answer
        return httpx.Response(599, text=f"no route for {request.method} {path}")

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def raw_paths(self) -> list[str]:
        return [r.url.raw_path.decode("ascii") for r in self.requests]

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


class FakeClock:
    """Monotonic time that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_client(api: FakeApi, clock: FakeClock | None = None, **kwargs: Any) -> ClickDropClient:
    """A client on `api` with fake time and fixed jitter (no real waiting)."""
    clock = clock or FakeClock()
    kwargs.setdefault("rate_per_s", 0)
    return ClickDropClient(
        BASE_URL,
        API_KEY,
        transport=api.transport(),
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(7),
        **kwargs,
    )


def make_address(**kw: Any) -> AddressRequest:
    base: dict[str, Any] = {
        "full_name": "Ada Lovelace",
        "address_line1": "1 High Street",
        "city": "Leeds",
        "postcode": "LS1 1AA",
        "country_code": "GB",
    }
    base.update(kw)
    return AddressRequest(**base)


def make_order(**kw: Any) -> CreateOrderRequest:
    base: dict[str, Any] = {
        "order_reference": "WEB-1001",
        "recipient": RecipientDetailsRequest(address=make_address(), email_address="a@example.com"),
        "order_date": datetime(2026, 3, 6, 13, 33, 2, tzinfo=UTC),
        "subtotal": Decimal("19.99"),
        "shipping_cost_charged": 2.5,
        "total": Decimal("22.49"),
        "packages": (
            ShipmentPackageRequest(
                weight_in_grams=750,
                package_format_identifier=PackageFormat.SMALL_PARCEL,
                dimensions=DimensionsRequest(height_in_mms=10, width_in_mms=20, depth_in_mms=30),
                contents=(
                    ProductItemRequest(
                        name="Widget",
                        sku="W-1",
                        quantity=2,
                        unit_value=9.99,
                        unit_weight_in_grams=300,
                    ),
                ),
            ),
        ),
        "postage_details": PostageDetailsRequest(service_code="TPN24", air_number="XI123"),
        "tags": (TagRequest(key="source", value="desktop"),),
    }
    base.update(kw)
    return CreateOrderRequest(**base)


class ChunkedStream(httpx.SyncByteStream):
    """A body that yields `chunks`, then raises `error` (a connection dropped mid-body)."""

    def __init__(self, chunks: list[bytes], error: BaseException | None = None) -> None:
        self._chunks = chunks
        self._error = error

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks
        if self._error is not None:
            raise self._error
