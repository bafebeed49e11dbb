"""Seeded data: deterministic, realistic UK orders, and every hostile kind present."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter

from clickdrop_desktop.sandbox import hostile, resources
from clickdrop_desktop.sandbox.accounts import AccountType, default_accounts
from clickdrop_desktop.sandbox.data import HOSTILE_AT, HOSTILE_EVERY, SeededData, hostile_kind
from clickdrop_desktop.sandbox.records import s10_check_digit

# Outward code, space, inward code (digit + two letters without C I K M O V).
UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2}$")


def _dump(seed: int, count: int) -> str:
    accounts = default_accounts()
    out = []
    for account in accounts:
        data = SeededData(seed, account, count)
        out += [resources.order_full(data.order(p), account) for p in range(count)]
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


def test_same_seed_same_bytes_other_seed_other_data() -> None:
    assert _dump(7, 60) == _dump(7, 60)
    assert _dump(7, 60) != _dump(8, 60)


def test_created_on_strictly_increases_and_matches_records() -> None:
    data = SeededData(1, default_accounts()[1], 500)
    stamps = [data.created_on(p) for p in range(500)]
    assert all(a < b for a, b in itertools.pairwise(stamps))
    assert all(data.order(p).created_on == stamps[p] for p in range(0, 500, 37))


def test_light_records_show_exactly_what_full_records_show_in_plain_views() -> None:
    for account in default_accounts():
        data = SeededData(2, account, 400)
        for p in range(400):
            light = resources.order_info(data.order(p, light=True))
            assert light == resources.order_info(data.order(p))


def test_every_hostile_kind_appears_in_the_default_200_orders() -> None:
    kinds = {hostile_kind(p) for p in range(200)} - {None}
    assert kinds == set(hostile.HOSTILE_KINDS)
    assert hostile_kind(HOSTILE_AT) is not None
    assert hostile_kind(HOSTILE_AT + 1) is None
    assert len(hostile.HOSTILE_KINDS) * HOSTILE_EVERY <= 200


def test_hostile_records_carry_their_attack() -> None:
    data = SeededData(1, default_accounts()[1], 300)
    by_kind = {hostile_kind(p): data.order(p) for p in range(300) if hostile_kind(p)}
    blob = {
        k: json.dumps(resources.order_full(r, data.account), ensure_ascii=False)
        for k, r in by_kind.items()
    }
    assert hostile.ZPL_PAYLOAD in blob["zpl"]
    assert "~JR" in blob["zpl"]
    escpos = by_kind["escpos"].recipient
    assert "\x1b@" in (escpos.first_name or "")
    assert "\x1dV" in (escpos.last_name or "")
    assert "\x10" in (escpos.address_line1 or "")
    assert '"' in (by_kind["tspl"].recipient.first_name or "")
    assert "\r\nPRINT 1" in (by_kind["tspl"].recipient.last_name or "")
    assert "\x00" in (by_kind["control_chars"].recipient.first_name or "")
    assert any(ord(ch) > 0xFFFF for ch in by_kind["emoji"].recipient.first_name or "")
    assert re.search(r"[\u4e00-\u9fff]", blob["cjk"])
    assert re.search(r"[\u0600-\u06ff]", blob["rtl"])
    long = by_kind["max_length"]
    assert len(long.reference or "") == 40
    assert len(long.recipient.full_name()) == 210
    assert len(long.recipient.address_line1 or "") == 100
    assert len(long.special_instructions or "") == 500
    assert len(long.lines[0].name or "") == 800
    assert ";" in (by_kind["quotes_semicolons"].reference or "")
    assert '"' in (by_kind["quotes_semicolons"].reference or "")
    assert by_kind["no_reference"].reference is None


def test_numeric_reference_is_the_id_of_another_order() -> None:
    data = SeededData(1, default_accounts()[0], 300)
    positions = [p for p in range(300) if hostile_kind(p) == "numeric_reference"]
    assert positions
    for p in positions:
        ref = data.reference(p)
        assert ref is not None
        assert ref.isdigit()
        assert int(ref) != data.order_id(p)
        assert data.account.id_base < int(ref) <= data.account.id_base + 300


def test_references_unique_and_within_40_characters() -> None:
    data = SeededData(3, default_accounts()[3], 3000)
    refs = [data.reference(p) for p in range(3000)]
    present = [r for r in refs if r is not None]
    assert len(set(present)) == len(present)
    assert max(len(r) for r in present) <= 40


def test_realistic_uk_addresses_and_status_mix() -> None:
    account = default_accounts()[1]
    data = SeededData(1, account, 2000)
    normal = [data.order(p) for p in range(2000) if hostile_kind(p) is None]
    uk = [r for r in normal if not r.international]
    assert len(uk) > 0.8 * len(normal)
    bad = [r.recipient.postcode for r in uk if not UK_POSTCODE.match(r.recipient.postcode or "")]
    assert bad == []
    assert all(r.recipient.address_line1 and r.recipient.city for r in normal)
    assert all(r.lines and all(line.sku for line in r.lines) for r in normal)
    statuses = Counter(r.status() for r in normal)
    assert set(statuses) >= {"new", "postageApplied", "labelGenerated", "despatched", "manifested"}
    for record in normal:
        if record.printed_on is not None:
            assert record.tracking
            assert record.tracking == record.packages[0].tracking_number
            assert re.fullmatch(r"[A-Z]{2}\d{9}GB", record.tracking)
            assert int(record.tracking[10]) == s10_check_digit(record.tracking[2:10])
        else:
            assert record.tracking is None
        if record.status() == "new":
            assert record.service_code is None


def test_olp_accounts_never_manifest_and_only_channelshipper_uses_other_couriers() -> None:
    for account in default_accounts():
        data = SeededData(1, account, 800)
        statuses = {data.seeded_status(p) for p in range(800)}
        if account.type is AccountType.OLP:
            assert "manifested" not in statuses
        if account.type is not AccountType.CHANNEL_SHIPPER:
            assert "despatchedByOtherCourier" not in statuses


def test_s10_check_digit_known_value() -> None:
    # UPU S10's worked example: RR 47312482 9 GB.
    assert s10_check_digit("47312482") == 9
