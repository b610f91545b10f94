"""Triangle meshes (cortical surfaces) with a per-vertex overlay.

Colours are computed per vertex in numpy: the base colour, shaded by an
optional background map (sulcal depth: sulci darker), and the overlay through
its colormap wherever ``|value| >= threshold``. Changing any trait recomputes
10k–160k colours, which is instant.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Surface
>>> vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0.0]])
>>> s = Surface((vertices, np.array([[0, 1, 2]])), overlay=[0.0, 1.0, 2.0], threshold=0.5)
>>> s.vertex_colors().shape
(3, 3)
"""

from __future__ import annotations

import os
import warnings
from dataclasses import replace

import numpy as np
from traits.api import Any, observe

from .. import colors
from ..errors import BrainviewValueError, BrainviewWarning, check_number
from ..geometry.graph import check_world_extent
from ..io import SurfaceLabels, load_surface, load_surface_data, load_surface_labels
from ..io.cifti import cifti_overlay, is_cifti
from ..limits import check_mesh_memory
from ._live import Reloads, set_quietly, take_derived
from . import _examples as _ex
from .base import Checked, Kind, Layer, check_bool, check_opacity

_BG_CONTRAST = 0.45

# pyvista is imported where the mesh is made: ``import brainview.layers`` must not pay for it
# (issue 19).


def _check_threshold(value, name):
    return check_number(value, name, optional=True, minimum=0, hint="(it applies to |value|)")


