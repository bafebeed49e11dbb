"""No secret and no personal data in any log line, error message, crash report or file.

A whole working session through the real CLI against a real sandbox process: sign in (an OBA
shop and a ChannelShipper marketplace), sync (addresses, phones, e-mails come with `/full`),
print postage labels and packing slips to a virtual printer, Click & Drop goes down, despatch
and import new orders from a CSV (queued), come back, replay, then errors on purpose (a wrong
passphrase, a refused API key, a broken setting that crashes a command into the crash log),
and sign out. Meanwhile every stdout and stderr is kept.

Then everything is searched for the API keys (UTF-8, UTF-16, hex, base64), the store keys
(raw, hex, base64) and the personal data the sandbox seeded and the CSV held (names, street
lines, e-mails, phone numbers): every file under the data dir before and after sign-out (the
stores and journals are encrypted, the logs redacted, the wrapped keys sealed), every line a
command printed (keys never; personal data only on stdout of the commands whose job is to
show orders), and every log and crash report. After sign-out the account folders are gone.
An in-process part does the same for the GUI's crash handler and for the messages of every
error the core raised during a faulty session.
"""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from clickdrop_desktop.accounts import AccountError, AccountRegistry
from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.api.errors import ApiError
from clickdrop_desktop.paths import data_dir
from clickdrop_desktop.sandbox.info import SandboxInfo
from clickdrop_desktop.store import Store, StoreError
from clickdrop_desktop.vault import Vault, VaultError
from printing.virtual_printer import VirtualPrinter
from tests.e2e.outbox_support import write_csv
from tests.helpers.cli import PASSPHRASE, cli, cli_env, orders_json, sign_in
from tests.reliability.ledger import Tally
from tests.reliability.world import bytes_of_key, files_under, secret_forms

pytestmark = pytest.mark.e2e

SHOP, MARKET = "oba", "channelshipper"
SHOWS_ORDERS = {"orders"}  # commands whose stdout is the user's own order data


