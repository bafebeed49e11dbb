"""Typed results of the calls that change things, and the per-endpoint shapes of error bodies.

Create, delete and status update answer 200 even when some orders failed; the failures are
part of the result (`failed`, `errors`), never dropped. The 400 bodies differ per endpoint
(api notes section 7); `problems_from_body` reads all of them into `OrderProblem`s.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clickdrop_desktop.api.errors import BadResponse, OrderProblem
from clickdrop_desktop.api.events import ResponseMeta
from clickdrop_desktop.api.identifiers import OrderKey, matches
from clickdrop_desktop.api.models import Order, _int, _list, _obj, _str

PDF_MAGIC = b"%PDF"


def one_line(text: str, limit: int = 200) -> str:
    """Server text made safe for a one-line message: no control characters, bounded length."""
    cleaned = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def decode_pdf(value: object, what: str) -> bytes | None:
    """A base64 PDF field (`label`, `documentPdf`): None when absent, checked to be a PDF."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadResponse(f"{what} is not a base64 string")
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise BadResponse(f"{what} is not valid base64") from None
    if not data.startswith(PDF_MAGIC):
        raise BadResponse(f"{what} is not a PDF document")
    return data


# -- error bodies -------------------------------------------------------------------------------


def problem_from(value: object, *, reference_hint: str | None = None) -> OrderProblem:
    """One error item of any endpoint's shape.

    `OrderErrorResponse` (accountOrderNumber, channelOrderReference, code, message),
    `OrderErrorInfo` (orderIdentifier, orderReference, code, message), `OrderUpdateError`
    (... plus status), `CreateOrderErrorResponse` (errorCode, errorMessage, fields),
    `ErrorResponse` (code, message, details), manifest errors (code, description) and
    `CreateOrderLabelErrorResponse` (code, message).
    """
    data = _obj(value, "error")
    ident = _int(data, "orderIdentifier", "error")
    if ident is None:
        ident = _int(data, "accountOrderNumber", "error")
    ref = _str(data, "orderReference", "error") or _str(data, "channelOrderReference", "error")
    code = _str(data, "code", "error")
    if code is None and data.get("errorCode") is not None:
        code = _str(data, "errorCode", "error")
    message = (
        _str(data, "message", "error")
        or _str(data, "errorMessage", "error")
        or _str(data, "description", "error")
        or _str(data, "details", "error")
        or "no message"
    )
    pairs: list[tuple[str, str]] = []
    for item in _list(data.get("fields"), "error.fields"):
        f = _obj(item, "error.fields[]")
        pairs.append((_str(f, "fieldName", "field") or "", _str(f, "value", "field") or ""))
    return OrderProblem(
        order_identifier=ident,
        order_reference=ref if ref is not None else reference_hint,
        code=code,
        message=message,
        fields=tuple(pairs),
        raw=dict(data),
    )


def problems_from_body(body: object) -> tuple[OrderProblem, ...]:
    """Every problem in an error body, whatever the endpoint's shape; () if none readable."""
    try:
        if isinstance(body, list):
            return tuple(problem_from(item) for item in body)
        if isinstance(body, Mapping):
            if isinstance(body.get("errors"), list):
                return tuple(problem_from(item) for item in body["errors"])
            if any(k in body for k in ("message", "code", "details", "errorMessage")):
                return (problem_from(body),)
    except BadResponse:
        return ()
    return ()


def summarise(problems: tuple[OrderProblem, ...], fallback: str) -> str:
    """One line for an exception: the first problem, and how many more there are."""
    if not problems:
        return fallback
    first = problems[0]
    who = ""
    if first.order_reference:
        who = f"order {first.order_reference!r}: "
    elif first.order_identifier is not None:
        who = f"order {first.order_identifier}: "
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return one_line(f"{fallback}: {who}{first.message}{more}", 300)


