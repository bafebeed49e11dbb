"""Typed errors of the encrypted store; each message is one line with no secret and no order data."""

from __future__ import annotations

#: What every "damaged cache" message ends with: the command that repairs it.
REPAIR_HINT = "repair it with 'clickdrop-desktop cache --rebuild'"


class StoreError(Exception):
    """Base of every store error. `message` is one line a user can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StoreCorrupt(StoreError):
    """The file is truncated or damaged; the cache can be rebuilt from the API (outbox kept).

    The ONE error for a damaged cache, wherever it surfaces (opening, a sync, a listing, a
    print): `message` ends with the CLI's repair command; `problem` is the same line without
    it, for a front end that offers its own repair (the app's Rebuild cache… dialog), and
    `account_id` says whose cache it is when the store knew (a read of an open store).
    """

    def __init__(self, message: str, *, account_id: str | None = None) -> None:
        super().__init__(message)
        self.account_id = account_id

    @property
    def problem(self) -> str:
        return self.message.removesuffix(f"; {REPAIR_HINT}")


def cache_damage(exc: BaseException | None) -> StoreCorrupt | None:
    """The `StoreCorrupt` behind `exc` (itself, or a cause or context it was raised from), if
    any: what a front end checks to offer a rebuild instead of showing a plain error."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, StoreCorrupt):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


class WrongStoreKey(StoreError):
    """The key does not decrypt this store (another key, or the keyring entry was replaced)."""


class ForeignStore(StoreError):
    """The file decrypts but belongs to another account: never read or write it."""


class StoreTooNew(StoreError):
    """A newer version of the app wrote this store; this version cannot read it safely."""


class StoreMissing(StoreError):
    """No store file where one was expected (and the caller asked not to create one)."""


class StoreClosed(StoreError):
    """The store was closed (account locked, switched or signed out)."""


class StoreBusy(StoreError):
    """Another process held the store's write lock for too long."""


class ImmutableFieldChanged(StoreError):
    """An upsert would change an order's reference or creation date: refused, nothing written."""

    def __init__(self, message: str, *, order_identifiers: tuple[int, ...]) -> None:
        super().__init__(message)
        self.order_identifiers = order_identifiers


class DuplicatePrintJob(StoreError):
    """This (order, document) was already queued or printed; a second print must be a reprint."""

    def __init__(self, message: str, *, idempotency_key: str) -> None:
        super().__init__(message)
        self.idempotency_key = idempotency_key


class UncertainPrintJob(DuplicatePrintJob):
    """The last send of this (order, document) was interrupted: it may have printed. Only an
    explicit reprint sends it again."""


class PrintJobStateChanged(StoreError):
    """A print job was not in the state a caller expected (another worker moved it first)."""

    def __init__(self, message: str, *, job_state: str) -> None:
        super().__init__(message)
        self.job_state = job_state


class JournalUnreadable(StoreError):
    """The outbox journal cannot be decrypted with this key; pending changes cannot be restored."""


class OutboxNotEmpty(StoreError):
    """Unsynced changes would be lost (sign-out or rebuild without `force`)."""

    def __init__(self, message: str, *, pending: int) -> None:
        super().__init__(message)
        self.pending = pending
