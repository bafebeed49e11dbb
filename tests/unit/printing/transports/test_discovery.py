"""Discovery and `clickdrop-desktop printers`: fake USB backend, fake lpstat, the virtual printer."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import printing.transports.usb as usb_module
from clickdrop_desktop.cli import main
from printing.discovery import (
    KNOWN_VENDORS,
    NO_USB_BACKEND_NOTE,
    NO_USB_DEVICES_NOTE,
    discover,
    discover_usb,
    discover_virtual,
    dpi_from_names,
    language_from_device_id,
    language_from_names,
    sysfs_device_ids,
)
from printing.virtual_printer import VirtualPrinter
from tests.helpers.fake_usb import FakeEndpoint, FakeInterface, FakePrinter, FakeUsbBackend

FAKE_LPSTAT = """#!/bin/sh
case "$1" in
  -e) printf 'Zebra_GK420d\\nOffice_Laser\\nRollo\\n' ;;
  -v) printf 'device for Zebra_GK420d: usb://Zebra%%20Technologies/ZTC%%20GK420d?serial=1\\n'
      printf 'device for Office_Laser: ipp://192.168.1.9/ipp/print\\n'
      printf 'device for Rollo: usb://Printer/ThermalPrinter?serial=X\\n' ;;
esac
"""


@pytest.fixture
def fake_lpstat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "lpstat"
    script.write_text(FAKE_LPSTAT)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


@pytest.fixture
def virtual_printer() -> Iterator[VirtualPrinter]:
    with VirtualPrinter(dpi=300) as vp:
        yield vp


def _bench() -> FakeUsbBackend:
    # usblp not bound (no kernel driver), so the printer-class GET_DEVICE_ID request works.
    zebra = FakePrinter(kernel_driver={0: False})  # device id says CMD:ZPL
    tsc = FakePrinter(
        vid=0x1203, pid=0x0230, serial="T1", manufacturer="TSC", product="TE310",
        device_id="MFG:TSC;CMD:TSPL2;MDL:TE310;", address=5, kernel_driver={0: False},
    )  # fmt: skip
    rollo_like = FakePrinter(
        vid=0x0483, pid=0x5720, serial=None, manufacturer="Printer", product="ThermalPrinter",
        device_id="MFG:Printer;CMD:XPP,XL;MDL:Thermal Printer;", address=6, kernel_driver={0: False},
    )  # fmt: skip
    brother = FakePrinter(
        vid=0x04F9, pid=0x209B, serial="B9", manufacturer="Brother", product="QL-800",
        device_id="MFG:Brother;CMD:PT-CBP;MDL:QL-800;", address=7, kernel_driver={0: False},
    )  # fmt: skip
    keyboard = FakePrinter(
        vid=0x046D, pid=0xC31C, manufacturer="Logitech", product="Keyboard", address=8,
        interfaces=[FakeInterface(0, cls=3, endpoints=[FakeEndpoint(0x81, attributes=3)])],
    )  # fmt: skip
    epson_no_access = FakePrinter(
        vid=0x04B8, pid=0x0E15, manufacturer="EPSON", product="TM-T20II", device_id="",
        deny_open=True, address=9,
    )  # fmt: skip
    return FakeUsbBackend(zebra, tsc, rollo_like, brother, keyboard, epson_no_access)


def test_usb_discovery_guesses_language_and_dpi() -> None:
    bench = _bench()
    printers, notes = discover_usb(bench)
    by_name = {p.name: p for p in printers}
    assert "Logitech Keyboard" not in by_name
    zebra = by_name["Zebra Technologies ZTC GK420d"]
    assert zebra.uri == "zpl+usb://0a5f:0081/ZB1234"
    assert (zebra.language_guess, zebra.dpi_guess) == ("zpl", 203)
    assert zebra.note == "from the printer's device id"
    tsc = by_name["TSC TE310"]
    assert tsc.uri == "tspl+usb://1203:0230/T1?dpi=300"
    rollo = by_name["Printer ThermalPrinter"]
    assert rollo.uri == "tspl+usb://0483:5720"
    brother = by_name["Brother QL-800"]
    assert brother.uri is None
    assert "own raster protocol" in brother.note
    epson = by_name["Epson"]  # names unreadable without permission: vendor table fills in
    assert epson.uri == "escpos+usb://04b8:0e15"
    assert any("udev rule" in note and "udevadm" in note for note in notes)
    for fake in bench.printers:
        assert fake.open_handles == 0  # every handle discovery opened was closed again


def test_discovery_reads_device_id_only_when_usblp_does_not_hold_it() -> None:
    held = FakePrinter(kernel_driver={0: True})
    free = FakePrinter(kernel_driver={0: False}, address=5, serial="Z2")
    printers, _ = discover_usb(FakeUsbBackend(held, free), sysfs_root=Path("/nonexistent"))
    assert [p.note for p in printers] == ["usual for Zebra", "from the printer's device id"]
    assert held.kernel_driver[0] is True  # discovery never detaches drivers


def test_device_id_from_usblp_in_sysfs_when_the_driver_holds_the_interface(tmp_path: Path) -> None:
    # /sys/class/usbmisc/lp0/device -> .../1-4/1-4:1.0 (the interface); busnum/devnum in 1-4.
    usb_device = tmp_path / "devices" / "1-4"
    interface = usb_device / "1-4:1.0"
    interface.mkdir(parents=True)
    (usb_device / "busnum").write_text("1\n")
    (usb_device / "devnum").write_text("4\n")
    (interface / "ieee1284_id").write_text("MFG:Printer;CMD:XPP,XL;MDL:X1038;\n")
    usbmisc = tmp_path / "class" / "usbmisc" / "lp0"
    usbmisc.mkdir(parents=True)
    (usbmisc / "device").symlink_to(interface)
    assert sysfs_device_ids(tmp_path / "class" / "usbmisc") == {
        (1, 4): "MFG:Printer;CMD:XPP,XL;MDL:X1038;"
    }
    held = FakePrinter(vid=0x0483, pid=0x5720, bus=1, address=4, manufacturer="", product="")
    printers, _ = discover_usb(FakeUsbBackend(held), sysfs_root=tmp_path / "class" / "usbmisc")
    [printer] = printers
    assert printer.uri == "tspl+usb://0483:5720/ZB1234"
    assert printer.name == "X1038"
    assert held.kernel_driver[0] is True


def test_libusb_without_any_usb_bus_is_a_note() -> None:
    printers, notes = discover_usb(FakeUsbBackend())
    assert printers == []
    assert notes == [NO_USB_DEVICES_NOTE]


def test_no_libusb_is_a_note_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usb_module, "default_backend", lambda: None)
    result = discover(include_queues=False)
    assert result.printers == []
    assert result.notes == [NO_USB_BACKEND_NOTE]


def test_cups_queues(fake_lpstat: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usb_module, "default_backend", lambda: None)
    result = discover()
    queues = {p.name: p for p in result.printers if p.source == "cups"}
    assert queues["Zebra_GK420d"].uri == "zpl+spool://Zebra_GK420d"
    assert queues["Office_Laser"].uri == "pdf+spool://Office_Laser?media=a4"
    assert queues["Office_Laser"].language_guess == "pdf"
    assert queues["Rollo"].language_guess == "tspl"


def test_virtual_printer_is_found_and_confirmed(virtual_printer: VirtualPrinter) -> None:
    printers, notes = discover_virtual(virtual_printer.port)
    assert notes == []
    assert {p.uri for p in printers} == {
        f"{lang}+tcp://127.0.0.1:{virtual_printer.port}?dpi=300"
        for lang in ("zpl", "tspl", "escpos")
    }


def test_virtual_printer_absent_is_a_note() -> None:
    import socket

    # Held bound, never listening: it refuses every connection and no other process can take
    # the port meanwhile (a closed probe's port can be bound by anyone).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        printers, notes = discover_virtual(port)
    assert printers == []
    assert "no virtual printer" in notes[0]


def test_guessers() -> None:
    assert language_from_device_id("MFG:Zebra;CMD:ZPL,EPL;MDL:ZD420;") == "zpl"
    assert language_from_device_id("MANUFACTURER:X;COMMAND SET:TSPL2;") == "tspl"
    assert language_from_device_id("MFG:EPSON;CMD:ESC/POS;MDL:TM-T20;") == "escpos"
    assert language_from_device_id("MFG:HP;CMD:PJL,PCL,PDF;") == "pdf"
    assert language_from_device_id("MFG:DYMO;CMD: ;MDL:LabelWriter 450;") is None
    assert language_from_names("ZDesigner GK420d (EPL)") == "zpl"
    assert language_from_names("MUNBYN ITPP941") == "tspl"
    assert language_from_names("EPSON TM-T88V Receipt") == "escpos"
    assert language_from_names("HP LaserJet") is None
    assert dpi_from_names("Zebra ZD421-300dpi") == 300
    assert dpi_from_names("TSC TE310") == 300
    assert dpi_from_names("Zebra GK420d") == 203


def test_certain_vendor_ids_are_in_the_udev_rule() -> None:
    rule = Path(__file__).resolve().parents[4] / "resources/udev/60-clickdrop-label-printers.rules"
    text = rule.read_text()
    for vendor in KNOWN_VENDORS.values():
        if vendor.certain:
            assert f'ATTR{{idVendor}}=="{vendor.vid:04x}"' in text, vendor.name


# ---------------------------------------------------------------- the CLI


def test_cli_json(
    fake_lpstat: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    virtual_printer: VirtualPrinter,
) -> None:
    backend = _bench()
    monkeypatch.setattr(usb_module, "default_backend", lambda: backend)
    assert main(["printers", "--json", "--virtual-port", str(virtual_printer.port)]) == 0
    out, err = capsys.readouterr()
    rows = json.loads(out)
    assert {"usb", "cups", "virtual"} <= {row["source"] for row in rows}
    for row in rows:
        assert {"uri", "name", "language_guess", "dpi_guess", "transport", "source"} <= set(row)
    assert "note: some USB printers' names could not be read" in err


def test_cli_text(
    fake_lpstat: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = _bench()
    monkeypatch.setattr(usb_module, "default_backend", lambda: backend)
    assert main(["printers"]) == 0
    out = capsys.readouterr().out
    assert "zpl+usb://0a5f:0081/ZB1234" in out
    assert "guesses: correct them" in out


def test_cli_status_paper_out_is_loud(
    virtual_printer: VirtualPrinter, capsys: pytest.CaptureFixture[str]
) -> None:
    virtual_printer.set_faults(paper_out=True)
    assert main(["printers", "--status", virtual_printer.uri("zpl")]) == 1
    assert "PROBLEM: OUT OF LABELS" in capsys.readouterr().out
    virtual_printer.set_faults(paper_out=False)
    assert main(["printers", "--status", virtual_printer.uri("tspl"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "ready"


def test_cli_status_bad_uri_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["printers", "--status", "zpl+tcp://h?dpi=999"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("clickdrop-desktop: dpi must be 203 or 300")
    assert err.count("\n") == 1


def test_cli_status_permission_denied_prints_the_rule(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = FakeUsbBackend(FakePrinter(deny_open=True))
    monkeypatch.setattr(usb_module, "default_backend", lambda: backend)
    assert main(["printers", "--status", "zpl+usb://0a5f:0081"]) == 1
    err = capsys.readouterr().err
    assert 'TAG+="uaccess"' in err
    assert err.strip().splitlines()[-1].startswith("clickdrop-desktop: permission denied")


def test_cli_process_without_usb_bus_does_not_crash(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path), "CLICKDROP_DATA_DIR": str(tmp_path / "d")}
    result = subprocess.run(
        [sys.executable, "-m", "clickdrop_desktop", "printers", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert isinstance(json.loads(result.stdout), list)
    assert "Traceback" not in result.stderr
