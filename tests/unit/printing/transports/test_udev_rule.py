"""The udev rule in resources/: well-formed, never world-writable, and what the error tells users."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from printing.transports.base import (
    UDEV_RULE_NAME,
    PrinterPermissionDenied,
    permission_denied,
    udev_install_command,
    udev_rule_path,
    udev_rule_text,
)

RULE = Path(__file__).resolve().parents[4] / "resources" / "udev" / UDEV_RULE_NAME
_PAIR = re.compile(
    r'^(?P<key>[A-Z_]+)(?:\{(?P<attr>[^}]+)\})?(?P<op>==|!=|\+=|-=|:=|=)"(?P<value>[^"]*)"$'
)
_KEYS = {"ACTION", "SUBSYSTEM", "ENV", "ATTR", "KERNEL", "TAG", "GROUP", "MODE", "GOTO", "LABEL"}


def _rules() -> list[list[tuple[str, str | None, str, str]]]:
    rules = []
    for line in RULE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pairs = []
        for part in re.split(r",\s*", line):
            match = _PAIR.match(part)
            assert match, f"malformed udev rule part: {part!r}"
            pairs.append((match["key"], match["attr"], match["op"], match["value"]))
        rules.append(pairs)
    return rules


def test_rule_file_is_found_where_the_error_message_points() -> None:
    assert udev_rule_path() == RULE
    assert udev_rule_text() == RULE.read_text(encoding="utf-8")


def test_rule_sorts_before_73_seat_late_so_uaccess_works() -> None:
    assert int(UDEV_RULE_NAME.split("-")[0]) < 73


def test_every_part_is_well_formed_and_labels_resolve() -> None:
    rules = _rules()
    gotos = {value for rule in rules for key, _, _, value in rule if key == "GOTO"}
    labels = {value for rule in rules for key, _, _, value in rule if key == "LABEL"}
    assert gotos <= labels
    for rule in rules:
        for key, _, _, _ in rule:
            assert key in _KEYS, key


def test_never_world_writable_or_readable() -> None:
    modes = [value for rule in _rules() for key, _, _, value in rule if key == "MODE"]
    assert modes, "the rule should set an explicit mode"
    for mode in modes:
        assert re.fullmatch(r"0?[0-7]{3}", mode), mode
        assert int(mode, 8) & 0o007 == 0, f"MODE {mode} gives access to every local user"
        assert int(mode, 8) <= 0o660


def test_every_granting_rule_uses_uaccess_or_a_group() -> None:
    for rule in _rules():
        assigns = {key for key, _, op, _ in rule if op in ("=", "+=", ":=") and key != "GOTO"}
        if assigns & {"MODE", "TAG", "GROUP"}:
            tags = {value for key, _, _, value in rule if key == "TAG"}
            groups = {value for key, _, _, value in rule if key == "GROUP"}
            assert "uaccess" in tags or groups, rule


def test_printer_class_and_usblp_nodes_are_covered() -> None:
    text = RULE.read_text(encoding="utf-8")
    assert 'ENV{ID_USB_INTERFACES}=="*:0701??:*"' in text
    assert 'SUBSYSTEM=="usbmisc", KERNEL=="lp[0-9]*"' in text
    for vid in ("0a5f", "1203", "04b8"):  # Zebra, TSC, Epson at least
        assert f'ATTR{{idVendor}}=="{vid}"' in text


def test_install_command_installs_reloads_and_triggers() -> None:
    command = udev_install_command()
    assert command.startswith(f"sudo install -m 0644 '{RULE}' /etc/udev/rules.d/{UDEV_RULE_NAME}")
    assert "sudo udevadm control --reload-rules" in command
    assert command.endswith("sudo udevadm trigger")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the udev advice is for Linux")
def test_permission_error_contains_the_install_command_and_the_rule() -> None:
    error = permission_denied("USB printer 0a5f:0081")
    assert isinstance(error, PrinterPermissionDenied)
    assert udev_install_command() in error.message
    assert "\n" not in error.message
    assert RULE.read_text(encoding="utf-8") in error.help_text


@pytest.mark.skipif(shutil.which("udevadm") is None, reason="udevadm not installed here")
def test_udevadm_verify_accepts_the_rule() -> None:
    result = subprocess.run(
        ["udevadm", "verify", str(RULE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
