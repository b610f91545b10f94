"""The small Qt widgets and formatting helpers of the property panel's editors.

Sliders and combo boxes take the mouse wheel only when they have the keyboard
focus (scrolling the panel changes no value); a number field is wide enough
for a whole number; numbers are shown with up to 10 significant digits.

Examples
--------
>>> format_number(0.1 + 0.2), parse_number(" 16 ", integer=True), parse_number("95%", integer=False)
('0.3', 16, '95%')
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PyQt5 import QtCore, QtGui, QtWidgets

from .. import colors

#: The size of a colormap swatch (a colour's swatch is its height, twice as wide).
SWATCH = QtCore.QSize(72, 12)


class Slider(QtWidgets.QSlider):
    """A horizontal slider that takes the keyboard focus on click and the wheel only when focused.

    An unfocused slider passes wheel events on (to the scroll area), so
    scrolling the panel changes no value.
    """

    def __init__(self, parent=None):
        super().__init__(QtCore.Qt.Horizontal, parent)
        self.setFocusPolicy(QtCore.Qt.StrongFocus)
        self.setMinimumWidth(120)

    def wheelEvent(self, event):
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class ComboBox(QtWidgets.QComboBox):
    """A combo box that takes the wheel only when focused (see :class:`Slider`)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFocusPolicy(QtCore.Qt.StrongFocus)

    def wheelEvent(self, event):
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class _WheelGuard(QtCore.QObject):
    """An event filter: a wheel over an unfocused slider, combo box or spin box goes to the panel."""

    def eventFilter(self, watched, event):
        if event.type() == QtCore.QEvent.Wheel and not watched.hasFocus():
            parent = watched.parentWidget()
            if parent is not None:  # on to the scroll area, as an ignored wheel event goes
                QtWidgets.QApplication.sendEvent(parent, event)
            return True
        return False


_WHEEL_GUARD = None


def guard_wheels(widget):
    """Make the sliders, combo boxes and spin boxes inside ``widget`` take the wheel only when focused.

    TraitsUI's own editors (an ``EnumEditor``'s combo box) get the behaviour of
    :class:`Slider` and :class:`ComboBox`: scrolling the panel changes no value.
    """
    global _WHEEL_GUARD
    if _WHEEL_GUARD is None:
        _WHEEL_GUARD = _WheelGuard()
    kinds = (QtWidgets.QAbstractSlider, QtWidgets.QComboBox, QtWidgets.QAbstractSpinBox)
    for child in widget.findChildren(QtWidgets.QWidget):
        if isinstance(child, kinds) and not isinstance(child, (Slider, ComboBox)):
            child.setFocusPolicy(QtCore.Qt.StrongFocus)
            child.installEventFilter(_WHEEL_GUARD)


@functools.lru_cache(maxsize=64)
def cmap_icon(name):
    """A swatch of a colormap (left: low, right: high) as a QIcon."""
    cmap = colors.get_cmap(name)
    rgb = (np.asarray(cmap(np.linspace(0.0, 1.0, SWATCH.width())))[:, :3] * 255).astype(np.uint8)
    pixels = np.ascontiguousarray(np.repeat(rgb[None], SWATCH.height(), axis=0))
    height, width, _ = pixels.shape
    image = QtGui.QImage(pixels.data, width, height, 3 * width, QtGui.QImage.Format_RGB888).copy()
    return QtGui.QIcon(QtGui.QPixmap.fromImage(image))


def color_icon(rgb):
    """A swatch of one colour (``(r, g, b)`` in 0-1) as a QIcon."""
    pixmap = QtGui.QPixmap(SWATCH.height() * 2, SWATCH.height())
    pixmap.fill(QtGui.QColor.fromRgbF(*rgb))
    return QtGui.QIcon(pixmap)


def format_number(value, *, integer=False):
    """The whole number as text: up to 10 significant digits, no trailing noise.

    Examples
    --------
    >>> format_number(3.141592653589793), format_number(1234567.5), format_number(16, integer=True)
    ('3.141592654', '1234567.5', '16')
    >>> format_number(None)  # set to None from a script (volume, once a 3-D image replaced a 4-D one)
    'None'
    """
    if value is None:
        return "None"
    return str(int(round(value))) if integer else f"{float(value):.10g}"


