"""Vector glyphs as exact geometry: arrows, cones and line segments built with numpy.

Every glyph of a vector set is one block of points and cells in one mesh, so
a mesh cell maps back to its vector by integer division (what a pick needs),
and no VTK glyph filter is run: a million line segments are two array
operations. Pure computation: arrays in, arrays (and, on request, a
``pyvista.PolyData``) out, in world mm.

Examples
--------
>>> import numpy as np
>>> points, normals, cells = glyphs([[0, 0, 0]], [[0, 0, 2.0]], mode="cone", resolution=4)
>>> points.shape, cells.shape, float(points[:, 2].max())
((13, 3), (8, 3), 2.0)
>>> segments([[0, 0, 0]], [[2.0, 0, 0]], centered=True).tolist()
[[-1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["GLYPH_MODES", "auto_scale", "dec_colors", "field_vectors", "glyph_template", "glyphs",
           "segments", "segments_mesh", "voxel_axes"]

#: Glyph shapes: an arrow (shaft and head), a cone, a line segment.
GLYPH_MODES = ("arrow", "cone", "line")

#: Arrow proportions (of the glyph's length): shaft radius, head radius, head length (mlab's).
_SHAFT, _HEAD, _TIP = 0.03, 0.1, 0.35
#: Cone base radius (of its length).
_CONE = 0.25


def _ring(resolution, x, radius):
    angle = 2 * np.pi * np.arange(resolution) / resolution
    return np.column_stack([np.full(resolution, x), radius * np.cos(angle), radius * np.sin(angle)])


def _disk(resolution, x, radius, start):
    """Points and fan triangles of a disk facing -x (its centre last)."""
    points = np.vstack([_ring(resolution, x, radius), [[x, 0, 0]]])
    i = np.arange(resolution)
    centre = start + resolution
    faces = np.column_stack([np.full(resolution, centre), start + (i + 1) % resolution, start + i])
    return points, np.tile([-1.0, 0, 0], (resolution + 1, 1)), faces


def _tube(resolution, x0, x1, radius, start):
    """Side of a cylinder along x from ``x0`` to ``x1``: two rings, quads as triangles."""
    points = np.vstack([_ring(resolution, x0, radius), _ring(resolution, x1, radius)])
    normals = np.vstack([_ring(resolution, 0, 1.0)] * 2)
    normals[:, 0] = 0
    i = np.arange(resolution)
    a, b = start + i, start + (i + 1) % resolution
    faces = np.vstack([np.column_stack([a, b, b + resolution]), np.column_stack([a, b + resolution, a + resolution])])
    return points, normals, faces


def _cone_side(resolution, x0, x1, radius, start):
    """Side of a cone along x (base at ``x0``, apex at ``x1``): one apex point per facet for its normal."""
    base = _ring(resolution, x0, radius)
    height = x1 - x0
    slope = radius / height
    normals = _ring(resolution, slope, 1.0)
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    apex = np.tile([x1, 0, 0], (resolution, 1))
    i = np.arange(resolution)
    faces = np.column_stack([start + i, start + (i + 1) % resolution, start + resolution + i])
    return np.vstack([base, apex]), np.vstack([normals, normals]), faces


@functools.lru_cache(maxsize=16)
def glyph_template(mode, resolution):
    """``(points, normals, triangles)`` of one glyph of length 1 along +x, its tail at the origin.

    Examples
    --------
    >>> points, normals, faces = glyph_template("arrow", 6)
    >>> float(points[:, 0].min()), float(points[:, 0].max()), bool(faces.max() < len(points))
    (0.0, 1.0, True)
    """
    parts, start = [], 0
    if mode == "arrow":
        makers = [lambda s: _disk(resolution, 0.0, _SHAFT, s),
                  lambda s: _tube(resolution, 0.0, 1 - _TIP, _SHAFT, s),
                  lambda s: _disk(resolution, 1 - _TIP, _HEAD, s),
                  lambda s: _cone_side(resolution, 1 - _TIP, 1.0, _HEAD, s)]
    elif mode == "cone":
        makers = [lambda s: _disk(resolution, 0.0, _CONE, s), lambda s: _cone_side(resolution, 0.0, 1.0, _CONE, s)]
    else:
        raise ValueError(mode)  # a programming error: callers check the mode
    for make in makers:
        points, normals, faces = make(start)
        parts.append((points, normals, faces))
        start += len(points)
    points, normals, faces = (np.vstack(column) for column in zip(*parts))
    for array in (points, normals, faces):
        array.flags.writeable = False
    return points, normals, faces.astype(np.int64)


def _frames(directions):
    """``(n, 3, 3)`` right-handed orthonormal frames whose first column is each unit direction."""
    u = directions
    helper = np.zeros_like(u)
    near_z = np.abs(u[:, 2]) > 0.9
    helper[near_z, 0] = 1.0
    helper[~near_z, 2] = 1.0
    v = np.cross(helper, u)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    w = np.cross(u, v)
    return np.stack([u, v, w], axis=2)


def glyphs(positions, vectors, *, mode="arrow", resolution=8, centered=False):
    """Points, normals and triangles of one glyph per vector, as long as the vector.

    Parameters
    ----------
    positions, vectors : (n, 3) arrays
        World mm; each vector must be non-zero and finite (the callers drop the others).
    mode : {"arrow", "cone"}
    resolution : int
        Facets around each glyph.
    centered : bool
        Centre each glyph on its position (False: its tail there, mlab's default).

    Returns
    -------
    points, normals : (n * m, 3) float32
    triangles : (n * f, 3) int
        Glyph ``k`` owns triangles ``k * f`` to ``(k + 1) * f - 1``.

    Examples
    --------
    >>> points, _, faces = glyphs([[0, 0, 0], [5, 0, 0]], [[1.0, 0, 0], [0, 3.0, 0]], mode="cone")
    >>> len(faces) // 2 == len(glyph_template("cone", 8)[2])
    True
    """
    positions = np.asarray(positions, dtype=float).reshape(-1, 3)
    vectors = np.asarray(vectors, dtype=float).reshape(-1, 3)
    template, template_normals, faces = glyph_template(mode, resolution)
    lengths = np.linalg.norm(vectors, axis=1)
    frames = _frames(vectors / lengths[:, None])
    tails = positions - vectors / 2 if centered else positions
    # (n, 3, 3) @ (3, m) -> (n, 3, m): the template rotated onto each vector, then scaled.
    points = np.einsum("nij,mj->nmi", frames, template)
    points *= lengths[:, None, None]
    points += tails[:, None, :]
    normals = np.einsum("nij,mj->nmi", frames, template_normals)
    n, m = len(positions), len(template)
    dtype = np.int32 if n * m < 2**31 - 1 else np.int64
    triangles = (faces[None, :, :] + (m * np.arange(n))[:, None, None]).astype(dtype)
    return (points.reshape(-1, 3).astype(np.float32), normals.reshape(-1, 3).astype(np.float32),
            triangles.reshape(-1, 3))


def segments(positions, vectors, *, centered=False):
    """``(2n, 3)`` float32 ends of one line segment per vector (tail, head).

    Examples
    --------
    >>> segments([[1, 1, 1]], [[0, 0, 2.0]]).tolist()
    [[1.0, 1.0, 1.0], [1.0, 1.0, 3.0]]
    """
    positions = np.asarray(positions, dtype=np.float32).reshape(-1, 3)
    vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, 3)
    ends = np.empty((len(positions), 2, 3), dtype=np.float32)
    if centered:
        np.subtract(positions, vectors / 2, out=ends[:, 0])
        np.add(positions, vectors / 2, out=ends[:, 1])
    else:
        ends[:, 0] = positions
        np.add(positions, vectors, out=ends[:, 1])
    return ends.reshape(-1, 3)


def segments_mesh(ends):
    """A ``pyvista.PolyData`` of lines, one per consecutive pair of ``ends`` (line ``k``: points 2k, 2k+1).

    Examples
    --------
    >>> segments_mesh(segments([[0, 0, 0]], [[1.0, 0, 0]])).n_lines
    1
    """
    import pyvista as pv
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonDataModel import vtkCellArray

    dtype = np.int32 if len(ends) < 2**31 - 1 else np.int64
    cells = vtkCellArray()
    if len(ends):
        offsets = np.arange(0, len(ends) + 1, 2, dtype=dtype)
        cells.SetData(numpy_to_vtk(offsets, deep=True), numpy_to_vtk(np.arange(len(ends), dtype=dtype), deep=True))
    mesh = pv.PolyData()
    mesh.points = np.asarray(ends, dtype=np.float32)
    mesh.SetLines(cells)
    return mesh


def dec_colors(vectors):
    """Directionally encoded colour: ``(|x|, |y|, |z|) / |v|`` per vector (0 for a zero vector).

    Red is left-right, green anterior-posterior, blue inferior-superior, as in
    diffusion viewers (FSLeyes, MRtrix, TrackVis).

    Examples
    --------
    >>> dec_colors([[3.0, -4.0, 0], [0, 0, 0]]).tolist()
    [[0.6, 0.8, 0.0], [0.0, 0.0, 0.0]]
    """
    vectors = np.asarray(vectors).reshape(-1, 3)
    if vectors.dtype != np.float32:
        vectors = vectors.astype(float)
    lengths = np.sqrt(np.einsum("ij,ij->i", vectors, vectors))[:, None]
    return np.divide(np.abs(vectors), lengths, out=np.zeros_like(vectors), where=lengths > 0)


def voxel_axes(affine):
    """``(3, 3)`` matrix taking a vector along the voxel axes (i, j, k) to world (RAS+) axes.

    The affine's linear part with each column normalised: a unit step along
    voxel axis ``i`` becomes the unit world direction of that axis, so
    flipped and oblique images turn their vectors with them and voxel sizes
    do not stretch them.

    Examples
    --------
    >>> import numpy as np
    >>> voxel_axes(np.diag([-2.0, 2.0, 3.0, 1.0])).diagonal().tolist()
    [-1.0, 1.0, 1.0]
    """
    linear = np.asarray(affine, dtype=float)[:3, :3]
    return linear / np.linalg.norm(linear, axis=0)


def field_vectors(data, affine, keep, stride):
    """Voxels, world positions and components (as stored) of a 4-D field's vectors, subsampled and masked.

    Parameters
    ----------
    data : (X, Y, Z, 3) array
        The vector components of each voxel.
    affine : (4, 4) array
    keep : (X, Y, Z) bool array or None
        Voxels to draw (None: every voxel); voxels whose vector is zero or not
        finite are dropped in any case.
    stride : int
        Take every ``stride``-th voxel along each axis (from voxel 0).

    Returns
    -------
    ijk : (n, 3) int
        The voxel index of each vector drawn.
    positions : (n, 3) float
        Their world mm centres.
    vectors : (n, 3) float32
        Their components as stored (not yet turned to world axes).
    n_bad : int
        Voxels kept by ``keep`` whose vector held NaN or infinity.

    Examples
    --------
    >>> import numpy as np
    >>> data = np.zeros((4, 4, 4, 3), np.float32); data[2, 0, 2] = (1, 0, 0)
    >>> ijk, xyz, vec, bad = field_vectors(data, np.eye(4), None, 2)
    >>> ijk.tolist(), vec.tolist(), bad
    ([[2, 0, 2]], [[1.0, 0.0, 0.0]], 0)
    """
    sub = np.ascontiguousarray(data[::stride, ::stride, ::stride])  # 1 / stride^3 of the field
    # |x| + |y| + |z|: NaN where a component is NaN, 0 only for a zero vector (one pass per component).
    total = np.abs(sub[..., 0], dtype=np.float32 if sub.dtype.itemsize <= 4 else np.float64)
    total += np.abs(sub[..., 1])
    total += np.abs(sub[..., 2])
    finite = np.isfinite(total)
    chosen = finite & (total > 0)
    if keep is not None:
        kept = keep[::stride, ::stride, ::stride]
        chosen &= kept
        n_bad = int(np.count_nonzero(kept & ~finite))
    else:
        n_bad = int(total.size - np.count_nonzero(finite))
    flat = np.flatnonzero(chosen)
    vectors = sub.reshape(-1, 3)[flat].astype(np.float32, copy=False)
    ijk = np.column_stack(np.unravel_index(flat, chosen.shape)) * stride
    affine = np.asarray(affine, dtype=float)
    positions = ijk @ affine[:3, :3].T + affine[:3, 3]
    return ijk, positions, vectors, n_bad


def auto_scale(positions, magnitudes):
    """mlab's automatic scale factor: the longest glyph as long as the points' typical distance.

    Mayavi's rule (``mayavi.tools.tools._typical_distance``): 0.4 times the
    bounding box's diagonal over ``2 n^(1/6)``, for ``n`` points; positions
    all in one place count 1 mm. Divided by the largest magnitude (1 when
    every vector is zero).

    Examples
    --------
    >>> import numpy as np
    >>> grid = np.stack(np.meshgrid(*[np.arange(3.0) * 10] * 3), -1).reshape(-1, 3)
    >>> round(auto_scale(grid, np.full(27, 2.0)), 2)
    2.01
    """
    magnitudes = np.asarray(magnitudes, dtype=float)
    finite = magnitudes[np.isfinite(magnitudes)]
    peak = float(finite.max()) if finite.size else 0.0
    positions = np.asarray(positions, dtype=float).reshape(-1, 3)
    diagonal2 = float((np.ptp(positions, axis=0) ** 2).sum()) if len(positions) else 0.0
    distance = 0.4 * np.sqrt(diagonal2 / (4 * len(positions) ** 0.33)) if diagonal2 > 0 else 1.0
    return float(distance / peak if peak > 0 else distance)
