"""Printing kept manifests: which printer (the office/A4 one set up for documents) and the print
itself, through the account's print queue. Blocking methods: call them from a `ui.tasks` worker.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit

from ui.preferences import Preferences

if TYPE_CHECKING:
    from clickdrop_desktop.manifests import ManifestRecord
    from ui.services.workspace import Workspace

MANIFEST = "manifest"
#: Where a manifest goes: the first of these printers that takes A4 (an office printer).
DOCUMENT_PRINTERS: tuple[tuple[str, str], ...] = (
    ("despatchNote", "despatch note"),
    ("CN23", "CN23"),
    ("packingSlip", "packing slip"),
    ("CN22", "CN22"),
    ("postageLabel", "label"),
)
NO_PRINTER = (
    "No printer is set up: in Settings, give despatch notes an office printer "
    "(e.g. pdf+spool://Office)"
)


@dataclass(frozen=True, slots=True)
class ManifestPrinter:
    """The printer a manifest goes to (`uri` None: none fits, `text` says why)."""

    uri: str | None
    text: str


def manifest_printer(prefs: Preferences) -> ManifestPrinter:
    """The first document printer that takes A4 paper (a `pdf` office printer, or one whose
    address says `media=a4`); failing that, the despatch note printer (itself the label printer
    when none is set), which gets the A4 page rastered to its media as any A4 document is."""
    from printing.uri import PrinterUriError, coerce_uri

    def described(uri: str | None, title: str, note: str) -> ManifestPrinter | None:
        try:
            parsed = coerce_uri(uri or "")
        except (PrinterUriError, ValueError):
            return None
        return ManifestPrinter(
            uri, f"{parsed.language.upper()} · {parsed.address}, the {title} printer{note}"
        )

    for document, title in DOCUMENT_PRINTERS:
        base = prefs.printers.get(document)
        if not base:
            continue
        parts = urlsplit(base)
        options = dict(parse_qsl(parts.query))
        language = parts.scheme.partition("+")[0].lower()
        if language != "pdf" and options.get("media", "").lower() != "a4":
            continue
        options.setdefault("media", "a4")
        own = f"{base.partition('?')[0]}?{urlencode(options)}"
        found = described(
            prefs.with_changes(printers={document: own}).printer_uri(document), title, " (A4)"
        )
        if found is not None:
            return found
    fallback = described(
        prefs.printer_uri("despatchNote"),
        "despatch note" if prefs.printers.get("despatchNote") else "label",
        " (no A4 printer is set up: the A4 page is scaled down to its labels)",
    )
    return fallback or ManifestPrinter(None, NO_PRINTER)


class PrintOutcome(enum.Enum):
    PRINTED = "printed"
    ALREADY_PRINTED = "already_printed"  # printing again is a deliberate reprint
    FAILED = "failed"  # one line says why; a failed job stays in the queue for a retry


@dataclass(frozen=True, slots=True)
class ManifestPrintResult:
    number: int
    outcome: PrintOutcome
    message: str


class ManifestPrintService:
    """The manifest dialog's view of the open account: kept manifests, their PDFs, printing.

    Args:
        workspace: the open account (None once it closed).
        prefs: the current preferences (printers).
        printed: called on the GUI thread (by the dialog, `printed_now`) after a job went
            through the queue, e.g. the print controller's `refresh_jobs`.
    """

    def __init__(
        self,
        workspace: Callable[[], Workspace | None],
        prefs: Callable[[], Preferences],
        *,
        printed: Callable[[], None] | None = None,
    ) -> None:
        self._workspace = workspace
        self._prefs = prefs
        self._printed = printed

    def printed_now(self) -> None:
        """A print went through the queue (GUI thread): let the queue panel follow."""
        if self._printed is not None:
            self._printed()

    def printer(self) -> ManifestPrinter:
        return manifest_printer(self._prefs())

    def _open(self) -> Workspace:
        workspace = self._workspace()
        if workspace is None or workspace.closed:
            raise RuntimeError("no account is open")
        return workspace

    def kept(self) -> list[ManifestRecord]:
        """Every manifest made here, newest first (from the store: works offline)."""
        from clickdrop_desktop.manifests import kept_manifests

        return kept_manifests(self._open().store)

    def pdf(self, number: int) -> bytes | None:
        from clickdrop_desktop.manifests import kept_pdf

        return kept_pdf(self._open().store, number)

    def print_manifest(self, number: int, *, reprint: bool = False) -> ManifestPrintResult:
        """Queue manifest `number` for the A4 printer and send it now."""
        printer = self.printer()
        if printer.uri is None:
            return ManifestPrintResult(number, PrintOutcome.FAILED, printer.text)
        from printing.service import PrintOutcome as Core

        result = self._open().printing.core.print_document(
            number, MANIFEST, printer.uri, reprint=reprint, fetch=False
        )
        if result.outcome is Core.PRINTED:
            return ManifestPrintResult(number, PrintOutcome.PRINTED, f"Manifest {number} printed")
        if result.outcome is Core.ALREADY_PRINTED:
            return ManifestPrintResult(
                number, PrintOutcome.ALREADY_PRINTED, f"Manifest {number} was printed before"
            )
        return ManifestPrintResult(
            number, PrintOutcome.FAILED, f"Manifest {number} not printed: {result.message}"
        )
