"""Turning any exception into one line a user can act on, and the CLI exit code for it."""

from __future__ import annotations

from clickdrop_desktop.api.errors import (
    ApiError,
    AuthError,
    BadResponse,
    FeatureNotAvailable,
    Offline,
    RateLimited,
    ServiceUnavailable,
)

EXIT_ERROR, EXIT_OFFLINE, EXIT_AUTH, EXIT_ISOLATION = 1, 3, 4, 5


class IsolationAlert(Exception):
    """Sync found records that do not belong to this account; they were quarantined, not stored."""

    def __init__(self, message: str, *, incident_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.incident_id = incident_id


def describe(exc: BaseException) -> tuple[str, int]:
    """One line (no traceback, no secrets) and an exit code for `exc`."""
    if isinstance(exc, IsolationAlert):
        return exc.message, EXIT_ISOLATION
    if isinstance(exc, AuthError):
        return (
            f"{exc.message} Check the API key (Settings > Integrations in Click & Drop).",
            EXIT_AUTH,
        )
    if isinstance(exc, Offline | ServiceUnavailable | RateLimited):
        return (
            f"{exc.message} Your work is kept; try again when Click & Drop answers.",
            EXIT_OFFLINE,
        )
    if isinstance(exc, FeatureNotAvailable | BadResponse | ApiError):
        return exc.message, EXIT_ERROR
    # Every error type of ours (vault, store, printing, ...) carries a one-line `.message`;
    # the core cannot import printing/, so it is recognised by shape, not by class.
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return message.splitlines()[0], EXIT_ERROR
    if isinstance(exc, PermissionError):
        return f"permission denied: {exc.filename or exc}", EXIT_ERROR
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc.__class__.__name__}: {exc.filename or ''}".strip(), EXIT_ERROR
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return f"unexpected error ({exc.__class__.__name__}): {text[:200]}", EXIT_ERROR
