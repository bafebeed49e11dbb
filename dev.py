#!/usr/bin/env python3
"""One script for the two README commands: `python3 dev.py demo` and `python3 dev.py test`.

Also `python3 dev.py build`: the PyInstaller one-folder app, smoke-tested (CI runs it too).

It needs only Python 3.11+: it makes `.venv`, installs the project into it (again only when
`pyproject.toml` changed), then runs the app in demo mode, the whole test suite, or the benchmarks.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def _step(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def _run(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        print(f"\nFAILED ({result.returncode}): {' '.join(str(c) for c in cmd)}", flush=True)
        raise SystemExit(result.returncode)


def install(extras: str = "dev") -> None:
    """Create the virtual environment and install the project into it, if anything changed."""
    stamp = VENV / f".installed-{extras}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PY.exists() and stamp.exists() and stamp.read_text() == digest:
        return
    if not PY.exists():
        _step(f"creating {VENV.relative_to(ROOT)}")
        try:
            venv.create(VENV, with_pip=True)
        except (subprocess.CalledProcessError, OSError) as exc:
            # Debian and Ubuntu ship the venv module without ensurepip; a half-made .venv
            # would fail every later run with "No module named pip".
            shutil.rmtree(VENV, ignore_errors=True)
            raise SystemExit(
                f"could not create {VENV.relative_to(ROOT)} with pip ({type(exc).__name__}); "
                "on Debian or Ubuntu: sudo apt install python3-venv, then run this again"
            ) from None
    _step("installing Click & Drop Desktop and its dependencies (first run takes a minute)")
    _run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PY, "-m", "pip", "install", "--quiet", "-e", f".[{extras}]")
    stamp.write_text(digest)


def demo(extra: list[str]) -> None:
    install()
    _step("starting the app in demo mode (embedded sandbox, virtual printer)")
    os.execv(  # noqa: S606 - replaces this process with the app, no shell involved
        str(BIN / "clickdrop-desktop"), ["clickdrop-desktop", "--demo", *extra]
    )


def _keyring_session_available() -> bool:
    return bool(shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon"))


def test(extra: list[str]) -> None:
    install()
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    _step("ruff: lint")
    _run(BIN / "ruff", "check", ".")
    _step("ruff: format")
    _run(BIN / "ruff", "format", "--check", ".")
    _step("mypy: types (strict for clickdrop_desktop/ and printing/)")
    _run(BIN / "mypy")
    _step("pytest: unit, ui, e2e")
    _run(PY, "-m", "pytest", "-m", "not keyring_integration", *extra, env=env)
    _step("pytest: the real Secret Service keyring (gnome-keyring under dbus-run-session)")
    if _keyring_session_available():
        home = tempfile.mkdtemp(prefix="clickdrop-keyring-home-")
        script = (
            'echo -n "ci-pass" | gnome-keyring-daemon --unlock --components=secrets >/dev/null && '
            f'"{PY}" -m pytest -m keyring_integration -p no:cacheprovider'
        )
        _run("dbus-run-session", "--", "sh", "-c", script, env=dict(env, HOME=home))
    elif os.environ.get("CLICKDROP_REQUIRE_KEYRING_TESTS"):
        raise SystemExit("gnome-keyring and dbus are needed for the keyring tests (see README).")
    else:
        print("skipped: install gnome-keyring and dbus to run them (CI does).")
    _step("all checks passed")


def bench(extra: list[str]) -> None:
    install()
    _run(PY, "tests/bench/run.py", *extra, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))


def build(extra: list[str]) -> None:
    """The one-folder app in dist/clickdrop-desktop (build.spec), then its smoke test."""
    install("dev,build")
    _step("pyinstaller: the one-folder app (build.spec -> dist/clickdrop-desktop)")
    _run(
        BIN / "pyinstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        "dist",
        "--workpath",
        "build/pyinstaller",
        "build.spec",
    )
    _step("smoke test of the frozen app (tests/e2e/test_frozen.py, packaging/smoke.py)")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("CLICKDROP_FROZEN_DIR", None)
    _run(
        PY,
        "-m",
        "pytest",
        "-m",
        "frozen",
        "-p",
        "no:cacheprovider",
        "tests/e2e/test_frozen.py",
        *extra,
        env=env,
    )
    _step("built: dist/clickdrop-desktop (clickdrop-desktop, clickdrop-desktop-cli)")


def reliability(extra: list[str]) -> None:
    """The reliability suite; rewrites the table in docs/RELIABILITY.md (`--slow`: long runs)."""
    install()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    _run(PY, "tests/bench/reliability.py", *extra, env=env)


def screenshots(extra: list[str]) -> None:
    """The README's screenshots from the real app in demo mode under Xvfb (tools/screenshots.py)."""
    install()
    _run(PY, "tools/screenshots.py", *extra)


def main() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under whatever python3 the user has
        raise SystemExit("Python 3.11 or newer is needed; found " + platform.python_version())
    commands = {
        "demo": demo,
        "test": test,
        "bench": bench,
        "build": build,
        "reliability": reliability,
        "screenshots": screenshots,
        "install": lambda _: install(),
    }
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        raise SystemExit(f"usage: python3 dev.py {{{'|'.join(commands)}}} [args...]")
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
