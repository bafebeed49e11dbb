"""`clickdrop-desktop print ORDER... --printer URI`: print orders' documents through the queue.

ORDER is an order identifier, an order reference, a tracking number, or the `CD:<id>` text of
our packing-slip barcode. Each (order, document) prints once; printing it again needs
`--reprint`, which is a new job of its own, logged with who and when.

Exit codes: 0 everything printed; 3 offline and a label is not cached (its job is kept queued
and prints once Click & Drop answers: run the same command again, or the app sends it); 1 a
printer problem (one line saying what), an order not in the cache, or a second print without
`--reprint`; 2 a bad printer URI or option.
"""

from __future__ import annotations

import argparse
import sys

from clickdrop_desktop.cli import EXIT_ERROR, EXIT_OFFLINE, EXIT_OK, EXIT_USAGE, CliError
from clickdrop_desktop.commands.account import open_account
from clickdrop_desktop.connectivity import State

# This module is imported only for `print` (cli.py loads commands lazily), so the printing
# stack is loaded only then.
from printing.documents import parse_order_barcode
from printing.queue import PrintQueue, default_actor
from printing.service import PrintOutcome, PrintResult, PrintService
from printing.uri import PrinterUriError, parse_printer_uri, printable

CLI_TIMEOUT_S = 15.0
CLI_MAX_RETRIES = 1
MAX_COPIES = 99


def run(args: argparse.Namespace) -> int:
    try:
        uri = parse_printer_uri(args.printer)
    except PrinterUriError as exc:
        raise CliError(exc.message, EXIT_USAGE) from None
    if not 1 <= args.copies <= MAX_COPIES:
        raise CliError(f"--copies must be 1 to {MAX_COPIES}", EXIT_USAGE)

    results: list[PrintResult] = []
    unknown: list[str] = []
    with open_account(args.account, timeout=CLI_TIMEOUT_S, max_retries=CLI_MAX_RETRIES) as session:
        queue = PrintQueue(session.store, actor=default_actor("cli"))
        try:
            service = PrintService(
                session.store,
                queue,
                labels=session.client,
                labels_available=session.profile.labels,
                online=lambda: session.connectivity.state is not State.OFFLINE,
            )
            wanted: set[int] = set()
            for text in args.orders:
                barcode = parse_order_barcode(text)
                stored = session.store.find_order(str(barcode) if barcode is not None else text)
                if stored is None:
                    unknown.append(f"{_shown(text)}: no such order in this account's cache")
                    continue
                wanted.add(stored.order.order_identifier)
                result = service.print_document(
                    stored.order.order_identifier,
                    args.document,
                    uri,
                    copies=args.copies,
                    reprint=args.reprint,
                )
                results.append(result)
                if result.ok:
                    print(_line(result))
            for job in queue.recovered:
                if job.order_identifier not in wanted:  # the others' lines say it themselves
                    print(
                        f"order {job.order_identifier}: its {job.document_type} was cut off "
                        "while sending last time and may have printed; check the printer",
                        file=sys.stderr,
                    )
        finally:
            queue.close()
    return _exit_code(results, unknown)


def _shown(text: str) -> str:
    return printable(text, 60)


def _line(result: PrintResult) -> str:
    name = f"{_shown(result.reference)} ({result.order_identifier}): {result.document_type}"
    if result.outcome is PrintOutcome.ALREADY_PRINTED:
        return f"{name}: already printed; add --reprint to print it again"
    if result.outcome is PrintOutcome.UNCERTAIN and result.job is None:
        return (
            f"{name}: may already have printed (an earlier send was cut off); check the "
            "printer, then add --reprint to send it again"
        )
    return f"{name}: {result.message}"


def _exit_code(results: list[PrintResult], unknown: list[str]) -> int:
    waiting = [_line(r) for r in results if r.outcome is PrintOutcome.OFFLINE_NO_LABEL]
    failed = unknown + [
        _line(r) for r in results if not r.ok and r.outcome is not PrintOutcome.OFFLINE_NO_LABEL
    ]
    total = len(results) + len(unknown)
    if total == 1 and failed:
        raise CliError(failed[0], EXIT_ERROR)  # one order: its one line is the error
    if total == 1 and waiting:
        raise CliError(f"offline, work kept: {waiting[0]}", EXIT_OFFLINE)
    for line in failed + waiting:
        print(line, file=sys.stderr)
    if failed:
        raise CliError(
            f"{len(failed)} of {total} not printed"
            + (f"; {len(waiting)} waiting for Click & Drop" if waiting else ""),
            EXIT_ERROR,
        )
    if waiting:
        raise CliError(
            f"offline, work kept: {len(waiting)} label(s) not cached yet wait in the print "
            "queue; they print when Click & Drop answers (run this again, or keep the app open)",
            EXIT_OFFLINE,
        )
    return EXIT_OK
