"""2-D cut panels of a layout: the figure's image layers on world planes, as the app's 2-D views.

A cut panel (``"cuts:ortho"``, ``"cuts:x"``, ``"cuts:y"``, ``"cuts:z"`` in a
figure's ``views``) shows one or more planes side by side. Every plane is
sampled by the app's own sampler, :func:`brainview.planes.plane_image`, with
a pixel size that fits the plane in its part of the panel, so one image
pixel is one screen pixel: the panel shows exactly what ``plane_image``
returns, composited over the figure's background (:func:`over_background`).
The picture is a 2-D image actor (``vtkImageMapper``, drawn pixel for pixel,
no camera) with the anatomical letters of :func:`brainview.planes.orientation_labels`.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Slices
>>> layer = Slices((np.ones((10, 12, 8)), np.eye(4)))
>>> cut = fit_plane([layer], "z", 3.0, (40, 30))
>>> cut.rgba.shape[0] <= 30 and cut.rgba.shape[1] <= 40
True
"""

from __future__ import annotations

import numpy as np
from vtkmodules.util.numpy_support import numpy_to_vtk
from vtkmodules.vtkRenderingCore import vtkImageMapper

from .. import _vtk
from ..errors import BrainviewValueError
from ..planes import PLANES, image_bounds, image_layers, orientation_labels, plane_image
from .cut_marks import marks_bounds, paint_marks

__all__ = ["AXIS_PLANES", "CutPanel", "cut_positions", "fit_plane", "over_background", "panel_bounds", "plane_aspect"]

#: nilearn's cut letters and the planes they cut.
AXIS_PLANES = {"x": "sagittal", "y": "coronal", "z": "axial"}

#: Room around each plane, in pixels (room for the L/R letters).
MARGIN = 4


def panel_bounds(layers, drawer_of=None):
    """``(xmin, xmax, ymin, ymax, zmin, zmax)`` mm a cut panel shows: the image layers' voxel centres
    (as nilearn's cuts show the image); without image layers, what the marks draw with ``drawer_of``
    (``layer -> Drawer``: nodes, markers, mesh outlines, with a margin); else a 1 mm box around 0.

    Examples
    --------
    >>> from brainview.layers import Points
    >>> panel_bounds([Points([[0, 0, 0], [10, 20, 30]])], lambda layer: None)
    (-5.7, 15.7, -5.7, 25.7, -5.7, 35.7)
    """
    marks = None if drawer_of is None or image_layers(layers) else marks_bounds(layers, drawer_of)
    if marks is None:
        return image_bounds(image_layers(layers))
    box = np.reshape(marks, (3, 2))
    pad = 0.05 * float((box[:, 1] - box[:, 0]).max()) + 2.0  # a margin round the disks at the edges
    return tuple(float(v) for pair in box + [-pad, pad] for v in pair)


def fit_plane(layers, axis, position, size, *, radiological=False, bounds=None):
    """:func:`~brainview.planes.plane_image` of ``layers`` on a plane, at the pixel size that fits ``size``.

    Parameters
    ----------
    layers : Figure or sequence of Layer
    axis : {"x", "y", "z"}
    position : float
        mm along the axis.
    size : (int, int)
        Width and height in pixels the image must fit in.
    radiological : bool
    bounds : (xmin, xmax, ymin, ymax, zmin, zmax), optional
        The world box shown (default: the layers' images, :func:`panel_bounds`).

    Returns
    -------
    PlaneImage
        At most ``size``, the whole extent of ``bounds`` shown.
    """
    plane = AXIS_PLANES[axis]
    bounds = panel_bounds(layers) if bounds is None else bounds
    box = np.reshape(bounds, (3, 2))
    _, h, v = PLANES[plane]
    width, height = max(int(size[0]) - 2 * MARGIN, 2), max(int(size[1]) - 2 * MARGIN, 2)
    extent_h, extent_v = box[h, 1] - box[h, 0], box[v, 1] - box[v, 0]
    pixel_mm = max(extent_h / (width - 1), extent_v / (height - 1), 1e-6) * (1 + 1e-9)
    return plane_image(layers, plane, position, bounds=bounds, pixel_mm=pixel_mm, radiological=radiological)


