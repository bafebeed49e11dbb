"""The `pdf` "language" for office printers: the label PDF itself, optionally fitted to the paper.

Office printers take PDF through the OS queue, so the bytes pass through untouched unless the
loaded paper differs from the page, in which case each page is turned, scaled down and
centred on the paper as vectors (no rasterising: the printer's own resolution is kept).
"""

from __future__ import annotations

from printing.encoders import EncodeError
from printing.raster import MediaSize
from printing.sheets import fit_pdf_to_media

PDF_MAGIC = b"%PDF-"


def encode_pdf(pdf: bytes, *, media: MediaSize | None = None) -> bytes:
    """`pdf` unchanged, or with every page fitted to `media` (e.g. `A4`)."""
    # The header may follow a little junk (the PDF spec allows 1024 bytes), but must be there.
    if PDF_MAGIC not in pdf[:1024]:
        raise EncodeError("not a PDF document (no %PDF- header)")
    if media is None:
        return pdf
    return fit_pdf_to_media(pdf, media)
