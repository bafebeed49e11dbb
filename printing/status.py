"""Printer status: the query bytes per language and pure parsers of the answers.

Sources for the byte layouts (each parser's docstring names the fields it reads):
- ESC/POS `DLE EOT n` (real-time status): Epson ESC/POS reference; the same tables are printed in
  the Citizen CT-S and Bixolon SRP-350 manuals (n=1 printer, n=2 offline cause, n=4 paper roll).
- ZPL `~HS` (host status return): Zebra ZPL II Programming Guide, three `<STX>...<ETX><CR><LF>` strings.
- TSPL `<ESC>!?`: TSC TSPL/TSPL2 programming manual, "status polling commands", one status byte.
- USB printer class `GET_PORT_STATUS`: USB Device Class Definition for Printing Devices 1.1, 4.2.2.

Where a printer does not answer, or answers something we cannot read, the state is UNKNOWN.
Nothing here ever turns "no answer" into READY (the silent-failure pain point, qzind/tray#784).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from printing.uri import Language, printable


class PrinterState(StrEnum):
    """What a bench needs to know, most urgent first in `_PRIORITY`."""

    READY = "ready"
    PAPER_OUT = "paper_out"
    HEAD_OPEN = "head_open"
    PAUSED = "paused"
    OFFLINE = "offline"
    ERROR = "error"
    UNKNOWN = "unknown"


# When several conditions hold, the one the user must fix first is the headline: an open head or
# empty roll explains an "offline" bit, so they outrank it.
_PRIORITY = (
    PrinterState.HEAD_OPEN,
    PrinterState.PAPER_OUT,
    PrinterState.ERROR,
    PrinterState.PAUSED,
    PrinterState.OFFLINE,
)

_HEADLINES = {
    PrinterState.READY: "ready",
    PrinterState.PAPER_OUT: "out of labels",
    PrinterState.HEAD_OPEN: "print head or cover open",
    PrinterState.PAUSED: "paused",
    PrinterState.OFFLINE: "offline",
    PrinterState.ERROR: "printer error",
    PrinterState.UNKNOWN: "status unknown",
}


@dataclass(frozen=True)
class PrinterStatus:
    """A printer's answer, reduced to one headline `state` plus every condition and detail seen."""

    state: PrinterState
    conditions: frozenset[PrinterState] = field(default_factory=frozenset)
    details: tuple[str, ...] = ()
    raw: bytes = b""

    @property
    def ready(self) -> bool:
        """True only when the printer itself said it is ready."""
        return self.state is PrinterState.READY

    @property
    def known(self) -> bool:
        return self.state is not PrinterState.UNKNOWN

    def summary(self) -> str:
        """One line for a status bar or the CLI, e.g. `out of labels (paper near end)`."""
        text = _HEADLINES[self.state]
        others = [_HEADLINES[c] for c in _sorted(self.conditions) if c is not self.state]
        extra = [*others, *self.details]
        return f"{text} ({'; '.join(extra)})" if extra else text

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "conditions": [c.value for c in _sorted(self.conditions)],
            "details": list(self.details),
            "summary": self.summary(),
        }

    @classmethod
    def unknown(cls, reason: str, raw: bytes = b"") -> PrinterStatus:
        return cls(PrinterState.UNKNOWN, frozenset(), (reason,), raw)

    @classmethod
    def from_conditions(
        cls, conditions: set[PrinterState], details: list[str], raw: bytes = b""
    ) -> PrinterStatus:
        problems = frozenset(c for c in conditions if c in _PRIORITY)
        state = next((c for c in _PRIORITY if c in problems), PrinterState.READY)
        return cls(state, problems, tuple(details), raw)


def _sorted(conditions: frozenset[PrinterState]) -> list[PrinterState]:
    return [c for c in _PRIORITY if c in conditions]


# ---------------------------------------------------------------- queries and framing

