"""Orders of several packages: each package's weight, format, dimensions and contents checked,
one specific line per problem ("Package 2: weight must be ..."), all of them in the request."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clickdrop_desktop.orders_form import (
    MAX_PACKAGES,
    ItemInput,
    NewOrderForm,
    PackageInput,
    validate,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BASE = NewOrderForm(
    reference="MULTI-1",
    full_name="Ada Lovelace",
    address_line1="12 St James's Square",
    city="London",
    postcode="SW1Y 4LB",
    service_code="TPN24",
)
BOOKS = ItemInput(name="Notes on the engine", sku="BK-1", quantity="2", unit_value="9.99",
                  unit_weight_grams="350")  # fmt: skip


def _order(*packages: PackageInput) -> NewOrderForm:
    return replace(BASE, packages=packages)


def test_three_packages_with_dimensions_and_contents_all_reach_the_request() -> None:
    result = validate(
        _order(
            PackageInput("750", "parcel", "100", "200", "300", (BOOKS,)),
            PackageInput("1,200", "Medium parcel"),
            PackageInput("90", "largeLetter", contents=(ItemInput(sku="CARD-7", quantity="3"),)),
        ),
        now=NOW,
    )
    assert result.ok, result.errors
    assert result.request is not None
    packages = result.request.to_api()["packages"]
    assert packages == [
        {
            "weightInGrams": 750,
            "packageFormatIdentifier": "parcel",
            "dimensions": {"heightInMms": 100, "widthInMms": 200, "depthInMms": 300},
            "contents": [
                {
                    "quantity": 2,
                    "name": "Notes on the engine",
                    "SKU": "BK-1",
                    "unitValue": 9.99,
                    "unitWeightInGrams": 350,
                }
            ],
        },
        {"weightInGrams": 1200, "packageFormatIdentifier": "mediumParcel"},
        {
            "weightInGrams": 90,
            "packageFormatIdentifier": "largeLetter",
            "contents": [{"quantity": 3, "SKU": "CARD-7"}],
        },
    ]


@pytest.mark.parametrize(
    ("second", "field", "message"),
    [
        (PackageInput("0"), "weight_grams", "Package 2: weight must be from 1 to 30000 grams"),
        (
            PackageInput("1.5"),
            "weight_grams",
            "Package 2: weight must be a whole number of grams (e.g. 750)",
        ),
        (PackageInput("²"), "weight_grams", "Package 2: weight must be a whole number of grams"),
        (PackageInput("9" * 5000), "weight_grams", "Package 2: weight must be from 1 to 30000"),
        (PackageInput("10", "crate"), "package_format", "Package 2: format must be one of "),
        (
            PackageInput("10", height_mm="100", width_mm="100"),
            "depth_mm",
            "Package 2: depth must be given with height and width in mm, or none of them",
        ),
        (
            PackageInput("10", height_mm="0", width_mm="1", depth_mm="1"),
            "height_mm",
            "Package 2: height (mm) must be from 1 to 100000",
        ),
        (
            PackageInput("10", height_mm="ten", width_mm="1", depth_mm="1"),
            "height_mm",
            "Package 2: height (mm) must be a whole number",
        ),
        (
            PackageInput("10", contents=(ItemInput(name="Mug"),)),
            "contents[0].sku",
            "Package 2, item 1: line needs a SKU, or both a unit value and a unit weight",
        ),
        (
            PackageInput("10", contents=(ItemInput(sku="MUG", quantity="0"),)),
            "contents[0].quantity",
            "Package 2, item 1: quantity must be from 1 to 999999",
        ),
        (
            PackageInput("10", contents=(ItemInput(sku="MUG", quantity=""),)),
            "contents[0].quantity",
            "Package 2, item 1: quantity must be from 1 to 999999",
        ),
        (
            PackageInput("10", contents=(ItemInput(sku="M" * 101),)),
            "contents[0].sku",
            "Package 2, item 1: SKU must be at most 100 characters",
        ),
        (
            PackageInput("10", contents=(ItemInput(sku="M\x1b[2J"),)),
            "contents[0].sku",
            "Package 2, item 1: SKU contains control characters",
        ),
        (
            PackageInput(
                "10", contents=(ItemInput(), ItemInput(unit_value="1.234", unit_weight_grams="5"))
            ),
            "contents[0].unit_value",  # the blank line is skipped: the bad one is item 1
            "Package 2, item 1: unit value must be in whole pence (at most 2 decimal places)",
        ),
        (
            PackageInput("10", contents=(ItemInput(unit_value="lots", unit_weight_grams="5"),)),
            "contents[0].unit_value",
            "Package 2, item 1: unit value is not an amount (e.g. 12.50)",
        ),
    ],
)
def test_each_problem_names_its_package_and_field(
    second: PackageInput, field: str, message: str
) -> None:
    result = validate(_order(PackageInput("500"), second), now=NOW)
    assert result.request is None
    key = f"packages[1].{field}"
    assert result.errors[key].startswith(message), result.errors
    assert "\n" not in result.errors[key]
    assert not any(k.startswith("packages[0]") for k in result.errors)


def test_errors_in_several_packages_are_all_reported_at_once() -> None:
    result = validate(
        _order(PackageInput(""), PackageInput("5"), PackageInput("40000", "box")), now=NOW
    )
    assert set(result.errors) == {
        "packages[0].weight_grams",
        "packages[2].weight_grams",
        "packages[2].package_format",
    }
    assert result.errors["packages[0].weight_grams"].startswith("Package 1: weight")
    assert result.errors["packages[2].weight_grams"].startswith("Package 3: weight")


def test_one_package_keeps_the_short_messages_the_csv_import_shows() -> None:
    result = validate(_order(PackageInput("30001")), now=NOW)
    assert result.errors == {"packages[0].weight_grams": "from 1 to 30000 grams"}
    bad_item = _order(PackageInput("10", contents=(ItemInput(sku="X", quantity="x"),)))
    assert validate(bad_item, now=NOW).errors == {
        "packages[0].contents[0].quantity": "Item 1: quantity must be a whole number"
    }


def test_too_many_packages_is_one_error() -> None:
    result = validate(_order(*[PackageInput("10")] * (MAX_PACKAGES + 1)), now=NOW)
    assert result.errors == {"packages": f"at most {MAX_PACKAGES} packages"}


def test_blank_content_lines_are_left_out() -> None:
    result = validate(_order(PackageInput("10", contents=(ItemInput(), ItemInput()))), now=NOW)
    assert result.request is not None
    assert "contents" not in result.request.to_api()["packages"][0]


field_text = st.text(max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    packages=st.lists(
        st.builds(
            PackageInput,
            weight_grams=field_text,
            package_format=field_text,
            height_mm=field_text,
            width_mm=field_text,
            depth_mm=field_text,
            contents=st.lists(
                st.builds(
                    ItemInput,
                    name=field_text,
                    sku=field_text,
                    quantity=field_text,
                    unit_value=field_text,
                    unit_weight_grams=field_text,
                ),
                max_size=3,
            ).map(tuple),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_any_typed_packages_give_errors_or_a_request_that_meets_the_spec(
    packages: list[PackageInput],
) -> None:
    result = validate(_order(*packages), now=NOW)
    assert result.ok != bool(result.errors)
    for message in result.errors.values():
        assert message
        assert "\n" not in message
    if result.request is None:
        return
    body = result.request.to_api()["packages"]
    assert len(body) == len(packages)
    for package in body:
        assert 1 <= package["weightInGrams"] <= 30000
        for value in package.get("dimensions", {}).values():
            assert value >= 1
        for item in package.get("contents", []):
            assert 1 <= item["quantity"] <= 999999
            assert "SKU" in item or {"unitValue", "unitWeightInGrams"} <= set(item)
