"""The 3-D drawer of :class:`~brainview.layers.Slices`: one ``vtkImageActor`` per plane.

The model cuts the planes (:meth:`~brainview.layers.Slices.plane`, once per
position); the drawer hands each new cut to VTK and colours every plane with
one lookup table. Moving one plane re-shows that plane only; a colour change
refills the table without cutting anything.

What is drawn (the anchors are nilearn, which masks the template's zero
background, and FSLeyes, whose clipping range follows the display range's
low end by default, ``linkLowRanges=True``):

- zeros and NaN are transparent: the figure's background shows there;
- values below ``clim[0]`` are transparent (``transparent_below=True``, the
  default; ``False`` draws them in the colormap's first colour, as a
  matplotlib image does);
- values above ``clim[1]`` are drawn in the colormap's last colour
  (saturated, as FSLeyes and nilearn draw them).

The planes of a later layer are drawn over coplanar planes of earlier layers
from any camera (:class:`PlaneStack`), and the figure frames the drawn pixels
only (:meth:`SlicesDrawer.bounds`), not the planes' whole rectangles.

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import Slices
>>> fig = Figure(size=(40, 30))
>>> layer = fig.add(Slices((np.ones((10, 10, 10)), np.eye(4)), coords=(5, 5, 5), axes="z"))
>>> drawer = fig.drawer(layer)
>>> sorted(drawer.actors), drawer.actors["z"].GetVisibility(), drawer.actors["x"].GetVisibility()
(['x', 'y', 'z'], 1, 0)
>>> layer.z = 2.0
>>> drawer.actors["z"].GetInput().GetOrigin()[2]
2.0
>>> fig.close()
"""

from __future__ import annotations

import weakref

import numpy as np
from vtkmodules.util.numpy_support import numpy_to_vtk

from .. import _vtk, colors
from ..errors import BrainviewValueError
from ..geometry.camera import union_bounds
from ..geometry.extent import plane_box
from ..layers.slices import AXES
from .drawer import Drawer

__all__ = ["SlicesDrawer", "PlaneStack", "plane_image", "plane_table", "drawn_values", "drawn_mask",
           "indexed_colors"]


class SlicesDrawer(Drawer):
    """Three image actors (x, y, z), shown for the axes in the model's ``axes``.

    :attr:`actors` maps ``"x"``, ``"y"``, ``"z"`` to the plane's ``vtkImageActor``.
    """

    observes = ("x", "y", "z", "axes", "cmap", "clim", "transparent_below", "interpolation", "opacity",
                "gamma", "invert", "clip")

    def build(self):
        self._lut = None
        self._shown = dict.fromkeys(AXES)  # axis -> the model's plane the actor shows
        self._boxes = {}  # axis -> (plane, clim[0], transparent_below, world box of its drawn pixels)
        self.actors = {}
        for axis in AXES:
            actor = _vtk.vtkImageActor()
            actor.GetProperty().UseLookupTableScalarRangeOn()
            self.actors[axis] = actor
        self._axis_of = {actor: axis for axis, actor in self.actors.items()}
        self.stack = PlaneStack(self.figure, {AXES.index(axis): actor for axis, actor in self.actors.items()})
        return list(self.actors.values())

    def sync(self, name):
        layer = self.layer
        if name in (None, "cmap", "clim", "transparent_below", "gamma", "invert"):
            self._lut = plane_table(layer, self._lut)
        axes = AXES if name in (None, "interpolation", "clip") else (name,) if name in AXES else ()
        for axis in axes:
            plane = layer.plane(axis)
            if plane is not self._shown[axis]:
                values, origin, step = plane
                show_plane(self.actors[axis], plane_image(drawn_values(values), origin, step, axis=AXES.index(axis)))
                self._shown[axis] = plane
        for actor in self.actors.values():
            prop = actor.GetProperty()
            prop.SetLookupTable(self._lut)
            prop.SetOpacity(layer.opacity)
            if layer.interpolation == "linear":
                prop.SetInterpolationTypeToLinear()
            else:
                prop.SetInterpolationTypeToNearest()

    def visible_prop(self, prop):
        return bool(self.layer.visible) and self._axis_of[prop] in self.layer.axes

    def bounds(self):
        """World box of the drawn pixels of the shown planes (transparent ones do not count), or None.

        Each plane's box is computed once per cut and colour window, never per render.
        """
        layer = self.layer
        if not layer.visible or layer.opacity <= 0:
            return None
        return union_bounds([self._plane_bounds(axis) for axis in AXES if axis in layer.axes])

    def frame_points(self):
        """The corners of the drawn pixels' box of each shown plane (the camera frames these)."""
        boxes = [self._plane_bounds(axis) for axis in AXES if axis in self.layer.axes]
        boxes = [box for box in boxes if box is not None]
        if not boxes:
            return np.zeros((0, 3))
        return np.concatenate([np.array(np.meshgrid(*np.reshape(box, (3, 2)), indexing="ij")).reshape(3, -1).T
                               for box in boxes])

    def _plane_bounds(self, axis):
        layer = self.layer
        plane = layer.plane(axis)
        key = (layer.clim[0], layer.transparent_below)
        cached = self._boxes.get(axis)
        if cached is None or cached[0] is not plane or cached[1] != key:
            values, origin, step = plane
            box = plane_box(drawn_mask(values, layer), origin, step, AXES.index(axis))
            cached = self._boxes[axis] = (plane, key, box)
        return cached[2]

    def dispose(self):
        self.stack.detach()
        super().dispose()


