"""Incident records hold metadata only: counts, kinds, salted hashes; never foreign data."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from clickdrop_desktop.sync.guards import Finding, FindingKind
from clickdrop_desktop.sync.incidents import IdHasher, Incident, build_incident, export_json


def test_hasher_is_salted_and_stable() -> None:
    a, b = IdHasher(b"a" * 16), IdHasher(b"b" * 16)
    assert a(42) == a(42)
    assert a(42) != b(42)
    assert len(a(42)) == 64
    assert a.salt_id != b.salt_id


def test_build_and_round_trip() -> None:
    hasher = IdHasher(b"z" * 16)
    findings = [
        Finding(FindingKind.UNREQUESTED_IDS, frozenset({7, 8}), "2 not asked for"),
        Finding(FindingKind.SHARED_CACHE, frozenset({1, 7, 8}), "cache"),
    ]
    incident = build_incident(
        account="shop",
        endpoint="GET /orders/{orderIdentifiers}",
        findings=findings,
        records_in_response=3,
        requested_ids=1,
        hasher=hasher,
        headers={"age": "5", "set-cookie": "secret=1", "x-cache": "HIT"},
        now=datetime(2026, 11, 1, 13, 0, tzinfo=UTC),
    )
    assert incident.detected_at == "2026-11-01T13:00:00Z"
    assert incident.kinds == ("unrequested_ids", "shared_cache")
    assert incident.suspect_records == 3
    assert set(incident.hashed_ids) == {hasher(1), hasher(7), hasher(8)}
    assert dict(incident.cache_headers) == {"age": "5", "x-cache": "HIT"}
    assert Incident.from_dict(json.loads(json.dumps(incident.to_dict()))) == incident
    assert "OPEN" in incident.summary()


def test_export_document() -> None:
    hasher = IdHasher(b"q" * 16)
    incident = build_incident(
        account="shop",
        endpoint="GET /orders",
        findings=[Finding(FindingKind.FOREIGN_TRADING_NAME, frozenset({123456}), "x")],
        records_in_response=100,
        requested_ids=0,
        hasher=hasher,
        headers={},
    )
    text = export_json("shop", [incident])
    doc = json.loads(text)
    assert doc["format"] == "clickdrop-desktop/isolation-incidents"
    assert doc["incidents"][0]["hashed_ids"] == [hasher(123456)]
    assert "123456" not in text
