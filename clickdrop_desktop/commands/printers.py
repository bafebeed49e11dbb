"""`clickdrop-desktop printers [--json] [--virtual-port P] [--status URI]`: find printers, ask one how it is."""

from __future__ import annotations

import argparse
import json
import sys

from clickdrop_desktop.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CliError


def run(args: argparse.Namespace) -> int:
    if args.status:
        return _status(args.status, as_json=args.json)
    from printing.discovery import discover  # lazy: front end only (DESIGN.md layers)

    port = args.virtual_port
    if port is not None and not 1 <= port <= 65535:
        raise CliError(f"--virtual-port must be 1..65535, not {port}", EXIT_USAGE)
    result = discover(virtual_port=port)
    if args.json:
        print(json.dumps([printer.to_json() for printer in result.printers], indent=2))
        for note in result.notes:
            print(f"note: {note}", file=sys.stderr)
        return EXIT_OK
    if not result.printers:
        print("No printers found.")
    for printer in result.printers:
        language = printer.language_guess or "?"
        print(f"{printer.name}  [{printer.source}]")
        print(f"    {printer.uri or '(no direct printer URI)'}")
        detail = f"    guess: {language}, {printer.dpi_guess} dpi"
        print(f"{detail}; {printer.note}" if printer.note else detail)
    for note in result.notes:
        print(f"note: {note}")
    if result.printers:
        print("Language and dpi are guesses: correct them in the URI (e.g. ?dpi=300).")
    return EXIT_OK


def _status(uri_text: str, *, as_json: bool) -> int:
    from printing.transports import PrinterError, open_transport
    from printing.uri import PrinterUriError, parse_printer_uri

    try:
        uri = parse_printer_uri(uri_text)
    except PrinterUriError as exc:
        raise CliError(exc.message, EXIT_USAGE) from None
    transport = open_transport(uri)
    try:
        status = transport.query_status()
    except PrinterError as exc:
        if exc.help_text:
            print(exc.help_text, file=sys.stderr)
        raise CliError(exc.message, EXIT_ERROR) from None
    finally:
        transport.close()
    if as_json:
        print(json.dumps({"uri": str(uri), **status.to_json()}))
    elif status.ready:
        print(f"{uri}: {status.summary()}")
    elif status.known:
        headline, _, rest = status.summary().partition(" (")
        print(f"{uri}: PROBLEM: {headline.upper()}" + (f" ({rest}" if rest else ""))
    else:
        print(f"{uri}: {status.summary()} (the printer cannot say: check it before printing)")
    return EXIT_OK if status.ready else EXIT_ERROR