# -- create ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreatedOrder:
    """`CreateOrderResponse`: the order as created, plus an inline label when one was asked."""

    order: Order
    label_pdf: bytes | None = field(default=None, repr=False)
    label_errors: tuple[OrderProblem, ...] = ()
    generated_documents: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, value: object, what: str = "createdOrders[]") -> CreatedOrder:
        data = _obj(value, what)
        return cls(
            order=Order.from_api(data, what=what),
            label_pdf=decode_pdf(data.get("label"), f"{what}.label"),
            label_errors=tuple(
                problem_from(e, reference_hint=_str(data, "orderReference", what))
                for e in _list(data.get("labelErrors"), f"{what}.labelErrors")
            ),
            generated_documents=tuple(
                str(d) for d in _list(data.get("generatedDocuments"), f"{what}.generatedDocuments")
            ),
        )


@dataclass(frozen=True, slots=True)
class FailedOrder:
    """`FailedOrderResponse`: the order as we sent it (echoed back) and why it was refused."""

    order: Mapping[str, Any]
    errors: tuple[OrderProblem, ...]

    @property
    def order_reference(self) -> str | None:
        ref = self.order.get("orderReference")
        return ref if isinstance(ref, str) else None

    @classmethod
    def from_api(cls, value: object, what: str = "failedOrders[]") -> FailedOrder:
        data = _obj(value, what)
        echo = data.get("order")
        order = dict(_obj(echo, f"{what}.order")) if echo is not None else {}
        ref = order.get("orderReference")
        hint = ref if isinstance(ref, str) else None
        errors = tuple(
            problem_from(e, reference_hint=hint)
            for e in _list(data.get("errors"), f"{what}.errors")
        )
        return cls(order=order, errors=errors)


@dataclass(frozen=True, slots=True)
class CreateOrdersResult:
    """`CreateOrdersResponse`, merged over every request the batch took."""

    success_count: int
    errors_count: int
    created: tuple[CreatedOrder, ...]
    failed: tuple[FailedOrder, ...]
    metas: tuple[ResponseMeta, ...] = field(default=(), compare=False, repr=False)

    @property
    def all_created(self) -> bool:
        return not self.failed and self.errors_count == 0

    @classmethod
    def parse_page(cls, body: object) -> CreateOrdersResult:
        data = _obj(body, "create response")
        created = tuple(
            CreatedOrder.from_api(o) for o in _list(data.get("createdOrders"), "createdOrders")
        )
        failed = tuple(
            FailedOrder.from_api(o) for o in _list(data.get("failedOrders"), "failedOrders")
        )
        success = _int(data, "successCount", "create response")
        errors = _int(data, "errorsCount", "create response")
        return cls(
            success_count=len(created) if success is None else success,
            errors_count=len(failed) if errors is None else errors,
            created=created,
            failed=failed,
        )

    @classmethod
    def merge(
        cls, parts: list[CreateOrdersResult], metas: list[ResponseMeta]
    ) -> CreateOrdersResult:
        return cls(
            success_count=sum(p.success_count for p in parts),
            errors_count=sum(p.errors_count for p in parts),
            created=tuple(c for p in parts for c in p.created),
            failed=tuple(f for p in parts for f in p.failed),
            metas=tuple(metas),
        )


# -- delete and status ------------------------------------------------------------------------


_Row = tuple[int | None, str | None, str | None]


def _per_order_page(
    body: object, what: str, key: str, third: str
) -> tuple[list[_Row], list[OrderProblem]]:
    """A delete or status answer: (orderIdentifier, orderReference, `third`) of each order in
    `key`, and the `errors` (each endpoint's own shape, see `problem_from`)."""
    data = _obj(body, what)
    where = f"{key}[]"
    rows: list[_Row] = []
    for item in _list(data.get(key), key):
        d = _obj(item, where)
        rows.append(
            (
                _int(d, "orderIdentifier", where),
                _str(d, "orderReference", where),
                _str(d, third, where),
            )
        )
    errors = [problem_from(e) for e in _list(data.get("errors"), "errors")]
    return rows, errors


@dataclass(frozen=True, slots=True)
class DeletedOrder:
    """`DeletedOrderInfo`."""

    order_identifier: int | None
    order_reference: str | None
    order_info: str | None


