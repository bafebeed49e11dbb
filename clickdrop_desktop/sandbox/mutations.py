"""The state-changing endpoints: create, delete, set status, labels (they generate), manifests."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime
from typing import Any

from clickdrop_desktop.sandbox import labels as label_pdf
from clickdrop_desktop.sandbox import resources
from clickdrop_desktop.sandbox.accounts import Account, AccountType
from clickdrop_desktop.sandbox.core import BodyError, Reply, Request, SandboxState, parse_json
from clickdrop_desktop.sandbox.identifiers import IdentifierError, parse_identifiers
from clickdrop_desktop.sandbox.intake import NO_POSTAGE, generate_label, record_from_request
from clickdrop_desktop.sandbox.records import OrderRecord
from clickdrop_desktop.sandbox.validation import (
    DUPLICATE,
    INVALID,
    parse_request_datetime,
    validate_order,
    wants_inline_label,
)

MAX_CREATE = 2000  # "up to 2,000 orders per request" (help centre, unverified)
MAX_STATUS = 100
INLINE_LIMIT = "Amount of labels across all items must not exceed 1"
PDF = "application/pdf"


def _bool_param(req: Request, name: str) -> bool | str | None:
    """True/False, None when absent, or the bad text."""
    value = req.param(name)
    if value is None:
        return None
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


# -- POST /orders -------------------------------------------------------------------------------


def create_orders(state: SandboxState, req: Request, account: Account) -> Reply:
    try:
        body = parse_json(req.body)
    except BodyError as exc:
        return Reply(400, resources.error(str(exc), "InvalidRequest"))
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        return Reply(
            400,
            resources.error("items is required and must hold at least one order", "InvalidRequest"),
        )
    if len(items) > MAX_CREATE:
        return Reply(
            400, resources.error(f"At most {MAX_CREATE} orders per request", "InvalidRequest")
        )
    if sum(1 for item in items if wants_inline_label(item)) > 1:
        return Reply(400, resources.error(INLINE_LIMIT, "InvalidRequest"))
    created: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    with state.lock:
        store = state.store(account)
        for item in items:
            errors = validate_order(item, account)
            if not errors:
                errors = _semantic_errors(item, account, store.reference_taken)
            if errors:
                failed.append({"order": item, "errors": errors})
                continue
            record = record_from_request(
                item, account, store.next_order_id(), store.next_created_on(now)
            )
            store.add(record)
            created.append(_created_view(state, account, record, item, now))
    return Reply(
        200,
        {
            "successCount": len(created),
            "errorsCount": len(failed),
            "createdOrders": created,
            "failedOrders": failed,
        },
    )


def _semantic_errors(
    item: dict[str, Any], account: Account, reference_taken: Any
) -> list[dict[str, Any]]:
    errors = []
    ref = item.get("orderReference")
    if isinstance(ref, str) and ref and reference_taken(ref):
        errors.append(
            {
                "errorCode": DUPLICATE,
                "errorMessage": f"An order with reference {ref!r} already exists",
                "fields": [{"fieldName": "orderReference", "value": ref}],
            }
        )
    sender = item.get("sender")
    trading = sender.get("tradingName") if isinstance(sender, dict) else None
    if isinstance(trading, str) and trading.strip().lower() != account.trading_name.lower():
        errors.append(
            {
                "errorCode": INVALID,
                "errorMessage": f"Trading name {trading[:60]!r} is not set up on this account",
                "fields": [{"fieldName": "sender.tradingName", "value": trading[:100]}],
            }
        )
    return errors


def _created_view(
    state: SandboxState, account: Account, record: OrderRecord, item: dict[str, Any], now: datetime
) -> dict[str, Any]:
    if not wants_inline_label(item):
        return resources.created_order(record)
    if account.type is not AccountType.OBA:
        problem = {"message": "Feature available for OBA accounts only", "code": "Forbidden"}
        return resources.created_order(record, label_errors=[problem])
    if record.service_code is None:
        problem = {"message": NO_POSTAGE, "code": "OrderValidationError"}
        return resources.created_order(record, label_errors=[problem])
    options = item["label"]
    include_cn = bool(options.get("includeCN", record.international))
    include_returns = bool(options.get("includeReturnsLabel", False))
    generate_label(record, account, state.config.seed, now)
    pdf = label_pdf.render_documents(
        "postageLabel",
        [copy.deepcopy(record)],
        account,
        include_returns=include_returns,
        include_cn=include_cn,
    )
    docs = ["postageLabel"] + (["CN22"] if include_cn and record.international else [])
    return resources.created_order(
        record, label=base64.b64encode(pdf).decode("ascii"), documents=docs
    )


# -- DELETE /orders/{ids} -----------------------------------------------------------------------


def _info_error(
    ident: int | str | None, record: OrderRecord | None, code: str, message: str
) -> dict[str, Any]:
    """`OrderErrorInfo` (delete)."""
    return {
        "orderIdentifier": record.order_id if record else ident if isinstance(ident, int) else None,
        "orderReference": record.reference if record else ident if isinstance(ident, str) else None,
        "code": code,
        "message": message,
    }


def delete_orders(state: SandboxState, req: Request, account: Account, segment: str) -> Reply:
    try:
        idents = parse_identifiers(segment)
    except IdentifierError as exc:
        return Reply(400, [_info_error(None, None, "InvalidOrderIdentifier", str(exc))])
    deleted: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    with state.lock:
        store = state.store(account)
        for ident in idents:
            position = (
                store.position_of_id(ident)
                if isinstance(ident, int)
                else store.position_of_reference(ident)
            )
            if position is None:
                errors.append(_info_error(ident, None, "OrderNotFound", "Order not found"))
                continue
            record = store.mutable(position)
            if record.manifested_on is not None:
                errors.append(
                    _info_error(
                        ident, record, "OrderManifested", "Manifested orders cannot be deleted"
                    )
                )
                continue
            record.deleted = True
            info = "Order deleted" + ("; its label is no longer valid" if record.printed_on else "")
            deleted.append(
                {
                    "orderIdentifier": record.order_id,
                    "orderReference": record.reference,
                    "orderInfo": info,
                }
            )
    if not deleted and all(e["code"] == "OrderNotFound" for e in errors):
        return Reply(404, resources.error("Order not found", "NotFound"))
    return Reply(200, {"deletedOrders": deleted, "errors": errors})


# -- PUT /orders/status -------------------------------------------------------------------------


def _update_error(item: Any, record: OrderRecord | None, code: str, message: str) -> dict[str, Any]:
    """`OrderUpdateError`."""
    data = item if isinstance(item, dict) else {}
    return {
        "orderIdentifier": record.order_id if record else data.get("orderIdentifier"),
        "orderReference": record.reference if record else data.get("orderReference"),
        "status": record.status() if record else None,
        "code": code,
        "message": message,
    }


def update_status(state: SandboxState, req: Request, account: Account) -> Reply:
    try:
        body = parse_json(req.body)
    except BodyError as exc:
        return Reply(400, [_update_error(None, None, "InvalidRequest", str(exc))])
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        return Reply(
            400,
            [
                _update_error(
                    None,
                    None,
                    "InvalidRequest",
                    "items is required and must hold at least one order",
                )
            ],
        )
    if len(items) > MAX_STATUS:
        return Reply(
            400,
            [
                _update_error(
                    None, None, "InvalidRequest", f"At most {MAX_STATUS} items per request"
                )
            ],
        )
    updated: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    with state.lock:
        for item in items:
            result = _apply_status(state, account, item, now)
            (updated if "code" not in result else errors).append(result)
    return Reply(200, {"updatedOrders": updated, "errors": errors})


def _apply_status(
    state: SandboxState, account: Account, item: Any, now: datetime
) -> dict[str, Any]:
    if not isinstance(item, dict):
        return _update_error(None, None, "InvalidRequest", "Each item must be an object")
    ident, ref, status = item.get("orderIdentifier"), item.get("orderReference"), item.get("status")
    if (ident is None) == (ref is None):
        return _update_error(
            item, None, "InvalidRequest", "Give exactly one of orderIdentifier and orderReference"
        )
    if (ident is not None and (isinstance(ident, bool) or not isinstance(ident, int))) or (
        ref is not None and not isinstance(ref, str)
    ):
        return _update_error(
            item,
            None,
            "InvalidRequest",
            "orderIdentifier must be an integer and orderReference a string",
        )
    if status not in ("new", "despatched", "despatchedByOtherCourier"):
        return _update_error(
            item,
            None,
            "InvalidStatus",
            "status must be new, despatched or despatchedByOtherCourier",
        )
    if status == "despatchedByOtherCourier":
        if account.type is not AccountType.CHANNEL_SHIPPER:
            return _update_error(
                item,
                None,
                "FeatureNotAvailable",
                "despatchedByOtherCourier is for ChannelShipper accounts only",
            )
        if item.get("trackingNumber") and not all(
            item.get(k) for k in ("despatchDate", "shippingCarrier", "shippingService")
        ):
            return _update_error(
                item,
                None,
                "InvalidRequest",
                "With trackingNumber, despatchDate, "
                "shippingCarrier and shippingService are required",
            )
    when = now
    if item.get("despatchDate") is not None:
        parsed = parse_request_datetime(item["despatchDate"])
        if parsed is None:
            return _update_error(item, None, "InvalidRequest", "despatchDate is not a date-time")
        when = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    store = state.store(account)
    position = (
        store.position_of_id(ident) if ident is not None else store.position_of_reference(str(ref))
    )
    if position is None:
        return _update_error(item, None, "OrderNotFound", "Order not found")
    record = store.mutable(position)
    if record.manifested_on is not None and status == "new":
        return _update_error(item, record, "OrderManifested", "Manifested orders cannot be reset")
    tracking = item.get("trackingNumber")
    if status == "new":
        record.printed_on = record.shipped_on = record.other_courier_on = None
        record.tracking, record.other_courier = None, None
        for package in record.packages:
            package.tracking_number = None
        record.extra["resets"] = int(record.extra.get("resets", 0)) + 1
    elif status == "despatched":
        record.shipped_on = record.shipped_on or when
        if isinstance(tracking, str) and tracking and record.tracking is None:
            record.tracking = tracking
    else:
        record.other_courier_on = when
        record.other_courier = (
            str(item.get("shippingCarrier") or "Other courier"),
            str(item.get("shippingService") or ""),
        )
        if isinstance(tracking, str) and tracking:
            record.tracking = tracking
    return {
        "orderIdentifier": record.order_id,
        "orderReference": record.reference,
        "status": status,
    }
