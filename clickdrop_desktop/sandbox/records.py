"""The sandbox's internal order record, and the tracking numbers it gets when a label is made."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from clickdrop_desktop.sandbox.wordlists import COUNTRY_NAMES

# The S10 (UPU) check digit weights, as on Royal Mail's international and tracked numbers.
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> int:
    total = sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def tracking_number(seed: int, account_index: int, order_id: int, package: int, prefix: str) -> str:
    """A Royal Mail-like tracking number (`TT123456785GB`), the same for the same inputs."""
    digest = hashlib.sha256(f"{seed}:{account_index}:{order_id}:{package}".encode()).digest()
    serial = f"{int.from_bytes(digest[:8], 'big') % 100_000_000:08d}"
    return f"{prefix}{serial}{s10_check_digit(serial)}GB"


@dataclass(slots=True)
class Address:
    """A postal address as `/full` returns it (`GetPostalDetailsResult`: names split)."""

    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    city: str | None = None
    county: str | None = None
    postcode: str | None = None
    country_code: str | None = "GB"
    phone_number: str | None = None
    email_address: str | None = None

    def full_name(self) -> str:
        return " ".join(p for p in (self.title, self.first_name, self.last_name) if p)

    def label_lines(self) -> list[str]:
        """The lines a label prints, empty parts left out (post town is upper-case upstream)."""
        parts = [
            self.full_name(),
            self.company_name,
            self.address_line1,
            self.address_line2,
            self.address_line3,
            (self.city or "").upper(),
            self.county,
            self.postcode,
        ]
        lines = [p for p in parts if p and p.strip()]
        country = self.country_line()
        if country:
            lines.append(country)
        return lines

    def country_line(self) -> str | None:
        """The destination country as printed last on an international label, else None."""
        code = (self.country_code or "GB").upper()
        if code in ("GB", "GBR", "UK"):
            return None
        return COUNTRY_NAMES.get(code, code)


@dataclass(slots=True)
class Line:
    """One order line (`GetOrderLineResult`), prices in pence to keep sums exact."""

    sku: str | None
    name: str | None
    quantity: int
    unit_pence: int
    customs_code: str | None = None
    unit_weight_g: int = 0

    @property
    def line_total_pence(self) -> int:
        """Including 20% VAT, as the spec says `lineTotal` does."""
        return round(self.quantity * self.unit_pence * 1.2)


@dataclass(slots=True)
class Package:
    number: int
    weight_g: int
    format: str
    tracking_number: str | None = None


@dataclass(slots=True)
class OrderRecord:
    """Everything the sandbox knows about one order; resources.py renders the API's views."""

    order_id: int
    position: int
    reference: str | None
    created_on: datetime
    order_date: datetime
    recipient: Address
    billing: Address
    lines: list[Line]
    packages: list[Package]
    service_code: str | None  # None: postage not applied (label calls answer 400)
    trading_name: str
    subtotal_pence: int = 0
    shipping_pence: int = 0
    discount_pence: int = 0
    tax_pence: int = 0
    currency: str = "GBP"
    channel: str = "Manual"
    special_instructions: str | None = None
    picker_instructions: str | None = None
    tags: list[tuple[str, str]] = field(default_factory=list)
    postage_applied_on: datetime | None = None
    printed_on: datetime | None = None
    shipped_on: datetime | None = None
    manifested_on: datetime | None = None
    other_courier_on: datetime | None = None
    other_courier: tuple[str, str] | None = None  # (carrier, service)
    tracking: str | None = None
    manifest_number: int | None = None
    labels_generated: int = 0
    deleted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total_pence(self) -> int:
        return self.subtotal_pence + self.tax_pence + self.shipping_pence - self.discount_pence

    @property
    def weight_g(self) -> int:
        return sum(p.weight_g for p in self.packages) or sum(
            line.quantity * line.unit_weight_g for line in self.lines
        )

    @property
    def international(self) -> bool:
        code = (self.recipient.country_code or "GB").upper()
        return code not in ("GB", "GBR", "UK")

    def status(self) -> str:
        """The `/full` `orderStatus` string."""
        if self.manifested_on is not None:
            return "manifested"
        if self.other_courier_on is not None:
            return "despatchedByOtherCourier"
        if self.shipped_on is not None:
            return "despatched"
        if self.printed_on is not None:
            return "labelGenerated"
        if self.service_code is not None:
            return "postageApplied"
        return "new"
