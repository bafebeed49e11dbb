"""`file://` transport: appends to regular files; writes to character devices (a pty stands in)."""

from __future__ import annotations

import errno
import os
import stat
import sys
import threading
from pathlib import Path

import pytest

from printing.status import PrinterState
from printing.transports import (
    PrinterError,
    PrinterNotFound,
    PrinterPermissionDenied,
    PrinterTimeout,
    open_transport,
)
from printing.transports.file import FileTransport

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="ptys and modes are POSIX")


def test_each_job_is_appended(tmp_path: Path) -> None:
    target = tmp_path / "labels.zpl"
    transport = open_transport(f"zpl+file://{target}")
    transport.send(b"^XA^FO1,1^XZ", job_name="a")
    transport.send(b"^XA^FO2,2^XZ", job_name="b")
    assert target.read_bytes() == b"^XA^FO1,1^XZ^XA^FO2,2^XZ"


@posix_only
def test_new_file_is_private(tmp_path: Path) -> None:
    target = tmp_path / "labels.bin"
    open_transport(f"escpos+file://{target}").send(b"\x1b@", job_name="a")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_missing_folder_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(PrinterNotFound, match="is missing"):
        open_transport(f"zpl+file://{tmp_path}/nope/x.zpl").send(b"^XA^XZ", job_name="a")


@posix_only
@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file modes")
def test_unwritable_file_is_permission_denied(tmp_path: Path) -> None:
    target = tmp_path / "locked.zpl"
    target.write_bytes(b"")
    target.chmod(0o400)
    with pytest.raises(PrinterPermissionDenied):
        open_transport(f"zpl+file://{target}").send(b"^XA^XZ", job_name="a")


def test_a_failed_write_leaves_no_half_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "labels.zpl"
    target.write_bytes(b"EARLIER JOB")
    real_write = os.write
    calls = {"n": 0}

    def failing_write(fd: int, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(PrinterError, match="disk is full"):
        open_transport(f"zpl+file://{target}?chunk=64").send(b"x" * 200, job_name="a")
    monkeypatch.undo()
    assert target.read_bytes() == b"EARLIER JOB"


def test_file_status_is_unknown(tmp_path: Path) -> None:
    status = open_transport(f"zpl+file://{tmp_path}/x.zpl").query_status()
    assert status.state is PrinterState.UNKNOWN


@posix_only
def test_device_node_is_written_directly_and_answers_status() -> None:
    # A pseudo-terminal is a real character device: the "printer" reads the other end.
    controller, device = os.openpty()
    import tty

    tty.setraw(device)  # no line discipline: bytes pass unchanged
    path = os.ttyname(device)
    transport = open_transport(f"tspl+file://{path}")
    assert isinstance(transport, FileTransport)
    assert transport.is_device()
    received = bytearray()

    def printer() -> None:
        while len(received) < 4:
            received.extend(os.read(controller, 64))

    reader = threading.Thread(target=printer)
    reader.start()
    transport.send(b"CLS\n", job_name="a")
    reader.join(5)
    assert bytes(received) == b"CLS\n"

    def answer() -> None:
        query = b""
        while b"\x1b!?" not in query:
            query += os.read(controller, 64)
        os.write(controller, b"\x04")  # out of paper

    responder = threading.Thread(target=answer)
    responder.start()
    status = transport.query_status()
    responder.join(5)
    os.close(controller)
    os.close(device)
    assert status.state is PrinterState.PAPER_OUT


@posix_only
def test_device_that_stops_reading_times_out() -> None:
    controller, device = os.openpty()
    import tty

    tty.setraw(device)
    path = os.ttyname(device)
    try:
        with pytest.raises(PrinterTimeout) as info:
            open_transport(f"escpos+file://{path}?timeout=0.5").send(
                b"\x00" * (1 << 20), job_name="a"
            )
        assert 0 < info.value.bytes_sent < 1 << 20
    finally:
        os.close(controller)
        os.close(device)


@posix_only
def test_missing_device_node_is_not_found_and_offline(tmp_path: Path) -> None:
    transport = open_transport("escpos+file:///dev/usb/lp9")
    with pytest.raises(PrinterNotFound):
        transport.send(b"\x1b@", job_name="a")
    assert transport.query_status().state is PrinterState.OFFLINE


def test_eacces_on_a_device_node_gives_the_udev_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    # Running as root here, so the kernel's refusal is simulated at the os.open boundary.
    def refuse(path: object, flags: int, mode: int = 0o777) -> int:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(PrinterPermissionDenied) as info:
        open_transport("escpos+file:///dev/usb/lp0").send(b"\x1b@", job_name="a")
    if sys.platform.startswith("linux"):
        assert "udevadm control --reload-rules" in info.value.message
