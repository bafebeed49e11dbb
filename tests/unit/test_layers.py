"""The layer rule of DESIGN.md: only ui/ imports Qt widgets; core does not import ui/ or printing/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _python_files(*folders: str) -> list[Path]:
    return [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]


def test_qt_widgets_only_in_ui() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in _python_files("clickdrop_desktop", "printing")
        if any(name.startswith("PySide6.QtWidgets") for name in _imports(path))
    ]
    assert offenders == []


def test_core_does_not_import_front_ends() -> None:
    # The entry point (cli.py) and its commands are front ends: they may import printing/ and
    # ui/, lazily. No other core module may.
    front_ends = {ROOT / "clickdrop_desktop" / "cli.py"}
    front_ends |= set((ROOT / "clickdrop_desktop" / "commands").rglob("*.py"))
    offenders = [
        str(path.relative_to(ROOT))
        for path in _python_files("clickdrop_desktop")
        if path not in front_ends
        and any(n == "ui" or n.startswith(("ui.", "printing")) for n in _imports(path))
    ]
    assert offenders == []


def test_printing_does_not_import_ui() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in _python_files("printing")
        if any(n == "ui" or n.startswith("ui.") for n in _imports(path))
    ]
    assert offenders == []
