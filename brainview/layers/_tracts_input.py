"""The ``tracts`` input of :class:`~brainview.layers.Streamlines`: one tractogram or named bundles.

One tractogram is a path, a nibabel ``Tractogram`` or ``TractogramFile`` or a
dipy ``StatefulTractogram``, read in RAS+ mm by
:func:`brainview.io.tractography.read_streamlines` (which drops streamlines
with no points, with a warning), its ``StreamlineData``, or in-memory
streamlines in world mm: an ``ArraySequence``, an ``(n_lines, n, 3)`` array or
a list of ``(n, 3)`` arrays (every streamline kept, so that values per
streamline keep their order). Bundles are a dict ``{name: tractogram}`` or a list of
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
            or (hasattr(value, "points") and hasattr(value, "offsets"))
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


def _read(value, name):
    """Files and tractogram objects, through :func:`brainview.io.tractography.read_streamlines`."""
    from ..io.tractography import read_streamlines

    data = read_streamlines(value, name=name)
    return polylines.Packed(data.points, data.offsets)


def _one(value, name):
    """The packed streamlines of one tractogram."""
    if hasattr(value, "points") and hasattr(value, "offsets"):  # StreamlineData, already read
        return polylines.pack_offsets(value.points, value.offsets, name=name)
    if isinstance(value, (list, tuple, np.ndarray)) or (
            hasattr(value, "_data") and hasattr(value, "_offsets")):  # in-memory: every streamline kept
        return polylines.pack(value, name=name)
    if isinstance(value, (str, os.PathLike)) or _is_tractogram_object(value):
        return _read(value, name)
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
    if isinstance(tracts, dict):
        items = list(tracts.items())
    else:
        stems = [_bundle_name(value, i) for i, value in enumerate(tracts)]
        items = [(stem if stems.count(stem) == 1 or not isinstance(value, (str, os.PathLike))
                  else Path(value).name, value) for stem, value in zip(stems, tracts)]
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
