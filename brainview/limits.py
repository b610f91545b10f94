"""The memory budget: every allocation a file or a user value drives is checked first.

A file from a colleague or the internet can declare any size: a 2 MB
``.nii.gz`` may inflate to 2 GiB, a GIfTI header may claim a billion
vertices. Before brainview allocates or inflates such data it compares the
size with a budget, by default half of the memory the system says is
available now (4 GiB where it cannot tell), settable with
:func:`set_limits`. Going over it raises
:class:`~brainview.errors.MemoryBudgetError`, which says how much was asked
for and how to raise the limit.

Examples
--------
>>> import brainview as bv
>>> with bv.set_limits(max_bytes=2**20):
...     bv.limits.max_bytes()
1048576
"""

from __future__ import annotations

from .errors import BrainviewTypeError, BrainviewValueError, MemoryBudgetError

__all__ = ["Limits", "check_allocation", "check_grid_memory", "check_image_memory", "check_image_size", "check_polylines_memory",
           "check_vector_memory", "format_bytes", "layer_bytes", "max_bytes", "set_limits", "LAYER_VOXEL_BYTES",
           "MAX_IMAGE_SIDE"]

#: Budget used where the available memory cannot be read (not Linux).
FALLBACK_MAX_BYTES = 4 * 2**30

_max_bytes = None  # None: the default, half of the available memory

#: Widest and tallest picture brainview renders, in pixels (a 16384 x 16384 render aborts VTK).
MAX_IMAGE_SIDE = 8192
#: Bytes a rendered pixel costs: colour and depth buffers, the picture read back, the file's rows.
BYTES_PER_PIXEL = 16


class Limits:
    """The limits that were in force before a :func:`set_limits` call.

    Used as a context manager, it puts them back on exit.

    Attributes
    ----------
    max_bytes : int or None
        The previous budget in bytes; None for the default.

    Examples
    --------
    >>> import brainview as bv
    >>> previous = bv.set_limits(max_bytes=10**9)
    >>> _ = bv.set_limits(max_bytes=previous.max_bytes)
    """

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        set_limits(max_bytes=self.max_bytes)

    def __repr__(self):
        return f"Limits(max_bytes={self.max_bytes!r})"


def set_limits(*, max_bytes):
    """Set the memory budget brainview checks before reading or allocating data.

    Parameters
    ----------
    max_bytes : int or None
        The most bytes one file (or one value-driven allocation, such as a
        slice plane) may make brainview allocate. None restores the default:
        half of the memory available when the check is made.

    Returns
    -------
    Limits
        The previous limits; use the result as a context manager to restore
        them on exit, or pass ``previous.max_bytes`` back.

    Examples
    --------
    >>> import brainview as bv
    >>> with bv.set_limits(max_bytes=64 * 2**20):
    ...     pass  # files needing more than 64 MiB are refused here
    >>> bv.set_limits(max_bytes=0)
    Traceback (most recent call last):
    ...
    brainview.errors.BrainviewValueError: max_bytes: must be a positive number of bytes or None, got 0.
    """
    global _max_bytes
    if max_bytes is not None:
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, float)):
            raise BrainviewTypeError(
                f"max_bytes: expected a number of bytes or None, got {max_bytes!r}."
            )
        if not max_bytes > 0 or max_bytes != max_bytes or max_bytes == float("inf"):
            raise BrainviewValueError(
                f"max_bytes: must be a positive number of bytes or None, got {max_bytes!r}."
            )
        max_bytes = int(max_bytes)
    previous = Limits(_max_bytes)
    _max_bytes = max_bytes
    return previous


def max_bytes():
    """The budget in force, in bytes: the value set, else half of the available memory.

    Examples
    --------
    >>> max_bytes() > 0
    True
    """
    if _max_bytes is not None:
        return _max_bytes
    available = _available_memory()
    return available // 2 if available else FALLBACK_MAX_BYTES


