"""Encoders: the exact bytes of ESC/POS, ZPL and TSPL jobs, compression, options, polarity."""

from __future__ import annotations

import base64
import binascii
import re
import zlib

import pytest
from PIL import Image

from printing.bitmap import Bitmap
from printing.decoders import decode_bytes
from printing.encoders import EncodeError, JobOptions, encode
from printing.encoders.escpos import encode_escpos
from printing.encoders.pdf import encode_pdf
from printing.encoders.tspl import encode_tspl
from printing.encoders.zpl import acs, encode_zpl, z64
from printing.raster import A4, RasterOptions, media_dots, rasterise_pdf
from tests.unit.printing.samples import label_pdf


@pytest.fixture(scope="module")
def label() -> Bitmap:
    return rasterise_pdf(label_pdf())[0]


def _dot(width: int, height: int, *points: tuple[int, int]) -> Bitmap:
    image = Image.new("1", (width, height), 1)
    for point in points:
        image.putpixel(point, 0)
    return Bitmap.from_image(image)


# -- ESC/POS -----------------------------------------------------------------------------------


def test_escpos_job_structure(label: Bitmap) -> None:
    job = encode_escpos([label], fragment_height=256)
    assert job.startswith(b"\x1b@")
    headers = [m for m in re.finditer(rb"\x1dv0\x00(..)(..)", job, re.DOTALL)]
    rows = [int.from_bytes(m[2], "little") for m in headers]
    widths = {int.from_bytes(m[1], "little") for m in headers}
    assert widths == {102}  # 812 dots padded to 816 = 102 bytes
    assert rows == [256, 256, 256, 256, 194]  # fragments the printer can buffer
    assert job.endswith(b"\x1dVB\x00")  # feed to the cutter and cut
    assert len(job) == 2 + 5 * 8 + 102 * 1218 + 4


def test_escpos_without_cut_and_with_copies(label: Bitmap) -> None:
    job = encode_escpos([label], cut=False, copies=2, fragment_height=2000)
    assert b"\x1dV" not in job
    assert job.count(b"\x1dv0") == 2


def test_escpos_named_profile_too_narrow_is_refused(label: Bitmap) -> None:
    with pytest.raises(EncodeError, match="TM-T88V profile prints at most 512"):
        encode_escpos([label], profile="TM-T88V")
    narrow = _dot(512, 10, (0, 0))
    assert encode_escpos([narrow], profile="TM-T88V").count(b"\x1dv0") == 1
    with pytest.raises(EncodeError, match="unknown ESC/POS printer profile"):
        encode_escpos([narrow], profile="no-such-printer")


def test_escpos_prints_nothing_on_stdout(label: Bitmap, capsys: pytest.CaptureFixture[str]) -> None:
    # python-escpos prints a warning to stdout when the profile has no width; ours always has.
    encode_escpos([label])
    assert capsys.readouterr().out == ""


def test_escpos_bits_are_one_for_a_dot() -> None:
    job = encode_escpos([_dot(16, 1, (0, 0), (15, 0))], cut=False)
    assert job.endswith(b"\x1dv0\x00\x02\x00\x01\x00\x80\x01")


def _escpos_by_python_escpos(
    bitmaps: list[Bitmap], *, fragment_height: int, cut: bool, copies: int
) -> bytes:
    """The same job through python-escpos' own `image()` (its `EscposImage` conversion)."""
    from escpos.printer import Dummy

    from printing.encoders.escpos import label_profile

    width = max(b.row_bytes * 8 for b in bitmaps)
    printer = Dummy(profile=label_profile(None, width))
    printer.hw("INIT")
    for _ in range(copies):
        for bitmap in bitmaps:
            image = bitmap.to_image()
            for top in range(0, image.height, fragment_height):
                box = (0, top, image.width, min(top + fragment_height, image.height))
                printer.image(
                    image.crop(box),
                    impl="bitImageRaster",
                    fragment_height=fragment_height,
                    center=False,
                )
            if cut:
                printer.cut(feed=False)
    output: bytes = printer.output
    return output


@pytest.mark.parametrize(
    ("fragment_height", "cut", "copies"), [(256, True, 1), (100, False, 2), (2047, True, 1)]
)
def test_escpos_raster_is_byte_identical_to_python_escpos_image(
    label: Bitmap, fragment_height: int, cut: bool, copies: int
) -> None:
    # Our raster writer slices the packed rows; python-escpos converts each fragment through
    # its image class. Odd sizes (width not a multiple of 8, a last short fragment) included.
    odd = Bitmap.from_image(label.to_image().crop((3, 5, 3 + 517, 5 + 333)))
    bitmaps = [label, odd]
    ours = encode_escpos(bitmaps, fragment_height=fragment_height, cut=cut, copies=copies)
    theirs = _escpos_by_python_escpos(
        bitmaps, fragment_height=fragment_height, cut=cut, copies=copies
    )
    assert ours == theirs


# -- ZPL ---------------------------------------------------------------------------------------


def test_zpl_job_structure_and_options(label: Bitmap) -> None:
    job = encode_zpl([label], darkness=-5, speed=4, copies=3, title="Order 42").decode("ascii")
    assert job.startswith("^XA^FXOrder 42^PW812^LL1218^LH0,0^MD-5^PR4^PQ3^FO0,0^GFA,")
    assert job.rstrip().endswith("^FS^XZ")
    header = re.search(r"\^GFA,(\d+),(\d+),(\d+),", job)
    assert header is not None
    assert header.groups() == ("124236", "124236", "102")


