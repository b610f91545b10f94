"""Many polylines packed as one: points, offsets, direction colours, subsets, slabs.

A set of polylines (streamlines, mlab ``plot3d`` lines) is held as ONE
float32 ``(n_points, 3)`` array and int64 ``offsets`` (line ``i`` is
``points[offsets[i]:offsets[i + 1]]``), as nibabel's ``ArraySequence`` and
VTK's ``vtkCellArray`` hold them. Every operation here is vectorised over
all lines at once; a drawn selection (a seeded subset, the lines cut by a
slab, a level of detail) is a new connectivity into the same points, never a
copy of them. :func:`polydata` makes the one ``vtkPolyData`` (VTK imported
lazily: this module stays pure numpy for the models).

Examples
--------
>>> import numpy as np
>>> lines = [np.array([[0, 0, 0], [1, 0, 0], [2, 0, 0.0]]), np.array([[0, 0, 0], [0, 0, 3.0]])]
>>> packed = pack(lines)
>>> packed.offsets.tolist(), packed.points.dtype.name
([0, 3, 5], 'float32')
>>> direction_colors(packed)[[0, 4]].tolist()
[[255, 0, 0], [0, 0, 255]]
>>> cut = slab_selection(packed, [(0, 1.5)], 0.6)
>>> cut.lines.tolist(), cut.connectivity.tolist()
([0], [1, 2])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BrainviewTypeError, BrainviewValueError, describe

__all__ = ["Packed", "Selection", "pack", "direction_colors", "all_lines", "subset", "take_lines",
           "slab_selection", "level_of_detail", "polydata", "line_of_point", "rasterize", "bundle_palette", "pack_offsets",
           "vtk_points"]

#: Points processed at once by the vectorised passes (bounds their temporary arrays).
_CHUNK = 1 << 20
#: Points per step of the direction pass: its few temporary arrays stay in the CPU's cache.
_CACHE_CHUNK = 1 << 15


@dataclass(frozen=True, eq=False)
class Packed:
    """Polylines as one float32 ``(n, 3)`` point array and int64 ``offsets`` (``n_lines + 1``)."""

    points: np.ndarray
    offsets: np.ndarray

    @property
    def n_lines(self):
        return len(self.offsets) - 1

    @property
    def lengths(self):
        """Points per line."""
        return np.diff(self.offsets)

    def line(self, index):
        """The points of line ``index`` (a view)."""
        return self.points[self.offsets[index]:self.offsets[index + 1]]


@dataclass(frozen=True, eq=False)
class Selection:
    """What is drawn of a :class:`Packed`: cells as offsets into a connectivity of point indices.

    ``lines[c]`` is the packed line cell ``c`` comes from (a slab cuts one line into several cells).
    """

    offsets: np.ndarray
    connectivity: np.ndarray
    lines: np.ndarray

    @property
    def n_cells(self):
        return len(self.offsets) - 1


def _check_line(array, index, name):
    if array.ndim != 2 or array.shape[1] != 3:
        hint = " Transpose it: one row per point." if array.ndim == 2 and array.shape[0] == 3 else ""
        raise BrainviewValueError(
            f"{name}: line {index} has shape {array.shape}; each line is an (n, 3) array of "
            f"x, y, z mm rows.{hint}")


def _as_list(lines, name):
    if isinstance(lines, np.ndarray):
        if lines.ndim == 2:
            return [lines]  # one line
        if lines.ndim == 3:
            return list(lines)  # equal-length lines
        raise BrainviewValueError(f"{name}: expected an (n, 3) array, an (n_lines, n, 3) array or a list "
                                  f"of (n, 3) arrays, got an array of shape {lines.shape}.")
    try:
        items = list(lines)
    except TypeError:
        raise BrainviewTypeError(
            f"{name}: expected a list of (n, 3) arrays of mm coordinates, got {describe(lines)}.") from None
    if items and not isinstance(items[0], np.ndarray) and np.ndim(items[0]) == 1:
        return [items]  # one line given as nested lists of (x, y, z)
    return items


def pack(lines, *, name="lines"):
    """One float32 point array and int64 offsets of a list of ``(n_i, 3)`` arrays.

    Parameters
    ----------
    lines : list of (n_i, 3) array-like, (n, 3) array, (n_lines, n, 3) array or ArraySequence
        Lines with 0 or more points each (a line of 0 or 1 point is kept, and draws nothing).
    name : str
        The parameter named in errors.

    Returns
    -------
    Packed
        The points are copied once, into float32 (nibabel's ``ArraySequence``: its own buffer).

    Raises
    ------
    BrainviewValueError
        No lines, a line of the wrong shape, or NaN/infinite points (naming the first such line).
    """
    data = getattr(lines, "_data", None)
    if data is not None and hasattr(lines, "_offsets") and hasattr(lines, "_lengths"):  # an ArraySequence
        starts = np.asarray(lines._offsets, dtype=np.int64)
        lengths = np.asarray(lines._lengths, dtype=np.int64)
        if np.ndim(data) != 2 or np.shape(data)[1] != 3:
            raise BrainviewValueError(f"{name}: expected 3-D points, got rows of shape {np.shape(data)[1:]}.")
        if len(starts) and not np.array_equal(starts[1:], starts[:-1] + lengths[:-1]):
            return pack([np.asarray(line) for line in lines], name=name)  # a sliced sequence
        start = int(starts[0]) if len(starts) else 0
        points = np.ascontiguousarray(data[start:start + int(lengths.sum())], dtype=np.float32)
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    else:
        items = _as_list(lines, name)
        arrays = []
        for index, item in enumerate(items):
            try:
                array = np.asarray(item, dtype=float) if not isinstance(item, np.ndarray) else item
            except (TypeError, ValueError):
                raise BrainviewTypeError(f"{name}: line {index} is not numbers: {describe(item)}.") from None
            if array.size == 0 and array.ndim < 2:
                array = np.zeros((0, 3), np.float32)
            _check_line(array, index, name)
            if array.dtype.kind not in "biuf":
                raise BrainviewTypeError(f"{name}: line {index} holds {array.dtype} values, not numbers.")
            arrays.append(array)
        lengths = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
        offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        points = (np.concatenate(arrays, axis=0, dtype=np.float32, casting="unsafe") if arrays
                  else np.zeros((0, 3), np.float32))
    if len(offsets) < 2:
        raise BrainviewValueError(f"{name}: no lines (an empty list or tractogram); pass at least one line.")
    _check_finite(points, offsets, name)
    return Packed(points, offsets)


def pack_offsets(points, offsets, *, name="lines"):
    """A :class:`Packed` of points and offsets already packed (checked, float32 without a copy if it is).

    Examples
    --------
    >>> pack_offsets(np.zeros((3, 3)), [0, 1, 3]).lengths.tolist()
    [1, 2]
    """
    points = np.ascontiguousarray(points, dtype=np.float32)
    offsets = np.asarray(offsets, dtype=np.int64)
    if points.ndim != 2 or points.shape[1] != 3:
        raise BrainviewValueError(f"{name}: expected (n, 3) points, got shape {points.shape}.")
    if (offsets.ndim != 1 or len(offsets) < 2 or offsets[0] != 0 or offsets[-1] != len(points)
            or np.any(np.diff(offsets) < 0)):
        raise BrainviewValueError(f"{name}: offsets must rise from 0 to the number of points ({len(points)}).")
    _check_finite(points, offsets, name)
    return Packed(points, offsets)


def _check_finite(points, offsets, name):
    for start in range(0, len(points), _CACHE_CHUNK):
        block = points[start:start + _CACHE_CHUNK]
        if np.isfinite(block.sum(dtype=np.float64)):  # NaN and inf propagate; float64 cannot overflow
            continue
        finite = np.isfinite(block).all(axis=1)
        if not finite.all():
            row = start + int(np.argmin(finite))
            line = int(np.searchsorted(offsets, row, side="right") - 1)
            raise BrainviewValueError(
                f"{name}: line {line} holds NaN or infinite coordinates (point {row - offsets[line]}); "
                "drop that line or its bad points.")


def line_of_point(packed, point_index):
    """The line each point index belongs to (vectorised)."""
    return np.searchsorted(packed.offsets, point_index, side="right") - 1


def direction_colors(packed):
    """``(n, 3)`` uint8 RGB of each point's local direction: ``|dx|, |dy|, |dz|`` normalised.

    The standard orientation colouring (red left-right, green front-back,
    blue up-down). The direction at a point is the central difference of its
    neighbours on its line (one-sided at the ends); a point with no length
    around it (a one-point line, repeated points) is grey.
    """
    points, offsets = packed.points, packed.offsets
    n = len(points)
    rgb = np.empty((n, 3), np.uint8)
    nonempty = offsets[:-1] < offsets[1:]
    firsts, lasts = offsets[:-1][nonempty], offsets[1:][nonempty] - 1
    for start in range(0, n, _CACHE_CHUNK):
        stop = min(start + _CACHE_CHUNK, n)
        after = np.empty((stop - start, 3), np.float32)  # the next point (the point itself at a line's end)
        after[: max(0, min(stop, n - 1) - start)] = points[start + 1:min(stop + 1, n)]
        before = np.empty_like(after)  # the previous point (itself at a line's start)
        before[max(0, 1 - start):] = points[max(start - 1, 0):stop - 1]
        ends = lasts[np.searchsorted(lasts, start):np.searchsorted(lasts, stop)]
        after[ends - start] = points[ends]
        starts = firsts[np.searchsorted(firsts, start):np.searchsorted(firsts, stop)]
        before[starts - start] = points[starts]
        tangent = np.abs(after - before, out=after)
        norm = np.sqrt(np.einsum("ij,ij->i", tangent, tangent))
        flat = norm == 0
        scale = np.divide(np.float32(255), norm, out=np.zeros_like(norm), where=~flat)
        tangent *= scale[:, None]
        tangent[flat] = 128
        np.rint(tangent, out=tangent)
        rgb[start:stop] = tangent
    return rgb


def _ranges(starts, lengths):
    """Concatenated ``arange(start, start + length)`` of each pair, and the offsets of the pieces.

    The connectivity is int32 when the indices fit (half the memory, and what VTK stores).
    """
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    total = int(offsets[-1])
    wide = len(starts) and int(starts.max()) + int(lengths.max()) >= 2**31 - 1
    dtype = np.int64 if wide else np.int32
    connectivity = np.repeat((starts - offsets[:-1]).astype(dtype), lengths)
    connectivity += np.arange(total, dtype=dtype)
    return offsets, connectivity


def all_lines(packed):
    """Every line with 2 points or more (shorter ones draw nothing)."""
    lines = np.flatnonzero(packed.lengths >= 2)
    return take_lines(packed, lines)


def take_lines(packed, lines):
    """The cells of the given line indices (lines of fewer than 2 points are left out)."""
    lines = np.asarray(lines, dtype=np.int64)
    lengths = packed.offsets[lines + 1] - packed.offsets[lines]
    lines = lines[lengths >= 2]
    lengths = lengths[lengths >= 2]
    if len(lines) == len(packed.offsets) - 1 and len(lines) and lengths.sum() == len(packed.points):
        dtype = np.int32 if len(packed.points) < 2**31 - 1 else np.int64
        return Selection(packed.offsets, np.arange(len(packed.points), dtype=dtype), lines)
    offsets, connectivity = _ranges(packed.offsets[lines], lengths)
    return Selection(offsets, connectivity, lines)


def subset(n_lines, max_lines, seed):
    """Sorted indices of a deterministic random subset of ``max_lines`` lines (all when None or more).

    Examples
    --------
    >>> subset(10, 3, 0).tolist() == subset(10, 3, 0).tolist()
    True
    >>> subset(4, None, 0).tolist()
    [0, 1, 2, 3]
    """
    if max_lines is None or max_lines >= n_lines:
        return np.arange(n_lines, dtype=np.int64)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_lines, size=int(max_lines), replace=False)).astype(np.int64)


def slab_selection(packed, planes, slab, lines=None):
    """The parts of lines within ``slab`` mm of any plane, split where they leave it.

    Parameters
    ----------
    packed : Packed
    planes : list of (axis, position)
        World axis (0 x, 1 y, 2 z) and mm position of each plane.
    slab : float
        Half-thickness in mm: a point is kept when ``|coordinate - position| <= slab`` for a plane.
    lines : array of int, optional
        Only these lines (a seeded subset); all by default.

    Returns
    -------
    Selection
        One cell per run of 2 or more consecutive kept points of a line.
    """
    points, offsets = packed.points, packed.offsets
    n = len(points)
    keep = np.zeros(n, bool)
    for start in range(0, n, _CHUNK):
        block = points[start:start + _CHUNK]
        for axis, position in planes:
            keep[start:start + _CHUNK] |= np.abs(block[:, axis] - np.float32(position)) <= slab
    if lines is not None and len(lines) < packed.n_lines:
        chosen = np.zeros(n, bool)
        sel = take_lines(packed, lines)
        chosen[sel.connectivity] = True
        keep &= chosen
    boundary = np.zeros(n + 1, bool)
    boundary[offsets] = True  # a line starts (or the previous one ended) here
    before = np.concatenate([[False], keep[:-1]]) & ~boundary[:n]
    after = np.concatenate([keep[1:], [False]]) & ~boundary[1:]
    starts = np.flatnonzero(keep & ~before)
    stops = np.flatnonzero(keep & ~after) + 1
    long = stops - starts >= 2
    starts, stops = starts[long], stops[long]
    cells, connectivity = _ranges(starts, stops - starts)
    return Selection(cells, connectivity, line_of_point(packed, starts))


def level_of_detail(selection, max_points, *, point_step=None):
    """A lighter selection of about ``max_points`` points: every k-th cell, every s-th point of each.

    ``point_step`` (s) defaults to 4 for cells of 16 points or more on average (1, else): more
    lines at a coarser step show the shape of a tractogram better than a few at full detail.
    The selection is returned as it is when it has ``max_points`` or fewer.

    Examples
    --------
    >>> packed = pack(np.zeros((100, 20, 3)))
    >>> lighter = level_of_detail(all_lines(packed), 200)
    >>> lighter.n_cells, len(lighter.connectivity), lighter.connectivity[:6].tolist()
    (34, 170, [0, 4, 8, 12, 16, 60])
    """
    total = len(selection.connectivity)
    if total <= max_points or selection.n_cells < 2:
        return selection
    lengths = np.diff(selection.offsets)
    if point_step is None:
        point_step = 4 if total >= 16 * selection.n_cells else 1
    step = max(1, int(np.ceil(total / point_step / max_points)))
    cells = np.arange(0, selection.n_cells, step)
    kept = (lengths[cells] + point_step - 1) // point_step
    cells, kept = cells[kept >= 2], kept[kept >= 2]
    offsets, index = _ranges(np.zeros(len(cells), np.int64), kept)
    index *= point_step
    index += np.repeat(selection.offsets[cells], kept).astype(index.dtype)
    return Selection(offsets, selection.connectivity[index], selection.lines[cells])


def _ids(array, dtype):
    """A VTK integer array over an index array (no copy when it has ``dtype`` already)."""
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonCore import VTK_TYPE_INT32, VTK_TYPE_INT64

    kind = VTK_TYPE_INT32 if dtype == np.int32 else VTK_TYPE_INT64
    return numpy_to_vtk(np.ascontiguousarray(array, dtype=dtype), deep=False, array_type=kind)


def vtk_points(points):
    """``vtkPoints`` sharing a float32 ``(n, 3)`` array's memory (kept alive by the VTK array)."""
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonCore import vtkPoints

    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(points, deep=False))
    return vtk_points


