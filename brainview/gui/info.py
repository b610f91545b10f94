"""Overlay information: what the selected layer's image is (FSLeyes' "Overlay information").

:func:`layer_info` reads it from the layer's public API (``layer.image``,
``layer.get_params()``, ``layer.data_params``) and from the header of the
file the layer was opened from (read without its voxels): the source, the
data type in the file and as drawn, the shape, the voxel size, the affine
with its qform/sform codes, every header field and the value range; for
4-D data, the number of volumes (the one shown) or of probability maps, and
the time between volumes. :class:`InfoDialog` shows it for the window's
selected layer and follows the selection and the volume shown.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Slices
>>> info = layer_info(Slices((np.arange(24.0).reshape(2, 3, 4), np.eye(4)), name="ramp"))
>>> info["source"], info["shape"], info["range"]
('in-memory array', (2, 3, 4), (0.0, 23.0))
>>> info["header"]
{}
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt5 import QtCore, QtWidgets, sip

_NO_IMAGE = "This layer has no image (a surface, points or a network): nothing to show here."


def _source(layer):
    """``(text, header or None)``: where the layer's image came from, and that file's header."""
    params = layer.get_params()
    names = getattr(layer, "data_params", ())
    value = params.get(names[0]) if names else None
    if isinstance(value, (str, Path)):
        import nibabel

        try:
            return str(value), nibabel.load(str(value)).header  # the header only: no voxel is read
        except Exception as error:  # a file nibabel cannot read: the rest is still shown
            return f"{value} (header unreadable: {type(error).__name__}: {error})", None
    header = getattr(value, "header", None)
    call = _dataset_call(value)
    if call is not None:  # a dataset loader's image (the MNI template under a map): the call that made it
        return call, header
    if header is not None:  # a nibabel image
        filename = value.get_filename() if hasattr(value, "get_filename") else None
        return (filename or f"in-memory {type(value).__name__}"), header
    return "in-memory array", None


def _dataset_call(value):
    """``"bv.datasets.load_mni152(resolution=1)"`` for data a dataset loader made, else None."""
    from ..datasets import dataset_call

    found = dataset_call(value) if value is not None else None
    if found is None:
        return None
    loader, kwargs, item = found
    call = f"bv.datasets.{loader}({', '.join(f'{key}={value!r}' for key, value in kwargs.items())})"
    return call if item is None else f"{call}[{item!r}]"


def _codes(header):
    """``{"qform_code": ..., "sform_code": ...}`` of a NIfTI header (named, e.g. ``'1 (scanner)'``)."""
    codes = {}
    for name, getter in (("qform_code", "get_qform"), ("sform_code", "get_sform")):
        if hasattr(header, getter):
            code = int(header[name])
            label = header.get_value_label(name) if hasattr(header, "get_value_label") else ""
            codes[name] = f"{code} ({label})" if label else str(code)
    return codes


def _header_fields(header):
    """Every field of a header as text, in the header's order."""
    if header is None:
        return {}
    fields = {}
    for key in header.keys():
        value = np.asarray(header[key])
        text = value.tobytes().rstrip(b"\0").decode("latin-1") if value.dtype.kind == "S" else \
            np.array2string(value, precision=4, separator=", ", max_line_width=120)
        fields[str(key)] = text
    return fields


def _stack(layer, header):
    """``{"volumes", "volume", "stacked", "volume_spacing"}`` of 4-D data (empty for one volume).

    A series (``n_volumes > 1``) counts its volumes and names the one shown; a
    probabilistic atlas counts its maps (one per region). The time between
    volumes is the header's fourth voxel size, with its unit (NIfTI).
    """
    if getattr(layer, "probabilistic", False):
        return {"volumes": len(layer.map_regions), "volume": None, "stacked": "maps", "volume_spacing": None}
    count = getattr(layer, "n_volumes", None)
    if not isinstance(count, int) or count < 2:
        return {}
    spacing = None
    zooms = header.get_zooms() if header is not None and hasattr(header, "get_zooms") else ()
    if len(zooms) > 3 and zooms[3] > 0:
        unit = header.get_xyzt_units()[1] if hasattr(header, "get_xyzt_units") else "unknown"
        spacing = f"{float(zooms[3]):.4g}" + ("" if unit == "unknown" else f" {unit}")
    return {"volumes": count, "volume": layer.volume, "stacked": "volumes", "volume_spacing": spacing}


def layer_info(layer):
    """A dict describing a layer's image: what :class:`InfoDialog` shows.

    Keys: ``name``, ``kind``, ``source`` (the file path, or how it was
    given), ``dtype`` (as drawn), ``file_dtype`` (in the file, or None),
    ``shape``, ``voxel_size`` (mm), ``affine`` (4 x 4 array), ``qform_code``
    and ``sform_code`` (NIfTI files), ``header`` (field -> text, empty
    without a file), ``range`` (finite min, max; None when nothing is
    finite). 4-D data adds ``volumes`` (how many volumes or maps),
    ``volume`` (the one shown; None for maps), ``stacked`` (``"volumes"`` or
    ``"maps"``) and ``volume_spacing`` (text, or None), and its ``shape`` has
    four numbers. A layer without an image gives ``name``, ``kind`` and ``note``.
    """
    info = {"name": layer.name, "kind": layer.kind}
    image = getattr(layer, "image", None)
    if image is None:
        info["note"] = _NO_IMAGE
        return info
    source, header = _source(layer)
    data = image.data
    finite = data[np.isfinite(data)] if data.dtype.kind == "f" else data
    info.update(
        source=source,
        dtype=str(data.dtype),
        file_dtype=str(header.get_data_dtype()) if header is not None and hasattr(header, "get_data_dtype")
        else None,
        shape=tuple(int(n) for n in image.shape),
        voxel_size=tuple(float(v) for v in image.voxel_sizes),
        affine=np.array(image.affine, dtype=float),
        header=_header_fields(header),
        range=(float(finite.min()), float(finite.max())) if finite.size else None,
    )
    info.update(_codes(header) if header is not None else {})
    stack = _stack(layer, header)
    if stack:
        info.update(stack, shape=info["shape"][:3] + (stack["volumes"],))
    return info


