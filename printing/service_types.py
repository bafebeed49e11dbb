"""`PrintService`'s vocabulary: the label source it needs, what it raises, what it returns."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from clickdrop_desktop.store import PrintJob


class LabelSource(Protocol):
    """What the service needs of the API client (`ClickDropClient.get_label`)."""

    def get_label(
        self,
        keys: Sequence[int | str] | int | str,
        document_type: str = ...,
        *,
        include_returns_label: bool = ...,
        include_cn: bool | None = ...,
    ) -> bytes: ...


class DocumentUnavailable(Exception):
    """A document cannot be had now. `offline`: it may be later (API down, not cached)."""

    def __init__(self, message: str, *, offline: bool) -> None:
        super().__init__(message)
        self.message = message
        self.offline = offline


class PrintOutcome(enum.StrEnum):
    PRINTED = "printed"
    ALREADY_PRINTED = "already_printed"  # a second print needs an explicit reprint
    UNCERTAIN = "uncertain"  # an interrupted send may have printed: the user must decide
    UNKNOWN_ORDER = "unknown_order"
    OFFLINE_NO_LABEL = "offline_no_label"  # not cached and the API is unreachable: queued
    NO_LABEL = "no_label"  # cannot be had at all (account type, order gone upstream)
    PRINTER_PROBLEM = "printer_problem"  # failed (retryable by hand) or expired


@dataclass(frozen=True, slots=True)
class PrintResult:
    """What happened to one (order, document) print request."""

    order_identifier: int
    reference: str
    document_type: str
    outcome: PrintOutcome
    message: str
    job: PrintJob | None = None
    bytes_sent: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome is PrintOutcome.PRINTED


@dataclass(frozen=True, slots=True)
class PrepareResult:
    fetched: int
    already_cached: int
    problems: tuple[str, ...]
    stopped_offline: bool  # the API went away: the rest were not tried
