"""`kill -9` of the outbox replay at random instants, many times, against the real sandbox
process through the real CLI: afterwards every queued change was applied upstream exactly once
(no duplicate in the sandbox's request log) and none was lost.

Each round queues changes while Click & Drop is down (a despatch, a cancel, two new orders from
a CSV), brings it back with every mutating call slowed (so a kill lands while requests are in
flight on the server), starts `outbox --flush` and SIGKILLs it after a random delay. The next
round's flush meets the previous round's leftovers (`sending` ops, maybe a request the server
finished after the kill) and must reconcile them before sending anything again.
"""

from __future__ import annotations

import random
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from clickdrop_desktop.sandbox.info import SandboxInfo
from tests.e2e.outbox_support import (
    applied_counts,
    order_ids,
    outbox_json,
    signed_in_and_synced,
    upstream_by_reference,
    write_csv,
)
from tests.helpers.cli import cli, cli_env, popen

pytestmark = pytest.mark.e2e

SLOW_MS = 400
SETTLE_S = 1.5  # longer than a slowed request takes on the server


def kill_campaign(info: SandboxInfo, tmp_path: Path, rounds: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    signed_in_and_synced(info)
    printed, new = order_ids("printed"), order_ids("new")
    assert len(printed) >= rounds
    assert len(new) >= rounds
    env = cli_env(CLICKDROP_OUTBOX_SETTLE_S=str(SETTLE_S))
    despatched: list[int] = []
    cancelled: list[int] = []
    created: list[str] = []
    kills = 0
    for n in range(rounds):
        info.set_fault("maintenance")
        assert cli("despatch", str(printed[n]), env=env).returncode == 3
        assert cli("cancel", str(new[n]), env=env).returncode == 3
        refs = [f"KILL-{seed}-{n:03d}-{j}" for j in range(2)]
        done = cli("import", str(write_csv(tmp_path / f"round{n}.csv", refs)), env=env)
        assert done.returncode == 3, done.stderr
        despatched.append(printed[n])
        cancelled.append(new[n])
        created += refs
        info.clear_faults()
        for method in ("POST", "PUT", "DELETE"):
            info.set_fault("slow", delay_ms=SLOW_MS, method=method, path="/orders")
        process = popen("outbox", "--flush", env=env)
        try:
            process.wait(timeout=rng.uniform(0.5, 3.0))
        except subprocess.TimeoutExpired:
            process.kill()  # SIGKILL: no cleanup, no atexit, mid-write if it so happens
        process.communicate()
        # Counted by the exit code: a flush can end on its own between the timeout and the
        # signal (kill() does nothing to a process that has already exited).
        kills += process.returncode == -signal.SIGKILL
    info.clear_faults()
    for _ in range(3):  # leftovers may still be settling; each flush waits for them
        final = cli("outbox", "--flush", env=env)
        if final.returncode == 0:
            break
    assert final.returncode == 0, final.stderr
    assert outbox_json()["changes"] == []

    counts = applied_counts(info)
    applied = (
        [counts["PUT"][i] for i in despatched]
        + [counts["DELETE"][i] for i in cancelled]
        + [counts["POST"][r] for r in created]
    )
    upstream = upstream_by_reference(info, created)
    lost = sum(1 for c in applied if c == 0) + sum(1 for r in created if upstream[r] == 0)
    lost += sum(1 for i in despatched if not info.order_state("oba", i)["order"]["shippedOn"])
    lost += sum(1 for i in cancelled if not info.order_state("oba", i)["deleted"])
    duplicates = sum(c - 1 for c in applied if c > 1) + sum(
        c - 1 for c in upstream.values() if c > 1
    )
    return {"changes": len(applied), "kills": kills, "duplicates": duplicates, "lost": lost}


@pytest.mark.timeout(900)
def test_kill_9_during_replay_neither_duplicates_nor_loses(
    fresh_sandbox: SandboxInfo, tmp_path: Path
) -> None:
    result = kill_campaign(fresh_sandbox, tmp_path, rounds=20, seed=6)
    print(f"kill campaign: {result}")  # the figures for the notes (pytest -rP shows them)
    assert result["kills"] >= 5, result  # the delays do land mid-replay
    assert result["duplicates"] == 0, result
    assert result["lost"] == 0, result


@pytest.mark.slow
@pytest.mark.timeout(3600)
@pytest.mark.sandbox(orders=1500)
def test_kill_9_during_replay_many_more_times(fresh_sandbox: SandboxInfo, tmp_path: Path) -> None:
    result = kill_campaign(fresh_sandbox, tmp_path, rounds=100, seed=66)
    print(f"kill campaign: {result}")
    assert result["duplicates"] == 0, result
    assert result["lost"] == 0, result
