"""Hostile-file guards: checks made before a file is opened, read or allocated for.

Loading never executes code, never unpickles and never allocates more than
the file can hold or the memory budget (:func:`brainview.set_limits`)
allows. These checks run before the readers (:mod:`brainview.io.images`,
:mod:`brainview.io.gzip_stream`, :mod:`brainview.io.gifti`,
:mod:`brainview.io.surfaces`) hand a file to nibabel: special files are
refused before they are opened (a FIFO blocks), declared sizes are compared
with the file and the budget, affines and coordinates with what a scanner
can produce.

Examples
--------
>>> import numpy as np
>>> float(check_affine(np.diag([2.0, 2.0, 2.0, 1.0]), "img")[0, 0])
2.0
>>> check_affine(np.zeros((4, 4)), "img")
Traceback (most recent call last):
...
brainview.errors.BrainviewValueError: img: the affine must be finite and invertible, got...
"""

from __future__ import annotations

import errno
import math
import os
import stat
import struct
from pathlib import Path

import numpy as np

from ..errors import BrainviewValueError, ImageLoadError, MemoryBudgetError
from ..limits import check_allocation, check_image_memory, format_bytes, max_bytes
from .arrays import copy_per_voxel

__all__ = ["CHUNK", "MAX_VOXEL_SIZE_RATIO", "MAX_WORLD_MM", "check_affine", "check_declared_size",
           "check_external_file", "check_freesurfer_geometry", "check_freesurfer_morph",
           "check_in_memory", "check_regular_file", "check_vertex_extent", "check_world_extent",
           "is_out_of_memory", "out_of_memory"]

#: World coordinates (mm) beyond which a header is broken: no scanner sees a kilometre.
MAX_WORLD_MM = 1e6


#: Voxel sizes differing by more than this factor make a grid nothing can be drawn on.
MAX_VOXEL_SIZE_RATIO = 1e4


#: Bytes inflated and read per step: big enough to be fast, small enough to stop a bomb early.
CHUNK = 1 << 20


