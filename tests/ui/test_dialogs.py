"""Sign-in, settings and isolation-alert dialogs: behaviour, masking, plain text, export."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from clickdrop_desktop.api.capabilities import Capabilities
from clickdrop_desktop.sync.incidents import Incident
from ui.controllers.accounts import SignInOutcome
from ui.dialogs.isolation_alert import IsolationAlertDialog, explain, when_text
from ui.dialogs.settings_dialog import NO_PRINTERS_FOUND, SettingsDialog
from ui.dialogs.sign_in import SignInDialog, capability_lines
from ui.preferences import Preferences
from ui.tasks import SyncTaskRunner

OBA = Capabilities(key_valid=True, labels=True, full=False, account_type="OBA", auth_scheme=None)
OLP = Capabilities(key_valid=True, labels=False, full=False, account_type="OLP", auth_scheme=None)
BAD = Capabilities(key_valid=False, labels=False, full=False, account_type=None, auth_scheme=None)


class _Directory:
    """Answers like the account directory; records what it was asked (never the key)."""

    def __init__(self, caps: Capabilities) -> None:
        self.caps = caps
        self.signed_in: list[tuple[str, str]] = []
        self.keys_seen = 0

    def verify(self, api_url: str, api_key: str) -> Capabilities:
        self.keys_seen += 1
        return self.caps

    def sign_in(self, name: str, api_url: str, api_key: str) -> SignInOutcome:
        self.signed_in.append((name, api_url))
        return SignInOutcome(name, self.caps)


def _dialog(qtbot, caps: Capabilities) -> tuple[SignInDialog, _Directory]:
    directory = _Directory(caps)
    dialog = SignInDialog(SyncTaskRunner(), directory)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    return dialog, directory


def test_key_is_masked_and_wiped_when_the_dialog_closes(qtbot) -> None:
    dialog, _directory = _dialog(qtbot, OBA)
    assert dialog.key_field.echoMode() == QLineEdit.EchoMode.Password
    dialog.key_field.setText("11111111-2222-3333-4444-555555555555")
    dialog._reveal.setChecked(True)
    assert dialog.key_field.echoMode() == QLineEdit.EchoMode.Normal
    dialog.reject()
    assert dialog.key_field.text() == ""


def test_an_oba_key_shows_labels_available_and_signs_in(qtbot) -> None:
    dialog, directory = _dialog(qtbot, OBA)
    dialog.key_field.setText("11111111-2222-3333-4444-555555555555")
    assert not dialog.sign_in_button.isEnabled()
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    texts = " ".join(lbl.text() for lbl in dialog.caps_box.findChildren(QLabel))
    assert "Labels available" in texts
    assert dialog.name_field.text() == "Online Business Account"
    assert dialog.sign_in_button.isEnabled()
    dialog.name_field.setText("My shop")  # renaming keeps the checked key
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert directory.signed_in == [("My shop", "https://api.parcel.royalmail.com/api/v1")]
    assert dialog.outcome is not None
    assert dialog.result() == dialog.DialogCode.Accepted


def test_a_pay_as_you_go_key_explains_why_there_are_no_labels(qtbot) -> None:
    dialog, _directory = _dialog(qtbot, OLP)
    dialog.key_field.setText("k" * 36)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    texts = " ".join(lbl.text() for lbl in dialog.caps_box.findChildren(QLabel))
    assert "Labels available" not in texts
    assert "OBA accounts only" in texts
    assert "website" in texts


def test_a_refused_key_says_so_and_cannot_sign_in(qtbot) -> None:
    dialog, _directory = _dialog(qtbot, BAD)
    dialog.key_field.setText("k" * 36)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    assert "did not accept" in dialog.status.text()
    assert not dialog.sign_in_button.isEnabled()


def test_an_empty_key_is_a_clear_line_not_a_call(qtbot) -> None:
    dialog, directory = _dialog(qtbot, OBA)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    assert "Paste the API key" in dialog.status.text()
    assert directory.keys_seen == 0


def test_capability_lines_cover_every_account_type() -> None:
    assert capability_lines(OBA)[1][0] is True
    assert capability_lines(OLP)[1][0] is False


# -- settings ----------------------------------------------------------------------------------


def test_settings_saves_typed_preferences(qtbot) -> None:
    dialog = SettingsDialog(Preferences(), SyncTaskRunner())
    qtbot.addWidget(dialog)
    dialog.printer_boxes["postageLabel"].setEditText("zpl+usb://0a5f:00d3")
    dialog.dpi.setCurrentIndex(dialog.dpi.findData(300))
    dialog.darkness.setValue(20)
    dialog.start_group.button(3).setChecked(True)
    dialog.auto_print.setChecked(True)
    dialog.slip_on_scan.setChecked(True)
    dialog.retention.setValue(30)
    dialog._on_save_clicked()
    prefs = dialog.result_prefs
    assert prefs is not None
    assert prefs.printers == {"postageLabel": "zpl+usb://0a5f:00d3"}
    assert (prefs.dpi, prefs.darkness, prefs.speed) == (300, 20, None)
    assert prefs.a4_start_position == 3
    assert prefs.auto_print
    assert prefs.packing_slip_on_scan
    assert prefs.retention_days == 30
    assert prefs.printer_uri("packingSlip") == "zpl+usb://0a5f:00d3?dpi=300&media=4x6&darkness=20"


def test_settings_refuses_a_bad_printer_address_with_one_line(qtbot) -> None:
    dialog = SettingsDialog(Preferences(), SyncTaskRunner())
    qtbot.addWidget(dialog)
    dialog.printer_boxes["packingSlip"].setEditText("lpt1: please")
    dialog._on_save_clicked()
    assert dialog.result_prefs is None
    assert dialog.status.text().startswith("Packing slip:")
    assert "\n" not in dialog.status.text()


def test_settings_lists_discovered_printers_and_sends_a_test_page(qtbot) -> None:
    sent: list[str] = []
    dialog = SettingsDialog(
        Preferences(),
        SyncTaskRunner(),
        discover=lambda: [("Zebra GK420d", "zpl+usb://0a5f:0080")],
        test_print=sent.append,
    )
    qtbot.addWidget(dialog)
    box = dialog.printer_boxes["postageLabel"]
    assert box.count() == 1
    box.setCurrentIndex(0)
    dialog._on_test_clicked("postageLabel")
    assert sent == ["zpl+usb://0a5f:0080"]
    assert dialog.status.text() == "Test page sent."
    assert not dialog.passphrase_button.isEnabled()


def test_settings_says_what_to_do_when_no_printer_is_found(qtbot) -> None:
    dialog = SettingsDialog(Preferences(), SyncTaskRunner(), discover=list)
    qtbot.addWidget(dialog)
    assert dialog.status.text() == NO_PRINTERS_FOUND
    assert "address" in dialog.status.text()


# -- isolation alert ---------------------------------------------------------------------------


def _incident() -> Incident:
    return Incident(
        incident_id="0f" * 16,
        detected_at="2026-03-01T14:02:00Z",
        account="Shop",
        endpoint="GET /orders",
        kinds=("foreign_trading_name",),
        details=("3 records of another trading name",),
        records_in_response=100,
        suspect_records=3,
        requested_ids=0,
        hashed_ids=("a" * 64, "b" * 64, "c" * 64),
        foreign_hashed_ids=("a" * 64,),
        salt_id="s" * 16,
    )


def test_isolation_alert_explains_and_exports_the_record(qtbot, tmp_path: Path) -> None:
    target = tmp_path / "incident.json"
    resumed: list[bool] = []
    dialog = IsolationAlertDialog(
        "Shop", [_incident()], lambda *_a: target, on_resume=lambda: resumed.append(True)
    )
    qtbot.addWidget(dialog)
    text = " ".join(lbl.text() for lbl in dialog.findChildren(QLabel))
    assert "None of the 3 suspect records was stored, shown or printed" in text
    assert "paused" in text
    assert "2026-03-01T14:02:00Z" not in text  # a date as people read it, in local time
    assert when_text("2026-03-01T14:02:00Z") in text
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    exported = json.loads(target.read_text())
    assert exported["account"] == "Shop"
    assert exported["incidents"][0]["suspect_records"] == 3
    assert (target.stat().st_mode & 0o777) == 0o600
    assert "Saved to" in dialog.status.text()
    qtbot.mouseClick(dialog.resume_button, Qt.MouseButton.LeftButton)
    assert resumed == [True]


@pytest.mark.parametrize("kind", ["unrequested_ids", "shared_cache", "something_new"])
def test_every_incident_kind_is_explained_in_words(kind: str) -> None:
    incident = _incident()
    text = explain(Incident(**{**incident.to_dict(), "kinds": (kind,)}))[0]
    assert "_" not in text.split(":")[1]


def test_incident_times_read_as_local_dates(monkeypatch) -> None:
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    try:
        assert when_text("2026-07-01T14:02:00Z") == "1 Jul 2026, 15:02 (BST)"
        assert when_text("2026-03-01T14:02:00Z") == "1 Mar 2026, 14:02 (GMT)"
        assert when_text("not a time") == "not a time"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_enter_checks_the_pasted_key_then_signs_in(qtbot) -> None:
    dialog, directory = _dialog(qtbot, OBA)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.key_field.setFocus()
    dialog.key_field.setText("11111111-2222-3333-4444-555555555555")
    qtbot.keyClick(dialog.key_field, Qt.Key.Key_Return)  # checks; does not sign in yet
    assert dialog.capabilities is not None
    assert directory.signed_in == []
    assert dialog.sign_in_button.isDefault()
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    assert [name for name, _url in directory.signed_in] == ["Online Business Account"]
    assert dialog.result() == dialog.DialogCode.Accepted


def test_a_changed_key_must_be_checked_again_before_enter_signs_in(qtbot) -> None:
    dialog, directory = _dialog(qtbot, OBA)
    dialog.key_field.setText("11111111-2222-3333-4444-555555555555")
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    dialog.key_field.setText("11111111-2222-3333-4444-666666666666")
    assert dialog.check_button.isDefault()
    assert not dialog.sign_in_button.isEnabled()
    assert directory.signed_in == []
