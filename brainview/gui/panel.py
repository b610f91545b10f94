"""The property panel: Qt widgets generated from the selected layer's trait metadata.

Every live trait of a layer gets one editor, chosen from the trait's
metadata (set where the layer defines the trait) and, without metadata,
from its type and value — so a new layer kind needs no panel code:

==================  ====================================================
``panel=``          editor
==================  ====================================================
``"check"``         check box (also any ``check_bool`` / ``Bool`` trait)
``"slider"``        slider + a numeric field showing the whole value;
                    ``low=``/``high=`` or ``range="data"|"magnitude"|"x"|"y"|"z"``
                    (computed from the layer's data), ``integer=True``,
                    ``optional=True`` (an "auto" box: None),
                    ``shown="attr"`` (what None or a "95%" string means;
                    a dotted path: ``"edge_clim.1"``)
``"range"``         a ``(low, high)`` pair: two such sliders
``"cmap"``          colormap combo box with swatches
``"color"``         colour button
``choices=(...)``   combo box of those values
``"checklist"``     searchable checklist of the layer's ``names``
``"hidden"``        not shown (another editor covers it)
==================  ====================================================

Traits named in the layer's ``data_params`` get a file chooser; a number
a line edit; a plain value (None, text, a list, a dict) a line edit read
with :func:`ast.literal_eval`; anything else is shown as "not editable here".

Editors write the layer's traits — the scene follows through the layer's
own observers, exactly as ``layer.clim = ...`` in a script does — and
follow the layer when a script changes it. Nothing typed, clicked or chosen
can end the app: a refused value is shown in red under its field and passed
to the ``report`` callable (the window shows it above the panel); the layer
keeps its previous value. Sliders and combo boxes ignore the mouse wheel
unless they have the keyboard focus, so scrolling the panel changes nothing.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import numpy as np
from PyQt5 import QtCore, QtGui, QtWidgets

from .. import colors

#: Colormaps offered in the panel (any matplotlib name works from a script).
CMAPS = ("gray", "hot", "cold_hot", "cold_white_hot", "RdBu_r", "coolwarm", "bwr", "viridis",
         "plasma", "inferno", "magma", "cividis", "afmhot", "bone", "Reds", "Blues", "Greens",
         "jet", "tab20")

#: Traits shown first, in this order; the others follow in the class's order.
FIRST = ("name", "visible", "opacity")

_SWATCH = QtCore.QSize(72, 12)
_SLIDER_STEPS = 1000
_FILE_FILTER = ("Brain images, surfaces and tables (*.nii *.nii.gz *.mgz *.mgh *.mnc *.gii *.gii.gz "
                "*.pial *.white *.inflated *.sphere *.thickness *.curv *.sulc *.npy *.csv *.txt *.tsv);;"
                "All files (*)")


# ---------------------------------------------------------------- which editor


def panel_traits(layer):
    """The names of a layer's traits the panel shows, in panel order.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> panel_traits(Slices((np.ones((3, 3, 3)), np.eye(4))))[:5]
    ['name', 'visible', 'opacity', 'img', 'volume']
    """
    # Class traits only: traits may add instance traits on the fly (a missing attribute observed).
    names = [n for n in layer.class_trait_names()
             if not n.startswith("_") and n not in ("trait_added", "trait_modified")
             and layer.editable_trait(n) and editor_kind(layer, n) != "hidden"]
    return [n for n in FIRST if n in names] + [n for n in names if n not in FIRST]


def editor_kind(layer, name):
    """The editor a trait gets: its ``panel=`` metadata, else one decided from its type and value.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> layer = Slices((np.ones((3, 3, 3)), np.eye(4)))
    >>> [editor_kind(layer, n) for n in ("visible", "x", "cmap", "axes", "img", "name", "volume")]
    ['check', 'slider', 'cmap', 'choice', 'file', 'text', 'literal']
    """
    trait = layer.trait(name)
    if trait.panel is not None:
        return trait.panel
    if trait.choices is not None:
        return "choice"
    if _is_switch(trait):
        return "check"
    if name in getattr(layer, "data_params", ()):
        return "file"
    value = getattr(layer, name)
    if name == "name" or type(trait.trait_type).__name__ == "Str":
        return "text"
    if _is_number(value):
        return "number"
    if _is_literal(value):
        return "literal"
    return "fixed"


def _is_switch(trait):
    from traits.api import Bool

    from ..layers.base import check_bool, check_optional_bool

    kind = trait.trait_type
    return isinstance(kind, Bool) or getattr(kind, "_check", None) in (check_bool, check_optional_bool)


def _is_number(value):
    return (not isinstance(value, (bool, np.bool_)) and np.ndim(value) == 0
            and isinstance(np.asarray(value).item() if isinstance(value, np.ndarray) else value,
                           (int, float, np.integer, np.floating)))


def _is_literal(value):
    try:
        return ast.literal_eval(repr(value)) == value
    except Exception:  # arrays, objects: repr is not a Python literal
        return False


def switches(layer):
    """The layer's on/off traits (besides ``visible``): shown as check boxes.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> switches(Slices((np.ones((3, 3, 3)), np.eye(4))))
    ['transparent_below']
    """
    return [n for n in panel_traits(layer) if n != "visible" and editor_kind(layer, n) == "check"]


# ---------------------------------------------------------------- ranges


def _values(layer):
    if getattr(layer, "image", None) is not None and not hasattr(layer, "names"):
        return np.asarray(layer.image.data)
    for attr in ("overlay_values", "_values"):
        values = getattr(layer, attr, None)
        if values is not None:
            return np.asarray(values)
    edges = getattr(layer, "_edges", None)
    if edges is not None and getattr(edges, "weights", None) is not None:
        return np.asarray(edges.weights)
    return None


def data_range(layer):
    """``(min, max)`` of the finite values a layer shows, or None.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> data_range(Slices((np.arange(27.0).reshape(3, 3, 3), np.eye(4))))
    (0.0, 26.0)
    """
    values = _values(layer)
    if values is None or values.size == 0:
        return None
    if values.size > 2_000_000:  # a strided sample: no full scan of a big volume
        values = values.ravel()[:: values.size // 1_000_000]
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    low, high = float(values.min()), float(values.max())
    return (low, high) if low < high else (low - 0.5, high + 0.5)


def trait_range(layer, name):
    """``(low, high)`` of a slider trait: its ``low``/``high`` metadata or the ``range`` it names.

    The range always includes the current value.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> layer = Slices((np.arange(27.0).reshape(3, 3, 3), np.eye(4)))
    >>> trait_range(layer, "opacity"), trait_range(layer, "x")
    ((0.0, 1.0), (0.0, 2.0))
    """
    trait = layer.trait(name)
    low, high = trait.low, trait.high
    source = trait.range
    span = None
    if source == "data":
        span = data_range(layer)
    elif source == "magnitude":
        span = data_range(layer)
        span = None if span is None else (0.0, max(abs(span[0]), abs(span[1])))
    elif source in ("x", "y", "z") and getattr(layer, "image", None) is not None:
        bounds = layer.image.world_bounds()
        axis = "xyz".index(source)
        span = (float(bounds[2 * axis]), float(bounds[2 * axis + 1]))
    if span is not None:
        low, high = span
    low = 0.0 if low is None else float(low)
    high = max(low + 1.0, 1.0) if high is None else float(high)
    for value in _numbers_of(layer, name):
        low, high = min(low, value), max(high, value)
    if high <= low:
        high = low + 1.0
    return low, high


def _numbers_of(layer, name):
    value = _shown_value(layer, name)
    if value is None:
        return []
    return [float(v) for v in np.ravel(value) if np.isfinite(v)]


def _shown_value(layer, name):
    """The number(s) a slider shows: the value, or what None / a "95%" string resolves to."""
    value = getattr(layer, name)
    trait = layer.trait(name)
    if (value is None or isinstance(value, str)) and trait.shown:
        value = layer
        for part in trait.shown.split("."):  # "color_range.vmax", "edge_clim.1"
            value = value[int(part)] if part.isdigit() else getattr(value, part)
    if value is None or isinstance(value, str):
        return None
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- widgets


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


@functools.lru_cache(maxsize=64)
def cmap_icon(name):
    """A swatch of a colormap (left: low, right: high) as a QIcon."""
    cmap = colors.get_cmap(name)
    rgb = (np.asarray(cmap(np.linspace(0.0, 1.0, _SWATCH.width())))[:, :3] * 255).astype(np.uint8)
    pixels = np.ascontiguousarray(np.repeat(rgb[None], _SWATCH.height(), axis=0))
    height, width, _ = pixels.shape
    image = QtGui.QImage(pixels.data, width, height, 3 * width, QtGui.QImage.Format_RGB888).copy()
    return QtGui.QIcon(QtGui.QPixmap.fromImage(image))


def _color_icon(rgb):
    pixmap = QtGui.QPixmap(_SWATCH.height() * 2, _SWATCH.height())
    pixmap.fill(QtGui.QColor.fromRgbF(*rgb))
    return QtGui.QIcon(pixmap)


def format_number(value, *, integer=False):
    """The whole number as text: up to 10 significant digits, no trailing noise.

    Examples
    --------
    >>> format_number(3.141592653589793), format_number(1234567.5), format_number(16, integer=True)
    ('3.141592654', '1234567.5', '16')
    """
    return str(int(round(value))) if integer else f"{float(value):.10g}"


def _describe(value):
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


# ---------------------------------------------------------------- editors


class Editor:
    """One trait's editor: ``control`` is its input widget, ``value`` reads/writes the layer."""

    def __init__(self, panel, name):
        self.panel, self.name = panel, name
        self.trait = panel.layer.trait(name)
        self.widget = self.control = None

    @property
    def layer(self):
        return self.panel.layer

    @property
    def value(self):
        return getattr(self.layer, self.name)

    @value.setter
    def value(self, value):
        self.panel.write(self.name, value)

    def write(self, value):
        return self.panel.write(self.name, value)

    def refresh(self):
        """Show the layer's current value (signals blocked: showing is not editing)."""


