"""Validation of one `CreateOrderRequest` against the spec's types, required fields and limits.

Errors come back as `CreateOrderErrorResponse` objects (`errorCode`, `errorMessage`, `fields`).
Upstream's numeric codes are undocumented; the sandbox uses: 1 required, 2 too long, 3 out of
range, 4 invalid value or type, 5 duplicate reference, 31 unknown service code.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from clickdrop_desktop.sandbox.accounts import Account, AccountType

REQUIRED, TOO_LONG, OUT_OF_RANGE, INVALID, DUPLICATE, BAD_SERVICE = 1, 2, 3, 4, 5, 31

PACKAGE_FORMATS = frozenset(
    {
        "undefined",
        "letter",
        "largeLetter",
        "smallParcel",
        "mediumParcel",
        "largeParcel",
        "parcel",
        "documents",
    }
)
CUSTOMS_CATEGORIES = frozenset(
    {
        "none",
        "gift",
        "commercialSample",
        "documents",
        "other",
        "returnedGoods",
        "saleOfGoods",
        "mixedContent",
    }
)
NOTIFY_TO = frozenset({"sender", "recipient", "billing"})

_ADDRESS = {
    "fullName": 210,
    "companyName": 100,
    "addressLine1": 100,
    "addressLine2": 100,
    "addressLine3": 100,
    "city": 100,
    "county": 100,
    "postcode": 20,
    "countryCode": 3,
}
_CONTACT = {"phoneNumber": 25, "emailAddress": 254}
_PRODUCT = {
    "name": 800,
    "SKU": 100,
    "customsDescription": 50,
    "extendedCustomsDescription": 300,
    "customsCode": 10,
    "originCountryCode": 3,
    "stockLocation": 50,
    "supplementaryUnits": 17,
    "licenseNumber": 41,
    "certificateNumber": 41,
}
_POSTAGE = {
    "serviceCode": 10,
    "carrierName": 50,
    "serviceRegisterCode": 2,
    "safePlace": 90,
    "department": 150,
    "AIRNumber": 50,
    "IOSSNumber": 50,
    "commercialInvoiceNumber": 35,
    "recipientEoriNumber": 100,
}
_IMPORTER = {
    "companyName": 100,
    "addressLine1": 100,
    "addressLine2": 100,
    "addressLine3": 100,
    "city": 100,
    "postcode": 20,
    "country": 100,
    "businessName": 100,
    "contactName": 100,
    "phoneNumber": 25,
    "emailAddress": 254,
    "vatNumber": 15,
    "taxCode": 25,
    "eoriNumber": 18,
}
_MONEY = {
    "subtotal": 999999,
    "shippingCostCharged": 999999,
    "otherCosts": 999999,
    "customsDutyCosts": 99999.99,
    "total": 999999,
    "orderTax": 999999,
}


class _Checker:
    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def fail(self, code: int, message: str, field: str, value: object = None) -> None:
        shown = "" if value is None else str(value)[:100]
        self.errors.append(
            {
                "errorCode": code,
                "errorMessage": message,
                "fields": [{"fieldName": field, "value": shown}],
            }
        )

    def obj(self, data: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(INVALID, f"{path}{key} must be an object", path + key, value)
            return None
        return value

    def strings(self, data: dict[str, Any], limits: Mapping[str, float], path: str) -> None:
        for key, limit in limits.items():
            value = data.get(key)
            if value is None:
                continue
            if not isinstance(value, str):
                self.fail(INVALID, f"{path}{key} must be a string", path + key, value)
            elif len(value) > limit:
                self.fail(
                    TOO_LONG,
                    f"{path}{key} must be at most {int(limit)} characters",
                    path + key,
                    value,
                )

    def required(self, data: dict[str, Any], keys: tuple[str, ...], path: str) -> None:
        for key in keys:
            value = data.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                self.fail(REQUIRED, f"{path}{key} is required", path + key)

    def number(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        low: float,
        high: float,
        *,
        integer: bool = False,
        cents: bool = False,
    ) -> None:
        value = data.get(key)
        if value is None:
            return
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.fail(INVALID, f"{path}{key} must be a number", path + key, value)
        elif integer and not float(value).is_integer():
            self.fail(INVALID, f"{path}{key} must be an integer", path + key, value)
        elif not low <= value <= high:
            self.fail(
                OUT_OF_RANGE, f"{path}{key} must be between {low:g} and {high:g}", path + key, value
            )
        elif cents and abs(value * 100 - round(value * 100)) > 1e-6:
            self.fail(INVALID, f"{path}{key} must be a multiple of 0.01", path + key, value)

    def boolean(self, data: dict[str, Any], key: str, path: str) -> None:
        value = data.get(key)
        if value is not None and not isinstance(value, bool):
            self.fail(INVALID, f"{path}{key} must be true or false", path + key, value)

    def date(self, data: dict[str, Any], key: str, path: str) -> None:
        value = data.get(key)
        if value is None:
            return
        if parse_request_datetime(value) is None:
            self.fail(INVALID, f"{path}{key} must be a date-time", path + key, value)

    def address(self, data: dict[str, Any] | None, path: str) -> None:
        if data is None:
            return
        self.required(data, ("addressLine1", "city", "countryCode"), path)
        self.strings(data, _ADDRESS, path)


def parse_request_datetime(value: object) -> datetime | None:
    """ISO 8601 with or without offset (upstream accepts tz-less values)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    if "." in text:  # .NET sends up to 7 fractional digits; Python takes 6
        head, _, tail = text.partition(".")
        digits = "".join(c for c in tail if c.isdigit())
        text = f"{head}.{digits[:6]}{tail[len(digits) :]}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def validate_order(item: object, account: Account) -> list[dict[str, Any]]:
    """The problems with one create item; empty when it can be created."""
    check = _Checker()
    if not isinstance(item, dict):
        check.fail(INVALID, "Each item must be an order object", "items[]", item)
        return check.errors
    check.required(item, ("recipient", "orderDate", "subtotal", "shippingCostCharged", "total"), "")
    check.strings(
        item,
        {
            "orderReference": 40,
            "specialInstructions": 500,
            "currencyCode": 3,
            "dangerousGoodsUnCode": 4,
        },
        "",
    )
    check.date(item, "orderDate", "")
    check.date(item, "plannedDespatchDate", "")
    for key, high in _MONEY.items():
        check.number(item, key, "", 0, high, cents=True)
    check.boolean(item, "isRecipientABusiness", "")
    check.boolean(item, "containsDangerousGoods", "")
    dg = item.get("dangerousGoodsDescription")
    # Spec bug: typed `number` with maxLength 500. Clients send text; both are accepted.
    if isinstance(dg, str) and len(dg) > 500:
        check.fail(
            TOO_LONG,
            "dangerousGoodsDescription must be at most 500 characters",
            "dangerousGoodsDescription",
            dg,
        )
    recipient = check.obj(item, "recipient", "")
    if recipient is not None:
        address = check.obj(recipient, "address", "recipient.")
        check.address(address, "recipient.address.")
        check.strings(recipient, {**_CONTACT, "addressBookReference": 100}, "recipient.")
        if address is None:
            reference = recipient.get("addressBookReference")
            message = (
                f"Address book entry {str(reference)[:40]!r} not found"
                if reference
                else "recipient.address is required"
            )
            check.fail(REQUIRED, message, "recipient.address", reference)
    billing = check.obj(item, "billing", "")
    if billing is not None:
        check.address(check.obj(billing, "address", "billing."), "billing.address.")
        check.strings(billing, _CONTACT, "billing.")
    sender = check.obj(item, "sender", "")
    if sender is not None:
        check.strings(sender, {"tradingName": 250, **_CONTACT}, "sender.")
    importer = check.obj(item, "importer", "")
    if importer is not None:
        check.strings(importer, _IMPORTER, "importer.")
    _check_packages(check, item, account)
    _check_postage(check, item, account)
    _check_tags_and_label(check, item)
    return check.errors


