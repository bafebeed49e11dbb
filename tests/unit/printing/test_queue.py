"""The print queue's state machine: idempotency, reprints on record, expiry, retries, pre-flight."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from clickdrop_desktop.store import (
    DuplicatePrintJob,
    PrintJob,
    PrintJobState,
    PrintJobStateChanged,
    Store,
    UncertainPrintJob,
)
from printing.queue import JobDeferred, JobRejected, PrintQueue, RetryPolicy
from printing.status import PrinterState
from printing.transports import (
    PrinterBusy,
    PrinterDisconnected,
    PrinterNotFound,
    PrinterOffline,
    PrinterPermissionDenied,
    PrinterTimeout,
)
from printing.uri import parse_printer_uri
from tests.helpers.print_fakes import FakeClock, FakePrinters, open_store, ready, with_conditions

URI = "zpl+tcp://printer-a:9100"
DOC = "postageLabel"
JOB_BYTES = b"^XA^PW812^LL1218^FO0,0^GFA,4,4,1,:Z64:eJxjYGBgAAAABAAB:1234^FS^XZ\n"


@dataclass
class Env:
    store: Store
    queue: PrintQueue
    clock: FakeClock
    printers: FakePrinters
    orders: list[int]
    tmp: Path

    def new_queue(self, **kw: object) -> PrintQueue:
        queue = PrintQueue(
            self.store,
            actor="tester (unit)",
            transport_factory=self.printers,
            clock=self.clock,
            sleep=self.clock.sleep,
            monotonic=self.clock.monotonic,
            **kw,  # type: ignore[arg-type]
        )
        return queue

    @property
    def printer(self):  # type: ignore[no-untyped-def]
        return self.printers.state(parse_printer_uri(URI))


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    store, orders = open_store(tmp_path, 4)
    clock = FakeClock()
    printers = FakePrinters()
    e = Env(store, None, clock, printers, [o.order_identifier for o in orders], tmp_path)  # type: ignore[arg-type]
    e.queue = e.new_queue()
    yield e
    e.queue.close()
    store.close()


def prepare(_job: PrintJob) -> bytes:
    return JOB_BYTES


def actions(env: Env, job_id: int) -> list[str]:
    return [event.action for event in env.queue.history(job_id)]


# -- enqueue and idempotency -----------------------------------------------------------------


def test_enqueue_queues_with_expiry_and_requester(env: Env) -> None:
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    assert job.state is PrintJobState.QUEUED
    assert job.idempotency_key == f"{env.orders[0]}/{DOC}"
    assert job.expires_at == env.clock.now + timedelta(minutes=30)
    assert job.requested_by == "tester (unit)"
    assert actions(env, job.id) == ["queued"]


def test_process_sends_once_and_records_every_step(env: Env) -> None:
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    result = env.queue.process(job.id, prepare)
    assert result.printed
    assert result.bytes_sent == len(JOB_BYTES)
    assert env.printer.jobs == [JOB_BYTES]
    assert env.printer.job_names == [f"clickdrop {job.idempotency_key}"]
    assert result.job.attempts == 1
    assert result.job.claimed_by is None
    assert actions(env, job.id) == ["queued", "sending", "sent"]


def test_same_document_twice_is_the_same_job(env: Env) -> None:
    first = env.queue.enqueue(env.orders[0], DOC, URI)
    again = env.queue.enqueue(env.orders[0], DOC, URI)
    assert again.id == first.id
    assert len(env.queue.jobs()) == 1


def test_second_print_after_sent_refuses_without_reprint(env: Env) -> None:
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    env.queue.process(job.id, prepare)
    with pytest.raises(DuplicatePrintJob, match="already printed; use reprint"):
        env.queue.enqueue(env.orders[0], DOC, URI)
    assert len(env.printer.jobs) == 1


def test_reprint_gets_its_own_key_and_is_logged_with_who(env: Env) -> None:
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    env.queue.process(job.id, prepare)
    env.clock.advance(60)
    again = env.queue.enqueue(env.orders[0], DOC, URI, reprint=True, actor="alice (scan)")
    assert again.id != job.id
    assert again.idempotency_key == f"{env.orders[0]}/{DOC}/reprint-1"
    assert again.reprint
    assert again.reprint_number == 1
    first_event = env.queue.history(again.id)[0]
    assert (first_event.action, first_event.actor) == ("reprint", "alice (scan)")
    env.queue.process(again.id, prepare)
    third = env.queue.enqueue(env.orders[0], DOC, URI, reprint=True)
    assert third.idempotency_key.endswith("/reprint-2")
    env.queue.process(third.id, prepare)
    assert len(env.printer.jobs) == 3


def test_reprint_while_one_is_waiting_does_not_stack_jobs(env: Env) -> None:
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    again = env.queue.enqueue(env.orders[0], DOC, URI, reprint=True)
    assert again.id == job.id
    env.queue.process(job.id, prepare)
    assert len(env.printer.jobs) == 1


def test_other_documents_and_orders_are_independent(env: Env) -> None:
    a = env.queue.enqueue(env.orders[0], DOC, URI)
    b = env.queue.enqueue(env.orders[0], "packingSlip", URI)
    c = env.queue.enqueue(env.orders[1], DOC, URI)
    assert len({a.id, b.id, c.id}) == 3


def test_bad_printer_uri_queues_nothing(env: Env) -> None:
    with pytest.raises(ValueError, match="unknown printer language"):
        env.queue.enqueue(env.orders[0], DOC, "laser+tcp://x:9100")
    assert env.queue.jobs() == []


# -- expiry ----------------------------------------------------------------------------------


def test_stale_job_expires_instead_of_printing(env: Env) -> None:
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    env.clock.advance(31 * 60)
    result = env.queue.process(job.id, prepare)
    assert result.job.state is PrintJobState.EXPIRED
    assert "expired" in (result.error or "")
    assert env.printer.sends == 0
    assert actions(env, job.id) == ["queued", "expired"]


def test_run_pending_expires_old_jobs_and_sends_fresh_ones(env: Env) -> None:
    old = env.queue.enqueue(env.orders[0], DOC, URI)
    env.clock.advance(29 * 60)
    fresh = env.queue.enqueue(env.orders[1], DOC, URI)
    env.clock.advance(2 * 60)
    results = env.queue.run_pending(prepare)
    assert [r.job.id for r in results] == [fresh.id]
    assert env.queue.get(old.id).state is PrintJobState.EXPIRED  # type: ignore[union-attr]
    assert len(env.printer.jobs) == 1


def test_expiry_is_configurable_and_can_be_off(env: Env) -> None:
    env.queue.close()
    env.queue = env.new_queue(expiry=timedelta(minutes=2))
    short = env.queue.enqueue(env.orders[0], DOC, URI)
    assert short.expires_at == env.clock.now + timedelta(minutes=2)
    env.queue.close()
    env.queue = env.new_queue(expiry=None)
    never = env.queue.enqueue(env.orders[1], DOC, URI)
    env.clock.advance(10 * 24 * 3600)
    assert never.expires_at is None
    assert env.queue.process(never.id, prepare).printed


def test_expired_job_can_be_retried_by_hand_with_a_fresh_expiry(env: Env) -> None:
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    env.clock.advance(40 * 60)
    env.queue.expire_stale()
    retried = env.queue.retry(job.id, actor="bob (gui)")
    assert retried.state is PrintJobState.QUEUED
    assert retried.expires_at == env.clock.now + timedelta(minutes=30)
    assert env.queue.process(job.id, prepare).printed
    assert actions(env, job.id)[-4:] == ["expired", "retry", "sending", "sent"]


# -- retries and backoff ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        PrinterBusy("busy"),
        PrinterTimeout("slow"),
        PrinterOffline("off"),
        PrinterDisconnected("gone"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_transient_errors_retry_with_backoff(env: Env, error: Exception) -> None:
    env.printer.script = [error, error]  # type: ignore[list-item]
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    result = env.queue.process(job.id, prepare)
    assert result.printed
    assert env.clock.sleeps == [0.5, 1.0]
    assert result.job.attempts == 3
    assert env.printer.jobs == [JOB_BYTES]
    assert actions(env, job.id).count("retry scheduled") == 2


def test_retries_give_up_visibly_and_stay_retryable(env: Env) -> None:
    env.printer.script = [PrinterOffline("printer at printer-a:9100 refused the connection")] * 4
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    result = env.queue.process(job.id, prepare)
    assert result.job.state is PrintJobState.FAILED
    assert result.error == "printer at printer-a:9100 refused the connection"
    assert result.job.last_error == result.error
    assert env.clock.sleeps == [0.5, 1.0, 2.0]
    assert env.printer.jobs == []
    env.queue.retry(job.id)
    assert env.queue.process(job.id, prepare).printed
    assert env.printer.jobs == [JOB_BYTES]  # exactly one label in the end


def test_backoff_is_capped(env: Env) -> None:
    policy = RetryPolicy(attempts=6, initial_s=1, factor=3, max_delay_s=5)
    assert [policy.delay(n) for n in range(1, 6)] == [1, 3, 5, 5, 5]


@pytest.mark.parametrize(
    "error",
    [PrinterPermissionDenied("permission denied opening printer"), PrinterNotFound("no such")],
    ids=lambda e: type(e).__name__,
)
def test_permanent_errors_fail_at_once(env: Env, error: Exception) -> None:
    env.printer.script = [error]  # type: ignore[list-item]
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    result = env.queue.process(job.id, prepare)
    assert result.job.state is PrintJobState.FAILED
    assert result.error == str(error)
    assert env.clock.sleeps == []


def test_a_job_that_expires_while_backing_off_is_not_sent_late(env: Env) -> None:
    env.queue.close()
    env.queue = env.new_queue(expiry=timedelta(seconds=1), retry=RetryPolicy(initial_s=2))
    env.printer.script = [PrinterBusy("busy")]
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    result = env.queue.process(job.id, prepare)
    assert result.job.state is PrintJobState.EXPIRED
    assert env.printer.jobs == []


def test_cancel_while_backing_off_stops_the_job(env: Env) -> None:
    env.printer.script = [PrinterBusy("busy")]
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    env.clock.on_sleep = lambda _s: env.queue.cancel(job.id, actor="carol (gui)")
    result = env.queue.process(job.id, prepare)
    assert result.job.state is PrintJobState.CANCELLED
    assert env.printer.sends == 1
    assert env.printer.jobs == []
    cancel = env.queue.history(job.id)[-1]
    assert (cancel.action, cancel.actor) == ("cancelled", "carol (gui)")


def test_sent_job_cannot_be_cancelled(env: Env) -> None:
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    env.queue.process(job.id, prepare)
    with pytest.raises(PrintJobStateChanged):
        env.queue.cancel(job.id)


# -- what a broken send can have printed -------------------------------------------------------


def test_zpl_cut_before_its_end_printed_nothing_and_is_retried(env: Env) -> None:
    env.printer.script = [PrinterDisconnected("gone", bytes_sent=20, total=len(JOB_BYTES))]
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    result = env.queue.process(job.id, prepare)
    assert result.printed
    assert env.printer.jobs == [JOB_BYTES]


def test_escpos_cut_midway_is_uncertain_not_resent(env: Env) -> None:
    uri = "escpos+tcp://printer-b:9100"
    state = env.printers.state(parse_printer_uri(uri))
    state.script = [PrinterDisconnected("went away", bytes_sent=100, total=1000)]
    job = env.queue.enqueue(env.orders[0], DOC, uri)
    result = env.queue.process(job.id, lambda _j: b"\x1b@" + b"\x00" * 998)
    assert result.job.state is PrintJobState.UNCERTAIN
    assert "100 of 1000 bytes" in (result.error or "")
    assert "may have printed" in (result.error or "")
    assert state.sends == 1
    assert env.clock.sleeps == []
    with pytest.raises(UncertainPrintJob, match="may already have printed"):
        env.queue.enqueue(env.orders[0], DOC, uri)
    resent = env.queue.enqueue(env.orders[0], DOC, uri, reprint=True, actor="dan (cli)")
    assert resent.id == job.id
    assert resent.state is PrintJobState.QUEUED
    assert env.queue.history(job.id)[-1].action == "resend"


def test_uncertain_job_confirmed_printed_becomes_sent(env: Env) -> None:
    env.printer.script = [
        PrinterTimeout("stalled", bytes_sent=len(JOB_BYTES), total=len(JOB_BYTES))
    ]
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    assert env.queue.process(job.id, prepare).job.state is PrintJobState.UNCERTAIN
    confirmed = env.queue.confirm_printed(job.id, actor="erin (gui)")
    assert confirmed.state is PrintJobState.SENT
    with pytest.raises(DuplicatePrintJob):
        env.queue.enqueue(env.orders[0], DOC, URI)


# -- pre-flight ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "condition", [PrinterState.PAPER_OUT, PrinterState.HEAD_OPEN, PrinterState.PAUSED]
)
def test_preflight_stops_a_job_the_printer_would_hold(env: Env, condition: PrinterState) -> None:
    env.printer.status = with_conditions(condition)
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    result = env.queue.process(job.id, prepare)
    assert result.job.state is PrintJobState.FAILED
    assert "nothing was sent" in (result.error or "")
    assert env.printer.sends == 0
    assert env.clock.sleeps == []
    env.printer.status = ready()
    env.queue.retry(job.id)
    assert env.queue.process(job.id, prepare).printed


def test_preflight_offline_is_retried(env: Env) -> None:
    env.printer.status = with_conditions(PrinterState.OFFLINE)
    env.clock.on_sleep = lambda _s: setattr(env.printer, "status", ready())
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    assert env.queue.process(job.id, prepare).printed
    assert env.clock.sleeps == [0.5]


def test_unknown_status_sends_and_is_not_asked_again_for_a_while(env: Env) -> None:
    for order in env.orders[:3]:
        job = env.queue.enqueue(order, DOC, URI)
        assert env.queue.process(job.id, prepare).printed
    assert env.printer.status_queries == 1
    env.clock.advance(601)
    job = env.queue.enqueue(env.orders[3], DOC, URI)
    env.queue.process(job.id, prepare)
    assert env.printer.status_queries == 2


def test_preflight_can_be_switched_off(env: Env) -> None:
    env.queue.close()
    env.queue = env.new_queue(preflight=False)
    env.printer.status = with_conditions(PrinterState.PAPER_OUT)
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    assert env.queue.process(job.id, prepare).printed
    assert env.printer.status_queries == 0


# -- preparing -------------------------------------------------------------------------------


def test_deferred_before_claim_keeps_the_job_queued_untouched(env: Env) -> None:
    job = env.queue.enqueue(env.orders[0], DOC, URI)

    def offline(_job: PrintJob) -> None:
        raise JobDeferred("the label is not cached and Click & Drop is offline")

    result = env.queue.process(job.id, prepare, before=offline)
    assert result.deferred
    assert result.job.state is PrintJobState.QUEUED
    assert result.job.attempts == 0
    assert result.job.last_error == "the label is not cached and Click & Drop is offline"
    assert env.printer.sends == 0
    assert env.queue.process(job.id, prepare).printed


def test_rejected_document_fails_the_job(env: Env) -> None:
    job = env.queue.enqueue(env.orders[0], DOC, URI)

    def broken(_job: PrintJob) -> bytes:
        raise JobRejected("order's label: not a readable PDF")

    result = env.queue.process(job.id, broken)
    assert result.rejected
    assert result.job.state is PrintJobState.FAILED
    assert result.error == "order's label: not a readable PDF"


def test_unexpected_render_error_fails_only_that_job(env: Env) -> None:
    bad = env.queue.enqueue(env.orders[0], DOC, URI)
    good = env.queue.enqueue(env.orders[1], DOC, URI)

    def prepare_some(job: PrintJob) -> bytes:
        if job.id == bad.id:
            raise ValueError("boom\nwith a second line")
        return JOB_BYTES

    results = env.queue.run_pending(prepare_some)
    states = {r.job.id: r.job.state for r in results}
    assert states == {bad.id: PrintJobState.FAILED, good.id: PrintJobState.SENT}
    assert env.queue.get(bad.id).last_error == "boom with a second line"  # type: ignore[union-attr]


def test_run_pending_does_not_spin_on_a_deferred_job(env: Env) -> None:
    job = env.queue.enqueue(env.orders[0], DOC, URI)

    def later(_job: PrintJob) -> bytes:
        raise JobDeferred("waiting")

    results = env.queue.run_pending(later)
    assert len(results) == 1
    assert results[0].deferred
    assert env.queue.get(job.id).state is PrintJobState.QUEUED  # type: ignore[union-attr]


# -- listeners -------------------------------------------------------------------------------


def test_listeners_see_every_change_and_cannot_break_printing(env: Env) -> None:
    seen: list[tuple[int, str]] = []
    remove = env.queue.add_listener(lambda job: seen.append((job.id, job.state.value)))

    def broken(_job: PrintJob) -> None:
        raise RuntimeError("a view crashed")

    env.queue.add_listener(broken)
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    assert env.queue.process(job.id, prepare).printed
    assert seen == [(job.id, "queued"), (job.id, "sending"), (job.id, "sent")]
    remove()
    env.queue.enqueue(env.orders[1], DOC, URI)
    assert len(seen) == 3


def test_asking_again_for_a_waiting_job_updates_its_printer(env: Env) -> None:
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    other = "zpl+tcp://printer-b:9100"
    again = env.queue.enqueue(env.orders[0], DOC, other, copies=2)
    assert again.id == job.id
    assert (again.printer_uri, again.copies) == (other, 2)
    assert actions(env, job.id) == ["queued", "changed"]
    env.queue.process(job.id, prepare)
    assert env.printers.state(parse_printer_uri(other)).jobs == [JOB_BYTES]
    assert env.printer.jobs == []


# -- submit: queue and send a document at hand (the scan path) ------------------------------


def _count_commits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts outermost store transactions (each one a COMMIT, synced to disk)."""
    from clickdrop_desktop.store import database

    commits: list[int] = []
    original = database.Database.transaction

    def counted(self: database.Database):  # type: ignore[no-untyped-def]
        if not self._depth:
            commits.append(1)
        return original(self)

    monkeypatch.setattr(database.Database, "transaction", counted)
    return commits


