"""A cache rebuild in its own process that SIGKILLs itself right after its N-th step.

Steps are the moments state changes on disk: every `os.replace` (atomic writes of the account
record, the wrapped keys and the journal; the files moved aside and into place), every
`os.link`, and the middle of building the new cache (outbox restored, the rest not yet).
`N = 0` runs to the end. Prints the number of steps taken and the changes restored.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from clickdrop_desktop import cache_repair  # noqa: E402
from clickdrop_desktop.store import Store  # noqa: E402
from tests.unit.vault.cache_fixtures import NAME, PASSPHRASE, passphrase_vault  # noqa: E402


def main() -> None:
    kill_at = int(sys.argv[1])
    steps = 0

    def step() -> None:
        nonlocal steps
        steps += 1
        if steps == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    real_replace, real_link, real_carry = os.replace, os.link, Store.carry_over

    def replace(*args: Any, **kwargs: Any) -> None:
        real_replace(*args, **kwargs)
        step()

    def link(*args: Any, **kwargs: Any) -> None:
        real_link(*args, **kwargs)
        step()

    def carry_over(self: Store, salvage: Any) -> None:
        step()
        real_carry(self, salvage)

    os.replace, os.link = replace, link  # type: ignore[assignment]
    Store.carry_over = carry_over  # type: ignore[method-assign]
    report = cache_repair.rebuild_cache(passphrase_vault(), NAME, passphrase=PASSPHRASE)
    print(steps, report.restored, flush=True)


if __name__ == "__main__":
    main()
