"""Which keyring backends may hold keys: an allowlist of OS secret stores, priority >= 1.

python-keyring picks a backend by priority, and a machine without a secret service ends up on
`fail.Keyring`, `null.Keyring`, or (if `keyrings.alt` is installed) a plaintext or weakly
encrypted file. None of those may hold a store key (security notes §3.1), so rather than a
denylist that a new insecure backend could slip past, only known OS secret stores are accepted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import keyring
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend

#: Class paths of the OS secret stores python-keyring ships.
DEFAULT_ALLOWED_BACKENDS: frozenset[str] = frozenset(
    {
        "keyring.backends.SecretService.Keyring",  # GNOME Keyring, KeePassXC (Secret Service)
        "keyring.backends.libsecret.Keyring",  # the same stores, through libsecret
        "keyring.backends.kwallet.DBusKeyring",  # KWallet 5/6
        "keyring.backends.kwallet.DBusKeyringKWallet4",
        "keyring.backends.macOS.Keyring",  # macOS Keychain
        "keyring.backends.Windows.WinVaultKeyring",  # Windows Credential Locker
    }
)
MIN_PRIORITY = 1.0


def class_path(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _priority(backend: KeyringBackend) -> float | None:
    try:
        return float(backend.priority)
    except Exception:  # noqa: BLE001 - a backend that cannot state its priority is not viable
        return None


@dataclass(frozen=True, slots=True)
class KeyringChoice:
    """The outcome of checking the current keyring.

    `backend` is the backend to use (None when there is no acceptable one); `backend_id` names
    it (or, when refused, the backend that was found); `reason` says why it was refused.
    """

    backend: KeyringBackend | None
    backend_id: str
    reason: str = ""

    @property
    def secure(self) -> bool:
        return self.backend is not None


def _acceptable(backend: KeyringBackend, allowed: Collection[str]) -> str:
    """Empty when acceptable, else why not."""
    path = class_path(backend)
    if path not in allowed:
        return f"{path} is not an OS secret store"
    priority = _priority(backend)
    if priority is None or priority < MIN_PRIORITY:
        return f"{path} is not usable here (priority {priority})"
    return ""


def choose_backend(
    current: KeyringBackend | None = None,
    *,
    allowed: Collection[str] = DEFAULT_ALLOWED_BACKENDS,
) -> KeyringChoice:
    """Check `current` (default: python-keyring's selected backend) against the allowlist.

    A chainer (several viable backends) resolves to its highest-priority allowed member, which
    is then used directly, so keys never land in another member of the chain.
    """
    if current is None:
        try:
            current = keyring.get_keyring()
        except Exception:  # noqa: BLE001 - a broken keyring install means "no keyring"
            return KeyringChoice(None, "none", "python-keyring could not load a backend")
    if isinstance(current, ChainerBackend):
        members: Iterable[KeyringBackend] = ()
        with contextlib.suppress(Exception):
            members = list(current.backends)
        for member in members:
            if not _acceptable(member, allowed):
                return KeyringChoice(member, class_path(member))
        return KeyringChoice(None, class_path(current), "no OS secret store among the backends")
    reason = _acceptable(current, allowed)
    if reason:
        return KeyringChoice(None, class_path(current), reason)
    return KeyringChoice(current, class_path(current))
