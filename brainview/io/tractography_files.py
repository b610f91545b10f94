"""Tractography files: TCK, TRK (either gzipped), TRX and VTK lines, read with guards.

:func:`read_streamline_file` is what :func:`brainview.io.tractography.read_streamlines`
calls for a path. Per format:

- ``.tck`` (MRtrix, RAS+ mm by definition): read here, as nibabel's
  ``TckFile`` reads it (same header rules, same points, empty streamlines
  skipped), but vectorised: the points are copied once, from a memory map
  of the file, into the float32 array returned; no per-streamline loop.
- ``.trk`` (TrackVis): nibabel's ``TrkFile``, which maps the ``voxmm``
  points to RAS+ mm through the header; the file is read through a wrapper
  that never lets a declared count ask for more bytes than the file has.
- ``.trk.gz``/``.tck.gz``: inflated once into memory, no further than the
  memory budget (a decompression bomb stops there), then read as above.
- ``.trx``: trx-python (the extra ``brainview[trx]``); positions are RAS+ mm.
- ``.vtk``/``.vtp``: VTK's polydata readers (data readers only); the lines'
  points are taken as stored, as RAS+ mm (dipy and most tools write them so),
  or as voxel coordinates of ``reference`` when it is given. Declared counts
  are checked against the file and the budget before VTK allocates them.

Examples
--------
>>> import os, tempfile, numpy as np, nibabel as nib
>>> path = os.path.join(tempfile.mkdtemp(), "two.tck")
>>> t = nib.streamlines.Tractogram([np.zeros((2, 3)), np.ones((3, 3))], affine_to_rasmm=np.eye(4))
>>> nib.streamlines.save(t, path)
>>> read_streamline_file(path).offsets.tolist()
[0, 2, 5]
"""

from __future__ import annotations

import gzip
import io
import mmap
import os
import re
import zlib
from pathlib import Path

import numpy as np

from ..errors import BrainviewError, ImageLoadError
from ..limits import check_allocation, format_bytes, max_bytes
from .guards import CHUNK, check_regular_file, is_out_of_memory, out_of_memory
from .streamline_data import from_tractogram, pack_arrays, refuse_reference, sequence_parts

__all__ = ["read_streamline_file", "TRACTOGRAM_SUFFIXES", "TRACTOGRAM_FORMATS"]

#: File name endings read as tractograms.
TRACTOGRAM_SUFFIXES = (".trk", ".tck", ".trk.gz", ".tck.gz", ".trx", ".vtk", ".vtp")

#: The formats, as error messages name them.
TRACTOGRAM_FORMATS = ("TrackVis .trk, MRtrix .tck (either may be gzipped: .trk.gz, .tck.gz), "
                      "TRX .trx (needs brainview[trx]) and VTK polydata lines .vtk/.vtp")

_IMAGE_SUFFIXES = (".nii", ".nii.gz", ".mgz", ".mgh", ".hdr", ".img", ".mnc")
_SURFACE_SUFFIXES = (".gii", ".gii.gz")

_TCK_MAGIC = b"mrtrix tracks"
#: The longest TCK header read: MRtrix headers (with their command history) are a few KiB.
_TCK_HEADER_MAX = 1 << 20
_TCK_ROWS = 1 << 16


def _suffix(path):
    name = path.name.lower()
    return next((s for s in sorted(TRACTOGRAM_SUFFIXES + _IMAGE_SUFFIXES + _SURFACE_SUFFIXES,
                                   key=len, reverse=True) if name.endswith(s)), path.suffix.lower())


