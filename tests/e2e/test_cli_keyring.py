"""Where the CLI keeps keys: the OS keyring when it is a trusted secret store, else the
passphrase; an untrusted keyring is never used; a changed keyring fails closed."""

from __future__ import annotations

import json
import os

import pytest

from clickdrop_desktop.accounts import AccountRegistry
from clickdrop_desktop.sandbox.info import SandboxInfo
from clickdrop_desktop.vault import Vault
from tests.helpers.cli import cli, cli_env, one_line_error, orders_json, sign_in
from tests.helpers.memory_keyring import LOW_PRIORITY_KEYRING, MEMORY_KEYRING

pytestmark = pytest.mark.e2e
SECRET_SERVICE = "keyring.backends.SecretService.Keyring"


@pytest.mark.parametrize(
    "backend",
    [
        "keyring.backends.fail.Keyring",  # no keyring at all
        "keyring.backends.null.Keyring",
        LOW_PRIORITY_KEYRING,  # priority < 1
        MEMORY_KEYRING,  # high priority, but not an OS secret store
    ],
)
def test_untrusted_keyring_is_not_used_the_passphrase_is(
    sandbox: SandboxInfo, backend: str
) -> None:
    env = cli_env(PYTHON_KEYRING_BACKEND=backend)
    sign_in(sandbox, "oba", env=env)
    (record,) = AccountRegistry().list()
    assert record.key_backend == "passphrase"
    assert cli("sync", env=env).returncode == 0
    assert orders_json()
    # And without the passphrase, one clear line naming the variable.
    done = cli("orders", env=cli_env(PYTHON_KEYRING_BACKEND=backend, CLICKDROP_PASSPHRASE=None))
    assert done.returncode == 4
    assert "CLICKDROP_PASSPHRASE" in one_line_error(done)


@pytest.mark.keyring_integration
def test_real_secret_service_holds_the_keys_and_a_changed_keyring_fails_closed(
    sandbox: SandboxInfo,
) -> None:
    env = cli_env(PYTHON_KEYRING_BACKEND=SECRET_SERVICE, CLICKDROP_PASSPHRASE=None)
    os.environ["PYTHON_KEYRING_BACKEND"] = SECRET_SERVICE
    try:
        if not Vault().keyring_choice().secure:
            message = "no usable Secret Service: run under dbus-run-session with gnome-keyring"
            if os.environ.get("CLICKDROP_REQUIRE_KEYRING_TESTS"):
                pytest.fail(message)
            pytest.skip(message)
    finally:
        os.environ.pop("PYTHON_KEYRING_BACKEND", None)
    sign_in(sandbox, "olp", env=env)
    (record,) = AccountRegistry().list()
    assert record.key_backend == f"keyring:{SECRET_SERVICE}"
    done = cli("sync", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["fetched"] == 200
    listed = cli("orders", "--json", env=env)
    assert listed.returncode == 0
    assert len(json.loads(listed.stdout)) == 200

    # The keyring is gone (another backend now): refuse, never mint a new key.
    changed = cli("orders", env=cli_env(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring"))
    assert changed.returncode == 4
    assert "keyring" in one_line_error(changed)
    assert cli("orders", "--json", env=env).returncode == 0

    done = cli("account", "remove", "olp", env=env)
    assert done.returncode == 0, done.stderr
