"""Smoke test of the frozen app: the GUI starts and quits cleanly; the CLI signs in, syncs, prints.

    python packaging/smoke.py [BUNDLE] [--startup-runs N]

BUNDLE defaults to dist/clickdrop-desktop (made by `python3 dev.py build`). Everything runs from
the bundle alone, in a temporary data dir, against the bundle's own sandbox and virtual printer:

1. `clickdrop-desktop-cli --version` says the version the build was made from;
2. `clickdrop-desktop --demo --quit-after S`, offscreen: exits 0 in time, prints nothing on stderr
   but the allowlisted lines, logs no error, writes no crash log, and its demo sync created the
   demo account's encrypted store;
3. `clickdrop-desktop-cli sandbox` (first stdout line = JSON) and `virtual-printer`; on Linux,
   neither process has Qt loaded (the CLI never pays for Qt);
4. `account add` with the key on stdin and `CLICKDROP_PASSPHRASE` (no OS keyring), `sync --json`
   (every seeded order stored), `orders --json`;
5. `print ORDER --printer zpl+tcp://...` to the virtual printer: a 4x6 label PNG at 203 dpi
   (812 x 1218 dots) with ink on it comes out; a packing slip (our own reportlab document with
   the bundled fonts) comes out too;
6. a bad printer URI fails with one line on stderr, no traceback.

`--startup-runs N` also times N cold starts (`--quit-after 0`, not demo) of the frozen GUI and
of the app run from source, and prints the medians.

It is also imported by tests/e2e/test_frozen.py, which runs the same checks under pytest.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUNDLE = ROOT / "dist" / "clickdrop-desktop"
EXE = ".exe" if os.name == "nt" else ""
#: A throwaway data dir's passphrase (the no-keyring path), not a secret.
PASSPHRASE = "frozen-smoke-passphrase"  # noqa: S105
#: python-keyring's own switch: no OS secret store, so the vault takes the passphrase path.
NO_KEYRING = "keyring.backends.null.Keyring"
PROCESS_TIMEOUT_S = 120.0
GUI_QUIT_AFTER_S = 3.0
SEEDED_ORDERS = 12
LABEL_DOTS = (812, 1218)  # 4 x 6 inches at 203 dpi

#: stderr lines a healthy frozen GUI run may print. Anything else fails the smoke test.
ALLOWED_GUI_STDERR: tuple[re.Pattern[str], ...] = (
    # Qt's offscreen platform has no window manager to hand a window's size hints to.
    re.compile(r"^This plugin does not support propagateSizeHints\(\)$"),
)


class SmokeFailure(AssertionError):
    """A check of the frozen app failed; the message says which and shows what it printed."""


@dataclass(frozen=True)
class Bundle:
    """The two executables of a one-folder build."""

    folder: Path

    @property
    def gui(self) -> Path:
        return self.folder / f"clickdrop-desktop{EXE}"

    @property
    def cli(self) -> Path:
        return self.folder / f"clickdrop-desktop-cli{EXE}"

    def missing(self) -> list[str]:
        return [str(p) for p in (self.gui, self.cli) if not p.is_file()]


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a user with no settings of ours: a fresh data dir, offscreen Qt."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CLICKDROP_", "PYTHON", "QT_")) and k != "LD_LIBRARY_PATH"
    }
    env.update(CLICKDROP_DATA_DIR=str(data_dir), QT_QPA_PLATFORM="offscreen")
    # A desktop session has a UTF-8 locale; without one Qt warns (and switches to C.UTF-8).
    locale = next((env[k] for k in ("LC_ALL", "LC_CTYPE", "LANG") if env.get(k)), "")
    if "UTF-8" not in locale.upper().replace("UTF8", "UTF-8"):
        env["LC_ALL"] = "C.UTF-8"
    env.update(extra)
    return env


def _fail(what: str, result: subprocess.CompletedProcess[str] | None = None) -> SmokeFailure:
    if result is None:
        return SmokeFailure(what)
    return SmokeFailure(
        f"{what}\n  command: {' '.join(map(str, result.args))}\n  exit: {result.returncode}"
        f"\n  stdout: {result.stdout.strip()[:2000]}\n  stderr: {result.stderr.strip()[:2000]}"
    )


def run(
    command: Sequence[str | Path],
    env: dict[str, str],
    *,
    stdin: str | None = None,
    timeout: float = PROCESS_TIMEOUT_S,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )


def unexpected_lines(stderr: str, allowed: Sequence[re.Pattern[str]]) -> list[str]:
    return [
        line
        for line in stderr.splitlines()
        if line.strip() and not any(p.search(line) for p in allowed)
    ]


# ---------------------------------------------------------------------------- the checks


def check_version(bundle: Bundle, env: dict[str, str], expected: str | None) -> str:
    result = run([bundle.cli, "--version"], env)
    if result.returncode != 0 or not result.stdout.startswith("clickdrop-desktop "):
        raise _fail("--version failed", result)
    version = result.stdout.split()[-1]
    if expected is not None and version != expected:
        raise _fail(f"--version says {version}, the build was made from {expected}", result)
    return version


@dataclass(frozen=True)
class GuiRun:
    seconds: float
    stderr_lines: int


def check_gui_demo(bundle: Bundle, data_dir: Path) -> GuiRun:
    """Start the GUI in demo mode, offscreen, with auto-quit; it must exit 0 and print nothing odd."""
    env = clean_env(data_dir)
    started = time.perf_counter()
    result = run([bundle.gui, "--demo", "--quit-after", str(GUI_QUIT_AFTER_S)], env)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise _fail("the frozen GUI did not exit 0", result)
    unexpected = unexpected_lines(result.stderr, ALLOWED_GUI_STDERR)
    if unexpected:
        raise _fail(f"unexpected stderr from the frozen GUI: {unexpected[:10]}", result)
    logs = data_dir / "logs"
    if (logs / "crash.log").exists():
        raise _fail("the frozen GUI wrote a crash log:\n" + (logs / "crash.log").read_text())
    log_file = logs / "clickdrop-desktop.log"
    if not log_file.is_file():
        raise _fail(f"the frozen GUI wrote no log ({log_file})", result)
    log_text = log_file.read_text(encoding="utf-8")
    errors = [line for line in log_text.splitlines() if re.search(r" (ERROR|CRITICAL) ", line)]
    if errors:
        raise _fail(f"the frozen GUI logged errors: {errors[:5]}")
    stores = sorted((data_dir / "accounts").glob("*/store.db"))
    if not stores:
        raise _fail("the demo did not create an encrypted store (no sync ran?)", result)
    return GuiRun(seconds, len(result.stderr.splitlines()))


class Server:
    """A long-running frozen CLI command whose first stdout line is JSON (sandbox, printer)."""

    def __init__(self, command: Sequence[str | Path], env: dict[str, str]) -> None:
        self.command = [str(c) for c in command]
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._pump, args=(self.process.stdout,), daemon=True).start()
        first = self.next_line(PROCESS_TIMEOUT_S)
        try:
            self.info: dict[str, Any] = json.loads(first)
        except ValueError:
            self.stop()
            raise _fail(f"{self.command[1]}: first line is not JSON: {first!r}") from None

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next_line(self, timeout: float) -> str:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise _fail(f"{self.command[1]} printed nothing in {timeout:.0f} s") from None
        if line is None:
            raise _fail(f"{self.command[1]} exited ({self.process.wait()}): {self.stderr()}")
        return line

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def qt_loaded(self) -> bool | None:
        """Whether Qt is mapped into the process (Linux /proc only; None elsewhere)."""
        maps = Path(f"/proc/{self.process.pid}/maps")
        if not maps.exists():
            return None
        return "libQt6" in maps.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._stderr.close()


@contextlib.contextmanager
def server(command: Sequence[str | Path], env: dict[str, str]) -> Iterator[Server]:
    proc = Server(command, env)
    try:
        yield proc
    finally:
        proc.stop()


@dataclass(frozen=True)
class PrintRun:
    order: str
    label_png: Path
    slip_png: Path
    synced: int


def check_cli_flow(bundle: Bundle, work: Path) -> PrintRun:
    """Sandbox -> account add -> sync -> print to the virtual printer, all from the bundle."""
    data_dir = work / "cli-data"
    env = clean_env(data_dir, CLICKDROP_PASSPHRASE=PASSPHRASE, PYTHON_KEYRING_BACKEND=NO_KEYRING)
    sandbox_cmd: list[str | Path] = [
        bundle.cli,
        "sandbox",
        "--port",
        "0",
        "--orders",
        str(SEEDED_ORDERS),
    ]
    printer_cmd: list[str | Path] = [
        bundle.cli,
        "virtual-printer",
        "--port",
        "0",
        "--out",
        work / "printed",
    ]
    with server(sandbox_cmd, env) as sandbox, server(printer_cmd, env) as printer:
        for proc in (sandbox, printer):
            if proc.qt_loaded():
                raise _fail(f"`{proc.command[1]}` loaded Qt: the CLI must not pay for it")
        url = str(sandbox.info["url"])
        key = next(a["api_key"] for a in sandbox.info["accounts"] if a["name"] == "oba")
        result = run([bundle.cli, "account", "add", "shop", "--api-url", url], env, stdin=key)
        if result.returncode != 0 or "protected by your passphrase" not in result.stdout:
            raise _fail("account add (passphrase path) failed", result)
        result = run([bundle.cli, "sync", "--json"], env)
        if result.returncode != 0:
            raise _fail("sync failed", result)
        counts = json.loads(result.stdout)
        if counts.get("stored") != SEEDED_ORDERS or counts.get("quarantined") != 0:
            raise _fail(f"sync stored {counts.get('stored')} of {SEEDED_ORDERS}", result)
        result = run([bundle.cli, "orders", "--json"], env)
        orders = json.loads(result.stdout) if result.returncode == 0 else []
        if len(orders) != SEEDED_ORDERS:
            raise _fail("orders --json does not list the synced orders", result)
        order = str(orders[0]["orderIdentifier"])
        uri = f"zpl+tcp://127.0.0.1:{printer.info['port']}"
        pngs = []
        for document in ("postageLabel", "packingSlip"):
            result = run(
                [bundle.cli, "print", order, "--printer", uri, "--document", document], env
            )
            if result.returncode != 0 or "printed" not in result.stdout:
                raise _fail(f"print {document} failed", result)
            line = printer.next_line(PROCESS_TIMEOUT_S)  # "printed zpl label WxH dots ... -> PNG"
            match = re.search(r"-> (\S+\.png)$", line)
            if not match:
                raise _fail(f"the virtual printer decoded no label: {line!r}")
            pngs.append(work / "printed" / match.group(1))
        _check_label(pngs[0])
        _check_label(pngs[1])
        result = run([bundle.cli, "print", order, "--printer", "nonsense://x"], env)
        err = result.stderr.strip()
        if result.returncode == 0 or "\n" in err or "Traceback" in err or not err:
            raise _fail("a bad printer URI must fail with exactly one line", result)
    return PrintRun(order, pngs[0], pngs[1], int(counts["stored"]))


def _check_label(png: Path) -> None:
    from PIL import Image  # only the checks need Pillow; the bundle has its own

    with Image.open(png) as image:
        size = image.size
        ink = image.convert("1").histogram()[0]  # black dots
    if size != LABEL_DOTS:
        raise _fail(f"{png.name}: {size[0]}x{size[1]} dots, expected {LABEL_DOTS}")
    if ink < 1000:
        raise _fail(f"{png.name}: only {ink} black dots: an empty label")


# ---------------------------------------------------------------------------- start-up timing


def time_starts(command: Sequence[str | Path], runs: int, work: Path) -> list[float]:
    """Wall time of `runs` starts of `command --quit-after 0`, each with a new data dir."""
    times = []
    for i in range(runs):
        env = clean_env(work / f"start-{i}-{Path(str(command[0])).name}")
        started = time.perf_counter()
        result = run([*command, "--quit-after", "0"], env)
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise _fail("start-up timing run failed", result)
    return times


def source_command() -> list[str | Path]:
    venv_python = ROOT / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    return [venv_python if venv_python.exists() else sys.executable, "-m", "clickdrop_desktop"]


# ---------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", nargs="?", type=Path, default=DEFAULT_BUNDLE)
    parser.add_argument("--startup-runs", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    bundle = Bundle(args.bundle.resolve())
    if bundle.missing():
        print(f"smoke: not built: {', '.join(bundle.missing())}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT / "packaging"))
    from buildinfo import read_build_info

    expected = (read_build_info(bundle.folder) or {}).get("version")
    with tempfile.TemporaryDirectory(prefix="clickdrop-smoke-") as tmp:
        work = Path(tmp)
        try:
            version = check_version(bundle, clean_env(work / "v"), expected)
            print(f"ok  --version: {version}")
            gui = check_gui_demo(bundle, work / "gui-data")
            print(
                f"ok  GUI --demo --quit-after {GUI_QUIT_AFTER_S:g}: exit 0 in {gui.seconds:.1f} s,"
                f" {gui.stderr_lines} allowlisted stderr lines, no errors logged, store created"
            )
            flow = check_cli_flow(bundle, work)
            print(
                f"ok  CLI: sandbox, account add (passphrase), sync ({flow.synced} orders), "
                f"print order {flow.order}: label {flow.label_png.name} and packing slip "
                f"{flow.slip_png.name} at {LABEL_DOTS[0]}x{LABEL_DOTS[1]} dots; bad URI = one line"
            )
            if args.startup_runs:
                frozen = time_starts([bundle.gui], args.startup_runs, work)
                source = time_starts(source_command(), args.startup_runs, work)
                print(
                    f"ok  cold start to first event loop and quit (median of {args.startup_runs}):"
                    f" frozen {statistics.median(frozen):.2f} s, source "
                    f"{statistics.median(source):.2f} s"
                    f" (frozen {[round(t, 2) for t in frozen]}, source "
                    f"{[round(t, 2) for t in source]})"
                )
        except (SmokeFailure, subprocess.TimeoutExpired) as exc:
            print(f"FAILED: {exc}", file=sys.stderr)
            return 1
    print("smoke test of the frozen build passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
