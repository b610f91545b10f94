"""Real sample data that works offline: read from the files nilearn's wheel ships.

nilearn's own loaders take 2 s to import; the files themselves load in a
fraction of that, so brainview reads them directly with nibabel and returns
the same images nilearn's loaders return.

- :func:`load_mni152` — ICBM152 2009 T1 template (1 or 2 mm), scaled to 0..1
  exactly as ``nilearn.datasets.load_mni152_template``.
- :func:`load_mni152_brain_mask` — template > 0.2, as nilearn's.
- :func:`load_motor_map` — a real motor-task z-map from NeuroVault (image 10426).
- :func:`load_fsaverage5` — fsaverage5 meshes (pial, white, inflated, sphere)
  and sulcal depth / curvature, per hemisphere.

Examples
--------
>>> from brainview import datasets
>>> datasets.load_mni152(resolution=2).shape
(99, 117, 95)
"""

from __future__ import annotations

import collections
import csv
import functools
import hashlib
import importlib.util
import os
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import BrainviewValueError
from .io import Surface, load_surface, load_surface_data

__all__ = [
    "nilearn_data_dir", "load_mni152", "load_mni152_brain_mask", "load_motor_map",
    "load_fsaverage5", "fsaverage5_surface", "fsaverage5_data", "load_seitzman_2018",
    "load_demo_atlas",
]

HEMIS = ("left", "right")
FSAVERAGE5_MESHES = ("pial", "white", "inflated", "sphere", "flat")
FSAVERAGE5_DATA = ("sulc", "curv", "thick", "area")
_MESH_FILES = {"pial": "pial", "white": "white", "inflated": "infl", "sphere": "sphere", "flat": "flat"}


#: The latest objects the loaders returned: ``id -> (object, loader, kwargs, item, digest)``.
#: Scene files and script exports record such data as the loader call that made it.
_RETURNED = collections.OrderedDict()
_REMEMBERED = 64
#: Images and arrays the loaders returned, for as long as they live (an app session can
#: outlast many loader calls): ``id -> (weak reference, loader, kwargs, item, digest)``.
_LIVING = {}


def content_digest(value):
    """A short hash of the numbers in an array or an image (data and affine).

    Examples
    --------
    >>> import numpy as np
    >>> content_digest(np.zeros(3)) == content_digest(np.zeros(3))
    True
    """
    digest = hashlib.blake2b(digest_size=16)
    if hasattr(value, "dataobj") and hasattr(value, "affine"):
        digest.update(np.ascontiguousarray(value.affine, dtype=float).tobytes())
        value = np.asanyarray(value.dataobj)
    array = np.ascontiguousarray(value)
    digest.update(f"{array.dtype.str}{array.shape}".encode())
    digest.update(array.view(np.uint8).ravel() if array.dtype != object else repr(array.tolist()).encode())
    return digest.hexdigest()


def _read_only(value):
    """Whether ``value``'s numbers cannot be changed in place (a read-only array or image data)."""
    array = value.dataobj if hasattr(value, "dataobj") else value
    return isinstance(array, np.ndarray) and not array.flags.writeable


def _remember(value, loader, kwargs, item=None):
    if isinstance(value, np.ndarray) or hasattr(value, "dataobj"):
        # Read-only data cannot change after loading: no need to hash it to find out later.
        digest = None if _read_only(value) else content_digest(value)
        key = id(value)
        _LIVING[key] = (weakref.ref(value, lambda _, key=key: _LIVING.pop(key, None)),
                        loader, kwargs, item, digest)


def _recorded(loader):
    """Remember what a loader returns (and its images/arrays), so it can be saved as the call."""

    @functools.wraps(loader)
    def wrapper(*args, **kwargs):
        result = loader(*args, **kwargs)
        _remember(result, loader.__name__, kwargs)
        for item, value in _items(result).items():
            _remember(value, loader.__name__, kwargs, item)
        if not (isinstance(result, np.ndarray) or hasattr(result, "dataobj")):
            _RETURNED[id(result)] = (result, loader.__name__, kwargs, None, None)
            _RETURNED.move_to_end(id(result))
            while len(_RETURNED) > _REMEMBERED:
                _RETURNED.popitem(last=False)
        return result

    return wrapper


