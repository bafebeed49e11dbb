"""Damage deep inside a cache file opens normally and surfaces later, from whatever reads it:
every such error is the one typed `StoreCorrupt` (never a plain SQLite error or a generic store
error), naming the repair and the account, also for the full-text index ("vtable constructor
failed") and for writes after it (SQLite then reports "attempt to write a readonly database")."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from clickdrop_desktop.errors import describe
from clickdrop_desktop.store import (
    POSTAGE_LABEL,
    OrderSource,
    Store,
    StoreCorrupt,
    StoreError,
    cache_damage,
)
from clickdrop_desktop.store.errors import REPAIR_HINT
from clickdrop_desktop.vault import Vault, store_path
from tests.helpers.order_factory import full_orders
from tests.unit.vault.cache_fixtures import NAME, PASSPHRASE, passphrase_vault, populate

PAGE = 4096


def _open(vault: Vault, name: str = NAME) -> Store:
    vault.unlock(name, passphrase=PASSPHRASE)
    return vault.open_store(name)


def damage_orders_page(vault: Vault, name: str = NAME) -> int:
    """Damage the first page past the schema whose damage lets the store open but breaks the
    order listing (a page of the orders table); returns it. Searched, not hard-coded, so a
    change of schema or page layout cannot make the test damage the wrong thing."""
    path = store_path(vault.registry.get(name))
    original = path.read_bytes()
    for page in range(2, len(original) // PAGE):
        with path.open("r+b") as handle:
            handle.seek(PAGE * page + 100)
            handle.write(os.urandom(64))
        try:
            with _open(vault, name) as store:
                store.query_orders(limit=1000)
        except StoreCorrupt:
            try:
                _open(vault, name).close()
            except StoreError:
                pass  # it no longer opens: a schema page; look further
            else:
                return page
        path.write_bytes(original)
    raise AssertionError("no page of the orders table found")


def _check(error: StoreCorrupt, account_id: str) -> None:
    assert error.message == f"the order cache file is damaged; {REPAIR_HINT}"
    assert error.problem == "the order cache file is damaged"
    assert error.account_id == account_id
    assert "\n" not in error.message
    assert describe(error) == (error.message, 1)  # the CLI's line and exit code


def test_every_read_and_write_after_damage_raises_the_one_typed_error() -> None:
    vault = passphrase_vault()
    ident = populate(vault)
    damage_orders_page(vault)
    account_id = vault.registry.get(NAME).account_id
    with _open(vault) as store:  # opens normally: the damage is deep inside
        attempts: dict[str, Callable[[], object]] = {
            "list": lambda: store.query_orders(limit=1000),
            "search": lambda: store.query_orders(search="ORD"),
            "get": lambda: [store.get_order(i) for i in range(1_000_001, 1_000_041)],
            "count": lambda: store.count_orders(search="ORD"),
            "stats": store.stats,
            "label": lambda: store.documents.get(ident, POSTAGE_LABEL),
            "sync write": lambda: store.upsert_orders(full_orders(3), OrderSource.FULL),
            "despatch": lambda: store.outbox.enqueue(
                "despatch", {"orderIdentifier": ident}, order_identifier=ident
            ),
            "print": lambda: store.print_jobs.insert(ident, POSTAGE_LABEL, "pdf+file:///x.pdf"),
            "retention": lambda: store.retention.purge_despatched(30),
        }
        failed: dict[str, StoreCorrupt] = {}
        for name, attempt in attempts.items():
            try:
                attempt()
            except StoreCorrupt as exc:
                failed[name] = exc
            except Exception as exc:  # any other type is the defect under test
                pytest.fail(f"{name}: {type(exc).__name__}: {exc}")
        # The first read trips on the page; from then on every use of the store reports it.
        assert sorted(failed) == sorted(attempts)
        for error in failed.values():
            _check(error, account_id)


def test_the_damage_is_found_behind_a_wrapping_error() -> None:
    vault = passphrase_vault()
    populate(vault)
    damage_orders_page(vault)
    with _open(vault) as store:
        try:
            try:
                store.query_orders(limit=1000)
            except StoreError as exc:
                raise RuntimeError("the sync failed") from exc
        except RuntimeError as wrapped:
            found = cache_damage(wrapped)
    assert found is not None
    assert found.problem == "the order cache file is damaged"
    assert cache_damage(RuntimeError("unrelated")) is None
    assert cache_damage(None) is None


def test_a_sound_store_still_raises_ordinary_errors_as_before(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s" / "store.db", bytes(range(32)), account_id="a") as store:
        with pytest.raises(StoreError) as caught:
            store.documents.put(1, POSTAGE_LABEL, b"%PDF")  # no such order: a foreign key
        assert not isinstance(caught.value, StoreCorrupt)
        assert store.count_orders() == 0  # and nothing sticky was left behind
