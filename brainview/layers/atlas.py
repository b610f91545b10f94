"""Atlases: every region of a labelled volume as one coloured, named mesh.

All regions come from one surface-nets pass into one mesh whose ``"region"``
cell array holds the label of each triangle; colours go through a lookup
table indexed by label. Changing the region subset, the colours or the
opacity never re-extracts geometry: a subset is a selection of the mesh's
cells, colours and opacity are the lookup table and the actor's property.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Atlas
>>> data = np.zeros((16, 8, 8), np.int16)
>>> data[2:7, 2:6, 2:6], data[8:14, 2:6, 2:6] = 1, 2
>>> atlas = Atlas((data, np.eye(4)), labels=["Background", "left box", "right box"])
>>> atlas.names
['left box', 'right box']
>>> atlas.label_at((10, 3, 3))
'right box'
>>> atlas.regions = "left"
>>> atlas.shown
['left box']
"""

from __future__ import annotations

import difflib
import fnmatch
import re
import warnings

import numpy as np
from traits.api import Any, Property, TraitType, observe
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy

from .. import colors as bvcolors
from .._vtk import vtkActor, vtkLookupTable, vtkPolyDataMapper
from ..errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning, describe
from ..geometry.labels import (
    adjacency, check_labels, label_array, label_centers, label_surfaces, triangle_mesh, voxels_at,
)
from ..geometry.volume import MAX_SMOOTH, isosurface
from ..io import Image, load_image
from . import _atlas_input as atlas_input
from . import _atlas_maps as atlas_maps
from ._live import Reloads, set_resolved, take_derived, unset_params
from .base import Layer, check_choice, check_opacity

#: Qualitative palette for atlases without colours (neighbours get different ones).
PALETTE = "tab20"


class _Regions(TraitType):
    """The region subset: validated by resolving it against the atlas's names."""

    default_value = None

    def validate(self, obj, name, value):
        obj._index.resolve(value)
        return value


class _RegionColors(TraitType):
    """``{region name or label: colour}`` overrides, validated by the atlas."""

    def validate(self, obj, name, value):
        obj._index.resolve_colors(value or {})  # None: no overrides
        return value


class _Reextracts(TraitType):
    """A setting of 4-D maps: assigning it extracts the regions again, before the value is taken.

    A value that leaves no region raises the constructor's error and changes
    nothing; the loaded maps are reused (a path is not read again).
    """

    def __init__(self, check, default_value=None, **metadata):
        self._check = check
        super().__init__(default_value, **metadata)

    def validate(self, obj, name, value):
        value = self._check(value, name)
        if obj.__dict__.get("_initialised"):
            obj.__dict__["_derived"] = obj._geometry(obj._loaded, {**obj.get_params(), name: value})
        return value