def _check_packages(check: _Checker, item: dict[str, Any], account: Account) -> None:
    packages = item.get("packages")
    if packages is None:
        return
    if not isinstance(packages, list):
        check.fail(INVALID, "packages must be an array", "packages")
        return
    for i, package in enumerate(packages):
        path = f"packages[{i}]."
        if not isinstance(package, dict):
            check.fail(INVALID, f"{path[:-1]} must be an object", path[:-1])
            continue
        check.required(package, ("weightInGrams", "packageFormatIdentifier"), path)
        check.number(package, "weightInGrams", path, 1, 30000, integer=True)
        fmt = package.get("packageFormatIdentifier")
        custom_ok = account.type is AccountType.CHANNEL_SHIPPER and isinstance(fmt, str)
        if fmt is not None and fmt not in PACKAGE_FORMATS and not custom_ok:
            check.fail(
                INVALID,
                f"{path}packageFormatIdentifier is not a known package format",
                path + "packageFormatIdentifier",
                fmt,
            )
        dims = check.obj(package, "dimensions", path)
        if dims is not None:
            for key in ("heightInMms", "widthInMms", "depthInMms"):
                value = dims.get(key)
                if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                    check.fail(
                        INVALID,
                        f"{path}dimensions.{key} must be a non-zero integer",
                        f"{path}dimensions.{key}",
                        value,
                    )
        contents = package.get("contents") or []
        if not isinstance(contents, list):
            check.fail(INVALID, f"{path}contents must be an array", path + "contents")
            continue
        for j, product in enumerate(contents):
            _check_product(check, product, f"{path}contents[{j}].")


