"""New orders from a shop's CSV export: detect, preview with per-row errors, commit all or none.

`preview_csv(source)` reads the file streamed (never all in memory): it detects the encoding
(UTF-8 with or without BOM, UTF-16 by BOM or by its zero bytes, else Windows-1252, else
Latin-1, and says which), sniffs the delimiter (`,` `;` tab `|`), matches the header to our
fields (csv_columns.py), and validates each row with the new-order form's rules. Rows past
`max_rows` are not read: the preview is marked truncated with a clear message. A row that
repeats the previous order's reference with no address is another line item of that order
(its weight is added). Hostile cells (spreadsheet formulas, control and bidi characters) are
rejected or cleaned, and said so.

`commit_import(store, preview)` queues every order in ONE transaction, and only when the whole
preview is clean: nothing is ever half-imported.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

from clickdrop_desktop.api.requests import CreateOrderRequest
from clickdrop_desktop.csv_columns import (
    ADDRESS_FIELDS,
    clean_cell,
    country_code,
    looks_like_formula,
    match_columns,
)
from clickdrop_desktop.orders_form import NewOrderForm, PackageInput, validate
from clickdrop_desktop.outbox.changes import ChangeRefused, queue_new_orders, reference_in_use
from clickdrop_desktop.outbox.operations import OpSource
from clickdrop_desktop.store import OutboxItem, Store

DEFAULT_MAX_ROWS = 5000
_CHUNK = 1 << 16
_SNIFF_CHARS = 32_768
_FORM_TO_CSV = {"country_code": "country"}  # form field -> the column's field name here
_REQUIRED = ("reference", "address_line1", "city", "postcode")
_NUMERIC = frozenset(
    {"weight", "weight_kg", "subtotal", "shipping_cost_charged", "total", "phone_number"}
)
# Far above any parcel, and small enough that a cell like "1e300000" or 5,000 digits never
# becomes a huge int (seconds of CPU, or Python's int/str digit limit raising mid-preview).
_MAX_WEIGHT_DIGITS = 9
_MAX_KG = Decimal(1_000_000)


class ImportRefused(Exception):
    """The preview has errors (or was cut short): nothing was imported; one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class RowError:
    line: int  # line in the file (the header is line 1)
    field: str  # our field name, or "row"
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class ImportRow:
    line: int
    reference: str
    name: str
    postcode: str
    country: str
    weight_grams: str
    service_code: str
    request: CreateOrderRequest | None
    errors: tuple[RowError, ...] = ()
    warnings: tuple[str, ...] = ()
    items: int = 1  # line items merged into this order


@dataclass(slots=True)
class ImportPreview:
    encoding: str = ""  # the codec used
    encoding_note: str = ""  # what the user is told ("UTF-8 with BOM", ...)
    delimiter: str = ","
    columns: dict[str, str] = field(default_factory=dict)  # our field -> header in the file
    unknown_columns: list[str] = field(default_factory=list)
    rows: list[ImportRow] = field(default_factory=list)
    truncated: bool = False
    max_rows: int = DEFAULT_MAX_ROWS
    fatal: str | None = None  # the file as a whole cannot be imported

    @property
    def errors(self) -> list[RowError]:
        return [e for row in self.rows for e in row.errors]

    @property
    def ok(self) -> bool:
        return self.fatal is None and not self.truncated and bool(self.rows) and not self.errors

    def problem(self) -> str | None:
        """One line saying why this cannot be imported; None when it can."""
        if self.fatal:
            return self.fatal
        if self.truncated:
            return (
                f"the file has more than {self.max_rows} orders: import at most {self.max_rows} "
                "at a time (split the file); nothing was imported"
            )
        if not self.rows:
            return "the file has a header but no orders"
        errors = self.errors
        if errors:
            bad = len({e.line for e in errors})
            return f"{bad} row(s) have errors (first: {errors[0]}); nothing was imported"
        return None

    def requests(self) -> list[CreateOrderRequest]:
        return [row.request for row in self.rows if row.request is not None]


# -- encoding ------------------------------------------------------------------------------------


def _decodes(handle: BinaryIO, codec: str) -> bool:
    handle.seek(0)
    decoder = codecs.getincrementaldecoder(codec)("strict")
    try:
        while chunk := handle.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(handle: BinaryIO) -> tuple[str, str]:
    """(codec, note) for the whole file, read in chunks."""
    handle.seek(0)
    head = handle.read(4096)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "UTF-8 (with BOM)"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "UTF-16 (with BOM)"
    if head and head.count(0) > len(head) // 4:
        # Text in UTF-16 without a BOM: every other byte of ASCII text is zero.
        odd_zeros = head[1::2].count(0)
        codec = "utf-16-le" if odd_zeros >= head[0::2].count(0) else "utf-16-be"
        if _decodes(handle, codec):
            return codec, f"UTF-16 ({'little' if codec.endswith('le') else 'big'} endian, no BOM)"
    if _decodes(handle, "utf-8"):
        return "utf-8", "UTF-8"
    if _decodes(handle, "cp1252"):
        return "cp1252", "Windows-1252 (not UTF-8: read as a Windows/Excel export)"
    return "latin-1", "Latin-1 (neither UTF-8 nor Windows-1252: check accented letters)"


