"""Contract tests: `ClickDropClient` against the real sandbox process, every endpoint, every
account type, and every fault mode the sandbox can switch on (each ends in a typed error or in
evidence the client surfaces, never a crash or a silent drop).

Read-only tests share the session's sandbox (faults and log reset around each test); tests that
create, print, delete or manifest orders get a process of their own (`fresh_sandbox`).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pypdfium2 as pdfium
import pytest

from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.api.errors import (
    AuthError,
    BadResponse,
    FeatureNotAvailable,
    NotFound,
    Offline,
    RateLimited,
    ServiceUnavailable,
    ValidationFailed,
)
from clickdrop_desktop.api.events import CallEvent, Outcome
from clickdrop_desktop.api.requests import (
    AddressRequest,
    CreateOrderRequest,
    LabelGenerationRequest,
    OrderStatusValue,
    PackageFormat,
    PostageDetailsRequest,
    ProductItemRequest,
    RecipientDetailsRequest,
    ShipmentPackageRequest,
    StatusUpdateRequest,
)
from clickdrop_desktop.sandbox.info import SandboxInfo

pytestmark = pytest.mark.e2e

SEEDED = 200  # orders per account in the shared sandbox (tests/helpers/sandbox.py DEFAULTS)
ACCOUNTS = {
    "olp": ("OLP", False, False),
    "oba": ("OBA", True, False),
    "oba-a4": ("OBA", True, False),
    "channelshipper": ("ChannelShipper", False, True),
    "olp-bare": ("OLP", False, False),
}
HOSTILE_REFERENCES = [
    'quote"d',
    "semi;colon",
    '";1;"',
    "12345",
    "100% off",
    "a/b?c#d",
    "ünï 📦",
    "注文-1",
]


class Recorder:
    """Collects the client's events and the waits it would have slept (none really happen)."""

    def __init__(self) -> None:
        self.events: list[CallEvent] = []
        self.sleeps: list[float] = []

    def outcomes(self) -> list[Outcome]:
        return [e.outcome for e in self.events]


def connect(
    info: SandboxInfo, account: str, recorder: Recorder | None = None, **kwargs: Any
) -> ClickDropClient:
    kwargs.setdefault("rate_per_s", 0)
    kwargs.setdefault("timeout", 30.0)  # the app's default; outcomes are asserted exactly
    if recorder is not None:
        kwargs.setdefault("on_event", recorder.events.append)
        kwargs.setdefault("sleep", recorder.sleeps.append)
    return ClickDropClient(info.url, info.account(account).api_key, **kwargs)


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


def new_order(reference: str, service_code: str | None = "TPN24", **kw: Any) -> CreateOrderRequest:
    return CreateOrderRequest(
        order_reference=reference,
        recipient=RecipientDetailsRequest(
            address=AddressRequest(
                full_name="Ada Lovelace",
                address_line1="1 High Street",
                city="Leeds",
                postcode="LS1 1AA",
                country_code="GB",
            ),
            email_address="ada@example.com",
        ),
        order_date=datetime.now(UTC),
        subtotal=9.99,
        shipping_cost_charged=2.5,
        total=12.49,
        packages=(
            ShipmentPackageRequest(
                weight_in_grams=500,
                package_format_identifier=PackageFormat.SMALL_PARCEL,
                contents=(
                    ProductItemRequest(
                        name="Widget",
                        sku="W-1",
                        quantity=1,
                        unit_value=9.99,
                        unit_weight_in_grams=500,
                    ),
                ),
            ),
        ),
        postage_details=PostageDetailsRequest(service_code=service_code) if service_code else None,
        **kw,
    )


def pages(pdf: bytes) -> int:
    return len(pdfium.PdfDocument(pdf))


# -- reads, every account type -------------------------------------------------------------------


def test_version_needs_no_key(sandbox: SandboxInfo) -> None:
    with ClickDropClient(sandbox.url, "not-a-real-key", rate_per_s=0) as client:
        info = client.version()
    assert info.release_date.tzinfo is not None