def _items(result):
    """The entries of a loader's result that ``result[item]`` gives back: a dict's or a Bunch's.

    An image's attributes are not entries: its affine is not ``image["_affine"]``.
    """
    if isinstance(result, dict):
        return {key: value for key, value in result.items() if isinstance(key, str)}
    keys = getattr(result, "keys", None)
    if callable(keys) and hasattr(result, "__getitem__"):
        return {key: result[key] for key in keys() if isinstance(key, str) and not key.startswith("_")}
    return {}


def dataset_call(value):
    """``(loader, kwargs, item)`` when ``value`` is unchanged data a loader here returned, else None.

    Examples
    --------
    >>> img = load_motor_map()
    >>> dataset_call(img)
    ('load_motor_map', {}, None)
    >>> import numpy as np
    >>> dataset_call(np.zeros(3)) is None
    True
    """
    entry = _LIVING.get(id(value))
    if entry is not None and entry[0]() is value:
        entry = (value, *entry[1:])
    else:
        entry = _RETURNED.get(id(value))
    if entry is None or entry[0] is not value:
        return None
    _, loader, kwargs, item, digest = entry
    if digest is not None and content_digest(value) != digest:
        return None  # changed in place since it was loaded: save the data itself
    return loader, dict(kwargs), item


def nilearn_data_dir():
    """Folder of the data files inside the installed nilearn package (no import of nilearn)."""
    spec = importlib.util.find_spec("nilearn")
    if spec is None or not spec.submodule_search_locations:
        raise BrainviewValueError("nilearn is not installed; `pip install nilearn` provides the sample data.")
    return Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data"


def cache_dir():
    """Where derived data is cached: ``$BRAINVIEW_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/brainview``, else ``~/.cache/brainview`` (created).

    Examples
    --------
    >>> cache_dir().name
    'brainview'
    """
    explicit = os.environ.get("BRAINVIEW_CACHE_DIR")
    base = Path(explicit) if explicit else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "brainview"
    base.mkdir(parents=True, exist_ok=True)
    return base


def _check_resolution(resolution):
    if resolution not in (1, 2):
        raise BrainviewValueError(f"resolution: must be 1 or 2 (mm), got {resolution!r}.")


@functools.lru_cache(maxsize=2)
def _template_array():
    import nibabel as nib

    img = nib.load(nilearn_data_dir() / "mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz")
    data = np.asarray(img.dataobj, dtype=np.float32)
    data /= data.max()
    data.flags.writeable = False
    return data, img.affine.copy()


@_recorded
def load_mni152(*, resolution=1):
    """The MNI ICBM152 2009 T1 template, values scaled to 0..1.

    Parameters
    ----------
    resolution : {1, 2}
        Voxel size in mm. The 2 mm grid takes every other voxel of the 1 mm
        one, which is what nilearn's linear resampling gives on that grid.

    Returns
    -------
    nibabel.Nifti1Image
        Its data array is read-only and shared by every call (fast, and a scene
        file can record the loader call); copy it to change it.

    Examples
    --------
    >>> load_mni152().shape
    (197, 233, 189)
    """
    import nibabel as nib

    _check_resolution(resolution)
    data, affine = _template_array()
    if resolution == 2:
        data, affine = np.ascontiguousarray(data[::2, ::2, ::2]), affine @ np.diag([2.0, 2, 2, 1])
        data.flags.writeable = False
    # A read-only view of the cached template: no copy, and no one can change it in place.
    image = nib.Nifti1Image(data, affine)
    image.header.set_xyzt_units("mm")
    return image


