"""Deciding what an op needs from what Click & Drop says: pure functions, no I/O.

Before a despatch or a cancel is sent, the engine reads the orders back (`GET /orders/{ids}`,
100 per call). That read is the reconciliation of ops left "sending" by a crash or an
ambiguous failure (already applied upstream: done, never resent) and the conflict check of
fresh ops (deleted upstream, label cancelled upstream, already despatched with another
tracking number). Creates are reconciled by reference (`find_orders_by_reference`).

Errors are classified as PowerSync does (security notes section 6.3): transient (offline, 5xx,
429, broken answers: retry later, the op is kept), authentication (pause the replay: nothing
will succeed until the key is fixed), or a rejection of this op (the user resolves it).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from clickdrop_desktop.api.errors import (
    ApiError,
    AuthError,
    FeatureNotAvailable,
    OrderProblem,
    RateLimited,
)
from clickdrop_desktop.api.models import Order
from clickdrop_desktop.api.results import one_line
from clickdrop_desktop.outbox.operations import DeleteOp, DespatchOp
from clickdrop_desktop.store import OutboxState

# The sandbox's (and, as observed, the API's) code for a reference already taken.
DUPLICATE_CODES = frozenset({"DuplicateOrderReference", "DuplicateReference", "Duplicate"})
NOT_FOUND_CODES = frozenset({"OrderNotFound", "NotFound"})
MANIFESTED_CODES = frozenset({"OrderManifested"})


class Verdict(enum.Enum):
    SEND = "send"  # nothing upstream says otherwise: send it
    DONE = "done"  # Click & Drop already has the change (ours, or the same made elsewhere)
    CONFLICT = "conflict"  # upstream changed so that sending would be wrong: ask the user


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    message: str = ""


class Failure(enum.Enum):
    RETRY_LATER = "retry_later"  # offline, 5xx, 429, broken answer: keep the op
    AUTH = "auth"  # the key was refused: pause the replay
    REJECTED = "rejected"  # this request will never succeed as it is: the user resolves it


def classify(exc: ApiError) -> Failure:
    if isinstance(exc, AuthError):
        return Failure.AUTH
    if isinstance(exc, FeatureNotAvailable):
        return Failure.REJECTED
    if exc.transient or isinstance(exc, RateLimited):
        return Failure.RETRY_LATER
    return Failure.REJECTED


def _label_cancelled(op_printed_on: str | None, upstream: Order) -> bool:
    """A label existed when the change was made and is gone now (reset to new upstream)."""
    return op_printed_on is not None and upstream.printed_on is None


def judge_despatch(op: DespatchOp, state: OutboxState, upstream: Order | None) -> Decision:
    """Send, done or conflict, for a despatch, from the order as Click & Drop has it now."""
    who = op.target.label()
    if upstream is None:
        return Decision(
            Verdict.CONFLICT,
            f"{who} no longer exists in Click & Drop (deleted there); the despatch was not sent",
        )
    already = upstream.shipped_on is not None or upstream.manifested_on is not None
    if already and state is OutboxState.SENDING:
        # Our own earlier attempt got through (its answer was lost, or we were killed).
        return Decision(Verdict.DONE)
    if already:
        theirs = upstream.all_tracking_numbers
        if op.tracking_number and theirs and op.tracking_number not in theirs:
            return Decision(
                Verdict.CONFLICT,
                f"{who} was already despatched in Click & Drop with tracking number "
                f"{theirs[0]}; yours ({op.tracking_number}) was not sent",
            )
        return Decision(Verdict.DONE, f"{who} was already despatched in Click & Drop")
    if _label_cancelled(op.base.printed_on, upstream):
        return Decision(
            Verdict.CONFLICT,
            f"the label of {who} was cancelled in Click & Drop (order reset to new) after you "
            "despatched it here: the parcel may carry a void label",
        )
    return Decision(Verdict.SEND)


def judge_delete(op: DeleteOp, state: OutboxState, upstream: Order | None) -> Decision:
    who = op.target.label()
    if upstream is None:
        return Decision(Verdict.DONE, f"{who} was already deleted in Click & Drop")
    if upstream.manifested_on is not None:
        return Decision(
            Verdict.CONFLICT, f"{who} has been manifested in Click & Drop and cannot be cancelled"
        )
    if upstream.printed_on is not None and op.base.printed_on is None:
        return Decision(
            Verdict.CONFLICT,
            f"a label was generated for {who} in Click & Drop after you cancelled it here; "
            "cancelling now would void a paid label, so it was not sent",
        )
    return Decision(Verdict.SEND)


def judge_delete_problem(problem: OrderProblem, who: str) -> Decision:
    if problem.code in NOT_FOUND_CODES:
        return Decision(Verdict.DONE, f"{who} was already deleted in Click & Drop")
    if problem.code in MANIFESTED_CODES:
        return Decision(
            Verdict.CONFLICT, f"{who} has been manifested in Click & Drop and cannot be cancelled"
        )
    return Decision(Verdict.CONFLICT, f"Click & Drop refused to cancel {who}: {text(problem)}")


def judge_status_problem(problem: OrderProblem, who: str) -> Decision:
    if problem.code in NOT_FOUND_CODES:
        return Decision(
            Verdict.CONFLICT,
            f"{who} no longer exists in Click & Drop (deleted there); the despatch was not sent",
        )
    return Decision(Verdict.CONFLICT, f"Click & Drop refused to despatch {who}: {text(problem)}")


def is_duplicate_reference(problems: tuple[OrderProblem, ...]) -> bool:
    for problem in problems:
        if problem.code in DUPLICATE_CODES:
            return True
        if any(name == "orderReference" for name, _ in problem.fields) and (
            "exist" in problem.message.lower() or "duplicate" in problem.message.lower()
        ):
            return True
    return False


def text(problem: OrderProblem) -> str:
    fields = ", ".join(name for name, _ in problem.fields if name)
    where = f" ({fields})" if fields else ""
    return one_line(f"{problem.message}{where}", 240)


def problems_text(problems: tuple[OrderProblem, ...]) -> str:
    if not problems:
        return "no reason given"
    first = text(problems[0])
    return first if len(problems) == 1 else f"{first} (and {len(problems) - 1} more)"
