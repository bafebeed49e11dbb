"""End-of-day manifests (OBA, online only): create one, wait out the 202, keep its PDF encrypted.

`POST /manifests` manifests every labelled and despatched order of the account. It is
irreversible (it commits the postage to the invoice), so it is never queued offline and never
retried blindly: a marker is saved before the request, and if the answer is lost the user is
told to check Click & Drop before asking again (there is no endpoint to list manifests).

A 201 carries the PDF. A 202 means "created, PDF not ready yet": `GET /manifests/{n}` is
polled with backoff until "Completed" (PDF kept) or "Failed" (`retry` asks Click & Drop to try
again), or until `wait_s` passes, which leaves the persisted state "manifest N is being
prepared; fetch it later" (`refresh(n)`). Records and PDFs live in the account's encrypted
store (sync_state keys `manifest.<n>` and `manifest.<n>.pdf`), so a manifest prints later,
offline, through the print service: `pdf(n)` gives its bytes.
"""

from __future__ import annotations

import base64
import enum
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.api.errors import (
    ApiError,
    AuthError,
    FeatureNotAvailable,
    NotFound,
    ValidationFailed,
)
from clickdrop_desktop.api.models import format_datetime, parse_datetime
from clickdrop_desktop.api.results import ManifestDetails, ManifestResult, one_line
from clickdrop_desktop.store import Store

PREFIX = "manifest."
#: The print queue's document type for a manifest (its job's `order_identifier` is the number).
MANIFEST_DOCUMENT = "manifest"
REQUEST_MARKER = "manifest.requesting"
FIRST_POLL_S = 1.0
MAX_POLL_S = 8.0


class ManifestState(enum.StrEnum):
    PREPARING = "preparing"  # created; Click & Drop is still making the PDF
    READY = "ready"  # PDF kept in the store
    FAILED = "failed"  # Click & Drop could not process it: `retry`


class ManifestUnavailable(Exception):
    """No manifest could be made or fetched now; one line saying why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class ManifestRecord:
    number: int
    state: ManifestState
    created_at: datetime
    updated_at: datetime
    message: str = ""
    has_pdf: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "manifestNumber": self.number,
            "state": self.state.value,
            "created_at": format_datetime(self.created_at),
            "updated_at": format_datetime(self.updated_at),
            "message": self.message,
            "has_pdf": self.has_pdf,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ManifestRecord:
        created = parse_datetime(data.get("created_at")) or datetime.now(UTC)
        return cls(
            number=int(data["manifestNumber"]),
            state=ManifestState(data["state"]),
            created_at=created,
            updated_at=parse_datetime(data.get("updated_at")) or created,
            message=str(data.get("message") or ""),
            has_pdf=bool(data.get("has_pdf")),
        )


def _preparing(number: int) -> str:
    return f"manifest {number} is being prepared; fetch it later"


class Manifests:
    """One account's manifests. Blocking (network): the GUI calls it from a worker.

    Args:
        store: the account's open store (records and PDFs go there, encrypted).
        client: the account's client.
        sleep, clock: injectable for tests.
    """

    def __init__(
        self,
        store: Store,
        client: ClickDropClient,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._client = client
        self._sleep = sleep
        self._clock = clock

    # -- reading what is kept ------------------------------------------------------------------

    def list(self) -> list[ManifestRecord]:
        """Every manifest made here, newest first."""
        return kept_manifests(self._store)

    def get(self, number: int) -> ManifestRecord | None:
        data = self._store.sync_state.get_json(f"{PREFIX}{int(number)}")
        return ManifestRecord.from_dict(data) if isinstance(data, dict) else None

    def pdf(self, number: int) -> bytes | None:
        """The manifest's PDF, from the encrypted store (works offline); None if not ready."""
        return kept_pdf(self._store, number)

    def interrupted_request(self) -> str | None:
        """When an earlier `POST /manifests` got no answer: the time it was sent."""
        return self._store.sync_state.get(REQUEST_MARKER)

    def clear_interrupted(self) -> None:
        """The user checked Click & Drop: allow a new manifest request."""
        self._store.sync_state.delete(REQUEST_MARKER)

    # -- creating and fetching -------------------------------------------------------------------

    def create(self, *, carrier_name: str | None = None, wait_s: float = 30.0) -> ManifestRecord:
        """Manifest every eligible order now; wait up to `wait_s` for a 202's PDF."""
        interrupted = self.interrupted_request()
        if interrupted:
            raise ManifestUnavailable(
                f"a manifest request sent at {interrupted} got no answer and may have gone "
                "through; check Manifests in Click & Drop, then clear it before asking again"
            )
        self._store.sync_state.set(REQUEST_MARKER, format_datetime(datetime.now(UTC)))
        try:
            result = self._client.manifest_eligible(carrier_name)
        except ApiError as exc:
            if not _maybe_applied(exc):
                self.clear_interrupted()
            raise _unavailable(exc, "create a manifest") from None
        with self._store.transaction():
            record = self._save_result(result)
            self.clear_interrupted()
        if record.state is ManifestState.PREPARING and wait_s > 0:
            return self.refresh(record.number, wait_s=wait_s)
        return record

    def refresh(self, number: int, *, wait_s: float = 0.0) -> ManifestRecord:
        """Ask Click & Drop for a manifest's state (polling with backoff up to `wait_s`)."""
        deadline = self._clock() + wait_s
        delay = FIRST_POLL_S
        while True:
            try:
                details = self._client.get_manifest(number)
            except ApiError as exc:
                if self.get(number) is not None and exc.transient:
                    return self._mark(number, ManifestState.PREPARING, _preparing(number))
                raise _unavailable(exc, f"fetch manifest {number}") from None
            record = self._save_details(details)
            if record.state is not ManifestState.PREPARING:
                return record
            left = deadline - self._clock()
            if left <= 0:
                return record
            self._sleep(min(delay, left))
            delay = min(delay * 2, MAX_POLL_S)

    def retry(self, number: int, *, wait_s: float = 30.0) -> ManifestRecord:
        """`POST /manifests/retry/{n}` for a manifest Click & Drop failed to process."""
        try:
            result = self._client.retry_manifest(number)
        except ApiError as exc:
            raise _unavailable(exc, f"retry manifest {number}") from None
        record = self._save_result(result)
        if record.state is ManifestState.PREPARING and wait_s > 0:
            return self.refresh(number, wait_s=wait_s)
        return record

    # -- persistence ---------------------------------------------------------------------------

    def _save_result(self, result: ManifestResult) -> ManifestRecord:
        if result.document_pdf is not None:
            return self._keep(result.manifest_number, ManifestState.READY, "", result.document_pdf)
        state = ManifestState.READY if result.ready else ManifestState.PREPARING
        if state is ManifestState.READY:  # 201 without a PDF: fetch it by polling
            state = ManifestState.PREPARING
        return self._keep(result.manifest_number, state, _preparing(result.manifest_number), None)

    def _save_details(self, details: ManifestDetails) -> ManifestRecord:
        number = details.manifest_number
        if details.document_pdf is not None:
            return self._keep(number, ManifestState.READY, "", details.document_pdf)
        if details.status == "Failed":
            message = (
                f"Click & Drop could not process manifest {number}; retry it (or check its "
                "orders in Click & Drop)"
            )
            return self._keep(number, ManifestState.FAILED, message, None)
        return self._keep(number, ManifestState.PREPARING, _preparing(number), None)

    def _keep(
        self, number: int, state: ManifestState, message: str, pdf: bytes | None
    ) -> ManifestRecord:
        now = datetime.now(UTC)
        previous = self.get(number)
        record = ManifestRecord(
            number=number,
            state=state,
            created_at=previous.created_at if previous else now,
            updated_at=now,
            message=message,
            has_pdf=pdf is not None or bool(previous and previous.has_pdf),
        )
        with self._store.transaction():
            if pdf is not None:
                self._store.sync_state.set(
                    f"{PREFIX}{number}.pdf", base64.b64encode(pdf).decode("ascii")
                )
            self._store.sync_state.set_json(f"{PREFIX}{number}", record.to_dict())
        return record

    def _mark(self, number: int, state: ManifestState, message: str) -> ManifestRecord:
        return self._keep(number, state, message, None)