def describe(value):
    """Short text for a value an editor shows as is: a path, "none", an array's shape, a repr.

    Examples
    --------
    >>> import numpy as np
    >>> describe(None), describe((np.zeros((2, 3)), np.eye(4))), describe([1, 2])
    ('none', 'array 2×3 in memory', '[1, 2]')
    """
    if isinstance(value, (str, Path)):
        return str(value)
    if value is None:
        return "none"
    arrays = value if isinstance(value, tuple) else (value,)
    for item in arrays:
        if isinstance(item, np.ndarray):
            return f"array {'×'.join(map(str, item.shape))} in memory"
    text = repr(value)
    return text if len(text) < 60 else f"{type(value).__name__} in memory"


class NumberField(QtWidgets.QLineEdit):
    """A line edit wide enough for a whole number (10 significant digits)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        width = self.fontMetrics().horizontalAdvance("-0.000000000") + 12
        self.setMinimumWidth(width)
        self.setMaximumWidth(width + 24)  # the slider beside it takes the rest
        self.setAlignment(QtCore.Qt.AlignRight)


def parse_number(text, *, integer):
    """A number if the text is one, else the text itself: the layer refuses it with a named error
    or takes it (``"95%"``)."""
    text = text.strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return int(round(number)) if integer and number.is_integer() else number


def colors_hex(rgb):
    """``(1, 0.5, 0)`` -> ``"#ff8000"``."""
    return "#" + "".join(f"{int(round(c * 255)):02x}" for c in rgb)


class SeriesPlot(QtWidgets.QWidget):
    """A small line plot of one voxel's values over the volumes, the shown volume marked.

    Painted with QPainter (no matplotlib figure): a few hundred points draw in
    well under a millisecond at every cursor move, and nothing is imported.
    A click picks the volume under the mouse (``picked`` signal).

    Attributes
    ----------
    values : numpy.ndarray or None
        The values shown (one per volume; NaN outside the image).
    current : int
        The volume marked.
    """

    #: The volume index the user clicked.
    picked = QtCore.pyqtSignal(int)

    _MARGIN = 6

    def __init__(self, parent=None):
        super().__init__(parent)
        self.values, self.current, self.title = None, 0, ""
        self.setMinimumHeight(90)
        self.setToolTip("The voxel under the cursor over the volumes (click: show that volume)")

    def set_series(self, values, current, title=""):
        """Show ``values`` (one per volume) with volume ``current`` marked (None: nothing to show)."""
        self.values = None if values is None else np.asarray(values, dtype=float)
        self.current, self.title = int(current), title
        self.update()

    def _x(self, index):
        width = self.width() - 2 * self._MARGIN
        return self._MARGIN + width * index / max(len(self.values) - 1, 1)

    def paintEvent(self, event):
        painter = QtGui.QPainter(self)
        try:
            painter.fillRect(self.rect(), QtGui.QColor(30, 30, 30))
            painter.setPen(QtGui.QColor("lightgray"))
            finite = None if self.values is None else self.values[np.isfinite(self.values)]
            if finite is None or not finite.size:
                painter.drawText(self.rect(), int(QtCore.Qt.AlignCenter), "outside the image")
                return
            low, high = float(finite.min()), float(finite.max())
            span = high - low or 1.0
            top, bottom = self._MARGIN + 12, self.height() - self._MARGIN
            points = [QtCore.QPointF(self._x(i), bottom - (v - low) / span * (bottom - top))
                      for i, v in enumerate(self.values) if np.isfinite(v)]
            painter.setPen(QtGui.QPen(QtGui.QColor(80, 255, 80, 190)))
            x = self._x(self.current)
            painter.drawLine(QtCore.QPointF(x, top), QtCore.QPointF(x, bottom))
            painter.setPen(QtGui.QPen(QtGui.QColor("#ffb74d"), 1.5))
            painter.setRenderHint(QtGui.QPainter.Antialiasing, True)
            painter.drawPolyline(QtGui.QPolygonF(points))
            painter.setPen(QtGui.QColor("lightgray"))
            painter.drawText(self.rect().adjusted(4, 1, -4, -1), int(QtCore.Qt.AlignTop | QtCore.Qt.AlignLeft),
                             f"{self.title}  {low:.4g} … {high:.4g}  (volume {self.current})")
        finally:
            painter.end()

    def mousePressEvent(self, event):
        if self.values is not None and len(self.values):
            width = self.width() - 2 * self._MARGIN
            index = round((event.pos().x() - self._MARGIN) / max(width, 1) * (len(self.values) - 1))
            self.picked.emit(int(np.clip(index, 0, len(self.values) - 1)))
