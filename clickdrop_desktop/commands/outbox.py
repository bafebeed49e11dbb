"""`clickdrop-desktop outbox`: the changes waiting to reach Click & Drop; `--flush` sends them.

Also resolves a change that needs the user: `--retry OP` (send it again as it is) and
`--discard OP --yes` (drop it and undo it in the cache). OP is the id shown in the list (a
unique prefix will do). Exit 3 when Click & Drop could not be reached (the changes are kept),
4 when the key was refused (the replay is paused), 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from clickdrop_desktop.cli import EXIT_AUTH, EXIT_ERROR, EXIT_OFFLINE, EXIT_OK, EXIT_USAGE, CliError
from clickdrop_desktop.commands.account import open_account
from clickdrop_desktop.outbox.changes import ChangeRefused
from clickdrop_desktop.outbox.replay import OutboxReplayer
from clickdrop_desktop.outbox.report import ReplayReport, StopReason
from clickdrop_desktop.outbox.resolve import OutboxEntry, discard, list_changes, retry
from clickdrop_desktop.outbox.runner import replayer_for
from clickdrop_desktop.session import AccountSession

# A CLI call should learn quickly that Click & Drop is down: short timeout, one retry.
CLI_TIMEOUT_S = 10.0
CLI_MAX_RETRIES = 1
MAX_SETTLE_WAIT_S = 120.0


def open_for_outbox(account: str | None) -> AccountSession:
    return open_account(account, timeout=CLI_TIMEOUT_S, max_retries=CLI_MAX_RETRIES)


def flush(session: AccountSession) -> ReplayReport:
    """Send everything that is waiting, in order (waiting for in-flight ops to settle)."""
    replayer: OutboxReplayer = replayer_for(session)
    return replayer.replay_settled(max_wait_s=MAX_SETTLE_WAIT_S)


def raise_if_stopped(report: ReplayReport, waiting: int) -> None:
    """Exit 3 "offline, work kept" or 4 (key refused), with one line, when the replay stopped."""
    if report.stopped is StopReason.AUTH:
        raise CliError(
            f"Click & Drop refused the API key; replay paused, work kept: {waiting} change(s) "
            "waiting. Check the key, then run 'clickdrop-desktop outbox --flush'.",
            EXIT_AUTH,
        )
    if report.stopped is StopReason.BUSY:
        raise CliError(f"{waiting} change(s) waiting: {report.stop_message}", EXIT_ERROR)
    if report.stopped is not None:
        reason = f" ({report.stop_message.rstrip('.')})" if report.stop_message else ""
        raise CliError(f"offline, work kept: {waiting} change(s) waiting{reason}", EXIT_OFFLINE)
    if report.settling:
        raise CliError(
            f"offline, work kept: {waiting} change(s) waiting ({report.settling} still settling "
            "after an interrupted send; flush again shortly)",
            EXIT_OFFLINE,
        )


def print_needing_user(entries: Sequence[OutboxEntry]) -> None:
    for entry in entries:
        if entry.needs_user:
            print(f"  needs you: {entry.what}: {entry.problem or entry.state.value}")


def _line(entry: OutboxEntry) -> str:
    text = f"{entry.seq:>5}  {entry.state.value:<8}  {entry.what}  [{entry.op_id[:8]}]"
    if entry.problem:
        text += f"\n         {'problem' if entry.needs_user else 'last error'}: {entry.problem}"
    return text


def run(args: argparse.Namespace) -> int:
    chosen = [a for a in (args.flush, args.retry, args.discard) if a]
    if len(chosen) > 1:
        raise CliError("give one of --flush, --retry and --discard", EXIT_USAGE)
    if args.yes and not args.discard:
        raise CliError("--yes confirms --discard", EXIT_USAGE)
    with open_for_outbox(args.account) as session:
        store = session.store
        report: ReplayReport | None = None
        try:
            if args.retry:
                item = retry(store, args.retry)
                print(f"queued again: {item.op_id[:8]}")
            elif args.discard:
                item = discard(store, args.discard, confirmed=args.yes)
                print(f"discarded: {item.op_id[:8]} (the cached order is back as it was)")
        except ChangeRefused as exc:
            raise CliError(exc.message) from None
        if args.flush:
            report = flush(session)
        entries = list_changes(store)
        waiting = sum(1 for e in entries if not e.needs_user)
        needing = sum(1 for e in entries if e.needs_user)
        if args.json:
            print(
                json.dumps(
                    {
                        "account": session.profile.name,
                        "changes": [e.to_dict() for e in entries],
                        "waiting": waiting,
                        "needs_user": needing,
                        "flush": None if report is None else report.to_dict(),
                    }
                )
            )
        else:
            if report is not None:
                print(f"{session.profile.name}: {report.summary()}")
                for note in report.notes:
                    print(f"  {note}")
            if not entries:
                print("outbox empty: every change has reached Click & Drop")
            for entry in entries:
                print(_line(entry))
    if report is not None:
        raise_if_stopped(report, waiting)
    return EXIT_OK