class CheckEditor(Editor):
    def __init__(self, panel, name):
        super().__init__(panel, name)
        self.widget = self.control = QtWidgets.QCheckBox()
        self.control.clicked.connect(self._clicked)

    def _clicked(self, checked=False):
        state = self.control.checkState()
        self.write(None if state == QtCore.Qt.PartiallyChecked else state == QtCore.Qt.Checked)

    def refresh(self):
        value = self.value
        self.control.blockSignals(True)
        if value is None:  # decided later (when drawn): a third state
            self.control.setCheckState(QtCore.Qt.PartiallyChecked)
        else:
            self.control.setTristate(False)
            self.control.setChecked(bool(value))
        self.control.blockSignals(False)


class NumberField(QtWidgets.QLineEdit):
    """A line edit wide enough for a whole number (10 significant digits)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        width = self.fontMetrics().horizontalAdvance("-0.000000000") + 12
        self.setMinimumWidth(width)
        self.setMaximumWidth(width + 24)  # the slider beside it takes the rest
        self.setAlignment(QtCore.Qt.AlignRight)


def _parse_number(text, *, integer):
    """A number if the text is one, else the text itself: the layer refuses it with a named error
    or takes it (``"95%"``)."""
    text = text.strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return int(round(number)) if integer and number.is_integer() else number


class SliderEditor(Editor):
    """A slider over the trait's range + a numeric field (+ an "auto" box when None is allowed)."""

    def __init__(self, panel, name):
        super().__init__(panel, name)
        self.integer = bool(self.trait.integer)
        self.low, self.high = trait_range(self.layer, name)
        self.slider = Slider()
        self.steps = int(self.high - self.low) if self.integer else _SLIDER_STEPS
        self.slider.setRange(0, max(self.steps, 1))
        self.slider.setPageStep(max(self.steps // 20, 1))
        # Re-loading traits (a mesh re-extracted) are written when the slider is let go.
        self.slider.setTracking(not _reloads(self.trait))
        self.slider.valueChanged.connect(self._slid)
        self.field = self.control = NumberField()
        self.field.editingFinished.connect(self._typed)
        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.slider, 1)
        row.addWidget(self.field)
        self.auto = None
        if self.trait.optional:
            self.auto = QtWidgets.QCheckBox("auto")
            self.auto.setToolTip(f"{name}=None: decided from the data")
            self.auto.clicked.connect(self._auto_clicked)
            row.addWidget(self.auto)
        self.widget = QtWidgets.QWidget()
        self.widget.setLayout(row)
        self._shown_text = ""

    def _to_value(self, position):
        value = self.low + position * (self.high - self.low) / max(self.steps, 1)
        return int(round(value)) if self.integer else float(f"{value:.6g}")

    def _to_position(self, value):
        return int(round((value - self.low) / (self.high - self.low) * max(self.steps, 1)))

    def _slid(self, position):
        self.write(self._to_value(position))

    def _typed(self):
        text = self.field.text()
        if text != self._shown_text:
            self._shown_text = text
            self.write(_parse_number(text, integer=self.integer))

    def _auto_clicked(self, checked=False):
        if checked:
            self.write(None)
        else:
            self.write(self._to_value(self.slider.value()))

    def refresh(self):
        value = self.value
        numbers = _shown_value(self.layer, self.name)
        self.slider.blockSignals(True)
        self.field.blockSignals(True)
        if numbers is not None and numbers.size == 1:
            number = float(numbers.ravel()[0])
            self.slider.setValue(self._to_position(min(max(number, self.low), self.high)))
            self._shown_text = format_number(number, integer=self.integer)
        elif numbers is not None:
            self._shown_text = f"{numbers.size} values"
        else:
            self._shown_text = "auto" if value is None else str(value)
        self.field.setText(self._shown_text)
        self.field.setCursorPosition(0)
        if self.auto is not None:
            self.auto.setChecked(value is None)
        self.slider.blockSignals(False)
        self.field.blockSignals(False)


def _reloads(trait):
    from ..layers._live import Loaded, Reloads

    kind = trait.trait_type
    return isinstance(kind, (Loaded, Reloads)) or hasattr(kind, "_check") and "Reextracts" in type(kind).__name__


class RangeEditor(Editor):
    """A ``(low, high)`` pair as two slider rows (+ "auto" when None is allowed)."""

    def __init__(self, panel, name):
        super().__init__(panel, name)
        self.low, self.high = trait_range(self.layer, name)
        self.ends = []
        grid = QtWidgets.QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for row, label in enumerate(("min", "max")):
            slider, field = Slider(), NumberField()
            slider.setRange(0, _SLIDER_STEPS)
            slider.valueChanged.connect(functools.partial(self._slid, row))
            field.editingFinished.connect(functools.partial(self._typed, row))
            grid.addWidget(QtWidgets.QLabel(label), row, 0)
            grid.addWidget(slider, row, 1)
            grid.addWidget(field, row, 2)
            self.ends.append((slider, field))
        grid.setColumnStretch(1, 1)
        self.auto = None
        if self.trait.optional:
            self.auto = QtWidgets.QCheckBox("auto")
            self.auto.clicked.connect(self._auto_clicked)
            grid.addWidget(self.auto, 0, 3)
        self.widget = QtWidgets.QWidget()
        self.widget.setLayout(grid)
        self.control = self.ends[0][1]
        self._shown = ["", ""]

    def _pair(self):
        value = self.value
        if value is None:
            return [self.low, self.high]
        return [float(v) for v in value]

    def _set_end(self, row, number):
        pair = self._pair()
        pair[row] = number
        low, high = pair
        if high <= low:  # the ends crossed: keep a valid range, moving the other end
            gap = 1e-6 * max(1.0, abs(number))
            low, high = (number, number + gap) if row == 0 else (number - gap, number)
        self.write((low, high))

    def _slid(self, row, position):
        self._set_end(row, float(f"{self.low + position * (self.high - self.low) / _SLIDER_STEPS:.6g}"))

    def _typed(self, row):
        text = self.ends[row][1].text()
        if text == self._shown[row]:
            return
        self._shown[row] = text
        number = _parse_number(text, integer=False)
        if isinstance(number, str):
            self.panel.refuse(self.name, f"{self.name}: {text!r} is not a number; type the "
                              f"{'lower' if row == 0 else 'upper'} end of the colour range.")
            return
        self._set_end(row, number)

    def _auto_clicked(self, checked=False):
        self.write(None if checked else tuple(self._pair()))

    def refresh(self):
        value = self.value
        for row, number in enumerate(self._pair()):
            slider, field = self.ends[row]
            slider.blockSignals(True)
            field.blockSignals(True)
            position = (min(max(number, self.low), self.high) - self.low) / (self.high - self.low)
            slider.setValue(int(round(position * _SLIDER_STEPS)))
            self._shown[row] = format_number(number)
            field.setText(self._shown[row])
            field.setCursorPosition(0)
            slider.blockSignals(False)
            field.blockSignals(False)
        if self.auto is not None:
            self.auto.setChecked(value is None)


class CmapEditor(Editor):
    """Colormap names with swatches (``"none"`` first when the trait allows None)."""

    def __init__(self, panel, name):
        super().__init__(panel, name)
        self.widget = self.control = ComboBox()
        self.control.setIconSize(_SWATCH)
        if self.trait.optional:
            self.control.addItem("none", None)
        for cmap in CMAPS:
            self.control.addItem(cmap_icon(cmap), cmap, cmap)
        self.control.activated.connect(self._chosen)

    def _chosen(self, index):
        self.write(self.control.itemData(index))

    def refresh(self):
        cmap = self.value
        name = None if cmap is None else getattr(cmap, "name", str(cmap))
        index = self.control.findData(name)
        if index < 0:  # a colormap set from a script: offer it too
            try:
                self.control.addItem(cmap_icon(name), name, name)
            except Exception:  # a Colormap object unknown by name: show its name only
                self.control.addItem(name, name)
            index = self.control.count() - 1
        self.control.blockSignals(True)
        self.control.setCurrentIndex(index)
        self.control.blockSignals(False)


class ColorEditor(Editor):
    """A button showing the colour; a click opens the colour dialog."""

    def __init__(self, panel, name):
        super().__init__(panel, name)
        self.widget = self.control = QtWidgets.QPushButton()
        self.control.clicked.connect(self._clicked)

    def _rgb(self):
        try:
            return colors.to_rgb(self.value)
        except Exception:  # "auto", per-node colours, None: no single colour
            return None

    def _clicked(self, checked=False):
        rgb = self._rgb() or (1.0, 1.0, 1.0)
        chosen = QtWidgets.QColorDialog.getColor(QtGui.QColor.fromRgbF(*rgb), self.control,
                                                 f"Choose {self.name}")
        if chosen.isValid():
            self.write((round(chosen.redF(), 4), round(chosen.greenF(), 4), round(chosen.blueF(), 4)))

    def refresh(self):
        rgb = self._rgb()
        if rgb is None:
            self.control.setIcon(QtGui.QIcon())
            self.control.setText(_describe(self.value) if np.ndim(self.value) == 0 else "per item")
        else:
            self.control.setIcon(_color_icon(rgb))
            self.control.setText(colors_hex(rgb))


def colors_hex(rgb):
    """``(1, 0.5, 0)`` -> ``"#ff8000"``."""
    return "#" + "".join(f"{int(round(c * 255)):02x}" for c in rgb)


class ChoiceEditor(Editor):
    """A combo box of the trait's ``choices`` (None shows as "auto")."""

    def __init__(self, panel, name):
        super().__init__(panel, name)
        self.choices = list(self.trait.choices)
        self.widget = self.control = ComboBox()
        for choice in self.choices:
            self.control.addItem("auto" if choice is None else str(choice))
        self.control.activated.connect(self._chosen)

    def _chosen(self, index):
        self.write(self.choices[index])

    def refresh(self):
        value = self.value
        index = next((i for i, c in enumerate(self.choices)
                      if c is value or (type(c) is type(value) and c == value)), -1)
        if index < 0:  # set from a script to a value outside the list: show it
            self.choices.append(value)
            self.control.addItem(str(value))
            index = len(self.choices) - 1
        self.control.blockSignals(True)
        self.control.setCurrentIndex(index)
        self.control.blockSignals(False)


class ChecklistEditor(Editor):
    """A filter field over a checklist of the layer's region ``names``.

    Checking items sets the trait to the checked names (None when all are
    checked); Enter in the filter field sets it to the typed pattern (a
    name, a part of names or a glob, as a script would), "" to all.
    """

    def __init__(self, panel, name):
        super().__init__(panel, name)
        self.filter = self.control = QtWidgets.QLineEdit()
        self.filter.setPlaceholderText("Filter names; Enter shows the matching regions")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        self.filter.returnPressed.connect(self._entered)
        self.list = QtWidgets.QListWidget()
        self.list.setMinimumHeight(120)
        self.list.setMaximumHeight(220)
        self.names = list(self.layer.names)
        for region in self.names:
            item = QtWidgets.QListWidgetItem(str(region))
            item.setFlags(item.flags() | QtCore.Qt.ItemIsUserCheckable)
            item.setCheckState(QtCore.Qt.Checked)
            self.list.addItem(item)
        self.list.itemChanged.connect(self._checked)
        column = QtWidgets.QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.filter)
        column.addWidget(self.list)
        self.widget = QtWidgets.QWidget()
        self.widget.setLayout(column)

    def _filter(self, text):
        text = text.strip().lower()
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setHidden(bool(text) and text not in item.text().lower())

    def _entered(self):
        text = self.filter.text().strip()
        self.write([text] if text else None)

    def _checked(self, item):
        checked = [self.names[row] for row in range(self.list.count())
                   if self.list.item(row).checkState() == QtCore.Qt.Checked]
        self.write(None if len(checked) == len(self.names) else checked)

    def refresh(self):
        shown = set(self.layer.shown)
        self.list.blockSignals(True)
        for row, region in enumerate(self.names):
            self.list.item(row).setCheckState(QtCore.Qt.Checked if region in shown else QtCore.Qt.Unchecked)
        self.list.blockSignals(False)


