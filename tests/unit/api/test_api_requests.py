"""Request dataclasses: spec field names, spec constraints checked before anything is sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from clickdrop_desktop.api.requests import (
    DimensionsRequest,
    InvalidRequest,
    LabelGenerationRequest,
    OrderStatusValue,
    ProductItemRequest,
    RecipientDetailsRequest,
    ShipmentPackageRequest,
    StatusUpdateRequest,
    create_orders_body,
)
from tests.helpers.fake_api import make_address, make_order
from tests.helpers.spec import spec_validator


def test_to_api_uses_the_spec_field_names() -> None:
    body = make_order().to_api()
    assert body["orderReference"] == "WEB-1001"
    assert body["orderDate"] == "2026-03-06T13:33:02Z"
    assert body["subtotal"] == 19.99
    assert body["total"] == 22.49
    assert body["recipient"]["address"]["addressLine1"] == "1 High Street"
    assert body["recipient"]["address"]["countryCode"] == "GB"
    package = body["packages"][0]
    assert package["packageFormatIdentifier"] == "smallParcel"
    assert package["dimensions"] == {"heightInMms": 10, "widthInMms": 20, "depthInMms": 30}
    assert package["contents"][0]["SKU"] == "W-1"
    assert body["postageDetails"]["AIRNumber"] == "XI123"
    assert body["tags"] == [{"key": "source", "value": "desktop"}]
    assert "sender" not in body
    assert "label" not in body
    json.dumps(body)  # plain JSON types only


def test_body_validates_against_the_spec_schema() -> None:
    body = create_orders_body([make_order(), make_order(order_reference="WEB-1002")])
    # The spec types dangerousGoodsDescription as a number (bug); everything else must pass.
    spec_validator("CreateOrdersRequest").validate(body)


def test_dangerous_goods_description_is_sent_as_text() -> None:
    body = make_order(
        contains_dangerous_goods=True, dangerous_goods_description="Lithium cells"
    ).to_api()
    assert body["dangerousGoodsDescription"] == "Lithium cells"
    assert body["containsDangerousGoods"] is True


def test_items_wrapper_is_mandatory_and_not_empty() -> None:
    assert list(create_orders_body([{"orderReference": "x"}])) == ["items"]
    with pytest.raises(InvalidRequest):
        create_orders_body([])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"order_reference": "x" * 41}, "orderReference is longer than 40"),
        ({"order_reference": "📦" * 21}, "orderReference is longer than 40"),  # UTF-16 units
        ({"subtotal": Decimal("1.005")}, "whole pence"),
        ({"total": -1}, "at least 0"),
        ({"total": 1_000_000}, "at most 999999"),
        ({"customs_duty_costs": 100000}, "at most 99999.99"),
        ({"special_instructions": "x" * 501}, "specialInstructions"),
        ({"subtotal": float("nan")}, "finite"),
        ({"subtotal": True}, "number"),
        ({"recipient": None}, "recipient is required"),
    ],
)
def test_constraints_are_checked_before_sending(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        make_order(**kwargs)


def test_nested_constraints() -> None:
    with pytest.raises(InvalidRequest, match="weightInGrams must be at least 1"):
        ShipmentPackageRequest(weight_in_grams=0, package_format_identifier="parcel")
    with pytest.raises(InvalidRequest, match="weightInGrams must be at most 30000"):
        ShipmentPackageRequest(weight_in_grams=30001, package_format_identifier="parcel")
    with pytest.raises(InvalidRequest, match="heightInMms"):
        DimensionsRequest(height_in_mms=0, width_in_mms=1, depth_in_mms=1)
    with pytest.raises(InvalidRequest, match="city is required"):
        make_address(city="  ")
    with pytest.raises(InvalidRequest, match="postcode"):
        make_address(postcode="x" * 21)
    with pytest.raises(InvalidRequest, match="address or an addressBookReference"):
        RecipientDetailsRequest(email_address="a@b.c")
    with pytest.raises(InvalidRequest, match="SKU, or unitValue"):
        ProductItemRequest(quantity=1, name="thing")
    with pytest.raises(InvalidRequest, match="quantity must be at least 1"):
        ProductItemRequest(quantity=0, sku="X")


def test_address_book_reference_alone_is_enough() -> None:
    assert RecipientDetailsRequest(address_book_reference="AB1").to_api() == {
        "addressBookReference": "AB1"
    }


def test_inline_label_flag() -> None:
    order = make_order(label=LabelGenerationRequest(include_label_in_response=True))
    assert order.wants_inline_label
    assert order.to_api()["label"] == {"includeLabelInResponse": True}
    assert not make_order().wants_inline_label


def test_extra_fields_pass_through_without_overwriting() -> None:
    body = make_order(extra={"deliveryTerm": "DDU_DAP", "orderReference": "hijack"}).to_api()
    assert body["deliveryTerm"] == "DDU_DAP"
    assert body["orderReference"] == "WEB-1001"


def test_status_update_needs_exactly_one_key() -> None:
    with pytest.raises(InvalidRequest, match="exactly one"):
        StatusUpdateRequest(status=OrderStatusValue.DESPATCHED)
    with pytest.raises(InvalidRequest, match="exactly one"):
        StatusUpdateRequest(
            status=OrderStatusValue.DESPATCHED, order_identifier=1, order_reference="x"
        )
    item = StatusUpdateRequest(status=OrderStatusValue.DESPATCHED, order_reference="WEB-1")
    assert item.to_api() == {"status": "despatched", "orderReference": "WEB-1"}
    spec_validator("UpdateOrderStatusRequest").validate(item.to_api())


def test_other_courier_with_tracking_needs_carrier_details() -> None:
    with pytest.raises(InvalidRequest, match="despatchDate"):
        StatusUpdateRequest(
            status=OrderStatusValue.DESPATCHED_BY_OTHER_COURIER,
            order_identifier=5,
            tracking_number="TT1",
        )
    ok = StatusUpdateRequest(
        status=OrderStatusValue.DESPATCHED_BY_OTHER_COURIER,
        order_identifier=5,
        tracking_number="TT1",
        despatch_date=datetime(2026, 1, 2, tzinfo=UTC),
        shipping_carrier="DPD",
        shipping_service="Next day",
    )
    assert ok.to_api()["despatchDate"] == "2026-01-02T00:00:00Z"
