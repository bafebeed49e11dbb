"""`kill -9` of `clickdrop-desktop print`, then a restart: no job lost, no label printed twice.

A job cut off mid-send may have printed (wholly or in part), so after a restart it is
`uncertain`: a plain print refuses it with one clear line, and `--reprint` sends it again on
purpose. The random delays in the last test are the point of it (a crash at an arbitrary
instant), not waits for a condition.
"""

from __future__ import annotations

import random
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp

from clickdrop_desktop.sandbox.info import SandboxInfo
from clickdrop_desktop.session import open_account
from clickdrop_desktop.store import PrintJob, PrintJobState
from printing.virtual_printer import VirtualPrinter
from tests.e2e.test_cli_print import ACCOUNT, oba, printable_orders, tracking
from tests.helpers.cli import NO_KEYRING, PASSPHRASE, cli, one_line_error, popen, sign_in

pytestmark = pytest.mark.e2e
__all__ = ["oba"]  # the fixture, shared with test_cli_print

STATUS_QUERY_START = b"\x10\x04"  # ESC/POS DLE EOT: the pre-flight status query


class StalledPrinter:
    """A raw TCP printer that takes the first `take` bytes of a job and then stops reading,
    like a printer whose buffer is full: the sender is stuck mid-job until it gives up."""

    def __init__(self, take: int = 2048) -> None:
        self.take = take
        self.received = 0
        self.started = threading.Event()
        self._stop = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self._conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        port: int = self._server.getsockname()[1]
        return port

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            first = conn.recv(4096)
            if first.startswith(STATUS_QUERY_START):
                conn.close()  # no answer: status unknown, so the job is sent
                continue
            self._conns.append(conn)  # kept open and unread: the job stalls
            self.received += len(first)
            while self.received < self.take:
                block = conn.recv(min(1024, self.take - self.received))
                if not block:
                    break
                self.received += len(block)
            self.started.set()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self._conns:
            conn.close()
        self._server.close()


@pytest.fixture
def stalled() -> Iterator[StalledPrinter]:
    printer = StalledPrinter()
    yield printer
    printer.close()


