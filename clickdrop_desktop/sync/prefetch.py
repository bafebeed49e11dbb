"""Fetch list pages ahead of the commits, so network waits overlap parsing and merging.

A worker thread follows the continuation tokens and, for each page, starts the by-id
confirmation of its new ids on a small pool; the engine takes pages in order, guards and
commits them. Nothing here writes: a page fetched ahead but not committed when the process dies
is simply fetched again from the saved token, so crash safety is the engine's, unchanged.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Self

from clickdrop_desktop.api.errors import BadResponse, ValidationFailed
from clickdrop_desktop.closing import Closing
from clickdrop_desktop.sync.ports import Fetched, SyncApi


@dataclass(frozen=True, slots=True)
class Prefetched:
    """One list page, the token it was fetched with, and its confirmation (if any) under way."""

    page: Fetched
    token: str | None
    restarted: bool  # the saved token was refused and the window started again
    asked: tuple[int, ...]
    confirmation: Future[Fetched] | None


_DONE = object()


class PagePrefetcher(Closing):
    """Iterate the pages of one list pass with `depth` pages fetched ahead.

    Args:
        api: the sync API (thread-safe: the real client is).
        new_ids: which ids of a page to confirm by id (not yet cached); None turns it off.
    """

    def __init__(
        self,
        api: SyncApi,
        *,
        full: bool,
        page_size: int,
        start: datetime | None,
        token: str | None,
        new_ids: Callable[[Sequence[int]], list[int]] | None,
        depth: int = 2,
    ) -> None:
        self._api = api
        self._full = full
        self._page_size = page_size
        self._start = start
        self._token = token
        self._new_ids = new_ids
        self._queue: queue.Queue[Prefetched | BaseException | object] = queue.Queue(
            maxsize=max(1, depth)
        )
        self._stop = threading.Event()
        self._finished = False
        # depth 0: no threads at all, every call made in order when asked (deterministic tests).
        self._inline: Iterator[Prefetched] | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None
        if depth > 0:
            self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sync-confirm")
            self._thread = threading.Thread(target=self._run, name="sync-prefetch", daemon=True)
        else:
            self._inline = self._pages()

    def __enter__(self) -> Self:
        if self._thread is not None:
            self._thread.start()
        return super().__enter__()

    def next(self) -> Prefetched | None:
        """The next page in order (None after the last); re-raises a fetch error in order."""
        if self._finished:
            return None
        if self._inline is not None:
            found = next(self._inline, None)
            self._finished = found is None
            return found
        item = self._queue.get()
        if item is _DONE:
            self._finished = True
            return None
        if isinstance(item, BaseException):
            self._finished = True
            raise item
        assert isinstance(item, Prefetched)
        return item

    def close(self, *, wait_s: float = 5.0) -> None:
        """Stop fetching ahead. Waits up to `wait_s` for a call in flight (it is bounded by the
        client's timeouts anyway); a worker still busy then is a daemon whose result nobody
        reads, so an interrupted sync returns promptly."""
        self._stop.set()
        deadline = time.monotonic() + wait_s
        # Unblock a worker waiting on a full queue, then let in-flight calls end.
        while self._thread is not None and self._thread.is_alive() and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=0.05)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _put(self, item: Prefetched | BaseException | object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _pages(self) -> Iterator[Prefetched]:
        token = self._token
        restarted = False
        while not self._stop.is_set():
            try:
                page = self._api.list_page(
                    full=self._full,
                    page_size=self._page_size,
                    start=self._start,
                    continuation_token=token,
                )
            except ValidationFailed:
                # A token saved by an interrupted run may have expired upstream: start the
                # same window again (merging is idempotent, nothing is duplicated).
                if token is None or restarted or token != self._token:
                    raise
                restarted, token = True, None
                continue
            asked: tuple[int, ...] = ()
            future: Future[Fetched] | None = None
            if self._new_ids is not None:
                asked = tuple(self._new_ids([o.order_identifier for o in page.orders]))
                if asked:
                    future = self._confirm(asked)
            yield Prefetched(page, token, restarted, asked, future)
            following = page.continuation_token
            if not following:
                return
            if following == token:
                raise BadResponse("Click & Drop sent the same continuation token twice")
            token = following

    def _confirm(self, asked: tuple[int, ...]) -> Future[Fetched]:
        if self._pool is not None:
            return self._pool.submit(self._api.by_ids, asked, full=self._full)
        future: Future[Fetched] = Future()
        future.set_result(self._api.by_ids(asked, full=self._full))  # errors raise in order
        return future

    def _run(self) -> None:
        try:
            for item in self._pages():
                if not self._put(item):
                    return
            self._put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - re-raised in order by next()
            self._put(exc)
