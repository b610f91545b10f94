"""The editors of the property panel: one class per kind of trait editor.

An editor shows one layer trait in a widget and writes what the user types,
slides, clicks or chooses back to the layer through its panel
(:meth:`brainview.gui.panel.LayerPanel.write`, which shows a refused value
beside the field). ``refresh()`` shows the layer's current value with the
widget's signals blocked: showing is not editing. :data:`EDITORS` maps the
kind :func:`brainview.gui.hints.editor_kind` gives a trait to its class.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import numpy as np
from PyQt5 import QtCore, QtGui, QtWidgets

from .. import colors
from .hints import shown_value, trait_range
from .widgets import (
    SWATCH,
    ComboBox,
    NumberField,
    Slider,
    cmap_icon,
    color_icon,
    colors_hex,
    describe,
    format_number,
    parse_number,
)

#: Colormaps offered in the panel (any matplotlib name works from a script).
CMAPS = ("gray", "hot", "cold_hot", "cold_white_hot", "RdBu_r", "coolwarm", "bwr", "viridis",
         "plasma", "inferno", "magma", "cividis", "afmhot", "bone", "Reds", "Blues", "Greens",
         "jet", "tab20")

_SLIDER_STEPS = 1000
_FILE_FILTER = ("Brain images, surfaces and tables (*.nii *.nii.gz *.mgz *.mgh *.mnc *.gii *.gii.gz "
                "*.pial *.white *.inflated *.sphere *.thickness *.curv *.sulc *.npy *.csv *.txt *.tsv);;"
                "All files (*)")


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
            self.write(parse_number(text, integer=self.integer))

    def _auto_clicked(self, checked=False):
        if checked:
            self.write(None)
        else:
            self.write(self._to_value(self.slider.value()))

    def refresh(self):
        value = self.value
        numbers = shown_value(self.layer, self.name)
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
        number = parse_number(text, integer=False)
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
        self.control.setIconSize(SWATCH)
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
            self.control.setText(describe(self.value) if np.ndim(self.value) == 0 else "per item")
        else:
            self.control.setIcon(color_icon(rgb))
            self.control.setText(colors_hex(rgb))


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
        return parse_number(text, integer=isinstance(self.value, (int, np.integer)))

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
        text = Path(value).name if isinstance(value, (str, Path)) and Path(value).suffix else describe(value)
        self.label.setText(text)
        self.label.setToolTip(str(value) if isinstance(value, (str, Path)) else text)


class FixedEditor(Editor):
    """A value the panel cannot edit: say so, and how to change it."""

    def __init__(self, panel, name):
        super().__init__(panel, name)
        self.widget = self.control = QtWidgets.QLabel()
        self.control.setWordWrap(True)

    def refresh(self):
        self.control.setText(f"{describe(self.value)} — not editable here: set layer.{self.name} from a script")


EDITORS = {
    "check": CheckEditor, "slider": SliderEditor, "range": RangeEditor, "cmap": CmapEditor,
    "color": ColorEditor, "choice": ChoiceEditor, "checklist": ChecklistEditor, "text": TextEditor,
    "number": NumberEditor, "literal": LiteralEditor, "file": FileEditor, "fixed": FixedEditor,
}
