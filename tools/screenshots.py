"""Retakes the README's screenshots from the real app in demo mode under Xvfb (1366 x 768).

Run it as `python3 dev.py screenshots` (or `.venv/bin/python tools/screenshots.py [--out DIR]`).
It needs Xvfb and xdotool (Debian/Ubuntu: `apt install xvfb xdotool`); with openbox installed
the windows get a title bar and keyboard focus as on a desktop, and pngquant/optipng (if
installed) shrink the PNGs further. The app is driven only through its keyboard, as a user
would: nothing inside it is patched or called.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parent.parent
APP = Path(sys.executable).parent / (
    "clickdrop-desktop.exe" if os.name == "nt" else "clickdrop-desktop"
)
SIZE = (1366, 768)
#: An order of the demo's OBA account ("Demo shop") still to be printed; the demo's sandbox
#: makes the same orders every run (fixed seed), only their dates follow today's.
SCAN_REFERENCE = "AMZ-100239"
SEARCH_TEXT = "AMZ-1002"
#: README images must stay small (a few hundred KB each at most).
MAX_BYTES = 250_000


class ScreenshotError(Exception):
    """A step did not happen in time (its message says which); nothing is written."""


@dataclass
class Display:
    number: int
    env: dict[str, str]


def _need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise ScreenshotError(f"{program} is not installed (apt install xvfb xdotool)")
    return path


@contextmanager
def xvfb() -> Iterator[Display]:
    """A private X server (and openbox on it when installed, for focus and title bars)."""
    read, write = os.pipe()
    server = subprocess.Popen(
        [
            _need("Xvfb"),
            "-displayfd",
            str(write),
            "-screen",
            "0",
            f"{SIZE[0]}x{SIZE[1]}x24",
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = int(pipe.readline().strip() or -1)
    if number < 0:
        server.kill()
        raise ScreenshotError("Xvfb did not start")
    env = dict(os.environ, DISPLAY=f":{number}", QT_QPA_PLATFORM="xcb")
    env.pop("WAYLAND_DISPLAY", None)
    manager = None
    if shutil.which("openbox"):
        manager = subprocess.Popen(
            ["openbox", "--sm-disable"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    try:
        yield Display(number, env)
    finally:
        for process in (manager, server):
            if process is not None:
                process.terminate()
                process.wait(10)


def wait_for(what: str, check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise ScreenshotError(f"timed out waiting for {what}")
        time.sleep(0.1)


class Screen:
    """Grabs the X screen through Qt and tells when it has stopped changing."""

    TILE = 32

    def __init__(self, display: Display) -> None:
        os.environ.update(DISPLAY=display.env["DISPLAY"], QT_QPA_PLATFORM="xcb")
        from PySide6.QtGui import QGuiApplication

        self._app = QGuiApplication.instance() or QGuiApplication(["screenshots"])

    def grab(self) -> QImage:
        # PySide6 loads only after DISPLAY points at the private server
        from PySide6.QtGui import QGuiApplication

        screen = QGuiApplication.primaryScreen()
        return screen.grabWindow(0).toImage()

    def _tiles(self, image: QImage) -> list[bytes]:
        out = []
        for y in range(0, image.height(), self.TILE):
            for x in range(0, image.width(), self.TILE):
                tile = image.copy(x, y, self.TILE, self.TILE)
                out.append(bytes(tile.constBits()))
        return out

    def settle(self, what: str, quiet: float = 1.2, timeout: float = 60.0) -> None:
        """Until no more than two tiles (a blinking text cursor) change for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        last = self._tiles(self.grab())
        since = time.monotonic()
        while time.monotonic() - since < quiet:
            if time.monotonic() > deadline:
                raise ScreenshotError(f"the screen kept changing: {what}")
            time.sleep(0.2)
            now = self._tiles(self.grab())
            if sum(a != b for a, b in zip(last, now, strict=True)) > 2:
                since = time.monotonic()
            last = now

    def save(self, path: Path) -> int:
        """A PNG, most compressed, then shrunk by pngquant (256 colours picked for the image:
        Qt's own 8-bit conversion shifts the pastel badge colours) and optipng when installed.
        Returns its size in bytes."""
        from PySide6.QtGui import QImage

        image = self.grab().convertToFormat(QImage.Format.Format_RGB888)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(path), quality=0):  # PNG: 0 = most compressed
            raise ScreenshotError(f"could not write {path}")
        if shutil.which("pngquant"):
            subprocess.run(
                ["pngquant", "--force", "--skip-if-larger", "--ext", ".png", "256", str(path)],
                check=False,
            )
        if shutil.which("optipng"):
            subprocess.run(["optipng", "-quiet", "-o2", str(path)], check=False)
        return path.stat().st_size


