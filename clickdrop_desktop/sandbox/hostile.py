"""Hostile seeded orders: max-length fields, other scripts, emoji, control bytes, printer commands.

Customer text reaches our printers, our UI and our exports; each kind here attacks one of them.
References stay unique (they embed the order's position) and within the spec's 40 characters.
"""

from __future__ import annotations

from collections.abc import Callable

from clickdrop_desktop.sandbox.records import Address, Line, OrderRecord
from clickdrop_desktop.sandbox.rng import Draw

HOSTILE_KINDS = (
    "max_length",
    "cyrillic_greek",
    "cjk",
    "rtl",
    "emoji",
    "control_chars",
    "zpl",
    "escpos",
    "tspl",
    "quotes_semicolons",
    "numeric_reference",
    "html_formula",
    "special_url",
    "no_reference",
    "whitespace",
    "many_lines",
)

ZPL_PAYLOAD = "^XA^FO0,0^FDPWNED^FS^XZ"
ESC, GS, DLE = "\x1b", "\x1d", "\x10"


def _fill(text: str, length: int) -> str:
    """`text` repeated and cut to exactly `length` characters."""
    return (text * (length // len(text) + 1))[:length]


def reference(kind: str, position: int, other_order_id: int) -> str | None:
    """The hostile `orderReference` for `kind` (at most 40 characters, unique per position)."""
    refs: dict[str, str | None] = {
        "max_length": f"LONG-{position:07d}-" + "X" * 27,
        "cyrillic_greek": f"ЗАКАЗ-Ω-{position}",
        "cjk": f"注文-{position}",
        "rtl": f"طلب-{position}",
        "emoji": f"🎁-{position}-👩‍👩‍👧",
        "control_chars": f"CTL\t{position}\x7f",
        "zpl": f"^XA{position}~JR",
        "escpos": f"ESC{ESC}@{position}{GS}V",
        "tspl": f'T"{position}\r\nPRINT 1',
        "quotes_semicolons": f'ORD"{position}";DROP;"x"',
        "numeric_reference": str(other_order_id),  # the id of ANOTHER order of this account
        "html_formula": f'=cmd|"/c calc"!A{position}',
        "special_url": f"100% a+b/c?d#e&f={position}",
        "no_reference": None,
        "whitespace": f"  {position}  ",
        "many_lines": f"BULK-{position}",
    }
    return refs[kind]


def apply(kind: str, record: OrderRecord, rng: Draw) -> None:
    """Make `record` hostile in the way `kind` names."""
    _APPLY[kind](record, rng)
    record.billing = record.recipient
    record.subtotal_pence = sum(line.quantity * line.unit_pence for line in record.lines)
    record.discount_pence = min(record.discount_pence, record.subtotal_pence)
    record.tax_pence = round((record.subtotal_pence - record.discount_pence) * 0.2)


def _max_length(record: OrderRecord, rng: Draw) -> None:
    # The spec's request limits: fullName 210, company/lines/city/county 100, postcode 20,
    # phone 25, email 254, instructions 500, SKU 100, product name 800, tag 100/100.
    record.recipient = Address(
        first_name=_fill("Maximiliana-", 104),
        last_name=_fill("Featherstonehaugh-", 105),
        company_name=_fill("Long Company Name Holdings ", 100),
        address_line1=_fill("The Very Long Building Name, ", 100),
        address_line2=_fill("9999 Extraordinarily Long Street ", 100),
        address_line3=_fill("Little Upper Middle Nether Wallop ", 100),
        city=_fill("Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch ", 100),
        county=_fill("Royal County of Berkshire and ", 100),
        postcode="GIR 0AA / BFPO 12345",
        country_code="GBR",
        phone_number="+44 (0)7700 900123 x9876",
        email_address=_fill("long.name", 64) + "@" + _fill("sub.example.", 185) + "com",
    )
    record.special_instructions = _fill("Please read all of this carefully. ", 500)
    record.picker_instructions = _fill("Pick from bay 7 shelf C. ", 500)
    record.lines = [
        Line(
            sku=_fill("SKU-LONG-", 100),
            name=_fill("Deluxe Product ", 800),
            quantity=1,
            unit_pence=99_999_900,
            customs_code="9999999999",
            unit_weight_g=1,
        )
    ]
    record.tags = [(_fill("key-", 100), _fill("value-", 100))]


def _cyrillic_greek(record: OrderRecord, rng: Draw) -> None:
    r = record.recipient
    r.first_name, r.last_name = "Анастасия", "Ковалёва"
    r.company_name = "ООО «Ромашка»"
    r.address_line2 = "Οδός Ερμού 25, Αθήνα"
    record.special_instructions = "Звоните перед доставкой, пожалуйста"


def _cjk(record: OrderRecord, rng: Draw) -> None:
    record.recipient = Address(
        first_name="太郎",
        last_name="山田",
        company_name="株式会社サンプル",
        address_line1="丸の内1-9-1",
        address_line2="千代田区",
        city="東京都",
        postcode="100-0005",
        country_code="JP",
        phone_number="+81 3-1234-5678",
        email_address="taro.yamada@example.jp",
    )
    record.lines[0].name = "抹茶 (matcha) 100g — 宇治"


def _rtl(record: OrderRecord, rng: Draw) -> None:
    r = record.recipient
    r.first_name, r.last_name = "محمد", "الأحمد"
    r.address_line2 = "רחוב הרצל 12"
    r.company_name = "شركة المثال"
    record.special_instructions = "اترك الطرد عند الباب"


def _emoji(record: OrderRecord, rng: Draw) -> None:
    r = record.recipient
    r.first_name, r.last_name = "Zoë 🌸", "Brown 👩‍👩‍👧"
    r.company_name = "Cake & Co 🎂🇬🇧"
    r.address_line1 = "🏠 12 Rose Lane"
    record.special_instructions = "Leave by the 🚪 please 🙏🏽"
    record.lines[0].name = "Gift box 🎁 with card 💌"


def _control_chars(record: OrderRecord, rng: Draw) -> None:
    r = record.recipient
    r.first_name, r.last_name = "Ann\x00e", "Lee\x07"
    r.company_name = "Zero\u200bWidth\ufeffLtd"
    r.address_line1 = "12\tHigh\x0bStreet"
    r.address_line2 = f"{ESC}[31mRED{ESC}[0m"
    r.address_line3 = "\u202eevil\u202c"
    r.city = "LEEDS\x7f"
    record.special_instructions = "line1\nline2\r\nline3\x0c\x08"


def _zpl(record: OrderRecord, rng: Draw) -> None:
    r = record.recipient
    r.first_name, r.last_name = ZPL_PAYLOAD, "~JR"
    r.company_name = "^XA^MMT^XZ"
    r.address_line1 = "1 ^FH^FD_5E Street"
    r.address_line2 = "~JA~DGR:X.GRF,1,1,FF"
    record.special_instructions = "^XA^FO50,50^GB100,100,100^FS^XZ"
    record.lines[0].sku = "^XZ~JR"


def _escpos(record: OrderRecord, rng: Draw) -> None:
    r = record.recipient
    r.first_name, r.last_name = f"Bob{ESC}@", f"{GS}V\x00Cut"
    r.company_name = f"Drawer{ESC}p\x00\x19\xfa"
    r.address_line1 = f"{DLE}\x04\x01 DLE Lane"
    r.address_line2 = f"{ESC}!\x38BIG"
    record.special_instructions = f"{GS}V\x41\x00{ESC}@"


def _tspl(record: OrderRecord, rng: Draw) -> None:
    r = record.recipient
    r.first_name, r.last_name = 'Ann"', "Lee\r\nPRINT 1"
    r.company_name = 'ACME"\r\nCLS\r\nTEXT 10,10,"3",0,1,1,"PWNED"\r\nPRINT 1,1\r\n"'
    r.address_line1 = '5 "Quoted" Road'
    record.special_instructions = "SIZE 4,6\r\nPRINT 99"


def _quotes_semicolons(record: OrderRecord, rng: Draw) -> None:
    r = record.recipient
    r.last_name = "O'Connor; DROP TABLE orders;--"
    r.company_name = 'The "Best" Shop; Ltd'
    r.address_line1 = "Flat 2; 10 Oak Rd"


def _numeric_reference(record: OrderRecord, rng: Draw) -> None:
    pass  # the reference is the attack


def _html_formula(record: OrderRecord, rng: Draw) -> None:
    r = record.recipient
    r.first_name, r.last_name = "<script>alert(1)</script>", "<b>Bold</b>"
    r.company_name = '=HYPERLINK("http://example.com","x")'
    r.address_line1 = "+44 Formula Rd"
    r.address_line2 = "@SUM(1+1)"
    record.special_instructions = "<img src=x onerror=alert(1)>"


def _special_url(record: OrderRecord, rng: Draw) -> None:
    r = record.recipient
    r.company_name = "A&B / C?D #1"
    r.address_line1 = "100% Cotton Mill, Unit #3"


def _no_reference(record: OrderRecord, rng: Draw) -> None:
    r = record.recipient
    r.title = r.first_name = r.company_name = r.county = None
    r.phone_number = r.email_address = None
    record.special_instructions = None
    record.tags = []


def _whitespace(record: OrderRecord, rng: Draw) -> None:
    r = record.recipient
    r.first_name, r.last_name = "  ", " Spaces  "
    r.address_line1 = "  7  Gap   Road  "
    r.address_line2 = ""
    r.city = " york "
    r.postcode = "yo1 7hh"


def _many_lines(record: OrderRecord, rng: Draw) -> None:
    record.lines = [
        Line(
            sku=f"SKU-ÄÖÜ-{i:03d}",
            name=f"Component {i}",
            quantity=1 + i % 3,
            unit_pence=125 + i,
            customs_code="8473302000",
            unit_weight_g=5,
        )
        for i in range(60)
    ]


_APPLY: dict[str, Callable[[OrderRecord, Draw], None]] = {
    "max_length": _max_length,
    "cyrillic_greek": _cyrillic_greek,
    "cjk": _cjk,
    "rtl": _rtl,
    "emoji": _emoji,
    "control_chars": _control_chars,
    "zpl": _zpl,
    "escpos": _escpos,
    "tspl": _tspl,
    "quotes_semicolons": _quotes_semicolons,
    "numeric_reference": _numeric_reference,
    "html_formula": _html_formula,
    "special_url": _special_url,
    "no_reference": _no_reference,
    "whitespace": _whitespace,
    "many_lines": _many_lines,
}