# ------------------------------------------------------------------ what is drawn: the colour rule


def plane_table(layer, table=None):
    """The lookup table of a Slices layer's planes (filled in place when ``table`` is given).

    ``cmap`` (with its ``gamma`` and ``invert``) over ``clim``; NaN
    transparent (zeros are handed to VTK as NaN, :func:`drawn_values`, and
    values outside ``clip`` come as NaN from the model); below ``clim[0]``
    transparent when ``transparent_below``, else the first colour; above
    ``clim[1]`` the last colour. :func:`drawn_mask` says the same in numpy.
    """
    return colors.lookup_table(colors.shown_cmap(layer), layer.clim, table=table,
                               transparent_below=layer.transparent_below, transparent_nan=True)


def drawn_values(values):
    """A plane's values as handed to VTK: float32, zeros as NaN (drawn transparent).

    Examples
    --------
    >>> import numpy as np
    >>> drawn_values(np.array([[0.0, 2.0]])).tolist()
    [[nan, 2.0]]
    """
    drawn = np.array(values, dtype=np.float32)
    drawn[drawn == 0] = np.nan
    return drawn


def drawn_mask(values, layer):
    """Which values of a plane (as the model cuts it: NaN outside ``clip``) :func:`plane_table` draws.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> layer = Slices((np.ones((2, 2, 2)), np.eye(4)), clim=(1, 5))
    >>> drawn_mask(np.array([0.0, np.nan, 0.5, 1.0, 9.0]), layer).tolist()
    [False, False, False, True, True]
    """
    values = np.asarray(values)
    shown = np.isfinite(values) & (values != 0)
    if layer.transparent_below:
        shown &= values >= layer.clim[0]
    return shown


