"""Last line of defence in the GUI: log the traceback to a file, show the user one short line."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from clickdrop_desktop.errors import describe

log = logging.getLogger(__name__)

#: Shows (title, one-line message, path of the log); the app passes a QMessageBox, tests a list.
ShowCrash = Callable[[str, str, Path], None]


class CrashHandler:
    """Installed as `sys.excepthook` and `threading.excepthook` while the app runs.

    The full traceback goes only to `crash.log` in the data dir (0600, no secrets: our errors
    never carry them); the user sees one line and where the details are. Re-entrant crashes
    while the dialog is open are logged, not stacked as more dialogs.
    """

    def __init__(self, log_path: Path, show: ShowCrash) -> None:
        self._log_path = log_path
        self._show = show
        self._showing = False
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook

    def install(self) -> None:
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread

    def uninstall(self) -> None:
        sys.excepthook = self._previous_hook
        threading.excepthook = self._previous_thread_hook

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self._record(args.exc_type, args.exc_value, args.exc_traceback)

    def handle(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_hook(exc_type, exc, tb)
            return
        self._record(exc_type, exc, tb)
        if self._showing:
            return
        self._showing = True
        try:
            message, _code = describe(exc)
            self._show("Something went wrong", message, self._log_path)
        finally:
            self._showing = False

    def _record(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        # Redacted like the main log: an exception message may quote a key or an address.
        # Loaded here: the handler is installed before the log is (which waits for the window).
        from clickdrop_desktop.logging_setup import redact

        text = redact("".join(traceback.format_exception(exc_type, exc, tb)))
        log.error("unhandled exception:\n%s", text)
        try:
            self._log_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with self._log_path.open("a", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self._log_path.chmod(0o600)
        except OSError:
            print(text, file=sys.stderr)
