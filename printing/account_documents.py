"""Documents of the account rather than of one order (the end-of-day manifest), for the queue.

A job for one of them has the document's own number where an order job has the order's id
(store schema 5 allows it); its PDF comes from the account's encrypted store, never the API, so
a manifest made earlier prints offline.
"""

from __future__ import annotations

from clickdrop_desktop.manifests import MANIFEST_DOCUMENT, kept_pdf
from clickdrop_desktop.store import Store
from clickdrop_desktop.store.jobs_schema import ACCOUNT_DOCUMENTS

__all__ = ["ACCOUNT_DOCUMENTS", "MANIFEST_DOCUMENT", "account_document_pdf", "describe"]


def account_document_pdf(store: Store, number: int, document_type: str) -> bytes | None:
    """The kept PDF of account document `number`; None when it is not kept here."""
    if document_type == MANIFEST_DOCUMENT:
        return kept_pdf(store, number)
    return None


def describe(number: int, document_type: str) -> str:
    """How the queue names such a job where an order job shows its reference."""
    return f"{document_type} {number}"
