"""One sanitiser per printer language: customer text never reaches printer bytes unescaped.

Labels and documents are rasterised, so customer text normally arrives as dots, which cannot
become commands. These functions guard every place where text *is* emitted as text (job
titles, comments, any future text field). Each returns text that is safe inside the named
construct and nowhere else. See security-notes.md §5 for the attacks they stop.
"""

from __future__ import annotations

import unicodedata

DEFAULT_MAX_LEN = 100  # Click & Drop's own limit for address lines and cities

# ZPL: "^" starts a format command and "~" a control command (acted on at once, even mid-
# format); "_" is our ^FH escape indicator and "\" is special in some fields. All four, and any
# control byte, are written as _XX hex escapes of their UTF-8 bytes.
_ZPL_ESCAPED = frozenset("^~_\\")


def clean_text(value: str, *, max_len: int = DEFAULT_MAX_LEN, keep_newlines: bool = False) -> str:
    """NFC, without control/format/private/unassigned characters (bidi overrides, NUL, ESC..).

    Tabs become spaces; with `keep_newlines`, CR LF and CR become LF and LF is kept.
    """
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\t", " ")
    kept = [
        ch for ch in text if (keep_newlines and ch == "\n") or unicodedata.category(ch)[0] != "C"
    ]
    return "".join(kept)[:max_len]


def zpl_field_data(value: str, *, max_len: int = DEFAULT_MAX_LEN) -> str:
    """The data of a `^FH_^FD...^FS` field: `^ ~ _ \\` and controls as `_XX` (UTF-8 bytes).

    Needs `^CI28` (UTF-8) in the format for non-ASCII text to print as itself.
    """
    out: list[str] = []
    for ch in clean_text(value, max_len=max_len):
        if ch in _ZPL_ESCAPED or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.extend(f"_{b:02X}" for b in ch.encode("utf-8"))
        else:
            out.append(ch)
    return "".join(out)


def zpl_field(value: str, *, max_len: int = DEFAULT_MAX_LEN) -> str:
    """A complete, self-delimited ZPL text field: `^FH_^FD<escaped>^FS`."""
    return f"^FH_^FD{zpl_field_data(value, max_len=max_len)}^FS"


def zpl_comment(value: str, *, max_len: int = 60) -> str:
    """Text for a `^FX` comment, which runs to the next `^` or `~` and has no escapes.

    Those two become "?", and the result is ASCII so the job stays a plain ASCII stream.
    """
    text = clean_text(value, max_len=max_len).replace("^", "?").replace("~", "?")
    return text.encode("ascii", "replace").decode("ascii")


def escpos_text(value: str, *, max_len: int = 48 * 4) -> str:
    """Printable characters and LF only (an allowlist): no ESC, GS, FS, DLE, CAN or C1 byte.

    Pass the result to python-escpos `text()`, which maps it to the printer's code page.
    """
    return clean_text(value, max_len=max_len, keep_newlines=True)


def tspl_string_data(value: str, *, max_len: int = DEFAULT_MAX_LEN) -> str:
    """The inside of a TSPL string literal ("..."), one line, code page 1252.

    A double quote would end the string, so it becomes TSPL's escape `\\["]`; CR/LF would end
    the command, so they (and all controls) are dropped. TSPL has no escape for a backslash
    and `\\[..]` starts an escape, so a backslash prints as "/". Characters outside
    Windows-1252 (send `CODEPAGE 1252`) become "?".
    """
    text = clean_text(value, max_len=max_len).replace("\\", "/")
    text = text.encode("cp1252", "replace").decode("cp1252")
    return text.replace('"', '\\["]')


def tspl_string(value: str, *, max_len: int = DEFAULT_MAX_LEN) -> str:
    """A complete TSPL string literal, quotes included."""
    return f'"{tspl_string_data(value, max_len=max_len)}"'
