"""Streamed reading of ``.nii.gz`` and ``.mgz`` files: header first, data inflated once.

:func:`read_gzip_image` inflates the header, checks what it declares against
the memory budget, then inflates the data straight into one buffer that the
returned array views, and checks every gzip member's CRC and length without
inflating past what the header declares (a decompression bomb stops early).

Examples
--------
>>> import tempfile, numpy as np, nibabel as nib
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "x.nii.gz"
>>> nib.save(nib.Nifti1Image(np.arange(24, dtype=np.int16).reshape(2, 3, 4), np.eye(4)), path)
>>> data, affine = read_gzip_image(path, "img")
>>> data.shape, int(data[1, 2, 3])
((2, 3, 4), 23)
"""

from __future__ import annotations

import io
import math
import zlib

import numpy as np

from ..errors import BrainviewError, ImageLoadError
from ..limits import check_image_memory, format_bytes
from .arrays import copy_per_voxel, volumes_last
from .guards import CHUNK, out_of_memory

__all__ = ["read_gzip_image"]

def read_gzip_image(path, name, kind=None):
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
            tail = inflater.drain(max(data_end, CHUNK), what)
    except zlib.error as error:
        raise ImageLoadError(
            f"{what}: the file is corrupt or truncated ({_zlib_reason(error)})."
        ) from error
    except BrainviewError:
        raise
    except MemoryError as error:
        raise out_of_memory(name, f"'{path}'") from error
    try:
        img = klass.from_file_map(klass.make_file_map({"image": _Spliced(buffer, tail),
                                                       "header": _Spliced(buffer, tail)}))
        return volumes_last(img, _buffer_array(img.dataobj, buffer)), img.affine
    except BrainviewError:
        raise
    except MemoryError as error:
        raise out_of_memory(name, f"'{path}'") from error
    except Exception as error:
        raise ImageLoadError(
            f"{what}: could not read the image ({type(error).__name__}: {error}). "
            "The file is corrupt or truncated."
        ) from error


class _GzipStream:
    """A gzip file inflated on demand, member after member, read ``CHUNK`` bytes at a time."""

    def __init__(self, stream):
        self._stream, self._inflater, self._pending = stream, zlib.decompressobj(31), b""

    def _inflate(self, limit):
        """Up to ``limit`` (> 0) inflated bytes; b"" after the last member's end."""
        while True:
            if self._inflater.eof and not self._next_member():
                return b""
            if not self._pending:
                self._pending = self._stream.read(CHUNK)
                if not self._pending:
                    raise zlib.error("the compressed stream ends before its end-of-stream marker")
            chunk = self._inflater.decompress(self._pending, limit)
            self._pending = self._inflater.unconsumed_tail
            if chunk:
                return chunk

    def _next_member(self):
        following = self._inflater.unused_data
        while not following.strip(b"\0"):  # gzip allows zero padding after the last member
            following = self._stream.read(CHUNK)
            if not following:
                return False
        self._inflater, self._pending = zlib.decompressobj(31), following
        return True

    def readinto(self, view):
        """Fill ``view`` with inflated bytes; the count filled (less at the end of the stream)."""
        filled = 0
        while filled < len(view):
            chunk = self._inflate(min(len(view) - filled, CHUNK))
            if not chunk:
                break
            view[filled:filled + len(chunk)] = chunk
            filled += len(chunk)
        return filled

    def drain(self, limit, what):
        """Inflate the rest, every member to its end (zlib checks each CRC and length); keep 1 MiB."""
        kept, extra = [], 0
        while chunk := self._inflate(CHUNK):
            extra += len(chunk)
            if extra > limit:
                raise ImageLoadError(
                    f"{what}: the compressed stream continues more than {format_bytes(limit)} "
                    "past the data its header declares; the file is corrupt (or a decompression "
                    "bomb) and is not read further."
                )
            if extra <= CHUNK:
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
    copy, itemsize = copy_per_voxel(header, dtype)
    return data_end, count * copy, math.prod(shape[:3]), itemsize