def _sniff_delimiter(sample: str) -> str:
    first = sample.splitlines()[0] if sample else ""
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: first.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


# -- preview -------------------------------------------------------------------------------------


def preview_csv(
    source: Path | bytes | BinaryIO,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    reference_taken: Callable[[str], bool] | None = None,
    default_service: str | None = None,
    now: datetime | None = None,
) -> ImportPreview:
    """Read and check a CSV export; never raises on bad content (see `ImportPreview.problem`)."""
    if isinstance(source, Path):
        try:
            with source.open("rb") as opened:
                return _preview(opened, max_rows, reference_taken, default_service, now)
        except OSError as exc:
            return ImportPreview(fatal=f"cannot read {source.name}: {exc.strerror or exc}")
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    return _preview(handle, max_rows, reference_taken, default_service, now)


def _preview(
    handle: BinaryIO,
    max_rows: int,
    reference_taken: Callable[[str], bool] | None,
    default_service: str | None,
    now: datetime | None,
) -> ImportPreview:
    codec, note = detect_encoding(handle)
    preview = ImportPreview(encoding=codec, encoding_note=note, max_rows=max_rows)
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding=codec, errors="strict", newline="")
    line = 1
    try:
        sample = text.read(_SNIFF_CHARS)
        preview.delimiter = _sniff_delimiter(sample)
        text.seek(0)
        reader = csv.reader(text, delimiter=preview.delimiter, strict=False)
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            preview.fatal = "the file is empty"
            return preview
        columns, preview.unknown_columns = match_columns(header)
        preview.columns = {name: header[i].strip() for name, i in columns.items()}
        missing = _missing(columns)
        if missing:
            # The file's own header, shown to the user: no line breaks, control or escape
            # characters (a terminal acts on ESC sequences), and not the whole of a huge cell.
            found = ", ".join(c[:40] for c in (clean_cell(h)[0].strip() for h in header) if c)
            preview.fatal = f"no column for {', '.join(missing)} (found: {found[:300]})"
            return preview
        builder = _RowBuilder(columns, reference_taken, default_service, now)
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if builder.continues(cells, reader.line_num):
                continue
            if len(builder.rows) >= max_rows:
                preview.truncated = True
                break
            builder.add(cells, reader.line_num)
        preview.rows = builder.finish()
    except csv.Error as exc:
        preview.fatal = f"after line {line}: not readable as CSV ({exc})"
    except UnicodeDecodeError:
        preview.fatal = f"the file is not valid {note}"
    finally:
        text.detach()
    return preview


def _missing(columns: dict[str, int]) -> list[str]:
    missing = [name for name in _REQUIRED if name not in columns]
    if not ({"full_name", "first_name", "last_name", "company_name"} & set(columns)):
        missing.append("name")
    if "weight" not in columns and "weight_kg" not in columns:
        missing.append("weight")
    return missing


