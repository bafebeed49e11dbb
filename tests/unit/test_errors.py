"""Every exception becomes one line and the exit code of DESIGN.md, never a traceback."""

from __future__ import annotations

import pytest

from clickdrop_desktop.api.errors import AuthError, BadResponse, Offline, RateLimited
from clickdrop_desktop.errors import IsolationAlert, describe


class _PrinterProblem(Exception):
    """Stands in for printing's errors: the core knows them only by their `.message`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (IsolationAlert("records of another account were quarantined"), 5),
        (AuthError("the API key was refused"), 4),
        (Offline("Click & Drop cannot be reached"), 3),
        (RateLimited("too many requests", retry_after=2.0), 3),
        (BadResponse("the label is not a PDF"), 1),
        (_PrinterProblem("printer is out of labels\nsecond line"), 1),
        (FileNotFoundError(2, "No such file or directory", "/nope"), 1),
        (ValueError("boom\nTraceback (most recent call last):"), 1),
    ],
)
def test_one_line_and_exit_code(exc: BaseException, code: int) -> None:
    message, exit_code = describe(exc)
    assert exit_code == code
    assert message
    assert "\n" not in message
    assert "Traceback" not in message
