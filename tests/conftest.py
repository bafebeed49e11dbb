"""Shared fixtures: every test gets its own data dir; nothing touches the real home directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = ["tests.helpers.sandbox"]

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The default run is deterministic, so CI is never red by luck: every property test explores
# the same examples each time. CLICKDROP_HYPOTHESIS_RANDOM=1 searches anew (fuzzing sessions).
# No deadline and no too_slow health check: both judge wall-clock time, which a loaded 2-core
# CI machine stretches (a GC pause or a busy neighbour fails a 200 ms deadline by luck).
_NO_TIMING = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("deterministic", derandomize=True, database=None, **_NO_TIMING)
settings.register_profile("random", **_NO_TIMING)
settings.load_profile(
    "random" if os.environ.get("CLICKDROP_HYPOTHESIS_RANDOM") else "deterministic"
)


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "clickdrop-data"
    monkeypatch.setenv("CLICKDROP_DATA_DIR", str(data))
    return data


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow", action="store_true", help="also run long-running variants (@pytest.mark.slow)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="long-running variant: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