def _available_memory():
    """``MemAvailable`` from ``/proc/meminfo`` in bytes, or None where it cannot be read."""
    try:
        with open("/proc/meminfo", "rb") as meminfo:
            for line in meminfo:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def format_bytes(count):
    """A byte count for people: ``'2.00 GiB'``, ``'64.0 MiB'``, ``'512 bytes'``.

    Examples
    --------
    >>> format_bytes(2 * 2**30), format_bytes(3 * 2**19), format_bytes(12)
    ('2.00 GiB', '1.50 MiB', '12 bytes')
    """
    if count >= 2**30:
        return f"{count / 2**30:.2f} GiB"
    if count >= 2**20:
        return f"{count / 2**20:.2f} MiB"
    if count >= 2**10:
        return f"{count / 2**10:.1f} KiB"
    return f"{int(count)} bytes"


def check_allocation(nbytes, what, *, at_least=False, fix="", detail=""):
    """Raise :class:`MemoryBudgetError` when ``nbytes`` is over the budget.

    Parameters
    ----------
    nbytes : int
        Bytes the operation would allocate.
    what : str
        What needs them, starting the message: ``"img: 'bomb.nii.gz': its data"``.
    at_least : bool
        ``nbytes`` is a lower bound (a stream stopped at the budget), said as "more than".
    fix : str
        Another way out than a bigger budget, ending the sentence: ``", or a higher threshold"``.
    detail : str
        What the estimate is made of, said last: ``"8 MiB to read it, 2 MiB for its mask"``.

    Examples
    --------
    >>> check_allocation(10, "a test")
    >>> from brainview.errors import MemoryBudgetError
    >>> try:
    ...     check_allocation(2**40, "x: its data")
    ... except MemoryBudgetError as error:
    ...     print(str(error)[:60])
    x: its data needs 1024.00 GiB, more than brainview's memory
    """
    budget = max_bytes()
    if nbytes <= budget:
        return
    amount = "" if at_least else f"{format_bytes(nbytes)}, "
    raise MemoryBudgetError(
        f"{what} needs {amount}more than brainview's memory budget of "
        f"{format_bytes(budget)}; raise it with bv.set_limits(max_bytes=...) if this machine "
        f"has the memory{fix}." + (f" Estimate: {detail}." if detail else "")
    )


#: Bytes a layer kind allocates per voxel of its image besides the loaded data itself, as
#: ``(times the data's itemsize, plus bytes)``, worst case (NaNs present): copies, masks and
#: the per-voxel work of its filters, measured with ``scripts/benchmark.py memory``.
#: Meshes are estimated apart, from their size (:func:`brainview.geometry.volume.isosurface`).
LAYER_VOXEL_BYTES = {
    "volume": (2, 1),     # finite_data's mask and copy; the volume mapper's copy of the scalars
    "contour": (2, 2),    # finite_data's mask and copy, a rescaled copy, flying edges' edge cases
    "slices": (1, 1),     # finite_data's mask and NaN-filled copy
    "glass_brain": (0, 40),  # the mask as float32, blurred, padded; the outline's smoothing, decimation
    "stat_map": (0, 22),  # float32 copy, mask, NaN-free copy, C-ordered copy; its mode's work
    "vector_field": (0, 12),  # finite, non-zero and kept masks of the (strided) voxels; the glyphs apart
}

#: What to do instead of raising the budget, for an image too large for its layer.
_SMALLER_IMAGE = ", or pass a smaller image (e.g. resampled to 2 mm with nilearn.image.resample_img)"


def layer_bytes(kind, voxels, itemsize):
    """Bytes a layer of ``kind`` allocates for an image of ``voxels`` of ``itemsize`` bytes, data aside.

    Examples
    --------
    >>> format_bytes(layer_bytes("contour", 182 * 218 * 182, 4))
    '68.87 MiB'
    """
    if kind is None:
        return 0
    times, plus = LAYER_VOXEL_BYTES[kind]
    return voxels * (times * itemsize + plus)


def check_image_memory(loading, *, what, kind=None, voxels=0, itemsize=0):
    """Refuse, before anything is allocated, an image whose loading and layer exceed the budget.

    Parameters
    ----------
    loading : int
        Bytes loading the image allocates (the data read, its converted copy).
    what : str
        What is loaded, starting the message: ``"img: 'zmap.nii.gz': its data"``.
    kind : str, optional
        The layer kind it is loaded for (a key of :data:`LAYER_VOXEL_BYTES`).
    voxels, itemsize : int
        Voxels of one volume and bytes of each once loaded.

    Examples
    --------
    >>> from brainview.errors import MemoryBudgetError
    >>> with set_limits(max_bytes=2**20):
    ...     try:
    ...         check_image_memory(2**19, what="img", kind="contour", voxels=2**17, itemsize=4)
    ...     except MemoryBudgetError as error:
    ...         print(str(error).split("Estimate: ")[1])
    512.0 KiB to load the image, 1.25 MiB for a contour layer.
    """
    extra = layer_bytes(kind, voxels, itemsize)
    detail = f"{format_bytes(loading)} to load the image, {format_bytes(extra)} for a {kind} layer"
    check_allocation(loading + extra, what, fix=_SMALLER_IMAGE if kind else "", detail=detail if kind else "")