@pytest.mark.parametrize("name", sorted(ACCOUNTS))
def test_capabilities_of_every_account_type(sandbox: SandboxInfo, name: str) -> None:
    account_type, labels, full = ACCOUNTS[name]
    with connect(sandbox, name) as client:
        caps = client.probe_capabilities()
    assert caps.key_valid
    assert (caps.account_type, caps.labels, caps.full) == (account_type, labels, full)
    assert caps.auth_scheme == ("bare" if name == "olp-bare" else "bearer")
    # The probe generated nothing: no label call reached an order.
    assert all(e["status"] != 200 for e in sandbox.requests() if "/label" in e["path"])


@pytest.mark.parametrize("name", sorted(ACCOUNTS))
def test_listing_every_page_of_every_account(sandbox: SandboxInfo, name: str) -> None:
    with connect(sandbox, name) as client:
        pages_seen = list(client.iter_order_pages(page_size=70))
    orders = [o for p in pages_seen for o in p.orders]
    assert len(orders) == SEEDED
    assert len({o.order_identifier for o in orders}) == SEEDED
    assert [len(p.orders) for p in pages_seen] == [70, 70, 60]
    assert pages_seen[-1].continuation_token is None
    assert all(p.meta is not None and p.meta.status == 200 for p in pages_seen)
    assert all(o.details is None for o in orders)


def test_full_listing_for_channelshipper_only(sandbox: SandboxInfo) -> None:
    with connect(sandbox, "channelshipper") as client:
        orders = list(client.iter_orders(full=True))
    assert len(orders) == SEEDED
    assert all(o.details is not None for o in orders)
    assert {o.details.trading_name for o in orders if o.details} == {"Kestrel Trading Co"}
    for name in ("olp", "oba"):
        with connect(sandbox, name) as client, pytest.raises(FeatureNotAvailable) as info:
            client.list_orders_full()
        assert info.value.feature == "full"


