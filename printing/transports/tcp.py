"""Raw TCP printing (port 9100, "JetDirect"): connect per job, send in chunks, read status back."""

from __future__ import annotations

import errno
import socket
import time

from printing.status import PrinterState, PrinterStatus, answer_complete, parse_status, status_query
from printing.transports.base import (
    PrinterDisconnected,
    PrinterError,
    PrinterNotFound,
    PrinterOffline,
    PrinterTimeout,
    Transport,
    check_job,
)
from printing.uri import Language, PrinterUri

CONNECT_TIMEOUT_S = 5.0
# After the last byte we half-close and wait (bounded) for the printer to close its side, like
# CUPS' socket backend: closing at once can make some printers drop the tail of a job.
FINISH_TIMEOUT_S = 10.0


class TcpTransport(Transport):
    """`tcp://HOST[:PORT]`: a raw socket to the printer (default port 9100)."""

    kind = "tcp"

    def __init__(self, uri: PrinterUri) -> None:
        super().__init__(uri)
        self.host, self.port = uri.tcp_endpoint
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.label = f"printer at {shown}:{self.port}"

    def _connect(self) -> socket.socket:
        try:
            return socket.create_connection(
                (self.host, self.port), timeout=min(self.timeout_s, CONNECT_TIMEOUT_S)
            )
        except socket.gaierror:
            raise PrinterNotFound(
                f"cannot find {self.label}: the host name does not resolve (check the address)"
            ) from None
        except ConnectionRefusedError:
            raise PrinterOffline(
                f"{self.label} refused the connection: switched off, busy with another computer, "
                "or not a raw port-9100 printer"
            ) from None
        except TimeoutError:
            raise PrinterOffline(
                f"no answer from {self.label} within {min(self.timeout_s, CONNECT_TIMEOUT_S):g} s "
                "(switched off, asleep, or wrong address)"
            ) from None
        except OSError as exc:
            if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN):
                raise PrinterOffline(f"{self.label} is unreachable: {exc.strerror}") from None
            raise PrinterError(f"cannot connect to {self.label}: {exc.strerror or exc}") from None

    def send(self, data: bytes, *, job_name: str) -> None:
        check_job(data)
        total, sent = len(data), 0
        view = memoryview(bytes(data))
        with self._connect() as sock:
            sock.settimeout(self.timeout_s)
            try:
                while sent < total:
                    # send() rather than sendall() so we know exactly how much got out.
                    sent += sock.send(view[sent : sent + self.chunk_size])
                    self.pace(sent, total)
            except TimeoutError:
                raise PrinterTimeout(
                    f"{self.label} stopped taking data for {self.timeout_s:g} s after {sent} of "
                    f"{total} bytes (paused, out of labels, or busy?)",
                    bytes_sent=sent,
                    total=total,
                ) from None
            except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                raise PrinterDisconnected(
                    f"{self.label} closed the connection after {sent} of {total} bytes; "
                    "the job is kept and can be sent again",
                    bytes_sent=sent,
                    total=total,
                ) from None
            except OSError as exc:
                raise PrinterDisconnected(
                    f"{self.label} failed after {sent} of {total} bytes: {exc.strerror or exc}",
                    bytes_sent=sent,
                    total=total,
                ) from None
            _finish(sock, min(self.timeout_s, FINISH_TIMEOUT_S))

    def query_status(self, language: Language | None = None) -> PrinterStatus:
        language = language or self.uri.language
        query = status_query(language)
        if query is None:
            return PrinterStatus.unknown(f"{language} printers have no status query")
        try:
            sock = self._connect()
        except (PrinterOffline, PrinterNotFound) as exc:
            return PrinterStatus.from_conditions({PrinterState.OFFLINE}, [exc.message])
        with sock:
            try:
                sock.settimeout(self.status_timeout_s)
                sock.sendall(query)
            except OSError as exc:
                return PrinterStatus.from_conditions(
                    {PrinterState.OFFLINE}, [f"status query failed: {exc.strerror or exc}"]
                )
            return parse_status(language, _read_answer(sock, language, self.status_timeout_s))


def _read_answer(sock: socket.socket, language: Language, timeout: float) -> bytes:
    answer = bytearray()
    deadline = time.monotonic() + timeout
    while not answer_complete(language, bytes(answer)):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        sock.settimeout(remaining)
        try:
            block = sock.recv(4096)
        except (TimeoutError, OSError):
            break
        if not block:
            break
        answer += block
    return bytes(answer)


def _finish(sock: socket.socket, timeout: float) -> None:
    """Half-close and wait for the printer to close; whatever it sends back is ignored."""
    try:
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        return
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        sock.settimeout(remaining)
        try:
            if not sock.recv(4096):
                return
        except (TimeoutError, OSError):
            return
