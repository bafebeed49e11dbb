"""Run the real `clickdrop-desktop` CLI as a subprocess, and sign sandbox accounts in with it.

The data dir comes from the test's `CLICKDROP_DATA_DIR` (tests/conftest.py sets it per test).
Accounts sign in through the passphrase path (`CLICKDROP_PASSPHRASE`) with the keyring backend
switched off (`PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring`), so nothing is written to
a real keyring and the tests do not depend on one being there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from clickdrop_desktop.sandbox.info import SandboxInfo

PASSPHRASE = "correct horse battery staple"
NO_KEYRING = "keyring.backends.fail.Keyring"
ROOT = Path(__file__).resolve().parents[2]  # subprocesses run here: tests.helpers importable
BASES = {"olp": 10_000_000, "oba": 20_000_000, "oba-a4": 30_000_000, "channelshipper": 40_000_000}


def owner_of(order_id: int) -> str | None:
    """Which sandbox account an order number belongs to (each owns a 10,000,000-wide range)."""
    for name, base in BASES.items():
        if base < order_id <= base + 10_000_000:
            return name
    return None


def cli_env(**extra: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PYTHON_KEYRING_BACKEND", NO_KEYRING)
    env["CLICKDROP_PASSPHRASE"] = PASSPHRASE
    env.pop("CLICKDROP_API_KEY", None)
    env.pop("CLICKDROP_DEBUG", None)
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def cli(
    *args: str,
    input: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 180.0,
) -> subprocess.CompletedProcess[str]:
    """`python -m clickdrop_desktop ARGS...`, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "clickdrop_desktop", *args],
        input=input if input is not None else "",
        capture_output=True,
        text=True,
        env=env or cli_env(),
        timeout=timeout,
        check=False,
        cwd=ROOT,
    )


def popen(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "clickdrop_desktop", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or cli_env(),
        cwd=ROOT,
    )


def sign_in(
    info: SandboxInfo, account: str, *, name: str | None = None, env: dict[str, str] | None = None
) -> None:
    """`account add` for a sandbox account, key on stdin; fails the test if it fails."""
    key = info.account(account).api_key
    done = cli("account", "add", name or account, "--api-url", info.url, input=key + "\n", env=env)
    assert done.returncode == 0, done.stderr


def orders_json(*args: str) -> list[dict[str, Any]]:
    done = cli("orders", "--json", *args)
    assert done.returncode == 0, done.stderr
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """The stderr of a failed command: exactly one line, no traceback."""
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]
