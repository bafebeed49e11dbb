"""CSV import of a shop's export: encodings, delimiters, headers, per-row errors, hostile
cells, huge files, and a commit that is all or nothing. Hypothesis for the parser."""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clickdrop_desktop.csv_import import (
    ImportRefused,
    commit_import,
    preview_csv,
    reference_checker,
)
from clickdrop_desktop.store import Store

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "samples" / "orders.csv"
NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
HEADER = ["Order Number", "Name", "Address 1", "City", "Post Code", "Country", "Weight", "Service"]


def rows_csv(rows: list[list[str]], *, header: list[str] = HEADER, delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue()


GOOD_ROWS = [
    ["A-1", "Zoë Ffrench", "1 High St", "Leeds", "LS1 1AA", "United Kingdom", "750", "TPN24"],
    ["A-2", "Seán Ó Briain", "2 Low Rd", "Dublin", "D02 VY53", "IE", "120", ""],
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "store.db", os.urandom(32), account_id="csv-test")
    yield opened
    opened.close()


def test_the_sample_shop_export_imports_cleanly() -> None:
    preview = preview_csv(SAMPLE, now=NOW)
    assert preview.problem() is None, preview.errors
    assert preview.encoding_note == "UTF-8 (with BOM)"
    assert len(preview.rows) == 10
    merged = next(r for r in preview.rows if r.reference == "#1003")
    assert (merged.items, merged.weight_grams) == (2, "1500")  # two line items, one parcel
    assert {r.country for r in preview.rows} == {"GB", "IE", "FR"}
    assert preview.columns["postcode"] == "Post Code"


@pytest.mark.parametrize(
    ("encoding", "note"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8 (with BOM)"),
        ("utf-16", "UTF-16 (with BOM)"),
        ("utf-16-le", "UTF-16 (little endian, no BOM)"),
        ("utf-16-be", "UTF-16 (big endian, no BOM)"),
        ("cp1252", "Windows-1252"),
    ],
)
def test_encodings_are_detected_and_said(encoding: str, note: str) -> None:
    preview = preview_csv(rows_csv(GOOD_ROWS).encode(encoding), now=NOW)
    assert preview.encoding_note.startswith(note)
    assert preview.problem() is None, preview.errors
    assert [r.name for r in preview.rows] == ["Zoë Ffrench", "Seán Ó Briain"]


def test_bytes_that_are_not_windows_1252_fall_back_to_latin_1() -> None:
    data = rows_csv(GOOD_ROWS).encode("cp1252").replace(b"2 Low Rd", b"2 Low\x81Rd")
    preview = preview_csv(data, now=NOW)
    assert preview.encoding_note.startswith("Latin-1")
    assert preview.rows[1].warnings == ("control or invisible characters removed",)


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiters_are_sniffed(delimiter: str) -> None:
    preview = preview_csv(rows_csv(GOOD_ROWS, delimiter=delimiter).encode(), now=NOW)
    assert preview.delimiter == delimiter
    assert preview.problem() is None


def test_header_names_vary_by_shop() -> None:
    header = [
        "Reference",
        "First Name",
        "Surname",
        "Street",
        "Town",
        "ZIP",
        "Country Code",
        "Weight (kg)",
        "Shipping Method",
        "Gift message",
    ]
    text = rows_csv(
        [["B-1", "Ada", "Lovelace", "1 Sq", "London", "SW1Y 4LB", "gb", "0.75", "TPN24", "hi"]],
        header=header,
    )
    preview = preview_csv(text.encode(), now=NOW)
    assert preview.problem() is None, preview.errors
    row = preview.rows[0]
    assert (row.name, row.weight_grams, row.service_code) == ("Ada Lovelace", "750", "TPN24")
    assert preview.unknown_columns == ["Gift message"]


def test_a_missing_column_is_one_clear_message() -> None:
    text = rows_csv([["C-1", "Ann", "Leeds"]], header=["Order", "Name", "City"])
    preview = preview_csv(text.encode(), now=NOW)
    assert preview.fatal is not None
    assert "no column for address_line1, postcode, weight" in preview.fatal
    assert preview.problem() == preview.fatal


def test_bad_rows_get_per_row_errors_and_nothing_is_imported(store: Store) -> None:
    rows = [
        *GOOD_ROWS,
        ["A-3", "Bob", "", "York", "YO1 7HH", "GB", "200", ""],
        ["A-4", "Cy", "4 Lane", "Leeds", "LS1 1AA", "Narnia", "200", ""],
        ["A-5", "Di", "5 Lane", "Leeds", "nope", "GB", "99999", ""],
        ["A-1", "Ed", "6 Lane", "Leeds", "LS1 1AA", "GB", "200", ""],
        ["", "Flo", "7 Lane", "Leeds", "LS1 1AA", "GB", "200", ""],
    ]
    preview = preview_csv(rows_csv(rows).encode(), now=NOW)
    got = {(e.line, e.field) for e in preview.errors}
    assert got == {
        (4, "address_line1"),
        (5, "country"),
        (6, "postcode"),
        (6, "weight"),
        (7, "reference"),
        (8, "reference"),
    }
    assert "used again (first on line 2)" in str(preview.errors[4])
    problem = preview.problem()
    assert problem is not None
    assert problem.startswith("5 row(s) have errors (first: line 4: address_line1: required)")
    with pytest.raises(ImportRefused, match="nothing was imported"):
        commit_import(store, preview)
    assert store.outbox.list() == []
    assert store.count_orders() == 0


def test_hostile_cells(store: Store) -> None:
    rows = [
        [
            "H-1",
            '=HYPERLINK("http://evil.example","click")',
            "1 St",
            "Leeds",
            "LS1 1AA",
            "GB",
            "100",
            "",
        ],
        ["H-2", "@SUM(A1:A9)", "1 St", "Leeds", "LS1 1AA", "GB", "100", ""],
        ["H-3", "Eve\u202eLIVE\u202c", "1\x07 St\x00", "Leeds", "LS1 1AA", "GB", "100", ""],
        ["H-4", "+44 cmd|' /C calc'!A0", "1 St", "Leeds", "LS1 1AA", "GB", "100", ""],
        ["H-5", "- none -", "1 St", "Leeds", "LS1 1AA", "GB", "100", ""],
    ]
    preview = preview_csv(rows_csv(rows).encode(), now=NOW)
    formula = [e for e in preview.errors if "formula" in e.message]
    assert [e.line for e in formula] == [2, 3, 5]
    cleaned = preview.rows[2]
    assert cleaned.errors == ()
    assert cleaned.name == "EveLIVE"
    assert cleaned.warnings == ("control or invisible characters removed",)
    assert cleaned.request is not None
    address = cleaned.request.to_api()["recipient"]["address"]
    assert address["addressLine1"] == "1 St"
    assert preview.rows[4].errors == ()  # a leading dash alone is text, not a formula


def test_a_reference_already_here_is_a_row_error(store: Store) -> None:
    first = preview_csv(rows_csv(GOOD_ROWS).encode(), reference_taken=reference_checker(store))
    commit_import(store, first)
    again = preview_csv(rows_csv(GOOD_ROWS).encode(), reference_taken=reference_checker(store))
    assert {(e.line, e.field, e.message) for e in again.errors} == {
        (2, "reference", "already used by another order"),
        (3, "reference", "already used by another order"),
    }


def test_commit_queues_everything_in_one_transaction(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [[f"T-{i}", "Ann", f"{i} St", "Leeds", "LS1 1AA", "GB", "100", ""] for i in range(50)]
    preview = preview_csv(rows_csv(rows).encode(), now=NOW)
    assert preview.ok
    real = store.outbox.enqueue
    calls: list[int] = []

    def failing(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 40:
            raise OSError("disk full")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store.outbox, "enqueue", failing)
    with pytest.raises(OSError, match="disk full"):
        commit_import(store, preview)
    assert store.outbox.list() == []  # nothing half-imported
    assert store.count_orders() == 0
    monkeypatch.setattr(store.outbox, "enqueue", real)
    items = commit_import(store, preview)
    assert len(items) == 50
    assert {i.kind for i in items} == {"create"}
    assert all(i.payload["source"] == "csv" for i in items)
    assert store.count_orders() == 50


def test_huge_files_are_read_streamed_up_to_a_cap(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(30_000):
            writer.writerow([f"H{i}", "Ann", f"{i} St", "Leeds", "LS1 1AA", "GB", "100", ""])
    preview = preview_csv(path, max_rows=2000, now=NOW)
    assert preview.truncated
    assert len(preview.rows) == 2000
    problem = preview.problem()
    assert problem is not None
    assert "more than 2000 orders" in problem
    assert "nothing was imported" in problem


def test_oversized_cells_and_unreadable_files_are_one_line() -> None:
    giant = rows_csv([["G-1", "x" * 200_000, "1 St", "Leeds", "LS1 1AA", "GB", "1", ""]])
    preview = preview_csv(giant.encode(), now=NOW)
    assert preview.fatal is not None
    assert "not readable as CSV" in preview.fatal
    assert preview_csv(b"", now=NOW).fatal == "the file is empty"
    assert preview_csv(Path("/no/such/file.csv")).fatal is not None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_give_a_preview_never_an_exception(data: bytes) -> None:
    preview = preview_csv(data, now=NOW)
    assert preview.ok or preview.problem()


safe_text = (
    st.text(alphabet=st.characters(codec="cp1252", categories=["L", "Zs"]), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(st.tuples(safe_text, safe_text, st.integers(1, 30000)), min_size=1, max_size=15),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_valid_exports_round_trip(
    rows: list[tuple[str, str, int]], delimiter: str, encoding: str
) -> None:
    table = [
        [f"R{i}", name, f"{i} {street}", "Leeds", "LS1 1AA", "GB", str(weight), ""]
        for i, (name, street, weight) in enumerate(rows)
    ]
    preview = preview_csv(rows_csv(table, delimiter=delimiter).encode(encoding), now=NOW)
    assert preview.problem() is None, preview.errors
    assert [r.reference for r in preview.rows] == [f"R{i}" for i in range(len(rows))]
    for row, (name, _street, weight) in zip(preview.rows, rows, strict=True):
        assert row.request is not None
        body = row.request.to_api()
        spaced = "".join(" " if unicodedata.category(c) == "Zs" else c for c in name)
        assert body["recipient"]["address"]["fullName"] == spaced
        assert body["packages"][0]["weightInGrams"] == weight
