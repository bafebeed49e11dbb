"""Deterministic, realistic orders for store tests and benchmarks (UK names, postcodes, SKUs)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from clickdrop_desktop.api.models import Order


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


FIRST = _words(
    "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Florence Willow "
    "Noah Oliver George Arthur Muhammad Leo Harry Oscar Archie Henry Theodore Jack Charlie "
    "Siobhán Zoë Łukasz Aoife Dáithí Renée José Chloé Mohammed Priya Amir Wen Kwame"
)
LAST = _words(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans "
    "Walker White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips Mason "
    "Mitchell Rose Davis Rodríguez Cox Alexander O'Brien McAllister Ní Bhriain Nowak Okafor"
)
COMPANY = _words(
    "Acme Widgets|Hedgerow Crafts|Northwind Traders|Calder Bikes|Thistle & Thorn|"
    "Blue Anchor Books|Pennine Outdoor|Harbour Light Candles||||||||",
    "|",
)
AREAS = _words("SW1A EC1A W1D N1 E14 M1 M60 B1 LS1 G1 EH1 CF10 BS1 NE1 L1 S1 NG1 OX1 CB2 BT1 YO1")
STREETS = _words("High Street|Station Road|Church Lane|Victoria Road|Mill Lane|Park Avenue", "|")
TOWNS = _words("LONDON MANCHESTER BIRMINGHAM LEEDS GLASGOW EDINBURGH CARDIFF BRISTOL NEWCASTLE")
SKUS = _words("WIDGET BOLT CANDLE MUG TEE HOODIE BOOK CARD PRINT SOAP")
BASE = datetime(2026, 8, 1, 8, 0, tzinfo=UTC)


def postcode(rng: random.Random) -> str:
    return f"{rng.choice(AREAS)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" + (
        rng.choice("ABDEFGHJLNPQRSTUWXYZ")
    )


def full_record(
    ident: int, rng: random.Random, *, trading_name: str = "Test Shop"
) -> dict[str, Any]:
    """A `GetOrderDetailsResource` (what `/orders/full` returns) with plausible content."""
    created = BASE + timedelta(minutes=ident % 100_000, seconds=rng.randint(0, 59))
    first, last = rng.choice(FIRST), rng.choice(LAST)
    stage = rng.random()
    printed = created + timedelta(hours=2) if stage > 0.4 else None
    shipped = created + timedelta(hours=20) if stage > 0.7 else None
    tracking = (
        f"{rng.choice(('TT', 'JV', 'MA'))}{rng.randint(10**8, 10**9 - 1)}GB" if printed else None
    )
    lines = [
        {
            "SKU": f"{rng.choice(SKUS)}-{rng.randint(1, 999):03d}",
            "name": "Item",
            "quantity": rng.randint(1, 3),
            "unitValue": 4.99,
            "lineTotal": 9.98,
        }
        for _ in range(rng.randint(1, 3))
    ]
    address = {
        "firstName": first,
        "lastName": last,
        "companyName": rng.choice(COMPANY) or None,
        "addressLine1": f"{rng.randint(1, 250)} {rng.choice(STREETS)}",
        "city": rng.choice(TOWNS),
        "postcode": postcode(rng),
        "countryCode": "GB",
        "phoneNumber": f"07{rng.randint(100000000, 999999999)}",
        "emailAddress": f"{first.lower()}.{last.lower()}@example.com",
    }
    return {
        "orderIdentifier": ident,
        "orderReference": f"ORD-{ident:07d}",
        "createdOn": created.isoformat(),
        "orderDate": (created - timedelta(minutes=30)).isoformat(),
        "printedOn": printed.isoformat() if printed else None,
        "shippedOn": shipped.isoformat() if shipped else None,
        "orderStatus": "despatched" if shipped else ("labelGenerated" if printed else "new"),
        "tradingName": trading_name,
        "channel": "Shopify",
        "subtotal": 9.98,
        "shippingCostCharged": 3.95,
        "orderDiscount": 0,
        "total": 13.93,
        "weightInGrams": 450,
        "currencyCode": "GBP",
        "shippingDetails": {
            "shippingCost": 3.95,
            "trackingNumber": tracking,
            "serviceCode": "TPN24",
            "packages": [{"packageNumber": 1, "trackingNumber": tracking}] if tracking else [],
        },
        "shippingInfo": address,
        "billingInfo": address,
        "orderLines": lines,
        "tags": [],
    }


def info_record(full: dict[str, Any]) -> dict[str, Any]:
    """The plain `GetOrderInfoResource` view of a `/full` record (no address, no status)."""
    keys = ("orderIdentifier", "orderReference", "createdOn", "orderDate", "printedOn", "shippedOn")
    record = {k: full.get(k) for k in keys}
    tracking = full["shippingDetails"].get("trackingNumber")
    record["trackingNumber"] = tracking
    record["packages"] = full["shippingDetails"].get("packages", [])
    return record


def full_orders(count: int, *, seed: int = 1, start: int = 1_000_001) -> list[Order]:
    rng = random.Random(seed)
    return [Order.from_api_full(full_record(start + i, rng)) for i in range(count)]


def info_orders(count: int, *, seed: int = 1, start: int = 1_000_001) -> list[Order]:
    rng = random.Random(seed)
    return [Order.from_api(info_record(full_record(start + i, rng))) for i in range(count)]
