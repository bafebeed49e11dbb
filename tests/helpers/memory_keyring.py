"""An in-memory python-keyring backend for tests: the real `keyring` API, no OS secret store.

Register it with `keyring.set_keyring(MemoryKeyring())` and allow its class path in the vault
(`Vault(allowed_backends=DEFAULT_ALLOWED_BACKENDS | {MEMORY_KEYRING})`): the vault's allowlist
only trusts OS secret stores, so this backend is accepted only where a test says so.
"""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Secrets in a dict. `locked` makes every call fail like a locked collection;
    `drop_writes` makes writes vanish silently (a misbehaving backend)."""

    priority = 5  # type: ignore[assignment]  # a plain number is what keyring reads

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.locked = False
        self.drop_writes = False

    def _check(self) -> None:
        if self.locked:
            raise KeyringLocked("the test keyring is locked")

    def get_password(self, service: str, username: str) -> str | None:
        self._check()
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check()
        if not self.drop_writes:
            self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._check()
        if (service, username) not in self.entries:
            raise PasswordDeleteError("no such entry")
        del self.entries[(service, username)]


class OtherMemoryKeyring(MemoryKeyring):
    """A second allowed backend, to play "the desktop's keyring changed"."""


class LowPriorityKeyring(MemoryKeyring):
    priority = 0.5  # type: ignore[assignment]


MEMORY_KEYRING = f"{MemoryKeyring.__module__}.MemoryKeyring"
OTHER_MEMORY_KEYRING = f"{OtherMemoryKeyring.__module__}.OtherMemoryKeyring"
LOW_PRIORITY_KEYRING = f"{LowPriorityKeyring.__module__}.LowPriorityKeyring"


# Fixtures, imported by the conftest.py files that need them.


@pytest.fixture(autouse=True)
def _restore_keyring() -> Iterator[None]:
    # keyring.set_keyring() is process-global; put back whatever was selected before.
    previous = keyring.core._keyring_backend
    yield
    keyring.core._keyring_backend = previous


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    """A fresh in-memory backend, selected through keyring's own API."""
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend
