"""Loading and validation of every input kind brainview accepts.

One entry point per kind of input:

- :func:`load_image` — a 3-D image in world space: a path (``.nii``,
  ``.nii.gz``, ``.mgz``, anything nibabel reads), a nibabel image (so every
  nilearn Niimg-like), or an ``(array, affine)`` pair.
- :func:`load_surface` — a triangle mesh: a GIfTI or FreeSurfer geometry file,
  a ``(vertices, faces)`` pair, or a nilearn mesh object.
- :func:`load_surface_data` — one value per vertex: an array, a GIfTI/MGH file,
  a FreeSurfer morphometry file (``lh.sulc``, ``lh.thickness``...) or
  ``.label`` file (a vertex subset), or nilearn's ``PolyData``/``SurfaceImage``.
- :func:`load_surface_labels` — named, coloured regions per vertex: a
  FreeSurfer ``.annot`` or a GIfTI label file.

:func:`vtk_ready` is the one place data is made fit for VTK, which reads raw
memory: native byte order and a dtype VTK has, without a copy when the array
already is. :func:`load_image` applies it, so every :class:`Image` holds
VTK-ready data; :func:`brainview.geometry.volume.index_image` (the one place
numpy memory becomes ``vtkImageData``) applies it again to arrays that come
another way.

Examples
--------
>>> import numpy as np
>>> from brainview.io import load_image
>>> img = load_image((np.zeros((4, 5, 6)), np.eye(4)))
>>> img.shape
(4, 5, 6)
"""

from __future__ import annotations

import base64
import errno
import io
import gzip
import math
import os
import stat
import struct
import warnings
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .errors import (
    BrainviewError,
    BrainviewTypeError,
    BrainviewValueError,
    BrainviewWarning,
    ImageLoadError,
    MemoryBudgetError,
    describe,
)
from .limits import check_allocation, check_image_memory, format_bytes, max_bytes

__all__ = ["Image", "Surface", "SurfaceLabels", "load_image", "load_surface", "load_surface_data",
           "load_surface_labels", "read_gifti", "read_image_file", "vtk_ready"]

_IMAGE_KINDS = "a path to a NIfTI/MGH file, a nibabel image or an (array, affine) pair"

#: World coordinates (mm) beyond which a header is broken: no scanner sees a kilometre.
MAX_WORLD_MM = 1e6
#: Voxel sizes differing by more than this factor make a grid nothing can be drawn on.
MAX_VOXEL_SIZE_RATIO = 1e4
#: Bytes inflated and read per step: big enough to be fast, small enough to stop a bomb early.
_CHUNK = 1 << 20


@dataclass(frozen=True, eq=False)
class Image:
    """A 3-D array placed in world space (RAS+ millimetres) by its affine.

    ``data`` is VTK-ready (:func:`vtk_ready`: native byte order, a dtype VTK
    reads), shares the caller's memory whenever it already was, and is
    read-only here.

    Examples
    --------
    >>> import numpy as np
    >>> img = Image(np.zeros((2, 3, 4), dtype=np.float32), np.eye(4), "zeros")
    >>> img.world_bounds()
    (0.0, 1.0, 0.0, 2.0, 0.0, 3.0)
    """

    data: np.ndarray
    affine: np.ndarray
    name: str = "image"

    @property
    def shape(self):
        return self.data.shape

    @property
    def voxel_sizes(self):
        """Length in mm of one step along each voxel axis."""
        return np.linalg.norm(self.affine[:3, :3], axis=0)

    def world_bounds(self):
        """``(xmin, xmax, ymin, ymax, zmin, zmax)`` of the voxel centres, in mm."""
        corners = np.array(np.meshgrid(*[[0, n - 1] for n in self.shape], indexing="ij"))
        corners = corners.reshape(3, -1)
        world = self.affine[:3, :3] @ corners + self.affine[:3, 3:4]
        lo, hi = world.min(axis=1), world.max(axis=1)
        return tuple(float(v) for pair in zip(lo, hi) for v in pair)

    def to_world(self, ijk):
        """Voxel indices ``(n, 3)`` to world mm ``(n, 3)``."""
        ijk = np.asarray(ijk, dtype=float)
        return ijk @ self.affine[:3, :3].T + self.affine[:3, 3]

    def to_voxel(self, xyz):
        """World mm ``(n, 3)`` to fractional voxel indices ``(n, 3)``."""
        inverse = np.linalg.inv(self.affine)
        xyz = np.asarray(xyz, dtype=float)
        return xyz @ inverse[:3, :3].T + inverse[:3, 3]

    def value_at(self, xyz):
        """Value of the nearest voxel at each world coordinate; NaN outside.

        Examples
        --------
        >>> import numpy as np
        >>> img = Image(np.arange(8.0).reshape(2, 2, 2), np.eye(4))
        >>> img.value_at([[1, 1, 1], [5, 5, 5]]).tolist()
        [7.0, nan]
        """
        ijk = np.rint(self.to_voxel(np.atleast_2d(xyz))).astype(int)
        inside = np.all((ijk >= 0) & (ijk < np.array(self.shape)), axis=1)
        values = np.full(len(ijk), np.nan)
        i, j, k = ijk[inside].T
        values[inside] = self.data[i, j, k]
        return values


@dataclass(frozen=True, eq=False)
class Surface:
    """A triangle mesh in world mm: ``vertices (n, 3)`` float, ``faces (m, 3)`` int."""

    vertices: np.ndarray
    faces: np.ndarray
    name: str = "surface"

    @property
    def n_vertices(self):
        return len(self.vertices)


@dataclass(frozen=True, eq=False)
class SurfaceLabels:
    """Regions on a mesh: a label per vertex (-1: none), and each label's name and colour.

    ``colors`` maps a label to ``(r, g, b)`` in 0..1, as the file's colour table gives it.
    """

    values: np.ndarray
    names: dict
    colors: dict


# ----------------------------------------------------------------- images