class Atlas(Layer):
    """Regions of a labelled (or probabilistic) atlas, coloured and named.

    Parameters
    ----------
    atlas : path, nibabel image, (array, affine), or atlas Bunch
        A 3-D label image (0 is the background), a 4-D image of one
        probability map per region, or an object with ``maps`` and
        ``labels`` (and optionally ``lut`` or ``colors``) as attributes or
        keys: a nilearn atlas Bunch or :func:`brainview.datasets.load_demo_atlas`.
        Live.
    labels : list, dict or None
        Region names. A list is indexed by label value when its first entry
        is ``"Background"`` (nilearn >= 0.11) or when it has one entry per
        value up to the maximum; a list with one name per non-zero label
        present follows their sorted order. A dict maps label -> name.
        Default: the Bunch's labels, else ``"label 12"``. Live (the label
        values are :attr:`label_values`).
    lut : DataFrame, path to a TSV, or None
        A table with columns ``index``, ``name`` and optionally ``color``
        (nilearn's ``lut``); gives names and colours. Live.
    kind : {None, "deterministic", "probabilistic"}
        None: 3-D data is deterministic, 4-D probabilistic. A 4-D image
        passed as deterministic is an error. It only checks the data (it
        never changes the picture), and ``layer.kind`` is the layer's kind,
        ``"atlas"``: read the parameter with ``get_params()["kind"]``.
    regions : str, int, pattern or list of them, optional
        Regions to show: names, substrings of names or shell globs
        (``"Default*"``), label values, compiled ``re.Pattern`` objects
        (see :attr:`regions`); default all.
    colors : dict, optional
        ``{region name or label: colour}`` overriding the default colours.
    opacity : float
    smooth : int
        Surface smoothing iterations, 0 to 1000. Live.
    threshold : float, "auto", percentile string or None
        4-D maps: the value (on the drawn sign) from which a voxel belongs
        to a map's region. None: half of each map's maximum for positive-only
        maps (probabilities); for maps with negative values (decomposition
        components) nilearn's ``plot_prob_atlas(threshold="auto")`` rule, the
        ``100 * (1 - 0.2 * c / n)``-th percentile of each map's ``|values|``
        over the grid (``c`` = 0.5 up to 10 maps, 0.8 up to 20, 1 beyond; see
        :func:`~brainview.layers._atlas_maps.nilearn_auto_percentile`).
        ``"auto"`` applies that rule to any maps; ``"95%"`` a percentile of
        ``|values|``. Live.
    sign : {"dominant", "both", "positive", "negative"}
        4-D maps: which values make a region. A decomposition component's
        sign is arbitrary, so by default each map is drawn on its dominant
        sign (the sign of the sum of its values beyond the threshold);
        "both" draws ``|value| >= threshold``. Live.
    min_region_size : float or str
        4-D maps: connected clusters smaller than this are dropped as noise
        specks: a volume in mm³, or a share of the map's largest cluster
        (default ``"10%"``). Live.
    prob_display : {"isosurface", "maxprob"}
        4-D maps: one isosurface per map, or a labelling of each voxel by the
        map with the largest value there among the regions holding it. Live.
    name : str, optional

    Notes
    -----
    4-D maps are named ``"component 1"``..``"component n"`` when any value is
    negative (decomposition maps), ``"label 1"``.. otherwise, unless
    ``labels`` are given; each gets a colour of a qualitative palette. A map
    left without a region (nothing reaches its threshold) is reported in one
    warning.

    Examples
    --------
    >>> import numpy as np
    >>> data = np.zeros((6, 6, 6), np.uint8); data[1:4, 1:4, 1:4] = 3
    >>> layer = Atlas((data, np.eye(4)), labels={3: "cube"}, smooth=0)
    >>> layer.label_values.tolist(), layer.names
    ([3], ['cube'])
    >>> layer.labels = {3: "box"}
    >>> layer.names, layer.get_params()["labels"]
    (['box'], {3: 'box'})
    """

    kind = "atlas"

    #: Parameters that are data: a string given for one of them is a file path.
    data_params = ("atlas", "labels", "lut")

    #: Regions shown: None (all), or a name, a substring of names, a shell
    #: glob (``"Default*"``, any case; text is never run as a regular
    #: expression), a label value, a compiled ``re.Pattern``, or a list of those. Live.
    regions = _Regions(panel="checklist")

    #: Colour overrides ``{name or label: colour}``, or None. Live.
    colors = _RegionColors()

    #: 4-D maps: threshold (None, "auto", "95%" or a number). Live.
    threshold = _Reextracts(atlas_maps.check_threshold)

    #: 4-D maps: "dominant", "both", "positive" or "negative". Live.
    sign = _Reextracts(lambda value, name: check_choice(value, atlas_maps.SIGNS, name), "dominant",
                      choices=atlas_maps.SIGNS)

    #: 4-D maps: clusters below this (mm³, or "10%" of the largest) are dropped. Live.
    min_region_size = _Reextracts(atlas_maps.check_min_region_size, atlas_maps.DEFAULT_MIN_REGION_SIZE)

    #: The constructor's data parameters, live and kept as given (a path stays a path).
    atlas = Reloads()
    labels = Reloads()
    lut = Reloads()
    smooth = Reloads(16, panel="slider", low=0, high=50, integer=True)
    prob_display = Reloads("isosurface", choices=("isosurface", "maxprob"))

    #: The vtkActor drawing the regions (made when first drawn or read).
    actor = Property(transient=True)

    #: The extracted mesh in world mm with its ``"region"`` cell array (all regions).
    mesh = Any(transient=True)

    def __init__(self, atlas, *, labels=None, lut=None, kind=None, regions=None, colors=None,
                 opacity=1.0, smooth=16, threshold=None, sign="dominant",
                 min_region_size=atlas_maps.DEFAULT_MIN_REGION_SIZE, prob_display="isosurface",
                 name=None):
        self._actor = self._mapper = self._lut = None
        self._centers = None
        derived = self._derive(dict(
            atlas=atlas, labels=labels, lut=lut, kind=kind, regions=regions, colors=colors,
            smooth=smooth, threshold=threshold, sign=sign, min_region_size=min_region_size,
            prob_display=prob_display))
        self._take(derived)
        super().__init__(name=name or derived["name"], regions=regions, colors=colors,
                         opacity=check_opacity(opacity), threshold=threshold, sign=sign,
                         min_region_size=min_region_size, atlas=atlas, labels=labels, lut=lut,
                         smooth=smooth, prob_display=prob_display)
        self._select_regions()
        self._color_regions()

    # ------------------------------------------------------------ model

    @classmethod
    def _derive(cls, params):
        """Everything the parameters give: maps, names, regions (raises the constructor's errors)."""
        loaded = _load(params)
        return {**loaded, **cls._geometry(loaded, params)}

    @staticmethod
    def _geometry(loaded, params):
        """The mesh and colours of loaded maps under the parameters (and checks of those that use names)."""
        index = loaded["index"]
        index.resolve(params["regions"])
        index.resolve_colors(params["colors"] or {})
        settings = {name: check(params[name], name) for name, check in (
            ("threshold", atlas_maps.check_threshold), ("min_region_size", atlas_maps.check_min_region_size),
            ("sign", lambda value, name: check_choice(value, atlas_maps.SIGNS, name)))}
        mesh, data, map_regions = _extract(loaded, smooth=loaded["smooth"], **settings)
        base_colors = loaded["colors"]
        if base_colors is None:
            base_colors = _qualitative(index.values, adjacency(mesh))
        return dict(mesh=mesh, data=data, map_regions=map_regions, base_colors=base_colors,
                    mesh_region=_region_numbers(mesh, index.values))

    def _take(self, derived):
        """Hold what :meth:`_derive` (or :meth:`_geometry`) gave."""
        if "index" in derived:
            self._loaded = {key: derived[key] for key in _LOADED}
            self._image, self._maps = derived["image"], derived["maps"]
            self._probabilistic, self._signed = derived["probabilistic"], derived["signed"]
            self._index = derived["index"]
            self._labels, self._names = self._index.values, self._index.names
        self.mesh, self._data, self._map_regions = derived["mesh"], derived["data"], derived["map_regions"]
        self._base_colors, self._mesh_region = derived["base_colors"], derived["mesh_region"]
        self._centers = None

    @observe("atlas, labels, lut, smooth, prob_display, threshold, sign, min_region_size", post_init=True)
    def _reload(self, event):
        self._take(take_derived(self))
        if unset_params(self, "name"):
            set_resolved(self, name=self._loaded["name"])
        self._select_regions()
        self._color_regions()
        self._sync_drawing()

    # ------------------------------------------------------------ public API

    @property
    def image(self):
        """The :class:`brainview.io.Image` of the label volume (first map when probabilistic)."""
        return self._image

    @property
    def names(self):
        """Region names, in label order."""
        return [self._names[v] for v in self._labels]

    @property
    def label_values(self):
        """Label values (map numbers from 1 when probabilistic), in order; ``labels`` are the names as given."""
        return self._labels.copy()

    @property
    def shown(self):
        """Names of the regions the current :attr:`regions` selects."""
        return [self._names[v] for v in self._shown_labels()]

    def props(self):
        return [self._draw()]

    def label_at(self, xyz):
        """The region at a world coordinate (mm): its name, or None.

        Exact voxel lookup through the inverse affine. A probabilistic atlas
        returns ``{name: probability}`` of the maps present there. An
        ``(n, 3)`` array gives a list.

        Examples
        --------
        >>> import numpy as np
        >>> data = np.zeros((5, 5, 5), np.uint8); data[1:4, 1:4, 1:4] = 7
        >>> Atlas((data, np.eye(4)), smooth=0).label_at((2, 2, 2))
        'label 7'
        """
        points = np.asarray(xyz, dtype=float)
        if points.shape[-1:] != (3,) or points.ndim > 2:
            raise BrainviewValueError(f"xyz: expected (x, y, z) mm or an (n, 3) array, got {describe(xyz)}.")
        if not self._probabilistic:
            answers = self._names_at(points)
        elif self._signed:
            answers = self._map_values_at(points)
        else:
            answers = self._probabilities_at(points)
        return answers[0] if points.ndim == 1 else answers

    def value_at(self, xyz):
        """Same as :meth:`label_at` (the status bar shows the region name)."""
        return self.label_at(xyz)

    def centroids(self):
        """``{name: (x, y, z)}``: one point inside each region, in world mm.

        Label images follow nilearn's ``find_parcellation_cut_coords`` (a
        bilateral region's left part, its largest connected component, its
        centre of mass), moved to the nearest voxel of that component when
        the centre falls outside it: ``label_at(point)`` is the region
        (see :func:`brainview.geometry.labels.label_centers`). 4-D maps
        follow ``find_probabilistic_atlas_cut_coords``: the ``|value|``
        weighted centre of the map's main (largest) cluster, inside it; a
        map without a region gets NaNs. Computed once.

        Examples
        --------
        >>> import numpy as np
        >>> data = np.zeros((9, 5, 5), np.uint8); data[1:3, 1:4, 1:4] = data[6:8, 1:4, 1:4] = 4
        >>> affine = np.eye(4); affine[0, 3] = -4.0  # x = 0 in the middle of the grid
        >>> Atlas((data, affine), smooth=0).centroids()
        {'label 4': (-2.5, 2.0, 2.0)}
        """
        if self._centers is None:
            if self._probabilistic:
                xyz = np.full((len(self._labels), 3), np.nan)
                for k, region in enumerate(self._map_regions):
                    if region.indices.size:
                        ijk = atlas_maps.main_cluster_center(region, self._maps[..., k], self._image.affine)
                        xyz[k] = self._image.to_world(ijk[None, :])[0]
                labels = self._labels
            else:
                labels, xyz = label_centers(self._image, self._data)
            self._centers = {self._names[int(v)]: tuple(float(c) for c in p) for v, p in zip(labels, xyz)}
        return dict(self._centers)

    def color_of(self, region):
        """The ``(r, g, b)`` colour a region is drawn with."""
        (label,) = self._index.resolve([region])[:1] or [None]
        rgb = self._table[int(self._index.positions([label])[0]), :3] / 255.0
        return tuple(round(float(c), 3) for c in rgb)

    # ------------------------------------------------------------ regions and colours (model)

    @observe("regions", post_init=True)
    def _update_subset(self, event):
        self._select_regions()
        self._sync_drawing()

    def _select_regions(self):
        """The mesh of the shown regions (the full mesh when all are shown)."""
        shown = self._shown_labels()
        if not len(shown):
            warnings.warn(f"regions: {self.regions!r} selects no region: the atlas draws nothing. "
                          "Pass regions=None to show all.", BrainviewWarning, stacklevel=4)
        self._shown_mesh = self.mesh if len(shown) == len(self._labels) else self._subset_mesh(shown)

    def _subset_mesh(self, shown):
        """The cells of the shown regions, sharing the points and normals of the full mesh."""
        keep_region = np.zeros(len(self._labels), dtype=bool)
        keep_region[self._index.positions(shown)] = True
        keep = keep_region[self._mesh_region]
        connectivity = vtk_to_numpy(self.mesh.GetPolys().GetConnectivityArray()).reshape(-1, 3)
        subset = triangle_mesh(np.zeros((0, 3)), connectivity[keep])
        subset.SetPoints(self.mesh.GetPoints())
        subset.GetPointData().ShallowCopy(self.mesh.GetPointData())
        subset.cell_data["region"] = np.asarray(self.mesh.cell_data["region"])[keep]
        subset.cell_data["region_index"] = self._mesh_region[keep]
        return subset

    @observe("colors", post_init=True)
    def _update_colors(self, event):
        self._color_regions()
        self._sync_drawing()

    def _color_regions(self):
        """The colour table: one RGBA row (0..255) per region, overrides applied."""
        rgba = np.ones((len(self._labels), 4))
        rgba[:, :3] = self._base_colors
        for label, rgb in self._index.resolve_colors(self.colors or {}).items():
            rgba[self._index.positions([label])[0], :3] = rgb
        self._table = np.rint(rgba * 255).astype(np.uint8)

    def _shown_labels(self):
        return self._index.resolve(self.regions)

    # ------------------------------------------------------------ drawing

    def _get_actor(self):
        return self._draw()

    def _draw(self):
        """The actor, made on first use: a model alone holds no VTK rendering object."""
        if self._actor is None:
            self._lut = vtkLookupTable()
            self._mapper = vtkPolyDataMapper()
            self._mapper.SetLookupTable(self._lut)
            self._mapper.SetScalarModeToUseCellFieldData()
            self._mapper.SelectColorArray("region_index")
            self._mapper.SetColorModeToMapScalars()
            self._mapper.UseLookupTableScalarRangeOff()
            self._mapper.ScalarVisibilityOn()
            self._actor = vtkActor()
            self._actor.SetMapper(self._mapper)
            prop = self._actor.GetProperty()
            prop.SetSpecular(0.15)
            prop.SetSpecularPower(20)
            self._sync_drawing()
        return self._actor

    @observe("opacity, visible", post_init=True)
    def _update_visible(self, event):
        self._sync_drawing()

    def _sync_drawing(self):
        """Show the model in the drawing (when drawn), then ask the figure to redraw."""
        if self._actor is not None:
            n_regions = len(self._labels)
            # One table entry per region (not per label value: Allen CCF's ids
            # reach 614454277): region number k maps to entry floor(k + 0.5) = k.
            self._mapper.SetScalarRange(-0.5, n_regions - 0.5)
            self._lut.SetNumberOfTableValues(n_regions)
            self._lut.SetTable(numpy_to_vtk(self._table, deep=True))
            self._lut.SetRange(-0.5, n_regions - 0.5)
            self._lut.Modified()
            self._mapper.SetInputData(self._shown_mesh)
            self._mapper.Modified()
            self._actor.GetProperty().SetOpacity(self.opacity)
            self._actor.SetVisibility(self.visible)
        self._changed()

    # ------------------------------------------------------------ lookup

    def _names_at(self, points):
        ijk, inside = voxels_at(self._image, self._data.shape, points)
        return [self._names.get(int(self._data[tuple(voxel)])) if ok else None
                for voxel, ok in zip(ijk, inside)]

    def _probabilities_at(self, points):
        ijk = np.rint(self._image.to_voxel(np.atleast_2d(points))).astype(np.int64)
        inside = np.all((ijk >= 0) & (ijk < np.array(self._maps.shape[:3])), axis=1)
        answers = []
        for voxel, ok in zip(ijk, inside):
            if not ok:
                answers.append(None)
                continue
            values = np.asarray(self._maps[voxel[0], voxel[1], voxel[2], :], dtype=float)
            order = [k for k in np.argsort(-values, kind="stable") if values[k] > 0]
            answers.append({self._names[k + 1]: float(values[k]) for k in order} or None)
        return answers

    def _map_values_at(self, points):
        """``{name: value}`` of the maps whose drawn region holds each point, largest ``|value|`` first."""
        shape = self._maps.shape[:3]
        ijk = np.rint(self._image.to_voxel(np.atleast_2d(points))).astype(np.int64)
        inside = np.all((ijk >= 0) & (ijk < np.array(shape)), axis=1)
        answers = []
        for voxel, ok in zip(ijk, inside):
            found = {}
            flat = np.ravel_multi_index(tuple(voxel), shape) if ok else -1
            for k, region in enumerate(self._map_regions):
                position = np.searchsorted(region.indices, flat)
                if ok and position < region.indices.size and region.indices[position] == flat:
                    found[self._names[k + 1]] = float(self._maps[voxel[0], voxel[1], voxel[2], k])
            answers.append(dict(sorted(found.items(), key=lambda item: -abs(item[1]))) or None)
        return answers


