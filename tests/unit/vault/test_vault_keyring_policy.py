"""The keyring allowlist: OS secret stores only, priority >= 1, chainers resolved to a member."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import chainer, fail, null

from clickdrop_desktop.vault import DEFAULT_ALLOWED_BACKENDS, choose_backend
from tests.helpers.memory_keyring import (
    LOW_PRIORITY_KEYRING,
    MEMORY_KEYRING,
    LowPriorityKeyring,
    MemoryKeyring,
)

ALLOWED = DEFAULT_ALLOWED_BACKENDS | {MEMORY_KEYRING, LOW_PRIORITY_KEYRING}


class PlaintextKeyring(MemoryKeyring):
    """Stands in for keyrings.alt's file backends (not installed here, never shipped)."""

    priority = 0.5  # type: ignore[assignment]


PlaintextKeyring.__module__ = "keyrings.alt.file"


class HighPriorityUnknown(MemoryKeyring):
    """Priority is not enough: a backend must be on the allowlist."""

    priority = 20  # type: ignore[assignment]


def test_allowlisted_backend_with_priority_is_chosen() -> None:
    backend = MemoryKeyring()
    choice = choose_backend(backend, allowed=ALLOWED)
    assert choice.secure
    assert choice.backend is backend
    assert choice.backend_id == MEMORY_KEYRING


def test_selected_backend_comes_from_keyring_itself() -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    assert choose_backend(allowed=ALLOWED).backend is backend


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring(), PlaintextKeyring(), HighPriorityUnknown()],
    ids=["fail", "null", "plaintext-file", "unknown-high-priority"],
)
def test_insecure_backends_are_refused(backend: keyring.backend.KeyringBackend) -> None:
    choice = choose_backend(backend, allowed=ALLOWED)
    assert not choice.secure
    assert choice.reason


def test_allowed_class_below_priority_one_is_refused() -> None:
    choice = choose_backend(LowPriorityKeyring(), allowed=ALLOWED)
    assert not choice.secure
    assert "priority" in choice.reason


def test_secret_service_without_dbus_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring.backends import SecretService

    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    choice = choose_backend(SecretService.Keyring())
    assert not choice.secure
    assert choice.backend_id == "keyring.backends.SecretService.Keyring"


def test_empty_chainer_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    choice = choose_backend(chainer.ChainerBackend(), allowed=ALLOWED)
    assert not choice.secure


def test_chainer_resolves_to_its_best_allowed_member(monkeypatch: pytest.MonkeyPatch) -> None:
    good = MemoryKeyring()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [PlaintextKeyring(), good])
    choice = choose_backend(chainer.ChainerBackend(), allowed=ALLOWED)
    assert choice.backend is good


def test_default_allowlist_has_no_test_or_file_backends() -> None:
    assert MEMORY_KEYRING not in DEFAULT_ALLOWED_BACKENDS
    assert not any("alt" in path or "fail" in path for path in DEFAULT_ALLOWED_BACKENDS)