def read_streamline_file(path, *, reference=None, name="tracts"):
    """:class:`~brainview.io.tractography.StreamlineData` of a tractography file, in RAS+ mm.

    Examples
    --------
    >>> read_streamline_file("brain.nii.gz")
    Traceback (most recent call last):
    ...
    brainview.errors.ImageLoadError: tracts: 'brain.nii.gz' is an image, not a tractogram...
    """
    path = Path(path)
    suffix = _suffix(path)
    if suffix in _IMAGE_SUFFIXES:
        raise ImageLoadError(
            f"{name}: '{path}' is an image, not a tractogram; draw it with bv.stat_map, "
            f"bv.volume or bv.slices. Streamlines are read from {TRACTOGRAM_FORMATS}."
        )
    if suffix in _SURFACE_SUFFIXES:
        raise ImageLoadError(
            f"{name}: '{path}' is a surface, not a tractogram; draw it with bv.surface. "
            f"Streamlines are read from {TRACTOGRAM_FORMATS}."
        )
    if suffix not in TRACTOGRAM_SUFFIXES:
        raise ImageLoadError(
            f"{name}: '{path}' has the extension {suffix or '(none)'!r}, not a tractography "
            f"format; brainview reads {TRACTOGRAM_FORMATS}."
        )
    if suffix == ".trx":
        refuse_reference(reference, "a TRX file", name)
        return _read_trx(path, name)
    check_regular_file(path, name)
    if suffix in (".vtk", ".vtp"):
        return _read_vtk(path, suffix, reference, name)
    refuse_reference(reference, f"a {suffix} file", name)
    try:
        if suffix.endswith(".gz"):
            data = _inflate(path, name)
            return _read_tck(data, path, name) if suffix == ".tck.gz" else _read_trk(data, path, name)
        if suffix == ".tck":
            return _read_tck(None, path, name)
        return _read_trk(None, path, name)
    except BrainviewError:
        raise
    except Exception as error:
        if is_out_of_memory(error):
            raise out_of_memory(name, f"'{path}'", error=error) from error
        raise


def _not_a(path, kind, name, detail):
    """The error for a file that is not (or no longer) a valid file of ``kind``."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(348)
    except OSError:  # a TRX folder
        head = b""
    if len(head) == 348 and 348 in (int.from_bytes(head[:4], "little"), int.from_bytes(head[:4], "big")):
        return ImageLoadError(
            f"{name}: '{path}' is a NIfTI image, not a tractogram; draw it with bv.stat_map, "
            "bv.volume or bv.slices."
        )
    return ImageLoadError(f"{name}: '{path}' is not a valid {kind} file ({detail}); it is corrupt, "
                          "truncated or not a tractogram.")


# ------------------------------------------------------------------ gzip


def _inflate(path, name):
    """The inflated bytes of a gzipped file, refused past the memory budget (a decompression bomb)."""
    limit = max_bytes()
    parts, total = [], 0
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                if total > limit:
                    check_allocation(total, f"{name}: '{path}': its inflated data", at_least=True,
                                     fix=", or gunzip it to read it in place")
                parts.append(chunk)
    except (OSError, EOFError, zlib.error) as error:
        raise ImageLoadError(f"{name}: '{path}': corrupt or truncated gzip file ({error}).") from error
    return b"".join(parts)


# ------------------------------------------------------------------ TCK


def _read_tck(data, path, name):
    """TCK points, as nibabel reads them, packed in one pass without a per-streamline loop.

    ``data`` is the inflated bytes of a ``.tck.gz``, or None to read the file.
    The rows are read in steps into the float32 array returned, which is
    allocated for every row and shrunk in place to the points found.
    """
    size = len(data) if data is not None else os.path.getsize(path)
    with (io.BytesIO(data) if data is not None else open(path, "rb")) as stream:
        dtype, offset = _tck_header(_tck_head(_first_bytes(stream), size), size, path, name)
        rows = (size - offset) // 12
        if (size - offset) % 12:
            raise ImageLoadError(f"{name}: '{path}' is truncated: its {size - offset} bytes of points "
                                 "are not a whole number of (x, y, z) float32 triplets.")
        if rows == 0:
            raise ImageLoadError(f"{name}: '{path}' is truncated: it has no data after its header "
                                 "(not even the end-of-file marker inf, inf, inf).")
        check_allocation((rows - 1) * 12, f"{name}: '{path}': its points")
        stream.seek(offset)
        points, found = _tck_rows(stream, rows, dtype, f"{name}: '{path}'")
    offsets = np.zeros(sum(map(len, found)) + 1, np.int64)
    np.concatenate(found, out=offsets[1:])  # the row of each delimiter
    del found
    for start in range(0, len(offsets) - 1, _TCK_ROWS):  # less the delimiters before each
        offsets[1 + start:1 + start + _TCK_ROWS] -= np.arange(start, min(start + _TCK_ROWS, len(offsets) - 1))
    return pack_arrays(points, offsets, source=path, name=name)


def _tck_rows(stream, rows, dtype, what):
    """``(points, [rows of the NaN delimiters, per step])``: every other row, checked as nibabel does.

    The data must end with one inf, inf, inf row right after a delimiter.
    """
    points = np.empty((rows - 1, 3), np.float32)  # at most every row but the end marker
    found, filled, last = [], 0, None
    for start in range(0, rows, _TCK_ROWS):
        count = min(_TCK_ROWS, rows - start)
        raw = stream.read(count * 12)
        if len(raw) != count * 12:
            raise ImageLoadError(f"{what} changed while it was read.")
        chunk = np.frombuffer(raw, dtype).reshape(count, 3)
        if start + count == rows:
            chunk, last = chunk[:-1], chunk[-1]
        delimiter = np.isnan(chunk).all(axis=1)
        found.append(np.flatnonzero(delimiter) + start)
        kept = chunk[~delimiter]
        points[filled:filled + len(kept)] = kept
        filled += len(kept)
    delimiters = [piece for piece in found if len(piece)]
    tail_start = delimiters[-1][-1] + 1 if delimiters else 0
    if not np.isinf(last).all() or tail_start != rows - 1:
        detail = ("no streamline delimiter (NaN, NaN, NaN) is followed by the end-of-file marker"
                  if not delimiters else "points follow the last delimiter without the end-of-file "
                  "marker (inf, inf, inf)")
        raise ImageLoadError(f"{what} is truncated or corrupt: {detail}.")
    points.resize((filled, 3), refcheck=False)  # in place: no view of it exists yet
    return points, found


_END_LINE = re.compile(rb"\n[ \t\r\f\v]*END[ \t\r\f\v]*(?:\n|\Z)")


def _tck_head(read, size):
    """A TCK file's first bytes (``read(n)`` gives them), up to its END line: 4 KiB, then more, at most 1 MiB."""
    length = 4096
    while True:
        head = read(min(length, _TCK_HEADER_MAX, size))
        match = _END_LINE.search(head)
        if match or len(head) >= min(size, _TCK_HEADER_MAX):
            return head[:match.end()] if match else head
        length *= 4


