"""Kept manifests print on the A4 printer through the print queue (offline too) or are saved;
the printer is the office printer set up for documents, else the despatch note printer."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt

from clickdrop_desktop.manifests import ManifestRecord, ManifestState
from tests.helpers.print_fakes import label_pdf
from ui.dialogs.factory import Dialogs
from ui.dialogs.manifest import ManifestFlow
from ui.dialogs.manifest_dialog import NO_MANIFESTS, ManifestDialog, open_manifests
from ui.dialogs.manifest_print import (
    NO_PRINTER,
    ManifestPrinter,
    ManifestPrintService,
    manifest_printer,
)
from ui.preferences import Preferences
from ui.tasks import TaskRunner

A4_PDF = label_pdf("MANIFEST-7", a4=True)
ZEBRA = "zpl+tcp://127.0.0.1:9100"


def test_the_printer_is_the_first_document_printer_that_takes_a4() -> None:
    office = Preferences(printers={"postageLabel": ZEBRA, "packingSlip": "pdf+spool://Office"})
    chosen = manifest_printer(office)
    assert chosen.uri is not None
    assert chosen.uri.startswith("pdf+spool://Office?")
    assert "media=a4" in chosen.uri
    assert chosen.text == "PDF · Office, the packing slip printer (A4)"
    a4_zebra = Preferences(printers={"postageLabel": ZEBRA, "CN23": f"{ZEBRA}?media=a4"})
    assert "media=a4" in (manifest_printer(a4_zebra).uri or "")
    assert "CN23 printer (A4)" in manifest_printer(a4_zebra).text


def test_without_an_a4_printer_it_goes_to_the_despatch_note_printer_shrunk() -> None:
    chosen = manifest_printer(Preferences(printers={"postageLabel": ZEBRA}))
    assert chosen.uri is not None
    assert chosen.uri.startswith(ZEBRA)
    assert "no A4 printer is set up" in chosen.text
    assert manifest_printer(Preferences()).uri is None
    assert manifest_printer(Preferences()).text == NO_PRINTER


def _keep_manifest(w, number: int = 7) -> None:
    """A manifest made earlier: its record and PDF in the account's encrypted store."""
    store = w.logic.workspace.store
    now = datetime.now(UTC)
    record = ManifestRecord(number, ManifestState.READY, now, now, has_pdf=True)
    store.sync_state.set(f"manifest.{number}.pdf", base64.b64encode(A4_PDF).decode("ascii"))
    store.sync_state.set_json(f"manifest.{number}", record.to_dict())
    waiting = ManifestRecord(number + 1, ManifestState.PREPARING, now, now, "being prepared")
    store.sync_state.set_json(f"manifest.{number + 1}", waiting.to_dict())


def _service(w) -> ManifestPrintService:
    return ManifestPrintService(
        lambda: w.logic.workspace, lambda: w.ctx.prefs, printed=w.c.printing.refresh_jobs
    )


def _shown(qtbot, dialog: ManifestDialog) -> None:
    """What `exec()` would do: shown and active, so its shortcuts work."""
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)


def _shot(dialog: ManifestDialog, name: str) -> None:
    folder = os.environ.get("CLICKDROP_SHOTS")  # set by hand to look at the dialog
    if folder:
        dialog.grab().save(str(Path(folder) / name))


def test_a_kept_manifest_prints_on_the_office_printer_even_offline(
    qtbot, app_window, demo_env, tmp_path
) -> None:
    w = app_window
    _keep_manifest(w)
    office = tmp_path / "office.pdf"
    w.ctx.prefs = w.ctx.prefs.with_changes(
        printers=w.ctx.prefs.printers | {"despatchNote": f"pdf+file://{office}"}
    )
    demo_env.info.set_fault("maintenance")  # Click & Drop is down: printing must not care
    w.c.sync.sync_now()
    qtbot.waitUntil(lambda: w.banner.state == "offline", timeout=20_000)
    w.ctx.dialogs.confirm_answers[:] = [True]  # "print it again?" on the second print
    seen: dict[str, object] = {}

    def drive(dialog: ManifestDialog) -> int:
        _shown(qtbot, dialog)
        qtbot.waitUntil(lambda: len(dialog.records) == 2, timeout=30_000)
        assert [r.number for r in dialog.records] == [8, 7]  # newest first, 7 selected
        assert dialog.selected().number == 7
        assert "PDF · " in dialog.printer.text()
        assert dialog.printer.textFormat() == Qt.TextFormat.PlainText
        _shot(dialog, "manifests.png")
        qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: dialog.status.text() == "Manifest 7 printed", timeout=30_000)
        assert office.read_bytes() == A4_PDF  # the A4 PDF passed through untouched
        dialog.print_selected()  # again: a deliberate reprint, asked first
        qtbot.waitUntil(lambda: office.read_bytes() == A4_PDF * 2, timeout=30_000)
        qtbot.waitUntil(lambda: dialog.status.text() == "Manifest 7 printed", timeout=30_000)
        dialog.table.selectRow(0)  # manifest 8: no PDF yet
        assert not dialog.print_button.isEnabled()
        assert "not ready" in dialog.print_button.toolTip()
        seen["asked"] = [kind for kind, _ in w.ctx.dialogs.asked]
        return 0

    w.ctx.dialogs.on_open["manifests"] = drive
    open_manifests(w, _service(w), w.ctx.tasks, w.ctx.dialogs, select=7)
    assert seen["asked"] == ["dialog", "confirm"]
    # The jobs are the print queue's, shown in its panel like any other.
    qtbot.waitUntil(
        lambda: sum(r.document == "manifest" for r in w.queue_panel.model.rows) == 2,
        timeout=30_000,
    )
    named = {r.order_reference for r in w.queue_panel.model.rows if r.document == "manifest"}
    assert named == {"Manifest 7"}
    demo_env.info.clear_faults()


