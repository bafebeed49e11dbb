"""Every migration runs from a database written by the previous version, data intact."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clickdrop_desktop.store import Store, StoreTooNew
from clickdrop_desktop.store import migrations as migrations_module
from clickdrop_desktop.store.connection import connect
from clickdrop_desktop.store.migrations import LATEST_VERSION, Migration, migrate, schema_version
from tests.unit.store.store_fixtures import ACCOUNT, BUILDERS, V1_ORDER_IDS, build_v1, build_v2

KEY = os.urandom(32)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


def test_versions_are_numbered_without_gaps() -> None:
    numbers = [m.version for m in migrations_module.MIGRATIONS]
    assert numbers == list(range(1, len(numbers) + 1))
    assert numbers[-1] == LATEST_VERSION


def test_v1_to_v2_indexes_orders_written_before_search_existed(db: Path) -> None:
    records = build_v1(db, KEY)
    conn = connect(db, KEY)
    assert migrate(conn, target=2) == 2
    name = records[1]["shippingInfo"]["lastName"]  # type: ignore[index]
    rows = conn.execute(
        "SELECT rowid FROM orders_fts WHERE orders_fts MATCH ?", (f'search_text : "{name}"*',)
    ).fetchall()
    assert 1001 in {r[0] for r in rows}
    conn.execute("INSERT INTO orders_fts (orders_fts) VALUES ('integrity-check')")
    conn.close()


def test_v2_to_v3_adds_incidents_and_keeps_everything(db: Path) -> None:
    build_v2(db, KEY)
    conn = connect(db, KEY)
    migrate(conn, target=3)
    assert conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 4
    assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == 0
    conn.execute("INSERT INTO orders_fts (orders_fts) VALUES ('integrity-check')")
    conn.close()


@pytest.mark.parametrize("version", sorted(BUILDERS))
def test_store_opens_every_older_version_and_upgrades_it(db: Path, version: int) -> None:
    records = BUILDERS[version](db, KEY)
    with Store.open(db, KEY, account_id=ACCOUNT) as store:
        assert store.schema_version == LATEST_VERSION
        assert store.count_orders() == len(records)
        first = store.get_order(V1_ORDER_IDS[0])
        assert first is not None
        assert first.order.order_reference == records[0]["orderReference"]
        assert store.documents.get(V1_ORDER_IDS[0], "postageLabel").data == b"%PDF-1.7 v1 label"
        assert [i.op_id for i in store.outbox.list()] == ["op-v1"]
        assert store.sync_state.get("cursor") == "v1"
        postcode = str(records[2]["shippingInfo"]["postcode"])  # type: ignore[index]
        assert V1_ORDER_IDS[2] in {r.order_identifier for r in store.query_orders(postcode)}
        if version >= 3:
            assert [i.id for i in store.incidents.list()] == ["inc-v3"]
        store.verify()


def test_a_failing_migration_changes_nothing(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_v2(db, KEY)

    def explode(conn: object) -> None:
        conn.execute("CREATE TABLE half_done (x)")  # type: ignore[attr-defined]
        raise RuntimeError("disk full, say")

    monkeypatch.setattr(
        migrations_module,
        "MIGRATIONS",
        (*migrations_module.MIGRATIONS[:2], Migration(3, "x", explode)),
    )
    conn = connect(db, KEY)
    with pytest.raises(RuntimeError):
        migrate(conn, target=3)
    assert schema_version(conn) == 2
    assert (
        conn.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchone() is None
    )
    conn.close()


def test_a_store_from_a_newer_app_is_refused(db: Path) -> None:
    Store.open(db, KEY, account_id=ACCOUNT).close()
    conn = connect(db, KEY)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreTooNew):
        Store.open(db, KEY, account_id=ACCOUNT)
