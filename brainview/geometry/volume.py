"""Images as VTK data, isosurfaces and planar cuts, all placed in world mm.

VTK filters run in voxel index space (origin 0, spacing 1) and the results are
moved to world space with the full affine. That is exact for every affine —
flipped, anisotropic, oblique, even sheared — and avoids VTK filters that
ignore ``vtkImageData``'s direction matrix.

Examples
--------
>>> import numpy as np
>>> from brainview.io import load_image
>>> from brainview.geometry.volume import isosurface
>>> ijk = np.indices((20, 20, 20)) - 10
>>> img = load_image((((ijk ** 2).sum(0) < 25).astype(np.float32), np.eye(4)))
>>> mesh = isosurface(img, [0.5])
>>> bool(mesh.n_points > 0)
True
"""

from __future__ import annotations

import numpy as np

from ..errors import BrainviewValueError
from ..io import vtk_ready
from ..limits import check_allocation, format_bytes, max_bytes

#: The most smoothing iterations an isosurface takes (each costs a pass over the mesh).
MAX_SMOOTH = 1000
#: Largest |value| range whose isosurface normals VTK computes safely in single precision.
_SAFE_MAGNITUDES = (1e-15, 1e15)

# pyvista and VTK are imported in the functions that use them: the models import this module,
# and ``import brainview.layers`` must not pay for them (issue 19).


def index_image(data):
    """Wrap a 3-D array as ``vtkImageData`` in voxel index space, without copying.

    The one place numpy memory becomes VTK image data. Byte order and dtype
    are made native and supported by :func:`brainview.io.vtk_ready` (a copy
    only when they are not); the layout is kept: VTK wants the first axis
    fastest (Fortran order), so a C-ordered array is wrapped transposed (axes
    reversed) instead of copied. Only a non-contiguous array is copied.

    Returns the image and the permutation of voxel axes it uses.

    Examples
    --------
    >>> import numpy as np
    >>> image, axes = index_image(np.zeros((2, 3, 4), order="F"))
    >>> image.GetDimensions(), axes
    ((2, 3, 4), (0, 1, 2))
    """
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonDataModel import vtkImageData

    data = vtk_ready(np.asarray(data))
    if data.flags.f_contiguous:
        flat, axes, dims = data.ravel(order="F"), (0, 1, 2), data.shape
    elif data.flags.c_contiguous:
        flat, axes, dims = data.ravel(order="C"), (2, 1, 0), data.shape[::-1]
    else:
        data = np.asfortranarray(data)
        flat, axes, dims = data.ravel(order="F"), (0, 1, 2), data.shape
    image = vtkImageData()
    image.SetDimensions(*dims)
    scalars = numpy_to_vtk(flat, deep=False)
    scalars.SetName("values")
    image.GetPointData().SetScalars(scalars)
    # numpy_to_vtk keeps no reference to the numpy buffer: keep it alive here.
    image._numpy_buffer = flat
    return image, axes


def index_to_world(affine, axes):
    """The 4×4 matrix from the wrapped image's index space to world mm."""
    matrix = np.eye(4)
    matrix[:3, :3] = affine[:3, list(axes)]
    matrix[:3, 3] = affine[:3, 3]
    return matrix


def transform_mesh(mesh, matrix):
    """Move a mesh built in index space to world space, in place, normals included.

    The points and normals are overwritten in their own arrays (float32 from
    VTK stays float32): no new VTK arrays, no copies handed to VTK.
    """
    from vtkmodules.util.numpy_support import vtk_to_numpy

    if mesh.n_points == 0:
        return mesh  # an empty isosurface (level outside the data): nothing to move
    linear = matrix[:3, :3]
    points = vtk_to_numpy(mesh.GetPoints().GetData())
    points[...] = rows_times(points, linear.T, matrix[:3, 3])
    mesh.GetPoints().Modified()
    if np.linalg.det(linear) < 0 and mesh.n_cells:
        # A mirroring matrix (a flipped axis, or the axis reversal of a C-ordered
        # array) turns triangles inside out: restore the winding, or two-sided
        # lighting flips the normals of "back faces" and surfaces render dark.
        _reverse_triangles(mesh)
    vtk_normals = mesh.GetPointData().GetArray("Normals")
    if vtk_normals is not None:
        # Normals transform with the inverse transpose; this also handles flips.
        normals = vtk_to_numpy(vtk_normals)
        turned = rows_times(normals, np.linalg.inv(linear))
        turned /= np.maximum(np.linalg.norm(turned, axis=1, keepdims=True), 1e-12)
        if normals.dtype == np.float32:
            normals[...] = turned
            vtk_normals.Modified()
        else:
            mesh.point_data["Normals"] = turned.astype(np.float32)
        mesh.point_data.active_normals_name = "Normals"
    mesh.Modified()
    return mesh