@_recorded
def load_mni152_brain_mask(*, resolution=1, threshold=0.2):
    """The whole-brain mask: template > ``threshold`` (nilearn's definition), as int8.

    Examples
    --------
    >>> int(load_mni152_brain_mask(resolution=2).get_fdata().sum()) > 100_000
    True
    """
    import nibabel as nib

    template = load_mni152(resolution=resolution)
    mask = (np.asarray(template.dataobj) > threshold).astype(np.int8)
    return nib.Nifti1Image(mask, template.affine)


@_recorded
def load_motor_map():
    """A real motor-task z-map (NeuroVault image 10426, 3 mm, LAS orientation).

    This is ``nilearn.datasets.load_sample_motor_activation_image()``.

    Examples
    --------
    >>> load_motor_map().shape
    (53, 63, 46)
    """
    import nibabel as nib

    return nib.load(nilearn_data_dir() / "image_10426.nii.gz")


def _check_hemi(hemi):
    if hemi not in HEMIS:
        raise BrainviewValueError(f"hemi: must be 'left' or 'right', got {hemi!r}.")


def fsaverage5_surface(mesh="pial", *, hemi="left"):
    """One fsaverage5 hemisphere mesh as a :class:`brainview.io.Surface`.

    Parameters
    ----------
    mesh : {"pial", "white", "inflated", "sphere", "flat"}
    hemi : {"left", "right"}

    Examples
    --------
    >>> fsaverage5_surface("pial", hemi="right").n_vertices
    10242
    """
    _check_hemi(hemi)
    if mesh not in FSAVERAGE5_MESHES:
        raise BrainviewValueError(
            f"mesh: must be one of {', '.join(FSAVERAGE5_MESHES)}, got {mesh!r}."
        )
    path = nilearn_data_dir() / "fsaverage5" / f"{_MESH_FILES[mesh]}_{hemi}.gii.gz"
    surface = load_surface(path)
    return Surface(surface.vertices, surface.faces, f"fsaverage5 {mesh} {hemi}")


def fsaverage5_data(kind="sulc", *, hemi="left"):
    """Per-vertex fsaverage5 data: ``"sulc"``, ``"curv"``, ``"thick"`` or ``"area"``.

    Examples
    --------
    >>> fsaverage5_data("sulc", hemi="left").shape
    (10242,)
    """
    _check_hemi(hemi)
    if kind not in FSAVERAGE5_DATA:
        raise BrainviewValueError(
            f"kind: must be one of {', '.join(FSAVERAGE5_DATA)}, got {kind!r}."
        )
    return load_surface_data(nilearn_data_dir() / "fsaverage5" / f"{kind}_{hemi}.gii.gz")


@_recorded
def load_fsaverage5():
    """Every fsaverage5 mesh and map, as a dict ``{hemi: {name: ...}}``.

    Examples
    --------
    >>> sorted(load_fsaverage5()["left"])
    ['curv', 'flat', 'inflated', 'pial', 'sphere', 'sulc', 'white']
    """
    return {
        hemi: {
            **{mesh: fsaverage5_surface(mesh, hemi=hemi) for mesh in FSAVERAGE5_MESHES},
            "sulc": fsaverage5_data("sulc", hemi=hemi),
            "curv": fsaverage5_data("curv", hemi=hemi),
        }
        for hemi in HEMIS
    }


