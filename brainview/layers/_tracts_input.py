"""The ``tracts`` input of :class:`~brainview.layers.Streamlines`: one tractogram or named bundles.

One tractogram is a path (read by :mod:`brainview.io.tractography` when it is
there, else by nibabel: ``.trk``/``.tck``/``.trx``... in RAS+ mm), a nibabel
``Tractogram`` or ``TractogramFile`` (its streamlines in RAS+ mm, through its
``affine_to_rasmm``), a dipy ``StatefulTractogram`` in RAS+ mm, an
``ArraySequence``, an ``(n_lines, n, 3)`` array, or a list of ``(n, 3)``
arrays in world mm. Bundles are a dict ``{name: tractogram}`` or a list of
tractograms; they are packed into one point array with the bundle of each
streamline.

Examples
--------
>>> import numpy as np
>>> packed, bundle_of, names = read_tracts({"AF": [np.zeros((2, 3))], "CST": [np.ones((3, 3))] * 2})
>>> packed.n_lines, bundle_of.tolist(), names
(3, [0, 1, 1], ['AF', 'CST'])
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import BrainviewTypeError, BrainviewValueError, describe
from ..geometry import polylines

__all__ = ["read_tracts", "is_bundles"]


def _is_tractogram_object(value):
    return (hasattr(value, "streamlines") or hasattr(value, "tractogram")
            or (hasattr(value, "_data") and hasattr(value, "_offsets")))


def _is_set(value):
    """Whether ``value`` is one tractogram (not one streamline)."""
    if isinstance(value, (str, os.PathLike)) or _is_tractogram_object(value):
        return True
    if isinstance(value, np.ndarray):
        return value.ndim == 3
    if isinstance(value, (list, tuple)):
        return len(value) == 0 or all(np.ndim(item) == 2 or (isinstance(item, np.ndarray) and item.size == 0)
                                      for item in value[:3])
    return False


def is_bundles(tracts):
    """Whether ``tracts`` holds several named tractograms (a dict, or a list of tractograms)."""
    if isinstance(tracts, dict):
        return True
    if isinstance(tracts, (list, tuple)) and tracts:
        return all(_is_set(item) for item in tracts)
    return False


def _from_object(value, name):
    tractogram = getattr(value, "tractogram", None)
    if tractogram is not None and hasattr(tractogram, "streamlines"):  # a nibabel TractogramFile
        value = tractogram
    space = getattr(value, "space", None)
    if space is not None and hasattr(value, "to_rasmm"):  # a dipy StatefulTractogram
        if not str(space).upper().endswith("RASMM"):
            raise BrainviewValueError(
                f"{name}: the StatefulTractogram is in {space} space; brainview draws world (RAS+) mm. "
                "Pass a copy moved there: sft = copy.deepcopy(sft); sft.to_rasmm().")
        return polylines.pack(value.streamlines, name=name)
    streamlines = getattr(value, "streamlines", value)
    packed = polylines.pack(streamlines, name=name)
    affine = getattr(value, "affine_to_rasmm", None)
    if affine is not None and not np.allclose(affine, np.eye(4)):
        affine = np.asarray(affine, dtype=np.float64)
        moved = (packed.points @ affine[:3, :3].T + affine[:3, 3]).astype(np.float32)
        packed = polylines.Packed(moved, packed.offsets)
    return packed


def _read_path(path, name):
    path = Path(path)
    if not path.is_file():
        raise BrainviewValueError(f"{name}: no file {str(path)!r}; check the path.")
    try:
        from ..io import tractography
    except ImportError:
        tractography = None
    if tractography is not None and hasattr(tractography, "load_tractogram"):
        return _from_object(tractography.load_tractogram(path), name)
    import nibabel as nib

    try:
        loaded = nib.streamlines.load(str(path))
    except Exception as error:  # nibabel raises many kinds for a bad file
        raise BrainviewValueError(f"{name}: {path.name!r} is not a tractogram nibabel reads "
                                  f"(.trk, .tck, .trx): {error}") from None
    return _from_object(loaded, name)


def _one(value, name):
    """The packed streamlines of one tractogram."""
    if isinstance(value, (str, os.PathLike)):
        return _read_path(value, name)
    if _is_tractogram_object(value):
        return _from_object(value, name)
    if isinstance(value, (list, tuple, np.ndarray)):
        return polylines.pack(value, name=name)
    raise BrainviewTypeError(
        f"{name}: expected a tractogram file path, a nibabel Tractogram, a dipy StatefulTractogram or a "
        f"list of (n, 3) arrays in mm, got {describe(value)}.")


def _bundle_name(value, index):
    if isinstance(value, (str, os.PathLike)):
        stem = Path(value).name
        for suffix in (".gz", ".trk", ".tck", ".trx", ".vtk", ".vtp"):
            stem = stem[: -len(suffix)] if stem.endswith(suffix) else stem
        return stem
    return f"bundle {index}"


def read_tracts(tracts, name="tracts"):
    """``(Packed, bundle_of or None, names or None)`` of a tractogram or of bundles."""
    if not is_bundles(tracts):
        return _one(tracts, name), None, None
    items = list(tracts.items()) if isinstance(tracts, dict) else [
        (_bundle_name(value, i), value) for i, value in enumerate(tracts)]
    if not items:
        raise BrainviewValueError(f"{name}: no bundles (an empty dict); pass at least one tractogram.")
    packs = [_one(value, f"{name}[{key!r}]") for key, value in items]
    names = [str(key) for key, _ in items]
    if len(set(names)) != len(names):
        raise BrainviewValueError(f"{name}: bundle names repeat ({names}); give each bundle its own name.")
    counts = np.array([p.n_lines for p in packs])
    lengths = np.concatenate([p.lengths for p in packs])
    offsets = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    points = np.concatenate([p.points for p in packs]) if len(packs) > 1 else packs[0].points
    bundle_of = np.repeat(np.arange(len(packs), dtype=np.int32), counts)
    return polylines.Packed(points, offsets), bundle_of, names
