"""The VTK props of each stat-map mode, built and recoloured from the shared colour rules.

Private helpers of :class:`brainview.layers.StatMap`: each ``*Props`` object
owns the props of one mode and has ``update(threshold, crange, cmap,
opacity)``, so that every mode reads the same threshold and colour range
(:mod:`brainview.statmap_colors`).
"""

from __future__ import annotations

import numpy as np
from vtkmodules.util.numpy_support import numpy_to_vtk

from .. import _vtk, colors
from ..geometry.volume import isosurface, world_plane
from ..statmap_colors import stat_cmap, stat_colors
from .slices import show_plane

#: Contour level used for ``threshold=0`` (nilearn's default threshold, 1e-6).
MIN_LEVEL = 1e-6


def contour_level(threshold, peak):
    """The isosurface level for a threshold: never exactly 0 (a map is 0 outside its mask)."""
    return max(float(threshold), MIN_LEVEL * max(peak, 1.0))


# ------------------------------------------------------------------ contour


class ContourProps:
    """Isosurfaces at ``+threshold`` and ``-threshold`` in one mesh, one actor.

    Each vertex is coloured by the most extreme map value within one voxel
    of it along the surface normal (at least the threshold): a strong blob
    shows its peak colour, a weak one the colour just above the threshold.
    """

    def __init__(self, image, data):
        self._image, self._data = image, data
        self._peak = float(np.abs(data).max()) if data.size else 0.0
        self._step = float(image.voxel_sizes.min())
        self._mapper = _vtk.vtkPolyDataMapper()
        self._mapper.SetColorModeToDirectScalars()
        self._mapper.SetScalarModeToUsePointFieldData()
        self.actor = _vtk.vtkActor()
        self.actor.SetMapper(self._mapper)
        prop = self.actor.GetProperty()
        prop.SetSpecular(0.25)
        prop.SetSpecularPower(25)
        self.mesh = None
        self._threshold = None

    def props(self):
        return [self.actor]

    def update(self, threshold, crange, cmap, opacity):
        if threshold != self._threshold:
            level = contour_level(threshold, self._peak)
            self.mesh = isosurface(self._image, [-level, level], data=self._data)
            self._extreme = self._extreme_values(level)
            self._mapper.SetInputData(self.mesh)
            self._threshold = threshold
        self.actor.GetProperty().SetOpacity(opacity)
        if self.mesh.n_points == 0:
            return  # nothing above the threshold: nothing to colour
        rgb = stat_colors(self._extreme, cmap, crange)[:, :3]
        self.mesh.point_data["rgb"] = (rgb * 255).round().astype(np.uint8)
        self._mapper.SelectColorArray("rgb")
        self._mapper.ScalarVisibilityOn()
        self.mesh.Modified()

    def _extreme_values(self, level):
        """Per vertex: the most extreme value of its sign within one voxel along the normal."""
        from scipy.ndimage import map_coordinates

        if self.mesh.n_points == 0:
            return np.zeros(0)
        points = np.asarray(self.mesh.points)
        normals = np.asarray(self.mesh.point_data["Normals"])
        sign = np.sign(np.asarray(self.mesh.point_data["level"]))
        samples = []
        for offset in (-self._step, self._step):
            ijk = self._image.to_voxel(points + offset * normals).T
            samples.append(map_coordinates(self._data, ijk, order=1, mode="nearest"))
        samples = np.array(samples) * sign
        return sign * np.maximum(samples.max(axis=0), level)


# ------------------------------------------------------------------- volume

_N_NODES = 64


class VolumeProps:
    """Ray-cast volume: transparent for ``|value| < threshold``, opacity rising to ``±vmax``."""

    def __init__(self, image, data):
        from .volume import volume_prop

        self.actor, self._mapper, self._color, self._opacity = volume_prop(image, data)

    def props(self):
        return [self.actor]

    def update(self, threshold, crange, cmap, opacity):
        self._color.RemoveAllPoints()
        values = np.linspace(crange.vmin, crange.vmax, _N_NODES)
        for value, rgba in zip(values, stat_colors(values, cmap, crange)):
            self._color.AddRGBPoint(float(value), *rgba[:3])
        self._opacity.RemoveAllPoints()
        top = max(abs(crange.vmin), abs(crange.vmax))
        level = contour_level(threshold, top)
        eps = 1e-6 * max(top, 1.0)
        if level < top:
            # Symmetric ramps: 0 inside (-level, level), 0.2*opacity at the
            # threshold rising to opacity at |vmax|.
            for value, alpha in ((-top, opacity), (-level, 0.2 * opacity), (-level + eps, 0.0),
                                 (level - eps, 0.0), (level, 0.2 * opacity), (top, opacity)):
                self._opacity.AddPoint(float(value), float(alpha))
        else:
            self._opacity.AddPoint(-top, 0.0)
            self._opacity.AddPoint(top, 0.0)


