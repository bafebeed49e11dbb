"""Where `PrintService`'s documents come from: the cached order, the store, or (asked for) the API.

* Labels and Click & Drop's own documents (`postageLabel`, `despatchNote`, `CN22`, `CN23`) come
  from the store's cache. Only when one is missing AND the user asked to print or prepare it
  is `GET /orders/{id}/label` called (it generates the label: state-changing, maybe billed;
  never for a preview), and its PDF is put in the encrypted store at once, so every later
  print and reprint is local and works offline.
* Our own documents (`packingSlip`) are drawn locally from the cached order.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from clickdrop_desktop.api.errors import ApiError
from clickdrop_desktop.store import Store, StoredOrder
from printing.account_documents import ACCOUNT_DOCUMENTS, account_document_pdf, describe
from printing.documents import packing_slip
from printing.encoded_cache import DEFAULT_MEMORY_BYTES, EncodedCache
from printing.jobs import DOCUMENT_TYPES, OWN_DOCUMENTS, SheetOptions, pdf_info
from printing.queue import PrintQueue
from printing.service_types import DocumentUnavailable, LabelSource

log = logging.getLogger(__name__)


class DocumentSource:
    """The documents side of `PrintService` (which documents the arguments): an order's
    documents as PDF, and the API call that generates a label when it is asked for."""

    def __init__(
        self,
        store: Store,
        queue: PrintQueue,
        *,
        labels: LabelSource | None = None,
        labels_available: bool = True,
        online: Callable[[], bool] | None = None,
        sender: str = "",
        sheet: SheetOptions | None = None,
        include_cn: bool | None = None,
        encoded_cache_bytes: int = DEFAULT_MEMORY_BYTES,
    ) -> None:
        self.store = store
        self.queue = queue
        self.labels = labels
        self.labels_available = labels_available
        self._online = online or (lambda: True)
        self.sender = sender
        self.sheet = sheet or SheetOptions()
        self.include_cn = include_cn
        self._encoded = EncodedCache(store, memory_bytes=encoded_cache_bytes)
        self._fetch_lock = threading.Lock()

    # -- documents ---------------------------------------------------------------------------

    def order(self, order_identifier: int) -> StoredOrder:
        stored = self.store.get_order(order_identifier)
        if stored is None:
            raise DocumentUnavailable(
                f"order {order_identifier} is not in the cache", offline=False
            )
        return stored

    def has_document(self, order_identifier: int, document_type: str) -> bool:
        """Printable without the API (cached, or one we draw ourselves)?"""
        if document_type in OWN_DOCUMENTS:
            return self.store.get_order(order_identifier) is not None
        if document_type in ACCOUNT_DOCUMENTS:
            return account_document_pdf(self.store, order_identifier, document_type) is not None
        return self.store.documents.has(order_identifier, document_type)

    def document_pdf(
        self,
        order_identifier: int,
        document_type: str,
        *,
        fetch: bool = False,
        size: str = "4x6",
    ) -> bytes:
        """The document as PDF: drawn by us, from the cache, or (only with `fetch`, an explicit
        print/prepare action) generated upstream and cached at once.

        Raises `DocumentUnavailable` (`offline=True` when it may be had later).
        """
        if document_type in ACCOUNT_DOCUMENTS:  # kept in the store, never fetched here
            kept = account_document_pdf(self.store, order_identifier, document_type)
            if kept is None:
                message = f"{describe(order_identifier, document_type)} is not kept here"
                raise DocumentUnavailable(message, offline=False)
            return kept
        if document_type not in DOCUMENT_TYPES:
            raise DocumentUnavailable(f"unknown document type {document_type!r}", offline=False)
        if document_type in OWN_DOCUMENTS:
            stored = self.order(order_identifier)
            return packing_slip(
                stored.order, size="a4" if size == "a4" else "4x6", sender=self.sender
            )
        cached = self.store.documents.get(order_identifier, document_type)
        if cached is not None:
            return cached.data
        if not fetch:
            raise DocumentUnavailable(
                f"order {order_identifier}'s {document_type} is not cached yet", offline=True
            )
        return self._fetch(order_identifier, document_type)

    def _fetch(self, order_identifier: int, document_type: str) -> bytes:
        if self.labels is None or not self.labels_available:
            raise DocumentUnavailable(
                "this account cannot get labels through the API (Click & Drop gives them to "
                "OBA accounts only); print them from the Click & Drop website",
                offline=False,
            )
        self.order(order_identifier)  # only orders of this account's cache, never a bare id
        if not self._online():
            raise DocumentUnavailable(
                f"order {order_identifier}'s {document_type} is not cached and Click & Drop "
                "is offline; the job waits in the queue",
                offline=True,
            )
        with self._fetch_lock:  # two workers must not generate the same label twice
            cached = self.store.documents.get(order_identifier, document_type)
            if cached is not None:
                return cached.data
            try:
                pdf = self.labels.get_label(
                    [order_identifier], document_type, include_cn=self.include_cn
                )
            except ApiError as exc:
                offline = exc.transient
                suffix = "; the job waits in the queue" if offline else ""
                raise DocumentUnavailable(
                    f"could not get order {order_identifier}'s {document_type}: "
                    f"{exc.message}{suffix}",
                    offline=offline,
                ) from None
            info = pdf_info(pdf)
            self.store.documents.put(
                order_identifier,
                document_type,
                pdf,
                page_count=info.page_count,
                page_width_mm=info.width_mm,
                page_height_mm=info.height_mm,
            )
        log.info("cached %s of order %s", document_type, order_identifier)
        return pdf