def test_submit_queues_claims_and_sends_in_two_commits(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    env.queue.add_listener(lambda job: seen.append(job.state.value))
    commits = _count_commits(monkeypatch)
    result = env.queue.submit(env.orders[0], DOC, URI, prepare, actor="packer (bench)")
    assert len(commits) == 2  # queued+sending together, then sent
    assert result.printed
    assert result.bytes_sent == len(JOB_BYTES)
    assert env.printer.jobs == [JOB_BYTES]
    assert env.printer.job_names == [f"clickdrop {result.job.idempotency_key}"]
    assert result.job.requested_by == "packer (bench)"
    assert result.job.expires_at is not None
    assert actions(env, result.job.id) == ["queued", "sending", "sent"]
    assert seen == ["queued", "sending", "sent"]
    commits.clear()
    job = env.queue.enqueue(env.orders[1], DOC, URI)
    env.queue.process(job.id, prepare)
    assert len(commits) == 3  # the general path: queued, sending, sent


def test_submit_refuses_a_second_print_and_reprints_on_request(env: Env) -> None:
    first = env.queue.submit(env.orders[0], DOC, URI, prepare)
    with pytest.raises(DuplicatePrintJob, match="already printed; use reprint"):
        env.queue.submit(env.orders[0], DOC, URI, prepare)
    again = env.queue.submit(env.orders[0], DOC, URI, prepare, reprint=True)
    assert again.printed
    assert again.job.id != first.job.id
    assert again.job.reprint_number == 1
    assert len(env.printer.jobs) == 2


def test_submit_deferred_or_rejected_like_process(env: Env) -> None:
    def later(_job: PrintJob) -> bytes:
        raise JobDeferred("label not cached yet")

    def never(_job: PrintJob) -> bytes:
        raise JobRejected("not a readable PDF")

    deferred = env.queue.submit(env.orders[0], DOC, URI, later)
    assert deferred.deferred
    assert deferred.job.state is PrintJobState.QUEUED
    rejected = env.queue.submit(env.orders[1], DOC, URI, never)
    assert rejected.rejected
    assert rejected.job.state is PrintJobState.FAILED
    assert env.printer.jobs == []
    # The waiting job is the same job when asked again, and then prints.
    assert env.queue.submit(env.orders[0], DOC, URI, prepare).job.id == deferred.job.id
    assert env.printer.jobs == [JOB_BYTES]


def test_submit_does_not_send_a_job_another_worker_is_sending(env: Env) -> None:
    job = env.queue.enqueue(env.orders[0], DOC, URI)
    other = env.new_queue()
    try:
        claimed = env.store.print_jobs.claim(job.id, now=env.clock(), owner=f"{other.lease.id}#1")
        assert claimed.state is PrintJobState.SENDING
        result = env.queue.submit(env.orders[0], DOC, URI, prepare, reprint=True)
        assert not result.printed
        assert result.error == "another window or process is sending this job now"
        assert env.printer.jobs == []
    finally:
        other.close()
