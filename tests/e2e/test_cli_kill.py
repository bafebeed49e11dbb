"""`kill -9` of `clickdrop-desktop sync` at random points, many times: the store opens, holds
only whole pages, no duplicates, and the next sync completes with exactly the upstream orders.

A random delay before the kill is the point of this test (crash at an arbitrary instant), not a
wait for a condition. Every kill lands somewhere in: start-up, key unwrap, store open, a list
page in flight, its by-id confirmation, a commit, the refresh pass, or after the end.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import zlib

import pytest

from clickdrop_desktop.sandbox.info import SandboxInfo
from tests.helpers.cli import cli, orders_json, owner_of, popen, sign_in

pytestmark = pytest.mark.e2e

ORDERS = 2000
PAGE = 100


def _upstream_ids(info: SandboxInfo, account: str) -> set[int]:
    from tests.e2e.test_cli_accounts import upstream

    return {o["orderIdentifier"] for o in upstream(info, account)}


def _kill_cycles(info: SandboxInfo, account: str, cycles: int, seed: int) -> None:
    rng = random.Random(seed)
    sign_in(info, account)
    truth = _upstream_ids(info, account)
    assert len(truth) == ORDERS
    # Stretch each call a little so kills land inside passes, not only between syncs.
    info.set_fault("slow", delay_ms=10)
    first_sync_done = False
    killed = 0
    cycle = 0
    # At least `cycles`, and more while too few kills landed mid-sync: the delays are drawn
    # before the machine's speed is known, and a fast run ends more syncs before them.
    while cycle < cycles or (killed < cycles // 3 and cycle < 3 * cycles):
        if cycle and cycle % 7 == 0:
            # Change things upstream so the refresh pass has work (despatch, delete).
            target = sorted(truth)[rng.randrange(len(truth))]
            info.mutate(account, target, rng.choice(["despatch", "print"]))
        process = popen("sync", "--json")
        try:
            process.wait(timeout=rng.uniform(0.2, 3.5))
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        _out, err = process.communicate(timeout=30)
        # The exit code says which it was: a sync can end on its own between the timeout and
        # the signal (send_signal does nothing to a process that has already exited).
        finished = process.returncode != -signal.SIGKILL
        if finished:
            assert process.returncode == 0, err
            first_sync_done = True
        else:
            killed += 1
        # The store opens after the crash (integrity-checked: a WAL was left behind).
        status = cli("status", "--json")
        assert status.returncode == 0, status.stderr
        counts = json.loads(status.stdout)
        assert counts["archived"] == 0  # nothing is deleted upstream in this test
        ids = [o["orderIdentifier"] for o in orders_json()]
        assert len(ids) == len(set(ids)), "duplicate orders after a kill"
        assert set(ids) <= truth
        assert {owner_of(i) for i in ids} <= {account}
        if not first_sync_done:
            # First sync: pages of 100 in createdOn order, merged whole or not at all.
            assert len(ids) % PAGE == 0, f"half a page stored after kill {cycle}: {len(ids)}"
        assert counts["orders"] == len(ids)
        cycle += 1
    print(f"kill cycles: {killed} of {cycle} syncs killed")  # pytest -rP shows it
    assert killed >= cycles // 3, f"only {killed} of {cycle} syncs were killed mid-way"
    info.clear_faults()
    done = cli("sync", "--json")
    assert done.returncode == 0, done.stderr
    final = orders_json() + orders_json("--status", "archived")
    assert sorted(o["orderIdentifier"] for o in final) == sorted(truth)


@pytest.mark.timeout(900)  # ~60 s here, ~3x that if it must run extra cycles for its kills
@pytest.mark.sandbox(orders=ORDERS)
def test_kill_minus_nine_during_sync(fresh_sandbox: SandboxInfo) -> None:
    _kill_cycles(fresh_sandbox, "olp", cycles=20, seed=20261128)


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.sandbox(orders=ORDERS)
@pytest.mark.parametrize("account", ["oba", "channelshipper"])
def test_kill_minus_nine_many_times(fresh_sandbox: SandboxInfo, account: str) -> None:
    _kill_cycles(fresh_sandbox, account, cycles=100, seed=zlib.crc32(account.encode()))
