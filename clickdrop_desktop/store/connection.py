"""Opening one account's SQLCipher database: raw key, pinned cipher settings, WAL, FULL sync."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from clickdrop_desktop.store.crypto import check_store_key
from clickdrop_desktop.store.errors import (
    REPAIR_HINT,
    StoreBusy,
    StoreCorrupt,
    StoreError,
    StoreMissing,
    WrongStoreKey,
)

Connection = Any  # a DB-API connection: sqlcipher3's, or stdlib sqlite3's in the benchmark baseline

#: Exceptions of both drivers, so the same code runs on the encrypted store and the plain baseline.
DatabaseError: tuple[type[Exception], ...] = (sqlcipher.DatabaseError, sqlite3.DatabaseError)
IntegrityError: tuple[type[Exception], ...] = (sqlcipher.IntegrityError, sqlite3.IntegrityError)

_CORRUPT_SIGNS = ("malformed", "not a database", "disk image", "hmac", "corrupt")
_CORRUPT_CODES = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB
_BUSY_SIGNS = ("database is locked", "database is busy")
BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 32 * 1024


@dataclass(frozen=True, slots=True)
class CipherSettings:
    """SQLCipher settings, pinned so a change of library default can never strand a file.

    `version` goes on disk with the account (crypto params are versioned): a later release can
    add version 2 and migrate with `sqlcipher_export`, knowing exactly what version 1 was.
    """

    version: int = 1
    page_size: int = 4096
    hmac_algorithm: str = "HMAC_SHA512"
    kdf_algorithm: str = "PBKDF2_HMAC_SHA512"  # unused with a raw key, pinned all the same
    kdf_iter: int = 256000

    def to_dict(self) -> dict[str, Any]:
        return {"cipher": "sqlcipher4", "key": "raw-256", **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CipherSettings:
        known = {k: data[k] for k in ("version", "page_size", "hmac_algorithm", "kdf_algorithm")}
        settings = cls(**known, kdf_iter=int(data.get("kdf_iter", 256000)))
        if settings not in CIPHER_VERSIONS.values():
            raise StoreError(f"unknown store cipher settings (version {settings.version})")
        return settings


CIPHER_V1 = CipherSettings()
CIPHER_VERSIONS = {1: CIPHER_V1}


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def shm_path(path: Path) -> Path:
    return path.with_name(path.name + "-shm")


def database_files(path: Path) -> tuple[Path, Path, Path]:
    """The database, its WAL and its shared-memory index: they live and die together."""
    return path, wal_path(path), shm_path(path)


def _create_private_file(path: Path) -> None:
    # SQLite gives -wal and -shm the mode of the main file, so creating it 0600 first keeps
    # every file of the store private without touching the process umask.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def _check_size(path: Path, settings: CipherSettings) -> None:
    size = path.stat().st_size
    if size % settings.page_size:
        raise StoreCorrupt(f"the order cache file is truncated or damaged; {REPAIR_HINT}")


def is_corruption(exc: BaseException) -> bool:
    # The primary result code first: SQLite words some damage oddly ("vtable constructor
    # failed" when the full-text index's pages do not read), but codes it SQLITE_CORRUPT.
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _CORRUPT_CODES:
        return True
    text = str(exc).lower()
    return any(sign in text for sign in _CORRUPT_SIGNS)


def damaged(account_id: str | None = None) -> StoreCorrupt:
    """The one error for a damaged cache file (see `StoreCorrupt`)."""
    return StoreCorrupt(f"the order cache file is damaged; {REPAIR_HINT}", account_id=account_id)


def translate(exc: BaseException, *, account_id: str | None = None) -> StoreError:
    """One typed, one-line error for a driver exception (never the SQL or any value)."""
    text = str(exc).lower()
    if any(sign in text for sign in _BUSY_SIGNS):
        return StoreBusy("the order cache is busy in another window or process; try again")
    if is_corruption(exc):
        return damaged(account_id)
    return StoreError(f"order cache error: {str(exc).splitlines()[0][:160] if str(exc) else ''}")


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Turn driver errors raised inside the block into typed store errors."""
    try:
        yield
    except StoreError:
        raise
    except DatabaseError as exc:
        raise translate(exc) from None