def load_image(img, *, volume=None, name="img", kind=None):
    """Load any accepted image input as a 3-D :class:`Image`.

    Parameters
    ----------
    img : str, pathlib.Path, nibabel image or (array, affine)
        The image. Paths may be ``.nii``, ``.nii.gz``, ``.mgz`` or any format
        nibabel reads; a nilearn Niimg-like is a path or a nibabel image.
    volume : int, optional
        Index of the volume to take from a 4-D image. Required for 4-D inputs
        with more than one volume.
    name : str
        Parameter name used in error messages.
    kind : str, optional
        The layer kind the image is loaded for (a key of
        :data:`brainview.limits.LAYER_VOXEL_BYTES`): what that layer will
        allocate per voxel is checked against the memory budget with the
        loading itself, before anything is read or copied.

    Returns
    -------
    Image
        Data in native byte order and a VTK dtype (:func:`vtk_ready`; an
        in-memory array that already is one is not copied) and a 4×4 affine.

    Raises
    ------
    BrainviewTypeError
        ``img`` is none of the accepted kinds.
    BrainviewValueError
        The data is not 3-D (or 4-D with ``volume``), the affine is not an
        invertible 4×4 matrix, places voxels beyond ±1e6 mm or has voxel
        sizes differing by more than 1e4 times, or ``volume`` is out of range.
    ImageLoadError
        The file is missing, not a regular file, corrupt (a gzip CRC or
        length mismatch included) or truncated.
    MemoryBudgetError
        The data needs more memory than the budget (:func:`brainview.set_limits`).

    Examples
    --------
    >>> import numpy as np
    >>> load_image((np.ones((3, 3, 3, 2)), np.eye(4)), volume=1).shape
    (3, 3, 3)
    """
    if isinstance(img, Image):
        data, affine, label = img.data, img.affine, img.name
    elif isinstance(img, (str, os.PathLike)):
        data, affine, label = read_image_file(Path(img), name, kind=kind)
    elif isinstance(img, tuple) and len(img) == 2:
        data, affine, label = img[0], img[1], "array"
        if not isinstance(data, np.ndarray):
            raise BrainviewTypeError(
                f"{name}: the first element of an (array, affine) pair must be a "
                f"numpy array, got {describe(data)}."
            )
    elif hasattr(img, "dataobj") and hasattr(img, "affine"):
        filename = img.get_filename() if hasattr(img, "get_filename") else None
        data, affine = _read_dataobj(img, name, filename, kind)
        label = Path(filename).name if filename else type(img).__name__
    else:
        raise BrainviewTypeError(
            f"{name}: expected {_IMAGE_KINDS}, got {describe(img)}. "
            "Load it with nibabel.load(path) or pass (data, affine)."
        )
    affine = _check_affine(affine, name)
    data = _pick_volume(np.asanyarray(data), volume, name)
    _check_world_extent(affine, data.shape, name)
    if data.dtype != bool and (not np.issubdtype(data.dtype, np.number) or np.iscomplexobj(data)):
        raise BrainviewTypeError(_not_real_message(data.dtype, name, label))
    if not isinstance(img, (str, os.PathLike)) and not _read_from_proxy(img):
        _check_in_memory(data, name, kind)
    data = vtk_ready(data).view()
    data.flags.writeable = False
    return Image(data, affine, label)


def _not_real_message(dtype, name, label):
    """Why an image of ``dtype`` cannot be shown, naming the file it came from."""
    where = "the image" if label == "array" or label in name else f"'{label}'"
    if dtype.names:
        kind = "an RGB colour image" if set(dtype.names) >= {"R", "G", "B"} else "a record array"
        return (
            f"{name}: {where} is {kind} (dtype {dtype}, fields {', '.join(dtype.names)}); brainview "
            "shows volumes of real numbers only. Save one channel (data['R']) or a greyscale "
            "version as a new image and open that."
        )
    return f"{name}: {where}: image data must be real numbers, got dtype {dtype}."


def _read_from_proxy(img):
    """Whether :func:`load_image` read ``img``'s data from a file proxy (checked while reading)."""
    return hasattr(img, "dataobj") and not isinstance(img, tuple) and not isinstance(img.dataobj, np.ndarray)


def _check_in_memory(data, name, kind):
    """Check what brainview copies of an in-memory array (and what its layer allocates) fits the budget."""
    copy, itemsize = _conversion(None, data.dtype) if data.dtype != bool else (0, 1)
    check_image_memory(data.size * copy, what=f"{name}: the array of shape {data.shape}", kind=kind,
                       voxels=data.size, itemsize=itemsize)


#: Dtypes (itemsize per kind) that VTK reads directly.
_VTK_ITEMSIZES = {"u": (1, 2, 4, 8), "i": (1, 2, 4, 8), "f": (4, 8)}


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
    if dtype.kind not in _VTK_ITEMSIZES:
        return data  # refused with a named error by the caller (complex, objects, ...)
    if dtype.itemsize not in _VTK_ITEMSIZES[dtype.kind]:
        return data.astype(np.float32 if dtype.itemsize < 4 else np.float64)
    if not dtype.isnative:
        return data.astype(dtype.newbyteorder("="))
    return data


def read_image_file(path, name, *, kind=None):
    """``(data, affine, file name)`` of a NIfTI/MGH file, with every hostile-file guard.

    The data is read without a copy where the file allows (a memory map);
    ``name`` is the parameter named in errors; ``kind`` the layer it is read
    for (see :func:`load_image`). :func:`load_image` calls it;
    so does the app, which needs the array before choosing a role.

    Raises
    ------
    ImageLoadError
        Not a regular file, unreadable, or declaring more data than it holds.

    Examples
    --------
    >>> import os, tempfile, numpy as np, nibabel as nib
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "x.nii.gz"
    >>> nib.save(nib.Nifti1Image(np.zeros((2, 3, 4), np.float32), np.eye(4)), path)
    >>> data, affine, name = read_image_file(path, "img")
    >>> data.shape, name
    ((2, 3, 4), 'x.nii.gz')
    """
    import nibabel as nib

    _check_regular_file(path, name)
    if path.name.lower().endswith((".nii.gz", ".mgz", ".mgh.gz")):
        data, affine = _read_gzip_image(path, name, kind)
        return vtk_ready(data), affine, path.name
    else:
        try:
            img = nib.load(str(path))
        except Exception as error:  # nibabel raises many types for bad files
            raise ImageLoadError(
                f"{name}: could not read '{path}' as an image ({type(error).__name__}: {error}). "
                "Is it a NIfTI or MGH file?"
            ) from error
    data, affine = _read_dataobj(img, name, path, kind)
    return data, affine, path.name


