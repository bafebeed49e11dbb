"""Store fixtures: an open encrypted store in the test's own data dir."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from clickdrop_desktop.store import Store

ACCOUNT = "acct-test"


@pytest.fixture
def key() -> bytes:
    return os.urandom(32)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "acct" / "store.db"


@pytest.fixture
def store(store_path: Path, key: bytes) -> Iterator[Store]:
    opened = Store.open(store_path, key, account_id=ACCOUNT)
    yield opened
    opened.close()
