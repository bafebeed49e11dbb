"""Linux desktop integration files agree with the app: .desktop entry, icon, udev rule."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "resources" / "linux"
RULE = ROOT / "resources" / "udev" / "60-clickdrop-label-printers.rules"


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read(LINUX / "clickdrop-desktop.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_starts_the_installed_command_and_matches_the_window() -> None:
    from ui.app import ORGANIZATION

    entry = _desktop_entry()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert entry["Type"] == "Application"
    assert entry["Exec"] in scripts  # the same command name as `pip install` gives
    assert entry["TryExec"] == entry["Exec"]
    assert entry["Terminal"] == "false"
    # The window's WM_CLASS class is the application name Qt is given (ui/app.py).
    assert entry["StartupWMClass"] == ORGANIZATION
    assert entry["Icon"] == "clickdrop-desktop"


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils")
def test_desktop_entry_is_valid() -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(LINUX / "clickdrop-desktop.desktop")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_icon_is_a_square_png_for_the_icon_theme() -> None:
    with Image.open(LINUX / "clickdrop-desktop.png") as image:
        assert image.format == "PNG"
        assert image.size == (256, 256)
        assert image.mode == "RGBA"


def test_udev_rule_never_makes_a_printer_world_writable() -> None:
    rules = [
        line
        for line in RULE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#") and "MODE" in line
    ]
    assert rules
    for line in rules:
        assert 'MODE="0660"' in line, line
        assert 'TAG+="uaccess"' in line, line
        assert 'GROUP="lp"' in line, line
    assert not re.search(r'MODE="0?6[0-7]6"', RULE.read_text(encoding="utf-8"))
    # uaccess works only from a file that sorts before 73-seat-late.rules.
    assert RULE.name < "73-seat-late.rules"
