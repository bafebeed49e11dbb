"""`ClickDropClient`: one typed object for every endpoint of the Click & Drop API v1.

It owns the account's single `httpx.Client` (never shared, no HTTP cache) through `HttpEngine`,
which handles the auth header, the rate limit, retries and the response-size cap (see
`api/http.py` for the retry policy). This module turns endpoints into typed calls: identifier
encoding and chunking at 100, per-endpoint error bodies, and partial success as results.
"""

from __future__ import annotations

import enum
import io
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import httpx

from clickdrop_desktop.api.capabilities import Capabilities, probe_capabilities
from clickdrop_desktop.api.errors import (
    ApiError,
    BadResponse,
    FeatureNotAvailable,
    NotFound,
    OrderProblem,
    ValidationFailed,
)
from clickdrop_desktop.api.events import CallEvent, ResponseMeta
from clickdrop_desktop.api.http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    Answer,
    AuthScheme,
    Call,
    HttpEngine,
)
from clickdrop_desktop.api.identifiers import (
    MAX_IDS_PER_CALL,
    OrderKey,
    chunk_keys,
    encode_key,
    encode_keys,
    matches,
    unique_keys,
)
from clickdrop_desktop.api.models import Order, OrderPage, VersionInfo, _list, _obj, format_datetime
from clickdrop_desktop.api.requests import (
    CreateOrderRequest,
    InvalidRequest,
    ManifestRequest,
    OrderStatusValue,
    StatusUpdateRequest,
    create_orders_body,
)
from clickdrop_desktop.api.results import (
    PDF_MAGIC,
    CreateOrdersResult,
    DeletedOrder,
    DeleteResult,
    ManifestDetails,
    ManifestResult,
    OrdersById,
    StatusUpdateResult,
    UpdatedOrder,
    one_line,
    problems_from_body,
    summarise,
)

log = logging.getLogger("clickdrop_desktop.api")

DEFAULT_BASE_URL = "https://api.parcel.royalmail.com/api/v1"


class DocumentType(enum.StrEnum):
    """`documentType` of the label call."""

    POSTAGE_LABEL = "postageLabel"
    DESPATCH_NOTE = "despatchNote"
    CN22 = "CN22"
    CN23 = "CN23"


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


