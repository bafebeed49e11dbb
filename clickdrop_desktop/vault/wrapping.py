"""Passphrase protection for when no trustworthy keyring exists: scrypt KEK + AES-256-GCM.

Only the wrapped blob reaches the disk (`keys.wrapped`, 0600). The KDF parameters and a
format version are stored with it, so every blob says how to open it and the defaults can be
raised later (a passphrase change re-wraps with the current defaults). AAD binds the blob to
its account and format version: a blob copied into another account's folder does not open.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from clickdrop_desktop.vault.errors import WrappedKeysDamaged, WrongPassphrase

WRAP_FORMAT = "clickdrop-desktop/wrapped-keys"
WRAP_VERSION = 1
MIN_PASSPHRASE = 8
_SALT = 16
_NONCE = 12


@dataclass(frozen=True, slots=True)
class ScryptParams:
    """scrypt cost. The default (n=2**17, r=8, p=1: 128 MiB, about half a second) follows the
    security notes §3.4; tests pass a lower `n` explicitly and it is recorded with the blob."""

    n: int = 2**17
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        # Bounds keep a tampered file from asking for absurd memory (or a trivial cost).
        if self.n < 2**10 or self.n > 2**22 or self.n & (self.n - 1):
            raise WrappedKeysDamaged("scrypt n must be a power of two between 2**10 and 2**22")
        if not 1 <= self.r <= 32 or not 1 <= self.p <= 16:
            raise WrappedKeysDamaged("scrypt r or p out of range")

    def to_dict(self) -> dict[str, Any]:
        return {"name": "scrypt", "n": self.n, "r": self.r, "p": self.p}


DEFAULT_SCRYPT = ScryptParams()


def _aad(account_id: str, version: int) -> bytes:
    return f"clickdrop-desktop|{account_id}|wrapped-keys|v{version}".encode()


def _kek(passphrase: str, salt: bytes, params: ScryptParams) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=params.n, r=params.r, p=params.p)
    return kdf.derive(passphrase.encode("utf-8"))


def wrap(
    payload: dict[str, str], *, passphrase: str, account_id: str, params: ScryptParams
) -> bytes:
    """Seal `payload` (the account's secrets) under a key derived from `passphrase`."""
    salt, nonce = secrets.token_bytes(_SALT), secrets.token_bytes(_NONCE)
    plain = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    sealed = AESGCM(_kek(passphrase, salt, params)).encrypt(
        nonce, plain, _aad(account_id, WRAP_VERSION)
    )
    blob = {
        "format": WRAP_FORMAT,
        "version": WRAP_VERSION,
        "account_id": account_id,
        "kdf": {**params.to_dict(), "salt": base64.b64encode(salt).decode()},
        "aead": "AES-256-GCM",
        "nonce": base64.b64encode(nonce).decode(),
        "ciphertext": base64.b64encode(sealed).decode(),
    }
    return (json.dumps(blob, indent=2) + "\n").encode("utf-8")


def read_params(blob: bytes) -> ScryptParams:
    """The KDF parameters a blob was made with (no passphrase needed)."""
    return _parse(blob)[0]


def _parse(blob: bytes) -> tuple[ScryptParams, int, bytes, bytes, bytes]:
    try:
        data = json.loads(blob)
        if data.get("format") != WRAP_FORMAT or int(data["version"]) != WRAP_VERSION:
            raise ValueError("unknown format")
        kdf = data["kdf"]
        if kdf.get("name") != "scrypt" or data.get("aead") != "AES-256-GCM":
            raise ValueError("unknown algorithm")
        params = ScryptParams(n=int(kdf["n"]), r=int(kdf["r"]), p=int(kdf["p"]))
        salt = base64.b64decode(kdf["salt"], validate=True)
        nonce = base64.b64decode(data["nonce"], validate=True)
        sealed = base64.b64decode(data["ciphertext"], validate=True)
    except WrappedKeysDamaged:
        raise
    except (ValueError, KeyError, TypeError, AttributeError):
        raise WrappedKeysDamaged(
            "the wrapped keys file is damaged or of an unknown format"
        ) from None
    if len(salt) != _SALT or len(nonce) != _NONCE:
        raise WrappedKeysDamaged("the wrapped keys file is damaged")
    return params, WRAP_VERSION, salt, nonce, sealed


def unwrap(blob: bytes, *, passphrase: str, account_id: str, name: str) -> dict[str, str]:
    """Open a blob; `WrongPassphrase` if the tag fails (wrong passphrase or another account)."""
    params, version, salt, nonce, sealed = _parse(blob)
    try:
        plain = AESGCM(_kek(passphrase, salt, params)).decrypt(
            nonce, sealed, _aad(account_id, version)
        )
    except InvalidTag:
        raise WrongPassphrase(f"wrong passphrase for account {name!r}") from None
    try:
        payload = json.loads(plain)
        keys = {"api_key": str(payload["api_key"]), "store_key": str(payload["store_key"])}
        if payload.get("store_key_next"):  # a cache rebuild's new key, until it takes over
            keys["store_key_next"] = str(payload["store_key_next"])
        return keys
    except (ValueError, KeyError, TypeError):
        raise WrappedKeysDamaged("the wrapped keys opened but hold no keys") from None
