"""`file:///path`: append each job to a file, or write straight to a device node like /dev/usb/lp0."""

from __future__ import annotations

import contextlib
import errno
import os
import select
import stat
import time
from pathlib import Path

from printing.status import PrinterState, PrinterStatus, answer_complete, parse_status, status_query
from printing.transports.base import (
    PrinterBusy,
    PrinterDisconnected,
    PrinterError,
    PrinterNotFound,
    PrinterTimeout,
    Transport,
    busy_hint,
    check_job,
    permission_denied,
)
from printing.uri import Language, PrinterUri, printable

_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_NOCTTY = getattr(os, "O_NOCTTY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class FileTransport(Transport):
    """Regular files get each job appended (0600: labels hold addresses); devices are written."""

    kind = "file"

    def __init__(self, uri: PrinterUri) -> None:
        super().__init__(uri)
        self.path = Path(uri.file_path)
        self.label = f"file printer {printable(str(self.path))}"

    def is_device(self) -> bool:
        try:
            return stat.S_ISCHR(os.stat(self.path).st_mode)
        except OSError:
            return str(self.path).startswith("/dev/")

    def send(self, data: bytes, *, job_name: str) -> None:
        check_job(data)
        if self.is_device():
            self._write_device(bytes(data))
        else:
            self._append(bytes(data))

    def _append(self, data: bytes) -> None:
        if not self.path.parent.is_dir():
            raise PrinterNotFound(
                f"{self.label}: folder {printable(str(self.path.parent))} is missing"
            )
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _BINARY, 0o600)
        except OSError as exc:
            raise self._error(exc, 0, len(data)) from None
        try:
            start = os.fstat(fd).st_size
            sent = 0
            try:
                while sent < len(data):
                    sent += os.write(fd, data[sent : sent + self.chunk_size])
                os.fsync(fd)
            except OSError as exc:
                # Never leave half a job in the file: a reader would print garbage.
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, start)
                raise self._error(exc, 0, len(data)) from None
        finally:
            os.close(fd)

    def _write_device(self, data: bytes) -> None:
        total, sent = len(data), 0
        try:
            fd = os.open(self.path, os.O_WRONLY | _NOCTTY | _NONBLOCK | _BINARY)
        except OSError as exc:
            raise self._error(exc, 0, total, opening=True) from None
        try:
            while sent < total:
                if not _wait_writable(fd, self.timeout_s):
                    raise PrinterTimeout(
                        f"{self.label} stopped taking data for {self.timeout_s:g} s after {sent} of "
                        f"{total} bytes (paused, out of labels, or busy?)",
                        bytes_sent=sent,
                        total=total,
                    )
                try:
                    sent += os.write(fd, data[sent : sent + self.chunk_size])
                except BlockingIOError:
                    continue
                except OSError as exc:
                    raise self._error(exc, sent, total) from None
                self.pace(sent, total)
        finally:
            os.close(fd)

    def _error(self, exc: OSError, sent: int, total: int, *, opening: bool = False) -> PrinterError:
        code = exc.errno
        if code in (errno.EACCES, errno.EPERM):
            return permission_denied(self.label, bytes_sent=sent)
        if code == errno.EBUSY:
            return PrinterBusy(f"{self.label} is busy: {busy_hint()}", bytes_sent=sent, total=total)
        if opening and code in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
            return PrinterNotFound(f"{self.label} does not exist (printer unplugged?)")
        if code in (errno.ENODEV, errno.ENXIO, errno.EIO, errno.EPIPE):
            return PrinterDisconnected(
                f"{self.label} went away after {sent} of {total} bytes; the job is kept",
                bytes_sent=sent,
                total=total,
            )
        if code == errno.ENOSPC:
            return PrinterError(f"{self.label}: the disk is full; nothing was added to the file")
        return PrinterError(f"{self.label}: {exc.strerror or exc}", bytes_sent=sent, total=total)

    def query_status(self, language: Language | None = None) -> PrinterStatus:
        language = language or self.uri.language
        if not self.is_device():
            return PrinterStatus.unknown("a file cannot report printer status")
        query = status_query(language)
        if query is None:
            return PrinterStatus.unknown(f"{language} printers have no status query")
        try:
            fd = os.open(self.path, os.O_RDWR | _NOCTTY | _NONBLOCK)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
                return PrinterStatus.from_conditions({PrinterState.OFFLINE}, ["device not present"])
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise permission_denied(self.label) from None
            return PrinterStatus.unknown(f"cannot open the device: {exc.strerror}")
        try:
            return parse_status(language, _ask(fd, query, language, self.status_timeout_s))
        finally:
            os.close(fd)


def _wait_writable(fd: int, timeout: float) -> bool:
    _, writable, _ = select.select([], [fd], [], timeout)
    return bool(writable)


def _ask(fd: int, query: bytes, language: Language, timeout: float) -> bytes:
    """Write the query and read the answer (a bidirectional usblp node, or a serial port)."""
    try:
        if not _wait_writable(fd, timeout):
            return b""
        os.write(fd, query)
    except OSError:
        return b""
    answer = bytearray()
    deadline = time.monotonic() + timeout
    while not answer_complete(language, bytes(answer)):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        readable, _, _ = select.select([fd], [], [], remaining)
        if not readable:
            break
        try:
            block = os.read(fd, 4096)
        except BlockingIOError:
            continue
        except OSError:
            break
        if not block:
            break
        answer += block
    return bytes(answer)
