"""What a file is, from its first bytes, header, name and a sample of its values (no Qt, no layers).

:func:`file_kind` tells volumes, surfaces, per-vertex data and tractograms
apart; :func:`volume_role` reads a volume's role by the rules that
:mod:`brainview.gui.files` lists. :mod:`brainview.gui.files` builds the layers,
:mod:`brainview.gui.file_roles` explains the guesses.

Examples
--------
>>> import os, tempfile
>>> import nibabel as nib, numpy as np
>>> path = os.path.join(tempfile.mkdtemp(), "anat.nii.gz")
>>> nib.save(nib.Nifti1Image(np.ones((4, 4, 4), np.float32), np.eye(4)), path)
>>> file_kind(path), volume_role(path)
('volume', 'anatomy')
"""

from __future__ import annotations

import functools
import gzip
import re
import struct
import zlib
from pathlib import Path

import numpy as np

from ..errors import ImageLoadError
from .label_tables import FREESURFER_SEGMENTATIONS as _FREESURFER_SEGMENTATIONS
from .label_tables import file_stem as _stem
from .label_tables import label_table_beside

__all__ = ["file_kind", "volume_role", "SUPPORTED_FORMATS"]

#: What :func:`file_kind` recognises (named in its error message).
SUPPORTED_FORMATS = ("NIfTI-1/2 (.nii, .nii.gz, .hdr/.img), MGH (.mgh, .mgz), MINC (.mnc), "
                     "GIfTI (.gii), FreeSurfer surfaces (lh.pial...) and morphometry "
                     "(lh.thickness...), tractograms (.trk, .tck, .trx, .vtk, .vtp)")

_HEAD_BYTES = 352
_SAMPLE_SIZE = 100_000
_SPARSE_FRACTION = 0.05

# NIfTI intent codes: 2..24 are statistics, 1001 an estimate; 1002 labels, 1003 NeuroNames.
MAP_INTENTS = frozenset(range(2, 25)) | {1001}
ATLAS_INTENTS = frozenset({1002, 1003})

MAP_WORDS = ("zstat", "tstat", "fstat", "zfstat", "zmap", "tmap", "fmap", "zscore", "spmt",
              "spmf", "cope", "varcope", "con", "beta", "stat", "stats", "pval", "logp",
              "contrast", "effect", "z", "t")
ATLAS_WORDS = ("atlas", "label", "labels", "parc", "parcels", "parcellation", "seg", "dseg",
                "segmentation", "aseg", "aparc", "rois")
ANATOMY_WORDS = ("t1", "t1w", "t2", "t2w", "flair", "pd", "pdw", "mprage", "anat", "brain",
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


def header_image(path):
    """The nibabel image of a file, header only (the data is not read)."""
    import nibabel as nib

    try:
        return nib.load(str(path))
    except Exception as error:
        raise ImageLoadError(f"'{path}': could not read the image header "
                             f"({type(error).__name__}: {error}).") from error


def _volume_or_vertex_data(path):
    shape = header_image(path).shape
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
    img = header_image(path)
    return role_by_rules(path, img, data, read=functools.partial(first_volume, path))


def role_by_rules(path, img, data, *, read=None):
    """The role rules; ``read()`` gives the data when a sample is needed and ``data`` is None."""
    intent = intent_code(img)
    if intent in ATLAS_INTENTS:
        return "atlas"
    if intent in MAP_INTENTS:
        return "map"
    stem = _stem(path.name)
    if _FREESURFER_SEGMENTATIONS.match(stem) or "dseg" in name_words(stem):
        return "atlas"
    integer = integer_type(img)
    sample = None

    def sampled():
        return sample_values(img, read() if data is None and read is not None else data)

    def integral():
        nonlocal sample
        if integer:
            return True
        sample = sampled() if sample is None else sample
        return sample.size > 0 and bool(np.all(sample >= 0) and np.all(sample == np.round(sample)))

    if label_table_beside(path) is not None and integral():
        return "atlas"
    words = name_words(stem)
    if _probability_maps(img, sampled) and (label_table_beside(path) is not None
                                            or named_in(words, (*ATLAS_WORDS, "prob", "probabilistic"))):
        return "atlas"  # a probabilistic atlas: one map of values in [0, 1] per region
    if named_in(words, MAP_WORDS):
        return "map"
    if named_in(words, ATLAS_WORDS) and integral():
        return "atlas"
    if named_in(words, ANATOMY_WORDS) or integer:
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


def intent_code(img):
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


def integer_type(img):
    """Integer data on disk, not scaled to floats by ``scl_slope``/``scl_inter``."""
    try:
        dtype = np.dtype(img.get_data_dtype())
    except Exception:
        return False
    if not np.issubdtype(dtype, np.integer):
        return False
    slope, inter = getattr(img.dataobj, "slope", 1.0), getattr(img.dataobj, "inter", 0.0)
    return slope in (None, 1.0) and inter in (None, 0.0)


def sample_values(img, data):
    """At most ~100 000 finite values, strided in memory order (no full scan, no copy)."""
    if data is None:
        data = np.asanyarray(img.dataobj)
        if data.ndim == 4:
            data = data[..., 0]
    values = np.ravel(data, order="K")
    values = values[:: max(1, values.size // _SAMPLE_SIZE)]
    values = np.asarray(values, dtype=np.float64)
    return values[np.isfinite(values)]


def name_words(stem):
    return {word for word in re.split(r"[^a-z0-9]+", stem.lower()) if word}


def named_in(words, vocabulary):
    """A word of the name is in ``vocabulary``, also with a number after it (zstat1, cope3)."""
    for word in words:
        if word in vocabulary:
            return True
        bare = word.rstrip("0123456789")
        if len(bare) >= 3 and bare != word and bare in vocabulary and word not in ANATOMY_WORDS:
            return True
    return False


def count_volumes(path, header):
    """Volumes of an image, from its header (a MINC file may store time first: its data says)."""
    from nibabel.minc1 import Minc1Image

    from ..io import read_image_file

    shape = read_image_file(path, path.name)[0].shape if isinstance(header, Minc1Image) else header.shape
    return int(np.prod(shape[3:], dtype=np.int64)) if len(shape) > 3 else 1


def first_volume(path):
    """The first 3-D volume of a file, read with brainview's guards (size, gzip checks)."""
    from ..io import load_image

    volume = 0 if count_volumes(path, header_image(path)) > 1 else None
    return load_image(path, volume=volume, name=f"'{path.name}'").data
