"""Expensive, deterministic geometry memoised on disk, keyed by the content of the data.

Atlas surface extraction, volume-to-surface projection and the glass-brain
outline are computed once per distinct input and then read back from a
:class:`joblib.Memory` folder. The key is a hash of what the result depends
on — the array bytes, dtype, shape and affine of images, the vertices and
faces of meshes, every other argument — never the Python object: editing one
voxel of a file gives a new key (joblib's own hash of a nibabel image does
not change when the file's data changes), and two loads of the same file
share one entry.

By default the cache is on, in the user cache folder (``$BRAINVIEW_CACHE_DIR``,
else ``$XDG_CACHE_HOME/brainview``, else ``~/.cache/brainview``; entries go
in its ``joblib`` subfolder) — where brainview has always kept the glass
brain mesh. :func:`set_cache` moves it (``set_cache("/scratch/bv")``), hands
it a configured ``joblib.Memory`` (compression, a size limit) or turns it off
(``set_cache(None)``); :func:`clear_cache` deletes every entry. Several
processes can share one folder: joblib writes each entry to a temporary file
and renames it into place, so a reader sees a whole entry or none.
:func:`brainview.render_many` hands the parent's setting to its workers.

Examples
--------
>>> import tempfile
>>> import numpy as np
>>> from brainview import cache
>>> previous = cache.set_cache(tempfile.mkdtemp())
>>> @cache.memoize
... def total(values, *, scale=1.0):
...     return float(np.sum(values) * scale)
>>> total(np.arange(4.0)), total(np.arange(4.0))        # computed, then read back
(6.0, 6.0)
>>> cache.content_key(np.zeros(3)) == cache.content_key(np.zeros(3, np.float32))
False
>>> _ = cache.set_cache(previous)
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import numbers
import os
from pathlib import Path

import numpy as np

from .errors import BrainviewTypeError, describe

__all__ = ["set_cache", "get_cache", "get_setting", "clear_cache", "memoize", "content_key"]

#: Bumped when the stored format of results changes (every entry is then recomputed).
_FORMAT = "1"

#: The sentinel "default": the user cache folder, created on first use.
_DEFAULT = "default"
_state = {"setting": _DEFAULT, "memory": None}


# ------------------------------------------------------------------ the setting


def set_cache(location):
    """Where expensive geometry is memoised: a folder, a ``joblib.Memory``, or ``None`` (off).

    Parameters
    ----------
    location : str, pathlib.Path, joblib.Memory, None or "default"
        A folder (``~`` expanded; created when first written), a configured
        ``joblib.Memory`` used as is, ``None`` to compute everything every
        time, or ``"default"`` for the user cache folder (see the module
        documentation).

    Returns
    -------
    previous
        The previous setting, to restore it with ``set_cache(previous)``.

    Raises
    ------
    BrainviewTypeError
        Anything else.

    Examples
    --------
    >>> import brainview as bv
    >>> previous = bv.set_cache(None)        # off: everything is recomputed
    >>> bv.cache.get_cache() is None
    True
    >>> _ = bv.set_cache(previous)
    """
    previous = _state["setting"]
    _state["setting"], _state["memory"] = _check_location(location), None
    return previous


def _check_location(location):
    if location is None or location == _DEFAULT:
        return location
    if isinstance(location, (str, os.PathLike)):
        return Path(location).expanduser()
    if type(location).__name__ == "Memory" and hasattr(location, "cache"):
        return location
    raise BrainviewTypeError(
        f"location: expected a folder path, a joblib.Memory, None (off) or 'default', "
        f"got {describe(location)}."
    )


def get_cache():
    """The ``joblib.Memory`` in use, or ``None`` when caching is off."""
    if _state["memory"] is None and _state["setting"] is not None:
        setting = _state["setting"]
        if type(setting).__name__ == "Memory":
            _state["memory"] = setting
        else:
            import joblib

            if setting == _DEFAULT:
                from .datasets import cache_dir

                setting = cache_dir()
            _state["memory"] = joblib.Memory(setting, verbose=0)
    return _state["memory"]


def get_setting():
    """The cache setting as given to :func:`set_cache`, in a form that can be sent to another process.

    :func:`brainview.render_many` gives it to its worker processes, which then
    memoise into the same folder.

    Examples
    --------
    >>> from brainview import cache
    >>> before = cache.get_setting()
    >>> _ = cache.set_cache(None)
    >>> cache.get_setting() is None
    True
    >>> _ = cache.set_cache(before)
    """
    return _state["setting"]


def clear_cache():
    """Delete every memoised result in the current cache (no-op when caching is off).

    Examples
    --------
    >>> import tempfile
    >>> from brainview import cache
    >>> previous = cache.set_cache(tempfile.mkdtemp())
    >>> cache.clear_cache()
    >>> _ = cache.set_cache(previous)
    """
    memory = get_cache()
    if memory is not None and memory.location is not None:
        memory.clear(warn=False)


# ------------------------------------------------------------------ content keys


def content_key(*values):
    """A hex digest of the content of ``values``: what a cached result depends on.

    Arrays count by dtype, shape and bytes (so ``float32`` zeros and
    ``float64`` zeros differ); :class:`brainview.io.Image` by its data and
    affine (not its name); :class:`brainview.io.Surface` by vertices and
    faces; numbers, strings, ``None`` and (nested) tuples, lists and dicts of
    them by value. Anything else is refused rather than keyed by identity.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((2, 3)); b = a.copy(); b[1, 2] = 1
    >>> content_key(a) == content_key(a.T.T.copy()), content_key(a) == content_key(b)
    (True, False)
    """
    digest = hashlib.blake2b(digest_size=20)
    for value in values:
        _update(digest, value)
    return digest.hexdigest()


def _update(digest, value):
    from .io import Image, Surface

    if isinstance(value, Image):
        digest.update(b"image")
        _update(digest, value.data)
        _update(digest, np.asarray(value.affine, dtype=float))
    elif isinstance(value, Surface):
        digest.update(b"surface")
        _update(digest, value.vertices)
        _update(digest, value.faces)
    elif isinstance(value, np.ndarray) and value.dtype.kind != "O":
        digest.update(f"array{value.dtype.str}{value.shape}".encode())
        # A view of the bytes: no copy when the array is already contiguous.
        digest.update(np.ascontiguousarray(value).reshape(-1).view(np.uint8).data)
    elif value is None or isinstance(value, (bool, numbers.Number, str, bytes)):
        digest.update(f"{type(value).__name__}:{value!r}".encode())
    elif isinstance(value, (tuple, list)):
        digest.update(f"{type(value).__name__}{len(value)}(".encode())
        for element in value:
            _update(digest, element)
        digest.update(b")")
    elif isinstance(value, dict):
        digest.update(f"dict{len(value)}(".encode())
        for key in sorted(value, key=repr):
            _update(digest, key)
            _update(digest, value[key])
        digest.update(b")")
    else:
        _refuse(value)


def _refuse(value):
    raise BrainviewTypeError(
        f"value: cannot key a cached result by the content of {describe(value)}; "
        "pass arrays, brainview images or surfaces, numbers, strings or tuples of them."
    )


# ------------------------------------------------------------------ the decorator


def memoize(func):
    """Memoise a deterministic function of arrays on disk, keyed by :func:`content_key`.

    The key is the content of every argument (defaults filled in), the
    function's qualified name and a hash of its source code, so an edited
    function never reads an older result. Results are stored by joblib;
    a ``pyvista.PolyData`` of triangles is stored as its arrays. Each call
    returns a new object (the caller may modify it). When caching is off
    (:func:`set_cache` ``(None)``) the function is simply called.

    The function must not depend on anything but its arguments, and not on
    an image's name.
    """
    signature = inspect.signature(func)
    name = f"{func.__module__}.{func.__qualname__}"
    source = hashlib.blake2b(inspect.getsource(func).encode(), digest_size=8).hexdigest()

    @functools.wraps(func)
    def memoized(*args, **kwargs):
        memory = get_cache()
        if memory is None:
            return func(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        key = content_key(*bound.arguments.items())
        stored = _cached_compute(memory)(name, source, _FORMAT, key, func, bound.args, bound.kwargs)
        return _unpack(stored)

    memoized.uncached = func
    return memoized


@functools.lru_cache(maxsize=4)
def _cached_compute(memory):
    # Only the name, source hash, format and content key are hashed by joblib:
    # the function and the (possibly huge) arguments are ignored.
    return memory.cache(_compute, ignore=["func", "args", "kwargs"])


def _compute(name, source, format_version, key, func, args, kwargs):
    return _pack(func(*args, **kwargs))


def _pack(result):
    if type(result).__name__ == "PolyData" and _triangles_only(result):
        return {
            "__polydata__": True,
            "points": np.asarray(result.points),
            "faces": np.asarray(result.faces),
            "point_data": {k: np.asarray(result.point_data[k]) for k in result.point_data.keys()},
            "cell_data": {k: np.asarray(result.cell_data[k]) for k in result.cell_data.keys()},
            "field_data": {k: np.asarray(result.field_data[k]) for k in result.field_data.keys()},
            "normals": result.point_data.active_normals_name,
        }
    return result


def _triangles_only(mesh):
    return not (mesh.n_lines or mesh.n_verts or mesh.n_strips)


def _unpack(stored):
    if not (isinstance(stored, dict) and stored.get("__polydata__")):
        return stored
    import pyvista as pv

    mesh = pv.PolyData(stored["points"], stored["faces"]) if len(stored["faces"]) \
        else pv.PolyData(stored["points"])
    for kind in ("point_data", "cell_data", "field_data"):
        target = getattr(mesh, kind)
        for key, array in stored[kind].items():
            target[key] = array
    if stored["normals"]:
        mesh.point_data.active_normals_name = stored["normals"]
    return mesh
