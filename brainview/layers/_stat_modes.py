"""What each stat-map mode shows, computed from the map: meshes, colours, plane images, projections.

Private helpers of :class:`brainview.layers.StatMap`: pure computation (numpy,
geometry, meshes), no VTK rendering object. Each ``*Geometry`` object holds
the derived data of one mode and has ``update(state)``, which recomputes only
what the changed part of ``state`` (threshold, colour range, colormap,
opacity) touches: a threshold step re-extracts the isosurface once, a colour
change recolours the vertices without re-extracting. ``version`` counts the
changes, so that drawers redo only what changed. The drawers
(:mod:`brainview.render.stat_map`) turn them into props.

Examples
--------
>>> import numpy as np
>>> from brainview.io import load_image
>>> from brainview.statmap_colors import color_range
>>> data = np.zeros((9, 9, 9), np.float32); data[3:6, 3:6, 3:6] = 4.0
>>> geometry = ContourGeometry(load_image((data, np.eye(4))), data, peak=4.0)
>>> state = DrawState(2.0, color_range(np.array([0.0, 4.0])), "RdBu_r", 1.0)
>>> geometry.update(state); geometry.version
1
>>> geometry.update(state._replace(opacity=0.5)); geometry.version  # nothing to recompute
1
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import colors
from .._locks import RENDER_LOCK
from ..geometry.volume import Isosurfaces, isosurface, rows_times, world_plane
from ..statmap_colors import MIN_LEVEL, contour_level, stat_cmap, stat_colors


class DrawState(NamedTuple):
    """The traits every mode draws from: resolved threshold, colour range, colormap, opacity."""

    threshold: float
    crange: tuple
    cmap: object
    opacity: float


class _Geometry:
    """Base: ``update`` recomputes when the part of the state it depends on changed."""

    def __init__(self):
        self.version = 0
        self._shape_key = self._color_key = object()

    def update(self, state):
        shape_key, color_key = self._keys(state)
        changed = False
        if shape_key != self._shape_key:
            self._shape_key, self._color_key, changed = shape_key, object(), True
            self._reshape(state)
        if color_key != self._color_key:
            self._color_key, changed = color_key, True
            self._recolor(state)
        self.version += changed

    def _keys(self, state):
        """``(what the shape depends on, what the colours depend on)``; colormaps compare by colours."""
        return state.threshold, (state.threshold, state.crange, state.cmap)

    def _reshape(self, state):
        """Recompute what depends on the threshold."""

    def _recolor(self, state):
        """Recompute what depends on the colours."""


# ------------------------------------------------------------------ contour


class ContourGeometry(_Geometry):
    """Isosurfaces at ``+threshold`` and ``-threshold`` in one mesh, coloured per vertex.

    Each vertex is coloured by the most extreme map value within one voxel
    of it along the surface normal (at least the threshold): a strong blob
    shows its peak colour, a weak one the colour just above the threshold.
    The colours are the mesh's ``"rgb"`` point array (uint8).
    """

    def __init__(self, image, data, *, peak):
        super().__init__()
        self.image, self.data, self._peak = image, data, peak
        self._step = float(image.voxel_sizes.min())
        self._surfaces = Isosurfaces(image, data=data, peak=peak)
        self.mesh = None
        self._extreme = np.zeros(0)

    def _reshape(self, state):
        level = contour_level(state.threshold, self._peak)
        self.mesh = isosurface(self.image, [-level, level], prepared=self._surfaces)
        self._extreme = self._extreme_values(level)

    def _recolor(self, state):
        if self.mesh.n_points == 0:
            return  # nothing above the threshold: nothing to colour
        rgb = stat_colors(self._extreme, state.cmap, state.crange)[:, :3]
        rgb = (rgb * 255).round().astype(np.uint8)
        with RENDER_LOCK:  # a render thread may be drawing it (brainview._locks)
            self.mesh.point_data["rgb"] = rgb
            self.mesh.Modified()

    def _extreme_values(self, level):
        """Per vertex: the most extreme value of its sign within one voxel along the normal."""
        from scipy.ndimage import map_coordinates

        if self.mesh.n_points == 0:
            return np.zeros(0)
        points = np.asarray(self.mesh.points)
        normals = np.asarray(self.mesh.point_data["Normals"])
        sign = np.sign(np.asarray(self.mesh.point_data["level"]))
        inverse = np.linalg.inv(self.image.affine)
        linear, shift = inverse[:3, :3].T, inverse[:3, 3]
        # rows_times, not ``@`` or np.dot: both are slow or erratic for tall (n, 3) arrays.
        ijk = np.concatenate([rows_times((points + offset * normals).astype(np.float64), linear, shift)
                              for offset in (-self._step, self._step)]).T
        samples = map_coordinates(self.data, ijk, order=1, mode="nearest").reshape(2, -1) * sign
        return sign * np.maximum(samples.max(axis=0), level)


# ------------------------------------------------------------------- volume

_N_NODES = 64


class VolumeGeometry(_Geometry):
    """Transfer functions of a ray-cast volume: colours of the map, transparent below the threshold.

    ``color_nodes``: ``(64, 4)`` rows ``(value, r, g, b)``; ``opacity_nodes``:
    ``(n, 2)`` rows ``(value, alpha)`` for opacity 1 (the drawer scales alpha
    by the layer's opacity): 0 inside ``(-threshold, threshold)``, 0.2 at the
    threshold rising to 1 at ``±vmax``.
    """

    def __init__(self, image, data):
        super().__init__()
        self.image, self.data = image, data
        self.color_nodes = self.opacity_nodes = None

    def _keys(self, state):
        key = (state.threshold, state.crange, state.cmap)
        return key, key

    def _reshape(self, state):
        crange = state.crange
        top = max(abs(crange.vmin), abs(crange.vmax))
        level = contour_level(state.threshold, top)
        eps = 1e-6 * max(top, 1.0)
        if level < top:
            self.opacity_nodes = np.array([(-top, 1.0), (-level, 0.2), (-level + eps, 0.0),
                                           (level - eps, 0.0), (level, 0.2), (top, 1.0)])
        else:
            self.opacity_nodes = np.array([(-top, 0.0), (top, 0.0)])

    def _recolor(self, state):
        values = np.linspace(state.crange.vmin, state.crange.vmax, _N_NODES)
        self.color_nodes = np.column_stack([values, stat_colors(values, state.cmap, state.crange)[:, :3]])


# ------------------------------------------------------------------- slices


class PlaneGeometry(_Geometry):
    """Three orthogonal planes: the map over an anatomical background, blended in numpy.

    Blending the two images into one RGBA plane avoids the depth fighting of
    two coplanar planes. Planes are sampled on the background's grid (or the
    map's when there is none); the map is looked up at nearest voxels.
    :meth:`plane` gives one plane as drawn.
    """

    def __init__(self, image, data, bg, coords):
        from ..io import Image

        super().__init__()
        self._stat = Image(data, image.affine, image.name)
        self._bg = bg
        self._bg_clim = colors.robust_range(bg.data) if bg is not None else None
        self.coords = [float(c) for c in coords]
        self._planes = {}

    def _keys(self, state):
        key = (state.threshold, state.crange, state.cmap)
        return key, key

    def _reshape(self, state):
        self._state = state

    def _recolor(self, state):
        for axis in range(3):
            self._planes[axis] = self._cut(axis)

    def move(self, coords):
        """Cross the planes at ``coords`` (world mm)."""
        self.coords = [float(c) for c in coords]
        for axis in range(3):
            self._planes[axis] = self._cut(axis)
        self.version += 1

    def plane(self, axis):
        """``(rgba, origin, step)`` of one plane: ``(nu, nv, 4)`` uint8 over the two other axes."""
        return self._planes[axis]

    def plane_rgba(self, axis):
        """``(nu, nv, 4)`` uint8 RGBA of one plane as drawn (for tests and picking)."""
        return self._planes[axis][0]

    def _cut(self, axis):
        threshold, crange, cmap = self._state.threshold, self._state.crange, self._state.cmap
        grid = self._bg if self._bg is not None else self._stat
        bg_values, origin, step = world_plane(grid, axis, self.coords[axis])
        in_plane = [a for a in range(3) if a != axis]
        u, v = np.meshgrid(np.arange(bg_values.shape[0]), np.arange(bg_values.shape[1]), indexing="ij")
        world = np.zeros(u.shape + (3,)) + origin
        world[..., in_plane[0]] += u * step
        world[..., in_plane[1]] += v * step
        stat = self._stat.value_at(world.reshape(-1, 3)).reshape(u.shape)
        rgba = np.zeros(u.shape + (4,))
        if self._bg is not None:
            low, high = self._bg_clim
            gray = np.clip((np.nan_to_num(bg_values) - low) / (high - low), 0, 1)
            rgba[..., :3] = gray[..., None]
            # The anatomy's rule in 3-D (render/slices.py): zeros, NaN and values below its window transparent.
            rgba[..., 3] = np.isfinite(bg_values) & (bg_values != 0) & (bg_values >= low)
        shown = np.isfinite(stat) & (np.abs(np.nan_to_num(stat)) >= max(threshold, MIN_LEVEL))
        rgba[shown] = stat_colors(stat[shown], cmap, crange)
        return (rgba * 255).round().astype(np.uint8), np.asarray(origin, float), float(step)


# ------------------------------------------------------------------ surface


def project_both(image, data):
    """``{"left", "right"}`` fsaverage5 values of a map (pure computation: safe in a worker thread)."""
    from ..datasets import fsaverage5_surface
    from ..geometry.surface_maps import project_to_surface
    from ..io import Image

    stat = Image(data, image.affine, image.name)
    return {hemi: project_to_surface(stat, fsaverage5_surface("pial", hemi=hemi),
                                     fsaverage5_surface("white", hemi=hemi))
            for hemi in ("left", "right")}


class SurfaceGeometry(_Geometry):
    """Both fsaverage5 hemispheres with sulcal shading and the projected map: a Surface model."""

    def __init__(self, image, data, *, inflated, textures=None):
        from .surface import Surface

        super().__init__()
        self.textures = project_both(image, data) if textures is None else textures
        # Vertices outside the map's field of view project to NaN: no value, drawn
        # as the cortex like values under the threshold (always > 0), not warned about.
        overlay = tuple(np.where(np.isfinite(self.textures[hemi]), self.textures[hemi], 0.0)
                        for hemi in ("left", "right"))
        self.surface = Surface("fsaverage5", overlay,
                               hemi="both", inflated=inflated, bg_map="sulc",
                               color=(0.85, 0.85, 0.85), name=image.name)

    def _keys(self, state):
        key = (state.threshold, state.crange, state.cmap, state.opacity)
        return key, key

    def _recolor(self, state):
        # One trait assignment triggers one recolouring of the 20k vertices.
        self.surface.trait_set(cmap=stat_cmap(state.cmap, state.crange),
                               clim=(state.crange.vmin, state.crange.vmax),
                               threshold=max(state.threshold, MIN_LEVEL), opacity=state.opacity)
