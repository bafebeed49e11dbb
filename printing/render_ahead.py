"""A scanned label's job bytes made on a helper thread while the queue records and claims its job.

The claim's commit waits for the disk (the store syncs every commit: 1-8 ms on a busy bench PC)
and rendering needs the CPU (7-12 ms for a 6x4 label at 203-300 dpi); PDFium (through ctypes)
and SQLite both let go of the GIL, so started together the two overlap instead of adding up.
The bytes are used only for the job they were made for; any other job is prepared as usual.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from clickdrop_desktop.store import PrintJob
from printing.queue import JobRejected
from printing.raster import RasterError

Preparer = Callable[[PrintJob], bytes]


class RenderAhead:
    """Runs `make()` on a thread now; `prepare(job)` waits for it (a queue preparer).

    The owner must `wait()` for it even when no job used it (the queue refused the print): a
    thread still inside PDFium when the interpreter shuts down can crash the process. It is
    not a daemon thread, so interpreter shutdown waits for it too.

    Args:
        make: the pure render-and-encode of the document (no store access: the thread must
            not wait for the store's lock, which the claim holds through its commit).
        want: (order, document, printer URI, copies) of the job the bytes are for.
        fallback: the usual preparer, for any other job (e.g. a waiting job for another
            printer that the queue hands back instead of a new one).
        keep: called with the bytes once made (the encoded cache), on the caller's thread.
    """

    def __init__(
        self,
        make: Callable[[], bytes],
        want: tuple[int, str, str, int],
        *,
        fallback: Preparer,
        keep: Callable[[bytes], None],
    ) -> None:
        self._make = make
        self._want = want
        self._fallback = fallback
        self._keep = keep
        self._data: bytes | None = None
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="print-render-ahead")
        self._thread.start()

    def _run(self) -> None:
        try:
            self._data = self._make()
        except Exception as exc:  # noqa: BLE001 - handed to the job's own thread in prepare()
            self._error = exc

    def prepare(self, job: PrintJob) -> bytes:
        """The job's bytes; raises what preparing it raises (`JobRejected` for a bad PDF)."""
        key = (job.order_identifier, job.document_type, job.printer_uri, job.copies)
        if key != self._want:
            return self._fallback(job)
        self._thread.join()
        if self._error is not None:
            if isinstance(self._error, RasterError):
                raise JobRejected(
                    f"order {job.order_identifier}'s {job.document_type}: {self._error}"
                ) from None
            raise self._error
        assert self._data is not None  # set whenever no error was
        self._keep(self._data)
        return self._data

    def wait(self, timeout: float | None = None) -> bool:
        """Join the thread (whether or not a job used it); True when it has finished."""
        self._thread.join(timeout)
        return not self._thread.is_alive()
