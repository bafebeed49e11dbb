"""A small, fast deterministic draw helper for seeded data (stdlib `random` core, no extras)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
_TWO_32 = 4294967296


class Draw:
    """Uniform draws from one seeded Mersenne Twister, via `getrandbits` only.

    `random.Random.choice` and `randint` cost several Python calls each; this keeps seeded
    generation of 100,000 orders within a couple of seconds. The modulo bias (< 1e-7 for the
    small ranges used here) does not matter for test data.
    """

    __slots__ = ("_bits",)

    def __init__(self, seed: int) -> None:
        self._bits = random.Random(seed).getrandbits

    def pick(self, seq: Sequence[T]) -> T:
        return seq[self._bits(32) % len(seq)]

    def between(self, low: int, high: int) -> int:
        """An integer in `[low, high]`, both ends included."""
        return low + self._bits(32) % (high - low + 1)

    def chance(self, probability: float) -> bool:
        return self._bits(32) < probability * _TWO_32

    def sample(self, seq: Sequence[T], count: int) -> list[T]:
        """`count` distinct items of `seq`, in draw order."""
        pool = list(seq)
        out = []
        for _ in range(min(count, len(pool))):
            out.append(pool.pop(self._bits(32) % len(pool)))
        return out
