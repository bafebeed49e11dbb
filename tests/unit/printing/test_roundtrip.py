"""PDF -> raster -> printer bytes -> virtual printer over real TCP -> PNG: pixel-exact, scannable."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from printing.bitmap import Bitmap
from printing.documents import order_barcode_payload, packing_slip
from printing.encoders import JobOptions, encode
from printing.encoders.zpl import encode_zpl
from printing.raster import RasterOptions, rasterise_pdf
from printing.virtual_printer import VirtualPrinter
from tests.unit.printing.helpers import barcodes
from tests.unit.printing.samples import TRACKING, document_order, label_pdf

LANGUAGES = ("escpos", "zpl", "tspl")


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[VirtualPrinter]:
    with VirtualPrinter(out_dir=tmp_path / "out") as vp:
        yield vp


def send(printer: VirtualPrinter, job: bytes) -> None:
    with socket.create_connection(("127.0.0.1", printer.port), timeout=10) as conn:
        conn.sendall(job)


def _png_equals(path: Path, bitmap: Bitmap) -> bool:
    with Image.open(path) as stored:
        picture = stored.convert("1")
    sent = bitmap.to_image()
    if picture.size != sent.size:  # ESC/POS and TSPL carry whole bytes: 812 -> 816 dots
        sent = bitmap.padded().to_image()
    return picture.size == sent.size and ImageChops.logical_xor(picture, sent).getbbox() is None


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("dpi", [203, 300])
def test_label_round_trip_is_pixel_exact_and_scans(
    printer: VirtualPrinter, language: str, dpi: int
) -> None:
    printer.dpi = dpi
    [bitmap] = rasterise_pdf(label_pdf(), RasterOptions(dpi=dpi))
    send(printer, encode(language, [bitmap]))
    [printed] = printer.wait_for_labels(1)
    assert printed.language == language
    assert printed.bitmap.same_dots(bitmap)
    assert printed.png is not None
    assert _png_equals(printed.png, bitmap)
    assert barcodes(Image.open(printed.png)).get(TRACKING) == "Code128"
    sidecar = json.loads(printed.png.with_suffix(".json").read_text())
    assert sidecar["language"] == language
    assert sidecar["dpi"] == dpi
    assert sidecar["height_dots"] == bitmap.height
    assert sidecar["job_bytes"] == len(encode(language, [bitmap]))


@pytest.mark.parametrize("language", LANGUAGES)
def test_several_labels_and_copies_in_one_job(printer: VirtualPrinter, language: str) -> None:
    trackings = ["AA000000011GB", "AA000000025GB"]
    bitmaps = [rasterise_pdf(label_pdf(t))[0] for t in trackings]
    send(printer, encode(language, bitmaps, JobOptions(copies=2)))
    printed = printer.wait_for_labels(4)
    assert len(printed) == 4
    found = [next(iter(barcodes(p.bitmap).keys() & set(trackings))) for p in printed]
    # ESC/POS repeats the whole job per copy; ZPL and TSPL repeat each label.
    expected = trackings * 2 if language == "escpos" else [t for t in trackings for _ in (1, 2)]
    assert found == expected


@pytest.mark.parametrize("compression", ["z64", "acs", "hex"])
def test_zpl_compressions_round_trip(printer: VirtualPrinter, compression: str) -> None:
    [bitmap] = rasterise_pdf(label_pdf())
    send(printer, encode_zpl([bitmap], compression=compression))  # type: ignore[arg-type]
    [printed] = printer.wait_for_labels(1)
    assert printed.bitmap.same_dots(bitmap)


@pytest.mark.parametrize("language", LANGUAGES)
def test_packing_slip_prints_and_its_order_barcode_scans(
    printer: VirtualPrinter, language: str
) -> None:
    order = document_order(20012345)
    [bitmap] = rasterise_pdf(packing_slip(order, size="4x6"))
    send(printer, encode(language, [bitmap]))
    [printed] = printer.wait_for_labels(1)
    assert printed.bitmap.same_dots(bitmap)
    assert barcodes(printed.bitmap).get(order_barcode_payload(20012345)) == "Code128"


def _sandbox_labels(a4: bool) -> list[tuple[bytes, str]]:
    labels = pytest.importorskip("clickdrop_desktop.sandbox.labels")
    accounts = pytest.importorskip("clickdrop_desktop.sandbox.accounts")
    data = pytest.importorskip("clickdrop_desktop.sandbox.data")
    account = next(a for a in accounts.default_accounts() if a.name == ("oba-a4" if a4 else "oba"))
    seeded = data.SeededData(1, account, 40)
    out = []
    # Position 5 is a hostile record (printer-command text in the address, per the sandbox).
    for position in (0, 5, 18):
        record = seeded.order(position)
        if record.service_code is None:
            continue
        record.tracking = record.tracking or f"JX{position:09d}GB"
        pdf = labels.render_documents("postageLabel", [record], account)
        out.append((pdf, record.tracking))
    return out


@pytest.mark.parametrize("a4", [False, True], ids=["6x4", "a4"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_sandbox_labels_round_trip(printer: VirtualPrinter, language: str, a4: bool) -> None:
    samples = _sandbox_labels(a4)
    assert samples
    sent: list[Bitmap] = []
    for pdf, tracking in samples:
        [bitmap] = rasterise_pdf(pdf)
        assert (bitmap.width, bitmap.height) == (812, 1218)
        assert tracking in barcodes(bitmap), "the tracking barcode must scan after raster"
        sent.append(bitmap)
        send(printer, encode(language, [bitmap]))
    printed = printer.wait_for_labels(len(sent))
    for bitmap, label in zip(sent, sorted(printed, key=lambda p: p.job), strict=True):
        assert label.bitmap.same_dots(bitmap)
