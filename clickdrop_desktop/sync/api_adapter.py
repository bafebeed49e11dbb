"""`SyncApi` over the real `ClickDropClient`: pages and by-id answers with their headers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.api.events import ResponseMeta
from clickdrop_desktop.sync.ports import Fetched


def merged_headers(metas: Iterable[ResponseMeta | None]) -> dict[str, str]:
    """The headers of several answers as one mapping (values of a name joined with ", "), so a
    cache sign on any one answer of a merged call is seen by the guard."""
    merged: dict[str, list[str]] = {}
    for meta in metas:
        if meta is None:
            continue
        for name, value in meta.headers.items():
            values = merged.setdefault(name.lower(), [])
            if value not in values:
                values.append(value)
    return {name: ", ".join(values) for name, values in merged.items()}


class ClientSyncApi:
    """Adapts `ClickDropClient` to the engine's `SyncApi` protocol."""

    def __init__(self, client: ClickDropClient) -> None:
        self._client = client

    def list_page(
        self,
        *,
        full: bool,
        page_size: int,
        start: datetime | None,
        continuation_token: str | None,
    ) -> Fetched:
        page = self._client.list_orders(
            page_size=page_size,
            start=start,
            continuation_token=continuation_token,
            full=full,
        )
        return Fetched(page.orders, merged_headers([page.meta]), page.continuation_token)

    def by_ids(self, ids: Sequence[int], *, full: bool) -> Fetched:
        result = self._client.get_orders(list(ids), full=full)
        # Computed here: `OrdersById.missing` compares every key with every order (n x m).
        returned = {o.order_identifier for o in result.orders}
        missing = frozenset(i for i in ids if i not in returned)
        return Fetched(result.orders, merged_headers(result.metas), None, missing)