@dataclass(frozen=True, slots=True)
class DeleteResult:
    """`DeleteOrdersResource`, merged over chunks: what was deleted and what was not."""

    deleted: tuple[DeletedOrder, ...]
    errors: tuple[OrderProblem, ...]
    metas: tuple[ResponseMeta, ...] = field(default=(), compare=False, repr=False)

    @staticmethod
    def parse_page(body: object) -> tuple[list[DeletedOrder], list[OrderProblem]]:
        rows, errors = _per_order_page(body, "delete response", "deletedOrders", "orderInfo")
        return [DeletedOrder(*row) for row in rows], errors


@dataclass(frozen=True, slots=True)
class UpdatedOrder:
    """`UpdatedOrderInfo`."""

    order_identifier: int | None
    order_reference: str | None
    status: str | None


@dataclass(frozen=True, slots=True)
class StatusUpdateResult:
    """`UpdateOrderStatusResponse`, merged over chunks of 100."""

    updated: tuple[UpdatedOrder, ...]
    errors: tuple[OrderProblem, ...]
    metas: tuple[ResponseMeta, ...] = field(default=(), compare=False, repr=False)

    @staticmethod
    def parse_page(body: object) -> tuple[list[UpdatedOrder], list[OrderProblem]]:
        rows, errors = _per_order_page(body, "status response", "updatedOrders", "status")
        return [UpdatedOrder(*row) for row in rows], errors


# -- by-id reads --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrdersById:
    """The answer to `GET /orders/{ids}` (or `/full`), merged over chunks.

    `orders` is everything the server sent, in order, including any order that was not asked
    for (the isolation guard decides what to do with those: see `unexpected`). `missing` are
    the keys no returned order matched (deleted upstream, or never existed).
    """

    requested: tuple[OrderKey, ...]
    orders: tuple[Order, ...]
    metas: tuple[ResponseMeta, ...] = field(default=(), compare=False, repr=False)

    @property
    def missing(self) -> tuple[OrderKey, ...]:
        return tuple(
            k
            for k in self.requested
            if not any(matches(k, o.order_identifier, o.order_reference) for o in self.orders)
        )

    @property
    def unexpected(self) -> tuple[Order, ...]:
        return tuple(
            o
            for o in self.orders
            if not any(matches(k, o.order_identifier, o.order_reference) for k in self.requested)
        )


# -- manifests -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ManifestResult:
    """`ManifestOrdersResponse`: 201 = created with its PDF; 202 = created, PDF not ready yet.

    When `ready` is False, poll `get_manifest(manifest_number)` later.
    """

    manifest_number: int
    ready: bool
    document_pdf: bytes | None = field(default=None, repr=False)
    meta: ResponseMeta | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_api(cls, body: object, *, ready: bool, meta: ResponseMeta) -> ManifestResult:
        data = _obj(body, "manifest")
        number = _int(data, "manifestNumber", "manifest", required=True)
        assert number is not None
        pdf = decode_pdf(data.get("documentPdf"), "manifest.documentPdf")
        return cls(manifest_number=number, ready=ready, document_pdf=pdf, meta=meta)


MANIFEST_STATUSES = ("In Progress", "Completed", "Failed")


@dataclass(frozen=True, slots=True)
class ManifestDetails:
    """`ManifestDetailsResponse`: status is one of "In Progress", "Completed", "Failed"."""

    manifest_number: int
    status: str | None
    document_pdf: bytes | None = field(default=None, repr=False)
    meta: ResponseMeta | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_api(cls, body: object, *, meta: ResponseMeta) -> ManifestDetails:
        data = _obj(body, "manifest")
        number = _int(data, "manifestNumber", "manifest", required=True)
        assert number is not None
        status = _str(data, "status", "manifest")
        if status is not None and status not in MANIFEST_STATUSES:
            raise BadResponse(
                f"manifest.status is not one the spec allows: {one_line(status, 40)!r}"
            )
        pdf = decode_pdf(data.get("documentPdf"), "manifest.documentPdf")
        return cls(manifest_number=number, status=status, document_pdf=pdf, meta=meta)
