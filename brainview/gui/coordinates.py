"""Typed coordinates: the cursor in mm (x, y, z) and in voxels (i, j, k) of the selected image.

FSLeyes' location fields: typing a world position or a voxel index moves the
shared :class:`~brainview.planes.Cursor` (the 2-D views, the lightbox and
the 3-D anatomy planes follow); every move of the cursor updates the fields.
A position outside every image layer is refused with a message in the panel
(:attr:`CoordinatesPanel.message`, red) and through :attr:`~CoordinatesPanel.refused`
(the window shows it in its status bar): the cursor stays inside the images.
A move out of them from elsewhere (an arrow key at the edge of the image, a
click beside it, a script setting the anatomy planes) is undone with the
same message once the event loop is idle.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Slices
>>> layer = Slices((np.zeros((4, 4, 4)), np.eye(4)))
>>> inside_images([layer], (1.0, 2.0, 3.4)), inside_images([layer], (1.0, 2.0, 9.0))
(True, False)
>>> voxel_of(layer.image, (1.2, 2.0, 2.6))
(1, 2, 3)
"""

from __future__ import annotations

import numpy as np
from PyQt5 import QtCore, QtWidgets

from ..planes import Cursor, image_layers
from .guards import on_gui_thread

_WIDE = 99999  # the fields take any number: what is outside the images is refused with a message


def voxel_of(image, xyz):
    """The nearest voxel ``(i, j, k)`` of ``image`` at world ``xyz`` mm (may lie outside the image)."""
    return tuple(int(v) for v in np.rint(image.to_voxel(np.atleast_2d(xyz))[0]))


def inside_image(image, xyz):
    """Whether world ``xyz`` mm falls in a voxel of ``image``."""
    ijk = np.array(voxel_of(image, xyz))
    return bool(np.all((ijk >= 0) & (ijk < np.array(image.shape[:3]))))


def inside_images(layers, xyz):
    """Whether world ``xyz`` mm falls in a voxel of at least one visible image layer (True without any)."""
    layers = image_layers(layers)
    return not layers or any(inside_image(layer.image, xyz) for layer in layers)


def _narrow(spin):
    """A field that shares the dock's width instead of widening it to its largest number."""
    spin.setMinimumWidth(72)
    spin.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Fixed)


