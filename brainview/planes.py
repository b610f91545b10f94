"""2-D views of a figure: slices of its image layers at world planes, and values at a point.

What the desktop app's linked 2-D views, its cursor and its location panel
draw, as functions a script can call (and a test can check without Qt):

- :func:`plane_image` composites every visible image layer (anatomy slices,
  stat maps, volumes, contours, atlases) on one world-axis-aligned plane
  (``x``, ``y`` or ``z`` = constant mm) into an RGBA array, each layer in its
  own colours, sampled at nearest voxels through each image's inverse affine
  (square pixels along world axes: oblique images land where their affines say).
  It is :func:`plane_grid`, :func:`layer_plane` per layer (:func:`plane_sampler`
  for a snapshot sampled later) and :func:`compose`.
- :func:`values_at` gives, for every visible image layer, its value at a
  world point, the voxel index of its image there and the atlas region.
- :class:`Cursor` is a world position shared by views (a traits model).

Orientation of the images (the screen's left, right, top, bottom):

========  ====================  ==========================  =============
plane     columns               rows (top to bottom)        letters
========  ====================  ==========================  =============
axial     x (R to the right)    y, anterior at the top      L R / A P
coronal   x (R to the right)    z, superior at the top      L R / S I
sagittal  y (A to the right)    z, superior at the top      P A / S I
========  ====================  ==========================  =============

That is the *neurological* convention (the patient's left on the image's left).
``radiological=True`` mirrors the axial and coronal images; sagittal ones stay.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Slices
>>> data = np.zeros((5, 5, 5)); data[4, 2, 2] = 1.0       # a bright voxel at x = 4 mm
>>> layer = Slices((data, np.eye(4)), clim=(0, 1))
>>> plane = plane_image([layer], "z", 2.0)
>>> plane.rgba.shape
(5, 5, 4)
>>> col, row = plane.pixel_of((4, 2, 2))
>>> (col, row), plane.rgba[round(row), round(col), 0]        # right column, middle row, white
((4.0, 2.0), np.uint8(255))
>>> [(v.name, v.value, v.voxel) for v in values_at([layer], (4, 2, 2))]
[('array', 1.0, (4, 2, 2))]
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass

import numpy as np
from traits.api import HasStrictTraits

from .errors import BrainviewTypeError, BrainviewValueError, check_number, describe
from .layers.base import Checked
from .layers.registry import painter_path

__all__ = ["PlaneImage", "PlaneGrid", "LayerValue", "Cursor", "plane_image", "plane_grid", "layer_plane",
           "plane_sampler", "compose", "values_at", "describe_values", "image_layers", "image_bounds", "voxel_step",
           "orientation_labels", "PLANES", "UNPAINTED_TRAITS"]

#: The three planes: name -> (normal world axis, horizontal world axis, vertical world axis).
PLANES = {"sagittal": (0, 1, 2), "coronal": (1, 0, 2), "axial": (2, 0, 1)}
_AXIS_NAMES = {"x": "sagittal", "y": "coronal", "z": "axial", 0: "sagittal", 1: "coronal", 2: "axial"}
#: Most pixels along one side of a plane image (a finer ``pixel_mm`` is coarsened to fit).
MAX_PIXELS = 2048
#: Layer traits that change the 3-D drawing (or the layer list) but not a layer's 2-D plane colours:
#: where the anatomy planes cross (moved by the cursor), which planes the 3-D view shows, the name,
#: visibility and opacity (applied when planes are composited), and the drawn props.
UNPAINTED_TRAITS = frozenset({"coords", "x", "y", "z", "axes", "name", "visible", "opacity", "actor",
                              "trait_added"})


# ------------------------------------------------------------------ the plane


@dataclass(frozen=True, eq=False)
class PlaneImage:
    """An RGBA image of a world plane, with the mm position of every pixel.

    Attributes
    ----------
    rgba : ndarray, shape (rows, cols, 4), uint8
        Row 0 is the top of the view (see the module's orientation table).
    plane : {"axial", "coronal", "sagittal"}
    position : float
        mm along the plane's normal world axis.
    axes : (int, int, int)
        World axes (0 x, 1 y, 2 z) of the normal, the columns and the rows.
    origin : (float, float)
        mm along the column and row axes of the centre of pixel ``(0, 0)``.
    steps : (float, float)
        Signed mm from one column (row) to the next: rows go down (negative),
        columns go left in radiological axial and coronal images.
    radiological : bool
    """

    rgba: np.ndarray
    plane: str
    position: float
    axes: tuple
    origin: tuple
    steps: tuple
    radiological: bool = False

    @property
    def pixel_mm(self):
        """Width (and height) of a pixel in mm."""
        return abs(self.steps[0])

    @property
    def extent(self):
        """``(left, right, bottom, top)`` mm of the image's outer edges (matplotlib's ``imshow``).

        Examples
        --------
        >>> import numpy as np
        >>> PlaneImage(np.zeros((3, 2, 4), np.uint8), "axial", 0.0, (2, 0, 1), (0.0, 2.0), (1.0, -1.0)).extent
        (-0.5, 1.5, -0.5, 2.5)
        """
        rows, cols = self.rgba.shape[:2]
        (h0, v0), (dh, dv) = self.origin, self.steps
        return (h0 - dh / 2, h0 + dh * (cols - 0.5), v0 + dv * (rows - 0.5), v0 - dv / 2)

    def pixel_of(self, xyz):
        """``(column, row)`` (fractional, pixel centres at integers) of a world point's projection."""
        xyz = _check_xyz(xyz, "xyz")
        _, h, v = self.axes
        return ((xyz[h] - self.origin[0]) / self.steps[0], (xyz[v] - self.origin[1]) / self.steps[1])

    def world_of(self, column, row):
        """World ``(x, y, z)`` mm of an image position (pixel centres at integers), on the plane.

        Examples
        --------
        >>> import numpy as np
        >>> plane = PlaneImage(np.zeros((3, 2, 4), np.uint8), "axial", 5.0, (2, 0, 1), (0.0, 2.0), (1.0, -1.0))
        >>> plane.world_of(1, 2)
        (1.0, 0.0, 5.0)
        """
        normal, h, v = self.axes
        xyz = [0.0, 0.0, 0.0]
        xyz[normal] = float(self.position)
        xyz[h] = float(self.origin[0] + column * self.steps[0])
        xyz[v] = float(self.origin[1] + row * self.steps[1])
        return tuple(xyz)


