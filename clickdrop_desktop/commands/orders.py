"""`clickdrop-desktop orders`: the active account's cached orders (works offline).

`--json` prints an array of order objects with the API's own field names (`orderIdentifier`,
`orderReference`, `createdOn`, `printedOn`, `shippedOn`, `trackingNumber`, ...) plus our
`status`. The table form strips control characters: customer text must not drive the terminal.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import datetime
from typing import Any

from clickdrop_desktop.api.models import OrderStatus, format_datetime
from clickdrop_desktop.cli import EXIT_OK, EXIT_USAGE, CliError
from clickdrop_desktop.commands.account import open_account
from clickdrop_desktop.store import OrderRow

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str | None, width: int = 0) -> str:
    """Customer text made safe for a terminal: control and bidi characters replaced."""
    value = _CONTROL.sub("?", text or "")
    if width and len(value) > width:
        value = value[: width - 1] + "…"
    return value


def _ts(value: datetime | None) -> str | None:
    return format_datetime(value) if value is not None else None


def order_json(row: OrderRow) -> dict[str, Any]:
    data: dict[str, Any] = {
        "orderIdentifier": row.order_identifier,
        "orderReference": row.order_reference,
        "createdOn": _ts(row.created_on),
        "orderDate": _ts(row.order_date),
        "printedOn": _ts(row.printed_on),
        "manifestedOn": _ts(row.manifested_on),
        "shippedOn": _ts(row.shipped_on),
        "trackingNumber": row.tracking_number,
        "status": row.status.value,
        "archived": row.archived,
        "hasLabel": row.has_label,
    }
    if row.recipient_name or row.recipient_postcode or row.recipient_company:
        data["shippingInfo"] = {
            "fullName": row.recipient_name,
            "companyName": row.recipient_company,
            "postcode": row.recipient_postcode,
            "countryCode": row.recipient_country,
        }
    return data


def _line(row: OrderRow) -> str:
    created = row.created_on.strftime("%Y-%m-%d %H:%M")
    return (
        f"{row.order_identifier:>10}  {clean(row.order_reference, 24):<24}  {created}  "
        f"{row.status.value:<10}  {clean(row.tracking_number, 16):<16}  "
        f"{clean(row.recipient_name, 24)}"
    ).rstrip()


def run(args: argparse.Namespace) -> int:
    if args.limit < 0:
        raise CliError("--limit must be 0 (all) or more", EXIT_USAGE)
    status = OrderStatus(args.status) if args.status else None
    with open_account(args.account) as session:
        store = session.store
        limit = args.limit or store.count_orders(search=args.search, status=status)
        rows = store.query_orders(search=args.search, status=status, limit=limit) if limit else []
        if args.json:
            print(json.dumps([order_json(r) for r in rows], indent=None))
            return EXIT_OK
        if not rows:
            print("no cached orders match" if args.search or status else "no cached orders")
            return EXIT_OK
        print(
            f"{'ORDER':>10}  {'REFERENCE':<24}  {'CREATED':<16}  {'STATUS':<10}  "
            f"{'TRACKING':<16}  RECIPIENT"
        )
        try:
            for row in rows:
                print(_line(row))
            sys.stdout.flush()
        except BrokenPipeError:
            # `orders | head`: the reader has enough; stop quietly, as other CLI tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK
