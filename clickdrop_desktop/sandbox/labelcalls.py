"""`GET /orders/{ids}/label`: validates, generates labels (tracking, printedOn), returns one PDF."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from clickdrop_desktop.sandbox import labels as label_pdf
from clickdrop_desktop.sandbox import resources
from clickdrop_desktop.sandbox.accounts import Account
from clickdrop_desktop.sandbox.core import Reply, Request, SandboxState
from clickdrop_desktop.sandbox.identifiers import IdentifierError, parse_identifiers
from clickdrop_desktop.sandbox.intake import NO_POSTAGE, generate_label
from clickdrop_desktop.sandbox.records import OrderRecord

PDF = "application/pdf"


def _bool_param(req: Request, name: str) -> bool | str | None:
    """True/False, None when absent, or the bad text."""
    value = req.param(name)
    if value is None:
        return None
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


# -- GET /orders/{ids}/label --------------------------------------------------------------------


def _label_error(message: str) -> Reply:
    return Reply(
        400,
        [
            {
                "accountOrderNumber": None,
                "channelOrderReference": None,
                "code": "InvalidParameter",
                "message": message,
            }
        ],
    )


def labels(state: SandboxState, req: Request, account: Account, segment: str) -> Reply:
    document = req.param("documentType")
    if document not in label_pdf.DOCUMENT_TYPES:
        return _label_error("documentType is required: postageLabel, despatchNote, CN22 or CN23")
    include_returns = _bool_param(req, "includeReturnsLabel")
    include_cn = _bool_param(req, "includeCN")
    if isinstance(include_returns, str) or isinstance(include_cn, str):
        return _label_error("includeReturnsLabel and includeCN must be true or false")
    if document == "postageLabel" and include_returns is None:
        return _label_error("includeReturnsLabel is required when documentType is postageLabel")
    try:
        idents = parse_identifiers(segment)
    except IdentifierError as exc:
        return _label_error(str(exc))
    now = datetime.now(UTC)
    with state.lock:
        store = state.store(account)
        found: list[tuple[int | str, int | None]] = []
        for ident in idents:
            position = (
                store.position_of_id(ident)
                if isinstance(ident, int)
                else store.position_of_reference(ident)
            )
            found.append((ident, position))
        if all(p is None for _, p in found):
            return Reply(404, resources.error("Order not found", "NotFound"))
        problems = [
            _order_problem(store.get(p) if p is not None else None, ident, document)
            for ident, p in found
        ]
        problems = [p for p in problems if p is not None]
        if problems:
            return Reply(400, problems)
        records = []
        for _, position in found:
            assert position is not None
            record = store.mutable(position) if document == "postageLabel" else store.get(position)
            if document == "postageLabel":
                generate_label(record, account, state.config.seed, now)
            records.append(copy.deepcopy(record))
    pdf = label_pdf.render_documents(
        document,
        records,
        account,
        include_returns=bool(include_returns) and document == "postageLabel",
        include_cn=include_cn if include_cn is not None else True,
    )
    return Reply(
        200,
        raw=pdf,
        content_type=PDF,
        headers={"Content-Disposition": f'inline; filename="{document}.pdf"'},
    )


def _order_problem(
    record: OrderRecord | None, ident: int | str, document: str
) -> dict[str, Any] | None:
    if record is None:
        return {
            "accountOrderNumber": ident if isinstance(ident, int) else None,
            "channelOrderReference": ident if isinstance(ident, str) else None,
            "code": "OrderNotFound",
            "message": "Order not found",
        }
    if document != "despatchNote" and record.service_code is None:
        return {
            "accountOrderNumber": record.order_id,
            "channelOrderReference": record.reference,
            "code": "OrderValidationError",
            "message": NO_POSTAGE,
        }
    return None