@dataclass
class Haystack:
    """Everything the session printed or wrote, and what must never be in it."""

    outputs: list[tuple[str, str, str]] = field(default_factory=list)  # (command, stdout, stderr)
    secrets: dict[str, list[bytes]] = field(default_factory=dict)
    personal: list[str] = field(default_factory=list)

    def run(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        done = cli(*args, **kwargs)
        self.outputs.append((args[0], done.stdout, done.stderr))
        return done

    def search_files(self, folder: Path, *, personal: bool = True) -> list[str]:
        found: list[str] = []
        for path in files_under(folder):
            data = path.read_bytes()
            for name, forms in self.secrets.items():
                if any(form in data for form in forms):
                    found.append(f"{name} in {path.relative_to(folder)}")
            if personal:
                found += [
                    f"personal data {text!r} in {path.relative_to(folder)}"
                    for text in self.personal
                    if text.encode("utf-8") in data or text.encode("utf-16-le") in data
                ]
        return found

    def search_outputs(self) -> list[str]:
        found: list[str] = []
        for command, out, err in self.outputs:
            for stream, text in (("stdout", out), ("stderr", err)):
                data = text.encode("utf-8")
                for name, forms in self.secrets.items():
                    if any(form in data for form in forms):
                        found.append(f"{name} in the {stream} of '{command}'")
                if stream == "stdout" and command in SHOWS_ORDERS:
                    continue
                found += [
                    f"personal data {p!r} in the {stream} of '{command}'"
                    for p in self.personal
                    if p in text
                ]
        return found


def personal_data(info: SandboxInfo, account: str, ids: list[int]) -> list[str]:
    """Names, street lines, e-mails and phones of these orders (long enough to be unique)."""
    found: set[str] = set()
    for order_id in ids:
        full = info.order_state(account, order_id)["full"]
        for part in (full.get("shippingInfo") or {}, full.get("billingInfo") or {}):
            name = " ".join(p for p in (part.get("firstName"), part.get("lastName")) if p)
            for value in (name, part.get("addressLine2"), part.get("emailAddress")):
                if isinstance(value, str) and len(value) >= 8 and value.isprintable():
                    found.add(value)
            phone = part.get("phoneNumber")
            if isinstance(phone, str) and len(phone) >= 10:
                found.add(phone)
    return sorted(found)


def store_keys(names: list[str]) -> dict[str, bytes]:
    vault = Vault()
    keys = {name: bytes(vault.unlock(name, passphrase=PASSPHRASE).store_key) for name in names}
    vault.lock()
    return keys


@pytest.mark.sandbox(orders=150)
def test_no_secret_or_personal_data_anywhere_after_a_full_session(
    fresh_sandbox: SandboxInfo, tmp_path: Path
) -> None:
    info = fresh_sandbox
    hay = Haystack()
    for account in (SHOP, MARKET):
        hay.secrets[f"{account} API key"] = secret_forms(info.account(account).api_key)
    hay.secrets["passphrase"] = secret_forms(PASSPHRASE)

    sign_in(info, SHOP)
    sign_in(info, MARKET)
    assert hay.run("sync", "--account", SHOP).returncode == 0
    assert hay.run("sync", "--account", MARKET).returncode == 0
    for name, key in store_keys([SHOP, MARKET]).items():
        hay.secrets[f"{name} store key"] = bytes_of_key(key)
    market_ids = [o["orderIdentifier"] for o in orders_json("--account", MARKET)][:60]
    hay.personal = personal_data(info, MARKET, market_ids)
    assert len(hay.personal) > 50
    # The needles are real: the user's own order list shows them (and only it may).
    listing = hay.run("orders", "--account", MARKET, "--json")
    assert sum(p in listing.stdout for p in hay.personal) > 10

    shop_new = [
        str(o["orderIdentifier"])
        for o in orders_json("--account", SHOP, "--status", "new")
        if info.order_state(SHOP, o["orderIdentifier"])["serviceCode"]
    ]
    assert len(shop_new) >= 4
    with VirtualPrinter(out_dir=tmp_path / "printed") as printer:
        uri = printer.uri("zpl")
        assert hay.run("print", *shop_new[:2], "--account", SHOP, "--printer", uri).returncode == 0
        done = hay.run(
            "print",
            *map(str, market_ids[:2]),
            "--account",
            MARKET,
            "--printer",
            uri,
            "--document",
            "packingSlip",
        )
        assert done.returncode in (0, 1), done.stderr
        assert printer.wait_for_labels(2, timeout=30)

    info.set_fault("maintenance")
    assert hay.run("despatch", "--account", SHOP, *shop_new[2:4]).returncode == 3
    csv_people = ["Wilhelmina Featherstonehaugh", "Bartholomew Ashcombe-Pryce"]
    csv_path = write_csv(tmp_path / "shop.csv", ["SEC-1", "SEC-2"])
    csv_path.write_text(
        csv_path.read_text(encoding="utf-8")
        .replace("Customer 0", csv_people[0])
        .replace("Customer 1", csv_people[1]),
        encoding="utf-8",
    )
    hay.personal += csv_people
    assert hay.run("import", "--account", SHOP, str(csv_path)).returncode == 3
    info.clear_faults()
    assert hay.run("outbox", "--account", SHOP, "--flush").returncode == 0

    # Errors on purpose: each must be one line, none may carry a secret.
    wrong = cli_env(CLICKDROP_PASSPHRASE="not the passphrase at all")
    assert hay.run("sync", "--account", SHOP, env=wrong).returncode != 0
    refused = hay.run(
        "account",
        "add",
        "intruder",
        "--api-url",
        info.url,
        input="00000000-1111-2222-3333-444444444444\n",
    )
    assert refused.returncode == 4
    crash = hay.run(
        "outbox", "--account", SHOP, "--flush", env=cli_env(CLICKDROP_OUTBOX_SETTLE_S="x")
    )
    assert crash.returncode == 1
    assert "Traceback" not in crash.stderr
    hay.secrets["refused key"] = secret_forms("00000000-1111-2222-3333-444444444444")
    assert hay.run("status", "--json", "--account", MARKET).returncode == 0

    base = data_dir()
    logs = list(files_under(base / "logs"))
    assert logs, "the CLI wrote no log: nothing was searched"
    assert any("unhandled exception" in p.read_text(encoding="utf-8") for p in logs)
    before = hay.search_files(base)
    files_before = len(list(files_under(base)))
    folders = [r.directory for r in AccountRegistry().list()]

    assert hay.run("account", "remove", SHOP, "--force").returncode == 0
    assert hay.run("account", "remove", MARKET, "--force").returncode == 0
    after = hay.search_files(base)
    left = [str(p.relative_to(base)) for folder in folders for p in files_under(folder)]
    outputs = hay.search_outputs()

    tally = Tally(
        "secrets: full CLI session, every file, log, crash report, output", unit="sessions"
    )
    tally.runs = 1
    tally.steps = len(hay.outputs)
    tally.bad_inputs = 3  # wrong passphrase, refused key, broken setting
    tally.leaked = len(before) + len(after) + len(left) + len(outputs)
    tally.notes = {
        "files_searched_before_sign_out": files_before,
        # What stays is the app's own log and crash log (searched above: `after`); nothing of
        # the signed-out accounts' folders (`left`).
        "app_logs_kept_after_sign_out": len(list(files_under(base / "logs"))),
        "account_files_left_after_sign_out": len(left),
        "outputs_searched": len(hay.outputs),
        "secrets": len(hay.secrets),
        "personal_strings": len(hay.personal),
    }
    tally.record()
    assert before == []
    assert after == []
    assert left == [], "files of signed-out accounts are still on disk"
    assert outputs == []


def test_error_messages_and_gui_crash_reports_hold_no_secret(tmp_path: Path) -> None:
    """Errors the core raises with secrets at hand: their text, and the GUI's crash log."""
    from clickdrop_desktop.logging_setup import PrivateRotatingFileHandler, setup_logging
    from clickdrop_desktop.sandbox.server import Sandbox
    from ui.crash import CrashHandler

    key = bytes(range(32))
    api_key = "5f0c9d2e-7a41-4b3c-9e8d-1f2a3b4c5d6e"
    secrets = {"store key": bytes_of_key(key), "api key": secret_forms(api_key)}
    errors: list[BaseException] = []
    path = tmp_path / "store.db"
    Store.open(path, key, account_id="acct").close()
    for attempt in (
        lambda: Store.open(path, bytes(32), account_id="acct"),  # wrong key
        lambda: Store.open(path, key, account_id="someone-else"),  # foreign store
        lambda: Store.open(path, key + b"x", account_id="acct"),  # malformed key
    ):
        try:
            attempt()
        except (StoreError, ValueError) as exc:
            errors.append(exc)
    with Sandbox(seed=2, orders=5, rate_limit=0) as info:
        for url in (info.url, "http://127.0.0.1:9/api/v1"):
            with ClickDropClient(url, api_key, max_retries=0, timeout=5.0) as client:
                try:
                    client.list_orders(page_size=1)
                except ApiError as exc:
                    errors.append(exc)
        info_key = info.account("oba").api_key
        secrets["sandbox key"] = secret_forms(info_key)
        try:
            Vault().unlock("nobody", passphrase=PASSPHRASE)
        except (VaultError, AccountError) as exc:
            errors.append(exc)
    assert len(errors) >= 5
    log_path = setup_logging(tmp_path / "data")
    shown: list[str] = []
    crash_log = tmp_path / "data" / "logs" / "crash.log"
    handler = CrashHandler(crash_log, lambda _t, message, _p: shown.append(message))
    try:
        for exc in errors:
            handler.handle(type(exc), exc, exc.__traceback__)
    finally:
        root = logging.getLogger()
        for old in [h for h in root.handlers if isinstance(h, PrivateRotatingFileHandler)]:
            root.removeHandler(old)
            old.close()
    found = [
        f"{name} in {where}"
        for name, forms in secrets.items()
        for where, data in (
            ("messages", "\n".join(str(e) + repr(e) for e in errors).encode()),
            ("shown", "\n".join(shown).encode()),
            ("crash.log", crash_log.read_bytes()),
            ("log", log_path.read_bytes()),
        )
        if any(form in data for form in forms)
    ]
    tally = Tally("secrets: error messages and GUI crash reports", unit="errors")
    tally.runs = len(errors)
    tally.leaked = len(found)
    tally.record()
    assert all("\n" not in m for m in shown)
    assert found == []
