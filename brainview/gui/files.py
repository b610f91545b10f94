"""Which layers a file becomes, decided by its header, format and name (no Qt here).

The ``brainview`` command, File -> Open and drag and drop all go through
:func:`open_files` (or :func:`layers_from_files`, which a script or a test
can call as well): surfaces (GIfTI meshes, FreeSurfer geometry) become
:class:`~brainview.layers.Surface` layers, per-vertex data files become their
overlays, and volumes become anatomy slices, a statistical map (on the MNI
template when no anatomy is given) or an atlas.

Each layer is built from the file's path (the layer reads the file; its
``get_params()`` returns the path, and the volume of a 4-D file as
``volume``), and the template from ``load_mni152(resolution=1)``: a saved
session references the files by relative path and SHA-256, and an exported
script names them and that loader call.

The role of a volume (:func:`volume_role`) is read, in this order, from:

1. the NIfTI intent code: ``NIFTI_INTENT_LABEL``/``NEURONAME`` -> atlas,
   a statistic (t, F, z, p, ``ESTIMATE``...) -> map;
2. a FreeSurfer segmentation name (``aseg``, ``aparc+aseg``, ``wmparc``,
   ``ribbon``...) or a BIDS ``_dseg`` name -> atlas;
3. a label table beside the file (``<stem>.tsv``, ``<stem>.txt``,
   ``<stem>_labels.tsv``, ``<stem>_lut.tsv``, ``FreeSurferColorLUT.txt``)
   and integer values -> atlas; several volumes of values in [0, 1] with such
   a table or atlas words (below, or ``prob``) -> a probabilistic atlas;
4. words of the file name: map words (zstat, tstat, spmT, cope, zmap...)
   -> map; atlas words (atlas, labels, parcellation, seg...) with integer
   values -> atlas; anatomy words (T1, T1w, T2, brain, MNI, template,
   anat...) -> anatomy;
5. an integer data type (uint8, int16... without scaling) -> anatomy: an
   integer image is not an atlas unless one of the rules above says so;
6. floating-point data: ``cal_min < 0`` in the header, or negative values in
   a strided sample of at most 100 000 voxels -> map; a sample with fewer
   than 5 % non-zero voxels (a thresholded map) -> map; else anatomy.

No rule scans every voxel. The user's choice always wins (``anat=``,
``maps=``, ``atlas=`` here; ``--anat``, ``--map``, ``--atlas`` in the command).

Examples
--------
>>> import os, tempfile
>>> import nibabel as nib, numpy as np
>>> path = os.path.join(tempfile.mkdtemp(), "anat.nii.gz")
>>> nib.save(nib.Nifti1Image(np.ones((4, 4, 4), np.float32), np.eye(4)), path)
>>> file_kind(path)
'volume'
>>> volume_role(path)
'anatomy'
>>> [layer.kind for layer in layers_from_files([path])]
['slices']
>>> layers_from_files([path])[0].get_params()["img"] == Path(path)
True
"""

from __future__ import annotations

import functools
import gzip
import os
import re
import struct
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import BrainviewValueError, BrainviewWarning, ImageLoadError
from .label_tables import FREESURFER_SEGMENTATIONS as _FREESURFER_SEGMENTATIONS
from .label_tables import file_stem as _stem
from .label_tables import label_table_beside, read_label_table

__all__ = ["file_kind", "volume_role", "label_table_beside", "read_label_table", "open_files",
           "layers_from_files", "Choices", "Opened", "SUPPORTED_FORMATS"]

#: What :func:`file_kind` recognises (named in its error message).
SUPPORTED_FORMATS = ("NIfTI-1/2 (.nii, .nii.gz, .hdr/.img), MGH (.mgh, .mgz), MINC (.mnc), "
                     "GIfTI (.gii), FreeSurfer surfaces (lh.pial...) and morphometry "
                     "(lh.thickness...), tractograms (.trk, .tck, .trx, .vtk, .vtp)")

_HEAD_BYTES = 352
_SAMPLE_SIZE = 100_000
_SPARSE_FRACTION = 0.05