class App:
    """`clickdrop-desktop --demo` on the private display, driven with xdotool."""

    TITLE = "Demo shop — Click & Drop Desktop"

    def __init__(self, display: Display, theme: str, data: Path) -> None:
        self._display = display
        self.data = data
        env = dict(display.env, CLICKDROP_THEME=theme, CLICKDROP_DATA_DIR=str(data))
        # Its stderr goes to a file: a pipe nobody reads while it runs would block the app
        # once 64 KB of warnings filled it.
        data.parent.mkdir(parents=True, exist_ok=True)
        self._stderr = (data.parent / f"app-{theme}.stderr").open("w+b")
        self._process = subprocess.Popen(
            [str(APP), "--demo"], env=env, stdout=subprocess.DEVNULL, stderr=self._stderr
        )
        self._xdotool = _need("xdotool")
        wait_for("the app's window", lambda: self._window() is not None)
        window = self._window()
        assert window is not None
        self.window = window
        verb = "windowactivate" if shutil.which("openbox") else "windowfocus"
        self.x(verb, "--sync", window)

    def _window(self) -> str | None:
        if self._process.poll() is not None:
            self._stderr.seek(0)
            error = self._stderr.read().decode(errors="replace")
            raise ScreenshotError(f"the app exited: {error.strip()[-300:]}")
        found = subprocess.run(
            [self._xdotool, "search", "--onlyvisible", "--name", self.TITLE],
            env=self._display.env,
            capture_output=True,
            text=True,
            check=False,
        )
        ids = found.stdout.split()
        return ids[0] if ids else None

    def x(self, *args: str) -> None:
        subprocess.run([self._xdotool, *args], env=self._display.env, check=True)

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.x("key", "--clearmodifiers", key)
            time.sleep(0.15)

    def type(self, text: str) -> None:
        self.x("type", "--delay", "25", text)

    def labels_printed(self) -> int:
        return len(list((self.data / "virtual-printer").glob("*.png")))

    def close(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(10)
        self._stderr.close()


def scan(app: App, screen: Screen, reference: str) -> None:
    """Bench mode (F2), the reference typed as a scanner types it, and Enter; waits until the
    virtual printer has decoded the label."""
    before = app.labels_printed()
    app.keys("F2")
    screen.settle("bench mode")
    app.type(reference)
    app.keys("Return")
    wait_for(
        f"the label of {reference} on the virtual printer", lambda: app.labels_printed() > before
    )
    screen.settle("the printed label")


@contextmanager
def synced_app(display: Display, screen: Screen, theme: str, data: Path) -> Iterator[App]:
    """The demo app in `theme`, its first sync done; closed afterwards whatever happens."""
    app = App(display, theme, data)
    try:
        screen.settle("the first sync", quiet=2.0)
        yield app
    finally:
        app.close()


def _save(screen: Screen, out: Path, name: str) -> Path:
    path = out / name
    screen.save(path)
    return path


def orders_and_label(display: Display, screen: Screen, out: Path, data: Path) -> Path:
    """Light theme: a search, the selected order's cached label, the virtual printer's label."""
    with synced_app(display, screen, "light", data) as app:
        scan(app, screen, SCAN_REFERENCE)
        app.keys("F2", "ctrl+f")
        app.type(SEARCH_TEXT)
        app.keys("alt+5", "F6")  # F6: the table, on its first row
        screen.settle("the selected order")
        return _save(screen, out, "orders-and-label-preview.png")


def new_order(display: Display, screen: Screen, out: Path, data: Path) -> Path:
    """Light theme: the New order dialog with two packages and one field to correct."""
    with synced_app(display, screen, "light", data) as app:
        app.keys("ctrl+n")
        screen.settle("the New order dialog")
        for key, text in (
            ("alt+n", "Jane Example"),
            ("alt+a", "1 High Street"),
            ("alt+t", "London"),
            ("alt+p", "SW1A 1A"),  # one character short: the dialog says so under the field
            ("alt+r", "WEB-2001"),
            ("alt+s", "TPN24"),
            ("alt+b", "24.00"),
            ("alt+i", "3.50"),
            ("alt+w", "750"),
        ):
            app.keys(key)
            app.type(text)
        app.keys("ctrl+shift+n")
        app.type("1200")
        app.keys("Tab", "Tab")
        app.type("200")
        app.keys("Tab")
        app.type("300")
        app.keys("Tab")
        app.type("150")
        app.keys("Return")  # Queue order: the form is checked, the short postcode named
        screen.settle("the checked form")
        return _save(screen, out, "new-order-packages.png")


def bench_dark(display: Display, screen: Screen, out: Path, data: Path) -> Path:
    """Dark theme: bench mode right after a scan, the label on the virtual printer."""
    with synced_app(display, screen, "dark", data) as app:
        scan(app, screen, SCAN_REFERENCE)
        return _save(screen, out, "bench-mode-dark.png")


def marketplace(display: Display, screen: Screen, out: Path, data: Path) -> Path:
    """Light theme: the ChannelShipper account, whose orders carry addresses and items."""
    with synced_app(display, screen, "light", data) as app:
        app.keys("ctrl+shift+s")  # Switch account…: the account menu
        screen.settle("the account menu")
        app.keys("Down", "Down", "Return")  # Demo shop, Demo marketplace
        screen.settle("the marketplace account's first sync", quiet=2.0)
        app.x("mousemove", "--window", app.window, "1300", "700")  # no hover highlight
        app.keys("F6")
        screen.settle("the selected order")
        return _save(screen, out, "marketplace-details.png")


SCENES = (orders_and_label, new_order, bench_dark, marketplace)


def review(display: Display, screen: Screen, out: Path, data: Path) -> list[Path]:
    """Not for the README: every dialog a new user meets, light and dark, to look over."""
    paths: list[Path] = []
    for theme in ("light", "dark"):
        with synced_app(display, screen, theme, data / theme) as app:
            for name, keys in (
                ("shortcuts", ("F1",)),
                ("settings", ("ctrl+comma",)),
                ("new-order-errors", ("ctrl+n", "Return")),
                ("manifests", ("ctrl+shift+m",)),
                ("import-csv", ("ctrl+i",)),
                ("add-account", ("ctrl+shift+a",)),
            ):
                app.keys(*keys)
                screen.settle(name)
                paths.append(_save(screen, out, f"{name}-{theme}.png"))
                app.keys("Escape")
                if name == "new-order-errors":
                    app.keys("Escape")  # nothing typed: it closes without asking
                screen.settle(f"{name} closed")
            app.keys("ctrl+shift+o")
            screen.settle("the outbox")
            paths.append(_save(screen, out, f"outbox-{theme}.png"))
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument(
        "--review",
        type=Path,
        metavar="DIR",
        help="instead: every dialog, light and dark, into DIR (to look over, not for the README)",
    )
    args = parser.parse_args(argv)
    if not APP.exists():
        print(f"error: {APP} not found; run `python3 dev.py install` first", file=sys.stderr)
        return 2
    try:
        with xvfb() as display:
            screen = Screen(display)
            if args.review is not None:
                with tempfile.TemporaryDirectory(prefix="clickdrop-shots-") as data:
                    for path in review(display, screen, args.review, Path(data)):
                        print(path)
                return 0
            for scene in SCENES:
                with tempfile.TemporaryDirectory(prefix="clickdrop-shots-") as data:
                    path = scene(display, screen, args.out, Path(data))
                size = path.stat().st_size
                flag = "" if size <= MAX_BYTES else f"  (over {MAX_BYTES // 1000} KB!)"
                print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
                      f"{size // 1000} KB{flag}")  # fmt: skip
    except ScreenshotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