def indexed_colors(rgba, table=None):
    """An RGBA plane as ``(indices, table)``: float32 indices into a lookup table of its colours.

    Pixels of alpha 0 get NaN (the table's transparent NaN colour). Planes of
    premixed colours (a stat map over its anatomy) are drawn this way, not as
    direct RGBA: VTK's depth peeling lets the alpha-0 pixels of a direct-RGBA
    plane hide the translucent planes behind them (an overlay above an opaque
    anatomy vanished behind the empty part of another plane); a NaN through a
    table is not drawn at all.

    Examples
    --------
    >>> import numpy as np
    >>> rgba = np.array([[[255, 0, 0, 255], [0, 0, 0, 0]], [[255, 0, 0, 255], [9, 9, 9, 255]]], np.uint8)
    >>> indices, table = indexed_colors(rgba)
    >>> indices.tolist(), table.GetNumberOfTableValues(), table.GetRange()
    ([[1.0, nan], [1.0, 2.0]], 3, (-0.5, 2.5))
    """
    from vtkmodules.vtkCommonCore import vtkLookupTable

    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    unique, inverse = np.unique(rgba.reshape(-1, 4).view(np.uint32).ravel(), return_inverse=True)
    indices = inverse.astype(np.float32).reshape(rgba.shape[:2])
    indices[rgba[..., 3] == 0] = np.nan
    colours = unique.view(np.uint8).reshape(-1, 4)
    table = table or vtkLookupTable()
    table.SetNumberOfTableValues(len(colours))
    table.SetTable(numpy_to_vtk(colours, deep=True))
    table.SetRange(-0.5, len(colours) - 0.5)  # value i maps to entry i exactly
    table.SetNanColor(0.0, 0.0, 0.0, 0.0)
    table.Modified()
    return indices, table


# ------------------------------------------------------------------ planes in VTK


def plane_image(values, origin, step, *, axis):
    """A one-voxel-thick ``vtkImageData`` normal to world ``axis``.

    ``values`` is a plane's ``(nu, nv)`` values (as float32) or ``(nu, nv, 4)``
    RGBA pixels (kept in their dtype: a stat map's blended colours).
    """
    index = AXES.index(axis) if isinstance(axis, str) else axis
    dims = [1, 1, 1]
    in_plane = [a for a in range(3) if a != index]
    dims[in_plane[0]], dims[in_plane[1]] = values.shape[:2]
    plane = _vtk.vtkImageData()
    plane.SetDimensions(*dims)
    plane.SetOrigin(*origin)
    plane.SetSpacing(step, step, step)
    if values.ndim == 3:
        flat = np.ascontiguousarray(values.transpose(1, 0, 2)).reshape(-1, values.shape[2])
    else:
        flat = np.ascontiguousarray(values.T, dtype=np.float32).ravel()
    plane.GetPointData().SetScalars(numpy_to_vtk(flat, deep=True))
    return plane


def show_plane(actor, plane):
    """Draw a one-voxel-thick ``vtkImageData`` plane with a ``vtkImageActor``.

    Setting the display extent makes VTK orient the slice from the plane's
    flat axis and report its true bounds (without it, ``GetBounds`` of a
    sagittal or coronal plane collapses z to the plane: off-centre framing
    and wrong clipping ranges).
    """
    actor.GetMapper().SetInputData(plane)
    actor.SetDisplayExtent(plane.GetExtent())
    actor.Update()


# ------------------------------------------------------------------ coplanar layers

#: Depth-buffer quanta between two stacked planes: 2 for the rounding of each
#: depth, the rest for the rasteriser's interpolation of depth (float32).
_QUANTA = 8


