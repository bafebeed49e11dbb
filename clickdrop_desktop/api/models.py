"""Typed models of the Click & Drop API, parsed strictly from the spec's shapes.

Parsing follows `reference/click-and-drop-api-v1.yaml`: required fields must be there and have
the right type, or `BadResponse` is raised. It is tolerant where real responses are known to
differ from the spec: naive and offset timestamps (naive means UTC), 7-digit .NET fractions,
nulls for optional fields, and fields the spec does not know (kept in `extra`, never dropped).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from clickdrop_desktop.api.errors import BadResponse
from clickdrop_desktop.api.events import ResponseMeta

_FRACTION = re.compile(r"(\.\d{1,})")


def parse_datetime(value: object, *, field_name: str = "timestamp") -> datetime | None:
    """Parse an API timestamp; `None` stays `None`, naive means UTC, always returns aware UTC."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadResponse(f"{field_name} is not a date-time string")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # .NET writes up to 7 fractional digits; Python takes at most 6.
    text = _FRACTION.sub(lambda m: m.group(1)[:7], text, count=1)
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        # An offset can push a date at the edge of the calendar out of range (9999-12-31-23:00).
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise BadResponse(f"{field_name} is not a valid date-time: {value[:40]!r}") from None


def format_datetime(value: datetime) -> str:
    """Format a timestamp the way the API accepts it (ISO 8601, UTC, `Z`)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z")


# -- small strict readers ----------------------------------------------------------------------


def _obj(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise BadResponse(f"{what} is not a JSON object")
    return value


def _list(value: object, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadResponse(f"{what} is not a JSON array")
    return value


def _int(data: Mapping[str, Any], key: str, what: str, *, required: bool = False) -> int | None:
    value = data.get(key)
    if value is None:
        if required:
            raise BadResponse(f"{what} has no {key}")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadResponse(f"{what}.{key} is not a number")
    if isinstance(value, float):
        if not value.is_integer():
            raise BadResponse(f"{what}.{key} is not an integer")
        value = int(value)
    return value


def _num(data: Mapping[str, Any], key: str, what: str, *, required: bool = False) -> float | None:
    value = data.get(key)
    if value is None:
        if required:
            raise BadResponse(f"{what} has no {key}")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadResponse(f"{what}.{key} is not a number")
    return float(value)


def _str(data: Mapping[str, Any], key: str, what: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise BadResponse(f"{what} has no {key}")
        return None
    if isinstance(value, bool | list | dict):
        raise BadResponse(f"{what}.{key} is not a string")
    # Tolerate numbers where the spec says string (references like 1001 sent as numbers).
    return str(value)


def _bool(data: Mapping[str, Any], key: str, what: str) -> bool | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise BadResponse(f"{what}.{key} is not a boolean")
    return value


def _dt(data: Mapping[str, Any], key: str, what: str, *, required: bool = False) -> datetime | None:
    value = data.get(key)
    if required and (value is None or value == ""):  # "" parses as "no date" below
        raise BadResponse(f"{what} has no {key}")
    return parse_datetime(value, field_name=f"{what}.{key}")


def _extra(data: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in known}


# -- orders -------------------------------------------------------------------------------------


class OrderStatus(enum.StrEnum):
    """Where an order is in its life, as the bench sees it."""

    NEW = "new"  # no label yet (to print)
    PRINTED = "printed"  # label generated
    DESPATCHED = "despatched"
    MANIFESTED = "manifested"
    ARCHIVED = "archived"  # gone upstream (404): kept locally, read-only


_FULL_STATUS_MAP = {
    "new": OrderStatus.NEW,
    "postageapplied": OrderStatus.NEW,
    "postage applied": OrderStatus.NEW,
    "awaitingpayment": OrderStatus.NEW,
    "labelgenerated": OrderStatus.PRINTED,
    "label generated": OrderStatus.PRINTED,
    "printed": OrderStatus.PRINTED,
    "despatched": OrderStatus.DESPATCHED,
    "despatchedbyothercourier": OrderStatus.DESPATCHED,
    "shipped": OrderStatus.DESPATCHED,
    "manifested": OrderStatus.MANIFESTED,
}


@dataclass(frozen=True, slots=True)
class Package:
    """`CreatePackagesResponse`: one parcel of an order and its tracking number."""

    package_number: int | None
    tracking_number: str | None

    @classmethod
    def from_api(cls, value: object, what: str = "package") -> Package:
        data = _obj(value, what)
        return cls(
            package_number=_int(data, "packageNumber", what),
            tracking_number=_str(data, "trackingNumber", what),
        )


@dataclass(frozen=True, slots=True)
class PostalDetails:
    """`GetPostalDetailsResult`: an address as `/full` returns it (names split)."""

    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    city: str | None = None
    county: str | None = None
    postcode: str | None = None
    country_code: str | None = None
    phone_number: str | None = None
    email_address: str | None = None

    _KEYS = (
        ("title", "title"),
        ("first_name", "firstName"),
        ("last_name", "lastName"),
        ("company_name", "companyName"),
        ("address_line1", "addressLine1"),
        ("address_line2", "addressLine2"),
        ("address_line3", "addressLine3"),
        ("city", "city"),
        ("county", "county"),
        ("postcode", "postcode"),
        ("country_code", "countryCode"),
        ("phone_number", "phoneNumber"),
        ("email_address", "emailAddress"),
    )

    @classmethod
    def from_api(cls, value: object, what: str) -> PostalDetails:
        if value is None:
            return cls()
        data = _obj(value, what)
        return cls(**{attr: _str(data, key, what) for attr, key in cls._KEYS})

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    def lines(self) -> list[str]:
        """The address as printed on a label, empty parts left out."""
        parts = [
            self.full_name,
            self.company_name,
            self.address_line1,
            self.address_line2,
            self.address_line3,
            self.city,
            self.county,
            self.postcode,
            self.country_code,
        ]
        return [p for p in parts if p]


@dataclass(frozen=True, slots=True)
class OrderLine:
    """`GetOrderLineResult`."""

    sku: str | None
    name: str | None
    quantity: int
    unit_value: float | None
    line_total: float | None
    customs_code: str | None

    @classmethod
    def from_api(cls, value: object, what: str = "orderLine") -> OrderLine:
        data = _obj(value, what)
        quantity = _int(data, "quantity", what, required=True)
        assert quantity is not None
        return cls(
            sku=_str(data, "SKU", what),
            name=_str(data, "name", what),
            quantity=quantity,
            unit_value=_num(data, "unitValue", what),
            line_total=_num(data, "lineTotal", what),
            customs_code=_str(data, "customsCode", what),
        )


@dataclass(frozen=True, slots=True)
class ShippingDetails:
    """`GetShippingDetailsResult` (the parts the app uses; the rest stays in `Order.raw`)."""

    shipping_cost: float
    tracking_number: str | None
    service_code: str | None
    shipping_service: str | None
    shipping_carrier: str | None
    packages: tuple[Package, ...]

    @classmethod
    def from_api(cls, value: object, what: str = "shippingDetails") -> ShippingDetails:
        data = _obj(value, what)
        cost = _num(data, "shippingCost", what, required=True)
        assert cost is not None
        return cls(
            shipping_cost=cost,
            tracking_number=_str(data, "trackingNumber", what),
            service_code=_str(data, "serviceCode", what),
            shipping_service=_str(data, "shippingService", what),
            shipping_carrier=_str(data, "shippingCarrier", what),
            packages=tuple(
                Package.from_api(p, f"{what}.packages[]") for p in _list(data.get("packages"), what)
            ),
        )


@dataclass(frozen=True, slots=True)
class OrderDetails:
    """What `/orders/full` adds to an order (ChannelShipper accounts only)."""

    order_status: str | None
    trading_name: str | None
    channel: str | None
    special_instructions: str | None
    picker_special_instructions: str | None
    subtotal: float
    shipping_cost_charged: float
    order_discount: float
    total: float
    weight_in_grams: int
    currency_code: str | None
    shipping_details: ShippingDetails
    shipping_info: PostalDetails
    billing_info: PostalDetails
    order_lines: tuple[OrderLine, ...]
    tags: tuple[tuple[str, str], ...]


_ORDER_KEYS = frozenset(
    {
        "orderIdentifier",
        "orderReference",
        "createdOn",
        "orderDate",
        "printedOn",
        "manifestedOn",
        "shippedOn",
        "trackingNumber",
        "packages",
    }
)
_FULL_KEYS = frozenset(
    {
        "orderIdentifier",
        "orderStatus",
        "createdOn",
        "printedOn",
        "shippedOn",
        "postageAppliedOn",
        "manifestedOn",
        "orderDate",
        "despatchedByOtherCourierOn",
        "tradingName",
        "channel",
        "marketplaceTypeName",
        "department",
        "AIRNumber",
        "requiresExportLicense",
        "commercialInvoiceNumber",
        "commercialInvoiceDate",
        "orderReference",
        "channelShippingMethod",
        "specialInstructions",
        "pickerSpecialInstructions",
        "subtotal",
        "shippingCostCharged",
        "orderDiscount",
        "total",
        "weightInGrams",
        "packageSize",
        "accountBatchNumber",
        "currencyCode",
        "shippingDetails",
        "shippingInfo",
        "billingInfo",
        "orderLines",
        "tags",
    }
)


@dataclass(frozen=True, slots=True)
class Order:
    """One order: `GetOrderInfoResource`, or `GetOrderDetailsResource` with `details` set.

    `raw` is the JSON object exactly as received, so nothing the API sent is ever lost
    (the store keeps it); `extra` holds the fields this version does not model.
    """

    order_identifier: int
    order_reference: str | None
    created_on: datetime
    order_date: datetime | None = None
    printed_on: datetime | None = None
    manifested_on: datetime | None = None
    shipped_on: datetime | None = None
    tracking_number: str | None = None
    packages: tuple[Package, ...] = ()
    details: OrderDetails | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, value: object, *, what: str = "order") -> Order:
        """Parse a `GetOrderInfoResource`."""
        data = _obj(value, what)
        ident = _int(data, "orderIdentifier", what, required=True)
        created = _dt(data, "createdOn", what, required=True)
        assert ident is not None
        assert created is not None
        return cls(
            order_identifier=ident,
            order_reference=_str(data, "orderReference", what),
            created_on=created,
            order_date=_dt(data, "orderDate", what),
            printed_on=_dt(data, "printedOn", what),
            manifested_on=_dt(data, "manifestedOn", what),
            shipped_on=_dt(data, "shippedOn", what),
            tracking_number=_str(data, "trackingNumber", what),
            packages=tuple(
                Package.from_api(p, f"{what}.packages[]") for p in _list(data.get("packages"), what)
            ),
            extra=_extra(data, _ORDER_KEYS),
            raw=dict(data),
        )

    @classmethod
    def from_api_full(cls, value: object, *, what: str = "order") -> Order:
        """Parse a `GetOrderDetailsResource` (ChannelShipper `/full`)."""
        data = _obj(value, what)
        ident = _int(data, "orderIdentifier", what, required=True)
        # The spec does not mark createdOn required on /full, but every record has it;
        # without it we cannot check the order's immutable fields, so it is required here.
        created = _dt(data, "createdOn", what, required=True)
        assert ident is not None
        assert created is not None
        shipping = ShippingDetails.from_api(data.get("shippingDetails"), f"{what}.shippingDetails")
        tags = tuple(
            (_str(t, "key", f"{what}.tags[]") or "", _str(t, "value", f"{what}.tags[]") or "")
            for t in (_obj(t, f"{what}.tags[]") for t in _list(data.get("tags"), what))
        )
        required_numbers = {
            key: _num(data, key, what, required=True)
            for key in ("subtotal", "shippingCostCharged", "orderDiscount", "total")
        }
        weight = _int(data, "weightInGrams", what, required=True)
        for key in ("shippingInfo", "billingInfo", "orderLines"):
            if key not in data:
                raise BadResponse(f"{what} has no {key}")
        details = OrderDetails(
            order_status=_str(data, "orderStatus", what),
            trading_name=_str(data, "tradingName", what),
            channel=_str(data, "channel", what),
            special_instructions=_str(data, "specialInstructions", what),
            picker_special_instructions=_str(data, "pickerSpecialInstructions", what),
            subtotal=required_numbers["subtotal"] or 0.0,
            shipping_cost_charged=required_numbers["shippingCostCharged"] or 0.0,
            order_discount=required_numbers["orderDiscount"] or 0.0,
            total=required_numbers["total"] or 0.0,
            weight_in_grams=weight or 0,
            currency_code=_str(data, "currencyCode", what),
            shipping_details=shipping,
            shipping_info=PostalDetails.from_api(data.get("shippingInfo"), f"{what}.shippingInfo"),
            billing_info=PostalDetails.from_api(data.get("billingInfo"), f"{what}.billingInfo"),
            order_lines=tuple(
                OrderLine.from_api(line, f"{what}.orderLines[]")
                for line in _list(data.get("orderLines"), what)
            ),
            tags=tags,
        )
        return cls(
            order_identifier=ident,
            order_reference=_str(data, "orderReference", what),
            created_on=created,
            order_date=_dt(data, "orderDate", what),
            printed_on=_dt(data, "printedOn", what),
            manifested_on=_dt(data, "manifestedOn", what),
            shipped_on=_dt(data, "shippedOn", what)
            or _dt(data, "despatchedByOtherCourierOn", what),
            tracking_number=shipping.tracking_number,
            packages=shipping.packages,
            details=details,
            extra=_extra(data, _FULL_KEYS),
            raw=dict(data),
        )

    @property
    def status(self) -> OrderStatus:
        """`orderStatus` from `/full` where known, otherwise derived from the timestamps."""
        if self.details is not None and self.details.order_status:
            key = self.details.order_status.strip().lower()
            if key in _FULL_STATUS_MAP:
                return _FULL_STATUS_MAP[key]
        if self.manifested_on is not None:
            return OrderStatus.MANIFESTED
        if self.shipped_on is not None:
            return OrderStatus.DESPATCHED
        if (
            self.printed_on is not None
            or self.tracking_number
            or any(p.tracking_number for p in self.packages)
        ):
            return OrderStatus.PRINTED
        return OrderStatus.NEW

    @property
    def all_tracking_numbers(self) -> tuple[str, ...]:
        numbers = [self.tracking_number] if self.tracking_number else []
        numbers += [p.tracking_number for p in self.packages if p.tracking_number]
        return tuple(dict.fromkeys(numbers))


# -- other responses ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """`GetVersionResource`."""

    commit: str | None
    build: str | None
    release: str | None
    release_date: datetime

    @classmethod
    def from_api(cls, value: object) -> VersionInfo:
        data = _obj(value, "version")
        released = _dt(data, "releaseDate", "version", required=True)
        assert released is not None
        return cls(
            commit=_str(data, "commit", "version"),
            build=_str(data, "build", "version"),
            release=_str(data, "release", "version"),
            release_date=released,
        )


@dataclass(frozen=True, slots=True)
class OrderPage:
    """One page of `GET /orders` or `/orders/full`; `meta` holds the answer's status and headers
    (the isolation guard checks them for signs of a shared cache)."""

    orders: tuple[Order, ...]
    continuation_token: str | None
    meta: ResponseMeta | None = field(default=None, compare=False, repr=False)
