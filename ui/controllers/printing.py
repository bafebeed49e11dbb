"""Printing from the window: print, reprint, prepare labels, packing slips, batch, the queue.

All of it runs on the "print" lane (one job at a time, in order), so two clicks never race
for the printer, and the GUI thread never waits for a USB write or a label download.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from clickdrop_desktop.errors import describe
from ui.preferences import Preferences
from ui.services.print_service import PACKING_SLIP, PrintOutcome, PrintResult
from ui.services.views import PrintJobRow
from ui.tasks import TaskContext, TaskRunner

if TYPE_CHECKING:
    from printing.bitmap import Bitmap
    from ui.services.workspace import Workspace

LABEL = "postageLabel"


def summarise(results: list[PrintResult]) -> str:
    """One status-bar line for a batch."""
    printed = sum(r.outcome is PrintOutcome.PRINTED for r in results)
    already = sum(r.outcome is PrintOutcome.ALREADY_PRINTED for r in results)
    problems = [
        r for r in results if r.outcome not in (PrintOutcome.PRINTED, PrintOutcome.ALREADY_PRINTED)
    ]
    parts = [f"{printed} printed"]
    if already:
        parts.append(f"{already} already printed (use Reprint)")
    if problems:
        first = problems[0]
        parts.append(f"{len(problems)} not printed — {first.reference}: {first.message}")
    return ", ".join(parts)


class PrintController(QObject):
    jobs_changed = Signal(list)  # list[PrintJobRow]
    printed = Signal(list)  # list[PrintResult]
    message = Signal(str)
    preview_ready = Signal(int, object, str)  # order id, Bitmap | None, caption or reason
    labels_prepared = Signal(int, list)  # made, problems
    labels_made = Signal()  # Click & Drop generated labels: its order statuses changed

    def __init__(
        self, tasks: TaskRunner, prefs: Callable[[], Preferences], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._prefs = prefs
        self._workspace: Workspace | None = None
        self._preview_for: int | None = None
        self._jobs_shown: list[PrintJobRow] | None = None

    def set_workspace(self, workspace: Workspace | None) -> None:
        self._workspace = workspace
        self._preview_for = None
        self._jobs_shown = None
        if workspace is None:
            self.jobs_changed.emit([])
        else:
            self.refresh_jobs()

    # -- printing ---------------------------------------------------------------------------------

    def print_orders(
        self,
        order_ids: list[int],
        document: str = LABEL,
        *,
        reprint: bool = False,
        allow_fetch: bool = False,
        on_done: Callable[[list[PrintResult]], None] | None = None,
    ) -> None:
        workspace = self._workspace
        if workspace is None or not order_ids:
            return
        prefs = self._prefs()
        uri = prefs.printer_uri(document)
        allow = allow_fetch and workspace.online

        def job(ctx: TaskContext) -> list[PrintResult]:
            workspace.printing.use_sheet(prefs.media, prefs.a4_start_position)
            results = []
            for done, order_id in enumerate(order_ids, 1):
                results.append(
                    workspace.printing.print_order(
                        order_id, document, uri, reprint=reprint, allow_fetch=allow
                    )
                )
                ctx.progress(done, len(order_ids), "Printing")
            return results

        def done(results: list[PrintResult]) -> None:
            self.printed.emit(results)
            if allow:
                self.labels_made.emit()
            if len(results) != 1 or on_done is None:
                self.message.emit(summarise(results))
            self.refresh_jobs()
            if on_done is not None:
                on_done(results)

        self._tasks.run(job, on_done=done, on_error=self._on_error, owner=self, lane="print")

    def print_packing_slips(self, order_ids: list[int], *, reprint: bool = False) -> None:
        self.print_orders(order_ids, PACKING_SLIP, reprint=reprint)

    def prepare_labels(self, order_ids: list[int]) -> None:
        """Generate and cache labels upstream (billable; the window confirmed with a count)."""
        workspace = self._workspace
        if workspace is None or not order_ids:
            return
        label_printer = self._prefs().printer_uri(LABEL)
        if label_printer:  # also encode each label for it now: a scan then only sends bytes
            workspace.printing.use_label_printer(label_printer)

        def job(ctx: TaskContext) -> tuple[list[int], list[str]]:
            return workspace.printing.prepare_labels(
                order_ids, progress=lambda d, t: ctx.progress(d, t, "Preparing labels")
            )

        def done(result: tuple[list[int], list[str]]) -> None:
            made, problems = result
            self.labels_prepared.emit(len(made), problems)
            text = f"{len(made)} label{'s' if len(made) != 1 else ''} prepared and cached"
            if problems:
                text += f"; {len(problems)} problem(s): {problems[0]}"
            self.message.emit(text)
            if made:
                self.labels_made.emit()
                if self._prefs().auto_print:  # Settings: print new labels as soon as prepared
                    self.print_orders(made)

        self._tasks.run(job, on_done=done, on_error=self._on_error, owner=self, lane="print")

    # -- the queue --------------------------------------------------------------------------------

    def refresh_jobs(self) -> None:
        workspace = self._workspace
        if workspace is None:
            return
        self._tasks.run(
            lambda _ctx: workspace.printing.jobs(),
            on_done=self._emit_jobs,
            on_error=self._on_error,
            owner=self,
            lane="print",
        )

    def _emit_jobs(self, jobs: list[PrintJobRow]) -> None:
        # Unchanged (most refreshes during a sync): no signal, so no GUI work at all.
        if self._workspace is not None and jobs != self._jobs_shown:
            self._jobs_shown = jobs
            self.jobs_changed.emit(jobs)

    def retry(self, job_ids: list[str]) -> None:
        workspace = self._workspace
        if workspace is None:
            return
        ids = [int(j) for j in job_ids]
        self._tasks.run(
            lambda _ctx: workspace.printing.retry(ids),
            on_done=lambda _r: self.refresh_jobs(),
            on_error=self._on_error,
            owner=self,
            lane="print",
        )

    def cancel(self, job_ids: list[str]) -> None:
        workspace = self._workspace
        if workspace is None:
            return
        ids = [int(j) for j in job_ids]
        self._tasks.run(
            lambda _ctx: workspace.printing.cancel(ids),
            on_done=lambda _r: self.refresh_jobs(),
            on_error=self._on_error,
            owner=self,
            lane="print",
        )

    # -- preview ----------------------------------------------------------------------------------

    def preview(self, order_id: int | None) -> None:
        """Render the selected order's label exactly as the label printer would get it."""
        self._preview_for = order_id
        workspace = self._workspace
        if workspace is None or order_id is None:
            return
        uri = self._prefs().printer_uri(LABEL) or "zpl+file:///dev/null"

        def job(_ctx: TaskContext) -> tuple[Bitmap | None, str]:
            stored = workspace.store.get_order(order_id)
            if stored is None:
                return None, "This order is no longer in the cache."
            bitmaps = workspace.printing.render(stored.order, LABEL, uri)
            if not bitmaps:
                if not workspace.profile.labels:
                    return None, (
                        "No label: this account type gets labels only from the Click & Drop "
                        "website (the API gives labels to OBA accounts only)."
                    )
                return None, "No label cached yet. Prepare labels (Ctrl+L) while online."
            bitmap = bitmaps[0]
            return bitmap, (
                f"Exactly as sent to the printer: {bitmap.width} × {bitmap.height} dots "
                f"at {bitmap.dpi} dpi"
            )

        def done(result: tuple[Bitmap | None, str]) -> None:
            if self._preview_for == order_id:
                self.preview_ready.emit(order_id, result[0], result[1])

        self._tasks.run(
            job,
            on_done=done,
            on_error=lambda exc: self.preview_ready.emit(order_id, None, describe(exc)[0]),
            owner=self,
            lane="preview",
        )

    def _on_error(self, exc: BaseException) -> None:
        self.message.emit(describe(exc)[0])
        self.refresh_jobs()