# ----------------------------------------------------------------- loading and geometry

#: What :func:`_load` gives (kept while the maps settings change).
_LOADED = ("name", "image", "maps", "labels_data", "probabilistic", "signed", "index", "colors",
           "prob_display", "smooth")


def _load(params):
    """Maps, names and colours of the data parameters (raises the constructor's errors)."""
    source = atlas_input.read(params["atlas"], labels=params["labels"], lut=params["lut"])
    image, maps = _load_maps(source.maps)
    kind = _check_kind(params["kind"], maps)
    prob_display = check_choice(params["prob_display"], ("isosurface", "maxprob"), "prob_display")
    smooth = _check_smooth(params["smooth"])
    probabilistic, signed = kind == "probabilistic", False
    if probabilistic:
        maps = _check_probabilities(maps)
        signed = atlas_maps.is_signed(maps)
        data, map_values = None, np.arange(1, maps.shape[3] + 1)
    else:
        data, map_values, maps = check_labels(maps, name="atlas"), None, None
    names, colors = atlas_input.names_and_colors(
        source, map_values, data, default="component" if signed else "label")
    return dict(name=source.name, image=image, maps=maps, labels_data=data, probabilistic=probabilistic,
                signed=signed, index=_RegionIndex(names), colors=colors, prob_display=prob_display,
                smooth=smooth)


