"""`clickdrop-desktop incidents`: isolation incidents of an account; export for a breach log;
`--ack` to acknowledge them and let sync run again; `--accept-trading-name NAME` when the guard
tripped because the business was renamed (records NAME as the account's own, then acknowledges).

The export holds metadata only (time, endpoint, counts, kinds, salted hashes of the order ids):
never a record, name, address or reference of the responses that were refused.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from clickdrop_desktop.accounts import AccountRegistry
from clickdrop_desktop.cli import EXIT_OK, EXIT_USAGE, CliError
from clickdrop_desktop.commands.account import open_account
from clickdrop_desktop.paths import atomic_write
from clickdrop_desktop.sync.engine import acknowledge
from clickdrop_desktop.sync.incidents import export_json
from clickdrop_desktop.sync.ports import SyncStorage
from clickdrop_desktop.sync.state import accept_trading_names


def run(args: argparse.Namespace) -> int:
    with open_account(args.account) as session:
        storage = session.sync_storage()
        incidents = storage.incidents()
        name = session.profile.name
        if args.export:
            target = Path(args.export).expanduser()
            if target.is_dir():
                raise CliError(f"--export {target} is a folder; give a file name", EXIT_USAGE)
            try:
                atomic_write(target, export_json(name, incidents).encode("utf-8"))
            except OSError as exc:
                raise CliError(
                    f"cannot write {target}: {exc.strerror or exc.__class__.__name__}"
                ) from None
            print(f"{len(incidents)} incident record(s) of {name} written to {target}")
        if getattr(args, "accept_trading_name", None):
            return _accept(storage, name, args.accept_trading_name)
        if getattr(args, "ack", False):
            count = acknowledge(storage)
            print(
                f"{count} incident(s) acknowledged; sync of {name} may run again"
                if count
                else f"no open incident on {name}"
            )
            return EXIT_OK
        if not args.export:
            if not incidents:
                print(f"{name}: no isolation incidents")
            for incident in incidents:
                print(incident.summary())
                for detail in incident.details:
                    print(f"    {detail}")
    return EXIT_OK


def _accept(storage: SyncStorage, name: str, names: list[str]) -> int:
    """Record trading names as the account's own (a guard tripped on a renamed business)."""
    try:
        recorded, acknowledged = accept_trading_names(storage, names)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    # Also in the account record, so a rebuilt cache knows them from its first sync.
    registry = AccountRegistry()
    record = registry.get(name)
    registry.update(replace(record, trading_names=tuple(recorded)))
    print(
        f"{name}: trading names now {', '.join(repr(n) for n in recorded)}; "
        f"{acknowledged} incident(s) acknowledged, sync may run again"
    )
    return EXIT_OK
