"""The print queue's vocabulary: what a preparer may raise, the retry policy, a job's result."""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass

from clickdrop_desktop.store import PrintJob, PrintJobState


class JobDeferred(Exception):
    """Raised by a preparer: the job cannot be made now but may later (offline, label not
    cached). The job goes back to `queued`, untouched, with `message` as its note."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class JobRejected(Exception):
    """Raised by a preparer: this job can never be made as asked (one line for the user)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff for transient printer errors: `attempts` sends in all."""

    attempts: int = 4
    initial_s: float = 0.5
    factor: float = 2.0
    max_delay_s: float = 8.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return float(min(self.max_delay_s, self.initial_s * self.factor ** (attempt - 1)))


@dataclass(frozen=True, slots=True)
class JobResult:
    """What `process` did with a job: its final row, and what left this machine."""

    job: PrintJob
    bytes_sent: int = 0
    error: str | None = None  # the one-line reason when it did not print
    deferred: bool = False  # back in the queue, waiting for something (e.g. the API)
    rejected: bool = False  # the document could not be had or rendered (not the printer)

    @property
    def printed(self) -> bool:
        return self.job.state is PrintJobState.SENT


def default_actor(front_end: str = "") -> str:
    """Who is acting, for the job history: `user@host (front end)`."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name on some service accounts
        user = "unknown"
    name = f"{user}@{socket.gethostname()}"
    return f"{name} ({front_end})" if front_end else name