def _first_bytes(stream):
    """``read(n)``: the first ``n`` bytes of ``stream``, whatever was read before."""
    def read(n):
        stream.seek(0)
        return stream.read(n)
    return read


def _tck_header(head, size, path, name):
    """``(dtype, data offset)`` of a TCK header, read by nibabel's rules, refused as nibabel would."""
    if not head.startswith(_TCK_MAGIC):
        raise _not_a(path, "TCK", name, f"it does not start with {_TCK_MAGIC.decode()!r}")
    lines = head[len(_TCK_MAGIC) + 1:].split(b"\n")
    position, fields, key, found = len(_TCK_MAGIC) + 1, {}, None, False
    for n_line, raw in enumerate(lines, 1):
        if n_line == len(lines) and len(head) < size:
            break  # a line cut by the end of what was read
        position += len(raw) + 1
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise _not_a(path, "TCK", name, f"header line {n_line} is not text") from None
        if not line:
            continue
        if line == "END":
            found = True
            break
        if ":" in line:
            key, line = (part.strip() for part in line.split(":", 1))
        if key is None:
            raise _not_a(path, "TCK", name, f"header line {n_line} has no 'key:'")
        fields.setdefault(key, []).append(line)
    if not found:
        raise _not_a(path, "TCK", name, "its header has no END line"
                     + (f" in its first {format_bytes(_TCK_HEADER_MAX)}" if len(head) < size else ""))
    header = {k: "\n".join(v) for k, v in fields.items()}
    datatype = header.get("datatype", "Float32LE")
    if not datatype.startswith("Float32"):
        raise _not_a(path, "TCK", name, f"datatype {datatype!r}: TCK points are Float32LE or Float32BE")
    where = header.get("file", f". {min(position, size)}").split()
    if len(where) != 2 or where[0] != "." or not where[1].isdigit() or int(where[1]) > size:
        raise _not_a(path, "TCK", name, f"'file: {header.get('file')}' is not '. <offset>' within "
                     f"its {size} bytes (brainview reads single-file TCK)")
    return np.dtype((">" if datatype.endswith("BE") else "<") + "f4"), int(where[1])


