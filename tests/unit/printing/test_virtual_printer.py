"""The virtual printer: status answers, simulated faults, held jobs, offline, files, the CLI."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from printing.bitmap import Bitmap
from printing.encoders import encode
from printing.virtual_printer import Faults, PrintedLabel, VirtualPrinter, status_answer

SMALL = Bitmap(16, 2, bytes([0xF0, 0x0F, 0x0F, 0xF0]))


@pytest.fixture
def printer() -> Iterator[VirtualPrinter]:
    with VirtualPrinter() as vp:
        yield vp


def send(printer: VirtualPrinter, data: bytes) -> None:
    with socket.create_connection(("127.0.0.1", printer.port), timeout=10) as conn:
        conn.sendall(data)


def ask(printer: VirtualPrinter, query: bytes, expect: int) -> bytes:
    """Send a status query on an open connection and read `expect` bytes back."""
    with socket.create_connection(("127.0.0.1", printer.port), timeout=10) as conn:
        conn.sendall(query)
        answer = b""
        while len(answer) < expect:
            chunk = conn.recv(1024)
            if not chunk:
                break
            answer += chunk
        return answer


# -- status answers (the contract with printing/status.py) -----------------------------------


def test_escpos_answers() -> None:
    ready = Faults()
    assert [status_answer("escpos", bytes([16, 4, n]), ready) for n in (1, 2, 3, 4)] == [
        b"\x12"
    ] * 4
    out = Faults(paper_out=True)
    assert status_answer("escpos", b"\x10\x04\x01", out) == b"\x1a"  # offline bit
    assert status_answer("escpos", b"\x10\x04\x02", out) == b"\x32"  # paper end stop
    assert status_answer("escpos", b"\x10\x04\x04", out) == b"\x7e"  # near end + end
    assert status_answer("escpos", b"\x10\x04\x02", Faults(head_open=True)) == b"\x16"


def test_zpl_host_status_frames() -> None:
    answer = status_answer("zpl", b"~HS", Faults(paper_out=True, head_open=True))
    frames = answer.split(b"\r\n")[:3]
    assert frames[0] == b"\x02030,1,0,1218,000,0,0,0,000,0,0,0\x03"
    assert frames[1] == b"\x02001,0,1,0,0,2,6,0,00000000,1,000\x03"
    assert frames[2] == b"\x021234,0\x03"
    assert status_answer("zpl", b"~HI", Faults(), dpi=300).startswith(b"\x02VIRTUAL-ZPL-300dpi")


def test_tspl_status_byte() -> None:
    assert status_answer("tspl", b"\x1b!?", Faults()) == b"\x00"
    assert status_answer("tspl", b"\x1b!?", Faults(head_open=True, paper_out=True)) == b"\x05"
    assert status_answer("tspl", b"\x1b!?", Faults(paused=True)) == b"\x10"


def test_status_answers_over_tcp(printer: VirtualPrinter) -> None:
    assert ask(printer, b"\x10\x04\x01\x10\x04\x02\x10\x04\x04", 3) == b"\x12\x12\x12"
    printer.set_faults(paper_out=True)
    assert ask(printer, b"\x1b!?", 1) == b"\x04"
    assert ask(printer, b"~HS", 3 * 10).count(b"\x03") == 3


def test_a_zpl_only_printer_ignores_other_languages_queries() -> None:
    with VirtualPrinter(language="zpl") as vp:
        vp.set_faults(paper_out=True)
        with socket.create_connection(("127.0.0.1", vp.port), timeout=5) as conn:
            conn.sendall(b"\x10\x04\x01~HS")
            answer = b""
            while answer.count(b"\x03") < 3:
                answer += conn.recv(1024)
        assert answer.startswith(b"\x02030,1,")  # only ~HS was answered


# -- faults and held jobs ----------------------------------------------------------------------


def test_jobs_wait_while_paper_is_out_and_print_when_it_is_back(printer: VirtualPrinter) -> None:
    printer.set_faults(paper_out=True)
    send(printer, encode("zpl", [SMALL]))
    printer.wait_for_held(1)
    assert printer.printed == []
    printer.set_faults(paper_out=False)
    [label] = printer.wait_for_labels(1)
    assert label.bitmap.same_dots(SMALL)
    assert printer.held == 0


def test_cancel_held_drops_stale_jobs(printer: VirtualPrinter) -> None:
    printer.set_faults(head_open=True)
    send(printer, encode("tspl", [SMALL]))
    send(printer, encode("escpos", [SMALL]))
    printer.wait_for_held(2)
    assert printer.cancel_held() == 2
    printer.set_faults(head_open=False)
    send(printer, encode("zpl", [SMALL]))
    [label] = printer.wait_for_labels(1)
    assert label.language == "zpl"


def test_offline_printer_refuses_connections(printer: VirtualPrinter) -> None:
    printer.set_faults(offline=True)
    with socket.create_connection(("127.0.0.1", printer.port), timeout=5) as conn:
        conn.sendall(b"~HS" + encode("zpl", [SMALL]))
        assert conn.recv(100) == b""  # end of stream: no answer
    printer.wait_for_connections(1)
    assert printer.printed == []
    assert printer.held == 0


# -- deliveries --------------------------------------------------------------------------------


def test_callback_queue_and_files(tmp_path: Path) -> None:
    seen: list[PrintedLabel] = []
    with VirtualPrinter(out_dir=tmp_path, on_label=seen.append) as vp:
        send(vp, encode("escpos", [SMALL, SMALL]))
        vp.wait_for_labels(2)
        first = vp.jobs.get(timeout=5)
    assert [label.sequence for label in seen] == [1, 2]
    assert first.language == "escpos"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "00001-escpos.json",
        "00001-escpos.png",
        "00002-escpos.json",
        "00002-escpos.png",
    ]
    sidecar = json.loads((tmp_path / "00002-escpos.json").read_text())
    assert sidecar | {"received_at": "x"} == {
        "language": "escpos",
        "dpi": 203,
        "width_dots": 16,
        "height_dots": 2,
        "width_mm": 2.0,
        "height_mm": 0.3,
        "job": 1,
        "job_bytes": len(encode("escpos", [SMALL, SMALL])),
        "copy": 1,
        "copies": 1,
        "ink_dots": 16,
        "received_at": "x",
        "png": "00002-escpos.png",
    }


def test_bad_job_is_recorded_not_fatal(printer: VirtualPrinter) -> None:
    send(printer, b"^XA^FO0,0^GFA,4,4,2,:Z64:AAAA:0000^FS^XZ")
    printer.wait_for_connections(1)
    assert any("Z64" in error for error in printer.errors)
    send(printer, encode("zpl", [SMALL]))
    assert printer.wait_for_labels(1)[0].bitmap.same_dots(SMALL)


def test_many_clients_at_once(printer: VirtualPrinter) -> None:
    jobs = [encode(lang, [SMALL]) for lang in ("escpos", "zpl", "tspl") for _ in range(4)]
    conns = [socket.create_connection(("127.0.0.1", printer.port), timeout=10) for _ in jobs]
    for conn, job in zip(conns, jobs, strict=True):
        conn.sendall(job[: len(job) // 2])
    for conn, job in zip(conns, jobs, strict=True):
        conn.sendall(job[len(job) // 2 :])
        conn.close()
    printed = printer.wait_for_labels(len(jobs))
    assert sorted(p.language for p in printed) == sorted(["escpos", "zpl", "tspl"] * 4)
    assert [p.sequence for p in printed] == list(range(1, len(jobs) + 1))


# -- the CLI -----------------------------------------------------------------------------------


@pytest.mark.e2e
def test_cli_prints_to_png_and_stops_on_sigterm(tmp_path: Path) -> None:
    out = tmp_path / "labels"
    proc = subprocess.Popen(
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
        env=dict(os.environ),
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["uris"]["zpl"] == f"zpl+tcp://127.0.0.1:{info['port']}?dpi=203"
        with socket.create_connection(("127.0.0.1", info["port"]), timeout=10) as conn:
            conn.sendall(encode("tspl", [SMALL]))
        line = proc.stdout.readline()
        assert line.startswith("printed tspl label 16x2 dots")
        assert (out / "00001-tspl.png").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr


@pytest.mark.e2e
def test_cli_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "clickdrop_desktop", "virtual-printer", "--port", str(port),
             "--out", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
