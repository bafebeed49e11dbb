"""A fake pyusb backend: printer-class USB devices for pyusb's real `usb.core` (no USB bus needed).

`FakeUsbBackend` subclasses `usb.backend.IBackend` and answers what libusb would: descriptors,
string descriptors, printer-class control requests (GET_DEVICE_ID, GET_PORT_STATUS), kernel driver
attach/detach, claim/release, bulk transfers. Faults are switches on `FakePrinter`: short writes,
timeouts, unplug after N bytes (ENODEV), EACCES on open, EBUSY on claim. Errors are raised the way
pyusb's libusb1 backend raises them: `USBError(strerror, libusb_code, errno)`.
"""

from __future__ import annotations

import array
import errno
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import usb.backend
import usb.core

# libusb error codes, as the libusb1 backend reports them in `backend_error_code`.
LIBUSB_ERROR_IO = -1
LIBUSB_ERROR_ACCESS = -3
LIBUSB_ERROR_NO_DEVICE = -4
LIBUSB_ERROR_NOT_FOUND = -5
LIBUSB_ERROR_BUSY = -6
LIBUSB_ERROR_TIMEOUT = -7
LIBUSB_ERROR_PIPE = -9

BULK = 0x02


def usb_error(code: int) -> usb.core.USBError:
    table = {
        LIBUSB_ERROR_IO: ("Input/Output Error", errno.EIO),
        LIBUSB_ERROR_ACCESS: ("Access denied (insufficient permissions)", errno.EACCES),
        LIBUSB_ERROR_NO_DEVICE: ("No such device (it may have been disconnected)", errno.ENODEV),
        LIBUSB_ERROR_NOT_FOUND: ("Entity not found", errno.ENOENT),
        LIBUSB_ERROR_BUSY: ("Resource busy", errno.EBUSY),
        LIBUSB_ERROR_TIMEOUT: ("Operation timed out", errno.ETIMEDOUT),
        LIBUSB_ERROR_PIPE: ("Pipe error", errno.EPIPE),
    }
    text, err = table[code]
    if code == LIBUSB_ERROR_TIMEOUT:
        return usb.core.USBTimeoutError(text, code, err)
    return usb.core.USBError(text, code, err)


@dataclass
class FakeEndpoint:
    address: int  # bEndpointAddress: bit 7 set = IN
    attributes: int = BULK
    max_packet: int = 64


@dataclass
class FakeInterface:
    number: int
    alternate: int = 0
    cls: int = 7  # printer
    subclass: int = 1
    protocol: int = 2  # bidirectional
    endpoints: list[FakeEndpoint] = field(
        default_factory=lambda: [FakeEndpoint(0x01), FakeEndpoint(0x82)]
    )


Responder = Callable[[bytes], bytes]


@dataclass
class FakePrinter:
    """One emulated device, its descriptors, its state and its fault switches."""

    vid: int = 0x0A5F
    pid: int = 0x0081
    serial: str | None = "ZB1234"
    manufacturer: str = "Zebra Technologies"
    product: str = "ZTC GK420d"
    device_class: int = 0  # 0 = "see interfaces"
    device_id: str = "MFG:Zebra Technologies;CMD:ZPL;MDL:GK420d;CLS:PRINTER;"
    interfaces: list[FakeInterface] = field(default_factory=lambda: [FakeInterface(0)])
    bus: int = 1
    address: int = 4
    configured: bool = True
    # State.
    plugged: bool = True
    kernel_driver: dict[int, bool] = field(default_factory=lambda: {0: True})
    claimed: set[int] = field(default_factory=set)
    open_handles: int = 0
    received: bytearray = field(default_factory=bytearray)
    pending_in: bytearray = field(default_factory=bytearray)
    events: list[str] = field(default_factory=list)
    write_sizes: list[int] = field(default_factory=list)
    # Faults.
    max_write: int | None = None  # short writes: accept at most this many bytes per transfer
    zero_writes: int = 0  # the next N writes accept nothing
    timeout_after: int | None = None  # time out once this many bytes were received
    timeout_writes: int = 0  # the next N writes time out before taking anything
    unplug_after: int | None = None  # disappear (ENODEV) once this many bytes were received
    deny_open: bool = False  # EACCES on open (no udev rule)
    busy: bool = False  # EBUSY on claim (another process holds it)
    strings_fail: bool = False  # string descriptors unreadable
    port_status: int = 0x18  # selected, not error, paper present
    responder: Responder | None = None  # answers bytes written to the bulk OUT endpoint

    def unplug(self) -> None:
        self.plugged = False
        self.events.append("unplug")

    def replug(self) -> None:
        self.plugged = True
        self.kernel_driver = dict.fromkeys(self.kernel_driver, True)
        self.claimed.clear()
        self.events.append("replug")


