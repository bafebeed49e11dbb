"""`clickdrop-desktop cancel ORDER...`: cancel orders that have no label yet (DELETE upstream).

An order created here and not yet sent is simply dropped. Otherwise the cancel is committed
to the outbox (the cached order is archived at once) and flushed; offline: exit 3, work kept.
"""

from __future__ import annotations

import argparse
import sys

from clickdrop_desktop.cli import EXIT_ERROR, EXIT_OK, CliError
from clickdrop_desktop.commands.outbox import flush, open_for_outbox, raise_if_stopped
from clickdrop_desktop.outbox.changes import ChangeRefused, cancel_order
from clickdrop_desktop.outbox.operations import OpSource
from clickdrop_desktop.store import OutboxItem, OutboxState


def run(args: argparse.Namespace) -> int:
    with open_for_outbox(args.account) as session:
        store = session.store
        queued: list[OutboxItem] = []
        try:
            with store.transaction():  # all named orders, or none
                for order in args.orders:
                    result = cancel_order(store, order, source=OpSource.CLI)
                    queued += result.items
                    for text, why in result.skipped:
                        print(f"{text}: not cancelled: {why}", file=sys.stderr)
                    if result.settled_locally:
                        print(f"{order}: dropped (it had not been sent to Click & Drop yet)")
        except ChangeRefused as exc:
            raise CliError(exc.message) from None
        if not queued:
            return EXIT_OK
        print(f"{len(queued)} cancel(s) saved")
        report = flush(session)
        after = [store.outbox.get(item.op_id) for item in queued]
        done = sum(1 for i in after if i is not None and i.state is OutboxState.DONE)
        refused = [i for i in after if i is not None and i.state.value in ("failed", "conflict")]
        waiting = sum(1 for i in store.outbox.list() if i.state.value in ("pending", "sending"))
        if done:
            print(f"cancelled {done} order(s) in Click & Drop")
        for item in refused:
            print(f"not cancelled: {item.last_error}")
    raise_if_stopped(report, waiting)
    if refused:
        raise CliError(
            f"{len(refused)} cancel(s) need you; see 'clickdrop-desktop outbox'", EXIT_ERROR
        )
    return EXIT_OK
