"""What is under a pixel: world mm coordinate, each layer's value there, atlas region.

The desktop app's status bar calls :func:`pick` on mouse moves; a script can
call it on an off-screen figure just the same (``fig.pick(x, y)``).

The point under the cursor is the first *opaque* surface along the view ray:
translucent props (a glass brain, a template surface or any layer with
opacity < 1) are context and are picked through, so a blob inside a glass
brain reports its own value. Only when the ray meets nothing opaque does the
first translucent surface give the point. Every visible layer's value is then
read at that point (``layer.value_at``), not only the value of the prop hit.

Markers (:class:`~brainview.layers.Points`) and connectome nodes are glyphs
that VTK's cell picker does not see: they are picked geometrically, the view
ray against the spheres of the models' public centres and diameters (exact
spheres, one vectorised test over every marker). The result names the marker
or node hit (``PickResult.item``). Line-only props (connectome edges drawn
as lines, streamlines, vector segments) have no area: they are picked with a
tolerance of ``LINE_PICK_PIXELS`` around the pixel, as they are drawn.

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import Slices
>>> fig = Figure(size=(100, 100), antialias=False)
>>> plane = Slices((np.full((11, 11, 11), 7.0), np.eye(4)), axes="z", coords=(5, 5, 5),
...                name="plane")
>>> _ = fig.add(plane)
>>> fig.view("superior")
>>> result = pick(fig, 50, 50)
>>> [round(v) for v in result.world_xyz], result.values
([5, 5, 5], {'plane': 7.0})
>>> fig.close()
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import BrainviewValueError, describe

__all__ = ["LINE_PICK_PIXELS", "PickResult", "pick"]

#: Pixels from a line-only prop within which a pick hits it (half a 2-pixel line and a pixel).
LINE_PICK_PIXELS = 2.0


@dataclass(frozen=True)
class PickResult:
    """The result of a pick.

    Attributes
    ----------
    world_xyz : tuple of 3 float, or None
        World (RAS+ mm) coordinate of the surface under the pixel; None when
        the pixel shows background.
    values : dict
        Layer name -> value of that layer's data at ``world_xyz``, for every
        visible layer that has values (images; atlases give region names).
    region : str or None
        The name of the atlas region there, when an atlas layer is shown.
    layer : Layer or None
        The layer whose prop was hit.
    item : int, tuple or None
        The first value of :attr:`item_info`: the vertex, marker, node,
        streamline or line index, or the voxel ``(i, j, k)`` hit; None when
        the hit names no item.
    item_info : dict
        What was hit in the layer, by its drawer: ``{"vertex": 12}``,
        ``{"marker": 3}``, ``{"node": 0, "label": "PCC"}``,
        ``{"voxel": (i, j, k), "region": 7, "name": "Precentral"}``,
        ``{"streamline": 5, "bundle": "AF_L"}``...
    """

    world_xyz: tuple | None = None
    values: dict = field(default_factory=dict)
    region: str | None = None
    layer: object = None
    item: object = None
    item_info: dict = field(default_factory=dict)

    def describe(self):
        """One line for a status bar.

        Examples
        --------
        >>> PickResult((1.0, -2.5, 3.0), {"map": 2.0}, None).describe()
        'x=1.0 y=-2.5 z=3.0 mm | map: 2'
        >>> PickResult().describe()
        ''
        """
        if self.world_xyz is None:
            return ""
        x, y, z = self.world_xyz
        parts = [f"x={x:.1f} y={y:.1f} z={z:.1f} mm"]
        for name, value in self.values.items():
            if isinstance(value, float):
                value = "outside" if np.isnan(value) else f"{value:.4g}"
            parts.append(f"{name}: {value}")
        if self.region is not None and not any(self.region == v for v in self.values.values()):
            parts.append(f"region: {self.region}")
        return " | ".join(parts)


def check_pixel(xy, y=None):
    """``(x, y)`` floats from a pixel pair or from two numbers, else a brainview error.

    Examples
    --------
    >>> check_pixel((3, 4)), check_pixel(3, 4)
    ((3.0, 4.0), (3.0, 4.0))
    """
    pair = xy if y is None else (xy, y)
    try:
        x, y = (float(v) for v in pair)
    except (TypeError, ValueError):
        raise BrainviewValueError(
            f"xy: expected a pixel (x, y) of two numbers, got {describe(pair)}.") from None
    if not (np.isfinite(x) and np.isfinite(y)):
        raise BrainviewValueError(f"xy: expected finite pixel coordinates, got {(x, y)}.")
    return x, y


def pick(figure, x, y=None):
    """Pick the scene of ``figure`` at pixel ``(x, y)``.

    Parameters
    ----------
    figure : Figure
    x, y : float
        Pixel column and row in the rendered image, origin at the top left
        (as in :meth:`Figure.screenshot` arrays and Qt mouse events); or
        ``x`` a pair ``(x, y)`` and ``y`` left out.

    Returns
    -------
    PickResult
    """
    x, y = check_pixel(x, y)
    window = figure.window
    # A figure may reuse a window another one drew: ask its renderer, too.
    never_drawn = window.GetNeverRendered() or figure.renderer.GetLastRenderTimeInSeconds() < 0
    if not figure._camera_set or never_drawn:
        figure.render()
    _, height = window.GetSize()
    # VTK's display origin is the bottom-left pixel.
    origin, direction = _view_ray(figure, x, height - 1 - y)
    hits = _surface_hits(figure, x, height - 1 - y, origin, direction)
    hits += _surface_hits(figure, x, height - 1 - y, origin, direction, lines=True)
    hits += _sphere_hits(figure, origin, direction)
    # Opaque first, then translucent data, then context (a glass brain): the nearest of the first found.
    hit = min(hits, key=lambda hit: (hit[4], hit[0]), default=None)
    if hit is None:
        return PickResult()
    _, xyz, layer, item_info, _ = hit
    xyz = _inside(figure, layer, xyz)
    values, region = layer_values(figure, xyz)
    item_info = item_info or _image_item(layer, xyz)
    item = next(iter(item_info.values()), None)
    return PickResult(xyz, values, region, layer, item, item_info)


def _view_ray(figure, x, y):
    """``(origin, unit direction)`` of the view ray through display ``(x, y)`` (world mm)."""
    renderer = figure.renderer
    ends = []
    for depth in (0.0, 1.0):
        renderer.SetDisplayPoint(x, y, depth)
        renderer.DisplayToWorld()
        point = np.array(renderer.GetWorldPoint())
        ends.append(point[:3] / point[3])
    direction = ends[1] - ends[0]
    return ends[0], direction / (np.linalg.norm(direction) or 1.0)


def _surface_hits(figure, x, y, origin, direction, *, lines=False):
    """``[(depth, xyz, layer, item_info, translucent)]``: the first opaque prop along the ray and the
    translucent ones in front of it (cell picker; glyph props are left to :func:`_sphere_hits`).

    Translucent props are taken off the pick list one by one and the ray is
    cast again. ``lines``: the line-only props instead, within ``LINE_PICK_PIXELS``.
    """
    from . import _vtk

    picker = _vtk.vtkCellPicker()
    # The tolerance is a fraction of the window's diagonal.
    picker.SetTolerance(LINE_PICK_PIXELS / np.hypot(*figure.window.GetSize()) if lines else 0.0005)
    candidates = [prop for layer in figure.layers if layer.visible for prop in figure.drawer(layer).props()
                  if prop.GetVisibility() and prop.GetPickable() and not _is_glyph(prop)
                  and _is_lines(prop) == lines]
    picker.PickFromListOn()
    for prop in candidates:
        picker.AddPickList(prop)
    hits = []
    for _ in range(len(candidates)):
        if not picker.Pick(x, y, 0.0, figure.renderer):
            break
        prop = picker.GetViewProp()
        xyz = tuple(float(v) for v in picker.GetPickPosition())
        layer = figure.layer_of(prop)
        translucent = _see_through_rank(figure, layer, prop)
        item_info = _drawn_item(figure, layer, prop, picker, xyz)
        hits.append((float(np.dot(np.subtract(xyz, origin), direction)), xyz, layer, item_info, translucent))
        if not translucent:
            break
        picker.DeletePickList(prop)
    return hits


def _drawn_item(figure, layer, prop, picker, xyz):
    """What the layer's drawer says was hit (``item_at``), or None."""
    if layer is None:
        return None
    return figure.drawer(layer).item_at(prop, picker.GetCellId(), picker.GetPointId(), xyz)


