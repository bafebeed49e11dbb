"""Orders > End-of-day manifest: confirm first, create in a worker, save the PDF; offline disabled."""

from __future__ import annotations

from ui.dialogs.manifest import ManifestFlow


def _flow(w) -> ManifestFlow:
    return ManifestFlow(w, w.ctx.tasks, w.ctx.dialogs, lambda: w.logic.workspace, wait_s=20)


def test_declining_the_confirmation_creates_nothing(qtbot, app_window) -> None:
    w = app_window
    w.ctx.dialogs.confirm_answers[:] = [False]
    flow = _flow(w)
    with qtbot.waitSignal(flow.finished, timeout=5000) as got:
        flow.start()
    assert got.args == ["No manifest was made"]
    kinds = [kind for kind, _ in w.ctx.dialogs.asked]
    assert kinds == ["confirm"]
    assert "cannot be undone" in w.ctx.dialogs.asked[0][1]


def test_confirmed_manifest_pdf_is_saved(qtbot, app_window, tmp_path) -> None:
    w = app_window
    assert w.commands.manifest.isEnabled()  # the demo account is OBA and online
    target = tmp_path / "manifest.pdf"
    w.ctx.dialogs.confirm_answers[:] = [True]
    w.ctx.dialogs.save_paths[:] = [target]
    flow = _flow(w)
    with qtbot.waitSignal(flow.finished, timeout=30_000) as got:
        flow.start()
    text = got.args[0]
    asked = [kind for kind, _ in w.ctx.dialogs.asked]
    if "save_file" in asked:  # ready within the wait
        assert target.read_bytes().startswith(b"%PDF")
        assert "saved" in text
    else:  # a 202 still preparing: said so, nothing saved yet
        assert "being prepared" in text or "prepar" in text
        assert asked == ["confirm", "info"]


def test_offline_disables_the_action_with_a_reason(qtbot, app_window, demo_env) -> None:
    w = app_window
    demo_env.info.set_fault("maintenance")
    w.c.sync.sync_now()
    qtbot.waitUntil(lambda: w.banner.state == "offline", timeout=20_000)
    assert not w.commands.manifest.isEnabled()
    assert "not now" in w.commands.manifest.toolTip()
    demo_env.info.clear_faults()
    w.c.sync.sync_now()
    qtbot.waitUntil(lambda: w.banner.state == "online", timeout=20_000)
    assert w.commands.manifest.isEnabled()
