#!/usr/bin/env python3
"""Coverage-guided fuzzing (atheris, libFuzzer) of the parsers and sanitisers.

Usage: python tests/reliability/fuzz/run.py TARGET [libFuzzer options, e.g. -runs=100000
       -max_total_time=60 CORPUS_DIR]

Targets: api (order, /full, create/delete/status results, version, errors from JSON bytes),
csv (the CSV importer), identifiers (encoder -> the sandbox's parser, and user-typed keys),
printers (ZPL, TSPL and ESC/POS sanitisers, checked by our decoders). Each input must end in
the target's documented result or its typed error; anything else is a crash that libFuzzer
reports with the input that caused it. atheris is not a project dependency (it has no Windows
wheels): `pip install atheris` in the venv first. Not part of the pytest run.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

import atheris  # noqa: E402 - after the path, so the project imports below resolve

with atheris.instrument_imports():
    from clickdrop_desktop.api.errors import BadResponse
    from clickdrop_desktop.api.identifiers import encode_keys, parse_key
    from clickdrop_desktop.api.models import Order, VersionInfo
    from clickdrop_desktop.api.results import (
        CreateOrdersResult,
        DeleteResult,
        StatusUpdateResult,
        problems_from_body,
    )
    from clickdrop_desktop.csv_import import preview_csv
    from clickdrop_desktop.sandbox.identifiers import parse_identifiers
    from printing.decoders import decode_bytes
    from printing.sanitise import clean_text, escpos_text, tspl_string, zpl_field

PARSERS: list[Callable[[object], object]] = [
    Order.from_api,
    Order.from_api_full,
    CreateOrdersResult.parse_page,
    DeleteResult.parse_page,
    StatusUpdateResult.parse_page,
    VersionInfo.from_api,
    problems_from_body,
]


# The API's own field names, so generated objects reach the parsers' field handling.
FIELDS = [
    "orderIdentifier",
    "orderReference",
    "createdOn",
    "orderDate",
    "printedOn",
    "shippedOn",
    "manifestedOn",
    "trackingNumber",
    "packages",
    "packageNumber",
    "shippingDetails",
    "shippingInfo",
    "billingInfo",
    "orderLines",
    "tradingName",
    "subtotal",
    "shippingCostCharged",
    "orderDiscount",
    "total",
    "weightInGrams",
    "orderStatus",
    "createdOrders",
    "failedOrders",
    "successCount",
    "errorsCount",
    "errors",
    "order",
    "label",
    "labelErrors",
    "deletedOrders",
    "updatedOrders",
    "status",
    "releaseDate",
    "commit",
    "build",
    "release",
    "code",
    "message",
    "errorCode",
    "errorMessage",
    "fields",
    "fieldName",
    "value",
    "details",
    "description",
    "SKU",
    "name",
    "quantity",
]


def consume_json(fdp: atheris.FuzzedDataProvider, depth: int = 0) -> object:
    """Any JSON value, biased towards objects with the API's field names."""
    kind = fdp.ConsumeIntInRange(0, 7 if depth < 4 else 4)
    if kind == 0:
        return None
    if kind == 1:
        return fdp.ConsumeBool()
    if kind == 2:
        return fdp.ConsumeInt(8)
    if kind == 3:
        return fdp.ConsumeRegularFloat()
    if kind == 4:
        return fdp.ConsumeUnicodeNoSurrogates(30)
    if kind == 5:
        return [consume_json(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 4))]
    out: dict[str, object] = {}
    for _ in range(fdp.ConsumeIntInRange(0, 8)):
        key = (
            FIELDS[fdp.ConsumeIntInRange(0, len(FIELDS) - 1)]
            if kind == 6
            else (fdp.ConsumeUnicodeNoSurrogates(10))
        )
        out[key] = consume_json(fdp, depth + 1)
    return out


def fuzz_api(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    parse = PARSERS[fdp.ConsumeIntInRange(0, len(PARSERS) - 1)]
    value = consume_json(fdp)
    message: str | None = None
    try:
        parse(value)
    except BadResponse as exc:
        message = exc.message
    if message is not None:
        assert message
        assert "\n" not in message


def fuzz_csv(data: bytes) -> None:
    preview = preview_csv(data)
    problem = preview.problem()
    assert problem is None or "\n" not in problem


def fuzz_identifiers(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    keys: list[int | str] = []
    for _ in range(fdp.ConsumeIntInRange(1, 20)):
        if fdp.ConsumeBool():
            keys.append(fdp.ConsumeIntInRange(0, 2_147_483_647))
        else:
            text = fdp.ConsumeUnicodeNoSurrogates(40)
            if text:
                keys.append(text)
    keys = list(dict.fromkeys(keys))
    if keys:
        assert parse_identifiers(encode_keys(keys)) == keys
    with contextlib.suppress(ValueError):
        parse_key(fdp.ConsumeUnicodeNoSurrogates(60))


def fuzz_printers(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    text = fdp.ConsumeUnicodeNoSurrogates(200)
    zpl = decode_bytes(f"^XA^CI28^FO10,10^A0N,30,30{zpl_field(text)}^XZ".encode(), strict=False)
    assert zpl.commands == ["^XA", "^CI", "^FO", "^A0", "^FH", "^FD", "^FS", "^XZ"]
    tspl = f'SIZE 4,6\r\nCLS\r\nTEXT 10,10,"3",0,1,1,{tspl_string(text)}\r\nPRINT 1\r\n'
    assert decode_bytes(tspl.encode("cp1252"), language="tspl").commands == [
        "SIZE",
        "CLS",
        "TEXT",
        "PRINT",
    ]
    escpos = escpos_text(text)
    assert not any(ch in escpos for ch in "\x1b\x1d\x10\x1c\x18\r")
    assert len(clean_text(text)) <= 100


TARGETS = {
    "api": fuzz_api,
    "csv": fuzz_csv,
    "identifiers": fuzz_identifiers,
    "printers": fuzz_printers,
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        raise SystemExit(f"usage: run.py {{{'|'.join(TARGETS)}}} [libFuzzer options]")
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
