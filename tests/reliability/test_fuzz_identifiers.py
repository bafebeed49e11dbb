"""The `{orderIdentifiers}` encoder against the server's parser and httpx's URL handling.

For any mix of identifiers and references (any Unicode, `;`, quotes, `%`, slashes, controls),
the segment the client builds travels byte for byte in the request line (httpx must not
re-encode it), and the sandbox's parser (written from the spec's words, independently)
reads back exactly the keys sent, identifiers as numbers and references as text. Chunking
never puts more than 100 keys or 6,000 characters in one URL and never loses or reorders a
key; a key typed by a user parses to an int or a non-empty str, or is refused with
`ValueError`, never anything else.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from hypothesis import example, given, settings
from hypothesis import strategies as st

from clickdrop_desktop.api.identifiers import (
    MAX_IDS_PER_CALL,
    MAX_SEGMENT_CHARS,
    chunk_keys,
    encode_keys,
    parse_key,
    unique_keys,
)
from clickdrop_desktop.sandbox.identifiers import parse_identifiers
from clickdrop_desktop.store import OrderSource, Store
from tests.helpers.order_factory import full_orders
from tests.reliability.ledger import Tally, scaled

BASE = "https://api.parcel.royalmail.com/api/v1"
nasty = st.text(
    alphabet=st.sampled_from(";\"%/?#&=+ \\'\t\n\x00\x7f\u202e\u00e9\u65e5\U0001f381%22%3B"),
    min_size=1,
    max_size=40,
)
reference = st.one_of(nasty, st.text(min_size=1, max_size=40))
key = st.one_of(st.integers(0, 2_147_483_647), reference)


def test_encoded_keys_reach_the_server_as_sent() -> None:
    tally = Tally("fuzz: order identifier encoder (client -> httpx -> server parser)", unit="keys")

    @settings(max_examples=scaled(1500), deadline=None, database=None)
    @given(
        keys=st.lists(key, min_size=1, max_size=MAX_IDS_PER_CALL, unique_by=lambda k: (type(k), k))
    )
    def check(keys: list[int | str]) -> None:
        tally.bad_inputs += len(keys)
        segment = encode_keys(keys)
        url = f"{BASE}/orders/{segment}"
        request = httpx.Request("GET", url)
        raw = request.url.raw_path.decode("ascii")
        assert raw == f"/api/v1/orders/{segment}", "httpx changed the segment"
        assert parse_identifiers(segment) == keys

    check()
    tally.runs = tally.bad_inputs
    tally.record()


def test_chunks_keep_every_key_in_order_and_within_limits() -> None:
    tally = Tally("fuzz: identifier chunking and user-typed keys", unit="inputs")

    @settings(max_examples=scaled(400), deadline=None, database=None)
    @given(keys=st.lists(key, max_size=350), size=st.integers(1, MAX_IDS_PER_CALL))
    def check(keys: list[int | str], size: int) -> None:
        tally.bad_inputs += 1
        wanted = unique_keys(keys)
        chunks = list(chunk_keys(wanted, size=size))
        assert [k for chunk in chunks for k in chunk] == wanted
        for chunk in chunks:
            assert 1 <= len(chunk) <= size
            assert len(encode_keys(chunk)) <= MAX_SEGMENT_CHARS or len(chunk) == 1

    @settings(max_examples=scaled(600), deadline=None, database=None)
    @given(text=st.one_of(st.text(max_size=50), nasty))
    def typed(text: str) -> None:
        tally.bad_inputs += 1
        try:
            parsed = parse_key(text)
        except ValueError:
            return
        assert isinstance(parsed, int | str)
        if isinstance(parsed, str):
            assert parsed != "" or text.strip() == '""'

    check()
    typed()
    tally.runs = tally.bad_inputs
    tally.record()


DIGIT_LIKE = "0123456789²³¹①⑩٣۷߂०௫𝟗０ ＃#-\"'"


def test_any_typed_or_scanned_text_finds_an_order_or_nothing(tmp_path: Path) -> None:
    """Scan-to-print, `despatch ORDER`, CSV references: the store lookup takes any text.

    Found by the CSV fuzz: "²" and "①" are `str.isdigit()` but not numbers `int()` reads.
    """
    store = Store.open(tmp_path / "store.db", os.urandom(32), account_id="acct-find")
    store.upsert_orders(full_orders(3), OrderSource.FULL)
    tally = Tally("fuzz: order lookup by typed or scanned text", unit="texts")

    @settings(max_examples=scaled(500), deadline=None, database=None)
    @given(text=st.one_of(st.text(alphabet=st.sampled_from(DIGIT_LIKE), max_size=20), st.text()))
    @example(text="²")
    @example(text="①")
    def check(text: str) -> None:
        tally.bad_inputs += 1
        found = store.find_order(text)
        assert found is None or found.order_identifier > 0

    try:
        check()
    finally:
        store.close()
    tally.runs = tally.bad_inputs
    tally.record()
