"""Direct USB through pyusb/libusb: find the printer, claim its bulk OUT endpoint, write in chunks.

The device is found and claimed afresh for every job and released afterwards (kernel driver
re-attached), so a printer that was power-cycled or replugged between jobs just works
(python-escpos#253, #459). The pyusb backend can be injected, which is how the tests drive the
real `usb.core` against a fake device (tests/helpers/fake_usb.py).
"""

from __future__ import annotations

import contextlib
import errno
import sys
import time
from dataclasses import dataclass
from typing import Any

import usb.backend.libusb0
import usb.backend.libusb1
import usb.core
import usb.util
from usb.backend import IBackend

from printing.status import (
    PrinterState,
    PrinterStatus,
    answer_complete,
    combine,
    parse_port_status,
    parse_status,
    status_query,
)
from printing.transports.base import (
    PrinterBusy,
    PrinterDisconnected,
    PrinterError,
    PrinterNotFound,
    PrinterTimeout,
    PrinterUnsupported,
    Transport,
    busy_hint,
    check_job,
    permission_denied,
)
from printing.uri import Language, PrinterUri, printable

PRINTER_CLASS = 7
# USB printer class requests (USB Printing Devices 1.1, section 4.2).
_REQ_GET_DEVICE_ID = 0
_REQ_GET_PORT_STATUS = 1
_CLASS_IN_INTERFACE = 0xA1  # device-to-host | class | interface
_MAX_ZERO_WRITES = 3

NO_BACKEND_MESSAGE = (
    "no USB backend (libusb) found: install libusb-1.0 (Debian/Ubuntu: sudo apt install "
    "libusb-1.0-0; macOS: brew install libusb; Windows: pip install libusb-package) or print "
    "through the printer's OS queue (spool://NAME)"
)


def default_backend() -> IBackend | None:
    """libusb 1.0 (the bundled `libusb_package` copy first, then the system's), then libusb 0.1."""
    try:
        import libusb_package  # optional: ships libusb DLLs for Windows/macOS (node-escpos#32)

        backend = usb.backend.libusb1.get_backend(find_library=libusb_package.find_library)
        if backend is not None:
            return backend
    except ImportError:
        pass
    for module in (usb.backend.libusb1, usb.backend.libusb0):
        found: IBackend | None = module.get_backend()
        if found is not None:
            return found
    return None


@dataclass
class _Claim:
    """A device opened for one job: the interface we claimed and what to undo afterwards."""

    device: Any  # usb.core.Device (pyusb is untyped)
    interface: int
    alternate: int
    ep_out: Any
    ep_in: Any | None
    detached_kernel_driver: bool


