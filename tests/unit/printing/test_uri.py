"""Printer URIs: the DESIGN.md form, round trips (Hypothesis), and one-line errors for bad input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printing.uri import (
    PrinterUri,
    PrinterUriError,
    coerce_uri,
    parse_media,
    parse_printer_uri,
    printable,
)


def test_design_example() -> None:
    uri = parse_printer_uri("zpl+tcp://127.0.0.1:9100?dpi=300")
    assert (uri.language, uri.transport, uri.address, uri.dpi) == (
        "zpl",
        "tcp",
        "127.0.0.1:9100",
        300,
    )
    assert uri.tcp_endpoint == ("127.0.0.1", 9100)
    assert uri.media.name == "4x6"
    assert (uri.media.width_dots, uri.media.height_dots) == (1200, 1800)
    assert str(uri) == "zpl+tcp://127.0.0.1:9100?dpi=300"


def test_defaults_4x6_at_203_dpi_is_812_by_1218_dots() -> None:
    uri = parse_printer_uri("tspl+usb://1203:0230")
    assert uri.dpi == 203
    assert (uri.media.width_mm, uri.media.height_mm) == (101.6, 152.4)
    assert (uri.media.width_dots, uri.media.height_dots) == (812, 1218)
    assert uri.media.width_bytes == 102


def test_usb_address_forms() -> None:
    uri = parse_printer_uri("escpos+usb://4B8:E15")
    assert uri.usb_ids == (0x04B8, 0x0E15, None)
    assert str(uri) == "escpos+usb://04b8:0e15"
    with_serial = parse_printer_uri("zpl+usb://0x0a5f:0x0081/ZB%20123")
    assert with_serial.usb_ids == (0x0A5F, 0x0081, "ZB 123")
    assert str(with_serial) == "zpl+usb://0a5f:0081/ZB%20123"


def test_tcp_default_port_and_ipv6() -> None:
    assert parse_printer_uri("zpl+tcp://Printer.Local").tcp_endpoint == ("printer.local", 9100)
    v6 = parse_printer_uri("zpl+tcp://[fe80::1]:6101")
    assert v6.tcp_endpoint == ("fe80::1", 6101)
    assert str(v6) == "zpl+tcp://[fe80::1]:6101"


def test_file_and_spool() -> None:
    assert parse_printer_uri("escpos+file:///dev/usb/lp0").file_path == "/dev/usb/lp0"
    assert parse_printer_uri("zpl+file://localhost/tmp/x.zpl").file_path == "/tmp/x.zpl"
    windows = parse_printer_uri("zpl+file:///C:/labels/out.zpl")
    assert windows.file_path == "C:/labels/out.zpl"
    assert str(windows) == "zpl+file:///C:/labels/out.zpl"
    spool = parse_printer_uri("pdf+spool://Office%20Laser?media=a4")
    assert spool.spool_queue == "Office Laser"
    assert spool.media.name == "a4"
    assert spool.media.width_dots == 1678
    assert str(spool) == "pdf+spool://Office%20Laser?media=a4"


def test_media_forms() -> None:
    assert parse_media("6x4").name == "4x6"
    custom = parse_printer_uri("tspl+usb://1203:0230?media=100x150mm&dpi=300").media
    assert (custom.name, custom.width_mm, custom.height_mm) == ("100x150mm", 100.0, 150.0)
    assert (custom.width_dots, custom.height_dots) == (1181, 1772)
    assert parse_media("50.5x30mm").name == "50.5x30mm"
    assert (parse_media("A6").width_mm, parse_media("A6").height_mm) == (105.0, 148.0)


def test_language_options_are_validated_and_kept() -> None:
    uri = parse_printer_uri("tspl+usb://1203:0230?darkness=08&speed=4&gap=3.0&timeout=30")
    assert dict(uri.options) == {"darkness": "8", "speed": "4", "gap": "3", "timeout": "30"}
    assert uri.timeout_s == 30.0
    assert str(uri) == "tspl+usb://1203:0230?darkness=8&gap=3&speed=4&timeout=30"
    escpos = parse_printer_uri("escpos+usb://04b8:0e15?profile=TM-T88V&cut=true&chunk=4096")
    assert escpos.options["cut"] == "yes"
    assert escpos.chunk_size == 4096
    assert escpos.option("profile") == "TM-T88V"


def test_frozen_and_hashable() -> None:
    uri = parse_printer_uri("zpl+tcp://h?darkness=10")
    assert hash(uri) == hash(parse_printer_uri("zpl+tcp://h:9100?darkness=10"))
    with pytest.raises(AttributeError):
        uri.dpi = 300  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty printer URI"),
        ("zpl://127.0.0.1", "needs LANGUAGE+TRANSPORT"),
        ("127.0.0.1:9100", "not a printer URI"),
        ("epl+tcp://h", "unknown printer language 'epl'"),
        ("zpl+http://h", "unknown transport 'http'"),
        ("zpl+usb://0a5f", "bad USB address"),
        ("zpl+usb://zzzz:0001", "bad USB address"),
        ("zpl+usb://0000:0001", "vendor id 0000"),
        ("zpl+usb://12345:1", "bad USB address"),
        ("zpl+tcp://", "needs a host"),
        ("zpl+tcp://host:0", "bad TCP port"),
        ("zpl+tcp://host:70000", "bad TCP port"),
        ("zpl+tcp://fe80::1", "IPv6 printer addresses go in brackets"),
        ("zpl+tcp://[zz::1]", "bad IPv6 address"),
        ("zpl+tcp://bad_host!", "bad printer host name"),
        ("zpl+file://relative/path", "absolute path"),
        ("zpl+file:///tmp/dir/", "names a directory"),
        ("pdf+spool://", "needs a queue name"),
        ("zpl+tcp://h?dpi=600", "dpi must be 203 or 300"),
        ("zpl+tcp://h?media=letter", "unknown media"),
        ("zpl+tcp://h?media=5x5000mm", "out of range"),
        ("zpl+tcp://h?darkness=31", "darkness must be a whole number from -30 to 30"),
        ("tspl+tcp://h?darkness=16", "from 0 to 15"),
        ("zpl+tcp://h?profile=x", "unknown option 'profile' for zpl printers"),
        ("zpl+tcp://h?dpi=300&dpi=203", "given twice"),
        ("zpl+tcp://h?novalue", "expected name=value"),
        ("zpl+tcp://h#frag", "must not contain '#'"),
        ("zpl+usb://0a5f:0081/%ff", "not valid UTF-8"),
        ("escpos+tcp://h?cut=maybe", "cut must be yes or no"),
    ],
)
def test_bad_uris_give_one_clear_line(text: str, expected: str) -> None:
    with pytest.raises(PrinterUriError) as info:
        parse_printer_uri(text)
    assert expected in info.value.message
    assert "\n" not in info.value.message


@pytest.mark.parametrize(
    "text",
    [
        "zpl+tcp://h\x1b[2J",
        "zpl+usb://0a5f:0081/%1b%5b31m",
        "pdf+spool://q%07",
        "zpl+tcp://h?media=%0d%0a",
    ],
)
def test_control_characters_are_never_echoed(text: str) -> None:
    with pytest.raises(PrinterUriError) as info:
        parse_printer_uri(text)
    message = info.value.message
    assert all(ch.isprintable() for ch in message), repr(message)


def test_printable_escapes_and_truncates() -> None:
    assert printable("a\x1bb\x00") == "a\\x1bb\\x00"
    assert len(printable("x" * 500, 40)) == 40


def test_coerce_uri() -> None:
    uri = parse_printer_uri("zpl+tcp://h")
    assert coerce_uri(uri) is uri
    assert coerce_uri("zpl+tcp://h") == uri


# ---------------------------------------------------------------- property tests

_hex_ids = st.integers(min_value=1, max_value=0xFFFF)
_printable_chars = st.characters(blacklist_characters="/").filter(str.isprintable)
_serials = st.text(alphabet=_printable_chars, min_size=1, max_size=30)
_queue_names = st.text(alphabet=_printable_chars, min_size=1, max_size=40).filter(
    lambda s: s.strip() == s and s != ""
)
_hostnames = st.from_regex(r"\A[a-z][a-z0-9-]{0,20}[a-z0-9](\.[a-z][a-z0-9]{0,10}){0,3}\Z")


@st.composite
def printer_uris(draw: st.DrawFn) -> str:
    language = draw(st.sampled_from(["escpos", "zpl", "tspl", "pdf"]))
    transport = draw(st.sampled_from(["usb", "tcp", "file", "spool"]))
    if transport == "usb":
        address = f"{draw(_hex_ids):x}:{draw(_hex_ids):X}"
        if draw(st.booleans()):
            from urllib.parse import quote

            address += "/" + quote(draw(_serials), safe="")
    elif transport == "tcp":
        address = draw(_hostnames) + (
            f":{draw(st.integers(1, 65535))}" if draw(st.booleans()) else ""
        )
    elif transport == "file":
        parts = draw(st.lists(st.from_regex(r"\A[A-Za-z0-9 ._-]{1,12}\Z"), min_size=1, max_size=4))
        parts = [p for p in parts if p not in (".", "..")] or ["out.bin"]
        from urllib.parse import quote

        address = quote("/" + "/".join(parts), safe="/")
    else:
        from urllib.parse import quote

        address = quote(draw(_queue_names), safe="")
    options: list[str] = []
    if draw(st.booleans()):
        options.append(f"dpi={draw(st.sampled_from([203, 300]))}")
    if draw(st.booleans()):
        options.append(
            f"media={draw(st.sampled_from(['4x6', '6x4', 'a4', 'a6', '100x150mm', '57.5x40mm']))}"
        )
    if draw(st.booleans()):
        options.append(f"timeout={draw(st.integers(1, 600))}")
    if language == "zpl" and draw(st.booleans()):
        options.append(f"darkness={draw(st.integers(-30, 30))}")
    if language == "tspl" and draw(st.booleans()):
        options.append(f"darkness={draw(st.integers(0, 15))}")
    if language == "escpos" and draw(st.booleans()):
        options.append(f"cut={draw(st.sampled_from(['yes', 'no', 'true', '0']))}")
    draw(st.randoms()).shuffle(options)
    query = ("?" + "&".join(options)) if options else ""
    return f"{language}+{transport}://{address}{query}"


@given(printer_uris())
def test_str_round_trips(text: str) -> None:
    uri = parse_printer_uri(text)
    canonical = str(uri)
    again = parse_printer_uri(canonical)
    assert again == uri
    assert str(again) == canonical


@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes_and_errors_are_one_printable_line(text: str) -> None:
    message = ""
    try:
        uri = parse_printer_uri(text)
    except PrinterUriError as exc:
        message = exc.message
    else:
        assert isinstance(uri, PrinterUri)
        assert parse_printer_uri(str(uri)) == uri
    assert "\n" not in message
    assert message.isprintable()


@given(st.sampled_from(["escpos", "zpl", "tspl", "pdf"]), st.text(max_size=60))
def test_arbitrary_addresses_for_each_transport(language: str, address: str) -> None:
    for transport in ("usb", "tcp", "file", "spool"):
        try:
            uri = parse_printer_uri(f"{language}+{transport}://{address}")
        except PrinterUriError:
            continue
        assert parse_printer_uri(str(uri)) == uri
