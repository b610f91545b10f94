"""Linked 2-D views (axial, coronal, sagittal), the cursor they share, and a location panel.

A client of :mod:`brainview.planes`: every picture is what
:func:`~brainview.planes.plane_image` draws, every reading a
:func:`~brainview.planes.values_at`, the cursor a
:class:`~brainview.planes.Cursor`. Moving the cursor (a click or drag in a
view, arrow keys and Page Up/Down, the location panel's coordinates) moves
the 3-D scene's anatomy planes (every :class:`~brainview.layers.Slices`
layer's ``x``, ``y``, ``z``) too.

Each view keeps every layer's plane (:func:`~brainview.planes.layer_plane`)
and composites them again when something changes: a cursor move re-samples
only the view whose plane moved (the others move their crosshair), a
layer's trait change re-samples only that layer, a change of order,
visibility or opacity re-samples nothing.

In a view: left click or drag moves the cursor; the wheel zooms about the
mouse; a middle-button drag (or Shift + left drag) pans; Home resets zoom
and pan; the arrow keys step one voxel of the first image along the view's
axes, Page Up/Down across it.

For a 4-D layer (the window's series layer, :mod:`.series`), the location
panel plots the voxel's values over the volumes at the cursor
(:class:`~brainview.gui.widgets.SeriesPlot`), the shown volume marked.
"""

from __future__ import annotations

import traceback

import numpy as np
from PyQt5 import QtCore, QtGui, QtWidgets

from traits.observation.api import anytrait

from ..planes import (PLANES, UNPAINTED_TRAITS, Cursor, describe_values, format_value, image_bounds,
                      image_layers, orientation_labels, plane_grid, plane_sampler, values_at, voxel_step)
from .guards import on_gui_thread
from .plane_worker import PlaneRequest, PlaneWorker, draw_request
from .series import steps_of
from .widgets import SeriesPlot

PLANE_NAMES = ("axial", "coronal", "sagittal")
_CROSS_COLOR = QtGui.QColor(80, 255, 80, 190)
_ZOOM_STEP = 1.25


