"""The `clickdrop-desktop` entry point: argument parsing, exit codes, one-line errors.

Each subcommand lives in `clickdrop_desktop/commands/<name>.py` as `run(args) -> int` and is
imported only when used, so a CLI command never pays for Qt start-up (DESIGN.md, layers).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from clickdrop_desktop import __version__

# Exit codes (DESIGN.md contracts).
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_OFFLINE = 3
EXIT_AUTH = 4
EXIT_ISOLATION = 5


class CliError(Exception):
    """A failure with one line for stderr and the exit code that goes with it."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def _add_account_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--account", metavar="NAME", help="account to use (default: the active one)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clickdrop-desktop",
        description="Royal Mail Click & Drop on the desktop: encrypted offline cache, "
        "direct label printing. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the app against an embedded sandbox and a virtual printer (no account needed)",
    )
    parser.add_argument(
        "--quit-after",
        type=float,
        metavar="SECONDS",
        help="close the app after this many seconds (smoke tests)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("sandbox", help="run a Click & Drop-compatible server for tests and demos")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--orders", type=int, default=200, help="orders seeded per account")
    p.add_argument(
        "--rate-limit",
        type=float,
        default=5.0,
        metavar="PER_S",
        help="calls per second per account before 429 (0 turns the limit off)",
    )

    p = sub.add_parser("account", help="sign in, list, switch or remove accounts")
    acc = p.add_subparsers(dest="account_command", metavar="ACTION", required=True)
    a = acc.add_parser("add", help="sign in: API key from stdin or CLICKDROP_API_KEY")
    a.add_argument("name")
    a.add_argument("--api-url", default="https://api.parcel.royalmail.com/api/v1")
    a = acc.add_parser("list", help="accounts on this machine")
    a.add_argument("--json", action="store_true")
    a = acc.add_parser("use", help="make an account the active one")
    a.add_argument("name")
    a = acc.add_parser("remove", help="sign out: delete the account's keys and cached data")
    a.add_argument("name")
    a.add_argument("--force", action="store_true", help="even if the outbox still holds changes")
    a = acc.add_parser("lock", help="drop the account's keys from memory (data kept)")
    a.add_argument("name", nargs="?")

    p = sub.add_parser("sync", help="fetch this account's orders into the encrypted cache")
    _add_account_option(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("orders", help="cached orders of the active account")
    _add_account_option(p)
    p.add_argument("--search", metavar="Q")
    p.add_argument("--status", choices=["new", "printed", "despatched", "manifested", "archived"])
    p.add_argument("--limit", type=int, default=0, help="at most this many (0: all)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("print", help="print orders' documents through the print queue")
    _add_account_option(p)
    p.add_argument("orders", nargs="+", metavar="ORDER", help="order identifier or reference")
    p.add_argument("--printer", required=True, metavar="URI", help="e.g. zpl+tcp://127.0.0.1:9100")
    p.add_argument(
        "--document",
        default="postageLabel",
        choices=["postageLabel", "despatchNote", "CN22", "CN23", "packingSlip"],
    )
    p.add_argument("--copies", type=int, default=1)
    p.add_argument("--reprint", action="store_true", help="print again what was printed before")

    p = sub.add_parser("printers", help="discovered printers")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--virtual-port", type=int, metavar="P", help="also list the virtual printer on this port"
    )
    p.add_argument(
        "--status", metavar="URI", help="ask one printer for its state (paper, head, pause)"
    )

    p = sub.add_parser("status", help="connectivity, last sync, outbox and print queue")
    _add_account_option(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("despatch", help="mark orders despatched (queued when offline)")
    _add_account_option(p)
    p.add_argument("orders", nargs="+", metavar="ORDER")
    p.add_argument("--tracking-number")

    p = sub.add_parser("outbox", help="changes waiting to reach Click & Drop")
    _add_account_option(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--flush", action="store_true", help="replay them now")
    p.add_argument("--retry", metavar="OP", help="send a change that needs you again, as it is")
    p.add_argument("--discard", metavar="OP", help="drop a change that needs you (with --yes)")
    p.add_argument("--yes", action="store_true", help="confirm --discard")

    p = sub.add_parser("cancel", help="cancel orders before their label (queued when offline)")
    _add_account_option(p)
    p.add_argument("orders", nargs="+", metavar="ORDER")

    p = sub.add_parser("import", help="new orders from a shop's CSV export (all or nothing)")
    _add_account_option(p)
    p.add_argument("csv", metavar="CSV", help="the file (UTF-8, UTF-16 or Windows-1252)")
    p.add_argument("--dry-run", action="store_true", help="check and preview; queue nothing")
    p.add_argument("--service", metavar="CODE", help="service code for rows without one")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("virtual-printer", help="a loopback raw printer that decodes jobs to PNG")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=9100)
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--dpi", type=int, default=203)

    p = sub.add_parser("cache", help="check or repair the encrypted order cache; its retention")
    _add_account_option(p)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument(
        "--check", action="store_true", help="quick_check and cipher_integrity_check, one line"
    )
    g.add_argument(
        "--rebuild",
        action="store_true",
        help="move the damaged cache aside, start a new one under a new key, keep the outbox",
    )
    g.add_argument(
        "--retention",
        metavar="DAYS",
        nargs="?",
        const="",
        help="keep despatched orders DAYS days ('off': keep all; no DAYS: show the setting)",
    )
    p.add_argument(
        "--force", action="store_true", help="rebuild even if unsent changes cannot be read"
    )
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("incidents", help="isolation incidents: list or export for a breach log")
    _add_account_option(p)
    p.add_argument("--export", metavar="PATH", help="write the incident records as JSON")
    p.add_argument(
        "--ack", action="store_true", help="acknowledge open incidents so sync may run again"
    )
    p.add_argument(
        "--accept-trading-name",
        metavar="NAME",
        action="append",
        help="NAME is this account's own (renamed in Click & Drop): record it and acknowledge",
    )
    return parser


_COMMAND_MODULES = {
    "sandbox": "clickdrop_desktop.sandbox.server",
    "account": "clickdrop_desktop.commands.account",
    "sync": "clickdrop_desktop.commands.sync",
    "orders": "clickdrop_desktop.commands.orders",
    "print": "clickdrop_desktop.commands.print_",
    "printers": "clickdrop_desktop.commands.printers",
    "status": "clickdrop_desktop.commands.status",
    "despatch": "clickdrop_desktop.commands.despatch",
    "outbox": "clickdrop_desktop.commands.outbox",
    "cancel": "clickdrop_desktop.commands.cancel",
    "import": "clickdrop_desktop.commands.import_",
    "virtual-printer": "clickdrop_desktop.commands.virtual_printer",
    "incidents": "clickdrop_desktop.commands.incidents",
    "cache": "clickdrop_desktop.commands.cache",
}


def _load(command: str) -> Callable[[argparse.Namespace], int]:
    module = importlib.import_module(_COMMAND_MODULES[command])
    run: Callable[[argparse.Namespace], int] = module.run
    return run


def _run_gui(args: argparse.Namespace) -> int:
    from ui.app import run_app  # lazy: only the GUI pays for Qt

    code: int = run_app(demo=args.demo, quit_after=args.quit_after)
    return code


def _start_log(*, thread_hook: bool) -> None:
    """The rotating, redacted log file; best effort (`sandbox` needs no writable data dir)."""
    from clickdrop_desktop import logging_setup

    try:
        logging_setup.setup_logging()
    except OSError:
        return
    if thread_hook:  # a real process, not a test calling main([...]) under pytest's own hook
        logging_setup.install_thread_hook()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return _run_gui(args)
        _start_log(thread_hook=argv is None)
        return _load(args.command)(args)
    except CliError as exc:
        print(f"clickdrop-desktop: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("clickdrop-desktop: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
    except Exception as exc:  # last line of defence: one line, never a traceback
        from clickdrop_desktop.errors import describe
        from clickdrop_desktop.logging_setup import log_crash

        log_crash(exc)  # the traceback goes to the log file only
        message, code = describe(exc)
        print(f"clickdrop-desktop: {message}", file=sys.stderr)
        if os.environ.get("CLICKDROP_DEBUG"):
            raise
        return code


if __name__ == "__main__":
    raise SystemExit(main())