def rows_times(rows, matrix, shift=None):
    """``rows (n, 3) @ matrix (3, 3) + shift``, in the rows' precision, column by column.

    Neither ``@`` (a slow non-BLAS loop for a tall ``(n, 3)`` array, 73 ms
    for 170k points) nor ``np.dot`` (BLAS threads: 0.3 ms on a quiet machine,
    up to 200 ms on a loaded one; float64 with float32 rows takes a slow loop):
    three multiply-adds per column over contiguous columns, zero entries
    skipped, so that an axis-aligned affine costs one multiply per value.

    Examples
    --------
    >>> import numpy as np
    >>> rows_times(np.array([[1.0, 2.0, 3.0]]), np.diag([2.0, 3.0, 4.0]), [1, 1, 1]).tolist()
    [[3.0, 7.0, 13.0]]
    """
    rows = np.asarray(rows)
    matrix = np.asarray(matrix, dtype=rows.dtype)
    columns = [np.ascontiguousarray(rows[:, axis]) for axis in range(3)]
    result = np.empty((len(rows), matrix.shape[1]), dtype=rows.dtype)
    for k in range(matrix.shape[1]):
        terms = [(columns[j], matrix[j, k]) for j in range(3) if matrix[j, k] != 0]
        column = np.zeros(len(rows), rows.dtype) if not terms else terms[0][0] * terms[0][1]
        for values, factor in terms[1:]:
            column += values * factor
        if shift is not None and shift[k] != 0:
            column += rows.dtype.type(shift[k])
        result[:, k] = column
    return result


def _reverse_triangles(mesh):
    """Reverse the winding of an all-triangle mesh in place (swap 2nd and 3rd corners)."""
    from vtkmodules.util.numpy_support import vtk_to_numpy

    polys = mesh.GetPolys()
    offsets = vtk_to_numpy(polys.GetOffsetsArray())
    if not np.all(np.diff(offsets) == 3):
        raise ValueError("only triangle meshes can be re-wound")  # internal invariant
    corners = vtk_to_numpy(polys.GetConnectivityArray()).reshape(-1, 3)
    second = corners[:, 1].copy()
    corners[:, 1] = corners[:, 2]
    corners[:, 2] = second
    polys.GetConnectivityArray().Modified()
    polys.Modified()
    mesh.Modified()


def isosurface(image, levels, *, data=None, smooth=0, peak=None, prepared=None):
    """Isosurfaces of an image at one or several levels, in world mm.

    Parameters
    ----------
    image : brainview.io.Image
    levels : sequence of float
    data : ndarray, optional
        Replacement voxel values (for example with NaNs filled); defaults to
        ``image.data``.
    smooth : int
        Iterations of windowed-sinc smoothing (0: none), at most
        :data:`MAX_SMOOTH`. Smoothing moves no vertex by more than a fraction
        of a voxel and keeps the volume.
    peak : float, optional
        The largest ``|value|`` of the data when the caller knows it (skips a
        scan of the data); computed when None.
    prepared : Isosurfaces, optional
        ``image`` (with ``data`` and ``peak``) prepared once by
        :class:`Isosurfaces`, for repeated extractions at changing levels (a
        threshold slider): what does not depend on the levels is not redone.

    Returns
    -------
    pyvista.PolyData
        Triangles with point normals and a ``"level"`` point array.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.io import load_image
    >>> img = load_image((np.pad(np.ones((3, 3, 3)), 2), np.diag([2, 2, 2, 1.0])))
    >>> mesh = isosurface(img, [0.5])
    >>> [round(c, 3) for c in mesh.center]
    [6.0, 6.0, 6.0]
    """
    if prepared is None:
        prepared = Isosurfaces(image, data=data, peak=peak)
    elif prepared.image is not image:
        raise BrainviewValueError("prepared: an Isosurfaces of another image; prepare this one "
                                  "with Isosurfaces(image, data=..., peak=...).")
    return prepared.extract(levels, smooth=smooth)