def plane_aspect(layers, axis, *, bounds=None):
    """Width over height of the layers' images cut across ``axis`` (mm over mm).

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> plane_aspect([Slices((np.ones((5, 9, 3)), np.eye(4)))], "z")
    0.5
    """
    box = np.reshape(panel_bounds(layers) if bounds is None else bounds, (3, 2))
    _, h, v = PLANES[AXIS_PLANES[axis]]
    return float(max(box[h, 1] - box[h, 0], 1e-6) / max(box[v, 1] - box[v, 0], 1e-6))


def over_background(rgba, bgcolor, *, transparent=False):
    """An RGBA plane image over a background colour: ``(h, w, 3)`` uint8 (``(h, w, 4)`` if transparent).

    Transparent: the straight-alpha image itself (the background is alpha 0).

    Examples
    --------
    >>> import numpy as np
    >>> over_background(np.array([[[255, 0, 0, 128]]], np.uint8), (0.0, 0.0, 1.0))[0, 0].tolist()
    [128, 0, 127]
    """
    rgba = np.asarray(rgba)
    if transparent:
        return rgba.copy()
    alpha = rgba[..., 3:4].astype(np.float64) / 255.0
    background = np.round(np.asarray(bgcolor, dtype=np.float64) * 255.0)
    return np.round(rgba[..., :3] * alpha + background * (1.0 - alpha)).astype(np.uint8)


def cut_positions(layers, axis, cut_coords, *, bounds=None):
    """The mm positions of the cuts along ``axis``: numbers as given, or a count spread over the images.

    ``cut_coords``: a number of cuts (int) or a sequence of positions
    (nilearn's meaning); a count is spread evenly inside the images' extent.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> cut_positions([Slices((np.ones((9, 2, 2)), np.eye(4)))], "x", 3)
    [2.0, 4.0, 6.0]
    """
    if isinstance(cut_coords, (int, np.integer)) and not isinstance(cut_coords, bool):
        if cut_coords < 1:
            raise BrainviewValueError(f"cut_coords: a number of cuts must be at least 1, got {cut_coords!r}.")
        low, high = np.reshape(panel_bounds(layers) if bounds is None else bounds, (3, 2))["xyz".index(axis)]
        return [float(v) for v in np.linspace(low, high, int(cut_coords) + 2)[1:-1]]
    return [float(v) for v in cut_coords]


def peak_point(layers, *, bounds=None):
    """nilearn's default ortho cut: the last stat map's ``cut_coords``, else ``find_xyz_cut_coords``
    of it (:func:`brainview.layers.stat_map.cut_coords`); without a stat map, the images' centre."""
    from ..layers.stat_map import cut_coords

    maps = [layer for layer in image_layers(layers) if layer.kind == "stat_map"]
    if not maps:
        box = np.reshape(panel_bounds(layers) if bounds is None else bounds, (3, 2))
        return tuple(float(v) for v in box.mean(axis=1))
    layer = maps[-1]
    if layer.cut_coords is not None:
        return tuple(float(v) for v in layer.cut_coords)
    ijk = cut_coords(layer.image.data, layer.threshold_value)
    return tuple(float(v) for v in layer.image.to_world(np.array([ijk]))[0])


def template_layer(layers, *, cache):
    """The anatomical background of cut panels: the ``bg`` of the last visible stat map, as grey slices.

    nilearn draws its stat maps over the MNI template; a stat map here draws
    its ``bg`` as the glass brain in 3-D and under the cuts in 2-D. None
    when no visible stat map has a ``bg``. ``cache``: a dict keeping the
    background layer between calls.
    """
    from ..layers import Slices

    maps = [layer for layer in layers if layer.visible and layer.kind == "stat_map" and layer.bg is not None]
    if not maps:
        return None
    bg = maps[-1].bg
    key = ("mni152",) if isinstance(bg, str) else ("image", id(bg))
    if key not in cache:
        if isinstance(bg, str):
            from ..datasets import load_mni152

            bg = load_mni152(resolution=1)
        cache.clear()
        cache[key] = Slices(bg, transparent_below=True, clim=(0.05, 1.0) if key[0] == "mni152" else None,
                            name="template")
    return cache[key]


