"""An account whose cache holds orders, an unsent change, a retention period and trading names;
ways to damage its file; and another process holding it open. Shared by the cache repair,
in-use and sign-out tests and their workers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from keyring.backends import fail

from clickdrop_desktop.accounts import AccountRegistry
from clickdrop_desktop.store import OrderSource
from clickdrop_desktop.sync.state import learn_trading_names
from clickdrop_desktop.sync.store_adapter import StoreSyncStorage
from clickdrop_desktop.vault import ScryptParams, Vault, store_path
from tests.helpers.order_factory import full_orders

NAME = "shop"
URL = "http://127.0.0.1:9/api/v1"
API_KEY = "7d1f3c2a-9b8e-4f60-a1d2-3c4b5a697887"
PASSPHRASE = "correct horse battery staple"
TEST_KDF = ScryptParams(n=2**12)


def passphrase_vault() -> Vault:
    """A vault with no trustworthy keyring: keys wrapped under `PASSPHRASE`."""
    return Vault(AccountRegistry(), keyring_backend=fail.Keyring(), kdf=TEST_KDF)


def populate(vault: Vault, *, passphrase: str | None = PASSPHRASE) -> int:
    """Sign in `NAME` and fill its cache; returns the order id of the unsent change."""
    vault.sign_in(NAME, URL, API_KEY, passphrase=passphrase)
    orders = full_orders(40)
    with vault.open_store(NAME) as store:
        store.upsert_orders(orders, OrderSource.FULL)
        ident = orders[3].order_identifier
        store.outbox.enqueue("despatch", {"orderIdentifier": ident}, order_identifier=ident)
        store.retention.set_period(30)
        learn_trading_names(StoreSyncStorage(store), ["Acme Ltd"])
    return ident


def damage(vault: Vault, *, page: int = 5) -> Path:
    """Overwrite bytes in the middle of one page: its HMAC fails, page 1 still opens."""
    path = store_path(vault.registry.get(NAME))
    with path.open("r+b") as handle:
        handle.seek(4096 * page + 100)
        handle.write(os.urandom(64))
    return path


#: Holds the account's store open in its own process until its stdin closes.
HOLDER = Path(__file__).with_name("holder_worker.py")


@contextmanager
def another_process_holding_it_open() -> Iterator[subprocess.Popen[str]]:
    """Another window or command with `NAME`'s store open (its in-use lock held), until the block
    ends (stdin closed) or the test kills it."""
    proc = subprocess.Popen(
        [sys.executable, str(HOLDER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().split()[0] == "open"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()
