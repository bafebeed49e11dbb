"""The token bucket on a fake clock: steady rate, queueing, pauses, threads."""

from __future__ import annotations

import threading

import pytest

from clickdrop_desktop.api.ratelimit import TokenBucket
from tests.helpers.fake_api import FakeClock


def test_five_per_second_spaces_calls_200ms_apart() -> None:
    clock = FakeClock()
    bucket = TokenBucket(5.0, clock=clock, sleep=clock.sleep)
    start = clock.now
    waits = [bucket.acquire() for _ in range(11)]
    assert waits[0] == 0.0
    assert waits[1:] == pytest.approx([0.2] * 10)
    assert clock.now - start == pytest.approx(2.0)  # 11 calls: 10 gaps of 200 ms


def test_one_per_second() -> None:
    clock = FakeClock()
    bucket = TokenBucket(1.0, clock=clock, sleep=clock.sleep)
    for _ in range(4):
        bucket.acquire()
    assert clock.sleeps == pytest.approx([1.0, 1.0, 1.0])


def test_idle_time_refills_but_only_up_to_the_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(5.0, burst=3, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        bucket.acquire()
    clock.now += 100.0  # long idle: still only 3 tokens
    waits = [bucket.acquire() for _ in range(4)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(0.2)


def test_reserve_queues_callers_in_order_without_sleeping() -> None:
    clock = FakeClock()
    bucket = TokenBucket(5.0, clock=clock, sleep=clock.sleep)
    assert [bucket.reserve() for _ in range(4)] == pytest.approx([0.0, 0.2, 0.4, 0.6])
    assert clock.sleeps == []


def test_pause_holds_everyone_back_and_queues_behind_it() -> None:
    clock = FakeClock()
    bucket = TokenBucket(5.0, clock=clock, sleep=clock.sleep)
    bucket.pause(2.0)
    assert [bucket.reserve() for _ in range(3)] == pytest.approx([2.0, 2.2, 2.4])


def test_zero_rate_is_off_but_pauses_still_apply() -> None:
    clock = FakeClock()
    bucket = TokenBucket(0, clock=clock, sleep=clock.sleep)
    assert not bucket.enabled
    assert [bucket.acquire() for _ in range(50)] == [0.0] * 50
    bucket.pause(1.5)
    assert bucket.reserve() == pytest.approx(1.5)


def test_negative_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(-1)


def test_thread_safe_every_caller_gets_its_own_slot() -> None:
    clock = FakeClock()  # frozen: nobody sleeps for real, reservations pile up
    bucket = TokenBucket(5.0, clock=clock, sleep=lambda _s: None)
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            wait = bucket.reserve()
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 400 reservations at one instant: slots 0, 0.2, 0.4 ... each taken exactly once.
    assert sorted(round(w, 6) for w in waits) == [round(i * 0.2, 6) for i in range(400)]
