"""The reliability suite's switch: `--slow` (tests/conftest.py) also scales the fuzz budgets."""

from __future__ import annotations

import pytest

from tests.reliability import ledger


def pytest_configure(config: pytest.Config) -> None:
    ledger.slow_run = bool(config.getoption("--slow", default=False))