class PlaneStack:
    """Draws a drawer's image planes over the planes of the layers before it, from any camera.

    Two coplanar planes (an anatomy and an overlay cut at the same mm) have
    the same depth at every pixel: the depth test picks either, pixel by
    pixel (z-fighting). Just before each renderer showing the planes draws,
    they are moved ``rank * step`` mm along their normal towards that
    renderer's camera: ``rank`` counts the visible layers drawing image
    planes before this one in the figure, ``step`` is :func:`lift_step`:
    ``_QUANTA`` depth-buffer steps at the image planes' farthest point in that
    view for the coarsest depth buffer any clipping range can give there, so
    each plane is nearer in the depth buffer than the coplanar planes of
    every layer before it, at every pixel of every view, whatever the angle;
    the first layer never moves. Seen from the other side, the planes move
    the other way.

    The step depends on the camera and the image planes only, never on the
    clipping range (which other props, a window's history of poses or an
    app's own props decide): the same layers seen from the same camera are
    lifted by the same mm, so they draw the same pixels (a plane moved by
    another fraction of a mm samples its voxels at other screen points: the
    exported script of an app's figure differed from the app on 0-3 % of the
    pixels). It is 0.2-0.3 mm per rank for a brain framed at 400 mm (the
    depth buffer is that coarse when the near plane is at 1/1000 of the far
    one, as when the camera is inside the scene's box): a fraction of a
    voxel, under a pixel at 800 x 600, so the layers stay registered.

    Why not VTK's coincident-topology resolution (polygon offset): it is set
    per ``vtkMapper`` and only used when the process-wide mode is polygon
    offset, and a ``vtkImageActor`` draws through an internal mapper that
    takes neither (``vtkOpenGLImageSliceMapper`` has its offset commented
    out); per-layer offsets are not reachable for image planes.

    Parameters
    ----------
    figure : Figure
        The figure whose layers rank the planes (held weakly).
    actors : dict
        World axis (0, 1, 2) -> the ``vtkImageActor`` of the plane normal to it.
    """

    def __init__(self, figure, actors):
        self.actors = dict(actors)
        self._watched = []  # (renderer, observer tag)
        self._figure = weakref.ref(figure) if figure is not None else (lambda: None)
        self._on_change = None
        if figure is not None:
            # The figure's own renderer from the start: in the app, the render thread adds the
            # planes to it after the figure fired ``changed`` (the planes were never lifted there).
            self._follow(figure.renderer)
            self._on_change = lambda event, ref=weakref.ref(self): ref() and ref().watch()
            figure.observe(self._on_change, "changed")

    def watch(self):
        """Follow every renderer showing the planes (a layout's panels too); called on each figure change."""
        for actor in self.actors.values():
            for index in range(actor.GetNumberOfConsumers()):
                consumer = actor.GetConsumer(index)
                if consumer is not None and consumer.IsA("vtkRenderer"):
                    self._follow(consumer)

    def _follow(self, renderer):
        """Lift the planes at each of ``renderer``'s renders (once per renderer)."""
        if any(known is renderer for known, _ in self._watched):
            return
        ref = weakref.ref(self)
        tag = renderer.AddObserver("StartEvent", lambda caller, event: ref() and ref().lift(caller))
        self._watched.append((renderer, tag))

    def rank(self):
        """How many visible layers drawing image planes come before the layer drawing these planes."""
        figure = self._figure()
        if figure is None:
            return 0
        rank, mine = 0, list(self.actors.values())
        for layer in list(figure.layers):
            try:
                props = figure.drawer(layer).props()
            except BrainviewValueError:  # added, not drawn yet (the app's render thread draws it next)
                continue
            if any(prop is actor for prop in props for actor in mine):
                return rank
            if layer.visible and any(prop.IsA("vtkImageActor") and prop.GetVisibility() for prop in props):
                rank += 1
        return rank

    def lift(self, renderer):
        """Move the planes for ``renderer``'s camera (its ``StartEvent``), if it shows them.

        Each render also follows renderers that started showing the planes without a figure
        event (a layout's panels, when the app's render thread draws): from their next render.
        """
        self.watch()
        props = renderer.GetViewProps()
        if not any(props.IsItemPresent(actor) for actor in self.actors.values()):
            return
        rank = self.rank()
        camera = renderer.GetActiveCamera()
        position, direction = np.array(camera.GetPosition()), np.array(camera.GetDirectionOfProjection())
        step = rank * lift_step(renderer) if rank else 0.0
        for axis, actor in self.actors.items():
            offset = [0.0, 0.0, 0.0]
            plane = actor.GetInput()
            if step and plane is not None:
                towards = -direction[axis] if camera.GetParallelProjection() else position[axis] - plane.GetOrigin()[axis]
                offset[axis] = step if towards >= 0 else -step
            if tuple(actor.GetPosition()) != tuple(offset):
                actor.SetPosition(*offset)

    def detach(self):
        """Stop following the renderers and the figure."""
        for renderer, tag in self._watched:
            renderer.RemoveObserver(tag)
        self._watched = []
        figure = self._figure()
        if figure is not None and self._on_change is not None:
            figure.observe(self._on_change, "changed", remove=True)
            self._on_change = None