# NIfTI intent codes: 2..24 are statistics, 1001 an estimate; 1002 labels, 1003 NeuroNames.
_MAP_INTENTS = frozenset(range(2, 25)) | {1001}
_ATLAS_INTENTS = frozenset({1002, 1003})

_MAP_WORDS = ("zstat", "tstat", "fstat", "zfstat", "zmap", "tmap", "fmap", "zscore", "spmt",
              "spmf", "cope", "varcope", "con", "beta", "stat", "stats", "pval", "logp",
              "contrast", "effect", "z", "t")
_ATLAS_WORDS = ("atlas", "label", "labels", "parc", "parcels", "parcellation", "seg", "dseg",
                "segmentation", "aseg", "aparc", "rois")
_ANATOMY_WORDS = ("t1", "t1w", "t2", "t2w", "flair", "pd", "pdw", "mprage", "anat", "brain",
                  "head", "mni", "mni152", "icbm152", "template", "colin27", "avg152", "orig",
                  "nu", "norm", "t1map")


# ------------------------------------------------------------------ formats


def _head(path):
    path = Path(path)
    if path.is_dir():
        raise ImageLoadError(f"'{path}': is a folder, not a file. Name the image or surface "
                             "files inside it.")
    if not path.is_file():
        raise ImageLoadError(f"'{path}': file not found. Check the path.")
    if path.suffix.lower() == ".img" and path.with_suffix(".hdr").is_file():
        path = path.with_suffix(".hdr")  # NIfTI/Analyze pair: the header says what it is
    with open(path, "rb") as stream:
        head = stream.read(_HEAD_BYTES)
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path) as stream:
                head = stream.read(_HEAD_BYTES)
        except (OSError, EOFError, zlib.error) as error:
            raise ImageLoadError(f"'{path}': corrupt gzip file ({error}).") from error
    return head


def file_kind(path):
    """``"volume"``, ``"surface"``, ``"surface_data"`` or ``"streamlines"``, from the file's first bytes.

    Tractograms are known by their name (``.trk``, ``.tck``, ``.trx``,
    ``.vtk``, ``.vtp``, ``.trk.gz``, ``.tck.gz``): their reader checks the content.

    Raises
    ------
    ImageLoadError
        The file is missing, a folder, or none of :data:`SUPPORTED_FORMATS`.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.nii")
    >>> _ = open(path, "w").write("not an image")
    >>> file_kind(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    brainview.errors.ImageLoadError: '...notes.nii': unsupported file (it starts with b'not an i'); brainview reads NIfTI-1/2 ...
    """
    if _is_tractogram_name(path):
        _head(path)  # missing files and folders: the same errors as other files
        return "streamlines"
    head = _head(path)
    stripped = head.lstrip()
    if stripped.startswith((b"<?xml", b"<GIFTI", b"<!DOCTYPE GIFTI")):
        return _gifti_kind(path)
    if head[:3] == b"\xff\xff\xfe":
        return "surface"  # FreeSurfer triangle file (lh.pial, rh.white...)
    if head[:3] == b"\xff\xff\xff":
        return "surface_data"  # FreeSurfer "new" curv format (lh.thickness, lh.sulc...)
    if _is_nifti(head) or _is_mgh(head) or _is_minc(head):
        return _volume_or_vertex_data(path)
    raise ImageLoadError(
        f"'{path}': unsupported file (it starts with {head[:8]!r}); brainview reads "
        f"{SUPPORTED_FORMATS}."
    )


def _is_tractogram_name(path):
    from ..io.tractography_files import TRACTOGRAM_SUFFIXES

    return Path(path).name.lower().endswith(TRACTOGRAM_SUFFIXES)


def _is_nifti(head):
    if len(head) < 348:
        return False
    sizes = {struct.unpack("<i", head[:4])[0], struct.unpack(">i", head[:4])[0]}
    return 348 in sizes or 540 in sizes  # NIfTI-1 / Analyze 7.5, NIfTI-2


def _is_mgh(head):
    return len(head) >= 28 and struct.unpack(">i", head[:4])[0] == 1


def _is_minc(head):
    return head[:4] in (b"CDF\x01", b"CDF\x02") or head[:8] == b"\x89HDF\r\n\x1a\n"