def _check_regular_file(path, name):
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


def _read_gzip_image(path, name, kind=None):
    """``(data, affine)`` of a ``.nii.gz``/``.mgz``, inflated once, no further than its header declares.

    The compressed file is streamed and the header comes first, so a file
    declaring more than the memory budget (with what the layer ``kind`` will
    allocate on top) is refused before its data is inflated. The data is
    inflated straight into one buffer, which the returned array views: no
    copy of the compressed file, of the inflated bytes, or of the data. The
    rest of the stream is inflated (counted, not kept, past its first MiB) so
    that zlib checks every gzip member's CRC and length; a stream continuing
    well past what the header declares is refused rather than inflated.
    """
    what = f"{name}: '{path}'"
    try:
        with open(path, "rb") as stream:
            inflater = _GzipStream(stream)
            head = bytearray(540)
            head = head[: inflater.readinto(memoryview(head))]
            klass, (data_end, scaled, voxels, itemsize) = _image_header(bytes(head), path)
            check_image_memory(data_end + scaled, what=f"{what}: its data", kind=kind, voxels=voxels,
                               itemsize=8 if scaled else itemsize)
            buffer = bytearray(max(data_end, len(head)))
            buffer[: len(head)] = head
            filled = len(head) + inflater.readinto(memoryview(buffer)[len(head):])
            if filled < data_end:
                raise ImageLoadError(
                    f"{what}: the file is truncated: its header declares {data_end} bytes, "
                    f"the compressed stream holds {filled}."
                )
            tail = inflater.drain(max(data_end, _CHUNK), what)
    except zlib.error as error:
        raise ImageLoadError(
            f"{what}: the file is corrupt or truncated ({_zlib_reason(error)})."
        ) from error
    except BrainviewError:
        raise
    except MemoryError as error:
        raise _out_of_memory(name, f"'{path}'") from error
    try:
        img = klass.from_file_map(klass.make_file_map({"image": _Spliced(buffer, tail),
                                                       "header": _Spliced(buffer, tail)}))
        return _volumes_last(img, _buffer_array(img.dataobj, buffer)), img.affine
    except BrainviewError:
        raise
    except MemoryError as error:
        raise _out_of_memory(name, f"'{path}'") from error
    except Exception as error:
        raise ImageLoadError(
            f"{what}: could not read the image ({type(error).__name__}: {error}). "
            "The file is corrupt or truncated."
        ) from error


class _GzipStream:
    """A gzip file inflated on demand, member after member, read ``_CHUNK`` bytes at a time."""

    def __init__(self, stream):
        self._stream, self._inflater, self._pending = stream, zlib.decompressobj(31), b""

    def _inflate(self, limit):
        """Up to ``limit`` (> 0) inflated bytes; b"" after the last member's end."""
        while True:
            if self._inflater.eof and not self._next_member():
                return b""
            if not self._pending:
                self._pending = self._stream.read(_CHUNK)
                if not self._pending:
                    raise zlib.error("the compressed stream ends before its end-of-stream marker")
            chunk = self._inflater.decompress(self._pending, limit)
            self._pending = self._inflater.unconsumed_tail
            if chunk:
                return chunk

    def _next_member(self):
        following = self._inflater.unused_data
        while not following.strip(b"\0"):  # gzip allows zero padding after the last member
            following = self._stream.read(_CHUNK)
            if not following:
                return False
        self._inflater, self._pending = zlib.decompressobj(31), following
        return True

    def readinto(self, view):
        """Fill ``view`` with inflated bytes; the count filled (less at the end of the stream)."""
        filled = 0
        while filled < len(view):
            chunk = self._inflate(min(len(view) - filled, _CHUNK))
            if not chunk:
                break
            view[filled:filled + len(chunk)] = chunk
            filled += len(chunk)
        return filled

    def drain(self, limit, what):
        """Inflate the rest, every member to its end (zlib checks each CRC and length); keep 1 MiB."""
        kept, extra = [], 0
        while chunk := self._inflate(_CHUNK):
            extra += len(chunk)
            if extra > limit:
                raise ImageLoadError(
                    f"{what}: the compressed stream continues more than {format_bytes(limit)} "
                    "past the data its header declares; the file is corrupt (or a decompression "
                    "bomb) and is not read further."
                )
            if extra <= _CHUNK:
                kept.append(chunk)
        return b"".join(kept)


class _Spliced(io.RawIOBase):
    """A read-only file over the inflated buffer and what followed it, without joining them."""

    def __init__(self, buffer, tail):
        super().__init__()
        self._parts, self._pos = (memoryview(buffer), memoryview(tail)), 0
        self._size = len(buffer) + len(tail)

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self._pos

    def seek(self, offset, whence=0):
        self._pos = max(0, offset + {0: 0, 1: self._pos, 2: self._size}[whence])
        return self._pos

    def readinto(self, out):
        out, done = memoryview(out).cast("B"), 0
        first, second = self._parts
        while done < len(out) and self._pos < self._size:
            part, start = (first, 0) if self._pos < len(first) else (second, len(first))
            piece = part[self._pos - start: self._pos - start + len(out) - done]
            out[done:done + len(piece)] = piece
            done, self._pos = done + len(piece), self._pos + len(piece)
        return done


