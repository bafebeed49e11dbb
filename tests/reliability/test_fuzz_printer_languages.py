"""Every printer-language sanitiser, judged by a printer: our decoders read the bytes back.

tests/unit/printing/test_sanitise.py checks the sanitisers' output character by character (and
the ZPL field through the decoder's command list); here each one is put in a real job and the
job is decoded as a printer would read it:
- ZPL `^FH_^FD…^FS`: exactly one field, and un-escaping it gives back the cleaned text (no
  customer character lost or invented, nothing else executed);
- ZPL `^FX` comment: the comment ends where we end it;
- TSPL `TEXT …,"…"` then `PRINT 1`: exactly those commands, one label, one string equal to
  the sanitised data (a quote or CR LF in a name never starts a command);
- ESC/POS text through python-escpos (the library our encoder uses): the only commands in the
  stream are python-escpos's own code-page switches, then our cut.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import SimpleNamespace

from escpos.printer import Dummy
from hypothesis import example, given, settings
from hypothesis import strategies as st

from clickdrop_desktop.api.models import Order
from clickdrop_desktop.store import OrderSource, Store
from printing.decoders import decode_bytes
from printing.decoders.tspl import TsplDecoder
from printing.documents import pick_rows
from printing.sanitise import (
    clean_text,
    escpos_text,
    tspl_string,
    tspl_string_data,
    zpl_comment,
    zpl_field,
)
from printing.scan import ScanToPrint
from printing.status import PrinterStatus, parse_status
from printing.uri import parse_printer_uri
from printing.uri_options import PrinterUriError
from tests.helpers.fake_api import full_order_json, order_json
from tests.reliability.ledger import Tally, scaled

COMMAND_BYTES = '^~_\\"\r\n\t\x00\x02\x03\x10\x18\x1b\x1c\x1d\x7f\x85\x9b\u202e\u2028'
text = st.one_of(
    st.text(alphabet=st.sampled_from(COMMAND_BYTES + "aZ09 é€日🎁"), max_size=80),
    st.text(max_size=80),
    st.sampled_from(
        [
            "Flat 1^FS^XZ^XA^FO0,0^FDPWNED^FS^XZ",
            "~JR~HS~PS^PQ99",
            'Unit "7"\r\nPRINT 99\r\nSELFTEST',
            "Flat 1\x1b@\x1bp\x00\x19\xfa\x1dV\x00\x10\x14\x01\x00\x05",
            "_5E_7E^FH",
        ]
    ),
)


def unescape_fh(data: str) -> str:
    """What a Zebra prints for `^FH_` field data: `_XX` hex escapes become their bytes."""
    raw = bytearray()
    for part in re.split(r"(_[0-9A-F]{2})", data):
        if re.fullmatch(r"_[0-9A-F]{2}", part):
            raw.append(int(part[1:], 16))
        else:
            raw += part.encode("utf-8")
    return raw.decode("utf-8")


def test_printer_languages_read_back_only_our_commands() -> None:
    tally = Tally("fuzz: printer-language sanitisers (ZPL, TSPL, ESC/POS) decoded", unit="texts")

    @settings(max_examples=scaled(800), deadline=None, database=None)
    @given(value=text)
    def zpl(value: str) -> None:
        tally.bad_inputs += 1
        field = zpl_field(value)
        job = f"^XA^CI28^FO10,10^A0N,30,30{field}^XZ".encode()
        result = decode_bytes(job, strict=True)
        assert result.commands == ["^XA", "^CI", "^FO", "^A0", "^FH", "^FD", "^FS", "^XZ"]
        data = field.removeprefix("^FH_^FD").removesuffix("^FS")
        assert unescape_fh(data) == clean_text(value)
        comment = f"^XA^FX{zpl_comment(value)}^FS^XZ".encode()
        assert decode_bytes(comment, strict=False).commands == ["^XA", "^FX", "^FS", "^XZ"]

    @settings(max_examples=scaled(800), deadline=None, database=None)
    @given(value=text)
    def tspl(value: str) -> None:
        tally.bad_inputs += 1
        job = (
            'SIZE 4,6\r\nCLS\r\nTEXT 10,10,"3",0,1,1,' + tspl_string(value) + "\r\nPRINT 1\r\n"
        ).encode("cp1252")
        decoder = TsplDecoder()
        events = decoder.feed(job) + decoder.close()
        assert decoder.commands == ["SIZE", "CLS", "TEXT", "PRINT"]
        # The decoder reads the cp1252 bytes one per character (latin-1).
        sent = tspl_string_data(value).encode("cp1252").decode("latin-1")
        assert decoder.strings == ["3", sent]
        assert len(events) == 1
        assert decoder.errors == []

    @settings(max_examples=scaled(800), deadline=None, database=None)
    @given(value=text)
    def escpos(value: str) -> None:
        tally.bad_inputs += 1
        printer = Dummy()
        printer.text(escpos_text(value))
        printer.cut()
        result = decode_bytes(printer.output, language="escpos", strict=False)
        assert result.errors == []
        own = [c for c in result.commands if c != "ESC t"]  # python-escpos's code pages
        assert own == ["ESC d", "GS V"], result.commands
        assert result.queries == []  # no DLE EOT / DLE ENQ status requests

    zpl()
    tspl()
    escpos()
    tally.runs = tally.bad_inputs
    tally.record()


def test_any_printer_uri_parses_or_is_refused_with_one_line() -> None:
    """Printer URIs are typed by users: `PrinterUriError` or a printer, nothing else."""
    tally = Tally("fuzz: printer URIs typed by users", unit="URIs")
    parts = st.sampled_from(
        [
            "zpl",
            "escpos",
            "tspl",
            "pdf",
            "+",
            "tcp",
            "usb",
            "file",
            "spool",
            "://",
            ":",
            "/",
            "?",
            "&",
            "=",
            "dpi",
            "media",
            "127.0.0.1",
            "[fe80::1]",
            "9100",
            "²",
            "①",
            "٣",
            "0x1F",
            "%00",
            "\x00",
            "\u202e",
            "04b8:0e15",
            "a4",
            "4x6",
            " ",
        ]
    )
    uris = st.one_of(st.lists(parts, max_size=12).map("".join), st.text(max_size=60))

    @settings(max_examples=scaled(1500), deadline=None, database=None)
    @given(text=uris)
    @example(text="zpl+tcp://127.0.0.1:²")
    @example(text="zpl+tcp://127.0.0.1:9100?dpi=²")
    def check(text: str) -> None:
        tally.bad_inputs += 1
        message: str | None = None
        try:
            parse_printer_uri(text)
        except PrinterUriError as exc:
            message = str(exc)
        if message is not None:
            assert message
            assert "\n" not in message

    check()
    tally.runs = tally.bad_inputs
    tally.record()


def test_pick_lists_sort_any_sku() -> None:
    """SKUs come from sales channels: the pick list's natural sort takes any of them."""
    orders = [
        Order.from_api_full(
            full_order_json(40000001 + n, orderLines=[{"SKU": sku, "name": sku, "quantity": 1}])
        )
        for n, sku in enumerate(["²", "①", "SKU-10", "SKU-2", "٣", ""])
    ]
    skus = [row.sku for row in pick_rows(orders)]
    assert len(skus) == 6
    assert skus.index("SKU-2") < skus.index("SKU-10")