def _gifti_kind(path):
    from ..io import read_gifti

    try:
        gii = read_gifti(Path(path))
    except Exception as error:
        raise ImageLoadError(f"'{path}': could not read GIfTI ({type(error).__name__}: {error}).") from error
    return "surface" if gii.get_arrays_from_intent("NIFTI_INTENT_POINTSET") else "surface_data"


def _header_image(path):
    """The nibabel image of a file, header only (the data is not read)."""
    import nibabel as nib

    try:
        return nib.load(str(path))
    except Exception as error:
        raise ImageLoadError(f"'{path}': could not read the image header "
                             f"({type(error).__name__}: {error}).") from error


def _volume_or_vertex_data(path):
    shape = _header_image(path).shape
    # FreeSurfer stores per-vertex data as (n, 1, 1) MGH/NIfTI volumes.
    return "surface_data" if sum(n > 1 for n in shape[:3]) == 1 else "volume"


# ------------------------------------------------------------------ roles


def volume_role(path, *, data=None):
    """``"atlas"``, ``"map"`` or ``"anatomy"`` for a volume file (rules: module doc).

    Parameters
    ----------
    path : path
    data : array, optional
        The (3-D) data when already read; otherwise a strided sample is read
        only where the header, the name and a label table leave it open.

    Examples
    --------
    >>> import os, tempfile
    >>> import nibabel as nib, numpy as np
    >>> folder = tempfile.mkdtemp()
    >>> zmap = nib.Nifti1Image(np.linspace(-3, 3, 64, dtype=np.float32).reshape(4, 4, 4), np.eye(4))
    >>> nib.save(zmap, os.path.join(folder, "image.nii"))
    >>> volume_role(os.path.join(folder, "image.nii"))
    'map'
    >>> labels = nib.Nifti1Image(np.arange(64, dtype=np.uint8).reshape(4, 4, 4) % 3, np.eye(4))
    >>> nib.save(labels, os.path.join(folder, "image2.nii"))
    >>> volume_role(os.path.join(folder, "image2.nii"))  # integers alone: anatomy
    'anatomy'
    >>> _ = open(os.path.join(folder, "image2.tsv"), "w").write("index\\tname\\n1\\ta\\n2\\tb\\n")
    >>> volume_role(os.path.join(folder, "image2.nii"))  # with a label table: atlas
    'atlas'
    """
    path = Path(path)
    img = _header_image(path)
    return _role(path, img, data, read=functools.partial(_first_volume, path))


def _role(path, img, data, *, read=None):
    """The role rules; ``read()`` gives the data when a sample is needed and ``data`` is None."""
    intent = _intent_code(img)
    if intent in _ATLAS_INTENTS:
        return "atlas"
    if intent in _MAP_INTENTS:
        return "map"
    stem = _stem(path.name)
    if _FREESURFER_SEGMENTATIONS.match(stem) or "dseg" in _words(stem):
        return "atlas"
    integer = _integer_type(img)
    sample = None

    def sampled():
        return _sample(img, read() if data is None and read is not None else data)

    def integral():
        nonlocal sample
        if integer:
            return True
        sample = sampled() if sample is None else sample
        return sample.size > 0 and bool(np.all(sample >= 0) and np.all(sample == np.round(sample)))

    if label_table_beside(path) is not None and integral():
        return "atlas"
    words = _words(stem)
    if _probability_maps(img, sampled) and (label_table_beside(path) is not None
                                            or _named(words, (*_ATLAS_WORDS, "prob", "probabilistic"))):
        return "atlas"  # a probabilistic atlas: one map of values in [0, 1] per region
    if _named(words, _MAP_WORDS):
        return "map"
    if _named(words, _ATLAS_WORDS) and integral():
        return "atlas"
    if _named(words, _ANATOMY_WORDS) or integer:
        return "anatomy"
    cal_min = _header_field(img, "cal_min")
    if cal_min is not None and cal_min < 0:
        return "map"
    sample = sampled() if sample is None else sample
    if sample.size == 0 or sample.min() < 0:
        return "map"
    return "map" if np.count_nonzero(sample) < _SPARSE_FRACTION * sample.size else "anatomy"


