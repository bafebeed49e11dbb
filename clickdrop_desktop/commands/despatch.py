"""`clickdrop-desktop despatch ORDER... [--tracking-number T]`: mark orders despatched.

The change is committed to the outbox (and the cached order shows it) before anything is sent;
then the outbox is flushed. Online: sent now (exit 0). Offline: exit 3 "offline, work kept: N
change(s) waiting", and the next flush (or the app, once back online) sends it exactly once.
A despatch Click & Drop refuses (order deleted there...) waits in the outbox for the user: exit 1.
"""

from __future__ import annotations

import argparse
import sys

from clickdrop_desktop.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CliError
from clickdrop_desktop.commands.outbox import flush, open_for_outbox, raise_if_stopped
from clickdrop_desktop.outbox.changes import ChangeRefused, mark_despatched
from clickdrop_desktop.outbox.operations import OpSource
from clickdrop_desktop.store import OutboxState


def run(args: argparse.Namespace) -> int:
    if args.tracking_number and len(args.orders) > 1:
        raise CliError("--tracking-number belongs to one order: give one order with it", EXIT_USAGE)
    with open_for_outbox(args.account) as session:
        store = session.store
        try:
            queued = mark_despatched(
                store, args.orders, tracking_number=args.tracking_number, source=OpSource.CLI
            )
        except ChangeRefused as exc:
            raise CliError(exc.message) from None
        for text, why in queued.skipped:
            print(f"{text}: not queued: {why}", file=sys.stderr)
        if not queued.items:
            print("nothing to despatch")
            return EXIT_OK
        print(f"{len(queued.items)} despatch(es) saved")
        report = flush(session)
        mine = {item.op_id: item for item in queued.items}
        states = {op_id: store.outbox.get(op_id) for op_id in mine}
        sent = sum(1 for i in states.values() if i is not None and i.state is OutboxState.DONE)
        refused = [
            i for i in states.values() if i is not None and i.state.value in ("failed", "conflict")
        ]
        waiting = store.outbox.unsynced_count() - sum(
            1 for i in store.outbox.list() if i.state.value in ("failed", "conflict")
        )
        if sent:
            print(f"despatched {sent} order(s) in Click & Drop")
        for item in refused:
            print(f"not despatched: {item.last_error}", file=sys.stdout)
    raise_if_stopped(report, waiting)
    if refused:
        raise CliError(
            f"{len(refused)} despatch(es) need you; see 'clickdrop-desktop outbox'", EXIT_ERROR
        )
    return EXIT_OK
