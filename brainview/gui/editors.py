"""The TraitsUI editors of the property panel, one factory per kind of layer trait.

:func:`editor_for` gives the editor factory an ``Item`` of the panel's
TraitsUI ``View`` gets (:func:`brainview.gui.panel.layer_view`), from the
kind :func:`brainview.gui.hints.editor_kind` reads in the trait's metadata.
TraitsUI's own editors are used where they fit a layer trait: ``BooleanEditor``
(switches), ``EnumEditor`` (``choices=``), ``TextEditor`` (names, numbers and
Python literals, written on Enter or when the field is left). The others are
TraitsUI editors written here, for what TraitsUI has no editor for:

- :class:`SliderEditor`: a slider + a field showing the whole number over a
  range computed from the data, an "auto" box for None, a value shown for
  None or ``"95%"``, typed values outside the slider's range (TraitsUI's
  ``RangeEditor`` has fixed bounds and fails on None: ``TypeError`` in
  ``_low_changed``);
- :class:`PairEditor`: a ``(low, high)`` colour range as two such rows;
- :class:`CmapEditor`: colormap names with swatches;
- :class:`ColorEditor`: a button showing the colour (layer colours are any
  matplotlib colour, "auto" or one per item; TraitsUI's needs a ``Color`` trait);
- :class:`ChecklistEditor`: a filter field over the checkable region names;
- :class:`RegionColorsEditor`: an atlas's ``{region: colour}`` typed, or a label table file;
- :class:`FileEditor`: what the layer holds (a file or an array in memory) and
  a button to choose a file;
- :class:`TriStateEditor`: a switch that may be None (decided when drawn);
- :class:`FixedEditor`: a value the panel cannot edit, and how to change it.

Every editor writes with ``self.value = ...``: the value goes through the
panel's TraitsUI ``Handler`` (:class:`brainview.gui.panel.PanelHandler`),
which shows a refused value beside the field. ``update_editor()`` shows the
layer's value with the widgets' signals blocked: showing is not editing.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PyQt5 import QtCore, QtGui, QtWidgets

# First: it readies Qt for TraitsUI's toolkit (``literal`` is re-exported).
from .editor_base import LayerEditor, literal  # noqa: F401

from traits.api import Any, Bool, Float, Int, List  # noqa: E402, I001
from traitsui.api import BasicEditorFactory, BooleanEditor, EnumEditor, TextEditor  # noqa: E402
# TraitsUI's editors for Qt, loaded with the app rather than at the first selection:
from traitsui.qt import boolean_editor, enum_editor, text_editor  # noqa: E402, F401

from .. import colors  # noqa: E402
from ..io.lut_files import is_colormap_path  # noqa: E402
from .colour_files import CHOOSE_FILE, choose_colour_file, file_of  # noqa: E402
from .file_editors import FileEditor, FixedEditor, RegionColorsEditor  # noqa: E402
from .hints import editor_kind, shown_value, trait_range  # noqa: E402
from .widgets import (SWATCH, ComboBox, NumberField, Slider, cmap_icon, color_icon,  # noqa: E402
                      colors_hex, describe, format_number, parse_number)

#: Colormaps offered in the panel (any matplotlib name works from a script).
CMAPS = ("gray", "hot", "cold_hot", "cold_white_hot", "RdBu_r", "coolwarm", "bwr", "viridis",
         "plasma", "inferno", "magma", "cividis", "afmhot", "bone", "Reds", "Blues", "Greens",
         "jet", "tab20")

_SLIDER_STEPS = 1000


class TriStateEditor(LayerEditor):
    """A check box whose third state is None (decided later, when drawn)."""

    def init(self, parent):
        self.control = QtWidgets.QCheckBox()
        self.control.clicked.connect(self._clicked)

    def _clicked(self, checked=False):
        state = self.control.checkState()
        self.value = None if state == QtCore.Qt.PartiallyChecked else state == QtCore.Qt.Checked

    def show_value(self):
        value = self.value
        self.control.blockSignals(True)
        if value is None:
            self.control.setTristate(True)
            self.control.setCheckState(QtCore.Qt.PartiallyChecked)
        else:
            self.control.setTristate(False)
            self.control.setChecked(bool(value))
        self.control.blockSignals(False)


class SliderEditor(LayerEditor):
    """A slider over the trait's range + a numeric field (+ an "auto" box when None is allowed)."""

    #: The QSlider, the number field, the "auto" box (None without one).
    slider, field, auto = Any(), Any(), Any()
    integer, low, high, steps = Bool(), Float(), Float(), Int()

    def init(self, parent):
        trait = self.trait
        self.integer = bool(trait.integer)
        self.slider = Slider()
        self.follow_range()
        # Re-loading traits (a mesh re-extracted) are written when the slider is let go.
        self.slider.setTracking(not _reloads(trait))
        self.slider.valueChanged.connect(self._slid)
        self.field = NumberField()
        self.field.editingFinished.connect(self._typed)
        # Two lines (the slider, then the number): beside its label in a narrow dock.
        grid = QtWidgets.QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.slider, 0, 0, 1, 3)
        grid.addWidget(self.field, 1, 0)
        grid.setColumnStretch(2, 1)
        self.auto = None
        if trait.optional:
            self.auto = QtWidgets.QCheckBox("auto")
            self.auto.setToolTip(f"{self.name}=None: decided from the data")
            self.auto.clicked.connect(self._auto_clicked)
            grid.addWidget(self.auto, 1, 1)
        self.control = QtWidgets.QWidget()
        self.control.setLayout(grid)
        self.control.setFocusProxy(self.field)
        self._shown_text = ""

    def follow_range(self):
        """Take the trait's range from the layer's data as it is now (a volume stepped, an image replaced).

        The range is computed once per data (:func:`~brainview.gui.hints.data_range` is cached):
        showing a value again scans nothing.
        """
        low, high = trait_range(self.object, self.name)
        if (low, high) == (self.low, self.high) and self.steps:
            return
        self.low, self.high = low, high
        self.steps = int(high - low) if self.integer else _SLIDER_STEPS
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(self.steps, 1))
        self.slider.setPageStep(max(self.steps // 20, 1))
        self.slider.blockSignals(False)

    def _to_value(self, position):
        value = self.low + position * (self.high - self.low) / max(self.steps, 1)
        return int(round(value)) if self.integer else float(f"{value:.6g}")

    def _to_position(self, value):
        return int(round((value - self.low) / (self.high - self.low) * max(self.steps, 1)))

    def _slid(self, position):
        self.value = self._to_value(position)

    def _typed(self):
        text = self.field.text()
        if text != self._shown_text:
            self._shown_text = text
            self.value = parse_number(text, integer=self.integer)

    def _auto_clicked(self, checked=False):
        self.value = None if checked else self._to_value(self.slider.value())

    def show_value(self):
        value = self.value
        numbers = shown_value(self.object, self.name)
        self.follow_range()
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


class PairEditor(LayerEditor):
    """A ``(low, high)`` pair as two slider rows (+ "auto" when None is allowed)."""

    #: ``[(slider, field)]`` of the low and the high end; the "auto" box (None without one).
    ends, auto = List(), Any()
    low, high = Float(), Float()

    def init(self, parent):
        self.low, self.high = trait_range(self.object, self.name)
        self.ends = []
        grid = QtWidgets.QGridLayout()  # per end: "min" and its number, then its slider
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        for end, label in enumerate(("min", "max")):
            slider, field = Slider(), NumberField()
            slider.setRange(0, _SLIDER_STEPS)
            slider.valueChanged.connect(functools.partial(self._slid, end))
            field.editingFinished.connect(functools.partial(self._typed, end))
            grid.addWidget(QtWidgets.QLabel(label), 2 * end, 0)
            grid.addWidget(field, 2 * end, 1)
            grid.addWidget(slider, 2 * end + 1, 0, 1, 4)
            self.ends.append((slider, field))
        grid.setColumnStretch(3, 1)
        self.auto = None
        if self.trait.optional:
            self.auto = QtWidgets.QCheckBox("auto")
            self.auto.clicked.connect(self._auto_clicked)
            grid.addWidget(self.auto, 0, 2)
        self.control = QtWidgets.QWidget()
        self.control.setLayout(grid)
        self.control.setFocusProxy(self.ends[0][1])
        self._shown = ["", ""]

    def pair(self):
        """The ``[low, high]`` shown (the slider's range when the trait is None)."""
        value = self.value
        if value is None:
            return [self.low, self.high]
        return [float(v) for v in value]

    def _set_end(self, row, number):
        pair = self.pair()
        pair[row] = number
        low, high = pair
        if high <= low:  # the ends crossed: keep a valid range, moving the other end
            gap = 1e-6 * max(1.0, abs(number))
            low, high = (number, number + gap) if row == 0 else (number - gap, number)
        self.value = (low, high)

    def _slid(self, row, position):
        self._set_end(row, float(f"{self.low + position * (self.high - self.low) / _SLIDER_STEPS:.6g}"))

    def _typed(self, row):
        text = self.ends[row][1].text()
        if text == self._shown[row]:
            return
        self._shown[row] = text
        number = parse_number(text, integer=False)
        if isinstance(number, str):
            self.refuse(f"{self.name}: {text!r} is not a number; type the "
                        f"{'lower' if row == 0 else 'upper'} end of the colour range.")
            return
        self._set_end(row, number)

    def _auto_clicked(self, checked=False):
        self.value = None if checked else tuple(self.pair())

    def show_value(self):
        value = self.value
        self.low, self.high = trait_range(self.object, self.name)  # the data as it is now (cached per data)
        for row, number in enumerate(self.pair()):
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


class CmapEditor(LayerEditor):
    """Colormap names with swatches (``"none"`` first when the trait allows None), then "Colour file…".

    A chosen colour file sets the trait to its ``Path``; the combo then shows the file's name and swatch.
    """

    def init(self, parent):
        self.control = ComboBox()
        self.control.setIconSize(SWATCH)
        if self.trait.optional:
            self.control.addItem("none", None)
        for cmap in CMAPS:
            self.control.addItem(cmap_icon(cmap), cmap, cmap)
        opening = self.control.style().standardIcon(QtWidgets.QStyle.SP_DialogOpenButton)
        self.control.addItem(opening, "Colour file…", CHOOSE_FILE)
        self.control.setItemData(self.control.count() - 1, "FSL .cmap/.lut, FreeSurfer LUT, RGB table",
                                 QtCore.Qt.ToolTipRole)
        self.control.activated.connect(self._chosen)

    def _chosen(self, index):
        data = self.control.itemData(index)
        if data == CHOOSE_FILE:
            data = choose_colour_file(self.control, self.name)
            if data is None:  # cancelled: show the layer's colour map again
                return self.show_value()
        elif isinstance(data, str) and is_colormap_path(data):  # a colour file chosen before: read again
            data = Path(data)
        self.value = data

    def show_value(self):
        cmap = self.value
        name = None if cmap is None else getattr(cmap, "name", str(cmap))
        index = self.control.findData(name)
        if index < 0:  # a colormap set from a script or read from a file: offered too, before the file entry
            index = self.control.findData(CHOOSE_FILE)
            path = file_of(cmap)
            swatch = cmap_icon.__wrapped__(cmap)  # (not cached: a file's map is read again when chosen again)
            self.control.insertItem(index, swatch, name if path is None else Path(path).name, name)
            self.control.setItemData(index, name, QtCore.Qt.ToolTipRole)
        self.control.blockSignals(True)
        self.control.setCurrentIndex(index)
        self.control.blockSignals(False)


class ColorEditor(LayerEditor):
    """A button showing the colour; a click opens the colour dialog."""

    def init(self, parent):
        self.control = QtWidgets.QPushButton()
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
            self.value = (round(chosen.redF(), 4), round(chosen.greenF(), 4), round(chosen.blueF(), 4))

    def show_value(self):
        rgb = self._rgb()
        if rgb is None:
            self.control.setIcon(QtGui.QIcon())
            self.control.setText(describe(self.value) if np.ndim(self.value) == 0 else "per item")
        else:
            self.control.setIcon(color_icon(rgb))
            self.control.setText(colors_hex(rgb))


class FilterList(QtWidgets.QWidget):
    """A filter field over a list: keys typed while the list has the focus go to the field."""

    def __init__(self, filter_field, checklist, parent=None):
        super().__init__(parent)
        self.filter, self.list = filter_field, checklist
        column = QtWidgets.QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(filter_field)
        column.addWidget(checklist)
        self.setFocusProxy(filter_field)

    def keyPressEvent(self, event):
        QtWidgets.QApplication.sendEvent(self.filter, event)

    def clear(self):
        """Empty the filter field (every region listed again)."""
        self.filter.clear()

    def text(self):
        return self.filter.text()


class ChecklistEditor(LayerEditor):
    """A filter field over a checklist of the layer's region ``names``.

    Checking items sets the trait to the checked names (None when all are
    checked); Enter in the filter field sets it to the typed pattern (a
    name, a part of names or a glob, as a script would), "" to all.
    """

    #: The filter field, the checkable list, the region names in list order.
    filter, list, names = Any(), Any(), List()

    def init(self, parent):
        self.filter = QtWidgets.QLineEdit()
        self.filter.setPlaceholderText("Filter names; Enter shows the matching regions")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        self.filter.returnPressed.connect(self._entered)
        self.list = QtWidgets.QListWidget()
        self.list.setMinimumHeight(120)
        self.list.setMaximumHeight(220)
        self.names = []
        self._list_names()
        self.list.itemChanged.connect(self._checked)
        self.control = FilterList(self.filter, self.list)

    def _list_names(self):
        """List the layer's region names as they are now (a label table chosen renames them)."""
        self.names = list(self.object.names)
        self.list.blockSignals(True)
        self.list.clear()
        for region in self.names:
            item = QtWidgets.QListWidgetItem(str(region))
            item.setFlags(item.flags() | QtCore.Qt.ItemIsUserCheckable)
            item.setCheckState(QtCore.Qt.Checked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._filter(self.filter.text())

    def _filter(self, text):
        text = text.strip().lower()
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setHidden(bool(text) and text not in item.text().lower())

    def _entered(self):
        text = self.filter.text().strip()
        self.value = [text] if text else None

    def _checked(self, item):
        checked = [self.names[row] for row in range(self.list.count())
                   if self.list.item(row).checkState() == QtCore.Qt.Checked]
        self.value = None if len(checked) == len(self.names) else checked

    def show_value(self):
        if list(self.object.names) != self.names:
            self._list_names()
        shown = set(self.object.shown)
        self.list.blockSignals(True)
        for row, region in enumerate(self.names):
            self.list.item(row).setCheckState(QtCore.Qt.Checked if region in shown else QtCore.Qt.Unchecked)
        self.list.blockSignals(False)


def _factory(editor_class):
    return type(f"{editor_class.__name__}Factory", (BasicEditorFactory,), {"klass": editor_class})


#: kind -> the factory class of the editors written here.
FACTORIES = {"tristate": _factory(TriStateEditor), "slider": _factory(SliderEditor),
             "range": _factory(PairEditor), "cmap": _factory(CmapEditor), "color": _factory(ColorEditor),
             "checklist": _factory(ChecklistEditor), "file": _factory(FileEditor),
             "region_colors": _factory(RegionColorsEditor),
             "fixed": _factory(FixedEditor)}


def editor_key(layer, name):
    """What decides the editor :func:`editor_for` gives ``layer.name`` (equal keys: equal editors).

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> editor_key(Slices((np.ones((3, 3, 3)), np.eye(4))), "axes")
    ('choice', ('xyz', 'x', 'y', 'z', 'xy', 'xz', 'yz'))
    """
    kind = editor_kind(layer, name)
    if kind == "check":
        return "tristate" if getattr(layer, name) is None or _optional_bool(layer, name) else "check"
    if kind == "choice":
        return kind, tuple(_choices(layer, name))
    if kind == "number":
        return kind, isinstance(getattr(layer, name), (int, np.integer))
    return kind


def _choices(layer, name):
    choices = list(layer.trait(name).choices)
    current = getattr(layer, name)
    if not any(_same(current, choice) for choice in choices):  # set outside the list: shown too
        try:
            hash(current)
        except TypeError:  # a list or an array: TraitsUI's combo box shows no current choice
            return choices
        choices.append(current)
    return choices


def editor_for(layer, name):
    """The TraitsUI editor factory for ``layer.name`` (see the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> layer = Slices((np.ones((3, 3, 3)), np.eye(4)))
    >>> [type(editor_for(layer, n)).__name__ for n in ("visible", "axes", "name", "x", "cmap")]
    ['BooleanEditor', 'EnumEditor', 'TextEditor', 'SliderEditorFactory', 'CmapEditorFactory']
    """
    key = editor_key(layer, name)
    kind = key[0] if isinstance(key, tuple) else key
    if kind == "check":
        return BooleanEditor()
    if kind == "choice":
        # "N:label" keeps the metadata's order (TraitsUI sorts a mapping by its labels).
        return EnumEditor(values={c: f"{i:03d}:{'auto' if c is None else c}" for i, c in enumerate(key[1])})
    if kind == "text":
        return TextEditor(auto_set=False, enter_set=True)
    if kind == "number":
        return TextEditor(auto_set=False, enter_set=True, format_func=format_number,
                          evaluate=functools.partial(parse_number, integer=key[1]))
    if kind == "literal":
        return TextEditor(auto_set=False, enter_set=True, format_func=repr, evaluate=literal)
    return FACTORIES.get(kind, FACTORIES["fixed"])()


def _optional_bool(layer, name):
    from ..layers.base import check_optional_bool

    return getattr(layer.trait(name).trait_type, "_check", None) is check_optional_bool


def _same(a, b):
    return a is b or (type(a) is type(b) and not isinstance(a, np.ndarray) and bool(a == b))