def _rows(info):
    """``[(label, text), ...]`` of the summary shown above the header table."""
    if "note" in info:
        return [("Layer", f"{info['name']} ({info['kind']})"), ("", info["note"])]
    low_high = "nothing finite" if info["range"] is None else f"{info['range'][0]:.6g} to {info['range'][1]:.6g}"
    rows = [("Layer", f"{info['name']} ({info['kind']})"), ("File", info["source"]),
            ("Data type", info["dtype"] + (f" (file: {info['file_dtype']})" if info["file_dtype"] else "")),
            ("Shape", " x ".join(str(n) for n in info["shape"])),
            ("Voxel size", " x ".join(f"{v:.4g}" for v in info["voxel_size"]) + " mm"),
            ("Value range", low_high + _range_of(info))]
    if info.get("stacked") == "volumes":
        rows.insert(4, ("Volumes", f"{info['volumes']} (showing volume {info['volume']})"))
        if info["volume_spacing"]:
            rows.insert(5, ("Time between volumes", info["volume_spacing"]))
    elif info.get("stacked") == "maps":
        rows.insert(4, ("Maps", f"{info['volumes']} probability maps (one per region)"))
    for key in ("qform_code", "sform_code"):
        if key in info:
            rows.append((key, info[key]))
    rows.append(("Affine", np.array2string(info["affine"], precision=3, suppress_small=True)))
    return rows


def _range_of(info):
    """What the value range was read from, for 4-D data: the volume shown, or the first map."""
    if info.get("stacked") == "volumes":
        return f" (volume {info['volume']})"
    return " (first map)" if info.get("stacked") == "maps" else ""


class InfoDialog(QtWidgets.QDialog):
    """A non-modal dialog with :func:`layer_info` of one layer: a summary and a table of header fields."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Overlay information")
        self.info = None
        self._layer = None  # followed while shown: another volume changes the summary
        self.form = QtWidgets.QFormLayout()
        self.header_table = QtWidgets.QTableWidget(0, 2)
        self.header_table.setHorizontalHeaderLabels(["field", "value"])
        self.header_table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.header_table.verticalHeader().hide()
        self.header_table.horizontalHeader().setStretchLastSection(True)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(QtWidgets.QLabel("Header"))
        layout.addWidget(self.header_table, 1)
        self.resize(520, 560)
        closed = getattr(parent, "closed", None)  # the window: its layers outlive it
        if closed is not None:
            closed.connect(lambda: self._follow(None))

    def show_layer(self, layer):
        """Show a layer's information (None: say that no layer is selected); follow its volume."""
        self._follow(layer)
        while self.form.rowCount():
            self.form.removeRow(0)
        if layer is None:
            self.info = None
            self.form.addRow(QtWidgets.QLabel("No layer selected."))
            self.header_table.setRowCount(0)
            return
        self.info = layer_info(layer)
        for label, text in _rows(self.info):
            value = QtWidgets.QLabel(text)
            value.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
            value.setWordWrap(True)
            if label == "Affine":
                value.setStyleSheet("font-family: monospace")
            self.form.addRow(label, value)
        fields = self.info.get("header", {})
        self.header_table.setRowCount(len(fields))
        for row, (key, text) in enumerate(fields.items()):
            self.header_table.setItem(row, 0, QtWidgets.QTableWidgetItem(key))
            self.header_table.setItem(row, 1, QtWidgets.QTableWidgetItem(text))

    def _follow(self, layer):
        if self._layer is not None:
            self._layer.observe(self._on_volume, "volume", remove=True)
        self._layer = layer if layer is not None and layer.trait("volume") is not None else None
        if self._layer is not None:
            self._layer.observe(self._on_volume, "volume")

    def _on_volume(self, event):
        if sip.isdeleted(self):  # gone with a window that never said it closed
            event.object.observe(self._on_volume, "volume", remove=True)
            return
        if self._layer is not None and self.isVisible():
            self.show_layer(self._layer)

    def showEvent(self, event):
        super().showEvent(event)
        if self._layer is not None:
            self.show_layer(self._layer)  # the volume may have changed while hidden

    def done(self, result):
        self._follow(None)  # closed: stop following (show_layer follows again)
        super().done(result)

    def text(self):
        """Everything shown, as plain text (label: value lines, then the header fields)."""
        lines = []
        for row in range(self.form.rowCount()):
            label = self.form.itemAt(row, QtWidgets.QFormLayout.LabelRole)
            field = self.form.itemAt(row, QtWidgets.QFormLayout.FieldRole) or \
                self.form.itemAt(row, QtWidgets.QFormLayout.SpanningRole)
            parts = [item.widget().text() for item in (label, field) if item is not None and item.widget()]
            lines.append(": ".join(parts))
        for row in range(self.header_table.rowCount()):
            lines.append(f"{self.header_table.item(row, 0).text()} = {self.header_table.item(row, 1).text()}")
        return "\n".join(lines)
