"""Scan-to-print for the packing bench: a scanned string -> the order -> its label, once.

What a scan may be, tried in this order: our packing-slip barcode (`CD:<orderIdentifier>`,
printing/documents.py), an order identifier, an order reference, a tracking number (the
barcode on a Royal Mail label; scanners may add spaces or a prefix, which are dropped). Only
orders in this account's cache match: a scan never reaches the API to look an order up.

The outcome is one of `ScanOutcome`, with one line the bench shows (and says) at once. A plain
scan never prints twice: a label already printed answers `already_printed`, and printing it
again takes the deliberate reprint key (`scan(text, reprint=True)`).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Sequence
from dataclasses import dataclass

from clickdrop_desktop.store import StoredOrder
from printing.documents import parse_order_barcode
from printing.service import PrintOutcome, PrintResult, PrintService
from printing.uri import PrinterUri, coerce_uri, printable

MAX_SCAN = 128  # longer than any barcode we read: a paste of something else


class ScanOutcome(enum.StrEnum):
    OK = "ok"
    UNKNOWN_ORDER = "unknown_order"
    ALREADY_PRINTED = "already_printed"  # reprint needs the explicit flag
    PRINTER_PROBLEM = "printer_problem"  # with the one-line reason
    OFFLINE_NO_LABEL = "offline_no_label"  # label not cached and the API is offline (queued)
    NO_LABEL = "no_label"  # no label can be had for this order (account type, order gone)


_FROM_PRINT = {
    PrintOutcome.PRINTED: ScanOutcome.OK,
    PrintOutcome.ALREADY_PRINTED: ScanOutcome.ALREADY_PRINTED,
    PrintOutcome.UNKNOWN_ORDER: ScanOutcome.UNKNOWN_ORDER,
    PrintOutcome.OFFLINE_NO_LABEL: ScanOutcome.OFFLINE_NO_LABEL,
    PrintOutcome.NO_LABEL: ScanOutcome.NO_LABEL,
    PrintOutcome.PRINTER_PROBLEM: ScanOutcome.PRINTER_PROBLEM,
}


@dataclass(frozen=True, slots=True)
class ScanResult:
    outcome: ScanOutcome
    message: str  # one line for the bench
    scanned: str
    order_identifier: int | None = None
    reference: str = ""
    prints: tuple[PrintResult, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome is ScanOutcome.OK


def clean_scan(text: str) -> str:
    """What the scanner sent without control characters, a symbology prefix like `]C1`, or
    surrounding whitespace."""
    cleaned = "".join(ch for ch in text if ch.isprintable()).strip()
    if len(cleaned) > 3 and cleaned.startswith("]") and cleaned[1].isalpha():
        cleaned = cleaned[3:].strip()  # AIM symbology identifier (e.g. "]C0" for Code 128)
    return cleaned


class ScanToPrint:
    """Resolve scans and print each order's documents through `service`.

    Args:
        service: the account's print service.
        printers: the printer for each document to print on a scan, in order; e.g.
            `{"postageLabel": "tspl+usb://...", "packingSlip": "pdf+spool://Office"}`.
        fetch: allow the label call for an uncached label (a scan is an explicit print).
        actor: who scans, for the job history.
    """

    def __init__(
        self,
        service: PrintService,
        printers: dict[str, PrinterUri | str] | Sequence[tuple[str, PrinterUri | str]],
        *,
        fetch: bool = True,
        actor: str | None = None,
    ) -> None:
        items = printers.items() if isinstance(printers, dict) else printers
        self.documents = tuple((doc, coerce_uri(uri)) for doc, uri in items)
        if not self.documents:
            raise ValueError("scan-to-print needs a printer for at least one document")
        self.service = service
        self.fetch = fetch
        self.actor = actor

    def resolve(self, scanned: str) -> StoredOrder | None:
        """The cached order a scan means, or None (also when it could mean two orders)."""
        return self._lookup(scanned)[0]

    def _lookup(self, scanned: str) -> tuple[StoredOrder | None, str]:
        text = clean_scan(scanned)
        shown = printable(text or scanned, 40)
        unknown = f"{shown}: no such order in this account"
        if not text or len(text) > MAX_SCAN:
            return None, unknown
        store = self.service.store
        ident = parse_order_barcode(text)
        if ident is not None:
            return store.get_order(ident), unknown
        found = store.find_order(text)
        if found is None and " " in text:
            found = store.find_order(text.replace(" ", ""))  # "TT 1234 5678 5GB" as printed
        numeric = text.isascii() and text.isdigit()  # not "²": int() refuses it
        if found is not None and numeric and found.order.order_identifier == int(text):
            # Digits are an order identifier first, but a sales channel may use numbers as
            # references too: if another order has this reference, refuse to guess.
            rows = store.query_orders(search=text, limit=20)
            if any(r.order_reference == text and r.order_identifier != int(text) for r in rows):
                return None, (
                    f"{shown} is an order number and another order's reference: "
                    "scan the packing-slip barcode or the label instead"
                )
        return found, unknown

    def scan(self, scanned: str, *, reprint: bool = False) -> ScanResult:
        """Print the documents of the scanned order; never raises for an expected problem."""
        shown = printable(clean_scan(scanned) or scanned, 40)
        stored, problem = self._lookup(scanned)
        if stored is None:
            return ScanResult(ScanOutcome.UNKNOWN_ORDER, problem, shown)
        order = stored.order
        reference = order.order_reference or str(order.order_identifier)
        prints: list[PrintResult] = []
        for document, uri in self.documents:
            result = self.service.print_document(
                order.order_identifier,
                document,
                uri,
                reprint=reprint,
                fetch=self.fetch,
                actor=self.actor,
            )
            prints.append(result)
            if not result.ok and document == self.documents[0][0]:
                break  # no packing slip for a parcel whose label did not print
        outcome, message = _summarise(prints, printable(reference, 40))
        return ScanResult(outcome, message, shown, order.order_identifier, reference, tuple(prints))

    def timed_scan(self, scanned: str, *, reprint: bool = False) -> tuple[ScanResult, float]:
        """`scan` and how long it took in ms (the bench's own latency readout)."""
        start = time.perf_counter()
        result = self.scan(scanned, reprint=reprint)
        return result, (time.perf_counter() - start) * 1000


def _summarise(prints: Sequence[PrintResult], reference: str) -> tuple[ScanOutcome, str]:
    bad = next((r for r in prints if not r.ok), None)
    if bad is None:
        names = " and ".join(_document_name(r.document_type) for r in prints)
        return ScanOutcome.OK, f"{reference}: {names} printed"
    if bad.outcome is PrintOutcome.UNCERTAIN:
        # Refused because an earlier send was cut off (no job this time), or cut off now.
        outcome = ScanOutcome.ALREADY_PRINTED if bad.job is None else ScanOutcome.PRINTER_PROBLEM
    else:
        outcome = _FROM_PRINT[bad.outcome]
    if outcome is ScanOutcome.ALREADY_PRINTED:
        return outcome, (
            f"{reference}: {_document_name(bad.document_type)} already printed "
            "(may have printed, if it was cut off); use reprint to print it again"
            if bad.outcome is PrintOutcome.UNCERTAIN
            else f"{reference}: {_document_name(bad.document_type)} already printed; "
            "use reprint to print it again"
        )
    return outcome, f"{reference}: {bad.message}"


def _document_name(document_type: str) -> str:
    return {
        "postageLabel": "label",
        "packingSlip": "packing slip",
        "despatchNote": "despatch note",
    }.get(document_type, document_type)
