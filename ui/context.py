"""What every part of the GUI is handed at construction: no global singletons."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QSettings

from ui import preferences
from ui.dialogs.factory import Dialogs
from ui.feedback import Feedback
from ui.preferences import Preferences
from ui.tasks import TaskRunner


@dataclass
class AppContext:
    """The app's long-lived helpers, created once in `ui.app.run_app` (or by a test)."""

    tasks: TaskRunner
    settings: QSettings
    feedback: Feedback
    dialogs: Dialogs
    demo: bool = False
    prefs: Preferences = field(default_factory=Preferences)

    def save_preferences(self, prefs: Preferences) -> None:
        self.prefs = prefs
        preferences.save(self.settings, prefs)