def plane_image(figure_or_layers, plane, position_mm, *, bounds=None, pixel_mm=None,
                radiological=False):
    """Composite the visible image layers on one world plane into an RGBA image.

    Parameters
    ----------
    figure_or_layers : Figure or sequence of Layer
        Layers are drawn in order (later ones over earlier ones); hidden
        layers and layers without an image (meshes, points) are left out.
    plane : {"axial", "coronal", "sagittal"} or {"z", "y", "x"}
    position_mm : float
        Position of the plane along its normal axis (z for axial...), in mm.
    bounds : (xmin, xmax, ymin, ymax, zmin, zmax), optional
        The world box the image covers (pixel centres on its edges).
        Default: :func:`image_bounds` of the layers.
    pixel_mm : float, optional
        Pixel size in mm. Default: the smallest voxel size of the layers'
        images. Coarsened when a side would exceed :data:`MAX_PIXELS`.
    radiological : bool
        Mirror axial and coronal images (patient's left on the right).

    Returns
    -------
    PlaneImage
        Transparent (alpha 0) where no layer shows anything.

    Notes
    -----
    Each kind is coloured as it is drawn in 3-D: slices through their
    colormap over ``clim`` (zeros, NaN and, with ``transparent_below``, values below it transparent); stat maps
    with their sign-readable colours where ``|value| >= threshold``; volumes
    through their colormap where ``value >= clim[0]``; contours fill where
    the image reaches a level with that level's colour; atlases colour the
    shown regions. Every layer's ``opacity`` scales its alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> layer = Slices((np.ones((4, 6, 8)), np.diag([2.0, 2.0, 2.0, 1.0])))
    >>> [plane_image([layer], p, 0.0).rgba.shape[:2] for p in ("axial", "coronal", "sagittal")]
    [(6, 4), (8, 4), (8, 6)]
    """
    layers = image_layers(figure_or_layers)
    grid = plane_grid(layers, plane, position_mm, bounds=bounds, pixel_mm=pixel_mm, radiological=radiological)
    return compose(grid, [(layer_plane(layer, grid), layer.opacity) for layer in layers])


