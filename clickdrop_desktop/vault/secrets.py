"""An unlocked account's secrets in memory: never in a repr, str, log line or pickle."""

from __future__ import annotations

from typing import NoReturn

from clickdrop_desktop.store.crypto import check_store_key, key_id


class AccountKeys:
    """The API key and the 256-bit store key of one account, while it is unlocked.

    `wipe()` zeroes the store key in place (best effort: Python may have copied it, and the API
    key is an immutable str); the vault calls it on lock and sign-out.
    """

    __slots__ = ("_api_key", "_store_key", "account_id")

    def __init__(self, account_id: str, api_key: str, store_key: bytes | bytearray) -> None:
        self.account_id = account_id
        self._api_key = api_key
        self._store_key = bytearray(check_store_key(store_key))

    @property
    def api_key(self) -> str:
        if not self._api_key:
            raise ValueError("these keys were wiped")
        return self._api_key

    @property
    def store_key(self) -> bytes:
        if not any(self._store_key):
            raise ValueError("these keys were wiped")
        return bytes(self._store_key)

    @property
    def key_id(self) -> str:
        return key_id(self._store_key)

    @property
    def wiped(self) -> bool:
        return not self._api_key

    def wipe(self) -> None:
        for index in range(len(self._store_key)):
            self._store_key[index] = 0
        self._api_key = ""

    def __repr__(self) -> str:
        return f"AccountKeys(account_id={self.account_id!r}, keys=<hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("account keys cannot be pickled")
