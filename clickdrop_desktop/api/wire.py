"""The small wire-level pieces shared by the engine and the client: calls, answers, JSON, headers."""

from __future__ import annotations

import email.utils
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from clickdrop_desktop.api.errors import BadResponse
from clickdrop_desktop.api.events import ResponseMeta

AuthScheme = Literal["bearer", "bare"]
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Call:
    """One logical API call (which may take several HTTP attempts)."""

    method: str
    path: str  # after the base URL, already encoded: "/orders/%22ref%22;1001"
    endpoint: str  # template for events and logs: "GET /orders/{orderIdentifiers}"
    params: Mapping[str, str] | None = None
    body: Any = None  # JSON-serialisable, or None for no body
    accept: str = "application/json"
    idempotent: bool = True
    authenticated: bool = True


@dataclass(frozen=True, slots=True)
class Answer:
    """A response the engine did not turn into an error itself (2xx and most 4xx)."""

    status: int
    content: bytes
    meta: ResponseMeta

    def json(self) -> Any:
        return parse_json(self.content)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(content: bytes) -> Any:
    """Strict JSON: malformed text, NaN/Infinity or absurd nesting is a `BadResponse`."""
    if not content.strip():
        raise BadResponse("Click & Drop sent an empty body where JSON was expected")
    try:
        return json.loads(content, parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise BadResponse("Click & Drop sent a malformed JSON body") from None


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: delta-seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def content_length(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        length = int(value.strip())
    except ValueError:
        return None
    return length if length >= 0 else None


def lower_headers(headers: httpx.Headers) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers.multi_items():
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out
