"""One sync of one account: list pages by date window, refresh open orders by id, guard, commit.

Order of work (issue 3):

1. **List pass.** `GET /orders` (or `/orders/full` where the account has it) from
   `startDateTime` = last high-water `createdOn` minus an overlap (first sync: everything, or a
   horizon), following `continuationToken` to the end.
2. **Refresh pass.** Cached orders that are still open (not despatched, not archived) and older
   than the list window are fetched by id, 100 per call, so printing and despatch made elsewhere
   show up. Ids the API no longer has (missing from the answer, or 404) are archived, never
   deleted.

Every response is parsed whole by the client (one bad record fails the page) and inspected by the
isolation guards *before* anything is written; then one store transaction merges the page and
saves the sync state (the continuation token or refresh cursor), so a crash or `kill -9` at any
point resumes at the first page not committed, with no duplicate and no half page. A response
that fails a guard is never written: an incident record (metadata only) and the paused state are
saved in one transaction and `SyncIsolationAlert` is raised; the next sync refuses until the user
acknowledges (`clickdrop-desktop incidents --ack`).

Trading names: the guard needs the account's own names, and Click & Drop has no endpoint that
gives them. They are learned from the first non-empty `/full` page of the first sync, and only
if that page passes every other check, the by-id confirmation included (so a foreign record
mixed into it cannot teach its name); they are kept in the sync state inside the encrypted
store, reported in the result (`trading_names_learned`) and can be set explicitly with
`learn_trading_names`. A later legitimate new trading name raises an alert the user reviews and
acknowledges (`learn_trading_names` then adds it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from clickdrop_desktop.api.errors import ApiError
from clickdrop_desktop.api.events import CallEvent, Outcome
from clickdrop_desktop.api.models import Order
from clickdrop_desktop.sync import guards
from clickdrop_desktop.sync.incidents import IdHasher, build_incident
from clickdrop_desktop.sync.ports import Fetched, SyncApi, SyncStorage
from clickdrop_desktop.sync.prefetch import PagePrefetcher, Prefetched
from clickdrop_desktop.sync.state import (
    acknowledge,
    fresh_state,
    learn_trading_names,
    merge_headers,
    normalise_state,
    parse_state_time,
    sign_in_trading_names,
    state_time,
    sync_status,
    trading_names_from,
    utc_now,
)
from clickdrop_desktop.sync.types import (
    BY_ID_ENDPOINT,
    BY_ID_FULL_ENDPOINT,
    LIST_ENDPOINT,
    LIST_FULL_ENDPOINT,
    SyncIsolationAlert,
    SyncOptions,
    SyncPaused,
    SyncProgress,
    SyncResult,
)

__all__ = [
    "SyncEngine",
    "SyncIsolationAlert",
    "SyncOptions",
    "SyncPaused",
    "SyncProgress",
    "SyncResult",
    "acknowledge",
    "fresh_state",
    "learn_trading_names",
    "normalise_state",
    "sign_in_trading_names",
    "sync_status",
]


class SyncEngine:
    """Runs syncs of one account. Not thread-safe: one run at a time, on a worker thread."""

    def __init__(
        self,
        api: SyncApi,
        storage: SyncStorage,
        *,
        account: str,
        full: bool,
        trading_names: Sequence[str] = (),
        options: SyncOptions | None = None,
        on_progress: Callable[[SyncProgress], None] | None = None,
        cancel: threading.Event | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._api = api
        self._storage = storage
        self._account = account
        self._full = full
        self._given_names = sorted({n.strip() for n in trading_names if n.strip()})
        self._options = options or SyncOptions()
        self._on_progress = on_progress
        self._cancel = cancel or threading.Event()
        self._clock = clock
        self._progress = SyncProgress()
        self._result = SyncResult()
        self._lock = threading.Lock()
        self._hasher = IdHasher(b"")  # replaced by the account's salt at the start of a run
        self._known_foreign: frozenset[str] = frozenset()
        self._candidate_names: list[str] = []

    # -- events from the client (any thread) -------------------------------------------------

    def on_call_event(self, event: CallEvent) -> None:
        """Count rate-limit waits; wire to the client's event hook for the run's duration."""
        if event.outcome is Outcome.RATE_LIMITED and event.will_retry:
            with self._lock:
                self._progress.rate_limit_waits += 1
            self._report()

    def on_rate_wait(self, seconds: float) -> None:
        """Count the client's own throttle waits (its token bucket keeps under the limit);
        wire to the client's `on_rate_wait` for the run's duration."""
        if seconds <= 0:
            return
        with self._lock:
            self._progress.rate_limit_waits += 1
            self._progress.rate_limit_wait_s += seconds
        self._report()

    def cancel(self) -> None:
        self._cancel.set()

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> SyncResult:
        """One sync to completion (or cancellation). Raises the client's `ApiError`s (state kept,
        the next run resumes), `SyncPaused`, or `SyncIsolationAlert`."""
        state = normalise_state(self._storage.load_state())
        if state["paused_incident"]:
            raise SyncPaused(
                "sync is paused: Click & Drop sent data that was not this account's "
                f"(incident {str(state['paused_incident'])[:8]}); review it with "
                "'clickdrop-desktop incidents', then resume with 'clickdrop-desktop incidents --ack'",
                incident_id=str(state["paused_incident"]),
            )
        self._progress = SyncProgress()
        self._result = SyncResult(endpoint=LIST_FULL_ENDPOINT if self._full else LIST_ENDPOINT)
        if self._given_names and not state["trading_names"]:
            state["trading_names"] = list(self._given_names)  # recorded at sign-in
        self._hasher = IdHasher(bytes.fromhex(state["incident_salt"]))
        self._known_foreign = frozenset(
            h for incident in self._storage.incidents() for h in incident.foreign_hashed_ids
        )
        if state["phase"] == "idle" or state["full"] != self._full:
            self._start_pass(state)
        else:
            self._result.resumed = True
        if state["phase"] == "list" and not self._list_pass(state):
            return self._finish_cancelled()
        if state["phase"] == "refresh" and not self._refresh_pass(state):
            return self._finish_cancelled()
        state["phase"] = "idle"
        state["last_sync"] = state_time(self._clock())
        self._result.high_water = state["high_water"]
        self._result.finished_at = state["last_sync"]
        self._result.rate_limit_waits = self._progress.rate_limit_waits
        self._result.rate_limit_wait_s = round(self._progress.rate_limit_wait_s, 3)
        state["last_result"] = self._result.to_dict()
        self._storage.commit(orders=(), archive=(), state=state)
        return self._result

    def _finish_cancelled(self) -> SyncResult:
        self._result.cancelled = True
        self._result.rate_limit_waits = self._progress.rate_limit_waits
        self._result.rate_limit_wait_s = round(self._progress.rate_limit_wait_s, 3)
        return self._result

    def _start_pass(self, state: dict[str, Any]) -> None:
        high_water = parse_state_time(state["high_water"])
        if high_water is not None and state["full"] == self._full:
            start: datetime | None = high_water - self._options.overlap
        elif self._options.horizon is not None:
            start = self._clock() - self._options.horizon
        else:
            start = None
        state.update(
            phase="list",
            full=self._full,
            window_start=state_time(start),
            token=None,
            pass_high_water=state["high_water"],
            refresh_before=None,
            refresh_after_id=0,
        )

    def _list_pass(self, state: dict[str, Any]) -> bool:
        endpoint = LIST_FULL_ENDPOINT if self._full else LIST_ENDPOINT
        page_source = "full" if self._full else "list"
        prefetcher = PagePrefetcher(
            self._api,
            full=self._full,
            page_size=self._options.page_size,
            start=parse_state_time(state["window_start"]),
            token=state["token"],
            new_ids=self._new_ids if self._options.confirm_new_ids else None,
            depth=self._options.prefetch,
        )
        with prefetcher:
            while True:
                if self._cancel.is_set():
                    return False
                item = prefetcher.next()
                if item is None:  # cannot happen: the last page ends the pass below
                    return True
                page = item.page
                self._check_list_page(item, state, endpoint=endpoint)
                high = parse_state_time(state["pass_high_water"])
                for order in page.orders:
                    if high is None or order.created_on > high:
                        high = order.created_on
                state["pass_high_water"] = state_time(high)
                if page.continuation_token:
                    state["token"] = page.continuation_token
                else:
                    state.update(
                        phase="refresh",
                        token=None,
                        high_water=state["pass_high_water"],
                        # A first full sync just listed everything: nothing to refresh. Later
                        # ones refresh every open order up to the newest listed, those in the
                        # overlap window too: one deleted upstream is missing from the list,
                        # and only a by-id read can tell (then it is archived).
                        refresh_before=(
                            state["pass_high_water"] if state["window_start"] else None
                        ),
                        refresh_after_id=0,
                    )
                self._commit(page.orders, (), state, phase="list", source=page_source)
                if state["phase"] != "list":
                    return True

    def _new_ids(self, ids: Sequence[int]) -> list[int]:
        """Ids of a page not cached yet (called from the prefetch thread: reads only)."""
        unique = list(dict.fromkeys(ids))
        known = self._storage.immutable_of(set(unique))
        return [i for i in unique if i not in known]

    def _refresh_pass(self, state: dict[str, Any]) -> bool:
        before = parse_state_time(state["refresh_before"])
        if before is None:
            return True
        endpoint = BY_ID_FULL_ENDPOINT if self._full else BY_ID_ENDPOINT
        while True:
            if self._cancel.is_set():
                return False
            ids = self._storage.open_ids(
                created_before=before,
                after_id=int(state["refresh_after_id"]),
                limit=self._options.batch_size,
            )
            if not ids:
                return True
            fetched = self._api.by_ids(ids, full=self._full)
            findings, _ = self._inspect(fetched, state, requested=ids)
            if findings:
                self._quarantine(findings, fetched, state, endpoint=endpoint, requested=ids)
            self._adopt_names(state)
            state["refresh_after_id"] = max(ids)
            archive = sorted(fetched.missing & set(ids))
            self._result.refreshed += len(fetched.orders)
            self._result.archived += len(archive)
            self._commit(fetched.orders, archive, state, phase="refresh", source="by_id")

    # -- guard, commit, report --------------------------------------------------------------

    def _check_list_page(self, item: Prefetched, state: dict[str, Any], *, endpoint: str) -> None:
        page = item.page
        vouched = _vouched(item)
        findings, known = self._inspect(page, state, requested=None, vouched=vouched)
        headers = dict(page.headers)
        new = {o.order_identifier for o in page.orders if o.order_identifier not in known}
        if not findings and new and self._options.confirm_new_ids:
            asked = set(item.asked)
            confirmations: list[Fetched] = []
            if item.confirmation is not None:
                confirmations.append(item.confirmation.result())
            if new - asked:
                # Cached ids only ever grow, so this is a safety net, not a path taken.
                late = sorted(new - asked)
                confirmations.append(self._api.by_ids(late, full=self._full))
                asked |= set(late)
            for confirmation in confirmations:
                more, _ = self._inspect(
                    confirmation, state, requested=sorted(asked), vouched=vouched
                )
                findings += more
                headers = merge_headers(headers, confirmation.headers)
            confirmed = [o for c in confirmations for o in c.orders]
            unconfirmed = guards.check_confirmed(page.orders, new, confirmed)
            if unconfirmed is not None:
                findings.append(unconfirmed)
        if findings:
            self._quarantine(
                findings, replace(page, headers=headers), state, endpoint=endpoint, requested=None
            )
        self._adopt_names(state)

    def _adopt_names(self, state: dict[str, Any]) -> None:
        """Trading names first seen in a response that passed: this account's from now on."""
        if self._candidate_names and not state["trading_names"]:
            state["trading_names"] = self._candidate_names
            self._result.trading_names_learned = len(self._candidate_names)
        self._candidate_names = []

    def _inspect(
        self,
        fetched: Fetched,
        state: dict[str, Any],
        *,
        requested: Sequence[int] | None,
        vouched: frozenset[int] = frozenset(),
    ) -> tuple[list[guards.Finding], dict[int, guards.Immutable]]:
        """The guards' findings on one response, and the cached immutable fields of its ids.

        `vouched`: ids the account's own by-id lookup returned exactly as listed (see
        `_vouched`): not held against them that an earlier answer was refused.
        """
        orders = fetched.orders
        names = frozenset(state["trading_names"])
        if self._full and not names and orders:
            # Nothing to compare with yet: the names are adopted only if this response passes
            # every other check (including the by-id confirmation), see `_adopt_names`.
            names = frozenset(trading_names_from(orders))
            self._candidate_names = sorted(names)
        known = self._storage.immutable_of({o.order_identifier for o in orders})
        context = guards.GuardContext(
            trading_names=names,
            known_immutable=known,
            known_foreign_hashes=self._known_foreign,
            hash_id=self._hasher,
            vouched=vouched,
        )
        return guards.inspect(orders, fetched.headers, context, requested=requested), known

    def _quarantine(
        self,
        findings: Sequence[guards.Finding],
        fetched: Fetched,
        state: dict[str, Any],
        *,
        endpoint: str,
        requested: Sequence[int] | None,
    ) -> None:
        """Record the incident (metadata only) with the paused state, and stop the run."""
        incident = build_incident(
            account=self._account,
            endpoint=endpoint,
            findings=findings,
            records_in_response=len(fetched.orders),
            requested_ids=len(requested or ()),
            hasher=self._hasher,
            headers=fetched.headers,
        )
        state["paused_incident"] = incident.incident_id
        self._candidate_names = []
        incident = self._storage.record_incident(incident, state)
        self._result.quarantined += len(fetched.orders)
        self._result.incident_id = incident.incident_id
        raise SyncIsolationAlert(
            f"isolation alert: Click & Drop sent {incident.suspect_records} order(s) that are "
            f"not this account's ({', '.join(incident.kinds)}); nothing of that response was "
            f"stored or shown and sync is paused (incident {incident.incident_id[:8]}: "
            "'clickdrop-desktop incidents --export FILE' for your breach log)",
            incident=incident,
            result=self._result,
        )

    def _commit(
        self,
        orders: Sequence[Order],
        archive: Sequence[int],
        state: dict[str, Any],
        *,
        phase: str,
        source: str,
    ) -> None:
        stored = self._storage.commit(orders=orders, archive=archive, state=state, source=source)
        self._result.fetched += len(orders)
        self._result.stored += stored
        self._result.pages += 1
        with self._lock:
            self._progress.phase = phase
            self._progress.pages = self._result.pages
            self._progress.fetched = self._result.fetched
            self._progress.stored = self._result.stored
            self._progress.archived = self._result.archived
        self._report()

    def _report(self) -> None:
        if self._on_progress is not None:
            with self._lock:
                snapshot = SyncProgress(**asdict(self._progress))
            self._on_progress(snapshot)


def _vouched(item: Prefetched) -> frozenset[int]:
    """New ids of a list page that the account's own by-id lookup returned as the same order.

    An answer tampered in transit (another trading name, a changed reference on one of the
    account's own records) is refused and its ids are remembered as foreign. Without this, an
    id that was new then would be refused again in every later, clean answer: one leak would
    lock the account out of that order, and of everything after it, for good. Every other
    guard still runs on both answers.
    """
    if item.confirmation is None:
        return frozenset()
    try:
        confirmation = item.confirmation.result()
    except ApiError:
        return frozenset()  # raised again where the confirmation is used
    by_id = {o.order_identifier: guards.Immutable.of(o) for o in confirmation.orders}
    return frozenset(
        o.order_identifier
        for o in item.page.orders
        if o.order_identifier in item.asked
        and (mine := by_id.get(o.order_identifier)) is not None
        and not mine.differs(guards.Immutable.of(o))
    )