class Surface(Layer):
    """A mesh with an optional per-vertex overlay and background shading.

    Parameters
    ----------
    surf : path, (vertices, faces), mesh object, or "fsaverage5"
        See :func:`brainview.io.load_surface`; ``"fsaverage5"`` takes one
        hemisphere of nilearn's fsaverage5 (``hemi``, ``inflated``). A
        nilearn ``PolyMesh`` (``load_fsaverage()["pial"]``) gives the
        hemisphere ``hemi``; a nilearn ``SurfaceImage`` gives its mesh and,
        unless ``overlay`` is given, its data as the overlay.
    overlay : array, path or nilearn PolyData/SurfaceImage, optional
        One value per vertex (see :func:`brainview.io.load_surface_data`;
        a FreeSurfer ``.label`` file draws its vertices). A FreeSurfer
        ``.annot`` or GIfTI label file draws each region in its own colour
        from the file's colour table (``cmap``, ``clim`` and ``threshold``
        do not apply); :attr:`label_names` gives the names.
    cmap : str or Colormap
    clim : (float, float), optional
        Default: the overlay's range.
    threshold : float, optional
        Overlay values with ``|value| < threshold`` (and NaN) are not drawn.
    color : colour
        Base colour of the mesh.
    bg_map : array, path or "sulc", optional
        Background values shading the base colour (positive = darker), e.g.
        sulcal depth. ``"sulc"`` uses fsaverage5's.
    hemi : {"left", "right", "both"}
        Hemisphere, for ``"fsaverage5"`` and nilearn's ``PolyMesh``,
        ``PolyData`` and ``SurfaceImage``. ``"both"`` makes one mesh, left
        vertices first; ``overlay`` and ``bg_map`` are then one array of
        ``2 * 10242`` values or a ``(left, right)`` pair.
    inflated : bool
        Inflated fsaverage5 mesh (with ``hemi="both"``, the right hemisphere
        is moved right so the two do not overlap, as nilearn does).
    opacity : float
    name : str, optional

    Examples
    --------
    >>> s = Surface("fsaverage5", hemi="left", bg_map="sulc")
    >>> s.n_vertices
    10242
    """

    kind = "surface"

    #: Parameters that are data: a string given for one of them is a file path.
    data_params = ("surf", "overlay", "bg_map")

    #: The mesh in world mm (pyvista.PolyData) with an "rgb" array.
    mesh = Any(transient=True)

    cmap = Checked(lambda value, name: colors.get_cmap(value, name=name), panel="cmap")
    clim = Checked(lambda value, name: None if value is None else colors.check_clim(value, name=name), (0.0, 1.0),
                   panel="range", range="data")
    threshold = Checked(_check_threshold, panel="slider", range="magnitude", optional=True)
    color = Checked(lambda value, name: colors.to_rgb(value, name=name), (0.9, 0.9, 0.9), panel="color")

    #: The constructor's data parameters, live and kept as given (a path stays a path).
    surf = Reloads()
    overlay = Reloads()
    bg_map = Reloads()
    hemi = Reloads("left", choices=("left", "right", "both"))
    inflated = Reloads(False, panel="check")

    def __init__(self, surf, overlay=None, *, cmap="hot", clim=None, threshold=None,
                 color=(0.9, 0.9, 0.9), bg_map=None, hemi="left", inflated=False,
                 opacity=1.0, name=None):
        derived = self._derive(dict(surf=surf, overlay=overlay, bg_map=bg_map, hemi=hemi,
                                    inflated=inflated, clim=clim))
        super().__init__(
            name=name or derived["surface"].name, cmap=cmap, clim=derived["clim"], threshold=threshold,
            color=color, opacity=check_opacity(opacity), surf=surf, overlay=overlay, bg_map=bg_map,
            hemi=hemi, inflated=inflated,
        )
        self._apply(derived)

    @staticmethod
    def _derive(params):
        """The mesh, overlay and background of the parameters (raises the constructor's errors)."""
        surf, overlay, bg_map, hemi = params["surf"], params["overlay"], params["bg_map"], params["hemi"]
        check_bool(params["inflated"], "inflated")
        surface, bg_map = _resolve_surface(surf, bg_map, hemi=hemi, inflated=params["inflated"])
        surface = _drawable(surface)
        check_mesh_memory(surface.n_vertices, len(surface.faces), what=f"surf: {surface.n_vertices} vertices")
        if overlay is None and _is_surface_image(surf):
            overlay = surf
        if hemi == "both":
            overlay, bg_map = _join_pair(overlay, "overlay"), _join_pair(bg_map, "bg_map")
        n_vertices = surface.n_vertices
        cifti, overlay = is_cifti(overlay), cifti_overlay(  # a CIFTI file: its cortex (io.cifti)
            overlay, hemi=hemi, n_vertices=n_vertices, column=params.get("column"))
        regions = overlay if isinstance(overlay, SurfaceLabels) else load_surface_labels(
            overlay, n_vertices=n_vertices)
        if regions is not None:
            values = _region_values(regions)
        elif overlay is not None:
            values = load_surface_data(overlay, n_vertices=n_vertices, hemi=hemi)
            if not (_is_label_file(overlay) or cifti):  # .label, CIFTI: NaN off their vertices, by design
                _warn_non_finite(values, "overlay", "those vertices show the base colour (no overlay)")
        else:
            values = None
        bg = None if bg_map is None else _warn_non_finite(load_surface_data(
            bg_map, n_vertices=n_vertices, hemi=hemi, name="bg_map"), "bg_map", "those vertices are not shaded")
        auto_clim = colors.auto_clim(values) if values is not None else (0.0, 1.0)
        clim = auto_clim if params.get("clim") is None else params["clim"]
        return dict(surface=surface, regions=regions, overlay=values, bg=bg, clim=clim, auto_clim=auto_clim)

    def _apply(self, derived):
        import pyvista as pv

        surface = self._surface = derived["surface"]
        self._regions, self._overlay, self._bg = derived["regions"], derived["overlay"], derived["bg"]
        # Per data, not per colour change: a threshold or cmap step does not rescan the background.
        self._shading = None if self._bg is None else _background_shading(self._bg)
        faces = np.column_stack([np.full(len(surface.faces), 3), surface.faces]).ravel()
        self.mesh = pv.PolyData(surface.vertices, faces).compute_normals(
            cell_normals=False, split_vertices=False, auto_orient_normals=False)
        self._auto_clim = derived["auto_clim"]
        if self.get_params()["clim"] is None and tuple(self.clim) != tuple(derived["clim"]):
            set_quietly(self, clim=derived["clim"])  # follows the new overlay, as at construction
        self._update_colors(None)

    @observe("surf, overlay, bg_map, hemi, inflated", post_init=True)
    def _reload(self, event):
        self._apply(take_derived(self))

    @property
    def n_vertices(self):
        return self._surface.n_vertices

    @property
    def overlay_values(self):
        """The per-vertex values of the overlay (read-only view), or None (``overlay`` is as given)."""
        if self._overlay is None:
            return None
        view = self._overlay.view()
        view.flags.writeable = False
        return view

    @property
    def label_names(self):
        """``{label: name}`` of the regions of a ``.annot``/GIfTI label overlay, else None."""
        return None if self._regions is None else dict(self._regions.names)

    def colorbar_table(self):
        if self._overlay is None or self._regions is not None:
            return None  # regions have a colour each, not a scale
        return colors.lookup_table(self.cmap, self.clim), self.name

    def shown_vertices(self):
        """Boolean mask of the vertices whose overlay value is drawn."""
        if self._overlay is None:
            return np.zeros(self.n_vertices, dtype=bool)
        shown = np.isfinite(self._overlay)
        if self.threshold is not None:
            shown &= np.abs(np.nan_to_num(self._overlay)) >= self.threshold
        return shown

    def vertex_colors(self):
        """``(n, 3)`` float RGB of every vertex as drawn."""
        rgb = np.tile(np.asarray(self.color), (self.n_vertices, 1))
        if self._shading is not None:
            rgb *= self._shading[:, None]
        if self._regions is not None:
            shown = np.isfinite(self._overlay)
            rgb[shown] = _region_colors(self._regions)[self._overlay[shown].astype(np.int64)]
        elif self._overlay is not None:
            shown = self.shown_vertices()
            low, high = self.clim
            scaled = np.clip((self._overlay[shown] - low) / (high - low), 0.0, 1.0)
            rgb[shown] = colors.get_cmap(self.cmap)(scaled)[:, :3]
        return rgb

    def vertex_alpha(self):
        """``(n,)`` alpha of every vertex as drawn (the colormap's alpha on the overlay), or None if opaque."""
        if self._overlay is None or self._regions is not None or not colors.has_alpha(self.cmap):
            return None
        shown, (low, high) = self.shown_vertices(), self.clim
        alpha = np.ones(self.n_vertices)
        alpha[shown] = colors.mapped_alpha(self.cmap, np.clip((self._overlay[shown] - low) / (high - low), 0, 1))
        return alpha

    @observe("cmap, clim, threshold, color", post_init=True)
    def _update_colors(self, event):
        """Recolour the mesh's "rgb" array in place (opacity is the drawers' alone: no recolouring)."""
        if self.clim is None:  # the range of the values, derived (the parameter stays None)
            set_quietly(self, clim=self._auto_clim)  # notifies again, with the range
            return
        self.mesh.point_data["rgb"] = colors.color_bytes(self.vertex_colors(), self.vertex_alpha())
        self.mesh.Modified()
        self._changed()


