"""The parts of a `CreateOrderRequest`: addresses, packages, contents, postage, tags, importer.

Each mirrors one definition of the spec with its exact field names and limits.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from clickdrop_desktop.api.request_base import ApiObject, InvalidRequest, Money, spec_meta


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressRequest(ApiObject):
    _NAME: ClassVar[str] = "address"
    address_line1: str = field(metadata=spec_meta("addressLine1", required=True, max_len=100))
    city: str = field(metadata=spec_meta("city", required=True, max_len=100))
    country_code: str = field(metadata=spec_meta("countryCode", required=True, max_len=3))
    full_name: str | None = field(default=None, metadata=spec_meta("fullName", max_len=210))
    company_name: str | None = field(default=None, metadata=spec_meta("companyName", max_len=100))
    address_line2: str | None = field(default=None, metadata=spec_meta("addressLine2", max_len=100))
    address_line3: str | None = field(default=None, metadata=spec_meta("addressLine3", max_len=100))
    county: str | None = field(default=None, metadata=spec_meta("county", max_len=100))
    postcode: str | None = field(default=None, metadata=spec_meta("postcode", max_len=20))


@dataclass(frozen=True, slots=True, kw_only=True)
class RecipientDetailsRequest(ApiObject):
    _NAME: ClassVar[str] = "recipient"
    address: AddressRequest | None = field(default=None, metadata=spec_meta("address"))
    phone_number: str | None = field(default=None, metadata=spec_meta("phoneNumber", max_len=25))
    email_address: str | None = field(default=None, metadata=spec_meta("emailAddress", max_len=254))
    address_book_reference: str | None = field(
        default=None, metadata=spec_meta("addressBookReference", max_len=100)
    )

    def _check(self) -> None:
        if self.address is None and not self.address_book_reference:
            raise InvalidRequest("recipient needs an address or an addressBookReference")


@dataclass(frozen=True, slots=True, kw_only=True)
class SenderDetailsRequest(ApiObject):
    _NAME: ClassVar[str] = "sender"
    trading_name: str | None = field(default=None, metadata=spec_meta("tradingName", max_len=250))
    phone_number: str | None = field(default=None, metadata=spec_meta("phoneNumber", max_len=25))
    email_address: str | None = field(default=None, metadata=spec_meta("emailAddress", max_len=254))


@dataclass(frozen=True, slots=True, kw_only=True)
class BillingDetailsRequest(ApiObject):
    _NAME: ClassVar[str] = "billing"
    address: AddressRequest | None = field(default=None, metadata=spec_meta("address"))
    phone_number: str | None = field(default=None, metadata=spec_meta("phoneNumber", max_len=25))
    email_address: str | None = field(default=None, metadata=spec_meta("emailAddress", max_len=254))


@dataclass(frozen=True, slots=True, kw_only=True)
class DimensionsRequest(ApiObject):
    _NAME: ClassVar[str] = "dimensions"
    # "If the dimensions field is included then ... must be specified with non-zero values."
    height_in_mms: int = field(metadata=spec_meta("heightInMms", required=True, lo=1))
    width_in_mms: int = field(metadata=spec_meta("widthInMms", required=True, lo=1))
    depth_in_mms: int = field(metadata=spec_meta("depthInMms", required=True, lo=1))


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
    quantity: int = field(metadata=spec_meta("quantity", required=True, lo=1, hi=999999))
    name: str | None = field(default=None, metadata=spec_meta("name", max_len=800))
    sku: str | None = field(default=None, metadata=spec_meta("SKU", max_len=100))
    unit_value: Money | None = field(
        default=None, metadata=spec_meta("unitValue", money=True, lo=0, hi=999999)
    )
    unit_weight_in_grams: int | None = field(
        default=None, metadata=spec_meta("unitWeightInGrams", lo=0, hi=999999)
    )
    customs_description: str | None = field(
        default=None, metadata=spec_meta("customsDescription", max_len=50)
    )
    extended_customs_description: str | None = field(
        default=None, metadata=spec_meta("extendedCustomsDescription", max_len=300)
    )
    customs_code: str | None = field(default=None, metadata=spec_meta("customsCode", max_len=10))
    origin_country_code: str | None = field(
        default=None, metadata=spec_meta("originCountryCode", max_len=3)
    )
    customs_declaration_category: CustomsDeclarationCategory | None = field(
        default=None, metadata=spec_meta("customsDeclarationCategory")
    )
    requires_export_licence: bool | None = field(
        default=None, metadata=spec_meta("requiresExportLicence")
    )  # sic: "Licence"
    stock_location: str | None = field(
        default=None, metadata=spec_meta("stockLocation", max_len=50)
    )
    use_origin_preference: bool | None = field(
        default=None, metadata=spec_meta("useOriginPreference")
    )
    supplementary_units: str | None = field(
        default=None, metadata=spec_meta("supplementaryUnits", max_len=17)
    )
    license_number: str | None = field(
        default=None, metadata=spec_meta("licenseNumber", max_len=41)
    )
    certificate_number: str | None = field(
        default=None, metadata=spec_meta("certificateNumber", max_len=41)
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
    weight_in_grams: int = field(metadata=spec_meta("weightInGrams", required=True, lo=1, hi=30000))
    # A PackageFormat, or (ChannelShipper) the name of a custom package format.
    package_format_identifier: PackageFormat | str = field(
        metadata=spec_meta("packageFormatIdentifier", required=True)
    )
    custom_package_format_identifier: str | None = field(
        default=None, metadata=spec_meta("customPackageFormatIdentifier")
    )
    dimensions: DimensionsRequest | None = field(default=None, metadata=spec_meta("dimensions"))
    contents: tuple[ProductItemRequest, ...] | None = field(
        default=None, metadata=spec_meta("contents")
    )


class NotificationsTo(enum.StrEnum):
    SENDER = "sender"
    RECIPIENT = "recipient"
    BILLING = "billing"


@dataclass(frozen=True, slots=True, kw_only=True)
class PostageDetailsRequest(ApiObject):
    _NAME: ClassVar[str] = "postageDetails"
    send_notifications_to: NotificationsTo | None = field(
        default=None, metadata=spec_meta("sendNotificationsTo")
    )
    service_code: str | None = field(default=None, metadata=spec_meta("serviceCode", max_len=10))
    carrier_name: str | None = field(default=None, metadata=spec_meta("carrierName", max_len=50))
    service_register_code: str | None = field(
        default=None, metadata=spec_meta("serviceRegisterCode", max_len=2)
    )
    consequential_loss: int | None = field(
        default=None, metadata=spec_meta("consequentialLoss", lo=0, hi=10000)
    )
    receive_email_notification: bool | None = field(
        default=None, metadata=spec_meta("receiveEmailNotification")
    )
    receive_sms_notification: bool | None = field(
        default=None, metadata=spec_meta("receiveSmsNotification")
    )
    guaranteed_saturday_delivery: bool | None = field(
        default=None, metadata=spec_meta("guaranteedSaturdayDelivery")
    )
    request_signature_upon_delivery: bool | None = field(
        default=None, metadata=spec_meta("requestSignatureUponDelivery")
    )
    is_local_collect: bool | None = field(default=None, metadata=spec_meta("isLocalCollect"))
    safe_place: str | None = field(default=None, metadata=spec_meta("safePlace", max_len=90))
    department: str | None = field(default=None, metadata=spec_meta("department", max_len=150))
    air_number: str | None = field(default=None, metadata=spec_meta("AIRNumber", max_len=50))
    ioss_number: str | None = field(default=None, metadata=spec_meta("IOSSNumber", max_len=50))
    requires_export_license: bool | None = field(
        default=None, metadata=spec_meta("requiresExportLicense")
    )  # sic: "License"
    commercial_invoice_number: str | None = field(
        default=None, metadata=spec_meta("commercialInvoiceNumber", max_len=35)
    )
    commercial_invoice_date: datetime | None = field(
        default=None, metadata=spec_meta("commercialInvoiceDate")
    )
    recipient_eori_number: str | None = field(
        default=None, metadata=spec_meta("recipientEoriNumber")
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class TagRequest(ApiObject):
    _NAME: ClassVar[str] = "tags[]"
    key: str | None = field(default=None, metadata=spec_meta("key", max_len=100))
    value: str | None = field(default=None, metadata=spec_meta("value", max_len=100))


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelGenerationRequest(ApiObject):
    """Inline label on create (OBA only; at most one such order per request)."""

    _NAME: ClassVar[str] = "label"
    include_label_in_response: bool = field(
        metadata=spec_meta("includeLabelInResponse", required=True)
    )
    include_cn: bool | None = field(default=None, metadata=spec_meta("includeCN"))
    include_returns_label: bool | None = field(
        default=None, metadata=spec_meta("includeReturnsLabel")
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ImporterRequest(ApiObject):
    _NAME: ClassVar[str] = "importer"
    company_name: str | None = field(default=None, metadata=spec_meta("companyName", max_len=100))
    address_line1: str | None = field(default=None, metadata=spec_meta("addressLine1", max_len=100))
    address_line2: str | None = field(default=None, metadata=spec_meta("addressLine2", max_len=100))
    address_line3: str | None = field(default=None, metadata=spec_meta("addressLine3", max_len=100))
    city: str | None = field(default=None, metadata=spec_meta("city", max_len=100))
    postcode: str | None = field(default=None, metadata=spec_meta("postcode", max_len=20))
    country: str | None = field(default=None, metadata=spec_meta("country", max_len=100))
    business_name: str | None = field(default=None, metadata=spec_meta("businessName", max_len=100))
    contact_name: str | None = field(default=None, metadata=spec_meta("contactName", max_len=100))
    phone_number: str | None = field(default=None, metadata=spec_meta("phoneNumber", max_len=25))
    email_address: str | None = field(default=None, metadata=spec_meta("emailAddress", max_len=254))
    vat_number: str | None = field(default=None, metadata=spec_meta("vatNumber", max_len=15))
    tax_code: str | None = field(default=None, metadata=spec_meta("taxCode", max_len=25))
    eori_number: str | None = field(default=None, metadata=spec_meta("eoriNumber", max_len=18))
