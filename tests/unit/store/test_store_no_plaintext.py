"""No customer text on disk: names, postcodes, references, tracking numbers, SKUs, e-mails,
label bytes and outbox payloads are searched for in the bytes of every file under the data dir,
WAL included, while the store is open and again after it is closed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clickdrop_desktop import paths
from clickdrop_desktop.api.models import Order
from clickdrop_desktop.store import OrderSource, hash_identifier
from clickdrop_desktop.vault import Vault
from tests.helpers.memory_keyring import MemoryKeyring, _restore_keyring, memory_keyring  # noqa: F401
from tests.helpers.order_factory import full_orders
from tests.unit.vault.conftest import make_vault

LABEL_MARKER = b"LABEL-MARKER-7f3a9c"


def _needles(orders: list[Order]) -> set[bytes]:
    needles: set[str] = set()
    for order in orders:
        assert order.details is not None
        info = order.details.shipping_info
        needles.add(info.full_name)
        needles.update(p for p in (info.postcode, info.email_address, info.phone_number) if p)
        needles.update(p for p in (info.address_line1, info.company_name) if p)
        needles.add(order.order_reference or "")
        needles.update(order.all_tracking_numbers)
        needles.update(line.sku or "" for line in order.details.order_lines)
    # Short strings would match ciphertext by chance; every needle here is 6+ bytes.
    return {n.encode() for n in needles if len(n.encode()) >= 6}


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _leaks(root: Path, needles: set[bytes]) -> list[tuple[str, bytes]]:
    pattern = re.compile(b"|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)))
    return [(p.name, m.group()) for p in _files(root) for m in pattern.finditer(p.read_bytes())]


@pytest.fixture
def vault(memory_keyring: MemoryKeyring) -> Vault:  # noqa: F811 - the fixture
    return make_vault()


def test_nothing_readable_under_the_data_dir(vault: Vault) -> None:
    vault.sign_in("shop", "http://127.0.0.1:9/api/v1", "api-key-0123456789")
    store = vault.open_store("shop")
    orders = full_orders(300, seed=5)
    for start in range(0, 300, 100):
        store.upsert_orders(orders[start : start + 100], OrderSource.FULL)
    needles = _needles(orders) | {LABEL_MARKER, b"Quillfeather Mews"}
    store.documents.put(orders[0].order_identifier, "postageLabel", b"%PDF-1.7 " + LABEL_MARKER)
    store.outbox.enqueue(
        "create", {"recipient": {"address": {"addressLine1": "Quillfeather Mews"}}}
    )
    store.incidents.add(
        "unrequested_ids",
        "GET /orders/{ids}",
        counts={"quarantined": 1},
        hashed_ids=[hash_identifier(99)],
    )
    store.query_orders("Smi")  # searching must not spill either (temp_store = MEMORY)
    root = paths.data_dir()
    names = {p.name for p in _files(root)}
    assert {"store.db", "store.db-wal", "store.outbox-journal", "accounts.json"} <= names
    assert len(needles) > 900
    assert _leaks(root, needles) == []  # open, WAL holding the latest pages
    store.close()
    assert _leaks(root, needles) == []  # checkpointed into the main file
