"""Hostile CSV exports, structure-aware: a real header, then rows of hostile cells.

Properties, for every file: `preview_csv` returns a preview (never raises, never hangs on a
cell), its problem is one line; a row that passes has no control, zero-width or bidi
character and no spreadsheet formula left in anything it would send to Click & Drop; and
`commit_import` into a real encrypted store queues every order of a clean file or nothing.
Plain random bytes are covered by tests/unit/test_csv_import.py; here the header is right, so
every hostile cell reaches the validation behind it.
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clickdrop_desktop.csv_columns import looks_like_formula
from clickdrop_desktop.csv_import import (
    ImportRefused,
    commit_import,
    preview_csv,
    reference_checker,
)
from clickdrop_desktop.orders_form import NewOrderForm, PackageInput, validate
from clickdrop_desktop.store import Store
from tests.reliability.ledger import Tally, scaled

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

HEADERS = [
    "Order Number",
    "Name",
    "First Name",
    "Last Name",
    "Company",
    "Address 1",
    "Address 2",
    "City",
    "County",
    "Post Code",
    "Country",
    "Weight",
    "Weight (kg)",
    "Service",
    "Phone",
    "Email",
    "Subtotal",
    "Total",
    "Shipping Cost",
    "Order Date",
    "Special Instructions",
    "Package Format",
    "Notes",  # a column we do not know
]
REQUIRED = ["Order Number", "Name", "Address 1", "City", "Post Code", "Weight"]

HOSTILE = (
    "=+-@\t\r\n\x00\x01\x1b\x7f\x85\u200b\u200e\u202e\u2066\ufeff\"';,|%"
    "é€£ß日本👩‍👩‍👧\u0301<>&^~_\\0123456789.eEkgKG "
)
cell = st.one_of(
    st.text(alphabet=st.sampled_from(HOSTILE), max_size=30),
    st.text(max_size=20),
    st.sampled_from(
        [
            '=HYPERLINK("http://x","y")',
            "@SUM(A1)",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "1e999999999",
            "1e300000",
            "1e999999999kg",
            "9" * 5000,
            "0.75",
            "750g",
            "-1",
            "NaN",
            "Infinity",
            "0x10",
            "١٢٣",  # Arabic-Indic digits
            "2026-02-30",
            "99999999999999999999999",
            "Ada Lovelace",
            "LS1 1AA",
            "GB",
            "ZZ",
            "TPN24",
        ]
    ),
)


@st.composite
def exports(draw: st.DrawFn) -> tuple[bytes, int]:
    extra = draw(st.lists(st.sampled_from(HEADERS), max_size=6, unique=True))
    header = list(dict.fromkeys(REQUIRED + extra))
    header = draw(st.permutations(header))
    rows = draw(st.lists(st.lists(cell, min_size=len(header), max_size=len(header)), max_size=12))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return buffer.getvalue().encode(encoding, errors="replace"), len(rows)


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


INVISIBLE = {chr(c) for c in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), 0xFEFF)}
INVISIBLE |= {chr(c) for c in (*range(0x2060, 0x2065), *range(0x2066, 0x206A))}


def test_hostile_csv_exports_are_previewed_and_imported_all_or_nothing(tmp_path: Path) -> None:
    tally = Tally("fuzz: CSV importer (hostile cells under a real header)", unit="files")
    store = Store.open(tmp_path / "store.db", os.urandom(32), account_id="acct-csv")

    @settings(
        max_examples=scaled(250),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(export=exports())
    @example(
        export=(
            b"Order Number,Name,Address 1,City,Post Code,Weight (kg)\n"
            b"R1,Ada,1 St,Leeds,LS1 1AA,1e999999999\n",
            1,
        )
    )
    @example(
        export=(
            b"Order Number,Name,Address 1,City,Post Code,Weight\n"
            b"R1,Ada,1 St,Leeds,LS1 1AA,1e300000kg\n",
            1,
        )
    )
    @example(
        export=(
            b"Order Number,Name,Address 1,City,Post Code,Weight\n"
            b"R1,Ada,1 St,Leeds,LS1 1AA," + b"9" * 5000 + b"\n",
            1,
        )
    )
    @example(export=(b'"Order\nNumber\x1b]0;pwned\x07\x1b[2J",Name\n1,2\n', 1))
    @example(export=(b"Order Number,Name,Address 1,City,Post Code,Weight\n\xc2\xb2,,,,,\n", 1))
    @example(
        export=(
            "Order Number,Name,Address 1,City,Post Code,Weight\n"
            "R1,Ada,1 St,Leeds,LS1 1AA,²\nR1,,,,,1\n".encode(),
            2,
        )
    )
    def check(export: tuple[bytes, int]) -> None:
        data, rows = export
        tally.bad_inputs += max(rows, 1)
        # A cell that made the preview hang (a regex time bomb) fails on the test's timeout:
        # no wall-clock assertion here (a loaded CI machine would fail one by luck).
        preview = preview_csv(data, now=NOW, reference_taken=reference_checker(store))
        problem = preview.problem()
        # One line, and nothing a terminal would act on (ESC sequences, NUL, NEL...).
        assert problem is None or not any(unicodedata.category(c) == "Cc" for c in problem)
        for row in preview.rows:
            if row.errors or row.request is None:
                continue
            for text in strings_in(row.request.to_api()):
                assert not any(unicodedata.category(ch) == "Cc" for ch in text), repr(text)
                assert not set(text) & INVISIBLE, repr(text)
                assert not looks_like_formula(text), repr(text)
        before = len(store.outbox.list())
        if preview.ok:
            queued = commit_import(store, preview)
            assert len(queued) == len(preview.requests())
            assert len(store.outbox.list()) == before + len(queued)
        else:
            with pytest.raises(ImportRefused):
                commit_import(store, preview)
            assert len(store.outbox.list()) == before  # nothing half-imported

    try:
        check()
    finally:
        store.close()
    tally.runs = tally.bad_inputs
    tally.record()


def test_the_new_order_form_takes_any_text() -> None:
    """The form the GUI shows (and the CSV import reuses) never raises on what is typed."""
    tally = Tally("fuzz: new-order form (any text in every field)", unit="forms")
    names = [f for f in NewOrderForm.__dataclass_fields__ if f != "packages"]

    @settings(max_examples=scaled(400), deadline=None, database=None)
    @given(
        values=st.fixed_dictionaries({}, optional={n: cell for n in names}),
        weight=cell,
    )
    @example(values={}, weight="9" * 5000)
    @example(values={"subtotal": "1e999999999", "total": "-1e999999999"}, weight="750")
    def check(values: dict[str, str], weight: str) -> None:
        tally.bad_inputs += 1
        form = NewOrderForm(**values, packages=(PackageInput(weight),))
        result = validate(form, now=NOW)
        assert (result.request is None) == bool(result.errors)
        for message in result.errors.values():
            assert message
            assert "\n" not in message
        if result.request is not None:
            for text in strings_in(result.request.to_api()):
                assert not any(unicodedata.category(ch) == "Cc" for ch in text), repr(text)

    check()
    tally.runs = tally.bad_inputs
    tally.record()
