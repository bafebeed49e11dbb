"""Mark-despatched and the outbox as the GUI drives them, over the core outbox
(`clickdrop_desktop.outbox`): every change is committed to the account's store and journal
first (`changes.mark_despatched`, transactional outbox), then replayed exactly once by the
replay engine, at once when online and automatically when connectivity comes back
(`ReplayRunner`). This module adapts their results to the outbox panel's rows. Blocking: call
it from a worker on the "outbox" lane.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ui.services.views import OutboxRow

if TYPE_CHECKING:
    from pathlib import Path

    from clickdrop_desktop.connectivity import Connectivity
    from clickdrop_desktop.csv_import import ImportPreview
    from clickdrop_desktop.outbox.report import ReplayReport
    from clickdrop_desktop.outbox.resolve import OutboxEntry
    from clickdrop_desktop.outbox.runner import ReplayRunner
    from clickdrop_desktop.store import Store

_KIND_TEXT = {"despatch": "Mark despatched", "create": "New order", "delete": "Cancel order"}
_STATE_TEXT = {  # OutboxState values -> what the panel says
    "pending": "waiting",
    "sending": "sending",
    "failed": "failed",
    "conflict": "conflict",
    "done": "sent",
}


class OutboxService:
    """One account's outbox; `start()` replays automatically whenever it comes back online."""

    def __init__(
        self,
        store: Store,
        client: Any,
        connectivity: Connectivity,
        *,
        on_report: Callable[[ReplayReport], None] | None = None,
    ) -> None:
        self._store = store
        self._client = client
        self._connectivity = connectivity
        self._on_report = on_report
        self._runner: ReplayRunner | None = None

    @property
    def runner(self) -> ReplayRunner:
        if self._runner is None:
            from clickdrop_desktop.outbox.replay import OutboxReplayer, ReplayOptions
            from clickdrop_desktop.outbox.runner import ReplayRunner

            replayer = OutboxReplayer(self._store, self._client, options=ReplayOptions.from_env())
            self._runner = ReplayRunner(replayer, self._connectivity, on_report=self._on_report)
        return self._runner

    def start(self) -> None:
        self.runner.start()

    def stop(self) -> None:
        if self._runner is not None:
            self._runner.stop()

    def mark_despatched(self, order_ids: list[int], *, online: bool) -> tuple[int, list[str]]:
        """Queue "despatched" (done for the user once committed), and start sending when
        online: (changes queued, one line per order left alone and why)."""
        from clickdrop_desktop.outbox.changes import mark_despatched

        queued = mark_despatched(self._store, [str(i) for i in order_ids])
        skipped = [f"{what}: {why}" for what, why in queued.skipped]
        if queued.items and online:
            self.runner.trigger()  # one replay pass at a time: the runner coordinates them
        return len(queued.items), skipped

    def queue_new_orders(self, requests: list[Any], *, source: str, online: bool) -> int:
        """Queue new orders all or none (`ChangeRefused` says why none); send when online."""
        from clickdrop_desktop.outbox.changes import queue_new_orders
        from clickdrop_desktop.outbox.operations import OpSource

        items = queue_new_orders(self._store, requests, source=OpSource(source))
        if items and online:
            self.runner.trigger()
        return len(items)

    def preview_csv(self, path: Path) -> ImportPreview:
        """Read and check a CSV file against this account (references already used)."""
        from clickdrop_desktop.csv_import import preview_csv, reference_checker

        return preview_csv(path, reference_taken=reference_checker(self._store))

    def import_csv(self, preview: ImportPreview, *, online: bool) -> int:
        """Queue every order of a clean preview, all or none (`ImportRefused` says why none)."""
        from clickdrop_desktop.csv_import import commit_import

        items = commit_import(self._store, preview)
        if items and online:
            self.runner.trigger()
        return len(items)

    def items(self) -> list[OutboxRow]:
        from clickdrop_desktop.outbox.resolve import list_changes

        return [_row(entry) for entry in list_changes(self._store)]

    def replay(self) -> None:
        """Send waiting changes now (a pass on the runner's worker; its report follows)."""
        self.runner.trigger()

    def after_sync(self) -> None:
        """A sync went through, so Click & Drop answers: send what waits."""
        if self._runner is not None or self._store.outbox.unsynced_count():
            self.runner.after_sync()

    def purge_expired(self, default_days: int | None) -> int:
        """Forget despatched orders past the store's retention period (labels, personal data).

        The period is the one the store records (Settings or `cache --retention` set it; a sync
        never does). `default_days` (the app's preference) is recorded only in a store that
        never had a choice recorded: how accounts from before the store held the setting keep
        the period they had, without ever overriding a CLI "off" or another number.
        """
        self._store.retention.adopt(default_days or None)
        return self._store.retention.purge()

    def discard(self, op_ids: list[str]) -> None:
        """The user confirmed: drop these changes (the local order is put back as it was)."""
        from clickdrop_desktop.outbox.resolve import discard

        for op_id in op_ids:
            discard(self._store, op_id, confirmed=True)


def _row(entry: OutboxEntry) -> OutboxRow:
    return OutboxRow(
        item_id=entry.op_id,
        kind=_KIND_TEXT.get(entry.kind, entry.kind),
        order_reference=entry.order_reference or str(entry.order_identifier or ""),
        state=_STATE_TEXT.get(entry.state.value, entry.state.value),
        detail=entry.problem or entry.what,
        created=entry.created_at,
    )