def _drawable(surface):
    """The mesh without what cannot be drawn, else an error: no faces, coordinates beyond ±1e6 mm.

    Faces touching a NaN or infinite vertex are dropped with one warning
    giving the counts (the vertices stay, so overlays keep their length).
    """
    if not len(surface.faces):
        raise BrainviewValueError(
            f"surf: the mesh {surface.name!r} has no faces (0 triangles), nothing to draw; "
            "for points without faces use bv.points(vertices).")
    vertices = check_world_extent(surface.vertices, "surf")
    finite = np.isfinite(vertices).all(axis=1)
    if finite.all():
        return surface
    keep = finite[surface.faces].all(axis=1)
    if not keep.any():
        raise BrainviewValueError(
            f"surf: every face of {surface.name!r} touches one of its {int((~finite).sum())} NaN or "
            "infinite vertices; nothing to draw.")
    warnings.warn(
        f"surf: {int((~finite).sum())} of {len(vertices)} vertices are NaN or infinite; the "
        f"{int((~keep).sum())} faces touching them are not drawn.", BrainviewWarning, stacklevel=4)
    # The unused vertices are moved onto a drawn one, so bounds and normals stay finite.
    placed = np.where(finite[:, None], vertices, vertices[np.argmax(finite)])
    return replace(surface, vertices=placed, faces=surface.faces[keep])


def _is_label_file(value):
    return isinstance(value, (str, os.PathLike)) and str(value).endswith(".label")