def _extract(loaded, *, smooth, threshold, sign, min_region_size):
    """``(mesh, label data, map regions)``: the surfaces of every region, in one mesh."""
    image, labels = loaded["image"], loaded["index"].values
    if not loaded["probabilistic"]:
        data = loaded["labels_data"]
        return label_surfaces(image, data, labels=labels, smooth=smooth), data, None
    maps = loaded["maps"]
    levels = atlas_maps.thresholds(maps, threshold)
    regions = atlas_maps.map_regions(
        maps, levels, sign=sign, min_region_size=min_region_size,
        voxel_volume=abs(float(np.linalg.det(image.affine[:3, :3]))))
    _warn_empty_maps(regions, loaded["index"].names, threshold, sign)
    if loaded["prob_display"] == "maxprob":
        data = _max_probability(maps, regions)
        present = np.intersect1d(labels, np.unique(data))
        return label_surfaces(image, data, labels=present, smooth=smooth), data, regions
    return _map_isosurfaces(image, maps, regions, smooth), None, regions


def _warn_empty_maps(regions, names, threshold, sign):
    empty = [names[k + 1] for k, region in enumerate(regions) if not region.indices.size]
    if len(empty) == len(regions):
        raise BrainviewValueError(
            f"threshold: no map reaches it ({threshold!r}); lower the threshold.")
    if empty:
        warnings.warn(
            f"atlas: {len(empty)} of {len(regions)} maps have no region at "
            f"threshold={threshold!r}, sign={sign!r}: {', '.join(empty[:10])}"
            f"{', ...' if len(empty) > 10 else ''}. Lower the threshold or pass sign='both'.",
            BrainviewWarning, stacklevel=5)


