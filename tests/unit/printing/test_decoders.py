"""Decoders: incremental parsing, every ^GF encoding, errors, and status queries in the stream."""

from __future__ import annotations

import pytest
from PIL import Image

from printing.bitmap import Bitmap
from printing.decoders import (
    DecodedLabel,
    DecodeError,
    StatusQuery,
    decode_bytes,
    new_decoder,
    sniff_language,
)
from printing.decoders.zpl import expand_acs, graphic_data
from printing.encoders import encode
from printing.encoders.tspl import encode_tspl
from printing.encoders.zpl import encode_zpl, z64


def _pattern(width: int = 40, height: int = 30) -> Bitmap:
    image = Image.new("1", (width, height), 1)
    for y in range(height):
        for x in range(width):
            if (x * 7 + y * 3) % 5 == 0 or x == y:
                image.putpixel((x, y), 0)
    return Bitmap.from_image(image)


@pytest.mark.parametrize("language", ["escpos", "zpl", "tspl"])
def test_feeding_byte_by_byte_gives_the_same_labels(language: str) -> None:
    bitmap = _pattern()
    job = encode(language, [bitmap, _pattern(24, 8)])
    decoder = new_decoder(language)  # type: ignore[arg-type]
    events = []
    for i in range(len(job)):
        events += decoder.feed(job[i : i + 1])
    events += decoder.close()
    labels = [e for e in events if isinstance(e, DecodedLabel)]
    # TSPL sets one SIZE per job (the first label's), so both labels come out that size.
    assert [lab.bitmap.height for lab in labels] == ([30, 30] if language == "tspl" else [30, 8])
    assert labels[0].bitmap.same_dots(bitmap)
    assert decoder.errors == []


def test_status_query_bytes_inside_raster_data_are_data() -> None:
    # A raster row that happens to hold DLE EOT 1 must not be answered as a query.
    row = bytes([0x10, 0x04, 0x01, 0x1B, 0x21, 0x3F]) + bytes(2)
    bitmap = Bitmap(64, 1, row)
    for language in ("escpos", "tspl"):
        result = decode_bytes(encode(language, [bitmap]))
        assert result.queries == [], language
        assert result.labels[0].bitmap.data[:6] == row[:6]


def test_status_queries_are_reported_in_order() -> None:
    decoder = new_decoder("escpos")
    events = decoder.feed(b"\x10\x04\x01\x10\x04\x02\x10\x04\x04")
    assert events == [
        StatusQuery("escpos", b"\x10\x04\x01"),
        StatusQuery("escpos", b"\x10\x04\x02"),
        StatusQuery("escpos", b"\x10\x04\x04"),
    ]
    zpl = new_decoder("zpl")
    assert zpl.feed(b"~HS") == [StatusQuery("zpl", b"~HS")]  # answered without a follow-up
    tspl = new_decoder("tspl")
    assert tspl.feed(b"\x1b!?") == [StatusQuery("tspl", b"\x1b!?")]


@pytest.mark.parametrize(
    ("head", "language"),
    [
        (b"\x1b@\x1dv0", "escpos"),
        (b"\x10\x04\x01", "escpos"),
        (b"^XA^FO", "zpl"),
        (b"\r\n~HS", "zpl"),
        (b"SIZE 4,6\r\n", "tspl"),
        (b"\x1b!?", "tspl"),
        (b"~!T", "tspl"),
        (b"", None),
        (b"\x1b", None),
    ],
)
def test_sniff_language(head: bytes, language: str | None) -> None:
    assert sniff_language(head) == language


def test_file_transport_bytes_with_several_jobs_appended() -> None:
    first, second = _pattern(), _pattern(16, 4)
    data = encode("zpl", [first]) + encode("zpl", [second])
    result = decode_bytes(data)
    assert [lab.bitmap.height for lab in result.labels] == [30, 4]
    assert result.commands.count("^XA") == 2


