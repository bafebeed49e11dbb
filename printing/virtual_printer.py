"""A virtual raw printer on TCP (like port 9100): decodes ESC/POS, ZPL and TSPL jobs into PNGs.

It powers demo mode and the tests: the print path runs end to end over a real socket, and a
test can compare the dots that "printed" with the dots we rendered, pixel for pixel.

Status answers are defined in `printing/virtual_status.py`.

While paper is out, the head is open or the printer is paused, jobs are received and decoded
but held, and they print when the fault clears, as a real printer's buffer does (the "stale
jobs pour out" problem the print queue has to prevent); `cancel_held()` drops them.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from PIL import Image

from printing.bitmap import Bitmap
from printing.decoders import (
    DecodedLabel,
    Decoder,
    Language,
    StatusQuery,
    new_decoder,
    sniff_language,
)
from printing.raster import MM_PER_INCH
from printing.virtual_status import Faults, status_answer

__all__ = ["Faults", "PrintedLabel", "VirtualPrinter", "status_answer"]

_IDLE_TIMEOUT_S = 30.0
# How long the wait_for_* helpers wait by default: generous, as a loaded machine may need it;
# they return as soon as the condition holds.
WAIT_S = 30.0


@dataclass(frozen=True, slots=True)
class PrintedLabel:
    """One label that came out of the virtual printer."""

    sequence: int
    language: Language
    bitmap: Bitmap
    job: int
    job_bytes: int
    copy: int = 1
    copies: int = 1
    png: Path | None = None
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def image(self) -> Image.Image:
        return self.bitmap.to_image()


class VirtualPrinter:
    """A loopback raw printer. `start()` it, print to `.port`, read `.jobs` or `.printed`.

    `language` "auto" recognises each connection's language from its first bytes; naming one
    makes it a printer of that language only (others' status queries go unanswered). PNGs and
    JSON sidecars go to `out_dir` when given. `on_label` is called on the connection's thread.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        out_dir: Path | str | None = None,
        *,
        dpi: int = 203,
        language: Language | Literal["auto"] = "auto",
        on_label: Callable[[PrintedLabel], None] | None = None,
    ) -> None:
        self.host = host
        self._requested_port = port
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.dpi = dpi
        self.language = language
        self.on_label = on_label
        self.jobs: queue.Queue[PrintedLabel] = queue.Queue()
        self.errors: list[str] = []
        self.connections = 0
        self.bytes_received = 0
        self._faults = Faults()
        self._printed: list[PrintedLabel] = []
        self._held: list[PrintedLabel] = []
        self._lock = threading.Condition()
        self._sequence = itertools.count(1)
        self._job_ids = itertools.count(1)
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._workers: set[threading.Thread] = set()
        self._open: set[socket.socket] = set()
        self._finished = 0
        self._stopping = threading.Event()

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the virtual printer is not started")
        port: int = self._server.getsockname()[1]
        return port

    def uri(self, language: Language) -> str:
        """A printer URI for this printer, e.g. `zpl+tcp://127.0.0.1:9100?dpi=203`."""
        return f"{language}+tcp://{self.host}:{self.port}?dpi={self.dpi}"

    def start(self) -> VirtualPrinter:
        if self._server is not None:
            return self
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        server = socket.create_server((self.host, self._requested_port), backlog=16)
        server.settimeout(0.2)  # lets the accept loop notice stop() promptly
        self._server = server
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._accept_loop, name="virtual-printer", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        with self._lock:
            workers = list(self._workers)
            conns = list(self._open)
        for conn in conns:  # wake workers blocked in recv() on idle clients
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for worker in workers:
            worker.join(timeout=5)
        if self._server is not None:
            self._server.close()
            self._server = None

    def __enter__(self) -> VirtualPrinter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- simulated conditions ---------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        with self._lock:
            return self._faults

    def set_faults(
        self,
        *,
        paper_out: bool | None = None,
        head_open: bool | None = None,
        paused: bool | None = None,
        offline: bool | None = None,
    ) -> None:
        """Change the simulated state; clearing the last fault prints the held labels."""
        changes = {
            name: value
            for name, value in (
                ("paper_out", paper_out),
                ("head_open", head_open),
                ("paused", paused),
                ("offline", offline),
            )
            if value is not None
        }
        with self._lock:
            self._faults = replace(self._faults, **changes)
            release = [] if self._faults.holding else self._held
            if release:
                self._held = []
        for label in release:
            self._deliver(label)

    @property
    def held(self) -> int:
        with self._lock:
            return len(self._held)

    def cancel_held(self) -> int:
        """Drop the labels waiting in the printer (the Cancel button); returns how many."""
        with self._lock:
            count, self._held = len(self._held), []
        return count

    # -- results ----------------------------------------------------------------------------

    @property
    def printed(self) -> list[PrintedLabel]:
        """Every label printed so far, in print order."""
        with self._lock:
            return sorted(self._printed, key=lambda label: label.sequence)

    def wait_for_labels(self, count: int, timeout: float = WAIT_S) -> list[PrintedLabel]:
        """Block until at least `count` labels have printed (or raise TimeoutError)."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._printed) >= count, timeout):
                raise TimeoutError(f"{len(self._printed)} of {count} labels printed in {timeout}s")
            return sorted(self._printed, key=lambda label: label.sequence)

    def wait_for_held(self, count: int, timeout: float = WAIT_S) -> None:
        """Block until at least `count` labels are held by a simulated fault."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._held) >= count, timeout):
                raise TimeoutError(f"{len(self._held)} of {count} labels held in {timeout}s")

    def wait_for_connections(self, count: int, timeout: float = WAIT_S) -> None:
        """Block until `count` connections have been accepted and finished."""
        with self._lock:
            if not self._lock.wait_for(lambda: self._finished >= count, timeout):
                raise TimeoutError(f"{self._finished} of {count} connections finished")

    # -- the server -------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        server = self._server
        assert server is not None
        while not self._stopping.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            with self._lock:
                self.connections += 1
                offline = self._faults.offline
            target = self._hang_up if offline else self._serve
            worker = threading.Thread(target=target, args=(conn,), daemon=True)
            with self._lock:
                self._workers.add(worker)
                self._open.add(conn)
            worker.start()

    def _connection_done(self, conn: socket.socket) -> None:
        with self._lock:
            self._open.discard(conn)
            self._finished += 1
            self._lock.notify_all()

    def _hang_up(self, conn: socket.socket) -> None:
        """Offline: end our side at once and swallow what the client sends, answering nothing.

        Closing with unread data would make the kernel send a reset, and the client would see
        a reset or a clean end of stream depending on timing; draining first makes it always
        a clean end of stream (recv() returns b""), so tests of "no answer" are deterministic.
        """
        try:
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(_IDLE_TIMEOUT_S)
            while not self._stopping.is_set() and conn.recv(65536):
                pass
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()
            with self._lock:
                self._workers.discard(threading.current_thread())
            self._connection_done(conn)

    def _serve(self, conn: socket.socket) -> None:
        job = next(self._job_ids)
        decoder: Decoder | None = None
        pending = b""
        received = 0
        try:
            conn.settimeout(_IDLE_TIMEOUT_S)
            while not self._stopping.is_set():
                try:
                    chunk = conn.recv(65536)
                except (TimeoutError, OSError):
                    break
                if not chunk:
                    break
                received += len(chunk)
                with self._lock:
                    self.bytes_received += len(chunk)
                if decoder is None:
                    pending += chunk
                    language = sniff_language(pending) if self.language == "auto" else self.language
                    if language is None:
                        continue
                    decoder = new_decoder(language, dpi=self.dpi)
                    chunk, pending = pending, b""
                self._handle(conn, decoder, decoder.feed(chunk), job, received)
            if decoder is not None:
                self._handle(conn, decoder, decoder.close(), job, received)
                if decoder.errors:
                    with self._lock:
                        self.errors += [f"job {job}: {error}" for error in decoder.errors]
        finally:
            with contextlib.suppress(OSError):
                conn.close()
            with self._lock:
                self._workers.discard(threading.current_thread())
            self._connection_done(conn)

    def _handle(
        self,
        conn: socket.socket,
        decoder: Decoder,
        events: list[DecodedLabel | StatusQuery],
        job: int,
        received: int,
    ) -> None:
        for event in events:
            if isinstance(event, StatusQuery):
                answer = status_answer(event.language, event.query, self.faults, dpi=self.dpi)
                if answer:
                    with contextlib.suppress(OSError):
                        conn.sendall(answer)
                continue
            label = PrintedLabel(
                sequence=0,
                language=event.language,
                bitmap=event.bitmap,
                job=job,
                job_bytes=received,
                copy=event.copy,
                copies=event.copies,
            )
            with self._lock:
                if self._faults.holding:
                    self._held.append(label)
                    self._lock.notify_all()
                    continue
            self._deliver(label)

    def _deliver(self, label: PrintedLabel) -> None:
        with self._lock:
            label = replace(label, sequence=next(self._sequence))
        if self.out_dir is not None:
            label = replace(label, png=self._write(label))
        self.jobs.put(label)
        try:
            if self.on_label is not None:
                self.on_label(label)
        finally:
            # Counted last, so whoever wait_for_labels() wakes finds every delivery made (the
            # callback had not always run yet when the count was bumped first).
            with self._lock:
                self._printed.append(label)
                self._lock.notify_all()

    def _write(self, label: PrintedLabel) -> Path:
        assert self.out_dir is not None
        stem = f"{label.sequence:05d}-{label.language}"
        png = self.out_dir / f"{stem}.png"
        bitmap = label.bitmap
        _replace_into(png, lambda path: bitmap.to_image().save(path, format="PNG"))
        sidecar = {
            "language": label.language,
            "dpi": bitmap.dpi,
            "width_dots": bitmap.width,
            "height_dots": bitmap.height,
            "width_mm": round(bitmap.width / bitmap.dpi * MM_PER_INCH, 1),
            "height_mm": round(bitmap.height / bitmap.dpi * MM_PER_INCH, 1),
            "job": label.job,
            "job_bytes": label.job_bytes,
            "copy": label.copy,
            "copies": label.copies,
            "ink_dots": bitmap.ink_dots(),
            "received_at": label.received_at.isoformat(),
            "png": png.name,
        }
        text = json.dumps(sidecar, indent=2) + "\n"
        _replace_into(self.out_dir / f"{stem}.json", lambda path: path.write_text(text))
        return png


def _replace_into(target: Path, write: Callable[[Path], object]) -> None:
    """Write via a temporary name, so a reader watching the folder never sees half a file."""
    temporary = target.with_name(f".{target.name}.tmp")
    write(temporary)
    os.replace(temporary, target)
