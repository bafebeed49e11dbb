"""Scan-to-print: a scanned order reference (or our packing-slip barcode) prints that order's
label at once, with one clear outcome: printed, unknown order, already printed, printer problem.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from clickdrop_desktop.errors import describe
from ui.controllers.printing import LABEL
from ui.feedback import Feedback, Tone
from ui.preferences import Preferences
from ui.services.print_service import PACKING_SLIP, PrintOutcome, PrintResult
from ui.tasks import TaskContext, TaskRunner
from ui.widgets.scan_outcome import ScanOutcome

if TYPE_CHECKING:
    from ui.services.workspace import Workspace

_OUTCOMES = {
    PrintOutcome.PRINTED: ScanOutcome.PRINTED,
    PrintOutcome.ALREADY_PRINTED: ScanOutcome.ALREADY_PRINTED,
    PrintOutcome.UNKNOWN_ORDER: ScanOutcome.UNKNOWN_ORDER,
    PrintOutcome.NO_LABEL: ScanOutcome.NO_LABEL,
    PrintOutcome.PRINTER_PROBLEM: ScanOutcome.PRINTER_PROBLEM,
    PrintOutcome.NO_PRINTER: ScanOutcome.PRINTER_PROBLEM,
    PrintOutcome.UNCERTAIN: ScanOutcome.ALREADY_PRINTED,
}
_TONES = {"ok": Tone.OK, "warn": Tone.ATTENTION, "bad": Tone.PROBLEM}


def scan_message(result: PrintResult) -> str:
    ref = result.reference
    return {
        PrintOutcome.PRINTED: f"{ref}: label printed",
        PrintOutcome.ALREADY_PRINTED: f"{ref}: already printed — Ctrl+Enter to reprint",
        PrintOutcome.UNKNOWN_ORDER: f"{ref}: no such order in this account",
        PrintOutcome.NO_LABEL: f"{ref}: no label — {result.message}",
        PrintOutcome.PRINTER_PROBLEM: f"{ref}: printer problem — {result.message}",
        PrintOutcome.NO_PRINTER: f"{ref}: {result.message}",
        PrintOutcome.UNCERTAIN: f"{ref}: may have printed already — Ctrl+Enter to reprint",
    }[result.outcome]


class BenchController(QObject):
    """`result(ScanOutcome, text)` after each scan; `order_scanned(id)` to select it in the table."""

    result = Signal(object, str)
    order_scanned = Signal(int)
    scan_timing = Signal(float)  # ms from the Enter key to the transport taking the bytes
    printed = Signal(bool)  # a job went through the queue; True when a label was made upstream

    def __init__(
        self,
        tasks: TaskRunner,
        prefs: Callable[[], Preferences],
        feedback: Feedback,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._prefs = prefs
        self._feedback = feedback
        self._workspace: Workspace | None = None

    def set_workspace(self, workspace: Workspace | None) -> None:
        self._workspace = workspace

    def scan(self, code: str, *, reprint: bool = False) -> None:
        workspace = self._workspace
        if workspace is None:
            self._report(ScanOutcome.BUSY, "Sign in first")
            return
        started = time.perf_counter()
        prefs = self._prefs()
        label_uri = prefs.printer_uri(LABEL)
        slip_uri = prefs.printer_uri(PACKING_SLIP) if prefs.packing_slip_on_scan else None
        online = workspace.online

        def job(_ctx: TaskContext) -> tuple[PrintResult, float]:
            if not label_uri:
                return PrintResult(0, code, PrintOutcome.NO_PRINTER, "no printer is set up"), 0.0
            printers = {LABEL: label_uri}
            if slip_uri:
                printers[PACKING_SLIP] = slip_uri
            result, _order_id = workspace.printing.scan(
                code, printers, reprint=reprint, fetch=online
            )
            return result, (time.perf_counter() - started) * 1000

        def done(outcome: tuple[PrintResult, float]) -> None:
            result, elapsed = outcome
            if result.order_id:
                self.order_scanned.emit(result.order_id)
            if result.job_id is not None:
                self.printed.emit(bool(result.label_made))
            if result.outcome is PrintOutcome.PRINTED:
                self.scan_timing.emit(elapsed)
            self._report(_OUTCOMES[result.outcome], scan_message(result))

        self._tasks.run(
            job,
            on_done=done,
            on_error=lambda exc: self._report(ScanOutcome.PRINTER_PROBLEM, describe(exc)[0]),
            owner=self,
            lane="print",
        )

    def _report(self, outcome: ScanOutcome, text: str) -> None:
        self._feedback.play(_TONES[outcome.value])
        self.result.emit(outcome, text)
