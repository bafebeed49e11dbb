"""What the full-text index holds for an order, and how typed text becomes an FTS5 query.

The index is an FTS5 table with external content (the text is stored once, in `orders`) over
`orders.search_text` and `orders.facets` (the status tab as a token, so a search and its tab
are one index walk). Its rowid is the orders' time-ordered `sort_key`, so newest-first pages
come straight off the index. Every token is searchable by prefix (prefix indexes for 1-3
characters), so "SW1A", "Smi" or the first digits of a tracking number match while the user
types. Postcodes are also indexed without their space ("SW1A1AA"), the way many type them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from clickdrop_desktop.api.models import Order

_TOKEN = re.compile(r"\w+", re.UNICODE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
MAX_QUERY_TOKENS = 8  # words; more than this is not a search but a paste


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who an order goes to, where known (`/full` records and locally created orders)."""

    name: str | None = None
    company: str | None = None
    postcode: str | None = None
    country: str | None = None


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _create_request_address(raw: Any) -> dict[str, Any]:
    # A locally created order keeps its `CreateOrderRequest` item as raw JSON:
    # recipient.address holds fullName, companyName, postcode, countryCode.
    if not isinstance(raw, dict):
        return {}
    recipient = raw.get("recipient")
    address = recipient.get("address") if isinstance(recipient, dict) else None
    return address if isinstance(address, dict) else {}


def recipient_of(order: Order) -> Recipient:
    if order.details is not None:
        info = order.details.shipping_info
        return Recipient(
            name=_clean(info.full_name),
            company=_clean(info.company_name),
            postcode=_clean(info.postcode),
            country=_clean(info.country_code),
        )
    address = _create_request_address(order.raw)
    return Recipient(
        name=_clean(address.get("fullName")),
        company=_clean(address.get("companyName")),
        postcode=_clean(address.get("postcode")),
        country=_clean(address.get("countryCode")),
    )


def skus_of(order: Order) -> list[str]:
    skus: list[str] = []
    if order.details is not None:
        skus += [line.sku for line in order.details.order_lines if line.sku]
    packages = order.raw.get("packages") if isinstance(order.raw, dict) else None
    for package in packages if isinstance(packages, list) else []:
        contents = package.get("contents") if isinstance(package, dict) else None
        for item in contents if isinstance(contents, list) else []:
            sku = _clean(item.get("SKU")) if isinstance(item, dict) else None
            if sku:
                skus.append(sku)
    return skus


def _with_compact(values: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for value in values:
        if not value:
            continue
        out.append(value)
        compact = _NON_WORD.sub("", value)
        if compact and compact != value:
            out.append(compact)
    return out


def search_text(order: Order, recipient: Recipient) -> str:
    """The indexed text: identifier, reference, recipient, postcode, tracking numbers, SKUs."""
    # Only postcodes get a compact form ("SW1A1AA" is how many people type them): every extra
    # distinct term makes prefix queries merge more lists, and references, tracking numbers
    # and SKUs typed with their punctuation already match as phrases.
    parts = [str(order.order_identifier)]
    parts += [p for p in (order.order_reference, recipient.name, recipient.company) if p]
    parts += _with_compact([recipient.postcode])
    parts += list(order.all_tracking_numbers)
    parts += skus_of(order)
    return " ".join(dict.fromkeys(parts))


def _terms(text: str, *, prefix: bool) -> str | None:
    # One quoted phrase per typed word: "ORD-10" or "O'Bri" become the phrases "ord 10" and
    # "o bri" (adjacent tokens, the last a prefix), which is both what was meant and much
    # cheaper than two independent prefixes; words separated by spaces must all match.
    phrases: list[str] = []
    for word in text.split()[:MAX_QUERY_TOKENS]:
        tokens = [t for t in _TOKEN.findall(word) if t.strip("_")]
        if tokens:
            phrases.append('"' + " ".join(tokens).replace('"', '""') + '"')
    if not phrases:
        return None
    star = "*" if prefix else ""
    return " ".join(phrase + star for phrase in phrases)


def match_expression(text: str, *, prefix: bool = True, facet: str | None = None) -> str | None:
    """An FTS5 MATCH expression: every typed word as a quoted (prefix) phrase, all required,
    in the `search_text` column only, optionally narrowed by a status facet.

    Quoting makes user input plain data: FTS5 operators (`AND`, `NEAR`, `-`, `:`) typed by a user
    are searched for, never interpreted. `facet` is a token of the `facets` column: `fnew`,
    `fprinted`, `fdespatched`, `fmanifested`, or `farchived`; `"-farchived"` means "not
    archived". Returns None when there is nothing to search for.
    """
    terms = _terms(text, prefix=prefix)
    if terms is None:
        return None
    expression = f"search_text : ({terms})"
    if facet is None:
        return expression
    if facet.startswith("-"):
        return f"{expression} NOT facets : {facet[1:]}"
    return f"{expression} AND facets : {facet}"