class CutPanel:
    """The renderer content of one cut panel: an image actor and the L/R letters.

    Parameters
    ----------
    renderer : vtkRenderer
        The panel's renderer (its viewport is set by the layout).
    cuts : list of (axis, position)
    """

    def __init__(self, renderer, cuts):
        self.renderer = renderer
        self.cuts = list(cuts)
        self.image = _vtk.vtkImageData()
        mapper = vtkImageMapper()
        mapper.SetInputData(self.image)
        mapper.SetColorWindow(255.0)
        mapper.SetColorLevel(127.5)
        self.actor = _vtk.vtkActor2D()
        self.actor.SetMapper(mapper)
        self.letters = []
        renderer.AddViewProp(self.actor)
        self._key = None
        self.planes = []
        #: The panel's pixels as last drawn, ``(h, w, 3)`` (RGBA if transparent), rows top down.
        self.canvas = np.zeros((0, 0, 3), np.uint8)

    def draw(self, layers, size, *, bgcolor, foreground, radiological, transparent, key, drawer_of=None,
             scale=1.0):
        """Compose the panel's image for a ``size`` (w, h) viewport; skip when ``key`` is unchanged.

        With ``drawer_of`` (``layer -> Drawer``), the connectomes, points and
        mesh outlines of ``layers`` are drawn over the planes
        (:func:`~brainview.render.cut_marks.paint_marks`, line widths times ``scale``).
        """
        if key == self._key:
            return
        self._key = key
        width, height = size
        channels = 4 if transparent else 3
        background = np.round(np.asarray(bgcolor) * 255.0).astype(np.uint8)
        canvas = np.zeros((height, width, channels), np.uint8)
        canvas[..., :3] = 0 if transparent else background
        for letter in self.letters:
            self.renderer.RemoveViewProp(letter)
        self.letters, self.planes = [], []
        # Each plane as wide as its shape asks (nilearn's ortho display): taller planes get less room.
        bounds = panel_bounds(layers, drawer_of)
        shares = np.cumsum([0.0, *(plane_aspect(layers, axis, bounds=bounds) for axis, _ in self.cuts)])
        for index, (axis, position) in enumerate(self.cuts):
            left, right = round(shares[index] * width / shares[-1]), round(shares[index + 1] * width / shares[-1])
            cut = fit_plane(layers, axis, position, (right - left, height), radiological=radiological, bounds=bounds)
            rows, cols = cut.rgba.shape[:2]
            x0, y0 = left + (right - left - cols) // 2, (height - rows) // 2
            canvas[y0:y0 + rows, x0:x0 + cols] = over_background(cut.rgba, bgcolor, transparent=transparent)
            if drawer_of is not None:  # a view of the plane's pixels: the marks stay inside it
                paint_marks(canvas[y0:y0 + rows, x0:x0 + cols], cut, layers, drawer_of=drawer_of, scale=scale)
            self.planes.append((cut, (x0, y0)))
            self._add_letters(cut, (x0, y0, cols, rows), height, foreground)
        self._show(canvas)

    def _add_letters(self, cut, box, height, foreground):
        x0, y0, cols, rows = box
        if cut.plane == "sagittal":
            return
        labels = orientation_labels(cut.plane, radiological=cut.radiological)
        for side, x in (("left", x0 + 1), ("right", x0 + cols - 1)):
            text = _vtk.vtkTextActor()
            text.SetInput(labels[side])
            prop = text.GetTextProperty()
            prop.SetFontSize(12)
            prop.SetColor(*foreground)
            prop.SetBold(True)
            prop.SetJustification(0 if side == "left" else 2)
            prop.SetVerticalJustification(1)
            text.SetPosition(x, height - 1 - (y0 + rows // 2))
            self.renderer.AddViewProp(text)
            self.letters.append(text)

    def _show(self, canvas):
        self.canvas = canvas
        height, width, channels = canvas.shape
        flipped = np.ascontiguousarray(np.flipud(canvas)).reshape(-1, channels)
        self.image.SetDimensions(width, height, 1)
        self.image.GetPointData().SetScalars(numpy_to_vtk(flipped, deep=True))
        self.image.Modified()

    def world_at(self, x, y):
        """World ``(x, y, z)`` mm under pixel ``(x, y)`` of the panel (top-left origin), or None off the planes."""
        for cut, (x0, y0) in self.planes:
            rows, cols = cut.rgba.shape[:2]
            if x0 <= x < x0 + cols and y0 <= y < y0 + rows:
                return cut.world_of(x - x0, y - y0)
        return None

    def pixels_of(self, xyz):
        """The panel pixels ``(x, y)`` (top-left origin) of ``xyz`` projected onto each plane, left to right."""
        found = []
        for cut, (x0, y0) in self.planes:
            column, row = cut.pixel_of(xyz)
            found.append((float(x0 + column), float(y0 + row)))
        return found

    def props(self):
        """The panel's own props (image and letters)."""
        return [self.actor, *self.letters]
