"""The USB transport through pyusb's real `usb.core`, against the fake backend in tests/helpers."""

from __future__ import annotations

import pytest
import usb.core

from printing.status import PrinterState
from printing.transports import (
    PrinterBusy,
    PrinterDisconnected,
    PrinterNotFound,
    PrinterPermissionDenied,
    PrinterTimeout,
    PrinterUnsupported,
    open_transport,
)
from printing.transports.base import UDEV_RULE_NAME
from printing.transports.usb import UsbTransport, read_device_id
from tests.helpers.fake_usb import (
    FakeEndpoint,
    FakeInterface,
    FakePrinter,
    FakeUsbBackend,
    escpos_responder,
    tspl_responder,
    zpl_responder,
)

JOB = bytes(range(256)) * 300  # 76,800 bytes: several chunks


def _transport(printer: FakePrinter, uri: str = "zpl+usb://0a5f:0081") -> UsbTransport:
    transport = open_transport(uri, usb_backend=FakeUsbBackend(printer))
    assert isinstance(transport, UsbTransport)
    return transport


def test_fake_device_is_seen_by_real_pyusb_core() -> None:
    printer = FakePrinter()
    device = usb.core.find(idVendor=0x0A5F, idProduct=0x0081, backend=FakeUsbBackend(printer))
    assert device is not None
    assert device.serial_number == "ZB1234"
    assert device.manufacturer == "Zebra Technologies"
    interface = device.get_active_configuration()[(0, 0)]
    assert interface.bInterfaceClass == 7


def test_send_delivers_every_byte_in_chunks_and_reattaches_usblp() -> None:
    printer = FakePrinter()
    _transport(printer, "zpl+usb://0a5f:0081?chunk=4096").send(JOB, job_name="order 1")
    assert bytes(printer.received) == JOB
    assert max(printer.write_sizes) == 4096
    # usblp detached before the claim, re-attached after the release, handle closed.
    events = printer.events
    assert events.index("detach 0") < events.index("claim 0") < events.index("release 0")
    assert events.index("release 0") < events.index("attach 0")
    assert printer.kernel_driver[0] is True
    assert printer.claimed == set()
    assert printer.open_handles == 0


def test_no_kernel_driver_means_nothing_to_detach_or_reattach() -> None:
    printer = FakePrinter(kernel_driver={0: False})
    _transport(printer).send(b"^XA^XZ", job_name="j")
    assert bytes(printer.received) == b"^XA^XZ"
    assert not any(e.startswith(("detach", "attach")) for e in printer.events)


def test_pause_between_chunks_but_not_after_the_last(monkeypatch: pytest.MonkeyPatch) -> None:
    import printing.transports.base as base

    pauses: list[float] = []
    monkeypatch.setattr(base.time, "sleep", pauses.append)
    printer = FakePrinter()
    _transport(printer, "zpl+usb://0a5f:0081?chunk=1000&pause=25").send(b"x" * 3500, job_name="j")
    assert printer.write_sizes == [1000, 1000, 1000, 500]
    assert pauses == [0.025, 0.025, 0.025]


def test_short_writes_are_continued_until_everything_is_out() -> None:
    printer = FakePrinter(max_write=1000)
    _transport(printer).send(JOB, job_name="j")
    assert bytes(printer.received) == JOB
    assert set(printer.write_sizes) == {1000, len(JOB) % 1000}


def test_a_few_zero_length_writes_are_tolerated() -> None:
    printer = FakePrinter(zero_writes=2)
    _transport(printer).send(b"abc", job_name="j")
    assert bytes(printer.received) == b"abc"


def test_a_printer_that_takes_nothing_times_out() -> None:
    printer = FakePrinter(zero_writes=10)
    with pytest.raises(PrinterTimeout) as info:
        _transport(printer).send(b"abc", job_name="j")
    assert info.value.bytes_sent == 0
    assert info.value.total == 3


def test_timeout_mid_job_reports_bytes_sent_and_releases_the_device() -> None:
    printer = FakePrinter(timeout_after=20_000)
    with pytest.raises(PrinterTimeout) as info:
        _transport(printer, "zpl+usb://0a5f:0081?chunk=8192").send(JOB, job_name="j")
    assert info.value.bytes_sent == 16_384  # two whole chunks went out before the stall
    assert info.value.retryable
    assert "16384 of 76800" in info.value.message
    assert printer.claimed == set()
    assert printer.kernel_driver[0] is True