class Isosurfaces:
    """Isosurfaces of one image at changing levels, in world mm (a threshold slider's extractor).

    What does not depend on the levels is prepared once: the data wrapped for
    VTK (scaled once when its magnitude needs it, see :func:`magnitude_scale`),
    the index-to-world matrix and, on the first extraction, the minimum and
    maximum of each voxel slab along each axis. Each :meth:`extract` then runs
    flying edges only over the box where the levels can cross (with the two
    voxels around it that the normals' central differences read): the same
    triangles, normals and vertex order as over the whole volume, without
    scanning the empty rest of it.

    Parameters
    ----------
    image : brainview.io.Image
    data : ndarray, optional
        Replacement voxel values; defaults to ``image.data``.
    peak : float, optional
        The largest ``|value|`` of the data when known (skips a scan).

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.io import load_image
    >>> data = np.zeros((40, 40, 40), np.float32); data[5:9, 5:9, 5:9] = 3.0
    >>> surfaces = Isosurfaces(load_image((data, np.eye(4))), peak=3.0)
    >>> [surfaces.extract([level]).n_points for level in (1.0, 2.0, 4.0)]
    [96, 96, 0]
    >>> surfaces.extract([1.0]).bounds == isosurface(load_image((data, np.eye(4))), [1.0]).bounds
    True
    """

    def __init__(self, image, *, data=None, peak=None):
        from vtkmodules.vtkFiltersCore import vtkFlyingEdges3D
        from vtkmodules.vtkImagingCore import vtkImageClip

        self.image = image
        data = image.data if data is None else data
        self._source = data
        self.scale = magnitude_scale(data, peak=peak)
        if self.scale != 1.0:
            # float32 holds the scaled values but not every scale (2**133 for denormals).
            precise = data.dtype == np.float64 or not 2.0 ** -120 < self.scale < 2.0 ** 120
            data = np.multiply(data, self.scale, dtype=np.float64 if precise else np.float32)
        self._data = data
        self._vtk_image, axes = index_image(data)
        self._matrix = index_to_world(image.affine, axes)
        self._axes = axes
        self._slabs = None
        self._clip = vtkImageClip()  # ClipData off: only the extent changes, no copy
        self._clip.SetInputData(self._vtk_image)
        self._extractor = vtkFlyingEdges3D()
        self._extractor.SetInputConnection(self._clip.GetOutputPort())
        self._extractor.ComputeNormalsOn()
        self._extractor.ComputeScalarsOn()

    def extract(self, levels, *, smooth=0):
        """The isosurfaces at ``levels`` (a new mesh each call), smoothed by ``smooth`` iterations."""
        import pyvista as pv
        from vtkmodules.util.numpy_support import vtk_to_numpy

        if smooth > MAX_SMOOTH:
            raise BrainviewValueError(
                f"smooth: at most {MAX_SMOOTH} smoothing iterations, got {smooth!r}; "
                "a few tens already give a smooth surface."
            )
        scaled = [float(level) * self.scale for level in levels]
        extents = [self._crossing_extent([level]) for level in scaled]
        most = sum(3 * int(np.prod(np.subtract(extent[1::2], extent[::2]) + 1))
                   for extent in extents if extent is not None)
        check_isosurface_memory(self.image, self._source, levels, smooth=smooth, most_crossings=most)
        output = self._contour(scaled, extents)
        if smooth and output.GetNumberOfPoints():
            output = _smooth(output, smooth)
        mesh = pv.PolyData()
        mesh.ShallowCopy(output)  # the next extraction makes new arrays: this mesh keeps its own
        values = mesh.GetPointData().GetArray("values")
        if values is not None:
            if self.scale != 1.0:
                mesh.point_data.pop("values")
                # A power of two: dividing back is exact, the levels are the ones asked for.
                mesh.point_data["level"] = vtk_to_numpy(values).astype(np.float64) / self.scale
            else:
                values.SetName("level")
        return transform_mesh(mesh, self._matrix)

    def _contour(self, levels, extents):
        """Flying edges at the (scaled) ``levels``, each over its own crossing box, as one polydata.

        Flying edges appends the surfaces of its levels one after the other: the
        surfaces of the levels run one at a time, appended in order, are the same.
        """
        from vtkmodules.vtkFiltersCore import vtkAppendPolyData
        from vtkmodules.vtkCommonDataModel import vtkPolyData

        boxes = [(level, extent) for level, extent in zip(levels, extents) if extent is not None]
        if len(boxes) < 2:
            # One level crosses: its box alone. None does: flying edges over the whole volume finds
            # nothing (and makes the empty output it always made).
            return self._run(*(boxes[0] if boxes else (levels, self._whole_extent())))
        append = vtkAppendPolyData()
        for level, extent in boxes:
            piece = vtkPolyData()
            piece.ShallowCopy(self._run(level, extent))  # the next run makes new arrays
            append.AddInputData(piece)
        append.Update()
        return append.GetOutput()

    def _run(self, levels, extent):
        extractor = self._extractor
        levels = np.atleast_1d(levels)
        extractor.SetNumberOfContours(len(levels))
        for index, level in enumerate(levels):
            extractor.SetValue(index, float(level))
        self._clip.SetOutputWholeExtent(extent)
        extractor.Modified()  # the last output was moved to world space in place: never reuse it
        extractor.Update()
        return extractor.GetOutput()

    def _whole_extent(self):
        dims = self._vtk_image.GetDimensions()
        return [0, dims[0] - 1, 0, dims[1] - 1, 0, dims[2] - 1]

    def _crossing_extent(self, levels):
        """The VTK extent holding every voxel edge a level crosses, two voxels wider; None if none does."""
        dims = self._vtk_image.GetDimensions()
        if self._data.size == 0:
            return None
        if self._slabs is None:
            self._slabs = _slab_ranges(self._data, self._axes)
        boxes = [box for box in (self._crossing_box(level) for level in levels) if box is not None]
        if not boxes:
            return None
        extent = []
        for axis in range(3):
            extent += [max(min(box[axis][0] for box in boxes) - 2, 0),
                       min(max(box[axis][1] for box in boxes) + 2, dims[axis] - 1)]
        return extent

    def _crossing_box(self, level):
        """``[(first, last)] * 3`` voxels of the edges crossing ``level``, or None when none does.

        An edge crosses between a voxel >= level and one < level: both ends lie
        within one voxel of the box of each kind (the +-2 margin covers that
        voxel and the central differences of the normals).
        """
        box = []
        for low, high in self._slabs:
            above, below = np.flatnonzero(high >= level), np.flatnonzero(low < level)
            if not (above.size and below.size):
                return None
            box.append((int(max(above[0], below[0])), int(min(above[-1], below[-1]))))
        return box


