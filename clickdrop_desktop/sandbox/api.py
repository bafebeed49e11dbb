"""The `/api/v1` routes: authentication, rate limit, feature gates, and the read endpoints."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from clickdrop_desktop.sandbox import labelcalls, leaks, manifests, mutations, resources
from clickdrop_desktop.sandbox.accounts import Account, AccountType
from clickdrop_desktop.sandbox.core import Reply, Request, SandboxState
from clickdrop_desktop.sandbox.identifiers import IdentifierError, parse_identifiers
from clickdrop_desktop.sandbox.records import OrderRecord
from clickdrop_desktop.sandbox.validation import parse_request_datetime

VERSION = {
    "commit": "3f0c5be2a41d9e7c8b6a0f1d2e3c4b5a69788766",
    "build": "20260107.6",
    "release": "Release-20260107.3",
    "releaseDate": "2026-01-22T10:20:54Z",
}
NOT_CHANNEL_SHIPPER = "Feature not available"
NOT_OBA = "Feature available for OBA accounts only"

_ORDERS_SUB = re.compile(r"^/orders/(?P<ids>[^/]+)(?P<rest>/full|/label)?/?$")
_MANIFEST = re.compile(r"^/manifests(?:/(?P<retry>retry)/(?P<rid>[^/]*)|/(?P<id>[^/]*))?/?$")


def forbidden(message: str, *, manifest: bool = False) -> Reply:
    if manifest:
        return Reply(403, {"errors": [{"code": "Forbidden", "description": message}]})
    return Reply(403, resources.error(message, "Forbidden"))


def not_allowed(*methods: str) -> Reply:
    return Reply(
        405,
        resources.error("Method not allowed", "MethodNotAllowed"),
        headers={"Allow": ", ".join(methods)},
    )


def handle(state: SandboxState, req: Request, auth_ok: bool) -> Reply:
    """Answer one request to `/api/v1` (faults other than leaks are the HTTP layer's job)."""
    if req.path.rstrip("/") == "/version":
        return Reply(200, dict(VERSION)) if req.method == "GET" else not_allowed("GET")
    if req.account is None or not auth_ok:
        return Reply(401, headers={"WWW-Authenticate": "Bearer"})
    account = req.account
    if not state.limiter.allow(account.name):
        rate = state.limiter.rate_for(account.name)
        reply = Reply(
            429,
            resources.error(f"Rate limit exceeded: {rate:g} calls per second", "TooManyRequests"),
        )
        if state.config.rate_limit_retry_after is not None:
            reply.headers["Retry-After"] = str(state.config.rate_limit_retry_after)
        return reply
    return _route(state, req, account)


def _route(state: SandboxState, req: Request, account: Account) -> Reply:
    path, method = req.path, req.method
    if path.rstrip("/") == "/orders":
        if method == "GET":
            return list_orders(state, req, account, full=False)
        if method == "POST":
            return mutations.create_orders(state, req, account)
        return not_allowed("GET", "POST")
    if path.rstrip("/") == "/orders/full":
        if method != "GET":
            return not_allowed("GET")
        if account.type is not AccountType.CHANNEL_SHIPPER:
            return forbidden(NOT_CHANNEL_SHIPPER)
        return list_orders(state, req, account, full=True)
    if path.rstrip("/") == "/orders/status":
        if method != "PUT":
            return not_allowed("PUT")
        return mutations.update_status(state, req, account)
    match = _ORDERS_SUB.match(path)
    if match:
        return _orders_by_ids(state, req, account, match["ids"], match["rest"])
    match = _MANIFEST.match(path)
    if match:
        if account.type is not AccountType.OBA:
            return forbidden(NOT_CHANNEL_SHIPPER, manifest=True)
        if match["retry"]:
            return manifests.retry_manifest(state, req, account, match["rid"])
        if match["id"] is not None:
            if method != "GET":
                return not_allowed("GET")
            return manifests.get_manifest(state, account, match["id"])
        if method != "POST":
            return not_allowed("POST")
        return manifests.manifest(state, req, account)
    return Reply(404, resources.error("Not Found", "NotFound"))


def _orders_by_ids(
    state: SandboxState, req: Request, account: Account, segment: str, rest: str | None
) -> Reply:
    if rest == "/label":
        if req.method != "GET":
            return not_allowed("GET")
        if account.type is not AccountType.OBA:
            return forbidden(NOT_OBA)
        return labelcalls.labels(state, req, account, segment)
    if rest == "/full":
        if req.method != "GET":
            return not_allowed("GET")
        if account.type is not AccountType.CHANNEL_SHIPPER:
            return forbidden(NOT_CHANNEL_SHIPPER)
    elif req.method == "DELETE":
        return mutations.delete_orders(state, req, account, segment)
    elif req.method != "GET":
        return not_allowed("GET", "DELETE")
    try:
        idents = parse_identifiers(segment)
    except IdentifierError as exc:
        return Reply(400, [order_error(None, str(exc), "InvalidOrderIdentifier")])
    full = rest == "/full"
    with state.lock:
        store = state.store(account)
        found = [r for r in (store.find(i, light=not full) for i in idents) if r is not None]
        data = [view(r, account, full) for r in found]
    if not data:
        return Reply(404, resources.error("Order not found", "NotFound"))
    reply = Reply(200, data)
    leaks.apply_by_ids(state, req, account, reply, full=full)
    return reply


def view(record: OrderRecord, account: Account, full: bool) -> dict[str, Any]:
    return resources.order_full(record, account) if full else resources.order_info(record)


def order_error(
    record: OrderRecord | None, message: str, code: str, ident: int | str | None = None
) -> dict[str, Any]:
    """`OrderErrorResponse`: the 400 item of the by-id and label endpoints."""
    number = record.order_id if record else ident if isinstance(ident, int) else None
    reference = record.reference if record else ident if isinstance(ident, str) else None
    return {
        "accountOrderNumber": number,
        "channelOrderReference": reference,
        "code": code,
        "message": message,
    }


def _parse_window(req: Request) -> tuple[int, datetime | None, datetime | None] | Reply:
    size_text = req.param("pageSize")
    size = 25
    if size_text is not None:
        if not size_text.strip().isdigit() or not 1 <= int(size_text) <= 100:
            return Reply(
                400, resources.error("pageSize must be an integer from 1 to 100", "InvalidPageSize")
            )
        size = int(size_text)
    bounds: list[datetime | None] = []
    for name in ("startDateTime", "endDateTime"):
        text = req.param(name)
        if text is None or text == "":
            bounds.append(None)
            continue
        parsed = parse_request_datetime(text)
        if parsed is None:
            return Reply(400, resources.error(f"{name} is not a valid date-time", "InvalidDate"))
        bounds.append(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
    return size, bounds[0], bounds[1]


def list_orders(state: SandboxState, req: Request, account: Account, *, full: bool) -> Reply:
    window = _parse_window(req)
    if isinstance(window, Reply):
        return window
    size, since, until = window
    view_name = "full" if full else "info"
    token = req.param("continuationToken")
    start = 0
    if token:
        position = state.read_token(account, token, view_name)
        if position is None:
            return Reply(400, resources.error("Invalid continuation token", "InvalidToken"))
        start = position
    with state.lock:
        records, next_position = state.store(account).page(
            start, size, since, until, light=not full
        )
        orders = [view(r, account, full) for r in records]
    next_token = None
    if next_position is not None:
        next_token = state.make_token(account, next_position, view_name)
    reply = Reply(200, {"orders": orders, "continuationToken": next_token})
    leaks.apply_list(state, req, account, reply, full=full, size=size)
    return reply
