"""Vault fixtures: the in-memory keyring registered through keyring's real API, a cheap KDF."""

from __future__ import annotations

import pytest

from clickdrop_desktop.accounts import AccountRegistry
from clickdrop_desktop.vault import DEFAULT_ALLOWED_BACKENDS, ScryptParams, Vault
from tests.helpers.memory_keyring import (  # noqa: F401 - fixtures
    MEMORY_KEYRING,
    OTHER_MEMORY_KEYRING,
    MemoryKeyring,
    _restore_keyring,
    memory_keyring,
)

TEST_KDF = ScryptParams(n=2**12)  # recorded with each wrapped blob, like the real default
PASSPHRASE = "correct horse battery staple"
API_KEY = "7d1f3c2a-9b8e-4f60-a1d2-3c4b5a697887"


def make_vault(**kwargs: object) -> Vault:
    allowed = DEFAULT_ALLOWED_BACKENDS | {MEMORY_KEYRING, OTHER_MEMORY_KEYRING}
    return Vault(AccountRegistry(), allowed_backends=allowed, kdf=TEST_KDF, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def vault(memory_keyring: MemoryKeyring) -> Vault:  # noqa: F811 - the fixture
    return make_vault()
