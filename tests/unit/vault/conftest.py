"""Vault fixtures: the in-memory keyring registered through keyring's real API, a cheap KDF."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.core
import pytest

from clickdrop_desktop.accounts import AccountRegistry
from clickdrop_desktop.vault import DEFAULT_ALLOWED_BACKENDS, ScryptParams, Vault
from tests.helpers.memory_keyring import MEMORY_KEYRING, OTHER_MEMORY_KEYRING, MemoryKeyring

TEST_KDF = ScryptParams(n=2**12)  # recorded with each wrapped blob, like the real default
PASSPHRASE = "correct horse battery staple"
API_KEY = "7d1f3c2a-9b8e-4f60-a1d2-3c4b5a697887"


@pytest.fixture(autouse=True)
def _restore_keyring() -> Iterator[None]:
    # keyring.set_keyring() is process-global; put back whatever was selected before.
    previous = keyring.core._keyring_backend
    yield
    keyring.core._keyring_backend = previous


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


def make_vault(**kwargs: object) -> Vault:
    allowed = DEFAULT_ALLOWED_BACKENDS | {MEMORY_KEYRING, OTHER_MEMORY_KEYRING}
    return Vault(AccountRegistry(), allowed_backends=allowed, kdf=TEST_KDF, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def vault(memory_keyring: MemoryKeyring) -> Vault:
    return make_vault()
