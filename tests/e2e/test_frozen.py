"""The PyInstaller build (dist/clickdrop-desktop) on its own: contents, GUI start, CLI flow, keyring.

Skipped unless the build exists and matches the sources (`python3 dev.py build` builds it and
runs these; CI does so after the test suite). CLICKDROP_FROZEN_DIR points at another build.
The checks themselves live in packaging/smoke.py, which also runs them outside pytest.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from clickdrop_desktop import __version__

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> ModuleType:
    # packaging/ is not a package (PyPI's `packaging` would be shadowed), so load by path.
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


smoke = _load("smoke")
buildinfo = _load("buildinfo")

BUNDLE_DIR = Path(os.environ.get("CLICKDROP_FROZEN_DIR") or smoke.DEFAULT_BUNDLE)
BUNDLE = smoke.Bundle(BUNDLE_DIR)


def _skip_reason() -> str | None:
    if BUNDLE.missing():
        return f"no frozen build at {BUNDLE_DIR} (python3 dev.py build)"
    info = buildinfo.read_build_info(BUNDLE_DIR) or {}
    if info.get("source_digest") != buildinfo.source_digest(ROOT):
        return f"the build at {BUNDLE_DIR} is older than the sources (python3 dev.py build)"
    return None


_SKIP = _skip_reason()
pytestmark = [
    pytest.mark.frozen,
    pytest.mark.e2e,
    pytest.mark.skipif(_SKIP is not None, reason=str(_SKIP)),
]

INTERNAL = BUNDLE_DIR / "_internal"


def test_bundle_carries_what_the_app_reads_at_run_time() -> None:
    expected = [
        "escpos/capabilities.json",
        "reportlab/fonts/Vera.ttf",
        "reportlab/fonts/VeraBd.ttf",
        "resources/udev/60-clickdrop-label-printers.rules",
        "resources/icons/app.svg",
        "resources/linux/clickdrop-desktop.desktop",
        "resources/linux/clickdrop-desktop.png",
        "pypdfium2_raw/version.json",
    ]
    missing = [name for name in expected if not (INTERNAL / name).is_file()]
    assert missing == []
    assert list(INTERNAL.glob("pypdfium2_raw/*pdfium*"))
    assert list(INTERNAL.glob("sqlcipher3/_sqlite3*"))
    for folder in ("icons", "theme"):  # line icons; the stylesheet's spin and combo arrows
        bundled = {p.name for p in (INTERNAL / "resources" / folder).glob("*.svg")}
        assert bundled == {p.name for p in (ROOT / "resources" / folder).glob("*.svg")}, folder
    if sys.platform.startswith("linux"):
        assert list(INTERNAL.glob("libusb-1.0*")), "libusb: the only copy pyusb loads when frozen"
    entry_points = list(INTERNAL.glob("keyring-*.dist-info/entry_points.txt"))
    assert entry_points, "keyring's metadata: without it the frozen app finds no keyring backend"


def test_bundle_leaves_out_what_the_app_does_not_use() -> None:
    names = [p.relative_to(INTERNAL).as_posix() for p in INTERNAL.rglob("*")]
    unwanted = (
        "QtWebEngine",
        "QtQml",
        "QtQuick",
        "Qt3D",
        "QtMultimedia",
        "Qt/translations/",
        "libqgtk3",
        "libgtk-3",
        "pytest",
        "hypothesis",
        "reference/click-and-drop-api",
    )
    found = sorted({u for u in unwanted for name in names if u in name})
    assert found == []


def test_version_is_the_sources_version(tmp_path: Path) -> None:
    assert smoke.check_version(BUNDLE, smoke.clean_env(tmp_path), __version__) == __version__
    assert (buildinfo.read_build_info(BUNDLE_DIR) or {}).get("version") == __version__


def test_gui_demo_starts_offscreen_and_quits_cleanly(tmp_path: Path) -> None:
    run = smoke.check_gui_demo(BUNDLE, tmp_path / "data")
    assert run.seconds > smoke.GUI_QUIT_AFTER_S  # it ran until the auto-quit, not crashed early


def test_cli_signs_in_syncs_and_prints_to_the_virtual_printer(tmp_path: Path) -> None:
    flow = smoke.check_cli_flow(BUNDLE, tmp_path)
    assert flow.synced == smoke.SEEDED_ORDERS
    assert flow.label_png.is_file()
    assert flow.slip_png.is_file()


def test_frozen_cli_loads_the_bundled_usb_backend(tmp_path: Path) -> None:
    """PyInstaller's pyusb run-time hook loads only the bundled libusb: it must be found."""
    result = smoke.run([BUNDLE.cli, "printers", "--json"], smoke.clean_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no USB backend" not in result.stderr
    assert result.stdout.lstrip().startswith("[")


def test_frozen_keyring_finds_the_secret_service(tmp_path: Path) -> None:
    """keyring's backends are found through entry points; frozen apps often lose them."""
    tools = [shutil.which("dbus-run-session"), shutil.which("gnome-keyring-daemon")]
    if None in tools:
        if os.environ.get("CLICKDROP_REQUIRE_KEYRING_TESTS"):
            pytest.fail("dbus-run-session and gnome-keyring-daemon are needed (see .ci/run)")
        pytest.skip("needs dbus-run-session and gnome-keyring-daemon")
    home = tmp_path / "home"
    home.mkdir()
    env = smoke.clean_env(tmp_path / "data", HOME=str(home))
    sandbox_cmd = [BUNDLE.cli, "sandbox", "--port", "0", "--orders", "3"]
    with smoke.server(sandbox_cmd, env) as sandbox:
        key = next(a["api_key"] for a in sandbox.info["accounts"] if a["name"] == "oba")
        script = (
            'echo -n "frozen-ci" | gnome-keyring-daemon --unlock --components=secrets >/dev/null'
            f' && exec "{BUNDLE.cli}" account add shop --api-url "{sandbox.info["url"]}"'
        )
        result = subprocess.run(
            ["dbus-run-session", "--", "sh", "-c", script],
            input=key,
            env=env,
            capture_output=True,
            text=True,
            timeout=smoke.PROCESS_TIMEOUT_S,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    assert "in the keyring (keyring.backends.SecretService.Keyring)" in result.stdout
