"""Icons drawn from our own SVGs, tinted to the palette so they read in dark and light themes.

Icons render lazily at the size asked for (a small QIconEngine), so start-up pays only for the
icons actually painted, not for every size of every icon.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QImage,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtSvg import QSvgRenderer

from ui.resources import icon_path

_PLACEHOLDER = b"#000000"  # the stroke colour every line icon is drawn with
_DISABLED_OPACITY = 0.38


class _SvgIconEngine(QIconEngine):
    """Renders one SVG at whatever size and mode is asked for, caching each pixmap."""

    def __init__(self, name: str, tint: str | None) -> None:
        super().__init__()
        self._name = name
        self._tint = tint
        self._renderer: QSvgRenderer | None = None
        self._cache: dict[tuple[int, int, int], QPixmap] = {}

    def _svg(self) -> QSvgRenderer:
        # The file is read at the first paint: a command only in a menu costs nothing at start.
        if self._renderer is None:
            data = icon_path(self._name).read_bytes()
            if self._tint is not None:
                data = data.replace(_PLACEHOLDER, self._tint.encode("ascii"))
            self._renderer = QSvgRenderer(QByteArray(data))
        return self._renderer

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.save()
        if mode == QIcon.Mode.Disabled:
            painter.setOpacity(painter.opacity() * _DISABLED_OPACITY)
        self._svg().render(painter, QRectF(rect))
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        key = (size.width(), size.height(), int(mode.value))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        result = QPixmap.fromImage(image)
        self._cache[key] = result
        return result

    def clone(self) -> QIconEngine:
        return _SvgIconEngine(self._name, self._tint)


@lru_cache(maxsize=512)
def _tinted(name: str, tint: str) -> QIcon:
    return QIcon(_SvgIconEngine(name, tint))


def icon(name: str, color: QColor | str | None = None) -> QIcon:
    """A line icon in `color`, by default the palette's text colour, so it follows the theme.

    A memo keyed by (name, colour), not shared state: after a dark/light switch the next call
    returns icons in the new colour.
    """
    if color is None:
        color = QGuiApplication.palette().color(QPalette.ColorRole.WindowText)
    return _tinted(name, QColor(color).name())


def app_icon() -> QIcon:
    """The parcel-and-label mark, rendered at whatever size the window manager asks for."""
    return QIcon(_SvgIconEngine("app", None))
