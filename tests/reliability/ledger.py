"""Figures for docs/RELIABILITY.md: each scenario appends one JSON line per test run.

Tests call `record(...)` once at their end with what they did (runs, faults injected, bad
inputs tried) and what they found lost, duplicated or leaked. Nothing is written unless
`CLICKDROP_RELIABILITY_LEDGER` names a file (`tests/bench/reliability.py` sets it), so the
default test run leaves no files behind. The tests assert zero losses and leaks themselves;
the ledger only publishes the counts.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

LEDGER_ENV = "CLICKDROP_RELIABILITY_LEDGER"
_LOCK = threading.Lock()
SLOW_FACTOR = 20
#: True under `pytest --slow` (set by tests/reliability/conftest.py before collection).
slow_run = False


def scaled(examples: int) -> int:
    """A fuzz budget: `examples` in the default run, `SLOW_FACTOR` times more with --slow."""
    return examples * SLOW_FACTOR if slow_run else examples


@dataclass
class Tally:
    """Counts for one scenario; tests add to it while they run and `record` it at the end."""

    scenario: str
    runs: int = 0  # examples, cycles, kills: the unit is in `unit`
    unit: str = "runs"
    steps: int = 0  # actions inside the runs (stateful steps, CLI commands)
    faults: int = 0  # faults injected (server, network, printer, crash)
    bad_inputs: int = 0  # hostile or malformed inputs tried
    lost: int = 0  # acknowledged changes or jobs that vanished
    duplicated: int = 0  # changes applied upstream twice, labels printed twice by accident
    leaked: int = 0  # foreign records stored/shown, secrets found, files left after sign-out
    notes: dict[str, Any] = field(default_factory=dict)

    def record(self) -> None:
        """Append this tally to the ledger file, if one is configured."""
        target = os.environ.get(LEDGER_ENV)
        if not target:
            return
        line = json.dumps(asdict(self), sort_keys=True)
        with _LOCK:
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")


def read(path: Path) -> list[dict[str, Any]]:
    """Every tally in a ledger file (lines that are not JSON objects are skipped)."""
    if not path.exists():
        return []
    out: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict) and "scenario" in item:
            out.append(item)
    return out
