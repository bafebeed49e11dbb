"""The `/_sandbox/...` control API: faults, request log, reset, config, upstream changes.

Never subject to faults, auth or rate limits; not part of the Click & Drop API. The routes are
documented in server.py's module docstring.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from clickdrop_desktop.sandbox import mutations, resources
from clickdrop_desktop.sandbox.accounts import Account, AuthMode, LabelFormat
from clickdrop_desktop.sandbox.core import BodyError, Reply, Request, SandboxState, parse_json
from clickdrop_desktop.sandbox.faults import FaultSpecError
from clickdrop_desktop.sandbox.intake import generate_label
from clickdrop_desktop.sandbox.records import OrderRecord, Package

_ORDER = re.compile(r"^/accounts/(?P<name>[^/]+)/orders(?:/(?P<id>\d+))?/?$")
ACTIONS = ("delete", "despatch", "print", "manifest", "reset", "apply_postage", "remove_postage")


def _bad(message: str, status: int = 400) -> Reply:
    return Reply(status, {"error": message})


def _flag(query: dict[str, list[str]], name: str) -> bool:
    return (query.get(name) or ["0"])[-1].lower() in ("1", "true", "yes")


def info(state: SandboxState, base: str) -> dict[str, Any]:
    """What `GET /_sandbox/info` returns (also the basis of the first stdout line)."""
    return {
        "url": base + "/api/v1",
        "control_url": base + "/_sandbox",
        "accounts": [{**a.public(), **a.describe()} for a in state.accounts],
        "seed": state.config.seed,
        "orders": state.config.orders,
        "rate_limit": state.limiter.default_rate,
        "rate_limit_retry_after": state.config.rate_limit_retry_after,
        "manifest_ready_after_polls": state.config.manifest_ready_after_polls,
        "in_flight": state.in_flight,
    }


def handle(
    state: SandboxState,
    method: str,
    path: str,
    query: dict[str, list[str]],
    body: bytes,
    base: str,
) -> Reply:
    path = path.rstrip("/") or "/"
    payload: Any = None
    if body.strip():
        try:
            payload = parse_json(body)
        except BodyError as exc:
            return _bad(str(exc))
    if path in ("/", "/info") and method == "GET":
        return Reply(200, info(state, base))
    if path == "/faults":
        if method == "GET":
            return Reply(200, {"faults": state.faults.public()})
        if method == "POST":
            try:
                return Reply(201, state.faults.add(payload).public())
            except FaultSpecError as exc:
                return _bad(str(exc))
        if method == "DELETE":
            state.faults.clear()
            return Reply(200, {"faults": []})
    match = re.fullmatch(r"/faults/(\d+)", path)
    if match and method == "DELETE":
        if state.faults.remove(int(match[1])):
            return Reply(200, {"removed": int(match[1])})
        return _bad("no such fault", 404)
    if path == "/requests":
        if method == "GET":
            since = (query.get("since") or ["0"])[-1]
            entries = state.log.query(
                everything=_flag(query, "all"), since=int(since) if since.isdigit() else 0
            )
            return Reply(200, {"requests": entries})
        if method == "DELETE":
            state.log.clear()
            return Reply(200, {"requests": []})
    if path == "/reset" and method == "POST":
        return _reset(state, payload if isinstance(payload, dict) else {})
    if path == "/config" and method == "POST":
        return _config(state, payload if isinstance(payload, dict) else {}, base)
    match = _ORDER.match(path)
    if match:
        account = state.by_name.get(match["name"])
        if account is None:
            return _bad(f"no account named {match['name']!r}", 404)
        if match["id"] is None:
            if method != "POST":
                return _bad("use POST", 405)
            return _create(state, account, payload)
        return _order(state, account, int(match["id"]), method, payload)
    return _bad(f"unknown control route {method} /_sandbox{path}", 404)


def _reset(state: SandboxState, options: dict[str, Any]) -> Reply:
    state.faults.clear()
    if options.get("log", True):
        state.log.clear()
    if options.get("data", False):
        state.reset_data()
    state.limiter.set_rate(state.startup.rate_limit)
    state.config.rate_limit_retry_after = state.startup.rate_limit_retry_after
    state.config.manifest_ready_after_polls = state.startup.manifest_ready_after_polls
    for account, (fmt, mode, trading) in zip(state.accounts, state.startup_accounts, strict=True):
        account.label_format, account.auth_mode = fmt, mode
        if account.trading_name != trading:
            with state.lock:
                account.trading_name = trading
                state.store(account).rename(trading)
    return Reply(200, {"reset": True})


def _config(state: SandboxState, options: dict[str, Any], base: str) -> Reply:
    known = {
        "account",
        "rate_limit",
        "rate_limit_retry_after",
        "manifest_ready_after_polls",
        "label_format",
        "auth_mode",
        "trading_name",  # the business renamed in Click & Drop: every order shows the new name
    }
    unknown = set(options) - known
    if unknown:
        return _bad(f"unknown config key(s): {', '.join(sorted(unknown))}")
    name = options.get("account")
    account = state.by_name.get(name) if name is not None else None
    if name is not None and account is None:
        return _bad(f"no account named {name!r}", 404)
    if {"label_format", "auth_mode", "trading_name"} & set(options) and account is None:
        return _bad("label_format, auth_mode and trading_name need an account")
    try:
        if "rate_limit" in options:
            rate = float(options["rate_limit"])
            if rate < 0:
                raise ValueError
            state.limiter.set_rate(rate, name)
        if "rate_limit_retry_after" in options:
            value = options["rate_limit_retry_after"]
            state.config.rate_limit_retry_after = None if value is None else int(value)
        if "manifest_ready_after_polls" in options:
            state.config.manifest_ready_after_polls = max(
                0, int(options["manifest_ready_after_polls"])
            )
        if account is not None and "label_format" in options:
            account.label_format = LabelFormat(options["label_format"])
        if account is not None and "auth_mode" in options:
            account.auth_mode = AuthMode(options["auth_mode"])
        if account is not None and "trading_name" in options:
            name = str(options["trading_name"]).strip()
            if not name:
                raise ValueError("empty trading name")
            with state.lock:
                account.trading_name = name
                state.store(account).rename(name)
    except (TypeError, ValueError):
        return _bad("invalid config value")
    return Reply(200, info(state, base))


def _create(state: SandboxState, account: Account, payload: Any) -> Reply:
    """Orders created as if in the web UI: the API's validation, but no log, no rate limit."""
    items = payload.get("items") if isinstance(payload, dict) and "items" in payload else [payload]
    body = json.dumps({"items": items}).encode()
    req = Request("POST", "/orders", {}, body, account)
    return mutations.create_orders(state, req, account)