def check_regular_file(path, name):
    """Refuse missing paths and special files (FIFOs, devices, folders): opening one can block."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise ImageLoadError(f"{name}: file not found: '{path}'. Check the path.") from None
    except OSError as error:
        raise ImageLoadError(f"{name}: cannot access '{path}' ({error}).") from error
    if not stat.S_ISREG(mode):
        raise ImageLoadError(
            f"{name}: '{path}' is not a regular file (a folder, device or pipe); "
            "brainview reads data from files only."
        )


def check_affine(affine, name):
    """The affine as a float 4x4 array, refused when it is no usable placement.

    Refused (:class:`brainview.errors.BrainviewValueError` naming ``name``):
    not 4x4, not finite, not invertible, or voxel sizes differing by more
    than :data:`MAX_VOXEL_SIZE_RATIO` times.

    Examples
    --------
    >>> import numpy as np
    >>> check_affine(np.eye(4).tolist(), "img").dtype
    dtype('float64')
    """
    affine = np.asarray(affine, dtype=float)
    if affine.shape != (4, 4):
        raise BrainviewValueError(
            f"{name}: the affine must be a 4x4 matrix, got shape {affine.shape}."
        )
    if not np.all(np.isfinite(affine)) or abs(np.linalg.det(affine[:3, :3])) < 1e-12:
        raise BrainviewValueError(
            f"{name}: the affine must be finite and invertible, got\n{affine}."
        )
    sizes = np.linalg.norm(affine[:3, :3], axis=0)
    if sizes.max() > MAX_VOXEL_SIZE_RATIO * sizes.min():
        raise BrainviewValueError(
            f"{name}: the affine's voxel sizes {_mm(sizes)} differ by more than "
            f"{MAX_VOXEL_SIZE_RATIO:g} times, a degenerate grid; check the header's pixdim "
            "(or the affine you passed)."
        )
    return affine


def check_world_extent(affine, shape, name):
    """Refuse an image whose voxels lie beyond ±1e6 mm: rendering it would mean nothing."""
    corners = np.array(np.meshgrid(*[[0, n - 1] for n in shape[:3]], indexing="ij")).reshape(3, -1)
    world = affine[:3, :3] @ corners + affine[:3, 3:4]
    worst = float(np.abs(world).max())
    if not worst <= MAX_WORLD_MM:
        raise BrainviewValueError(
            f"{name}: the affine places voxels at {worst:.3g} mm from the origin (origin "
            f"{_mm(affine[:3, 3])}, voxel sizes {_mm(np.linalg.norm(affine[:3, :3], axis=0))}), "
            f"beyond ±{MAX_WORLD_MM:g} mm; the header's origin or voxel sizes are broken. "
            "Fix the affine (e.g. nibabel's img.set_sform) before loading."
        )


def _mm(values):
    return "(" + ", ".join(f"{v:.4g}" for v in values) + ") mm"


def check_vertex_extent(vertices, name):
    """Refuse vertices beyond ±1e6 mm: a broken file, nothing a camera can frame."""
    magnitude = np.abs(vertices)
    worst = float(magnitude[magnitude <= np.finfo(float).max].max(initial=0.0))
    if worst > MAX_WORLD_MM:
        raise BrainviewValueError(
            f"{name}: a vertex lies {worst:.3g} mm from the origin, beyond ±{MAX_WORLD_MM:g} mm; "
            "the coordinates are broken (or not in mm)."
        )


def check_in_memory(data, name, kind):
    """Check what brainview copies of an in-memory array (and what its layer allocates) fits the budget."""
    copy, itemsize = copy_per_voxel(None, data.dtype) if data.dtype != bool else (0, 1)
    check_image_memory(data.size * copy, what=f"{name}: the array of shape {data.shape}", kind=kind,
                       voxels=data.size, itemsize=itemsize)


def check_declared_size(img, name, path, kind=None):
    """Refuse an image whose data, read, would take more memory than the budget allows."""
    if isinstance(img.dataobj, np.ndarray) or not hasattr(img, "header"):
        return  # already in memory
    try:
        shape = [int(n) for n in img.dataobj.shape]
        dtype = np.dtype(img.get_data_dtype())
    except Exception:  # an exotic proxy: nibabel reports what it cannot read
        return
    copy, itemsize = copy_per_voxel(img.header, dtype)
    count = math.prod(shape)
    where = f"'{path}'" if path else "the image"
    needed = count * (dtype.itemsize + copy)
    check_image_memory(needed, what=f"{name}: {where}: its data", kind=kind,
                       voxels=math.prod(shape[:3]), itemsize=itemsize)
    return needed


def is_out_of_memory(error):
    """Whether reading failed for want of memory (a ulimit makes mmap fail with ENOMEM).

    Examples
    --------
    >>> import errno
    >>> is_out_of_memory(MemoryError()), is_out_of_memory(OSError(errno.ENOMEM, "mmap"))
    (True, True)
    """
    return isinstance(error, MemoryError) or (isinstance(error, OSError) and error.errno == errno.ENOMEM)


def out_of_memory(name, where, needed=None, error=None):
    """The error for memory the process could not get, though the budget allowed it.

    Examples
    --------
    >>> str(out_of_memory("img", "'x.nii'", 2**30)).split(":")[:2]
    ['img', " this machine ran out of memory reading the data of 'x.nii', which needs about 1.0 GiB"]
    """
    estimate = f", which needs about {format_bytes(needed)}" if needed else ""
    reason = f" ({type(error).__name__}: {error})" if error is not None and str(error) else ""
    return MemoryBudgetError(
        f"{name}: this machine ran out of memory reading the data of {where}{estimate}{reason}: "
        f"the memory this process may use (a ulimit, a container limit, other programs) is below "
        f"brainview's memory budget of {format_bytes(max_bytes())}. Set "
        "bv.set_limits(max_bytes=...) to what this process may use, close other programs, or "
        "load a smaller image."
    )


_TRIANGLE_MAGIC, _QUAD_MAGIC, _NEW_QUAD_MAGIC = 0xFFFFFE, 0xFFFFFF, 0xFFFFFD


def check_freesurfer_geometry(path, name):
    """Refuse a FreeSurfer surface whose vertex/face counts exceed its file or the budget.

    nibabel's reader allocates what the counts say before reading.
    """
    size = os.stat(path).st_size
    with open(path, "rb") as stream:
        magic = int.from_bytes(stream.read(3), "big")
        if magic == _TRIANGLE_MAGIC:
            for _ in range(2):  # creation stamp and blank line, as nibabel reads them
                if not stream.readline(4096).endswith(b"\n"):
                    raise ImageLoadError(f"{name}: '{path}': bad FreeSurfer surface header.")
            counts = stream.read(8)
            if len(counts) < 8:
                raise ImageLoadError(f"{name}: '{path}': the file is truncated.")
            n_vertices, n_faces = struct.unpack(">ii", counts)
            needed = stream.tell() + 12 * n_vertices + 12 * n_faces
        elif magic in (_QUAD_MAGIC, _NEW_QUAD_MAGIC):
            n_vertices = int.from_bytes(stream.read(3), "big")
            n_faces = 2 * int.from_bytes(stream.read(3), "big")  # each quad makes two triangles
            needed = 9 + n_vertices * (6 if magic == _QUAD_MAGIC else 12) + n_faces * 6
        else:
            return  # nibabel names the unknown format
    if n_vertices < 0 or n_faces < 0 or needed > size:
        raise ImageLoadError(
            f"{name}: '{path}' declares {n_vertices} vertices and {n_faces} faces, more than "
            f"its {size} bytes hold; the file is corrupt or truncated."
        )
    check_allocation(n_vertices * 36 + n_faces * 24, f"{name}: '{path}': its mesh")


def check_freesurfer_morph(path, name):
    """Refuse a FreeSurfer morphometry file whose value count exceeds the file."""
    size = os.stat(path).st_size
    with open(path, "rb") as stream:
        header = stream.read(15)
    if len(header) == 15 and int.from_bytes(header[:3], "big") == _QUAD_MAGIC:
        count = struct.unpack(">i", header[3:7])[0]
        if count < 0 or 15 + 4 * count > size:
            raise ImageLoadError(
                f"{name}: '{path}' declares {count} values, more than its {size} bytes hold; "
                "the file is corrupt or truncated."
            )


def check_external_file(gii_path, external, offset, declared, name):
    """Refuse external data outside the GIfTI file's folder, or not a regular file.

    Only ``os.stat`` is used: a FIFO or device is never opened, so nothing blocks.
    """
    where = f"{name}: '{gii_path}' takes data from the external file {external!r}"
    policy = ("brainview reads external data only from regular files in the GIfTI file's folder "
              "or below it, named relative to it")
    if not external or os.path.isabs(external) or ".." in Path(external).parts:
        raise ImageLoadError(f"{where}, which is not a path inside the GIfTI file's folder; {policy}.")
    folder = os.path.realpath(os.path.dirname(str(gii_path)) or ".")
    target = os.path.realpath(os.path.join(os.path.dirname(str(gii_path)), external))
    if os.path.commonpath([folder, target]) != folder:
        raise ImageLoadError(f"{where}, a link leading out of the GIfTI file's folder; {policy}.")
    try:
        info = os.stat(target)
    except OSError as error:
        raise ImageLoadError(f"{where}, which cannot be found ({error.strerror}).") from None
    if not stat.S_ISREG(info.st_mode):
        raise ImageLoadError(f"{where}, which is not a regular file (a folder, device or pipe); {policy}.")
    try:
        start = int(offset) if offset else 0
    except ValueError:
        raise ImageLoadError(f"{where}: bad ExternalFileOffset {offset!r}.") from None
    if start < 0 or start + declared > info.st_size:
        raise ImageLoadError(
            f"{where}: it holds {info.st_size} bytes, but the array needs {declared} from byte "
            f"{start}; the external file is truncated or not the right one."
        )
