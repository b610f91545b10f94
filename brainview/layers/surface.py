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
from traits.api import Any, TraitType, observe

from .. import colors
from .._locks import RENDER_LOCK
from ..errors import BrainviewValueError, BrainviewWarning, check_number
from ..geometry.graph import check_world_extent
from ..io.cifti import cifti_overlay, is_cifti
from ..limits import check_mesh_memory
from ..statmap_colors import color_range, grey_band
from . import _surface_inputs as inputs
from ._live import Reloads, set_quietly, take_derived
from . import _examples as _ex
from .base import Checked, Kind, Layer, check_bool, check_opacity

_BG_CONTRAST = 0.45

# pyvista is imported where the mesh is made: ``import brainview.layers`` must not pay for it
# (issue 19).


def _check_threshold(value, name):
    return check_number(value, name, optional=True, minimum=0, hint="(it applies to |value|)")


def _value_range(values, params):
    """The colour range of an overlay: its range, or nilearn's from ``vmin``/``vmax``/``symmetric_cmap``.

    nilearn's ``get_colorbar_and_data_ranges(values, vmin, vmax, symmetric_cmap)``
    (``view_surf``, plotly's ``plot_surf``); ``clim`` and these are exclusive.
    """
    vmin, vmax, symmetric = params.get("vmin"), params.get("vmax"), params.get("symmetric_cmap")
    if vmin is None and vmax is None and not symmetric:
        return colors.auto_clim(values)
    if params.get("clim") is not None:
        raise BrainviewValueError("clim: pass clim=(low, high) or nilearn's vmin/vmax/symmetric_cmap, not both.")
    crange = color_range(values, vmin=vmin, vmax=vmax, symmetric=bool(symmetric))
    return crange.vmin, crange.vmax


class _Column(TraitType):
    """The overlay column drawn: checked against the loaded columns (the file is not read again)."""

    default_value = None

    def validate(self, obj, name, value):
        if obj.__dict__.get("_initialised"):
            inputs.check_column(value, max(obj.n_columns, 1))  # without an overlay: None or 0
        return value


class _Regions(TraitType):
    """The regions of a parcellation shown, resolved against its names."""

    default_value = None

    def validate(self, obj, name, value):
        if obj.__dict__.get("_initialised"):
            obj._check_regions(value)
        return value