class PlaneView(QtWidgets.QWidget):
    """One 2-D view of a world plane, drawn from a :class:`~brainview.planes.PlaneImage`."""

    def __init__(self, views, plane, parent=None):
        super().__init__(parent)
        self.views, self.plane = views, plane
        self.image = None  # the PlaneImage shown
        self.zoom, self.pan = 1.0, QtCore.QPointF(0.0, 0.0)
        self.error = None
        self._qimage = None
        self._drag = None
        self.setFocusPolicy(QtCore.Qt.StrongFocus)
        self.setMinimumSize(120, 120)
        self.setMouseTracking(False)
        self.setToolTip(f"{plane.capitalize()} view: click to move the cursor, wheel to zoom, "
                        "middle drag to pan, arrows and Page Up/Down to step")

    # ------------------------------------------------------------ model

    def set_image(self, image):
        self.image = image
        rgba = np.ascontiguousarray(image.rgba)
        rows, cols = rgba.shape[:2]
        self._qimage = QtGui.QImage(rgba.data, cols, rows, 4 * cols, QtGui.QImage.Format_RGBA8888)
        self._rgba = rgba  # QImage does not own the buffer
        self.error = None
        self.update()

    def show_error(self, text):
        self.error = text
        self.update()

    def reset_zoom(self):
        self.zoom, self.pan = 1.0, QtCore.QPointF(0.0, 0.0)
        self.update()

    # ------------------------------------------------------------ geometry

    def _frame(self):
        """``(scale, x0, y0)``: widget pixels per image pixel and the image's top-left corner."""
        rows, cols = self.image.rgba.shape[:2]
        fit = min(self.width() / cols, self.height() / rows)
        scale = max(fit, 1e-6) * self.zoom
        x0 = (self.width() - cols * scale) / 2 + self.pan.x()
        y0 = (self.height() - rows * scale) / 2 + self.pan.y()
        return scale, x0, y0

    def widget_pos_of(self, xyz):
        """Widget position (QPointF) of a world point's projection on this view."""
        scale, x0, y0 = self._frame()
        col, row = self.image.pixel_of(xyz)
        return QtCore.QPointF(x0 + (col + 0.5) * scale, y0 + (row + 0.5) * scale)

    def world_at(self, pos):
        """World ``(x, y, z)`` mm under a widget position, on the cursor's plane."""
        scale, x0, y0 = self._frame()
        col = (pos.x() - x0) / scale - 0.5
        row = (pos.y() - y0) / scale - 0.5
        xyz = list(self.image.world_of(col, row))
        normal = PLANES[self.plane][0]
        xyz[normal] = self.views.cursor.position[normal]
        return tuple(xyz)

    # ------------------------------------------------------------ drawing

    def paintEvent(self, event):
        painter = QtGui.QPainter(self)
        try:
            painter.fillRect(self.rect(), QtCore.Qt.black)
            if self.error is not None:
                self._text(painter, self.rect(), QtCore.Qt.AlignCenter | QtCore.Qt.TextWordWrap,
                           self.error, QtGui.QColor("#ff8a80"))
            elif self.image is None:
                self._text(painter, self.rect(), QtCore.Qt.AlignCenter, "No image layer",
                           QtGui.QColor("gray"))
            else:
                self._paint_plane(painter)
        except Exception as error:  # a broken paint shows a message, never ends the app
            painter.fillRect(self.rect(), QtCore.Qt.black)
            self._text(painter, self.rect(), QtCore.Qt.AlignCenter | QtCore.Qt.TextWordWrap,
                       f"cannot draw: {type(error).__name__}: {error}", QtGui.QColor("#ff8a80"))
        finally:
            painter.end()

    def _paint_plane(self, painter):
        scale, x0, y0 = self._frame()
        rows, cols = self.image.rgba.shape[:2]
        painter.setRenderHint(QtGui.QPainter.SmoothPixmapTransform, False)
        painter.drawImage(QtCore.QRectF(x0, y0, cols * scale, rows * scale), self._qimage)
        cross = self.widget_pos_of(self.views.cursor.position)
        pen = QtGui.QPen(_CROSS_COLOR)
        pen.setWidth(1)
        painter.setPen(pen)
        painter.drawLine(QtCore.QPointF(0, cross.y()), QtCore.QPointF(self.width(), cross.y()))
        painter.drawLine(QtCore.QPointF(cross.x(), 0), QtCore.QPointF(cross.x(), self.height()))
        letters = orientation_labels(self.plane, radiological=self.image.radiological)
        rect = self.rect().adjusted(4, 2, -4, -2)
        white = QtGui.QColor("white")
        for side, align in (("left", QtCore.Qt.AlignLeft | QtCore.Qt.AlignVCenter),
                            ("right", QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter),
                            ("top", QtCore.Qt.AlignTop | QtCore.Qt.AlignHCenter),
                            ("bottom", QtCore.Qt.AlignBottom | QtCore.Qt.AlignHCenter)):
            self._text(painter, rect, align, letters[side], white, bold=True)
        axis = "xyz"[PLANES[self.plane][0]]
        self._text(painter, rect, QtCore.Qt.AlignBottom | QtCore.Qt.AlignLeft,
                   f"{self.plane} {axis}={self.image.position:.1f}", QtGui.QColor("lightgray"), size=8)

    @staticmethod
    def _text(painter, rect, align, text, color, *, bold=False, size=10):
        font = painter.font()
        font.setPointSize(size)
        font.setBold(bold)
        painter.setFont(font)
        painter.setPen(color)
        painter.drawText(rect, int(align), text)

    # ------------------------------------------------------------ mouse and keys

    def _panning(self, event):
        return (event.buttons() & QtCore.Qt.MiddleButton or
                (event.buttons() & QtCore.Qt.LeftButton and event.modifiers() & QtCore.Qt.ShiftModifier))

    def mousePressEvent(self, event):
        self.setFocus()
        self._drag = event.pos()
        if not self._panning(event) and event.button() == QtCore.Qt.LeftButton:
            self._move_cursor_to(event.pos())

    def mouseMoveEvent(self, event):
        if self._drag is None:
            return
        if self._panning(event):
            self.pan += QtCore.QPointF(event.pos() - self._drag)
            self.update()
        elif event.buttons() & QtCore.Qt.LeftButton:
            self._move_cursor_to(event.pos())
        self._drag = event.pos()

    def mouseReleaseEvent(self, event):
        self._drag = None

    def wheelEvent(self, event):
        if self.image is None:
            return
        steps = event.angleDelta().y() / 120.0
        if not steps:
            return
        pos = event.posF()
        scale, x0, y0 = self._frame()
        anchor = ((pos.x() - x0) / scale, (pos.y() - y0) / scale)  # image position under the mouse
        self.zoom = float(np.clip(self.zoom * _ZOOM_STEP ** steps, 0.2, 40.0))
        scale, x0, y0 = self._frame()
        self.pan += pos - QtCore.QPointF(x0 + anchor[0] * scale, y0 + anchor[1] * scale)
        self.update()

    def keyPressEvent(self, event):
        key = event.key()
        normal, h, v = PLANES[self.plane]
        right = 1.0 if self.image is None or self.image.steps[0] > 0 else -1.0
        moves = {QtCore.Qt.Key_Right: (h, right), QtCore.Qt.Key_Left: (h, -right),
                 QtCore.Qt.Key_Up: (v, 1.0), QtCore.Qt.Key_Down: (v, -1.0),
                 QtCore.Qt.Key_PageUp: (normal, 1.0), QtCore.Qt.Key_PageDown: (normal, -1.0)}
        if key in moves:
            self.views.step(*moves[key])
        elif key == QtCore.Qt.Key_Home:
            self.reset_zoom()
        else:
            super().keyPressEvent(event)

    def _move_cursor_to(self, pos):
        if self.image is not None:
            self.views.move_cursor(self.world_at(QtCore.QPointF(pos)))


