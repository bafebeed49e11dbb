"""What every endpoint shares: sending through the engine and mapping non-2xx answers to
typed errors (400 -> ValidationFailed with per-order problems, 403 -> FeatureNotAvailable with
the account type it needs, 404 -> NotFound)."""

from __future__ import annotations

from clickdrop_desktop.api.errors import (
    ApiError,
    BadResponse,
    FeatureNotAvailable,
    NotFound,
    OrderProblem,
    ValidationFailed,
)
from clickdrop_desktop.api.http import Answer, Call, HttpEngine
from clickdrop_desktop.api.results import problems_from_body, summarise

# 403 means the account type lacks the feature; the reason names the account type it needs.
_FEATURES = {
    "full": "Order details (/orders/full) are for ChannelShipper accounts only",
    "labels": "Labels through the API are for OBA (Online Business Account) customers only; "
    "print this account's labels from the Click & Drop website",
    "manifests": "Manifests through the API are for OBA (Online Business Account) customers only",
    "delete": "This account may not delete orders through the API",
    "status": "This status change is not available to this account type "
    "(despatchedByOtherCourier is for ChannelShipper accounts only)",
}


class EndpointBase:
    """Holds the engine; the endpoint groups (reads, writes, documents) build on `_send`."""

    _engine: HttpEngine

    def _send(self, call: Call, feature: str, *, not_found_ok: bool = False) -> Answer:
        """Send and map non-2xx answers to typed errors (404 passes when `not_found_ok`)."""
        answer = self._engine.send(call)
        status = answer.status
        if 200 <= status < 300 or (status == 404 and not_found_ok):
            return answer
        problems = _problems(answer)
        if status in (400, 409, 422):
            raise ValidationFailed(
                summarise(problems, "Click & Drop rejected the request"),
                problems=problems,
                status_code=status,
            )
        if status == 403:
            reason = _FEATURES.get(feature, "This feature is not available to this account type")
            raise FeatureNotAvailable(f"{reason} (403).", feature=feature or "unknown")
        if status == 404:
            raise NotFound(summarise(problems, "Not found in Click & Drop") + ".", status_code=404)
        if status == 401:
            raise BadResponse("Click & Drop asked for authentication on an open endpoint (401).")
        if 300 <= status < 400:
            raise BadResponse(
                f"Click & Drop answered with a redirect (HTTP {status}); not followed."
            )
        raise ApiError(f"Click & Drop answered HTTP {status} unexpectedly.", status_code=status)


def _problems(answer: Answer) -> tuple[OrderProblem, ...]:
    try:
        return problems_from_body(answer.json())
    except BadResponse:
        return ()
