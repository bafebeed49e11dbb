"""Retention: forget despatched orders (labels, documents, personal data) after N days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clickdrop_desktop.store.codec import to_db
from clickdrop_desktop.store.database import Database

MIN_RETENTION_DAYS = 1


class Retention:
    """Purges whole order rows: labels, documents, raw records, print jobs and the search index
    go with them (ON DELETE CASCADE and the FTS trigger), so no personal data is left behind."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def purge_despatched(self, older_than_days: int, *, now: datetime | None = None) -> int:
        """Delete orders despatched more than `older_than_days` ago; returns how many went.

        Orders with an unfinished outbox change are kept (the change still needs them), and so
        are orders never despatched, however old.
        """
        if older_than_days < MIN_RETENTION_DAYS:
            raise ValueError(f"retention must be at least {MIN_RETENTION_DAYS} day")
        cutoff = to_db((now or datetime.now(UTC)) - timedelta(days=older_than_days))
        with self._db.transaction() as conn:
            cursor = conn.execute(
                """DELETE FROM orders
                   WHERE shipped_on IS NOT NULL AND shipped_on < ?
                     AND order_identifier NOT IN (
                         SELECT order_identifier FROM outbox
                         WHERE state != 'done' AND order_identifier IS NOT NULL)""",
                (cutoff,),
            )
            return max(int(cursor.rowcount), 0)
