"""Calls that change orders: create (never blindly retried), delete, and status updates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from clickdrop_desktop.api.base import EndpointBase
from clickdrop_desktop.api.errors import ApiError, OrderProblem
from clickdrop_desktop.api.events import ResponseMeta
from clickdrop_desktop.api.http import Call
from clickdrop_desktop.api.identifiers import (
    MAX_IDS_PER_CALL,
    OrderKey,
    chunk_keys,
    encode_keys,
    unique_keys,
)
from clickdrop_desktop.api.requests import (
    CreateOrderRequest,
    InvalidRequest,
    OrderStatusValue,
    StatusUpdateRequest,
    create_orders_body,
)
from clickdrop_desktop.api.results import (
    CreateOrdersResult,
    DeletedOrder,
    DeleteResult,
    StatusUpdateResult,
    UpdatedOrder,
)


class OrderWrites(EndpointBase):
    """`POST /orders`, `DELETE /orders/{ids}`, `PUT /orders/status`."""

    def create_orders(
        self,
        orders: Sequence[CreateOrderRequest | Mapping[str, Any]],
        *,
        chunk_size: int = 100,
    ) -> CreateOrdersResult:
        """`POST /orders`, never retried once it may have reached the server.

        Orders go `chunk_size` per request; an order that asks for an inline label goes alone
        (the API allows one inline label per request). On an ambiguous failure the error has
        `maybe_applied=True` and `partial` holds the chunks already answered: look the orders up
        with `find_orders_by_reference` before sending any of them again.
        """
        if not 1 <= chunk_size <= 2000:
            raise ValueError("chunk_size must be 1..2000")
        create_orders_body(orders)  # at least one order
        batches: list[list[CreateOrderRequest | Mapping[str, Any]]] = []
        plain: list[CreateOrderRequest | Mapping[str, Any]] = []
        for order in orders:
            if _wants_inline_label(order):
                batches.append([order])
            else:
                plain.append(order)
        batches += [plain[i : i + chunk_size] for i in range(0, len(plain), chunk_size)]
        parts: list[CreateOrdersResult] = []
        metas: list[ResponseMeta] = []
        for batch in batches:
            call = Call(
                "POST", "/orders", "POST /orders", body=create_orders_body(batch), idempotent=False
            )
            try:
                answer = self._send(call, "")
                part = CreateOrdersResult.parse_page(answer.json())
            except ApiError as exc:
                exc.partial = CreateOrdersResult.merge(parts, metas) if parts else None
                raise
            parts.append(part)
            metas.append(answer.meta)
        return CreateOrdersResult.merge(parts, metas)

    def delete_orders(self, keys: Sequence[OrderKey]) -> DeleteResult:
        """`DELETE /orders/{ids}`. Labels of deleted orders become invalid (and chargeable if
        used). A chunk answered 404 is reported as per-order "NotFound" errors."""
        wanted = unique_keys(keys)
        deleted: list[DeletedOrder] = []
        errors: list[OrderProblem] = []
        metas: list[ResponseMeta] = []
        for chunk in chunk_keys(wanted):
            call = Call(
                "DELETE",
                f"/orders/{encode_keys(chunk)}",
                "DELETE /orders/{orderIdentifiers}",
                idempotent=False,
            )
            try:
                answer = self._send(call, "delete", not_found_ok=True)
                metas.append(answer.meta)
                if answer.status == 404:
                    errors.extend(_not_found(k) for k in chunk)
                    continue
                d, e = DeleteResult.parse_page(answer.json())
            except ApiError as exc:
                exc.partial = DeleteResult(tuple(deleted), tuple(errors), tuple(metas))
                raise
            deleted += d
            errors += e
        return DeleteResult(tuple(deleted), tuple(errors), tuple(metas))

    def update_status(
        self, updates: Sequence[StatusUpdateRequest], *, retry_ambiguous: bool = True
    ) -> StatusUpdateResult:
        """`PUT /orders/status`, 100 items per call (the spec's maximum collection length).

        Setting a status twice leaves the same state, so an ambiguous failure is retried by
        default. The outbox passes `retry_ambiguous=False`: it must send each change exactly
        once, so it reconciles (reads the orders back) instead, and the error then carries
        `maybe_applied=True`.
        """
        if not updates:
            raise InvalidRequest("at least one status update is needed")
        updated: list[UpdatedOrder] = []
        errors: list[OrderProblem] = []
        metas: list[ResponseMeta] = []
        for i in range(0, len(updates), MAX_IDS_PER_CALL):
            items = [u.to_api() for u in updates[i : i + MAX_IDS_PER_CALL]]
            call = Call(
                "PUT",
                "/orders/status",
                "PUT /orders/status",
                body={"items": items},
                idempotent=retry_ambiguous,
            )
            try:
                answer = self._send(call, "status")
                u, e = StatusUpdateResult.parse_page(answer.json())
            except ApiError as exc:
                exc.partial = StatusUpdateResult(tuple(updated), tuple(errors), tuple(metas))
                raise
            updated += u
            errors += e
            metas.append(answer.meta)
        return StatusUpdateResult(tuple(updated), tuple(errors), tuple(metas))

    def mark_despatched(
        self, keys: Sequence[OrderKey], *, despatch_date: datetime | None = None
    ) -> StatusUpdateResult:
        """Set `despatched` on each order (identifier or reference)."""
        updates = [
            StatusUpdateRequest(
                status=OrderStatusValue.DESPATCHED,
                order_identifier=k if isinstance(k, int) else None,
                order_reference=k if isinstance(k, str) else None,
                despatch_date=despatch_date,
            )
            for k in unique_keys(keys)
        ]
        return self.update_status(updates)


def _not_found(key: OrderKey) -> OrderProblem:
    return OrderProblem(
        order_identifier=key if isinstance(key, int) else None,
        order_reference=key if isinstance(key, str) else None,
        code="NotFound",
        message="order not found",
    )


def _wants_inline_label(order: CreateOrderRequest | Mapping[str, Any]) -> bool:
    if isinstance(order, CreateOrderRequest):
        return order.wants_inline_label
    label = order.get("label")
    return isinstance(label, Mapping) and label.get("includeLabelInResponse") is True