def _probability_maps(img, sampled):
    """Several volumes whose first one (sampled) holds values in [0, 1], not all zero."""
    shape = getattr(img, "shape", ())
    if len(shape) != 4 or shape[3] < 2:
        return False
    sample = sampled()
    return sample.size > 0 and sample.min() >= 0 and 0 < sample.max() <= 1


def _intent_code(img):
    try:
        return int(img.header["intent_code"])
    except (KeyError, TypeError, ValueError, IndexError):
        return 0  # MGH, MINC: no intent


def _header_field(img, name):
    try:
        value = float(img.header[name])
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return value if np.isfinite(value) and value != 0 else None


def _integer_type(img):
    """Integer data on disk, not scaled to floats by ``scl_slope``/``scl_inter``."""
    try:
        dtype = np.dtype(img.get_data_dtype())
    except Exception:
        return False
    if not np.issubdtype(dtype, np.integer):
        return False
    slope, inter = getattr(img.dataobj, "slope", 1.0), getattr(img.dataobj, "inter", 0.0)
    return slope in (None, 1.0) and inter in (None, 0.0)


def _sample(img, data):
    """At most ~100 000 finite values, strided in memory order (no full scan, no copy)."""
    if data is None:
        data = np.asanyarray(img.dataobj)
        if data.ndim == 4:
            data = data[..., 0]
    values = np.ravel(data, order="K")
    values = values[:: max(1, values.size // _SAMPLE_SIZE)]
    values = np.asarray(values, dtype=np.float64)
    return values[np.isfinite(values)]


def _words(stem):
    return {word for word in re.split(r"[^a-z0-9]+", stem.lower()) if word}


def _named(words, vocabulary):
    """A word of the name is in ``vocabulary``, also with a number after it (zstat1, cope3)."""
    for word in words:
        if word in vocabulary:
            return True
        bare = word.rstrip("0123456789")
        if len(bare) >= 3 and bare != word and bare in vocabulary and word not in _ANATOMY_WORDS:
            return True
    return False


# ------------------------------------------------------------------ layers


@dataclass(frozen=True)
class Choices:
    """What the user said about the files (the command's flags; all optional).

    Attributes
    ----------
    atlas, anat, maps : bool or path
        A volume's role instead of the one :func:`volume_role` reads. A path
        is opened too; ``True`` means the only volume or, with several, the
        last (``atlas``, ``maps``) or the first (``anat``) one not otherwise chosen.
    labels : path
        Region names of the atlas (:func:`read_label_table`); default: a
        table beside the atlas file (:func:`label_table_beside`).
    volume : int
        The volume of 4-D images to show. Default: the first (with a note),
        except for an atlas, where 4-D means probability maps.
    cmap : str
        Colormap of the maps (of the anatomy when there is no map).
    threshold : float or str
        Threshold of the maps (a number or a percentile such as ``"95%"``).
    overlay : path
        Per-vertex data for the (first) surface.
    """

    atlas: object = None
    anat: object = None
    maps: object = None
    labels: object = None
    volume: object = None
    cmap: object = None
    threshold: object = None
    overlay: object = None


@dataclass
class Opened:
    """What :func:`open_files` built: the layers (in drawing order) and notes for the user."""

    layers: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def open_files(paths, choices=None, *, anatomy=True):
    """Build (not add) the layers that show some files together.

    Parameters
    ----------
    paths : sequence of path
        Volumes, surfaces and per-vertex data files, in any order.
    choices : Choices, optional
        The user's decisions (roles, names, volume, colours).
    anatomy : bool
        Put the MNI152 template under a statistical map when no anatomical
        volume is among the files.

    Returns
    -------
    Opened

    Raises
    ------
    ImageLoadError
        A file is missing, a folder, unsupported or corrupt.
    BrainviewValueError
        The choices do not fit the files (``--atlas`` without a volume...).
    """
    choices = choices or Choices()
    paths = [Path(p) for p in paths]
    chosen = {}
    for role, value in (("atlas", choices.atlas), ("anatomy", choices.anat), ("map", choices.maps)):
        if isinstance(value, (str, os.PathLike)):
            path = Path(value)
            if path not in paths:
                paths.append(path)
            chosen[path] = role
    kinds = [file_kind(p) for p in paths]
    volumes = [p for p, k in zip(paths, kinds) if k == "volume"]
    surfaces = [p for p, k in zip(paths, kinds) if k == "surface"]
    vertex_data = [p for p, k in zip(paths, kinds) if k == "surface_data"]
    tractograms = [p for p, k in zip(paths, kinds) if k == "streamlines"]
    for role, flag, value, last in (("atlas", "atlas", choices.atlas, True),
                                    ("anatomy", "anat", choices.anat, False),
                                    ("map", "map", choices.maps, True)):
        if value is True:
            free = [p for p in volumes if p not in chosen]
            if not free:
                raise BrainviewValueError(f"{flag}: --{flag} needs a volume among the files.")
            chosen[free[-1] if last else free[0]] = role
    if choices.overlay is not None:
        vertex_data.insert(0, Path(choices.overlay))
    if vertex_data and not surfaces:
        raise BrainviewValueError(
            f"overlay: '{vertex_data[0]}' holds one value per vertex; open it together "
            "with its surface (brainview lh.pial.gii --overlay thickness.gii)."
        )
    opened = Opened()
    opened.layers = _volume_layers(volumes, chosen, opened.notes, choices,
                                   anatomy=anatomy and not surfaces)
    for i, surface in enumerate(surfaces):
        opened.layers.append(_surface_layer(surface, vertex_data[i] if i < len(vertex_data) else None))
    opened.layers += [_streamlines_layer(path) for path in tractograms]
    return opened


def layers_from_files(paths, *, atlas=None, overlay=None, anatomy=True):
    """The layers of :func:`open_files`; its notes become :class:`BrainviewWarning`\\ s."""
    opened = open_files(paths, Choices(atlas=atlas, overlay=overlay), anatomy=anatomy)
    for note in opened.notes:
        warnings.warn(note, BrainviewWarning, stacklevel=2)
    return opened.layers


def _volume_layers(volumes, chosen, notes, choices, *, anatomy):
    """The layers of the volumes, each built from its path (the layer reads the file once)."""
    roles, volume_of, four_d = {}, {}, False
    for path in volumes:
        header = _header_image(path)
        _check_scalar(path, header)
        n_volumes = _n_volumes(path, header)
        role = chosen.get(path) or _role(path, header, None, read=functools.partial(_first_volume, path))
        if n_volumes > 1:
            four_d = True
            if role != "atlas" or choices.volume is not None:  # a 4-D atlas: probabilities
                volume_of[path] = _chosen_volume(path, n_volumes, choices.volume, notes)
        roles[path] = role
    if choices.volume is not None and not four_d:
        notes.append(f"--volume {choices.volume}: none of the files is 4-D; ignored.")
    atlases = [p for p in volumes if roles[p] == "atlas"]
    if choices.labels is not None and len(atlases) != 1:
        raise BrainviewValueError(
            f"labels: --labels names the regions of one atlas, but {len(atlases)} of the files "
            "are atlases; name the atlas with --atlas FILE."
        )
    maps = [p for p in volumes if roles[p] == "map"]
    anatomy_cmap = None if maps else choices.cmap  # --cmap colours the maps when there are
    layers = [_anatomy_layer(p, volume_of.get(p), _stem(p.name), anatomy_cmap)
              for p in volumes if roles[p] == "anatomy"]
    if maps and anatomy and not layers:
        from ..datasets import load_mni152

        # The loader's own image: scene files and scripts record it as the loader call.
        layers.append(_anatomy_layer(load_mni152(resolution=1), None, "MNI152 template", None))
    layers += [_map_layer(p, volume_of.get(p), choices) for p in maps]
    layers += [_atlas_layer(p, volume_of.get(p), choices.labels, notes) for p in atlases]
    return layers


def _check_scalar(path, header):
    """Refuse colour (RGB/RGBA) and other record volumes by their header, before any layer."""
    dtype = header.get_data_dtype()
    if dtype.names:
        raise ImageLoadError(
            f"'{path}': an RGB colour image (data type {dtype}); brainview shows volumes of "
            "real numbers (anatomy, statistical maps, atlases) only. Save one channel or a "
            "greyscale version as a new image and open that."
        )


def _n_volumes(path, header):
    """Volumes of an image, from its header (a MINC file may store time first: its data says)."""
    from nibabel.minc1 import Minc1Image

    from ..io import read_image_file

    shape = read_image_file(path, path.name)[0].shape if isinstance(header, Minc1Image) else header.shape
    return int(np.prod(shape[3:], dtype=np.int64)) if len(shape) > 3 else 1


def _first_volume(path):
    """The first 3-D volume of a file, read with brainview's guards (size, gzip checks)."""
    from ..io import load_image

    volume = 0 if _n_volumes(path, _header_image(path)) > 1 else None
    return load_image(path, volume=volume, name=f"'{path.name}'").data


def _chosen_volume(path, n_volumes, volume, notes):
    if volume is None:
        notes.append(f"'{path.name}' holds {n_volumes} volumes; showing volume 0 "
                     "(choose another with --volume N).")
        return 0
    if isinstance(volume, bool) or not isinstance(volume, (int, np.integer)) or not 0 <= volume < n_volumes:
        raise BrainviewValueError(f"volume: must be an integer in 0..{n_volumes - 1} for '{path.name}' "
                                  f"({n_volumes} volumes), got {volume!r}.")
    return int(volume)


def _anatomy_layer(img, volume, name, cmap):
    from ..layers.registry import kind_for_role

    slices_model = kind_for_role("anatomy").model  # the kind the registry opens this role as
    layer = slices_model(img, cmap=cmap or "gray", volume=volume, name=name)
    # Opaque planes over a head's field of view hide each other with black
    # padding: anatomy planes are see-through below 5% of the bright tissue.
    # (The default range is the robust range of the data the layer has read.)
    high = layer.clim[1]
    if high > 0:
        layer.clim = (0.05 * high, high)
        layer.transparent_below = True
    return layer


def _map_layer(path, volume, choices):
    from ..layers.registry import kind_for_role

    statmap_model = kind_for_role("map").model  # the kind the registry opens this role as
    # Only what the user chose: the layer's own defaults stay in one place.
    chosen = {key: getattr(choices, key) for key in ("cmap", "threshold")
              if getattr(choices, key) is not None}
    return statmap_model(path, volume=volume, name=_stem(path.name), **chosen)


def _atlas_layer(path, volume, labels, notes):
    from ..layers.registry import kind_for_role

    atlas_model = kind_for_role("atlas").model  # the kind the registry opens this role as
    table = Path(labels) if labels is not None else label_table_beside(path)
    names = read_label_table(table) if table is not None else {}
    if table is not None and labels is None:
        notes.append(f"'{path.name}': region names from '{table.name}'.")
    atlas = path if volume is None else _one_volume_image(path, volume)
    if "lut" in names:
        lut = names["lut"]
        if volume is None and lut["index"] == list(range(_n_volumes(path, _header_image(path)))):
            # A table of the maps, from 0: the atlas's label values (region k is map k - 1) start at 1.
            lut = {**lut, "index": [index + 1 for index in lut["index"]]}
        return atlas_model(atlas, name=_stem(path.name), lut=lut)
    return atlas_model(atlas, name=_stem(path.name), labels=names.get("labels"))


def _one_volume_image(path, volume):
    """One volume of a 4-D atlas file (``--volume``), in memory: Atlas takes no volume."""
    from ..io import load_image

    image = load_image(path, volume=volume, name=f"'{path.name}'")
    return (image.data, image.affine)


def _surface_layer(path, overlay):
    from ..layers.registry import kind_for_role

    surface_model = kind_for_role("surface").model  # the kind the registry opens this role as
    return surface_model(path, overlay, name=_stem(path.name))


def _streamlines_layer(path):
    from ..io.tractography_files import TRACTOGRAM_SUFFIXES
    from ..layers.registry import kind_for_role

    try:
        streamlines_model = kind_for_role("streamlines").model  # the kind the registry opens this role as
    except KeyError:
        raise ImageLoadError(f"'{path}': a tractogram, but this brainview has no streamlines layer "
                             "to draw it.") from None
    suffix = next(s for s in sorted(TRACTOGRAM_SUFFIXES, key=len, reverse=True)
                  if path.name.lower().endswith(s))
    return streamlines_model(path, name=path.name[: -len(suffix)])
