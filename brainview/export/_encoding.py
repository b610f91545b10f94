"""Layer parameters as JSON values, and back: the one encoding of scene files and scripts.

A parameter is written as plain JSON when it is one (numbers, strings,
booleans, None, lists), and otherwise as a one-key object naming its kind:

- ``{"$tuple": [...]}``, ``{"$dict": [[key, value], ...]}`` (keys of any kind);
- ``{"$array": {"dtype", "shape", "data"}}`` for small arrays, inline;
- ``{"$file": {"path", "sha256", "size", "role"}}`` for data kept in a file: the
  user's own file (``role: "input"``, a path given as a parameter) or a sidecar
  written beside the scene for in-memory data (``"npy"``, ``"nifti"``);
- ``{"$dataset": {"loader", "kwargs", "item"}}`` for data a
  :mod:`brainview.datasets` loader returned, unchanged;
- ``{"$surface": ...}``, ``{"$bunch": ...}``, ``{"$series": ...}``, ``{"$layer": i}``.

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

import hashlib
import math
import os
from pathlib import Path

import numpy as np

from ..errors import BrainviewTypeError, BrainviewValueError, SceneFileError, describe

#: Arrays up to this many elements are written inline; larger ones go to sidecar files.
INLINE_ELEMENTS = 256

_PLAIN = (str, bool, type(None))


def file_digest(path):
    """SHA-256 of a file's bytes (streamed) and its size."""
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


def _encode_object(value, sidecar, name, data_param):
    from ..io import Surface
    from ..layers.base import Layer

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
    if hasattr(value, "name") and module == "matplotlib":  # a Colormap: its registered name
        return value.name
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
    return _DECODERS[key](body, resolve, layers, where)


def _decode_array(body, resolve, layers, where):
    try:
        array = np.array(body["data"], dtype=np.dtype(body["dtype"]))
        return array.reshape(body["shape"])
    except (KeyError, TypeError, ValueError) as error:
        raise SceneFileError(f"{where}: bad inline array ({error}).") from None


def _decode_file(body, resolve, layers, where):
    path = resolve(body, where)
    role = body.get("role")
    if role == "npy":
        try:
            return np.load(path, allow_pickle=False)
        except ValueError as error:
            raise SceneFileError(f"{where}: '{path}' is not a plain .npy array ({error}).") from None
    if role == "nifti":
        import nibabel as nib

        image = nib.load(str(path))
        return c_ordered_image(image) if body.get("order") == "C" else image
    return str(path)


def c_ordered_image(image):
    """A NIfTI image with its data in C order (files hold Fortran order).

    Scene files record an in-memory image's memory order: meshes are
    extracted in the array's own axis order, so giving the order back draws
    the identical picture.
    """
    import nibabel as nib

    data = np.ascontiguousarray(np.asanyarray(image.dataobj))
    return nib.Nifti1Image(data, image.affine, image.header)


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
    "$dataset": _decode_dataset,
    "$surface": _decode_surface,
    "$layer": _decode_layer,
    "$series": _decode_series,
    "$dataframe": _decode_dataframe,
    "$bunch": _decode_bunch,
}


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key