def polydata(points, selection, *, arrays=(), mesh=None):
    """One ``vtkPolyData`` of the selection's lines: one ``vtkCellArray`` set from its arrays.

    Parameters
    ----------
    points : vtkPoints
        Shared by every polydata of the same lines (:func:`vtk_points`).
    selection : Selection
    arrays : sequence of vtkDataArray
        Point arrays to add (shared, not copied).
    mesh : vtkPolyData, optional
        Filled in place (its drawers keep their pipelines); a new one by default.
    """
    from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData

    mesh = vtkPolyData() if mesh is None else mesh
    cells = vtkCellArray()
    dtype = selection.connectivity.dtype.type  # int32 when the indices fit, as VTK then stores them
    cells.SetData(_ids(selection.offsets, dtype), _ids(selection.connectivity, dtype))
    mesh.SetPoints(points)
    mesh.SetLines(cells)
    data = mesh.GetPointData()
    for array in arrays:
        data.AddArray(array)
    mesh.Modified()
    return mesh


def rasterize(points, selection, *, step=1.0, max_voxels=8_000_000):
    """The drawn lines on a grid: an :class:`~brainview.io.Image` of point indices, NaN where none passes.

    Each voxel a drawn segment passes through holds the index of the nearer of its two points
    (float64, exact): a plane through the grid shows where lines cross it, as dots, even
    between points further apart than a voxel, and a voxel tells which line passes.

    Parameters
    ----------
    points : (n, 3) float32 array
    selection : Selection
        The drawn cells.
    step : float
        Voxel size in mm (coarsened so that the grid has at most ``max_voxels``).

    Examples
    --------
    >>> packed = pack([np.array([[0, 0, 0], [4, 0, 0]])])
    >>> image = rasterize(packed.points, all_lines(packed))
    >>> image.shape, image.value_at([[1, 0, 0], [3, 0, 0], [1, 1, 0]]).tolist()
    ((5, 1, 1), [0.0, 1.0, nan])
    """
    from ..io import Image

    drawn = selection.connectivity
    if not len(drawn):
        return Image(np.full((1, 1, 1), np.nan), np.eye(4), "lines")
    low = np.full(3, np.inf)
    high = np.full(3, -np.inf)
    for start in range(0, len(drawn), _CHUNK):
        block = points[drawn[start:start + _CHUNK]]
        low, high = np.minimum(low, block.min(axis=0)), np.maximum(high, block.max(axis=0))
    extent = high - low
    step = float(max(step, np.cbrt(np.prod(extent + step) / max_voxels)))
    shape = tuple(int(n) for n in np.rint(extent / step).astype(int) + 1)
    data = np.full(shape, np.nan)
    flat = data.reshape(-1)
    last = np.zeros(len(drawn), bool)
    last[selection.offsets[1:] - 1] = True  # a cell's last point starts no segment
    for start in range(0, len(drawn), _CACHE_CHUNK):
        stop = min(start + _CACHE_CHUNK, len(drawn))
        first = drawn[start:stop][~last[start:stop]]
        second = drawn[start + 1:stop + 1][~last[start:stop][: len(drawn[start + 1:stop + 1])]]
        first = first[: len(second)]
        _fill_segments(flat, shape, points, first, second, low, step)
        ends = drawn[start:stop][last[start:stop]]
        _fill_segments(flat, shape, points, ends, ends, low, step)
    affine = np.diag([step, step, step, 1.0])
    affine[:3, 3] = low
    return Image(data, affine, "lines")


