"""A new order as typed in a form (or read from a CSV row): validation with one message per field.

`NewOrderForm` holds text exactly as entered; `validate()` checks it against the limits of the
API spec (`CreateOrderRequest`, `AddressRequest`, `ShipmentPackageRequest`: lengths counted in
UTF-16 units as the service counts them, weight 1-30000 g, money 0-999999 in whole pence, the
package format enum) plus what a parcel needs in practice (a name, a UK postcode that looks
like one), and returns either every field's error or the `CreateOrderRequest` to queue.
Nothing here raises on bad input: the GUI shows `errors[field]` next to the field.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from clickdrop_desktop.api.requests import (
    AddressRequest,
    CreateOrderRequest,
    InvalidRequest,
    PostageDetailsRequest,
    RecipientDetailsRequest,
)
from clickdrop_desktop.form_checks import MAX_MONEY, Checker, utf16_length
from clickdrop_desktop.package_form import (
    MAX_PACKAGES,
    MAX_WEIGHT_G,
    MIN_WEIGHT_G,
    ItemInput,
    PackageInput,
    check_packages,
    package_format,
)

__all__ = [
    "MAX_MONEY",
    "MAX_PACKAGES",
    "MAX_REFERENCE",
    "MAX_WEIGHT_G",
    "MIN_WEIGHT_G",
    "FormResult",
    "ItemInput",
    "NewOrderForm",
    "PackageInput",
    "new_reference",
    "package_format",
    "parse_order_date",
    "utf16_length",
    "validate",
]

MAX_REFERENCE = 40
_UK_POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2})$")
_UK_CODES = frozenset({"GB", "GBR", "UK"})
_COUNTRY = re.compile(r"^[A-Z]{2,3}$")
_SERVICE = re.compile(r"^[A-Za-z0-9]{1,10}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+() .\-]{5,25}$")
_DATE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def new_reference(now: datetime | None = None) -> str:
    """A reference for an order typed without one: unique enough to be the idempotency key."""
    when = (now or datetime.now(UTC)).strftime("%y%m%d")
    return f"CD-{when}-{secrets.token_hex(4).upper()}"


@dataclass(frozen=True, slots=True)
class NewOrderForm:
    """The form's fields as text. Blank `reference` gets a generated one; blank `total` is
    subtotal + shipping; blank `order_date` is now."""

    reference: str = ""
    order_date: str = ""
    full_name: str = ""
    company_name: str = ""
    address_line1: str = ""
    address_line2: str = ""
    address_line3: str = ""
    city: str = ""
    county: str = ""
    postcode: str = ""
    country_code: str = "GB"
    phone_number: str = ""
    email_address: str = ""
    packages: tuple[PackageInput, ...] = (PackageInput(),)
    service_code: str = ""
    subtotal: str = "0"
    shipping_cost_charged: str = "0"
    total: str = ""
    currency_code: str = "GBP"
    special_instructions: str = ""


@dataclass(frozen=True, slots=True)
class FormResult:
    errors: dict[str, str] = field(default_factory=dict)  # field name -> one line
    request: CreateOrderRequest | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.request is not None


def parse_order_date(text: str, now: datetime) -> datetime | None:
    """ISO 8601 or day-first UK dates (31/12/2026, optionally with a time); None if neither."""
    value = text.strip()
    if not value:
        return now
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def validate(
    form: NewOrderForm,
    *,
    reference_taken: Callable[[str], bool] | None = None,
    now: datetime | None = None,
) -> FormResult:
    """Every field's error, or the request to queue. Never raises on bad input."""
    now = now or datetime.now(UTC)
    check = Checker()
    reference = _reference(check, form.reference, reference_taken, now)
    order_date = parse_order_date(form.order_date, now)
    if order_date is None:
        check.fail("order_date", "not a date (use 31/12/2026 or 2026-12-31)")
    elif order_date > now + timedelta(days=1):
        check.fail("order_date", "is in the future")
    full_name = check.text("full_name", form.full_name, 210)
    company = check.text("company_name", form.company_name, 100)
    if full_name is None and company is None and "full_name" not in check.errors:
        check.fail("full_name", "a name or a company is required")
    line1 = check.text("address_line1", form.address_line1, 100, required="required")
    line2 = check.text("address_line2", form.address_line2, 100)
    line3 = check.text("address_line3", form.address_line3, 100)
    city = check.text("city", form.city, 100, required="required")
    county = check.text("county", form.county, 100)
    country = _country(check, form.country_code)
    postcode = _postcode(check, form.postcode, country)
    phone = check.text("phone_number", form.phone_number, 25)
    if phone is not None and not _PHONE.match(phone):
        check.fail("phone_number", "digits, spaces and + ( ) - only")
    email = check.text("email_address", form.email_address, 254)
    if email is not None and not _EMAIL.match(email):
        check.fail("email_address", "not an email address")
    packages = check_packages(check, form.packages)
    service = check.text("service_code", form.service_code, 10)
    if service is not None and not _SERVICE.match(service):
        check.fail("service_code", "letters and digits only (e.g. TPN24)")
    subtotal = check.money("subtotal", form.subtotal, default=Decimal("0.00"))
    shipping = check.money("shipping_cost_charged", form.shipping_cost_charged, default=Decimal(0))
    total = check.money(
        "total", form.total, default=(subtotal or Decimal(0)) + (shipping or Decimal(0))
    )
    if total is not None and total > MAX_MONEY:
        check.fail("total", f"must be from 0 to {MAX_MONEY}")
    currency = check.text("currency_code", form.currency_code, 3)
    if currency is not None and not re.fullmatch(r"[A-Za-z]{3}", currency):
        check.fail("currency_code", "three letters (e.g. GBP)")
    instructions = check.text("special_instructions", form.special_instructions, 500)
    if check.errors:
        return FormResult(errors=dict(check.errors))
    if (
        line1 is None
        or city is None
        or country is None
        or order_date is None
        or reference is None
        or subtotal is None
        or shipping is None
        or total is None
    ):  # each of these recorded its error above; this only narrows the types
        return FormResult(errors={"form": "incomplete"})
    try:
        request = CreateOrderRequest(
            order_reference=reference,
            recipient=RecipientDetailsRequest(
                address=AddressRequest(
                    full_name=full_name,
                    company_name=company,
                    address_line1=line1,
                    address_line2=line2,
                    address_line3=line3,
                    city=city,
                    county=county,
                    postcode=postcode,
                    country_code=country,
                ),
                phone_number=phone,
                email_address=email,
            ),
            order_date=order_date,
            subtotal=subtotal,
            shipping_cost_charged=shipping,
            total=total,
            currency_code=currency.upper() if currency else None,
            packages=packages,
            postage_details=PostageDetailsRequest(service_code=service) if service else None,
            special_instructions=instructions,
        )
    except InvalidRequest as exc:  # a spec rule this form does not mirror field by field
        return FormResult(errors={"form": str(exc)})
    return FormResult(request=request)


