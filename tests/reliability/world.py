"""An in-process Click & Drop world: the sandbox in a thread, accounts signed in through the real
vault (an in-memory keyring standing in for the OS one), sessions on fake time, crash images.

Everything here is the product's own code path except three stand-ins, each for a reason:
the keyring (`MemoryKeyring`: the tests must not touch a desktop keyring), the clock (the
client's waits for rate limits and `Retry-After` are recorded instead of slept), and the crash
(`crash_image` copies the data dir as a `kill -9` would leave it at that instant; the SIGKILL
tests in test_crash_integrity.py kill real processes mid-operation).
"""

from __future__ import annotations

import functools
import os
import random
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import keyring
import pytest

from clickdrop_desktop import session as session_module
from clickdrop_desktop.accounts import CAP_FULL, CAP_LABELS, AccountRecord
from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.sandbox import resources
from clickdrop_desktop.sandbox.records import OrderRecord
from clickdrop_desktop.sandbox.server import Sandbox
from clickdrop_desktop.session import AccountSession, open_account
from clickdrop_desktop.store import Store
from clickdrop_desktop.sync.api_adapter import ClientSyncApi
from clickdrop_desktop.sync.engine import sign_in_trading_names
from clickdrop_desktop.vault import DEFAULT_ALLOWED_BACKENDS, SERVICE, Vault
from tests.helpers.memory_keyring import MEMORY_KEYRING, MemoryKeyring

ID_RANGE = 10_000_000  # each sandbox account owns (base, base + 10,000,000]