class LocationPanel(QtWidgets.QWidget):
    """The cursor's mm coordinate (editable), each image layer's value and voxel, the region."""

    def __init__(self, views, parent=None):
        super().__init__(parent)
        self.views = views
        grid = QtWidgets.QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 4)
        self.spins = []
        coords = QtWidgets.QHBoxLayout()
        for axis in "xyz":
            spin = QtWidgets.QDoubleSpinBox()
            spin.setRange(-10000.0, 10000.0)
            spin.setDecimals(1)
            spin.setKeyboardTracking(False)
            spin.setPrefix(f"{axis} ")
            spin.valueChanged.connect(lambda value: self._typed())
            coords.addWidget(spin)
            self.spins.append(spin)
        coords.addWidget(QtWidgets.QLabel("mm"))
        grid.addLayout(coords, 0, 0)
        self.table = QtWidgets.QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["layer", "value [voxel]", "kind"])
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        grid.addWidget(self.table, 1, 0)
        self.region = QtWidgets.QLabel("")
        self.region.setWordWrap(True)
        grid.addWidget(self.region, 2, 0)
        self.series = SeriesPlot()  # the voxel's time series, for a 4-D layer
        self.series.hide()
        grid.addWidget(self.series, 3, 0)
        self.radiological = QtWidgets.QCheckBox("Radiological (left on the right)")
        self.radiological.toggled.connect(lambda checked: self.views.set_radiological(checked))
        grid.addWidget(self.radiological, 4, 0)

    def _typed(self):
        try:
            self.views.move_cursor(tuple(spin.value() for spin in self.spins))
        except Exception as error:  # typing never ends the app
            self.region.setText(f"{type(error).__name__}: {error}")

    def show_readings(self, xyz, readings):
        for spin, value in zip(self.spins, xyz):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.table.setRowCount(len(readings))
        for row, reading in enumerate(readings):
            for col, text in enumerate((reading.name, format_value(reading), reading.kind)):
                self.table.setItem(row, col, QtWidgets.QTableWidgetItem(text))
        regions = [_region_text(r) for r in readings if r.region]
        self.region.setText(f"Region: {', '.join(regions)}" if regions else "")

    def show_series(self, layer, xyz):
        """Plot ``layer``'s values at ``xyz`` over its volumes (columns); hide the plot without a layer."""
        found = steps_of(layer)
        if found is None or not hasattr(layer, "series_at"):
            self.series.hide()
            return
        self.series.set_series(layer.series_at(xyz), getattr(layer, found[0]) or 0, layer.name)
        self.series.show()


