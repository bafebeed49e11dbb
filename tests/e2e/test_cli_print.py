"""`clickdrop-desktop print` end to end: the sandbox process (OBA account), a sync through the
CLI, then the real CLI printing to a virtual printer over TCP in every language and to a file.

The printed dots must equal the raster of the label cached in the encrypted store, pixel for
pixel, and the barcode on them must decode to the tracking number Click & Drop (the sandbox)
gave the order.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zxingcpp

from clickdrop_desktop.sandbox.info import SandboxInfo
from clickdrop_desktop.session import open_account
from printing.bitmap import Bitmap
from printing.decoders import decode_bytes
from printing.jobs import render
from printing.uri import parse_printer_uri
from printing.virtual_printer import VirtualPrinter
from tests.helpers.cli import NO_KEYRING, PASSPHRASE, cli, one_line_error, orders_json, sign_in

pytestmark = pytest.mark.e2e

ACCOUNT = "oba"


@pytest.fixture
def oba(sandbox: SandboxInfo, monkeypatch: pytest.MonkeyPatch) -> SandboxInfo:
    """The OBA account signed in and synced through the CLI (and openable in this process)."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYRING)
    monkeypatch.setenv("CLICKDROP_PASSPHRASE", PASSPHRASE)
    sign_in(sandbox, ACCOUNT)
    done = cli("sync")
    assert done.returncode == 0, done.stderr
    return sandbox


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[VirtualPrinter]:
    with VirtualPrinter(out_dir=tmp_path / "printed") as vp:
        yield vp


def printable_orders(info: SandboxInfo, count: int, *, skip: int = 0) -> list[dict[str, Any]]:
    """Cached orders Click & Drop can make a postage label for (they have a service)."""
    found: list[dict[str, Any]] = []
    for order in orders_json():
        state = info.order_state(ACCOUNT, order["orderIdentifier"])
        if state["serviceCode"] and not state["deleted"]:
            found.append(order)
        if len(found) == count + skip:
            break
    assert len(found) == count + skip, "not enough printable orders in the sandbox"
    return found[skip:]


def cached_label(order_id: int) -> bytes:
    with open_account(None) as session:
        stored = session.store.documents.get(order_id, "postageLabel")
    assert stored is not None, "the label was not cached in the store"
    return stored.data


def tracking(info: SandboxInfo, order_id: int) -> str:
    number = info.order_state(ACCOUNT, order_id)["order"]["trackingNumber"]
    assert number, "the sandbox gave the order no tracking number"
    return str(number)


def barcodes(bitmap: Bitmap) -> set[str]:
    return {b.text for b in zxingcpp.read_barcodes(bitmap.to_image().convert("L"))}


def print_cli(*args: str) -> Any:
    return cli("print", *args)


@pytest.mark.parametrize("language", ["escpos", "zpl", "tspl"])
def test_print_over_tcp_is_pixel_exact_and_scans(
    oba: SandboxInfo, printer: VirtualPrinter, language: str
) -> None:
    order = printable_orders(oba, 1, skip=("escpos", "zpl", "tspl").index(language))[0]
    ident = order["orderIdentifier"]
    uri = printer.uri(language)
    done = print_cli(str(ident), "--printer", uri)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "printed" in done.stdout
    [label] = printer.wait_for_labels(1)
    [expected] = render(cached_label(ident), parse_printer_uri(uri))
    assert label.bitmap.same_dots(expected)
    assert tracking(oba, ident) in barcodes(label.bitmap)
    assert label.png is not None
    assert label.png.exists()


@pytest.mark.parametrize("language", ["zpl", "tspl", "escpos"])
def test_print_to_a_file_appends_decodable_jobs(
    oba: SandboxInfo, tmp_path: Path, language: str
) -> None:
    first, second = printable_orders(oba, 2, skip=3)
    out = tmp_path / f"labels.{language}"
    uri = f"{language}+file://{out}?dpi=300"
    for order in (first, second):
        done = print_cli(order["orderReference"] or str(order["orderIdentifier"]), "--printer", uri)
        assert done.returncode == 0, done.stderr
    decoded = decode_bytes(out.read_bytes(), language=language, dpi=300)  # type: ignore[arg-type]
    assert len(decoded.labels) == 2
    for label, order in zip(decoded.labels, (first, second), strict=True):
        ident = order["orderIdentifier"]
        [expected] = render(cached_label(ident), parse_printer_uri(uri))
        assert label.bitmap.same_dots(expected)
        assert tracking(oba, ident) in barcodes(label.bitmap)
    assert out.stat().st_mode & 0o077 == 0  # labels hold addresses: owner-only file


