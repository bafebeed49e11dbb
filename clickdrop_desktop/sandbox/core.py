"""The sandbox's state (accounts, stores, faults, log, limits) and its request/reply types."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from clickdrop_desktop.sandbox.accounts import Account, AuthMode, default_accounts
from clickdrop_desktop.sandbox.data import DEFAULT_ANCHOR, SeededData
from clickdrop_desktop.sandbox.faults import FaultRegistry
from clickdrop_desktop.sandbox.ratelimit import RateLimiter
from clickdrop_desktop.sandbox.reqlog import RequestLog
from clickdrop_desktop.sandbox.store import AccountStore

JSON_TYPE = "application/json; charset=utf-8"


@dataclass(slots=True)
class SandboxConfig:
    """How a sandbox starts. Everything but host/port/seed/orders can change at run time."""

    host: str = "127.0.0.1"
    port: int = 0
    seed: int = 1
    orders: int = 200
    rate_limit: float = 5.0
    rate_limit_retry_after: int | None = None  # Retry-After on ordinary 429s (None: no header)
    manifest_ready_after_polls: int = 1  # follow-up calls before a manifest PDF is ready
    anchor: datetime = DEFAULT_ANCHOR  # seeded orders were created in the 90 days before


@dataclass(slots=True)
class Request:
    """One API request, its path relative to `/api/v1` and still percent-encoded."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    account: Account | None = None

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


@dataclass(slots=True)
class Reply:
    """What the server sends back: JSON `data`, or `raw` bytes with their content type."""

    status: int
    data: Any = None
    raw: bytes | None = None
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    fault: str | None = None  # the fault that shaped this reply (for the request log)

    def body(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.data is None:
            return b""
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class BodyError(ValueError):
    """The request body is not the JSON the endpoint needs."""


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BodyError("The request body is not valid JSON") from None


class SandboxState:
    """Everything one sandbox serves. `lock` guards the stores; faults, log and limiter lock
    themselves, so tests can switch faults while requests are in flight."""

    def __init__(self, config: SandboxConfig, accounts: list[Account] | None = None) -> None:
        self.config = config
        self.startup = dataclasses.replace(config)  # what POST /_sandbox/reset restores
        self.accounts = accounts if accounts is not None else default_accounts()
        self.startup_accounts = [
            (a.label_format, a.auth_mode, a.trading_name) for a in self.accounts
        ]
        self.by_name = {a.name: a for a in self.accounts}
        self.lock = threading.RLock()
        self.faults = FaultRegistry([a.name for a in self.accounts])
        self.log = RequestLog()
        self.limiter = RateLimiter(config.rate_limit)
        self._flight_lock = threading.Lock()
        self._in_flight = 0  # API requests being served (a slowed one may outlive its test)
        self._token_key = hashlib.sha256(f"sandbox-token:{config.seed}".encode()).digest()
        self.stores: dict[str, AccountStore] = {}
        self.reset_data()

    @property
    def in_flight(self) -> int:
        with self._flight_lock:
            return self._in_flight

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        """Count one API request as in flight while it is served."""
        with self._flight_lock:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._flight_lock:
                self._in_flight -= 1

    def reset_data(self) -> None:
        """Back to the seeded orders (API keys stay)."""
        with self.lock:
            self.stores = {
                a.name: AccountStore(
                    a, SeededData(self.config.seed, a, self.config.orders, self.config.anchor)
                )
                for a in self.accounts
            }

    def store(self, account: Account) -> AccountStore:
        return self.stores[account.name]

    # -- authentication -------------------------------------------------------------------

    def identify(self, header: str | None) -> tuple[Account | None, bool]:
        """The account a header names, and whether its form is one the account accepts."""
        if not header:
            return None, False
        text = header.strip()
        bearer = text[:7].lower() == "bearer "
        key = text[7:].strip() if bearer else text
        for account in self.accounts:
            if hmac.compare_digest(account.api_key.encode(), key.encode()):
                if account.auth_mode is AuthMode.BOTH:
                    return account, True
                return account, bearer == (account.auth_mode is AuthMode.BEARER)
        return None, False

    # -- continuation tokens --------------------------------------------------------------

    def make_token(self, account: Account, position: int, view: str) -> str:
        """An opaque token: the next position, bound to the account and the view, signed."""
        payload = json.dumps({"a": account.index, "p": position, "v": view}).encode()
        mac = hmac.new(self._token_key, payload, hashlib.sha256).digest()[:12]
        return base64.urlsafe_b64encode(payload + mac).decode().rstrip("=")

    def read_token(self, account: Account, token: str, view: str) -> int | None:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (ValueError, TypeError):
            return None
        payload, mac = raw[:-12], raw[-12:]
        expected = hmac.new(self._token_key, payload, hashlib.sha256).digest()[:12]
        if len(raw) <= 12 or not hmac.compare_digest(mac, expected):
            return None
        try:
            data = json.loads(payload)
        except ValueError:
            return None
        if data.get("a") != account.index or data.get("v") != view:
            return None
        position = data.get("p")
        return position if isinstance(position, int) and position >= 0 else None
