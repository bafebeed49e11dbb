"""Status parsers against the byte layouts printed in the manuals (see printing/status.py)."""

from __future__ import annotations

import pytest

from printing.status import (
    ESCPOS_QUERIES,
    PrinterState,
    PrinterStatus,
    answer_complete,
    combine,
    parse_escpos_status,
    parse_lpstat_printer,
    parse_port_status,
    parse_status,
    parse_tspl_status,
    parse_windows_status,
    parse_zpl_host_status,
    status_query,
)

S = PrinterState


def test_queries_are_the_documented_bytes() -> None:
    assert ESCPOS_QUERIES == (b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x04")
    assert status_query("escpos") == b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"
    assert status_query("zpl") == b"~HS"
    assert status_query("tspl") == b"\x1b!?"
    assert status_query("pdf") is None


# ESC/POS DLE EOT. Every answer byte has bit 1 and bit 4 on (0x12) and bits 0, 7 off.
@pytest.mark.parametrize(
    ("answers", "state"),
    [
        (bytes([0x12, 0x12, 0x12]), S.READY),  # online, no offline cause, paper present
        (bytes([0x1A, 0x12, 0x12]), S.OFFLINE),  # n=1 bit 3: offline
        (bytes([0x1A, 0x16, 0x12]), S.HEAD_OPEN),  # n=2 bit 2: cover open
        (bytes([0x1A, 0x32, 0x72]), S.PAPER_OUT),  # n=2 bit 5 + n=4 bits 5,6: paper end
        (bytes([0x12, 0x12, 0x72]), S.PAPER_OUT),  # n=4 paper end alone
        (bytes([0x1A, 0x52, 0x12]), S.ERROR),  # n=2 bit 6: error occurred
    ],
)
def test_escpos_dle_eot(answers: bytes, state: PrinterState) -> None:
    assert parse_escpos_status(answers).state is state


def test_escpos_near_end_is_a_detail_not_a_fault() -> None:
    status = parse_escpos_status(bytes([0x12, 0x12, 0x1E]))  # n=4 bits 2,3: near end
    assert status.state is S.READY
    assert "paper near end" in status.summary()


def test_escpos_cover_open_outranks_offline_bit() -> None:
    status = parse_escpos_status(bytes([0x1A, 0x36, 0x72]))
    assert status.state is S.HEAD_OPEN
    assert {S.HEAD_OPEN, S.PAPER_OUT, S.OFFLINE} <= status.conditions


def test_escpos_online_byte_alone_cannot_say_ready() -> None:
    assert parse_escpos_status(bytes([0x12])).state is S.UNKNOWN
    assert parse_escpos_status(bytes([0x1A])).state is S.OFFLINE


def test_escpos_no_answer_or_garbage_is_unknown() -> None:
    assert parse_escpos_status(b"").state is S.UNKNOWN
    assert parse_escpos_status(b"\xff\xff\xff").state is S.UNKNOWN  # fixed bits wrong
    assert parse_escpos_status(b"OK!").state is S.UNKNOWN


ZPL_READY = (
    b"\x02030,0,0,1218,000,0,0,0,000,0,0,0\x03\r\n"
    b"\x02001,0,0,0,0,2,6,0,00000000,1,000\x03\r\n"
    b"\x021234,0\x03\r\n"
)


def test_zpl_host_status_ready() -> None:
    status = parse_zpl_host_status(ZPL_READY)
    assert status.state is S.READY
    assert status.ready


@pytest.mark.parametrize(
    ("line1", "line2", "state", "detail"),
    [
        ("030,1,0,1218,000,0,0,0,000,0,0,0", "001,0,0,0,0,2,6,0,00000000,1,000", S.PAPER_OUT, ""),
        ("030,0,1,1218,000,0,0,0,000,0,0,0", "001,0,0,0,0,2,6,0,00000000,1,000", S.PAUSED, ""),
        ("030,0,0,1218,000,0,0,0,000,0,0,0", "001,0,1,0,0,2,6,0,00000000,1,000", S.HEAD_OPEN, ""),
        ("030,0,0,1218,000,0,0,0,000,0,0,1", "001,0,0,0,0,2,6,0,00000000,1,000", S.ERROR, "hot"),
        ("030,0,0,1218,000,0,0,0,000,0,1,0", "001,0,0,0,0,2,6,0,00000000,1,000", S.ERROR, "cold"),
        ("030,0,0,1218,000,0,0,0,000,0,0,0", "001,0,0,1,1,2,6,0,00000000,1,000", S.ERROR, "ribbon"),
    ],
)
def test_zpl_host_status_flags(line1: str, line2: str, state: PrinterState, detail: str) -> None:
    data = b"".join(b"\x02" + s.encode() + b"\x03\r\n" for s in (line1, line2, "1234,0"))
    status = parse_zpl_host_status(data)
    assert status.state is state
    assert detail in status.summary()


def test_zpl_ribbon_flag_ignored_in_direct_thermal_mode() -> None:
    data = ZPL_READY.replace(b"001,0,0,0,0,", b"001,0,0,1,0,")
    assert parse_zpl_host_status(data).state is S.READY


def test_zpl_paper_out_and_head_open_together() -> None:
    data = ZPL_READY.replace(b"030,0,0", b"030,1,0").replace(b"001,0,0", b"001,0,1")
    status = parse_zpl_host_status(data)
    assert status.state is S.HEAD_OPEN
    assert S.PAPER_OUT in status.conditions


def test_zpl_waiting_formats_and_labels_are_reported() -> None:
    data = ZPL_READY.replace(b"1218,000", b"1218,003").replace(b"00000000", b"00000007")
    summary = parse_zpl_host_status(data).summary()
    assert "3 format(s) waiting" in summary
    assert "7 label(s) still to print" in summary


def test_zpl_partial_or_garbled_answers_are_unknown() -> None:
    assert parse_zpl_host_status(b"").state is S.UNKNOWN
    assert parse_zpl_host_status(b"garbage without frames").state is S.UNKNOWN
    only_line1 = ZPL_READY.split(b"\r\n")[0] + b"\r\n"
    assert parse_zpl_host_status(only_line1).state is S.UNKNOWN
    assert parse_zpl_host_status(b"\x02030,x,y\x03").state is S.UNKNOWN
    # But a fault seen in line 1 is reported even when line 2 is missing.
    assert parse_zpl_host_status(only_line1.replace(b"030,0", b"030,1")).state is S.PAPER_OUT


# TSPL <ESC>!? status byte (TSPL/TSPL2 manual table).
@pytest.mark.parametrize(
    ("value", "state"),
    [
        (0x00, S.READY),
        (0x01, S.HEAD_OPEN),
        (0x02, S.ERROR),  # paper jam
        (0x03, S.HEAD_OPEN),  # paper jam and head opened
        (0x04, S.PAPER_OUT),
        (0x05, S.HEAD_OPEN),  # out of paper and head opened
        (0x08, S.ERROR),  # out of ribbon
        (0x0C, S.PAPER_OUT),  # out of ribbon and out of paper
        (0x10, S.PAUSED),
        (0x20, S.READY),  # printing: busy, not a fault
        (0x40, S.HEAD_OPEN),  # cover opened
        (0x80, S.ERROR),
    ],
)
def test_tspl_status_byte(value: int, state: PrinterState) -> None:
    assert parse_tspl_status(bytes([value])).state is state


def test_tspl_details() -> None:
    assert "paper jam" in parse_tspl_status(b"\x02").summary()
    assert "printing" in parse_tspl_status(b"\x20").summary()
    assert parse_tspl_status(b"").state is S.UNKNOWN


def test_answer_complete_tells_readers_when_to_stop() -> None:
    assert not answer_complete("escpos", b"\x12\x12")
    assert answer_complete("escpos", b"\x12\x12\x12")
    assert not answer_complete("zpl", ZPL_READY[:-10])
    assert answer_complete("zpl", ZPL_READY)
    assert answer_complete("tspl", b"\x00")


def test_parse_status_dispatch_and_pdf() -> None:
    assert parse_status("tspl", b"\x04").state is S.PAPER_OUT
    assert parse_status("pdf", b"").state is S.UNKNOWN


def test_usb_port_status_only_reveals_problems() -> None:
    assert parse_port_status(0x18).state is S.UNKNOWN  # clean: cannot prove paper
    assert parse_port_status(0x38).state is S.PAPER_OUT
    assert parse_port_status(0x08).state is S.OFFLINE  # not selected
    assert parse_port_status(0x10).state is S.ERROR  # "not error" bit clear


def test_combine() -> None:
    ready = parse_tspl_status(b"\x00")
    unknown = PrinterStatus.unknown("no answer")
    assert combine(ready, unknown).state is S.READY
    assert combine(unknown, unknown).state is S.UNKNOWN
    assert combine(ready, parse_port_status(0x38)).state is S.PAPER_OUT


def test_windows_status_flags() -> None:
    assert parse_windows_status(0).state is S.UNKNOWN
    assert parse_windows_status(0x10).state is S.PAPER_OUT
    assert parse_windows_status(0x80).state is S.OFFLINE
    assert parse_windows_status(0x1).state is S.PAUSED
    assert parse_windows_status(0x400000).state is S.HEAD_OPEN
    assert parse_windows_status(0, attributes=0x400).state is S.OFFLINE


def test_lpstat() -> None:
    idle = "printer Zebra is idle.  enabled since Mon 01 Jan 2024 10:00:00 GMT\n"
    assert parse_lpstat_printer(idle).state is S.UNKNOWN
    disabled = "printer Zebra disabled since Mon 01 Jan 2024 -\n\tPaused by admin\n"
    status = parse_lpstat_printer(disabled)
    assert status.state is S.PAUSED
    assert "Paused by admin" in status.summary()
    unplugged = "printer Zebra disabled since Mon -\n\tThe printer is not connected.\n"
    assert parse_lpstat_printer(unplugged).state is S.OFFLINE


def test_json_shape() -> None:
    data = parse_tspl_status(b"\x05").to_json()
    assert data["state"] == "head_open"
    assert data["conditions"] == ["head_open", "paper_out"]
    assert data["summary"].startswith("print head or cover open")