def test_unplug_mid_job_raises_disconnected_with_bytes_sent() -> None:
    printer = FakePrinter(unplug_after=30_000)
    with pytest.raises(PrinterDisconnected) as info:
        _transport(printer, "zpl+usb://0a5f:0081?chunk=10000").send(JOB, job_name="j")
    assert info.value.bytes_sent == 30_000
    assert info.value.total == len(JOB)
    assert info.value.retryable
    assert "30000 of 76800" in info.value.message


def test_replugged_printer_works_on_the_next_job_without_restart() -> None:
    printer = FakePrinter(unplug_after=100)
    transport = _transport(printer)
    with pytest.raises(PrinterDisconnected):
        transport.send(JOB, job_name="j")
    with pytest.raises(PrinterNotFound):
        transport.send(JOB, job_name="j")
    printer.unplug_after = None
    printer.received.clear()
    printer.replug()
    transport.send(JOB, job_name="j")  # the same transport object: the device is re-opened
    assert bytes(printer.received) == JOB


def test_eacces_gives_the_udev_rule_and_install_command() -> None:
    printer = FakePrinter(deny_open=True)
    with pytest.raises(PrinterPermissionDenied) as info:
        _transport(printer).send(b"x", job_name="j")
    error = info.value
    assert not error.retryable
    assert "sudo install -m 0644" in error.message
    assert f"/etc/udev/rules.d/{UDEV_RULE_NAME}" in error.message
    assert "udevadm control --reload-rules" in error.message
    assert 'TAG+="uaccess"' in error.help_text
    assert "\n" not in error.message


def test_eacces_while_reading_the_serial_is_a_permission_error_too() -> None:
    printer = FakePrinter(deny_open=True)
    with pytest.raises(PrinterPermissionDenied):
        _transport(printer, "zpl+usb://0a5f:0081/ZB1234").send(b"x", job_name="j")


def test_busy_interface_names_cups_or_usblp() -> None:
    printer = FakePrinter(busy=True)
    with pytest.raises(PrinterBusy) as info:
        _transport(printer).send(b"x", job_name="j")
    assert "CUPS" in info.value.message
    assert printer.kernel_driver[0] is True  # re-attached after the failed claim


def test_not_connected() -> None:
    with pytest.raises(PrinterNotFound) as info:
        _transport(FakePrinter(vid=0x1203, pid=0x0230)).send(b"x", job_name="j")
    assert "0a5f:0081 is not connected" in info.value.message


def test_serial_selects_the_right_one_of_two_identical_printers() -> None:
    first = FakePrinter(serial="AAA", address=4)
    second = FakePrinter(serial="BBB", address=5)
    backend = FakeUsbBackend(first, second)
    open_transport("zpl+usb://0a5f:0081/BBB", usb_backend=backend).send(b"^XA^XZ", job_name="j")
    assert bytes(second.received) == b"^XA^XZ"
    assert not first.received
    with pytest.raises(PrinterNotFound):
        open_transport("zpl+usb://0a5f:0081/CCC", usb_backend=backend).send(b"x", job_name="j")


def test_endpoint_selection_prefers_the_printer_class_interface() -> None:
    # Interface 0 is a vendor-specific interface with its own bulk OUT; interface 1 is the
    # printer class (07) with OUT 0x03 and IN 0x84. The printer interface must win.
    printer = FakePrinter(
        interfaces=[
            FakeInterface(0, cls=0xFF, endpoints=[FakeEndpoint(0x01)]),
            FakeInterface(1, endpoints=[FakeEndpoint(0x03), FakeEndpoint(0x84)]),
        ],
        kernel_driver={0: False, 1: True},
    )
    _transport(printer).send(b"payload", job_name="j")
    assert "claim 1" in printer.events
    assert "claim 0" not in printer.events
    assert "detach 1" in printer.events
    assert "attach 1" in printer.events


