"""`kill -9` of real CLI processes in every phase that writes, each followed by SQLite's and
SQLCipher's own integrity checks on the files exactly as the kill left them.

The e2e kill tests (tests/e2e/test_cli_kill.py, test_outbox_kill.py, test_cli_print_kill.py)
check what a kill does to sync, replay and printing; this campaign adds the phases they leave
out and the check they leave to the app: after EVERY kill, before any command of ours opens the
store again, the test opens it itself and runs `PRAGMA quick_check` and `PRAGMA
cipher_integrity_check` (SQLCipher's per-page HMAC check), and reads the outbox journal with the
account's key. Phases, in turn: sync (list and refresh passes), outbox replay with requests in
flight, printing packing slips to a virtual printer, queueing despatches while offline, a
300-order CSV import (one transaction), and sign-out of a second account (`account remove
--force`, then again until it is gone). At the end the outbox is flushed: every change applied
upstream exactly once, nothing lost; no document printed twice.

The random delays before each kill are the point (a crash at an arbitrary instant), not waits.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import zxingcpp

from clickdrop_desktop.accounts import AccountRegistry
from clickdrop_desktop.sandbox.info import SandboxInfo
from clickdrop_desktop.store import journal_path
from clickdrop_desktop.store.connection import CIPHER_V1, connect, integrity_problems
from clickdrop_desktop.store.journal import JournalState, OutboxJournal
from clickdrop_desktop.vault import Vault, store_path
from printing.virtual_printer import VirtualPrinter
from tests.e2e.outbox_support import applied_counts, upstream_by_reference, write_csv
from tests.helpers.cli import PASSPHRASE, cli, cli_env, orders_json, popen, sign_in
from tests.reliability.ledger import Tally

pytestmark = pytest.mark.e2e

ACCOUNT = "oba"
SPARE = "olp"  # signed in and out again and again: its sign-out is what gets killed
SETTLE_S = "1.0"
PHASES = ("sync", "replay", "print", "despatch", "import", "sign-out")


class Campaign:
    def __init__(self, info: SandboxInfo, tmp_path: Path, seed: int) -> None:
        self.info = info
        self.tmp = tmp_path
        self.rng = random.Random(seed)
        self.seed = seed
        self.env = cli_env(CLICKDROP_OUTBOX_SETTLE_S=SETTLE_S)
        self.tally = Tally("crash: kill -9 of CLI processes + integrity checks", unit="kills")
        self.keys: dict[str, bytes] = {}
        self.despatched: list[int] = []  # acknowledged ("queued") despatches
        self.created: list[str] = []  # acknowledged new orders
        self.maybe_despatched: list[int] = []  # the command was killed: queued or not
        self.batches: list[list[str]] = []  # CSV imports whose command was killed
        self.printed: list[int] = []
        self.kills: Counter[str] = Counter()
        self.orphans = 0
        self.spare_signed_in = False
        self.next_ref = 0

    # -- set-up ---------------------------------------------------------------------------------

    def start(self) -> None:
        sign_in(self.info, ACCOUNT)
        assert cli("sync", env=self.env).returncode == 0
        self.unlock(ACCOUNT)
        self.new = [o["orderIdentifier"] for o in orders_json("--status", "new")]
        self.rng.shuffle(self.new)

    def unlock(self, name: str) -> None:
        """The store key, read once through the vault (as the CLI does, with the passphrase)."""
        keys = Vault().unlock(name, passphrase=PASSPHRASE)
        self.keys[name] = bytes(keys.store_key)

    def take(self, count: int) -> list[int]:
        taken, self.new = self.new[:count], self.new[count:]
        assert len(taken) == count, "the sandbox ran out of new orders for this campaign"
        return taken

    # -- one kill -------------------------------------------------------------------------------

    def run_and_kill(self, args: list[str], low: float, high: float) -> bool:
        """Start a CLI command, SIGKILL it after a random delay; True if it was killed."""
        self.last_code: int | None = None
        process = popen(*args, env=self.env)
        try:
            process.wait(timeout=self.rng.uniform(low, high))
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        _out, err = process.communicate(timeout=30)
        # Judged by the exit code: the command may end on its own between timeout and signal.
        killed = process.returncode == -signal.SIGKILL
        if not killed:
            assert process.returncode in (0, 1, 3), (args, process.returncode, err)
            assert process.returncode != 1 or args[0] == "print", (args, err)
            self.last_code = process.returncode
        self.tally.steps += 1
        return killed

    def check_files(self) -> None:
        """Integrity of every store on disk, as the kill left it (nothing opened it since)."""
        registry = AccountRegistry()
        for record in registry.list():
            path = store_path(record)
            if not path.exists() or record.name not in self.keys:
                continue
            conn = connect(path, self.keys[record.name], CIPHER_V1, create=False)
            try:
                problems = integrity_problems(conn)
            finally:
                conn.close()
            assert problems == [], f"{record.name}: integrity check failed: {problems[:5]}"
            journal = OutboxJournal(
                journal_path(path), self.keys[record.name], record.account_id
            ).read()
            assert journal.state in (JournalState.OK, JournalState.MISSING, JournalState.TORN), (
                journal.state
            )
        status = cli("status", "--json", env=self.env)
        assert status.returncode in (0, 3), status.stderr
        json.loads(status.stdout)

    # -- phases ---------------------------------------------------------------------------------

    def phase(self, name: str) -> None:
        action: Callable[[], bool] = getattr(self, "_" + name.replace("-", "_"))
        if action():
            self.kills[name] += 1
            self.tally.runs += 1
            self.tally.faults += 1
        self.check_files()

    def _sync(self) -> bool:
        if self.rng.random() < 0.5:
            victim = self.rng.choice(self.new)
            self.info.mutate(ACCOUNT, victim, self.rng.choice(["print", "despatch"]))
            self.new.remove(victim)
        self.info.set_fault("slow", delay_ms=15, method="GET")
        try:
            return self.run_and_kill(["sync", "--json"], 0.3, 2.5)
        finally:
            self.info.clear_faults()

    def _replay(self) -> bool:
        self.info.set_fault("maintenance")
        [despatch] = self.take(1)
        assert cli("despatch", str(despatch), env=self.env).returncode == 3
        refs = self.references("CRASH", 2)
        done = cli("import", str(self.csv(refs)), env=self.env)
        assert done.returncode == 3, done.stderr
        self.despatched.append(despatch)
        self.created += refs
        self.info.clear_faults()
        for method in ("POST", "PUT"):
            self.info.set_fault("slow", delay_ms=300, method=method, path="/orders")
        try:
            return self.run_and_kill(["outbox", "--flush"], 0.4, 2.5)
        finally:
            self.info.clear_faults()

    def _print(self) -> bool:
        orders = self.take(3)
        self.printed += orders
        args = ["print", *map(str, orders), "--printer", self.printer.uri("zpl")]
        return self.run_and_kill([*args, "--document", "packingSlip"], 0.4, 3.0)

    def _despatch(self) -> bool:
        self.info.set_fault("maintenance")
        orders = self.take(4)
        try:
            killed = self.run_and_kill(["despatch", *map(str, orders)], 0.2, 1.6)
        finally:
            self.info.clear_faults()
        # Killed: queued or not, the user was never told. Finished (exit 3): acknowledged.
        if killed:
            self.maybe_despatched += orders
        else:
            assert self.last_code == 3
            self.despatched += orders
        return killed

    def _import(self) -> bool:
        self.info.set_fault("maintenance")
        refs = self.references("BULK", 300)
        try:
            killed = self.run_and_kill(["import", str(self.csv(refs))], 0.3, 2.0)
        finally:
            self.info.clear_faults()
        if killed:
            self.batches.append(refs)  # all or none of them were queued (checked at the end)
        else:
            assert self.last_code == 3
            self.created += refs
        return killed

    def _sign_out(self) -> bool:
        if not self.spare_signed_in:
            sign_in(self.info, SPARE, env=self.env)
            self.unlock(SPARE)
            assert cli("sync", "--account", SPARE, env=self.env).returncode == 0
            self.spare_signed_in = True
        killed = self.run_and_kill(["account", "remove", SPARE, "--force"], 0.1, 1.2)
        # Whatever the kill left, signing out again finishes the job and leaves nothing.
        self.check_files()
        registry = AccountRegistry()
        if SPARE in registry.names():
            record = registry.get(SPARE)
            done = cli("account", "remove", SPARE, "--force", env=self.env)
            assert done.returncode == 0, done.stderr
            assert not record.directory.exists(), "files left after sign-out"
        self.keys.pop(SPARE, None)
        self.spare_signed_in = False
        accounts = AccountRegistry()
        folders = {r.folder for r in accounts.list()}
        leftovers = [
            p for p in (accounts.path.parent / "accounts").iterdir() if p.name not in folders
        ]
        self.orphans += len(leftovers)
        assert not leftovers, f"folders of signed-out accounts left behind: {leftovers}"
        return killed

    def references(self, prefix: str, count: int) -> list[str]:
        start, self.next_ref = self.next_ref, self.next_ref + count
        return [f"{prefix}-{self.seed}-{n}" for n in range(start, start + count)]

    def csv(self, refs: list[str]) -> Path:
        return write_csv(self.tmp / f"import-{refs[0]}.csv", refs)

    # -- the end --------------------------------------------------------------------------------

    def finish(self) -> None:
        self.info.clear_faults()
        for _ in range(4):  # leftovers may still be settling; each flush waits for them
            final = cli("outbox", "--flush", env=self.env)
            if final.returncode == 0:
                break
        assert final.returncode == 0, final.stderr
        outbox = json.loads(cli("outbox", "--json", env=self.env).stdout)
        assert outbox["changes"] == [], outbox["changes"][:3]

        counts = applied_counts(self.info, ACCOUNT)
        maybe = [r for batch in self.batches for r in batch]
        upstream = upstream_by_reference(self.info, self.created + maybe, ACCOUNT)
        duplicates = sum(n - 1 for n in counts["PUT"].values() if n > 1)
        duplicates += sum(n - 1 for n in counts["POST"].values() if n > 1)
        duplicates += sum(n - 1 for n in upstream.values() if n > 1)
        lost = sum(
            1
            for i in self.despatched
            if not self.info.order_state(ACCOUNT, i)["order"]["shippedOn"]
        )
        lost += sum(1 for r in self.created if upstream[r] != 1)
        for batch in self.batches:  # one transaction: the whole file reached upstream, or none
            assert len({upstream[r] for r in batch}) == 1, "half of a CSV import was queued"
        acknowledged = len(self.despatched) + len(self.created)
        labels = self.printer.printed
        seen: Counter[str] = Counter()
        for label in labels:
            found = zxingcpp.read_barcodes(label.bitmap.to_image().convert("L"))
            seen.update(b.text for b in found if b.text.startswith("CD:"))
        printed_twice = {code: n for code, n in seen.items() if n > 1}
        duplicates += len(printed_twice)
        self.tally.lost += lost
        self.tally.duplicated += duplicates
        self.tally.notes.update(
            kills_by_phase=dict(self.kills),
            changes_acknowledged=acknowledged,
            killed_imports=len(self.batches),
            labels_printed=len(labels),
        )
        assert duplicates == 0, (printed_twice, duplicates)
        assert lost == 0


def run_campaign(
    info: SandboxInfo, tmp_path: Path, cycles: int, seed: int, min_kills: int = 0
) -> Tally:
    campaign = Campaign(info, tmp_path, seed)
    with VirtualPrinter(out_dir=tmp_path / "printed") as printer:
        campaign.printer = printer
        campaign.start()
        cycle = 0
        # At least `cycles`, and more while fewer than `min_kills` landed mid-command: the
        # delays are drawn before the machine's speed is known (a fast run ends more first).
        while cycle < cycles or (campaign.tally.runs < min_kills and cycle < 3 * cycles):
            campaign.phase(PHASES[cycle % len(PHASES)])
            cycle += 1
        campaign.finish()
    campaign.tally.record()
    print(f"crash campaign: {campaign.tally}")
    return campaign.tally


@pytest.mark.timeout(900)  # 70-140 s here, ~3x that if it must run extra cycles for its kills
@pytest.mark.sandbox(orders=1200)
def test_kill_9_in_every_phase_leaves_files_that_pass_integrity_checks(
    fresh_sandbox: SandboxInfo, tmp_path: Path
) -> None:
    tally = run_campaign(fresh_sandbox, tmp_path, cycles=18, seed=8, min_kills=8)
    assert tally.runs >= 8, f"only {tally.runs} of {tally.steps} commands were killed mid-way"


@pytest.mark.slow
@pytest.mark.timeout(5400)
@pytest.mark.sandbox(orders=6000)
def test_kill_9_in_every_phase_hundreds_of_times(
    fresh_sandbox: SandboxInfo, tmp_path: Path
) -> None:
    tally = run_campaign(fresh_sandbox, tmp_path, cycles=300, seed=88, min_kills=100)
    assert tally.runs >= 100