# Descriptor records: plain attribute bags, as pyusb reads them with getattr.
@dataclass
class _DeviceDescriptor:
    idVendor: int
    idProduct: int
    bDeviceClass: int
    bNumConfigurations: int
    bus: int
    address: int
    iManufacturer: int = 1
    iProduct: int = 2
    iSerialNumber: int = 3
    bLength: int = 18
    bDescriptorType: int = 1
    bcdUSB: int = 0x0200
    bDeviceSubClass: int = 0
    bDeviceProtocol: int = 0
    bMaxPacketSize0: int = 64
    bcdDevice: int = 0x0100
    port_number: int | None = 1
    port_numbers: tuple[int, ...] = (1,)
    speed: int | None = 3


@dataclass
class _ConfigDescriptor:
    bNumInterfaces: int
    bConfigurationValue: int = 1
    bLength: int = 9
    bDescriptorType: int = 2
    wTotalLength: int = 32
    iConfiguration: int = 0
    bmAttributes: int = 0xC0
    bMaxPower: int = 50
    extra_descriptors: tuple[int, ...] = ()


@dataclass
class _InterfaceDescriptor:
    bInterfaceNumber: int
    bAlternateSetting: int
    bNumEndpoints: int
    bInterfaceClass: int
    bInterfaceSubClass: int
    bInterfaceProtocol: int
    bLength: int = 9
    bDescriptorType: int = 4
    iInterface: int = 0
    extra_descriptors: tuple[int, ...] = ()


@dataclass
class _EndpointDescriptor:
    bEndpointAddress: int
    bmAttributes: int
    wMaxPacketSize: int
    bLength: int = 7
    bDescriptorType: int = 5
    bInterval: int = 0
    bRefresh: int = 0
    bSynchAddress: int = 0
    extra_descriptors: tuple[int, ...] = ()


@dataclass
class _Handle:
    printer: FakePrinter
    closed: bool = False


