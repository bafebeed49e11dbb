"""Deterministic seeded orders: realistic UK data, plus hostile records at fixed positions.

Every order is a pure function of (seed, account, position), so nothing is generated up front:
a 100,000-order account costs nothing until a page is read, and the same seed always gives
byte-identical data. `created_on(position)` is cheap and strictly increasing, so date filters
bisect without generating records. Positions `p % 12 == 5` hold hostile records, cycling
through `HOSTILE_KINDS` (192 orders cover every kind once).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clickdrop_desktop.sandbox import hostile, wordlists
from clickdrop_desktop.sandbox.accounts import Account, AccountType
from clickdrop_desktop.sandbox.records import Address, Line, OrderRecord, Package, tracking_number
from clickdrop_desktop.sandbox.rng import Draw

DEFAULT_ANCHOR = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
SPAN = timedelta(days=90)  # seeded orders were created over the 90 days before the anchor
HOSTILE_EVERY, HOSTILE_AT = 12, 5
_MASK = (1 << 64) - 1


def _mix(*values: int) -> int:
    """A cheap, well-spread 64-bit hash of small integers (splitmix64 steps)."""
    h = 0x9E3779B97F4A7C15
    for v in values:
        h = (h ^ (v & _MASK)) * 0xBF58476D1CE4E5B9 & _MASK
        h = (h ^ (h >> 31)) * 0x94D049BB133111EB & _MASK
        h ^= h >> 29
    return h


def hostile_kind(position: int) -> str | None:
    if position % HOSTILE_EVERY != HOSTILE_AT:
        return None
    kinds = hostile.HOSTILE_KINDS
    return kinds[(position // HOSTILE_EVERY) % len(kinds)]


class SeededData:
    """The seeded orders of one account (pure functions; the store overlays changes)."""

    def __init__(
        self, seed: int, account: Account, count: int, anchor: datetime = DEFAULT_ANCHOR
    ) -> None:
        self.seed = seed
        self.account = account
        self.count = count
        self.anchor = anchor
        span_ms = int(SPAN.total_seconds() * 1000)
        self._step_ms = max(1, span_ms // max(count, 1))
        self._start = anchor - SPAN

    def order_id(self, position: int) -> int:
        return self.account.id_base + position + 1

    def created_on(self, position: int) -> datetime:
        """Strictly increasing in `position`: the jitter stays below one step."""
        jitter = _mix(self.seed, self.account.index, position, 1) % self._step_ms
        return self._start + timedelta(milliseconds=position * self._step_ms + jitter)

    def reference(self, position: int) -> str | None:
        kind = hostile_kind(position)
        if kind is not None:
            return hostile.reference(kind, position, self.order_id((position + 7) % self.count))
        prefix = wordlists.REFERENCE_PREFIXES[
            _mix(self.seed, self.account.index, position, 2) % len(wordlists.REFERENCE_PREFIXES)
        ]
        return f"{prefix}-{100000 + position}"

    def seeded_status(self, position: int) -> str:
        """The lifecycle stage of a seeded order: older orders are further along."""
        u = _mix(self.seed, self.account.index, position, 3) % 1000 / 1000
        age = 1 - position / max(self.count, 1)  # 1 = oldest, 0 = newest
        stages: tuple[tuple[str, float], ...]
        if age > 0.15:
            stages = (("manifested", 0.45), ("despatched", 0.85), ("labelGenerated", 0.93))
            stages += (("despatchedByOtherCourier", 0.95), ("postageApplied", 0.98))
        else:
            stages = (("new", 0.2), ("postageApplied", 0.65), ("labelGenerated", 0.88))
            stages += (("despatched", 0.98),)
        status = next((name for name, cut in stages if u < cut), "new")
        if status == "manifested" and self.account.type is AccountType.OLP:
            status = "despatched"  # only OBA accounts manifest
        if status == "despatchedByOtherCourier" and (
            self.account.type is not AccountType.CHANNEL_SHIPPER
        ):
            status = "despatched"
        return status

    def order(self, position: int, *, light: bool = False) -> OrderRecord:
        """The seeded order at `position`, freshly built (callers may mutate their copy).

        Two draw streams: `life` (destination type, service, lifecycle stamps, tracking) and
        `body` (addresses, lines, money, text). `light=True` skips the body: the record then
        has only what `GetOrderInfoResource` shows, for cheap plain listings.
        """
        life = Draw(_mix(self.seed, self.account.index, position, 4))
        acct = self.account
        created = self.created_on(position)
        international = life.chance(0.08)
        service = life.pick([s for s in acct.services if s.international == international])
        record = OrderRecord(
            order_id=self.order_id(position),
            position=position,
            reference=self.reference(position),
            created_on=created,
            order_date=created - timedelta(minutes=life.between(1, 600)),
            recipient=_EMPTY,
            billing=_EMPTY,
            lines=[],
            packages=[Package(1, 0, "parcel")],
            service_code=service.code,
            trading_name=acct.trading_name,
        )
        self._apply_status(record, self.seeded_status(position), life, service.tracking_prefix)
        if not light:
            self._fill_body(
                record, Draw(_mix(self.seed, self.account.index, position, 5)), international
            )
        return record

    def _fill_body(self, record: OrderRecord, rng: Draw, international: bool) -> None:
        record.recipient = _address(rng, international=international)
        record.billing = (
            record.recipient if rng.chance(0.85) else _address(rng, international=False)
        )
        record.lines = lines = _lines(rng)
        subtotal = sum(line.quantity * line.unit_pence for line in lines)
        weight = min(sum(line.quantity * line.unit_weight_g for line in lines) + 40, 30000)
        package = record.packages[0]
        package.weight_g, package.format = weight, _package_format(weight)
        record.subtotal_pence = subtotal
        record.shipping_pence = rng.pick((0, 0, 299, 395, 499, 750))
        record.discount_pence = rng.pick((0, 0, 0, 0, round(subtotal * 0.1)))
        record.tax_pence = round((subtotal - record.discount_pence) * 0.2)
        record.channel = rng.pick(wordlists.CHANNELS)
        record.special_instructions = rng.pick(wordlists.SPECIAL_INSTRUCTIONS) or None
        record.tags = [(rng.pick(wordlists.TAG_KEYS), "yes")] if rng.chance(0.2) else []
        kind = hostile_kind(record.position)
        if kind is not None:
            hostile.apply(kind, record, rng)

    def _apply_status(self, record: OrderRecord, status: str, rng: Draw, prefix: str) -> None:
        if status == "new":
            record.service_code = None
            return
        at = record.created_on + timedelta(minutes=rng.between(1, 90))
        record.postage_applied_on = min(at, self.anchor)
        if status == "postageApplied":
            return
        steps = [at + timedelta(minutes=rng.between(10, 600))]
        steps.append(steps[-1] + timedelta(minutes=rng.between(30, 1500)))
        steps.append(steps[-1] + timedelta(minutes=rng.between(30, 600)))
        printed, shipped, manifested = (min(s, self.anchor) for s in steps)
        record.printed_on = printed
        record.labels_generated = 1
        for package in record.packages:
            package.tracking_number = tracking_number(
                self.seed, self.account.index, record.order_id, package.number, prefix
            )
        record.tracking = record.packages[0].tracking_number
        if status == "despatchedByOtherCourier":
            record.printed_on = None
            record.labels_generated = 0
            record.other_courier_on = shipped
            record.other_courier = ("DPD", "DPD Next Day")
            record.tracking = f"1550{rng.between(10**9, 10**10 - 1)}"
            for package in record.packages:
                package.tracking_number = None
        elif status in ("despatched", "manifested"):
            record.shipped_on = shipped
        if status == "manifested":
            record.manifested_on = manifested
            record.manifest_number = 1000 + position_day(record, self.anchor)


_EMPTY = Address(country_code=None)  # placeholder of light records; never rendered


def position_day(record: OrderRecord, anchor: datetime) -> int:
    """Seeded orders manifested on the same day share a manifest number."""
    return max(0, (anchor - record.created_on).days)


def _postcode(rng: Draw, area: str, max_district: int) -> str:
    inward = f"{rng.between(0, 9)}{rng.pick(wordlists.INWARD_LETTERS)}"
    return f"{area}{rng.between(1, max_district)} {inward}{rng.pick(wordlists.INWARD_LETTERS)}"


def _address(rng: Draw, *, international: bool) -> Address:
    first, last = rng.pick(wordlists.FIRST_NAMES), rng.pick(wordlists.LAST_NAMES)
    company = None
    if rng.chance(0.18):
        company = f"{rng.pick(wordlists.COMPANY_WORDS)} {rng.pick(wordlists.COMPANY_KINDS)}"
    street = f"{rng.pick(wordlists.STREET_NAMES)} {rng.pick(wordlists.STREET_KINDS)}"
    line1, line2 = f"{rng.between(1, 240)} {street}", None
    if rng.chance(0.25):
        building = rng.pick(wordlists.BUILDING_NAMES)
        if building in ("Flat", "Apartment", "Unit", "Suite"):
            building = f"{building} {rng.between(1, 40)}"
        line1, line2 = building, line1
    domain = rng.pick(("example.com", "example.org", "example.net"))
    email = f"{first}.{last}{rng.between(1, 99)}@{domain}".lower().replace("'", "")
    address = Address(
        title=rng.pick(wordlists.TITLES) if rng.chance(0.3) else None,
        first_name=first,
        last_name=last,
        company_name=company,
        address_line1=line1,
        address_line2=line2,
        phone_number=f"07{rng.between(100_000_000, 999_999_999)}",
        email_address=email,
    )
    if international:
        address.country_code, address.city, address.postcode = rng.pick(wordlists.INTERNATIONAL)
    else:
        town, county, area, max_district = rng.pick(wordlists.TOWNS)
        address.city = town.title() if rng.chance(0.5) else town
        address.county = county or None
        address.postcode = _postcode(rng, area, max_district)
        address.country_code = "GB"
    return address


def _lines(rng: Draw) -> list[Line]:
    count = rng.pick((1, 1, 1, 2, 2, 3, 4))
    picks = rng.sample(wordlists.PRODUCTS, count)
    return [
        Line(
            sku=f"{sku}-{rng.between(1, 9)}",
            name=name,
            quantity=rng.pick((1, 1, 1, 2, 3)),
            unit_pence=price,
            customs_code=hs,
            unit_weight_g=weight,
        )
        for name, sku, price, weight, hs in picks
    ]


def _package_format(weight_g: int) -> str:
    if weight_g <= 100:
        return "letter"
    if weight_g <= 750:
        return "largeLetter"
    if weight_g <= 2000:
        return "smallParcel"
    return "mediumParcel"
