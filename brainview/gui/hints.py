"""Which editor a layer trait gets in the property panel, and the range its slider covers.

Read from each trait's metadata (its ``panel=``, ``choices=``, ``low=``/``high=``,
``range=``, ``shown=`` hints: the table is in :mod:`brainview.gui.panel`) and,
without metadata, from its type and value. Qt-free: a layer's panel is decided
without a display.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Slices
>>> layer = Slices((np.arange(27.0).reshape(3, 3, 3), np.eye(4)))
>>> editor_kind(layer, "cmap"), trait_range(layer, "x")
('cmap', (0.0, 2.0))
"""

from __future__ import annotations

import ast
import weakref

import numpy as np

#: Traits shown first, in this order; the others follow in the class's order.
FIRST = ("name", "visible", "opacity")


# ---------------------------------------------------------------- which editor


def panel_traits(layer):
    """The names of a layer's traits the panel shows, in panel order.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> panel_traits(Slices((np.ones((3, 3, 3)), np.eye(4))))[:5]
    ['name', 'visible', 'opacity', 'img', 'volume']
    """
    # Class traits only: traits may add instance traits on the fly (a missing attribute observed).
    names = [n for n in layer.class_trait_names()
             if not n.startswith("_") and n not in ("trait_added", "trait_modified")
             and layer.editable_trait(n) and editor_kind(layer, n) != "hidden"]
    return [n for n in FIRST if n in names] + [n for n in names if n not in FIRST]


def editor_kind(layer, name):
    """The editor a trait gets: its ``panel=`` metadata, else one decided from its type and value.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> layer = Slices((np.ones((3, 3, 3)), np.eye(4)))
    >>> [editor_kind(layer, n) for n in ("visible", "x", "cmap", "axes", "img", "name", "volume")]
    ['check', 'slider', 'cmap', 'choice', 'file', 'text', 'literal']
    """
    trait = layer.trait(name)
    if trait.panel is not None:
        return trait.panel
    if trait.choices is not None:
        return "choice"
    if _is_switch(trait):
        return "check"
    if name in getattr(layer, "data_params", ()):
        return "file"
    value = getattr(layer, name)
    if name == "name" or type(trait.trait_type).__name__ == "Str":
        return "text"
    if _is_number(value):
        return "number"
    if _is_literal(value):
        return "literal"
    return "fixed"


def _is_switch(trait):
    from traits.api import Bool

    from ..layers.base import check_bool, check_optional_bool

    kind = trait.trait_type
    return isinstance(kind, Bool) or getattr(kind, "_check", None) in (check_bool, check_optional_bool)


def _is_number(value):
    return (not isinstance(value, (bool, np.bool_)) and np.ndim(value) == 0
            and isinstance(np.asarray(value).item() if isinstance(value, np.ndarray) else value,
                           (int, float, np.integer, np.floating)))


def _is_literal(value):
    try:
        return ast.literal_eval(repr(value)) == value
    except Exception:  # arrays, objects: repr is not a Python literal
        return False


def switches(layer):
    """The layer's on/off traits (besides ``visible``): shown as check boxes.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> switches(Slices((np.ones((3, 3, 3)), np.eye(4))))
    ['transparent_below', 'invert']
    """
    return [n for n in panel_traits(layer) if n != "visible" and editor_kind(layer, n) == "check"]


# ---------------------------------------------------------------- ranges


def _values(layer):
    if getattr(layer, "image", None) is not None and not hasattr(layer, "names"):
        return np.asarray(layer.image.data)
    for attr in ("overlay_values", "_values"):
        values = getattr(layer, attr, None)
        if values is not None:
            return np.asarray(values)
    edges = getattr(layer, "_edges", None)
    if edges is not None and getattr(edges, "weights", None) is not None:
        return np.asarray(edges.weights)
    return None