def test_endpoint_selection_prefers_the_bidirectional_alternate_setting() -> None:
    printer = FakePrinter(
        interfaces=[
            FakeInterface(0, alternate=0, protocol=1, endpoints=[FakeEndpoint(0x01)]),
            FakeInterface(0, alternate=1, protocol=2),
        ],
        responder=zpl_responder(),
    )
    transport = _transport(printer)
    transport.send(b"^XA^XZ", job_name="j")
    assert "altsetting 0 1" in printer.events
    assert transport.query_status().state is PrinterState.READY


def test_vendor_class_printer_without_printer_interface_still_prints() -> None:
    printer = FakePrinter(interfaces=[FakeInterface(0, cls=0xFF, endpoints=[FakeEndpoint(0x02)])])
    _transport(printer).send(b"SIZE 100 mm,150 mm\r\n", job_name="j")
    assert bytes(printer.received).startswith(b"SIZE")


def test_device_without_bulk_out_is_refused() -> None:
    printer = FakePrinter(interfaces=[FakeInterface(0, cls=3, endpoints=[FakeEndpoint(0x81)])])
    with pytest.raises(PrinterUnsupported):
        _transport(printer).send(b"x", job_name="j")


def test_unconfigured_device_gets_its_first_configuration() -> None:
    printer = FakePrinter(configured=False)
    _transport(printer).send(b"x", job_name="j")
    assert "set_configuration 1" in printer.events


def test_empty_job_is_refused_before_touching_the_device() -> None:
    printer = FakePrinter()
    with pytest.raises(ValueError, match="empty"):
        _transport(printer).send(b"", job_name="j")
    assert printer.events == []


def test_status_zpl_paper_out() -> None:
    printer = FakePrinter(responder=zpl_responder(paper_out=True))
    status = _transport(printer).query_status()
    assert status.state is PrinterState.PAPER_OUT
    assert bytes(printer.received) == b"~HS"
    assert printer.kernel_driver[0] is True


def test_status_escpos_cover_open() -> None:
    printer = FakePrinter(vid=0x04B8, pid=0x0E15, responder=escpos_responder(cover_open=True))
    status = _transport(printer, "escpos+usb://04b8:0e15").query_status()
    assert status.state is PrinterState.HEAD_OPEN
    assert PrinterState.OFFLINE in status.conditions


def test_status_tspl_ready() -> None:
    printer = FakePrinter(vid=0x1203, pid=0x0230, responder=tspl_responder(0x00))
    assert _transport(printer, "tspl+usb://1203:0230").query_status().ready


def test_silent_printer_is_unknown_never_ready() -> None:
    printer = FakePrinter(responder=None)
    status = _transport(printer).query_status()
    assert status.state is PrinterState.UNKNOWN


def test_port_status_paper_empty_is_reported_even_without_an_answer() -> None:
    printer = FakePrinter(responder=None, port_status=0x38)  # paper empty bit
    assert _transport(printer).query_status().state is PrinterState.PAPER_OUT


def test_unidirectional_printer_status_is_unknown() -> None:
    printer = FakePrinter(interfaces=[FakeInterface(0, protocol=1, endpoints=[FakeEndpoint(0x01)])])
    status = _transport(printer).query_status()
    assert status.state is PrinterState.UNKNOWN
    assert "no status channel" in status.summary()


def test_status_of_an_unplugged_printer_is_offline() -> None:
    printer = FakePrinter(plugged=False)
    assert _transport(printer).query_status().state is PrinterState.OFFLINE


def test_status_permission_problem_is_raised_not_hidden() -> None:
    with pytest.raises(PrinterPermissionDenied):
        _transport(FakePrinter(deny_open=True)).query_status()


def test_read_device_id_through_printer_class_request() -> None:
    printer = FakePrinter(kernel_driver={0: False})
    device = usb.core.find(idVendor=0x0A5F, backend=FakeUsbBackend(printer))
    assert read_device_id(device, 0) == printer.device_id
    usb.util.dispose_resources(device)


def test_no_libusb_gives_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import printing.transports.usb as usb_module

    monkeypatch.setattr(usb_module, "default_backend", lambda: None)
    with pytest.raises(PrinterUnsupported, match="no USB backend"):
        open_transport("zpl+usb://0a5f:0081").send(b"x", job_name="j")