def test_zpl_graphic_encodings_agree() -> None:
    bitmap = _pattern()
    raw = bitmap.data
    hex_text = raw.hex().upper()
    assert graphic_data(hex_text, len(raw), bitmap.row_bytes) == raw
    assert graphic_data(z64(raw).decode(), len(raw), bitmap.row_bytes) == raw
    import base64
    import binascii

    b64 = base64.b64encode(raw)
    field = f":B64:{b64.decode()}:{binascii.crc_hqx(b64, 0):04X}"
    assert graphic_data(field, len(raw), bitmap.row_bytes) == raw


def test_acs_expansion_rules() -> None:
    assert expand_acs("M6,", 4) == bytes.fromhex("66666660")  # M = 7 repeats
    assert expand_acs("hB", 20) == bytes.fromhex("BB" * 20)  # h = 40
    assert expand_acs("vMB", 164) == bytes.fromhex("B" * 327 + "0")  # v=320, M=7
    assert expand_acs("F,:!", 2) == bytes.fromhex("F000F000FFFF")
    assert expand_acs("0F\n0F\r\n", 1) == bytes([0x0F, 0x0F])  # line breaks are ignored
    with pytest.raises(DecodeError, match="no previous row"):
        expand_acs(":", 2)


def test_corrupt_z64_is_an_error_not_a_label() -> None:
    bitmap = _pattern()
    job = encode_zpl([bitmap]).decode("ascii")
    start = job.index(":Z64:") + 10
    broken = (job[:start] + ("A" if job[start] != "A" else "B") + job[start + 1 :]).encode()
    result = decode_bytes(broken, strict=False)
    assert result.labels == []
    assert any("CRC mismatch" in e or "corrupt" in e for e in result.errors)
    with pytest.raises(DecodeError):
        decode_bytes(broken)


def test_truncated_jobs_are_errors() -> None:
    job = encode("escpos", [_pattern()])
    with pytest.raises(DecodeError, match="ends inside an ESC/POS command"):
        decode_bytes(job[:-40])
    tspl = encode_tspl([_pattern()])
    with pytest.raises(DecodeError, match="TSPL"):
        decode_bytes(tspl[: tspl.index(b"BITMAP") + 30])
    with pytest.raises(DecodeError, match="no \\^XZ"):
        decode_bytes(b"^XA^FO0,0^GFA,2,2,1,FFFF^FS")
    with pytest.raises(DecodeError, match="empty job"):
        decode_bytes(b"  \r\n")


def test_zpl_tilde_in_field_data_acts_as_a_command() -> None:
    # Why sanitising matters: an unescaped "~" ends the field and runs a control command.
    result = decode_bytes(b"^XA^FO10,10^FDFlat 1~JR^FS^XZ", strict=False)
    assert "~JR" in result.commands


def test_escpos_double_width_and_height_modes() -> None:
    row = bytes([0b10000000])
    job = b"\x1b@\x1dv0\x03\x01\x00\x01\x00" + row + b"\x1dVB\x00"
    [label] = decode_bytes(job).labels
    assert (label.bitmap.width, label.bitmap.height) == (16, 2)
    assert label.bitmap.data == bytes([0b11000000, 0, 0b11000000, 0])


def test_tspl_bitmap_modes_and_size_units() -> None:
    dots = bytes([0x00, 0xFF])  # TSPL: 0 = black: first 8 dots black
    job = (
        b"SIZE 16 dot,2 dot\r\nCLS\r\n"
        b"BITMAP 0,0,2,1,0," + dots + b"\r\n"
        b"BITMAP 0,0,2,1,2," + bytes([0x0F, 0xFF]) + b"\r\n"  # XOR: flips the first 4 dots
        b'TEXT 10,10,"3",0,1,1,"Hello \\["]world\\["]"\r\n'
        b"PRINT 1\r\n"
    )
    result = decode_bytes(job)
    [label] = result.labels
    assert (label.bitmap.width, label.bitmap.height) == (16, 2)
    assert label.bitmap.data == bytes([0x0F, 0x00, 0x00, 0x00])
    assert "TEXT" in result.commands


def test_tspl_print_sets_and_copies() -> None:
    job = encode_tspl([_pattern()]).replace(b"PRINT 1,1", b"PRINT 2,3")
    labels = decode_bytes(job).labels
    assert len(labels) == 6
    assert [lab.copy for lab in labels] == [1, 2, 3, 4, 5, 6]
