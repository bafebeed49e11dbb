"""`clickdrop-desktop import CSV [--dry-run] [--service CODE] [--json]`: new orders from a shop export.

Shows the preview (encoding, delimiter, matched columns, per-row errors). Without `--dry-run`
and with no errors, queues every order in one transaction (all or nothing) and flushes the
outbox: exit 0 when sent, 3 when offline (the orders are kept and sent later). Errors: exit 1,
nothing imported.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from clickdrop_desktop.cli import EXIT_OK, CliError
from clickdrop_desktop.commands.outbox import flush, open_for_outbox, raise_if_stopped
from clickdrop_desktop.csv_import import (
    ImportPreview,
    ImportRefused,
    commit_import,
    preview_csv,
    reference_checker,
)
from clickdrop_desktop.store import OutboxState

MAX_ERRORS_SHOWN = 20


def _print_preview(preview: ImportPreview) -> None:
    print(f"encoding: {preview.encoding_note}; delimiter: {preview.delimiter!r}")
    matched = ", ".join(f"{field} <- {header!r}" for field, header in preview.columns.items())
    print(f"columns: {matched}")
    if preview.unknown_columns:
        print(f"ignored columns: {', '.join(preview.unknown_columns)}")
    good = sum(1 for row in preview.rows if not row.errors)
    print(f"{len(preview.rows)} order(s) read, {good} valid")
    for error in preview.errors[:MAX_ERRORS_SHOWN]:
        print(f"  {error}")
    if len(preview.errors) > MAX_ERRORS_SHOWN:
        print(f"  ... and {len(preview.errors) - MAX_ERRORS_SHOWN} more error(s)")
    for row in preview.rows:
        for warning in row.warnings:
            print(f"  line {row.line}: note: {warning}")


def _json(preview: ImportPreview) -> dict[str, object]:
    return {
        "encoding": preview.encoding,
        "encoding_note": preview.encoding_note,
        "delimiter": preview.delimiter,
        "columns": preview.columns,
        "unknown_columns": preview.unknown_columns,
        "rows": len(preview.rows),
        "truncated": preview.truncated,
        "errors": [
            {"line": e.line, "field": e.field, "message": e.message} for e in preview.errors
        ],
        "problem": preview.problem(),
    }


def run(args: argparse.Namespace) -> int:
    path = Path(args.csv)
    with open_for_outbox(args.account) as session:
        store = session.store
        preview = preview_csv(
            path, reference_taken=reference_checker(store), default_service=args.service
        )
        report_json = _json(preview)
        if not args.json:
            _print_preview(preview)
        problem = preview.problem()
        if problem:
            if args.json:
                print(json.dumps(report_json))
            raise CliError(problem)
        if args.dry_run:
            if args.json:
                print(json.dumps(report_json))
            else:
                print(f"dry run: {len(preview.rows)} order(s) would be imported; nothing queued")
            return EXIT_OK
        try:
            items = commit_import(store, preview)
        except ImportRefused as exc:
            raise CliError(exc.message) from None
        if not args.json:
            print(f"{len(items)} order(s) saved")
        report = flush(session)
        sent = 0
        for item in items:
            current = store.outbox.get(item.op_id)
            if current is not None and current.state is OutboxState.DONE:
                sent += 1
        waiting = sum(1 for i in store.outbox.list() if i.state.value in ("pending", "sending"))
        if args.json:
            print(json.dumps({**report_json, "queued": len(items), "sent": sent}))
        else:
            print(f"{sent} order(s) created in Click & Drop")
    raise_if_stopped(report, waiting)
    return EXIT_OK
