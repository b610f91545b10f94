"""Layer parameters as JSON values, and back: the one encoding of scene files and scripts.

A parameter is written as plain JSON when it is one (numbers, strings,
booleans, None, lists), and otherwise as a one-key object naming its kind:

- ``{"$tuple": [...]}``, ``{"$dict": [[key, value], ...]}`` (keys of any kind);
- ``{"$array": {"dtype", "shape", "data"}}`` for small arrays, inline;
- ``{"$file": {"path", "sha256", "size", "role"}}`` for data kept in a file: the
  user's own file (``role: "input"``, a path given as a parameter) or a sidecar
  written beside the scene for in-memory data (``"npy"``, ``"nifti"``);
- ``{"$image": {"file", "volume"}}`` for one volume of a user's file
  (:func:`brainview.io.load_image` remembers where it read it);
- ``{"$dataset": {"loader", "kwargs", "item"}}`` for data a
  :mod:`brainview.datasets` loader returned, unchanged;
- ``{"$surface": ...}``, ``{"$bunch": ...}``, ``{"$series": ...}``, ``{"$layer": i}``;
- ``{"$polylines": {"points", "offsets"}}`` for a list of many ``(n, 3)`` arrays (streamlines).

Reading never executes code and never unpickles: a loader is looked up by
name among :mod:`brainview.datasets`' public functions, ``.npy`` files are
read with ``allow_pickle=False``.

Examples
--------
>>> import numpy as np
>>> encoded = encode({1: "a", "b": (1, 2)}, sidecar=None)
>>> decode(encoded, resolve=None) == {1: "a", "b": (1, 2)}
True
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
from pathlib import Path

import numpy as np

from ..errors import BrainviewTypeError, BrainviewValueError, SceneFileError, describe
from ..limits import check_allocation

#: Arrays up to this many elements are written inline; larger ones go to sidecar files.
INLINE_ELEMENTS = 256

_PLAIN = (str, bool, type(None))


def file_digest(path):
    """SHA-256 of a file's bytes (streamed) and its size.

    Remembered per (path, size, modification time): every ``savefig`` of a
    figure embeds its scene, and hashing a 1 GB tractogram each time would
    cost seconds per picture.
    """
    status = os.stat(path)
    return _digest(os.path.realpath(path), status.st_size, status.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _digest(path, size, mtime_ns):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest(), os.path.getsize(path)


def encode(value, *, sidecar, name="value", data_param=False):
    """A JSON-ready form of a parameter value.

    Parameters
    ----------
    value : object
        The parameter as given.
    sidecar : callable or None
        ``sidecar(kind, obj, name)`` writes in-memory data (``"npy"`` arrays,
        ``"nifti"`` images) and returns its ``$file`` record, and
        ``sidecar("input", path, name)`` records a user's file. None: refuse
        data that would need a file.
    name : str
        Used for sidecar file names and error messages.
    data_param : bool
        Strings are paths to data files (the layer's data parameters).
    """
    from .. import datasets

    call = datasets.dataset_call(value)
    if call is not None:
        loader, kwargs, item = call
        return {"$dataset": {"loader": loader, "kwargs": encode(kwargs, sidecar=None), "item": item}}
    if isinstance(value, os.PathLike) or (data_param and isinstance(value, str) and _is_file(value)):
        return _need(sidecar, name)("input", Path(value), name)
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise BrainviewValueError(f"{name}: {value!r} cannot be saved in a scene file (JSON has no NaN/inf).")
        return float(value)
    if isinstance(value, tuple):
        return {"$tuple": [encode(v, sidecar=sidecar, name=f"{name}_{i}", data_param=data_param)
                           for i, v in enumerate(value)]}
    if isinstance(value, list) and _is_polylines(value):
        return _encode_polylines(value, sidecar, name)
    if isinstance(value, list):
        return [encode(v, sidecar=sidecar, name=f"{name}_{i}", data_param=data_param)
                for i, v in enumerate(value)]
    if isinstance(value, dict) and type(value) is dict:
        return {"$dict": [[encode(k, sidecar=None, name=name), encode(v, sidecar=sidecar, name=f"{name}_{k}",
                                                                       data_param=data_param)]
                          for k, v in value.items()]}
    if isinstance(value, np.ndarray):
        return _encode_array(value, sidecar, name)
    if hasattr(value, "dataobj") and hasattr(value, "affine"):
        return _need(sidecar, name)("nifti", value, name)
    return _encode_object(value, sidecar, name, data_param)


#: Lists of at least this many (n, 3) arrays (streamlines, lines) are written as one packed array.
POLYLINES_MIN_ITEMS = 8


def _is_polylines(value):
    return len(value) >= POLYLINES_MIN_ITEMS and all(
        isinstance(v, np.ndarray) and v.ndim == 2 and v.shape[1] == 3 and v.dtype.kind in "iuf" for v in value)


def _encode_polylines(value, sidecar, name):
    """A list of (n, 3) arrays as ONE points array and offsets (not one array, or file, per line)."""
    offsets = np.zeros(len(value) + 1, dtype=np.int64)
    np.cumsum([len(v) for v in value], out=offsets[1:])
    points = np.concatenate(value)
    return {"$polylines": {"points": _encode_array(points, sidecar, f"{name}_points"),
                           "offsets": _encode_array(offsets, sidecar, f"{name}_offsets")}}


def _decode_polylines(body, resolve, layers, where):
    points = np.asarray(decode(body["points"], resolve=resolve, where=where))
    offsets = np.asarray(decode(body["offsets"], resolve=resolve, where=where))
    if (points.ndim != 2 or points.shape[1:] != (3,) or offsets.ndim != 1 or len(offsets) < 1
            or offsets.dtype.kind not in "iu" or offsets[0] != 0 or offsets[-1] != len(points)
            or np.any(np.diff(offsets) < 0)):
        raise SceneFileError(f"{where}: bad $polylines: offsets must rise from 0 to the number of (n, 3) points.")
    return np.split(points, offsets[1:-1])


def _encode_object(value, sidecar, name, data_param):
    from ..io import Image, Surface
    from ..layers.base import Layer

    if isinstance(value, Image) and value.source is not None and _is_file(value.source[0]):
        path, volume = value.source  # one volume of a file (load_image): the file is named, not copied
        return {"$image": {"file": _need(sidecar, name)("input", Path(path), name), "volume": volume}}
    if isinstance(value, Image):  # an image brainview placed already (one class of a decoder's maps)
        import nibabel as nib

        return _need(sidecar, name)("nifti", nib.Nifti1Image(value.data, value.affine), name)
    if isinstance(value, Surface):
        return {"$surface": {"vertices": _encode_array(value.vertices, sidecar, f"{name}_vertices"),
                             "faces": _encode_array(value.faces, sidecar, f"{name}_faces"),
                             "name": value.name}}
    if isinstance(value, Layer):
        return {"$layer": value.name}
    module = type(value).__module__.split(".")[0]
    if module == "pandas" and hasattr(value, "to_numpy") and getattr(value, "ndim", 0) == 1:
        return {"$series": {"values": encode(_object_array(value.to_numpy()), sidecar=sidecar, name=name),
                            "categorical": str(getattr(value, "dtype", "")) == "category"}}
    if module == "pandas" and hasattr(value, "to_dict"):  # a DataFrame (an atlas lookup table)
        return {"$dataframe": {column: encode(_object_array(value[column].to_numpy()), sidecar=sidecar,
                                              name=f"{name}_{column}")
                               for column in value.columns}}
    if hasattr(value, "name") and module == "matplotlib":  # a Colormap: its registered name, or its RGBA table
        from ..colors import cmap_spec

        spec = cmap_spec(value)
        return spec if isinstance(spec, str) else _encode_array(spec, sidecar, name)
    fields = dict(value) if isinstance(value, dict) else getattr(value, "__dict__", None)
    if fields is not None and any(key in fields for key in ("maps", "labels", "coords")):
        return {"$bunch": {str(k): encode(v, sidecar=sidecar, name=f"{name}_{k}", data_param=True)
                           for k, v in fields.items() if not str(k).startswith("_")}}
    raise BrainviewTypeError(
        f"{name}: {describe(value)} cannot be saved in a scene file; pass a path, an array, "
        "a nibabel image or plain numbers and strings."
    )


def _object_array(array):
    """Arrays of Python strings (pandas object columns) as unicode arrays; others as they are."""
    if array.dtype == object and all(isinstance(v, str) for v in array.ravel()):
        return array.astype(str)
    return array


def _encode_array(array, sidecar, name):
    array = _object_array(np.asarray(array))
    if array.dtype.kind not in "biufU":
        raise BrainviewTypeError(f"{name}: arrays of {array.dtype} cannot be saved; use numbers or strings.")
    if array.size <= INLINE_ELEMENTS or sidecar is None:
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            return _need(sidecar, name)("npy", array, name)
        return {"$array": {"dtype": array.dtype.str, "shape": list(array.shape), "data": array.ravel().tolist()}}
    return sidecar("npy", array, name)


def _need(sidecar, name):
    if sidecar is None:
        raise BrainviewTypeError(f"{name}: data that needs a file cannot be written here.")
    return sidecar


def _is_file(text):
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


def decode(value, *, resolve, layers=None, where="scene"):
    """The Python value of an encoded parameter.

    Parameters
    ----------
    resolve : callable or None
        ``resolve(record)`` checks a ``$file`` record and returns its path.
    layers : dict, optional
        Already-built layers by name, for ``$layer`` references.
    where : str
        Where the value sits, for error messages.
    """
    if isinstance(value, list):
        return [decode(v, resolve=resolve, layers=layers, where=where) for v in value]
    if not isinstance(value, dict):
        if isinstance(value, (str, int, float, bool, type(None))):
            return value
        raise SceneFileError(f"{where}: unexpected value {describe(value)}.")
    if len(value) != 1 or next(iter(value)) not in _DECODERS:
        raise SceneFileError(f"{where}: unknown value {describe(value)}; expected one of {sorted(_DECODERS)}.")
    (key, body), = value.items()
    try:
        return _DECODERS[key](body, resolve, layers, where)
    except (AttributeError, TypeError, KeyError, IndexError) as error:
        raise SceneFileError(f"{where}: bad {key} value {describe(body)} ({type(error).__name__}: {error}).") from None


#: Kinds of inline arrays a scene may hold: bool, integers, floats, and short strings (label names).
_INLINE_KINDS = "biufU"
#: Longest string in an inline array, in characters (the writer uses the longest string's length).
MAX_INLINE_CHARS = 4096


def _decode_array(body, resolve, layers, where):
    try:
        dtype, shape, data = np.dtype(body["dtype"]), body["shape"], body["data"]
    except (KeyError, TypeError, ValueError) as error:
        raise SceneFileError(f"{where}: bad inline array ({error}).") from None
    if dtype.kind not in _INLINE_KINDS or dtype.hasobject or dtype.fields is not None or dtype.subdtype:
        raise SceneFileError(f"{where}: inline arrays hold numbers, booleans or strings, not {dtype.str!r}.")
    if dtype.kind == "U" and dtype.itemsize > 4 * MAX_INLINE_CHARS:
        raise SceneFileError(f"{where}: inline array dtype {dtype.str!r} is wider than "
                             f"{MAX_INLINE_CHARS} characters.")
    if (not isinstance(shape, list) or not isinstance(data, list) or len(shape) > 32
            or any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in shape)
            or math.prod(shape) != len(data)):
        raise SceneFileError(f"{where}: bad inline array: shape {describe(shape)} does not hold its "
                             f"{len(data) if isinstance(data, list) else describe(data)} values.")
    check_allocation(dtype.itemsize * len(data), f"{where}: inline array of {len(data)} x {dtype.str}")
    try:
        return np.array(data, dtype=dtype).reshape(shape)
    except (TypeError, ValueError, OverflowError) as error:
        raise SceneFileError(f"{where}: bad inline array ({error}).") from None


def _decode_file(body, resolve, layers, where):
    path = resolve(body, where)
    role = body.get("role")
    if role == "npy":
        return _read_npy(path, where)
    if role == "nifti":
        return _read_nifti(path, body.get("order") == "C", where)
    return str(path)


def _read_npy(path, where):
    """A sidecar ``.npy``: header checked (plain dtype, size within the file and the budget), no pickle."""
    try:
        with open(path, "rb") as stream:
            version = np.lib.format.read_magic(stream)
            shape, _, dtype = _npy_header(stream, version)
            offset = stream.tell()
    except (ValueError, OSError, SyntaxError, TypeError) as error:
        raise SceneFileError(f"{where}: '{path.name}' is not a plain .npy array ({error}).") from None
    if dtype.hasobject:
        raise SceneFileError(f"{where}: '{path.name}' holds Python objects; scene files never unpickle.")
    nbytes = math.prod(shape) * dtype.itemsize
    if offset + nbytes > os.path.getsize(path):
        raise SceneFileError(f"{where}: '{path.name}' is truncated: its header declares {nbytes} bytes of data.")
    check_allocation(nbytes, f"{where}: '{path.name}': its data")
    try:
        return np.load(path, allow_pickle=False)
    except ValueError as error:
        raise SceneFileError(f"{where}: '{path.name}' is not a plain .npy array ({error}).") from None


def _npy_header(stream, version):
    reader = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
    if version not in reader:
        raise ValueError(f"unsupported .npy version {version}")
    return reader[version](stream)


def _read_nifti(path, c_order, where):
    """A sidecar NIfTI-1 image, fully in memory: size checked before inflating, gzip CRC checked.

    The header is read first and the memory the image needs (its bytes, the
    array, a C-ordered copy when the scene asks for one) is checked against
    the budget; the stream is then read to its end, which is when gzip checks
    every member's CRC and length, and refused if it runs past its data.
    """
    import gzip
    import zlib

    import nibabel as nib

    try:
        with open(path, "rb") as raw:
            gzipped = raw.read(2) == b"\x1f\x8b"
        with (gzip.open(path, "rb") if gzipped else open(path, "rb")) as stream:
            head = stream.read(352)
            needed, data_end = _nifti_needs(head, c_order, where)
            check_allocation(needed, f"{where}: '{path.name}': its data")
            data = head + stream.read(max(data_end - len(head), 0) + _TAIL)
            if len(data) < data_end:
                raise SceneFileError(f"{where}: '{path.name}' is truncated: its header declares "
                                     f"{data_end} bytes, the file holds {len(data)}.")
            if stream.read(1):
                raise SceneFileError(f"{where}: '{path.name}' continues past the data its header declares; "
                                     "the file is corrupt.")
    except (OSError, EOFError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
        raise SceneFileError(f"{where}: '{path.name}' is corrupt ({type(error).__name__}: {error}).") from None
    try:
        image = nib.Nifti1Image.from_bytes(data)
        array = np.asanyarray(image.dataobj)
    except Exception as error:  # nibabel raises many types for bad files
        raise SceneFileError(f"{where}: '{path.name}' is not a readable NIfTI image "
                             f"({type(error).__name__}: {error}).") from None
    if c_order:
        array = np.ascontiguousarray(array)
    return nib.Nifti1Image(array, image.affine, image.header)


#: Bytes a NIfTI stream may hold after its data (gzip padding, stray bytes).
_TAIL = 1 << 16


def _nifti_needs(head, c_order, where):
    """``(bytes to hold, end of data)`` a NIfTI-1 header declares: file, array (+ a C-ordered copy)."""
    import nibabel as nib

    if len(head) < 348 or 348 not in (int.from_bytes(head[:4], "little"), int.from_bytes(head[:4], "big")):
        raise SceneFileError(f"{where}: the sidecar is not a NIfTI-1 image.")
    try:
        header = nib.Nifti1Header(head[:348], check=True)
        count = math.prod(int(n) for n in header.get_data_shape())
        itemsize = header.get_data_dtype().itemsize
        offset = max(int(header.get_data_offset()), 352)
        slope, inter = header.get_slope_inter()
    except Exception as error:  # nibabel raises many types for bad headers
        raise SceneFileError(f"{where}: the sidecar has a bad NIfTI header ({type(error).__name__}: "
                             f"{error}).") from None
    stored = count * itemsize
    array = count * max(8, itemsize) if slope not in (None, 1) or inter not in (None, 0) else stored
    data_end = offset + stored
    return data_end + array * (2 if c_order else 1), data_end


def c_ordered_image(image):
    """A NIfTI image with its data in C order (files hold Fortran order).

    Scene files record an in-memory image's memory order: meshes are
    extracted in the array's own axis order, so giving the order back draws
    the identical picture.
    """
    import nibabel as nib

    data = np.ascontiguousarray(np.asanyarray(image.dataobj))
    return nib.Nifti1Image(data, image.affine, image.header)


def _decode_image(body, resolve, layers, where):
    """One volume of a user's file, read again (:func:`brainview.io.load_image`)."""
    from ..io import load_image

    volume = body["volume"]
    if volume is not None and (isinstance(volume, bool) or not isinstance(volume, int)):
        raise SceneFileError(f"{where}: bad $image volume {describe(volume)}; expected a whole number or null.")
    return load_image(decode(body["file"], resolve=resolve, where=where), volume=volume, name=where)


def _decode_dataset(body, resolve, layers, where):
    from .. import datasets

    loader = body.get("loader") if isinstance(body, dict) else None
    if loader not in datasets.__all__ or not loader.startswith("load_"):
        raise SceneFileError(f"{where}: unknown dataset loader {loader!r}; expected one of "
                             f"{[n for n in datasets.__all__ if n.startswith('load_')]}.")
    kwargs = decode(body.get("kwargs", {"$dict": []}), resolve=None, where=where)
    result = getattr(datasets, loader)(**kwargs)
    item = body.get("item")
    if item is None:
        return result
    return result[item] if isinstance(result, dict) else getattr(result, item)


def _decode_surface(body, resolve, layers, where):
    from ..io import Surface

    return Surface(decode(body["vertices"], resolve=resolve, where=where),
                   decode(body["faces"], resolve=resolve, where=where), str(body.get("name", "surface")))


def _decode_layer(body, resolve, layers, where):
    if layers is None or body not in layers:
        raise SceneFileError(f"{where}: refers to a layer {body!r} that is not defined before it.")
    return layers[body]


def _decode_series(body, resolve, layers, where):
    import pandas as pd

    values = decode(body["values"], resolve=resolve, where=where)
    return pd.Series(values, dtype="category" if body.get("categorical") else None)


def _decode_dataframe(body, resolve, layers, where):
    import pandas as pd

    return pd.DataFrame({k: decode(v, resolve=resolve, where=where) for k, v in body.items()})


def _decode_bunch(body, resolve, layers, where):
    # A plain dict: brainview reads atlas and ROI bunches by key as well as by attribute.
    return {k: decode(v, resolve=resolve, layers=layers, where=where) for k, v in body.items()}


_DECODERS = {
    "$tuple": lambda body, resolve, layers, where: tuple(
        decode(v, resolve=resolve, layers=layers, where=where) for v in body),
    "$dict": lambda body, resolve, layers, where: {
        _hashable(decode(k, resolve=None, where=where)): decode(v, resolve=resolve, layers=layers, where=where)
        for k, v in body},
    "$array": _decode_array,
    "$file": _decode_file,
    "$image": _decode_image,
    "$dataset": _decode_dataset,
    "$surface": _decode_surface,
    "$layer": _decode_layer,
    "$series": _decode_series,
    "$dataframe": _decode_dataframe,
    "$bunch": _decode_bunch,
    "$polylines": _decode_polylines,
}


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key
