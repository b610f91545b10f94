"""Colormaps, colours, colour ranges and thresholds shared by every layer.

Colormaps are matplotlib's (plus nilearn's names such as ``"cold_hot"``), so a
brainview figure and a matplotlib/nilearn figure of the same data use the same
colours.

Examples
--------
>>> from brainview.colors import to_rgb, check_clim
>>> to_rgb("red")
(1.0, 0.0, 0.0)
>>> check_clim((0, 1))
(0.0, 1.0)
"""

from __future__ import annotations

import difflib
import os

import numpy as np

from .errors import BrainviewTypeError, BrainviewValueError, describe

__all__ = [
    "get_cmap", "to_rgb", "check_clim", "auto_clim", "cmap_table", "lookup_table",
    "resolve_threshold", "robust_range", "has_alpha", "cmap_spec", "mapped_alpha", "color_bytes",
    "check_gamma", "check_clip", "display_cmap", "shown_cmap", "clip_mask", "clipped", "clip_opacity",
]


def _pigtailed(base, name):
    """nilearn's "pigtailed" maps: ``base`` above the middle, its mirror with
    red and blue swapped below (``cold_hot`` is black at 0, hot above, cold below).
    Rebuilt here because importing ``nilearn.plotting`` takes 3 s."""
    import matplotlib
    from matplotlib.colors import ListedColormap

    samples = matplotlib.colormaps[base](np.linspace(0.0, 1.0, 128))
    cold = samples[::-1][:, [2, 1, 0, 3]]
    return ListedColormap(np.vstack([cold, samples]), name=name)


_PIGTAILED = {"cold_hot": "hot", "cold_white_hot": "hot_r"}


def get_cmap(cmap, *, name="cmap"):
    """A matplotlib colormap from a name, a Colormap object, an RGBA table or a colour file.

    An ``(n, 3)`` or ``(n, 4)`` table of floats in 0..1 becomes a
    ``ListedColormap`` of its rows, alpha included: a map with alpha < 1 draws
    translucent in every layer (surfaces, points, lines, volumes, contours).
    A path (a ``pathlib.Path``, or a string ending in ``.lut``, ``.cmap``,
    ``.txt``, ``.csv``...) is read by :func:`brainview.io.lut_files.read_colormap_file`
    (FSL ``.cmap``/``.lut``, FreeSurfer LUTs, RGB tables in 0..1 or 0..255).

    Raises
    ------
    BrainviewValueError
        Unknown name (the message lists the closest known names), or a table
        that is not ``(n, 3|4)`` finite numbers in 0..1.

    Examples
    --------
    >>> get_cmap("hot").name
    'hot'
    >>> get_cmap([[1, 0, 0, 0.0], [1, 0, 0, 0.5]]).N
    2
    """
    import matplotlib
    from matplotlib.colors import Colormap

    if isinstance(cmap, Colormap):
        return cmap
    if isinstance(cmap, (list, tuple, np.ndarray)):
        return _table_cmap(cmap, name)
    if isinstance(cmap, os.PathLike) or (isinstance(cmap, str) and cmap not in matplotlib.colormaps
                                         and cmap not in _PIGTAILED):
        from .io.lut_files import is_colormap_path, read_colormap_file

        if is_colormap_path(cmap):
            return read_colormap_file(cmap, name=name)
    if not isinstance(cmap, str):
        raise BrainviewTypeError(
            f"{name}: expected a colormap name, a matplotlib Colormap or an (n, 4) RGBA table, "
            f"got {describe(cmap)}."
        )
    if cmap in _PIGTAILED:
        return _pigtailed(_PIGTAILED[cmap], cmap)
    if cmap.endswith("_r") and cmap[:-2] in _PIGTAILED:
        return _pigtailed(_PIGTAILED[cmap[:-2]], cmap[:-2]).reversed()
    try:
        return matplotlib.colormaps[cmap]
    except KeyError:
        known = list(matplotlib.colormaps) + list(_PIGTAILED)
        close = difflib.get_close_matches(cmap, known, n=4)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise BrainviewValueError(
            f"{name}: unknown colormap {cmap!r}.{hint} Any matplotlib colormap name works, "
            "or the path of a colour file ('my.lut', 'ramp.cmap', 'colors.csv')."
        ) from None