# ------------------------------------------------------------------ TRK


class _Bounded(io.RawIOBase):
    """A read-only binary stream whose ``read(n)`` never asks for more than the bytes left.

    nibabel reads a TRK streamline with ``read(count * size)`` from the
    file's own counts; Python allocates what ``read`` is asked for, so a
    hostile count would allocate gigabytes before finding the file short.
    """

    def __init__(self, raw, size):
        super().__init__()
        self._raw, self._size = raw, size

    def readable(self):
        return True

    def seekable(self):
        return True

    def read(self, n=-1):
        left = max(0, self._size - self._raw.tell())
        return self._raw.read(left if n is None or n < 0 else min(n, left))

    def readinto(self, buffer):
        return self._raw.readinto(buffer)

    def seek(self, offset, whence=0):
        return self._raw.seek(offset, whence)

    def tell(self):
        return self._raw.tell()


def _read_trk(data, path, name):
    """A TRK file through nibabel (its ``voxmm`` to RAS+ mm mapping), read through :class:`_Bounded`."""
    from nibabel.streamlines import TrkFile

    size = len(data) if data is not None else os.path.getsize(path)
    # nibabel holds the points, scalars and properties, then maps the points in float64.
    check_allocation(3 * size, f"{name}: '{path}': its streamlines",
                     detail=f"{format_bytes(size)} of data read by nibabel, mapped to RAS+ mm")
    with (io.BytesIO(data) if data is not None else open(path, "rb")) as raw:
        try:
            trk = TrkFile.load(_Bounded(raw, size), lazy_load=False)
        except (BrainviewError, MemoryError):
            raise
        except Exception as error:
            raise _not_a(path, "TRK", name, f"{type(error).__name__}: {error}") from error
    return from_tractogram(trk.tractogram, name=name, source=path, placed=True)


# ------------------------------------------------------------------ TRX


def _read_trx(path, name):
    """A TRX file (zip or folder) through trx-python; its positions are RAS+ mm."""
    try:
        from trx import trx_file_memmap
    except ImportError:
        raise ImageLoadError(
            f"{name}: reading '{path}' (TRX) needs trx-python, the optional extra brainview[trx]: "
            "pip install 'brainview[trx]' (or save the tractogram as .trk or .tck)."
        ) from None
    import zipfile

    if os.path.isdir(path):
        declared = sum(item.stat().st_size for item in Path(path).rglob("*") if item.is_file())
    else:
        check_regular_file(path, name)
        try:
            with zipfile.ZipFile(path) as archive:
                declared = sum(max(0, member.file_size) for member in archive.infolist())
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
            raise _not_a(path, "TRX", name, f"not a zip archive: {error}") from error
    check_allocation(2 * declared, f"{name}: '{path}': its arrays",
                     detail=f"{format_bytes(declared)} unzipped, then copied as float32")
    try:
        trx = trx_file_memmap.load(str(path))
    except (BrainviewError, MemoryError):
        raise
    except Exception as error:
        raise _not_a(path, "TRX", name, f"{type(error).__name__}: {error}") from error
    try:
        points, offsets = sequence_parts(trx.streamlines, name)
        point_data = {k: np.array(sequence_parts(v, name)[0], np.float32)
                      for k, v in trx.data_per_vertex.items()}
        streamline_data = {k: np.array(v) for k, v in trx.data_per_streamline.items()}
        groups = {k: np.array(v, np.int64) for k, v in trx.groups.items()}
        points = np.array(points, np.float32)  # the memory map goes with trx.close()
    except (BrainviewError, MemoryError):
        raise
    except Exception as error:
        raise _not_a(path, "TRX", name, f"{type(error).__name__}: {error}") from error
    finally:
        trx.close()
    return pack_arrays(points, offsets, point_data=point_data, streamline_data=streamline_data,
                       groups=groups, source=path, name=name)


