"""The transport contract: move bytes to a printer (and read status bytes back), typed errors."""

from __future__ import annotations

import sys
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

from clickdrop_desktop.closing import Closing
from printing.status import PrinterStatus
from printing.uri import Language, PrinterUri, TransportKind, printable

DEFAULT_TIMEOUT_S = 15.0  # per chunk: a 5 s timeout was too short for busy printers (brother_ql#48)
DEFAULT_CHUNK = 16 * 1024  # small enough that a stalled printer is noticed chunk by chunk
STATUS_TIMEOUT_S = 2.0  # how long a status query waits for an answer before saying "unknown"

UDEV_RULE_NAME = "60-clickdrop-label-printers.rules"


class PrinterError(Exception):
    """A print or status failure with one line for the user (`message`).

    `retryable` tells the print queue whether trying again later can help (an unplugged printer
    can be plugged back in; a missing permission needs the user). `bytes_sent` says how much of
    the job left this machine before the failure.
    """

    retryable: ClassVar[bool] = True

    def __init__(
        self, message: str, *, bytes_sent: int = 0, total: int = 0, help_text: str = ""
    ) -> None:
        one_line = " ".join(message.split())
        super().__init__(one_line)
        self.message = one_line
        self.bytes_sent = bytes_sent
        self.total = total
        self.help_text = help_text


class PrinterNotFound(PrinterError):
    """No such device, host or queue right now (unplugged, switched off, wrong address)."""


class PrinterPermissionDenied(PrinterError):
    """The OS refused access; on Linux `help_text` holds the udev rule and how to install it."""

    retryable = False


class PrinterBusy(PrinterError):
    """Another program (CUPS, the usblp driver, another app) holds the printer."""


class PrinterTimeout(PrinterError):
    """The printer stopped taking data (buffer full, paused, asleep) for longer than the timeout."""


class PrinterDisconnected(PrinterError):
    """The printer went away in the middle of a job; `bytes_sent` of `total` got out."""


class PrinterOffline(PrinterError):
    """The printer is there but refuses work (connection refused, queue disabled)."""


class PrinterUnsupported(PrinterError):
    """This transport cannot work on this machine (no libusb, no CUPS, Windows-only API)."""

    retryable = False


class Transport(Closing, ABC):
    """Moves bytes to one printer. The device is opened per call, so a replugged printer works."""

    kind: ClassVar[TransportKind]

    def __init__(self, uri: PrinterUri) -> None:
        self.uri = uri

    @property
    def timeout_s(self) -> float:
        return self.uri.timeout_s or DEFAULT_TIMEOUT_S

    @property
    def status_timeout_s(self) -> float:
        """How long a status query waits for its answer (a shorter `timeout` option wins)."""
        return min(STATUS_TIMEOUT_S, self.timeout_s)

    @property
    def chunk_size(self) -> int:
        return self.uri.chunk_size or DEFAULT_CHUNK

    def pace(self, sent: int, total: int) -> None:
        """The optional pause between chunks (`?pause=MS`), never after the last one."""
        if self.uri.pause_s and 0 < sent < total:
            time.sleep(self.uri.pause_s)

    @abstractmethod
    def send(self, data: bytes, *, job_name: str) -> None:
        """Send one whole job. Raises a `PrinterError` subclass; never returns on partial success."""

    def query_status(self, language: Language | None = None) -> PrinterStatus:
        """Ask the printer how it is. Transports that cannot ask say UNKNOWN, never READY."""
        return PrinterStatus.unknown(f"a {self.kind} printer cannot report its status")

    def close(self) -> None:
        """Release anything held between calls (nothing, for transports that open per job)."""

    def describe(self) -> str:
        return f"{self.uri.language} printer at {self.uri}"


def safe_job_name(name: str, limit: int = 64) -> str:
    """A job title for spoolers and logs: printable, short, no control characters."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in name)
    cleaned = " ".join(cleaned.split())[:limit]
    return cleaned or "label"


def check_job(data: bytes) -> None:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("printer jobs are bytes")
    if len(data) == 0:
        raise ValueError("refusing to send an empty print job")


# ---------------------------------------------------------------- udev rule (Linux permissions


def udev_rule_path() -> Path | None:
    """Where `resources/udev/<rule>` is: the source tree, or next to a frozen build."""
    candidates = [Path(__file__).resolve().parents[2] / "resources" / "udev" / UDEV_RULE_NAME]
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.insert(0, Path(frozen_root) / "resources" / "udev" / UDEV_RULE_NAME)
    return next((path for path in candidates if path.is_file()), None)


def udev_install_command(rule: Path | None = None) -> str:
    """The exact commands that install the rule and apply it without a reboot."""
    source = str(rule or udev_rule_path() or UDEV_RULE_NAME)
    return (
        f"sudo install -m 0644 '{source}' /etc/udev/rules.d/{UDEV_RULE_NAME} && "
        "sudo udevadm control --reload-rules && sudo udevadm trigger"
    )


def udev_rule_text() -> str:
    rule = udev_rule_path()
    if rule is None:
        return f"({UDEV_RULE_NAME} is missing from this installation)"
    return rule.read_text(encoding="utf-8")


def permission_denied(what: str, *, bytes_sent: int = 0) -> PrinterPermissionDenied:
    """The error for EACCES on a printer, with the fix for this OS in the message."""
    what = printable(what)
    if sys.platform.startswith("linux"):
        command = udev_install_command()
        return PrinterPermissionDenied(
            f"permission denied opening {what}. Allow your user to reach label printers by "
            f"installing the udev rule, then unplug and replug the printer: {command}",
            bytes_sent=bytes_sent,
            help_text=f"{udev_rule_text()}\nInstall it with:\n  {command}\n",
        )
    if sys.platform == "win32":
        return PrinterPermissionDenied(
            f"permission denied opening {what}. On Windows, print through the printer's queue "
            "(spool://QUEUE_NAME) instead of direct USB; direct USB needs the WinUSB driver.",
            bytes_sent=bytes_sent,
        )
    return PrinterPermissionDenied(
        f"permission denied opening {what}. Print through the printer's CUPS queue "
        "(spool://QUEUE_NAME), or run once as an administrator to check the connection.",
        bytes_sent=bytes_sent,
    )


def busy_hint() -> str:
    if sys.platform.startswith("linux"):
        return (
            "another program holds it: usually CUPS (a queue for this printer) or the usblp "
            "driver. Print through that queue instead (spool://NAME), or remove the CUPS queue"
        )
    return "another program holds it (a print queue or another label app)"