def _buffer_array(proxy, buffer):
    """The data of a nibabel array proxy over ``buffer``, scaled as nibabel does; unscaled, a view."""
    from nibabel.volumeutils import apply_read_scaling

    dtype = np.dtype(proxy.dtype)
    end = proxy.offset + math.prod(proxy.shape) * dtype.itemsize
    if proxy.offset < 0 or end > len(buffer):
        raise ValueError(f"the data ({proxy.offset}..{end}) lies outside the {len(buffer)} bytes read")
    raw = np.ndarray(proxy.shape, dtype, buffer=buffer, offset=proxy.offset, order=proxy.order)
    # As nibabel's ArrayProxy._get_scaled: the factors in the slope's dtype where they fit.
    slope, inter = np.asanyarray(proxy.slope), np.asanyarray(proxy.inter)
    if np.can_cast(inter, slope.dtype):
        inter = inter.astype(slope.dtype)
    return apply_read_scaling(raw, slope, inter)


def _zlib_reason(error):
    """zlib's words for a gzip trailer mismatch, in gzip's."""
    text = str(error)
    if "incorrect data check" in text:
        return "gzip CRC check failed"
    if "incorrect length check" in text:
        return "gzip length check failed"
    return f"{type(error).__name__}: {text}"


def _image_header(head, path):
    """The nibabel image class of a gzip image's first bytes, and its declared sizes."""
    import nibabel as nib

    if path.name.lower().endswith((".mgz", ".mgh.gz")):
        klass = nib.MGHImage
    else:
        sizes = {int.from_bytes(head[:4], "little"), int.from_bytes(head[:4], "big")}
        klass = nib.Nifti2Image if 540 in sizes else nib.Nifti1Image
    block = head[: klass.header_class.template_dtype.itemsize]
    try:
        return klass, _declared_image_bytes(klass, klass.header_class(block))
    except Exception as error:
        raise ImageLoadError(
            f"'{path}': not a valid {klass.__name__[:-5]} header ({type(error).__name__}: {error})."
        ) from error


def _declared_image_bytes(klass, header):
    """``(end of the data in the stream, bytes of its converted copy, voxels of a volume, their itemsize)``."""
    shape = [int(n) for n in header.get_data_shape()]
    count, dtype = math.prod(shape), header.get_data_dtype()
    first = klass.header_class.template_dtype.itemsize + (4 if "Nifti" in klass.__name__ else 0)
    data_end = max(int(header.get_data_offset()), first) + count * dtype.itemsize
    copy, itemsize = _conversion(header, dtype)
    return data_end, count * copy, math.prod(shape[:3]), itemsize


def _conversion(header, dtype):
    """``(bytes per voxel of the copy loading makes, itemsize of the loaded data)``.

    nibabel scales to float64 (a copy); :func:`vtk_ready` copies non-native
    byte orders and dtypes VTK lacks; anything else is used as read.
    """
    slope, inter = header.get_slope_inter() if hasattr(header, "get_slope_inter") else (None, None)
    if slope not in (None, 1) or inter not in (None, 0):
        return 8, 8
    size = dtype.itemsize
    if dtype.kind in _VTK_ITEMSIZES and size not in _VTK_ITEMSIZES[dtype.kind]:
        return (4, 4) if size < 4 else (8, 8)
    if dtype.kind in _VTK_ITEMSIZES and not dtype.isnative:
        return size, size
    return 0, size


def _check_declared_size(img, name, path, kind=None):
    """Refuse an image whose data, read, would take more memory than the budget allows."""
    if isinstance(img.dataobj, np.ndarray) or not hasattr(img, "header"):
        return  # already in memory
    try:
        shape = [int(n) for n in img.dataobj.shape]
        dtype = np.dtype(img.get_data_dtype())
    except Exception:  # an exotic proxy: nibabel reports what it cannot read
        return
    copy, itemsize = _conversion(img.header, dtype)
    count = math.prod(shape)
    where = f"'{path}'" if path else "the image"
    needed = count * (dtype.itemsize + copy)
    check_image_memory(needed, what=f"{name}: {where}: its data", kind=kind,
                       voxels=math.prod(shape[:3]), itemsize=itemsize)
    return needed


#: The old name, still imported by brainview/layers/_atlas_input.py (see tests/test_architecture.py's
#: KNOWN_OFFENDERS); delete it when that module imports ``read_image_file``.
_read_image_file = read_image_file


def _read_dataobj(img, name, path, kind=None):
    needed = _check_declared_size(img, name, path, kind)
    where = f"'{path}'" if path else "the image"
    try:
        data = vtk_ready(_volumes_last(img, np.asanyarray(img.dataobj)))
    except BrainviewError:
        raise
    except Exception as error:  # truncated gzip streams surface here
        if _is_out_of_memory(error):
            raise _out_of_memory(name, where, needed, error) from error
        raise ImageLoadError(
            f"{name}: could not read the data of {where} ({type(error).__name__}: {error}). "
            "The file is corrupt or truncated."
        ) from error
    return data, img.affine


def _is_out_of_memory(error):
    """Whether reading failed for want of memory (a ulimit makes mmap fail with ENOMEM)."""
    return isinstance(error, MemoryError) or (isinstance(error, OSError) and error.errno == errno.ENOMEM)


def _out_of_memory(name, where, needed=None, error=None):
    """The error for memory the process could not get, though the budget allowed it."""
    estimate = f", which needs about {format_bytes(needed)}" if needed else ""
    reason = f" ({type(error).__name__}: {error})" if error is not None and str(error) else ""
    return MemoryBudgetError(
        f"{name}: this machine ran out of memory reading the data of {where}{estimate}{reason}: "
        f"the memory this process may use (a ulimit, a container limit, other programs) is below "
        f"brainview's memory budget of {format_bytes(max_bytes())}. Set "
        "bv.set_limits(max_bytes=...) to what this process may use, close other programs, or "
        "load a smaller image."
    )


def _volumes_last(img, data):
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


def _check_affine(affine, name):
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


def _check_world_extent(affine, shape, name):
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


