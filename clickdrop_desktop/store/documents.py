"""Labels and our own documents, kept as blobs in the encrypted store so reprints work offline."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clickdrop_desktop.store.codec import from_db_required, now_db
from clickdrop_desktop.store.database import Database

POSTAGE_LABEL = "postageLabel"


@dataclass(frozen=True, slots=True)
class StoredDocument:
    order_identifier: int
    document_type: str  # postageLabel, despatchNote, CN22, CN23, or one of ours (packingSlip...)
    content_type: str
    data: bytes
    sha256: str
    page_count: int | None
    page_width_mm: float | None
    page_height_mm: float | None
    created_at: datetime

    def __repr__(self) -> str:  # the bytes are customer data: never in a repr or a log
        return (
            f"StoredDocument(order_identifier={self.order_identifier}, "
            f"document_type={self.document_type!r}, bytes={len(self.data)})"
        )


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A document's metadata without its bytes (for listings)."""

    order_identifier: int
    document_type: str
    content_type: str
    size: int
    page_count: int | None
    page_width_mm: float | None
    page_height_mm: float | None
    created_at: datetime


def _document(row: Any) -> StoredDocument:
    return StoredDocument(
        order_identifier=int(row[0]),
        document_type=row[1],
        content_type=row[2],
        data=bytes(row[3]),
        sha256=row[4],
        page_count=row[5],
        page_width_mm=row[6],
        page_height_mm=row[7],
        created_at=from_db_required(row[8]),
    )


class Documents:
    """Put, get and check documents keyed (order identifier, document type)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def put(
        self,
        order_identifier: int,
        document_type: str,
        data: bytes,
        *,
        content_type: str = "application/pdf",
        page_count: int | None = None,
        page_width_mm: float | None = None,
        page_height_mm: float | None = None,
    ) -> None:
        """Store (or replace) a document of a cached order."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO documents (order_identifier, document_type, content_type, data, "
                "sha256, page_count, page_width_mm, page_height_mm, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (order_identifier, document_type) DO UPDATE SET "
                "content_type = excluded.content_type, data = excluded.data, "
                "sha256 = excluded.sha256, page_count = excluded.page_count, "
                "page_width_mm = excluded.page_width_mm, "
                "page_height_mm = excluded.page_height_mm, created_at = excluded.created_at",
                (
                    order_identifier,
                    document_type,
                    content_type,
                    bytes(data),
                    hashlib.sha256(data).hexdigest(),
                    page_count,
                    page_width_mm,
                    page_height_mm,
                    now_db(),
                ),
            )

    def get(self, order_identifier: int, document_type: str) -> StoredDocument | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT order_identifier, document_type, content_type, data, sha256, page_count, "
                "page_width_mm, page_height_mm, created_at FROM documents "
                "WHERE order_identifier = ? AND document_type = ?",
                (order_identifier, document_type),
            ).fetchone()
        return None if row is None else _document(row)

    def has(self, order_identifier: int, document_type: str) -> bool:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT 1 FROM documents WHERE order_identifier = ? AND document_type = ?",
                (order_identifier, document_type),
            ).fetchone()
        return row is not None

    def list_for(self, order_identifier: int) -> list[DocumentInfo]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT order_identifier, document_type, content_type, length(data), page_count, "
                "page_width_mm, page_height_mm, created_at FROM documents "
                "WHERE order_identifier = ? ORDER BY document_type",
                (order_identifier,),
            ).fetchall()
        return [
            DocumentInfo(int(r[0]), r[1], r[2], int(r[3]), r[4], r[5], r[6], from_db_required(r[7]))
            for r in rows
        ]

    def delete(self, order_identifier: int, document_type: str) -> bool:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM documents WHERE order_identifier = ? AND document_type = ?",
                (order_identifier, document_type),
            )
            return bool(cursor.rowcount)