# ------------------------------------------------------------------- slices


class PlaneProps:
    """Three orthogonal planes: the map over an anatomical background, blended in numpy.

    Blending the two images into one RGBA plane avoids the depth fighting of
    two coplanar planes. Planes are sampled on the background's grid (or the
    map's when there is none); the map is looked up at nearest voxels.
    """

    def __init__(self, image, data, bg, coords):
        from ..io import Image

        self._stat = Image(data, image.affine, image.name)
        self._bg = bg
        self._bg_clim = None
        if bg is not None:
            self._bg_clim = colors.robust_range(bg.data)
        self.coords = list(coords)
        self.actors = {}
        for axis in range(3):
            actor = _vtk.vtkImageActor()
            actor.GetProperty().SetInterpolationTypeToNearest()
            self.actors[axis] = actor

    def props(self):
        return list(self.actors.values())

    def update(self, threshold, crange, cmap, opacity):
        self._state = (threshold, crange, cmap)
        for axis in range(3):
            self._cut(axis)
            self.actors[axis].GetProperty().SetOpacity(opacity)

    def move(self, coords):
        self.coords = list(coords)
        for axis in range(3):
            self._cut(axis)

    def plane_rgba(self, axis):
        """``(nu, nv, 4)`` uint8 RGBA of one plane as drawn (for tests and picking)."""
        return self._rgba[axis]

    def _cut(self, axis):
        threshold, crange, cmap = self._state
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
            rgba[..., 3] = np.isfinite(bg_values)
        shown = np.isfinite(stat) & (np.abs(np.nan_to_num(stat)) >= max(threshold, MIN_LEVEL))
        rgba[shown] = stat_colors(stat[shown], cmap, crange)
        rgba = (rgba * 255).round().astype(np.uint8)
        self._rgba = getattr(self, "_rgba", {})
        self._rgba[axis] = rgba
        dims = [1, 1, 1]
        dims[in_plane[0]], dims[in_plane[1]] = rgba.shape[:2]
        plane = _vtk.vtkImageData()
        plane.SetDimensions(*dims)
        plane.SetOrigin(*origin)
        plane.SetSpacing(step, step, step)
        flat = np.ascontiguousarray(rgba.transpose(1, 0, 2)).reshape(-1, 4)
        plane.GetPointData().SetScalars(numpy_to_vtk(flat, deep=True))
        show_plane(self.actors[axis], plane)


# ------------------------------------------------------------------ outline


class OutlineProps:
    """The default glass brain around the 3-D modes: a GlassBrain model and one actor showing it."""

    def __init__(self):
        from ..render.glass_brain import glass_brain_actor, show_glass_brain
        from .glass_brain import GlassBrain

        self.glass_brain = GlassBrain()
        self.actor = glass_brain_actor()
        show_glass_brain(self.actor, self.glass_brain)

    def props(self):
        return [self.actor]


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


class SurfaceProps:
    """Both fsaverage5 hemispheres with sulcal shading and the projected map."""

    def __init__(self, image, data, *, inflated, textures=None):
        from .surface import Surface

        self.textures = project_both(image, data) if textures is None else textures
        # Vertices outside the map's field of view project to NaN: no value, drawn
        # as the cortex like values under the threshold (always > 0), not warned about.
        overlay = tuple(np.where(np.isfinite(self.textures[hemi]), self.textures[hemi], 0.0)
                        for hemi in ("left", "right"))
        self.surface = Surface("fsaverage5", overlay,
                               hemi="both", inflated=inflated, bg_map="sulc",
                               color=(0.85, 0.85, 0.85), name=image.name)
        from ..render.surface import show_surface, surface_actor

        self.actor = surface_actor()  # the Surface model draws nothing itself (its drawer's actor)
        show_surface(self.actor, self.surface)

    def props(self):
        return [self.actor]

    def update(self, threshold, crange, cmap, opacity):
        from ..render.surface import show_surface

        # One trait assignment triggers one recolouring of the 20k vertices.
        self.surface.trait_set(cmap=stat_cmap(cmap, crange), clim=(crange.vmin, crange.vmax),
                               threshold=max(threshold, MIN_LEVEL), opacity=opacity)
        show_surface(self.actor, self.surface)
