"""Encoding of the `{orderIdentifiers}` path parameter, and chunking at 100 per call.

The spec (parameter `orderIdentifiers`): "Order Identifiers are integer numbers. Order References
are strings - each must be percent-encoded and surrounded by double quotation marks. The maximum
number of identifiers is 100. E.g. /orders/"ref";1001;"Reference%3BWith%3BSpecial%3BSymbols!";2345/"

So in Python an `int` is an order identifier and is sent bare; a `str` is always an order
reference and is always quoted, even when it looks like a number ("1001" is a reference, 1001 an
identifier), because an unquoted number would be read as an identifier. The `;` separators are
never encoded; a `;` inside a reference is (`%3B`), which is what keeps the split unambiguous.

On the wire the surrounding quotes travel as `%22`: `"` is not a legal URI character
(RFC 3986 section 2) and httpx would encode it anyway, so we write `%22` ourselves and the
bytes we build are exactly the bytes sent. Servers decode `%22` back to a quote before they
look at it (the karrio connector sends `%22ref%22` to the live API).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import quote

#: An order identifier (`int`, sent bare) or an order reference (`str`, sent quoted).
OrderKey = int | str

MAX_IDS_PER_CALL = 100
#: Longest `{orderIdentifiers}` segment we put in one URL. 100 references of 40 characters can
#: be 48 kB once percent-encoded, far past common request-line limits (IIS 4 kB path, Kestrel
#: 8 kB line), so chunks are also cut by length. A defensive guess, not a documented limit.
MAX_SEGMENT_CHARS = 6000

# encodeURIComponent's set: keeps `!*'()` as they are, which reproduces the spec's own example
# byte for byte; everything else outside the unreserved set is encoded, `;` and `"` included.
_SAFE = "!*'()"


def encode_key(key: OrderKey) -> str:
    """One identifier as it goes into the path: `1001` or `%22ref%3Bx%22`."""
    if isinstance(key, bool):  # bool is an int subclass; True is not order 1
        raise TypeError("an order key is an int identifier or a str reference, not a bool")
    if isinstance(key, int):
        if key < 0:
            raise ValueError(f"order identifier must not be negative: {key}")
        return str(key)
    if isinstance(key, str):
        if key == "":
            raise ValueError("an order reference must not be empty")
        return "%22" + quote(key, safe=_SAFE, encoding="utf-8", errors="strict") + "%22"
    raise TypeError(f"an order key is an int or a str, not {type(key).__name__}")


def encode_keys(keys: Iterable[OrderKey]) -> str:
    """Several identifiers joined with literal `;` (never `%3B`)."""
    encoded = [encode_key(k) for k in keys]
    if not encoded:
        raise ValueError("at least one order identifier or reference is needed")
    if len(encoded) > MAX_IDS_PER_CALL:
        raise ValueError(f"at most {MAX_IDS_PER_CALL} identifiers per call, got {len(encoded)}")
    return ";".join(encoded)


def unique_keys(keys: Iterable[OrderKey]) -> list[OrderKey]:
    """`keys` without repeats, first occurrence kept (1001 and "1001" are different keys)."""
    seen: set[tuple[type, OrderKey]] = set()
    out: list[OrderKey] = []
    for key in keys:
        encode_key(key)  # validate early, before any call is made
        marker = (type(key), key)
        if marker not in seen:
            seen.add(marker)
            out.append(key)
    return out


def chunk_keys(
    keys: Sequence[OrderKey],
    *,
    size: int = MAX_IDS_PER_CALL,
    max_chars: int = MAX_SEGMENT_CHARS,
) -> Iterator[list[OrderKey]]:
    """Split `keys` into calls of at most `size` keys and `max_chars` encoded characters."""
    if not 1 <= size <= MAX_IDS_PER_CALL:
        raise ValueError(f"chunk size must be 1..{MAX_IDS_PER_CALL}")
    chunk: list[OrderKey] = []
    length = 0
    for key in keys:
        cost = len(encode_key(key)) + (1 if chunk else 0)
        if chunk and (len(chunk) >= size or length + cost > max_chars):
            yield chunk
            chunk, length, cost = [], 0, cost - 1
        chunk.append(key)
        length += cost
    if chunk:
        yield chunk


def parse_key(text: str) -> OrderKey:
    """Read a key typed by a user: digits are an identifier, `"..."` forces a reference.

    `1001` -> 1001; `"1001"` -> the reference "1001"; `WEB-1001` -> the reference "WEB-1001".
    """
    stripped = text.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        return stripped[1:-1]
    if stripped.isascii() and stripped.isdigit():
        return int(stripped)
    if not stripped:
        raise ValueError("an order identifier or reference is needed")
    return stripped


def matches(key: OrderKey, order_identifier: int, order_reference: str | None) -> bool:
    """Whether an order returned by the API is the one `key` asked for."""
    if isinstance(key, int) and not isinstance(key, bool):
        return key == order_identifier
    return order_reference is not None and key == order_reference
