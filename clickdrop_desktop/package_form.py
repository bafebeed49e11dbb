"""A new order's packages as typed (weight, format, dimensions, contents), checked one field at a
time against `ShipmentPackageRequest`, `DimensionsRequest` and `ProductItemRequest`.

Errors are keyed `packages[i].<field>` and `packages[i].contents[j].<field>` and read on one line
on their own: "Package 2: weight must be from 1 to 30000 grams", "Package 1, item 3: quantity
must be from 1 to 999999". An order of one package keeps the short messages the CSV import
shows beside its weight column ("from 1 to 30000 grams").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clickdrop_desktop.api.requests import (
    DimensionsRequest,
    InvalidRequest,
    PackageFormat,
    ProductItemRequest,
    ShipmentPackageRequest,
)
from clickdrop_desktop.form_checks import Checker

MIN_WEIGHT_G, MAX_WEIGHT_G = 1, 30000
MAX_PACKAGES = 20
MAX_ITEMS = 50  # per package: more than a form should hold; a CSV or the website does bulk
MAX_DIMENSION_MM = 100_000  # the spec says int32; anything past 100 m is a typing slip
MAX_QUANTITY = 999_999
MAX_UNIT_WEIGHT_G = 999_999
DIMENSIONS = (("height_mm", "height"), ("width_mm", "width"), ("depth_mm", "depth"))
_FORMATS = {f.value.lower(): f for f in PackageFormat} | {
    "largeletter": PackageFormat.LARGE_LETTER,
    "smallparcel": PackageFormat.SMALL_PARCEL,
    "mediumparcel": PackageFormat.MEDIUM_PARCEL,
    "largeparcel": PackageFormat.LARGE_PARCEL,
}


@dataclass(frozen=True, slots=True)
class ItemInput:
    """One line of a package's contents, as typed. Blank in every field: ignored."""

    name: str = ""
    sku: str = ""
    quantity: str = "1"
    unit_value: str = ""
    unit_weight_grams: str = ""

    @property
    def blank(self) -> bool:
        typed = (self.name, self.sku, self.unit_value, self.unit_weight_grams)
        return not any(t.strip() for t in typed) and self.quantity.strip() in ("", "1")


@dataclass(frozen=True, slots=True)
class PackageInput:
    weight_grams: str = ""
    package_format: str = "parcel"
    height_mm: str = ""
    width_mm: str = ""
    depth_mm: str = ""
    contents: tuple[ItemInput, ...] = ()


def package_format(text: str) -> PackageFormat | None:
    key = re.sub(r"[^a-z]", "", text.strip().lower())
    return _FORMATS.get(key or "parcel")


def _predicate(rule: str) -> str:
    """A checker's bare rule ("at most 100 characters") as the end of a sentence."""
    if rule.startswith(("must ", "contains ", "needs ", "give ")):
        return rule
    if rule.startswith("not "):
        return f"is {rule}"
    if rule.startswith("whole pence"):
        return "must be in whole pence (at most 2 decimal places)"
    return f"must be {rule}"


class _Part:
    """Checks one package (or one of its items) into the order's checker, with its prefix."""

    def __init__(self, check: Checker, key: str, prefix: str, *, short: bool) -> None:
        self.check = check
        self.key = key
        self.prefix = prefix
        self.short = short  # the lone package of an order: the CSV's short messages
        self.local = Checker()

    def fail(self, name: str, what: str, rule: str, short_rule: str | None = None) -> None:
        if self.short:
            self.check.fail(f"{self.key}.{name}", short_rule or rule)
        else:
            self.check.fail(f"{self.key}.{name}", f"{self.prefix}{what} {_predicate(rule)}")

    def relay(self, name: str, what: str) -> bool:
        """Move the local checker's error for `name` (if any) into the order's; True if one."""
        rule = self.local.errors.pop(name, None)
        if rule is not None:
            self.fail(name, what, rule)
        return rule is not None


def check_packages(
    check: Checker, packages: tuple[PackageInput, ...]
) -> tuple[ShipmentPackageRequest, ...] | None:
    """Each package's request, or None with every error recorded in `check`."""
    if not packages:
        check.fail("packages", "at least one package")
        return None
    if len(packages) > MAX_PACKAGES:
        check.fail("packages", f"at most {MAX_PACKAGES} packages")
        return None
    single = len(packages) == 1
    out: list[ShipmentPackageRequest] = []
    for index, package in enumerate(packages):
        prefix = "" if single else f"Package {index + 1}: "
        made = _package(check, f"packages[{index}]", prefix, package, short=single)
        if made is not None:
            out.append(made)
    return tuple(out) if len(out) == len(packages) else None


