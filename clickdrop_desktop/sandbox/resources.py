"""The API's JSON views of an order record, shaped exactly as the spec's definitions.

Timestamps come in the two styles real responses show: `createdOn`/`orderDate` with a UTC offset
and milliseconds, the later lifecycle stamps naive with .NET's seven fractional digits. Optional
fields are present as `null` when unset, as upstream sends them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from clickdrop_desktop.sandbox.accounts import Account
from clickdrop_desktop.sandbox.records import Address, OrderRecord

JSON = dict[str, Any]


def stamp(value: datetime | None) -> str | None:
    """Offset style: `2026-08-22T17:07:42.398+00:00`."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+00:00"


def naive_stamp(value: datetime | None) -> str | None:
    """.NET naive style: `2026-08-23T00:34:42.3980000` (UTC without saying so)."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond:06d}0"


def money(pence: int) -> float:
    return round(pence / 100, 2)


def _packages(record: OrderRecord) -> list[JSON]:
    return [
        {"packageNumber": p.number, "trackingNumber": p.tracking_number} for p in record.packages
    ]


def order_info(record: OrderRecord) -> JSON:
    """`GetOrderInfoResource` (`GET /orders`, `GET /orders/{ids}`)."""
    return {
        "orderIdentifier": record.order_id,
        "orderReference": record.reference,
        "createdOn": stamp(record.created_on),
        "orderDate": stamp(record.order_date),
        "printedOn": naive_stamp(record.printed_on),
        "manifestedOn": naive_stamp(record.manifested_on),
        "shippedOn": naive_stamp(record.shipped_on or record.other_courier_on),
        "trackingNumber": record.tracking,
        "packages": _packages(record),
    }


def _postal(address: Address) -> JSON:
    return {
        "title": address.title,
        "firstName": address.first_name,
        "lastName": address.last_name,
        "companyName": address.company_name,
        "addressLine1": address.address_line1,
        "addressLine2": address.address_line2,
        "addressLine3": address.address_line3,
        "city": address.city,
        "county": address.county,
        "postcode": address.postcode,
        "countryCode": address.country_code,
        "phoneNumber": address.phone_number,
        "emailAddress": address.email_address,
    }


def order_full(record: OrderRecord, account: Account) -> JSON:
    """`GetOrderDetailsResource` (ChannelShipper `/full`)."""
    service = account.service(record.service_code)
    carrier, service_name = record.other_courier or (
        "Royal Mail" if service else None,
        service.name if service else None,
    )
    tracking_status = None
    if record.manifested_on or record.shipped_on:
        tracking_status = "Despatched"
    return {
        "orderIdentifier": record.order_id,
        "orderStatus": record.status(),
        "createdOn": stamp(record.created_on),
        "printedOn": naive_stamp(record.printed_on),
        "shippedOn": naive_stamp(record.shipped_on),
        "postageAppliedOn": naive_stamp(record.postage_applied_on),
        "manifestedOn": naive_stamp(record.manifested_on),
        "orderDate": stamp(record.order_date),
        "despatchedByOtherCourierOn": naive_stamp(record.other_courier_on),
        "tradingName": record.trading_name,
        "channel": record.channel,
        "marketplaceTypeName": record.channel,
        "department": record.extra.get("department"),
        "AIRNumber": record.extra.get("AIRNumber"),
        "requiresExportLicense": bool(record.extra.get("requiresExportLicense", False)),
        "commercialInvoiceNumber": record.extra.get("commercialInvoiceNumber"),
        "commercialInvoiceDate": record.extra.get("commercialInvoiceDate"),
        "orderReference": record.reference,
        "channelShippingMethod": service_name,
        "specialInstructions": record.special_instructions,
        "pickerSpecialInstructions": record.picker_instructions,
        "subtotal": money(record.subtotal_pence),
        "shippingCostCharged": money(record.shipping_pence),
        "orderDiscount": money(record.discount_pence),
        "total": money(record.total_pence),
        "weightInGrams": record.weight_g,
        "packageSize": record.packages[0].format if record.packages else None,
        "accountBatchNumber": None,
        "currencyCode": record.currency,
        "shippingDetails": {
            "shippingCost": money(record.shipping_pence),
            "trackingNumber": record.tracking,
            "shippingTrackingStatus": tracking_status,
            "serviceCode": record.service_code,
            "shippingService": service_name,
            "shippingCarrier": carrier,
            "receiveEmailNotification": bool(record.recipient.email_address),
            "receiveSmsNotification": False,
            "guaranteedSaturdayDelivery": False,
            "requestSignatureUponDelivery": bool(
                record.service_code and record.service_code.startswith("SD")
            ),
            "isLocalCollect": False,
            "shippingUpdateSuccessDate": naive_stamp(record.shipped_on),
            "packages": _packages(record),
        },
        "shippingInfo": _postal(record.recipient),
        "billingInfo": _postal(record.billing),
        "orderLines": [
            {
                "SKU": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unitValue": money(line.unit_pence),
                "lineTotal": money(line.line_total_pence),
                "customsCode": line.customs_code,
            }
            for line in record.lines
        ],
        "tags": [{"key": k, "value": v} for k, v in record.tags],
    }


def created_order(
    record: OrderRecord,
    *,
    label: str | None = None,
    label_errors: list[JSON] | None = None,
    documents: list[str] | None = None,
) -> JSON:
    """`CreateOrderResponse`: the order info plus inline-label fields."""
    body = order_info(record)
    body["label"] = label
    body["labelErrors"] = label_errors or []
    body["generatedDocuments"] = documents or []
    return body


def error(message: str, code: str | None = None, details: str | None = None) -> JSON:
    """`ErrorResponse`."""
    return {"code": code, "message": message, "details": details}