def test_zpl_z64_is_zlib_base64_with_crc(label: Bitmap) -> None:
    field = z64(label.data).decode("ascii")
    assert field.startswith(":Z64:")
    body, crc = field[5:].rsplit(":", 1)
    assert f"{binascii.crc_hqx(body.encode(), 0):04X}" == crc
    assert zlib.decompress(base64.b64decode(body)) == label.data


def test_zpl_bytes_ratio_goal(label: Bitmap) -> None:
    compressed = len(encode_zpl([label]))
    plain = len(encode_zpl([label], compression="hex"))
    assert compressed / plain <= 0.3
    assert len(encode_zpl([label], compression="acs")) / plain <= 0.3


def test_acs_run_length_forms() -> None:
    row = bytes([0xFF] * 3 + [0x0F] + [0x00] * 4)  # FFFFFF0F00000000
    assert acs(row, 8) == b"LF0F,"  # 6 Fs, "0F", then "," fills the row with zeros
    assert acs(bytes([0x12, 0xFF, 0xFF, 0xFF]), 4) == b"12!"
    assert acs(bytes(8), 4) == b",:"  # a zero row, then "repeat the previous row"
    assert acs(bytes([0x55] * 300), 300) == b"zp5"  # 600 fives: z (400) + p (200)
    assert acs(bytes([0x55] * 10), 10) == b"g5"  # 20 fives
    assert decode_roundtrip(bytes([0x55] * 300), 300)
    assert decode_roundtrip(bytes([0x12, 0x34] * 40 + [0] * 7 + [0xFF] * 9), 48)


def decode_roundtrip(raw: bytes, row_bytes: int) -> bool:
    from printing.decoders.zpl import expand_acs

    return expand_acs(acs(raw, row_bytes).decode("ascii"), row_bytes) == raw


@pytest.mark.parametrize("compression", ["z64", "acs", "hex"])
def test_zpl_round_trips_through_the_decoder(label: Bitmap, compression: str) -> None:
    result = decode_bytes(encode_zpl([label], compression=compression))  # type: ignore[arg-type]
    assert [lab.bitmap.same_dots(label) for lab in result.labels] == [True]


def test_zpl_range_checks(label: Bitmap) -> None:
    with pytest.raises(EncodeError, match="darkness"):
        encode_zpl([label], darkness=31)
    with pytest.raises(EncodeError, match="speed"):
        encode_zpl([label], speed=0)
    with pytest.raises(EncodeError, match="compression"):
        encode_zpl([label], compression="lzw")  # type: ignore[arg-type]


# -- TSPL --------------------------------------------------------------------------------------


def test_tspl_job_structure(label: Bitmap) -> None:
    job = encode_tspl([label], density=8, speed=4, copies=2)
    head, _, rest = job.partition(b"BITMAP ")
    assert head.decode("ascii").split("\r\n") == [
        "SIZE 101.6 mm,152.4 mm",
        "GAP 3 mm,0 mm",
        "DIRECTION 0",
        "REFERENCE 0,0",
        "DENSITY 8",
        "SPEED 4",
        "CLS",
        "",
    ]
    assert rest.startswith(b"0,0,102,1218,0,")
    assert job.endswith(b"\r\nPRINT 1,2\r\n")
    assert len(job) == len(head) + len(b"BITMAP 0,0,102,1218,0,") + 102 * 1218 + 13


def test_tspl_polarity_one_bit_is_white() -> None:
    # One black dot top-left in a 12-dot row: TSPL wants 0 for it, 1 for white, and the four
    # padding bits of the second byte white (1) too.
    job = encode_tspl([_dot(12, 1, (0, 0))])
    data = job.split(b"BITMAP 0,0,2,1,0,")[1][:2]
    assert data == bytes([0x7F, 0xFF])


def test_tspl_range_checks(label: Bitmap) -> None:
    with pytest.raises(EncodeError, match="density"):
        encode_tspl([label], density=16)
    with pytest.raises(EncodeError, match="direction"):
        encode_tspl([label], direction=2)


# -- common ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["escpos", "zpl", "tspl"])
def test_dispatch_and_copies(label: Bitmap, language: str) -> None:
    job = encode(language, [label], JobOptions(copies=2))
    labels = decode_bytes(job).labels
    assert len(labels) == 2
    assert all(lab.bitmap.same_dots(label) for lab in labels)


def test_dispatch_errors(label: Bitmap) -> None:
    with pytest.raises(EncodeError, match="unknown printer language"):
        encode("epl", [label])
    with pytest.raises(EncodeError, match="no labels"):
        encode("zpl", [])
    with pytest.raises(EncodeError, match="copies"):
        JobOptions(copies=0)


def test_pdf_passthrough_and_fit() -> None:
    pdf = label_pdf()
    assert encode_pdf(pdf) is pdf
    fitted = encode_pdf(pdf, media=A4)
    [page] = rasterise_pdf(fitted, RasterOptions(media=A4, crop="none"))
    assert (page.width, page.height) == media_dots(A4, 203)
    with pytest.raises(EncodeError, match="not a PDF"):
        encode_pdf(b"\x1b@hello")