@dataclass(frozen=True)
class PlaneGrid:
    """Where the pixels of a plane image lie: equal grids give pixel-for-pixel equal images.

    Attributes are those of :class:`PlaneImage` (``plane``, ``position``,
    ``axes``, ``origin``, ``steps``, ``radiological``) and ``shape``, the
    ``(rows, cols)``. A grid does not depend on the position along the other
    two axes: the app's 2-D views keep each layer's plane while the cursor
    moves within it (:func:`layer_plane` is called again only when the grid
    or the layer changed).
    """

    plane: str
    position: float
    axes: tuple
    origin: tuple
    steps: tuple
    shape: tuple
    radiological: bool = False


def plane_grid(figure_or_layers, plane, position_mm, *, bounds=None, pixel_mm=None, radiological=False):
    """The :class:`PlaneGrid` :func:`plane_image` samples (same parameters).

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> layer = Slices((np.ones((4, 6, 8)), np.diag([2.0, 2.0, 2.0, 1.0])))
    >>> grid = plane_grid([layer], "axial", 4.0)
    >>> grid.shape, grid.steps
    ((6, 4), (2.0, -2.0))
    >>> layer_plane(layer, grid).shape
    (6, 4, 4)
    """
    name = _check_plane(plane)
    position = check_number(position_mm, "position_mm")
    layers = image_layers(figure_or_layers)
    box = _check_bounds(image_bounds(layers) if bounds is None else bounds)
    step = _pixel_size(layers, pixel_mm, box)
    normal, h, v = PLANES[name]
    mirrored = bool(radiological) and name != "sagittal"
    cols = int(np.floor((box[h][1] - box[h][0]) / step + 1e-6)) + 1
    rows = int(np.floor((box[v][1] - box[v][0]) / step + 1e-6)) + 1
    # Rows go down from the top of the box; columns go right (left when mirrored),
    # on the same pixel centres either way: radiological is the exact mirror image.
    origin = (box[h][0] + (cols - 1) * step if mirrored else box[h][0], box[v][0] + (rows - 1) * step)
    steps = (-step if mirrored else step, -step)
    return PlaneGrid(name, float(position), (normal, h, v), origin, steps, (rows, cols), mirrored)


def layer_plane(layer, grid):
    """One image layer's colours on a :class:`PlaneGrid`: float32 RGBA, straight alpha, before ``opacity``.

    What :func:`plane_image` composites: the painter the kind registry names for the
    layer's kind (:mod:`brainview.render.painters`) colours the values sampled at the
    grid's pixels. ``layer_plane(layer, grid) == plane_sampler(layer)(grid)``.
    """
    return plane_sampler(layer)(grid)


def plane_sampler(layer):
    """``sample(grid)``, :func:`layer_plane` of the layer's data and colours as they are now.

    The app takes this snapshot on the GUI thread and samples in a worker
    (:mod:`brainview.gui.plane_worker`): later changes of the layer do not reach it.

    Examples
    --------
    >>> import numpy as np, nibabel as nib
    >>> from brainview.layers import Slices
    >>> layer = Slices(nib.Nifti1Image(np.arange(27, dtype=np.float32).reshape(3, 3, 3), np.eye(4)))
    >>> grid = plane_grid([layer], "axial", 1.0)
    >>> plane_sampler(layer)(grid).shape == (*grid.shape, 4)
    True
    """
    data, affine, paint = _painter(layer)

    def sample(grid):
        values = _sample(data, affine, grid.position, grid.axes, grid.origin, grid.steps, grid.shape)
        return paint(values.ravel()).reshape(*grid.shape, 4).astype(np.float32, copy=False)

    return sample