def _pick_volume(data, volume, name):
    if data.ndim == 4 and data.shape[3] == 1 and volume in (None, 0):
        return data[..., 0]
    if data.ndim == 4:
        if volume is None:
            raise BrainviewValueError(
                f"{name}: got a 4-D image of shape {data.shape}; brainview shows one "
                f"3-D volume at a time. Pass volume=<index in 0..{data.shape[3] - 1}> "
                "or select it first with nilearn.image.index_img(img, index)."
            )
        if not isinstance(volume, (int, np.integer)) or not 0 <= volume < data.shape[3]:
            raise BrainviewValueError(
                f"volume: must be an integer in 0..{data.shape[3] - 1} for {name} of "
                f"shape {data.shape}, got {volume!r}."
            )
        return data[..., volume]
    if volume is not None:
        raise BrainviewValueError(
            f"volume: only 4-D images have volumes to pick, but {name} has shape {data.shape}. "
            "Leave volume=None."
        )
    if data.ndim != 3:
        raise BrainviewValueError(
            f"{name}: expected a 3-D image, got {data.ndim}-D data of shape {data.shape}. "
            "A 2-D array has no depth to show in 3-D; stack slices into a volume first."
        )
    if min(data.shape) < 1:
        raise BrainviewValueError(f"{name}: the image is empty (shape {data.shape}).")
    return data


def all_finite(data):
    """Whether every value of a float array is finite, without a mask of the whole array.

    NaN propagates through ``min`` and an infinity is the minimum or the
    maximum, so two reductions answer it allocating nothing.

    Examples
    --------
    >>> import numpy as np
    >>> all_finite(np.array([1.0, 2.0])), all_finite(np.array([1.0, np.inf]))
    (True, False)
    """
    if not data.size:
        return True
    return bool(np.isfinite(data.min()) and np.isfinite(data.max()))


def finite_data(image, *, name="img", fill=None):
    """The image data with NaN/inf replaced, and a warning counting them.

    Returns the data unchanged (no copy) when every value is finite.

    Parameters
    ----------
    image : Image
    name : str
        Parameter name used in the warning.
    fill : float, optional
        Replacement value; defaults to one below the smallest finite value,
        so non-finite voxels sit under every threshold and render transparent.

    Examples
    --------
    >>> import numpy as np, warnings
    >>> img = load_image((np.array([[[1.0, np.nan]]]), np.eye(4)))
    >>> with warnings.catch_warnings(record=True):
    ...     finite_data(img).tolist()
    [[[1.0, 0.0]]]
    """
    data = image.data
    if not np.issubdtype(data.dtype, np.floating) or all_finite(data):
        return data
    bad = ~np.isfinite(data)
    count = int(np.count_nonzero(bad))
    good = data[~bad]
    if fill is None:
        fill = float(good.min()) - 1.0 if good.size else 0.0
    warnings.warn(
        f"{name}: {count} of {data.size} voxels are NaN or infinite; they are shown as "
        "transparent (empty). Replace them yourself, e.g. np.nan_to_num, to choose otherwise.",
        BrainviewWarning,
        stacklevel=3,
    )
    return np.where(bad, np.asarray(fill, dtype=data.dtype), data)


# --------------------------------------------------------------- surfaces


def load_surface(surf, *, hemi=None, name="surf"):
    """Load a triangle mesh as a :class:`Surface`.

    Parameters
    ----------
    surf : str, pathlib.Path, (vertices, faces) or nilearn mesh
        A GIfTI file (``.gii``/``.gii.gz``), a FreeSurfer geometry file
        (``lh.pial``, ``rh.white``, ...), a pair of arrays ``(n, 3)`` float and
        ``(m, 3)`` int, any object with ``coordinates`` and ``faces``
        (nilearn's ``InMemoryMesh``/``FileMesh``), a nilearn ``PolyMesh``
        (``load_fsaverage()["pial"]``) or the mesh of a ``SurfaceImage``.
    hemi : {"left", "right"}, optional
        The part of a ``PolyMesh`` or ``SurfaceImage`` to take; needed when it
        has both.
    name : str
        Parameter name used in error messages.

    Examples
    --------
    >>> import numpy as np
    >>> s = load_surface((np.eye(3), np.array([[0, 1, 2]])))
    >>> s.n_vertices
    3
    """
    if isinstance(surf, Surface):
        return surf
    if hasattr(surf, "mesh") and hasattr(surf, "data"):  # nilearn SurfaceImage
        surf = surf.mesh
    if hasattr(surf, "parts") and isinstance(surf.parts, dict):  # nilearn PolyMesh
        part = _pick_part(surf.parts, hemi, name)
        return replace(load_surface(surf.parts[part], name=name), name=f"{type(surf).__name__} {part}")
    if isinstance(surf, (str, os.PathLike)):
        vertices, faces = _read_surface_file(Path(surf), name)
        label = Path(surf).name
    elif isinstance(surf, tuple) and len(surf) == 2:
        vertices, faces = surf
        label = "mesh"
    elif hasattr(surf, "coordinates") and hasattr(surf, "faces"):
        vertices, faces = surf.coordinates, surf.faces
        label = type(surf).__name__
    else:
        raise BrainviewTypeError(
            f"{name}: expected a GIfTI/FreeSurfer surface path, a (vertices, faces) pair, "
            f"a mesh with .coordinates and .faces or a nilearn PolyMesh/SurfaceImage, "
            f"got {describe(surf)}."
        )
    vertices = np.asarray(vertices, dtype=float)  # native float64, whatever the file's byte order
    faces = vtk_ready(np.asarray(faces))
    if vertices.ndim != 2 or vertices.shape[1] != 3:
        raise BrainviewValueError(
            f"{name}: vertices must have shape (n, 3), got {vertices.shape}."
        )
    if faces.ndim != 2 or faces.shape[1] != 3 or not np.issubdtype(faces.dtype, np.integer):
        raise BrainviewValueError(
            f"{name}: faces must be integers of shape (m, 3), got {describe(faces)}."
        )
    _check_vertex_extent(vertices, name)
    if faces.size and (faces.min() < 0 or faces.max() >= len(vertices)):
        raise BrainviewValueError(
            f"{name}: faces index vertices 0..{len(vertices) - 1}, but contain "
            f"{faces.min()}..{faces.max()}."
        )
    return Surface(vertices, faces, label)


