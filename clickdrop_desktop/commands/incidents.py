"""`clickdrop-desktop incidents`: isolation incidents of an account; export for a breach log;
`--ack` to acknowledge them and let sync run again.

The export holds metadata only (time, endpoint, counts, kinds, salted hashes of the order ids):
never a record, name, address or reference of the responses that were refused.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from clickdrop_desktop.cli import EXIT_OK, EXIT_USAGE, CliError
from clickdrop_desktop.commands.account import open_account
from clickdrop_desktop.paths import atomic_write
from clickdrop_desktop.sync.engine import acknowledge
from clickdrop_desktop.sync.incidents import export_json


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
