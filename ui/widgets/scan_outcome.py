"""What a bench scan did (no Qt: the bench controller needs it before the scan panel exists)."""

from __future__ import annotations

import enum


class ScanOutcome(enum.Enum):
    """What a scan did; `tone` picks the colour (ok / warn / bad)."""

    PRINTED = "ok"
    QUEUED = "ok"  # printer busy or offline: queued, will print
    ALREADY_PRINTED = "warn"
    UNKNOWN_ORDER = "bad"
    NO_LABEL = "bad"  # no cached label and the API cannot make one now
    PRINTER_PROBLEM = "bad"
    BUSY = "warn"
