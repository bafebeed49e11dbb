"""Typed outbox operations: what each kind of queued change carries, to and from its payload.

An `OutboxItem` (store/outbox.py) holds a kind and a JSON payload; this module gives each kind
its dataclass, so the replay engine never reads loose dictionaries:

- `CreateOp`: a new order (typed in the form or imported from CSV). `order_reference` is the
  idempotency key: after an ambiguous failure the engine looks it up before sending again.
  `local_identifier` is the negative id of the order's stand-in row in the cache.
- `DespatchOp`: mark despatched (with tracking number and despatch date). `base` holds the
  upstream timestamps we last saw, so a label cancelled upstream meanwhile is caught.
- `DeleteOp`: cancel an order before its label (DELETE /orders/{id}).

An order is addressed by its identifier when it has a real (positive) one, else by reference
(orders created here are only known upstream by reference until their create is replayed).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from clickdrop_desktop.api.errors import BadResponse
from clickdrop_desktop.api.identifiers import OrderKey
from clickdrop_desktop.api.models import Order, format_datetime, parse_datetime
from clickdrop_desktop.store import OutboxItem


class OpKind(enum.StrEnum):
    CREATE = "create"
    DESPATCH = "despatch"
    DELETE = "delete"


class OpSource(enum.StrEnum):
    """Where a queued change was made (shown in the outbox list)."""

    FORM = "form"
    CSV = "csv"
    CLI = "cli"
    APP = "app"


# (what, value): ("id", 123) or ("ref", "ORDER-1"); an op's entity for FIFO ordering.
EntityKey = tuple[str, int | str]


class PayloadError(ValueError):
    """A stored payload that does not have the shape of its kind (damage, or a newer app)."""


def _str_or_none(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{key} is not text")
    return value


def _int_or_none(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(f"{key} is not an integer")
    return value


@dataclass(frozen=True, slots=True)
class BaseVersion:
    """The upstream fields we last saw of an order when the change was made."""

    printed_on: str | None = None
    shipped_on: str | None = None
    manifested_on: str | None = None
    tracking_number: str | None = None

    @classmethod
    def of(cls, order: Order) -> BaseVersion:
        def text(value: datetime | None) -> str | None:
            return None if value is None else format_datetime(value)

        return cls(
            printed_on=text(order.printed_on),
            shipped_on=text(order.shipped_on),
            manifested_on=text(order.manifested_on),
            tracking_number=order.tracking_number,
        )

    def to_payload(self) -> dict[str, Any]:
        return {
            "printedOn": self.printed_on,
            "shippedOn": self.shipped_on,
            "manifestedOn": self.manifested_on,
            "trackingNumber": self.tracking_number,
        }

    @classmethod
    def from_payload(cls, data: object) -> BaseVersion:
        if not isinstance(data, Mapping):
            return cls()
        return cls(
            printed_on=_str_or_none(data, "printedOn"),
            shipped_on=_str_or_none(data, "shippedOn"),
            manifested_on=_str_or_none(data, "manifestedOn"),
            tracking_number=_str_or_none(data, "trackingNumber"),
        )


@dataclass(frozen=True, slots=True)
class OrderTarget:
    """Which order a despatch or delete is about."""

    order_identifier: int | None  # positive, when the order has a real identifier
    order_reference: str | None

    def __post_init__(self) -> None:
        if self.order_identifier is not None and self.order_identifier <= 0:
            raise PayloadError("an order identifier upstream is positive")
        if self.order_identifier is None and not self.order_reference:
            raise PayloadError("a change needs the order's identifier or its reference")

    @property
    def key(self) -> OrderKey:
        """How the API is asked about it: the identifier, else the reference."""
        if self.order_identifier is not None:
            return self.order_identifier
        assert self.order_reference is not None
        return self.order_reference

    @property
    def entities(self) -> frozenset[EntityKey]:
        keys: set[EntityKey] = set()
        if self.order_identifier is not None:
            keys.add(("id", self.order_identifier))
        if self.order_reference:
            keys.add(("ref", self.order_reference))
        return frozenset(keys)

    def matches(self, order_identifier: int | None, order_reference: str | None) -> bool:
        if self.order_identifier is not None:
            return order_identifier == self.order_identifier
        return order_reference is not None and order_reference == self.order_reference

    def label(self) -> str:
        if self.order_reference:
            return f"order {self.order_reference!r}"
        return f"order {self.order_identifier}"


@dataclass(frozen=True, slots=True)
class CreateOp:
    order_reference: str
    request: dict[str, Any]  # the `CreateOrderRequest` item exactly as it will be sent
    local_identifier: int | None = None  # negative id of the stand-in row in the cache
    source: OpSource = OpSource.FORM

    kind = OpKind.CREATE

    @property
    def entities(self) -> frozenset[EntityKey]:
        return frozenset({("ref", self.order_reference)})

    def to_payload(self) -> dict[str, Any]:
        return {
            "request": self.request,
            "local_identifier": self.local_identifier,
            "source": self.source.value,
        }

    @classmethod
    def from_item(cls, item: OutboxItem) -> CreateOp:
        request = item.payload.get("request")
        if not isinstance(request, dict):
            raise PayloadError("a create has no request")
        ref = item.order_reference or request.get("orderReference")
        if not isinstance(ref, str) or not ref:
            raise PayloadError("a create has no order reference")
        return cls(
            order_reference=ref,
            request=request,
            local_identifier=_int_or_none(item.payload, "local_identifier"),
            source=OpSource(item.payload.get("source") or OpSource.FORM.value),
        )


class _Targeted:
    """What a despatch and a cancel share: the order they act on, the version they were made
    against, the cached row, and where they came from (the payload keeps this key order)."""

    __slots__ = ()
    target: OrderTarget
    base: BaseVersion
    local_identifier: int | None
    source: OpSource

    @property
    def entities(self) -> frozenset[EntityKey]:
        return self.target.entities

    def _payload(self, **own: Any) -> dict[str, Any]:
        return {
            "order_identifier": self.target.order_identifier,
            "order_reference": self.target.order_reference,
            **own,
            "base": self.base.to_payload(),
            "local_identifier": self.local_identifier,
            "source": self.source.value,
        }


def _targeted_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The `_Targeted` fields of a stored despatch or cancel payload."""
    return {
        "target": OrderTarget(
            _int_or_none(data, "order_identifier"), _str_or_none(data, "order_reference")
        ),
        "base": BaseVersion.from_payload(data.get("base")),
        "local_identifier": _int_or_none(data, "local_identifier"),
        "source": OpSource(data.get("source") or OpSource.APP.value),
    }


