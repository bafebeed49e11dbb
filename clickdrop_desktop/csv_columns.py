"""What the columns of a shop's order export are called, and what its cells may hold.

Header names vary by shop platform ("Order Number", "Reference", "Name", "Shipping Zip",
"Post Code", "ZIP"...): they are matched after lower-casing and dropping everything but letters
and digits. Country names are mapped to ISO codes; hostile cells (spreadsheet formulas,
control and bidi characters) are recognised here.
"""

from __future__ import annotations

import re
import unicodedata

# our field -> normalised header names that mean it (first match wins, in file order)
ALIASES: dict[str, tuple[str, ...]] = {
    "reference": (
        "reference",
        "orderreference",
        "ordernumber",
        "orderno",
        "ordernum",
        "orderid",
        "order",
        "ref",
        "name" + "ref",
        "channelorderreference",
        "ordername",
        "invoicenumber",
    ),
    "full_name": (
        "fullname",
        "name",
        "recipient",
        "recipientname",
        "customername",
        "shippingname",
        "deliveryname",
        "shiptoname",
        "contactname",
        "addressee",
    ),
    "first_name": ("firstname", "shippingfirstname", "forename", "givenname"),
    "last_name": ("lastname", "shippinglastname", "surname", "familyname"),
    "company_name": ("company", "companyname", "shippingcompany", "business", "organisation"),
    "address_line1": (
        "addressline1",
        "address1",
        "address",
        "street",
        "shippingaddress1",
        "addr1",
        "shippingstreet",
        "streetaddress",
        "deliveryaddress1",
        "line1",
    ),
    "address_line2": ("addressline2", "address2", "shippingaddress2", "addr2", "line2"),
    "address_line3": ("addressline3", "address3", "shippingaddress3", "addr3", "line3"),
    "city": ("city", "town", "posttown", "towncity", "shippingcity", "deliverycity"),
    "county": ("county", "state", "region", "province", "shippingprovince", "shippingcounty"),
    "postcode": (
        "postcode",
        "postalcode",
        "zip",
        "zipcode",
        "postcodezip",
        "shippingzip",
        "shippingpostcode",
        "shippingpostalcode",
        "deliverypostcode",
        "eircode",
    ),
    "country": (
        "country",
        "countrycode",
        "countryiso",
        "shippingcountry",
        "shippingcountrycode",
        "deliverycountry",
        "iso",
    ),
    "weight": ("weight", "weightg", "weightgrams", "weightingrams", "grams", "totalweight"),
    "weight_kg": ("weightkg", "weightinkg", "kg", "totalweightkg"),
    "package_format": ("packageformat", "packagesize", "format", "packagetype", "parcelsize"),
    "service_code": ("service", "servicecode", "shippingservice", "shippingmethod", "postage"),
    "email_address": ("email", "emailaddress", "customeremail", "shippingemail"),
    "phone_number": ("phone", "phonenumber", "telephone", "tel", "mobile", "shippingphone"),
    "order_date": ("orderdate", "date", "createdat", "paidat", "orderdatetime", "purchasedate"),
    "subtotal": ("subtotal", "itemstotal", "goodsvalue", "value"),
    "shipping_cost_charged": ("shipping", "shippingcost", "postagecharged", "deliverycharge"),
    "total": ("total", "ordertotal", "grandtotal", "totalpaid", "amount"),
    "currency_code": ("currency", "currencycode"),
    "special_instructions": ("instructions", "specialinstructions", "notes", "deliverynotes"),
}
ADDRESS_FIELDS = ("full_name", "first_name", "last_name", "address_line1", "city", "postcode")

COUNTRIES: dict[str, str] = {
    "unitedkingdom": "GB",
    "uk": "GB",
    "greatbritain": "GB",
    "gb": "GB",
    "gbr": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northernireland": "GB",
    "britain": "GB",
    "unitedkingdomofgreatbritainandnorthernireland": "GB",
    "ireland": "IE",
    "republicofireland": "IE",
    "eire": "IE",
    "irl": "IE",
    "unitedstates": "US",
    "usa": "US",
    "unitedstatesofamerica": "US",
    "america": "US",
    "france": "FR",
    "germany": "DE",
    "deutschland": "DE",
    "spain": "ES",
    "espana": "ES",
    "italy": "IT",
    "italia": "IT",
    "netherlands": "NL",
    "holland": "NL",
    "belgium": "BE",
    "portugal": "PT",
    "austria": "AT",
    "switzerland": "CH",
    "sweden": "SE",
    "norway": "NO",
    "denmark": "DK",
    "finland": "FI",
    "poland": "PL",
    "greece": "GR",
    "canada": "CA",
    "australia": "AU",
    "newzealand": "NZ",
    "japan": "JP",
    "china": "CN",
    "india": "IN",
    "jersey": "JE",
    "guernsey": "GG",
    "isleofman": "IM",
    "gibraltar": "GI",
    "luxembourg": "LU",
    "czechrepublic": "CZ",
    "czechia": "CZ",
    "hungary": "HU",
}

# Zero-width and bidirectional controls: invisible, and able to make text render reversed.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_FORMULA_START = ("=", "@")


def normalise_header(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.strip().lstrip("\ufeff").lower())


def match_columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """our field -> column index, and the header cells nothing matched (shown in the preview)."""
    normal = [normalise_header(h) for h in header]
    found: dict[str, int] = {}
    used: set[int] = set()
    for name, aliases in ALIASES.items():
        for alias in aliases:  # the alias order is the preference order
            for index, value in enumerate(normal):
                if value == alias and index not in used and name not in found:
                    found[name] = index
                    used.add(index)
    unknown = [header[i] for i in range(len(header)) if i not in used and header[i].strip()]
    return found, unknown


def country_code(text: str) -> str | None:
    """ISO alpha-2 for a name or code as shops write it; None when not recognised."""
    value = text.strip()
    if re.fullmatch(r"[A-Za-z]{2}", value):
        upper = value.upper()
        return "GB" if upper == "UK" else upper
    key = re.sub(r"[^a-z]", "", _ascii(value).lower())
    return COUNTRIES.get(key)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def clean_cell(text: str) -> tuple[str, bool]:
    """The cell without control, zero-width or bidi characters; whether any were removed.
    Tabs and line breaks inside a cell become spaces."""
    removed = False
    out: list[str] = []
    for ch in text:
        if ch in "\t\r\n":
            out.append(" ")
            removed = True
        elif unicodedata.category(ch) == "Cc" or _INVISIBLE.match(ch):
            removed = True
        else:
            out.append(ch)
    return "".join(out), removed


def looks_like_formula(text: str) -> bool:
    """A spreadsheet formula (=HYPERLINK(...), @SUM(...), +cmd|...): never a real address.

    A leading + or - is fine for phone numbers and plain words ("- none -"), so those count
    only when a function call or a DDE pipe follows.
    """
    value = text.lstrip()
    if value.startswith(_FORMULA_START):
        return True
    return value.startswith(("+", "-")) and bool(re.search(r"[A-Za-z]+\s*\(|\|", value))