def _warn_non_finite(values, name, consequence):
    """``values``, with one warning giving the count of NaN or infinite ones."""
    bad = int((~np.isfinite(values)).sum())
    if bad:
        warnings.warn(f"{name}: {bad} of {len(values)} values are NaN or infinite; {consequence}.",
                      BrainviewWarning, stacklevel=4)
    return values


def _background_shading(bg):
    """Brightness per vertex from a background map: 1 on gyri, darker in sulci.

    The map is scaled by its standard deviation and squashed with tanh, so
    the two sides of zero (gyri and sulci, for sulcal depth) read as two tones,
    as in nilearn's surface plots, whatever the map's units.
    """
    bg = np.asarray(bg, dtype=float)
    finite = np.where(np.isfinite(bg), bg, 0.0)
    scale = finite.std() or 1.0
    return 1.0 - _BG_CONTRAST * (np.tanh(2.0 * finite / scale) + 1.0) / 2.0


def _region_values(regions):
    """Each vertex's index into the region table, NaN where the vertex has no named region."""
    keys = np.array(sorted(regions.names))
    index = np.searchsorted(keys, regions.values).clip(0, max(len(keys) - 1, 0))
    named = keys[index] == regions.values if len(keys) else np.zeros(len(regions.values), bool)
    return np.where(named, index, np.nan)


def _region_colors(regions):
    """``(n_regions, 3)`` colours in the order of :func:`_region_values`' indices."""
    return np.array([regions.colors[key] for key in sorted(regions.names)], dtype=float).reshape(-1, 3)


def _is_surface_image(value):
    return hasattr(value, "mesh") and hasattr(value, "data")


def _is_nilearn_mesh(value):
    return _is_surface_image(value) or isinstance(getattr(value, "parts", None), dict)


def _resolve_surface(surf, bg_map, *, hemi, inflated):
    if isinstance(surf, str) and surf == "fsaverage5" and hemi == "both":
        return _fsaverage5_both(bg_map, inflated=inflated)
    if isinstance(surf, str) and surf == "fsaverage5":
        from ..datasets import fsaverage5_data, fsaverage5_surface

        surface = fsaverage5_surface("inflated" if inflated else "pial", hemi=hemi)
        if isinstance(bg_map, str) and bg_map == "sulc":
            bg_map = fsaverage5_data("sulc", hemi=hemi)
        return surface, bg_map
    if isinstance(bg_map, str) and bg_map == "sulc":
        raise BrainviewValueError(
            "bg_map: 'sulc' names fsaverage5's sulcal depth and only works with "
            "surf='fsaverage5'; pass your mesh's own sulcal depth array or file."
        )
    if _is_nilearn_mesh(surf) and hemi == "both":
        from ..geometry.surface_maps import join_hemispheres

        return join_hemispheres(load_surface(surf, hemi="left"), load_surface(surf, hemi="right"),
                                name=f"{type(surf).__name__} both"), bg_map
    if _is_nilearn_mesh(surf):
        return load_surface(surf, hemi=hemi), bg_map
    return load_surface(surf), bg_map


def _fsaverage5_both(bg_map, *, inflated):
    from ..datasets import fsaverage5_data, fsaverage5_surface
    from ..geometry.surface_maps import join_hemispheres

    mesh = "inflated" if inflated else "pial"
    surface = join_hemispheres(fsaverage5_surface(mesh, hemi="left"),
                               fsaverage5_surface(mesh, hemi="right"),
                               separate=inflated, name=f"fsaverage5 {mesh} both")
    if isinstance(bg_map, str) and bg_map == "sulc":
        bg_map = np.concatenate([fsaverage5_data("sulc", hemi=h) for h in ("left", "right")])
    return surface, bg_map


def _join_pair(values, name):
    """A (left, right) pair of per-vertex arrays as one array, left first."""
    if isinstance(values, (tuple, list)) and len(values) == 2 and all(
            np.ndim(part) == 1 and len(part) > 3 for part in values):
        return np.concatenate([load_surface_data(part, name=name) for part in values])
    return values


def _example():
    """Small in-memory inputs of a Surface (``Kind.example``)."""
    return ((_ex.tetrahedron(), np.array([0.0, 1, 2, 3])), dict(threshold=0.5))


KIND = Kind(Surface, drawer="brainview.render.surface:SurfaceDrawer", example=_example, roles=("surface",))