def _slab_ranges(data, axes):
    """Per axis of the wrapped VTK image: ``(minimum, maximum)`` of each voxel slab across it.

    NaN counts as crossing every level (a slab holding one is never left out).
    """
    data = np.asarray(data)
    planes = data.max(axis=2), data.min(axis=2)
    across = [(np.min(planes[1], axis=1), np.max(planes[0], axis=1)),
              (np.min(planes[1], axis=0), np.max(planes[0], axis=0)),
              (np.min(data, axis=(0, 1)), np.max(data, axis=(0, 1)))]
    across = [(np.nan_to_num(low, nan=-np.inf), np.nan_to_num(high, nan=np.inf)) for low, high in across]
    return [across[axis] for axis in axes]


#: Bytes an isosurface takes per voxel edge its level crosses (a vertex, about two triangles):
#: flying edges' points, normals and values, the triangles, the move to world mm; measured
#: (``scripts/benchmark.py memory``), with a margin. Smoothing makes a second mesh.
BYTES_PER_CROSSING = 200
SMOOTHED_BYTES_PER_CROSSING = 340


def check_isosurface_memory(image, data, levels, *, smooth=0, most_crossings=None):
    """Refuse an isosurface whose mesh would exceed the memory budget, before extracting it.

    Its size is that of the voxel edges the levels cross, counted on a
    sample of slices (:func:`crossing_count`). ``most_crossings``: an upper
    bound the caller knows (:class:`Isosurfaces`: the edges of the boxes the
    levels cross); when even that many fit, nothing is counted (a threshold
    step scans no slices).

    Examples
    --------
    >>> import numpy as np, brainview as bv
    >>> from brainview.io import load_image
    >>> noise = load_image((np.random.default_rng(0).random((64, 64, 64)), np.eye(4)))
    >>> with bv.set_limits(max_bytes=2**20):
    ...     check_isosurface_memory(noise, noise.data, [0.5])
    Traceback (most recent call last):
    ...
    brainview.errors.MemoryBudgetError: contour: the isosurface of 'array' at 0.5 needs ...
    """
    per = SMOOTHED_BYTES_PER_CROSSING if smooth else BYTES_PER_CROSSING
    # The image (and the values contoured, when another array) stay held while the mesh is made;
    # flying edges keeps a byte of edge cases per voxel.
    held = image.data.nbytes + (data.nbytes if data is not image.data else 0) + data.size
    if most_crossings is not None and held + most_crossings * per <= max_bytes():
        return
    crossings = crossing_count(data, levels)
    shown = ", ".join(f"{float(level):g}" for level in list(levels)[:4]) + (", ..." if len(levels) > 4 else "")
    check_allocation(
        held + crossings * per, f"contour: the isosurface of {image.name!r} at {shown}",
        fix=", or pick a level (or threshold) that fewer voxels cross, or pass a smaller image",
        detail=f"{format_bytes(held)} for the image, about {crossings:,} vertices at {per} bytes each")


