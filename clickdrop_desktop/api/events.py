"""What the client tells its observers: one `CallEvent` per HTTP attempt, `ResponseMeta` per answer.

The connectivity state machine subscribes to `CallEvent`s (`outcome` uses its own `Outcome`
vocabulary, so wiring is `on_event=lambda e: connectivity.record(e.outcome, e.detail)`), and the
sync layer's isolation guard reads `ResponseMeta.headers` (`Age`, `X-Cache`, `Cache-Control`).
Nothing here holds the API key: events name the endpoint template, never the request headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from clickdrop_desktop.connectivity import Outcome

__all__ = ["CallEvent", "Outcome", "ResponseMeta"]


@dataclass(frozen=True, slots=True)
class ResponseMeta:
    """Status, final URL and headers of one HTTP answer (header names lower-cased).

    A header sent several times is joined with ", " as RFC 9110 section 5.3 allows.
    """

    status: int
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    elapsed_s: float = 0.0

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True, slots=True)
class CallEvent:
    """How one HTTP attempt ended.

    Attributes:
        outcome: connectivity's classification (ok, unreachable, maintenance, timeout, ...).
        endpoint: method and path template, e.g. `GET /orders/{orderIdentifiers}` (no ids,
            no customer data).
        status: the HTTP status, or None when no answer came.
        elapsed_s: wall time of this attempt, including reading the body.
        attempt: 1 for the first try, 2 for the first retry, ...
        will_retry: whether the client is going to try again after this attempt.
        detail: one line for a banner or a log, without secrets.
    """

    outcome: Outcome
    endpoint: str
    status: int | None
    elapsed_s: float
    attempt: int = 1
    will_retry: bool = False
    detail: str = ""