class FakeUsbBackend(usb.backend.IBackend):  # type: ignore[misc]
    """Pass as `backend=` to `usb.core.find` (or `open_transport(..., usb_backend=...)`)."""

    def __init__(self, *printers: FakePrinter) -> None:
        super().__init__()
        self.printers = list(printers)

    # -- enumeration and descriptors
    def enumerate_devices(self) -> Iterator[FakePrinter]:
        return iter([p for p in self.printers if p.plugged])

    def get_parent(self, dev: FakePrinter) -> None:
        return None

    def get_device_descriptor(self, dev: FakePrinter) -> _DeviceDescriptor:
        return _DeviceDescriptor(
            dev.vid, dev.pid, dev.device_class, 1, dev.bus, dev.address,
            iSerialNumber=3 if dev.serial is not None else 0,
        )  # fmt: skip

    def get_configuration_descriptor(self, dev: FakePrinter, config: int) -> _ConfigDescriptor:
        if config != 0:
            raise IndexError(config)
        return _ConfigDescriptor(len({i.number for i in dev.interfaces}))

    def _interface(self, dev: FakePrinter, intf: int, alt: int) -> FakeInterface:
        numbers = sorted({i.number for i in dev.interfaces})
        if intf >= len(numbers):
            raise IndexError(intf)
        alts = [i for i in dev.interfaces if i.number == numbers[intf]]
        if alt >= len(alts):
            raise IndexError(alt)
        return alts[alt]

    def get_interface_descriptor(
        self, dev: FakePrinter, intf: int, alt: int, config: int
    ) -> _InterfaceDescriptor:
        i = self._interface(dev, intf, alt)
        return _InterfaceDescriptor(
            i.number, i.alternate, len(i.endpoints), i.cls, i.subclass, i.protocol
        )

    def get_endpoint_descriptor(
        self, dev: FakePrinter, ep: int, intf: int, alt: int, config: int
    ) -> _EndpointDescriptor:
        endpoint = self._interface(dev, intf, alt).endpoints[ep]
        return _EndpointDescriptor(endpoint.address, endpoint.attributes, endpoint.max_packet)

    # -- handles
    def open_device(self, dev: FakePrinter) -> _Handle:
        if not dev.plugged:
            raise usb_error(LIBUSB_ERROR_NO_DEVICE)
        if dev.deny_open:
            raise usb_error(LIBUSB_ERROR_ACCESS)
        dev.open_handles += 1
        dev.events.append("open")
        return _Handle(dev)

    def close_device(self, dev_handle: _Handle) -> None:
        if not dev_handle.closed:
            dev_handle.closed = True
            dev_handle.printer.open_handles -= 1
            dev_handle.printer.events.append("close")

    def _live(self, handle: _Handle) -> FakePrinter:
        if handle.closed:
            raise usb_error(LIBUSB_ERROR_IO)
        if not handle.printer.plugged:
            raise usb_error(LIBUSB_ERROR_NO_DEVICE)
        return handle.printer

    def set_configuration(self, dev_handle: _Handle, config_value: int) -> None:
        printer = self._live(dev_handle)
        printer.configured = config_value != 0
        printer.events.append(f"set_configuration {config_value}")

    def get_configuration(self, dev_handle: _Handle) -> int:
        return 1 if self._live(dev_handle).configured else 0

    def set_interface_altsetting(self, dev_handle: _Handle, intf: int, altsetting: int) -> None:
        self._live(dev_handle).events.append(f"altsetting {intf} {altsetting}")

    def claim_interface(self, dev_handle: _Handle, intf: int) -> None:
        printer = self._live(dev_handle)
        if printer.kernel_driver.get(intf) or printer.busy:
            raise usb_error(LIBUSB_ERROR_BUSY)
        printer.claimed.add(intf)
        printer.events.append(f"claim {intf}")

    def release_interface(self, dev_handle: _Handle, intf: int) -> None:
        printer = self._live(dev_handle)
        printer.claimed.discard(intf)
        printer.events.append(f"release {intf}")

    # -- kernel driver (usblp)
    def is_kernel_driver_active(self, dev_handle: _Handle, intf: int) -> bool:
        return bool(self._live(dev_handle).kernel_driver.get(intf, False))

    def detach_kernel_driver(self, dev_handle: _Handle, intf: int) -> None:
        printer = self._live(dev_handle)
        if not printer.kernel_driver.get(intf):
            raise usb_error(LIBUSB_ERROR_NOT_FOUND)
        printer.kernel_driver[intf] = False
        printer.events.append(f"detach {intf}")

    def attach_kernel_driver(self, dev_handle: _Handle, intf: int) -> None:
        printer = self._live(dev_handle)
        if intf in printer.claimed:
            raise usb_error(LIBUSB_ERROR_BUSY)
        printer.kernel_driver[intf] = True
        printer.events.append(f"attach {intf}")

    # -- transfers
    def bulk_write(
        self, dev_handle: _Handle, ep: int, intf: int, data: array.array[int], timeout: int
    ) -> int:
        printer = self._live(dev_handle)
        if intf not in printer.claimed:
            raise usb_error(LIBUSB_ERROR_IO)
        if printer.timeout_writes:
            printer.timeout_writes -= 1
            raise usb_error(LIBUSB_ERROR_TIMEOUT)
        if printer.zero_writes:
            printer.zero_writes -= 1
            printer.write_sizes.append(0)
            return 0
        payload = bytes(data)
        if printer.max_write is not None:
            payload = payload[: printer.max_write]
        for limit, action in ((printer.unplug_after, "unplug"), (printer.timeout_after, "timeout")):
            if limit is not None and len(printer.received) + len(payload) > limit:
                room = max(limit - len(printer.received), 0)
                printer.received += payload[:room]
                if action == "unplug":
                    printer.unplug()
                    raise usb_error(LIBUSB_ERROR_NO_DEVICE)
                raise usb_error(LIBUSB_ERROR_TIMEOUT)
        printer.received += payload
        printer.write_sizes.append(len(payload))
        if printer.responder is not None:
            printer.pending_in += printer.responder(payload)
        return len(payload)

    def bulk_read(
        self, dev_handle: _Handle, ep: int, intf: int, buff: array.array[int], timeout: int
    ) -> int:
        printer = self._live(dev_handle)
        if intf not in printer.claimed:
            raise usb_error(LIBUSB_ERROR_IO)
        if not printer.pending_in:
            raise usb_error(LIBUSB_ERROR_TIMEOUT)
        count = min(len(buff), len(printer.pending_in))
        buff[:count] = array.array("B", printer.pending_in[:count])
        del printer.pending_in[:count]
        return count

    def ctrl_transfer(
        self,
        dev_handle: _Handle,
        bmRequestType: int,
        bRequest: int,
        wValue: int,
        wIndex: int,
        data: array.array[int],
        timeout: int,
    ) -> int:
        printer = self._live(dev_handle)
        answer: bytes
        if bmRequestType == 0x80 and bRequest == 0x06 and wValue >> 8 == 0x03:
            if printer.strings_fail:
                raise usb_error(LIBUSB_ERROR_PIPE)
            answer = self._string_descriptor(printer, wValue & 0xFF)
        elif bmRequestType == 0xA1 and bRequest == 0:  # GET_DEVICE_ID
            encoded = printer.device_id.encode("latin-1")
            answer = (len(encoded) + 2).to_bytes(2, "big") + encoded
        elif bmRequestType == 0xA1 and bRequest == 1:  # GET_PORT_STATUS
            answer = bytes([printer.port_status])
        else:
            raise usb_error(LIBUSB_ERROR_PIPE)  # a stall: request not supported
        count = min(len(data), len(answer))
        data[:count] = array.array("B", answer[:count])
        return count

    @staticmethod
    def _string_descriptor(printer: FakePrinter, index: int) -> bytes:
        if index == 0:
            return bytes([4, 3, 0x09, 0x04])  # langid 0x0409 (English, US)
        text = {1: printer.manufacturer, 2: printer.product, 3: printer.serial or ""}.get(index)
        if text is None:
            raise usb_error(LIBUSB_ERROR_PIPE)
        encoded = text.encode("utf-16-le")
        return bytes([len(encoded) + 2, 3]) + encoded


