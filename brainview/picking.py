"""What is under a pixel: world mm coordinate, each layer's value there, atlas region.

The desktop app's status bar calls :func:`pick` on mouse moves; a script can
call it on an off-screen figure just the same (``fig.pick(x, y)``).

The point under the cursor is the first *opaque* surface along the view ray:
translucent props (a glass brain, a template surface or any layer with
opacity < 1) are context and are picked through, so a blob inside a glass
brain reports its own value. Only when the ray meets nothing opaque does the
first translucent surface give the point. Every visible layer's value is then
read at that point (``layer.value_at``), not only the value of the prop hit.

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

__all__ = ["PickResult", "pick"]


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
    """

    world_xyz: tuple | None = None
    values: dict = field(default_factory=dict)
    region: str | None = None
    layer: object = None

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


def pick(figure, x, y):
    """Pick the scene of ``figure`` at pixel ``(x, y)``.

    Parameters
    ----------
    figure : Figure
    x, y : float
        Pixel column and row in the rendered image, origin at the top left
        (as in :meth:`Figure.screenshot` arrays and Qt mouse events).

    Returns
    -------
    PickResult
    """

    try:
        x, y = float(x), float(y)
    except (TypeError, ValueError):
        raise BrainviewValueError(f"x, y: expected pixel coordinates, got {describe((x, y))}.") from None
    window = figure.window
    # A figure may reuse a window another one drew: ask its renderer, too.
    never_drawn = window.GetNeverRendered() or figure.renderer.GetLastRenderTimeInSeconds() < 0
    if not figure._camera_set or never_drawn:
        figure.render()
    _, height = window.GetSize()
    # VTK's display origin is the bottom-left pixel.
    hit = _first_opaque_hit(figure, x, height - 1 - y)
    if hit is None:
        return PickResult()
    xyz, prop = hit
    layer = figure.layer_of(prop)
    xyz = _inside(figure, layer, xyz)
    values, region = layer_values(figure, xyz)
    return PickResult(xyz, values, region, layer)


def _first_opaque_hit(figure, x, y):
    """``(xyz, prop)`` of the first opaque prop along the ray through display ``(x, y)``.

    Translucent props are taken off the pick list one by one and the ray is
    cast again; the first translucent hit is the answer when nothing opaque
    lies behind it. None when the ray meets nothing.
    """
    from . import _vtk

    picker = _vtk.vtkCellPicker()
    picker.SetTolerance(0.0005)
    candidates = [prop for layer in figure.layers if layer.visible for prop in figure.drawer(layer).props()
                  if prop.GetVisibility() and prop.GetPickable()]
    picker.PickFromListOn()
    for prop in candidates:
        picker.AddPickList(prop)
    first = None
    for _ in range(len(candidates)):
        if not picker.Pick(x, y, 0.0, figure.renderer):
            break
        prop = picker.GetViewProp()
        xyz = tuple(float(v) for v in picker.GetPickPosition())
        if prop is None or not _translucent(figure, prop):
            return xyz, prop
        first = first or (xyz, prop)
        picker.DeletePickList(prop)
    return first


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