def _image_item(layer, xyz):
    """``{"voxel": (i, j, k)}`` (and the atlas region there) of an image layer at ``xyz``, else ``{}``."""
    image = getattr(layer, "image", None)
    if image is None:
        return {}
    ijk = np.rint(np.linalg.solve(np.asarray(image.affine, float), [*xyz, 1.0])[:3]).astype(int)
    if np.any(ijk < 0) or np.any(ijk >= np.asarray(image.shape[:3])):
        return {}
    info = {"voxel": tuple(int(v) for v in ijk)}
    if layer.kind == "atlas":
        label = layer.label_at(xyz)
        if isinstance(label, dict):  # probabilistic: the most probable region
            label = max(label, key=label.get) if label else None
        if label is not None:
            info["region"] = int(layer.label_values[layer.names.index(label)])
            info["name"] = label
    return info


def _is_lines(prop):
    """Whether ``prop`` draws lines only (no area for a ray to meet)."""
    mapper = getattr(prop, "GetMapper", lambda: None)()
    data = mapper.GetInput() if mapper is not None and mapper.IsA("vtkPolyDataMapper") else None
    return (data is not None and data.GetNumberOfLines() > 0 and not data.GetNumberOfPolys()
            and not data.GetNumberOfStrips())


def _is_glyph(prop):
    mapper = getattr(prop, "GetMapper", lambda: None)()
    return mapper is not None and mapper.IsA("vtkGlyph3DMapper")


