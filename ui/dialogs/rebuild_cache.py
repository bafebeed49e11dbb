"""Offer to rebuild an account's damaged order cache: says what a rebuild keeps and loses first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ui import theme
from ui.widgets.plain import PlainLabel

KEEPS = [
    "Changes not yet sent to Click & Drop (read from the outbox journal): they are sent once, "
    "as usual.",
    "Cached labels, with their print history and the orders they belong to, as far as the "
    "damaged file still yields them (the report afterwards says how many could not be kept).",
    "The retention period, the account's trading names and the isolation incident records, "
    "as far as the damaged file still yields them.",
    "The damaged file itself: it is moved aside, not deleted.",
]
LOSES = [
    "Cached labels on damaged parts of the file. Printing one again fetches it from Click & "
    "Drop, which generates it again and may be billed.",
    "The other cached orders until the next sync fetches them again (printing offline needs them).",
]


class Bullets(QWidget):
    """A bulleted list whose wrapped lines stay indented under their text (one label for all
    lines wrapped back under the bullets)."""

    def __init__(self, lines: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines = list(lines)
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        for row, line in enumerate(lines):
            grid.addWidget(PlainLabel("•"), row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(PlainLabel(line, wrap=True), row, 1)

    def text(self) -> str:
        return "\n".join(self._lines)


class RebuildCacheDialog(QDialog):
    """Modal. Accepted means "rebuild"; the caller runs it off the GUI thread.

    Args:
        account: the account's name (shown as plain text).
        problem: the one-line error that stopped the account from opening.
        pending: a rebuild was started before and did not finish (finishing it is safe).
    """

    def __init__(
        self, account: str, problem: str, parent: QWidget | None = None, *, pending: bool = False
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Rebuild the order cache?")
        self.setModal(True)
        self.setMinimumWidth(540)
        if pending:
            heading = f"A rebuild of the order cache of {account} did not finish"
            intro = (
                "The account stays closed until it is finished. Finishing it is safe: it carries "
                "on where it stopped."
            )
        else:
            heading = f"The order cache of {account} is damaged"
            intro = (
                "A rebuild makes a new encrypted cache under a new key, and the next sync "
                "fetches the orders again from Click & Drop. Nothing is sent while it runs."
            )
        self.heading = PlainLabel(heading, object_name="DialogHeading", wrap=True)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        problem = problem[:1].upper() + problem[1:]  # core messages start in lower case
        self.problem = PlainLabel(problem, object_name="StatusLine", wrap=True, selectable=True)
        self.problem.setProperty("feedback", "bad")
        theme.repolish(self.problem)
        self.intro = PlainLabel(intro, wrap=True)
        self.keeps = Bullets(KEEPS)
        self.loses = Bullets(LOSES)
        self.buttons = QDialogButtonBox()
        self.rebuild_button = self.buttons.addButton(
            "Finish the rebuild" if pending else "Rebuild cache",
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.cancel_button = self.buttons.addButton(
            "Not now", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.rebuild_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(8)
        layout.addWidget(self.heading)
        layout.addWidget(self.problem)
        layout.addWidget(self.intro)
        layout.addWidget(_title("A rebuild keeps"))
        layout.addWidget(self.keeps)
        layout.addWidget(_title("A rebuild loses"))
        layout.addWidget(self.loses)
        layout.addSpacing(6)
        layout.addWidget(self.buttons)
        # As tall as its wrapped text needs at this width: the size hint is worked out for
        # narrower lines, and the spare height would open gaps between the paragraphs.
        width = max(self.minimumWidth(), self.sizeHint().width())
        self.resize(width, layout.totalHeightForWidth(width))


def _title(text: str) -> QLabel:
    label = PlainLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def ask_rebuild(
    account: str, problem: str, parent: QWidget | None = None, *, pending: bool = False
) -> bool:
    """Show the dialog modally; True when the user chose to rebuild."""
    dialog = RebuildCacheDialog(account, problem, parent, pending=pending)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
