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

from PyQt5 import QtCore, QtWidgets

from .editors import (
    CMAPS,
    EDITORS,
    CheckEditor,
    ChecklistEditor,
    ChoiceEditor,
    CmapEditor,
    ColorEditor,
    Editor,
    FileEditor,
    FixedEditor,
    LiteralEditor,
    NumberEditor,
    RangeEditor,
    SliderEditor,
    TextEditor,
)
from .hints import FIRST, data_range, editor_kind, panel_traits, switches, trait_range
from .widgets import ComboBox, NumberField, Slider, cmap_icon, colors_hex, format_number

#: The panel's names, the editors' and the hints' included (``panel.SliderEditor``).
__all__ = ["CMAPS", "EDITORS", "FIRST", "CheckEditor", "ChecklistEditor", "ChoiceEditor", "CmapEditor",
           "ColorEditor", "ComboBox", "Editor", "FileEditor", "FixedEditor", "LayerPanel", "LiteralEditor",
           "NumberEditor", "NumberField", "RangeEditor", "Slider", "SliderEditor", "TextEditor", "cmap_icon",
           "colors_hex", "data_range", "edit_layer", "editor_kind", "format_number", "panel_traits",
           "switches", "trait_range"]


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