def _spheres(layer):
    """``(centres, diameters)`` of the spheres a layer draws (markers, connectome nodes), or None."""
    if layer.kind == "points":
        return layer.centers(), layer.sizes
    if layer.kind == "connectome" and layer.nodes_visible:
        return layer.node_centers(), layer.node_sizes()
    return None


def _sphere_item(layer, index):
    if layer.kind == "points":
        return {"marker": index}
    info = {"node": index}
    labels = getattr(layer, "node_labels", None)  # as given; True (names from the atlas) is not a list
    if isinstance(labels, (list, tuple)) and index < len(labels):
        info["label"] = labels[index]
    return info


def _sphere_hits(figure, origin, direction):
    """``[(depth, xyz, layer, item_info, translucent)]``: the nearest sphere hit of each layer.

    The spheres are the models' exact ones (the drawn glyphs are tessellated
    within a fraction of a pixel of them).
    """
    hits = []
    for layer in figure.layers:
        spheres = _spheres(layer) if layer.visible else None
        if spheres is None or not len(spheres[0]):
            continue
        centres, radii = np.asarray(spheres[0], float), np.asarray(spheres[1], float) / 2.0
        along = (centres - origin) @ direction
        miss2 = np.einsum("ij,ij->i", centres - origin, centres - origin) - along ** 2
        inside = radii ** 2 - miss2
        depth = np.where((inside >= 0) & (radii > 0), along - np.sqrt(np.clip(inside, 0, None)), np.inf)
        depth[depth < 0] = np.inf  # behind the camera's near plane
        index = int(np.argmin(depth))
        if np.isfinite(depth[index]):
            xyz = tuple(float(v) for v in origin + depth[index] * direction)
            hits.append((float(depth[index]), xyz, layer, _sphere_item(layer, index), int(layer.opacity < 1)))
    return hits


def _inside(figure, layer, xyz):
    """The point just behind a hit isosurface where the hit layer has a value.

    An isosurface lies between voxel centres: the voxel nearest to the hit
    point may be outside the blob (value 0 under a visible blob). Step along
    the view ray, up to one voxel of the layer's image, to the first non-zero
    value; planes and hits with a value there keep ``xyz``.
    """
    image = getattr(layer, "image", None)
    if image is None or not _is_zero(layer.value_at(xyz)):
        return xyz
    camera = figure.renderer.GetActiveCamera()
    ray = np.asarray(xyz) - np.asarray(camera.GetPosition())
    ray /= np.linalg.norm(ray) or 1.0
    step = float(np.min(image.voxel_sizes))
    for depth in np.linspace(0.25, 1.5, 6) * step:
        probe = tuple(float(v) for v in np.asarray(xyz) + depth * ray)
        if not _is_zero(layer.value_at(probe)):
            return probe
    return xyz


def _is_zero(value):
    # None: an atlas outside every region (the hit lies on a region's outer face).
    return value is None or (isinstance(value, float) and (value == 0 or np.isnan(value)))


def _see_through_rank(figure, layer, prop):
    """0 for an opaque prop, 1 for a translucent one, 2 for context drawn to be seen through."""
    if layer is not None and figure.drawer(layer).is_context:
        return 2
    return int(prop is not None and _translucent(figure, prop))


def _translucent(figure, prop):
    """True for props drawn see-through: their layer's opacity or their own is below 1."""
    layer = figure.layer_of(prop)
    if layer is not None and layer.opacity < 1:
        return True
    get_property = getattr(prop, "GetProperty", None)
    opacity = getattr(get_property(), "GetOpacity", None) if get_property else None
    return opacity is not None and opacity() < 1


def layer_values(figure, xyz):
    """``({layer name: value}, region)`` of the visible layers at a world point.

    Layers whose ``value_at`` returns None (meshes, markers) are left out;
    a string value (an atlas layer's region name) is also the region.
    """
    values, region = {}, None
    for layer in figure.layers:
        if not layer.visible:
            continue
        value = layer.value_at(xyz)
        if value is None:
            continue
        name, n = layer.name, 2
        while name in values:
            name, n = f"{layer.name} ({n})", n + 1
        values[name] = value
        if isinstance(value, str) and region is None:
            region = value
    return values, region