#: Bytes a mesh layer allocates per vertex (points, normals, overlay and background values,
#: shading, colours, the drawer's arrays) and per triangle (the input faces, VTK's cells and the
#: copy that builds them); bytes a points layer allocates per marker (coordinates, sizes,
#: colours, values, its mesh and arrays). Calibrated with ``scripts/benchmark.py memory``
#: (a 163,842-vertex surface, 200,000 points): peak growth stays under the estimate.
MESH_VERTEX_BYTES, MESH_FACE_BYTES, POINT_BYTES = 120, 112, 128


def check_mesh_memory(n_vertices, n_faces, *, what):
    """Refuse, before a mesh layer builds anything, a mesh whose arrays exceed the budget.

    Examples
    --------
    >>> from brainview.errors import MemoryBudgetError
    >>> with set_limits(max_bytes=2**20):
    ...     try:
    ...         check_mesh_memory(20_000, 40_000, what="surf: its mesh")
    ...     except MemoryBudgetError as error:
    ...         print(str(error).split("Estimate: ")[1])
    2.29 MiB for 20000 vertices, 4.27 MiB for 40000 triangles.
    """
    vertices, faces = n_vertices * MESH_VERTEX_BYTES, n_faces * MESH_FACE_BYTES
    check_allocation(vertices + faces, what, fix=", or a decimated mesh",
                     detail=f"{format_bytes(vertices)} for {n_vertices} vertices, "
                            f"{format_bytes(faces)} for {n_faces} triangles")


def check_points_memory(n_points, *, what):
    """Refuse, before a points layer builds anything, markers whose arrays exceed the budget.

    Examples
    --------
    >>> check_points_memory(10, what="coords")
    """
    check_allocation(n_points * POINT_BYTES, what, fix=", or fewer points",
                     detail=f"{format_bytes(n_points * POINT_BYTES)} for {n_points} markers")


#: Bytes a vector layer allocates per glyph point (float32 point and normal, magnitude, colour, the
#: builders' float64 temporaries) and per glyph (its position, vector, index and cells). Calibrated
#: with ``scripts/benchmark.py memory`` (a 1 mm field at stride 2 as lines; 20,000 arrows).
VECTOR_POINT_BYTES, VECTOR_GLYPH_BYTES = 110, 160


def check_vector_memory(n_glyphs, points_per_glyph, *, what, held=0):
    """Refuse, before a vector layer builds its glyphs, a mesh whose arrays exceed the budget.

    ``held``: bytes the layer already holds while it builds them (a vector field's image).

    Examples
    --------
    >>> from brainview.errors import MemoryBudgetError
    >>> with set_limits(max_bytes=2**20):
    ...     try:
    ...         check_vector_memory(10_000, 50, what="vectors")
    ...     except MemoryBudgetError as error:
    ...         print(str(error).split("Estimate: ")[1])
    53.98 MiB for 10000 glyphs of 50 points.
    """
    glyphs = n_glyphs * (points_per_glyph * VECTOR_POINT_BYTES + VECTOR_GLYPH_BYTES)
    detail = f"{format_bytes(glyphs)} for {n_glyphs} glyphs of {points_per_glyph} points"
    if held:
        detail = f"{format_bytes(held)} held (the input), " + detail
    check_allocation(glyphs + held, what, fix=", or fewer glyphs (a larger stride, a mask, or mode='line')",
                     detail=detail)


