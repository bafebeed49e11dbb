"""The outbox through the real CLI against the real sandbox process: offline work is kept and
sent exactly once when Click & Drop answers again; maintenance mid-replay; a lost create answer."""

from __future__ import annotations

import json
import time
from pathlib import Path

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
from tests.helpers.cli import cli, cli_env, one_line_error, orders_json, popen

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "samples" / "orders.csv"
SAMPLE_REFS = [f"#{n}" for n in range(1001, 1011)]


def test_offline_work_is_kept_and_sent_exactly_once(fresh_sandbox: SandboxInfo) -> None:
    info = fresh_sandbox
    signed_in_and_synced(info)
    new = order_ids("new")
    printed = order_ids("printed")
    despatch, cancel = [printed[0], printed[1], new[0]], new[1]
    info.set_fault("maintenance")

    done = cli("despatch", str(despatch[0]), str(despatch[1]))
    assert done.returncode == 3
    assert one_line_error(done) == (
        "clickdrop-desktop: offline, work kept: 2 change(s) waiting "
        "(Click & Drop is unavailable (503, maintenance))"
    )
    done = cli("despatch", str(despatch[2]), "--tracking-number", "RM123456785GB")
    assert done.returncode == 3
    assert "3 change(s) waiting" in one_line_error(done)
    done = cli("import", str(SAMPLE))
    assert done.returncode == 3, done.stderr
    assert "10 order(s) saved" in done.stdout
    done = cli("cancel", str(cancel))
    assert done.returncode == 3, done.stderr

    # The bench keeps working: the cache shows every change already.
    shown = {o["orderIdentifier"]: o for o in orders_json()}
    assert all(shown[i]["status"] == "despatched" for i in despatch)
    assert cancel not in shown
    assert {o["orderReference"] for o in orders_json("--search", "Pritchard")} == {"#1002"}
    listed = outbox_json()
    assert listed["waiting"] == 3 + 10 + 1
    assert {c["state"] for c in listed["changes"]} == {"pending"}

    info.clear_faults()
    done = cli("outbox", "--flush")
    assert done.returncode == 0, done.stderr
    assert "outbox empty" in done.stdout
    counts = applied_counts(info)
    assert counts["PUT"] == {i: 1 for i in despatch}
    assert counts["POST"] == dict.fromkeys(SAMPLE_REFS, 1)
    assert counts["DELETE"] == {cancel: 1}
    assert upstream_by_reference(info, SAMPLE_REFS) == dict.fromkeys(SAMPLE_REFS, 1)
    assert info.order_state("oba", despatch[2])["order"]["trackingNumber"] == "RM123456785GB"
    assert outbox_json()["changes"] == []
    # A second flush sends nothing more.
    before = len(info.requests())
    assert cli("outbox", "--flush").returncode == 0
    assert len(info.requests()) == before


def test_online_despatch_is_sent_at_once(fresh_sandbox: SandboxInfo) -> None:
    signed_in_and_synced(fresh_sandbox)
    ident = order_ids("printed")[0]
    done = cli("despatch", str(ident))
    assert done.returncode == 0, done.stderr
    assert "despatched 1 order(s) in Click & Drop" in done.stdout
    assert applied_counts(fresh_sandbox)["PUT"] == {ident: 1}


def test_maintenance_switched_on_mid_replay(fresh_sandbox: SandboxInfo, tmp_path: Path) -> None:
    info = fresh_sandbox
    signed_in_and_synced(info)
    refs = [f"MID-{i:03d}" for i in range(250)]
    info.set_fault("maintenance")
    done = cli("import", str(write_csv(tmp_path / "many.csv", refs)))
    assert done.returncode == 3, done.stderr
    info.clear_faults()
    # The first batch sleeps in the server until maintenance is on: 5 s is the margin for a
    # loaded machine between seeing it start and the next call (a second batch let through
    # before the switch lands 200, not 100).
    slow = info.set_fault("slow", delay_ms=5000, method="POST", path="/orders")
    process = popen("outbox", "--flush")
    try:
        deadline = time.monotonic() + 60
        while not any(f["id"] == slow and f["fired"] for f in info.faults()):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the first POST never started"
            time.sleep(0.02)
        info.set_fault("maintenance")  # switched on while the first batch is in flight
        _out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 3, err
    assert "offline, work kept: 150 change(s) waiting" in err
    counts = applied_counts(info)
    assert sum(counts["POST"].values()) == 100  # the batch in flight landed; nothing else
    info.clear_faults()
    done = cli("outbox", "--flush")
    assert done.returncode == 0, done.stderr
    counts = applied_counts(info)
    assert counts["POST"] == dict.fromkeys(refs, 1)
    assert upstream_by_reference(info, refs) == dict.fromkeys(refs, 1)


