"""One account's orders: seeded records (generated on read) plus an overlay of changed ones."""

from __future__ import annotations

import bisect
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from clickdrop_desktop.sandbox.accounts import Account
from clickdrop_desktop.sandbox.data import SeededData
from clickdrop_desktop.sandbox.records import OrderRecord

_READ_CACHE = 4096  # generated records kept for re-reads (a sync pages the same orders again)


@dataclass(slots=True)
class Manifest:
    """One manifest: the orders it committed, and whether its PDF is ready yet."""

    number: int
    created_on: datetime
    order_ids: list[int]
    polls_until_ready: int
    status: str = "In Progress"
    order_summaries: list[tuple[int, str | None, str | None, str]] = field(default_factory=list)


class AccountStore:
    """The orders of one account. Not thread-safe: the server holds its lock around every call.

    Positions run 0..count-1 for seeded orders, then on for orders created through the API;
    `createdOn` increases with position, so a list is in creation order and date filters bisect.
    Records from `get` may be shared and must not be changed; `mutable` returns the overlay copy.
    """

    def __init__(self, account: Account, data: SeededData) -> None:
        self.account = account
        self.data = data
        self._overlay: dict[int, OrderRecord] = {}
        self._cache: OrderedDict[int, OrderRecord] = OrderedDict()
        self._created = 0
        self._refs: dict[str, int] | None = None
        self.manifests: dict[int, Manifest] = {}
        self._next_manifest = 5001

    # -- reading ---------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self.data.count + self._created

    def get(self, position: int, *, light: bool = False) -> OrderRecord:
        """The order at `position`; `light` may skip what only `/full` and labels need."""
        record = self._overlay.get(position)
        if record is not None:
            return record
        record = self._cache.get(position)
        if record is None and light:
            return self.data.order(position, light=True)
        if record is None:
            record = self.data.order(position)
            self._cache[position] = record
            if len(self._cache) > _READ_CACHE:
                self._cache.popitem(last=False)
        return record

    def rename(self, trading_name: str) -> None:
        """The business was renamed: every order shows the new trading name from now on."""
        self._cache.clear()  # seeded records are made with the account's current name
        for record in self._overlay.values():
            record.trading_name = trading_name

    def mutable(self, position: int) -> OrderRecord:
        """The record at `position`, moved into the overlay so changes stick."""
        record = self._overlay.get(position)
        if record is None:
            self._cache.pop(position, None)
            record = self._overlay[position] = self.data.order(position)
        return record

    def created_on(self, position: int) -> datetime:
        if position < self.data.count:
            return self.data.created_on(position)
        return self._overlay[position].created_on

    def is_live(self, position: int) -> bool:
        record = self._overlay.get(position)
        return record is None or not record.deleted

    def position_of_id(self, order_id: int) -> int | None:
        position = order_id - self.account.id_base - 1
        if 0 <= position < self.total and self.is_live(position):
            return position
        return None

    def position_of_reference(self, reference: str) -> int | None:
        if self._refs is None:
            refs: dict[str, int] = {}
            for position in range(self.data.count):
                ref = self.data.reference(position)
                if ref is not None:
                    refs.setdefault(ref, position)
            for position in range(self.data.count, self.total):
                ref = self._overlay[position].reference
                if ref is not None:
                    refs.setdefault(ref, position)
            self._refs = refs
        found = self._refs.get(reference)
        if found is not None and self.is_live(found):
            return found
        return None

    def find(self, ident: int | str, *, light: bool = False) -> OrderRecord | None:
        """A live order by identifier (int) or reference (str)."""
        if isinstance(ident, int):
            position = self.position_of_id(ident)
        else:
            position = self.position_of_reference(ident)
        return None if position is None else self.get(position, light=light)

    def page(
        self,
        start: int,
        size: int,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        light: bool = False,
    ) -> tuple[list[OrderRecord], int | None]:
        """Up to `size` live orders from position `start` within the date window.

        Returns them and the position the next page starts at, or None when nothing follows
        (upstream: the last page has no `continuationToken`).
        """
        total = self.total
        if since is not None:
            start = max(start, bisect.bisect_left(range(total), since, key=self.created_on))
        records: list[OrderRecord] = []
        position = start
        while position < total:
            if until is not None and self.created_on(position) > until:
                return records, None
            if self.is_live(position):
                if len(records) == size:
                    return records, position
                records.append(self.get(position, light=light))
            position += 1
        return records, None

    def positions(self) -> range:
        return range(self.total)

    def overlay_positions(self) -> list[int]:
        return sorted(self._overlay)

    # -- changing --------------------------------------------------------------------------

    def next_order_id(self) -> int:
        return self.account.id_base + self.total + 1

    def next_created_on(self, now: datetime) -> datetime:
        """`now`, or just after the newest order, so positions stay in creation order."""
        if self.total == 0:
            return now
        newest = self.created_on(self.total - 1)
        return max(now, newest + timedelta(milliseconds=1))

    def add(self, record: OrderRecord) -> None:
        position = self.total
        record.position = position
        self._overlay[position] = record
        self._created += 1
        if self._refs is not None and record.reference is not None:
            existing = self._refs.get(record.reference)
            if existing is None or not self.is_live(existing):
                self._refs[record.reference] = position

    def reference_taken(self, reference: str) -> bool:
        return self.position_of_reference(reference) is not None

    def new_manifest(self, order_ids: list[int], polls_until_ready: int) -> Manifest:
        manifest = Manifest(
            number=self._next_manifest,
            created_on=datetime.now(UTC),
            order_ids=order_ids,
            polls_until_ready=polls_until_ready,
        )
        self._next_manifest += 1
        self.manifests[manifest.number] = manifest
        return manifest
