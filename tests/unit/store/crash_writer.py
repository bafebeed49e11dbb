"""A writer process for the kill -9 test: commits batches until it is killed.

Each transaction inserts 50 orders, adds their count to `sync_state.total`, and enqueues one
outbox item: after any kill the three must agree. The key comes on stdin (never argv).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from clickdrop_desktop.store import OrderSource, Store  # noqa: E402
from tests.helpers.order_factory import full_orders  # noqa: E402

BATCH = 50


def main() -> None:
    key = bytes.fromhex(sys.stdin.readline().strip())
    store = Store.open(Path(sys.argv[1]), key, account_id=sys.argv[2])
    total = int(store.sync_state.get("total") or 0)
    orders = full_orders(BATCH, seed=total, start=1_000_001 + total)
    while True:
        with store.transaction() as tx:
            counts = tx.upsert_orders(orders, OrderSource.FULL)
            total += counts.inserted
            tx.sync_state.set("total", str(total))
            tx.outbox.enqueue("despatch", {"through": total})
        # Build the next batch before reporting, so a kill that follows the report lands
        # inside the next transaction rather than in Python busywork.
        orders = full_orders(BATCH, seed=total, start=1_000_001 + total)
        print(total, flush=True)


if __name__ == "__main__":
    main()