def data_range(layer):
    """``(min, max)`` of the finite values a layer shows, or None.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> data_range(Slices((np.arange(27.0).reshape(3, 3, 3), np.eye(4))))
    (0.0, 26.0)
    """
    values = _values(layer)
    if values is None or values.size == 0:
        return None
    owner, key = _memory_of(values)
    cached = _RANGES.get(key)
    if cached is not None and cached[0]() is owner:
        return cached[1]
    span = _finite_range(values)
    try:
        # Once per data: a panel rebuilt on selection, or a 4-D volume shown again, scans nothing.
        _RANGES[key] = (weakref.ref(owner), span)
    except TypeError:  # memory whose owner cannot be weakly referenced: not cached
        pass
    return span


#: where the values sit in memory -> (weak reference to the memory's owner, their range); an entry
#: whose owner is gone (its memory reused) is replaced.
_RANGES = {}


def _memory_of(values):
    """``(owner of the memory, key)``: two views of the same values (a 4-D image's volume taken
    again) have the same key; the owner (the root array, or the file's memory map) keeps it valid.

    Examples
    --------
    >>> import numpy as np
    >>> series = np.zeros((2, 2, 2, 3))
    >>> _memory_of(series[..., 1])[1] == _memory_of(series[..., 1])[1] != _memory_of(series[..., 2])[1]
    True
    """
    root = values
    while isinstance(root.base, np.ndarray):
        root = root.base
    owner = root if root.base is None else root.base
    interface = values.__array_interface__
    return owner, (id(owner), interface["data"][0], values.shape, values.strides, values.dtype.str)


def _finite_range(values):
    if values.size > 2_000_000:  # a strided sample in memory order: no copy, no full scan of a big volume
        values = values.ravel(order="K")[:: values.size // 1_000_000]
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    low, high = float(values.min()), float(values.max())
    return (low, high) if low < high else (low - 0.5, high + 0.5)


def trait_range(layer, name):
    """``(low, high)`` of a slider trait: its ``low``/``high`` metadata or the ``range`` it names.

    The range always includes the current value.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> layer = Slices((np.arange(27.0).reshape(3, 3, 3), np.eye(4)))
    >>> trait_range(layer, "opacity"), trait_range(layer, "x")
    ((0.0, 1.0), (0.0, 2.0))
    """
    trait = layer.trait(name)
    low, high = trait.low, trait.high
    source = trait.range
    span = None
    if source == "data":
        span = data_range(layer)
    elif source == "magnitude":
        span = data_range(layer)
        span = None if span is None else (0.0, max(abs(span[0]), abs(span[1])))
    elif source in ("x", "y", "z") and getattr(layer, "image", None) is not None:
        bounds = layer.image.world_bounds()
        axis = "xyz".index(source)
        span = (float(bounds[2 * axis]), float(bounds[2 * axis + 1]))
    if span is not None:
        low, high = span
    low = 0.0 if low is None else float(low)
    high = max(low + 1.0, 1.0) if high is None else float(high)
    for value in _numbers_of(layer, name):
        low, high = min(low, value), max(high, value)
    if high <= low:
        high = low + 1.0
    return low, high


def _numbers_of(layer, name):
    value = shown_value(layer, name)
    if value is None:
        return []
    return [float(v) for v in np.ravel(value) if np.isfinite(v)]


def shown_value(layer, name):
    """The number(s) a slider shows: the value, or what None / a "95%" string resolves to.

    Returns a float array, or None when there is no number to show.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> shown_value(Slices((np.ones((3, 3, 3)), np.eye(4))), "opacity")
    array(1.)
    """
    value = getattr(layer, name)
    trait = layer.trait(name)
    if (value is None or isinstance(value, str)) and trait.shown:
        value = layer
        for part in trait.shown.split("."):  # "color_range.vmax", "edge_clim.1"
            value = value[int(part)] if part.isdigit() else getattr(value, part)
    if value is None or isinstance(value, str):
        return None
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