def order_state(record: OrderRecord, account: Account) -> dict[str, Any]:
    return {
        "account": account.name,
        "orderIdentifier": record.order_id,
        "position": record.position,
        "deleted": record.deleted,
        "status": record.status(),
        "serviceCode": record.service_code,
        "labelsGenerated": record.labels_generated,
        "manifestNumber": record.manifest_number,
        "order": resources.order_info(record),
        "full": resources.order_full(record, account),
    }


def _order(
    state: SandboxState, account: Account, order_id: int, method: str, payload: Any
) -> Reply:
    with state.lock:
        store = state.store(account)
        position = order_id - account.id_base - 1
        if not 0 <= position < store.total:
            return _bad("no such order", 404)
        if method == "GET":
            return Reply(200, order_state(store.get(position), account))
        if method != "POST":
            return _bad("use GET or POST", 405)
        action = payload.get("action") if isinstance(payload, dict) else None
        if action not in ACTIONS:
            return _bad(f"action must be one of {', '.join(ACTIONS)}")
        record = store.mutable(position)
        _act(state, account, record, action, payload)
        return Reply(200, order_state(record, account))


def _act(
    state: SandboxState, account: Account, record: OrderRecord, action: str, payload: dict[str, Any]
) -> None:
    now = datetime.now(UTC)
    if action == "delete":
        record.deleted = True
    elif action == "despatch":
        record.shipped_on = record.shipped_on or now
    elif action == "manifest":
        record.shipped_on = record.shipped_on or now
        record.manifested_on = record.manifested_on or now
    elif action == "reset":
        record.printed_on = record.shipped_on = record.manifested_on = None
        record.tracking = None
        for package in record.packages:
            package.tracking_number = None
        record.extra["resets"] = int(record.extra.get("resets", 0)) + 1
    elif action == "remove_postage":
        record.service_code = record.postage_applied_on = None
    elif action in ("apply_postage", "print"):
        if record.service_code is None or "service_code" in payload:
            code = payload.get("service_code")
            service = account.service(code) if code else None
            record.service_code = (service or account.services[0]).code
            record.postage_applied_on = now
        if not record.packages:
            record.packages = [Package(1, max(record.weight_g, 100), "parcel")]
        if action == "print":
            generate_label(record, account, state.config.seed, now)
