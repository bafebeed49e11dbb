"""Field checks shared by the new-order form's parts: one error per field, never an exception."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_MONEY = Decimal("999999")
_PENNY = Decimal("0.01")
_SPACES = re.compile(r"[^\S\r\n\t\f\v]")  # every Unicode space separator but the controls


def utf16_length(text: str) -> int:
    """Length as the service counts it (UTF-16 code units: an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


class Checker:
    """Collects the first error of each field (`errors[field]`, one line)."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str, value: str, limit: int, *, required: str | None = None) -> str | None:
        # No-break and other typographic spaces (pasted from web pages) are plain spaces.
        cleaned = _SPACES.sub(" ", value).strip()
        if any(not ch.isprintable() for ch in cleaned):
            self.fail(name, "contains control characters")
            return None
        if not cleaned:
            if required:
                self.fail(name, required)
            return None
        if utf16_length(cleaned) > limit:
            self.fail(name, f"at most {limit} characters")
            return None
        return cleaned

    def money(self, name: str, value: str, *, default: Decimal | None = None) -> Decimal | None:
        text = value.strip().replace("£", "").replace(",", "").replace(" ", "")
        if not text:
            if default is None:
                self.fail(name, "required")
            return default
        try:
            amount = Decimal(text)
        except InvalidOperation:
            self.fail(name, "not an amount (e.g. 12.50)")
            return None
        if not amount.is_finite():
            self.fail(name, "not an amount (e.g. 12.50)")
            return None
        if amount < 0 or amount > MAX_MONEY:
            self.fail(name, f"must be from 0 to {MAX_MONEY}")
            return None
        if amount != amount.quantize(_PENNY):
            self.fail(name, "whole pence only (at most 2 decimal places)")
            return None
        return amount.quantize(_PENNY)

    def whole(self, name: str, value: str, lo: int, hi: int) -> int | None:
        """An ASCII whole number in lo..hi; None (and no error) when blank."""
        text = value.strip().replace(",", "")
        if not text:
            return None
        # isascii: str.isdigit accepts '²' and '①', which int() refuses.
        if not text.isascii() or not text.isdigit():
            self.fail(name, "a whole number")
            return None
        # Checked before int(): 5,000 digits would raise Python's int/str digit limit.
        if len(text.lstrip("0")) > len(str(hi)) or not lo <= int(text) <= hi:
            self.fail(name, f"from {lo} to {hi}")
            return None
        return int(text)
