"""`spool://` through CUPS: a fake `lp`/`lpstat` on PATH records what the real subprocess call passed."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from printing.status import PrinterState
from printing.transports import (
    PrinterError,
    PrinterNotFound,
    PrinterOffline,
    PrinterUnsupported,
    open_transport,
)
from printing.transports.spool import SpoolTransport

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="CUPS path")

FAKE_LP = """#!{python}
import json, os, sys
record = os.environ["FAKE_LP_RECORD"]
data = sys.stdin.buffer.read()
with open(record, "a") as f:
    f.write(json.dumps({{"argv": sys.argv[1:], "stdin": data.hex(), "lang": os.environ.get("LC_ALL")}}) + "\\n")
mode = os.environ.get("FAKE_LP_MODE", "ok")
if mode == "missing":
    sys.stderr.write("lp: The printer or class does not exist.\\n")
    sys.exit(1)
if mode == "rejecting":
    sys.stderr.write("lp: Destination \\"Zebra\\" is not accepting jobs.\\n")
    sys.exit(1)
if mode == "weird":
    sys.stderr.write("lp: \\x1b[31mboom\\n")
    sys.exit(1)
print("request id is Zebra-42 (0 file(s))")
"""

FAKE_LPSTAT = """#!/bin/sh
case "$FAKE_LPSTAT_MODE" in
  idle) echo "printer $2 is idle.  enabled since Mon 01 Jan 2024 10:00:00 GMT" ;;
  disabled) printf 'printer %s disabled since Mon 01 Jan 2024 -\\n\\tPaused\\n' "$2" ;;
  *) echo "lpstat: Invalid destination name in list \\"$2\\"." >&2; exit 1 ;;
esac
"""


@pytest.fixture
def fake_cups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("lp", FAKE_LP.format(python=sys.executable)), ("lpstat", FAKE_LPSTAT)):
        script = bin_dir / name
        script.write_text(text)
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    record = tmp_path / "lp-calls.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_LP_RECORD", str(record))
    return record


def _calls(record: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in record.read_text().splitlines()]


def test_raw_job_goes_to_lp_with_the_queue_and_raw_option(fake_cups: Path) -> None:
    transport = open_transport("zpl+spool://Zebra_GK420d")
    job = b"^XA\x00\x01\xff^XZ"
    transport.send(job, job_name="Order 1001 \x1b[2J label")
    [call] = _calls(fake_cups)
    argv = call["argv"]
    assert argv == ["-d", "Zebra_GK420d", "-t", "Order 1001 [2J label", "-o", "raw"]
    assert bytes.fromhex(str(call["stdin"])) == job
    assert call["lang"] == "C"
    assert isinstance(transport, SpoolTransport)
    assert transport.last_job_id == "Zebra-42"


def test_queue_names_with_spaces_and_shell_characters_are_plain_arguments(fake_cups: Path) -> None:
    open_transport("tspl+spool://Rollo%20%3B%20rm%20-rf%20x").send(b"CLS\r\n", job_name="j")
    [call] = _calls(fake_cups)
    assert call["argv"][:2] == ["-d", "Rollo ; rm -rf x"]


def test_pdf_goes_through_the_driver_not_raw(fake_cups: Path) -> None:
    open_transport("pdf+spool://Office?media=a4").send(b"%PDF-1.7 ...", job_name="sheet")
    [call] = _calls(fake_cups)
    assert "raw" not in call["argv"]


def test_unknown_queue(fake_cups: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LP_MODE", "missing")
    with pytest.raises(PrinterNotFound, match="does not exist"):
        open_transport("zpl+spool://Nope").send(b"^XA^XZ", job_name="j")


def test_queue_not_accepting_jobs(fake_cups: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LP_MODE", "rejecting")
    with pytest.raises(PrinterOffline, match="not accepting"):
        open_transport("zpl+spool://Zebra").send(b"^XA^XZ", job_name="j")


def test_lp_errors_are_shown_without_control_characters(
    fake_cups: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_LP_MODE", "weird")
    with pytest.raises(PrinterError) as info:
        open_transport("zpl+spool://Zebra").send(b"^XA^XZ", job_name="j")
    assert "\x1b" not in str(info.value)
    assert "\\x1b[31mboom" in str(info.value)


def test_missing_cups_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no lp anywhere
    with pytest.raises(PrinterUnsupported, match="CUPS is not installed"):
        open_transport("zpl+spool://Zebra").send(b"^XA^XZ", job_name="j")
    status = open_transport("zpl+spool://Zebra").query_status()
    assert status.state is PrinterState.UNKNOWN


def test_status_from_lpstat(fake_cups: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    transport = open_transport("zpl+spool://Zebra")
    monkeypatch.setenv("FAKE_LPSTAT_MODE", "idle")
    assert transport.query_status().state is PrinterState.UNKNOWN  # CUPS cannot see paper
    monkeypatch.setenv("FAKE_LPSTAT_MODE", "disabled")
    assert transport.query_status().state is PrinterState.PAUSED
    monkeypatch.setenv("FAKE_LPSTAT_MODE", "gone")
    assert transport.query_status().state is PrinterState.OFFLINE
