"""A lightbox view: a grid of slices of every image layer along one world axis.

FSLeyes' lightbox: the slices of one axis (axial by default) side by side,
``columns`` to a row, each drawn as the linked 2-D views draw them
(:func:`~brainview.planes.layer_plane` of every visible image layer,
composited by :func:`~brainview.planes.compose`, on one
:func:`~brainview.planes.plane_grid`). The slices are ``slices`` planes
``spacing`` mm apart, centred on the images (``spacing`` 0: spread evenly
over the images). A cursor move samples nothing; a layer's change samples
that layer again, on every slice. Clicking a slice moves the shared
:class:`~brainview.planes.Cursor` there, the slice's position included; the
slice that holds the cursor is framed and shows the crosshair.

Examples
--------
>>> slice_positions((0.0, 90.0), slices=4, spacing=0.0)
(0.0, 30.0, 60.0, 90.0)
>>> slice_positions((0.0, 90.0), slices=3, spacing=10.0)
(35.0, 45.0, 55.0)
"""

from __future__ import annotations

import traceback

import numpy as np
from PyQt5 import QtCore, QtGui, QtWidgets
from traits.observation.api import anytrait

from ..errors import BrainviewValueError, check_number
from ..planes import (PLANES, Cursor, compose, image_bounds, image_layers, layer_plane, orientation_labels,
                      plane_grid)
from .guards import on_gui_thread

LIGHTBOX_PLANES = ("axial", "coronal", "sagittal")
#: Traits whose change leaves every slice's colours as they were (the cursor moving the 3-D planes...).
_UNCHANGED = frozenset({"coords", "x", "y", "z", "axes", "name", "actor", "trait_added"})
_CURSOR_COLOR = QtGui.QColor(80, 255, 80, 190)
_FRAME_COLOR = QtGui.QColor(255, 200, 0)


def slice_positions(extent, *, slices, spacing=0.0):
    """mm positions of ``slices`` planes along one axis of ``extent = (low, high)`` mm.

    ``spacing`` 0 spreads them evenly from ``low`` to ``high``; otherwise they
    are ``spacing`` mm apart, centred on the extent.

    Examples
    --------
    >>> slice_positions((-10.0, 10.0), slices=1)
    (0.0,)
    >>> slice_positions((0.0, 1.0), slices=0)
    Traceback (most recent call last):
    ...
    brainview.errors.BrainviewValueError: slices: expected an integer >= 1, got 0.
    """
    if isinstance(slices, bool) or not isinstance(slices, (int, np.integer)) or slices < 1:
        raise BrainviewValueError(f"slices: expected an integer >= 1, got {slices!r}.")
    spacing = check_number(spacing, "spacing", minimum=0)
    low, high = (float(v) for v in extent)
    if slices == 1:
        return ((low + high) / 2,)
    if spacing == 0:
        return tuple(float(v) for v in np.linspace(low, high, slices))
    centre = (low + high) / 2
    return tuple(float(centre + (index - (slices - 1) / 2) * spacing) for index in range(slices))


def _as_qimage(tile):
    """``(tile, QImage)``: a PlaneImage and a copy of its pixels for Qt."""
    rgba = np.ascontiguousarray(tile.rgba)
    rows, cols = rgba.shape[:2]
    return tile, QtGui.QImage(rgba.data, cols, rows, 4 * cols, QtGui.QImage.Format_RGBA8888).copy()