# ------------------------------------------------------------------ VTK


_LEGACY_COUNTS = re.compile(rb"(?:^|\n)\s*(POINTS|LINES|VERTICES|POLYGONS|TRIANGLE_STRIPS|POINT_DATA|"
                            rb"CELL_DATA|FIELD|CELLS)[ \t]+(\d+)(?:[ \t]+(\d+))?")
_XML_COUNTS = re.compile(rb"(Number\w+)\s*=\s*\"\s*(\d+)\s*\"()")


def _check_vtk_counts(path, suffix, name):
    """Refuse a VTK file whose declared counts exceed what its bytes can hold, or the budget.

    VTK allocates what a file declares before reading it: a hostile count
    would make it allocate gigabytes (or abort) before finding the file short.
    """
    size = os.path.getsize(path)
    if size == 0:
        raise ImageLoadError(f"{name}: '{path}' is empty.")
    with open(path, "rb") as stream:  # the map closes when the scan lets go of it
        view = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    pattern = _XML_COUNTS if suffix == ".vtp" else _LEGACY_COUNTS
    counts = [(m.group(1).decode(), int(m.group(2)), int(m.group(3) or 0)) for m in pattern.finditer(view)]
    for key, count, extra in counts:
        items = max(count, extra)
        if suffix == ".vtk" and (2 * items > size and key in ("POINTS", "LINES", "CELLS")):
            raise ImageLoadError(
                f"{name}: '{path}' declares {key} {count}{f' {extra}' if extra else ''}, more than "
                f"its {size} bytes hold; the file is corrupt or truncated."
            )
        check_allocation(24 * items, f"{name}: '{path}': its {key} ({items})")


def _read_vtk(path, suffix, reference, name):
    """The lines of a VTK polydata file: points as stored, in line order.

    VTK's readers trust what a file declares (a crafted legacy or XML file
    makes them write out of bounds or abort on ``bad_alloc``): legacy
    ``.vtk`` files are read by :mod:`brainview.io.vtk_legacy`, which checks
    every count; ``.vtp`` files by VTK's XML reader in a worker process
    (:mod:`brainview._isolated`), so that a file that kills the reader is an
    :class:`~brainview.errors.ImageLoadError` here, not a crash.
    """
    _check_vtk_counts(path, suffix, name)
    result = _legacy_arrays(path) if suffix == ".vtk" else _xml_arrays(path)
    if "error" in result:
        raise _not_a(path, "VTK polydata" if suffix == ".vtk" else "VTK XML polydata", name,
                     result["error"])
    points, cell_offsets, connectivity = result["points"], result["offsets"], result["connectivity"]
    for key, values in result["point_data"].items():
        if len(values) != len(points):
            raise _not_a(path, "VTK polydata", name, f"its point data {key!r} has {len(values)} values "
                         f"for {len(points)} points")
    n_lines = len(cell_offsets) - 1
    if (n_lines < 1 or cell_offsets[0] != 0 or cell_offsets[-1] != len(connectivity)
            or np.any(cell_offsets[1:] < cell_offsets[:-1])
            or (len(connectivity) and not 0 <= connectivity.min() <= connectivity.max() < len(points))):
        raise _not_a(path, "VTK polydata", name, f"its lines index points outside 0..{len(points) - 1}")
    gather = None if np.array_equal(connectivity, np.arange(len(points))) else connectivity
    point_data = {key: np.array(values if gather is None else values[gather], np.float32)
                  for key, values in result["point_data"].items()}
    first = result["n_verts"]  # cell data runs over verts, then lines, then polys
    streamline_data = {key: values[first:first + n_lines] for key, values in result["cell_data"].items()}
    points = np.array(points if gather is None else points[gather], np.float32)
    return pack_arrays(points, cell_offsets, point_data=point_data, streamline_data=streamline_data,
                       reference=reference, source=path, name=name)