class TextEditor(Editor):
    """A line edit; the text is written when Enter is pressed or the field is left."""

    def __init__(self, panel, name):
        super().__init__(panel, name)
        self.widget = self.control = QtWidgets.QLineEdit()
        self.control.editingFinished.connect(self._typed)
        self._shown_text = None

    def _typed(self):
        text = self.control.text()
        if text != self._shown_text:
            self._shown_text = text
            self.write(self._parse(text))

    def _parse(self, text):
        return text

    def _format(self, value):
        return str(value)

    def refresh(self):
        self._shown_text = self._format(self.value)
        self.control.blockSignals(True)
        self.control.setText(self._shown_text)
        self.control.setCursorPosition(0)
        self.control.blockSignals(False)


class NumberEditor(TextEditor):
    """A number without a known range: a numeric field."""

    def _parse(self, text):
        return _parse_number(text, integer=isinstance(self.value, (int, np.integer)))

    def _format(self, value):
        return format_number(value)


class LiteralEditor(TextEditor):
    """A plain Python value (None, a number, 'text', [a list], {a: dict}) typed as in a script."""

    def __init__(self, panel, name):
        super().__init__(panel, name)
        self.control.setToolTip(f"Type {name} as in a script: None, 3, 'text', ['a', 'b'], {{'a': 'red'}}")

    def _parse(self, text):
        try:
            return ast.literal_eval(text.strip() or "None")
        except (ValueError, SyntaxError):
            # An unquoted word ("auto", "10%") is meant as text: the layer decides.
            return text.strip()

    def _format(self, value):
        return repr(value)