@dataclass(frozen=True, slots=True)
class DespatchOp(_Targeted):
    target: OrderTarget
    despatch_date: datetime
    tracking_number: str | None = None
    base: BaseVersion = field(default_factory=BaseVersion)
    local_identifier: int | None = None  # the cached row (negative for orders created here)
    source: OpSource = OpSource.APP

    kind = OpKind.DESPATCH

    def to_payload(self) -> dict[str, Any]:
        return self._payload(
            despatch_date=format_datetime(self.despatch_date),
            tracking_number=self.tracking_number,
        )

    @classmethod
    def from_item(cls, item: OutboxItem) -> DespatchOp:
        data = item.payload
        when = parse_datetime(data.get("despatch_date"), field_name="despatch_date")
        return cls(
            despatch_date=when or item.created_at.astimezone(UTC),
            tracking_number=_str_or_none(data, "tracking_number"),
            **_targeted_fields(data),
        )


@dataclass(frozen=True, slots=True)
class DeleteOp(_Targeted):
    target: OrderTarget
    base: BaseVersion = field(default_factory=BaseVersion)
    local_identifier: int | None = None
    source: OpSource = OpSource.APP

    kind = OpKind.DELETE

    def to_payload(self) -> dict[str, Any]:
        return self._payload()

    @classmethod
    def from_item(cls, item: OutboxItem) -> DeleteOp:
        return cls(**_targeted_fields(item.payload))


Operation = CreateOp | DespatchOp | DeleteOp


def decode(item: OutboxItem) -> Operation:
    """The typed operation of a stored item; `PayloadError` if it cannot be read."""
    try:
        kind = OpKind(item.kind)
    except ValueError:
        raise PayloadError(f"unknown change kind {item.kind!r} (made by a newer app?)") from None
    try:
        if kind is OpKind.CREATE:
            return CreateOp.from_item(item)
        if kind is OpKind.DESPATCH:
            return DespatchOp.from_item(item)
        return DeleteOp.from_item(item)
    except PayloadError:
        raise
    except (TypeError, ValueError, BadResponse) as exc:  # enum values, dates
        raise PayloadError(str(exc)) from None


def describe(item: OutboxItem) -> str:
    """One line naming the change, for lists and messages (no personal data beyond the ref)."""
    try:
        op = decode(item)
    except PayloadError:
        return f"{item.kind} (unreadable)"
    if isinstance(op, CreateOp):
        return f"new order {op.order_reference!r}"
    if isinstance(op, DespatchOp):
        tracking = f" (tracking {op.tracking_number})" if op.tracking_number else ""
        return f"despatch {op.target.label()}{tracking}"
    return f"cancel {op.target.label()}"