def test_save_pdf_writes_the_kept_copy(qtbot, app_window, tmp_path) -> None:
    w = app_window
    _keep_manifest(w, 3)
    target = tmp_path / "m3.pdf"
    w.ctx.dialogs.save_paths[:] = [target]

    def drive(dialog: ManifestDialog) -> int:
        _shown(qtbot, dialog)
        qtbot.waitUntil(lambda: bool(dialog.records), timeout=30_000)
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: "saved to m3.pdf" in dialog.status.text(), timeout=30_000)
        return 0

    w.ctx.dialogs.on_open["manifests"] = drive
    open_manifests(w, _service(w), w.ctx.tasks, w.ctx.dialogs, select=3)
    assert target.read_bytes() == A4_PDF


def test_a_new_manifest_opens_the_kept_manifests_to_print_it(qtbot, app_window) -> None:
    w = app_window
    w.ctx.dialogs.confirm_answers[:] = [True]
    opened: list[int | None] = []

    def drive(dialog: ManifestDialog) -> int:
        qtbot.waitUntil(lambda: bool(dialog.records), timeout=30_000)
        opened.append(dialog.selected().number if dialog.selected() else None)
        return 0

    w.ctx.dialogs.on_open["manifests"] = drive
    flow = ManifestFlow(
        w, w.ctx.tasks, w.ctx.dialogs, lambda: w.logic.workspace, wait_s=20, printing=_service(w)
    )
    with qtbot.waitSignal(flow.finished, timeout=30_000) as got:
        flow.start()
    asked = [kind for kind, _ in w.ctx.dialogs.asked]
    if "dialog" in asked:  # ready within the wait: shown, selected, to print or save
        assert asked == ["confirm", "dialog"]
        assert opened[0] is not None
        assert got.args[0] == f"Manifest {opened[0]} created; its PDF is kept here"
    else:  # a 202 still preparing: said so
        assert asked == ["confirm", "info"]


def test_a_file_printer_keeps_its_three_slashes_with_the_profile_options() -> None:
    prefs = Preferences(printers={"despatchNote": "pdf+file:///tmp/office.pdf"}, dpi=300)
    assert prefs.printer_uri("despatchNote") == "pdf+file:///tmp/office.pdf?dpi=300&media=4x6"
    assert manifest_printer(prefs).uri == "pdf+file:///tmp/office.pdf?media=a4&dpi=300"


def test_the_window_command_opens_the_kept_manifests(qtbot, app_window) -> None:
    w = app_window
    _keep_manifest(w, 5)
    seen: list[list[int]] = []

    def drive(dialog: ManifestDialog) -> int:
        qtbot.waitUntil(lambda: bool(dialog.records), timeout=30_000)
        seen.append([r.number for r in dialog.records])
        return 0

    w.ctx.dialogs.on_open["manifests"] = drive
    assert w.commands.manifests in w.commands.needs_account()
    assert w.commands.manifests not in w.commands.needs_api()  # kept PDFs print offline
    w.commands.manifests.trigger()
    assert seen == [[6, 5]]  # 6 is still being prepared (see _keep_manifest)


class _NoManifests:
    """The two calls the dialog makes to read what is kept: nothing yet."""

    def kept(self) -> list[ManifestRecord]:
        return []

    def printer(self) -> ManifestPrinter:
        return ManifestPrinter(None, NO_PRINTER)


def test_with_no_manifest_kept_it_says_how_one_is_made(qtbot) -> None:
    tasks = TaskRunner()
    dialog = ManifestDialog(_NoManifests(), tasks, Dialogs())  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.status.text() == NO_MANIFESTS, timeout=10_000)
    assert "End-of-day manifest" in dialog.status.text()
    assert not dialog.print_button.isEnabled()
    assert not dialog.save_button.isEnabled()
    tasks.shutdown(5_000)