class UsbTransport(Transport):
    """`usb://VID:PID[/SERIAL]`: the printer-class interface's bulk OUT endpoint (bulk IN for status)."""

    kind = "usb"

    def __init__(self, uri: PrinterUri, *, backend: IBackend | None = None) -> None:
        super().__init__(uri)
        self._backend = backend
        vid, pid, serial = uri.usb_ids
        self.vid, self.pid, self.serial = vid, pid, serial
        self.label = f"USB printer {vid:04x}:{pid:04x}" + (
            f" (serial {printable(serial, 40)})" if serial else ""
        )

    # ------------------------------------------------------------ finding and claiming

    def backend(self) -> IBackend:
        backend = self._backend or default_backend()
        if backend is None:
            raise PrinterUnsupported(NO_BACKEND_MESSAGE)
        return backend

    def find_device(self) -> Any:
        try:
            devices = list(
                usb.core.find(
                    find_all=True, idVendor=self.vid, idProduct=self.pid, backend=self.backend()
                )
            )
        except usb.core.NoBackendError:
            raise PrinterUnsupported(NO_BACKEND_MESSAGE) from None
        except usb.core.USBError as exc:
            raise _map_error(exc, self.label, writing=False) from None
        if self.serial is not None:
            devices = [dev for dev in devices if self._serial_of(dev) == self.serial]
        if not devices:
            raise PrinterNotFound(
                f"{self.label} is not connected: check the cable and that it is switched on "
                "(`clickdrop-desktop printers` lists what is connected)"
            )
        return devices[0]

    def _serial_of(self, device: Any) -> str | None:
        try:
            # Ask for the language ids ourselves: pyusb's `serial_number` turns EACCES into
            # "no langid", which would hide the permission problem behind "not connected".
            langids = usb.util.get_langids(device)
            if not langids or not device.iSerialNumber:
                return None
            serial: str | None = usb.util.get_string(device, device.iSerialNumber, langids[0])
        except usb.core.USBError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise permission_denied(self.label) from None
            return None
        except ValueError:  # no language ids: the device has no readable strings
            return None
        finally:
            usb.util.dispose_resources(device)
        return serial

    def _claim(self) -> _Claim:
        device = self.find_device()
        number: int | None = None
        claimed = detached = False
        try:
            configuration = _active_configuration(device)
            interface, ep_out, ep_in = _select_interface(configuration, self.label)
            number, alternate = interface.bInterfaceNumber, interface.bAlternateSetting
            detached = _detach_kernel_driver(device, number)
            usb.util.claim_interface(device, number)
            claimed = True
            if alternate:
                device.set_interface_altsetting(number, alternate)
        except usb.core.USBError as exc:
            self._undo(device, number, claimed=claimed, reattach=detached)
            raise _map_error(exc, self.label, writing=False) from None
        except BaseException:
            self._undo(device, number, claimed=claimed, reattach=detached)
            raise
        return _Claim(device, number, alternate, ep_out, ep_in, detached)

    def _release(self, claim: _Claim) -> None:
        self._undo(
            claim.device, claim.interface, claimed=True, reattach=claim.detached_kernel_driver
        )

    @staticmethod
    def _undo(device: Any, interface: int | None, *, claimed: bool, reattach: bool) -> None:
        # Best effort: after an unplug every one of these fails, and that is fine.
        if interface is not None and claimed:
            with contextlib.suppress(usb.core.USBError, ValueError):
                usb.util.release_interface(device, interface)
        if interface is not None and reattach:
            with contextlib.suppress(usb.core.USBError, NotImplementedError):
                device.attach_kernel_driver(interface)
        with contextlib.suppress(usb.core.USBError):
            usb.util.dispose_resources(device)

    # ------------------------------------------------------------ the contract

    def send(self, data: bytes, *, job_name: str) -> None:
        check_job(data)
        claim = self._claim()
        try:
            self._write_all(claim, bytes(data))
        finally:
            self._release(claim)

    def _write_all(self, claim: _Claim, data: bytes) -> None:
        total, sent, zero_writes = len(data), 0, 0
        timeout_ms = max(1, int(self.timeout_s * 1000))
        view = memoryview(data)
        while sent < total:
            chunk = view[sent : sent + self.chunk_size]
            try:
                written = int(claim.ep_out.write(bytes(chunk), timeout=timeout_ms))
            except usb.core.USBError as exc:
                raise _map_error(exc, self.label, writing=True, sent=sent, total=total) from None
            # A short write is normal (the printer took what fitted): carry on with the rest.
            # Nothing taken several times over means the printer is not draining.
            zero_writes = zero_writes + 1 if written <= 0 else 0
            if zero_writes >= _MAX_ZERO_WRITES:
                raise PrinterTimeout(
                    f"{self.label} stopped accepting data after {sent} of {total} bytes",
                    bytes_sent=sent,
                    total=total,
                )
            sent += max(written, 0)
            self.pace(sent, total)

    def query_status(self, language: Language | None = None) -> PrinterStatus:
        language = language or self.uri.language
        try:
            claim = self._claim()
        except (PrinterNotFound, PrinterDisconnected) as exc:
            return PrinterStatus.from_conditions({PrinterState.OFFLINE}, [exc.message])
        try:
            port = _port_status(claim)
            answer = self._ask(claim, language)
        finally:
            self._release(claim)
        return combine(answer, port) if port is not None else answer

    def _ask(self, claim: _Claim, language: Language) -> PrinterStatus:
        query = status_query(language)
        if query is None:
            return PrinterStatus.unknown(f"{language} printers have no status query")
        if claim.ep_in is None:
            return PrinterStatus.unknown("this printer has no status channel (USB OUT only)")
        size = int(claim.ep_in.wMaxPacketSize or 64)
        _drain(claim.ep_in, size)
        try:
            claim.ep_out.write(query, timeout=int(self.status_timeout_s * 1000))
        except usb.core.USBTimeoutError:
            return PrinterStatus.unknown("the printer did not take the status query (busy?)")
        except usb.core.USBError as exc:
            error = _map_error(exc, self.label, writing=True)
            if isinstance(error, PrinterDisconnected | PrinterNotFound):
                return PrinterStatus.from_conditions({PrinterState.OFFLINE}, [error.message])
            raise error from None
        answer = bytearray()
        deadline = time.monotonic() + self.status_timeout_s
        while not answer_complete(language, bytes(answer)):
            remaining_ms = int((deadline - time.monotonic()) * 1000)
            if remaining_ms <= 0:
                break
            try:
                answer += bytes(claim.ep_in.read(size, timeout=remaining_ms))
            except usb.core.USBTimeoutError:
                break
            except usb.core.USBError:
                break
        return parse_status(language, bytes(answer))


# ---------------------------------------------------------------- helpers


def _active_configuration(device: Any) -> Any:
    try:
        return device.get_active_configuration()
    except usb.core.USBError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.ENODEV, errno.EBUSY):
            raise
        # Unconfigured (bConfigurationValue 0): pick the first configuration.
        device.set_configuration()
        return device.get_active_configuration()