#: Bytes a grid surface (``mesh``, ``surf``) allocates per grid point (float input copies,
#: float32 points, scalars and normals, the finite mask, the drawer's vertex buffers) and per
#: triangle (two per grid cell: the grid's triangles, the kept ones, VTK's cell arrays, the
#: drawer's index buffer). Calibrated with ``scripts/benchmark.py memory`` (a 1000 x 1000 grid
#: built and drawn: 201 MiB peak growth, 235 MiB with NaN points; the estimate is 259 MiB).
GRID_POINT_BYTES, GRID_TRIANGLE_BYTES = 112, 80


def check_grid_memory(rows, cols, *, what):
    """Refuse, before a grid surface builds anything, a grid whose arrays exceed the budget.

    Examples
    --------
    >>> from brainview.errors import MemoryBudgetError
    >>> with set_limits(max_bytes=2**20):
    ...     try:
    ...         check_grid_memory(100, 100, what="z")
    ...     except MemoryBudgetError as error:
    ...         print(str(error).split("Estimate: ")[1])
    1.07 MiB for 10000 grid points, 1.50 MiB for 19602 triangles.
    """
    points, triangles = rows * cols, 2 * max(rows - 1, 0) * max(cols - 1, 0)
    check_allocation(points * GRID_POINT_BYTES + triangles * GRID_TRIANGLE_BYTES, what, fix=", or a coarser grid",
                     detail=f"{format_bytes(points * GRID_POINT_BYTES)} for {points} grid points, "
                            f"{format_bytes(triangles * GRID_TRIANGLE_BYTES)} for {triangles} triangles")


#: Bytes a lines or streamlines layer allocates per point (the float32 point, its colour or value,
#: the int32 cell connectivity, the mapper's vertex, colour and index buffers and the software
#: OpenGL driver's copies of them) and per line (offsets, the line's index in the drawn set, the
#: level of detail). Calibrated with ``scripts/benchmark.py memory`` (10,000 lines and 100,000
#: streamlines of 100 points, drawn once: peak growth 72 and 657 MB). Tubes cost more:
#: :data:`TUBE_POINT_BYTES` per point and facet around the tube.
POLYLINE_POINT_BYTES, POLYLINE_LINE_BYTES, TUBE_POINT_BYTES = 76, 48, 64


def check_polylines_memory(n_points, n_lines, *, what, tube_sides=0):
    """Refuse, before a lines or streamlines layer builds anything, lines whose arrays exceed the budget.

    Examples
    --------
    >>> from brainview.errors import MemoryBudgetError
    >>> with set_limits(max_bytes=2**20):
    ...     try:
    ...         check_polylines_memory(100_000, 1_000, what="tracts")
    ...     except MemoryBudgetError as error:
    ...         print(str(error).split("Estimate: ")[1])
    7.25 MiB for 100000 points, 46.9 KiB for 1000 lines.
    """
    points = n_points * (POLYLINE_POINT_BYTES + TUBE_POINT_BYTES * tube_sides)
    lines = n_lines * POLYLINE_LINE_BYTES
    check_allocation(points + lines, what, fix=", or fewer lines (max_streamlines=)",
                     detail=f"{format_bytes(points)} for {n_points} points, {format_bytes(lines)} for {n_lines} lines")


def check_image_size(size, name="size"):
    """``(width, height)`` as ints, each 1..:data:`MAX_IMAGE_SIDE`, the render within the budget.

    Parameters
    ----------
    size : (int, int)
    name : str
        The parameter, for messages (``"--size"``, ``"size"``).

    Examples
    --------
    >>> check_image_size((800, 600))
    (800, 600)
    >>> check_image_size((16384, 16384))
    Traceback (most recent call last):
    ...
    brainview.errors.BrainviewValueError: size: 16384x16384 is too large; width and height must be 1..8192 pixels.
    """
    try:
        width, height = size
        if any(isinstance(v, bool) or int(v) != v for v in (width, height)):
            raise TypeError
        width, height = int(width), int(height)
    except (TypeError, ValueError, OverflowError):
        raise BrainviewValueError(f"{name}: expected (width, height) in pixels, got {size!r}.") from None
    if not (1 <= width <= MAX_IMAGE_SIDE and 1 <= height <= MAX_IMAGE_SIDE):
        raise BrainviewValueError(f"{name}: {width}x{height} is too large; width and height must be "
                                  f"1..{MAX_IMAGE_SIDE} pixels.")
    check_allocation(BYTES_PER_PIXEL * width * height, f"{name}: a {width}x{height} picture")
    return width, height