def test_start_and_end_window(sandbox: SandboxInfo) -> None:
    with connect(sandbox, "oba") as client:
        everything = list(client.iter_orders())
        created = sorted(o.created_on for o in everything)
        middle = created[len(created) // 2]
        later = list(client.iter_orders(start=middle))
        earlier = list(client.iter_orders(end=middle))
    assert later
    assert earlier
    assert all(o.created_on >= middle for o in later)
    assert all(o.created_on <= middle for o in earlier)


@pytest.mark.parametrize("name", ["oba", "channelshipper"])
def test_every_order_by_id_and_by_reference(sandbox: SandboxInfo, name: str) -> None:
    full = name == "channelshipper"
    with connect(sandbox, name) as client:
        orders = list(client.iter_orders())
        by_id = client.get_orders([o.order_identifier for o in orders], full=full)
        refs = [o.order_reference for o in orders if o.order_reference]
        by_ref = client.get_orders(refs, full=full)
        found = client.find_orders_by_reference(refs)
    assert len(by_id.metas) == 2  # 200 ids: two calls of 100
    assert by_id.missing == ()
    assert by_id.unexpected == ()
    assert {o.order_identifier for o in by_id.orders} == {o.order_identifier for o in orders}
    assert by_ref.missing == ()
    assert by_ref.unexpected == ()
    assert set(found) == set(refs)  # hostile seeded references survive the round trip
    assert all(found[r].order_reference == r for r in refs)


def test_unknown_ids_and_references_are_missing_not_errors(sandbox: SandboxInfo) -> None:
    with connect(sandbox, "oba") as client:
        first = next(client.iter_orders())
        result = client.get_orders([first.order_identifier, 1, "no such ref", "12345"])
        assert [o.order_identifier for o in result.orders] == [first.order_identifier]
        assert result.missing == (1, "no such ref", "12345")
        with pytest.raises(NotFound):
            client.get_order(10000001)  # the OLP account's first order: not ours


def test_bare_key_fallback_is_remembered(sandbox: SandboxInfo) -> None:
    with connect(sandbox, "olp-bare") as client:
        client.list_orders(page_size=1)
        client.list_orders(page_size=1)
    statuses = [e["status"] for e in sandbox.requests(everything=True)]
    assert statuses == [401, 200, 200]
    assert client.auth_scheme == "bare"


def test_a_wrong_key_is_an_auth_error(sandbox: SandboxInfo) -> None:
    with ClickDropClient(sandbox.url, "00000000-0000-0000-0000-000000000000", rate_per_s=0) as c:
        with pytest.raises(AuthError):
            c.list_orders()
        assert not c.probe_capabilities().key_valid


def test_labels_and_manifests_are_refused_to_non_oba(sandbox: SandboxInfo) -> None:
    with connect(sandbox, "olp") as client:
        first = next(client.iter_orders())
        before = sandbox.order_state("olp", first.order_identifier)["labelsGenerated"]
        with pytest.raises(FeatureNotAvailable, match="OBA") as info:
            client.get_label([first.order_identifier])
        assert info.value.feature == "labels"
        with pytest.raises(FeatureNotAvailable, match="OBA"):
            client.manifest_eligible()
        with pytest.raises(FeatureNotAvailable):
            client.get_manifest(1)
    assert sandbox.order_state("olp", first.order_identifier)["labelsGenerated"] == before


# -- changes (each on a sandbox of its own) --------------------------------------------------------


@pytest.mark.sandbox(orders=20)
def test_create_with_partial_success_then_reconcile(fresh_sandbox: SandboxInfo) -> None:
    good = [new_order(ref) for ref in HOSTILE_REFERENCES]
    bad = new_order("bad-service", service_code="NOPE")
    with connect(fresh_sandbox, "oba") as client:
        result = client.create_orders([*good, bad])
        assert result.success_count == len(good)
        assert result.errors_count == 1
        assert [f.order_reference for f in result.failed] == ["bad-service"]
        assert result.failed[0].errors[0].message
        created = {c.order.order_reference: c.order for c in result.created}
        assert set(created) == set(HOSTILE_REFERENCES)
        found = client.find_orders_by_reference([*HOSTILE_REFERENCES, "bad-service"])
        assert {r: o.order_identifier for r, o in found.items()} == {
            r: o.order_identifier for r, o in created.items()
        }
        again = client.create_orders([new_order("semi;colon")])  # duplicate reference
        assert again.errors_count == 1
    assert len([e for e in fresh_sandbox.requests() if e["method"] == "POST"]) == 2


def test_a_bad_continuation_token_is_a_validation_error(sandbox: SandboxInfo) -> None:
    with connect(sandbox, "oba") as client, pytest.raises(ValidationFailed) as info:
        client.list_orders(continuation_token="not-a-token")
    assert info.value.status_code == 400
    assert info.value.problems[0].code == "InvalidToken"


@pytest.mark.sandbox(orders=20)
def test_labels_every_document_type(fresh_sandbox: SandboxInfo) -> None:
    refs = [f"LBL-{i}" for i in range(3)]
    with connect(fresh_sandbox, "oba") as client:
        client.create_orders([new_order(r) for r in refs])
        label = client.get_label(refs, include_returns_label=False)
        with_returns = client.get_label(refs[0], include_returns_label=True, include_cn=True)
        note = client.get_label(refs, "despatchNote")
        cn22 = client.get_label(refs[:1], "CN22")
        cn23 = client.get_label(refs[:1], "CN23")
        printed = client.find_orders_by_reference(refs)
    for pdf in (label, with_returns, note, cn22, cn23):
        assert pdf.startswith(b"%PDF")
    assert pages(label) == 3
    assert pages(with_returns) >= 1
    # Generating the label sets printedOn and a tracking number, as upstream does.
    assert all(o.printed_on is not None and o.all_tracking_numbers for o in printed.values())


@pytest.mark.sandbox(orders=20)
def test_label_without_postage_is_a_validation_error(fresh_sandbox: SandboxInfo) -> None:
    with connect(fresh_sandbox, "oba") as client:
        client.create_orders([new_order("NO-POSTAGE", service_code=None)])
        with pytest.raises(ValidationFailed, match="postage") as info:
            client.get_label(["NO-POSTAGE"])
        assert info.value.problems[0].order_reference == "NO-POSTAGE"
        with pytest.raises(NotFound):
            client.get_label([999])


@pytest.mark.sandbox(orders=5)
def test_labels_of_more_than_100_orders_come_back_as_one_pdf(fresh_sandbox: SandboxInfo) -> None:
    refs = [f"BULK-{i:03d}" for i in range(105)]
    with connect(fresh_sandbox, "oba") as client:
        created = client.create_orders([new_order(r) for r in refs])
        assert created.success_count == 105
        pdf = client.get_label(refs)
    assert pages(pdf) == 105
    label_calls = [e for e in fresh_sandbox.requests() if "/label" in e["path"]]
    assert len(label_calls) == 2  # 100 + 5, merged into one PDF


@pytest.mark.sandbox(orders=20)
def test_inline_label_on_create(fresh_sandbox: SandboxInfo) -> None:
    inline = LabelGenerationRequest(include_label_in_response=True, include_returns_label=False)
    with connect(fresh_sandbox, "oba") as client:
        result = client.create_orders(
            [new_order("INLINE-1", label=inline), new_order("INLINE-2", label=inline)]
        )
    assert result.success_count == 2
    assert all(c.label_pdf and c.label_pdf.startswith(b"%PDF") for c in result.created)
    # One inline label per request, as the API demands: the client sent two requests.
    assert len([e for e in fresh_sandbox.requests() if e["method"] == "POST"]) == 2


@pytest.mark.sandbox(orders=20)
def test_status_updates_and_their_partial_failures(fresh_sandbox: SandboxInfo) -> None:
    with connect(fresh_sandbox, "oba") as client:
        client.create_orders([new_order("ST-1"), new_order("ST-2")])
        result = client.mark_despatched(["ST-1", "ST-2", "NOT-THERE"])
        assert len(result.updated) == 2
        assert [e.order_reference for e in result.errors] == ["NOT-THERE"]
        despatched = client.find_orders_by_reference(["ST-1"])["ST-1"]
        assert despatched.shipped_on is not None
        refused = client.update_status(
            [
                StatusUpdateRequest(
                    status=OrderStatusValue.DESPATCHED_BY_OTHER_COURIER, order_reference="ST-2"
                )
            ]
        )
        assert refused.updated == ()
        assert [(e.order_reference, e.code) for e in refused.errors] == [
            ("ST-2", "FeatureNotAvailable")
        ]
    with connect(fresh_sandbox, "channelshipper") as client:
        client.create_orders([new_order("CS-1", service_code="TPN24")])
        other = client.update_status(
            [
                StatusUpdateRequest(
                    status=OrderStatusValue.DESPATCHED_BY_OTHER_COURIER, order_reference="CS-1"
                )
            ]
        )
    assert len(other.updated) == 1


@pytest.mark.sandbox(orders=20)
def test_delete_then_missing(fresh_sandbox: SandboxInfo) -> None:
    with connect(fresh_sandbox, "olp") as client:
        client.create_orders([new_order("DEL-1", "OLP1"), new_order("DEL-2", "OLP1")])
        result = client.delete_orders(["DEL-1", "DEL-2"])
        assert {d.order_reference for d in result.deleted} == {"DEL-1", "DEL-2"}
        assert result.errors == ()
        assert client.get_orders(["DEL-1", "DEL-2"]).missing == ("DEL-1", "DEL-2")
        again = client.delete_orders(["DEL-1"])
    assert again.deleted == ()
    assert [e.order_reference for e in again.errors] == ["DEL-1"]


@pytest.mark.sandbox(orders=20)
def test_manifest_lifecycle(fresh_sandbox: SandboxInfo) -> None:
    with connect(fresh_sandbox, "oba") as client:
        client.create_orders([new_order("MAN-1")])
        client.get_label(["MAN-1"])
        created = client.manifest_eligible()
        assert created.manifest_number > 0
        if not created.ready:  # 202: the PDF comes later, by polling
            assert created.document_pdf is None
            details = client.get_manifest(created.manifest_number)
        else:
            details = client.get_manifest(created.manifest_number)
        assert details.status == "Completed"
        assert details.document_pdf is not None
        assert details.document_pdf.startswith(b"%PDF")
        retried = client.retry_manifest(created.manifest_number)
        assert retried.manifest_number == created.manifest_number
        with pytest.raises(NotFound):
            client.get_manifest(created.manifest_number + 1000)
        with pytest.raises(ValidationFailed, match="no"):
            client.manifest_eligible(carrier_name="Nobody Express")
        manifested = client.find_orders_by_reference(["MAN-1"])["MAN-1"]
    assert manifested.manifested_on is not None


# -- faults --------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["html", "json", "empty"])
def test_maintenance_is_service_unavailable(sandbox: SandboxInfo, rec: Recorder, body: str) -> None:
    sandbox.set_fault("maintenance", body=body, retry_after=30)
    with connect(sandbox, "oba", rec, max_retries=2) as client:
        with pytest.raises(ServiceUnavailable, match="503") as info:
            client.list_orders()
        assert info.value.status_code == 503
        assert not info.value.maybe_applied
        with pytest.raises(ServiceUnavailable):
            client.version()
        with pytest.raises(ServiceUnavailable) as created:
            client.create_orders([new_order("MAINT-1")])
    assert created.value.maybe_applied  # a create is never assumed safe: reconcile first
    assert rec.outcomes()[:3] == [Outcome.MAINTENANCE] * 3
    assert next(e for e in sandbox.requests() if e["method"] == "POST")["status"] == 503


def test_maintenance_that_ends_is_ridden_out_by_reads(sandbox: SandboxInfo, rec: Recorder) -> None:
    sandbox.set_fault("maintenance", count=2)
    with connect(sandbox, "oba", rec) as client:
        page = client.list_orders()
    assert len(page.orders) == 100
    assert rec.outcomes() == [Outcome.MAINTENANCE, Outcome.MAINTENANCE, Outcome.OK]


def test_slow_answers_time_out(sandbox: SandboxInfo, rec: Recorder) -> None:
    sandbox.set_fault("slow", delay_ms=4000, count=1)
    with connect(sandbox, "oba", rec, timeout=1.0) as client:
        page = client.list_orders(page_size=1)  # first try times out, the retry is fast
    assert len(page.orders) == 1
    assert rec.outcomes() == [Outcome.TIMEOUT, Outcome.OK]
    sandbox.set_fault("slow", delay_ms=4000)
    with (
        connect(sandbox, "oba", rec, timeout=1.0, max_retries=1) as client,
        pytest.raises(Offline, match="timed out") as info,
    ):
        client.list_orders(page_size=1)
    assert not info.value.maybe_applied
    # The three slowed requests sleep on in the shared server; awake in the next tests, they
    # would take those tests' faults (a storm's 429s, a drop) and log into their logs.
    deadline = time.monotonic() + 60
    while len(sandbox.requests(everything=True)) < 4:
        assert time.monotonic() < deadline, sandbox.requests(everything=True)
        time.sleep(0.05)  # polling interval, not a wait for an effect


def test_dropped_connection_before_processing(sandbox: SandboxInfo, rec: Recorder) -> None:
    sandbox.set_fault("drop", when="before")
    with (
        connect(sandbox, "oba", rec, max_retries=1) as client,
        pytest.raises(Offline, match=r"dropped|reached") as info,
    ):
        client.list_orders()
    assert Outcome.TIMEOUT in rec.outcomes() or Outcome.UNREACHABLE in rec.outcomes()
    assert "\n" not in info.value.message


@pytest.mark.sandbox(orders=20)
def test_create_reply_lost_after_processing_is_reconciled_not_resent(
    fresh_sandbox: SandboxInfo, rec: Recorder
) -> None:
    fresh_sandbox.set_fault("drop", when="after", path="/orders", method="POST", count=1)
    with connect(fresh_sandbox, "oba", rec) as client:
        with pytest.raises(Offline) as info:
            client.create_orders([new_order("LOST-REPLY-1")])
        assert info.value.maybe_applied
        found = client.find_orders_by_reference(["LOST-REPLY-1"])
    assert "LOST-REPLY-1" in found  # it was created: the outbox must not send it again
    posts = [e for e in fresh_sandbox.requests() if e["method"] == "POST"]
    assert len(posts) == 1
    assert posts[0]["delivered"] is False


def test_429_storm_with_retry_after_is_ridden_out(sandbox: SandboxInfo, rec: Recorder) -> None:
    sandbox.set_fault("storm", count=3, retry_after=2)
    # The client's clock stands still, so each wait is the whole Retry-After: on the real
    # clock, a machine that stalls the thread between the pause and the wait takes that off.
    with connect(sandbox, "oba", rec, clock=lambda: 0.0) as client:
        client.list_orders(page_size=1)
    assert rec.outcomes() == [Outcome.RATE_LIMITED] * 3 + [Outcome.OK]
    assert rec.sleeps == [2.0, 2.0, 2.0]  # Retry-After honoured (recorded, not slept)


def test_429_storm_without_retry_after_ends_in_rate_limited(
    sandbox: SandboxInfo, rec: Recorder
) -> None:
    sandbox.set_fault("storm")
    with (
        connect(sandbox, "oba", rec, max_rate_limit_retries=3) as client,
        pytest.raises(RateLimited) as info,
    ):
        client.create_orders([new_order("STORM-1")])
    assert info.value.retry_after is None
    assert rec.outcomes() == [Outcome.RATE_LIMITED] * 4
    assert sorted(rec.sleeps) == rec.sleeps  # exponential backoff
    assert len(set(rec.sleeps)) == 3


def test_the_sandbox_rate_limit_and_the_client_limiter(sandbox: SandboxInfo, rec: Recorder) -> None:
    sandbox.configure(rate_limit=5)
    with connect(sandbox, "oba", rec, rate_per_s=5.0, sleep=time.sleep) as client:
        for _ in range(12):
            client.list_orders(page_size=1)
    assert Outcome.RATE_LIMITED not in rec.outcomes()


def test_server_error_500(sandbox: SandboxInfo, rec: Recorder) -> None:
    sandbox.set_fault("error_500")
    with connect(sandbox, "oba", rec, max_retries=1) as client:
        with pytest.raises(ServiceUnavailable, match="500") as info:
            client.get_orders([20000001])
        assert info.value.status_code == 500
        with pytest.raises(ServiceUnavailable) as status_error:
            client.mark_despatched([20000001])
    assert not status_error.value.maybe_applied  # a status update is idempotent
    assert Outcome.SERVER_ERROR in rec.outcomes()


def test_malformed_json_is_a_bad_response(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("malformed")
    with connect(sandbox, "channelshipper") as client:
        with pytest.raises(BadResponse, match="malformed"):
            client.list_orders()
        with pytest.raises(BadResponse, match="malformed"):
            client.list_orders_full()
        with pytest.raises(BadResponse, match="malformed"):
            client.get_orders([40000001])


@pytest.mark.sandbox(orders=20)
def test_malformed_label_is_not_a_pdf(fresh_sandbox: SandboxInfo) -> None:
    with connect(fresh_sandbox, "oba") as client:
        client.create_orders([new_order("MAL-1")])
        fresh_sandbox.set_fault("malformed", path="/label")
        with pytest.raises(BadResponse, match="not a PDF"):
            client.get_label(["MAL-1"])


def test_truncated_body_is_a_bad_response(sandbox: SandboxInfo, rec: Recorder) -> None:
    sandbox.set_fault("truncated")
    with (
        connect(sandbox, "oba", rec, max_retries=1) as client,
        pytest.raises(BadResponse, match="cut off"),
    ):
        client.list_orders()
    assert len(rec.events) == 2  # a read: retried once, then given up


def test_truncated_once_is_retried_for_reads(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("truncated", count=1)
    with connect(sandbox, "oba") as client:
        assert client.list_orders(page_size=3).orders


def test_leaked_orders_in_a_page_are_surfaced_not_dropped(sandbox: SandboxInfo) -> None:
    with connect(sandbox, "oba") as client:
        own = {o.order_identifier for o in client.iter_orders()}
        sandbox.set_fault("leak_mixed", count=1, from_account="olp", leak_count=3)
        page = client.list_orders()
    foreign = [o.order_identifier for o in page.orders if o.order_identifier not in own]
    assert len(foreign) == 3


def test_ids_not_asked_for_are_reported_as_unexpected(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("leak_extra_ids", count=1, from_account="olp", leak_count=2)
    with connect(sandbox, "oba") as client:
        result = client.get_orders([20000001])
    assert result.missing == ()
    assert len(result.unexpected) == 2


def test_shared_cache_signs_reach_the_caller(sandbox: SandboxInfo) -> None:
    sandbox.set_fault("leak_shared_cache", count=1, from_account="olp", age=42)
    with connect(sandbox, "oba") as client:
        page = client.list_orders()
    assert page.meta is not None
    assert page.meta.header("Age") == "42"
    assert page.meta.header("X-Cache") == "HIT"
    assert "public" in (page.meta.header("Cache-Control") or "")
