"""The connectivity state machine: what counts as offline, what does not, and coming back."""

from __future__ import annotations

import random
import threading

import pytest

from clickdrop_desktop.connectivity import BackoffProbe, Connectivity, Outcome, Snapshot, State


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def conn(clock: FakeClock) -> Connectivity:
    return Connectivity(clock=clock, offline_after=3, offline_window=2.0)


@pytest.mark.parametrize("outcome", [Outcome.UNREACHABLE, Outcome.MAINTENANCE])
def test_unambiguous_failures_go_offline_at_once(conn: Connectivity, outcome: Outcome) -> None:
    conn.record(outcome)
    snap = conn.snapshot()
    assert snap.state is State.OFFLINE
    assert snap.last_failure is outcome
    assert snap.reason


def test_timeouts_degrade_then_go_offline_after_three(conn: Connectivity) -> None:
    conn.record(Outcome.TIMEOUT)
    assert conn.state is State.DEGRADED
    conn.record(Outcome.SERVER_ERROR)
    assert conn.state is State.DEGRADED
    conn.record(Outcome.TIMEOUT)
    assert conn.state is State.OFFLINE


def test_two_failures_two_seconds_apart_are_offline(conn: Connectivity, clock: FakeClock) -> None:
    conn.record(Outcome.TIMEOUT)
    clock.now += 2.0
    conn.record(Outcome.TIMEOUT)
    assert conn.state is State.OFFLINE


@pytest.mark.parametrize("outcome", [Outcome.RATE_LIMITED, Outcome.ACCOUNT])
def test_throttling_and_account_problems_are_not_offline(
    conn: Connectivity, outcome: Outcome
) -> None:
    for _ in range(10):
        conn.record(outcome, "the API key was refused")
    assert conn.state is State.ONLINE


def test_account_problem_and_throttle_are_flagged(conn: Connectivity) -> None:
    conn.record(Outcome.ACCOUNT, "the API key was refused (401)")
    assert conn.snapshot().account_problem == "the API key was refused (401)"
    conn.record(Outcome.RATE_LIMITED)
    assert conn.snapshot().throttled
    conn.record(Outcome.OK)
    snap = conn.snapshot()
    assert not snap.throttled
    assert snap.account_problem == ""


def test_success_brings_it_back_and_notifies(conn: Connectivity, clock: FakeClock) -> None:
    changes: list[tuple[State, State]] = []
    conn.subscribe(lambda snap, prev: changes.append((prev, snap.state)))
    conn.record(Outcome.UNREACHABLE)
    conn.record(Outcome.UNREACHABLE)  # no change, no notification
    clock.now += 5
    conn.record(Outcome.OK)
    assert changes == [(State.ONLINE, State.OFFLINE), (State.OFFLINE, State.ONLINE)]
    snap = conn.snapshot()
    assert snap.since == clock.now
    assert snap.last_ok == clock.now


def test_a_client_error_while_degraded_means_the_server_answers(conn: Connectivity) -> None:
    conn.record(Outcome.TIMEOUT)
    conn.record(Outcome.CLIENT_ERROR)
    assert conn.state is State.ONLINE
    # ...and resets the count, so two more timeouts are not yet offline.
    conn.record(Outcome.TIMEOUT)
    conn.record(Outcome.TIMEOUT)
    assert conn.state is State.DEGRADED


def test_unsubscribe(conn: Connectivity) -> None:
    seen: list[Snapshot] = []
    unsubscribe = conn.subscribe(lambda snap, _prev: seen.append(snap))
    unsubscribe()
    conn.record(Outcome.UNREACHABLE)
    assert seen == []


def test_probe_schedule_backs_off_to_the_cap(conn: Connectivity) -> None:
    probe = BackoffProbe(conn, lambda: True, first_delay=1.0, max_delay=60.0)
    assert probe.delays() == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0]


def test_probe_runs_while_offline_and_stops_when_online(conn: Connectivity) -> None:
    calls = threading.Semaphore(0)
    answers = iter([False, False, True])

    def probe() -> bool:
        ok = next(answers, True)
        conn.record(Outcome.OK if ok else Outcome.UNREACHABLE)
        calls.release()
        return ok

    back_online = threading.Event()
    conn.subscribe(lambda snap, _prev: back_online.set() if snap.state is State.ONLINE else None)
    runner = BackoffProbe(conn, probe, first_delay=0.001, max_delay=0.004, rng=random.Random(1))
    runner.start()
    try:
        conn.record(Outcome.UNREACHABLE)
        assert back_online.wait(10)
        for _ in range(3):
            assert calls.acquire(timeout=10)
        assert conn.state is State.ONLINE
    finally:
        runner.stop()
