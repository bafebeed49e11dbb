"""What the window shows before any account is signed in: one clear way forward."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.icons import app_icon
from ui.widgets.plain import PlainLabel


class WelcomePanel(QWidget):
    sign_in_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WelcomePanel")
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(96, 96))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel("Click & Drop Desktop")
        title.setObjectName("Heading")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = PlainLabel(
            "Your orders, kept encrypted on this computer, and labels straight to your printer "
            "— even when the Click & Drop website is down.\n\nSign in with your Click & Drop "
            "API key to start.",
            object_name="Muted",
            wrap=True,
        )
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setMaximumWidth(460)
        self.button = QPushButton("Sign in…")
        self.button.setObjectName("Primary")
        self.button.setDefault(True)
        self.button.clicked.connect(self.sign_in_requested)
        self.demo_hint = PlainLabel(
            "No key yet? Try everything first with practice orders and a virtual printer: "
            "clickdrop-desktop --demo (from a source checkout: python3 dev.py demo).",
            object_name="Muted",
            selectable=True,  # the command can be copied into a terminal
            wrap=True,
        )
        self.demo_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.demo_hint.setMaximumWidth(460)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(logo)
        layout.addSpacing(8)
        layout.addWidget(title)
        layout.addSpacing(6)
        # Not an aligned item: a layout gives aligned widgets their size hint, so the wrapped
        # text got the height of fewer lines than it wraps to and was clipped. Stretches either
        # side keep it centred while its height follows its width.
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(self.message, 100)
        centred.addStretch(1)
        layout.addLayout(centred)
        layout.addSpacing(14)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(18)
        hint_row = QHBoxLayout()  # centred as the message is, for the same reason
        hint_row.addStretch(1)
        hint_row.addWidget(self.demo_hint, 100)
        hint_row.addStretch(1)
        layout.addLayout(hint_row)
        layout.addStretch(3)

    def set_message(self, text: str) -> None:
        self.message.setText(text)