def _table_cmap(table, name):
    """A ``ListedColormap`` of an ``(n, 3|4)`` table of floats in 0..1 (checked)."""
    from matplotlib.colors import ListedColormap

    try:
        rgba = np.array(table, dtype=float)
    except (TypeError, ValueError):
        rgba = None
    if rgba is None or rgba.ndim != 2 or rgba.shape[0] < 1 or rgba.shape[1] not in (3, 4):
        raise BrainviewValueError(
            f"{name}: an RGBA table must be an (n, 3) or (n, 4) array of numbers, got {describe(table)}."
        )
    if not np.isfinite(rgba).all() or rgba.min() < 0 or rgba.max() > 1:
        raise BrainviewValueError(
            f"{name}: RGBA table entries must be finite and within 0..1 (divide 0..255 tables by 255)."
        )
    if rgba.shape[1] == 3:
        rgba = np.column_stack([rgba, np.ones(len(rgba))])
    return ListedColormap(rgba, name="rgba_table")


def has_alpha(cmap):
    """Whether a colormap has alpha < 1 anywhere (its actors then draw translucent).

    Examples
    --------
    >>> has_alpha("hot"), has_alpha([[1, 0, 0, 0.5], [1, 0, 0, 1]])
    (False, True)
    """
    return bool(cmap_table(cmap)[:, 3].min() < 1)


def cmap_spec(cmap):
    """What a scene file stores for a colormap: its registered name, else its RGBA table.

    A Colormap made in a script (alpha added, colours edited) is not the one
    its name denotes: its ``(256, 4)`` table is kept instead, so the saved
    scene draws the same colours and alpha.

    Examples
    --------
    >>> import matplotlib
    >>> cmap_spec(matplotlib.colormaps["hot"])
    'hot'
    >>> cmap_spec(matplotlib.colormaps["hot"].with_extremes(bad="k")) == "hot"
    True
    >>> cmap_spec(get_cmap([[1, 0, 0, 0.0], [1, 0, 0, 1.0]])).shape
    (256, 4)
    """
    from .errors import BrainviewError

    colormap = get_cmap(cmap)
    try:
        registered = get_cmap(colormap.name)
    except BrainviewError:  # a colour file's map whose file is gone: its table is kept
        registered = None
    if registered is not None and np.array_equal(cmap_table(registered), cmap_table(colormap)):
        return colormap.name
    return cmap_table(colormap)


def to_rgb(color, *, name="color"):
    """An ``(r, g, b)`` tuple in 0..1 from any matplotlib colour specification.

    Examples
    --------
    >>> to_rgb("#00ff00")
    (0.0, 1.0, 0.0)
    """
    from matplotlib.colors import to_rgb as mpl_to_rgb

    try:
        return tuple(float(c) for c in mpl_to_rgb(color))
    except (ValueError, TypeError):
        raise BrainviewValueError(
            f"{name}: {describe(color)} is not a colour. Use a name ('red'), a hex "
            "string ('#ff0000') or an (r, g, b) tuple in 0..1."
        ) from None


def check_clim(clim, *, name="clim"):
    """Validate a colour range ``(low, high)`` with ``low < high``.

    Examples
    --------
    >>> check_clim([3, 8])
    (3.0, 8.0)
    """
    try:
        low, high = (float(v) for v in clim)
    except (TypeError, ValueError):
        raise BrainviewValueError(
            f"{name}: expected two numbers (low, high), got {describe(clim)}."
        ) from None
    if not (np.isfinite(low) and np.isfinite(high)) or low >= high:
        raise BrainviewValueError(
            f"{name}: expected finite low < high, got ({low}, {high}). "
            "Swap them or widen the range."
        )
    return low, high


def auto_clim(data, *, robust=False):
    """A colour range covering the finite data (or its 2nd-98th percentiles).

    Never returns an empty range: constant data gets ``(v - 0.5, v + 0.5)``.

    Examples
    --------
    >>> import numpy as np
    >>> auto_clim(np.array([0.0, 2.0, np.nan]))
    (0.0, 2.0)
    """
    values = np.asarray(data)
    if np.issubdtype(values.dtype, np.floating):
        values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, 1.0
    if robust:
        low, high = (float(v) for v in np.percentile(values, [2, 98]))
    else:
        low, high = float(values.min()), float(values.max())
    if low >= high:
        return low - 0.5, high + 0.5
    return low, high


