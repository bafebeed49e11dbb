"""The app's log: a rotating file in the data dir (0600) that never holds a secret or personal data.

Both front ends call `setup_logging()`: the GUI (ui/app.py) and every CLI command (cli.py). A
redaction filter on the file handler rewrites each record before it is written, so a key or an
address that slips into a message, an exception text or a traceback is masked in the file:

- API keys: GUID-like strings (Click & Drop's keys), `Bearer`/`Basic` credentials, and
  `api_key=`/`password=`/`passphrase=`/`token=` style assignments;
- store keys and other key material: runs of 32 or more hex digits;
- personal data: e-mail addresses, UK postcodes and phone numbers.

Names and street addresses cannot be recognised by a pattern; the code logs order identifiers,
never customer text, and this filter is the second line of defence, not the first.

`log_crash()` is the CLI's crash hook: the traceback goes to the log only; the user sees the one
line that `cli.py` prints. The GUI's crash handler (ui/crash.py) logs through the same file.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import re
import sys
import threading
from pathlib import Path
from types import TracebackType

from clickdrop_desktop.paths import data_dir, ensure_private_dir

LOG_FOLDER = "logs"
LOG_FILE = "clickdrop-desktop.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

#: Libraries whose INFO lines carry request URLs (order ids, search terms, continuation tokens).
QUIET_LOGGERS = ("httpx", "httpcore", "urllib3", "PIL")

_HEX = "[0-9A-Fa-f]"
# Order matters: credentials first, so an assignment's value is masked whole before the
# narrower patterns see pieces of it.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization: Bearer <key> / Basic <b64>; also the bare `Bearer <key>` in any text.
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 [redacted]"),
    # key=value, "key": "value", key: value for names that always hold secrets; a quoted
    # value is masked whole (a passphrase may have spaces).
    (
        re.compile(
            r"(?i)\b((?:x-)?api[_-]?key|authorization|passphrase|password|secret|"
            r"store[_-]?key|access[_-]?token|token)"
            r"([\"']?\s*[:=]\s*)(?:\"[^\"\n]*\"|'[^'\n]*'|(?!\[redacted\]|(?:bearer|basic)\s)[^\s\"',;&}]+)"
        ),
        r"\1\2[redacted]",
    ),
    # GUID-like: Click & Drop API keys (8-4-4-4-12 hex).
    (re.compile(rf"\b{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}\b"), "[key]"),
    # 32+ hex digits, also inside a longer token (0x...): store keys (64 hex), key material.
    (re.compile(rf"(?<!{_HEX}){_HEX}{{32,}}(?!{_HEX})"), "[hex]"),
    # E-mail addresses.
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"), "[email]"),
    # UK postcodes (outward + inward code, space optional), any case.
    (
        re.compile(
            r"(?i)\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRVWXY\d]?)"
            r"\s?\d[ABD-HJLNP-UW-Z]{2})\b"
        ),
        "[postcode]",
    ),
    # Phone numbers: international (+44 ..., 0044 ...) or national (0...) with 10-15 digits in
    # groups. Dates, times, amounts and order numbers do not start with + or 0 at a word edge.
    (
        re.compile(r"(?<![\w./+-])(?:\+|\(0|0)[\d() .-]{8,20}\d(?![\w:/])"),
        "[phone]",
    ),
)
_MIN_PHONE_DIGITS, _MAX_PHONE_DIGITS = 10, 15


def _phone_or_keep(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group(0))
    if _MIN_PHONE_DIGITS <= digits <= _MAX_PHONE_DIGITS:
        return "[phone]"
    return match.group(0)


def redact(text: str) -> str:
    """`text` with API keys, key material, e-mails, postcodes and phone numbers masked."""
    for pattern, replacement in _PATTERNS:
        if replacement == "[phone]":
            text = pattern.sub(_phone_or_keep, text)
        else:
            text = pattern.sub(replacement, text)
    return text


class RedactionFilter(logging.Filter):
    """Rewrites a record's message, exception text and stack in place, already redacted.

    In place on purpose: every handler after this one sees only the redacted text. The
    formatter reuses `exc_text` when it is set, so the traceback is rendered once, here.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = f"{record.msg!r} (unformattable arguments)"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file, including each new one after a rollover, is 0600."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        if os.name == "posix":
            os.fchmod(fd, 0o600)  # an older file made under another umask
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def log_dir(base: Path | None = None) -> Path:
    """The log folder in the data dir (`CLICKDROP_DATA_DIR/logs` when set)."""
    return (base or data_dir()) / LOG_FOLDER


def setup_logging(base: Path | None = None, *, level: int = logging.INFO) -> Path:
    """Send the root logger to the rotating, redacted log file; return the file's path.

    Calling it again (another data dir, as tests do) replaces the handler it installed before,
    so a process never writes one record to two files or keeps a closed folder's file open.
    """
    folder = log_dir(base)
    ensure_private_dir(folder)
    path = folder / LOG_FILE
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, PrivateRotatingFileHandler)]:
        root.removeHandler(old)
        old.close()
    handler = PrivateRotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactionFilter())
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return path


def current_log_path() -> Path | None:
    """The file `setup_logging` writes to in this process, if it was called."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrivateRotatingFileHandler):
            return Path(handler.baseFilename)
    return None


_crash_log = logging.getLogger("clickdrop_desktop.crash")


def log_crash(
    exc: BaseException,
    tb: TracebackType | None = None,
    *,
    where: str = "command",
) -> Path | None:
    """Write `exc`'s traceback (redacted) to the log file, never to the terminal.

    Returns the log's path, or None when no log could be written (a read-only data dir):
    the caller has already told the user the one line that matters.
    """
    try:
        path = current_log_path() or setup_logging()
    except OSError:
        return None
    _crash_log.error(
        "unhandled exception in %s", where, exc_info=(type(exc), exc, tb or exc.__traceback__)
    )
    return path


def install_thread_hook() -> None:
    """Uncaught exceptions in CLI worker threads go to the log, not as tracebacks to stderr."""

    def hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or isinstance(args.exc_value, SystemExit):
            return
        thread = args.thread.name if args.thread is not None else "a thread"
        path = log_crash(args.exc_value, args.exc_traceback, where=thread)
        where = f" (details in {path})" if path else ""
        print(f"clickdrop-desktop: internal error in {thread}{where}", file=sys.stderr)

    threading.excepthook = hook
