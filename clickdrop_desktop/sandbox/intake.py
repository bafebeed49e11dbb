"""Turning a valid `CreateOrderRequest` into an order record, and generating labels on orders."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from clickdrop_desktop.sandbox.accounts import Account
from clickdrop_desktop.sandbox.records import Address, Line, OrderRecord, Package, tracking_number
from clickdrop_desktop.sandbox.validation import parse_request_datetime

NO_POSTAGE = "Label generation only available for orders with postage applied status"


def _pence(value: object) -> int:
    return round(float(value) * 100) if isinstance(value, int | float) else 0


def _address(data: dict[str, Any] | None, contact: dict[str, Any]) -> Address:
    data = data or {}
    full = (data.get("fullName") or "").strip()
    first, _, last = full.rpartition(" ")
    if not first:  # a single word: keep it as the first name
        first, last = last, ""
    return Address(
        first_name=first or None,
        last_name=last or None,
        company_name=data.get("companyName"),
        address_line1=data.get("addressLine1"),
        address_line2=data.get("addressLine2"),
        address_line3=data.get("addressLine3"),
        city=data.get("city"),
        county=data.get("county"),
        postcode=data.get("postcode"),
        country_code=data.get("countryCode"),
        phone_number=contact.get("phoneNumber"),
        email_address=contact.get("emailAddress"),
    )


def _as_utc(value: datetime | None, default: datetime) -> datetime:
    if value is None:
        return default
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def record_from_request(
    item: dict[str, Any], account: Account, order_id: int, created_on: datetime
) -> OrderRecord:
    """The order a valid create item describes (postage applied iff service code and package)."""
    recipient_data = item.get("recipient") or {}
    recipient = _address(recipient_data.get("address"), recipient_data)
    billing_data = item.get("billing")
    billing = recipient
    if isinstance(billing_data, dict) and isinstance(billing_data.get("address"), dict):
        billing = _address(billing_data["address"], billing_data)
    lines: list[Line] = []
    packages: list[Package] = []
    first_category = None
    for number, package in enumerate(item.get("packages") or [], start=1):
        packages.append(
            Package(number, int(package["weightInGrams"]), str(package["packageFormatIdentifier"]))
        )
        for product in package.get("contents") or []:
            first_category = first_category or product.get("customsDeclarationCategory")
            lines.append(
                Line(
                    sku=product.get("SKU"),
                    name=product.get("name"),
                    quantity=int(product["quantity"]),
                    unit_pence=_pence(product.get("unitValue")),
                    customs_code=product.get("customsCode"),
                    unit_weight_g=int(product.get("unitWeightInGrams") or 0),
                )
            )
    postage = item.get("postageDetails") or {}
    service_code = postage.get("serviceCode") if packages else None
    now = datetime.now(UTC)
    order_date = _as_utc(parse_request_datetime(item.get("orderDate")), now)
    extra = {
        key: postage[key]
        for key in (
            "department",
            "AIRNumber",
            "requiresExportLicense",
            "commercialInvoiceNumber",
            "commercialInvoiceDate",
        )
        if postage.get(key) is not None
    }
    if first_category:
        extra["customsDeclarationCategory"] = first_category
    importer = item.get("importer")
    if isinstance(importer, dict):
        extra["importerName"] = importer.get("businessName") or importer.get("companyName")
    return OrderRecord(
        order_id=order_id,
        position=-1,
        reference=item.get("orderReference"),
        created_on=created_on,
        order_date=order_date,
        recipient=recipient,
        billing=billing,
        lines=lines,
        packages=packages,
        service_code=service_code,
        trading_name=account.trading_name,
        subtotal_pence=_pence(item.get("subtotal")),
        shipping_pence=_pence(item.get("shippingCostCharged")),
        tax_pence=_pence(item.get("orderTax")),
        currency=(item.get("currencyCode") or "GBP"),
        channel="Click & Drop API",
        special_instructions=item.get("specialInstructions"),
        tags=[(str(t.get("key") or ""), str(t.get("value") or "")) for t in item.get("tags") or []],
        postage_applied_on=now if service_code else None,
        extra=extra,
    )


def generate_label(record: OrderRecord, account: Account, seed: int, now: datetime) -> None:
    """What upstream does when it makes a postage label: tracking numbers and `printedOn`."""
    service = account.service(record.service_code)
    prefix = service.tracking_prefix if service else "TT"
    if not record.packages:
        record.packages = [Package(1, max(record.weight_g, 1), "parcel")]
    # A label made again after a reset to "new" gets fresh numbers, as upstream.
    epoch = int(record.extra.get("resets", 0)) * 100
    for package in record.packages:
        if package.tracking_number is None:
            package.tracking_number = tracking_number(
                seed, account.index, record.order_id, epoch + package.number, prefix
            )
    if record.tracking is None:
        record.tracking = record.packages[0].tracking_number
    if record.printed_on is None:
        record.printed_on = now
    record.labels_generated += 1
