"""Parsing the `{orderIdentifiers}` path segment exactly as the spec describes it.

`1001;"ref";"Reference%3BWith%3BSpecial%3BSymbols!"`: identifiers are bare integers, references
are percent-encoded and wrapped in double quotes (literal `"` or `%22`, both seen in clients),
`;` separates them and is never encoded, and at most 100 may be given.
"""

from __future__ import annotations

from urllib.parse import unquote

MAX_IDENTIFIERS = 100


class IdentifierError(ValueError):
    """The segment cannot be parsed; the message says why (it becomes the 400 body)."""


def _strip_quotes(token: str) -> str | None:
    for quote in ('"', "%22"):
        if token.startswith(quote):
            rest = token[len(quote) :]
            for end in ('"', "%22"):
                if rest.endswith(end) and len(rest) >= len(end):
                    return rest[: -len(end)]
            return None
    return None


def parse_identifiers(segment: str) -> list[int | str]:
    """Identifiers (int) and references (str) in request order, duplicates kept once."""
    if segment.endswith("/"):
        segment = segment[:-1]
    if not segment:
        raise IdentifierError("No order identifiers were given")
    result: list[int | str] = []
    tokens = segment.split(";")
    if len(tokens) > MAX_IDENTIFIERS:
        raise IdentifierError(
            f"Too many order identifiers: {len(tokens)} given, the maximum is {MAX_IDENTIFIERS}"
        )
    for token in tokens:
        inner = _strip_quotes(token)
        if inner is not None:
            try:
                reference = unquote(inner, errors="strict")
            except UnicodeDecodeError:
                raise IdentifierError("An order reference is not valid UTF-8") from None
            if not reference:
                raise IdentifierError("An order reference is empty")
            ident: int | str = reference
        elif token.isascii() and token.isdigit():
            ident = int(token)
            if ident > 2_147_483_647:
                raise IdentifierError(f"Order identifier out of range: {token[:20]}")
        else:
            shown = unquote(token)[:50]
            raise IdentifierError(
                f"Invalid order identifier {shown!r}: identifiers are integers, references "
                "must be percent-encoded and enclosed in double quotes"
            )
        if ident not in result:
            result.append(ident)
    return result