def compose(grid, planes):
    """Composite ``[(layer_plane, opacity), ...]`` (first at the bottom) into a :class:`PlaneImage`."""
    canvas = np.zeros((*grid.shape, 4), np.float32)
    for index, (rgba, opacity) in enumerate(planes):
        _over(canvas, rgba, float(opacity), empty=index == 0)
    rgba = np.rint(np.clip(canvas, 0.0, 1.0) * 255).astype(np.uint8)
    return PlaneImage(rgba, grid.plane, grid.position, grid.axes, grid.origin, grid.steps, grid.radiological)


def orientation_labels(plane, *, radiological=False):
    """The anatomical letters at the ``left``, ``right``, ``top`` and ``bottom`` of a plane image.

    Examples
    --------
    >>> orientation_labels("axial")
    {'left': 'L', 'right': 'R', 'top': 'A', 'bottom': 'P'}
    >>> orientation_labels("coronal", radiological=True)["left"]
    'R'
    """
    name = _check_plane(plane)
    if name == "sagittal":
        return {"left": "P", "right": "A", "top": "S", "bottom": "I"}
    left, right = ("R", "L") if radiological else ("L", "R")
    top, bottom = ("A", "P") if name == "axial" else ("S", "I")
    return {"left": left, "right": right, "top": top, "bottom": bottom}


def image_layers(figure_or_layers):
    """The visible layers that have an image (``layer.image``), in drawing order."""
    layers = getattr(figure_or_layers, "layers", figure_or_layers)
    try:
        layers = list(layers)
    except TypeError:
        raise BrainviewTypeError(
            f"figure_or_layers: expected a Figure or a list of layers, got {describe(figure_or_layers)}."
        ) from None
    return [layer for layer in layers
            if getattr(layer, "visible", False) and getattr(layer, "image", None) is not None
            and painter_path(layer.kind) is not None]


def image_bounds(layers):
    """``(xmin, xmax, ymin, ymax, zmin, zmax)`` of the voxel centres of every layer's image.

    Without image layers: a 1 mm box around 0 (an empty view still has a scale).
    """
    boxes = [np.array(layer.image.world_bounds()).reshape(3, 2) for layer in image_layers(layers)]
    if not boxes:
        return (-0.5, 0.5) * 3
    low = np.min([b[:, 0] for b in boxes], axis=0)
    high = np.max([b[:, 1] for b in boxes], axis=0)
    return tuple(float(v) for pair in zip(low, high) for v in pair)


def voxel_step(image, axis):
    """mm to move along a world axis (0, 1, 2) for the nearest voxel index to change by one.

    For an image aligned with the world axes, the voxel size along that
    axis; for an oblique one, the shortest move along the axis that reaches
    the next voxel along the index axis closest to it.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.io import Image
    >>> voxel_step(Image(np.zeros((2, 2, 2)), np.diag([2.0, -3.0, 1.0, 1.0])), 1)
    3.0
    """
    inverse = np.linalg.inv(image.affine[:3, :3])
    return float(1.0 / np.abs(inverse[:, int(axis)]).max())


# ------------------------------------------------------------------ values at a point


@dataclass(frozen=True)
class LayerValue:
    """One layer's reading at a world point.

    Attributes
    ----------
    name : str
        The layer's name.
    kind : str
    value : float, str, dict or None
        ``layer.value_at(xyz)``: a float (NaN outside the image), an atlas
        region name (None outside every region) or a probabilistic atlas's
        ``{name: value}``.
    voxel : (int, int, int) or None
        Index of the nearest voxel of the layer's image; None outside it.
    region : str or None
        The atlas region there (an atlas layer; None otherwise).
    """

    name: str
    kind: str
    value: object
    voxel: tuple | None
    region: str | None = None