def _fill_segments(flat, shape, points, first, second, low, step):
    """Write the nearer point's index along each segment ``first -> second``, every half voxel."""
    a, b = points[first].astype(np.float64), points[second].astype(np.float64)
    count = np.maximum(1, np.ceil(np.linalg.norm(b - a, axis=1) / (0.5 * step)).astype(np.intp))
    segment = np.repeat(np.arange(len(first)), count)
    fraction = (np.arange(len(segment)) - np.repeat(np.cumsum(count) - count, count)) / np.repeat(count, count)
    where = a[segment] + (b - a)[segment] * fraction[:, None]
    ijk = np.clip(np.rint((where - low) / step).astype(np.intp), 0, np.array(shape) - 1)
    flat[np.ravel_multi_index(ijk.T, shape)] = np.where(fraction < 0.5, first[segment], second[segment])


def bundle_palette(n_bundles):
    """``n`` distinct RGB colours (0..1) for bundles: tab10, tab20 (dark shades first), then hues.

    Examples
    --------
    >>> bundle_palette(2).round(3).tolist()
    [[0.122, 0.467, 0.706], [1.0, 0.498, 0.055]]
    """
    from ..colors import get_cmap

    if n_bundles <= 10:
        return np.asarray(get_cmap("tab10").colors)[:n_bundles, :3]
    if n_bundles <= 20:
        table = np.asarray(get_cmap("tab20").colors)[:, :3]
        return np.concatenate([table[0::2], table[1::2]])[:n_bundles]
    return get_cmap("hsv")(np.arange(n_bundles) / n_bundles)[:, :3]
