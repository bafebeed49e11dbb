"""Isolation guards: pure checks that decide whether a response may belong to this account.

DESIGN.md, security model: a by-id response holds only ids asked for; a `/full` record's trading
name is one of the account's; a cached order keeps its immutable fields (`orderReference`,
`createdOn`); an authenticated response with shared-cache signs (`Age`, `X-Cache: HIT`,
`Cache-Control: public`) is not trusted. Three more signs are checked because they cost nothing
and each means a record cannot be this account's own:

- the same `orderIdentifier` twice in one response with different immutable fields (two orders
  claim one id: at least one is someone else's);
- an id quarantined in an earlier incident showing up again (matched by its salted hash);
- a by-id response answering one id twice with different records;
- a list page holding new ids that the account's own by-id lookup does not know, or knows with
  other immutable fields (`check_confirmed`). Plain `/orders` records carry no trading name,
  so without this a foreign order mixed into a list page would have nothing to give it away:
  every new id of a list page is confirmed with one by-id call (at most 100 ids, so one call
  per page) before the page is merged.

The checks never raise and never look at personal data beyond comparing it: a `Finding` names the
suspect ids (hashed later, in the incident record) and says what was wrong in one line that holds
no customer text.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from clickdrop_desktop.api.models import Order


class FindingKind(enum.StrEnum):
    """Why a response was not trusted (the `kind` in an incident record)."""

    UNREQUESTED_IDS = "unrequested_ids"
    FOREIGN_TRADING_NAME = "foreign_trading_name"
    IMMUTABLE_CHANGED = "immutable_changed"
    SHARED_CACHE = "shared_cache"
    CONFLICTING_DUPLICATE = "conflicting_duplicate"
    KNOWN_FOREIGN = "known_foreign"
    UNCONFIRMED_IDS = "unconfirmed_ids"


@dataclass(frozen=True, slots=True)
class Finding:
    """One failed check. `suspect_ids` are the records that must never be stored or shown."""

    kind: FindingKind
    suspect_ids: frozenset[int]
    detail: str  # one line, no customer data


@dataclass(frozen=True, slots=True)
class Immutable:
    """The fields of an order that never change upstream once it exists."""

    order_reference: str | None
    created_on: datetime

    @classmethod
    def of(cls, order: Order) -> Immutable:
        return cls(order.order_reference, order.created_on)

    def differs(self, other: Immutable) -> bool:
        """Whether `other` is not the same order: reference or creation time differ. Exact,
        like the store's own check, so whatever passes here also merges."""
        return self.order_reference != other.order_reference or self.created_on != other.created_on


# Headers through which a shared cache (CDN, reverse proxy) says it answered from storage.
_HIT_HEADERS = ("x-cache", "x-cache-status", "x-proxy-cache", "cf-cache-status", "x-served-from")
_HIT = re.compile(r"\bhit\b", re.IGNORECASE)
_PUBLIC = re.compile(r"(^|[,\s])(public|s-maxage\s*=)", re.IGNORECASE)


def normalise_trading_name(name: str | None) -> str:
    """How trading names compare: case-folded, whitespace collapsed; None is ""."""
    return " ".join((name or "").split()).casefold()


def check_shared_cache(headers: Mapping[str, str], ids: Iterable[int]) -> Finding | None:
    """An authenticated answer that a shared cache served or may store: nothing in it is trusted.

    `headers` are lower-cased names (as `ResponseMeta.headers`). `Age` of any value (even 0)
    means the answer came out of a cache; `Cache-Control: public` or `s-maxage` invites a shared
    cache to hand this account's answer to someone else, or someone else's to us.
    """
    signs: list[str] = []
    if "age" in headers:
        signs.append("Age")
    for name in _HIT_HEADERS:
        value = headers.get(name)
        if value and _HIT.search(value):
            signs.append(f"{name}: HIT")
    control = headers.get("cache-control")
    if control and _PUBLIC.search(control):
        signs.append("Cache-Control: public")
    if not signs:
        return None
    return Finding(
        FindingKind.SHARED_CACHE,
        frozenset(ids),
        f"an authenticated response carried shared-cache signs ({', '.join(signs)})",
    )


def check_unrequested(requested: Collection[int], orders: Sequence[Order]) -> Finding | None:
    """A by-id response may hold only the ids asked for."""
    wanted = set(requested)
    extra = frozenset(o.order_identifier for o in orders if o.order_identifier not in wanted)
    if not extra:
        return None
    return Finding(
        FindingKind.UNREQUESTED_IDS,
        extra,
        f"a by-id response held {len(extra)} order(s) that were not asked for",
    )


