"""Incident records: what a quarantined response looked like, as metadata only, for a breach log.

A record holds the time, the endpoint template, counts, the kinds of check that failed and the
suspect order ids as salted SHA-256 hashes (a random salt per account, kept only inside that
account's encrypted store). It never holds a name, address, reference, trading name or any
other field of the foreign records: the ICO breach log needs to know *that* and *how much*, and
the hashes let Royal Mail's own records be matched later by whoever holds the salt, without this
file itself disclosing anything.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from clickdrop_desktop import __version__
from clickdrop_desktop.sync.guards import Finding, FindingKind

EXPORT_FORMAT = "clickdrop-desktop/isolation-incidents"
EXPORT_VERSION = 1
SALT_BYTES = 16
#: Findings that name records as someone else's (not just untrustworthy).
FOREIGN_KINDS = frozenset(
    {
        FindingKind.UNREQUESTED_IDS,
        FindingKind.FOREIGN_TRADING_NAME,
        FindingKind.KNOWN_FOREIGN,
        FindingKind.UNCONFIRMED_IDS,
    }
)


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


@dataclass(frozen=True, slots=True)
class IdHasher:
    """Salted SHA-256 of an order id, hex. Callable, so guards can take it as a function."""

    salt: bytes

    def __call__(self, order_id: int) -> str:
        return hashlib.sha256(self.salt + b"clickdrop-order:" + str(order_id).encode()).hexdigest()

    @property
    def salt_id(self) -> str:
        """A short public name of the salt, so records from one account can be grouped."""
        return hashlib.sha256(b"clickdrop-salt-id:" + self.salt).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Incident:
    """One quarantined response. JSON-safe by construction (strings, ints, lists, dicts)."""

    incident_id: str
    detected_at: str  # ISO 8601 UTC
    account: str  # the local account name the user gave at sign-in
    endpoint: str  # method and path template, e.g. "GET /orders/{orderIdentifiers}"
    kinds: tuple[str, ...]
    details: tuple[str, ...]  # one line per failed check, no customer data
    records_in_response: int
    suspect_records: int
    requested_ids: int  # ids asked for (by-id calls), 0 for list pages
    hashed_ids: tuple[str, ...]  # salted SHA-256 of the suspect ids, sorted
    #: The subset found to be someone else's (not asked for, or another trading name): these
    #: stay blocked after the incident is acknowledged. Shared-cache or changed-field findings
    #: do not say which record is foreign, so their ids are suspect but not blocked.
    foreign_hashed_ids: tuple[str, ...]
    salt_id: str
    cache_headers: Mapping[str, str] = field(default_factory=dict)
    acknowledged_at: str | None = None
    app_version: str = __version__

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kinds"] = list(self.kinds)
        data["details"] = list(self.details)
        data["hashed_ids"] = list(self.hashed_ids)
        data["foreign_hashed_ids"] = list(self.foreign_hashed_ids)
        data["cache_headers"] = dict(self.cache_headers)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Incident:
        return cls(
            incident_id=str(data["incident_id"]),
            detected_at=str(data["detected_at"]),
            account=str(data["account"]),
            endpoint=str(data["endpoint"]),
            kinds=tuple(str(k) for k in data.get("kinds", ())),
            details=tuple(str(d) for d in data.get("details", ())),
            records_in_response=int(data.get("records_in_response", 0)),
            suspect_records=int(data.get("suspect_records", 0)),
            requested_ids=int(data.get("requested_ids", 0)),
            hashed_ids=tuple(str(h) for h in data.get("hashed_ids", ())),
            foreign_hashed_ids=tuple(str(h) for h in data.get("foreign_hashed_ids", ())),
            salt_id=str(data.get("salt_id", "")),
            cache_headers={str(k): str(v) for k, v in dict(data.get("cache_headers", {})).items()},
            acknowledged_at=(str(data["acknowledged_at"]) if data.get("acknowledged_at") else None),
            app_version=str(data.get("app_version", "")),
        )

    def summary(self) -> str:
        """One line for `incidents` and for the alert."""
        state = "acknowledged" if self.acknowledged_at else "OPEN"
        return (
            f"{self.incident_id[:8]}  {self.detected_at}  {state:<12}  {self.endpoint}  "
            f"{self.suspect_records}/{self.records_in_response} suspect  {','.join(self.kinds)}"
        )


# Only these response headers go into a record: they are what made a cache check fail and
# carry no customer data.
_CACHE_HEADERS = (
    "age",
    "cache-control",
    "x-cache",
    "x-cache-status",
    "x-proxy-cache",
    "cf-cache-status",
    "x-served-from",
    "via",
)


def build_incident(
    *,
    account: str,
    endpoint: str,
    findings: Sequence[Finding],
    records_in_response: int,
    requested_ids: int,
    hasher: IdHasher,
    headers: Mapping[str, str],
    now: datetime | None = None,
) -> Incident:
    """Turn the guards' findings on one response into a record with nothing personal in it."""
    suspect: set[int] = set()
    foreign: set[int] = set()
    for finding in findings:
        suspect |= finding.suspect_ids
        if finding.kind in FOREIGN_KINDS:
            foreign |= finding.suspect_ids
    when = (now or datetime.now(UTC)).astimezone(UTC)
    return Incident(
        incident_id=uuid.uuid4().hex,
        detected_at=when.isoformat(timespec="seconds").replace("+00:00", "Z"),
        account=account,
        endpoint=endpoint,
        kinds=tuple(dict.fromkeys(str(f.kind) for f in findings)),
        details=tuple(f.detail for f in findings),
        records_in_response=records_in_response,
        suspect_records=len(suspect),
        requested_ids=requested_ids,
        hashed_ids=tuple(sorted(hasher(i) for i in suspect)),
        foreign_hashed_ids=tuple(sorted(hasher(i) for i in foreign)),
        salt_id=hasher.salt_id,
        cache_headers={k: headers[k][:200] for k in _CACHE_HEADERS if k in headers},
    )


def export_document(account: str, incidents: Iterable[Incident]) -> dict[str, Any]:
    """The JSON document `incidents --export` writes."""
    items = [i.to_dict() for i in incidents]
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "account": account,
        "note": (
            "Responses from Click & Drop that did not belong to this account were quarantined: "
            "never stored, shown or printed. Order ids are salted SHA-256 hashes; no personal "
            "data of the records is kept."
        ),
        "incidents": items,
    }


def export_json(account: str, incidents: Iterable[Incident]) -> str:
    return json.dumps(export_document(account, incidents), indent=2, sort_keys=True) + "\n"