class Surface(Layer):
    """A mesh with an optional per-vertex overlay (values or a parcellation) and background shading.

    Parameters
    ----------
    surf : path, (vertices, faces), mesh object, (left, right) pair, or "fsaverage5"
        See :func:`brainview.io.load_surface`; ``"fsaverage5"`` takes one
        hemisphere of nilearn's fsaverage5 (``hemi``, ``inflated``). A
        nilearn ``PolyMesh`` (``load_fsaverage()["pial"]``) gives the
        hemisphere ``hemi``; a nilearn ``SurfaceImage`` gives its mesh and,
        unless ``overlay`` is given, its data as the overlay. A pair of mesh
        files ``(lh.pial, rh.pial)`` needs ``hemi="both"``.
    overlay : array, path, (left, right) pair or nilearn PolyData/SurfaceImage, optional
        One value per vertex (see :func:`brainview.io.load_surface_data`:
        GIfTI, MGH/MGZ, FreeSurfer morphometry, ``.npy``, ``.txt``, ``.csv``,
        ``.tsv``; a FreeSurfer ``.label`` file draws its vertices), or
        several columns (a GIfTI of several arrays, an MGH of ``n x 1 x 1 x T``,
        an ``(n, T)`` array): ``column`` picks one. A parcellation (one colour
        per region; ``cmap``, ``clim`` and ``threshold`` do not apply): a
        FreeSurfer ``.annot``, a GIfTI label file, an ``.npz`` with a
        ``labels`` array (and ``names``/``rgba`` by label value), or a label
        array with ``labels``. With ``hemi="both"``: one array for both
        hemispheres, left first, or a ``(left, right)`` pair.
    column : int, optional
        The column of a several-column overlay drawn (default 0). Live:
        changing it redraws from the data already loaded.
    labels : dict, list, pandas Series/DataFrame or path, optional
        Names and colours of the labels of a parcellation overlay:
        ``{label: name}``, ``{label: (name, colour)}``, a list of names by
        label value, a Series (index: label), a DataFrame or ``.csv``/``.tsv``
        table (columns ``index``, ``name``, ``r, g, b[, a]`` or ``color``), or
        a FreeSurfer LUT text file. Labels the table does not name are drawn
        as ``"label N"`` (label 0 and NaN: no region); names of labels no
        vertex carries are kept in :attr:`label_names` and not drawn; a label
        without a colour gets one of :func:`~brainview.geometry.surface_maps.distinct_colors`.
    regions : str, int, pattern or list of them, optional
        Parcellation regions shown (names, substrings, shell globs, label
        values; as :attr:`brainview.layers.Atlas.regions`); default all. Live.
    legend : bool
        Draw a legend of the shown regions of a parcellation (at most
        :data:`brainview.render.surface.LEGEND_ROWS` rows). Live.
    cmap : str or Colormap
    clim : (float, float), optional
        Default: the range of the drawn column, or nilearn's range from
        ``vmin``, ``vmax`` and ``symmetric_cmap``.
    vmin, vmax : float, optional
        nilearn's names for the ends of the colour range (``plot_surf``,
        ``view_surf``): the other end from the data, or its mirror with
        ``symmetric_cmap``; exclusive with ``clim``.
    symmetric_cmap : bool, optional
        nilearn's ``symmetric_cmap``: a range ``(-m, m)`` centred on 0, ``m``
        being ``vmax``, ``-vmin`` or the largest ``|value|`` (nilearn's
        ``get_colorbar_and_data_ranges`` with ``symmetric_cbar=symmetric_cmap``,
        as ``view_surf`` and the plotly ``plot_surf`` resolve it). None or
        False (default, as ``plot_surf``): the data's range.
    threshold : float, optional
        Overlay values with ``|value| < threshold`` (and NaN) are not drawn;
        the colour bar shows them as a grey band, as nilearn's.
    color : colour
        Base colour of the mesh.
    bg_map : array, path, (left, right) pair or "sulc", optional
        Background values shading the base colour (positive = darker), e.g.
        sulcal depth. ``"sulc"`` uses fsaverage5's.
    hemi : {"left", "right", "both"}
        Hemisphere, for ``"fsaverage5"`` and nilearn's ``PolyMesh``,
        ``PolyData`` and ``SurfaceImage``. ``"both"`` makes one mesh, left
        vertices first. Hemispheres whose x ranges overlap (inflated
        meshes) are moved apart as nilearn does: the right one 1 mm right of
        the left one; pial and white meshes stay where they are.
    inflated : bool
        Inflated fsaverage5 mesh (with ``hemi="both"``, the hemispheres are
        always moved apart).
    opacity : float
    name : str, optional

    Examples
    --------
    >>> s = Surface("fsaverage5", hemi="left", bg_map="sulc")
    >>> s.n_vertices
    10242
    >>> import numpy as np
    >>> mesh = (np.eye(3), np.array([[0, 1, 2]]))
    >>> parcels = Surface(mesh, np.array([1, 2, 2]), labels={1: "V1", 2: ("V2", "red")})
    >>> parcels.label_at(2), parcels.region_names
    ('V2', {1: 'V1', 2: 'V2'})
    """

    kind = "surface"

    #: Parameters that are data: a string given for one of them is a file path.
    data_params = ("surf", "overlay", "bg_map", "labels")

    #: The mesh in world mm (pyvista.PolyData) with an "rgb" array.
    mesh = Any(transient=True)

    cmap = Checked(lambda value, name: colors.get_cmap(value, name=name), panel="cmap")
    clim = Checked(lambda value, name: None if value is None else colors.check_clim(value, name=name), (0.0, 1.0),
                   panel="range", range="data")
    threshold = Checked(_check_threshold, panel="slider", range="magnitude", optional=True)
    vmin = Checked(lambda value, name: check_number(value, name, optional=True), optional=True)
    vmax = Checked(lambda value, name: check_number(value, name, optional=True), optional=True)
    symmetric_cmap = Checked(lambda value, name: None if value is None else check_bool(value, name))
    color = Checked(lambda value, name: colors.to_rgb(value, name=name), (0.9, 0.9, 0.9), panel="color")

    #: The overlay column drawn (None: 0). Live, without reading the file again.
    column = _Column()

    #: Parcellation regions shown (None: all). Live. (No panel editor yet: the app's checklist
    #: reads ``names`` once, and most surfaces have values, not regions.)
    regions = _Regions(panel="hidden")

    #: Whether a parcellation's legend is drawn. Live.
    legend = Checked(check_bool, False, panel="check")

    #: The constructor's data parameters, live and kept as given (a path stays a path).
    surf = Reloads()
    overlay = Reloads()
    labels = Reloads()
    bg_map = Reloads()
    hemi = Reloads("left", choices=("left", "right", "both"))
    inflated = Reloads(False, panel="check")

    def __init__(self, surf, overlay=None, *, column=None, labels=None, regions=None, legend=False,
                 cmap="hot", clim=None, threshold=None, color=(0.9, 0.9, 0.9), bg_map=None, hemi="left",
                 inflated=False, opacity=1.0, name=None, vmin=None, vmax=None, symmetric_cmap=None):
        derived = self._derive(dict(surf=surf, overlay=overlay, column=column, labels=labels, bg_map=bg_map,
                                    hemi=hemi, inflated=inflated, clim=clim, regions=regions, vmin=vmin,
                                    vmax=vmax, symmetric_cmap=symmetric_cmap))
        super().__init__(
            name=name or derived["surface"].name, cmap=cmap, clim=derived["clim"], threshold=threshold,
            color=color, opacity=check_opacity(opacity), surf=surf, overlay=overlay, bg_map=bg_map,
            hemi=hemi, inflated=inflated, column=column, labels=labels, regions=regions,
            legend=check_bool(legend, "legend"), vmin=vmin, vmax=vmax, symmetric_cmap=symmetric_cmap,
        )
        self._apply(derived)

    @staticmethod
    def _derive(params):
        """The mesh, overlay and background of the parameters (raises the constructor's errors)."""
        surf, overlay, bg_map, hemi = params["surf"], params["overlay"], params["bg_map"], params["hemi"]
        if hemi not in ("left", "right", "both"):
            raise BrainviewValueError(f"hemi: must be 'left', 'right' or 'both', got {hemi!r}.")
        check_bool(params["inflated"], "inflated")
        surface, bg_map, n_left = inputs.resolve_surface(surf, bg_map, hemi=hemi, inflated=params["inflated"])
        surface = _drawable(surface)
        check_mesh_memory(surface.n_vertices, len(surface.faces), what=f"surf: {surface.n_vertices} vertices")
        if overlay is None and inputs.is_surface_image(surf):
            overlay = surf
        where = dict(n_vertices=surface.n_vertices, n_left=n_left, hemi=hemi)
        cifti = is_cifti(overlay)
        if cifti:  # its cortex (io.cifti): every map a column, or the regions of a label map
            overlay = cifti_overlay(overlay, hemi=hemi, n_vertices=surface.n_vertices, column=params.get("column"),
                                    all_maps=True)
        regions = overlay if cifti and not isinstance(overlay, np.ndarray) else inputs.load_regions(
            overlay, params.get("labels"), **where)
        parcellation, columns = None, None
        if regions is not None:
            parcellation = inputs.Parcellation(regions)
            inputs.warn_no_regions(parcellation)
            columns = inputs.region_values(parcellation)[:, None]
        elif overlay is not None:
            columns = inputs.load_values(overlay, name="overlay", **where)
            if not (_is_label_file(overlay) or cifti):  # .label, CIFTI: NaN off their vertices, by design
                _warn_non_finite(columns, "overlay", "those vertices show the base colour (no overlay)")
        inputs.check_regions(params.get("regions"), parcellation)
        n_columns = 1 if columns is None else columns.shape[1]
        column = inputs.check_column(None if cifti and regions is not None else params.get("column"), n_columns)
        bg = inputs.load_bg(bg_map, **where)
        if bg is not None:
            _warn_non_finite(bg, "bg_map", "those vertices are not shaded")
        values = None if columns is None else columns[:, column]
        auto_clim = _value_range(values, params) if values is not None and regions is None else (0.0, 1.0)
        clim = auto_clim if params.get("clim") is None else params["clim"]
        return dict(surface=surface, parcellation=parcellation, columns=columns, column=column, bg=bg,
                    clim=clim, auto_clim=auto_clim)

    def _apply(self, derived):
        import pyvista as pv

        surface = self._surface = derived["surface"]
        self._parcellation, self._columns, self._bg = derived["parcellation"], derived["columns"], derived["bg"]
        self._overlay = None if self._columns is None else self._columns[:, derived["column"]]
        # Per data, not per colour change: a threshold or cmap step does not rescan the background.
        self._shading = None if self._bg is None else _background_shading(self._bg)
        faces = np.column_stack([np.full(len(surface.faces), 3), surface.faces]).ravel()
        self.mesh = pv.PolyData(surface.vertices, faces).compute_normals(
            cell_normals=False, split_vertices=False, auto_orient_normals=False)
        self._set_auto_clim(derived["auto_clim"])

    def _set_auto_clim(self, auto_clim):
        self._auto_clim = auto_clim
        if self.get_params()["clim"] is None and tuple(self.clim) != tuple(auto_clim):
            set_quietly(self, clim=auto_clim)  # follows the new overlay, as at construction
        self._update_colors(None)

    @observe("surf, overlay, labels, bg_map, hemi, inflated", post_init=True)
    def _reload(self, event):
        self._apply(take_derived(self))

    @observe("column", post_init=True)
    def _show_column(self, event):
        """Draw another column of the loaded overlay (no file is read)."""
        if self._columns is None:
            return
        self._overlay = self._columns[:, inputs.check_column(self.column, self.n_columns)]
        self._set_auto_clim(_value_range(self._overlay, self.get_params()) if self._parcellation is None
                            else (0.0, 1.0))

    @observe("vmin, vmax, symmetric_cmap", post_init=True)
    def _update_range(self, event):
        """nilearn's range parameters changed: the derived colour range follows them."""
        if self._overlay is not None and self._parcellation is None:
            params = dict(self.get_params(), vmin=self.vmin, vmax=self.vmax, symmetric_cmap=self.symmetric_cmap)
            self._set_auto_clim(_value_range(self._overlay, params))

    @observe("regions", post_init=True)
    def _show_regions(self, event):
        self._update_colors(None)

    def _check_regions(self, regions):
        inputs.check_regions(regions, self._parcellation)

    @property
    def n_vertices(self):
        return self._surface.n_vertices

    @property
    def n_columns(self):
        """How many columns the overlay has (time points, maps); 0 without an overlay."""
        return 0 if self._columns is None else self._columns.shape[1]

    @property
    def overlay_values(self):
        """The per-vertex values drawn (the current column; read-only view), or None."""
        if self._overlay is None:
            return None
        view = self._overlay.view()
        view.flags.writeable = False
        return view

    @property
    def label_names(self):
        """``{label: name}`` of a parcellation's table (labels no vertex carries included), else None."""
        return None if self._parcellation is None else dict(self._parcellation.table_names)

    @property
    def region_names(self):
        """``{label: name}`` of the regions drawn: labels some vertex carries, with their names."""
        return None if self._parcellation is None else dict(self._parcellation.names)

    @property
    def shown_regions(self):
        """Names of the regions shown (``regions``), in label order; None without a parcellation."""
        parcels = self._parcellation
        if parcels is None:
            return None
        return [parcels.names[int(v)] for v in parcels.labels[parcels.selected(self.regions)]]

    @property
    def names(self):
        """Region names of a parcellation in label order (the app's region checklist); [] without one."""
        return [] if self._parcellation is None else list(self._parcellation.names.values())

    @property
    def shown(self):
        """Names of the shown regions ([] without a parcellation), as :attr:`Atlas.shown`."""
        return self.shown_regions or []

    def legend_entries(self):
        """``[(name, (r, g, b)), ...]`` of the shown regions, or None (not a parcellation, ``legend`` off)."""
        parcels = self._parcellation
        if parcels is None or not self.legend:
            return None
        keep = parcels.selected(self.regions)
        return [(parcels.names[int(v)], tuple(float(c) for c in rgb))
                for v, rgb in zip(parcels.labels[keep], parcels.rgb[keep])]

    def label_at(self, where):
        """The name of the region at a vertex (int) or nearest a point (x, y, z) in mm.

        None when the vertex has no region, or the point is more than
        :data:`~brainview.layers._surface_inputs.NEAREST_MM` mm from the mesh.
        """
        if self._parcellation is None:
            raise BrainviewValueError(
                "label_at: this surface's overlay is not a parcellation (a label file, or a label "
                "array with labels=); use value_at(xyz) for its values.")
        region = self.region_at(where, name="label_at")
        return None if region is None else region[1]

    def region_at(self, where, *, name="where"):
        """``(label, name)`` of the region at a vertex or nearest a point, else None (as :meth:`label_at`)."""
        if self._parcellation is None:
            return None
        vertex = inputs.nearest_vertex(np.asarray(self.mesh.points), where, name=name)
        row = -1 if vertex is None else self._parcellation.position[vertex]
        if row < 0:
            return None
        label = int(self._parcellation.labels[row])
        return label, self._parcellation.names[label]

    def value_at(self, xyz):
        """The overlay at the vertex nearest ``xyz`` (a region's name for a parcellation), or None."""
        if self._parcellation is not None:
            return self.label_at(xyz)
        if self._overlay is None:
            return None
        vertex = inputs.nearest_vertex(np.asarray(self.mesh.points), xyz, name="xyz")
        return None if vertex is None else float(self._overlay[vertex])

    def colorbar_table(self):
        if self._overlay is None or self._parcellation is not None:
            return None  # regions have a colour each, not a scale
        # Values with |value| < threshold are not drawn: a grey band on the bar, as nilearn's.
        return grey_band(colors.lookup_table(self.cmap, self.clim), self.threshold), self.name

    def shown_vertices(self):
        """Boolean mask of the vertices whose overlay value (or region) is drawn."""
        if self._overlay is None:
            return np.zeros(self.n_vertices, dtype=bool)
        if self._parcellation is not None:
            position, selected = self._parcellation.position, self._parcellation.selected(self.regions)
            if not len(selected):
                return np.zeros(self.n_vertices, dtype=bool)
            return (position >= 0) & selected[position.clip(0)]
        shown = np.isfinite(self._overlay)
        if self.threshold is not None:
            shown &= np.abs(np.nan_to_num(self._overlay)) >= self.threshold
        return shown

    def vertex_colors(self):
        """``(n, 3)`` float RGB of every vertex as drawn."""
        rgb = np.tile(np.asarray(self.color), (self.n_vertices, 1))
        if self._shading is not None:
            rgb *= self._shading[:, None]
        shown = self.shown_vertices()
        if self._parcellation is not None:
            rgb[shown] = self._parcellation.rgb[self._parcellation.position[shown]]
        elif self._overlay is not None:
            low, high = self.clim
            scaled = np.clip((self._overlay[shown] - low) / (high - low), 0.0, 1.0)
            rgb[shown] = colors.get_cmap(self.cmap)(scaled)[:, :3]
        return rgb

    def vertex_alpha(self):
        """``(n,)`` alpha of every vertex as drawn (the colormap's alpha on the overlay), or None if opaque."""
        if self._overlay is None or self._parcellation is not None or not colors.has_alpha(self.cmap):
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
        rgb = colors.color_bytes(self.vertex_colors(), self.vertex_alpha())
        with RENDER_LOCK:  # a render thread may be drawing it (brainview._locks)
            self.mesh.point_data["rgb"] = rgb
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
        warnings.warn(f"{name}: {bad} of {values.size} values are NaN or infinite; {consequence}.",
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


def _example():
    """Small in-memory inputs of a Surface (``Kind.example``)."""
    return ((_ex.tetrahedron(), np.array([0.0, 1, 2, 3])), dict(threshold=0.5))


KIND = Kind(Surface, drawer="brainview.render.surface:SurfaceDrawer", example=_example, roles=("surface",))