def robust_range(data, *, max_samples=1_000_000):
    """The 2nd–98th percentiles of the non-zero finite values: a default colour range.

    Large arrays are subsampled evenly in memory order (no copy of the image);
    constant or empty data get a non-empty range as in :func:`auto_clim`.

    Examples
    --------
    >>> import numpy as np
    >>> robust_range(np.array([0.0, 1.0, 1.0, np.nan]))
    (0.5, 1.5)
    """
    values = np.asarray(data).ravel(order="K")
    if values.size > max_samples:
        values = values[:: values.size // max_samples]
    keep = values != 0
    if values.dtype.kind == "f":
        keep &= np.isfinite(values)
    return auto_clim(values[keep], robust=True)


def cmap_table(cmap, n_colors=256):
    """``(n_colors, 4)`` float RGBA samples of a colormap, its alpha kept.

    ``cmap`` is a name, a Colormap (its alpha channel kept) or an ``(n, 3|4)``
    RGBA table (resampled to ``n_colors`` entries as a ``ListedColormap``).

    Examples
    --------
    >>> cmap_table([[1, 0, 0, 0.0], [0, 0, 1, 1.0]], 2)[:, 3].tolist()
    [0.0, 1.0]
    """
    return get_cmap(cmap)(np.linspace(0.0, 1.0, n_colors))


def lookup_table(cmap, clim, *, table=None, alpha=1.0, transparent_below=False,
                 transparent_nan=False, nan_color=(0.5, 0.5, 0.5), clip=None):
    """Fill (or create) a ``vtkLookupTable`` with a colormap over a range.

    The map's own alpha channel is kept (times ``alpha``). NaN maps to
    ``nan_color``, or to fully transparent with ``transparent_nan``; with
    ``transparent_below``, values under ``clim[0]`` are transparent too (to
    hide below-threshold voxels). With ``clip=(low, high)``, entries whose
    value lies outside it are transparent (a colour bar's clipping range; an
    image's clipped voxels are NaN already, see :func:`clipped`).

    Translucency costs: a table with any entry of alpha < 1 marks its actor
    translucent, and VTK then depth-peels it (a 100k-edge connectome frame:
    0.4 s opaque, 4.8 s peeled). So only a map whose alpha really is < 1
    somewhere (or the two options above) makes one; leave the options off for
    geometry.

    Examples
    --------
    >>> table = lookup_table([[1, 0, 0, 0.0], [1, 0, 0, 1.0]], (0, 1))
    >>> table.GetTableValue(0)[3], table.GetTableValue(255)[3]
    (0.0, 1.0)
    """
    from . import geometry  # noqa: F401  (chooses VTK's SMP backend before VTK loads)
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonCore import vtkLookupTable  # a data object, not the renderer

    table = table or vtkLookupTable()
    rgba = cmap_table(cmap)
    rgba[:, 3] *= alpha
    if clip is not None:
        centres = clim[0] + (np.arange(len(rgba)) + 0.5) * (clim[1] - clim[0]) / len(rgba)
        rgba[~clip_mask(centres, clip), 3] = 0.0
    colors = numpy_to_vtk((rgba * 255).round().astype(np.uint8), deep=True)
    table.SetNumberOfTableValues(len(rgba))
    table.SetTable(colors)
    table.SetRange(*clim)
    table.SetNanColor(*((0.0, 0.0, 0.0, 0.0) if transparent_nan else (*nan_color, 1.0)))
    table.SetUseBelowRangeColor(transparent_below)
    table.SetBelowRangeColor(0.0, 0.0, 0.0, 0.0)
    table.BuildSpecialColors()  # NaN and below-range colours hold before any render (an HTML export)
    table.Modified()
    table.Build()  # the NaN and out-of-range colours as bytes: MapScalars before any render uses them too
    return table


def mapped_alpha(cmap, scaled):
    """The colormap's alpha at ``scaled`` values (0..1), or None when the map is opaque everywhere.

    None lets a layer keep 3-component colours: an opaque actor is not depth-peeled.

    Examples
    --------
    >>> mapped_alpha("hot", [0.5]) is None
    True
    >>> mapped_alpha([[1, 0, 0, 0.0], [1, 0, 0, 1.0]], [0.0, 1.0]).tolist()
    [0.0, 1.0]
    """
    if not has_alpha(cmap):
        return None
    return get_cmap(cmap)(np.asarray(scaled, dtype=float))[..., 3]


def color_bytes(rgb, alpha=None):
    """``uint8`` colours of a mesh's ``"rgb"`` array: ``(n, 3)``, or ``(n, 4)`` with an alpha column.

    Examples
    --------
    >>> color_bytes([[1.0, 0.5, 0.0]]).tolist()
    [[255, 128, 0]]
    >>> color_bytes([[1.0, 0.5, 0.0]], alpha=[0.5]).tolist()
    [[255, 128, 0, 128]]
    """
    rgb = np.asarray(rgb, dtype=float)
    if alpha is not None:
        rgb = np.column_stack([rgb, np.broadcast_to(np.asarray(alpha, dtype=float), len(rgb))])
    return (rgb * 255).round().astype(np.uint8)


def resolve_threshold(threshold, values, *, name="threshold"):
    """A threshold on ``|values|`` from a number or a percentile string such as ``"95%"``.

    A percentile is taken over the absolute values of the finite, non-zero
    entries (nilearn's convention for ``threshold="95%"`` and
    ``edge_threshold="95%"``). ``None`` means 0 (no threshold).

    Raises
    ------
    BrainviewValueError
        Negative numbers, percentiles outside 0..100, unparsable strings.

    Examples
    --------
    >>> import numpy as np
    >>> resolve_threshold("50%", np.array([0.0, -1.0, 2.0, 3.0]))
    2.0
    >>> resolve_threshold(0.5, np.array([1.0]))
    0.5
    """
    if threshold is None:
        return 0.0
    if isinstance(threshold, str):
        text = threshold.strip()
        try:
            if not text.endswith("%"):
                raise ValueError
            percent = float(text[:-1])
        except ValueError:
            raise BrainviewValueError(
                f"{name}: expected a number or a percentile string like '95%', got {threshold!r}."
            ) from None
        if not 0 <= percent <= 100:
            raise BrainviewValueError(
                f"{name}: a percentile must be within 0%..100%, got {threshold!r}."
            )
        flat = np.asarray(values)
        if not np.issubdtype(flat.dtype, np.floating):
            flat = flat.astype(float)
        flat = flat.ravel(order="K")  # memory order: no copy of a big image
        # Only the kept entries become float64 (a 1 mm map is mostly zeros).
        magnitudes = np.abs(flat[np.isfinite(flat) & (flat != 0)], dtype=float)
        if magnitudes.size == 0:
            return 0.0
        return float(np.percentile(magnitudes, percent))
    try:
        number = float(threshold)
    except (TypeError, ValueError):
        raise BrainviewTypeError(
            f"{name}: expected a number or a percentile string like '95%', got {describe(threshold)}."
        ) from None
    if not np.isfinite(number) or number < 0:
        raise BrainviewValueError(
            f"{name}: must be >= 0 (it applies to absolute values), got {threshold!r}."
        )
    return number


# ---------------------------------------------------------------- display options (FSLeyes')


#: Gamma values accepted: ``1 / MAX_GAMMA`` .. ``MAX_GAMMA``.
MAX_GAMMA = 100.0


def check_gamma(value, name="gamma"):
    """A gamma exponent of the colour ramp: a finite number in ``1/100..100`` (1: the ramp as it is).

    Examples
    --------
    >>> check_gamma(2)
    2.0
    """
    try:
        number = float(value)
        ok = not isinstance(value, (bool, np.bool_, str)) and np.isfinite(number)
    except (TypeError, ValueError):
        ok = False
    if not ok or not 1 / MAX_GAMMA <= number <= MAX_GAMMA:
        raise BrainviewValueError(
            f"{name}: expected a number from {1 / MAX_GAMMA:g} to {MAX_GAMMA:g}, got {describe(value)}. "
            "1 keeps the colour map as it is; below 1 brightens the low end, above 1 darkens it."
        )
    return number


def check_clip(value, name="clip"):
    """A clipping range ``(low, high)`` (values outside it are not drawn), or None for none.

    Examples
    --------
    >>> check_clip([1, 5]), check_clip(None)
    ((1.0, 5.0), None)
    """
    if value is None:
        return None
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise BrainviewValueError(
            f"{name}: expected None or two numbers (low, high): values outside are transparent; "
            f"got {describe(value)}."
        ) from None
    if not (np.isfinite(low) and np.isfinite(high)) or low > high:
        raise BrainviewValueError(
            f"{name}: expected finite low <= high, got ({low}, {high}). Swap them, or pass None "
            "to draw every value."
        )
    return low, high


def display_cmap(cmap, *, gamma=1.0, invert=False, symmetric=False, n_colors=256):
    """The colour map as drawn with FSLeyes' ``gamma`` and ``invert`` display options.

    The colour at position ``t`` (0..1 along the display range) is
    ``cmap(t ** gamma)``, or ``cmap(1 - t ** gamma)`` inverted. ``gamma=1``
    and ``invert=False`` return ``cmap`` itself; ``invert`` alone is
    matplotlib's exact ``reversed()`` map; otherwise ``n_colors`` samples.
    ``symmetric``: gamma bends each half from the centre outwards (a diverging
    map of signed values: ``0.5 ± 0.5 |2t - 1| ** gamma``), the centre and ends kept.

    Examples
    --------
    >>> gray = get_cmap("gray")
    >>> display_cmap(gray) is gray
    True
    >>> [round(float(c), 2) for c in display_cmap("gray", gamma=2)(0.5)[:3]]
    [0.25, 0.25, 0.25]
    >>> bool(display_cmap("hot", invert=True)(0.0) == get_cmap("hot")(1.0))
    True
    """
    from matplotlib.colors import ListedColormap

    colormap = get_cmap(cmap)
    gamma = check_gamma(gamma)
    if gamma == 1.0:
        return colormap.reversed() if invert else colormap
    positions = np.linspace(0.0, 1.0, n_colors)
    if symmetric:
        centred = 2.0 * positions - 1.0
        positions = 0.5 + 0.5 * np.sign(centred) * np.abs(centred) ** gamma
    else:
        positions = positions ** gamma
    if invert:
        positions = 1.0 - positions
    shown = ListedColormap(colormap(positions), name=f"{colormap.name} (gamma {gamma:g}"
                           + (", inverted)" if invert else ")"))
    return shown.with_extremes(bad=colormap.get_bad())


def shown_cmap(layer):
    """A layer's colour map as drawn: its ``cmap`` with its ``gamma`` and ``invert`` (if it has them).

    The one call every drawer, painter and colour bar makes, so that they all agree.
    A layer whose ``diverging`` is True (a stat map's diverging map) has each
    sign's half bent (``symmetric`` in :func:`display_cmap`).

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> layer = Slices((np.ones((2, 2, 2)), np.eye(4)), cmap="gray", invert=True)
    >>> [float(c) for c in shown_cmap(layer)(0.0)]
    [1.0, 1.0, 1.0, 1.0]
    """
    gamma, invert = getattr(layer, "gamma", 1.0), getattr(layer, "invert", False)
    symmetric = gamma != 1.0 and bool(getattr(layer, "diverging", False))
    return display_cmap(layer.cmap, gamma=gamma, invert=invert, symmetric=symmetric)


def clip_mask(values, clip):
    """Where ``values`` lie inside ``clip`` (bounds included; NaN never); all finite values for None.

    Examples
    --------
    >>> import numpy as np
    >>> clip_mask(np.array([0.0, 1.0, 2.0, np.nan]), (1, 2)).tolist()
    [False, True, True, False]
    """
    values = np.asarray(values)
    if clip is None:
        return np.isfinite(values)
    return (values >= clip[0]) & (values <= clip[1])


def clipped(values, clip):
    """``values`` with NaN outside ``clip`` (a new float32 array), or ``values`` itself for None.

    NaN is transparent in every image drawing, so the clipped values draw nothing.

    Examples
    --------
    >>> import numpy as np
    >>> clipped(np.array([0.0, 1.0, 2.0]), (0.5, 1.5)).tolist()
    [nan, 1.0, nan]
    """
    if clip is None:
        return values
    result = np.where(clip_mask(values, clip), values, np.nan).astype(np.float32)
    result.flags.writeable = False
    return result


def clip_opacity(function, clip):
    """Make a ``vtkPiecewiseFunction`` (a volume's opacity) 0 outside ``clip``; None leaves it.

    Examples
    --------
    >>> from vtkmodules.vtkCommonDataModel import vtkPiecewiseFunction
    >>> ramp = vtkPiecewiseFunction(); _ = ramp.AddPoint(0, 0.0), ramp.AddPoint(10, 1.0)
    >>> clip_opacity(ramp, (2, 8))
    >>> ramp.GetValue(1.0), round(ramp.GetValue(5.0), 2), ramp.GetValue(9.0)
    (0.0, 0.5, 0.0)
    """
    if clip is None:
        return
    low, high = clip
    node = [0.0] * 4
    nodes = []
    for index in range(function.GetSize()):
        function.GetNodeValue(index, node)
        nodes.append((node[0], node[1]))
    at_low, at_high = function.GetValue(low), function.GetValue(high)
    gap = 1e-6 * max(1.0, abs(low), abs(high))
    kept = [(low - gap, 0.0), (low, at_low)] + [(x, y) for x, y in nodes if low < x < high]
    kept += [(high, at_high), (high + gap, 0.0)]
    function.RemoveAllPoints()
    for x, y in kept:
        function.AddPoint(x, y)
