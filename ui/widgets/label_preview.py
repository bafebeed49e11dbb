"""The label exactly as the printer will get it: the 1-bit raster, dot for dot, never resampled
smoothly (nearest-neighbour scaling, so what looks sharp here is sharp on the label)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from ui.widgets.plain import PlainLabel

if TYPE_CHECKING:
    from printing.bitmap import Bitmap


def bitmap_to_qimage(bitmap: Bitmap) -> QImage:
    """Packed 1-bit rows (MSB left, 1 = dot) as a QImage, without repacking the data."""
    image = QImage(
        bitmap.data,
        bitmap.width,
        bitmap.height,
        bitmap.row_bytes,
        QImage.Format.Format_Mono,
    )
    image.setColorTable([0xFFFFFFFF, 0xFF000000])  # bit 0 = paper, bit 1 = dot
    return image.copy()  # own the pixels: `bitmap.data` may go away


class _Canvas(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.placeholder = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(120, 160)

    def sizeHint(self) -> QSize:
        return QSize(240, 340)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        area = self.rect().adjusted(8, 8, -8, -8)
        if self.image is None or self.image.isNull():
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder
            )
            painter.end()
            return
        img_w, img_h = self.image.width(), self.image.height()
        scale = min(area.width() / img_w, area.height() / img_h)
        w, h = max(1, int(img_w * scale)), max(1, int(img_h * scale))
        target = QRect(
            area.left() + (area.width() - w) // 2, area.top() + (area.height() - h) // 2, w, h
        )
        # A soft shadow and an outline, so a white label reads as a label on a light window.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 40))
        painter.drawRoundedRect(QRectF(target.adjusted(2, 3, 4, 5)), 4, 4)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(target, self.image)
        painter.setPen(QColor(0, 0, 0, 60))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(target.adjusted(0, 0, -1, -1))
        painter.end()


class LabelPreview(QWidget):
    """Shows a `Bitmap` (or a hint) with a caption saying what the printer gets."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LabelPreview")
        self.setAccessibleName("Label preview")
        self._canvas = _Canvas(self)
        self._caption = PlainLabel("", object_name="Muted", wrap=True)
        self._caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self._canvas, 1)
        layout.addWidget(self._caption)
        self.show_message("Select an order to preview its label.")
        self._bitmap: Bitmap | None = None

    @property
    def bitmap(self) -> Bitmap | None:
        return self._bitmap

    @property
    def image(self) -> QImage | None:
        return self._canvas.image

    @property
    def caption(self) -> str:
        return self._caption.text()

    def show_bitmap(self, bitmap: Bitmap, caption: str = "") -> None:
        self._bitmap = bitmap
        self._canvas.image = bitmap_to_qimage(bitmap)
        self._caption.setText(
            caption
            or f"As sent to the printer: {bitmap.width} × {bitmap.height} dots at {bitmap.dpi} dpi"
        )
        self._canvas.update()

    def show_message(self, text: str) -> None:
        self._bitmap = None
        self._canvas.image = None
        self._canvas.placeholder = text
        self._caption.setText("")
        self._canvas.update()
