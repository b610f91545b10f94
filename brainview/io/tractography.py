"""Tractography streamlines in world RAS+ mm: :func:`read_streamlines` and :class:`StreamlineData`.

Every input comes out packed the same way: one float32 ``(N, 3)`` array of
points (world RAS+ mm, as nibabel places them) and int64 offsets
``(n_streamlines + 1,)``, so that streamline ``i`` is
``points[offsets[i]:offsets[i + 1]]``. Inputs:

- a path: TrackVis ``.trk``, MRtrix ``.tck`` (either may be gzipped:
  ``.trk.gz``, ``.tck.gz``), TRX ``.trx`` (needs the optional extra
  ``brainview[trx]``), VTK polydata lines ``.vtk``/``.vtp`` (read by
  :mod:`brainview.io.tractography_files`);
- a nibabel ``Tractogram``/``LazyTractogram`` (mapped by its
  ``affine_to_rasmm``) or ``TractogramFile`` (``TrkFile``, ``TckFile``: its
  ``tractogram``, which nibabel already maps to RAS+ mm);
- a dipy ``StatefulTractogram`` (anything with ``to_rasmm`` and
  ``streamlines``: a copy is moved to RAS+ mm and voxel centre origin; the
  input is never changed);
- a nibabel ``ArraySequence``, a list or tuple of ``(n, 3)`` arrays, or an
  ``(n_streamlines, n_points, 3)`` array, in world mm (or in voxel
  coordinates of ``reference``);
- a dict of named bundles, each any of the above: one tractogram whose
  ``groups`` name the streamlines of each bundle (as TRX groups do).

Defined behaviours: streamlines with no points are dropped with a
:class:`~brainview.errors.BrainviewWarning` that counts them; a tractogram
with no streamline left, a point that is NaN or infinite, or one beyond
±1e6 mm is a :class:`~brainview.errors.BrainviewValueError` naming the first
bad streamline.

Examples
--------
>>> import numpy as np
>>> tracts = read_streamlines([np.zeros((3, 3)), np.ones((2, 3))])
>>> tracts.n_streamlines, tracts.offsets.tolist(), tracts.points.dtype
(2, [0, 3, 5], dtype('float32'))
>>> tracts.streamline(1).tolist()
[[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
"""

from __future__ import annotations

import copy
import os

import numpy as np

from ..errors import BrainviewTypeError, BrainviewValueError, describe
from .streamline_data import (StreamlineData, concatenate_streamlines, from_tractogram, pack_arrays,
                              pack_streamlines, refuse_reference, sequence_parts)
from .tractography_files import read_streamline_file

__all__ = ["StreamlineData", "read_streamlines"]