def _check_product(check: _Checker, product: object, path: str) -> None:
    if not isinstance(product, dict):
        check.fail(INVALID, f"{path[:-1]} must be an object", path[:-1])
        return
    check.required(product, ("quantity",), path)
    check.number(product, "quantity", path, 1, 999999, integer=True)
    check.number(product, "unitValue", path, 0, 999999, cents=True)
    check.number(product, "unitWeightInGrams", path, 0, 999999, integer=True)
    check.strings(product, _PRODUCT, path)
    category = product.get("customsDeclarationCategory")
    if category is not None and category not in CUSTOMS_CATEGORIES:
        check.fail(
            INVALID,
            f"{path}customsDeclarationCategory is not valid",
            path + "customsDeclarationCategory",
            category,
        )
    has = {k for k in ("SKU", "unitValue", "unitWeightInGrams", "quantity") if k in product}
    # The spec's SKU rules: SKU+quantity (library product), SKU+value+weight+quantity
    # (upsert), or value+weight+quantity without SKU; anything else is a validation error.
    if "quantity" in has and not ({"SKU"} <= has or {"unitValue", "unitWeightInGrams"} <= has):
        check.fail(
            INVALID, f"{path[:-1]} needs a SKU, or unitValue and unitWeightInGrams", path[:-1]
        )


def _check_postage(check: _Checker, item: dict[str, Any], account: Account) -> None:
    postage = check.obj(item, "postageDetails", "")
    if postage is None:
        return
    path = "postageDetails."
    check.strings(postage, _POSTAGE, path)
    notify = postage.get("sendNotificationsTo")
    if notify is not None and notify not in NOTIFY_TO:
        check.fail(
            INVALID, f"{path}sendNotificationsTo is not valid", path + "sendNotificationsTo", notify
        )
    check.number(postage, "consequentialLoss", path, 0, 10000, integer=True)
    for key in (
        "receiveEmailNotification",
        "receiveSmsNotification",
        "guaranteedSaturdayDelivery",
        "requestSignatureUponDelivery",
        "isLocalCollect",
        "requiresExportLicense",
    ):
        check.boolean(postage, key, path)
    check.date(postage, "commercialInvoiceDate", path)
    code = postage.get("serviceCode")
    if isinstance(code, str) and len(code) <= 10 and account.service(code) is None:
        check.fail(
            BAD_SERVICE,
            f"Service code {code!r} is not available on this account",
            path + "serviceCode",
            code,
        )
    carrier = postage.get("carrierName")
    if isinstance(carrier, str) and carrier and carrier != account.carrier_name:
        check.fail(
            INVALID,
            f"Carrier {carrier[:50]!r} is not configured on this account",
            path + "carrierName",
            carrier,
        )


def _check_tags_and_label(check: _Checker, item: dict[str, Any]) -> None:
    tags = item.get("tags")
    if tags is not None:
        if not isinstance(tags, list):
            check.fail(INVALID, "tags must be an array", "tags")
        else:
            for i, tag in enumerate(tags):
                if isinstance(tag, dict):
                    check.strings(tag, {"key": 100, "value": 100}, f"tags[{i}].")
                else:
                    check.fail(INVALID, f"tags[{i}] must be an object", f"tags[{i}]")
    label = check.obj(item, "label", "")
    if label is not None:
        if not isinstance(label.get("includeLabelInResponse"), bool):
            check.fail(
                REQUIRED, "label.includeLabelInResponse is required", "label.includeLabelInResponse"
            )
        check.boolean(label, "includeCN", "label.")
        check.boolean(label, "includeReturnsLabel", "label.")


def wants_inline_label(item: object) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("label"), dict)
        and item["label"].get("includeLabelInResponse") is True
    )
