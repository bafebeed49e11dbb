"""Dark and light palettes that follow the OS colour scheme, and the app's one stylesheet."""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from ui.resources import resources_dir

#: The widget style every colour and rule here is made for.
STYLE = "Fusion"

#: Set to `dark` or `light` to override the OS (screenshots, or a bench PC under bright lights).
THEME_ENV = "CLICKDROP_THEME"


@dataclass(frozen=True, slots=True)
class Tokens:
    """Every colour the app uses, named by purpose; one set per scheme."""

    dark: bool
    window: str
    base: str
    alt_base: str
    surface: str  # panels, cards and the toolbar
    border: str
    text: str
    muted: str
    disabled: str  # text of disabled controls: dimmer than muted, so they read as off
    accent: str  # primary actions, the current tab, focus
    accent_text: str
    selection: str  # selected rows: a tint, so a selection never reads as an error
    selection_text: str
    ok_bg: str
    ok_fg: str
    warn_bg: str
    warn_fg: str
    bad_bg: str
    bad_fg: str
    info_bg: str
    info_fg: str


LIGHT = Tokens(
    dark=False,
    window="#F3F4F6",
    base="#FFFFFF",
    alt_base="#F8F9FB",
    surface="#FFFFFF",
    border="#D9DCE1",
    text="#1E2329",
    muted="#5F6873",
    disabled="#A3A9B1",
    accent="#C4302B",
    accent_text="#FFFFFF",
    selection="#F9DAD7",
    selection_text="#1E2329",
    ok_bg="#E3F4E8",
    ok_fg="#1B6B35",
    warn_bg="#FFF3D6",
    warn_fg="#7A5200",
    bad_bg="#FDE4E2",
    bad_fg="#A1221C",
    info_bg="#E4EEFB",
    info_fg="#1F4F8F",
)

DARK = Tokens(
    dark=True,
    window="#1C1F23",
    base="#15171A",
    alt_base="#1A1D21",
    surface="#23272C",
    border="#353A41",
    text="#E7E9EC",
    muted="#9AA2AC",
    disabled="#5E656E",
    accent="#E0473F",
    accent_text="#FFFFFF",
    selection="#5A2B29",
    selection_text="#F4F5F6",
    ok_bg="#16361F",
    ok_fg="#8FDCA6",
    warn_bg="#3D3011",
    warn_fg="#F5CF73",
    bad_bg="#47201E",
    bad_fg="#FF9D96",
    info_bg="#1B2C45",
    info_fg="#9EC2F5",
)


def system_prefers_dark() -> bool:
    override = os.environ.get(THEME_ENV, "").strip().lower()
    if override in {"dark", "light"}:
        return override == "dark"
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def palette_for(t: Tokens) -> QPalette:
    p = QPalette()
    role = QPalette.ColorRole
    for r, value in (
        (role.Window, t.window),
        (role.WindowText, t.text),
        (role.Base, t.base),
        (role.AlternateBase, t.alt_base),
        (role.Text, t.text),
        (role.Button, t.surface),
        (role.ButtonText, t.text),
        (role.BrightText, t.accent_text),
        (role.Highlight, t.selection),
        (role.HighlightedText, t.selection_text),
        (role.ToolTipBase, t.surface),
        (role.ToolTipText, t.text),
        (role.PlaceholderText, t.muted),
        (role.Link, t.accent),
        (role.Light, t.surface),
        (role.Midlight, t.border),
        (role.Mid, t.border),
        (role.Dark, t.muted),
        (role.Shadow, "#000000"),
    ):
        p.setColor(r, QColor(value))
    disabled = QColor(t.disabled)
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, r, disabled)
    # Fusion draws a button's face from Button: a disabled one gets the window's colour, flat
    # against the panel, so Retry or Send now cannot be taken for a button that works.
    p.setColor(QPalette.ColorGroup.Disabled, role.Button, QColor(t.window))
    p.setColor(QPalette.ColorGroup.Disabled, role.Highlight, QColor(t.border))
    # An unfocused selection stays visible (a packer looks away from the screen, not from Qt).
    p.setColor(QPalette.ColorGroup.Inactive, role.Highlight, QColor(t.selection))
    return p


