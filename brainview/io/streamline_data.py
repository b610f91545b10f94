"""Streamlines packed in one float32 point array: :class:`StreamlineData` and the checks made on it.

:func:`pack_arrays` is the one place a tractogram becomes a
:class:`StreamlineData`: float32 points (a view when they already are),
int64 offsets, streamlines with no points dropped with a warning, an empty
tractogram refused, NaN/infinite/far points refused naming the first bad
streamline (checked in bounded steps). :mod:`brainview.io.tractography` reads
the inputs, :mod:`brainview.io.tractography_files` the files.

Examples
--------
>>> import numpy as np
>>> pack_arrays(np.zeros((3, 3)), [0, 1, 3]).lengths.tolist()
[1, 2]
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field

import numpy as np

from ..errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning, ImageLoadError, describe
from ..limits import check_allocation
from .guards import MAX_WORLD_MM, check_affine, check_regular_file

__all__ = ["StreamlineData", "pack_arrays", "pack_streamlines", "from_tractogram", "check_points",
           "sequence_parts", "refuse_reference", "concatenate_streamlines"]

#: Points checked per step (finite, within ±1e6 mm): bounded temporaries on huge tractograms.
_CHECK_ROWS = 1 << 16


@dataclass(frozen=True, eq=False)
class StreamlineData:
    """Streamlines packed in one point array: streamline ``i`` is ``points[offsets[i]:offsets[i + 1]]``.

    Parameters
    ----------
    points : numpy.ndarray
        float32 ``(N, 3)``, world RAS+ mm. Read-only.
    offsets : numpy.ndarray
        int64 ``(n_streamlines + 1,)``, ``offsets[0] == 0``, ``offsets[-1] == N``.
    point_data : dict
        Name -> float32 ``(N,)`` or ``(N, k)``: a value per point (TRK scalars,
        TRX ``data_per_vertex``, VTK point data).
    streamline_data : dict
        Name -> ``(n_streamlines,)`` or ``(n_streamlines, k)``: a value per
        streamline (TRK properties, TRX ``data_per_streamline``, VTK cell data).
    source : str or None
        The file read, or None for an in-memory input.
    groups : dict
        Name -> int64 sorted streamline indices: named bundles (TRX groups,
        the keys of a dict of tractograms). Empty when the input names none.

    Examples
    --------
    >>> import numpy as np
    >>> data = pack_streamlines([np.zeros((2, 3)), np.ones((4, 3))])
    >>> data.n_streamlines, data.n_points, data.lengths.tolist()
    (2, 6, [2, 4])
    """

    points: np.ndarray
    offsets: np.ndarray
    point_data: dict = field(default_factory=dict)
    streamline_data: dict = field(default_factory=dict)
    source: str | None = None
    groups: dict = field(default_factory=dict)

    @property
    def n_streamlines(self):
        """The number of streamlines."""
        return len(self.offsets) - 1

    @property
    def n_points(self):
        """The number of points of all streamlines together."""
        return len(self.points)

    @property
    def lengths(self):
        """The number of points of each streamline, int64 ``(n_streamlines,)``."""
        return np.diff(self.offsets)

    def streamline(self, i):
        """The ``(n, 3)`` points of streamline ``i`` (negative counts from the end), a read-only view.

        Examples
        --------
        >>> import numpy as np
        >>> pack_streamlines([np.zeros((2, 3)), np.ones((1, 3))]).streamline(-1).shape
        (1, 3)
        """
        n = self.n_streamlines
        if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)) or not -n <= i < n:
            raise BrainviewValueError(
                f"i: expected a streamline index in {-n}..{n - 1} (the tractogram has {n} "
                f"streamlines), got {describe(i)}."
            )
        i = int(i) % n
        return self.points[self.offsets[i]:self.offsets[i + 1]]


def refuse_reference(reference, what, name):
    if reference is not None:
        raise BrainviewValueError(
            f"reference: {name} is {what}, which carries its own placement in world mm; "
            f"reference= is only for arrays and VTK files in voxel coordinates. Leave it out, "
            f"got {describe(reference)}."
        )


def sequence_parts(seq, name="tracts"):
    """``(data, offsets)`` of a nibabel ``ArraySequence``, its packed rows in order.

    nibabel offers no public accessor for the rows and lengths of an
    ``ArraySequence`` without a per-streamline loop, so its ``_data``,
    ``_offsets`` and ``_lengths`` (stable since nibabel 2.1) are read here and
    nowhere else. The rows are a view when they are packed in order (the
    sequences nibabel reads are); otherwise ``get_data()`` packs a copy.
    Lengths and offsets that point outside the rows (a corrupt TRX file) are refused.
    """
    data, lengths = seq._data, np.asarray(seq._lengths, dtype=np.int64)
    starts = np.asarray(seq._offsets, dtype=np.int64)
    if starts.shape != lengths.shape or np.any(lengths < 0) or np.any(starts < 0) or np.any(
            starts + lengths > len(data)):
        raise BrainviewValueError(
            f"{name}: the streamlines' offsets and lengths point outside their {len(data)} points; "
            "the tractogram is corrupt."
        )
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if len(lengths) and not np.array_equal(starts, offsets[:-1]):
        check_allocation(int(offsets[-1]) * data.dtype.itemsize * int(np.prod(data.shape[1:])), f"{name}: the streamlines' points, packed")
        data = seq.get_data()
    return data[: offsets[-1]], offsets


def pack_streamlines(arrays, *, reference=None, name="tracts"):
    """Pack a list of ``(n, 3)`` arrays as :class:`StreamlineData` (one copy, as float32).

    Examples
    --------
    >>> import numpy as np
    >>> pack_streamlines([np.zeros((2, 3))]).offsets.tolist()
    [0, 2]
    """
    if isinstance(arrays, str):  # a string is a sequence too
        raise BrainviewTypeError(f"{name}: expected a list of (n, 3) arrays, got {describe(arrays)}.")
    parts = []
    for i, item in enumerate(arrays):
        try:
            part = np.asarray(item, dtype=np.float32)
        except (TypeError, ValueError) as error:
            raise BrainviewTypeError(
                f"{name}: streamline {i} must be an (n, 3) array of numbers, got {describe(item)} "
                f"({error})."
            ) from None
        if part.ndim != 2 or part.shape[1] != 3:
            if part.size == 0:  # [] and np.empty((0, 3)) alike: a streamline with no points
                part = part.reshape(0, 3)
            else:
                raise BrainviewValueError(
                    f"{name}: streamline {i} must have shape (n, 3), got {part.shape}."
                )
        parts.append(part)
    lengths = np.array([len(part) for part in parts], dtype=np.int64)
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    check_allocation(int(offsets[-1]) * 12, f"{name}: the streamlines' points")
    points = np.concatenate(parts) if parts else np.empty((0, 3), np.float32)
    return pack_arrays(points, offsets, reference=reference, name=name)


def pack_arrays(points, offsets, *, point_data=None, streamline_data=None, groups=None, reference=None,
                source=None, name="tracts"):
    """Checked :class:`StreamlineData` from packed ``points`` and ``offsets`` (copied only as needed).

    ``points`` become float32 (a view when they already are), mapped by the
    ``reference`` image's affine when given; streamlines with no points are
    dropped with a warning; an empty tractogram or a bad point is refused.

    Examples
    --------
    >>> import numpy as np
    >>> pack_arrays(np.zeros((2, 3)), np.array([0, 2])).n_points
    2
    """
    points = np.asarray(points)
    if reference is not None:
        points = _apply_affine(_reference_affine(reference, name), points)
    elif points.dtype != np.float32:
        check_allocation(points.shape[0] * 12, f"{name}: the streamlines' float32 points")
        points = points.astype(np.float32)
    offsets = np.asarray(offsets, dtype=np.int64)
    point_data = {str(k): _point_values(v, len(points), k, name) for k, v in (point_data or {}).items()}
    streamline_data = {str(k): _streamline_values(v, len(offsets) - 1, k, name)
                       for k, v in (streamline_data or {}).items()}
    groups = {str(k): _group_indices(v, len(offsets) - 1, k, name) for k, v in (groups or {}).items()}
    offsets, keep = _drop_empty(offsets, name, source)
    if keep is not None:
        streamline_data = {k: v[keep] for k, v in streamline_data.items()}
        new_index = np.cumsum(keep) - 1
        groups = {k: new_index[v[keep[v]]] for k, v in groups.items()}
    check_points(points, offsets, name, source)
    return StreamlineData(_read_only(points), _read_only(offsets),
                          {k: _read_only(v) for k, v in point_data.items()},
                          {k: _read_only(v) for k, v in streamline_data.items()},
                          None if source is None else str(source),
                          {k: _read_only(v) for k, v in groups.items()})


def _read_only(array):
    view = array.view()
    view.flags.writeable = False
    return view


def _point_values(values, n_points, key, name):
    values = np.asarray(values)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.shape[:1] != (n_points,) or values.ndim > 2:
        raise BrainviewValueError(
            f"{name}: the point data {key!r} must have one row per point ({n_points}), got shape "
            f"{values.shape}."
        )
    return values if values.dtype == np.float32 else values.astype(np.float32)


def _streamline_values(values, n_streamlines, key, name):
    values = np.asarray(values)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.shape[:1] != (n_streamlines,) or values.ndim > 2:
        raise BrainviewValueError(
            f"{name}: the streamline data {key!r} must have one row per streamline "
            f"({n_streamlines}), got shape {values.shape}."
        )
    return values


def _group_indices(values, n_streamlines, key, name):
    values = np.unique(np.asarray(values, dtype=np.int64).ravel())  # sorted, each once
    if values.size and not 0 <= values[0] <= values[-1] < n_streamlines:
        raise BrainviewValueError(
            f"{name}: the group {key!r} names streamlines {values[0]}..{values[-1]}, outside "
            f"0..{n_streamlines - 1}."
        )
    return values


def _drop_empty(offsets, name, source):
    """``(offsets, kept)``: without streamlines of no points (a warning counts them), and the
    mask of the streamlines kept (None when all are); an empty tractogram is refused."""
    where = f"'{source}'" if source is not None else "the tractogram"
    if offsets.ndim != 1 or len(offsets) < 1 or offsets[0] != 0 or np.any(offsets[1:] < offsets[:-1]):
        raise BrainviewValueError(f"{name}: offsets must start at 0 and never decrease.")
    empty = offsets[1:] == offsets[:-1]
    if empty.all():
        raise BrainviewValueError(
            f"{name}: {where} is empty: it has no streamline with points "
            f"({len(empty)} streamlines). Pass a tractogram with at least one streamline."
        )
    if empty.any():
        warnings.warn(
            f"{name}: {where}: {int(empty.sum())} of its {len(empty)} streamlines have no points "
            "and were dropped.", BrainviewWarning, stacklevel=4,
        )
        keep = ~empty
        return np.concatenate([[0], offsets[1:][keep]]), keep
    return offsets, None


def check_points(points, offsets, name, source=None):
    """Refuse NaN, infinite and far (beyond ±1e6 mm) points, naming the first bad streamline.

    Checked in steps of 65 536 points: the temporaries stay small.

    Examples
    --------
    >>> import numpy as np
    >>> check_points(np.array([[0, 0, 0], [np.nan, 0, 0]], np.float32), np.array([0, 1, 2]), "t")
    Traceback (most recent call last):
    ...
    brainview.errors.BrainviewValueError: t: streamline 1 (of 2) has a NaN or infinite point...
    """
    if points.ndim != 2 or points.shape[1] != 3 or len(points) != offsets[-1]:
        raise BrainviewValueError(
            f"{name}: points must be (N, 3) with N = offsets[-1] = {int(offsets[-1])}, got shape "
            f"{points.shape}."
        )
    where = f" in '{source}'" if source is not None else ""
    for start in range(0, len(points), _CHECK_ROWS):
        chunk = points[start:start + _CHECK_ROWS]
        good = (np.abs(chunk) <= MAX_WORLD_MM).all(axis=1)
        if good.all():
            continue
        row = start + int(np.argmin(good))
        index = int(np.searchsorted(offsets, row, side="right")) - 1
        value = points[row]
        problem = ("a NaN or infinite point" if not np.isfinite(value).all() else
                   f"a point beyond ±{MAX_WORLD_MM:g} mm")
        raise BrainviewValueError(
            f"{name}: streamline {index} (of {len(offsets) - 1}){where} has {problem} "
            f"({value.tolist()} at its point {row - int(offsets[index])}); the coordinates are "
            "broken or not in mm. Remove or fix that streamline."
        )


def _reference_affine(reference, name):
    if isinstance(reference, (str, os.PathLike)):
        import nibabel as nib

        check_regular_file(reference, "reference")
        try:
            affine = nib.load(reference).affine  # the header only: the data is not read
        except Exception as error:
            raise ImageLoadError(
                f"reference: could not read '{reference}' as an image ({type(error).__name__}: "
                f"{error}); pass a NIfTI/MGH file, a nibabel image or a 4x4 affine."
            ) from error
    else:
        affine = getattr(reference, "affine", reference)
    try:
        return check_affine(affine, "reference")
    except (TypeError, ValueError) as error:
        raise BrainviewValueError(
            f"reference: expected an image path, a nibabel image or a 4x4 affine for {name}, got "
            f"{describe(reference)} ({error})."
        ) from None


def _apply_affine(affine, points):
    """``points`` mapped by ``affine`` in float64, stored as float32, as nibabel computes it."""
    from nibabel.affines import apply_affine

    out = np.empty(points.shape, np.float32)
    for start in range(0, len(points), _CHECK_ROWS):
        out[start:start + _CHECK_ROWS] = apply_affine(affine, points[start:start + _CHECK_ROWS])
    return out


def from_tractogram(tractogram, *, name="tracts", source=None, placed=False):
    """:class:`StreamlineData` of a nibabel ``Tractogram`` in RAS+ mm (by its ``affine_to_rasmm``).

    ``placed``: nibabel has mapped the streamlines to RAS+ mm already (a file it loaded).

    Examples
    --------
    >>> import numpy as np
    >>> from nibabel.streamlines import Tractogram
    >>> t = Tractogram([np.zeros((2, 3))], affine_to_rasmm=np.eye(4))
    >>> from_tractogram(t).n_points
    2
    """
    from nibabel.streamlines import ArraySequence, LazyTractogram

    affine = tractogram.affine_to_rasmm
    if affine is None:
        raise BrainviewValueError(
            f"{name}: the {type(tractogram).__name__} has affine_to_rasmm=None (its space is "
            "unknown); set it to the affine that maps its streamlines to RAS+ mm (np.eye(4) when "
            "they already are)."
        )
    if isinstance(tractogram, LazyTractogram):  # its data are generators: pack them once
        streamlines = ArraySequence(tractogram.streamlines)
        per_point = {k: ArraySequence(v) for k, v in tractogram.data_per_point.items()}
        per_streamline = {k: np.asarray(list(v)) for k, v in tractogram.data_per_streamline.items()}
    else:
        streamlines, per_point = tractogram.streamlines, tractogram.data_per_point
        per_streamline = tractogram.data_per_streamline
    points, offsets = sequence_parts(streamlines, name)
    point_data = {k: sequence_parts(v, name)[0] for k, v in per_point.items()}
    affine = np.asarray(affine, dtype=float)
    # Once nibabel has mapped a tractogram (TrkFile.load), it leaves A @ inv(A) (in float32 for
    # TRK) as its affine_to_rasmm: a residue of rounding, not a mapping, so it is not applied.
    if not placed and not np.allclose(affine, np.eye(4), rtol=0, atol=1e-4):
        points = _apply_affine(affine, points)
    return pack_arrays(points, offsets, point_data=point_data, streamline_data=dict(per_streamline),
                       source=source, name=name)


def concatenate_streamlines(bundles, *, name="tracts"):
    """One :class:`StreamlineData` of named ``StreamlineData`` bundles, each a group named by its key.

    Point and streamline data kept are those every bundle has (with the same
    columns); others are dropped with a warning. Groups inside a bundle keep
    their name after the bundle's: ``"AF/core"``.

    Examples
    --------
    >>> import numpy as np
    >>> both = concatenate_streamlines({"AF": pack_streamlines([np.zeros((2, 3))]),
    ...                                 "CST": pack_streamlines([np.ones((1, 3)), np.ones((3, 3))])})
    >>> both.offsets.tolist(), {k: v.tolist() for k, v in both.groups.items()}
    ([0, 2, 3, 6], {'AF': [0], 'CST': [1, 2]})
    """
    parts = list(bundles.values())
    check_allocation(sum(part.points.nbytes for part in parts), f"{name}: the bundles' points")
    starts = np.cumsum([0] + [part.n_streamlines for part in parts])
    firsts = np.cumsum([0] + [part.n_points for part in parts])
    offsets = np.concatenate([[0]] + [part.offsets[1:] + first for part, first in zip(parts, firsts)])
    groups = {}
    for (key, part), start in zip(bundles.items(), starts):
        groups[str(key)] = np.arange(start, start + part.n_streamlines)
        groups.update({f"{key}/{inner}": indices + start for inner, indices in part.groups.items()})
    return pack_arrays(np.concatenate([part.points for part in parts]), offsets,
                       point_data=_common(parts, "point_data", name),
                       streamline_data=_common(parts, "streamline_data", name), groups=groups, name=name)


def _common(parts, attribute, name):
    """The arrays of ``attribute`` every part has with the same columns, concatenated."""
    tables = [getattr(part, attribute) for part in parts]
    kept, dropped = {}, []
    for key in dict.fromkeys(k for table in tables for k in table):
        columns = {table[key].shape[1:] if key in table else None for table in tables}
        if None in columns or len(columns) > 1:
            dropped.append(key)
        else:
            kept[key] = np.concatenate([table[key] for table in tables])
    if dropped:
        warnings.warn(f"{name}: the {attribute.replace('_', ' ')} {', '.join(map(repr, dropped))} "
                      "is not in every bundle (with the same columns) and was dropped.",
                      BrainviewWarning, stacklevel=4)
    return kept
