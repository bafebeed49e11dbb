"""The log file: redaction of secrets and personal data, 0600 files across rollovers, crash hook."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from clickdrop_desktop import cli, logging_setup
from clickdrop_desktop.logging_setup import (
    PrivateRotatingFileHandler,
    RedactionFilter,
    log_crash,
    redact,
    setup_logging,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


@pytest.fixture(autouse=True)
def _restore_root_logger() -> Iterator[None]:
    """setup_logging changes the root logger; put it back so other tests are unaffected."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def _guid() -> str:
    h = secrets.token_hex(16)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer {g}", "{g}"),
        ("headers={{'Authorization': 'Bearer {g}'}}", "{g}"),
        ("api key {g} refused", "{g}"),
        ("retrying with the bare key {G}", "{G}"),  # upper-case GUID
        ("store key 0x{h64} opened", "{h64}"),
        ("wrapped={h32}", "{h32}"),
        ("api_key=sk_live_abc123def456", "sk_live_abc123def456"),
        ('{{"passphrase": "correct horse battery staple"}}', "correct"),
        ("password: hunter2!", "hunter2!"),
        ("Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
    ],
)
def test_secrets_are_masked(text: str, secret: str) -> None:
    values = {"g": _guid(), "G": _guid().upper(), "h64": secrets.token_hex(32)}
    values["h32"] = secrets.token_hex(16)
    line = text.format(**values)
    hidden = secret.format(**values)
    assert hidden in line
    assert hidden not in redact(line)


@pytest.mark.parametrize(
    ("text", "personal"),
    [
        ("ship to jane.doe+shop@example.co.uk today", "jane.doe+shop@example.co.uk"),
        ("postcode SW1A 1AA", "SW1A 1AA"),
        ("postcode sw1a1aa", "sw1a1aa"),
        ("Leeds LS1 4DY, UK", "LS1 4DY"),
        ("Manchester M1 1AE", "M1 1AE"),
        ("GIR 0AA", "GIR 0AA"),
        ("call 07700 900123 after 5", "07700 900123"),
        ("phone +44 7700 900123", "+44 7700 900123"),
        ("phone +44 (0)20 7946 0958", "7946 0958"),
        ("landline (020) 7946 0958", "7946 0958"),
        ("intl 0044 20 7946 0958.", "7946 0958"),
        ("tel:01632960961", "01632960961"),
    ],
)
def test_personal_data_is_masked(text: str, personal: str) -> None:
    assert personal not in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28 21:08:53,747 synced 240 orders in 1.92 s",
        "order 20000101 printed (job 17, attempt 2 of 3)",
        "GET http://127.0.0.1:40711/api/v1/orders/20000001;20000002 200",
        "tracking number AB123456789GB",
        "rate limit 5.0/s, backoff 0.25 s, 10000 ms",
        "version 0.1.0, pid 12345, label 812 x 1218 dots",
    ],
)
def test_ordinary_lines_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_redaction_covers_arguments_exceptions_and_stacks(tmp_path: Path) -> None:
    key, email = _guid(), "buyer@example.com"
    path = setup_logging(tmp_path)
    log = logging.getLogger("tests.logging")
    log.warning("key %s for %s", key, email)
    try:
        raise ValueError(f"refused {key} for LS1 4DY")
    except ValueError:
        log.exception("failed")
    log.info("where", stack_info=True, extra={"k": key})
    text = path.read_text(encoding="utf-8")
    assert key not in text
    assert email not in text
    assert "LS1 4DY" not in text
    assert "[key]" in text
    assert "[email]" in text
    assert "[postcode]" in text
    assert "Traceback" in text
    assert "ValueError: refused [key]" in text


def test_a_bad_format_string_keeps_the_record() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d items", ("many",), None)
    assert RedactionFilter().filter(record)
    assert "%d items" in record.getMessage()


@posix_only
def test_log_and_rotated_files_are_private(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(logging_setup, "MAX_BYTES", 300)
    old_umask = os.umask(0o022)
    try:
        path = setup_logging(tmp_path)
        log = logging.getLogger("tests.rotation")
        for i in range(40):
            log.info("line %d %s", i, "x" * 40)
    finally:
        os.umask(old_umask)
    files = sorted(path.parent.glob("clickdrop-desktop.log*"))
    assert len(files) == 1 + logging_setup.BACKUP_COUNT  # rotated, capped
    assert all((f.stat().st_mode & 0o777) == 0o600 for f in files)
    assert (path.parent.stat().st_mode & 0o777) == 0o700


def test_setup_again_moves_the_log_instead_of_writing_twice(tmp_path: Path) -> None:
    first = setup_logging(tmp_path / "a")
    second = setup_logging(tmp_path / "b")
    logging.getLogger("tests.move").warning("only in b")
    ours = [h for h in logging.getLogger().handlers if isinstance(h, PrivateRotatingFileHandler)]
    assert len(ours) == 1
    assert "only in b" in second.read_text(encoding="utf-8")
    assert "only in b" not in first.read_text(encoding="utf-8")


def test_httpx_request_lines_stay_out_of_the_log(tmp_path: Path) -> None:
    path = setup_logging(tmp_path)
    logging.getLogger("httpx").info("HTTP Request: GET http://x/orders?search=Jane")
    assert "Jane" not in path.read_text(encoding="utf-8")


def test_log_crash_writes_the_traceback_to_the_log_only(tmp_path: Path, capsys) -> None:
    setup_logging(tmp_path)
    key = _guid()
    try:
        raise RuntimeError(f"boom with {key}")
    except RuntimeError as exc:
        path = log_crash(exc)
    assert path is not None
    text = path.read_text(encoding="utf-8")
    assert "Traceback" in text
    assert "RuntimeError: boom with [key]" in text
    assert key not in text
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_cli_crash_prints_one_line_and_logs_the_traceback(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    key = _guid()

    def explode(_args: object) -> int:
        raise ZeroDivisionError(f"inner detail {key}")

    monkeypatch.setattr(cli, "_load", lambda _command: explode)
    code = cli.main(["status"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert err.startswith("clickdrop-desktop: unexpected error (ZeroDivisionError)")
    log_file = Path(os.environ["CLICKDROP_DATA_DIR"]) / "logs" / "clickdrop-desktop.log"
    text = log_file.read_text(encoding="utf-8")
    assert "Traceback" in text
    assert "ZeroDivisionError" in text
    assert "explode" in text
    assert key not in text


def test_thread_hook_logs_and_prints_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    import threading

    setup_logging(tmp_path)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)  # restored after
    logging_setup.install_thread_hook()

    def work() -> None:
        raise OSError("printer socket went away")

    thread = threading.Thread(target=work, name="printer-worker")
    thread.start()
    thread.join()
    err = capsys.readouterr().err
    assert err.startswith("clickdrop-desktop: internal error in printer-worker")
    assert "Traceback" not in err
    assert err.count("\n") == 1
    text = (tmp_path / "logs" / "clickdrop-desktop.log").read_text(encoding="utf-8")
    assert "printer socket went away" in text
    assert "Traceback" in text
