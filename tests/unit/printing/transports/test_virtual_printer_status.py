"""Transport + status parsers against the virtual printer: the answer a real socket carries back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from printing.bitmap import Bitmap
from printing.encoders import encode
from printing.status import PrinterState
from printing.transports import open_transport
from printing.virtual_printer import VirtualPrinter

LANGUAGES = ("escpos", "zpl", "tspl")


@pytest.fixture
def printer() -> Iterator[VirtualPrinter]:
    with VirtualPrinter() as vp:
        yield vp


@pytest.mark.parametrize("language", LANGUAGES)
def test_ready(printer: VirtualPrinter, language: str) -> None:
    status = open_transport(printer.uri(language)).query_status()
    assert status.state is PrinterState.READY, status.summary()


@pytest.mark.parametrize("language", LANGUAGES)
def test_paper_out(printer: VirtualPrinter, language: str) -> None:
    printer.set_faults(paper_out=True)
    status = open_transport(printer.uri(language)).query_status()
    assert status.state is PrinterState.PAPER_OUT, status.summary()


@pytest.mark.parametrize("language", LANGUAGES)
def test_head_open(printer: VirtualPrinter, language: str) -> None:
    printer.set_faults(head_open=True)
    status = open_transport(printer.uri(language)).query_status()
    assert status.state is PrinterState.HEAD_OPEN, status.summary()


@pytest.mark.parametrize("language", ["zpl", "tspl"])  # ESC/POS has no "paused" bit
def test_paused(printer: VirtualPrinter, language: str) -> None:
    printer.set_faults(paused=True)
    status = open_transport(printer.uri(language)).query_status()
    assert status.state is PrinterState.PAUSED, status.summary()


def test_offline_printer_that_accepts_and_hangs_up_is_unknown_not_ready(
    printer: VirtualPrinter,
) -> None:
    printer.set_faults(offline=True)
    status = open_transport(printer.uri("zpl") + "&timeout=1").query_status()
    assert status.state is PrinterState.UNKNOWN


def test_label_bytes_through_the_tcp_transport_arrive_pixel_exact(printer: VirtualPrinter) -> None:
    bitmap = Bitmap.blank(64, 24)
    rows = bytearray(bitmap.data)
    for y in range(0, 24, 3):
        rows[y * bitmap.row_bytes] = 0xF0  # a few black dots to compare
    bitmap = Bitmap(64, 24, bytes(rows))
    open_transport(printer.uri("tspl")).send(encode("tspl", [bitmap]), job_name="order 1")
    [label] = printer.wait_for_labels(1)
    assert label.bitmap.same_dots(bitmap)


@pytest.mark.e2e
def test_cli_virtual_printer_process_answers_status_and_prints(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clickdrop_desktop",
            "virtual-printer",
            "--port",
            "0",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        for language in LANGUAGES:
            status = open_transport(info["uris"][language]).query_status()
            assert status.state is PrinterState.READY, (language, status.summary())
        bitmap = Bitmap.blank(32, 8)
        open_transport(info["uris"]["zpl"]).send(encode("zpl", [bitmap]), job_name="j")
        line = process.stdout.readline()
        assert line.startswith("printed zpl label 32x8 dots")
        assert list(out.glob("*.png"))
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()
