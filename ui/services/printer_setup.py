"""Finding printers and sending a test page, for the Settings dialog (blocking: run in a worker)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from printing.bitmap import Bitmap


def discover_printers(virtual_port: int | None = None) -> list[tuple[str, str]]:
    """(name, URI) of every printer found that we can print to directly."""
    from printing.discovery import discover

    found = discover(virtual_port=virtual_port)
    return [(p.name, p.uri) for p in found.printers if p.uri]


def test_page(width: int, height: int, dpi: int) -> Bitmap:
    """A border, a 1 cm scale and a few words: shows size, offset and darkness at a glance."""
    from PIL import Image, ImageDraw

    from printing.bitmap import Bitmap

    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width - 1, height - 1), outline=0, width=4)
    dots_per_cm = dpi / 2.54
    for i in range(int(width / dots_per_cm) + 1):
        x = int(i * dots_per_cm)
        draw.line((x, 0, x, 30 if i % 5 == 0 else 18), fill=0, width=2)
    draw.text((24, 48), "Click & Drop Desktop", fill=0)
    draw.text((24, 72), f"Test page: {width} x {height} dots at {dpi} dpi", fill=0)
    draw.text((24, 96), "The border should sit on the edge of the label.", fill=0)
    return Bitmap.from_image(image, dpi=dpi)


def test_print(uri_text: str) -> None:
    """Send one test page to the printer at `uri_text`; raises a one-line error if it fails."""
    from printing.encoders import JobOptions, encode
    from printing.transports import open_transport
    from printing.uri import coerce_uri

    uri = coerce_uri(uri_text)
    if uri.language == "pdf":
        raise ValueError("test pages go to label printers (ZPL, TSPL, ESC/POS) only")
    page = test_page(uri.media.width_dots, min(uri.media.height_dots, 1218), uri.dpi)
    data = encode(uri.language, [page], JobOptions(title="test page"))
    transport = open_transport(uri)
    try:
        transport.send(data, job_name="clickdrop-test-page")
    finally:
        transport.close()
