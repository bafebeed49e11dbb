"""Orders > End-of-day manifest (OBA, online): confirm, create in a worker, then print or save
its PDF (the kept-manifests dialog when a print service is given, else a save prompt)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from clickdrop_desktop.errors import describe

if TYPE_CHECKING:
    from clickdrop_desktop.manifests import ManifestRecord, Manifests
    from ui.dialogs.factory import Dialogs
    from ui.dialogs.manifest_print import ManifestPrintService
    from ui.services.workspace import Workspace
    from ui.tasks import TaskRunner

CONFIRM_TEXT = (
    "Create today's manifest now?\n\n"
    "Click & Drop manifests EVERY eligible labelled order of this account at once. This cannot "
    "be undone, and the postage of those orders goes onto your invoice."
)


class ManifestFlow(QObject):
    """One run of the manifest action; `finished(str)` carries the one line shown at the end."""

    finished = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        tasks: TaskRunner,
        dialogs: Dialogs,
        workspace: Callable[[], Workspace | None],
        *,
        wait_s: float = 30.0,
        printing: ManifestPrintService | None = None,
    ) -> None:
        super().__init__(parent)
        self._printing = printing
        self._parent = parent
        self._tasks = tasks
        self._dialogs = dialogs
        self._workspace = workspace
        self._wait_s = wait_s
        self.running = False

    def start(self) -> None:
        workspace = self._workspace()
        if workspace is None or self.running:
            return
        if not workspace.profile.labels:
            self._end("Manifests come through the API for OBA accounts only", error=True)
            return
        if not workspace.online:
            self._end("A manifest can only be made while Click & Drop answers", error=True)
            return
        if not self._dialogs.confirm(
            self._parent, "End-of-day manifest", CONFIRM_TEXT, "Create manifest"
        ):
            self._end("No manifest was made")
            return
        from clickdrop_desktop import manifests as core  # the manifest stack: when used

        manifests = core.Manifests(workspace.store, workspace.session.client)
        self.running = True
        self._tasks.run(
            lambda _ctx: self._create(manifests),
            on_done=self._created,
            on_error=lambda exc: self._end(describe(exc)[0], error=True),
            owner=self,
            lane="manifest",
        )

    def _create(self, manifests: Manifests) -> tuple[ManifestRecord, bytes | None]:
        record = manifests.create(wait_s=self._wait_s)
        return record, manifests.pdf(record.number) if record.has_pdf else None

    def _created(self, outcome: tuple[ManifestRecord, bytes | None]) -> None:
        record, pdf = outcome
        if pdf is None:
            text = record.message or (
                f"Manifest {record.number} is being prepared by Click & Drop; its PDF is "
                "fetched when ready"
            )
            self._dialogs.info(self._parent, "End-of-day manifest", text)
            self._end(text)
            return
        if self._printing is not None:  # print it or save it, there or later
            from ui.dialogs.manifest_dialog import open_manifests

            open_manifests(
                self._parent, self._printing, self._tasks, self._dialogs, select=record.number
            )
            self._end(f"Manifest {record.number} created; its PDF is kept here")
            return
        path = self._dialogs.save_file(
            self._parent,
            f"Save manifest {record.number}",
            f"manifest-{record.number}.pdf",
            "PDF files (*.pdf)",
        )
        if path is None:
            self._end(f"Manifest {record.number} created; its PDF is kept here")
            return
        try:
            Path(path).write_bytes(pdf)
        except OSError as exc:
            self._end(describe(exc)[0], error=True)
            return
        self._end(f"Manifest {record.number} saved to {Path(path).name}")

    def _end(self, text: str, *, error: bool = False) -> None:
        self.running = False
        if error:
            self._dialogs.error(self._parent, "End-of-day manifest", text)
        self.finished.emit(text)
