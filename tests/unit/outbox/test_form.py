"""The new-order form: per-field errors from the spec's limits; Hypothesis for the validator."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clickdrop_desktop.orders_form import (
    MAX_WEIGHT_G,
    NewOrderForm,
    PackageInput,
    utf16_length,
    validate,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
GOOD = NewOrderForm(
    reference="WEB-1001",
    full_name="Ada Lovelace",
    address_line1="12 St James's Square",
    city="London",
    postcode="sw1y4lb",
    packages=(PackageInput("750", "Large letter"),),
    service_code="TPN24",
    subtotal="£12.50",
    shipping_cost_charged="3.20",
)


def test_a_good_form_gives_the_request_as_the_spec_wants_it() -> None:
    result = validate(GOOD, now=NOW)
    assert result.ok, result.errors
    assert result.request is not None
    body = result.request.to_api()
    assert body["orderReference"] == "WEB-1001"
    assert body["recipient"]["address"]["postcode"] == "SW1Y 4LB"
    assert body["packages"] == [{"weightInGrams": 750, "packageFormatIdentifier": "largeLetter"}]
    assert body["postageDetails"] == {"serviceCode": "TPN24"}
    assert (body["subtotal"], body["shippingCostCharged"], body["total"]) == (12.5, 3.2, 15.7)


def test_a_blank_reference_gets_a_generated_one() -> None:
    result = validate(_with(reference=""), now=NOW)
    assert result.request is not None
    assert result.request.order_reference is not None
    assert result.request.order_reference.startswith("CD-260302-")


def _with(**changes: object) -> NewOrderForm:
    from dataclasses import replace

    return replace(GOOD, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"reference": "x" * 41}, "reference", "at most 40"),
        ({"reference": 'say "hi"'}, "reference", "must not contain"),
        ({"full_name": "", "company_name": ""}, "full_name", "name or a company"),
        ({"address_line1": " "}, "address_line1", "required"),
        ({"address_line2": "a" * 101}, "address_line2", "at most 100"),
        ({"city": "Lon\x00don"}, "city", "control characters"),
        ({"postcode": "NOT A CODE"}, "postcode", "not a UK postcode"),
        ({"postcode": ""}, "postcode", "required for UK"),
        ({"country_code": "Narnia"}, "country_code", "at most 3"),
        ({"country_code": "1X"}, "country_code", "2-letter"),
        ({"packages": (PackageInput("0"),)}, "packages[0].weight_grams", "from 1 to 30000"),
        ({"packages": (PackageInput("30001"),)}, "packages[0].weight_grams", "from 1 to 30000"),
        ({"packages": (PackageInput("1.5"),)}, "packages[0].weight_grams", "whole number"),
        ({"packages": (PackageInput("10", "crate"),)}, "packages[0].package_format", "one of"),
        ({"packages": ()}, "packages", "at least one"),
        ({"service_code": "TPN 24"}, "service_code", "letters and digits"),
        ({"subtotal": "12.345"}, "subtotal", "whole pence"),
        ({"subtotal": "-1"}, "subtotal", "from 0"),
        ({"total": "1000000"}, "total", "from 0"),
        ({"shipping_cost_charged": "lots"}, "shipping_cost_charged", "not an amount"),
        ({"email_address": "ada.example.com"}, "email_address", "not an email"),
        ({"phone_number": "call me"}, "phone_number", "digits"),
        ({"order_date": "yesterday"}, "order_date", "not a date"),
        ({"order_date": "2027-01-01"}, "order_date", "future"),
        ({"currency_code": "POUNDS"}, "currency_code", "at most 3"),
    ],
)
def test_each_bad_field_gets_its_own_message(
    changes: dict[str, object], field: str, fragment: str
) -> None:
    result = validate(_with(**changes), now=NOW)
    assert not result.ok
    assert result.request is None
    assert fragment in result.errors[field], result.errors


def test_a_reference_used_here_is_refused() -> None:
    result = validate(GOOD, reference_taken=lambda ref: ref == "WEB-1001", now=NOW)
    assert result.errors == {"reference": "already used by another order"}


def test_uk_day_first_dates_and_irish_addresses() -> None:
    result = validate(
        _with(order_date="01/03/2026 09:30", country_code="ie", postcode="D02 VY53"), now=NOW
    )
    assert result.request is not None
    assert result.request.order_date == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert result.request.recipient.address is not None
    assert result.request.recipient.address.country_code == "IE"


texts = st.text(max_size=120)


@settings(max_examples=300, deadline=None)
@given(
    reference=texts,
    name=texts,
    line1=texts,
    city=texts,
    postcode=texts,
    country=st.text(max_size=5),
    weight=st.text(max_size=8),
    fmt=st.text(max_size=15),
    money=st.text(max_size=12),
)
def test_validate_never_raises_and_what_it_accepts_meets_the_spec(
    reference: str,
    name: str,
    line1: str,
    city: str,
    postcode: str,
    country: str,
    weight: str,
    fmt: str,
    money: str,
) -> None:
    form = NewOrderForm(
        reference=reference,
        full_name=name,
        address_line1=line1,
        city=city,
        postcode=postcode,
        country_code=country,
        packages=(PackageInput(weight, fmt),),
        subtotal=money,
    )
    result = validate(form, now=NOW)
    assert result.ok != bool(result.errors)
    if result.request is None:
        return
    body = result.request.to_api()
    assert utf16_length(body["orderReference"]) <= 40
    address = body["recipient"]["address"]
    assert len(address["addressLine1"]) >= 1
    assert utf16_length(address["addressLine1"]) <= 100
    assert all(ch.isprintable() for ch in address["addressLine1"] + address["city"])
    for package in body["packages"]:
        assert 1 <= package["weightInGrams"] <= MAX_WEIGHT_G
    assert Decimal(str(body["subtotal"])) * 100 % 1 == 0
    assert 0 <= body["total"] <= 999999


@settings(max_examples=200, deadline=None)
@given(
    grams=st.integers(min_value=1, max_value=MAX_WEIGHT_G),
    pence=st.integers(min_value=0, max_value=99_999_900),
)
def test_every_valid_weight_and_amount_is_accepted_exactly(grams: int, pence: int) -> None:
    amount = Decimal(pence) / 100
    result = validate(
        _with(
            packages=(PackageInput(str(grams)),), subtotal=str(amount), shipping_cost_charged="0"
        ),
        now=NOW,
    )
    assert result.request is not None, result.errors
    body = result.request.to_api()
    assert body["packages"][0]["weightInGrams"] == grams
    assert Decimal(str(body["total"])) == amount
