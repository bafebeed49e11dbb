"""Finding printers: USB label printers, OS print queues, the virtual printer, with guesses.

Language and resolution are guesses the user confirms or corrects (a 300 dpi printer driven at
203 dpi prints labels too small: the ShipStation "labels too large or too small" case). The best
evidence is the printer's own IEEE 1284 device id (`CMD:ZPL`, `CMD:TSPL2`, `CMD:XPP,XL` on Rollo
class printers, per LPrint's driver tables), then the vendor id, then names.

Nothing here prints or sends a status query to an unknown printer: a query in the wrong language
could come out as garbage on a label.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from printing.uri import DEFAULT_DPI, Language, TransportKind, printable

NO_USB_BACKEND_NOTE = "no USB backend (libusb) found: USB printers are not listed"
NO_USB_DEVICES_NOTE = (
    "libusb sees no USB devices at all (no USB bus here?): USB printers not listed"
)
SYSFS_USBMISC = Path("/sys/class/usbmisc")


@dataclass(frozen=True)
class KnownVendor:
    """A USB vendor id that makes label or receipt printers, and what its printers usually speak.

    `certain` is False where the id comes from a single report or memory rather than a vendor
    list: such rows say so in `source`, and the guess is shown as a guess.
    """

    vid: int
    name: str
    language: Language | None
    certain: bool
    source: str


KNOWN_VENDORS: dict[int, KnownVendor] = {
    v.vid: v
    for v in (
        KnownVendor(0x0A5F, "Zebra", "zpl", True, "usb.ids: 0a5f Zebra"),
        KnownVendor(0x1203, "TSC", "tspl", True, "issue brief; drffej/webusb.printer#4"),
        KnownVendor(0x04B8, "Epson", "escpos", True, "python-escpos USB examples (TM-T20)"),
        KnownVendor(0x04F9, "Brother", None, True, "lsusb 04f9:209b QL-800 (CAPS docs)"),
        KnownVendor(0x0922, "DYMO", None, True, "lsusb 0922:1001 in computerlyrik/dymoprint#40"),
        KnownVendor(0x2AAF, "iDPRT", "tspl", True, "lsusb 2aaf:9006 in michaelrsweet/lprint#143"),
        KnownVendor(0x0519, "Star Micronics", "escpos", False, "guess: from memory, unverified"),
        KnownVendor(0x1D90, "Citizen", "escpos", False, "guess: Citizen Systems, unverified"),
        KnownVendor(0x2730, "Citizen", "escpos", False, "guess: Citizen CT-S, unverified"),
        KnownVendor(0x20D1, "HPRT", "tspl", False, "guess: HPRT (Xiamen Hanin), unverified"),
        KnownVendor(0x2E3C, "Phomemo", "tspl", False, "michaelrsweet/lprint PR #213 (one report)"),
    )
}

# Brands whose USB vendor ids we could not confirm (Rollo, Munbyn, Beeprt, Xprinter and other
# 4x6 budget printers often use generic chip-maker ids): recognised by their names instead.
_NAME_HINTS: tuple[tuple[re.Pattern[str], Language], ...] = (
    (re.compile(r"zebra|zdesigner|\bzpl\b|\bzt\d{3}|\bgk4\d\d|\bzd\d{3}", re.I), "zpl"),
    (
        re.compile(
            r"\btsc\b|rollo|munbyn|beeprt|xprinter|idprt|phomemo|vevor|marklife|itpp\d|\btspl",
            re.I,
        ),
        "tspl",
    ),
    (
        re.compile(r"\bepson\b.*\btm\b|\btm-[a-z]?\d|esc/?pos|receipt|pos-?\d\d|\bstar\b", re.I),
        "escpos",
    ),
)
_THREE_HUNDRED_DPI = re.compile(
    r"300\s*dpi|[-_ ]300\b|\b(gx430|ztc gx430|te310|tx310|ttp-345|ttp-343|da310|me340|itpp988)",
    re.I,
)


@dataclass(frozen=True)
class DiscoveredPrinter:
    """One printer found, with the URI we would print to and our guesses."""

    uri: str | None
    name: str
    language_guess: Language | None
    dpi_guess: int
    transport: TransportKind
    source: str  # "usb", "cups", "windows", "virtual"
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "name": self.name,
            "language_guess": self.language_guess,
            "dpi_guess": self.dpi_guess,
            "transport": self.transport,
            "source": self.source,
            "note": self.note,
        }


@dataclass
class Discovery:
    printers: list[DiscoveredPrinter] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def language_from_device_id(device_id: str) -> Language | None:
    """`CMD:` (or `COMMAND SET:`) of an IEEE 1284 device id -> our language, if we speak it."""
    fields: dict[str, str] = {}
    for part in device_id.split(";"):
        key, _, value = part.partition(":")
        fields[key.strip().upper()] = value.strip()
    command = (fields.get("CMD") or fields.get("COMMAND SET") or "").upper()
    tokens = {token.strip() for token in command.split(",")}
    if any(t.startswith("ZPL") for t in tokens):
        return "zpl"
    if any(t.startswith("TSPL") for t in tokens) or "XPP" in tokens:
        return "tspl"  # XPP,XL: Rollo X1038 and its TSPL siblings (LPrint's TSPL driver table)
    if tokens & {"ESC/POS", "ESCPOS", "ESC/POS-1", "EPSON"}:
        return "escpos"
    if tokens & {"PDF", "PCL", "PCLXL", "PJL", "POSTSCRIPT", "PS", "URF", "PWG"}:
        return "pdf"
    return None


def language_from_names(*names: str) -> Language | None:
    text = " ".join(n for n in names if n)
    for pattern, language in _NAME_HINTS:
        if pattern.search(text):
            return language
    return None


def dpi_from_names(*names: str) -> int:
    text = " ".join(n for n in names if n)
    return 300 if _THREE_HUNDRED_DPI.search(text) else DEFAULT_DPI


def _device_id_model(device_id: str) -> str:
    for part in device_id.split(";"):
        key, _, value = part.partition(":")
        if key.strip().upper() in ("MDL", "MODEL"):
            return value.strip()
    return ""


# ---------------------------------------------------------------- USB


def discover_usb(
    backend: Any = None, *, sysfs_root: Path = SYSFS_USBMISC
) -> tuple[list[DiscoveredPrinter], list[str]]:
    """Printer-class USB devices and devices of known label-printer vendors."""
    import usb.core
    import usb.util

    from printing.transports.base import udev_install_command
    from printing.transports.usb import PRINTER_CLASS, default_backend, read_device_id

    notes: list[str] = []
    backend = backend or default_backend()
    if backend is None:
        return [], [NO_USB_BACKEND_NOTE]
    try:
        devices = list(usb.core.find(find_all=True, backend=backend))
    except (usb.core.USBError, usb.core.NoBackendError, OSError) as exc:
        return [], [f"cannot list USB devices: {printable(str(exc))}"]
    if not devices:  # not even a root hub: no bus visible (a container without /dev/bus/usb)
        return [], [NO_USB_DEVICES_NOTE]
    found: list[DiscoveredPrinter] = []
    names_unreadable = False
    kernel_ids = sysfs_device_ids(sysfs_root)
    for device in devices:
        try:
            interface = _printer_interface(device, PRINTER_CLASS)
            vendor = KNOWN_VENDORS.get(int(device.idVendor))
            if interface is None and vendor is None and device.bDeviceClass != PRINTER_CLASS:
                continue
            strings, readable = _strings(device)
            names_unreadable |= not readable
            device_id = ""
            if interface is not None:
                try:
                    device_id = read_device_id(
                        device, interface.bInterfaceNumber, interface.bAlternateSetting
                    )
                except (usb.core.USBError, ValueError):
                    # usblp holds the interface (or no permission): the kernel read it for us.
                    device_id = kernel_ids.get((device.bus, device.address), "")
            found.append(_usb_entry(device, vendor, strings, device_id))
        finally:
            usb.util.dispose_resources(device)
    if names_unreadable:
        notes.append(
            "some USB printers' names could not be read (permission): install the udev rule: "
            + udev_install_command()
        )
    return found, notes


def sysfs_device_ids(root: Path = SYSFS_USBMISC) -> dict[tuple[int, int], str]:
    """IEEE 1284 ids the Linux usblp driver already read, keyed by (bus, device address).

    `/sys/class/usbmisc/lpN/device` is the printer interface; its parent USB device holds
    `busnum` and `devnum`. Empty where there is no usblp (other OSes, no printer attached).
    """
    found: dict[tuple[int, int], str] = {}
    try:
        entries = sorted(root.glob("lp*"))
    except OSError:
        return found
    for entry in entries:
        try:
            interface = (entry / "device").resolve()
            device_id = (interface / "ieee1284_id").read_text(encoding="latin-1").strip()
            bus = int((interface.parent / "busnum").read_text().strip())
            address = int((interface.parent / "devnum").read_text().strip())
        except (OSError, ValueError):
            continue
        if device_id:
            found[(bus, address)] = device_id
    return found


def _printer_interface(device: Any, printer_class: int) -> Any | None:
    try:
        for configuration in device:
            for interface in configuration:
                if interface.bInterfaceClass == printer_class:
                    return interface
    except Exception:  # noqa: BLE001 - a device with unreadable descriptors is simply skipped
        return None
    return None


def _strings(device: Any) -> tuple[dict[str, str], bool]:
    import usb.core
    import usb.util

    out: dict[str, str] = {}
    try:
        langids = usb.util.get_langids(device)
    except (usb.core.USBError, ValueError):
        return out, False
    if not langids:
        return out, True
    for key, index in (
        ("manufacturer", device.iManufacturer),
        ("product", device.iProduct),
        ("serial", device.iSerialNumber),
    ):
        if not index:
            continue
        try:
            value = usb.util.get_string(device, index, langids[0])
        except (usb.core.USBError, ValueError):
            continue
        if value:
            out[key] = printable(value.strip(), 60)
    return out, True


def _usb_entry(
    device: Any, vendor: KnownVendor | None, strings: dict[str, str], device_id: str
) -> DiscoveredPrinter:
    vid, pid = int(device.idVendor), int(device.idProduct)
    manufacturer = strings.get("manufacturer") or (vendor.name if vendor else "")
    product = strings.get("product") or _device_id_model(device_id)
    name = " ".join(part for part in (manufacturer, product) if part) or f"USB {vid:04x}:{pid:04x}"
    language = language_from_device_id(device_id)
    reason = "from the printer's device id" if language else ""
    if language is None and vendor is not None and vendor.language is not None:
        language = vendor.language
        reason = f"usual for {vendor.name}" + ("" if vendor.certain else " (vendor id is a guess)")
    if language is None:
        language = language_from_names(manufacturer, product)
        reason = "from its name" if language else ""
    dpi = dpi_from_names(product, _device_id_model(device_id))
    note = reason
    uri: str | None = None
    serial = strings.get("serial")
    address = f"{vid:04x}:{pid:04x}" + (f"/{quote(serial, safe='._-~+@,')}" if serial else "")
    if language == "pdf":
        language, note = None, "an office printer: print to its OS queue (pdf+spool://NAME)"
    if language is not None:
        uri = f"{language}+usb://{address}" + ("?dpi=300" if dpi == 300 else "")
    elif vendor is not None and vendor.language is None:
        note = f"{vendor.name} printers use their own raster protocol: print to its OS queue"
    elif not note:
        note = "language unknown: most 4x6 budget printers speak tspl, receipt printers escpos"
    return DiscoveredPrinter(uri, name, language, dpi, "usb", "usb", note)


# ---------------------------------------------------------------- OS queues


def discover_cups() -> tuple[list[DiscoveredPrinter], list[str]]:
    """CUPS queues (Linux, macOS): `lpstat -e` names, `lpstat -v` device URIs for the guesses."""
    from printing.transports.spool import cups_env

    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return [], ["CUPS not found (no lpstat): OS print queues are not listed"]
    try:
        names = _run([lpstat, "-e"], cups_env())
        devices = _run([lpstat, "-v"], cups_env())
    except (subprocess.SubprocessError, OSError) as exc:
        return [], [f"CUPS did not answer: {printable(str(exc))}"]
    device_uris: dict[str, str] = {}
    for line in devices.splitlines():
        match = re.match(r"device for (.+?): (.*)$", line.strip())
        if match:
            device_uris[match.group(1)] = match.group(2)
    found = []
    for raw_name in names.splitlines():
        name = raw_name.strip()
        if not name or not name.isprintable():
            continue
        device_uri = device_uris.get(name, "")
        found.append(_queue_entry(name, device_uri, "cups"))
    return found, []


def discover_windows() -> tuple[list[DiscoveredPrinter], list[str]]:
    """Windows queues via pywin32 `EnumPrinters` (untested here: written to the documented API)."""
    try:
        import win32print
    except ImportError:
        return [], ["pywin32 is not installed: Windows print queues are not listed"]
    flags = win32print.PRINTER_ENUM_LOCAL | win32print.PRINTER_ENUM_CONNECTIONS
    found = []
    for info in win32print.EnumPrinters(flags, None, 2):
        name = str(info.get("pPrinterName") or "")
        if name:
            detail = f"{info.get('pDriverName') or ''} {info.get('pPortName') or ''}"
            found.append(_queue_entry(name, detail, "windows"))
    return found, []


def _queue_entry(name: str, detail: str, source: str) -> DiscoveredPrinter:
    from urllib.parse import unquote

    readable_detail = unquote(detail)
    language = language_from_names(name, readable_detail)
    note = "thermal printer: sent raw" if language else "office printer: PDF through its driver"
    language = language or "pdf"
    dpi = dpi_from_names(name, readable_detail)
    uri = f"{language}+spool://{quote(name, safe='._-~+@,')}"
    if language == "pdf":
        uri += "?media=a4"
    elif dpi == 300:
        uri += "?dpi=300"
    return DiscoveredPrinter(uri, printable(name, 80), language, dpi, "spool", source, note)


def _run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(command, capture_output=True, timeout=10, env=env, check=False)
    return result.stdout.decode("utf-8", "replace")


# ---------------------------------------------------------------- virtual printer


def discover_virtual(
    port: int, host: str = "127.0.0.1"
) -> tuple[list[DiscoveredPrinter], list[str]]:
    """The virtual printer on `port`, confirmed by its answer to ZPL `~HI` (host identification)."""
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.settimeout(2)
            sock.sendall(b"~HI")
            answer = sock.recv(256)
    except OSError as exc:
        return [], [f"no virtual printer on {host}:{port} ({printable(str(exc), 60)})"]
    if b"VIRTUAL" not in answer:
        return [], [f"something answers on {host}:{port}, but it is not the virtual printer"]
    match = re.search(rb"(\d{3})dpi", answer)
    dpi = int(match.group(1)) if match else DEFAULT_DPI
    suffix = "" if dpi == DEFAULT_DPI else f"?dpi={dpi}"
    found = [
        DiscoveredPrinter(
            f"{language}+tcp://{host}:{port}{suffix}",
            f"Virtual printer ({language})",
            language,
            dpi,
            "tcp",
            "virtual",
            "decodes jobs to PNG",
        )
        for language in ("zpl", "tspl", "escpos")
    ]
    return found, []


# ---------------------------------------------------------------- all of it


def discover(
    *,
    usb_backend: Any = None,
    include_usb: bool = True,
    include_queues: bool = True,
    virtual_port: int | None = None,
) -> Discovery:
    """Everything we can find; each source that fails adds a note instead of failing the rest."""
    result = Discovery()
    sources: list[tuple[list[DiscoveredPrinter], list[str]]] = []
    if include_usb:
        sources.append(discover_usb(usb_backend))
    if include_queues:
        sources.append(discover_windows() if sys.platform == "win32" else discover_cups())
    if virtual_port is not None:
        sources.append(discover_virtual(virtual_port))
    for printers, notes in sources:
        result.printers += printers
        result.notes += notes
    return result