@_recorded
def load_seitzman_2018():
    """The 300 Seitzman et al. (2018) ROIs: MNI coordinates, radii and network names.

    Read from the file nilearn ships (as ``fetch_coords_seitzman_2018``),
    in the file's order.

    Returns
    -------
    dict
        ``"coords"`` (300, 3) float mm, ``"radius"`` (300,) mm,
        ``"networks"`` (300,) str, ``"names"`` (300,) str ("ROI 1", ...).

    Examples
    --------
    >>> rois = load_seitzman_2018()
    >>> rois["coords"].shape, [str(n) for n in sorted(set(rois["networks"]))[:3]]
    ((300, 3), ['Auditory', 'CinguloOpercular', 'DefaultMode'])
    """
    path = nilearn_data_dir() / "seitzman_2018_ROIs_300inVol_MNI_allInfo.txt"
    table = np.genfromtxt(path, skip_header=1, dtype=None, encoding="utf-8")
    coords = np.array([[row[0], row[1], row[2]] for row in table], dtype=float)
    return {
        "coords": coords,
        "radius": np.array([row[3] for row in table], dtype=float),
        "networks": np.array([str(row[5]) for row in table]),
        "names": np.array([f"ROI {i + 1}" for i in range(len(table))]),
    }


@_recorded
def load_demo_atlas(*, resolution=2):
    """A real-anatomy labelled atlas: MNI grey matter split among the 300 Seitzman ROIs.

    Each grey-matter voxel of the ICBM152 2009 template (probability > 0.3)
    belongs to the nearest Seitzman et al. (2018) ROI centre within 12 mm.
    Regions are named ``"<network> <L|R> <n>"`` (``"DefaultMode L 3"``) and
    coloured by network. Built offline from nilearn's files in about a
    second, then cached under :func:`cache_dir`;
    ``data/README.md`` gives the provenance.

    Parameters
    ----------
    resolution : {1, 2}
        Voxel size in mm (the grids of :func:`load_mni152`).

    Returns
    -------
    AtlasData
        ``maps`` (nibabel image of int16 labels), ``labels`` (names, index 0
        ``"Background"``), ``colors`` (rgb per label), ``networks``; works
        wherever a nilearn atlas Bunch does.

    Examples
    --------
    >>> atlas = load_demo_atlas()
    >>> atlas.maps.shape, len(atlas.labels), atlas.labels[1]
    ((99, 117, 95), 301, 'unassigned L 1')
    """
    _check_resolution(resolution)
    return _load_or_build_demo_atlas(resolution)


# ---------------------------------------------------------------- the demo atlas

_DEMO_ATLAS_DESCRIPTION = (
    "Built offline from two files nilearn's wheel ships (see ``data/README.md``): every voxel of "
    "the ICBM152 2009 grey-matter probability map above 0.3 is given to the nearest Seitzman ROI "
    "centre if that centre is within 12 mm (else it stays background). Regions are named "
    '``"<network> <L|R> <n>"`` and coloured by network. Deterministic; cached on disk keyed by a '
    "version. "
)
#: Bump when the demo atlas's construction changes: the cache key.
DEMO_ATLAS_VERSION = 1
GREY_MATTER_THRESHOLD = 0.3
MAX_DISTANCE_MM = 12.0

#: One colour per Seitzman network, chosen to be told apart.
NETWORK_COLORS = {
    "DefaultMode": "#e6194b", "Visual": "#4363d8", "FrontoParietal": "#ffe119",
    "SomatomotorDorsal": "#42d4f4", "SomatomotorLateral": "#f58231",
    "CinguloOpercular": "#911eb4", "Auditory": "#f032e6", "DorsalAttention": "#3cb44b",
    "VentralAttention": "#469990", "Salience": "#000075", "MedialTemporalLobe": "#9a6324",
    "ParietoMedial": "#bfef45", "Reward": "#800000", "unassigned": "#a9a9a9",
}


@dataclass(frozen=True, eq=False)
class AtlasData:
    """A labelled volume with names and colours, shaped like a nilearn atlas Bunch.

    ``labels[i]`` and ``colors[i]`` describe label value ``i`` (``labels[0]``
    is ``"Background"``, as in nilearn >= 0.11).
    """

    maps: object
    labels: list
    colors: np.ndarray
    networks: list = field(default_factory=list)
    description: str = ""

    def __getitem__(self, key):  # nilearn Bunches allow bunch["maps"] too
        return getattr(self, key)

    def keys(self):
        return ["maps", "labels", "colors", "networks", "description"]


