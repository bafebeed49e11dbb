"""Holds an account's order cache open in its own process until stdin closes (or it is killed):
another Click & Drop Desktop window or command, for the in-use lock tests."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from tests.unit.vault.cache_fixtures import NAME, PASSPHRASE, passphrase_vault  # noqa: E402


def main() -> None:
    vault = passphrase_vault()
    vault.unlock(NAME, passphrase=PASSPHRASE)
    with vault.open_store(NAME) as store:
        print("open", store.outbox.unsynced_count(), flush=True)
        sys.stdin.read()  # until the test closes our stdin
    print("closed", flush=True)


if __name__ == "__main__":
    main()