def crossing_count(data, levels, *, max_samples=2**20):
    """About how many voxel edges cross the levels: the vertices of their isosurfaces.

    Counted exactly on evenly spaced slices along the last axis (about
    ``max_samples`` voxels, no copy of the image) and scaled to the image.

    Examples
    --------
    >>> import numpy as np
    >>> crossing_count(np.pad(np.ones((2, 2, 2)), 1), [0.5])
    24
    """
    data = np.asarray(data)
    if data.ndim != 3 or not data.size:
        return 0
    plane = data.shape[0] * data.shape[1]
    step = max(1, data.shape[2] * plane // max_samples)
    total = 0
    for k in range(0, data.shape[2], step):
        for level in levels:
            above = data[:, :, k] > level
            total += np.count_nonzero(above[1:] != above[:-1]) + np.count_nonzero(above[:, 1:] != above[:, :-1])
            if k + 1 < data.shape[2]:
                total += np.count_nonzero(above != (data[:, :, k + 1] > level))
    return int(total * data.shape[2] / len(range(0, data.shape[2], step)))


def magnitude_scale(data, *, peak=None):
    """A power of two bringing the largest ``|value|`` near 1, or 1.0 when it already is near.

    VTK computes isosurface normals from squared gradients in single
    precision: values beyond ~1e18 overflow and values under ~1e-18
    underflow, giving zero normals and a black surface. Scaling the data and
    the levels by the same power of two moves every crossing by exactly
    nothing (it only changes exponents), so the surface is the same.

    Examples
    --------
    >>> import numpy as np
    >>> magnitude_scale(np.array([0.0, 3.0]))
    1.0
    >>> magnitude_scale(np.array([-1e30, 1.0])) == 2.0 ** -100
    True
    """
    if peak is None:
        data = np.asarray(data)
        if data.size == 0:
            return 1.0
        peak = max(abs(float(data.min())), abs(float(data.max())))
    if not np.isfinite(peak) or peak == 0 or _SAFE_MAGNITUDES[0] <= peak <= _SAFE_MAGNITUDES[1]:
        return 1.0
    return float(2.0 ** -np.frexp(peak)[1])


def _smooth(polydata, iterations):
    from vtkmodules.vtkFiltersCore import vtkPolyDataNormals, vtkWindowedSincPolyDataFilter

    smoother = vtkWindowedSincPolyDataFilter()
    smoother.SetInputData(polydata)
    smoother.SetNumberOfIterations(int(iterations))
    smoother.SetPassBand(0.1)
    smoother.NormalizeCoordinatesOn()
    smoother.NonManifoldSmoothingOn()
    normals = vtkPolyDataNormals()
    normals.SetInputConnection(smoother.GetOutputPort())
    normals.SplittingOff()
    normals.ConsistencyOn()
    normals.Update()
    return normals.GetOutput()


def world_plane(image, axis, coordinate, *, step=None, interpolation="nearest"):
    """Sample an image on a world-axis-aligned plane (x, y or z = coordinate mm).

    The plane spans the image's world bounding box; points outside the image
    are NaN. The image's own grid is never resampled as a whole: only the
    plane's points are looked up through the inverse affine.

    Parameters
    ----------
    image : brainview.io.Image
    axis : {0, 1, 2}
        World axis normal to the plane (0: sagittal x, 1: coronal y, 2: axial z).
    coordinate : float
        Position of the plane along ``axis``, in mm.
    step : float, optional
        Sampling step in mm; defaults to the smallest voxel size.
    interpolation : {"nearest", "linear"}

    Returns
    -------
    values : ndarray, shape (nu, nv)
        Samples along the two in-plane world axes, in increasing axis order.
    origin : ndarray, shape (3,)
        World position of ``values[0, 0]``.
    step : float

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.io import load_image
    >>> img = load_image((np.arange(27.0).reshape(3, 3, 3), np.eye(4)))
    >>> values, origin, step = world_plane(img, 0, 1.0)
    >>> values[0].tolist(), origin.tolist()
    ([9.0, 10.0, 11.0], [1.0, 0.0, 0.0])
    """
    from scipy.ndimage import map_coordinates

    step = float(step or image.voxel_sizes.min())
    bounds = np.array(image.world_bounds()).reshape(3, 2)
    in_plane = [a for a in range(3) if a != axis]
    counts = [int((bounds[a, 1] - bounds[a, 0]) / step) + 1 for a in in_plane]
    # World, voxel and value arrays of every sample (about 80 bytes each): a step far
    # below the image's extent would ask for gigabytes.
    check_allocation(counts[0] * counts[1] * 80,
                     f"a slice plane of {counts[0]} x {counts[1]} samples at step {step:g} mm")
    ticks = [np.arange(bounds[a, 0], bounds[a, 1] + step * 0.5, step) for a in in_plane]
    grid_u, grid_v = np.meshgrid(*ticks, indexing="ij")
    world = np.empty(grid_u.shape + (3,))
    world[..., axis] = coordinate
    world[..., in_plane[0]] = grid_u
    world[..., in_plane[1]] = grid_v
    ijk = image.to_voxel(world.reshape(-1, 3)).T
    order = 0 if interpolation == "nearest" else 1
    # Snap within rounding noise of the voxel grid so nearest lookups are exact.
    ijk = np.where(np.abs(ijk - np.rint(ijk)) < 1e-6, np.rint(ijk), ijk)
    # The data as it is (no float32 copy of the whole image for each plane); the samples in float32.
    values = map_coordinates(
        image.data, ijk, order=order, mode="constant", cval=np.nan, prefilter=False, output=np.float32,
    )
    # map_coordinates clamps nothing but also treats the half-voxel border as inside.
    shape = np.array(image.shape)[:, None]
    outside = np.any((ijk < -0.5) | (ijk > shape - 0.5), axis=0)
    values[outside] = np.nan
    origin = np.empty(3)
    origin[axis] = coordinate
    origin[in_plane[0]], origin[in_plane[1]] = ticks[0][0], ticks[1][0]
    return values.reshape(grid_u.shape), origin, step
