"""Arrays as brainview holds them: native byte order, a dtype VTK reads, volumes last.

:func:`vtk_ready` is the one place data is made fit for VTK, which reads raw
memory: native byte order and a dtype VTK has, without a copy when the array
already is. :func:`brainview.io.load_image` applies it, so every
:class:`brainview.io.Image` holds VTK-ready data;
:func:`brainview.geometry.volume.index_image` (the one place numpy memory
becomes ``vtkImageData``) applies it again to arrays that come another way.
:func:`copy_per_voxel` says what that conversion (and nibabel's scaling)
will cost before anything is read, so the memory budget is checked first.

Examples
--------
>>> import numpy as np
>>> vtk_ready(np.zeros(2, dtype=">f4")).dtype.isnative
True
>>> copy_per_voxel(None, np.dtype(">f4"))
(4, 4)
"""

from __future__ import annotations

import numpy as np

__all__ = ["VTK_ITEMSIZES", "check_not_per_vertex", "copy_per_voxel", "load_npy", "volumes_last", "vtk_ready"]

#: Dtypes (itemsize per kind) that VTK reads directly.
VTK_ITEMSIZES = {"u": (1, 2, 4, 8), "i": (1, 2, 4, 8), "f": (4, 8)}


def vtk_ready(data):
    """The array in native byte order and a dtype VTK reads; the same memory when it already is.

    VTK reads raw memory, so a big-endian array (every MGH/MGZ file, many
    NIfTI files) handed over as is draws noise. This function is the one
    place data is converted for VTK: a native array of a supported dtype is
    returned without a copy, bool is viewed as uint8 (no copy either), and
    anything else (non-native byte order, float16, long double) is copied
    once into the nearest supported native dtype. Values never change.

    Parameters
    ----------
    data : numpy.ndarray
        Real numbers or bools, any byte order, layout or subclass (memory maps).

    Returns
    -------
    numpy.ndarray
        Native byte order; dtype uint/int 8-64 bit, float32 or float64.

    Examples
    --------
    >>> import numpy as np
    >>> big = np.arange(3, dtype=">i2")
    >>> vtk_ready(big).dtype.str, vtk_ready(big).tolist()
    ('<i2', [0, 1, 2])
    >>> native = np.arange(3, dtype=np.float32)
    >>> vtk_ready(native) is native
    True
    """
    dtype = data.dtype
    if dtype.kind == "b":
        return data.view(np.uint8)
    if dtype.kind not in VTK_ITEMSIZES:
        return data  # refused with a named error by the caller (complex, objects, ...)
    if dtype.itemsize not in VTK_ITEMSIZES[dtype.kind]:
        return data.astype(np.float32 if dtype.itemsize < 4 else np.float64)
    if not dtype.isnative:
        return data.astype(dtype.newbyteorder("="))
    return data


def copy_per_voxel(header, dtype):
    """``(bytes per voxel of the copy loading makes, itemsize of the loaded data)``.

    nibabel scales to float64 (a copy); :func:`vtk_ready` copies non-native
    byte orders and dtypes VTK lacks; anything else is used as read.
    """
    slope, inter = header.get_slope_inter() if hasattr(header, "get_slope_inter") else (None, None)
    if slope not in (None, 1) or inter not in (None, 0):
        return 8, 8
    size = dtype.itemsize
    if dtype.kind in VTK_ITEMSIZES and size not in VTK_ITEMSIZES[dtype.kind]:
        return (4, 4) if size < 4 else (8, 8)
    if dtype.kind in VTK_ITEMSIZES and not dtype.isnative:
        return size, size
    return 0, size


def volumes_last(img, data):
    """The data with non-spatial axes last: MINC stores time first ('time', 'zspace', ...).

    nibabel's affine of such a file maps the spatial axes only, wherever they
    are; brainview, like NIfTI, takes volumes along the last axis. A view, no copy.
    """
    minc = getattr(img.dataobj, "minc_file", None)
    # nibabel has no public accessor for MINC dimension names.
    names, spatial = getattr(minc, "_dim_names", None), getattr(minc, "_spatial_dims", None)
    if not names or not spatial or len(names) != data.ndim:
        return data
    others = [axis for axis, dim in enumerate(names) if dim not in spatial]
    return np.moveaxis(data, others, list(range(data.ndim - len(others), data.ndim)))


def check_not_per_vertex(shape, name):
    """Refuse an image of shape ``n x 1 x 1 (x T)``: per-vertex surface data, not a volume.

    FreeSurfer stores surface overlays (``lh.thickness.mgz``, a time series
    per vertex) as MGH images of that shape; drawn as a volume they are a
    line of voxels ``n`` mm long with nothing to see.

    Examples
    --------
    >>> check_not_per_vertex((10, 10, 10), "img")
    >>> check_not_per_vertex((10242, 1, 1, 3), "img")
    Traceback (most recent call last):
    ...
    brainview.errors.BrainviewValueError: img: shape (10242, 1, 1, 3) is per-vertex surface data ...
    """
    from ..errors import BrainviewValueError

    shape = tuple(int(n) for n in shape)
    if len(shape) in (3, 4) and shape[0] > 1 and shape[1:3] == (1, 1):
        columns = f", column=k (k in 0..{shape[3] - 1})" if len(shape) == 4 and shape[3] > 1 else ""
        raise BrainviewValueError(
            f"{name}: shape {shape} is per-vertex surface data (one value per vertex of a "
            f"{shape[0]}-vertex mesh{', one column per time point' if columns else ''}), not a volume. "
            f"Draw it on its mesh: brainview.surface(mesh, overlay=path{columns})."
        )


def load_npy(path, name, *, key=None):
    """The array of a ``.npy`` file, or the array ``key`` of an ``.npz``, checked before it is read.

    Each array's header is read first: object arrays (which would need
    unpickling) are refused, and the declared size must fit the memory budget
    (a compressed ``.npz`` member of a few bytes can declare terabytes).

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "x.npz"
    >>> np.savez_compressed(path, labels=np.arange(3))
    >>> load_npy(path, "overlay", key="labels").tolist()
    [0, 1, 2]
    """
    import zipfile

    from ..errors import ImageLoadError

    if key is None:
        with open(path, "rb") as stream:
            _check_npy_header(stream, f"{name}: '{path.name}'")
        return np.load(path, allow_pickle=False)
    with zipfile.ZipFile(path) as archive:
        member = f"{key}.npy"
        if member not in archive.namelist():
            raise ImageLoadError(f"{name}: '{path.name}' has no array {key!r}.")
        with archive.open(member) as stream:
            _check_npy_header(stream, f"{name}: '{path.name}' array {key!r}")
        with archive.open(member) as stream:
            return np.lib.format.read_array(stream, allow_pickle=False)


def _check_npy_header(stream, what):
    from ..errors import ImageLoadError
    from ..limits import check_allocation

    try:
        version = np.lib.format.read_magic(stream)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read(stream)
    except (ValueError, OSError, EOFError) as error:
        raise ImageLoadError(f"{what}: not a NumPy array file ({error}).") from error
    if dtype.hasobject:
        raise ImageLoadError(f"{what}: holds Python objects; brainview reads numbers only (it never unpickles).")
    check_allocation(int(np.prod(shape, dtype=np.float64)) * max(dtype.itemsize, 8), what)
