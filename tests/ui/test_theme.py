"""The stylesheet's rules for fields, dialog buttons, disabled buttons, tab focus and checked tools."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolBar,
    QToolButton,
    QWidget,
)

from ui import theme
from ui.widgets.status_tabs import StatusTabs

BOTH = pytest.mark.parametrize("t", [theme.LIGHT, theme.DARK], ids=["light", "dark"])


@pytest.fixture(autouse=True)
def _app_palette(qapp: QApplication) -> Iterator[None]:
    """The app's palette as `apply_theme` sets it (a stylesheet ignores a widget's own), put
    back after each test."""
    before = qapp.palette()
    yield
    qapp.setPalette(before)


def _themed(qtbot, t: theme.Tokens) -> QWidget:
    """A window with the theme's stylesheet (the shared QApplication keeps its own)."""
    QApplication.setPalette(theme.palette_for(t))
    host = QWidget()
    host.setStyleSheet(theme.stylesheet_for(t))
    qtbot.addWidget(host)
    return host


def _pixel(image: QImage, x: int, y: int) -> str:
    return QColor(image.pixel(x, y)).name().upper()


@BOTH
def test_fields_have_a_visible_border_and_an_accent_focus_border(t: theme.Tokens) -> None:
    css = theme.stylesheet_for(t)
    assert (
        f"border: 1px solid {t.border}" in css.split("QLineEdit, QComboBox, QAbstractSpinBox {")[1]
    )
    assert (
        f"QLineEdit:focus, QComboBox:focus, QAbstractSpinBox:focus {{ border-color: {t.accent}; }}"
        in css
    )


@BOTH
def test_a_field_draws_its_border_in_the_border_colour_then_the_accent_when_focused(
    qtbot, t: theme.Tokens
) -> None:
    host = _themed(qtbot, t)
    layout = QHBoxLayout(host)
    field, other = QLineEdit("Jane"), QSpinBox()
    layout.addWidget(field)
    layout.addWidget(other)
    host.show()
    qtbot.waitExposed(host)
    other.setFocus()
    qtbot.waitUntil(other.hasFocus)
    mid = field.height() // 2
    assert _pixel(field.grab().toImage(), 0, mid) == t.border.upper()
    assert _pixel(other.grab().toImage(), 0, other.height() // 2) == t.accent.upper()
    # The edit stays as tall as Fusion's, with the search field's padding rule still its own.
    assert field.sizeHint().height() >= 22
    assert "QLineEdit#SearchField {" in theme.stylesheet_for(t)


@BOTH
def test_dialog_buttons_carry_no_style_icons(qtbot, t: theme.Tokens) -> None:
    assert "QDialogButtonBox { dialogbuttonbox-buttons-have-icons: 0; }" in theme.stylesheet_for(t)
    host = _themed(qtbot, t)
    box = QDialogButtonBox(host)
    box.setStandardButtons(
        QDialogButtonBox.StandardButton.Save
        | QDialogButtonBox.StandardButton.Cancel
        | QDialogButtonBox.StandardButton.Close
    )
    assert all(button.icon().isNull() for button in box.buttons())


@BOTH
def test_a_disabled_push_button_looks_disabled(qtbot, t: theme.Tokens) -> None:
    palette = theme.palette_for(t)
    group, role = QPalette.ColorGroup, QPalette.ColorRole
    assert palette.color(group.Disabled, role.ButtonText) != palette.color(
        group.Active, role.ButtonText
    )
    assert palette.color(group.Disabled, role.Button) != palette.color(group.Active, role.Button)
    assert f"QPushButton:disabled {{ color: {t.disabled}; }}" in theme.stylesheet_for(t)
    host = _themed(qtbot, t)
    layout = QHBoxLayout(host)
    enabled, disabled = QPushButton("Retry"), QPushButton("Retry")
    disabled.setEnabled(False)
    layout.addWidget(enabled)
    layout.addWidget(disabled)
    host.show()
    qtbot.waitExposed(host)
    on, off = enabled.grab().toImage(), disabled.grab().toImage()
    assert on.size() == off.size()  # same size: nothing jumps when it is enabled
    # The face (left of the text, clear of the frame) takes the window's colour when disabled.
    face_on = QColor(on.pixel(6, on.height() // 2))
    face_off = QColor(off.pixel(6, off.height() // 2))
    assert face_on != face_off
    window = QColor(t.window)

    def distance(c: QColor) -> int:
        return sum(abs(a - b) for a, b in zip(c.getRgb()[:3], window.getRgb()[:3], strict=True))

    assert distance(face_off) < distance(face_on)  # Fusion shades the face a little


@BOTH
def test_the_status_tabs_show_which_tab_has_the_keyboard(qtbot, t: theme.Tokens) -> None:
    assert "QTabBar#StatusTabs::tab:selected:focus" in theme.stylesheet_for(t)
    host = _themed(qtbot, t)
    layout = QHBoxLayout(host)
    tabs, elsewhere = StatusTabs(), QLineEdit()
    layout.addWidget(tabs)
    layout.addWidget(elsewhere)
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    elsewhere.setFocus()
    qtbot.waitUntil(elsewhere.hasFocus)
    first = tabs.tabRect(0)
    spot = (first.left() + 3, first.top() + 3)
    assert _pixel(tabs.grab().toImage(), *spot) != t.selection.upper()
    tabs.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(tabs.hasFocus)
    assert _pixel(tabs.grab().toImage(), *spot) == t.selection.upper()


@BOTH
def test_a_checked_toolbar_action_is_tinted(qtbot, t: theme.Tokens) -> None:
    host = _themed(qtbot, t)
    layout = QHBoxLayout(host)
    bar = QToolBar()
    bar.setObjectName("MainToolBar")
    bench = QAction("Bench mode", bar)
    bench.setCheckable(True)
    bar.addAction(bench)
    layout.addWidget(bar)
    host.show()
    qtbot.waitExposed(host)
    button = bar.widgetForAction(bench)
    assert isinstance(button, QToolButton)
    spot = (4, button.height() // 2)
    unchecked_size = button.size()
    assert _pixel(button.grab().toImage(), *spot) != t.selection.upper()
    bench.setChecked(True)
    assert _pixel(button.grab().toImage(), *spot) == t.selection.upper()
    assert button.size() == unchecked_size
