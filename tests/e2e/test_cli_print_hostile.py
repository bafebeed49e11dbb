"""Hostile customer text from the sandbox (ZPL/ESC-POS/TSPL commands, control bytes, other
scripts, 800-character names) printed through the CLI: no printer command survives into the
bytes. Every job decodes strictly to exactly our own commands, one label per order."""

from __future__ import annotations

from pathlib import Path

import pytest

from clickdrop_desktop.sandbox.hostile import ZPL_PAYLOAD
from clickdrop_desktop.sandbox.info import SandboxInfo
from printing.decoders import decode_bytes
from tests.helpers.cli import cli, orders_json, sign_in

pytestmark = pytest.mark.e2e

OUR_COMMANDS = {
    "zpl": {"^XA", "^FX", "^PW", "^LL", "^LH", "^PQ", "^FO", "^GF", "^FS", "^XZ"},
    "tspl": {"SIZE", "GAP", "DIRECTION", "REFERENCE", "CLS", "BITMAP", "PRINT"},
    "escpos": {"ESC @", "GS v 0", "GS V"},
}
# Pieces of the sandbox's hostile records that must never appear in printer bytes.
PAYLOADS = [ZPL_PAYLOAD.encode(), b"~JR", b"PWNED", b'PRINT 1"', b"\x1b@\x1dV", b"DROP;"]


@pytest.mark.parametrize("language", ["zpl", "tspl", "escpos"])
def test_packing_slips_of_hostile_orders_carry_no_foreign_commands(
    sandbox: SandboxInfo, tmp_path: Path, language: str
) -> None:
    sign_in(sandbox, "channelshipper")  # /orders/full: names, addresses, items, instructions
    assert cli("sync").returncode == 0
    orders = orders_json()
    hostile = [
        o
        for o in orders
        if o["orderReference"] is None
        or not str(o["orderReference"]).isascii()
        or any(c in str(o["orderReference"]) for c in '^~\x1b"\t;=%')
    ]
    assert len(hostile) >= 10, "the sandbox should seed hostile orders"
    out = tmp_path / f"slips.{language}"
    idents = [str(o["orderIdentifier"]) for o in hostile]
    done = cli(
        "print", *idents, "--document", "packingSlip", "--printer", f"{language}+file://{out}"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = out.read_bytes()
    decoded = decode_bytes(data, language=language, strict=True)  # type: ignore[arg-type]
    assert len(decoded.labels) >= len(hostile)  # a long slip may take more than one label
    assert set(decoded.commands) <= OUR_COMMANDS[language]
    if language == "zpl":
        assert data.count(b"^XA") == data.count(b"^XZ") == len(decoded.labels)
    for payload in PAYLOADS:
        assert payload not in data
    for order in hostile:
        reference = order["orderReference"]
        if reference and len(reference.strip()) > 4:
            assert reference.encode() not in data


def test_labels_of_hostile_orders_are_pictures_only(sandbox: SandboxInfo, tmp_path: Path) -> None:
    sign_in(sandbox, "oba")
    assert cli("sync").returncode == 0
    hostile = [
        o
        for o in orders_json()
        if o["orderReference"] and any(c in o["orderReference"] for c in '^~\x1b"')
    ]
    printable = [
        o for o in hostile if sandbox.order_state("oba", o["orderIdentifier"])["serviceCode"]
    ][:4]
    assert printable
    out = tmp_path / "labels.zpl"
    idents = [str(o["orderIdentifier"]) for o in printable]
    done = cli("print", *idents, "--printer", f"zpl+file://{out}")
    assert done.returncode == 0, done.stderr[-2000:]
    data = out.read_bytes()
    decoded = decode_bytes(data, language="zpl", strict=True)
    assert len(decoded.labels) >= len(printable)  # one page per parcel of an order
    assert set(decoded.commands) <= OUR_COMMANDS["zpl"]
    for payload in PAYLOADS:
        assert payload not in data
