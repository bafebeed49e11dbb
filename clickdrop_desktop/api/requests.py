"""Request bodies of the Click & Drop API as dataclasses, checked against the spec before sending.

Each class mirrors one request definition of `reference/click-and-drop-api-v1.yaml`; `to_api()`
gives the JSON object with the spec's exact field names (`SKU`, `AIRNumber`, `IOSSNumber` ...),
leaving out fields that are None. Construction checks what the spec states (required fields,
`maxLength`, ranges, money in whole pence) and raises `InvalidRequest`, so a bad order is
refused before it is queued or sent, with the field named.

Lengths are counted in UTF-16 code units, as the .NET service counts them: an emoji is two.
`dangerousGoodsDescription` is typed `number` in the spec, which is a spec bug (it has a
`maxLength` of 500 and is described as a description); it is sent as a string.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from clickdrop_desktop.api.models import format_datetime

Money = Decimal | int | float


class InvalidRequest(ValueError):
    """A request that breaks the spec's own constraints; the message names the field."""


def _meta(
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


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressRequest(ApiObject):
    _NAME: ClassVar[str] = "address"
    address_line1: str = field(metadata=_meta("addressLine1", required=True, max_len=100))
    city: str = field(metadata=_meta("city", required=True, max_len=100))
    country_code: str = field(metadata=_meta("countryCode", required=True, max_len=3))
    full_name: str | None = field(default=None, metadata=_meta("fullName", max_len=210))
    company_name: str | None = field(default=None, metadata=_meta("companyName", max_len=100))
    address_line2: str | None = field(default=None, metadata=_meta("addressLine2", max_len=100))
    address_line3: str | None = field(default=None, metadata=_meta("addressLine3", max_len=100))
    county: str | None = field(default=None, metadata=_meta("county", max_len=100))
    postcode: str | None = field(default=None, metadata=_meta("postcode", max_len=20))


@dataclass(frozen=True, slots=True, kw_only=True)
class RecipientDetailsRequest(ApiObject):
    _NAME: ClassVar[str] = "recipient"
    address: AddressRequest | None = field(default=None, metadata=_meta("address"))
    phone_number: str | None = field(default=None, metadata=_meta("phoneNumber", max_len=25))
    email_address: str | None = field(default=None, metadata=_meta("emailAddress", max_len=254))
    address_book_reference: str | None = field(
        default=None, metadata=_meta("addressBookReference", max_len=100)
    )

    def _check(self) -> None:
        if self.address is None and not self.address_book_reference:
            raise InvalidRequest("recipient needs an address or an addressBookReference")


@dataclass(frozen=True, slots=True, kw_only=True)
class SenderDetailsRequest(ApiObject):
    _NAME: ClassVar[str] = "sender"
    trading_name: str | None = field(default=None, metadata=_meta("tradingName", max_len=250))
    phone_number: str | None = field(default=None, metadata=_meta("phoneNumber", max_len=25))
    email_address: str | None = field(default=None, metadata=_meta("emailAddress", max_len=254))


@dataclass(frozen=True, slots=True, kw_only=True)
class BillingDetailsRequest(ApiObject):
    _NAME: ClassVar[str] = "billing"
    address: AddressRequest | None = field(default=None, metadata=_meta("address"))
    phone_number: str | None = field(default=None, metadata=_meta("phoneNumber", max_len=25))
    email_address: str | None = field(default=None, metadata=_meta("emailAddress", max_len=254))


@dataclass(frozen=True, slots=True, kw_only=True)
class DimensionsRequest(ApiObject):
    _NAME: ClassVar[str] = "dimensions"
    # "If the dimensions field is included then ... must be specified with non-zero values."
    height_in_mms: int = field(metadata=_meta("heightInMms", required=True, lo=1))
    width_in_mms: int = field(metadata=_meta("widthInMms", required=True, lo=1))
    depth_in_mms: int = field(metadata=_meta("depthInMms", required=True, lo=1))


class CustomsDeclarationCategory(enum.StrEnum):
    NONE = "none"
    GIFT = "gift"
    COMMERCIAL_SAMPLE = "commercialSample"
    DOCUMENTS = "documents"
    OTHER = "other"
    RETURNED_GOODS = "returnedGoods"
    SALE_OF_GOODS = "saleOfGoods"
    MIXED_CONTENT = "mixedContent"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductItemRequest(ApiObject):
    _NAME: ClassVar[str] = "contents[]"
    quantity: int = field(metadata=_meta("quantity", required=True, lo=1, hi=999999))
    name: str | None = field(default=None, metadata=_meta("name", max_len=800))
    sku: str | None = field(default=None, metadata=_meta("SKU", max_len=100))
    unit_value: Money | None = field(
        default=None, metadata=_meta("unitValue", money=True, lo=0, hi=999999)
    )
    unit_weight_in_grams: int | None = field(
        default=None, metadata=_meta("unitWeightInGrams", lo=0, hi=999999)
    )
    customs_description: str | None = field(
        default=None, metadata=_meta("customsDescription", max_len=50)
    )
    extended_customs_description: str | None = field(
        default=None, metadata=_meta("extendedCustomsDescription", max_len=300)
    )
    customs_code: str | None = field(default=None, metadata=_meta("customsCode", max_len=10))
    origin_country_code: str | None = field(
        default=None, metadata=_meta("originCountryCode", max_len=3)
    )
    customs_declaration_category: CustomsDeclarationCategory | None = field(
        default=None, metadata=_meta("customsDeclarationCategory")
    )
    requires_export_licence: bool | None = field(
        default=None, metadata=_meta("requiresExportLicence")
    )  # sic: "Licence"
    stock_location: str | None = field(default=None, metadata=_meta("stockLocation", max_len=50))
    use_origin_preference: bool | None = field(default=None, metadata=_meta("useOriginPreference"))
    supplementary_units: str | None = field(
        default=None, metadata=_meta("supplementaryUnits", max_len=17)
    )
    license_number: str | None = field(default=None, metadata=_meta("licenseNumber", max_len=41))
    certificate_number: str | None = field(
        default=None, metadata=_meta("certificateNumber", max_len=41)
    )

    def _check(self) -> None:
        # The spec's SKU rules: SKU alone (product library), or value + weight (+ SKU).
        has_values = self.unit_value is not None and self.unit_weight_in_grams is not None
        if not self.sku and not has_values:
            raise InvalidRequest("contents[] needs a SKU, or unitValue and unitWeightInGrams")


class PackageFormat(enum.StrEnum):
    UNDEFINED = "undefined"
    LETTER = "letter"
    LARGE_LETTER = "largeLetter"
    SMALL_PARCEL = "smallParcel"
    MEDIUM_PARCEL = "mediumParcel"
    LARGE_PARCEL = "largeParcel"
    PARCEL = "parcel"
    DOCUMENTS = "documents"


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipmentPackageRequest(ApiObject):
    _NAME: ClassVar[str] = "packages[]"
    weight_in_grams: int = field(metadata=_meta("weightInGrams", required=True, lo=1, hi=30000))
    # A PackageFormat, or (ChannelShipper) the name of a custom package format.
    package_format_identifier: PackageFormat | str = field(
        metadata=_meta("packageFormatIdentifier", required=True)
    )
    custom_package_format_identifier: str | None = field(
        default=None, metadata=_meta("customPackageFormatIdentifier")
    )
    dimensions: DimensionsRequest | None = field(default=None, metadata=_meta("dimensions"))
    contents: tuple[ProductItemRequest, ...] | None = field(
        default=None, metadata=_meta("contents")
    )


class NotificationsTo(enum.StrEnum):
    SENDER = "sender"
    RECIPIENT = "recipient"
    BILLING = "billing"


@dataclass(frozen=True, slots=True, kw_only=True)
class PostageDetailsRequest(ApiObject):
    _NAME: ClassVar[str] = "postageDetails"
    send_notifications_to: NotificationsTo | None = field(
        default=None, metadata=_meta("sendNotificationsTo")
    )
    service_code: str | None = field(default=None, metadata=_meta("serviceCode", max_len=10))
    carrier_name: str | None = field(default=None, metadata=_meta("carrierName", max_len=50))
    service_register_code: str | None = field(
        default=None, metadata=_meta("serviceRegisterCode", max_len=2)
    )
    consequential_loss: int | None = field(
        default=None, metadata=_meta("consequentialLoss", lo=0, hi=10000)
    )
    receive_email_notification: bool | None = field(
        default=None, metadata=_meta("receiveEmailNotification")
    )
    receive_sms_notification: bool | None = field(
        default=None, metadata=_meta("receiveSmsNotification")
    )
    guaranteed_saturday_delivery: bool | None = field(
        default=None, metadata=_meta("guaranteedSaturdayDelivery")
    )
    request_signature_upon_delivery: bool | None = field(
        default=None, metadata=_meta("requestSignatureUponDelivery")
    )
    is_local_collect: bool | None = field(default=None, metadata=_meta("isLocalCollect"))
    safe_place: str | None = field(default=None, metadata=_meta("safePlace", max_len=90))
    department: str | None = field(default=None, metadata=_meta("department", max_len=150))
    air_number: str | None = field(default=None, metadata=_meta("AIRNumber", max_len=50))
    ioss_number: str | None = field(default=None, metadata=_meta("IOSSNumber", max_len=50))
    requires_export_license: bool | None = field(
        default=None, metadata=_meta("requiresExportLicense")
    )  # sic: "License"
    commercial_invoice_number: str | None = field(
        default=None, metadata=_meta("commercialInvoiceNumber", max_len=35)
    )
    commercial_invoice_date: datetime | None = field(
        default=None, metadata=_meta("commercialInvoiceDate")
    )
    recipient_eori_number: str | None = field(default=None, metadata=_meta("recipientEoriNumber"))


@dataclass(frozen=True, slots=True, kw_only=True)
class TagRequest(ApiObject):
    _NAME: ClassVar[str] = "tags[]"
    key: str | None = field(default=None, metadata=_meta("key", max_len=100))
    value: str | None = field(default=None, metadata=_meta("value", max_len=100))


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelGenerationRequest(ApiObject):
    """Inline label on create (OBA only; at most one such order per request)."""

    _NAME: ClassVar[str] = "label"
    include_label_in_response: bool = field(metadata=_meta("includeLabelInResponse", required=True))
    include_cn: bool | None = field(default=None, metadata=_meta("includeCN"))
    include_returns_label: bool | None = field(default=None, metadata=_meta("includeReturnsLabel"))


@dataclass(frozen=True, slots=True, kw_only=True)
class ImporterRequest(ApiObject):
    _NAME: ClassVar[str] = "importer"
    company_name: str | None = field(default=None, metadata=_meta("companyName", max_len=100))
    address_line1: str | None = field(default=None, metadata=_meta("addressLine1", max_len=100))
    address_line2: str | None = field(default=None, metadata=_meta("addressLine2", max_len=100))
    address_line3: str | None = field(default=None, metadata=_meta("addressLine3", max_len=100))
    city: str | None = field(default=None, metadata=_meta("city", max_len=100))
    postcode: str | None = field(default=None, metadata=_meta("postcode", max_len=20))
    country: str | None = field(default=None, metadata=_meta("country", max_len=100))
    business_name: str | None = field(default=None, metadata=_meta("businessName", max_len=100))
    contact_name: str | None = field(default=None, metadata=_meta("contactName", max_len=100))
    phone_number: str | None = field(default=None, metadata=_meta("phoneNumber", max_len=25))
    email_address: str | None = field(default=None, metadata=_meta("emailAddress", max_len=254))
    vat_number: str | None = field(default=None, metadata=_meta("vatNumber", max_len=15))
    tax_code: str | None = field(default=None, metadata=_meta("taxCode", max_len=25))
    eori_number: str | None = field(default=None, metadata=_meta("eoriNumber", max_len=18))


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateOrderRequest(ApiObject):
    """One order for `POST /orders` (the client wraps them in `{"items": [...]}`).

    `order_reference` is the idempotency key the outbox relies on: after an ambiguous failure
    the caller looks it up (`find_orders_by_reference`) instead of resending.
    """

    _NAME: ClassVar[str] = "order"
    recipient: RecipientDetailsRequest = field(metadata=_meta("recipient", required=True))
    order_date: datetime = field(metadata=_meta("orderDate", required=True))
    subtotal: Money = field(metadata=_meta("subtotal", required=True, money=True, lo=0, hi=999999))
    shipping_cost_charged: Money = field(
        metadata=_meta("shippingCostCharged", required=True, money=True, lo=0, hi=999999)
    )
    total: Money = field(metadata=_meta("total", required=True, money=True, lo=0, hi=999999))
    order_reference: str | None = field(default=None, metadata=_meta("orderReference", max_len=40))
    is_recipient_a_business: bool | None = field(
        default=None, metadata=_meta("isRecipientABusiness")
    )
    sender: SenderDetailsRequest | None = field(default=None, metadata=_meta("sender"))
    billing: BillingDetailsRequest | None = field(default=None, metadata=_meta("billing"))
    packages: tuple[ShipmentPackageRequest, ...] | None = field(
        default=None, metadata=_meta("packages")
    )
    planned_despatch_date: datetime | None = field(
        default=None, metadata=_meta("plannedDespatchDate")
    )
    special_instructions: str | None = field(
        default=None, metadata=_meta("specialInstructions", max_len=500)
    )
    other_costs: Money | None = field(
        default=None, metadata=_meta("otherCosts", money=True, lo=0, hi=999999)
    )
    customs_duty_costs: Money | None = field(
        default=None, metadata=_meta("customsDutyCosts", money=True, lo=0, hi=99999.99)
    )
    currency_code: str | None = field(default=None, metadata=_meta("currencyCode", max_len=3))
    postage_details: PostageDetailsRequest | None = field(
        default=None, metadata=_meta("postageDetails")
    )
    tags: tuple[TagRequest, ...] | None = field(default=None, metadata=_meta("tags"))
    label: LabelGenerationRequest | None = field(default=None, metadata=_meta("label"))
    order_tax: Money | None = field(
        default=None, metadata=_meta("orderTax", money=True, lo=0, hi=999999)
    )
    contains_dangerous_goods: bool | None = field(
        default=None, metadata=_meta("containsDangerousGoods")
    )
    dangerous_goods_un_code: str | None = field(
        default=None, metadata=_meta("dangerousGoodsUnCode", max_len=4)
    )
    # Spec bug: typed `number` there; it is text, and sent as text.
    dangerous_goods_description: str | None = field(
        default=None, metadata=_meta("dangerousGoodsDescription", max_len=500)
    )
    dangerous_goods_quantity: float | None = field(
        default=None, metadata=_meta("dangerousGoodsQuantity")
    )
    importer: ImporterRequest | None = field(default=None, metadata=_meta("importer"))
    #: Fields newer than the spec copy we follow (e.g. `deliveryTerm`), sent as given.
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def wants_inline_label(self) -> bool:
        return self.label is not None and self.label.include_label_in_response


class OrderStatusValue(enum.StrEnum):
    NEW = "new"
    DESPATCHED = "despatched"
    DESPATCHED_BY_OTHER_COURIER = "despatchedByOtherCourier"  # ChannelShipper only


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusUpdateRequest(ApiObject):
    """One item of `PUT /orders/status` (`UpdateOrderStatusRequest`).

    Exactly one of `order_identifier` and `order_reference`: the spec disallows both "to avoid
    ambiguity". For `despatchedByOtherCourier` with a tracking number, `despatch_date`,
    `shipping_carrier` and `shipping_service` are required too.
    """

    _NAME: ClassVar[str] = "items[]"
    status: OrderStatusValue = field(metadata=_meta("status", required=True))
    order_identifier: int | None = field(
        default=None, metadata=_meta("orderIdentifier", lo=0, hi=2**31 - 1)
    )
    order_reference: str | None = field(default=None, metadata=_meta("orderReference"))
    tracking_number: str | None = field(default=None, metadata=_meta("trackingNumber"))
    despatch_date: datetime | None = field(default=None, metadata=_meta("despatchDate"))
    shipping_carrier: str | None = field(default=None, metadata=_meta("shippingCarrier"))
    shipping_service: str | None = field(default=None, metadata=_meta("shippingService"))

    def _check(self) -> None:
        if (self.order_identifier is None) == (self.order_reference is None):
            raise InvalidRequest(
                "a status update names exactly one of orderIdentifier and orderReference"
            )
        if isinstance(self.order_identifier, bool):
            raise InvalidRequest("items[].orderIdentifier must be an integer")
        if (
            self.status is OrderStatusValue.DESPATCHED_BY_OTHER_COURIER
            and self.tracking_number
            and not (self.despatch_date and self.shipping_carrier and self.shipping_service)
        ):
            raise InvalidRequest(
                "despatchedByOtherCourier with a tracking number needs despatchDate, "
                "shippingCarrier and shippingService"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class ManifestRequest(ApiObject):
    """`POST /manifests` body; `carrier_name` only when the account has several carriers."""

    _NAME: ClassVar[str] = "manifest"
    carrier_name: str | None = field(default=None, metadata=_meta("carrierName"))


def create_orders_body(orders: Sequence[CreateOrderRequest | Mapping[str, Any]]) -> dict[str, Any]:
    """`CreateOrdersRequest`: the mandatory `items` wrapper around the orders."""
    if not orders:
        raise InvalidRequest("at least one order is needed")
    items = [o.to_api() if isinstance(o, CreateOrderRequest) else dict(o) for o in orders]
    return {"items": items}
