"""Shared machinery of the request dataclasses: `to_api()` and the spec's constraint checks.

Lengths are counted in UTF-16 code units, as the .NET service counts them: an emoji is two.
Money is checked to be in whole pence (`multipleOf: 0.01`) with `Decimal`, never float maths.
"""

from __future__ import annotations

import enum
from dataclasses import fields
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from clickdrop_desktop.api.models import format_datetime

Money = Decimal | int | float


class InvalidRequest(ValueError):
    """A request that breaks the spec's own constraints; the message names the field."""


def spec_meta(
    api: str,
    *,
    max_len: int | None = None,
    lo: float | None = None,
    hi: float | None = None,
    money: bool = False,
    required: bool = False,
) -> dict[str, Any]:
    return {"api": api, "max_len": max_len, "lo": lo, "hi": hi, "money": money, "req": required}


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _money(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise InvalidRequest(f"{where} must be a number")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidRequest(f"{where} is not a number") from None
    if not amount.is_finite():
        raise InvalidRequest(f"{where} must be a finite number")
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidRequest(f"{where} must be in whole pence (multiple of 0.01)")
    return amount


def _json_value(value: Any) -> Any:
    if isinstance(value, ApiObject):
        return value.to_api()
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        # float of a 2-decimal amount prints back exactly (shortest repr), e.g. 19.99.
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


class ApiObject:
    """Shared `to_api()` and constraint checks for the request dataclasses below."""

    __slots__ = ()
    _NAME: ClassVar[str] = "request"

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            meta = f.metadata
            if "api" not in meta:
                continue
            value = getattr(self, f.name)
            where = f"{self._NAME}.{meta['api']}"
            if value is None:
                if meta["req"]:
                    raise InvalidRequest(f"{where} is required")
                continue
            if meta["money"]:
                amount = _money(value, where)
                if meta["lo"] is not None and amount < Decimal(str(meta["lo"])):
                    raise InvalidRequest(f"{where} must be at least {meta['lo']}")
                if meta["hi"] is not None and amount > Decimal(str(meta["hi"])):
                    raise InvalidRequest(f"{where} must be at most {meta['hi']}")
                continue
            if isinstance(value, str):
                if meta["req"] and not value.strip():
                    raise InvalidRequest(f"{where} is required")
                if meta["max_len"] is not None and _utf16_len(value) > meta["max_len"]:
                    raise InvalidRequest(f"{where} is longer than {meta['max_len']} characters")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                if meta["lo"] is not None and value < meta["lo"]:
                    raise InvalidRequest(f"{where} must be at least {meta['lo']:g}")
                if meta["hi"] is not None and value > meta["hi"]:
                    raise InvalidRequest(f"{where} must be at most {meta['hi']:g}")
        self._check()

    def _check(self) -> None:
        """Cross-field rules of one definition (override)."""

    def to_api(self) -> dict[str, Any]:
        """The JSON object for the request body, None fields left out."""
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            if "api" not in f.metadata:
                continue
            value = getattr(self, f.name)
            if value is None:
                continue
            out[f.metadata["api"]] = _json_value(value)
        extra = getattr(self, "extra", None)
        if extra:
            # Fields newer than our spec copy (e.g. `deliveryTerm`): passed through, never
            # allowed to overwrite a modelled field.
            for key, value in extra.items():
                out.setdefault(key, value)
        return out
