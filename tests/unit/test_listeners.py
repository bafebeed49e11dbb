"""clickdrop_desktop/listeners.py: add, remove (twice is fine), tell in order, isolation, and
adding or removing from inside a listener or another thread while it tells."""

from __future__ import annotations

import logging
import threading

import pytest

from clickdrop_desktop.listeners import Listeners


def test_listeners_are_told_in_order_and_removed() -> None:
    told: list[tuple[str, int]] = []
    listeners: Listeners[[int]] = Listeners()
    remove_a = listeners.add(lambda n: told.append(("a", n)))
    listeners.add(lambda n: told.append(("b", n)))
    listeners.tell(1)
    remove_a()
    remove_a()  # twice is fine
    listeners.tell(2)
    listeners.clear()
    listeners.tell(3)
    assert told == [("a", 1), ("b", 1), ("b", 2)]


def test_an_error_propagates_unless_isolated(caplog: pytest.LogCaptureFixture) -> None:
    def broken(_n: int) -> None:
        raise ValueError("a broken view")

    told: list[int] = []
    plain: Listeners[[int]] = Listeners()
    plain.add(broken)
    with pytest.raises(ValueError, match="a broken view"):
        plain.tell(1)
    isolated: Listeners[[int]] = Listeners(isolate="view listener failed")
    isolated.add(broken)
    isolated.add(told.append)
    with caplog.at_level(logging.ERROR):
        isolated.tell(2)
    assert told == [2]  # the others are still told
    assert [r.getMessage() for r in caplog.records] == ["view listener failed"]


def test_a_listener_may_remove_itself_or_add_another_while_told() -> None:
    told: list[str] = []
    listeners: Listeners[[]] = Listeners()

    def once() -> None:
        told.append("once")
        remove()
        listeners.add(lambda: told.append("later"))

    remove = listeners.add(once)
    listeners.tell()  # the one added meanwhile waits for the next
    listeners.tell()
    assert told == ["once", "later"]


def test_threads_adding_and_telling_at_once() -> None:
    listeners: Listeners[[int]] = Listeners()
    counts = [0]
    lock = threading.Lock()

    def count(_n: int) -> None:
        with lock:
            counts[0] += 1

    def churn() -> None:
        for _ in range(200):
            listeners.add(count)()

    threads = [threading.Thread(target=churn) for _ in range(4)]
    for thread in threads:
        thread.start()
    for n in range(200):
        listeners.tell(n)
    for thread in threads:
        thread.join()
    before = counts[0]
    listeners.add(count)
    listeners.tell(0)
    assert counts[0] == before + 1  # every churned listener is gone, the one added stays
