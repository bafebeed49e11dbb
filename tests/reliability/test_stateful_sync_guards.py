"""One leak must not lock an account out of its own orders for good.

Found by the simulated hours (test_load.py): the sandbox's `leak_trading_name` (and
`mutate_immutable`) fault tampers with one of the account's OWN records in transit. The guard
rightly refuses that response and records the suspect id (salted hash) as foreign; but when
the record was new (not cached yet), every later sync met the same, now clean, record again
and refused it as "quarantined in an earlier incident came back". Acknowledging did not help:
each sync made another incident, and nothing past that page was ever stored again.

The account's own by-id lookup settles it: an id whose record it returns exactly as listed is
the account's own, whatever an earlier, tampered answer said.
"""

from __future__ import annotations

import dataclasses

import pytest

from clickdrop_desktop.sync.engine import SyncEngine, SyncIsolationAlert, SyncOptions, acknowledge
from clickdrop_desktop.sync.ports import Fetched
from tests.helpers.sync_fakes import MemoryStorage, ScriptedApi, make_order

OPTIONS = SyncOptions(page_size=5, batch_size=5, prefetch=0)
NAME = "Acme Ltd"


def tampered_once(field: str):  # type: ignore[no-untyped-def]
    """A `ScriptedApi.tamper` changing the first record of the first answer, once."""

    def tamper(call: int, fetched: Fetched) -> Fetched:
        if call != 0 or not fetched.orders:
            return fetched
        first = fetched.orders[0]
        if field == "tradingName":
            assert first.details is not None
            details = dataclasses.replace(first.details, trading_name="Somebody Else Ltd")
            changed = dataclasses.replace(first, details=details)
        else:
            changed = dataclasses.replace(first, order_reference="REF-CHANGED")
        return dataclasses.replace(fetched, orders=(changed, *fetched.orders[1:]))

    return tamper


@pytest.mark.parametrize("field", ["tradingName", "orderReference"])
def test_a_tampered_own_record_syncs_once_the_answer_is_clean(field: str) -> None:
    full = field == "tradingName"
    orders = [make_order(i, minutes=i, trading_name=NAME if full else None) for i in range(1, 13)]
    api = ScriptedApi(orders, tamper=tampered_once(field))
    storage = MemoryStorage()
    engine = SyncEngine(
        api,
        storage,
        account="shop",
        full=full,
        trading_names=[NAME] if full else [],
        options=OPTIONS,
    )
    with pytest.raises(SyncIsolationAlert):
        engine.run()
    assert storage.orders == {}  # the tampered page was refused whole
    acknowledge(storage)  # the user read the alert; Click & Drop answers cleanly again
    SyncEngine(
        api,
        storage,
        account="shop",
        full=full,
        trading_names=[NAME] if full else [],
        options=OPTIONS,
    ).run()
    assert sorted(storage.orders) == list(range(1, 13))
