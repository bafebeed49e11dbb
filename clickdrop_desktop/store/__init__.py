"""One account's encrypted order cache (SQLCipher): orders, documents, print jobs, outbox."""

from clickdrop_desktop.store.connection import CIPHER_V1, CIPHER_VERSIONS, CipherSettings
from clickdrop_desktop.store.documents import POSTAGE_LABEL, DocumentInfo, StoredDocument
from clickdrop_desktop.store.errors import (
    DuplicatePrintJob,
    ForeignStore,
    ImmutableFieldChanged,
    JournalUnreadable,
    OutboxNotEmpty,
    PrintJobStateChanged,
    StoreBusy,
    StoreClosed,
    StoreCorrupt,
    StoreError,
    StoreMissing,
    StoreTooNew,
    UncertainPrintJob,
    WrongStoreKey,
    cache_damage,
)
from clickdrop_desktop.store.incidents import Incident, QuarantineRecord, hash_identifier
from clickdrop_desktop.store.jobs import (
    ACTIVE_STATES,
    PrintJob,
    PrintJobEvent,
    PrintJobState,
    idempotency_key,
)
from clickdrop_desktop.store.order_queries import OrderRow, OrderSort, StoredOrder
from clickdrop_desktop.store.orders import OrderSource, UpsertCounts
from clickdrop_desktop.store.outbox import UNSYNCED, OutboxItem, OutboxState
from clickdrop_desktop.store.store import STORE_FILE, Store, journal_path

__all__ = [
    "ACTIVE_STATES",
    "CIPHER_V1",
    "CIPHER_VERSIONS",
    "POSTAGE_LABEL",
    "STORE_FILE",
    "UNSYNCED",
    "CipherSettings",
    "DocumentInfo",
    "DuplicatePrintJob",
    "ForeignStore",
    "ImmutableFieldChanged",
    "Incident",
    "JournalUnreadable",
    "OrderRow",
    "OrderSort",
    "OrderSource",
    "OutboxItem",
    "OutboxNotEmpty",
    "OutboxState",
    "PrintJob",
    "PrintJobEvent",
    "PrintJobState",
    "PrintJobStateChanged",
    "QuarantineRecord",
    "Store",
    "StoreBusy",
    "StoreClosed",
    "StoreCorrupt",
    "StoreError",
    "StoreMissing",
    "StoreTooNew",
    "StoredDocument",
    "StoredOrder",
    "UncertainPrintJob",
    "UpsertCounts",
    "WrongStoreKey",
    "cache_damage",
    "hash_identifier",
    "idempotency_key",
    "journal_path",
]
