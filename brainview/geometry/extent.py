"""Where an image's drawn voxels are: index boxes of the voxels a transfer function shows.

The camera frames what is visible (issue 21): a small brain inside a large
zero-padded image must fill the picture as the same brain without the
padding. A volume's visible voxels are those its opacity function gives an
opacity above 0; their box is read, for any function, from six 1-D profiles
of the array (the largest and the smallest value of every index plane along
each axis), computed once per array and cached: the box of the voxels above
``t`` along axis ``a`` is exactly the span of the planes whose maximum is
above ``t``. Changing the transfer function (a ``clim`` drag) reads the
profiles again, it never scans the volume again.

Examples
--------
>>> import numpy as np
>>> data = np.zeros((20, 20, 20)); data[5:8, 10:12, 2:4] = 1.0
>>> index_box(data, [(0.5, 0.0), (0.6, 1.0)])  # opacity 0 up to 0.5, 1 from 0.6
((5, 10, 2), (7, 11, 3))
>>> world_box(np.diag([2.0, 2.0, 2.0, 1.0]), *index_box(data, [(0.5, 0.0), (0.6, 1.0)]))
(10.0, 14.0, 20.0, 22.0, 4.0, 6.0)
"""

from __future__ import annotations

import threading
import weakref

import numpy as np

__all__ = ["profiles", "visible_intervals", "index_box", "world_box", "plane_box"]

_CACHE = {}  # id(array owning the memory) -> (weakref to it, shape, strides, profiles)
_LOCK = threading.Lock()


def _owner(data):
    """The array that owns ``data``'s memory (views of one array share its profiles)."""
    owner = data
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    return owner


def profiles(data):
    """``(maxima, minima)``: per axis, the largest and smallest finite value of each index plane.

    Computed once per array (views of the same memory with the same shape
    share the result); NaN and inf are ignored (a plane with none finite
    reads ``-inf`` / ``+inf``).

    Examples
    --------
    >>> import numpy as np
    >>> maxima, minima = profiles(np.arange(8.0).reshape(2, 2, 2))
    >>> maxima[0].tolist(), minima[2].tolist()
    ([3.0, 7.0], [0.0, 1.0])
    """
    data = np.asarray(data)
    owner = _owner(data)
    key = (data.shape, data.strides, data.__array_interface__["data"][0])
    with _LOCK:
        cached = _CACHE.get(id(owner))
        if cached is not None and cached[0]() is owner and cached[1] == key:
            return cached[2]
    result = _compute_profiles(data)
    try:
        ref = weakref.ref(owner, lambda _, ident=id(owner): _CACHE.pop(ident, None))
    except TypeError:
        return result  # memory that cannot be watched: not cached
    with _LOCK:
        _CACHE[id(owner)] = (ref, key, result)
    return result


def _compute_profiles(data):
    finite = np.isfinite(data).all() if data.dtype.kind == "f" else True
    high = data if finite else np.where(np.isfinite(data), data, -np.inf)
    low = data if finite else np.where(np.isfinite(data), data, np.inf)
    maxima, minima = [], []
    for values, reduce, out in ((high, np.max, maxima), (low, np.min, minima)):
        plane = reduce(values, axis=2)  # one pass over the volume, then over a 2-D array
        out.extend([reduce(plane, axis=1), reduce(plane, axis=0), reduce(values, axis=(0, 1))])
    return ([np.asarray(m, dtype=float) for m in maxima], [np.asarray(m, dtype=float) for m in minima])


