"""Typed errors raised by the API client; each carries one clear line for the user."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """Base of every error the Click & Drop client raises.

    The message is one line a user can act on. It never holds an API key, a store key or
    customer data beyond order identifiers and references.
    """

    #: Whether the same request may succeed later without the user changing anything.
    transient: bool = False

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        #: When a call was split into chunks (100 ids per call), the merged result of the
        #: chunks that completed before this error, so no applied change goes unreported.
        self.partial: Any = None
        #: True when a non-idempotent request (create, label, manifest, delete) may have been
        #: applied before the failure: reconcile (look orders up by reference), never resend.
        self.maybe_applied = False


class AuthError(ApiError):
    """401: the API key is wrong, revoked or missing."""


class FeatureNotAvailable(ApiError):
    """403: the account type does not include this feature (labels: OBA; /full: ChannelShipper)."""

    def __init__(self, message: str, *, feature: str, status_code: int | None = 403) -> None:
        super().__init__(message, status_code=status_code)
        self.feature = feature


class NotFound(ApiError):
    """404: an order or manifest the account does not have (often deleted in the web UI)."""


class RateLimited(ApiError):
    """429 after the client's own retries were used up."""

    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message, status_code=429)
        self.retry_after = retry_after


class ServiceUnavailable(ApiError):
    """5xx or 503 maintenance: Click & Drop answered but cannot serve the request now."""

    transient = True

    def __init__(
        self, message: str, *, status_code: int | None = None, maybe_applied: bool = False
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.maybe_applied = maybe_applied


class Offline(ServiceUnavailable):
    """No answer at all: connection refused, DNS failure, timeout, dropped connection."""


class BadResponse(ApiError):
    """The server answered with something the spec does not allow (malformed JSON, wrong shape,
    a label body that is not a PDF, a body over the size cap)."""

    transient = True


@dataclass(frozen=True, slots=True)
class OrderProblem:
    """One per-order failure from a partial-success or validation response."""

    order_identifier: int | None
    order_reference: str | None
    code: str | None
    message: str
    fields: tuple[tuple[str, str], ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


class ValidationFailed(ApiError):
    """400: the request was rejected; `problems` holds the per-order details the API gave."""

    def __init__(
        self,
        message: str,
        *,
        problems: tuple[OrderProblem, ...] = (),
        status_code: int | None = 400,
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.problems = problems
