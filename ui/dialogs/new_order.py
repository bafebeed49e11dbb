"""The New order dialog: the form of `orders_form.NewOrderForm`, one or more packages, each
field's error shown under it (plain text: messages may quote what was typed)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clickdrop_desktop.orders_form import MAX_PACKAGES, NewOrderForm, validate
from ui.dialogs.new_order_package import PackageEditor, error_label
from ui.dialogs.new_order_parts import GROUPS, align_captions, ask_discard
from ui.widgets.plain import PlainLabel

if TYPE_CHECKING:
    from PySide6.QtWidgets import QComboBox

    from ui.controllers.outbox import OutboxController

ADD_PACKAGE_KEYS = "Ctrl+Shift+N"
REMOVE_PACKAGE_KEYS = "Ctrl+Shift+Backspace"


class NewOrderDialog(QDialog):
    """Emits `submitted(request)` once the form validates; the caller queues it and then
    calls `finish()` (closes) or `refuse(message)` (shows why under the reference).

    Fields are named as `orders_form` names them: `edits["postcode"]`,
    `edits["packages[1].weight_grams"]`, `edits["packages[0].contents[0].sku"]`.
    """

    submitted = Signal(object)  # CreateOrderRequest

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        reference_taken: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New order")
        self.setObjectName("NewOrderDialog")
        self._reference_taken = reference_taken
        self._edits: dict[str, QLineEdit] = {}
        self._errors: dict[str, QLabel] = {}
        self.packages: list[PackageEditor] = []
        intro = PlainLabel(
            "The order is kept here at once and sent to Click & Drop when it answers "
            "(see the outbox). An order may go in several packages, each with its own weight.",
            wrap=True,
        )
        # Alt+K: Alt+P is the postcode's (a clash made Alt+P land on this button, and the space
        # in "SW1A 1AA" pressed it)
        self.add_package = QPushButton("Add pac&kage")
        self.add_package.setAutoDefault(False)
        self.add_package.setToolTip(f"Add another package to this order ({ADD_PACKAGE_KEYS})")
        self.add_package.clicked.connect(self._on_add_package_clicked)
        self.packages_error = error_label("packages")
        self._package_list = QVBoxLayout()
        self._package_list.setContentsMargins(0, 0, 0, 0)
        self._package_list.setSpacing(8)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 4, 0)
        holder_layout.addLayout(self._package_list)
        holder_layout.addStretch(1)
        self.package_scroll = QScrollArea()
        self.package_scroll.setObjectName("PackagesScroll")
        self.package_scroll.setWidgetResizable(True)
        self.package_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.package_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.package_scroll.setWidget(holder)
        packages_box = QGroupBox("Packages")
        packages_layout = QVBoxLayout(packages_box)
        packages_layout.addWidget(self.package_scroll, 1)
        packages_layout.addWidget(self.packages_error)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_package)
        hint = PlainLabel(f"{ADD_PACKAGE_KEYS} adds one", object_name="Muted")
        add_row.addWidget(hint)
        add_row.addStretch(1)
        packages_layout.addLayout(add_row)

        recipient, order = (self._group(title, rows) for title, rows in GROUPS)
        left = QVBoxLayout()
        left.addWidget(recipient)
        left.addWidget(order)
        left.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 4)
        columns.addWidget(packages_box, 6)
        self.status = PlainLabel("", wrap=True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Queue order")
        ok.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self._on_cancel_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(columns, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        QShortcut(QKeySequence(ADD_PACKAGE_KEYS), self).activated.connect(
            self._on_add_package_clicked
        )
        QShortcut(QKeySequence(REMOVE_PACKAGE_KEYS), self).activated.connect(
            self._on_remove_shortcut_activated
        )
        align_captions(recipient, order)
        #: After the first Queue order every field is checked again as the user leaves it;
        #: before that, only the fields they have left (no "required" for fields not reached).
        self._checked = False
        self._visited: set[str] = set()
        #: The queue's refusal of a reference, kept while the reference reads as refused.
        self._refused: tuple[str, str] | None = None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)
        self.new_package()
        self._edits["country_code"].setText("GB")
        self._edits["full_name"].setFocus()
        #: Asked before Escape or Cancel throws away what was typed (None: never asks).
        self.confirm_discard: Callable[[], bool] | None = None
        self._blank = self.form()
        self._fit_screen(parent)

    def _fit_screen(self, parent: QWidget | None) -> None:
        """1100 x 690, but never past the screen's free area (a 1366 x 768 laptop with a
        taskbar has ~720 px; the packages scroll, so the dialog may be shorter)."""
        screen = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        width, height = 1100, 690
        if screen is not None:
            free = screen.availableGeometry()
            width = min(width, free.width() - 24)
            height = min(height, free.height() - 48)  # room for the title bar
        self.resize(width, height)

    def _group(self, title: str, rows: list[tuple[str, str, str]]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setVerticalSpacing(4)
        for name, label, placeholder in rows:
            edit = QLineEdit()
            edit.setObjectName(name)
            edit.setPlaceholderText(placeholder)
            self._edits[name] = edit
            error = error_label(name)
            self._errors[name] = error
            column = QVBoxLayout()
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(1)
            column.addWidget(edit)
            column.addWidget(error)
            holder = QWidget()
            holder.setLayout(column)
            caption = QLabel(label)
            caption.setBuddy(edit)
            form.addRow(caption, holder)
        return box

    # -- packages -------------------------------------------------------------------------------

    def new_package(self) -> PackageEditor | None:
        """Add a package at the end (None when the order has the most it may have)."""
        if len(self.packages) >= MAX_PACKAGES:
            self.status.setText(f"An order has at most {MAX_PACKAGES} packages")
            return None
        editor = PackageEditor(len(self.packages) + 1)
        editor.remove_requested.connect(self.remove_package)
        editor.chain_changed.connect(self._fix_tab_order)
        self.packages.append(editor)
        self._package_list.addWidget(editor)
        editor.show()  # at once, not when the layout's queued show runs (tests, focus)
        self._renumber()
        return editor

    def remove_package(self, editor: PackageEditor) -> None:
        if len(self.packages) <= 1 or editor not in self.packages:
            return  # an order has at least one package
        index = self.packages.index(editor)
        self.packages.remove(editor)
        editor.setParent(None)
        editor.deleteLater()
        self._renumber()
        self.packages[min(index, len(self.packages) - 1)].weight.setFocus(
            Qt.FocusReason.OtherFocusReason
        )

    def _renumber(self) -> None:
        for number, editor in enumerate(self.packages, 1):
            editor.set_number(number, removable=len(self.packages) > 1)
        self.add_package.setEnabled(len(self.packages) < MAX_PACKAGES)
        self._fix_tab_order()

    def _on_add_package_clicked(self) -> None:
        editor = self.new_package()
        if editor is not None:
            editor.weight.setFocus(Qt.FocusReason.OtherFocusReason)
            # once laid out, bring the new package into view
            QTimer.singleShot(0, lambda: self._show_package(editor))

    def _show_package(self, editor: PackageEditor) -> None:
        if editor in self.packages:
            self.package_scroll.ensureWidgetVisible(editor, 0, 0)

    def _on_remove_shortcut_activated(self) -> None:
        focus = QApplication.focusWidget()
        for editor in self.packages:
            if focus is not None and (focus is editor or editor.isAncestorOf(focus)):
                self.remove_package(editor)
                return

    def _fix_tab_order(self) -> None:
        """Recipient, order, then each package top to bottom, then the buttons."""
        chain: list[QWidget] = list(self._edits.values())
        for editor in self.packages:
            chain += editor.focus_chain()
        chain.append(self.add_package)
        chain += list(self.buttons.buttons())
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # -- fields ---------------------------------------------------------------------------------

    @property
    def format_box(self) -> QComboBox:
        """The first package's format (an order of one package has only this one)."""
        return self.packages[0].format_box

    @property
    def edits(self) -> dict[str, QLineEdit]:
        """Every line edit by its form field name, in tab order."""
        out = dict(self._edits)
        for index, editor in enumerate(self.packages):
            for name, edit in editor.field_edits().items():
                out[f"packages[{index}].{name}"] = edit
        return out

    @property
    def errors(self) -> dict[str, QLabel]:
        """The error label under each field of the order and of each package."""
        out = dict(self._errors)
        for index, editor in enumerate(self.packages):
            for name, label in editor.errors.items():
                out[f"packages[{index}].{name}"] = label
        return out

    def form(self) -> NewOrderForm:
        text = {name: edit.text() for name, edit in self._edits.items()}
        packages = tuple(editor.value() for editor in self.packages)
        return NewOrderForm(packages=packages, **text)

    def show_errors(self, errors: dict[str, str]) -> None:
        """Every error under its field, the first bad field focused and selected."""
        self._display_errors(errors)
        edits = self.edits
        first = next((n for n in edits if n in errors), None)
        if first is not None:
            edits[first].setFocus()
            edits[first].selectAll()
            for editor in self.packages:
                if editor.isAncestorOf(edits[first]):
                    self.package_scroll.ensureWidgetVisible(edits[first])
        else:
            box = next((e.format_box for i, e in enumerate(self.packages)
                        if f"packages[{i}].package_format" in errors), None)  # fmt: skip
            if box is not None:
                box.setFocus()

    def _display_errors(self, errors: dict[str, str]) -> None:
        for name, label in self._errors.items():
            message = errors.get(name, "")
            label.setText(message)
            label.setVisible(bool(message))
        for index, editor in enumerate(self.packages):
            prefix = f"packages[{index}]."
            editor.show_errors(
                {k[len(prefix) :]: m for k, m in errors.items() if k.startswith(prefix)}
            )
        general = errors.get("packages", "") or errors.get("form", "")
        self.packages_error.setText(general)
        self.packages_error.setVisible(bool(general))
        count = len(errors)
        self.status.setText(
            f"{count} field{'s' if count != 1 else ''} to correct" if errors else ""
        )

    # -- closing --------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and not self._may_discard():
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        # The title bar's close button and Alt+F4 ask too, as Escape and Cancel do.
        if self.isVisible() and not self._may_discard():
            event.ignore()
            return
        super().closeEvent(event)

    def _on_cancel_clicked(self) -> None:
        if self._may_discard():
            self.reject()

    def _may_discard(self) -> bool:
        """Nothing typed, or the user agreed to lose it."""
        if self.confirm_discard is None or self.form() == self._blank:
            return True
        return self.confirm_discard()

    def done(self, result: int) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.disconnect(self._on_focus_changed)
        super().done(result)

    def _on_focus_changed(self, old: QWidget | None, _new: QWidget | None) -> None:
        """A field was left: check the form again and show what is (still) wrong, without
        moving the focus. Before the first Queue order, only the fields already left."""
        if old is None or not self.isVisible() or not self.isAncestorOf(old):
            return
        name = next((n for n, edit in self.edits.items() if edit is old), None)
        if name is None:
            return
        self._visited.add(name)
        errors = validate(self.form(), reference_taken=self._reference_taken).errors
        if self._refused is not None and self._edits["reference"].text() == self._refused[0]:
            errors.setdefault("reference", self._refused[1])
        if not self._checked:
            errors = {n: m for n, m in errors.items() if n in self._visited}
        self._display_errors(errors)

    def submit(self) -> None:
        self._checked = True
        result = validate(self.form(), reference_taken=self._reference_taken)
        self.show_errors(result.errors)
        if result.ok and result.request is not None:
            self.set_busy(True)
            self.submitted.emit(result.request)

    def set_busy(self, busy: bool) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not busy)
        self.status.setText("Queueing…" if busy else self.status.text())

    def finish(self) -> None:
        self.accept()

    def refuse(self, message: str) -> None:
        """The queue refused it (reference taken meanwhile): say so under the reference."""
        self.set_busy(False)
        self._refused = (self._edits["reference"].text(), message)
        self.show_errors({"reference": message})


def open_new_order(parent: QWidget | None, outbox: OutboxController) -> NewOrderDialog:
    """Show the dialog (non-blocking); OK queues the order in a worker and refreshes the table."""
    dialog = NewOrderDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.confirm_discard = lambda: ask_discard(dialog)

    def finish(_count: int) -> None:
        if shiboken6.isValid(dialog):  # Cancel stays usable while queueing: it may be gone
            dialog.finish()

    def refuse(message: str) -> None:
        if shiboken6.isValid(dialog):
            dialog.refuse(message)

    def queue(request: object) -> None:
        started = outbox.queue_new_orders([request], source="form", on_done=finish, on_error=refuse)
        if not started:
            dialog.refuse("no account is open")

    dialog.submitted.connect(queue)
    dialog.open()
    return dialog
