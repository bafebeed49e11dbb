"""The queue after a crash and under concurrency: nothing lost, nothing printed twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from clickdrop_desktop.store import PrintJob, PrintJobState, UncertainPrintJob
from printing.queue import PrintQueue
from printing.queue_lease import WorkerLease
from printing.uri import parse_printer_uri
from tests.helpers.print_fakes import FakeClock, FakePrinters, open_store

URI = "tspl+tcp://printer-a:9100"
DOC = "postageLabel"
JOB = b"SIZE 101.6 mm,152.4 mm\r\nCLS\r\nBITMAP 0,0,1,1,0,\x00\r\nPRINT 1,1\r\n"


def _prepare(_job: PrintJob) -> bytes:
    return JOB


def _queue(store, printers, clock=None, **kw):  # type: ignore[no-untyped-def]
    clock = clock or FakeClock()
    return PrintQueue(
        store,
        actor="tester",
        transport_factory=printers,
        clock=clock,
        sleep=clock.sleep,
        monotonic=clock.monotonic,
        **kw,
    )


def test_job_left_sending_by_a_dead_worker_becomes_uncertain(tmp_path: Path) -> None:
    store, orders = open_store(tmp_path, 2)
    printers = FakePrinters()
    clock = FakeClock()
    first = _queue(store, printers, clock)
    job = first.enqueue(orders[0].order_identifier, DOC, URI)
    claimed = store.print_jobs.claim(job.id, owner=first.lease.id, now=clock())
    assert claimed.state is PrintJobState.SENDING
    first.lease.release()  # what the kernel does when the process is killed

    second = _queue(store, printers, clock)
    assert [j.id for j in second.recovered] == [job.id]
    recovered = second.get(job.id)
    assert recovered is not None
    assert recovered.state is PrintJobState.UNCERTAIN
    assert "may have printed" in (recovered.last_error or "")
    assert second.history(job.id)[-1].action == "interrupted"
    # Not sent again by a later run, and a plain print refuses.
    assert second.run_pending(_prepare) == []
    with pytest.raises(UncertainPrintJob):
        second.enqueue(orders[0].order_identifier, DOC, URI)
    assert printers.state(parse_printer_uri(URI)).sends == 0
    second.close()
    store.close()


def test_job_held_by_a_live_worker_is_left_alone(tmp_path: Path) -> None:
    store, orders = open_store(tmp_path, 1)
    printers = FakePrinters()
    clock = FakeClock()
    busy = _queue(store, printers, clock)
    job = busy.enqueue(orders[0].order_identifier, DOC, URI)
    store.print_jobs.claim(job.id, owner=busy.lease.id, now=clock())
    other = _queue(store, printers)
    assert other.recovered == []
    assert other.get(job.id).state is PrintJobState.SENDING  # type: ignore[union-attr]
    other.close()
    busy.close()
    store.close()


def test_a_sending_job_with_no_worker_recorded_is_uncertain(tmp_path: Path) -> None:
    store, orders = open_store(tmp_path, 1)
    job = store.print_jobs.insert(orders[0].order_identifier, DOC, URI)
    store.print_jobs.claim_next()  # an older writer that did not record its worker
    queue = _queue(store, FakePrinters())
    assert [j.id for j in queue.recovered] == [job.id]
    queue.close()
    store.close()


def test_lease_of_a_killed_process_is_seen_dead(tmp_path: Path) -> None:
    leases = tmp_path / "leases"
    code = (
        "import sys, time; from pathlib import Path; "
        "from printing.queue_lease import WorkerLease; "
        f"lease = WorkerLease(Path({str(leases)!r})); print(lease.id, flush=True); "
        "time.sleep(60)"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    try:
        assert child.stdout is not None
        lease_id = child.stdout.readline().strip()
        mine = WorkerLease(leases)
        assert mine.is_alive(lease_id)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        assert not mine.is_alive(lease_id)
        assert not (leases / f"{lease_id}.lock").exists()  # tidied up
        assert mine.is_alive(mine.id)
        mine.release()
        assert not mine.is_alive(mine.id)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()


def test_lease_ids_cannot_name_paths_outside_the_folder(tmp_path: Path) -> None:
    lease = WorkerLease(tmp_path / "leases")
    assert not lease.is_alive("../../etc/passwd")
    assert not lease.is_alive("")
    assert not lease.is_alive(None)
    lease.release()


def test_many_threads_on_one_job_send_it_once(tmp_path: Path) -> None:
    store, orders = open_store(tmp_path, 1)
    printers = FakePrinters()
    queue = _queue(store, printers)
    job = queue.enqueue(orders[0].order_identifier, DOC, URI)
    barrier = threading.Barrier(8)
    results = []

    def worker() -> None:
        barrier.wait()
        results.append(queue.process(job.id, _prepare))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert printers.state(parse_printer_uri(URI)).jobs == [JOB]
    # One thread won the claim; the others saw it in flight or already sent.
    assert len(results) == 8
    assert all(r.job.state in (PrintJobState.SENT, PrintJobState.SENDING) for r in results)
    final = queue.get(job.id)
    assert final is not None
    assert final.state is PrintJobState.SENT
    assert final.attempts == 1
    queue.close()
    store.close()


def test_two_workers_on_two_connections_share_the_queue_without_duplicates(
    tmp_path: Path,
) -> None:
    key = os.urandom(32)
    store_a, orders = open_store(tmp_path, 30, key=key)
    store_b, _ = open_store(tmp_path, 0, key=key)  # a second connection: the CLI beside the GUI
    printers = FakePrinters()
    gui, cli = _queue(store_a, printers), _queue(store_b, printers)
    for order in orders:
        gui.enqueue(order.order_identifier, DOC, URI)
    threads = [
        threading.Thread(target=gui.run_pending, args=(_prepare,)),
        threading.Thread(target=cli.run_pending, args=(_prepare,)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    state = printers.state(parse_printer_uri(URI))
    assert len(state.jobs) == 30
    assert gui.counts()[PrintJobState.SENT] == 30
    assert all(job.attempts == 1 for job in gui.jobs())
    gui.close()
    cli.close()
    store_b.close()
    store_a.close()