def test_a_create_whose_answer_was_lost_is_found_not_reposted(
    fresh_sandbox: SandboxInfo, tmp_path: Path
) -> None:
    info = fresh_sandbox
    signed_in_and_synced(info)
    refs = ["LOST-1", "LOST-2", "LOST-3"]
    info.set_fault("drop", when="after", method="POST", path="/orders", count=1)
    done = cli("import", str(write_csv(tmp_path / "lost.csv", refs)))
    assert done.returncode == 3, done.stderr
    assert {c["state"] for c in outbox_json()["changes"]} == {"sending"}
    done = cli("outbox", "--flush", env=cli_env(CLICKDROP_OUTBOX_SETTLE_S="0"))
    assert done.returncode == 0, done.stderr
    assert applied_counts(info)["POST"] == dict.fromkeys(refs, 1)
    lookups = [
        e
        for e in info.requests(everything=True)
        if e["method"] == "GET" and "%22LOST-1%22" in e["path"]
    ]
    assert lookups  # looked up by reference before anything was resent
    assert upstream_by_reference(info, refs) == dict.fromkeys(refs, 1)
    local = {o["orderReference"]: o["orderIdentifier"] for o in orders_json("--search", "LOST")}
    assert set(local) == set(refs)
    assert all(ident > 0 for ident in local.values())  # the stand-ins became the real orders


def test_a_conflict_waits_for_the_user(fresh_sandbox: SandboxInfo) -> None:
    info = fresh_sandbox
    signed_in_and_synced(info)
    ident = order_ids("new")[0]
    info.mutate("oba", ident, "delete")  # deleted in the web UI after our sync
    done = cli("despatch", str(ident))
    assert done.returncode == 1
    assert "need you" in one_line_error(done)
    listed = outbox_json()
    (change,) = listed["changes"]
    assert change["state"] == "conflict"
    assert "deleted there" in change["problem"]
    done = cli("outbox", "--discard", change["op_id"][:8])
    assert done.returncode == 1
    assert "confirm" in one_line_error(done)
    done = cli("outbox", "--discard", change["op_id"][:8], "--yes")
    assert done.returncode == 0, done.stderr
    assert json.loads(cli("outbox", "--json").stdout)["changes"] == []
    assert applied_counts(info)["PUT"] == {}


def test_csv_with_errors_imports_nothing(fresh_sandbox: SandboxInfo, tmp_path: Path) -> None:
    signed_in_and_synced(fresh_sandbox)
    path = tmp_path / "bad.csv"
    path.write_bytes(
        "Reference;Name;Street;Town;ZIP;Country;Weight\n"
        "OK-1;Zoë;1 St;Leeds;LS1 1AA;GB;100\n"
        'BAD-1;=HYPERLINK("x");1 St;Leeds;LS1 1AA;GB;100\n'
        "BAD-2;Al;2 St;Leeds;LS1 1AA;GB;0\n".encode("cp1252")
    )
    done = cli("import", str(path))
    assert done.returncode == 1
    assert "Windows-1252" in done.stdout
    assert "line 3: full_name: looks like a spreadsheet formula" in done.stdout
    assert "line 4: weight: from 1 to 30000 grams" in done.stdout
    assert "nothing was imported" in one_line_error(done)
    assert outbox_json()["changes"] == []
    assert orders_json("--search", "OK-1") == []
    assert applied_counts(fresh_sandbox)["POST"] == {}


def test_a_successful_sync_sends_what_is_waiting(fresh_sandbox: SandboxInfo) -> None:
    info = fresh_sandbox
    signed_in_and_synced(info)
    ident = order_ids("printed")[0]
    info.set_fault("maintenance")
    assert cli("despatch", str(ident)).returncode == 3
    info.clear_faults()
    done = cli("sync", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["outbox"]["done"] == 1
    assert applied_counts(info)["PUT"] == {ident: 1}
    shown = {o["orderIdentifier"]: o for o in orders_json()}
    assert shown[ident]["status"] == "despatched"
