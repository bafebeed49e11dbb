"""Demo mode's virtual printer: each label appears here as it comes out of the "printer"."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ui.widgets.label_preview import LabelPreview, bitmap_to_qimage
from ui.widgets.plain import PlainLabel

if TYPE_CHECKING:
    from printing.bitmap import Bitmap


class VirtualPrinterView(QWidget):
    """The newest label large, earlier ones as a strip of thumbnails (click to look again)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("VirtualPrinterView")
        self.setAccessibleName("Virtual printer")
        self.status = PlainLabel("Waiting for the first job…", object_name="Muted", wrap=True)
        self.preview = LabelPreview(self)
        self.preview.show_message("Labels you print appear here, as the printer would print them.")
        self.history = QListWidget(self)
        self.history.setViewMode(QListView.ViewMode.IconMode)
        self.history.setFlow(QListView.Flow.LeftToRight)
        self.history.setWrapping(False)
        self.history.setIconSize(QSize(48, 72))
        self.history.setFixedHeight(112)
        self.history.setMovement(QListView.Movement.Static)
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.history.currentRowChanged.connect(self._on_history_row_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.status)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.history)
        self.history.setVisible(False)
        self._bitmaps: list[tuple[Bitmap, str]] = []

    @property
    def count(self) -> int:
        return len(self._bitmaps)

    def add_label(self, bitmap: Bitmap, description: str) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        caption = f"{description} · {bitmap.width} × {bitmap.height} dots · {stamp}"
        self._bitmaps.insert(0, (bitmap, caption))
        image: QImage = bitmap_to_qimage(bitmap)
        thumb = QPixmap.fromImage(
            image.scaled(
                48,
                72,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        item = QListWidgetItem(QIcon(thumb), stamp)
        item.setToolTip(caption)
        self.history.setVisible(True)
        self.history.blockSignals(True)
        self.history.insertItem(0, item)
        self.history.setCurrentRow(0)
        self.history.blockSignals(False)
        self.preview.show_bitmap(bitmap, caption)
        self.status.setText(f"{self.count} job{'s' if self.count != 1 else ''} printed")

    def _on_history_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._bitmaps):
            bitmap, caption = self._bitmaps[row]
            self.preview.show_bitmap(bitmap, caption)