def _check_vertex_extent(vertices, name):
    """Refuse vertices beyond ±1e6 mm: a broken file, nothing a camera can frame."""
    magnitude = np.abs(vertices)
    worst = float(magnitude[magnitude <= np.finfo(float).max].max(initial=0.0))
    if worst > MAX_WORLD_MM:
        raise BrainviewValueError(
            f"{name}: a vertex lies {worst:.3g} mm from the origin, beyond ±{MAX_WORLD_MM:g} mm; "
            "the coordinates are broken (or not in mm)."
        )


def _pick_part(parts, hemi, name, *, allow_both=False):
    """The key of nilearn's ``parts`` dict (``PolyMesh``, ``PolyData``) that ``hemi`` names."""
    choices = list(parts) + (["both"] if allow_both and len(parts) > 1 else [])
    if hemi is None and len(parts) == 1:
        return next(iter(parts))
    if hemi not in choices:
        raise BrainviewValueError(
            f"hemi: {name} has the parts {', '.join(map(repr, parts))}; pass hemi= one of "
            f"{', '.join(map(repr, choices))}, got {hemi!r}."
        )
    return hemi


def _read_surface_file(path, name):
    import nibabel as nib

    _check_regular_file(path, name)
    try:
        if path.name.endswith((".gii", ".gii.gz")):
            gii = read_gifti(path, name)
            pointset = gii.agg_data("NIFTI_INTENT_POINTSET")
            triangles = gii.agg_data("NIFTI_INTENT_TRIANGLE")
            if pointset is None or triangles is None or not len(pointset):
                raise ImageLoadError(
                    f"{name}: could not read '{path}' as a surface: it has no POINTSET and "
                    "TRIANGLE arrays (per-vertex data is drawn with overlay=)."
                )
            return pointset, triangles
        _check_freesurfer_geometry(path, name)
        vertices, faces = nib.freesurfer.read_geometry(str(path))
        return vertices, faces
    except BrainviewError:
        raise
    except Exception as error:
        raise ImageLoadError(
            f"{name}: could not read '{path}' as a surface ({type(error).__name__}: {error}). "
            "Expected a GIfTI mesh or a FreeSurfer geometry file."
        ) from error


def read_gifti(path, name="file"):
    """A nibabel GIfTI image, read only after every byte of its XML has been vetted.

    Refused: entity declarations, external data in a compressed file, more
    data than the file holds; ``name`` is the parameter named in errors.

    Examples
    --------
    >>> import tempfile, numpy as np, nibabel as nib
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "x.func.gii"
    >>> array = nib.gifti.GiftiDataArray(np.arange(4, dtype=np.float32))
    >>> nib.save(nib.gifti.GiftiImage(darrays=[array]), path)
    >>> read_gifti(path).agg_data().tolist()
    [0.0, 1.0, 2.0, 3.0]
    """
    import nibabel as nib

    _check_regular_file(path, name)
    compressed = path.name.lower().endswith(".gz")
    scan = _GiftiScan(path, name, external_allowed=not compressed)
    try:
        if compressed:
            with gzip.open(path, "rb") as stream:  # checks CRC and length at the end
                xml = scan.read(stream)
            return nib.gifti.GiftiImage.from_bytes(xml)
        with open(path, "rb") as stream:
            scan.read(stream, keep=False)
        return nib.load(str(path))
    except BrainviewError:
        raise
    except (OSError, EOFError, zlib.error) as error:
        raise ImageLoadError(
            f"{name}: '{path}': the file is corrupt or truncated ({type(error).__name__}: {error})."
        ) from error


#: XML outside the data arrays' own text (tags, metadata, label tables) a GIfTI file may hold.
_GIFTI_OTHER_BYTES = 64 * 2**20