def escpos_responder(*, paper_out: bool = False, cover_open: bool = False) -> Responder:
    """Answers DLE EOT 1/2/4 with the documented bytes (fixed bits 1 and 4 set)."""

    def answer(data: bytes) -> bytes:
        out = bytearray()
        for index in range(len(data) - 2):
            if data[index : index + 2] == b"\x10\x04":
                n = data[index + 2]
                if n == 1:
                    out.append(0x12 | (0x08 if paper_out or cover_open else 0))
                elif n == 2:
                    out.append(0x12 | (0x04 if cover_open else 0) | (0x20 if paper_out else 0))
                elif n == 4:
                    out.append(0x12 | (0x60 if paper_out else 0))
        return bytes(out)

    return answer


def zpl_responder(
    *, paper_out: bool = False, paused: bool = False, head_up: bool = False
) -> Responder:
    """Answers `~HS` with the three framed host status strings of the ZPL II guide."""

    def answer(data: bytes) -> bytes:
        if b"~HS" not in data:
            return b""
        line1 = f"030,{int(paper_out)},{int(paused)},1218,000,0,0,0,000,0,0,0"
        line2 = f"001,0,{int(head_up)},0,0,2,6,0,00000000,1,000"
        return b"".join(b"\x02" + line.encode() + b"\x03\r\n" for line in (line1, line2, "1234,0"))

    return answer


def tspl_responder(value: int) -> Responder:
    """Answers `<ESC>!?` with one status byte."""

    def answer(data: bytes) -> bytes:
        return bytes([value]) if b"\x1b!?" in data else b""

    return answer