def image_planes_depth(renderer):
    """The farthest eye depth (mm along the view direction) of the visible image planes' corners, un-lifted.

    The planes' own boxes (their mappers' bounds, before any :class:`PlaneStack`
    lift), so neither other props nor the last lift change it; 0 when none.
    """
    camera = renderer.GetActiveCamera()
    position, direction = np.array(camera.GetPosition()), np.array(camera.GetDirectionOfProjection())
    props = renderer.GetViewProps()
    props.InitTraversal()
    boxes = []
    for _ in range(props.GetNumberOfItems()):
        prop = props.GetNextProp()
        mapper = prop.GetVisibility() and prop.IsA("vtkImageSlice") and prop.GetMapper()
        if mapper:
            boxes.append(mapper.GetBounds())
    boxes = np.reshape(boxes, (-1, 3, 2))
    boxes = boxes[(boxes[:, :, 0] <= boxes[:, :, 1]).all(axis=1)]  # planes with data
    if not len(boxes):
        return 0.0
    farthest = np.where(direction > 0, boxes[:, :, 1], boxes[:, :, 0])  # each box's corner farthest along it
    return max(float(((farthest - position) @ direction).max()), 0.0)


def lift_step(renderer):
    """mm between two stacked layers' planes in ``renderer``'s view: :func:`depth_step` at the planes' far end.

    A function of the camera and the image planes only (not of the clipping range).
    """
    return depth_step(renderer, image_planes_depth(renderer))


def depth_step(renderer, depth):
    """mm that ``_QUANTA`` depth-buffer steps span at most at eye distance ``depth``, whatever the clipping range.

    With a perspective camera a depth-buffer step at eye distance ``z`` spans
    ``z**2 (far - near) / (far near) / 2**bits`` mm, less than
    ``z**2 / near / 2**bits``; VTK keeps ``near >= tolerance * far``
    (``vtkRenderer::ResetCameraClippingRange``, the renderer's near clipping
    plane tolerance: 0.001 for a 24-bit depth buffer) and ``far >= z`` for
    any point drawn, so the step is at most ``z / tolerance / 2**bits``
    whatever props decided the range. The bound depends on ``z``, the
    renderer's tolerance and the window's depth bits only. A parallel
    camera's step, ``(far - near) / 2**bits`` everywhere, has no such bound:
    it follows the clipping range.

    Examples
    --------
    >>> from brainview import _vtk
    >>> renderer = _vtk.vtkRenderer()
    >>> renderer.SetNearClippingPlaneTolerance(0.001)
    >>> round(depth_step(renderer, 400.0), 4)  # mm: 8 * 400 / 0.001 / 2**24
    0.1907
    >>> renderer.GetActiveCamera().SetClippingRange(0.5, 500.0)  # the range does not matter
    >>> round(depth_step(renderer, 400.0), 4)
    0.1907
    """
    camera = renderer.GetActiveCamera()
    window = renderer.GetRenderWindow()
    bits = min(window.GetDepthBufferSize() if window is not None else 0, 24) or 24
    quantum = 2.0 ** -bits
    if camera.GetParallelProjection():
        near, far = camera.GetClippingRange()
        return _QUANTA * (far - near) * quantum
    # the tolerance VTK picks at the first reset when none is set (vtkRenderer.cxx)
    tolerance = renderer.GetNearClippingPlaneTolerance() or (0.01 if bits <= 16 else 0.001)
    return _QUANTA * max(depth, 0.0) / tolerance * quantum