class ClickDropClient:
    """The Click & Drop API, typed. Thread-safe; use as a context manager or call `close()`.

    Args:
        base_url: e.g. `https://api.parcel.royalmail.com/api/v1` or a sandbox URL.
        api_key: the account's integration key. Kept private: never in a message, log or repr.
        rate_per_s: client-side limit (5 default; 1 for older accounts; 0 turns it off).
        timeout: seconds to wait for a connection or for the next bytes of an answer.
        deadline_s: longest one attempt may take in total (guards against a slow drip).
        transport: an httpx transport (tests pass `httpx.MockTransport`).
        max_response_bytes: answers larger than this are refused (`BadResponse`).
        auth_scheme: "bearer" or "bare" when known from an earlier session; None finds out.
        on_event: called after every HTTP attempt with its `CallEvent` (connectivity feed).
        on_rate_wait: called with the seconds the client is about to wait for the rate limit.
        clock, sleep, rng: injectable for tests (fake time, no real waiting, fixed jitter).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        rate_per_s: float = 5.0,
        timeout: float = 30.0,
        deadline_s: float = 120.0,
        transport: httpx.BaseTransport | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_retries: int = 3,
        max_rate_limit_retries: int = 4,
        max_retry_after_s: float = 60.0,
        auth_scheme: AuthScheme | None = None,
        on_event: Callable[[CallEvent], None] | None = None,
        on_rate_wait: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("the API URL must start with https:// (or http:// for a sandbox)")
        if parts.query or parts.fragment:
            raise ValueError("the API URL must not have a query or fragment")
        key = api_key.strip()
        if not key or any(ch.isspace() or not ch.isprintable() for ch in key):
            # Also keeps the key from smuggling a second header line into the request.
            raise ValueError("the API key is empty or contains spaces or control characters")
        if timeout <= 0 or deadline_s <= 0 or max_response_bytes <= 0:
            raise ValueError("timeout, deadline_s and max_response_bytes must be positive")
        self._base_url = base_url.rstrip("/")
        self._engine = HttpEngine(
            self._base_url,
            key,
            rate_per_s=rate_per_s,
            timeout=timeout,
            deadline_s=deadline_s,
            transport=transport,
            max_response_bytes=max_response_bytes,
            max_retries=max_retries,
            max_rate_limit_retries=max_rate_limit_retries,
            max_retry_after_s=max_retry_after_s,
            auth_scheme=auth_scheme,
            on_event=on_event,
            on_rate_wait=on_rate_wait,
            clock=clock,
            sleep=sleep,
            rng=rng or random.Random(),  # noqa: S311 - jitter, not crypto
        )

    # -- lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._engine.close()

    def __repr__(self) -> str:
        return f"ClickDropClient({self._base_url!r}, auth_scheme={self.auth_scheme!r})"

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def auth_scheme(self) -> AuthScheme | None:
        """ "bearer" or "bare" once a call got past authentication; None until then."""
        return self._engine.auth_scheme

    @property
    def rate_per_s(self) -> float:
        return self._engine.limiter.rate_per_s

    # -- version and capabilities -------------------------------------------------------------

    def version(self) -> VersionInfo:
        """`GET /version` (no key needed): the connectivity probe."""
        call = Call("GET", "/version", "GET /version", authenticated=False)
        return VersionInfo.from_api(self._ok_json(call))

    def probe_capabilities(self) -> Capabilities:
        """Key valid? OBA labels? ChannelShipper `/full`? See `api/capabilities.py`."""
        return probe_capabilities(self)

    # -- listing ---------------------------------------------------------------------------------

    def list_orders(
        self,
        *,
        page_size: int = 100,
        start: datetime | None = None,
        end: datetime | None = None,
        continuation_token: str | None = None,
        full: bool = False,
    ) -> OrderPage:
        """One page of `GET /orders` (or `/orders/full` with `full=True`, ChannelShipper)."""
        if not 1 <= page_size <= 100:
            raise ValueError("page_size must be 1..100")
        params = {"pageSize": str(page_size)}
        if start is not None:
            params["startDateTime"] = format_datetime(start)
        if end is not None:
            params["endDateTime"] = format_datetime(end)
        if continuation_token:
            params["continuationToken"] = continuation_token
        path = "/orders/full" if full else "/orders"
        answer = self._send(Call("GET", path, f"GET {path}", params=params), "full" if full else "")
        data = _obj(answer.json(), "orders page")
        parse = Order.from_api_full if full else Order.from_api
        orders = tuple(
            parse(o, what="orders[]") for o in _list(data.get("orders"), "orders page.orders")
        )
        token = data.get("continuationToken")
        if token is not None and not isinstance(token, str):
            raise BadResponse("orders page.continuationToken is not a string")
        return OrderPage(orders=orders, continuation_token=token or None, meta=answer.meta)

    def list_orders_full(self, **kwargs: Any) -> OrderPage:
        """`GET /orders/full` (ChannelShipper only; others get `FeatureNotAvailable`)."""
        return self.list_orders(full=True, **kwargs)

    def iter_order_pages(
        self,
        *,
        full: bool = False,
        page_size: int = 100,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Iterator[OrderPage]:
        """Every page, following `continuationToken` until a page has none."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            page = self.list_orders(
                full=full, page_size=page_size, start=start, end=end, continuation_token=token
            )
            yield page
            token = page.continuation_token
            if token is None:
                return
            if token in seen:
                raise BadResponse("Click & Drop sent the same continuation token twice")
            seen.add(token)

    def iter_orders(self, **kwargs: Any) -> Iterator[Order]:
        """Every order of every page (see `iter_order_pages` for the arguments)."""
        for page in self.iter_order_pages(**kwargs):
            yield from page.orders

    # -- by identifier -------------------------------------------------------------------------

    def get_orders(self, keys: Sequence[OrderKey], *, full: bool = False) -> OrdersById:
        """`GET /orders/{ids}` (or `/full`), 100 per call; 404 for a chunk = all of it missing."""
        wanted = unique_keys(keys)
        orders: list[Order] = []
        metas: list[ResponseMeta] = []
        suffix = "/full" if full else ""
        endpoint = f"GET /orders/{{orderIdentifiers}}{suffix}"
        parse = Order.from_api_full if full else Order.from_api
        for chunk in chunk_keys(wanted):
            call = Call("GET", f"/orders/{encode_keys(chunk)}{suffix}", endpoint)
            try:
                answer = self._send(call, "full" if full else "", not_found_ok=True)
            except ApiError as exc:
                exc.partial = OrdersById(tuple(wanted), tuple(orders), tuple(metas))
                raise
            metas.append(answer.meta)
            if answer.status == 404:
                continue
            body = answer.json()
            if not isinstance(body, list):
                raise BadResponse("Click & Drop sent an object where a list of orders was expected")
            orders.extend(parse(o, what="orders[]") for o in body)
        return OrdersById(tuple(wanted), tuple(orders), tuple(metas))

    def get_order(self, key: OrderKey, *, full: bool = False) -> Order:
        """One order; `NotFound` when the account has no such order (any more)."""
        result = self.get_orders([key], full=full)
        if result.missing:
            raise NotFound(
                f"order {key!r} was not found (deleted in Click & Drop?)", status_code=404
            )
        return next(o for o in result.orders if matches(key, o.order_identifier, o.order_reference))

    def find_orders_by_reference(self, references: Sequence[str]) -> dict[str, Order]:
        """Which of `references` exist upstream: the reconciliation step before resending a
        create whose outcome is unknown. Missing references are absent from the result; if
        two orders share a reference, the newest wins."""
        if any(not isinstance(r, str) for r in references):
            raise TypeError("references are strings (order identifiers are not references)")
        result = self.get_orders(list(references))
        found: dict[str, Order] = {}
        wanted = set(references)
        for order in result.orders:
            ref = order.order_reference
            if ref in wanted and ref is not None:
                current = found.get(ref)
                if current is None or order.created_on >= current.created_on:
                    found[ref] = order
        if result.unexpected:
            log.warning("reference lookup returned %d orders not asked for", len(result.unexpected))
        return found

    # -- changes ---------------------------------------------------------------------------------

    def create_orders(
        self,
        orders: Sequence[CreateOrderRequest | Mapping[str, Any]],
        *,
        chunk_size: int = 100,
    ) -> CreateOrdersResult:
        """`POST /orders`, never retried once it may have reached the server.

        Orders go `chunk_size` per request; an order that asks for an inline label goes alone
        (the API allows one inline label per request). On an ambiguous failure the error has
        `maybe_applied=True` and `partial` holds the chunks already answered: look the orders up
        with `find_orders_by_reference` before sending any of them again.
        """
        if not 1 <= chunk_size <= 2000:
            raise ValueError("chunk_size must be 1..2000")
        create_orders_body(orders)  # at least one order
        batches: list[list[CreateOrderRequest | Mapping[str, Any]]] = []
        plain: list[CreateOrderRequest | Mapping[str, Any]] = []
        for order in orders:
            if _wants_inline_label(order):
                batches.append([order])
            else:
                plain.append(order)
        batches += [plain[i : i + chunk_size] for i in range(0, len(plain), chunk_size)]
        parts: list[CreateOrdersResult] = []
        metas: list[ResponseMeta] = []
        for batch in batches:
            call = Call(
                "POST", "/orders", "POST /orders", body=create_orders_body(batch), idempotent=False
            )
            try:
                answer = self._send(call, "")
                part = CreateOrdersResult.parse_page(answer.json())
            except ApiError as exc:
                exc.partial = CreateOrdersResult.merge(parts, metas) if parts else None
                raise
            parts.append(part)
            metas.append(answer.meta)
        return CreateOrdersResult.merge(parts, metas)

    def delete_orders(self, keys: Sequence[OrderKey]) -> DeleteResult:
        """`DELETE /orders/{ids}`. Labels of deleted orders become invalid (and chargeable if
        used). A chunk answered 404 is reported as per-order "NotFound" errors."""
        wanted = unique_keys(keys)
        deleted: list[DeletedOrder] = []
        errors: list[OrderProblem] = []
        metas: list[ResponseMeta] = []
        for chunk in chunk_keys(wanted):
            call = Call(
                "DELETE",
                f"/orders/{encode_keys(chunk)}",
                "DELETE /orders/{orderIdentifiers}",
                idempotent=False,
            )
            try:
                answer = self._send(call, "delete", not_found_ok=True)
                metas.append(answer.meta)
                if answer.status == 404:
                    errors.extend(_not_found(k) for k in chunk)
                    continue
                d, e = DeleteResult.parse_page(answer.json())
            except ApiError as exc:
                exc.partial = DeleteResult(tuple(deleted), tuple(errors), tuple(metas))
                raise
            deleted += d
            errors += e
        return DeleteResult(tuple(deleted), tuple(errors), tuple(metas))

    def update_status(self, updates: Sequence[StatusUpdateRequest]) -> StatusUpdateResult:
        """`PUT /orders/status`, 100 items per call (the spec's maximum collection length)."""
        if not updates:
            raise InvalidRequest("at least one status update is needed")
        updated: list[UpdatedOrder] = []
        errors: list[OrderProblem] = []
        metas: list[ResponseMeta] = []
        for i in range(0, len(updates), MAX_IDS_PER_CALL):
            items = [u.to_api() for u in updates[i : i + MAX_IDS_PER_CALL]]
            call = Call("PUT", "/orders/status", "PUT /orders/status", body={"items": items})
            try:
                answer = self._send(call, "status")
                u, e = StatusUpdateResult.parse_page(answer.json())
            except ApiError as exc:
                exc.partial = StatusUpdateResult(tuple(updated), tuple(errors), tuple(metas))
                raise
            updated += u
            errors += e
            metas.append(answer.meta)
        return StatusUpdateResult(tuple(updated), tuple(errors), tuple(metas))

    def mark_despatched(
        self, keys: Sequence[OrderKey], *, despatch_date: datetime | None = None
    ) -> StatusUpdateResult:
        """Set `despatched` on each order (identifier or reference)."""
        updates = [
            StatusUpdateRequest(
                status=OrderStatusValue.DESPATCHED,
                order_identifier=k if isinstance(k, int) else None,
                order_reference=k if isinstance(k, str) else None,
                despatch_date=despatch_date,
            )
            for k in unique_keys(keys)
        ]
        return self.update_status(updates)

    # -- labels ---------------------------------------------------------------------------------

    def get_labels(
        self,
        keys: Sequence[OrderKey],
        document_type: DocumentType | str = DocumentType.POSTAGE_LABEL,
        *,
        include_returns_label: bool = False,
        include_cn: bool | None = None,
    ) -> tuple[bytes, ...]:
        """One PDF per call of up to 100 orders. GENERATES the labels (sets `printedOn`, may
        bill postage): call it on an explicit user action only, and never retry it blindly.
        `partial` on an error holds the PDFs already generated."""
        doc = DocumentType(document_type)
        params = {"documentType": doc.value}
        if doc is DocumentType.POSTAGE_LABEL:
            # "Required when documentType is set to 'postageLabel'"; ignored otherwise.
            params["includeReturnsLabel"] = "true" if include_returns_label else "false"
            if include_cn is not None:
                params["includeCN"] = "true" if include_cn else "false"
        pdfs: list[bytes] = []
        for chunk in chunk_keys(unique_keys(keys)):
            call = Call(
                "GET",
                f"/orders/{encode_keys(chunk)}/label",
                "GET /orders/{orderIdentifiers}/label",
                params=params,
                accept="application/pdf, application/json",
                idempotent=False,
            )
            try:
                pdfs.append(self._label_pdf(self._send(call, "labels")))
            except ApiError as exc:
                exc.partial = tuple(pdfs)
                raise
        return tuple(pdfs)

    def get_label(
        self,
        keys: Sequence[OrderKey] | OrderKey,
        document_type: DocumentType | str = DocumentType.POSTAGE_LABEL,
        *,
        include_returns_label: bool = False,
        include_cn: bool | None = None,
    ) -> bytes:
        """The labels (or documents) of `keys` as one PDF; over 100 orders, the chunks' PDFs
        are merged. Same warnings as `get_labels`."""
        key_list = [keys] if isinstance(keys, int | str) else list(keys)
        pdfs = self.get_labels(
            key_list,
            document_type,
            include_returns_label=include_returns_label,
            include_cn=include_cn,
        )
        return pdfs[0] if len(pdfs) == 1 else merge_pdfs(pdfs)

    @staticmethod
    def _label_pdf(answer: Answer) -> bytes:
        if answer.content.startswith(PDF_MAGIC):
            return answer.content
        # Some clients saw JSON where a PDF was expected: say what it said, then refuse it.
        reason = "the label answer is not a PDF"
        try:
            problems = problems_from_body(answer.json())
        except BadResponse:
            problems = ()
        raise BadResponse(summarise(problems, reason) + ".")

    # -- manifests -------------------------------------------------------------------------------

    def manifest_eligible(self, carrier_name: str | None = None) -> ManifestResult:
        """`POST /manifests`: manifests ALL eligible orders (irreversible; commits postage to the
        invoice). `ready=False` (202) means poll `get_manifest` for the PDF later."""
        body = ManifestRequest(carrier_name=carrier_name).to_api() if carrier_name else None
        call = Call("POST", "/manifests", "POST /manifests", body=body, idempotent=False)
        return self._manifest_result(self._send(call, "manifests"))

    def retry_manifest(self, manifest_number: int) -> ManifestResult:
        """`POST /manifests/retry/{manifestIdentifier}`."""
        path = f"/manifests/retry/{encode_key(_manifest_number(manifest_number))}"
        call = Call("POST", path, "POST /manifests/retry/{manifestIdentifier}", idempotent=False)
        return self._manifest_result(self._send(call, "manifests"))

    def get_manifest(self, manifest_number: int) -> ManifestDetails:
        """`GET /manifests/{manifestIdentifier}`: status and, once ready, the PDF."""
        path = f"/manifests/{encode_key(_manifest_number(manifest_number))}"
        answer = self._send(Call("GET", path, "GET /manifests/{manifestIdentifier}"), "manifests")
        if answer.status != 200:
            raise BadResponse(f"unexpected HTTP {answer.status} for a manifest")
        return ManifestDetails.from_api(answer.json(), meta=answer.meta)

    @staticmethod
    def _manifest_result(answer: Answer) -> ManifestResult:
        if answer.status not in (200, 201, 202):
            raise BadResponse(f"unexpected HTTP {answer.status} for a manifest")
        return ManifestResult.from_api(answer.json(), ready=answer.status != 202, meta=answer.meta)

    # -- plumbing --------------------------------------------------------------------------------

    def _ok_json(self, call: Call, feature: str = "") -> Any:
        return self._send(call, feature).json()

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