class CoordinatesPanel(QtWidgets.QWidget):
    """mm and voxel fields bound to a cursor; the voxels are those of :attr:`layer`'s image.

    Parameters
    ----------
    figure : Figure
        Its visible image layers bound the positions accepted.
    cursor : brainview.planes.Cursor, optional
        Shared with the views (a new one by default).

    Attributes
    ----------
    mm_spins, voxel_spins : list of QDoubleSpinBox / QSpinBox
        x, y, z and i, j, k.
    message : QLabel
        Why the last typed position was refused (empty once one is accepted).
    """

    #: The text of a refused position (the window shows it in its status bar).
    refused = QtCore.pyqtSignal(str)

    def __init__(self, figure, parent=None, *, cursor=None):
        super().__init__(parent)
        self.figure = figure
        self.cursor = cursor if cursor is not None else Cursor()
        self._layer = None
        self._detached = False
        self._went_back_to = None  # where the cursor was sent back to: its message stays there
        #: Send the cursor back when a click, key or script moves it out of every image layer.
        self.keep_inside = True
        grid = QtWidgets.QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 4)
        self.mm_spins, self.voxel_spins = [], []
        for col, axis in enumerate("xyz"):
            spin = QtWidgets.QDoubleSpinBox()
            spin.setRange(-_WIDE, _WIDE)
            spin.setDecimals(1)
            spin.setPrefix(f"{axis} ")
            spin.setKeyboardTracking(False)
            spin.setToolTip(f"World {axis} in mm: type to move the cursor")
            spin.valueChanged.connect(lambda value: self._typed_mm())
            _narrow(spin)
            grid.addWidget(spin, 0, col)
            self.mm_spins.append(spin)
        grid.addWidget(QtWidgets.QLabel("mm"), 0, 3)
        for col, axis in enumerate("ijk"):
            spin = QtWidgets.QSpinBox()
            spin.setRange(-int(_WIDE), int(_WIDE))
            spin.setPrefix(f"{axis} ")
            spin.setKeyboardTracking(False)
            spin.setToolTip(f"Voxel index {axis} of the selected image: type to move the cursor")
            spin.valueChanged.connect(lambda value: self._typed_voxel())
            _narrow(spin)
            grid.addWidget(spin, 1, col)
            self.voxel_spins.append(spin)
        self.voxel_label = QtWidgets.QLabel("voxel")
        grid.addWidget(self.voxel_label, 1, 3)
        self.message = QtWidgets.QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828")
        grid.addWidget(self.message, 2, 0, 1, 4)
        # As tall as its fields (and a message): the docks beside it keep the height.
        self.setSizePolicy(QtWidgets.QSizePolicy.Preferred, QtWidgets.QSizePolicy.Maximum)
        self.cursor.observe(self._on_cursor, "position")
        figure.observe(self._on_layers, "layers.items")
        self._show(self.cursor.position)

    # ------------------------------------------------------------ the image of the voxel fields

    @property
    def layer(self):
        """The image layer whose voxels the i, j, k fields count: the one set, else the first image layer."""
        layers = image_layers(self.figure)
        if self._layer is not None and self._layer in self.figure.layers \
                and getattr(self._layer, "image", None) is not None:
            return self._layer
        return layers[0] if layers else None

    def set_layer(self, layer):
        """Count voxels in ``layer``'s image (a layer without an image: the first image layer)."""
        self._layer = layer if getattr(layer, "image", None) is not None else None
        self._show(self.cursor.position)

    @on_gui_thread
    def _on_layers(self, event):
        self._show(self.cursor.position)

    # ------------------------------------------------------------ typing

    def _typed_mm(self):
        self.go_to(tuple(spin.value() for spin in self.mm_spins))

    def _typed_voxel(self):
        layer = self.layer
        if layer is None:
            self._refuse("No image layer: voxel coordinates need one.")
            return
        ijk = tuple(spin.value() for spin in self.voxel_spins)
        shape = layer.image.shape[:3]
        if not all(0 <= v < n for v, n in zip(ijk, shape)):
            self._refuse(f"Voxel {ijk} is outside {layer.name} (shape {tuple(shape)}): "
                         f"each index goes from 0 to the size minus 1.")
            return
        self.go_to(tuple(float(v) for v in layer.image.to_world([ijk])[0]))

    def go_to(self, xyz):
        """Move the cursor to world ``xyz`` mm; refused (with a message, returns False) outside every image."""
        xyz = tuple(float(v) for v in xyz)
        if not inside_images(self.figure, xyz):
            box = ", ".join(f"{layer.name}" for layer in image_layers(self.figure))
            self._refuse(f"({xyz[0]:.1f}, {xyz[1]:.1f}, {xyz[2]:.1f}) mm is outside the images ({box}): "
                         "the cursor stays where it was.")
            return False
        self.message.setText("")
        self.cursor.position = xyz
        self._show(xyz)  # the voxel fields snap even when the position did not change
        return True

    def _refuse(self, text):
        self.message.setText(text)
        self._show(self.cursor.position)  # the fields go back to the cursor
        self.refused.emit(text)

    # ------------------------------------------------------------ cursor -> fields

    @on_gui_thread
    def _on_cursor(self, event):
        self._show(event.new)
        if tuple(event.new) != self._went_back_to and inside_images(self.figure, event.new):
            self.message.setText("")  # a refusal is news until the cursor moves on inside the images
            self._went_back_to = None
        if self.keep_inside and event.old is not None and not inside_images(self.figure, event.new) \
                and inside_images(self.figure, event.old):
            # A click, a key or a script took the cursor out of the images: it goes back (once every
            # observer has seen this move, so that all of them see the way back too).
            x, y, z = event.new
            text = (f"({x:.1f}, {y:.1f}, {z:.1f}) mm is outside the images: "
                    "the cursor goes back to where it was.")
            QtCore.QTimer.singleShot(0, lambda old=tuple(event.old): self._go_back(old, text))

    def _go_back(self, old, text):
        if self._detached:
            return
        self.message.setText(text)
        self._went_back_to = tuple(float(v) for v in old)
        self.cursor.position = old
        self.refused.emit(text)

    def _show(self, xyz):
        for spin, value in zip(self.mm_spins, xyz):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        layer = self.layer
        ijk = voxel_of(layer.image, xyz) if layer is not None else (0, 0, 0)
        for spin, value in zip(self.voxel_spins, ijk):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.setEnabled(layer is not None)
            spin.blockSignals(False)
        self.voxel_label.setToolTip(f"Voxel of {layer.name}" if layer is not None else "No image layer")

    def detach(self):
        """Stop following the cursor and the figure (the window is closing; a second call does nothing)."""
        if self._detached:
            return
        self._detached = True
        self.cursor.observe(self._on_cursor, "position", remove=True)
        self.figure.observe(self._on_layers, "layers.items", remove=True)
