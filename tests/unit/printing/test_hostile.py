"""Hostile customer text: whatever a name or address says, no printer command reaches the bytes.

Documents are rendered with the hostile text, rasterised and encoded; the decoders then list
every command in the job, and that list must be exactly what our encoder emits, for each
language. The raw bytes are also searched for the attack strings themselves.
"""

from __future__ import annotations

import pytest

from printing.decoders import decode_bytes
from printing.documents import packing_slip, pick_list
from printing.encoders import JobOptions, encode
from printing.raster import rasterise_pdf
from tests.unit.printing.samples import HOSTILE_TEXT, document_order, label_pdf

# What the hostile text tries to smuggle in, per language (our own ^XZ etc. are expected).
ATTACKS = {
    "zpl": [b"^FDPWNED", b"^XZ^XA", b"~JR", b"\x1b"],
    "tspl": [b"PRINT 99", b"\x1b!R", b'"CLS"', b"^XA"],
}


def _expected_commands(language: str, labels: int, *, title: bool = True) -> list[str]:
    if language == "zpl":
        one = ["^XA", "^FX"] if title else ["^XA"]
        return [*one, "^PW", "^LL", "^LH", "^PQ", "^FO", "^GF", "^FS", "^XZ"] * labels
    if language == "tspl":
        return ["SIZE", "GAP", "DIRECTION", "REFERENCE"] + ["CLS", "BITMAP", "PRINT"] * labels
    return []  # ESC/POS: checked by structure below


def _hostile_jobs() -> list[tuple[str, list[bytes]]]:
    order = document_order(hostile=True)
    pdfs = [
        packing_slip(order, size="4x6"),
        pick_list([order], size="4x6"),
        label_pdf(name=HOSTILE_TEXT[:60], address=(HOSTILE_TEXT[60:120], "NR21 0AB")),
    ]
    return [("doc", pdfs)]


@pytest.mark.parametrize("language", ["escpos", "zpl", "tspl"])
def test_no_printer_command_survives(language: str) -> None:
    for _, pdfs in _hostile_jobs():
        for pdf in pdfs:
            bitmaps = rasterise_pdf(pdf)
            job = encode(language, bitmaps, JobOptions(title=HOSTILE_TEXT))
            result = decode_bytes(job)
            assert result.errors == []
            assert len(result.labels) == len(bitmaps)
            assert result.queries == []  # no status query or real-time command smuggled in
            if language == "escpos":
                assert set(result.commands) == {"ESC @", "GS v 0", "GS V"}
                assert result.commands.count("ESC @") == 1
            else:
                assert result.commands == _expected_commands(language, len(bitmaps))
            for attack in ATTACKS.get(language, []):  # ESC/POS raster bytes may hold anything
                assert attack not in job, attack


def test_zpl_job_title_comment_is_sanitised() -> None:
    bitmaps = rasterise_pdf(label_pdf())
    job = encode("zpl", bitmaps, JobOptions(title=HOSTILE_TEXT))
    comment = job.split(b"^FX", 1)[1].split(b"^PW", 1)[0]
    assert b"^" not in comment
    assert b"~" not in comment
    assert all(0x20 <= b < 0x7F for b in comment)


def test_sandbox_hostile_orders_render_and_encode_cleanly() -> None:
    data = pytest.importorskip("clickdrop_desktop.sandbox.data")
    accounts = pytest.importorskip("clickdrop_desktop.sandbox.accounts")
    labels = pytest.importorskip("clickdrop_desktop.sandbox.labels")
    account = next(a for a in accounts.default_accounts() if a.name == "oba")
    seeded = data.SeededData(1, account, 13 * 16)
    hostile = [seeded.order(p) for p in range(5, 13 * 16, 13)]  # every hostile kind once
    for record in hostile:
        if record.service_code is None:
            continue
        record.tracking = record.tracking or "JX000000000GB"
        pdf = labels.render_documents("postageLabel", [record], account)
        bitmaps = rasterise_pdf(pdf)
        for language in ("zpl", "tspl"):
            job = encode(language, bitmaps)
            result = decode_bytes(job)
            assert result.commands == _expected_commands(language, len(bitmaps), title=False)
            assert b"PWNED" not in job
