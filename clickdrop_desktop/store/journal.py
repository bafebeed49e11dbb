"""The outbox journal: a small append-only encrypted file that survives a lost or rebuilt store.

Why: the order cache can always be rebuilt from the API, except for the outbox (changes made
here and not yet acknowledged upstream). Every outbox change is therefore also appended to
`store.outbox-journal` next to the store, in two steps around the database COMMIT:

1. before COMMIT: the new snapshots of the ops the transaction changed, tagged with a
   transaction id, fsynced;
2. after COMMIT: a commit marker for that transaction id, fsynced.

Snapshots whose transaction has no marker never count (the transaction may have rolled back,
so an op is never resurrected without the local change it belongs to). On open, committed
snapshots the store lacks, or has at a lower revision, are applied to it: after a rebuild
(fresh database) that restores the unsynced outbox. If a marker was lost (crash between COMMIT
and step 2), the store is ahead; the journal is then rewritten from the store.

Format (version 1):
    header  = b"CDOJ" + b"\\x01" + salt (16 random bytes)
    record  = length (4 bytes, big endian) + nonce (12) + AES-256-GCM ciphertext and tag
    key     = HKDF-SHA256(store key, salt, "outbox journal v1 <account id>")
    AAD     = "clickdrop-outbox-journal v1|<account id>|" + record index (8 bytes)
Each record's plaintext is JSON: the snapshot of one outbox item (the last committed one of an
op wins), or a commit marker `{"commit": "<transaction id>"}`. The index in the AAD means records cannot be reordered, dropped from the middle or moved
to another account's journal without detection. A record cut short at the end (power loss
during an append) is ignored and trimmed. The journal is compacted (rewritten atomically with
one record per unfinished op) when it holds much more than the live ops.
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from clickdrop_desktop.paths import atomic_write
from clickdrop_desktop.store.crypto import check_store_key, derive_subkey

MAGIC = b"CDOJ\x01"
_SALT = 16
_HEADER = len(MAGIC) + _SALT
_NONCE = 12
_LEN = 4
MAX_RECORD = 1 << 20  # an outbox payload is small; anything larger is damage, not data


class JournalState(enum.Enum):
    OK = "ok"
    MISSING = "missing"
    TORN = "torn"  # last record cut short: ignored (and trimmed on the next write)
    DAMAGED = "damaged"  # a bad record in the middle: what came before it is kept
    UNREADABLE = "unreadable"  # wrong key, another account's file, or a damaged header


@dataclass(slots=True)
class JournalContents:
    state: JournalState
    ops: dict[str, dict[str, Any]] = field(default_factory=dict)  # op_id -> last committed
    records: int = 0
    good_length: int = 0


@dataclass(frozen=True, slots=True)
class _Frame:
    offset: int
    length: int  # of nonce + ciphertext


def _frames(data: bytes) -> tuple[list[_Frame], int]:
    """Record frames by their length prefixes, and the byte length of the complete ones."""
    frames: list[_Frame] = []
    pos = _HEADER
    while pos + _LEN <= len(data):
        length = int.from_bytes(data[pos : pos + _LEN], "big")
        if length < _NONCE + 16 or length > MAX_RECORD or pos + _LEN + length > len(data):
            break
        frames.append(_Frame(pos + _LEN, length))
        pos += _LEN + length
    return frames, pos


class OutboxJournal:
    """One account's journal file. Writers must hold the database write lock (see `Database`)."""

    def __init__(self, path: Path, store_key: bytes | bytearray, account_id: str) -> None:
        self.path = path
        self._key = check_store_key(store_key)
        self._account = account_id
        self._aead_cache: tuple[bytes, AESGCM] | None = None

    def __repr__(self) -> str:
        return f"OutboxJournal(path={str(self.path)!r})"

    def _aead(self, salt: bytes) -> AESGCM:
        if self._aead_cache is None or self._aead_cache[0] != salt:
            key = derive_subkey(self._key, purpose=f"outbox journal v1 {self._account}", salt=salt)
            self._aead_cache = (salt, AESGCM(key))
        return self._aead_cache[1]

    def _aad(self, index: int) -> bytes:
        prefix = f"clickdrop-outbox-journal v1|{self._account}|".encode()
        return prefix + index.to_bytes(8, "big")

    def _read_bytes(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None

    def read(self) -> JournalContents:
        data = self._read_bytes()
        if data is None or not data:
            return JournalContents(JournalState.MISSING)
        if len(data) < _HEADER or not data.startswith(MAGIC):
            return JournalContents(JournalState.UNREADABLE)
        aead = self._aead(data[len(MAGIC) : _HEADER])
        frames, end = _frames(data)
        contents = JournalContents(JournalState.OK, good_length=_HEADER)
        snapshots: list[dict[str, Any]] = []
        committed: set[str] = set()
        for index, frame in enumerate(frames):
            blob = data[frame.offset : frame.offset + frame.length]
            try:
                plain = aead.decrypt(blob[:_NONCE], blob[_NONCE:], self._aad(index))
                record = json.loads(plain)
                if not isinstance(record, dict):
                    raise ValueError("not a journal record")
                if isinstance(record.get("commit"), str):
                    committed.add(record["commit"])
                elif isinstance(record.get("op_id"), str):
                    snapshots.append(record)
                else:
                    raise ValueError("not a journal record")
            except (InvalidTag, ValueError):
                # The first record failing means wrong key or another account's file: keep it
                # aside rather than trim it. A later, last record failing is a torn append;
                # its transaction never committed (the journal is written before COMMIT).
                last = index == len(frames) - 1 and end == len(data)
                if index == 0:
                    contents.state = JournalState.UNREADABLE
                else:
                    contents.state = JournalState.TORN if last else JournalState.DAMAGED
                break
            contents.records = index + 1
            contents.good_length = frame.offset + frame.length
        else:
            if end != len(data):
                contents.state = JournalState.TORN
        for snapshot in snapshots:
            txn = snapshot.get("txn")
            if txn is None or txn in committed:  # untagged: written by rewrite(), committed
                contents.ops[snapshot["op_id"]] = snapshot
        return contents

    def _encode(self, aead: AESGCM, snapshots: Sequence[dict[str, Any]], first: int) -> bytes:
        out = bytearray()
        for offset, snapshot in enumerate(snapshots):
            nonce = secrets.token_bytes(_NONCE)
            plain = json.dumps(snapshot, separators=(",", ":"), ensure_ascii=False).encode()
            blob = nonce + aead.encrypt(nonce, plain, self._aad(first + offset))
            out += len(blob).to_bytes(_LEN, "big") + blob
        return bytes(out)

    def append(self, snapshots: Sequence[dict[str, Any]]) -> None:
        """Step 1: append and fsync. Call while holding the database write lock."""
        if not snapshots:
            return
        data = self._read_bytes()
        if not data or len(data) < _HEADER or not data.startswith(MAGIC):
            if data:  # unreadable header: never append to (or overwrite) someone's data blindly
                self.set_aside()
            self.rewrite(snapshots)
            return
        frames, end = _frames(data)
        aead = self._aead(data[len(MAGIC) : _HEADER])
        payload = self._encode(aead, snapshots, len(frames))
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            if end != len(data):
                os.ftruncate(fd, end)  # drop a torn tail so new records follow whole ones
            os.lseek(fd, end, os.SEEK_SET)
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)

    def commit(self, txn: str) -> None:
        """Step 2: mark transaction `txn` committed (call right after COMMIT)."""
        self.append([{"commit": txn}])

    def rewrite(self, snapshots: Sequence[dict[str, Any]]) -> None:
        """Replace the journal atomically with `snapshots` (a fresh salt, records from 0)."""
        salt = secrets.token_bytes(_SALT)
        clean = [{k: v for k, v in s.items() if k != "txn"} for s in snapshots]
        body = self._encode(self._aead(salt), clean, 0)
        atomic_write(self.path, MAGIC + salt + body)

    def truncate_to(self, length: int) -> None:
        with open(self.path, "r+b") as handle:
            handle.truncate(length)
            handle.flush()
            os.fsync(handle.fileno())

    def set_aside(self) -> Path:
        """Keep an unreadable journal (it may open with the right key) and start a new one."""
        target = self.path.with_name(f"{self.path.name}.unreadable-{secrets.token_hex(4)}")
        with contextlib.suppress(FileNotFoundError):
            os.replace(self.path, target)
        return target

    def delete(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
