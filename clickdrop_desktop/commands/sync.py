"""`clickdrop-desktop sync`: one sync of an account into its encrypted cache.

Exit codes: 0 done; 3 Click & Drop unreachable or failing (what was merged is kept, the next
sync resumes); 4 the key was refused; 5 isolation alert (nothing of the suspect response was
stored, sync paused until `incidents --ack`).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from clickdrop_desktop.cli import EXIT_ISOLATION, EXIT_OK, CliError
from clickdrop_desktop.commands.account import open_account
from clickdrop_desktop.errors import IsolationAlert
from clickdrop_desktop.session import AccountSession
from clickdrop_desktop.sync.engine import SyncIsolationAlert, SyncProgress, SyncResult


def _summary(result: SyncResult) -> str:
    parts = [
        f"{result.fetched} order(s) fetched",
        f"{result.stored} new or changed",
        f"{result.archived} archived",
        f"{result.pages} page(s)",
    ]
    if result.rate_limit_waits:
        parts.append(f"{result.rate_limit_waits} rate-limit wait(s)")
    kept_out = int(result.extra.get("expired", 0)) + int(result.extra.get("purged", 0))
    if kept_out:
        parts.append(f"{kept_out} past the retention period not kept")
    if result.resumed:
        parts.append("resumed an interrupted sync")
    if result.trading_names_learned:
        parts.append(f"{result.trading_names_learned} trading name(s) recorded")
    return "; ".join(parts)


def run(args: argparse.Namespace) -> int:
    interactive = sys.stderr.isatty() and not args.json

    def on_progress(progress: SyncProgress) -> None:
        if interactive:
            print(
                f"\r{progress.phase}: {progress.pages} page(s), {progress.fetched} order(s)",
                end="",
                file=sys.stderr,
                flush=True,
            )

    with open_account(args.account) as session:
        try:
            result = session.sync(on_progress=on_progress)
        except SyncIsolationAlert as alert:
            if args.json:
                print(json.dumps({**alert.result.to_dict(), "account": session.profile.name}))
            raise CliError(alert.message, EXIT_ISOLATION) from None
        except IsolationAlert as alert:
            raise CliError(alert.message, EXIT_ISOLATION) from None
        # Other errors (offline: 3, key refused: 4, ...) reach cli.main, which prints one line
        # with `errors.describe`; whatever was committed stays, the next sync resumes.
        finally:
            if interactive:
                print(file=sys.stderr)
        outbox = _flush_outbox(session)
        if args.json:
            print(json.dumps({**result.to_dict(), "account": session.profile.name, **outbox}))
        else:
            print(f"{session.profile.name}: {_summary(result)}")
            if outbox:
                print(f"  outbox: {outbox['outbox']['summary']}")
    return EXIT_OK


def _flush_outbox(session: AccountSession) -> dict[str, Any]:
    """A sync that went through means Click & Drop answers: send what the outbox holds (issue 6).
    Its outcome never changes the sync's exit code; what is not sent stays queued."""
    if not session.store.outbox.unsynced_count():
        return {}
    from clickdrop_desktop.outbox.runner import replayer_for

    report = replayer_for(session).replay()
    return {"outbox": {**report.to_dict(), "summary": report.summary()}}