def visible_intervals(nodes):
    """The value intervals where a piecewise-linear opacity is above 0: ``[(low, high), ...]``.

    ``nodes`` are ``(value, opacity)`` pairs in increasing value, as a
    ``vtkPiecewiseFunction`` holds them: linear in between, constant beyond
    the ends (``low`` may be ``-inf``, ``high`` ``+inf``). Bounds are open
    where the opacity reaches 0 there, closed otherwise (a flat ramp's first
    node shows its own value).

    Examples
    --------
    >>> visible_intervals([(0.0, 0.0), (1.0, 1.0)])
    [(0.0, inf, False)]
    >>> visible_intervals([(-3, 1.0), (-2, 0.2), (-1.9, 0.0), (1.9, 0.0), (2, 0.2), (3, 1.0)])
    [(-inf, -1.9, True), (1.9, inf, False)]
    """
    nodes = [(float(v), float(a)) for v, a in nodes]
    if not nodes:
        return []
    points = [(-np.inf, nodes[0][1]), *nodes, (np.inf, nodes[-1][1])]
    intervals, start, closed = [], None, False
    for (v0, a0), (v1, a1) in zip(points[:-1], points[1:]):
        if start is None and (a0 > 0 or a1 > 0):
            start, closed = (v0, a0 > 0) if a0 > 0 else (v0, False)
        if start is not None and a1 <= 0:
            intervals.append((start, v1, closed))
            start = None
    if start is not None:
        intervals.append((start, np.inf, closed))
    return intervals


def index_box(data, nodes):
    """``(first, last)`` voxel indices (inclusive) of the voxels an opacity function shows, or None.

    ``nodes``: the ``(value, opacity)`` pairs of the opacity function (see
    :func:`visible_intervals`). Exact for intervals open at one end (values
    above or below a level, the usual ramps); for an interval bounded on both
    sides, the box of the voxels above its low end and below its high end (a
    box that holds every shown voxel).
    """
    maxima, minima = profiles(data)
    first, last = np.full(3, np.iinfo(np.int64).max), np.full(3, -1)
    for low, high, closed in visible_intervals(nodes):
        spans = []
        for axis in range(3):
            above = maxima[axis] >= low if closed else maxima[axis] > low
            inside = above & (minima[axis] < high)
            hits = np.flatnonzero(inside)
            spans.append(hits)
        if all(len(hits) for hits in spans):
            first = np.minimum(first, [hits[0] for hits in spans])
            last = np.maximum(last, [hits[-1] for hits in spans])
    if (last < 0).any():
        return None
    return tuple(int(i) for i in first), tuple(int(i) for i in last)


def world_box(affine, first, last):
    """``(xmin, xmax, ymin, ymax, zmin, zmax)`` world mm of the voxel centres of an index box.

    The box holds the eight transformed corners (an oblique affine gives the
    box around the turned index box).
    """
    corners = np.array(np.meshgrid(*zip(first, last), indexing="ij"), dtype=float).reshape(3, -1)
    world = np.asarray(affine, dtype=float)[:3, :3] @ corners + np.asarray(affine, dtype=float)[:3, 3:4]
    return tuple(float(v) for pair in zip(world.min(axis=1), world.max(axis=1)) for v in pair)


def plane_box(shown, origin, step, axis):
    """World box of the drawn pixels of a world-aligned plane, or None when none is drawn.

    ``shown``: ``(nu, nv)`` booleans over the two in-plane world axes in
    increasing order; ``values[0, 0]`` is at ``origin``, pixels ``step`` mm
    apart; the plane is normal to world ``axis`` (0, 1 or 2).

    Examples
    --------
    >>> import numpy as np
    >>> shown = np.zeros((10, 10), bool); shown[2:4, 5] = True
    >>> plane_box(shown, (0.0, 0.0, 7.0), 2.0, 2)
    (4.0, 6.0, 10.0, 10.0, 7.0, 7.0)
    """
    rows, columns = np.flatnonzero(shown.any(axis=1)), np.flatnonzero(shown.any(axis=0))
    if not len(rows):
        return None
    in_plane = [a for a in range(3) if a != axis]
    box = [float(origin[axis])] * 6
    for index, hits in zip(in_plane, (rows, columns)):
        box[2 * index] = float(origin[index] + hits[0] * step)
        box[2 * index + 1] = float(origin[index] + hits[-1] * step)
    return tuple(box)
