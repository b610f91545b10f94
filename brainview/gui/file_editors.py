"""The property panel's editors of data and files: what a layer holds, an atlas's region colours.

:class:`FileEditor` shows a data parameter (a file or an array in memory) with a
button to choose a file; :class:`RegionColorsEditor` an atlas's ``colors``: a
``{region: colour}`` dict typed as in a script, or a label table file;
:class:`FixedEditor` a value the panel cannot edit. See :mod:`brainview.gui.editors`.
"""

from __future__ import annotations

from pathlib import Path

from PyQt5 import QtCore, QtWidgets

from .editor_base import LayerEditor, literal  # first: it readies Qt for TraitsUI's toolkit

from traits.api import Any  # noqa: E402, I001

from .colour_files import choose_region_file  # noqa: E402
from .widgets import describe  # noqa: E402

__all__ = ["FileEditor", "FixedEditor", "RegionColorsEditor"]

_FILE_FILTER = ("Brain images, surfaces and tables (*.nii *.nii.gz *.mgz *.mgh *.mnc *.gii *.gii.gz "
                "*.pial *.white *.inflated *.sphere *.thickness *.curv *.sulc *.npy *.csv *.txt *.tsv "
                "*.lut *.ctab *.cmap);;"
                "All files (*)")


class FileEditor(LayerEditor):
    """Data: what the layer holds, and a button to choose a file instead (arrays: from a script)."""

    #: What the layer holds; the button that opens the file dialog.
    label, button = Any(), Any()

    def init(self, parent):
        self.label = QtWidgets.QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.button = QtWidgets.QPushButton("File…")
        self.button.setToolTip(f"Load {self.name} from a file (in-memory data is set from a script)")
        self.button.clicked.connect(self._clicked)
        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self.control = QtWidgets.QWidget()
        self.control.setLayout(row)
        self.control.setFocusProxy(self.button)

    def _clicked(self, checked=False):
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self.button, f"Choose {self.name}", "", _FILE_FILTER)
        if path:
            self.value = path

    def show_value(self):
        value = self.value
        text = Path(value).name if isinstance(value, (str, Path)) and Path(value).suffix else describe(value)
        self.label.setText(text)
        self.label.setToolTip(str(value) if isinstance(value, (str, Path)) else text)


class RegionColorsEditor(LayerEditor):
    """An atlas's region colours: a ``{region: colour}`` dict typed as in a script, or a label table file.

    Enter in the field sets the typed dict ("" for none); "Colour file…" sets the trait to the
    chosen file's ``Path`` (FSLeyes ``.lut``, FreeSurfer ColorLUT, CSV/TSV tables), which the
    atlas reads; a scene file keeps it as a file reference with its SHA-256.
    """

    #: The typed dict's field; the button that opens the file dialog.
    field, button = Any(), Any()

    def init(self, parent):
        self.field = QtWidgets.QLineEdit()
        self.field.setPlaceholderText("{'region': 'red'} or a colour file")
        self.field.returnPressed.connect(self._typed)
        self.button = QtWidgets.QPushButton("Colour file…")
        self.button.setToolTip("Recolour the regions from a label table: FSLeyes .lut, FreeSurfer "
                               "ColorLUT .txt, CSV/TSV table (rows of other labels are ignored)")
        self.button.clicked.connect(self._clicked)
        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.field, 1)
        row.addWidget(self.button)
        self.control = QtWidgets.QWidget()
        self.control.setLayout(row)
        self.control.setFocusProxy(self.field)

    def _typed(self):
        self.value = literal(self.field.text())

    def _clicked(self, checked=False):
        path = choose_region_file(self.button, self.name)
        if path is not None:
            self.value = path

    def show_value(self):
        value = self.value
        is_file = isinstance(value, (str, Path)) and bool(Path(value).suffix)
        self.field.setText(Path(value).name if is_file else "" if value is None else repr(value))
        self.field.setToolTip(str(value) if is_file else "")
        self.field.setCursorPosition(0)


class FixedEditor(LayerEditor):
    """A value the panel cannot edit: say so, and how to change it."""

    def init(self, parent):
        self.control = QtWidgets.QLabel()
        self.control.setWordWrap(True)

    def show_value(self):
        self.control.setText(f"{describe(self.value)} — not editable here: set layer.{self.name} from a script")
