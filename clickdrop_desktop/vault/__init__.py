"""The vault: per-account keys in the OS keyring (or passphrase-wrapped), lock and sign-out."""

from clickdrop_desktop.vault.errors import (
    AccountExists,
    InsecureKeyring,
    KeyMismatch,
    KeyringChanged,
    KeyringUnavailable,
    KeysMissing,
    NoSuchAccount,
    PassphraseRequired,
    PassphraseTooShort,
    UnsyncedChanges,
    VaultError,
    VaultLocked,
    WrappedKeysDamaged,
    WrongPassphrase,
)
from clickdrop_desktop.vault.keyring_policy import (
    DEFAULT_ALLOWED_BACKENDS,
    KeyringChoice,
    choose_backend,
)
from clickdrop_desktop.vault.secrets import AccountKeys
from clickdrop_desktop.vault.vault import (
    PASSPHRASE_ENV,
    SERVICE,
    WRAPPED_FILE,
    SignOutReport,
    Vault,
    passphrase_from_env,
    store_path,
)
from clickdrop_desktop.vault.wrapping import DEFAULT_SCRYPT, MIN_PASSPHRASE, ScryptParams

__all__ = [
    "DEFAULT_ALLOWED_BACKENDS",
    "DEFAULT_SCRYPT",
    "MIN_PASSPHRASE",
    "PASSPHRASE_ENV",
    "SERVICE",
    "WRAPPED_FILE",
    "AccountExists",
    "AccountKeys",
    "InsecureKeyring",
    "KeyMismatch",
    "KeyringChanged",
    "KeyringChoice",
    "KeyringUnavailable",
    "KeysMissing",
    "NoSuchAccount",
    "PassphraseRequired",
    "PassphraseTooShort",
    "ScryptParams",
    "SignOutReport",
    "UnsyncedChanges",
    "Vault",
    "VaultError",
    "VaultLocked",
    "WrappedKeysDamaged",
    "WrongPassphrase",
    "choose_backend",
    "passphrase_from_env",
    "store_path",
]
