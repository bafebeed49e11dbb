"""What a replay pass did: ops done, ops that now need the user, and why it stopped (if it did)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class StopReason(enum.StrEnum):
    OFFLINE = "offline"  # no answer, 5xx, maintenance, broken answers: retry later
    RATE_LIMITED = "rate_limited"  # 429 after the client's own waits
    AUTH = "auth"  # the key was refused: replay paused until it is fixed
    CANCELLED = "cancelled"
    BUSY = "busy"  # another process (the app, a CLI flush) is replaying this account


@dataclass(slots=True)
class ReplayReport:
    """Attributes:
    done: op ids that reached Click & Drop (or were found there) in this pass.
    needs_user_now: op ids that became failed/conflict in this pass.
    notes: one line per notable outcome (already despatched upstream, conflicts...).
    stopped: why the pass stopped early; None when it went through the whole outbox.
    stop_message: one line for the user when it stopped.
    settling: ops left `sending` moments ago (maybe still in flight), not touched yet.
    requests: mutating requests sent (creates, status updates, deletes).
    waiting: ops still to send after the pass (pending or sending).
    needs_user: ops waiting for the user (failed or conflict), in total.
    """

    done: list[str] = field(default_factory=list)
    needs_user_now: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stopped: StopReason | None = None
    stop_message: str = ""
    settling: int = 0
    requests: int = 0
    waiting: int = 0
    needs_user: int = 0

    @property
    def complete(self) -> bool:
        """Everything that can be sent has been: nothing pending, nothing stopped."""
        return self.stopped is None and self.waiting == 0

    @property
    def offline(self) -> bool:
        return self.stopped in (StopReason.OFFLINE, StopReason.RATE_LIMITED)

    def absorb(self, other: ReplayReport) -> None:
        """Add a later pass's outcome to this one (the totals are the later pass's)."""
        self.done += other.done
        self.needs_user_now += other.needs_user_now
        self.notes += other.notes
        self.requests += other.requests
        self.stopped, self.stop_message = other.stopped, other.stop_message
        self.settling, self.waiting, self.needs_user = (
            other.settling,
            other.waiting,
            other.needs_user,
        )

    def summary(self) -> str:
        parts = [f"{len(self.done)} change(s) sent"]
        if self.needs_user:
            parts.append(f"{self.needs_user} need(s) you (see 'clickdrop-desktop outbox')")
        if self.waiting:
            parts.append(f"{self.waiting} still waiting")
        line = "; ".join(parts)
        if self.stopped is not None:
            line += f" ({self.stop_message})" if self.stop_message else f" ({self.stopped})"
        return line

    def to_dict(self) -> dict[str, Any]:
        return {
            "done": len(self.done),
            "needs_user_now": len(self.needs_user_now),
            "notes": list(self.notes),
            "stopped": None if self.stopped is None else self.stopped.value,
            "stop_message": self.stop_message or None,
            "settling": self.settling,
            "requests": self.requests,
            "waiting": self.waiting,
            "needs_user": self.needs_user,
        }
