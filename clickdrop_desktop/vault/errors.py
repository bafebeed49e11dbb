"""Typed vault errors: one line each, never a key, a passphrase or any part of one."""

from __future__ import annotations

from clickdrop_desktop.accounts import AccountError, AccountExists, NoSuchAccount

EXIT_KEYS = 4  # the CLI's "auth" exit code: the user must act on keys or the passphrase

__all__ = [
    "AccountExists",
    "InsecureKeyring",
    "KeyMismatch",
    "KeyringChanged",
    "KeyringUnavailable",
    "KeysMissing",
    "NoSuchAccount",
    "PassphraseRequired",
    "PassphraseTooShort",
    "UnsyncedChanges",
    "VaultError",
    "VaultLocked",
    "WrappedKeysDamaged",
    "WrongPassphrase",
]


class VaultError(AccountError):
    """Base of the vault's errors."""

    exit_code = EXIT_KEYS


class VaultLocked(VaultError):
    """The account's keys are not in memory: unlock it first (after a lock or idle timeout)."""


class PassphraseRequired(VaultError):
    """The keys are protected by a passphrase and none was given."""


class InsecureKeyring(PassphraseRequired):
    """The OS keyring is missing or not trustworthy (plaintext, fail, null...): a passphrase
    is needed to protect the keys instead."""


class WrongPassphrase(VaultError):
    """The passphrase does not open this account's keys (nothing was changed)."""


class PassphraseTooShort(VaultError):
    """A new passphrase must be at least `MIN_PASSPHRASE` characters."""


class KeyringChanged(VaultError):
    """The keys were stored in another keyring backend than the one available now: fail closed,
    never mint new keys over an existing store."""


class KeyringUnavailable(VaultError):
    """The keyring backend refused or failed a read, write or delete (locked, no D-Bus...)."""


class KeysMissing(VaultError):
    """The account is registered but its keys are gone from the keyring or the wrapped file."""


class KeyMismatch(VaultError):
    """The keyring holds a store key other than the one this account's store was made with."""


class WrappedKeysDamaged(VaultError):
    """The wrapped-keys file cannot be parsed (not a wrong passphrase: the file itself)."""


class UnsyncedChanges(VaultError):
    """Sign-out would discard changes not yet sent to Click & Drop (use force to discard)."""

    exit_code = 1

    def __init__(self, message: str, *, pending: int | None) -> None:
        super().__init__(message)
        self.pending = pending  # None: could not be counted (keys unavailable)