class _GiftiScan:
    """Streams a GIfTI document through expat before nibabel decodes it.

    nibabel inflates payloads and follows external file names unbounded; this
    pass sees each ``DataArray``'s declared size first, so it refuses
    (a) entity declarations ("billion laughs"), (b) arrays over the memory
    budget, (c) XML longer than its declared arrays could need (a
    decompression bomb stops within a chunk of that), (d) gzip payloads
    inflating past their declared size, and (e) external data files outside
    the path policy (:func:`_check_external_file`).
    """

    def __init__(self, path, name, *, external_allowed):
        from xml.parsers import expat

        self.path, self.name, self.external_allowed = path, name, external_allowed
        self.what = f"{name}: '{path}'"
        self.parser = expat.ParserCreate()
        self.parser.buffer_text = True
        self.parser.EntityDeclHandler = self._refuse_entity
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.allowance = _GIFTI_OTHER_BYTES
        self.declared = 0
        self.size = 0
        self.array = None  # (index, encoding, declared bytes) of the open DataArray
        self.n_arrays = 0
        self.payload = None  # text of a GZipBase64Binary Data element, while open

    def read(self, stream, *, keep=True):
        """Feed the stream through the scan; the bytes, when ``keep``."""
        from xml.parsers import expat

        chunks = []
        try:
            while chunk := stream.read(_CHUNK):
                self.size += len(chunk)
                self.parser.Parse(chunk, False)
                if self.size > self.allowance:
                    raise ImageLoadError(
                        f"{self.what}: the XML runs past {format_bytes(self.allowance)}, more than "
                        f"its {self.n_arrays} data arrays declare ({format_bytes(self.declared)}); "
                        "the file is corrupt (or a decompression bomb) and is not read further."
                    )
                if keep:
                    chunks.append(chunk)
            self.parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise ImageLoadError(f"{self.what}: not valid GIfTI XML ({error}).") from error
        return b"".join(chunks)

    def _refuse_entity(self, entity, *args):
        raise ImageLoadError(
            f"{self.what}: the XML declares the entity {entity!r}; GIfTI files have none, and "
            "entities can expand without bound, so brainview does not read it."
        )

    def _start(self, tag, attrs):
        if tag == "DataArray":
            self._start_array(attrs)
        elif tag == "Data" and self.array and self.array[1] == "GZipBase64Binary":
            self.payload = []

    def _start_array(self, attrs):
        from nibabel.nifti1 import data_type_codes

        index = self.n_arrays
        self.n_arrays += 1
        where = f"{self.what}: DataArray {index}"
        try:
            n_dims = int(attrs.get("Dimensionality", 0))
            dims = [int(attrs[f"Dim{i}"]) for i in range(min(n_dims, 8)) if f"Dim{i}" in attrs]
            itemsize = np.dtype(data_type_codes.dtype[attrs["DataType"]]).itemsize
        except (KeyError, ValueError, TypeError) as error:
            raise ImageLoadError(
                f"{where}: bad Dimensionality, Dim or DataType attribute ({error!r})."
            ) from error
        if not 0 <= n_dims <= 8 or any(d < 0 for d in dims):
            raise ImageLoadError(f"{where}: bad dimensions {n_dims}, {dims}.")
        declared = math.prod(dims) * itemsize
        self.declared += declared
        # The decoded bytes and nibabel's array of them.
        check_allocation(2 * self.declared, f"{where}: its data")
        encoding = attrs.get("Encoding", "ASCII")
        self.allowance += _gifti_text_bound(encoding, declared, math.prod(dims))
        if encoding == "ExternalFileBinary":
            if not self.external_allowed:
                raise ImageLoadError(
                    f"{where}: external data ({attrs.get('ExternalFileName')!r}) is read only "
                    "for an uncompressed .gii next to its data file."
                )
            _check_external_file(self.path, attrs.get("ExternalFileName", ""),
                                 attrs.get("ExternalFileOffset", ""), declared, self.name)
        self.array = (index, encoding, declared)

    def _text(self, text):
        if self.payload is not None:
            self.payload.append(text)

    def _end(self, tag):
        if tag == "Data" and self.payload is not None:
            self._check_payload("".join(self.payload))
            self.payload = None
        elif tag == "DataArray":
            self.array = None

    def _check_payload(self, text):
        """Inflate a gzip payload no further than one byte past its declared size."""
        index, _, declared = self.array
        try:
            inflated = zlib.decompressobj().decompress(base64.b64decode(text.encode("ascii")),
                                                       declared + 1)
        except (ValueError, zlib.error) as error:  # binascii.Error is a ValueError
            raise ImageLoadError(
                f"{self.what}: DataArray {index}: its compressed data is corrupt ({error})."
            ) from error
        if len(inflated) > declared:
            raise ImageLoadError(
                f"{self.what}: DataArray {index}: its compressed data inflates past the "
                f"{declared} bytes its dimensions declare; the file is corrupt (or a "
                "decompression bomb) and is not read further."
            )


def _gifti_text_bound(encoding, declared, count):
    """Most XML bytes a data array of ``declared`` bytes (``count`` values) can take."""
    slack = 4096  # the element's tags, attributes and line breaks
    if encoding == "ASCII":
        return 48 * count + slack  # "-1.2345678901234567e-123 " and generous spacing
    if encoding in ("Base64Binary", "GZipBase64Binary"):
        # base64 (4/3) of the data, or of its deflate stream (never much longer), plus line breaks.
        return 3 * declared // 2 + 4 * (declared // 1000) + slack
    return slack


def _check_external_file(gii_path, external, offset, declared, name):
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


def load_surface_data(data, *, n_vertices=None, hemi=None, name="overlay"):
    """Load one value per vertex as a 1-D float array.

    Parameters
    ----------
    data : array-like, str, pathlib.Path or nilearn surface data
        Values; a GIfTI (``.gii``/``.gii.gz``), MGH/MGZ or FreeSurfer
        morphometry file (``lh.sulc``, ``lh.thickness``, ``lh.curv``...); a
        FreeSurfer ``.label`` file (a vertex subset: 1 on its vertices, NaN
        elsewhere, so only the subset is drawn; needs ``n_vertices``); or a
        nilearn ``PolyData`` or ``SurfaceImage`` (its data).
    n_vertices : int, optional
        The vertex count of the mesh the data belongs to; checked.
    hemi : {"left", "right", "both"}, optional
        The part of a ``PolyData``/``SurfaceImage`` to take (``"both"``: left
        then right); needed when it has both.
    name : str
        Parameter name used in error messages.

    Examples
    --------
    >>> load_surface_data([1, 2, 3], n_vertices=3).tolist()
    [1.0, 2.0, 3.0]
    """
    if hasattr(data, "mesh") and hasattr(data, "data"):  # nilearn SurfaceImage
        data = data.data
    if hasattr(data, "parts") and isinstance(data.parts, dict):  # nilearn PolyData
        part = _pick_part(data.parts, hemi, name, allow_both=True)
        keys = list(data.parts) if part == "both" else [part]
        values = np.concatenate([np.asarray(data.parts[key], dtype=float) for key in keys])
    elif isinstance(data, (str, os.PathLike)) and str(data).endswith(".label"):
        values = _read_label_file(Path(data), n_vertices, name)
    elif isinstance(data, (str, os.PathLike)) and _is_label_table_file(Path(data)):
        raise BrainviewValueError(
            f"{name}: '{Path(data).name}' holds named regions, not values; it is drawn in its "
            "own colours by brainview.surface(mesh, overlay=path) "
            "(see brainview.io.load_surface_labels)."
        )
    elif isinstance(data, (str, os.PathLike)):
        values = _read_surface_data_file(Path(data), name)
    else:
        try:
            values = np.asarray(data, dtype=float)
        except (TypeError, ValueError) as error:
            raise BrainviewTypeError(
                f"{name}: expected one number per vertex (array or file path), got "
                f"{describe(data)}."
            ) from error
    values = np.squeeze(values)
    if values.ndim != 1:
        raise BrainviewValueError(
            f"{name}: expected one value per vertex (1-D), got shape {values.shape}."
        )
    if n_vertices is not None and len(values) != n_vertices:
        raise BrainviewValueError(
            f"{name}: has {len(values)} values but the mesh has {n_vertices} vertices. "
            "Pass the overlay computed on this mesh (same hemisphere and resolution)."
        )
    return values


