"""How values are written to the store: fixed-width UTC timestamps and compact JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_db(value: datetime | None) -> str | None:
    """Fixed-width UTC text, so string order is time order (indexes and ORDER BY rely on it)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime(_FORMAT)


def from_db(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.strptime(value, _FORMAT).replace(tzinfo=UTC)


def from_db_required(value: str) -> datetime:
    return datetime.strptime(value, _FORMAT).replace(tzinfo=UTC)


def now_db() -> str:
    return datetime.now(UTC).strftime(_FORMAT)


def dumps(value: Any) -> str:
    """Compact JSON that keeps non-ASCII text as is (the whole database is encrypted)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def loads_object(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("stored JSON is not an object")
    return value