def _region_numbers(mesh, values):
    """Each cell's region as its number 0..n-1 in ``values`` (also stored as ``"region_index"``)."""
    region = np.asarray(mesh.cell_data["region"]) if mesh.n_cells else np.zeros(0, np.int64)
    numbers = np.searchsorted(values, region.astype(values.dtype)).astype(np.int32)
    if mesh.n_cells:
        mesh.cell_data["region_index"] = numbers
    return numbers


def _check_smooth(value, name="smooth"):
    """Surface-nets iterations, 0 to 1000 (``True`` is refused, a huge count would hang)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise BrainviewValueError(f"{name}: expected a number of iterations >= 0, got {value!r}.")
    if value > MAX_SMOOTH:
        raise BrainviewValueError(
            f"{name}: at most {MAX_SMOOTH} smoothing iterations, got {value!r}; "
            "a few tens already give a smooth surface.")
    return int(value)


class _RegionIndex:
    """Region names by label value, and what selects them (names, globs, patterns, values).

    Examples
    --------
    >>> index = _RegionIndex({3: "left box", 9: "right box"})
    >>> index.resolve("right").tolist(), index.positions([9]).tolist()
    ([9], [1])
    """

    def __init__(self, names):
        self.values = label_array(sorted(names))
        self.names = {int(v): names[v] for v in self.values}
        self._by_name = {n: v for v, n in self.names.items()}

    def positions(self, labels):
        """Numbers 0..n-1 of label values among :attr:`values` (the colour table's rows)."""
        return np.searchsorted(self.values, np.asarray(labels, dtype=self.values.dtype))

    def resolve(self, value):
        """Label values selected by a region specification (see :attr:`Atlas.regions`)."""
        if value is None:
            return self.values
        items = value if isinstance(value, (list, tuple, set, np.ndarray)) else [value]
        chosen = []
        for item in items:
            chosen.extend(self._match(item))
        return label_array(sorted(set(chosen)))

    def resolve_colors(self, value):
        """``{label value: (r, g, b)}`` of a ``{region: colour}`` dict."""
        if not isinstance(value, dict):
            raise BrainviewTypeError(
                f"colors: expected a dict {{region name or label: colour}}, got {describe(value)}."
            )
        resolved = {}
        for key, color in value.items():
            rgb = bvcolors.to_rgb(color, name=f"colors[{key!r}]")
            for label in self.resolve([key]):
                resolved[int(label)] = rgb
        return resolved

    def _match(self, item):
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            if int(item) not in self.names:
                raise BrainviewValueError(
                    f"regions: no region has label {item}; labels run "
                    f"{self.values.min()}..{self.values.max()} ({len(self.values)} regions)."
                )
            return [int(item)]
        if isinstance(item, re.Pattern):
            found = [v for v, n in self.names.items() if item.search(n)]
            if not found:
                raise BrainviewValueError(f"regions: the pattern {item.pattern!r} matches no region name.")
            return found
        if not isinstance(item, str):
            raise BrainviewTypeError(
                f"regions: expected region names, patterns or label values, got {describe(item)}."
            )
        return self._match_text(item)

    def _match_text(self, text):
        """Regions named ``text``, else containing it, else matching it as a shell glob (any case).

        Text is never run as a regular expression: text typed into the app
        cannot hang it (``"(a+)+$"`` is catastrophic for a backtracking
        regex). Python's glob translation has no catastrophic backtracking.
        """
        lowered = text.lower()
        exact = [v for v, n in self.names.items() if n.lower() == lowered]
        if exact:
            return exact
        found = [v for v, n in self.names.items() if lowered in n.lower()]
        if found:
            return found
        found = [v for v, n in self.names.items() if fnmatch.fnmatchcase(n.lower(), lowered)]
        if found:
            return found
        close = difflib.get_close_matches(text, list(self._by_name), n=5, cutoff=0.5)
        hint = f" Close matches: {', '.join(repr(c) for c in close)}." if close else ""
        raise BrainviewValueError(
            f"regions: no region matches {text!r} (by name, substring or shell glob such as "
            f"'Default*').{hint} See atlas.names for all names."
        )


# ----------------------------------------------------------------- helpers


def _load_maps(maps):
    """The Image (first volume for 4-D input) and the full 3-D or 4-D array."""
    if isinstance(maps, Image):
        return maps, maps.data
    data, affine = atlas_input.raw_array(maps)
    if data.ndim == 4 and data.shape[3] == 1:
        data = data[..., 0]
    if data.ndim == 4:
        return load_image((data, affine), volume=0, name="atlas"), data
    return load_image((data, affine), name="atlas"), data


def _check_kind(kind, maps):
    check_choice(kind, (None, "deterministic", "probabilistic"), "kind")
    if maps.ndim == 4 and kind == "deterministic":
        raise BrainviewValueError(
            f"atlas: a deterministic atlas is one 3-D label image, got 4-D data of shape {maps.shape}. "
            "A 4-D image holds one probability map per region: pass kind='probabilistic' "
            "(or leave kind=None)."
        )
    if maps.ndim == 3 and kind == "probabilistic":
        raise BrainviewValueError(
            f"atlas: a probabilistic atlas is a 4-D image (one map per region), got 3-D data "
            f"of shape {maps.shape}. Pass kind='deterministic' for a label image."
        )
    return kind or ("probabilistic" if maps.ndim == 4 else "deterministic")


def _check_probabilities(maps):
    maps = np.asanyarray(maps)
    if maps.dtype.kind not in "fiub":
        raise BrainviewTypeError(f"atlas: probability maps must be numbers, got dtype {maps.dtype}.")
    if maps.dtype.kind == "f" and not np.all(np.isfinite(maps)):
        raise BrainviewValueError(
            "atlas: probability maps hold NaN or infinite values; replace them, e.g. np.nan_to_num."
        )
    if not np.any(maps > 0):
        raise BrainviewValueError("atlas: the probabilistic atlas is empty: no map has a value above 0.")
    return maps


def _max_probability(maps, regions):
    """Label each voxel by the map with the largest drawn value among the regions holding it."""
    shape = maps.shape[:3]
    best_value = np.full(int(np.prod(shape)), -np.inf, dtype=np.float32)
    labels = np.zeros(best_value.size, dtype=np.int32)
    for k, region in enumerate(regions):
        values = atlas_maps.signed_field(maps[..., k].reshape(-1)[region.indices], region.sign)
        better = values > best_value[region.indices]
        best_value[region.indices[better]] = values[better]
        labels[region.indices[better]] = k + 1
    return labels.reshape(shape)


def _map_isosurfaces(image, maps, regions, smooth):
    """One isosurface per map region, in one mesh with the map number as ``"region"``.

    Each map is contoured in its region's bounding box (plus one voxel), on
    its drawn sign's values with the dropped clusters zeroed.
    """
    points, faces, normals, region_ids, offset = [], [], [], [], 0
    shape = maps.shape[:3]
    for k, region in enumerate(regions):
        if not region.indices.size:
            continue
        box, mask = atlas_maps.region_box(region, shape)
        low = np.array([max(s.start - 1, 0) for s in box])
        high = np.array([min(s.stop + 1, n) for s, n in zip(box, shape)])
        padded = tuple(slice(a, b) for a, b in zip(low, high))
        kept = np.zeros(tuple(high - low), dtype=bool)
        kept[tuple(slice(s.start - a, s.stop - a) for s, a in zip(box, low))] = mask
        field = np.array(atlas_maps.signed_field(maps[padded + (k,)], region.sign), dtype=np.float32)
        # Dropped specks (and, with a sign, the other sign) leave no surface;
        # sub-threshold values stay, so the surface sits where the map crosses the level.
        field[(field >= region.threshold) & ~kept] = 0.0
        shift = np.eye(4)
        shift[:3, 3] = low
        crop = load_image((field, image.affine @ shift), name="atlas")
        surface = isosurface(crop, [region.threshold], smooth=min(smooth, 20))
        if not surface.n_cells:
            continue
        points.append(np.asarray(surface.points))
        normals.append(np.asarray(surface.point_data["Normals"]))
        faces.append(surface.regular_faces + offset)
        region_ids.append(np.full(surface.n_cells, k + 1, dtype=np.int32))
        offset += surface.n_points
    if not points:
        raise BrainviewValueError("threshold: no map reaches it; lower the threshold.")
    mesh = triangle_mesh(np.concatenate(points), np.concatenate(faces))
    mesh.point_data["Normals"] = np.concatenate(normals).astype(np.float32)
    mesh.point_data.active_normals_name = "Normals"
    mesh.cell_data["region"] = np.concatenate(region_ids)
    return mesh


def _qualitative(labels, pairs):
    """Greedy colouring over the region adjacency graph: neighbours differ.

    Regions in order of decreasing degree take the least-used palette colour
    that no coloured neighbour has (when the palette allows).
    """
    palette = bvcolors.cmap_table(PALETTE, 20)[:, :3]
    # tab20 pairs dark/light shades: interleave them so the first 10 picks are distinct hues
    palette = np.concatenate([palette[0::2], palette[1::2]])
    index = {int(v): i for i, v in enumerate(labels)}
    neighbours = [set() for _ in labels]
    for a, b in np.asarray(pairs).reshape(-1, 2).tolist():
        if int(a) in index and int(b) in index:
            neighbours[index[int(a)]].add(index[int(b)])
            neighbours[index[int(b)]].add(index[int(a)])
    order = sorted(range(len(labels)), key=lambda i: (-len(neighbours[i]), i))
    chosen = np.full(len(labels), -1)
    used = np.zeros(len(palette), dtype=int)
    for i in order:
        taken = {chosen[j] for j in neighbours[i]}
        free = [c for c in range(len(palette)) if c not in taken] or list(range(len(palette)))
        pick = min(free, key=lambda c: (used[c], c))
        chosen[i] = pick
        used[pick] += 1
    return palette[chosen]