def _read_surface_data_file(path, name):
    import nibabel as nib

    _check_regular_file(path, name)
    if path.name.endswith((".mgh", ".mgz", ".nii", ".nii.gz")):
        return np.asarray(read_image_file(path, name)[0], dtype=float)
    try:
        if path.name.endswith((".gii", ".gii.gz")):
            return np.asarray(read_gifti(path, name).agg_data(), dtype=float)
        _check_freesurfer_morph(path, name)
        return np.asarray(nib.freesurfer.read_morph_data(str(path)), dtype=float)
    except BrainviewError:
        raise
    except Exception as error:
        raise ImageLoadError(
            f"{name}: could not read '{path}' as per-vertex data "
            f"({type(error).__name__}: {error})."
        ) from error


_TRIANGLE_MAGIC, _QUAD_MAGIC, _NEW_QUAD_MAGIC = 0xFFFFFE, 0xFFFFFF, 0xFFFFFD


def _check_freesurfer_geometry(path, name):
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


def _check_freesurfer_morph(path, name):
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


def _read_label_file(path, n_vertices, name):
    """A FreeSurfer ``.label`` file: 1.0 on its vertices, NaN elsewhere."""
    import nibabel as nib

    if not path.exists():
        raise ImageLoadError(f"{name}: file not found: '{path}'. Check the path.")
    if n_vertices is None:
        raise BrainviewValueError(
            f"{name}: '{path.name}' lists a subset of a mesh's vertices; the mesh's vertex "
            "count is needed to place it. Pass it with the mesh, e.g. brainview.surface(mesh, overlay=path)."
        )
    try:
        vertices = np.asarray(nib.freesurfer.read_label(str(path)), dtype=np.int64)
    except Exception as error:
        raise ImageLoadError(
            f"{name}: could not read '{path}' as a FreeSurfer label "
            f"({type(error).__name__}: {error})."
        ) from error
    if vertices.size and (vertices.min() < 0 or vertices.max() >= n_vertices):
        raise BrainviewValueError(
            f"{name}: '{path.name}' names vertices {vertices.min()}..{vertices.max()}, but the "
            f"mesh has {n_vertices} vertices. Pass the label made on this mesh (same subject, "
            "hemisphere and resolution)."
        )
    values = np.full(n_vertices, np.nan)
    values[vertices] = 1.0
    return values


def _is_label_table_file(path):
    """A FreeSurfer ``.annot`` or a GIfTI whose data are labels (``NIFTI_INTENT_LABEL``)."""
    if path.name.endswith(".annot"):
        return True
    if not path.name.endswith((".gii", ".gii.gz")) or not path.exists():
        return False
    try:
        gii = read_gifti(path)
    except Exception:  # unreadable (or refused): the data reader reports it
        return False
    return bool(gii.darrays) and gii.darrays[0].intent == 1002  # NIFTI_INTENT_LABEL


def load_surface_labels(labels, *, n_vertices=None, name="overlay"):
    """Named, coloured regions per vertex from a FreeSurfer ``.annot`` or GIfTI label file.

    Parameters
    ----------
    labels : str or pathlib.Path
        ``lh.aparc.annot`` and the like, or a GIfTI label file
        (``*.label.gii``, ``rh.aparc.annot.gii``).
    n_vertices : int, optional
        The vertex count of the mesh the labels belong to; checked.
    name : str
        Parameter name used in error messages.

    Returns
    -------
    SurfaceLabels or None
        None when the file holds values rather than labels.

    Examples
    --------
    >>> from pathlib import Path
    >>> import nibabel
    >>> path = Path(nibabel.__file__).parent / "gifti/tests/data/rh.aparc.annot.gii"
    >>> regions = load_surface_labels(path)
    >>> sorted(regions.names.values())[:2], len(regions.values)
    (['bankssts', 'caudalanteriorcingulate'], 151533)
    """
    if not isinstance(labels, (str, os.PathLike)) or not _is_label_table_file(Path(labels)):
        return None
    path = Path(labels)
    try:
        if path.name.endswith(".annot"):
            regions = _read_annot(path)
        else:
            regions = _read_gifti_labels(path)
    except BrainviewError:
        raise
    except Exception as error:
        raise ImageLoadError(
            f"{name}: could not read '{path}' as surface labels ({type(error).__name__}: {error})."
        ) from error
    if n_vertices is not None and len(regions.values) != n_vertices:
        raise BrainviewValueError(
            f"{name}: '{path.name}' labels {len(regions.values)} vertices but the mesh has "
            f"{n_vertices}. Pass the labels made on this mesh (same hemisphere and resolution)."
        )
    return regions


def _read_annot(path):
    import nibabel as nib

    values, table, names = nib.freesurfer.read_annot(str(path))
    # read_annot gives each vertex its row in the colour table (-1: no label).
    return SurfaceLabels(
        values=np.asarray(values, dtype=np.int64),
        names={row: _text(label) for row, label in enumerate(names)},
        colors={row: tuple(float(c) / 255 for c in table[row, :3]) for row in range(len(names))},
    )


def _read_gifti_labels(path):
    gii = read_gifti(path, "overlay")
    table = gii.labeltable.labels
    return SurfaceLabels(
        values=np.asarray(gii.darrays[0].data, dtype=np.int64).ravel(),
        names={int(entry.key): _text(entry.label) for entry in table},
        colors={int(entry.key): tuple(float(c) for c in entry.rgba[:3]) for entry in table},
    )


def _text(label):
    return label.decode() if isinstance(label, bytes) else str(label)