def _load_or_build_demo_atlas(resolution):
    import nibabel as nib

    stem = cache_dir() / f"demo_atlas_v{DEMO_ATLAS_VERSION}_{resolution}mm"
    image_path, table_path = stem.with_suffix(".nii.gz"), stem.with_suffix(".tsv")
    if image_path.exists() and table_path.exists():
        maps = nib.load(image_path)
        names, networks, colors = _read_demo_atlas_table(table_path)
    else:
        data, affine, names, networks = _build_demo_atlas(resolution)
        maps = nib.Nifti1Image(data, affine)
        maps.header.set_xyzt_units("mm")
        colors = _network_colors(networks)
        _write_demo_atlas_cache(maps, names, networks, colors, image_path, table_path)
    return AtlasData(maps=maps, labels=names, colors=colors, networks=networks,
                     description=_DEMO_ATLAS_DESCRIPTION)


def _build_demo_atlas(resolution):
    """The label array, its affine, the names and networks (index 0: background)."""
    import nibabel as nib
    from scipy.spatial import cKDTree

    image = nib.load(nilearn_data_dir() / "mni_icbm152_gm_tal_nlin_sym_09a_converted.nii.gz")
    grey = np.asarray(image.dataobj, dtype=np.float32)
    grey /= grey.max()
    affine = image.affine.copy()
    if resolution == 2:  # the same grid as datasets.load_mni152(resolution=2)
        grey, affine = grey[::2, ::2, ::2], affine @ np.diag([2.0, 2, 2, 1])
    rois = load_seitzman_2018()
    ijk = np.argwhere(grey > GREY_MATTER_THRESHOLD)
    xyz = ijk @ affine[:3, :3].T + affine[:3, 3]
    distance, nearest = cKDTree(rois["coords"]).query(xyz, distance_upper_bound=MAX_DISTANCE_MM)
    keep = np.isfinite(distance)
    data = np.zeros(grey.shape, dtype=np.int16)
    data[tuple(ijk[keep].T)] = nearest[keep] + 1
    names, networks, counts = ["Background"], ["Background"], {}
    for (x, _, _), network in zip(rois["coords"], rois["networks"]):
        key = (str(network), "L" if x < 0 else "R")
        counts[key] = counts.get(key, 0) + 1
        names.append(f"{key[0]} {key[1]} {counts[key]}")
        networks.append(key[0])
    return data, affine, names, networks


def _network_colors(networks):
    from .colors import to_rgb

    return np.array([(0.0, 0.0, 0.0) if n == "Background" else to_rgb(NETWORK_COLORS[n])
                     for n in networks])


def _write_demo_atlas_cache(maps, names, networks, colors, image_path, table_path):
    try:
        image_path.parent.mkdir(parents=True, exist_ok=True)
        partial = image_path.with_name(f".{os.getpid()}.{image_path.name}")
        maps.to_filename(partial)
        os.replace(partial, image_path)
        partial = table_path.with_name(f".{os.getpid()}.{table_path.name}")
        with open(partial, "w", newline="") as stream:
            writer = csv.writer(stream, delimiter="\t")
            writer.writerow(["index", "name", "network", "color"])
            for index, (name, network, rgb) in enumerate(zip(names, networks, colors)):
                writer.writerow([index, name, network, "#%02x%02x%02x" % tuple(np.rint(rgb * 255).astype(int))])
        os.replace(partial, table_path)
    except OSError:
        pass  # a read-only home: rebuild next time, it takes a second


def _read_demo_atlas_table(path):
    from .colors import to_rgb

    with open(path, newline="") as stream:
        rows = list(csv.DictReader(stream, delimiter="\t"))
    return ([r["name"] for r in rows], [r["network"] for r in rows],
            np.array([to_rgb(r["color"]) for r in rows]))