def _reference(
    check: Checker, value: str, taken: Callable[[str], bool] | None, now: datetime
) -> str | None:
    ref = check.text("reference", value, MAX_REFERENCE)
    if "reference" in check.errors:
        return None
    if ref is None:
        return new_reference(now)
    if '"' in ref:
        check.fail("reference", 'must not contain " (it delimits references in the API)')
        return None
    if taken is not None and taken(ref):
        check.fail("reference", "already used by another order")
        return None
    return ref


def _country(check: Checker, value: str) -> str | None:
    code = check.text("country_code", value, 3, required="required")
    if code is None:
        return None
    code = code.upper()
    if code == "UK":
        code = "GB"  # the common mistake; ISO says GB
    if not _COUNTRY.match(code):
        check.fail("country_code", "a 2-letter country code (e.g. GB, IE, FR)")
        return None
    return code


def _postcode(check: Checker, value: str, country: str | None) -> str | None:
    code = check.text("postcode", value, 20)
    if country in _UK_CODES:
        if code is None:
            if "postcode" not in check.errors:
                check.fail("postcode", "required for UK addresses")
            return None
        compact = re.sub(r"\s+", "", code.upper())
        normal = f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact
        if not _UK_POSTCODE.match(normal):
            check.fail("postcode", "not a UK postcode (e.g. SW1A 1AA)")
            return None
        return normal
    return code