def stylesheet_for(t: Tokens) -> str:
    """Targeted rules only (object names and properties); the palette does the rest."""
    # A combo or spin box with a styled border loses Fusion's arrows: ours are two SVGs.
    arrows = (resources_dir() / "theme").as_posix()
    return f"""
QToolBar#MainToolBar {{
    background: {t.surface}; border: none; border-bottom: 1px solid {t.border};
    padding: 4px 8px; spacing: 2px;
}}
QToolBar#MainToolBar QToolButton {{
    padding: 4px 8px; border-radius: 6px; border: 1px solid transparent;  /* as wide checked */
}}
QToolBar#MainToolBar QToolButton:hover {{ background: {t.alt_base}; }}
QToolBar#MainToolBar QToolButton:disabled {{ color: {t.disabled}; }}
QToolBar#MainToolBar QToolButton:checked {{
    background: {t.selection}; color: {t.selection_text}; border: 1px solid {t.accent};
}}
QToolBar#MainToolBar QToolButton:checked:hover {{ background: {t.selection}; }}
QWidget#Banner {{ border-bottom: 1px solid {t.border}; }}
QWidget#Banner[state="online"] {{ background: {t.ok_bg}; }}
QWidget#Banner[state="online"] QLabel {{ color: {t.ok_fg}; }}
QWidget#Banner[state="degraded"] {{ background: {t.warn_bg}; }}
QWidget#Banner[state="degraded"] QLabel {{ color: {t.warn_fg}; }}
QWidget#Banner[state="offline"] {{ background: {t.bad_bg}; }}
QWidget#Banner[state="offline"] QLabel {{ color: {t.bad_fg}; }}
QFrame#Card {{
    background: {t.surface}; border: 1px solid {t.border}; border-radius: 8px;
}}
QLabel#CardTitle {{ font-weight: 600; color: {t.text}; }}
QLabel#Muted {{ color: {t.muted}; }}
QLabel#FieldName {{ color: {t.muted}; }}
QLabel#Heading {{ font-size: 15pt; font-weight: 600; }}
QLineEdit, QComboBox, QAbstractSpinBox {{
    border: 1px solid {t.border}; border-radius: 4px; padding: 3px 6px; background: {t.base};
}}
QAbstractSpinBox {{ padding: 2px 6px; }}  /* its edit field is 19px high: this matches the rest */
QLineEdit:focus, QComboBox:focus, QAbstractSpinBox:focus {{ border-color: {t.accent}; }}
QLineEdit:disabled, QComboBox:disabled, QAbstractSpinBox:disabled {{
    background: {t.window}; color: {t.disabled};
}}
QComboBox::drop-down {{
    subcontrol-origin: border; subcontrol-position: top right; width: 22px; border: none;
}}
QComboBox::down-arrow {{ image: url("{arrows}/spin-down.svg"); width: 9px; height: 9px; }}
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {{
    subcontrol-origin: border; width: 18px; border-left: 1px solid {t.border};
}}
QAbstractSpinBox::up-button {{ subcontrol-position: top right; }}
QAbstractSpinBox::down-button {{ subcontrol-position: bottom right; }}
QAbstractSpinBox::up-arrow {{ image: url("{arrows}/spin-up.svg"); width: 9px; height: 9px; }}
QAbstractSpinBox::down-arrow {{ image: url("{arrows}/spin-down.svg"); width: 9px; height: 9px; }}
QAbstractSpinBox::up-button:hover, QAbstractSpinBox::down-button:hover {{
    background: {t.alt_base};
}}
QLineEdit#SearchField {{
    padding: 5px 8px; border: 1px solid {t.border}; border-radius: 6px; background: {t.base};
}}
QLineEdit#SearchField:focus {{ border: 1px solid {t.accent}; }}
QLineEdit#ScanField {{
    font-size: 15pt; padding: 8px 10px; border: 2px solid {t.border}; border-radius: 8px;
    background: {t.base};
}}
QLineEdit#ScanField:focus {{ border-color: {t.accent}; }}
QLineEdit#ScanField[feedback="ok"] {{ border-color: {t.ok_fg}; background: {t.ok_bg}; }}
QLineEdit#ScanField[feedback="warn"] {{ border-color: {t.warn_fg}; background: {t.warn_bg}; }}
QLineEdit#ScanField[feedback="bad"] {{ border-color: {t.bad_fg}; background: {t.bad_bg}; }}
QLabel#ScanResult {{ font-size: 12pt; font-weight: 600; }}
QLabel#ScanResult[feedback="ok"], QLabel#StatusLine[feedback="ok"] {{ color: {t.ok_fg}; }}
QLabel#StatusLine[feedback="warn"] {{ color: {t.warn_fg}; }}
QLabel#StatusLine[feedback="bad"] {{ color: {t.bad_fg}; }}
QLabel#ScanResult[feedback="warn"] {{ color: {t.warn_fg}; }}
QLabel#ScanResult[feedback="bad"] {{ color: {t.bad_fg}; }}
QTableView {{
    border: 1px solid {t.border}; border-radius: 6px; gridline-color: {t.border};
    background: {t.base}; alternate-background-color: {t.alt_base};
}}
QHeaderView::section {{
    background: {t.surface}; color: {t.muted}; padding: 5px 8px; border: none;
    border-bottom: 1px solid {t.border}; font-weight: 600;
}}
QTabBar#StatusTabs::tab {{
    padding: 6px 14px; margin-right: 2px; border: none; border-bottom: 2px solid transparent;
    color: {t.muted};
}}
QTabBar#StatusTabs::tab:selected {{ color: {t.text}; border-bottom: 2px solid {t.accent}; }}
QTabBar#StatusTabs::tab:hover:!selected {{ color: {t.text}; }}
QTabBar#StatusTabs::tab:selected:focus {{ background: {t.selection}; color: {t.selection_text}; }}
QPushButton#Primary {{
    background: {t.accent}; color: {t.accent_text}; border: none; border-radius: 6px;
    padding: 6px 14px; font-weight: 600;
}}
QPushButton#Primary:disabled {{ background: {t.border}; color: {t.muted}; }}
QLabel#Badge {{
    border-radius: 9px; padding: 1px 8px; font-weight: 600;
    background: {t.info_bg}; color: {t.info_fg};
}}
QLabel#Badge[tone="ok"] {{ background: {t.ok_bg}; color: {t.ok_fg}; }}
QLabel#Badge[tone="warn"] {{ background: {t.warn_bg}; color: {t.warn_fg}; }}
QLabel#Badge[tone="bad"] {{ background: {t.bad_bg}; color: {t.bad_fg}; }}
QPushButton:disabled {{ color: {t.disabled}; }}
QDialogButtonBox {{ dialogbuttonbox-buttons-have-icons: 0; }}
QStatusBar {{ border-top: 1px solid {t.border}; }}
QDockWidget::title {{ padding: 6px 8px; background: {t.surface}; }}
"""


def tokens() -> Tokens:
    return DARK if system_prefers_dark() else LIGHT


def apply_theme(app: QApplication, *, set_style: bool = True) -> Tokens:
    """Fusion style with our palette and stylesheet for the current scheme; returns its tokens.

    `set_style=False`: the app was made with Fusion already (`-style`, see `ui.app`).
    """
    t = tokens()
    if set_style:
        app.setStyle(STYLE)
    app.setPalette(palette_for(t))
    app.setStyleSheet(stylesheet_for(t))
    return t


def repolish(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property used in a selector changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


class ThemeWatcher(QObject):
    """Follows the OS colour scheme at run time (Qt 6.5+ `colorSchemeChanged`)."""

    theme_changed = Signal(object)  # Tokens

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)

    def _on_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        self.theme_changed.emit(apply_theme(self._app))