class LightboxCanvas(QtWidgets.QWidget):
    """Paints the tiles of a :class:`LightboxView` and turns clicks into cursor moves."""

    def __init__(self, lightbox, parent=None):
        super().__init__(parent)
        self.lightbox = lightbox
        self.setMinimumSize(160, 120)
        self.setToolTip("Lightbox: click a slice to move the cursor there")

    def tile_rects(self):
        """One QRectF per tile (the slice's image fitted in its cell), in slice order."""
        tiles = self.lightbox.tiles
        if not tiles:
            return []
        columns = max(1, min(self.lightbox.columns, len(tiles)))
        rows = -(-len(tiles) // columns)
        cell_w, cell_h = self.width() / columns, self.height() / rows
        img_rows, img_cols = tiles[0].rgba.shape[:2]
        scale = max(min(cell_w / img_cols, cell_h / img_rows), 1e-6)
        rects = []
        for index in range(len(tiles)):
            row, col = divmod(index, columns)
            x0 = col * cell_w + (cell_w - img_cols * scale) / 2
            y0 = row * cell_h + (cell_h - img_rows * scale) / 2
            rects.append(QtCore.QRectF(x0, y0, img_cols * scale, img_rows * scale))
        return rects

    def paintEvent(self, event):
        painter = QtGui.QPainter(self)
        try:
            painter.fillRect(self.rect(), QtCore.Qt.black)
            if self.lightbox.error is not None or not self.lightbox.tiles:
                text = self.lightbox.error or "No image layer"
                painter.setPen(QtGui.QColor("#ff8a80" if self.lightbox.error else "gray"))
                painter.drawText(self.rect(), int(QtCore.Qt.AlignCenter | QtCore.Qt.TextWordWrap), text)
            else:
                self._paint_tiles(painter)
        finally:
            painter.end()

    def _paint_tiles(self, painter):
        painter.setRenderHint(QtGui.QPainter.SmoothPixmapTransform, False)
        cursor = self.lightbox.cursor.position
        current = self.lightbox.current_tile()
        font = painter.font()
        font.setPointSize(8)
        painter.setFont(font)
        for index, (tile, rect, qimage) in enumerate(zip(self.lightbox.tiles, self.tile_rects(),
                                                         self.lightbox.qimages)):
            painter.drawImage(rect, qimage)
            painter.setPen(QtGui.QColor("lightgray"))
            axis = "xyz"[tile.axes[0]]
            painter.drawText(rect.adjusted(2, 0, 0, -1), int(QtCore.Qt.AlignBottom | QtCore.Qt.AlignLeft),
                             f"{axis}={tile.position:.0f}")
            if index == 0:  # the letters once: every slice has the same orientation
                self._paint_letters(painter, rect)
            if index == current:
                col, row = tile.pixel_of(cursor)
                scale = rect.width() / tile.rgba.shape[1]
                x, y = rect.left() + (col + 0.5) * scale, rect.top() + (row + 0.5) * scale
                painter.setPen(QtGui.QPen(_CURSOR_COLOR, 1))
                painter.drawLine(QtCore.QPointF(rect.left(), y), QtCore.QPointF(rect.right(), y))
                painter.drawLine(QtCore.QPointF(x, rect.top()), QtCore.QPointF(x, rect.bottom()))
                painter.setPen(QtGui.QPen(_FRAME_COLOR, 2))
                painter.drawRect(rect)

    def _paint_letters(self, painter, rect):
        letters = self.lightbox.orientation()
        painter.setPen(QtGui.QColor("white"))
        inner = rect.adjusted(2, 1, -2, -1)
        for side, align in (("left", QtCore.Qt.AlignLeft | QtCore.Qt.AlignVCenter),
                            ("right", QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter),
                            ("top", QtCore.Qt.AlignTop | QtCore.Qt.AlignHCenter)):
            painter.drawText(inner, int(align), letters[side])

    def world_at(self, pos):
        """World ``(x, y, z)`` mm under a widget position (the slice's own position along its axis), or None."""
        for tile, rect in zip(self.lightbox.tiles, self.tile_rects()):
            if rect.contains(QtCore.QPointF(pos)):
                scale = rect.width() / tile.rgba.shape[1]
                col = (pos.x() - rect.left()) / scale - 0.5
                row = (pos.y() - rect.top()) / scale - 0.5
                return tile.world_of(col, row)
        return None

    def widget_pos_of(self, index, xyz):
        """Widget position (QPointF) of a world point projected on tile ``index``."""
        tile, rect = self.lightbox.tiles[index], self.tile_rects()[index]
        col, row = tile.pixel_of(xyz)
        scale = rect.width() / tile.rgba.shape[1]
        return QtCore.QPointF(rect.left() + (col + 0.5) * scale, rect.top() + (row + 0.5) * scale)

    def mousePressEvent(self, event):
        if event.button() == QtCore.Qt.LeftButton:
            xyz = self.world_at(event.pos())
            if xyz is not None:
                self.lightbox.move_cursor(xyz)


class LightboxView(QtWidgets.QWidget):
    """Slices along one axis in a grid, with controls for the axis, the slices, the spacing and the columns.

    Attributes
    ----------
    figure : Figure
    cursor : brainview.planes.Cursor
        Shared with the linked 2-D views in the app.
    tiles : list of PlaneImage
        The slices shown, in order (left to right, top to bottom); a slice
        not sampled yet is transparent (see :attr:`pending`).
    error : str or None
        Why the slices cannot be drawn (shown in place of them).
    """

    def __init__(self, figure, parent=None, *, cursor=None):
        super().__init__(parent)
        self.figure = figure
        self.cursor = cursor if cursor is not None else Cursor()
        self.radiological = False
        self.tiles, self.qimages, self.error = [], [], None
        self._dirty = True
        self._detached = False
        self._watched, self._echoes = set(), set()
        self._versions = {}  # layer -> count of its changes that alter its colours
        self._planes = {}  # (layer, position) -> (grid, version, plane): sampled again only when either changed
        self._build_controls()
        self.canvas = LightboxCanvas(self)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self._controls)
        layout.addWidget(self.canvas, 1)
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        self._step_timer = QtCore.QTimer(self)  # samples one slice per turn of the event loop
        self._step_timer.setSingleShot(True)
        self._step_timer.setInterval(0)
        self._step_timer.timeout.connect(self._step)
        self._todo, self._grids, self._layers = [], [], []
        self.cursor.observe(self._on_cursor, "position")
        figure.observe(self._on_figure, "layers.items")
        self._on_figure(None)

    def _build_controls(self):
        self._controls = QtWidgets.QHBoxLayout()
        self.axis_box = QtWidgets.QComboBox()
        self.axis_box.addItems(LIGHTBOX_PLANES)
        self.slices_spin = QtWidgets.QSpinBox()
        self.slices_spin.setRange(1, 400)
        self.slices_spin.setValue(12)
        self.spacing_spin = QtWidgets.QDoubleSpinBox()
        self.spacing_spin.setRange(0.0, 1000.0)
        self.spacing_spin.setDecimals(1)
        self.spacing_spin.setSuffix(" mm")
        self.spacing_spin.setSpecialValueText("even")
        self.columns_spin = QtWidgets.QSpinBox()
        self.columns_spin.setRange(1, 40)
        self.columns_spin.setValue(4)
        for label, widget, tip in (("Axis", self.axis_box, "The axis the slices cut"),
                                   ("Slices", self.slices_spin, "How many slices"),
                                   ("Spacing", self.spacing_spin,
                                    "mm between slices ('even': spread over the images)"),
                                   ("Columns", self.columns_spin, "Slices per row")):
            widget.setToolTip(tip)
            self._controls.addWidget(QtWidgets.QLabel(label))
            self._controls.addWidget(widget)
        self._controls.addStretch(1)
        self.axis_box.currentIndexChanged.connect(lambda index: self._schedule())
        self.slices_spin.valueChanged.connect(lambda value: self._schedule())
        self.spacing_spin.valueChanged.connect(lambda value: self._schedule())
        self.columns_spin.valueChanged.connect(lambda value: self.canvas.update())

    # ------------------------------------------------------------ settings

    @property
    def axis(self):
        """The plane of the slices: ``"axial"``, ``"coronal"`` or ``"sagittal"``."""
        return self.axis_box.currentText()

    @property
    def columns(self):
        return self.columns_spin.value()

    def configure(self, *, axis=None, slices=None, spacing=None, columns=None):
        """Set any of the axis, the number of slices, their spacing (mm, 0: even) and the columns.

        Each goes through its control, as if typed; a value the control
        cannot take is refused with :class:`~brainview.errors.BrainviewValueError`.
        """
        if axis is not None:
            if axis not in LIGHTBOX_PLANES:
                raise BrainviewValueError(f"axis: expected one of {LIGHTBOX_PLANES}, got {axis!r}; "
                                          "pick one of those.")
            self.axis_box.setCurrentText(axis)
        for name, value, spin in (("slices", slices, self.slices_spin), ("spacing", spacing, self.spacing_spin),
                                  ("columns", columns, self.columns_spin)):
            if value is None:
                continue
            if not spin.minimum() <= value <= spin.maximum():
                raise BrainviewValueError(f"{name}: expected a value from {spin.minimum()} to "
                                          f"{spin.maximum()}, got {value!r}.")
            spin.setValue(value)

    def settings(self):
        """The settings :meth:`configure` takes, as plain values (what a saved session keeps).

        Examples
        --------
        >>> view.configure(axis="coronal", slices=6)  # doctest: +SKIP
        >>> view.settings()  # doctest: +SKIP
        {'axis': 'coronal', 'slices': 6, 'spacing': 0.0, 'columns': 4}
        """
        return {"axis": self.axis, "slices": self.slices_spin.value(), "spacing": self.spacing_spin.value(),
                "columns": self.columns}

    def positions(self, layers=None):
        """mm positions of the slices along the axis's normal, for the current settings."""
        layers = image_layers(self.figure) if layers is None else layers
        normal = PLANES[self.axis][0]
        box = image_bounds(layers)
        return slice_positions((box[2 * normal], box[2 * normal + 1]), slices=self.slices_spin.value(),
                               spacing=self.spacing_spin.value())

    # ------------------------------------------------------------ cursor

    def move_cursor(self, xyz):
        """Put the shared cursor at world ``xyz`` mm (the 2-D views and 3-D planes follow)."""
        self.cursor.position = tuple(float(c) for c in xyz)

    def current_tile(self):
        """Index of the slice nearest the cursor along the axis, if within half a spacing of it; else None."""
        if not self.tiles:
            return None
        normal = self.tiles[0].axes[0]
        where = np.array([tile.position for tile in self.tiles])
        index = int(np.argmin(np.abs(where - self.cursor.position[normal])))
        gap = np.min(np.diff(where)) if len(where) > 1 else np.inf
        return index if abs(where[index] - self.cursor.position[normal]) <= max(gap / 2, 1e-6) else None

    @on_gui_thread
    def _on_cursor(self, event):
        self.canvas.update()

    # ------------------------------------------------------------ figure -> tiles

    @on_gui_thread
    def _on_figure(self, event):
        if self._detached:
            return
        layers = set(self.figure.layers)
        for layer in self._watched - layers:
            layer.observe(self._on_layer_trait, anytrait(), remove=True)
            self._versions.pop(layer, None)
        self._planes = {key: entry for key, entry in self._planes.items() if key[0] in layers}
        for layer in layers - self._watched:
            layer.observe(self._on_layer_trait, anytrait())
        self._watched = layers
        self._schedule()

    @on_gui_thread
    def _on_layer_trait(self, event):
        # Moving the 3-D planes (the cursor does, in the app) leaves every slice as it was.
        if event.name.startswith("_") or event.name in _UNCHANGED:
            self._echoes.add(event.object)
            return
        if event.name == "updated" and event.object in self._echoes:
            self._echoes.discard(event.object)  # the echo of a move of its 3-D planes
            return
        if event.name not in ("visible", "opacity"):  # those two composite again, sampling nothing
            self._versions[event.object] = self._versions.get(event.object, 0) + 1
        self._schedule()

    def _schedule(self):
        self._dirty = True
        self._timer.start()

    def refresh(self):
        """Start sampling the slices again when something changed and the view is shown.

        The slices are sampled one per turn of the event loop (:attr:`pending`
        until the last is in): the window answers between them. Errors are
        shown in place of the slices, never raised.
        """
        if self._detached or self.figure.closed or not self._dirty or not self.isVisible():
            return
        self._dirty = False
        try:
            self._start()
            self.error = None
        except Exception as error:  # a broken layer must not end the app: show why
            self._fail(error)
        self.canvas.update()

    @property
    def pending(self):
        """True while a change waits to be drawn or slices remain to be sampled."""
        return self._dirty and self.isVisible() or bool(self._todo)

    def _fail(self, error):
        self.tiles, self.qimages, self._todo = [], [], []
        self.error = f"Lightbox: {type(error).__name__}: {error}"
        traceback.print_exc()

    def _start(self):
        """Lay out the slices (the old pictures stay until their new ones are sampled) and queue them."""
        layers = image_layers(self.figure)
        old = {(tile.plane, tile.position): (tile, qimage) for tile, qimage in zip(self.tiles, self.qimages)}
        self.tiles, self.qimages, self._todo = [], [], []
        if not layers:
            return
        bounds = image_bounds(layers)
        self._grids = [plane_grid(layers, self.axis, position, bounds=bounds, radiological=self.radiological)
                       for position in self.positions(layers)]
        for grid in self._grids:
            tile, qimage = old.get((grid.plane, grid.position), (None, None))
            if tile is None or tile.rgba.shape[:2] != grid.shape:
                tile, qimage = _as_qimage(compose(grid, []))  # transparent until sampled
            self.tiles.append(tile)
            self.qimages.append(qimage)
        self._layers, self._todo = layers, list(range(len(self._grids)))
        self._step_timer.start()

    def _step(self):
        """Sample the next queued slice (every layer whose plane there changed) and show it."""
        if self._detached or not self._todo:
            return
        index = self._todo.pop(0)
        grid = self._grids[index]
        try:
            planes = []
            for layer in self._layers:
                version = self._versions.get(layer, 0)
                entry = self._planes.get((layer, grid.position))
                if entry is None or entry[0] != grid or entry[1] != version:
                    entry = self._planes[(layer, grid.position)] = (grid, version, layer_plane(layer, grid))
                planes.append((entry[2], layer.opacity))
            self.tiles[index], self.qimages[index] = _as_qimage(compose(grid, planes))
        except Exception as error:  # a broken layer must not end the app: show why
            self._fail(error)
        if self._todo:
            self._step_timer.start()
        else:  # keep the planes of the slices shown, nothing more
            shown = {(layer, grid.position) for layer in self._layers for grid in self._grids}
            self._planes = {key: entry for key, entry in self._planes.items() if key in shown}
        self.canvas.update()

    def set_radiological(self, radiological):
        """Mirror the axial and coronal slices (the patient's left on the right), as the 2-D views do."""
        self.radiological = bool(radiological)
        self._schedule()

    def orientation(self):
        """The anatomical letters at the sides of every slice (see :func:`~brainview.planes.orientation_labels`)."""
        return orientation_labels(self.axis, radiological=self.radiological)

    def showEvent(self, event):
        super().showEvent(event)
        self._timer.start()

    def detach(self):
        """Stop following the figure and the cursor (the window is closing)."""
        if self._detached:
            return
        self._detached = True
        self._timer.stop()
        self._step_timer.stop()
        self.cursor.observe(self._on_cursor, "position", remove=True)
        self.figure.observe(self._on_figure, "layers.items", remove=True)
        for layer in self._watched:
            layer.observe(self._on_layer_trait, anytrait(), remove=True)
        self._watched = set()