def apply_key(conn: Connection, key: bytes, settings: CipherSettings) -> None:
    """Key the connection and pin the cipher settings; must run before any other statement."""
    # The key goes in a pragma because SQLCipher offers no bound-parameter form; it is hex of
    # random bytes (no quoting hazard) and never appears in an error message.
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute(f"PRAGMA cipher_page_size = {int(settings.page_size)}")
    conn.execute(f"PRAGMA cipher_hmac_algorithm = {_ident(settings.hmac_algorithm)}")
    conn.execute(f"PRAGMA cipher_kdf_algorithm = {_ident(settings.kdf_algorithm)}")
    conn.execute(f"PRAGMA kdf_iter = {int(settings.kdf_iter)}")
    conn.execute("PRAGMA cipher_use_hmac = ON")


def _ident(value: str) -> str:
    if not value.replace("_", "").isalnum():
        raise StoreError("invalid cipher setting")
    return value


def configure(conn: Connection) -> None:
    """Durability and safety settings shared by the store and the plain benchmark baseline."""
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise StoreError("the order cache could not switch to WAL mode")
    # FULL: the outbox holds user changes that exist nowhere else (security notes §6.5).
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # Sorts and temp indexes stay in memory: no unencrypted temp files next to the store.
    conn.execute("PRAGMA temp_store = MEMORY")
    # Decrypted pages are cached per connection; 32 MiB holds the orders table and its indexes
    # for 100,000 orders, so scrolling and searching do not decrypt the same pages again.
    conn.execute(f"PRAGMA cache_size = {-CACHE_KIB}")


def connect(
    path: Path, key: bytes | bytearray, settings: CipherSettings = CIPHER_V1, *, create: bool = True
) -> Connection:
    """Open (or create) the encrypted database at `path` and prove the key works.

    Raises `StoreMissing`, `StoreCorrupt` (truncated) or `WrongStoreKey` (page 1 does not
    authenticate: wrong key, or page 1 itself is damaged; the caller can tell the two apart
    with the account's recorded key id).
    """
    raw = check_store_key(key)
    if not path.exists():
        if not create:
            raise StoreMissing("there is no order cache for this account yet")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _create_private_file(path)
    else:
        _check_size(path, settings)
    try:
        conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
    except DatabaseError as exc:
        raise translate(exc) from None
    try:
        # SQLCipher logs decryption failures to stderr itself (several lines per damaged page);
        # the typed error raised below is the one line a user sees, so its log stays off.
        conn.execute("PRAGMA cipher_log_level = NONE")
        apply_key(conn, raw, settings)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except DatabaseError as exc:
            # Page 1 failing its HMAC reads as "file is not a database" (wrong key, or page 1
            # itself damaged); anything else (a schema page missing, busy) is not a key problem.
            if "not a database" not in str(exc).lower():
                raise translate(exc) from None
            raise WrongStoreKey(
                "the order cache cannot be decrypted with this account's key; if it is this "
                f"account's, {REPAIR_HINT}"
            ) from None
        with translated():
            configure(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def integrity_problems(conn: Connection) -> list[str]:
    """Problems found by `quick_check` and SQLCipher's per-page HMAC check (empty when clean)."""
    problems = [str(row[0]) for row in conn.execute("PRAGMA quick_check").fetchall()]
    problems = [p for p in problems if p != "ok"]
    problems += [str(row[0]) for row in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
    return problems


def shred_files(path: Path) -> None:
    """Delete the database, WAL and SHM together (only ever on a closed database).

    The contents are ciphertext; what makes them unreadable for good is destroying the key
    (sign-out). Deleting the three files together avoids a stale WAL being applied to a new file.
    """
    for file in database_files(path):
        with contextlib.suppress(FileNotFoundError):
            file.unlink()