def test_any_status_answer_from_a_printer_is_read_or_unknown() -> None:
    """Status bytes come from the printer (or line noise): a status, never an exception."""
    tally = Tally("fuzz: printer status answers (ZPL ~HS, ESC/POS, TSPL)", unit="answers")
    zpl_like = st.lists(
        st.sampled_from(["\x02", "\x03", "\r\n", ",", "0", "1", "²", "①", "٣", "000", " ", "x"]),
        max_size=60,
    ).map(lambda parts: "".join(parts).encode("latin-1", "replace"))

    @settings(max_examples=scaled(1500), deadline=None, database=None)
    @given(
        language=st.sampled_from(["zpl", "escpos", "tspl"]),
        data=st.one_of(zpl_like, st.binary(max_size=80)),
    )
    @example(
        language="zpl",
        data=b"\x02030,0,0,1245,\xb2,0,0,0,000,0,0,0\x03\r\n\x02001,0,0,0,1,2,6,0,\xb2,0,1,0\x03\r\n\x021234,0\x03\r\n",
    )
    def check(language: str, data: bytes) -> None:
        tally.bad_inputs += 1
        status = parse_status(language, data)  # type: ignore[arg-type]
        assert isinstance(status, PrinterStatus)

    check()
    tally.runs = tally.bad_inputs
    tally.record()


def test_a_scan_of_a_unicode_digit_reference_resolves(tmp_path: Path) -> None:
    """A sales channel's reference "²" (str.isdigit, not a number) scanned at the bench."""
    store = Store.open(tmp_path / "store.db", os.urandom(32), account_id="acct-scan")
    try:
        order = Order.from_api(order_json(20000001, ref="²"))
        store.upsert_orders([order], OrderSource.LIST)
        scanner = ScanToPrint(
            SimpleNamespace(store=store), {"postageLabel": "zpl+tcp://127.0.0.1:9"}
        )  # type: ignore[arg-type]
        found = scanner.resolve("²")
        assert found is not None
        assert found.order_identifier == 20000001
    finally:
        store.close()
