"""dev.py, the README's first command: a Python that cannot make a venv gets one line, no traceback."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _dev_module():
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_python_without_ensurepip_gets_one_line_and_no_half_made_venv(
    monkeypatch, tmp_path
) -> None:
    dev = _dev_module()
    venv_dir = tmp_path / ".venv"
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    monkeypatch.setattr(dev, "ROOT", tmp_path)
    monkeypatch.setattr(dev, "VENV", venv_dir)
    monkeypatch.setattr(dev, "PY", venv_dir / "bin" / "python")

    def fails(path: Path, **_kw: object) -> None:
        (Path(path) / "bin").mkdir(parents=True)  # what venv leaves before ensurepip fails
        raise subprocess.CalledProcessError(1, [sys.executable, "-m", "ensurepip"])

    monkeypatch.setattr(dev.venv, "create", fails)
    with pytest.raises(SystemExit) as exited:
        dev.install()
    message = str(exited.value.code)
    assert "python3-venv" in message
    assert "\n" not in message
    assert not venv_dir.exists()  # the next run starts again instead of failing on pip
