"""The orders table's columns and its cache of row blocks (what the model has read, LRU)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from ui.models.order_row import OrderQuery, OrderRow, OrderSource, SortKey

BLOCK_SIZE = 200
MAX_BLOCKS = 40  # 8,000 rows cached at most: a few MB whatever the store holds

STATUS_TEXT = {
    "new": "To print",
    "printed": "Printed",
    "despatched": "Despatched",
    "manifested": "Manifested",
    "archived": "Archived",
}


def _date(value: datetime | None) -> str:
    """`18 Nov 12:18` this year, `18 Nov 2025` before: short enough for a narrow column."""
    if value is None:
        return ""
    local = value.astimezone()
    if local.year == datetime.now().year:
        return local.strftime("%d %b %H:%M")
    return local.strftime("%d %b %Y")


# (header, sort key or None when the store cannot sort by it, cell text)
COLUMNS: tuple[tuple[str, SortKey | None, Callable[[OrderRow], str]], ...] = (
    ("Reference", SortKey.REFERENCE, lambda r: r.reference),
    ("Order date", SortKey.ORDER_DATE, lambda r: _date(r.order_date)),
    ("Recipient", SortKey.RECIPIENT, lambda r: r.recipient),
    ("Postcode", None, lambda r: r.postcode),
    ("Status", None, lambda r: STATUS_TEXT.get(r.status, r.status)),
    ("Tracking number", None, lambda r: r.tracking),
    ("Label", None, lambda r: "Cached" if r.has_label else ""),
)
STATUS_COLUMN = 4
COLUMN_COUNT = len(COLUMNS)

Snapshot = tuple[int, dict[int, list[OrderRow]]]


class EmptySource:
    """No account open: no rows."""

    def rows(self, query: OrderQuery, offset: int, limit: int) -> list[OrderRow]:
        return []

    def count(self, query: OrderQuery) -> int:
        return 0


def read_snapshot(
    source: OrderSource, query: OrderQuery, block_numbers: list[int], *, unknown_count: bool
) -> Snapshot:
    """The count and fresh copies of the given blocks (blocking: a worker runs it).

    `unknown_count`: the first block is read before counting, and a first block that is not
    full is the count, so a small result costs one query.
    """
    blocks: dict[int, list[OrderRow]] = {}
    if unknown_count and 0 in block_numbers:
        first = list(source.rows(query, 0, BLOCK_SIZE))
        blocks[0] = first
        if len(first) < BLOCK_SIZE:
            return len(first), blocks
    count = max(0, int(source.count(query)))
    for b in block_numbers:
        if b not in blocks and b * BLOCK_SIZE < count:
            blocks[b] = list(source.rows(query, b * BLOCK_SIZE, BLOCK_SIZE))
    return count, blocks


class BlockCache:
    """Blocks of `BLOCK_SIZE` rows by block number, the most recently used `MAX_BLOCKS` kept,
    with each row's cell texts made the first time it is painted (a repaint, twice a second
    while a sync runs, then formats nothing, dates included)."""

    def __init__(self) -> None:
        self._blocks: OrderedDict[int, list[OrderRow]] = OrderedDict()
        self._texts: dict[int, list[tuple[str, ...] | None]] = {}

    def __len__(self) -> int:
        return len(self._blocks)

    def replace(self, blocks: dict[int, list[OrderRow]]) -> None:
        self._blocks = OrderedDict(blocks)
        self._texts = {}

    def clear(self) -> None:
        self.replace({})

    def recent(self, n: int) -> list[int]:
        """The `n` blocks used last (what a refresh re-reads: the screen is among them)."""
        return list(self._blocks)[-n:]

    def get(self, block_no: int) -> list[OrderRow] | None:
        block = self._blocks.get(block_no)
        if block is not None:
            self._blocks.move_to_end(block_no)
        return block

    def store(self, block_no: int, rows: list[OrderRow]) -> None:
        self._blocks[block_no] = rows
        self._texts.pop(block_no, None)
        self._blocks.move_to_end(block_no)
        while len(self._blocks) > MAX_BLOCKS:
            evicted, _rows = self._blocks.popitem(last=False)
            self._texts.pop(evicted, None)

    def cells(self, block_no: int, offset: int, block: list[OrderRow]) -> tuple[str, ...]:
        texts = self._texts.get(block_no)
        if texts is None:
            texts = self._texts[block_no] = [None] * len(block)
        found = texts[offset]
        if found is None:
            row = block[offset]
            found = texts[offset] = tuple(column[2](row) for column in COLUMNS)
        return found

    def is_loaded(self, row: int) -> bool:
        block = self._blocks.get(row // BLOCK_SIZE)
        return block is not None and row % BLOCK_SIZE < len(block)

    def row_of(self, order_id: int) -> int | None:
        for block_no, block in self._blocks.items():
            for offset, row in enumerate(block):
                if row.order_id == order_id:
                    return block_no * BLOCK_SIZE + offset
        return None