def values_at(figure_or_layers, xyz):
    """Every visible image layer's value, voxel index and region at a world point.

    Parameters
    ----------
    figure_or_layers : Figure or sequence of Layer
    xyz : (float, float, float)
        World (RAS+) mm.

    Returns
    -------
    list of LayerValue
        In drawing order.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Atlas
    >>> data = np.zeros((5, 5, 5), np.uint8); data[1:4, 1:4, 1:4] = 7
    >>> (reading,) = values_at([Atlas((data, np.eye(4)), labels={7: "cube"}, smooth=0)], (2, 2, 2))
    >>> reading.value, reading.voxel, reading.region
    ('cube', (2, 2, 2), 'cube')
    """
    point = _check_xyz(xyz, "xyz")
    readings = []
    for layer in image_layers(figure_or_layers):
        image = layer.image
        ijk = np.rint(image.to_voxel(np.array([point]))[0])
        inside = bool(np.all(np.isfinite(ijk)) and np.all((ijk >= 0) & (ijk < np.array(image.shape[:3]))))
        voxel = tuple(int(i) for i in ijk) if inside else None
        value = layer.value_at(point)
        region = layer.region_at(point) if layer.kind == "atlas" else None
        readings.append(LayerValue(layer.name, layer.kind, value, voxel, region))
    return readings


def describe_values(xyz, readings):
    """One status-bar line: the mm coordinate, then each layer's value [voxel] and the region.

    Examples
    --------
    >>> describe_values((1, -2.5, 3), [LayerValue("map", "stat_map", 2.0, (4, 5, 6))])
    'x=1.0 y=-2.5 z=3.0 mm | map: 2 [4, 5, 6]'
    >>> describe_values((0, 0, 0), [LayerValue("atlas", "atlas", None, None)])
    'x=0.0 y=0.0 z=0.0 mm | atlas: outside'
    """
    x, y, z = _check_xyz(xyz, "xyz")
    parts = [f"x={x:.1f} y={y:.1f} z={z:.1f} mm"]
    for reading in readings:
        parts.append(f"{reading.name}: {format_value(reading)}")
    return " | ".join(parts)


def format_value(reading):
    """A reading's value (and voxel) as short text: ``'3.2 [45, 60, 30]'``, ``'outside'``."""
    value = reading.value
    if reading.voxel is None:
        return "outside"
    if isinstance(value, float):
        text = "NaN" if np.isnan(value) else f"{value:.4g}"
    elif isinstance(value, dict):
        text = ", ".join(f"{name} {v:.2g}" for name, v in list(value.items())[:3])
    elif value is None:
        text = "no region"
    else:
        text = str(value)
    return f"{text} [{', '.join(str(i) for i in reading.voxel)}]"


# ------------------------------------------------------------------ the cursor


def _check_position(value, name):
    return _check_xyz(value, name)


class Cursor(HasStrictTraits):
    """A world position (mm) shared by linked views; observe ``position`` to follow it.

    Examples
    --------
    >>> cursor = Cursor(position=(1, 2, 3))
    >>> cursor.position
    (1.0, 2.0, 3.0)
    >>> cursor.step(2, -1, step_mm=2.0).position
    (1.0, 2.0, 1.0)
    >>> cursor.position = (0, 0)
    Traceback (most recent call last):
    ...
    brainview.errors.BrainviewValueError: position: expected three mm coordinates (x, y, z), got (0, 0).
    """

    #: ``(x, y, z)`` in world (RAS+) mm.
    position = Checked(_check_position, (0.0, 0.0, 0.0))

    def step(self, axis, count, *, step_mm):
        """Move ``count`` steps of ``step_mm`` along world axis ``axis`` (0 x, 1 y, 2 z); returns self."""
        axis = int(axis)
        if axis not in (0, 1, 2):
            raise BrainviewValueError(f"axis: expected 0 (x), 1 (y) or 2 (z), got {axis!r}.")
        xyz = list(self.position)
        xyz[axis] += float(count) * check_number(step_mm, "step_mm", minimum=0, strict=True)
        self.position = tuple(xyz)
        return self


# ------------------------------------------------------------------ sampling


