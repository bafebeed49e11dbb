"""Encoded print jobs kept for instant reprints: in memory, and (for prepared labels) in the store.

A job's bytes depend only on the document's bytes and the exact printer settings (language, dpi,
media, options), the copies and the A4 sheet layout, so they are keyed by a hash of those. The
memory level is a bounded LRU; the store level keeps jobs pre-encoded by "prepare labels" as
documents of type `render:<document>:<settings>:<source>` beside the label itself, encrypted
like everything else in the store, so a scan after a restart is only a transport write. When a
label is fetched again its hash changes, and the old rendering of it is replaced.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from clickdrop_desktop.store import Store
from printing.uri import PrinterUri

PREFIX = "render:"
DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RenderKey:
    order_identifier: int
    document_type: str
    settings: str  # hash of printer URI + copies + sheet layout
    source: str  # hash of the document's bytes

    @property
    def document_name(self) -> str:
        """The store's document type for this rendering."""
        return f"{self.settings_prefix}{self.source}"

    @property
    def settings_prefix(self) -> str:
        return f"{PREFIX}{self.document_type}:{self.settings}:"


def render_key(
    order_identifier: int,
    document_type: str,
    pdf: bytes,
    uri: PrinterUri,
    *,
    copies: int,
    sheet: str,
) -> RenderKey:
    settings = hashlib.sha256(f"{uri}|{copies}|{sheet}".encode()).hexdigest()[:16]
    return RenderKey(
        order_identifier, document_type, settings, hashlib.sha256(pdf).hexdigest()[:16]
    )


class EncodedCache:
    """Thread-safe; `get` looks in memory, then in the store."""

    def __init__(self, store: Store, *, memory_bytes: int = DEFAULT_MEMORY_BYTES) -> None:
        self.store = store
        self._memory: OrderedDict[RenderKey, bytes] = OrderedDict()
        self._bytes = 0
        self._limit = memory_bytes
        self._lock = threading.Lock()

    def get(self, key: RenderKey) -> bytes | None:
        with self._lock:
            data = self._memory.get(key)
            if data is not None:
                self._memory.move_to_end(key)
                return data
        stored = self.store.documents.get(key.order_identifier, key.document_name)
        if stored is None:
            return None
        self._remember(key, stored.data)
        return stored.data

    def put(self, key: RenderKey, data: bytes, *, language: str, persist: bool = False) -> None:
        """Keep `data` in memory; with `persist`, also in the store (replacing the rendering
        of an older copy of the same document for the same printer settings)."""
        self._remember(key, data)
        if not persist:
            return
        documents = self.store.documents
        with self.store.transaction():
            for info in documents.list_for(key.order_identifier):
                name = info.document_type
                if name.startswith(key.settings_prefix) and name != key.document_name:
                    documents.delete(key.order_identifier, name)
            documents.put(
                key.order_identifier,
                key.document_name,
                data,
                content_type=f"application/vnd.clickdrop.{language}",
            )

    def _remember(self, key: RenderKey, data: bytes) -> None:
        if len(data) > self._limit // 4:
            return
        with self._lock:
            if key in self._memory:
                return
            self._memory[key] = data
            self._bytes += len(data)
            while self._bytes > self._limit:
                _, dropped = self._memory.popitem(last=False)
                self._bytes -= len(dropped)
