"""`clickdrop-desktop status`: connectivity (a quick `GET /version`), last sync, queue sizes.

Exit 3 when Click & Drop is offline (the cache and the queues are still usable), else 0.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from typing import Any

from clickdrop_desktop.api.errors import ApiError
from clickdrop_desktop.cli import EXIT_OFFLINE, EXIT_OK
from clickdrop_desktop.commands.account import open_account
from clickdrop_desktop.connectivity import State
from clickdrop_desktop.sync.engine import sync_status

PROBE_TIMEOUT_S = 3.0


def run(args: argparse.Namespace) -> int:
    with open_account(args.account, timeout=PROBE_TIMEOUT_S, max_retries=0) as session:
        version: str | None = None
        # A failure has already reached the connectivity state through the client's events.
        with contextlib.suppress(ApiError):
            version = session.client.version().release
        snap = session.connectivity.snapshot()
        stats = session.store.stats()
        sync = sync_status(session.sync_storage())
        open_incidents = [i for i in session.sync_storage().incidents() if not i.acknowledged_at]
        report: dict[str, Any] = {
            "account": session.profile.name,
            "api_url": session.profile.api_url,
            "connectivity": snap.state.value,
            "reason": snap.reason or None,
            "account_problem": snap.account_problem or None,
            "api_release": version,
            "last_sync": sync["last_sync"],
            "sync_paused": bool(sync["paused_incident"]),
            "open_incidents": len(open_incidents),
            "orders": stats["orders"],
            "archived": stats["archived"],
            "outbox": stats["outbox"],
            "print_queue": stats["print_queue"],
        }
    if args.json:
        print(json.dumps(report))
    else:
        line = f"{report['account']}: {report['connectivity']}"
        if report["reason"]:
            line += f" ({report['reason']})"
        print(line)
        print(f"  last sync:   {report['last_sync'] or 'never'}")
        print(f"  orders:      {report['orders']} cached, {report['archived']} archived")
        print(f"  outbox:      {report['outbox']} change(s) waiting")
        print(f"  print queue: {report['print_queue']} job(s)")
        if report["sync_paused"]:
            print(
                f"  SYNC PAUSED: {report['open_incidents']} isolation incident(s); "
                "see 'clickdrop-desktop incidents'"
            )
    return EXIT_OFFLINE if snap.state is State.OFFLINE else EXIT_OK