def _legacy_arrays(path):
    from .vtk_legacy import read_legacy_polydata

    with open(path, "rb") as stream:  # the map closes when the arrays read from it are gone
        data = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        return read_legacy_polydata(data)
    except ValueError as error:
        return {"error": str(error)}


def _xml_arrays(path):
    """The arrays of a ``.vtp`` file, read by VTK in a worker process of its own."""
    from .._isolated import run_isolated

    seconds = 120 + os.path.getsize(path) / 2**20  # two minutes, and a second per MiB
    runner = run_isolated([(str(path), ".vtp", max_bytes())], _vtk_arrays, n_jobs=1, timeout=seconds,
                          failed=_vtk_failure)
    try:
        return next(runner)
    finally:
        runner.close()  # the worker process ends


def _vtk_failure(task, message):
    signal = re.search(r"signal (\w+)", message)
    how = f"it died of {signal.group(1)}" if signal else message
    return {"error": f"VTK's reader failed on it: {how}"}


def _vtk_arrays(task):
    """In a worker: the arrays of a VTK polydata file's lines, or ``{"error": why}``.

    The worker may map no more than the memory budget beyond what it has: a
    declared size VTK would allocate fails at once (and ends the worker).
    """
    import resource

    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkCommonCore import vtkLogger

    path, suffix, budget = task
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    resource.setrlimit(resource.RLIMIT_AS, (mapped + budget if hard == resource.RLIM_INFINITY
                                            else min(hard, mapped + budget), hard))
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # C++ runtime's last words ("terminate called...")
    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_OFF)  # the reasons go into the error
    try:
        polydata = _vtk_polydata(path, suffix)
    except ValueError as error:
        return {"error": str(error)}
    lines = polydata.GetLines()
    if lines is None or lines.GetNumberOfCells() == 0 or polydata.GetPoints() is None:
        return {"error": f"it has no lines (it holds {polydata.GetNumberOfCells()} other cells); it is no "
                         "tractogram. A surface mesh is drawn with bv.surface"}
    return {"points": np.array(vtk_to_numpy(polydata.GetPoints().GetData())),
            "offsets": np.array(vtk_to_numpy(lines.GetOffsetsArray()), np.int64),
            "connectivity": np.array(vtk_to_numpy(lines.GetConnectivityArray()), np.int64),
            "n_verts": polydata.GetNumberOfVerts(),
            "point_data": {a.GetName(): np.array(vtk_to_numpy(a)) for a in _named_arrays(polydata.GetPointData())},
            "cell_data": {a.GetName(): np.array(vtk_to_numpy(a)) for a in _named_arrays(polydata.GetCellData())}}


def _named_arrays(attributes):
    for i in range(attributes.GetNumberOfArrays()):
        array = attributes.GetArray(i)  # None for string arrays
        if array is not None and array.GetName():
            yield array


def _vtk_polydata(path, suffix):
    """VTK's polydata of a file; ValueError with VTK's words when it cannot read it."""
    from vtkmodules.vtkCommonCore import vtkOutputWindow, vtkStringOutputWindow

    if suffix == ".vtp":
        from vtkmodules.vtkIOXML import vtkXMLPolyDataReader as Reader
    else:
        from vtkmodules.vtkIOLegacy import vtkPolyDataReader as Reader
    reader = Reader()
    reader.SetFileName(str(path))
    capture = vtkStringOutputWindow()
    vtkOutputWindow.SetInstance(capture)  # VTK's complaints become the error's detail
    if suffix == ".vtk" and not reader.IsFilePolyData():
        raise ValueError("not a legacy VTK POLYDATA file")
    if suffix == ".vtp" and not reader.CanReadFile(str(path)):
        raise ValueError("VTK's XML reader cannot read it")
    reader.Update()
    if reader.GetErrorCode():
        raise ValueError(capture.GetOutput().strip()[-300:] or "read error")
    return reader.GetOutput()
