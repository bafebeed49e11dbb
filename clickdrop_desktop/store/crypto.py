"""Key helpers shared by the store and the vault: key fingerprints and HKDF sub-keys."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

STORE_KEY_BYTES = 32  # 256-bit random key, used raw by SQLCipher (no KDF cost at open)


def check_store_key(key: bytes | bytearray) -> bytes:
    """Return `key` as bytes if it is a 256-bit key, else raise `ValueError` (no key in the text)."""
    if not isinstance(key, bytes | bytearray) or len(key) != STORE_KEY_BYTES:
        raise ValueError("a store key must be 32 random bytes")
    return bytes(key)


def key_id(key: bytes | bytearray) -> str:
    """A public fingerprint of a store key (16 hex chars), safe to keep in plain files.

    It is an HMAC under the key itself, so it says nothing about the key; it lets the app
    tell "wrong key" from "damaged file" and notice a keyring entry that was replaced.
    """
    digest = hmac.new(bytes(key), b"clickdrop-desktop key-id v1", hashlib.sha256).hexdigest()
    return digest[:16]


def derive_subkey(key: bytes | bytearray, *, purpose: str, salt: bytes) -> bytes:
    """An independent 256-bit key for `purpose` (HKDF-SHA256), so one secret serves many uses."""
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=salt,
        info=f"clickdrop-desktop {purpose}".encode(),
    )
    return hkdf.derive(bytes(key))
