"""Atlases: every region of a labelled volume as one coloured, named mesh.

All regions come from one surface-nets pass into one mesh whose ``"region"``
cell array holds the label of each triangle; colours are one RGBA row per
region (:attr:`Atlas.region_colors`). Changing the region subset, the colours
or the opacity never re-extracts geometry: a subset is a selection of the
mesh's cells (:attr:`Atlas.shown_mesh`). The model holds no VTK rendering
object: :class:`brainview.render.atlas.AtlasDrawer` draws it in 3-D, and
:mod:`brainview.planes` paints its :meth:`Atlas.label_volume` in 2-D.

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

import warnings

import numpy as np
from traits.api import Any, TraitType, observe

from ..errors import BrainviewValueError, BrainviewWarning
from ..geometry.labels import adjacency, check_labels, label_centers, label_surfaces, voxels_at
from ._atlas_luts import check_no_ramp, check_points as _check_points, check_smooth as _check_smooth
from . import _atlas_input as atlas_input
from . import _atlas_maps as atlas_maps
from . import _atlas_regions as atlas_regions
from ._live import Reloads, set_resolved, take_derived, unset_params
from . import _examples as _ex
from .base import Checked, Kind, Layer, check_choice, check_opacity

#: Qualitative palette for atlases without colours (neighbours get different ones).
PALETTE = atlas_regions.PALETTE


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
    colors : dict or path, optional
        ``{region name or label: colour}`` overriding the default colours, or a
        colour file (FSLeyes ``.lut``, FreeSurfer LUT, CSV/TSV table) whose rows
        recolour the atlas's labels (others ignored). Live.
    opacity : float
    gamma, invert :
        Image display options that do not apply to labels: only 1 and False are
        accepted; anything else raises a brainview error saying what to use.
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
    colors = _RegionColors(panel="region_colors")

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

    gamma = Checked(check_no_ramp, 1.0, panel="hidden")
    invert = Checked(check_no_ramp, False, panel="hidden")

    #: The extracted mesh in world mm with its ``"region"`` cell array (all regions).
    mesh = Any(transient=True)

    def __init__(self, atlas, *, labels=None, lut=None, kind=None, regions=None, colors=None,
                 opacity=1.0, smooth=16, threshold=None, sign="dominant",
                 min_region_size=atlas_maps.DEFAULT_MIN_REGION_SIZE, prob_display="isosurface",
                 name=None, gamma=1.0, invert=False):
        self._centers = None
        derived = self._derive(dict(
            atlas=atlas, labels=labels, lut=lut, kind=kind, regions=regions, colors=colors,
            smooth=smooth, threshold=threshold, sign=sign, min_region_size=min_region_size,
            prob_display=prob_display))
        self._take(derived)
        super().__init__(name=name or derived["name"], regions=regions, colors=colors,
                         opacity=check_opacity(opacity), threshold=threshold, sign=sign,
                         min_region_size=min_region_size, atlas=atlas, labels=labels, lut=lut,
                         smooth=smooth, prob_display=prob_display, gamma=check_no_ramp(gamma, "gamma"),
                         invert=check_no_ramp(invert, "invert"))
        self._warn_if_nothing_shown()

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
        index.resolve_colors(params["colors"] or {})  # a colour file is read here (errors first)
        settings = {name: check(params[name], name) for name, check in (
            ("threshold", atlas_maps.check_threshold), ("min_region_size", atlas_maps.check_min_region_size),
            ("sign", lambda value, name: check_choice(value, atlas_maps.SIGNS, name)))}
        mesh, data, map_regions = _extract(loaded, smooth=loaded["smooth"], **settings)
        base_colors = loaded["colors"]
        if base_colors is None:
            base_colors = atlas_regions.qualitative(index.values, adjacency(mesh))
        return dict(mesh=mesh, data=data, map_regions=map_regions, base_colors=base_colors,
                    mesh_region=atlas_regions.region_numbers(mesh, index.values))

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
        self._centers = self._max_probability = None
        self._shown_cache = self._colors_cache = (None, None)

    @observe("atlas, labels, lut, smooth, prob_display, threshold, sign, min_region_size", post_init=True)
    def _reload(self, event):
        self._take(take_derived(self))
        if unset_params(self, "name"):
            set_resolved(self, name=self._loaded["name"])
        self._warn_if_nothing_shown()
        self._changed()

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
        if self._probabilistic:
            return self.probabilities_at(xyz)
        return self.region_at(xyz)

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
        # Safe from a worker thread (the app's atlas panel): the regions are read first (a reload
        # replaces them last) and the answer is kept with the data it was computed from, so a
        # reload meanwhile on another thread never leaves the old data's centres behind.
        regions, image, names = self._map_regions, self._image, self._names
        cached = self._centers
        if cached is not None and all(a is b for a, b in zip(cached, (regions, image, names))):
            return dict(cached[3])
        labels, maps = self._labels, self._maps
        if self._probabilistic:
            xyz = np.full((len(labels), 3), np.nan)
            for k, region in enumerate(regions):
                if region.indices.size:
                    ijk = atlas_maps.main_cluster_center(region, maps[..., k], image.affine)
                    xyz[k] = image.to_world(ijk[None, :])[0]
        else:
            labels, xyz = label_centers(image, self._data)
        centers = {names[int(v)]: tuple(float(c) for c in p) for v, p in zip(labels, xyz)}
        self._centers = (regions, image, names, centers)
        return dict(centers)

    def color_of(self, region):
        """The ``(r, g, b)`` colour a region is drawn with."""
        (label,) = self._index.resolve([region])[:1] or [None]
        rgb = self.region_colors[int(self._index.positions([label])[0]), :3] / 255.0
        return tuple(round(float(c), 3) for c in rgb)

    # ------------------------------------------------------------ what the views read

    @property
    def probabilistic(self):
        """True for 4-D maps (a probabilistic atlas or decomposition components)."""
        return self._probabilistic

    @property
    def map_regions(self):
        """4-D maps: what each map draws, a :class:`~brainview.layers._atlas_maps.MapRegion` per map.

        Its ``threshold``, drawn ``sign`` (+1, -1, 0 for both), the flat
        ``indices`` of its voxels and ``n_dropped`` specks; ``()`` for a label image.
        """
        return tuple(self._map_regions or ())

    @property
    def shown_labels(self):
        """Label values (sorted) of the regions the current :attr:`regions` selects."""
        return self._shown_labels()

    @property
    def region_colors(self):
        """``(n, 4)`` uint8 RGBA, one row per entry of :attr:`label_values`: the drawn colours.

        The default or given colours with the :attr:`colors` overrides; a new array.

        Examples
        --------
        >>> import numpy as np
        >>> data = np.zeros((4, 4, 4), np.uint8); data[1:3, 1:3, 1:3] = 5
        >>> Atlas((data, np.eye(4)), colors={5: "red"}, smooth=0).region_colors.tolist()
        [[255, 0, 0, 255]]
        """
        return atlas_regions.region_table(self._base_colors, self._index, self.colors)

    @property
    def shown_mesh(self):
        """The cells of :attr:`mesh` of the shown regions (:attr:`mesh` itself when all are shown).

        Shares the points of :attr:`mesh`; made once per selection.
        """
        shown = self._shown_labels()
        if len(shown) == len(self._labels):
            return self.mesh
        key = shown.tobytes()
        if self._shown_cache[0] != key:
            keep = np.zeros(len(self._labels), dtype=bool)
            keep[self._index.positions(shown)] = True
            self._shown_cache = (key, atlas_regions.subset_mesh(self.mesh, self._mesh_region, keep))
        return self._shown_cache[1]

    def label_volume(self):
        """The 3-D label volume the 2-D views paint, on the voxel grid of :attr:`image` (read-only).

        A label image's data. 4-D maps: each voxel's map number (1..n, see
        :attr:`label_values`) of the largest drawn value among the map
        regions holding it, 0 where none does: the maximum-probability
        labelling (``prob_display="maxprob"`` draws it in 3-D). Computed once
        per data and settings.

        Examples
        --------
        >>> import numpy as np
        >>> maps = np.zeros((6, 2, 2, 2), np.float32)
        >>> maps[:4, ..., 0], maps[2:, ..., 1] = 0.8, 0.9
        >>> Atlas((maps, np.eye(4)), smooth=0, min_region_size=0).label_volume()[:, 0, 0].tolist()
        [1, 1, 2, 2, 2, 2]
        """
        if self._data is not None:
            volume = self._data
        else:
            if self._max_probability is None:
                self._max_probability = atlas_maps.max_probability(self._maps, self._map_regions)
            volume = self._max_probability
        view = volume.view()
        view.flags.writeable = False
        return view

    def region_at(self, xyz):
        """The name of the region the 2-D views show at a world point (mm), or None.

        A label image: :meth:`label_at`. 4-D maps: the region of
        :meth:`label_volume` there. An ``(n, 3)`` array gives a list.

        Examples
        --------
        >>> import numpy as np
        >>> maps = np.zeros((6, 2, 2, 2), np.float32)
        >>> maps[:4, ..., 0], maps[2:, ..., 1] = 0.8, 0.9
        >>> atlas = Atlas((maps, np.eye(4)), labels=["left", "right"], smooth=0, min_region_size=0)
        >>> atlas.region_at((2, 0, 0)), atlas.probabilities_at((2, 0, 0))
        ('right', {'right': 0.8999999761581421, 'left': 0.800000011920929})
        """
        points = _check_points(xyz, "xyz")
        volume = self.label_volume()
        ijk, inside = voxels_at(self._image, volume.shape, points)
        answers = [self._names.get(int(volume[tuple(voxel)])) if ok else None
                   for voxel, ok in zip(ijk, inside)]
        return answers[0] if points.ndim == 1 else answers

    def probabilities_at(self, xyz):
        """4-D maps: ``{region name: value}`` at a world point (mm), largest first; None where there is none.

        A probabilistic atlas: every region's probability above 0 there.
        Decomposition components (signed maps): the value of each map whose
        drawn region holds the point, largest ``|value|`` first. An ``(n, 3)``
        array gives a list. A label image has no probabilities: use :meth:`label_at`.
        """
        points = _check_points(xyz, "xyz")
        if not self._probabilistic:
            raise BrainviewValueError(
                f"probabilities_at: {self.name!r} is a label image (3-D), it has no probabilities; "
                "use label_at(xyz) for the region name.")
        answers = self._map_values_at(points) if self._signed else self._probabilities_at(points)
        return answers[0] if points.ndim == 1 else answers

    # ------------------------------------------------------------ regions (model)

    @observe("regions", post_init=True)
    def _update_subset(self, event):
        self._warn_if_nothing_shown()

    def _warn_if_nothing_shown(self):
        if not len(self._shown_labels()):
            warnings.warn(f"regions: {self.regions!r} selects no region: the atlas draws nothing. "
                          "Pass regions=None to show all.", BrainviewWarning, stacklevel=4)

    def _shown_labels(self):
        return self._index.resolve(self.regions)

    # ------------------------------------------------------------ lookup


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
    image, maps = atlas_input.load_maps(source.maps)
    kind = atlas_input.check_kind(params["kind"], maps)
    prob_display = check_choice(params["prob_display"], ("isosurface", "maxprob"), "prob_display")
    smooth = _check_smooth(params["smooth"])
    probabilistic, signed = kind == "probabilistic", False
    if probabilistic:
        maps = atlas_maps.check_probabilities(maps)
        signed = atlas_maps.is_signed(maps)
        data, map_values = None, np.arange(1, maps.shape[3] + 1)
    else:
        data, map_values, maps = check_labels(maps, name="atlas"), None, None
    names, colors = atlas_input.names_and_colors(
        source, map_values, data, default="component" if signed else "label")
    return dict(name=source.name, image=image, maps=maps, labels_data=data, probabilistic=probabilistic,
                signed=signed, index=atlas_regions.RegionIndex(names), colors=colors, prob_display=prob_display,
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
    atlas_maps.warn_empty_maps(regions, loaded["index"].names, threshold, sign)
    if loaded["prob_display"] == "maxprob":
        data = atlas_maps.max_probability(maps, regions)
        present = np.intersect1d(labels, np.unique(data))
        return label_surfaces(image, data, labels=present, smooth=smooth), data, regions
    return atlas_maps.map_isosurfaces(image, maps, regions, smooth), None, regions


def _example():
    """Small in-memory inputs of a Atlas (``Kind.example``)."""
    return (((_ex.two_regions(), _ex.AFFINE),), dict(labels=["background", "a", "b"], smooth=0))


KIND = Kind(Atlas, drawer="brainview.render.atlas:AtlasDrawer", example=_example, roles=("atlas", "prob_atlas"),
            painter="brainview.render.painters:paint_atlas")