class _RowBuilder:
    def __init__(
        self,
        columns: dict[str, int],
        taken: Callable[[str], bool] | None,
        default_service: str | None,
        now: datetime | None,
    ) -> None:
        self._columns = columns
        self._taken = taken
        self._service = default_service or ""
        self._now = now
        self.rows: list[ImportRow] = []
        self._values: list[dict[str, str]] = []  # the cleaned cells of each row
        self._seen: dict[str, int] = {}  # casefolded reference -> line

    def _cells(self, cells: list[str]) -> tuple[dict[str, str], list[RowError], bool]:
        values: dict[str, str] = {}
        errors: list[RowError] = []
        cleaned_any = False
        for name, index in self._columns.items():
            raw = cells[index] if index < len(cells) else ""
            value, cleaned = clean_cell(raw)
            cleaned_any |= cleaned
            if name not in _NUMERIC and looks_like_formula(value):
                errors.append(RowError(0, name, "looks like a spreadsheet formula; not imported"))
                value = ""
            values[name] = value.strip()
        return values, errors, cleaned_any

    def continues(self, cells: list[str], line: int) -> bool:
        """Another line item of the previous order: same reference, no address of its own."""
        if not self.rows:
            return False
        values, _, _ = self._cells(cells)
        previous = self.rows[-1]
        ref = values.get("reference", "")
        if not ref or ref != previous.reference or any(values.get(f) for f in ADDRESS_FIELDS):
            return False
        weight = _grams(values)
        merged_weight = previous.weight_grams
        if weight is not None and previous.weight_grams.isdecimal():  # not "²" (int refuses)
            merged_weight = str(int(previous.weight_grams) + weight)
        self.rows[-1] = replace(previous, weight_grams=merged_weight, items=previous.items + 1)
        return True

    def add(self, cells: list[str], line: int) -> None:
        values, cell_errors, cleaned = self._cells(cells)
        errors = [RowError(line, e.field, e.message) for e in cell_errors]
        warnings = ["control or invisible characters removed"] if cleaned else []
        name = values.get("full_name") or " ".join(
            v for v in (values.get("first_name"), values.get("last_name")) if v
        )
        country_text = values.get("country") or "GB"
        country = country_code(country_text)
        if country is None:
            errors.append(RowError(line, "country", f"unknown country {country_text[:40]!r}"))
        weight = _grams(values)
        weight_text = str(weight) if weight is not None else values.get("weight", "")
        if weight is None and values.get("weight_kg"):
            errors.append(RowError(line, "weight_kg", "not a weight in kg (e.g. 0.75)"))
        ref = values.get("reference", "")
        earlier = self._seen.get(ref.casefold())
        if ref and earlier is not None:
            errors.append(RowError(line, "reference", f"used again (first on line {earlier})"))
        elif ref:
            self._seen[ref.casefold()] = line
        row = ImportRow(
            line=line,
            reference=ref,
            name=name,
            postcode=values.get("postcode", ""),
            country=country or country_text,
            weight_grams=weight_text,
            service_code=values.get("service_code") or self._service,
            request=None,
            errors=tuple(errors),
            warnings=tuple(warnings),
        )
        if not ref:
            row = replace(row, errors=(*row.errors, RowError(line, "reference", "required")))
        self.rows.append(row)
        self._values.append(values)

    def finish(self) -> list[ImportRow]:
        out: list[ImportRow] = []
        for index, row in enumerate(self.rows):
            values = self._values[index]
            form = NewOrderForm(
                reference=row.reference,
                order_date=values.get("order_date", ""),
                full_name=row.name,
                company_name=values.get("company_name", ""),
                address_line1=values.get("address_line1", ""),
                address_line2=values.get("address_line2", ""),
                address_line3=values.get("address_line3", ""),
                city=values.get("city", ""),
                county=values.get("county", ""),
                postcode=row.postcode,
                country_code=row.country,
                phone_number=values.get("phone_number", ""),
                email_address=values.get("email_address", ""),
                packages=(PackageInput(row.weight_grams, values.get("package_format", "")),),
                service_code=row.service_code,
                subtotal=values.get("subtotal", ""),
                shipping_cost_charged=values.get("shipping_cost_charged", ""),
                total=values.get("total", ""),
                currency_code=values.get("currency_code") or "GBP",
                special_instructions=values.get("special_instructions", ""),
            )
            result = validate(
                form, reference_taken=self._taken if row.reference else None, now=self._now
            )
            errors = list(row.errors)
            known = {e.field for e in errors}
            for name, message in result.errors.items():
                public = "weight" if name.startswith("packages") else _FORM_TO_CSV.get(name, name)
                if public not in known and not (public == "reference" and not row.reference):
                    errors.append(RowError(row.line, public, message))
            out.append(
                replace(row, request=result.request if not errors else None, errors=tuple(errors))
            )
        return out


def _grams(values: dict[str, str]) -> int | None:
    grams = values.get("weight", "").replace(",", "").strip()
    if grams:
        if grams.lower().endswith("kg"):
            return _kg(grams[:-2])
        if grams.lower().endswith("g"):
            grams = grams[:-1].strip()
        if not grams.isascii() or not grams.isdigit() or len(grams) > _MAX_WEIGHT_DIGITS:
            return None
        return int(grams)
    kg = values.get("weight_kg", "")
    return _kg(kg) if kg else None


def _kg(text: str) -> int | None:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value > _MAX_KG:
        return None  # also keeps `value * 1000` below decimal.Overflow
    return int((value * 1000).to_integral_value())


# -- commit --------------------------------------------------------------------------------------


def commit_import(store: Store, preview: ImportPreview) -> list[OutboxItem]:
    """Queue every order of a clean preview in one transaction; `ImportRefused` otherwise."""
    problem = preview.problem()
    if problem:
        raise ImportRefused(problem)
    try:
        return queue_new_orders(store, preview.requests(), source=OpSource.CSV)
    except ChangeRefused as exc:
        raise ImportRefused(f"{exc.message}; nothing was imported") from None


def reference_checker(store: Store) -> Callable[[str], bool]:
    """`reference_taken` for previews: cached orders and queued creates."""
    from clickdrop_desktop.outbox.changes import pending_create_references

    pending = pending_create_references(store)
    return lambda ref: reference_in_use(store, ref, pending=pending)
