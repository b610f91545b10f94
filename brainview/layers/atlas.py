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
import re

import numpy as np
from traits.api import Any, TraitType, observe

from .. import colors as bvcolors
from .._vtk import vtkActor, vtkLookupTable, vtkPolyDataMapper
from ..errors import BrainviewTypeError, BrainviewValueError, describe
from ..geometry.labels import (
    adjacency, check_labels, label_centroids, label_surfaces, labels_at, triangle_mesh,
)
from ..geometry.volume import isosurface
from ..io import Image, load_image
from . import _atlas_input as atlas_input
from .base import Layer, check_choice, check_opacity

#: Qualitative palette for atlases without colours (neighbours get different ones).
PALETTE = "tab20"


class _Regions(TraitType):
    """The region subset: validated by resolving it against the atlas's names."""

    default_value = None

    def validate(self, obj, name, value):
        obj._resolve_regions(value)
        return value


class _RegionColors(TraitType):
    """``{region name or label: colour}`` overrides, validated by the atlas."""

    def validate(self, obj, name, value):
        obj._resolve_colors(value)
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
    labels : list, dict or None
        Region names. A list is indexed by label value when its first entry
        is ``"Background"`` (nilearn >= 0.11) or when it has one entry per
        value up to the maximum; a list with one name per non-zero label
        present follows their sorted order. A dict maps label -> name.
        Default: the Bunch's labels, else ``"label 12"``.
    lut : DataFrame, path to a TSV, or None
        A table with columns ``index``, ``name`` and optionally ``color``
        (nilearn's ``lut``); gives names and colours.
    kind : {None, "deterministic", "probabilistic"}
        None: 3-D data is deterministic, 4-D probabilistic. A 4-D image
        passed as deterministic is an error.
    regions : str, int, pattern or list of them, optional
        Regions to show (see :attr:`regions`); default all.
    colors : dict, optional
        ``{region name or label: colour}`` overriding the default colours.
    opacity : float
    smooth : int
        Surface smoothing iterations.
    threshold : float, optional
        Probabilistic atlases: probability above which a voxel belongs to a
        map. Default: half of each map's maximum.
    prob_display : {"isosurface", "maxprob"}
        Probabilistic atlases: one isosurface per map at ``threshold``, or
        the maximum-probability labelling (voxels above ``threshold``).
    name : str, optional
    """

    kind = "atlas"

    #: Parameters that are data: a string given for one of them is a file path.
    data_params = ("atlas", "labels", "lut")

    #: Regions shown: None (all), or a name, a regex/substring of names, a
    #: label value, a compiled pattern, or a list of those. Live.
    regions = _Regions()

    #: Colour overrides ``{name or label: colour}``. Live.
    colors = _RegionColors()

    #: The extracted mesh in world mm with its ``"region"`` cell array (all regions).
    mesh = Any(transient=True)

    def __init__(self, atlas, *, labels=None, lut=None, kind=None, regions=None, colors=None,
                 opacity=1.0, smooth=16, threshold=None, prob_display="isosurface", name=None):
        source = atlas_input.read(atlas, labels=labels, lut=lut)
        image, maps = _load_maps(source.maps)
        kind = _check_kind(kind, maps)
        check_choice(prob_display, ("isosurface", "maxprob"), "prob_display")
        if not isinstance(smooth, (int, np.integer)) or isinstance(smooth, bool) or smooth < 0:
            raise BrainviewValueError(f"smooth: expected a number of iterations >= 0, got {smooth!r}.")
        self._image, self._probabilistic = image, kind == "probabilistic"
        if self._probabilistic:
            self._maps = _check_probabilities(maps)
            self._labels = np.arange(1, maps.shape[3] + 1)
            self._thresholds = _map_thresholds(self._maps, threshold)
            self._data = None
        else:
            self._data = check_labels(maps, name="atlas")
            self._labels = None
        self._prob_display = prob_display
        names, base_colors = atlas_input.names_and_colors(
            source, self._labels if self._probabilistic else None, self._data)
        self._labels = np.array(sorted(names), dtype=np.int64)
        self._names = {int(v): names[v] for v in self._labels}
        self._by_name = {n: v for v, n in self._names.items()}
        self._mesh_region = None
        self.mesh = self._extract(int(smooth))
        self._base_colors = base_colors if base_colors is not None else _qualitative(
            self._labels, adjacency(self.mesh))
        super().__init__(name=name or source.name, regions=regions, colors=colors or {},
                         opacity=check_opacity(opacity))
        self._build_props()

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
    def labels(self):
        """Label values (map numbers from 1 when probabilistic), in order."""
        return self._labels.copy()

    @property
    def shown(self):
        """Names of the regions the current :attr:`regions` selects."""
        return [self._names[v] for v in self._shown_labels()]

    def props(self):
        return [self.actor]

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
        answers = self._probabilities_at(points) if self._probabilistic else self._names_at(points)
        return answers[0] if points.ndim == 1 else answers

    def value_at(self, xyz):
        """Same as :meth:`label_at` (the status bar shows the region name)."""
        return self.label_at(xyz)

    def centroids(self):
        """``{name: (x, y, z)}``: the centroid of each region's voxels, in world mm.

        Probabilistic maps use the probability-weighted centroid of the
        voxels above threshold.
        """
        if self._probabilistic:
            centres = [self._map_centroid(k) for k in range(self._maps.shape[3])]
            return {self._names[k + 1]: c for k, c in enumerate(centres)}
        labels, xyz = label_centroids(self._image, self._data)
        return {self._names[int(v)]: tuple(float(c) for c in p) for v, p in zip(labels, xyz)}

    # ------------------------------------------------------------ geometry

    def _extract(self, smooth):
        if not self._probabilistic:
            return label_surfaces(self._image, self._data, labels=self._labels, smooth=smooth)
        if self._prob_display == "maxprob":
            self._data = _max_probability(self._maps, self._thresholds)
            present = np.intersect1d(self._labels, np.unique(self._data))
            return label_surfaces(self._image, self._data, labels=present, smooth=smooth)
        return _map_isosurfaces(self._image, self._maps, self._thresholds, smooth)

    def _build_props(self):
        self._lut = vtkLookupTable()
        self._mapper = vtkPolyDataMapper()
        self._mapper.SetLookupTable(self._lut)
        self._mapper.SetScalarModeToUseCellFieldData()
        self._mapper.SelectColorArray("region")
        self._mapper.SetColorModeToMapScalars()
        high = int(self._labels.max())
        # One table entry per label value: value v maps to entry floor(v + 0.5) = v.
        self._mapper.SetScalarRange(-0.5, high + 0.5)
        self._mapper.UseLookupTableScalarRangeOff()
        self._mapper.ScalarVisibilityOn()
        self.actor = vtkActor()
        self.actor.SetMapper(self._mapper)
        prop = self.actor.GetProperty()
        prop.SetSpecular(0.15)
        prop.SetSpecularPower(20)
        prop.SetOpacity(self.opacity)
        self._mesh_region = np.asarray(self.mesh.cell_data["region"]) if self.mesh.n_cells else np.zeros(0, int)
        self._update_colors(None)
        self._update_subset(None)

    @observe("regions", post_init=True)
    def _update_subset(self, event):
        if getattr(self, "_mapper", None) is None:
            return
        shown = self._shown_labels()
        if len(shown) == len(self._labels):
            self._mapper.SetInputData(self.mesh)
        else:
            self._mapper.SetInputData(self._subset_mesh(shown))
        self._mapper.Modified()
        self._changed()

    def _subset_mesh(self, shown):
        """The cells of the shown regions, sharing the points and normals of the full mesh."""
        keep_label = np.zeros(int(self._labels.max()) + 1, dtype=bool)
        keep_label[shown] = True
        keep = keep_label[self._mesh_region]
        faces = self.mesh.GetPolys()
        from vtkmodules.util.numpy_support import vtk_to_numpy

        connectivity = vtk_to_numpy(faces.GetConnectivityArray()).reshape(-1, 3)
        subset = triangle_mesh(np.zeros((0, 3)), connectivity[keep])
        subset.SetPoints(self.mesh.GetPoints())
        subset.GetPointData().ShallowCopy(self.mesh.GetPointData())
        subset.cell_data["region"] = self._mesh_region[keep]
        return subset

    @observe("colors", post_init=True)
    def _update_colors(self, event):
        if getattr(self, "_lut", None) is None:
            return
        high = int(self._labels.max())
        rgba = np.zeros((high + 1, 4))
        rgba[:, :3] = 0.5
        rgba[self._labels, :3] = self._base_colors
        for label, rgb in self._resolve_colors(self.colors).items():
            rgba[label, :3] = rgb
        rgba[:, 3] = 1.0
        from vtkmodules.util.numpy_support import numpy_to_vtk

        self._lut.SetNumberOfTableValues(high + 1)
        self._lut.SetTable(numpy_to_vtk(np.rint(rgba * 255).astype(np.uint8), deep=True))
        self._lut.SetRange(-0.5, high + 0.5)
        self._lut.Modified()
        self._changed()

    @observe("opacity", post_init=True)
    def _update_opacity(self, event):
        self.actor.GetProperty().SetOpacity(self.opacity)
        self._changed()

    def color_of(self, region):
        """The ``(r, g, b)`` colour a region is drawn with."""
        (label,) = self._resolve_regions([region])[:1] or [None]
        rgb = self._lut.GetTableValue(int(label))[:3]
        return tuple(round(c, 3) for c in rgb)

    # ------------------------------------------------------------ selection

    def _shown_labels(self):
        return self._resolve_regions(self.regions)

    def _resolve_regions(self, value):
        """Label values selected by a region specification (see :attr:`regions`)."""
        if value is None:
            return self._labels
        items = value if isinstance(value, (list, tuple, set, np.ndarray)) else [value]
        chosen = []
        for item in items:
            chosen.extend(self._match(item))
        return np.array(sorted(set(chosen)), dtype=np.int64)

    def _match(self, item):
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            if int(item) not in self._names:
                raise BrainviewValueError(
                    f"regions: no region has label {item}; labels run "
                    f"{self._labels.min()}..{self._labels.max()} ({len(self._labels)} regions)."
                )
            return [int(item)]
        if isinstance(item, re.Pattern):
            found = [v for v, n in self._names.items() if item.search(n)]
            if not found:
                raise BrainviewValueError(f"regions: the pattern {item.pattern!r} matches no region name.")
            return found
        if not isinstance(item, str):
            raise BrainviewTypeError(
                f"regions: expected region names, patterns or label values, got {describe(item)}."
            )
        return self._match_text(item)

    def _match_text(self, text):
        lowered = text.lower()
        exact = [v for v, n in self._names.items() if n.lower() == lowered]
        if exact:
            return exact
        found = [v for v, n in self._names.items() if lowered in n.lower()]
        if found:
            return found
        try:
            pattern = re.compile(text, re.IGNORECASE)
        except re.error:
            pattern = None
        found = [v for v, n in self._names.items() if pattern is not None and pattern.search(n)]
        if found:
            return found
        close = difflib.get_close_matches(text, list(self._by_name), n=5, cutoff=0.5)
        hint = f" Close matches: {', '.join(repr(c) for c in close)}." if close else ""
        raise BrainviewValueError(
            f"regions: no region matches {text!r} (by name, substring or regex).{hint} "
            "See atlas.names for all names."
        )

    def _resolve_colors(self, value):
        if not isinstance(value, dict):
            raise BrainviewTypeError(
                f"colors: expected a dict {{region name or label: colour}}, got {describe(value)}."
            )
        resolved = {}
        for key, color in value.items():
            rgb = bvcolors.to_rgb(color, name=f"colors[{key!r}]")
            for label in self._resolve_regions([key]):
                resolved[int(label)] = rgb
        return resolved

    # ------------------------------------------------------------ lookup

    def _names_at(self, points):
        values = labels_at(self._image, self._data, np.atleast_2d(points))
        return [self._names.get(int(v)) if v > 0 else None for v in values]

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

    def _map_centroid(self, k):
        values = np.asarray(self._maps[..., k], dtype=float)
        ijk = np.argwhere(values >= self._thresholds[k])
        weights = values[tuple(ijk.T)]
        if not weights.sum():
            return (float("nan"),) * 3
        return tuple(float(c) for c in self._image.to_world(weights @ ijk / weights.sum()))


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


def _map_thresholds(maps, threshold):
    highs = maps.reshape(-1, maps.shape[3]).max(axis=0).astype(float)
    if threshold is None:
        return highs / 2
    value = float(threshold) if np.isscalar(threshold) else None
    if value is None or not np.isfinite(value) or value < 0:
        raise BrainviewValueError(f"threshold: expected a probability >= 0, got {threshold!r}.")
    return np.full(maps.shape[3], value)


def _max_probability(maps, thresholds):
    best = np.argmax(maps, axis=3)
    top = np.take_along_axis(maps, best[..., None], axis=3)[..., 0]
    return np.where(top > thresholds[best], best + 1, 0).astype(np.int32)


def _map_isosurfaces(image, maps, thresholds, smooth):
    """One isosurface per map, in one mesh with the map number as ``"region"``."""
    points, faces, normals, region, offset = [], [], [], [], 0
    for k in range(maps.shape[3]):
        values = np.asarray(maps[..., k], dtype=np.float32)
        if not np.any(values > thresholds[k]):
            continue
        surface = isosurface(image, [thresholds[k]], data=values, smooth=min(smooth, 20))
        if not surface.n_cells:
            continue
        points.append(np.asarray(surface.points))
        normals.append(np.asarray(surface.point_data["Normals"]))
        faces.append(surface.regular_faces + offset)
        region.append(np.full(surface.n_cells, k + 1, dtype=np.int32))
        offset += surface.n_points
    if not points:
        raise BrainviewValueError("threshold: no probability map reaches it; lower the threshold.")
    mesh = triangle_mesh(np.concatenate(points), np.concatenate(faces))
    mesh.point_data["Normals"] = np.concatenate(normals).astype(np.float32)
    mesh.point_data.active_normals_name = "Normals"
    mesh.cell_data["region"] = np.concatenate(region)
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
    for a, b in np.asarray(pairs, dtype=np.int64).reshape(-1, 2):
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