class FileEditor(Editor):
    """Data: what the layer holds, and a button to choose a file instead (arrays: from a script)."""

    def __init__(self, panel, name):
        super().__init__(panel, name)
        self.label = QtWidgets.QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.control = QtWidgets.QPushButton("File…")
        self.control.setToolTip(f"Load {name} from a file (in-memory data is set from a script)")
        self.control.clicked.connect(self._clicked)
        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.control)
        self.widget = QtWidgets.QWidget()
        self.widget.setLayout(row)

    def _clicked(self, checked=False):
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self.control, f"Choose {self.name}", "", _FILE_FILTER)
        if path:
            self.write(path)

    def refresh(self):
        value = self.value
        text = Path(value).name if isinstance(value, (str, Path)) and Path(value).suffix else _describe(value)
        self.label.setText(text)
        self.label.setToolTip(str(value) if isinstance(value, (str, Path)) else text)


class FixedEditor(Editor):
    """A value the panel cannot edit: say so, and how to change it."""

    def __init__(self, panel, name):
        super().__init__(panel, name)
        self.widget = self.control = QtWidgets.QLabel()
        self.control.setWordWrap(True)

    def refresh(self):
        self.control.setText(f"{_describe(self.value)} — not editable here: set layer.{self.name} from a script")


EDITORS = {
    "check": CheckEditor, "slider": SliderEditor, "range": RangeEditor, "cmap": CmapEditor,
    "color": ColorEditor, "choice": ChoiceEditor, "checklist": ChecklistEditor, "text": TextEditor,
    "number": NumberEditor, "literal": LiteralEditor, "file": FileEditor, "fixed": FixedEditor,
}