@pytest.fixture
def oba_alone(fresh_sandbox: SandboxInfo, monkeypatch: pytest.MonkeyPatch) -> SandboxInfo:
    """`oba` in a sandbox process of the test's own, for a test that leaves a slowed request
    asleep in the server: stopping the process ends it. In the shared sandbox it would wake in
    a later test, take that test's faults and log a label call into its log."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYRING)
    monkeypatch.setenv("CLICKDROP_PASSPHRASE", PASSPHRASE)
    sign_in(fresh_sandbox, ACCOUNT)
    done = cli("sync")
    assert done.returncode == 0, done.stderr
    return fresh_sandbox


def jobs_of(order_id: int) -> list[PrintJob]:
    with open_account(None) as session:
        return session.store.print_jobs.for_order(order_id, "postageLabel")


def _kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL


def test_kill_mid_send_leaves_an_uncertain_job_that_only_reprint_sends(
    oba: SandboxInfo, stalled: StalledPrinter, tmp_path: Path
) -> None:
    [order] = printable_orders(oba, 1, skip=10)
    ident = order["orderIdentifier"]
    process = popen("print", str(ident), "--printer", f"escpos+tcp://127.0.0.1:{stalled.port}")
    try:
        assert stalled.started.wait(timeout=60), "the job never reached the printer"
    finally:
        _kill(process)
    # Not lost: the job is there, still marked as being sent by the dead process.
    [job] = jobs_of(ident)
    assert job.state is PrintJobState.SENDING

    with VirtualPrinter(out_dir=tmp_path / "printed") as printer:
        again = cli("print", str(ident), "--printer", printer.uri("escpos"))
        assert again.returncode == 1
        line = one_line_error(again)
        assert "may already have printed" in line
        assert "--reprint" in line
        [job] = jobs_of(ident)
        assert job.state is PrintJobState.UNCERTAIN
        assert printer.printed == []  # not resent on its own

        resent = cli("print", str(ident), "--printer", printer.uri("escpos"), "--reprint")
        assert resent.returncode == 0, resent.stderr
        [label] = printer.wait_for_labels(1)
        found = {b.text for b in zxingcpp.read_barcodes(label.bitmap.to_image().convert("L"))}
        assert tracking(oba, ident) in found
    [job] = jobs_of(ident)  # the same job, sent on purpose: no second job was made
    assert job.state is PrintJobState.SENT
    with open_account(None) as session:
        actions = [e.action for e in session.store.print_jobs.events(job.id)]
    assert actions == ["queued", "sending", "interrupted", "resend", "sending", "sent"]
    assert stalled.received < 50_000  # the stalled printer only ever got part of it


def test_kill_while_the_label_is_being_made_loses_nothing(
    oba_alone: SandboxInfo, tmp_path: Path
) -> None:
    oba = oba_alone  # the killed command's label request sleeps on in the server for 20 s
    [order] = printable_orders(oba, 1, skip=11)
    ident = order["orderIdentifier"]
    oba.set_fault("slow", delay_ms=20_000, path="/label")
    with VirtualPrinter() as printer:
        process = popen("print", str(ident), "--printer", printer.uri("zpl"))
        try:
            _wait_for_job(ident)
        finally:
            _kill(process)
        [job] = jobs_of(ident)
        assert job.state is PrintJobState.QUEUED  # nothing was sent: still a plain queued job
        oba.clear_faults()
        done = cli("print", str(ident), "--printer", printer.uri("zpl"))
        assert done.returncode == 0, done.stderr
        assert len(printer.wait_for_labels(1)) == 1
        [job] = jobs_of(ident)
        assert job.state is PrintJobState.SENT
        assert len(printer.printed) == 1


def _wait_for_job(order_id: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if jobs_of(order_id):
            return
        threading.Event().wait(0.05)  # polling the store for the job the child is writing
    raise AssertionError("the print job never appeared")


def test_kills_at_random_points_never_print_an_order_twice(
    oba: SandboxInfo, tmp_path: Path
) -> None:
    orders = printable_orders(oba, 5, skip=12)
    idents = [str(o["orderIdentifier"]) for o in orders]
    rng = random.Random(4)
    with VirtualPrinter(out_dir=tmp_path / "printed") as printer:
        uri = printer.uri("zpl")
        for _cycle in range(8):
            process = popen("print", *idents, "--printer", uri)
            try:
                process.wait(timeout=rng.uniform(0.3, 4.0))
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
            # Judged by the exit code: a print can end on its own between the timeout and the
            # signal (send_signal does nothing to a process that has already exited).
            assert process.returncode in (0, 1, -signal.SIGKILL), process.returncode
            _assert_at_most_once(oba, printer, orders)
        final = cli("print", *idents, "--printer", uri)
        assert final.returncode in (0, 1)
        counts = _assert_at_most_once(oba, printer, orders)
        for order in orders:
            states = {j.state for j in jobs_of(order["orderIdentifier"])}
            assert len(jobs_of(order["orderIdentifier"])) == 1  # never a second job
            # Every job ended sent (printed once) or uncertain (cut off: the user decides).
            assert states <= {PrintJobState.SENT, PrintJobState.UNCERTAIN}
            if states == {PrintJobState.SENT}:
                assert counts[tracking(oba, order["orderIdentifier"])] == 1


def _assert_at_most_once(
    info: SandboxInfo, printer: VirtualPrinter, orders: list[dict[str, object]]
) -> Counter[str]:
    counts: Counter[str] = Counter()
    for label in printer.printed:
        found = {b.text for b in zxingcpp.read_barcodes(label.bitmap.to_image().convert("L"))}
        counts.update(found)
    for order in orders:
        state = info.order_state(ACCOUNT, int(order["orderIdentifier"]))  # type: ignore[call-overload]
        number = state["order"]["trackingNumber"]
        if number:
            assert counts[number] <= 1, f"order {order['orderIdentifier']} printed twice"
    return counts