def test_second_print_needs_reprint(oba: SandboxInfo, printer: VirtualPrinter) -> None:
    [order] = printable_orders(oba, 1, skip=5)
    ident = str(order["orderIdentifier"])
    uri = printer.uri("zpl")
    assert print_cli(ident, "--printer", uri).returncode == 0
    again = print_cli(ident, "--printer", uri)
    assert again.returncode == 1
    line = one_line_error(again)
    assert "already printed" in line
    assert "--reprint" in line
    reprint = print_cli(ident, "--printer", uri, "--reprint", "--copies", "2")
    assert reprint.returncode == 0, reprint.stderr
    assert "2 copies" in reprint.stdout
    assert len(printer.wait_for_labels(3)) == 3
    assert printer.held == 0
    # One label call upstream, however many prints.
    calls = [r for r in oba.requests() if f"/orders/{ident}/label" in r.get("path", "")]
    assert len(calls) == 1


def test_unknown_order_and_bad_printer_uri(oba: SandboxInfo) -> None:
    done = print_cli("NO-SUCH-ORDER", "--printer", "zpl+tcp://127.0.0.1:9")
    assert done.returncode == 1
    assert "no such order" in one_line_error(done)
    bad = print_cli("1", "--printer", "laser+tcp://127.0.0.1:9100")
    assert bad.returncode == 2
    assert "unknown printer language" in one_line_error(bad)
    copies = print_cli("1", "--printer", "zpl+tcp://127.0.0.1:9100", "--copies", "0")
    assert copies.returncode == 2


def test_offline_cached_label_prints_and_uncached_waits(
    oba: SandboxInfo, printer: VirtualPrinter
) -> None:
    cached, uncached = printable_orders(oba, 2, skip=6)
    uri = printer.uri("tspl")
    assert print_cli(str(cached["orderIdentifier"]), "--printer", uri).returncode == 0

    oba.set_fault("maintenance", retry_after=1)
    again = print_cli(str(cached["orderIdentifier"]), "--printer", uri, "--reprint")
    assert again.returncode == 0, again.stderr
    waiting = print_cli(str(uncached["orderIdentifier"]), "--printer", uri)
    assert waiting.returncode == 3, waiting.stderr
    line = one_line_error(waiting)
    assert line.startswith("clickdrop-desktop: offline, work kept:")
    status = cli("status", "--json")
    assert json.loads(status.stdout)["print_queue"] == 1
    assert len(printer.wait_for_labels(2)) == 2

    oba.clear_faults()
    done = print_cli(str(uncached["orderIdentifier"]), "--printer", uri)
    assert done.returncode == 0, done.stderr
    printed = printer.wait_for_labels(3)
    assert tracking(oba, uncached["orderIdentifier"]) in barcodes(printed[-1].bitmap)
    assert json.loads(cli("status", "--json").stdout)["print_queue"] == 0
    # The queued job was the same one: printing it again now is a duplicate.
    assert print_cli(str(uncached["orderIdentifier"]), "--printer", uri).returncode == 1


def test_printer_down_is_one_line_exit_1_and_retry_prints_once(
    oba: SandboxInfo, tmp_path: Path
) -> None:
    [order] = printable_orders(oba, 1, skip=8)
    # The printer is off: a port held bound but not listening refuses every connection, and
    # no other process can take it meanwhile (a closed probe's port can be bound by anyone).
    with socket.socket() as off:
        off.bind(("127.0.0.1", 0))
        port: int = off.getsockname()[1]
        uri = f"zpl+tcp://127.0.0.1:{port}?timeout=2"
        done = print_cli(str(order["orderIdentifier"]), "--printer", uri)
    assert done.returncode == 1
    assert "refused the connection" in one_line_error(done)
    with VirtualPrinter(port=port) as printer:
        retry = print_cli(str(order["orderIdentifier"]), "--printer", uri)
        assert retry.returncode == 0, retry.stderr
        assert len(printer.wait_for_labels(1)) == 1
        assert print_cli(str(order["orderIdentifier"]), "--printer", uri).returncode == 1
        assert len(printer.printed) == 1


def test_paper_out_fails_loudly_before_sending(oba: SandboxInfo, printer: VirtualPrinter) -> None:
    [order] = printable_orders(oba, 1, skip=9)
    printer.set_faults(paper_out=True)
    done = print_cli(str(order["orderIdentifier"]), "--printer", printer.uri("zpl"))
    assert done.returncode == 1
    assert "out of labels" in one_line_error(done)
    assert printer.held == 0  # nothing was sent, so nothing pours out later
    printer.set_faults(paper_out=False)
    assert print_cli(str(order["orderIdentifier"]), "--printer", printer.uri("zpl")).returncode == 0
    assert len(printer.wait_for_labels(1)) == 1