ESCPOS_QUERIES = (b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x04")  # DLE EOT 1, 2, 4
ZPL_QUERY = b"~HS"
TSPL_QUERY = b"\x1b!?"


def status_query(language: Language) -> bytes | None:
    """Bytes that ask a printer of `language` for its status, or None if the language has none."""
    if language == "escpos":
        return b"".join(ESCPOS_QUERIES)
    if language == "zpl":
        return ZPL_QUERY
    if language == "tspl":
        return TSPL_QUERY
    return None


def answer_complete(language: Language, data: bytes) -> bool:
    """True once `data` holds a whole answer, so a reader can stop waiting."""
    if language == "escpos":
        return len(data) >= len(ESCPOS_QUERIES)
    if language == "zpl":
        return data.count(b"\x03") >= 3
    if language == "tspl":
        return len(data) >= 1
    return True


def parse_status(language: Language, data: bytes) -> PrinterStatus:
    """Parse whatever came back to `status_query(language)` (possibly nothing)."""
    if language == "escpos":
        return parse_escpos_status(data)
    if language == "zpl":
        return parse_zpl_host_status(data)
    if language == "tspl":
        return parse_tspl_status(data)
    return PrinterStatus.unknown("this printer language has no status query")


# ---------------------------------------------------------------- ESC/POS


def _escpos_byte_valid(value: int) -> bool:
    # Every DLE EOT answer has bit 1 and bit 4 fixed on, bit 0 and bit 7 fixed off.
    return value & 0x93 == 0x12


def parse_escpos_status(data: bytes) -> PrinterStatus:
    """Answers to `DLE EOT 1`, `DLE EOT 2`, `DLE EOT 4`, one byte each, in that order.

    n=1 (printer):      bit 3 offline.
    n=2 (offline cause): bit 2 cover open, bit 5 printing stopped by paper end, bit 6 error.
    n=4 (paper roll):   bits 2+3 near end, bits 5+6 paper end (paper not present).
    READY needs at least the n=1 and n=2 answers: n=1 alone says nothing about paper.
    """
    if not data:
        return PrinterStatus.unknown("the printer did not answer DLE EOT")
    for index, value in enumerate(data[:3]):
        if not _escpos_byte_valid(value):
            return PrinterStatus.unknown(
                f"answer byte {index + 1} (0x{value:02x}) is not a DLE EOT status byte", data
            )
    conditions: set[PrinterState] = set()
    details: list[str] = []
    printer = data[0]
    if printer & 0x08:
        conditions.add(PrinterState.OFFLINE)
    if printer & 0x20:
        details.append("waiting for online recovery")
    if len(data) >= 2:
        cause = data[1]
        if cause & 0x04:
            conditions.add(PrinterState.HEAD_OPEN)
        if cause & 0x20:
            conditions.add(PrinterState.PAPER_OUT)
        if cause & 0x40:
            conditions.add(PrinterState.ERROR)
            details.append("error reported (DLE EOT 2 bit 6)")
        if cause & 0x08:
            details.append("paper being fed by the feed button")
    if len(data) >= 3:
        paper = data[2]
        if paper & 0x60:
            conditions.add(PrinterState.PAPER_OUT)
        elif paper & 0x0C:
            details.append("paper near end")
    if len(data) < 2 and not conditions:
        return PrinterStatus(
            PrinterState.UNKNOWN, frozenset(), ("online, but paper state not reported",), data
        )
    return PrinterStatus.from_conditions(conditions, details, data)


# ---------------------------------------------------------------- ZPL ~HS

_ZPL_FRAME = re.compile(rb"\x02([^\x02\x03]*)\x03")


def _flag(fields: list[str], index: int) -> bool | None:
    if index >= len(fields):
        return None
    value = fields[index].strip()
    if value not in ("0", "1"):
        return None
    return value == "1"


def parse_zpl_host_status(data: bytes) -> PrinterStatus:
    """The three strings a Zebra sends back for `~HS`.

    String 1 `aaa,b,c,dddd,eee,f,g,h,iii,j,k,l`: b paper out, c pause, eee formats in the receive
    buffer, f buffer full, j corrupt RAM, k under temperature, l over temperature.
    String 2 `mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www`: o head up, p ribbon out, q thermal transfer mode,
    uuuuuuuu labels remaining in the batch.
    READY needs both strings 1 and 2 with readable flags.
    """
    frames = [m.group(1).decode("ascii", "replace") for m in _ZPL_FRAME.finditer(data)]
    if not frames:
        if not data:
            return PrinterStatus.unknown("the printer did not answer ~HS")
        return PrinterStatus.unknown(f"unreadable ~HS answer: {printable(repr(data[:40]))}", data)
    line1 = frames[0].split(",")
    line2 = frames[1].split(",") if len(frames) > 1 else []
    paper_out, paused = _flag(line1, 1), _flag(line1, 2)
    head_up = _flag(line2, 2)
    if paper_out is None or paused is None:
        return PrinterStatus.unknown("~HS string 1 has no readable paper/pause flags", data)
    conditions: set[PrinterState] = set()
    details: list[str] = []
    if paper_out:
        conditions.add(PrinterState.PAPER_OUT)
    if paused:
        conditions.add(PrinterState.PAUSED)
    if _flag(line1, 5):
        details.append("receive buffer full")
    if _flag(line1, 9):
        conditions.add(PrinterState.ERROR)
        details.append("configuration lost (corrupt RAM)")
    if _flag(line1, 10):
        conditions.add(PrinterState.ERROR)
        details.append("head too cold")
    if _flag(line1, 11):
        conditions.add(PrinterState.ERROR)
        details.append("head too hot")
    if len(line1) > 4 and line1[4].strip().isdigit() and int(line1[4]) > 0:
        details.append(f"{int(line1[4])} format(s) waiting in the printer")
    if head_up:
        conditions.add(PrinterState.HEAD_OPEN)
    # The ribbon flag only means something in thermal transfer mode; direct thermal label
    # printers (the usual 4x6 case) have no ribbon.
    if _flag(line2, 3) and _flag(line2, 4):
        conditions.add(PrinterState.ERROR)
        details.append("ribbon out")
    if len(line2) > 8 and line2[8].strip().isdigit() and int(line2[8]) > 0:
        details.append(f"{int(line2[8])} label(s) still to print")
    if head_up is None and not conditions:
        return PrinterStatus(
            PrinterState.UNKNOWN,
            frozenset(),
            ("~HS string 2 (head state) missing or unreadable",),
            data,
        )
    return PrinterStatus.from_conditions(conditions, details, data)


# ---------------------------------------------------------------- TSPL <ESC>!?

_TSPL_BITS = (
    (0x01, PrinterState.HEAD_OPEN, "head open"),
    (0x02, PrinterState.ERROR, "paper jam"),
    (0x04, PrinterState.PAPER_OUT, "out of paper"),
    (0x08, PrinterState.ERROR, "out of ribbon"),
    (0x10, PrinterState.PAUSED, "paused"),
    (0x40, PrinterState.HEAD_OPEN, "cover open"),
    (0x80, PrinterState.ERROR, "other error"),
)


def parse_tspl_status(data: bytes) -> PrinterStatus:
    """One byte for `<ESC>!?`: 0 is ready; bit 0 head open, 1 paper jam, 2 out of paper,
    3 out of ribbon, 4 pause, 5 printing (busy, not a fault), 6 cover open, 7 other error."""
    if not data:
        return PrinterStatus.unknown("the printer did not answer <ESC>!?")
    value = data[0]
    conditions: set[PrinterState] = set()
    details: list[str] = []
    for mask, state, text in _TSPL_BITS:
        if value & mask:
            conditions.add(state)
            if state is PrinterState.ERROR:
                details.append(text)
    if value & 0x20:
        details.append("printing")
    return PrinterStatus.from_conditions(conditions, details, data[:1])


# ---------------------------------------------------------------- USB printer class port status


def parse_port_status(value: int) -> PrinterStatus:
    """USB printer class `GET_PORT_STATUS`: bit 5 paper empty, bit 4 selected, bit 3 not error.

    Many cheap printers hard-wire "selected, no error", so a clean port status is never taken as
    READY: it can only reveal problems.
    """
    conditions: set[PrinterState] = set()
    if value & 0x20:
        conditions.add(PrinterState.PAPER_OUT)
    if not value & 0x10:
        conditions.add(PrinterState.OFFLINE)
    if not value & 0x08:
        conditions.add(PrinterState.ERROR)
    raw = bytes([value & 0xFF])
    if not conditions:
        return PrinterStatus.unknown(
            "USB port status shows no fault (it cannot confirm paper)", raw
        )
    return PrinterStatus.from_conditions(conditions, ["from USB port status"], raw)


def combine(primary: PrinterStatus, secondary: PrinterStatus) -> PrinterStatus:
    """Merge two readings: any problem either one saw wins; READY needs a READY reading."""
    conditions = set(primary.conditions | secondary.conditions)
    details = list(dict.fromkeys([*primary.details, *secondary.details]))
    if not conditions:
        if primary.ready or secondary.ready:
            return PrinterStatus(PrinterState.READY, frozenset(), tuple(details), primary.raw)
        return PrinterStatus(PrinterState.UNKNOWN, frozenset(), tuple(details), primary.raw)
    return PrinterStatus.from_conditions(conditions, details, primary.raw or secondary.raw)


# ---------------------------------------------------------------- OS queues

# Windows PRINTER_INFO_2.Status bits (MS-RPRN 2.2.3.12).
_WIN_STATUS = (
    (0x00000001, PrinterState.PAUSED, "paused"),
    (0x00000002, PrinterState.ERROR, "error"),
    (0x00000008, PrinterState.ERROR, "paper jam"),
    (0x00000010, PrinterState.PAPER_OUT, "paper out"),
    (0x00000040, PrinterState.ERROR, "paper problem"),
    (0x00000080, PrinterState.OFFLINE, "offline"),
    (0x00001000, PrinterState.OFFLINE, "not available"),
    (0x00400000, PrinterState.HEAD_OPEN, "door open"),
)


def parse_windows_status(flags: int, attributes: int = 0) -> PrinterStatus:
    """Windows spooler status flags. Zero is UNKNOWN: many drivers never set any flag, and
    `OpenPrinter` succeeds on an unplugged queue (FreeOpenSourcePOS/FloCafe#206)."""
    conditions: set[PrinterState] = set()
    details: list[str] = []
    for mask, state, text in _WIN_STATUS:
        if flags & mask:
            conditions.add(state)
            if state is PrinterState.ERROR:
                details.append(text)
    if attributes & 0x00000400:  # PRINTER_ATTRIBUTE_WORK_OFFLINE: "Use printer offline" ticked
        conditions.add(PrinterState.OFFLINE)
        details.append("set to 'use printer offline'")
    if not conditions:
        return PrinterStatus.unknown("Windows reports no fault (drivers often cannot see paper)")
    return PrinterStatus.from_conditions(conditions, details)


def parse_lpstat_printer(text: str) -> PrinterStatus:
    """`lpstat -p NAME` output. A disabled queue is PAUSED; an enabled one is UNKNOWN, because
    CUPS does not see paper or head state for raw queues."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return PrinterStatus.unknown("CUPS did not describe the queue")
    head = lines[0].lower()
    reasons = [printable(line, 120) for line in lines[1:]]
    if " disabled" in head:
        reason_text = " ".join(reasons).lower()
        if "unplugged" in reason_text or "not connected" in reason_text or "offline" in reason_text:
            return PrinterStatus.from_conditions(
                {PrinterState.OFFLINE}, ["CUPS queue disabled", *reasons]
            )
        return PrinterStatus.from_conditions(
            {PrinterState.PAUSED}, ["CUPS queue disabled", *reasons]
        )
    if " is idle" in head or " now printing" in head or " enabled" in head:
        return PrinterStatus.unknown("CUPS queue is accepting jobs (CUPS cannot see paper or head)")
    return PrinterStatus.unknown(f"unrecognised lpstat answer: {printable(lines[0])}")
