"""ui/preflight.py: where Qt would abort the process (no display, no libxcb-cursor0), the app
says so in one line and exits 1; everywhere else it lets Qt start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ui.preflight import XCB_CURSOR, display_problem

ROOT = Path(__file__).resolve().parents[2]


def _never(_name: str) -> bool:
    return False


def _always(_name: str) -> bool:
    return True


@pytest.mark.parametrize(
    ("platform", "env"),
    [
        ("win32", {}),
        ("darwin", {}),
        ("linux", {"QT_QPA_PLATFORM": "offscreen"}),
        ("linux", {"QT_QPA_PLATFORM": "wayland"}),
        ("linux", {"WAYLAND_DISPLAY": "wayland-0"}),
        ("linux", {"XDG_SESSION_TYPE": "wayland"}),
    ],
)
def test_platforms_that_need_neither_are_left_to_qt(platform: str, env: dict[str, str]) -> None:
    assert display_problem(env, platform=platform, loads=_never) is None


def test_x11_without_a_display_says_so() -> None:
    problem = display_problem({}, platform="linux", loads=_always)
    assert problem is not None
    assert problem.startswith("there is no display to open a window on (DISPLAY is not set)")
    assert "\n" not in problem


def test_x11_without_libxcb_cursor_names_the_package() -> None:
    for env in ({"DISPLAY": ":0"}, {"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}):
        problem = display_problem(env, platform="linux", loads=_never)
        assert problem is not None
        assert "sudo apt install libxcb-cursor0" in problem
        assert "\n" not in problem
    assert display_problem({"DISPLAY": ":0"}, platform="linux", loads=_always) is None


def test_a_frozen_bundle_that_carries_the_library_is_enough(tmp_path: Path) -> None:
    (tmp_path / XCB_CURSOR).write_bytes(b"")
    env = {"DISPLAY": ":0"}
    assert display_problem(env, platform="linux", loads=_never, bundle=tmp_path) is None


@pytest.mark.skipif(sys.platform != "linux", reason="the X11 check is Linux's")
def test_the_app_exits_1_with_one_line_instead_of_aborting(tmp_path: Path) -> None:
    gone = ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "QT_QPA_PLATFORM")
    env = {k: v for k, v in os.environ.items() if k not in gone}
    env["CLICKDROP_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "clickdrop_desktop", "--demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "clickdrop-desktop: there is no display to open a window on (DISPLAY is not set): start "
        "the app from a desktop session, or use the command line (clickdrop-desktop --help)"
    )
    assert list(tmp_path.iterdir()) == []  # nothing started, nothing written
