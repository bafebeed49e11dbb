"""A new order of several packages, typed in the form, queued in the outbox, replayed to the
sandbox process: every package (weight, format, dimensions, contents) is sent once and stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clickdrop_desktop.orders_form import ItemInput, NewOrderForm, PackageInput, validate
from clickdrop_desktop.outbox.changes import queue_new_orders
from clickdrop_desktop.sandbox.info import SandboxInfo
from tests.unit.outbox.conftest import Bench, make_bench

pytestmark = pytest.mark.e2e

FORM = NewOrderForm(
    reference="MULTI-PKG-1",
    full_name="Ada Lovelace",
    address_line1="12 St James's Square",
    city="London",
    postcode="SW1Y 4LB",
    service_code="TPN24",
    subtotal="30.00",
    packages=(
        PackageInput(
            "750",
            "parcel",
            "100",
            "200",
            "300",
            (ItemInput("Notes on the engine", "BK-1", "2", "9.99", "350"),),
        ),
        PackageInput("1200", "mediumParcel", contents=(ItemInput(sku="MUG-3", quantity="4"),)),
        PackageInput("90", "largeLetter"),
    ),
)


@pytest.fixture
def bench(sandbox: SandboxInfo, tmp_path: Path) -> Iterator[Bench]:
    made = make_bench(sandbox, tmp_path)
    yield made
    made.client.close()
    made.store.close()


def test_every_package_reaches_the_sandbox_once_and_is_stored(bench: Bench) -> None:
    result = validate(FORM)
    assert result.request is not None, result.errors
    queue_new_orders(bench.store, [result.request])
    # What waits in the outbox is the whole order, every package in it.
    (item,) = bench.store.outbox.list()
    assert len(item.payload["request"]["packages"]) == 3

    report = bench.replayer().replay()
    assert report.complete
    assert bench.replayer().replay().complete  # a second replay sends nothing
    posts = [
        e for e in bench.mutations("POST") if e["path"].endswith("/orders") and e["status"] == 200
    ]
    assert len(posts) == 1
    (sent,) = posts[0]["body"]["items"]
    assert sent["packages"] == result.request.to_api()["packages"]
    assert sent["packages"][0]["dimensions"] == {
        "heightInMms": 100,
        "widthInMms": 200,
        "depthInMms": 300,
    }

    found = bench.client.find_orders_by_reference(["MULTI-PKG-1"])["MULTI-PKG-1"]
    state = bench.sandbox.order_state("oba", found.order_identifier)
    full = state["full"]
    assert [p["packageNumber"] for p in full["shippingDetails"]["packages"]] == [1, 2, 3]
    assert full["weightInGrams"] == 750 + 1200 + 90
    assert full["packageSize"] == "parcel"
    lines = {(line["SKU"], line["quantity"]) for line in full["orderLines"]}
    assert lines == {("BK-1", 2), ("MUG-3", 4)}
    # The cache now holds the real order in place of the stand-in.
    stored = bench.store.get_order(found.order_identifier)
    assert stored is not None
    assert stored.order.order_reference == "MULTI-PKG-1"
