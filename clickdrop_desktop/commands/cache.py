"""`clickdrop-desktop cache --check|--rebuild|--retention [DAYS]`: the account's encrypted cache.

`--check` runs SQLite's quick_check and SQLCipher's per-page HMAC check and says so in one line
(exit 1 when damaged). `--rebuild` replaces a damaged cache with a new one under a new store
key, keeping unsent changes and the old files (see `cache_repair`); it may be run again after
an interruption and finishes what was started. `--retention DAYS|off` sets how long despatched
orders are kept and purges what is older now; `--retention` alone shows it. The store holds this
one setting: the app's Settings show and change the same record, and no sync overrides it.
"""

from __future__ import annotations

import argparse
import json

from clickdrop_desktop.accounts import AccountError
from clickdrop_desktop.cache_repair import check_cache, rebuild_cache
from clickdrop_desktop.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CliError
from clickdrop_desktop.commands.account import open_account
from clickdrop_desktop.store import StoreError
from clickdrop_desktop.store.retention import check_period
from clickdrop_desktop.vault import Vault, passphrase_from_env


def _retention(value: str) -> int | None:
    if value.strip().lower() in {"off", "none", "0"}:
        return None
    try:
        return check_period(int(value))
    except ValueError:
        raise CliError(
            f"--retention takes a number of days (at least 1) or 'off', not {value[:20]!r}",
            EXIT_USAGE,
        ) from None


def _show_retention(args: argparse.Namespace) -> int:
    with open_account(args.account) as session:
        recorded = session.store.retention.recorded()
        days = session.store.retention.period_days()
        name = session.profile.name
    if args.json:
        print(json.dumps({"account": name, "retention_days": days, "recorded": recorded}))
    elif days is not None:
        print(f"{name}: orders despatched more than {days} day(s) ago are not kept")
    elif recorded:
        print(f"{name}: despatched orders are kept however old (retention off)")
    else:
        print(
            f"{name}: no retention period set: despatched orders are kept however old (the "
            "app applies its default period at its next sync unless one is set)"
        )
    return EXIT_OK


def _set_retention(args: argparse.Namespace) -> int:
    if not args.retention.strip():
        return _show_retention(args)
    days = _retention(args.retention)
    with open_account(args.account) as session:
        store = session.store
        with store.transaction():
            store.retention.set_period(days)
        purged = store.retention.purge()
        name = session.profile.name
    if args.json:
        print(json.dumps({"account": name, "retention_days": days, "purged": purged}))
    elif days is None:
        print(f"{name}: despatched orders are kept however old (retention off)")
    else:
        print(
            f"{name}: orders despatched more than {days} day(s) ago are not kept; "
            f"{purged} purged now"
        )
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    if args.force and not args.rebuild:
        raise CliError("--force goes with --rebuild", EXIT_USAGE)
    if args.retention is not None:
        return _set_retention(args)
    vault = Vault()
    passphrase = passphrase_from_env()
    try:
        if args.check:
            report = check_cache(vault, args.account, passphrase=passphrase)
            if args.json:
                print(json.dumps(report.to_dict()))
            if not report.ok:
                raise CliError(report.line.replace("\n", " "), EXIT_ERROR)
            if not args.json:
                print(report.line)
            return EXIT_OK
        rebuilt = rebuild_cache(vault, args.account, passphrase=passphrase, force=args.force)
    except (AccountError, StoreError) as exc:
        raise CliError(exc.message, getattr(exc, "exit_code", EXIT_ERROR)) from None
    finally:
        vault.lock()
    if args.json:
        print(json.dumps(rebuilt.to_dict()))
    else:
        print("\n".join(rebuilt.lines()))
    return EXIT_OK