def _sample(data, affine, position, axes, origin, steps, shape):
    """Nearest-voxel values (NaN outside) at the centres of a plane's pixels, vectorised.

    The voxel index is affine in (row, column): ``ijk = ijk0 + c * dc + r * dr``,
    so three small outer sums give every pixel's index without a world grid.
    """
    normal, h, v = axes
    rows, cols = shape
    inverse = np.linalg.inv(np.asarray(affine, dtype=float))
    start = np.zeros(3)
    start[normal], start[h], start[v] = position, origin[0], origin[1]
    ijk0 = inverse[:3, :3] @ start + inverse[:3, 3]
    per_col = inverse[:3, h] * steps[0]
    per_row = inverse[:3, v] * steps[1]
    c = np.arange(cols, dtype=np.float64)
    r = np.arange(rows, dtype=np.float64)[:, None]
    inside = np.ones(shape, dtype=bool)
    index = []
    for d in range(3):
        coordinate = np.rint(ijk0[d] + per_col[d] * c + per_row[d] * r)
        inside &= (coordinate >= 0) & (coordinate < data.shape[d])
        index.append(coordinate)
    values = np.full(shape, np.nan, dtype=np.float64)
    if inside.any():
        picked = tuple(axis_index[inside].astype(np.intp) for axis_index in index)
        values[inside] = data[picked]
    return values


def _over(canvas, rgba, opacity, *, empty=False):
    """Composite ``rgba`` over ``canvas`` in place (straight alpha), only where ``rgba`` shows.

    ``empty``: nothing is on the canvas yet (the first layer is copied, not blended).
    """
    if empty:
        canvas[...] = rgba
        canvas[..., 3] *= opacity
        return
    shown = rgba[..., 3] > 0
    top, below = rgba[shown], canvas[shown]
    alpha = top[:, 3:4] * opacity
    under = below[:, 3:4] * (1.0 - alpha)
    total = alpha + under
    safe = np.where(total > 0, total, 1.0)
    below[:, :3] = (top[:, :3] * alpha + below[:, :3] * under) / safe
    below[:, 3:4] = total
    canvas[shown] = below


# ------------------------------------------------------------------ each kind's painter


@functools.lru_cache(maxsize=None)
def _painter_of(path):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def _painter(layer):
    """``(data, affine, paint)`` of the painter the kind registry names for the layer's kind."""
    return _painter_of(painter_path(layer.kind))(layer)


# ------------------------------------------------------------------ checks


def _check_plane(plane):
    if isinstance(plane, str) and plane in PLANES:
        return plane
    if isinstance(plane, (str, int)) and not isinstance(plane, bool) and plane in _AXIS_NAMES:
        return _AXIS_NAMES[plane]
    raise BrainviewValueError(
        f"plane: expected 'axial', 'coronal', 'sagittal' (or 'z', 'y', 'x'), got {describe(plane)}.")


def _check_xyz(xyz, name):
    try:
        values = tuple(float(c) for c in xyz)
    except (TypeError, ValueError):
        values = ()
    if len(values) != 3 or not all(np.isfinite(values)):
        raise BrainviewValueError(f"{name}: expected three mm coordinates (x, y, z), got {describe(xyz)}.")
    return values


def _check_bounds(bounds):
    try:
        values = [float(b) for b in bounds]
    except (TypeError, ValueError):
        values = []
    if len(values) != 6 or not all(np.isfinite(values)) or any(
            values[2 * a] > values[2 * a + 1] for a in range(3)):
        raise BrainviewValueError(
            f"bounds: expected (xmin, xmax, ymin, ymax, zmin, zmax) mm with min <= max, got {describe(bounds)}.")
    return tuple((values[2 * a], values[2 * a + 1]) for a in range(3))


def _pixel_size(layers, pixel_mm, box):
    if pixel_mm is None:
        sizes = [float(layer.image.voxel_sizes.min()) for layer in layers]
        step = min(sizes) if sizes else 1.0
    else:
        step = check_number(pixel_mm, "pixel_mm", minimum=0, strict=True)
    widest = max(high - low for low, high in box)
    return max(step, widest / (MAX_PIXELS - 1))