# ---------------------------------------------------------------- the panel


class LayerPanel(QtWidgets.QWidget):
    """The editors of one layer, one row per trait (see the module docstring).

    Parameters
    ----------
    layer : Layer
    report : callable, optional
        ``report(error)`` when the layer refuses an edit, ``report(None)``
        when it took one.
    parent : QWidget, optional

    Attributes
    ----------
    editors : dict
        trait name -> :class:`Editor`.
    """

    def __init__(self, layer, *, report=None, background=None, parent=None):
        super().__init__(parent)
        self.layer = layer
        self.report = report or (lambda error: None)
        self.background = background
        self.editors, self.errors = {}, {}
        self._form = QtWidgets.QFormLayout(self)
        self._form.setContentsMargins(0, 0, 0, 0)
        self._form.setFieldGrowthPolicy(QtWidgets.QFormLayout.AllNonFixedFieldsGrow)
        self._form.setLabelAlignment(QtCore.Qt.AlignLeft | QtCore.Qt.AlignTop)
        self._form.setRowWrapPolicy(QtWidgets.QFormLayout.WrapLongRows)  # a narrow dock: label above
        for name in panel_traits(layer):
            self._add_row(name)
        self._observed = ", ".join(self.editors)
        self._refreshing = False
        self.refresh()
        if self._observed:
            layer.observe(self._on_layer_changed, self._observed)

    def _add_row(self, name):
        kind = editor_kind(self.layer, name)
        editor = EDITORS.get(kind, FixedEditor)(self, name)
        cell = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(editor.widget)
        error = QtWidgets.QLabel()
        error.setWordWrap(True)
        error.setStyleSheet("color: #c62828;")
        error.hide()
        column.addWidget(error)
        label = QtWidgets.QLabel(name.replace("_", " "))
        desc = self.layer.trait(name).desc
        if desc:
            label.setToolTip(desc)
        if kind == "file":
            label.setText(f"{label.text()} (data)")
        self._form.addRow(label, cell)
        self.editors[name], self.errors[name] = editor, error

    def get_editors(self, name):
        """``[editor]`` of a trait, ``[]`` when the panel does not show it (TraitsUI's spelling)."""
        return [self.editors[name]] if name in self.editors else []

    def write(self, name, value):
        """Set a layer trait; a refused value is shown beside its field, never raised into Qt.

        Returns whether the layer took it.
        """
        if self.layer.trait(name).prepare and self.background is not None:
            # Slow to draw (a stat map's surface projection): computed in a worker with
            # progress, then set here on the GUI thread, which never waits for it.
            self.background(lambda: self.layer.prepare(**{name: value}),
                            then=lambda: self._write_now(name, value),
                            failed=lambda error: self._refused(name, error),
                            name=f"{self.layer.name}: {name} = {value!r}")
            return True
        return self._write_now(name, value)

    def _write_now(self, name, value):
        try:
            setattr(self.layer, name, value)
        except Exception as error:  # the layer keeps its value; the user reads why
            return self._refused(name, error)
        self._show(name, None)
        return True

    def _refused(self, name, error):
        self._show(name, error)
        self._refresh_one(name)
        return False

    def refuse(self, name, text):
        """Show a message for a field whose text could not be read (nothing was written)."""
        from ..errors import BrainviewValueError

        self._show(name, BrainviewValueError(text))

    def _show(self, name, error):
        label = self.errors.get(name)
        if label is not None:
            label.setVisible(error is not None)
            label.setText("" if error is None else str(error))
        self.report(error)

    def refresh(self):
        """Show the layer's current values in every editor."""
        for name in self.editors:
            self._refresh_one(name)

    def _refresh_one(self, name):
        try:
            self.editors[name].refresh()
        except Exception as error:  # a value an editor cannot show must not end the app
            self.errors[name].setText(f"cannot show {name}: {error}")
            self.errors[name].show()

    def _on_layer_changed(self, event):
        # Other traits may follow one change (an image sets its colour range): show them all.
        self.refresh()

    def dispose(self):
        """Stop following the layer (call when the panel goes)."""
        if self._observed:
            self.layer.observe(self._on_layer_changed, self._observed, remove=True)
            self._observed = ""


def edit_layer(layer, parent=None, *, report=None, background=None):
    """Build the panel for ``layer`` (a :class:`LayerPanel`, a QWidget inside ``parent``).

    Parameters
    ----------
    layer : Layer
    parent : QWidget, optional
    report : callable, optional
        ``report(error)`` when the layer refuses an edit, ``report(None)`` when
        it took one. Default: print refused edits.
    background : callable, optional
        ``background(job, *, then, failed, name)`` runs ``job()`` off the GUI
        thread, then ``then()`` (or ``failed(error)``) on it: used for traits
        whose metadata says ``prepare=True`` (the layer's ``prepare`` computes
        what they need). Default: set them directly.

    Call ``panel.dispose()`` when the panel goes.
    """
    if report is None:
        def report(error):
            if error is not None:
                print(f"brainview: {error}")
    return LayerPanel(layer, report=report, background=background, parent=parent)
