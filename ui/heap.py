"""Keeps Python's full garbage collections short while an account is open.

A full collection walks every long-lived object with the GIL held, so whichever thread runs it
(often the sync worker) stalls the window for its whole length: about 50 ms once the app, the
account's session and the HTTP stack are loaded (`ui.max_block_ms`). What the app has made by
the time the window is up or an account has opened lives as long as that account, so it is
frozen out of collections (`gc.freeze`: collections then walk only what was made since) and
handed back when the account closes, so its garbage is still freed.
"""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Everything alive now is left out of later collections (cheap: no collection runs)."""
    gc.freeze()


def thaw() -> None:
    """Back into the collector: what the closed account left behind can be freed again."""
    gc.unfreeze()