class FakeTime:
    """The client's monotonic clock and sleep, and the replayer's wall clock, moved by hand.

    `sleeps` keeps every wait the code asked for (rate limit, Retry-After, backoff).
    """

    def __init__(self) -> None:
        self.mono = 1000.0
        self.offset = timedelta(0)
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.mono

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.offset += timedelta(seconds=seconds)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class World:
    """One machine's worth of app state. `data_dir` moves on every `crash_image`."""

    sandbox: Sandbox
    root: Path
    monkeypatch: pytest.MonkeyPatch
    time: FakeTime = field(default_factory=FakeTime)
    keyring: MemoryKeyring = field(default_factory=MemoryKeyring)
    generation: int = 0
    data_dir: Path = field(init=False)

    def __post_init__(self) -> None:
        self.data_dir = self.root / "data-0"
        self.monkeypatch.setenv("CLICKDROP_DATA_DIR", str(self.data_dir))
        keyring.set_keyring(self.keyring)
        factory = functools.partial(
            ClickDropClient,
            clock=self.time.monotonic,
            sleep=self.time.sleep,
            rng=random.Random(8),
        )
        self.monkeypatch.setattr(session_module, "ClickDropClient", factory)

    @property
    def info(self) -> Any:
        return self.sandbox.info

    # -- accounts -------------------------------------------------------------------------------

    def vault(self) -> Vault:
        """A fresh vault, as a new process (or the GUI's account controller) makes one."""
        return Vault(
            keyring_backend=self.keyring,
            allowed_backends=DEFAULT_ALLOWED_BACKENDS | {MEMORY_KEYRING},
        )

    def sign_in(self, name: str, upstream_name: str) -> AccountRecord:
        """Sign in as the CLI does: probe the key, learn trading names, keep the keys."""
        key = self.info.account(upstream_name).api_key
        with ClickDropClient(
            self.info.url,
            key,
            rate_per_s=0,
            timeout=30.0,
            clock=self.time.monotonic,
            sleep=self.time.sleep,
        ) as client:
            caps = client.probe_capabilities()
            names = sign_in_trading_names(ClientSyncApi(client)) if caps.full else []
            scheme = client.auth_scheme
            base_url = client.base_url
        flags = {CAP_FULL} if caps.full else set()
        if caps.labels:
            flags.add(CAP_LABELS)
        vault = self.vault()
        record, _keys = vault.sign_in(
            name,
            base_url,
            key,
            capabilities=flags,
            account_type=caps.account_type,
            auth_scheme=scheme,
            trading_names=names,
        )
        vault.open_store(name).close()
        vault.lock(name)
        return record

    def open(self, name: str) -> AccountSession:
        """Open an account's session (own client, own store) with a fresh vault."""
        return open_account(name, vault=self.vault(), timeout=30.0, max_retries=2)

    def keyring_entries(self, account_id: str | None = None) -> list[str]:
        """Usernames of our keyring entries (all, or one account's)."""
        return [
            user
            for (service, user) in self.keyring.entries
            if service == SERVICE and (account_id is None or user.startswith(account_id + ":"))
        ]

    # -- crashes --------------------------------------------------------------------------------

    def crash_image(self) -> Path:
        """Copy the data dir as it is on disk right now (store, WAL, SHM, journal, leases) and
        make the copy the app's data dir: the next open is a restart after `kill -9`.

        Call it between operations (no transaction is open): then the copy holds exactly the
        bytes a killed process would have left, since every write so far reached the OS.
        """
        self.generation += 1
        target = self.root / f"data-{self.generation}"
        if self.data_dir.exists():
            shutil.copytree(self.data_dir, target)
        self.data_dir = target
        self.monkeypatch.setenv("CLICKDROP_DATA_DIR", str(target))
        return target

    # -- upstream truth -------------------------------------------------------------------------

    def owner(self, order_id: int) -> str | None:
        """The sandbox account an order number belongs to (None: no account's)."""
        for account in self.sandbox.state.accounts:
            if account.id_base < order_id <= account.id_base + ID_RANGE:
                return account.name
        return None

    def upstream(self, account: str, order_id: int) -> OrderRecord | None:
        """The sandbox's own record of an order (deleted ones too), or None."""
        state = self.sandbox.state
        acct = state.by_name[account]
        with state.lock:
            store = state.store(acct)
            position = order_id - acct.id_base - 1
            if not 0 <= position < store.total:
                return None
            return store.get(position)

    def upstream_view(self, account: str, order_id: int) -> dict[str, Any] | None:
        """The order as the API shows it (`GetOrderInfoResource`), deleted ones too."""
        record = self.upstream(account, order_id)
        return None if record is None else resources.order_info(record)

    def upstream_by_reference(
        self, account: str, reference: str, *, deleted_too: bool = False
    ) -> list[OrderRecord]:
        """Every live upstream order of `account` with this reference (or every one ever made)."""
        state = self.sandbox.state
        acct = state.by_name[account]
        found: list[OrderRecord] = []
        with state.lock:
            store = state.store(acct)
            for position in range(store.data.count, store.total):
                record = store.get(position)
                if record.reference == reference and (deleted_too or not record.deleted):
                    found.append(record)
        return found

    def applied(self, account: str) -> dict[str, Counter[Any]]:
        """How many times Click & Drop processed a change to each order (answer lost or not).

        Requests turned away before processing (maintenance, storm, 500 fault, dropped
        before) are not counted.
        """
        counts: dict[str, Counter[Any]] = {"PUT": Counter(), "POST": Counter(), "DELETE": Counter()}
        for entry in self.sandbox.state.log.query():
            if entry["account"] != account or entry["status"] is None or entry["status"] >= 400:
                continue
            fault = entry["fault"] or ""
            if "maintenance" in fault or "error_500" in fault or "storm" in fault:
                continue
            body, method, path = entry["body"], entry["method"], entry["path"]
            if method == "PUT" and path.split("?")[0].endswith("/orders/status"):
                for item in body.get("items", []) if isinstance(body, dict) else []:
                    counts["PUT"][item.get("orderIdentifier") or item.get("orderReference")] += 1
            elif method == "POST" and path.split("?")[0].endswith("/orders"):
                for item in body.get("items", []) if isinstance(body, dict) else []:
                    counts["POST"][item.get("orderReference")] += 1
            elif method == "DELETE":
                segment = path.rsplit("/orders/", 1)[1].split("?")[0]
                for ident in segment.split(";"):
                    text = unquote(ident)
                    key: Any = int(text) if text.isdigit() else text.strip('"')
                    counts["DELETE"][key] += 1
        return counts


def foreign_ids(world: World, account: str, ids: set[int]) -> set[int]:
    """Ids among `ids` that are not `account`'s (negative ids are local stand-ins: ours)."""
    return {i for i in ids if i > 0 and world.owner(i) != account}


def store_ids(store: Store) -> set[int]:
    """Every order id the store holds anywhere: orders (archived too), print jobs, outbox."""
    ids = set(store.all_order_ids())
    ids |= {job.order_identifier for job in store.print_jobs.list(None, limit=1_000_000)}
    ids |= {i.order_identifier for i in store.outbox.list() if i.order_identifier is not None}
    return ids


def files_under(folder: Path) -> Iterator[Path]:
    if folder.exists():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                yield path


def secret_forms(text: str) -> list[bytes]:
    """Encodings in which a secret could sit in a file: UTF-8, UTF-16, hex, base64."""
    import base64

    raw = text.encode("utf-8")
    return [
        raw,
        text.encode("utf-16-le"),
        base64.b64encode(raw),
        base64.urlsafe_b64encode(raw),
        raw.hex().encode(),
    ]


def bytes_of_key(key: bytes) -> list[bytes]:
    """A raw key as it could sit in a file: raw, hex (both cases), base64."""
    import base64

    return [key, key.hex().encode(), key.hex().upper().encode(), base64.b64encode(key)]


def env_path() -> Path:
    return Path(os.environ["CLICKDROP_DATA_DIR"])