def _package(
    check: Checker, key: str, prefix: str, package: PackageInput, *, short: bool
) -> ShipmentPackageRequest | None:
    part = _Part(check, key, prefix, short=short)
    weight = _weight(part, package.weight_grams)
    fmt = package_format(package.package_format)
    if fmt is None:
        allowed = ", ".join(f.value for f in PackageFormat)
        part.fail("package_format", "format", f"one of {allowed}")
    dimensions_ok, dimensions = _dimensions(part, package)
    items = [item for item in package.contents if not item.blank]
    contents: list[ProductItemRequest] = []
    if len(items) > MAX_ITEMS:
        part.fail("contents", "contents", f"at most {MAX_ITEMS} lines")
    else:
        for number, item in enumerate(items):
            what = (
                f"{prefix.rstrip(': ')}, item {number + 1}: " if prefix else f"Item {number + 1}: "
            )
            product = _item(check, f"{key}.contents[{number}]", what, item)
            if product is not None:
                contents.append(product)
    if weight is None or fmt is None or not dimensions_ok or len(contents) != len(items):
        return None
    return ShipmentPackageRequest(
        weight_in_grams=weight,
        package_format_identifier=fmt,
        dimensions=dimensions,
        contents=tuple(contents) or None,
    )


def _weight(part: _Part, value: str) -> int | None:
    text = value.strip().replace(",", "")
    if not text.isascii() or not text.isdigit():
        part.fail(
            "weight_grams",
            "weight",
            "must be a whole number of grams (e.g. 750)",
            "weight in grams, a whole number (e.g. 750)",
        )
        return None
    rule = f"from {MIN_WEIGHT_G} to {MAX_WEIGHT_G} grams"
    # Checked before int(): 5,000 digits would raise Python's int/str digit limit.
    if len(text.lstrip("0")) > len(str(MAX_WEIGHT_G)) or not (
        MIN_WEIGHT_G <= int(text) <= MAX_WEIGHT_G
    ):
        part.fail("weight_grams", "weight", rule)
        return None
    return int(text)


def _dimensions(part: _Part, package: PackageInput) -> tuple[bool, DimensionsRequest | None]:
    """(valid, the dimensions or None when none were given)."""
    typed = {name: getattr(package, name).strip() for name, _ in DIMENSIONS}
    if not any(typed.values()):
        return True, None
    values: dict[str, int] = {}
    for name, what in DIMENSIONS:
        if not typed[name]:
            others = " and ".join(w for n, w in DIMENSIONS if n != name)
            part.fail(name, what, f"must be given with {others} in mm, or none of them")
            continue
        value = part.local.whole(name, typed[name], 1, MAX_DIMENSION_MM)
        if part.relay(name, f"{what} (mm)") or value is None:
            continue
        values[name] = value
    if len(values) != len(DIMENSIONS):
        return False, None
    return True, DimensionsRequest(
        height_in_mms=values["height_mm"],
        width_in_mms=values["width_mm"],
        depth_in_mms=values["depth_mm"],
    )


def _item(check: Checker, key: str, prefix: str, item: ItemInput) -> ProductItemRequest | None:
    part = _Part(check, key, prefix, short=False)
    local = part.local
    name = local.text("name", item.name, 800)
    sku = local.text("sku", item.sku, 100)
    quantity = local.whole("quantity", item.quantity, 1, MAX_QUANTITY)
    if quantity is None and "quantity" not in local.errors:
        local.fail("quantity", f"from 1 to {MAX_QUANTITY}")
    value = local.money("unit_value", item.unit_value) if item.unit_value.strip() else None
    weight = local.whole("unit_weight_grams", item.unit_weight_grams, 0, MAX_UNIT_WEIGHT_G)
    failed = False
    for field, what in (
        ("name", "name"),
        ("sku", "SKU"),
        ("quantity", "quantity"),
        ("unit_value", "unit value"),
        ("unit_weight_grams", "unit weight (g)"),
    ):
        failed = part.relay(field, what) or failed
    if failed or quantity is None:
        return None
    if not sku and (value is None or weight is None):
        # The spec's rule: a SKU (from the product library), or a unit value and weight.
        part.fail("sku", "line", "needs a SKU, or both a unit value and a unit weight")
        return None
    try:
        return ProductItemRequest(
            quantity=quantity, name=name, sku=sku, unit_value=value, unit_weight_in_grams=weight
        )
    except InvalidRequest as exc:  # a spec rule not mirrored field by field above
        part.fail("sku", "line", str(exc))
        return None
