"""Verdicts from what Click & Drop says, and typed ops to and from their payloads (no I/O)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from clickdrop_desktop.api.errors import (
    AuthError,
    BadResponse,
    FeatureNotAvailable,
    Offline,
    OrderProblem,
    RateLimited,
    ServiceUnavailable,
    ValidationFailed,
)
from clickdrop_desktop.api.models import Order
from clickdrop_desktop.outbox.operations import (
    BaseVersion,
    CreateOp,
    DeleteOp,
    DespatchOp,
    OrderTarget,
    PayloadError,
    decode,
    describe,
)
from clickdrop_desktop.outbox.reconcile import (
    Failure,
    Verdict,
    classify,
    is_duplicate_reference,
    judge_delete,
    judge_delete_problem,
    judge_despatch,
)
from clickdrop_desktop.store import OutboxItem, OutboxState

WHEN = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PENDING, SENDING = OutboxState.PENDING, OutboxState.SENDING


def order(**fields: object) -> Order:
    base = Order(order_identifier=5, order_reference="R5", created_on=WHEN)
    return replace(base, **fields)  # type: ignore[arg-type]


def despatch(tracking: str | None = None, printed: str | None = None) -> DespatchOp:
    return DespatchOp(
        target=OrderTarget(5, "R5"),
        despatch_date=WHEN,
        tracking_number=tracking,
        base=BaseVersion(printed_on=printed),
    )


def item(kind: str, payload: dict[str, object], **kw: object) -> OutboxItem:
    return OutboxItem(
        op_id="op-1",
        seq=1,
        kind=kind,
        payload=payload,
        state=OutboxState.PENDING,
        attempts=0,
        order_reference=kw.get("ref"),  # type: ignore[arg-type]
        order_identifier=kw.get("ident"),  # type: ignore[arg-type]
        last_error=None,
        created_at=WHEN,
        updated_at=WHEN,
    )


def test_despatch_verdicts() -> None:
    assert judge_despatch(despatch(), PENDING, order()).verdict is Verdict.SEND
    assert judge_despatch(despatch(), PENDING, None).verdict is Verdict.CONFLICT
    shipped = order(shipped_on=WHEN, tracking_number="T1")
    # ours got through before a crash: done
    assert judge_despatch(despatch("T2"), SENDING, shipped).verdict is Verdict.DONE
    # despatched elsewhere: done, unless with another tracking number
    assert judge_despatch(despatch(), PENDING, shipped).verdict is Verdict.DONE
    assert judge_despatch(despatch("T1"), PENDING, shipped).verdict is Verdict.DONE
    assert judge_despatch(despatch("T2"), PENDING, shipped).verdict is Verdict.CONFLICT
    # the label we saw is gone upstream: the parcel may carry a void label
    voided = judge_despatch(despatch(printed="2026-03-01T10:00:00Z"), PENDING, order())
    assert voided.verdict is Verdict.CONFLICT
    assert "cancelled" in voided.message
    still = order(printed_on=WHEN)
    assert judge_despatch(despatch(printed="x"), PENDING, still).verdict is Verdict.SEND


def test_delete_verdicts() -> None:
    op = DeleteOp(target=OrderTarget(5, "R5"))
    assert judge_delete(op, PENDING, order()).verdict is Verdict.SEND
    assert judge_delete(op, PENDING, None).verdict is Verdict.DONE
    assert judge_delete(op, PENDING, order(manifested_on=WHEN)).verdict is Verdict.CONFLICT
    assert judge_delete(op, PENDING, order(printed_on=WHEN)).verdict is Verdict.CONFLICT
    gone = OrderProblem(5, "R5", "OrderNotFound", "Order not found")
    assert judge_delete_problem(gone, "order 5").verdict is Verdict.DONE
    other = OrderProblem(5, "R5", "Weird", "no")
    assert judge_delete_problem(other, "order 5").verdict is Verdict.CONFLICT


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (Offline("x"), Failure.RETRY_LATER),
        (ServiceUnavailable("x", status_code=503), Failure.RETRY_LATER),
        (RateLimited("x"), Failure.RETRY_LATER),
        (BadResponse("x"), Failure.RETRY_LATER),
        (AuthError("x", status_code=401), Failure.AUTH),
        (FeatureNotAvailable("x", feature="labels"), Failure.REJECTED),
        (ValidationFailed("x"), Failure.REJECTED),
    ],
)
def test_errors_are_classified(error: Exception, failure: Failure) -> None:
    assert classify(error) is failure  # type: ignore[arg-type]


def test_duplicate_reference_is_recognised_by_code_or_field() -> None:
    by_field = OrderProblem(
        None,
        "R",
        "5",
        "An order with reference 'R' already exists",
        fields=(("orderReference", "R"),),
    )
    assert is_duplicate_reference((by_field,))
    assert not is_duplicate_reference((OrderProblem(None, "R", "1", "city is required"),))


def test_ops_round_trip_through_their_payloads() -> None:
    op = despatch("T9", printed="2026-03-01T10:00:00Z")
    back = decode(item("despatch", op.to_payload(), ident=5, ref="R5"))
    assert back == op
    create = CreateOp(order_reference="N1", request={"orderReference": "N1"}, local_identifier=-3)
    assert decode(item("create", create.to_payload(), ref="N1")) == create
    cancel = DeleteOp(target=OrderTarget(None, "N1"))
    assert decode(item("delete", cancel.to_payload(), ref="N1")) == cancel
    assert describe(item("despatch", op.to_payload())) == "despatch order 'R5' (tracking T9)"


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("teleport", {}),
        ("create", {}),
        ("despatch", {"order_identifier": "five"}),
        ("despatch", {"order_identifier": None, "order_reference": None}),
        ("despatch", {"order_identifier": 5, "despatch_date": "not a date"}),
        ("delete", {"order_identifier": -2}),
    ],
)
def test_unreadable_payloads_are_typed_errors(kind: str, payload: dict[str, object]) -> None:
    with pytest.raises(PayloadError):
        decode(item(kind, payload))
    assert "unreadable" in describe(item(kind, payload))
