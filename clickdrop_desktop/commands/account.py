"""`clickdrop-desktop account add|list|use|remove|lock`: sign in, list, switch, sign out.

The API key is read from `CLICKDROP_API_KEY` or standard input, never from the command line
(where `ps` and shell history would show it). Sign-in verifies it, probes what the account can
do, prints that, and keeps the key and a fresh store key in the vault.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import Any

from clickdrop_desktop.accounts import CAP_FULL, CAP_LABELS, AccountError, AccountRegistry
from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.cli import EXIT_AUTH, EXIT_ISOLATION, EXIT_OK, EXIT_USAGE, CliError
from clickdrop_desktop.errors import IsolationAlert
from clickdrop_desktop.session import AccountSession
from clickdrop_desktop.session import open_account as _open_account
from clickdrop_desktop.sync.api_adapter import ClientSyncApi
from clickdrop_desktop.sync.engine import sign_in_trading_names
from clickdrop_desktop.vault import Vault, passphrase_from_env

MAX_NAME = 64


def open_account(name: str | None, **kwargs: Any) -> AccountSession:
    """`session.open_account` with the account errors as CLI errors (one line, exit code)."""
    try:
        return _open_account(name, **kwargs)
    except AccountError as exc:
        raise CliError(exc.message, exc.exit_code) from None


def _read_key() -> str:
    key = os.environ.get("CLICKDROP_API_KEY", "")
    if not key:
        if sys.stdin is None:
            raise CliError("give the API key on standard input or in CLICKDROP_API_KEY", EXIT_USAGE)
        if sys.stdin.isatty():
            key = getpass.getpass("Click & Drop API key: ")
        else:
            key = sys.stdin.readline()
    key = key.strip()
    if not key:
        raise CliError("no API key given (standard input or CLICKDROP_API_KEY)", EXIT_USAGE)
    return key


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise CliError(f"an account name is 1 to {MAX_NAME} printable characters", EXIT_USAGE)
    return name


def _add(args: argparse.Namespace) -> int:
    name = _check_name(args.name)
    vault = Vault()
    if name in vault.registry.names():
        raise CliError(f"an account named {name!r} exists; remove it first or pick another")
    passphrase = passphrase_from_env()
    # No keyring and no passphrase: say so before the key is read or the network used.
    vault.storage_for_new_account(passphrase)
    key = _read_key()
    try:
        client = ClickDropClient(args.api_url, key, timeout=30.0)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    with client:
        capabilities = client.probe_capabilities()
        scheme = client.auth_scheme
        if not capabilities.key_valid:
            raise CliError(
                "Click & Drop refused this API key (401); check it and try again", EXIT_AUTH
            )
        trading_names: list[str] = []
        if capabilities.full:
            try:
                trading_names = sign_in_trading_names(ClientSyncApi(client))
            except IsolationAlert as alert:
                raise CliError(alert.message, EXIT_ISOLATION) from None
    flags = {CAP_FULL} if capabilities.full else set()
    if capabilities.labels:
        flags.add(CAP_LABELS)
    record, keys = vault.sign_in(
        name,
        client.base_url,
        key,
        passphrase=passphrase,
        capabilities=flags,
        account_type=capabilities.account_type,
        auth_scheme=scheme,
        trading_names=trading_names,
    )
    try:
        # Create the encrypted store now, stamped with this account's id.
        vault.open_store(name).close()
    except BaseException:
        vault.sign_out(name, force=True, passphrase=passphrase)
        raise
    finally:
        vault.lock(name)
    where = (
        "protected by your passphrase"
        if record.uses_passphrase
        else f"in the keyring ({record.keyring_backend})"
    )
    print(f"signed in as {name}: {capabilities.account_type} account at {record.api_url}")
    print(f"  order details (/orders/full): {'yes' if capabilities.full else 'no'}")
    print(f"  labels through the API:      {'yes' if capabilities.labels else 'no'}")
    print(f"  keys kept {where}")
    if trading_names:
        print(f"  trading names (the isolation guard's reference): {', '.join(trading_names)}")
    elif capabilities.full:
        print("  trading names: none yet (no orders); recorded at the first sync")
    if vault.registry.active_name() == name:
        print(f"  {name} is the active account")
    del keys
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    registry = AccountRegistry()
    active = registry.active_name()
    accounts = registry.list()
    if args.json:
        items = [
            {
                "name": a.name,
                "api_url": a.api_url,
                "type": a.account_type,
                "full": a.full,
                "labels": a.labels,
                "active": a.name == active,
                "key_backend": a.key_backend,
                "created_at": a.created_at,
            }
            for a in accounts
        ]
        print(json.dumps(items))
        return EXIT_OK
    if not accounts:
        print("no account signed in; run 'clickdrop-desktop account add NAME --api-url URL'")
    for a in accounts:
        mark = "*" if a.name == active else " "
        print(f"{mark} {a.name:<20} {a.account_type or '?':<15} {a.api_url}")
    return EXIT_OK


def _use(args: argparse.Namespace) -> int:
    AccountRegistry().set_active(args.name)
    print(f"{args.name} is the active account")
    return EXIT_OK


def _remove(args: argparse.Namespace) -> int:
    vault = Vault()
    record = vault.registry.get(args.name)
    report = vault.sign_out(record.name, force=args.force, passphrase=passphrase_from_env())
    lost = (
        f"; {report.discarded_changes} unsent change(s) discarded"
        if report.discarded_changes
        else ""
    )
    print(f"signed out of {record.name}: keys deleted, cached orders and labels destroyed{lost}")
    if report.keyring_entries_left:
        print(
            f"  note: the keyring that held {record.name}'s keys is not available here; "
            "its entries could not be deleted"
        )
    return EXIT_OK


def _lock(args: argparse.Namespace) -> int:
    record = AccountRegistry().find(args.name)
    # A CLI command holds keys only while it runs; each command unlocks afresh from the
    # keyring or the passphrase, so there is nothing left in memory to drop.
    print(
        f"{record.name} is locked: no key is held by the command line; the next command "
        "unlocks it again from the vault"
    )
    return EXIT_OK


_ACTIONS = {"add": _add, "list": _list, "use": _use, "remove": _remove, "lock": _lock}


def run(args: argparse.Namespace) -> int:
    try:
        return _ACTIONS[args.account_command](args)
    except AccountError as exc:
        raise CliError(exc.message, exc.exit_code) from None