def _region_text(reading):
    """A reading's region, with its value there for 4-D atlas maps: ``'Insula (0.62)'``."""
    value = reading.value
    if isinstance(value, dict) and reading.region in value:
        return f"{reading.region} ({value[reading.region]:.2g})"
    return reading.region


class OrthoViews(QtWidgets.QWidget):
    """Three linked :class:`PlaneView` s and a :class:`LocationPanel` on one figure and cursor.

    Attributes
    ----------
    cursor : brainview.planes.Cursor
    views : dict
        ``{"axial": PlaneView, "coronal": ..., "sagittal": ...}``
    location : LocationPanel
    radiological : bool
    cache_planes : bool
        Keep each layer's plane between refreshes (True). False re-samples
        every layer of a view at each refresh (the benchmark's naive way).
    """

    #: The status line (mm, values, voxels, region) after each cursor move.
    status_changed = QtCore.pyqtSignal(str)

    def __init__(self, figure, parent=None, *, cursor=None):
        super().__init__(parent)
        self.figure = figure
        self.cursor = cursor if cursor is not None else Cursor()
        self.radiological = False
        self.status = ""
        self._placed = False
        self._dirty = set(PLANE_NAMES)
        self._moving_scene = False
        self._detached = False
        self.cache_planes = True
        self.sample_in_worker = True
        self.series_layer = None  # the 4-D layer whose time series the location panel plots
        self._planes = {name: {} for name in PLANE_NAMES}  # view -> {layer: (grid, version, rgba)}
        self._versions = {}  # layer -> count of its changes that alter its colours
        self._updated, self._echoes = set(), set()  # layers that fired ``updated`` / an unpainted trait
        self._failed = set()  # views whose last picture could not be drawn
        self._asked = dict.fromkeys(PLANE_NAMES, 0)  # view -> token of its latest request
        self._shown = dict.fromkeys(PLANE_NAMES, 0)  # view -> token of the picture it shows
        self._worker = PlaneWorker(self)
        self._worker.finished.connect(self._show_planes)
        self._worker.failed.connect(self._show_failure)
        self.views = {name: PlaneView(self, name) for name in PLANE_NAMES}
        self.location = LocationPanel(self)
        self.location.setMaximumWidth(340)
        self._grid = QtWidgets.QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(2)
        self.arrangement = None
        self.set_arrangement("row")
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        self.cursor.observe(self._on_cursor, "position")
        figure.observe(self._on_figure, "changed")
        figure.observe(self._on_figure, "layers.items")
        figure.observe(self._watch_layers, "layers.items")
        self._watch_layers(None)
        self._on_figure(None)

    def set_arrangement(self, arrangement):
        """``"row"``: the three views and the location panel side by side; ``"grid"``: 2 x 2."""
        cells = [*self.views.values(), self.location]
        for widget in cells:
            self._grid.removeWidget(widget)
        for index, widget in enumerate(cells):
            row, col = (0, index) if arrangement == "row" else divmod(index, 2)
            self._grid.addWidget(widget, row, col)
        for index in range(4):
            self._grid.setColumnStretch(index, 1 if index < (3 if arrangement == "row" else 2) else 0)
            self._grid.setRowStretch(index, 1 if arrangement == "grid" and index < 2 else 0)
        self.arrangement = arrangement

    # ------------------------------------------------------------ cursor

    def move_cursor(self, xyz):
        """Put the cursor at world ``xyz`` mm (views, location panel, status and 3-D planes follow)."""
        self.cursor.position = tuple(float(c) for c in xyz)

    def step(self, axis, direction):
        """Move the cursor one voxel of the first image layer along world axis ``axis``."""
        layers = image_layers(self.figure)
        step = voxel_step(layers[0].image, axis) if layers else 1.0
        self.cursor.step(axis, direction, step_mm=step)

    def set_series_layer(self, layer):
        """Plot ``layer``'s time series at the cursor in the location panel (None: no plot)."""
        self.series_layer = layer
        if not self._detached:
            self._timer.start()

    def set_radiological(self, radiological):
        self.radiological = bool(radiological)
        if self.location.radiological.isChecked() != self.radiological:
            self.location.radiological.setChecked(self.radiological)
        self._dirty = set(PLANE_NAMES)
        self.refresh()

    @on_gui_thread  # a script thread's change is heard on the GUI thread (Qt timers)
    def _on_cursor(self, event):
        old, new = event.old, event.new
        for name, (normal, _, _) in PLANES.items():
            if old is None or old[normal] != new[normal]:
                self._dirty.add(name)
        self._move_scene(new)
        self.refresh()

    @property
    def pending(self):
        """True while a change waits to be drawn in the 2-D views (a refresh is scheduled)."""
        drawing = any(self._asked[name] > self._shown[name] for name in PLANE_NAMES)
        return bool(self._dirty) or self._timer.isActive() or drawing

    def _move_scene(self, xyz):
        """The 3-D anatomy planes follow the cursor (a script would set ``layer.coords``)."""
        self._moving_scene = True
        try:
            for layer in list(self.figure.layers):
                if layer.kind == "slices" and tuple(layer.coords) != tuple(xyz):
                    layer.coords = tuple(xyz)
        except Exception as error:
            self._report(f"cannot move the 3-D planes: {type(error).__name__}: {error}")
        finally:
            self._moving_scene = False

    # ------------------------------------------------------------ figure -> views

    @on_gui_thread  # a script thread's change is heard on the GUI thread (Qt timers)
    def _on_figure(self, event):
        if self._moving_scene or self._detached:
            return  # our own move of the 3-D planes: the views are refreshed already
        moved = self._slices_moved_elsewhere()
        if moved is not None:  # a script or the panel moved the 3-D planes: the cursor follows
            self.move_cursor(moved)
            return
        self._dirty = set(PLANE_NAMES)
        self._timer.start()

    @on_gui_thread  # a script thread's change is heard on the GUI thread (Qt timers)
    def _watch_layers(self, event):
        """Follow the trait changes of the figure's layers (a change re-samples that layer only)."""
        layers = set(self.figure.layers) if not self._detached else set()
        for layer in [lay for lay in self._versions if lay not in layers]:
            layer.observe(self._on_layer_trait, anytrait(), remove=True)
            del self._versions[layer]
            for planes in self._planes.values():
                planes.pop(layer, None)
        for layer in layers - set(self._versions):
            self._versions[layer] = 0
            layer.observe(self._on_layer_trait, anytrait())

    @on_gui_thread  # a script thread's change is heard on the GUI thread (Qt timers)
    def _on_layer_trait(self, event):
        # While the cursor moves the 3-D planes, their echoes (``updated`` included) paint nothing new.
        layer, name = event.object, event.name
        if self._moving_scene or name.startswith("_"):
            return
        if name in UNPAINTED_TRAITS:
            self._echoes.add(layer)  # an ``updated`` of this layer before the refresh is its echo
            return
        if name == "updated":
            self._updated.add(layer)  # decided at the refresh: a data change, or an echo
        else:
            self._versions[layer] = self._versions.get(layer, 0) + 1
        self._dirty = set(PLANE_NAMES)
        self._timer.start()

    def _settle_versions(self):
        """An ``updated`` without an unpainted trait change beside it changed the layer's colours."""
        for layer in self._updated - self._echoes:
            if layer in self._versions:
                self._versions[layer] += 1
        self._updated.clear()
        self._echoes.clear()

    def _slices_moved_elsewhere(self):
        """The first slices layer's crossing point when it is not at the cursor, else None."""
        if not self._placed:
            return None
        for layer in self.figure.layers:
            if layer.kind == "slices":
                xyz = tuple(float(v) for v in layer.coords)
                return xyz if xyz != tuple(self.cursor.position) else None
        return None

    def refresh(self):
        """Recompute the planes that changed and the readings at the cursor (errors are shown, never raised)."""
        if self._detached or self.figure.closed:
            return
        try:
            layers = image_layers(self.figure)
            if layers and not self._placed:
                self._placed = True
                self._place_cursor(layers)
                return  # placing the cursor refreshed everything
            self._settle_versions()
            self._dirty |= self._failed
            self._failed.clear()
            if self.isVisible():
                bounds = image_bounds(layers)
                for name in sorted(self._dirty):
                    self._draw_view(name, layers, bounds)
                self._dirty.clear()
            for view in self.views.values():
                view.update()  # the crosshair moved
            readings = values_at(layers, self.cursor.position)
            self.location.show_readings(self.cursor.position, readings)
            self.location.show_series(self.series_layer, self.cursor.position)
            self._report(describe_values(self.cursor.position, readings))
        except Exception as error:  # a broken layer must not end the app: show why
            text = f"2-D views: {type(error).__name__}: {error}"
            for view in self.views.values():
                view.show_error(text)
            self._report(text)
            traceback.print_exc()

    def _draw_view(self, name, layers, bounds):
        """Ask for a view's picture: its layers' planes, sampling those whose grid or colours changed."""
        view = self.views[name]
        self._asked[name] += 1
        if not layers:
            self._shown[name] = self._asked[name]
            view.image = None
            view.update()
            return
        normal = PLANES[name][0]
        grid = plane_grid(layers, name, self.cursor.position[normal], bounds=bounds,
                          radiological=self.radiological)
        kept = dict(self._planes[name]) if self.cache_planes else {}
        drawn = [(layer, self._versions.get(layer, 0), layer.opacity, plane_sampler(layer)) for layer in layers]
        request = PlaneRequest(name, self._asked[name], grid, drawn, kept)
        if self.sample_in_worker:
            self._worker.submit(request)
        else:
            self._show_planes(draw_request(request))

    def draw_now(self):
        """Draw, on this thread and now, every view still waiting for its picture (a window screenshot)."""
        self._dirty |= {name for name in PLANE_NAMES if self._asked[name] > self._shown[name]}
        self._timer.stop()
        in_worker, self.sample_in_worker = self.sample_in_worker, False
        try:
            self.refresh()  # newer requests: the worker's late pictures are dropped
        finally:
            self.sample_in_worker = in_worker

    def _show_planes(self, result):
        """A view's picture arrived (the worker's, on the GUI thread): shown unless a newer one is."""
        if self._detached or result.token <= self._shown[result.name]:
            return
        self._shown[result.name] = result.token
        if self.cache_planes:
            self._planes[result.name] = {layer: entry for layer, entry in result.planes.items()
                                         if layer in self._versions}
        self.views[result.name].set_image(result.image)

    def _show_failure(self, name, text):
        if self._detached:
            return
        self._shown[name] = self._asked[name]  # nothing more comes for the requests made so far
        self._failed.add(name)  # drawn again at the next refresh
        self.views[name].show_error(text)
        self._report(text)

    def _place_cursor(self, layers):
        """The first image puts the cursor at the anatomy planes, or the centre of the images."""
        slices = [layer for layer in layers if layer.kind == "slices"]
        if slices:
            xyz = tuple(slices[0].coords)
        else:
            box = image_bounds(layers)
            xyz = tuple((box[2 * a] + box[2 * a + 1]) / 2 for a in range(3))
        self._dirty = set(PLANE_NAMES)
        if xyz == self.cursor.position:
            self.refresh()
        else:
            self.move_cursor(xyz)

    def _report(self, text):
        self.status = text
        self.status_changed.emit(text)

    def showEvent(self, event):
        super().showEvent(event)
        self._timer.start()

    def detach(self):
        """Stop following the figure and the cursor (the window is closing)."""
        if self._detached:
            return
        self._detached = True
        self._timer.stop()
        self._worker.stop()
        self.cursor.observe(self._on_cursor, "position", remove=True)
        self.figure.observe(self._on_figure, "changed", remove=True)
        self.figure.observe(self._on_figure, "layers.items", remove=True)
        self.figure.observe(self._watch_layers, "layers.items", remove=True)
        self._watch_layers(None)