def kept_pdf(store: Store, number: int) -> bytes | None:
    """Manifest `number`'s PDF as kept in the account's store (no network); None if not kept."""
    text = store.sync_state.get(f"{PREFIX}{int(number)}.pdf")
    return None if text is None else base64.b64decode(text)


def kept_manifests(store: Store) -> list[ManifestRecord]:
    """Every manifest made here, newest first (no network)."""
    records = []
    for key, value in store.sync_state.items().items():
        if (
            key.startswith(PREFIX)
            and key[len(PREFIX) :].isdecimal()
            and key[len(PREFIX) :].isascii()
        ):
            records.append(ManifestRecord.from_dict(_loads(value)))
    return sorted(records, key=lambda r: r.number, reverse=True)


def _loads(text: str) -> dict[str, Any]:
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def _maybe_applied(exc: ApiError) -> bool:
    # A 503 is the maintenance page: the request was turned away before it was processed.
    return exc.maybe_applied and exc.status_code != 503


def _unavailable(exc: ApiError, what: str) -> ManifestUnavailable:
    if isinstance(exc, FeatureNotAvailable):
        return ManifestUnavailable("manifests are for OBA (business) accounts only")
    if isinstance(exc, AuthError):
        return ManifestUnavailable(f"could not {what}: {exc.message}")
    if isinstance(exc, NotFound):
        return ManifestUnavailable(f"could not {what}: Click & Drop does not know it")
    if isinstance(exc, ValidationFailed):
        detail = exc.problems[0].message if exc.problems else exc.message
        return ManifestUnavailable(f"could not {what}: {one_line(detail, 200)}")
    if _maybe_applied(exc):
        return ManifestUnavailable(
            f"could not {what}: the answer was lost and the manifest may have been created; "
            "check Manifests in Click & Drop before asking again"
        )
    if exc.transient:
        return ManifestUnavailable(
            f"could not {what}: manifests need Click & Drop online ({exc.message.rstrip('.')})"
        )
    return ManifestUnavailable(f"could not {what}: {exc.message}")
