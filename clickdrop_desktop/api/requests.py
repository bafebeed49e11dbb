"""Request bodies of the Click & Drop API as dataclasses, checked against the spec before sending.

Each class mirrors one request definition of `reference/click-and-drop-api-v1.yaml`; `to_api()`
gives the JSON object with the spec's exact field names (`SKU`, `AIRNumber`, `IOSSNumber` ...),
leaving out fields that are None. Construction checks what the spec states (required fields,
`maxLength`, ranges, money in whole pence) and raises `InvalidRequest`, so a bad order is
refused before it is queued or sent, with the field named.

`dangerousGoodsDescription` is typed `number` in the spec, which is a spec bug (it has a
`maxLength` of 500 and is described as a description); it is sent as a string.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from clickdrop_desktop.api.order_parts import (
    AddressRequest,
    BillingDetailsRequest,
    CustomsDeclarationCategory,
    DimensionsRequest,
    ImporterRequest,
    LabelGenerationRequest,
    NotificationsTo,
    PackageFormat,
    PostageDetailsRequest,
    ProductItemRequest,
    RecipientDetailsRequest,
    SenderDetailsRequest,
    ShipmentPackageRequest,
    TagRequest,
)
from clickdrop_desktop.api.request_base import ApiObject, InvalidRequest, Money, spec_meta

__all__ = [
    "AddressRequest",
    "ApiObject",
    "BillingDetailsRequest",
    "CreateOrderRequest",
    "CustomsDeclarationCategory",
    "DimensionsRequest",
    "ImporterRequest",
    "InvalidRequest",
    "LabelGenerationRequest",
    "ManifestRequest",
    "Money",
    "NotificationsTo",
    "OrderStatusValue",
    "PackageFormat",
    "PostageDetailsRequest",
    "ProductItemRequest",
    "RecipientDetailsRequest",
    "SenderDetailsRequest",
    "ShipmentPackageRequest",
    "StatusUpdateRequest",
    "TagRequest",
    "create_orders_body",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateOrderRequest(ApiObject):
    """One order for `POST /orders` (the client wraps them in `{"items": [...]}`).

    `order_reference` is the idempotency key the outbox relies on: after an ambiguous failure
    the caller looks it up (`find_orders_by_reference`) instead of resending.
    """

    _NAME: ClassVar[str] = "order"
    recipient: RecipientDetailsRequest = field(metadata=spec_meta("recipient", required=True))
    order_date: datetime = field(metadata=spec_meta("orderDate", required=True))
    subtotal: Money = field(
        metadata=spec_meta("subtotal", required=True, money=True, lo=0, hi=999999)
    )
    shipping_cost_charged: Money = field(
        metadata=spec_meta("shippingCostCharged", required=True, money=True, lo=0, hi=999999)
    )
    total: Money = field(metadata=spec_meta("total", required=True, money=True, lo=0, hi=999999))
    order_reference: str | None = field(
        default=None, metadata=spec_meta("orderReference", max_len=40)
    )
    is_recipient_a_business: bool | None = field(
        default=None, metadata=spec_meta("isRecipientABusiness")
    )
    sender: SenderDetailsRequest | None = field(default=None, metadata=spec_meta("sender"))
    billing: BillingDetailsRequest | None = field(default=None, metadata=spec_meta("billing"))
    packages: tuple[ShipmentPackageRequest, ...] | None = field(
        default=None, metadata=spec_meta("packages")
    )
    planned_despatch_date: datetime | None = field(
        default=None, metadata=spec_meta("plannedDespatchDate")
    )
    special_instructions: str | None = field(
        default=None, metadata=spec_meta("specialInstructions", max_len=500)
    )
    other_costs: Money | None = field(
        default=None, metadata=spec_meta("otherCosts", money=True, lo=0, hi=999999)
    )
    customs_duty_costs: Money | None = field(
        default=None, metadata=spec_meta("customsDutyCosts", money=True, lo=0, hi=99999.99)
    )
    currency_code: str | None = field(default=None, metadata=spec_meta("currencyCode", max_len=3))
    postage_details: PostageDetailsRequest | None = field(
        default=None, metadata=spec_meta("postageDetails")
    )
    tags: tuple[TagRequest, ...] | None = field(default=None, metadata=spec_meta("tags"))
    label: LabelGenerationRequest | None = field(default=None, metadata=spec_meta("label"))
    order_tax: Money | None = field(
        default=None, metadata=spec_meta("orderTax", money=True, lo=0, hi=999999)
    )
    contains_dangerous_goods: bool | None = field(
        default=None, metadata=spec_meta("containsDangerousGoods")
    )
    dangerous_goods_un_code: str | None = field(
        default=None, metadata=spec_meta("dangerousGoodsUnCode", max_len=4)
    )
    # Spec bug: typed `number` there; it is text, and sent as text.
    dangerous_goods_description: str | None = field(
        default=None, metadata=spec_meta("dangerousGoodsDescription", max_len=500)
    )
    dangerous_goods_quantity: float | None = field(
        default=None, metadata=spec_meta("dangerousGoodsQuantity")
    )
    importer: ImporterRequest | None = field(default=None, metadata=spec_meta("importer"))
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
    status: OrderStatusValue = field(metadata=spec_meta("status", required=True))
    order_identifier: int | None = field(
        default=None, metadata=spec_meta("orderIdentifier", lo=0, hi=2**31 - 1)
    )
    order_reference: str | None = field(default=None, metadata=spec_meta("orderReference"))
    tracking_number: str | None = field(default=None, metadata=spec_meta("trackingNumber"))
    despatch_date: datetime | None = field(default=None, metadata=spec_meta("despatchDate"))
    shipping_carrier: str | None = field(default=None, metadata=spec_meta("shippingCarrier"))
    shipping_service: str | None = field(default=None, metadata=spec_meta("shippingService"))

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
    carrier_name: str | None = field(default=None, metadata=spec_meta("carrierName"))


def create_orders_body(orders: Sequence[CreateOrderRequest | Mapping[str, Any]]) -> dict[str, Any]:
    """`CreateOrdersRequest`: the mandatory `items` wrapper around the orders."""
    if not orders:
        raise InvalidRequest("at least one order is needed")
    items = [o.to_api() if isinstance(o, CreateOrderRequest) else dict(o) for o in orders]
    return {"items": items}