def read_streamlines(source, *, reference=None, name="tracts"):
    """Read streamlines as :class:`StreamlineData`: float32 points in world RAS+ mm and int64 offsets.

    Parameters
    ----------
    source : path, nibabel Tractogram or TractogramFile, StatefulTractogram, ArraySequence, list of arrays
        A ``.trk``/``.tck`` (or ``.trk.gz``/``.tck.gz``), ``.trx`` or
        ``.vtk``/``.vtp`` file; a nibabel ``Tractogram`` (placed by its
        ``affine_to_rasmm``), ``TrkFile`` or ``TckFile``; a dipy
        ``StatefulTractogram`` (a copy is moved to RAS+ mm, the input is not
        changed); a nibabel ``ArraySequence``, a list or tuple of ``(n, 3)``
        arrays or an ``(n_streamlines, n_points, 3)`` array; or a dict of
        named bundles, each any of these (its ``groups`` name them). Files are placed
        as nibabel places them: TRK through its header's voxel-to-RAS matrix
        (nibabel's ``voxmm`` handling), TCK and TRX as stored (RAS+ mm by
        definition), VTK as stored, taken to be RAS+ mm.
    reference : path, nibabel image or (4, 4) array, optional
        For arrays and VTK files whose points are voxel coordinates (voxel
        centres at integers) of an image: its affine maps them to world mm.
        Files and objects that carry their own placement (TRK, TCK, TRX,
        Tractogram, StatefulTractogram) refuse it.
    name : str
        The parameter name used in error messages.

    Returns
    -------
    StreamlineData
        Streamlines with no points are dropped, with a
        :class:`~brainview.errors.BrainviewWarning` saying how many.

    Raises
    ------
    brainview.errors.BrainviewValueError
        The tractogram is empty, or a point is NaN, infinite or beyond ±1e6 mm
        (the message names the first bad streamline).
    brainview.errors.ImageLoadError
        A file that is no tractogram, truncated or corrupt, or an unknown format.

    Examples
    --------
    >>> import numpy as np
    >>> tracts = read_streamlines([[[0, 0, 0], [1, 2, 3]]], reference=np.diag([2, 2, 2, 1]))
    >>> tracts.points.tolist()
    [[0.0, 0.0, 0.0], [2.0, 4.0, 6.0]]
    """
    if isinstance(source, StreamlineData):
        refuse_reference(reference, "a StreamlineData", name)
        return source
    if isinstance(source, (str, os.PathLike)):
        return read_streamline_file(source, reference=reference, name=name)
    if hasattr(source, "to_rasmm") and hasattr(source, "streamlines"):
        refuse_reference(reference, "a StatefulTractogram", name)
        return _from_stateful(source, name)
    if _is_tractogram_file(source):
        refuse_reference(reference, f"a {type(source).__name__}", name)
        return from_tractogram(source.tractogram, name=name)
    if _is_tractogram(source):
        refuse_reference(reference, f"a {type(source).__name__}", name)
        return from_tractogram(source, name=name)
    if _is_array_sequence(source):
        points, offsets = sequence_parts(source, name)
        return pack_arrays(points, offsets, reference=reference, name=name)
    if isinstance(source, dict):
        return _read_bundles(source, reference, name)
    if isinstance(source, (list, tuple)):
        return pack_streamlines(source, reference=reference, name=name)
    if isinstance(source, np.ndarray) and source.ndim == 3 and source.shape[-1] == 3:
        n, m = source.shape[:2]
        return pack_arrays(source.reshape(n * m, 3), np.arange(n + 1, dtype=np.int64) * m,
                           reference=reference, name=name)
    raise BrainviewTypeError(
        f"{name}: expected a .trk/.tck/.trx/.vtk/.vtp path, a nibabel Tractogram or TrkFile/TckFile, "
        f"a dipy StatefulTractogram, a nibabel ArraySequence, a list of (n, 3) arrays, an "
        f"(n_streamlines, n_points, 3) array or a dict of named bundles, got {describe(source)}."
        + (" A single (n, 3) array is one streamline: pass [array]." if _is_one_streamline(source) else "")
    )


def _read_bundles(bundles, reference, name):
    """A dict of named tractograms (any input above): one :class:`StreamlineData`, a group each."""
    if not bundles:
        raise BrainviewValueError(f"{name}: the dict of bundles is empty; give at least one tractogram.")
    parts = {key: read_streamlines(value, reference=reference, name=f"{name}[{key!r}]")
             for key, value in bundles.items()}
    return concatenate_streamlines(parts, name=name)


def _is_one_streamline(source):
    return isinstance(source, np.ndarray) and source.ndim == 2 and source.shape[-1] == 3


def _is_tractogram(source):
    from nibabel.streamlines import Tractogram

    return isinstance(source, Tractogram)  # LazyTractogram is a subclass


def _is_tractogram_file(source):
    from nibabel.streamlines.tractogram_file import TractogramFile

    return isinstance(source, TractogramFile)


def _is_array_sequence(source):
    from nibabel.streamlines import ArraySequence

    return isinstance(source, ArraySequence)


def _from_stateful(sft, name):
    """A dipy ``StatefulTractogram`` moved, on a copy, to RAS+ mm with the voxel-centre origin."""
    moved = copy.deepcopy(sft)
    moved.to_rasmm()
    if hasattr(moved, "to_center"):
        moved.to_center()
    per_point = getattr(moved, "data_per_point", None) or {}
    per_streamline = getattr(moved, "data_per_streamline", None) or {}
    streamlines = moved.streamlines
    if _is_array_sequence(streamlines):
        points, offsets = sequence_parts(streamlines, name)
        point_data = {k: sequence_parts(v, name)[0] if _is_array_sequence(v) else np.concatenate(list(v))
                      for k, v in per_point.items()}
        return pack_arrays(points, offsets, point_data=point_data,
                           streamline_data=dict(per_streamline), name=name)
    data = pack_streamlines(list(streamlines), name=name)
    return data