def check_trading_names(expected: Collection[str], orders: Sequence[Order]) -> Finding | None:
    """Every `/full` record's trading name must be one of the account's (normalised).

    Records without details (plain `/orders`) carry no trading name and are not checked here.
    With no expected names recorded yet the check cannot run; the engine records them first.
    """
    names = {normalise_trading_name(n) for n in expected}
    if not names:
        return None
    foreign = frozenset(
        o.order_identifier
        for o in orders
        if o.details is not None and normalise_trading_name(o.details.trading_name) not in names
    )
    if not foreign:
        return None
    return Finding(
        FindingKind.FOREIGN_TRADING_NAME,
        foreign,
        f"{len(foreign)} record(s) carried a trading name that is not this account's",
    )


def check_immutable(known: Mapping[int, Immutable], orders: Sequence[Order]) -> Finding | None:
    """An order already cached must keep its reference and creation time."""
    changed = frozenset(
        o.order_identifier
        for o in orders
        if (before := known.get(o.order_identifier)) is not None and before.differs(Immutable.of(o))
    )
    if not changed:
        return None
    return Finding(
        FindingKind.IMMUTABLE_CHANGED,
        changed,
        f"{len(changed)} cached order id(s) came back with a different reference or creation time",
    )


def check_duplicates(orders: Sequence[Order]) -> Finding | None:
    """One id twice in one response is harmless if both copies are the same order; if their
    immutable fields differ, two orders claim the id and neither can be trusted."""
    seen: dict[int, Immutable] = {}
    conflicting: set[int] = set()
    for order in orders:
        mine = Immutable.of(order)
        before = seen.setdefault(order.order_identifier, mine)
        if before is not mine and before.differs(mine):
            conflicting.add(order.order_identifier)
    if not conflicting:
        return None
    return Finding(
        FindingKind.CONFLICTING_DUPLICATE,
        frozenset(conflicting),
        f"{len(conflicting)} order id(s) appeared twice in one response as different orders",
    )


def check_known_foreign(
    known_foreign_hashes: Collection[str],
    hash_id: Callable[[int], str],
    orders: Sequence[Order],
    own: Collection[int] = (),
) -> Finding | None:
    """An id found foreign before (kept only as a salted hash) is still not this account's.

    Ids already cached as this account's own are skipped: they came from clean responses.
    """
    if not known_foreign_hashes:
        return None
    hashes = set(known_foreign_hashes)
    again = frozenset(
        o.order_identifier
        for o in orders
        if o.order_identifier not in own and hash_id(o.order_identifier) in hashes
    )
    if not again:
        return None
    return Finding(
        FindingKind.KNOWN_FOREIGN,
        again,
        f"{len(again)} order id(s) quarantined in an earlier incident came back",
    )


def check_confirmed(
    listed: Sequence[Order], asked: Collection[int], confirmed: Sequence[Order]
) -> Finding | None:
    """New ids of a list page (`asked`) must come back from the account's by-id lookup, as the
    same orders. A listed id the account does not know is someone else's order."""
    by_id = {o.order_identifier: Immutable.of(o) for o in confirmed}
    suspect = frozenset(
        o.order_identifier
        for o in listed
        if o.order_identifier in asked
        and ((mine := by_id.get(o.order_identifier)) is None or mine.differs(Immutable.of(o)))
    )
    if not suspect:
        return None
    return Finding(
        FindingKind.UNCONFIRMED_IDS,
        suspect,
        f"{len(suspect)} listed order(s) are unknown to this account's by-id lookup "
        "or differ from it",
    )


@dataclass(frozen=True, slots=True)
class GuardContext:
    """What the account knows about itself when a response arrives."""

    trading_names: frozenset[str]
    known_immutable: Mapping[int, Immutable]
    known_foreign_hashes: frozenset[str]
    hash_id: Callable[[int], str]
    #: Ids the account's own by-id lookup just returned as listed: its own orders.
    vouched: frozenset[int] = frozenset()


def inspect(
    orders: Sequence[Order],
    headers: Mapping[str, str],
    context: GuardContext,
    *,
    requested: Collection[int] | None = None,
) -> list[Finding]:
    """Run every guard over one response; an empty list means the whole response may be merged.

    `requested` is the id set of a by-id call (None for list pages).
    """
    ids = [o.order_identifier for o in orders]
    checks: list[Finding | None] = [
        check_shared_cache(headers, ids),
        check_unrequested(requested, orders) if requested is not None else None,
        check_trading_names(context.trading_names, orders),
        check_immutable(context.known_immutable, orders),
        check_duplicates(orders),
        check_known_foreign(
            context.known_foreign_hashes,
            context.hash_id,
            orders,
            context.known_immutable.keys() | context.vouched,
        ),
    ]
    return [f for f in checks if f is not None]
