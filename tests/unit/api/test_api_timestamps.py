"""Timestamps from the API: naive, offset, .NET fractions, and ones out of the calendar's range."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from clickdrop_desktop.api.errors import BadResponse
from clickdrop_desktop.api.models import parse_datetime


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-22T10:20:54", datetime(2026, 1, 22, 10, 20, 54, tzinfo=UTC)),
        ("2026-01-22T10:20:54Z", datetime(2026, 1, 22, 10, 20, 54, tzinfo=UTC)),
        ("2026-01-22T10:20:54+01:00", datetime(2026, 1, 22, 9, 20, 54, tzinfo=UTC)),
        ("2026-01-22T10:20:54.1234567", datetime(2026, 1, 22, 10, 20, 54, 123456, tzinfo=UTC)),
    ],
)
def test_accepted_forms_become_aware_utc(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    "text", ["9999-12-31T23:00:00-23:00", "0001-01-01T00:00:00+01:00", "yesterday", "2026-13-01"]
)
def test_out_of_range_or_garbage_is_a_bad_response(text: str) -> None:
    with pytest.raises(BadResponse):
        parse_datetime(text)