def _not_found(key: OrderKey) -> OrderProblem:
    return OrderProblem(
        order_identifier=key if isinstance(key, int) else None,
        order_reference=key if isinstance(key, str) else None,
        code="NotFound",
        message="order not found",
    )


def _wants_inline_label(order: CreateOrderRequest | Mapping[str, Any]) -> bool:
    if isinstance(order, CreateOrderRequest):
        return order.wants_inline_label
    label = order.get("label")
    return isinstance(label, Mapping) and label.get("includeLabelInResponse") is True


def _manifest_number(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("a manifest number is a non-negative integer")
    return value


def merge_pdfs(pdfs: Sequence[bytes]) -> bytes:
    """One PDF with every page of `pdfs`, in order (labels of more than 100 orders)."""
    import pypdfium2 as pdfium  # lazy: only label batches over 100 orders need it

    merged = pdfium.PdfDocument.new()
    try:
        for data in pdfs:
            source = pdfium.PdfDocument(data)
            try:
                merged.import_pages(source)
            finally:
                source.close()
        out = io.BytesIO()
        merged.save(out)
    except pdfium.PdfiumError as exc:
        raise BadResponse(f"a label PDF could not be read ({one_line(str(exc), 80)})") from None
    finally:
        merged.close()
    return out.getvalue()