def _endpoints(interface: Any) -> tuple[Any | None, Any | None]:
    def is_bulk(ep: Any, direction: int) -> bool:
        return bool(
            usb.util.endpoint_type(ep.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK
            and usb.util.endpoint_direction(ep.bEndpointAddress) == direction
        )

    out_ep = usb.util.find_descriptor(
        interface, custom_match=lambda e: is_bulk(e, usb.util.ENDPOINT_OUT)
    )
    in_ep = usb.util.find_descriptor(
        interface, custom_match=lambda e: is_bulk(e, usb.util.ENDPOINT_IN)
    )
    return out_ep, in_ep


def _select_interface(configuration: Any, label: str) -> tuple[Any, Any, Any | None]:
    """The interface to print through: printer class (07) first, bidirectional preferred, then
    any interface with a bulk OUT endpoint (some cheap printers use a vendor class)."""
    best: tuple[int, Any, Any, Any | None] | None = None
    for interface in configuration:
        out_ep, in_ep = _endpoints(interface)
        if out_ep is None:
            continue
        score = 0
        if interface.bInterfaceClass == PRINTER_CLASS:
            score += 8
        if in_ep is not None:
            score += 2
        if interface.bAlternateSetting == 0:
            score += 1
        if best is None or score > best[0]:
            best = (score, interface, out_ep, in_ep)
    if best is None:
        raise PrinterUnsupported(
            f"{label} has no bulk OUT endpoint: it is not a printer we can drive"
        )
    return best[1], best[2], best[3]


def _detach_kernel_driver(device: Any, interface: int) -> bool:
    """Detach usblp (Linux) from the interface; True if we must re-attach it afterwards."""
    try:
        if not device.is_kernel_driver_active(interface):
            return False
    except NotImplementedError:
        return False
    except usb.core.USBError as exc:
        if exc.errno in (errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOENT):
            return False  # not supported on this OS (macOS, Windows): nothing to detach
        raise
    device.detach_kernel_driver(interface)
    return True


def _drain(ep_in: Any, size: int) -> None:
    """Throw away stale answers (a late reply to an earlier query) before asking again."""
    for _ in range(8):
        try:
            if not len(ep_in.read(size, timeout=20)):
                return
        except usb.core.USBError:
            return


def _port_status(claim: _Claim) -> PrinterStatus | None:
    try:
        answer = claim.device.ctrl_transfer(
            _CLASS_IN_INTERFACE, _REQ_GET_PORT_STATUS, 0, claim.interface, 1, timeout=500
        )
    except (usb.core.USBError, ValueError):
        return None
    return parse_port_status(answer[0]) if len(answer) else None


def read_device_id(device: Any, interface: int, alternate: int = 0, config_index: int = 0) -> str:
    """The IEEE 1284 device id (`MFG:...;CMD:...;MDL:...;`) via the printer class GET_DEVICE_ID."""
    answer = bytes(
        device.ctrl_transfer(
            _CLASS_IN_INTERFACE,
            _REQ_GET_DEVICE_ID,
            config_index,
            (interface << 8) | alternate,
            1023,
            timeout=500,
        )
    )
    if len(answer) < 2:
        return ""
    length = min(int.from_bytes(answer[:2], "big"), len(answer))
    return answer[2:length].decode("latin-1", "replace")


def _map_error(
    exc: usb.core.USBError, label: str, *, writing: bool, sent: int = 0, total: int = 0
) -> PrinterError:
    code = exc.errno
    reason = printable(str(exc.strerror or exc), 80)
    if isinstance(exc, usb.core.USBTimeoutError) or code == errno.ETIMEDOUT:
        return PrinterTimeout(
            f"{label} did not take data for the timeout; at least {sent} of {total} bytes were sent "
            "(paused, out of labels, or buffer full?)",
            bytes_sent=sent,
            total=total,
        )
    if code in (errno.EACCES, errno.EPERM):
        return permission_denied(label, bytes_sent=sent)
    if code == errno.EBUSY:
        return PrinterBusy(f"{label} is busy: {busy_hint()}", bytes_sent=sent, total=total)
    if code in (errno.ENOSYS, errno.EOPNOTSUPP):
        hint = (
            "direct USB on Windows needs the WinUSB driver (Zadig), which breaks the printer for "
            "other apps: print through its Windows queue instead (spool://QUEUE_NAME)"
            if sys.platform == "win32"
            else "print through the printer's OS queue instead (spool://QUEUE_NAME)"
        )
        return PrinterUnsupported(f"{label}: this OS does not allow direct USB access ({hint})")
    if writing and code in (errno.ENODEV, errno.ENXIO, errno.EPIPE, errno.EIO, errno.ENOENT):
        return PrinterDisconnected(
            f"{label} disconnected during the job after {sent} of {total} bytes; "
            "the job is kept and can be sent again",
            bytes_sent=sent,
            total=total,
        )
    if code in (errno.ENODEV, errno.ENXIO, errno.ENOENT):
        return PrinterNotFound(f"{label} is not connected (it went away while opening)")
    return PrinterError(f"USB error on {label}: {reason}", bytes_sent=sent, total=total)
