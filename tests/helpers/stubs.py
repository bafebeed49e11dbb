"""Shared test fakes (one module, qutebrowser style). Each owner keeps to its own section."""

from __future__ import annotations

# ==============================================================================================
# ui: fakes for the desktop app's tests (owner: the ui/ helper)
# ==============================================================================================
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from clickdrop_desktop.api.models import Order
from clickdrop_desktop.store import OrderSource, Store

_UI_NAMES = (
    "Ada Lovelace",
    "Grace Hopper",
    "Alan Turing",
    "Tim Berners-Lee",
    "Karen Spärck Jones",
    "<b>Bold</b> Injector",
    "Mary Somerville",
    "Charles Babbage",
)
_UI_POSTCODES = ("LS1 1AA", "EC1A 1BB", "M1 2AB", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX")


def ui_order_json(i: int, *, full: bool = True, status: str = "new") -> dict[str, Any]:
    """One order in the API's own shape (`/orders/full` when `full`), deterministic in `i`."""
    created = datetime(2026, 1, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=7 * i)
    name = _UI_NAMES[i % len(_UI_NAMES)]
    first, _, last = name.partition(" ")
    record: dict[str, Any] = {
        "orderIdentifier": 1000 + i,
        "orderReference": f"REF-{i:06d}",
        "createdOn": created.isoformat(),
        "orderDate": created.isoformat(),
    }
    if status in {"printed", "despatched"}:
        record["printedOn"] = (created + timedelta(hours=1)).isoformat()
        record["trackingNumber"] = f"RM{i:09d}GB"
    if status == "despatched":
        record["shippedOn"] = (created + timedelta(hours=2)).isoformat()
    if not full:
        return record
    record |= {
        "orderStatus": {"new": "New", "printed": "LabelGenerated", "despatched": "Despatched"}[
            status
        ],
        "tradingName": "Test Trading Ltd",
        "channel": "Web shop",
        "subtotal": 12.5,
        "shippingCostCharged": 3.2,
        "orderDiscount": 0,
        "total": 15.7,
        "weightInGrams": 400 + i % 900,
        "currencyCode": "GBP",
        "shippingDetails": {
            "shippingCost": 3.2,
            "trackingNumber": record.get("trackingNumber"),
            "serviceCode": ("TPN24", "TPS48", "CRL24")[i % 3],
            "shippingService": ("Tracked 24", "Tracked 48", "Royal Mail 24")[i % 3],
            "packages": [],
        },
        "shippingInfo": {
            "firstName": first,
            "lastName": last,
            "addressLine1": f"{i} High Street",
            "city": "Leeds",
            "postcode": _UI_POSTCODES[i % len(_UI_POSTCODES)],
            "countryCode": "GB",
        },
        "billingInfo": {"firstName": first, "lastName": last},
        "orderLines": [{"SKU": f"SKU-{i % 40:03d}", "name": "Widget", "quantity": 1 + i % 3}],
        "specialInstructions": "Leave with neighbour" if i % 5 == 0 else None,
    }
    return record


def ui_make_orders(n: int, *, full: bool = True) -> list[Order]:
    """`n` parsed orders: a third to print, a third printed, a third despatched."""
    statuses = ("new", "printed", "despatched")
    orders = []
    for i in range(n):
        data = ui_order_json(i, full=full, status=statuses[i % 3])
        orders.append(Order.from_api_full(data) if full else Order.from_api(data))
    return orders


def ui_open_store(directory: Path, orders: int = 0, *, account_id: str = "acct-test") -> Store:
    """A real encrypted store (SQLCipher) in `directory`, holding `orders` seeded orders."""
    store = Store.open(directory / "store.db", os.urandom(32), account_id=account_id)
    if orders:
        store.upsert_orders(ui_make_orders(orders), OrderSource.FULL)
    return store


class UiFailingSource:
    """An `OrderSource` whose store has gone bad (damaged file, closed store)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def rows(self, query: Any, offset: int, limit: int) -> list[Any]:
        raise self.error

    def count(self, query: Any) -> int:
        raise self.error


@dataclass
class ScriptedDialogs:
    """Stand-in for `ui.dialogs.factory.Dialogs`: answers from a script, records what was asked."""

    confirm_answers: list[bool] = field(default_factory=list)
    save_paths: list[Path | None] = field(default_factory=list)
    passphrases: list[str] = field(default_factory=list)
    asked: list[tuple[str, str]] = field(default_factory=list)
    on_open: dict[str, Callable[..., Any]] = field(default_factory=dict)

    def confirm(self, parent: Any, title: str, text: str, ok_text: str = "OK") -> bool:
        self.asked.append(("confirm", text))
        return self.confirm_answers.pop(0) if self.confirm_answers else False

    def info(self, parent: Any, title: str, text: str) -> None:
        self.asked.append(("info", text))

    def error(self, parent: Any, title: str, text: str) -> None:
        self.asked.append(("error", text))

    def passphrase(self, parent: Any, title: str, text: str) -> str | None:
        self.asked.append(("passphrase", text))
        return self.passphrases.pop(0) if self.passphrases else None

    def save_file(self, parent: Any, title: str, suggested: str, filters: str) -> Path | None:
        self.asked.append(("save_file", suggested))
        return self.save_paths.pop(0) if self.save_paths else None

    def open_dialog(self, kind: str, dialog: Any) -> int:
        """Modal dialogs (sign-in, settings, alert) go through here: tests drive them."""
        self.asked.append(("dialog", kind))
        handler = self.on_open.get(kind)
        return int(handler(dialog)) if handler else 0


class UiBeeps:
    """Counts beeps instead of making noise."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def ui_re_plain(text: str) -> bool:
    """True when `text` has no markup a rich-text label would interpret."""
    return re.search(r"<[a-zA-Z/]", text) is None


# ==============================================================================================
# end of ui section
# ==============================================================================================
