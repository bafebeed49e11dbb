"""`spool://QUEUE`: the OS print queue. CUPS `lp` on Linux and macOS, the Windows spooler via pywin32.

Thermal languages go in raw mode (`lp -o raw`; Windows datatype RAW), so the driver cannot turn
ZPL into a picture of ZPL text (qzind/tray#245). `pdf` goes through the queue's driver.

The Windows path uses pywin32's `win32print` directly, which is what python-escpos' `Win32Raw`
wraps; it is typed and written against the documented API but cannot run on this Linux build
machine, so it is untested here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from typing import Any

from printing.status import (
    PrinterState,
    PrinterStatus,
    parse_lpstat_printer,
    parse_windows_status,
)
from printing.transports.base import (
    PrinterDisconnected,
    PrinterError,
    PrinterNotFound,
    PrinterOffline,
    PrinterPermissionDenied,
    PrinterTimeout,
    PrinterUnsupported,
    Transport,
    check_job,
    safe_job_name,
)
from printing.uri import Language, PrinterUri, printable

LP_TIMEOUT_S = 60.0
_REQUEST_ID = re.compile(r"request id is (\S+)")
# Windows error codes from OpenPrinter / WritePrinter.
_ERROR_ACCESS_DENIED = 5
_ERROR_INVALID_PRINTER_NAME = 1801


def cups_env() -> dict[str, str]:
    """CUPS tools with untranslated messages, so their errors can be recognised."""
    return {**os.environ, "LC_ALL": "C", "LANG": "C"}


class SpoolTransport(Transport):
    """Hands each job to the OS print queue named in the URI."""

    kind = "spool"

    def __init__(self, uri: PrinterUri) -> None:
        super().__init__(uri)
        self.queue = uri.spool_queue
        self.label = f"print queue {printable(self.queue, 60)!r}"
        self.last_job_id: str | None = None

    def send(self, data: bytes, *, job_name: str) -> None:
        check_job(data)
        if sys.platform == "win32":
            self._send_windows(bytes(data), safe_job_name(job_name))
        else:
            self._send_cups(bytes(data), safe_job_name(job_name))

    def lp_command(self, job_name: str) -> list[str]:
        """The `lp` argument list (no shell: queue and job names are passed as plain arguments)."""
        lp = shutil.which("lp")
        if lp is None:
            raise PrinterUnsupported(
                "CUPS is not installed (no `lp` command): install it (Debian/Ubuntu: sudo apt "
                "install cups-client; macOS has it built in) or print via usb:// or tcp://"
            )
        command = [lp, "-d", self.queue, "-t", job_name]
        if self.uri.language != "pdf":
            command += ["-o", "raw"]
        return command

    def _send_cups(self, data: bytes, job_name: str) -> None:
        command = self.lp_command(job_name)
        try:
            result = subprocess.run(
                command,
                input=data,
                capture_output=True,
                timeout=max(LP_TIMEOUT_S, self.timeout_s),
                env=cups_env(),
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise PrinterTimeout(f"CUPS did not accept the job for {self.label} in time") from None
        except OSError as exc:
            raise PrinterUnsupported(f"cannot run `lp`: {exc.strerror or exc}") from None
        stdout = result.stdout.decode("utf-8", "replace")
        stderr = result.stderr.decode("utf-8", "replace")
        if result.returncode != 0:
            raise _lp_error(self.label, stderr or stdout)
        match = _REQUEST_ID.search(stdout)
        self.last_job_id = match.group(1) if match else None

    def query_status(self, language: Language | None = None) -> PrinterStatus:
        if sys.platform == "win32":
            return self._status_windows()
        lpstat = shutil.which("lpstat")
        if lpstat is None:
            return PrinterStatus.unknown("CUPS is not installed (no `lpstat` command)")
        try:
            result = subprocess.run(
                [lpstat, "-p", self.queue],
                capture_output=True,
                timeout=10,
                env=cups_env(),
                check=False,
            )
        except (subprocess.TimeoutExpired, OSError):
            return PrinterStatus.unknown("CUPS did not answer")
        text = result.stdout.decode("utf-8", "replace")
        if result.returncode != 0 or not text.strip():
            error = result.stderr.decode("utf-8", "replace")
            first = printable(error.strip().splitlines()[0]) if error.strip() else "no such queue"
            return PrinterStatus.from_conditions({PrinterState.OFFLINE}, [f"CUPS: {first}"])
        return parse_lpstat_printer(text)

    # ------------------------------------------------------------ Windows (untested here)

    def _win32print(self) -> Any:
        try:
            import win32print  # pywin32
        except ImportError:
            raise PrinterUnsupported(
                "printing to a Windows queue needs pywin32 (pip install pywin32)"
            ) from None
        return win32print

    def _open_windows(self, win32print: Any) -> Any:
        try:
            return win32print.OpenPrinter(self.queue)
        except Exception as exc:  # noqa: BLE001 - pywintypes.error is only importable on Windows
            code = getattr(exc, "winerror", None)
            if code == _ERROR_INVALID_PRINTER_NAME:
                raise PrinterNotFound(f"there is no Windows {self.label}") from None
            if code == _ERROR_ACCESS_DENIED:
                raise PrinterPermissionDenied(f"Windows denied access to {self.label}") from None
            raise PrinterError(f"cannot open {self.label}: {_win_text(exc)}") from None

    def _send_windows(self, data: bytes, job_name: str) -> None:
        if self.uri.language == "pdf":
            raise PrinterUnsupported(
                "sending a PDF to a Windows queue is not supported: choose the printer's own "
                "language (zpl, tspl or escpos) for label printers"
            )
        win32print = self._win32print()
        handle = self._open_windows(win32print)
        total, sent = len(data), 0
        try:
            # Pre-flight: OpenPrinter succeeds on an unplugged queue (FreeOpenSourcePOS/FloCafe#206).
            info = win32print.GetPrinter(handle, 2)
            status = parse_windows_status(int(info["Status"]), int(info["Attributes"]))
            if status.known and not status.ready:
                raise PrinterOffline(f"{self.label}: {status.summary()}")
            win32print.StartDocPrinter(handle, 1, (job_name, None, "RAW"))
            try:
                win32print.StartPagePrinter(handle)
                while sent < total:
                    written = int(
                        win32print.WritePrinter(handle, data[sent : sent + self.chunk_size])
                    )
                    if written <= 0:
                        raise PrinterTimeout(
                            f"{self.label} took no data after {sent} of {total} bytes",
                            bytes_sent=sent,
                            total=total,
                        )
                    sent += written
                win32print.EndPagePrinter(handle)
            except PrinterError:
                win32print.AbortPrinter(handle)
                raise
            except Exception as exc:  # noqa: BLE001 - pywintypes.error
                win32print.AbortPrinter(handle)
                raise PrinterDisconnected(
                    f"{self.label} failed after {sent} of {total} bytes: {_win_text(exc)}",
                    bytes_sent=sent,
                    total=total,
                ) from None
            win32print.EndDocPrinter(handle)
        finally:
            win32print.ClosePrinter(handle)

    def _status_windows(self) -> PrinterStatus:
        win32print = self._win32print()
        try:
            handle = self._open_windows(win32print)
        except PrinterNotFound as exc:
            return PrinterStatus.from_conditions({PrinterState.OFFLINE}, [exc.message])
        try:
            info = win32print.GetPrinter(handle, 2)
            return parse_windows_status(int(info["Status"]), int(info["Attributes"]))
        finally:
            win32print.ClosePrinter(handle)


def _win_text(exc: BaseException) -> str:
    # pywintypes.error args are (winerror, function name, message).
    args: tuple[object, ...] = tuple(getattr(exc, "args", ()))
    text = args[2] if len(args) >= 3 else str(exc)
    return printable(str(text), 120)


def _lp_error(label: str, output: str) -> PrinterError:
    """Turn `lp`'s complaint into the matching typed error."""
    first = next((line.strip() for line in output.splitlines() if line.strip()), "")
    shown = printable(first, 160) or "lp failed without a message"
    lowered = first.lower()
    if "does not exist" in lowered or "unknown destination" in lowered or "not found" in lowered:
        return PrinterNotFound(f"there is no CUPS {label} ({shown})")
    if "not accepting" in lowered:
        return PrinterOffline(f"{label} is not accepting jobs ({shown})")
    if "unable to connect" in lowered or "scheduler" in lowered:
        return PrinterOffline(f"the CUPS scheduler is not running ({shown})")
    if "forbidden" in lowered or "not allowed" in lowered or "permission" in lowered:
        return PrinterPermissionDenied(f"CUPS refused the job for {label} ({shown})")
    return PrinterError(f"CUPS could not queue the job for {label}: {shown}")
