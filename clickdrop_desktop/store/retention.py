"""Retention: forget despatched orders (labels, documents, personal data) after N days.

The period is recorded in the store (`meta`), so every writer keeps to it: the purge after a
sync, and the sync itself, which never stores an order despatched before the cut-off (a full
re-sync of a rebuilt store would otherwise bring purged orders back; see `screen`).

The store's record is the ONE setting: the CLI (`cache --retention`) and the app's Settings both
write it, and no sync changes it. "Keep everything" is recorded too (`OFF`), so it is told apart
from a store that never recorded a choice; only such a store takes a front end's default once
(`adopt`: the app's old preference, 90 days unless changed, migrates that way).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from clickdrop_desktop.api.models import Order
from clickdrop_desktop.store.codec import to_db
from clickdrop_desktop.store.connection import Connection
from clickdrop_desktop.store.database import Database

MIN_RETENTION_DAYS = 1
META_KEY = "retention_days"
#: The recorded value for "keep everything, however old" (an older version reads it as no period).
OFF = "off"

# Orders an unfinished outbox change still needs are kept whatever their age.
_HELD = "SELECT order_identifier FROM outbox WHERE state != 'done' AND order_identifier IS NOT NULL"


def check_period(days: int) -> int:
    """`days` if it is a valid retention period, else `ValueError` (one line)."""
    if isinstance(days, bool) or not isinstance(days, int) or days < MIN_RETENTION_DAYS:
        raise ValueError(f"retention must be at least {MIN_RETENTION_DAYS} day")
    return days


def _cutoff(days: int, now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)) - timedelta(days=days)


class Retention:
    """Purges whole order rows: labels, documents, raw records, print jobs and the search index
    go with them (ON DELETE CASCADE and the FTS trigger), so no personal data is left behind."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- the period -------------------------------------------------------------------------

    def period_days(self) -> int | None:
        """The recorded retention period in days, or None (keep everything)."""
        with self._db.read() as conn:
            return _period(conn)

    def period_or(self, default: int | None) -> int | None:
        """The recorded period (None: keep everything), or `default` if none was ever recorded
        (what `adopt(default)` would record)."""
        with self._db.read() as conn:
            return _period(conn) if _recorded(conn) else default

    def recorded(self) -> bool:
        """Whether a period or "keep everything" was ever recorded in this store."""
        with self._db.read() as conn:
            return _recorded(conn)

    def set_period(self, days: int | None) -> None:
        """Record the period (None: keep everything); joins the caller's transaction."""
        with self._db.transaction() as conn:
            _set_period(conn, None if days is None else check_period(days))

    def adopt(self, default: int | None) -> int | None:
        """Record `default` if this store never recorded a choice; returns the period in force.

        A recorded choice (a number of days or keep-everything, from the CLI or Settings) is
        never changed: this is how a front end's default applies without overriding either.
        """
        if default is not None:
            check_period(default)
        with self._db.transaction() as conn:
            if _recorded(conn):
                return _period(conn)
            _set_period(conn, default)
            return default

    # -- purging ----------------------------------------------------------------------------

    def purge_despatched(self, older_than_days: int, *, now: datetime | None = None) -> int:
        """Delete orders despatched more than `older_than_days` ago; returns how many went.

        The period becomes the recorded one, so later syncs keep to it too. Orders with an
        unfinished outbox change are kept (the change still needs them), and so are orders
        never despatched, however old.
        """
        days = check_period(older_than_days)
        cutoff = to_db(_cutoff(days, now))
        with self._db.transaction() as conn:
            _set_period(conn, days)
            cursor = conn.execute(
                f"""DELETE FROM orders
                   WHERE shipped_on IS NOT NULL AND shipped_on < ?
                     AND order_identifier NOT IN ({_HELD})""",
                (cutoff,),
            )
            return max(int(cursor.rowcount), 0)

    def purge(self, *, now: datetime | None = None) -> int:
        """`purge_despatched` with the recorded period (nothing without one); never changes it."""
        days = self.period_days()
        return 0 if days is None else self.purge_despatched(days, now=now)

    def screen(
        self, orders: Sequence[Order], *, now: datetime | None = None
    ) -> tuple[list[Order], list[int]]:
        """Split a fetched batch into what may be stored and the ids past the retention period.

        Joins the caller's transaction (the sync's page commit): cached copies of the expired
        ids are deleted in it, so a page never brings back an order the purge took. An order
        an unfinished outbox change holds is kept, as the purge keeps it.
        """
        with self._db.transaction() as conn:
            days = _period(conn)
            if days is None or not orders:
                return list(orders), []
            cutoff = _cutoff(days, now)
            old = {o.order_identifier for o in orders if _expired(o, cutoff)}
            if not old:
                return list(orders), []
            held = {int(r[0]) for r in conn.execute(_HELD).fetchall()}
            expired = sorted(old - held)
            conn.executemany(
                "DELETE FROM orders WHERE order_identifier = ?", [(i,) for i in expired]
            )
        gone = set(expired)
        return [o for o in orders if o.order_identifier not in gone], expired


def _expired(order: Order, cutoff: datetime) -> bool:
    return order.shipped_on is not None and order.shipped_on < cutoff


def _recorded(conn: Connection) -> bool:
    row = conn.execute("SELECT 1 FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    return row is not None


def parse_period(value: object) -> int | None:
    """A recorded value as days (None: keep everything); `ValueError` if it is neither."""
    if str(value).strip().lower() == OFF:
        return None
    return check_period(int(str(value)))


def _period(conn: Connection) -> int | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    if row is None:
        return None
    try:
        return parse_period(row[0])
    except ValueError:
        return None  # a damaged value keeps everything, as before a period was set


def _set_period(conn: Connection, days: int | None) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (META_KEY, OFF if days is None else str(days)),
    )
