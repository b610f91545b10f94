"""The colour rules of statistical maps, shared by every stat-map mode.

One place decides, for a map and the user's arguments, which values are shown
(``threshold``), how values map to colours (``vmin``/``vmax``), and what the
colour bar shows (its range and ticks). The ranges, ticks and default
colormap are nilearn's ``plot_stat_map`` ones, so a 2-D nilearn figure and a
3-D brainview figure of one map agree:

- ``cmap``: default :func:`default_cmap`, nilearn's current default for stat
  maps (``nilearn.DEFAULT_DIVERGING_CMAP``, ``"RdBu_r"``); ``"cold_hot"``
  remains available.
- ``threshold``: a number, or a percentile string such as ``"95%"`` taken
  over the absolute values of the finite non-zero voxels (see
  :func:`brainview.colors.resolve_threshold`); voxels with
  ``|value| < threshold`` are not drawn.
- ``symmetric="auto"`` (default): symmetric when the map has both signs.
  ``True``: colours and colour bar span ``(-vmax, vmax)``, ``vmax``
  defaulting to ``max |value|``. ``False``: the data's range; a one-signed
  map's colour bar starts at 0 (nilearn's ``symmetric_cbar``). A
  positive-only map therefore gets a one-sided bar ``(0, max)`` by default.

Where brainview departs from nilearn, it is so that the sign of every shown
value can be read from its hue, in shaded 3-D too (:func:`stat_colors`):

- the sign picks the half of the diverging colormap (positive: upper half,
  negative: lower half) and ``|value|`` the shade within it (a two-slope
  norm centred on 0). With a symmetric range this is exactly nilearn's
  linear norm; nilearn's one-signed or asymmetric ranges would colour small
  positive values blue.
- colours without a clear hue (the white or black centre of a diverging
  map, the white ends of ``"cold_hot"``) are never used for a shown value:
  each half is clipped to its part with chroma >= :data:`MIN_CHROMA`.

Examples
--------
>>> import numpy as np
>>> from brainview.statmap_colors import color_range
>>> color_range(np.array([-2.0, 0.0, 5.0]))
ColorRange(vmin=-5.0, vmax=5.0, cbar_vmin=-5.0, cbar_vmax=5.0)
>>> color_range(np.array([0.0, 5.0]), vmax=4)
ColorRange(vmin=0.0, vmax=4.0, cbar_vmin=0.0, cbar_vmax=4.0)
"""

from __future__ import annotations

import warnings
from itertools import pairwise
from typing import NamedTuple

import numpy as np

from . import colors
from .errors import BrainviewValueError, BrainviewWarning, check_number, describe

__all__ = [
    "ColorRange", "MIN_LEVEL", "check_symmetric", "check_vmax", "check_vmin", "is_diverging", "color_range", "colorbar_ticks",
    "contour_level", "default_cmap", "grey_band", "stat_cmap", "stat_colors", "threshold_table", "value_colors", "max_abs",
]

#: Colour of the hidden band ``|value| < threshold`` in colour bars (opaque
#: grey: VTK's scalar bar draws no transparency).
HIDDEN_COLOR = (0.5, 0.5, 0.5, 1.0)

#: Tick label format of colour bars (nilearn's default).
TICK_FORMAT = "%.2g"

#: The colormap used when nilearn cannot tell its default.
FALLBACK_CMAP = "RdBu_r"

#: Least chroma (max - min of r, g, b) of a colour shown for a value above the
#: threshold: below it, white, grey or black could be either sign once shaded.
MIN_CHROMA = 0.35

#: Samples of a colormap when finding its readable parts.
_N_SAMPLES = 256

#: Relative level used for ``threshold=0`` (nilearn's default threshold, 1e-6): a map is 0
#: outside its mask, so 0 itself is never a level.
MIN_LEVEL = 1e-6


def contour_level(threshold, peak):
    """The level on ``|value|`` that a threshold shows from: never exactly 0.

    Parameters
    ----------
    threshold : float
        The threshold on ``|value|`` (``>= 0``).
    peak : float
        The map's largest ``|value|`` (the floor scales with it above 1).

    Examples
    --------
    >>> contour_level(2.0, 5.0)
    2.0
    >>> contour_level(0.0, 1000.0)
    0.001
    """
    return max(float(threshold), MIN_LEVEL * max(peak, 1.0))


def default_cmap():
    """nilearn's current default colormap of stat maps (``"RdBu_r"`` in nilearn 0.14).

    Read from ``nilearn.DEFAULT_DIVERGING_CMAP`` at run time (importing the
    top-level ``nilearn`` package takes a millisecond), :data:`FALLBACK_CMAP`
    when nilearn is missing or older.

    Examples
    --------
    >>> default_cmap()
    'RdBu_r'
    """
    try:
        import nilearn
    except ImportError:  # pragma: no cover - nilearn is a dependency
        return FALLBACK_CMAP
    return getattr(nilearn, "DEFAULT_DIVERGING_CMAP", FALLBACK_CMAP)


class ColorRange(NamedTuple):
    """Colour mapping range (``vmin``, ``vmax``) and colour bar range."""

    vmin: float
    vmax: float
    cbar_vmin: float
    cbar_vmax: float


def check_symmetric(value, name="symmetric"):
    """``True``, ``False`` or ``"auto"``."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if value == "auto":
        return "auto"
    raise BrainviewValueError(f"{name}: expected True, False or 'auto', got {describe(value)}.")


def check_vmax(value, name="vmax"):
    """``None`` or a finite number > 0."""
    return check_number(value, name, optional=True, minimum=0, strict=True,
                        hint="(the top of the colour scale)")


def max_abs(values):
    """Largest finite ``|value|`` (0 when there is none).

    Examples
    --------
    >>> max_abs(np.array([np.nan, -3.0, 2.0]))
    3.0
    """
    values = np.asarray(values)
    finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
    return float(np.abs(finite).max()) if finite.size else 0.0


def _finite_min_max(values):
    values = np.asarray(values)
    finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
    if not finite.size:
        return 0.0, 0.0
    return float(finite.min()), float(finite.max())


def check_vmin(value, name="vmin"):
    """``None`` or a finite number (the bottom of the colour scale)."""
    return check_number(value, name, optional=True)


def color_range(values, *, vmin=None, vmax=None, symmetric="auto", plot_abs=False):
    """Colour range and colour bar range of a map: nilearn's ``get_colorbar_and_data_ranges``.

    The same rules, case by case, as :func:`nilearn.plotting._utils.get_colorbar_and_data_ranges`
    (which ``plot_stat_map``, ``plot_glass_brain`` and ``plot_img_on_surf`` call),
    with nilearn's ``None`` colour bar ends resolved as its colour bar does
    (to ``vmin``/``vmax``).

    Parameters
    ----------
    values : ndarray
        The map's values (non-finite ones are ignored).
    vmin, vmax : float, optional
        Ends of the colour scale; values beyond take the end colours.
        Default: from the data (``max |value|`` when symmetric).
    symmetric : bool or "auto"
        nilearn's ``symmetric_cbar``: ``"auto"`` is symmetric when the shown
        range (the data clipped to ``vmin``/``vmax``) has both signs, or, with
        both ``vmin`` and ``vmax`` given, when ``vmin == -vmax``. A symmetric
        range with ``vmin != -vmax`` becomes ``(-m, m)``, ``m`` the larger
        magnitude, with a warning (as nilearn).
    plot_abs : bool
        The range of ``|values|`` from 0 (nilearn's ``plot_glass_brain``
        ``plot_abs=True``, ``force_min_stat_map_value=0``; nilearn takes the
        maximum of the signed values there, brainview the maximum of ``|value|``
        that is shown).

    Returns
    -------
    ColorRange
        An empty map gets the range ``(-1, 1)`` (or ``(0, 1)``) so that colour
        lookups stay defined.

    Examples
    --------
    >>> color_range(np.array([0.0, 5.0]), vmin=1.0)
    ColorRange(vmin=1.0, vmax=5.0, cbar_vmin=1.0, cbar_vmax=5.0)
    >>> color_range(np.array([-2.0, 5.0]), plot_abs=True)
    ColorRange(vmin=0.0, vmax=5.0, cbar_vmin=0.0, cbar_vmax=5.0)
    """
    symmetric = check_symmetric(symmetric)
    vmin, vmax = check_vmin(vmin), check_number(vmax, "vmax", optional=True)
    if plot_abs:
        if vmin is not None and vmin < 0:
            warnings.warn(f"vmin: {vmin:g} is negative but plot_abs=True shows |value| >= 0; "
                          "pass vmin >= 0 or plot_abs=False.", BrainviewWarning, stacklevel=3)
        values = np.abs(np.asarray(values, dtype=float))
    data_min, data_max = _finite_min_max(values)
    if plot_abs:
        data_min = 0.0
    if symmetric == "auto":
        if vmin is None or vmax is None:
            low = data_min if vmin is None else max(vmin, data_min)
            high = data_max if vmax is None else min(data_max, vmax)
            symmetric = low < 0 < high
        else:
            symmetric = bool(np.isclose(vmin, -vmax))
    if symmetric:
        return _symmetric_range(vmin, vmax, data_min, data_max)
    if data_min >= 0:
        cbar = (0.0 if vmin is None else vmin, vmax)
    elif data_max <= 0:
        cbar = (vmin, 0.0 if vmax is None else vmax)
    else:
        cbar = (vmin, vmax)
    low = data_min if vmin is None else vmin
    high = data_max if vmax is None else vmax
    if high <= low:
        if vmin is not None and vmax is not None:
            raise BrainviewValueError(f"vmin: must be below vmax, got vmin={vmin:g}, vmax={vmax:g}.")
        high = low + 1.0 if vmax is None else high
        low = high - 1.0 if vmax is not None else low
    cbar_low = low if cbar[0] is None else cbar[0]
    cbar_high = high if cbar[1] is None else cbar[1]
    if cbar_high <= cbar_low:
        cbar_low, cbar_high = low, high
    return ColorRange(float(low), float(high), float(cbar_low), float(cbar_high))


def _symmetric_range(vmin, vmax, data_min, data_max):
    if vmin is None and vmax is None:
        top = max(-data_min, data_max)
    elif vmin is None:
        top = vmax
    elif vmax is None:
        top = -vmin
    else:
        top = vmax
        if vmin != -vmax:
            warnings.warn(f"vmin={vmin:g} and vmax={vmax:g} do not make a symmetric colour bar "
                          "(symmetric=True): both become the larger magnitude, as in nilearn.",
                          BrainviewWarning, stacklevel=4)
            top = max(abs(vmin), abs(vmax))
    top = float(abs(top)) if top else 1.0
    return ColorRange(-top, top, -top, top)


#: Colormaps whose middle differs in lightness from both ends yet are not diverging (rainbows).
_NOT_DIVERGING = {"jet", "turbo", "hsv", "rainbow", "gist_rainbow", "nipy_spectral", "gist_ncar",
                  "prism", "flag", "twilight", "twilight_shifted"}


def is_diverging(cmap):
    """Whether a colormap is diverging: two hues meeting at a light or dark centre.

    A diverging map shows each sign with its own half (:func:`stat_colors`);
    any other (sequential: ``"hot"``, ``"viridis"``, ``"Reds"``) is used whole,
    linearly over ``(vmin, vmax)`` as nilearn does: a sequential map is never
    split in two halves. Decided from the colours (the centre lighter or
    darker than both ends by 0.15 in luminance, the two sides of different
    colour); rainbows are not diverging.

    Examples
    --------
    >>> is_diverging("RdBu_r"), is_diverging("cold_hot"), is_diverging("hot"), is_diverging("jet")
    (True, True, False, False)
    """
    colormap = colors.get_cmap(cmap)
    if colormap.name.removesuffix("_r") in _NOT_DIVERGING:
        return False
    rgb = colormap(np.linspace(0, 1, 65))[:, :3]
    lum = rgb @ np.array([0.2126, 0.7152, 0.0722])
    middle, ends = lum[28:37], lum[[0, -1]]
    centred = middle.max() - ends.max() > 0.15 or ends.min() - middle.min() > 0.15
    return bool(centred and np.abs(rgb[12] - rgb[-13]).max() > 0.3)


def value_colors(values, cmap, vmin, vmax):
    """``(n, 4)`` RGBA of values through a colormap over ``(vmin, vmax)`` (clipped):
    matplotlib's linear norm, without the sign rules of :func:`stat_colors`.

    Examples
    --------
    >>> value_colors(np.array([5.0, 50.0]), "cold_hot", -5, 5)[:, :3].round(2).tolist()
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    """
    scaled = np.clip((np.asarray(values, dtype=float) - vmin) / (vmax - vmin), 0.0, 1.0)
    return colors.get_cmap(cmap)(scaled)


def readable_fractions(cmap):
    """The parts of a diverging colormap whose colours have a clear hue.

    Returns
    -------
    ((float, float), (float, float))
        For the lower half (negative values) and the upper half (positive
        values): the first and last colormap fraction with chroma >=
        :data:`MIN_CHROMA`. A half without such a colour keeps its whole
        extent (a grey colormap cannot be helped).

    Examples
    --------
    >>> negative, positive = readable_fractions("RdBu_r")
    >>> bool(0 < negative[1] < 0.5 < positive[0] < 1)
    True
    """
    fractions = (np.arange(_N_SAMPLES) + 0.5) / _N_SAMPLES
    rgb = colors.get_cmap(cmap)(fractions)[:, :3]
    clear = rgb.max(axis=1) - rgb.min(axis=1) >= MIN_CHROMA
    halves = []
    for inside in (fractions < 0.5, fractions > 0.5):
        picked = fractions[inside & clear]
        side = fractions[inside]
        halves.append((float(picked.min()), float(picked.max())) if picked.size
                      else (float(side.min()), float(side.max())))
    return tuple(halves)


def _side_extents(crange):
    """How far the colours of each sign reach: ``(negative end < 0, positive end > 0)``.

    A one-signed range lends the other side its mirror, so that a
    positive-only map uses the upper half only.
    """
    top = crange.vmax if crange.vmax > 0 else -crange.vmin
    bottom = crange.vmin if crange.vmin < 0 else -crange.vmax
    return bottom, top


def stat_fractions(values, cmap, crange):
    """Colormap fractions of stat-map values (see :func:`stat_colors`).

    Examples
    --------
    >>> crange = ColorRange(-4.0, 4.0, -4.0, 4.0)
    >>> stat_fractions(np.array([-4.0, 0.0, 2.0, 4.0]), "bwr", crange).tolist()
    [0.001953125, 0.5, 0.75, 0.998046875]
    """
    values = np.asarray(values, dtype=float)
    if not is_diverging(cmap):
        return np.clip((values - crange.vmin) / (crange.vmax - crange.vmin), 0.0, 1.0)
    bottom, top = _side_extents(crange)
    negative, positive = readable_fractions(cmap)
    above = 0.5 + 0.5 * np.clip(values / top, 0.0, 1.0)
    below = 0.5 - 0.5 * np.clip(values / bottom, 0.0, 1.0)
    return np.where(values > 0, np.clip(above, *positive),
                    np.where(values < 0, np.clip(below, *negative), 0.5))


def stat_colors(values, cmap, crange):
    """``(n, 4)`` RGBA of stat-map values, the sign readable from the hue.

    Positive values take the upper half of the colormap, negative ones the
    lower half, ``|value|`` relative to the range's end of its sign choosing
    the shade (with a symmetric range: nilearn's linear norm over
    ``(-vmax, vmax)``). Within each half only colours with a clear hue
    (:func:`readable_fractions`) are used: the white centre of ``"RdBu_r"``
    and the white ends of ``"cold_hot"`` never are.

    Parameters
    ----------
    values : array_like
    cmap : str or Colormap
    crange : ColorRange

    Examples
    --------
    >>> crange = ColorRange(-5.0, 5.0, -5.0, 5.0)
    >>> rgb = stat_colors(np.array([5.0, -5.0]), "cold_hot", crange)[:, :3]
    >>> bool(rgb[0, 0] - rgb[0, 2] > 0.3 and rgb[1, 2] - rgb[1, 0] > 0.3)
    True
    """
    return colors.get_cmap(cmap)(stat_fractions(values, cmap, crange))


def stat_cmap(cmap, crange, *, n_colors=_N_SAMPLES):
    """A colormap over ``(crange.vmin, crange.vmax)`` with :func:`stat_colors`' colours.

    For layers that take a colormap and a linear range (surfaces).

    Examples
    --------
    >>> crange = ColorRange(-2.0, 2.0, -2.0, 2.0)
    >>> stat_cmap("RdBu_r", crange).N
    256
    """
    from matplotlib.colors import ListedColormap

    centres = crange.vmin + (np.arange(n_colors) + 0.5) / n_colors * (crange.vmax - crange.vmin)
    return ListedColormap(stat_colors(centres, cmap, crange), name=f"{colors.get_cmap(cmap).name}_stat")


def threshold_table(cmap, crange, threshold, *, n_colors=256):
    """RGBA table of the colour bar: :func:`stat_colors` over ``(cbar_vmin, cbar_vmax)``,
    :data:`HIDDEN_COLOR` where ``|value| < threshold``.

    Examples
    --------
    >>> table = threshold_table("bwr", ColorRange(-4, 4, -4, 4), 2.0, n_colors=8)
    >>> table[:, 0].round(2).tolist()
    [0.13, 0.38, 0.5, 0.5, 0.5, 0.5, 1.0, 1.0]
    """
    centres = crange.cbar_vmin + (np.arange(n_colors) + 0.5) / n_colors * (
        crange.cbar_vmax - crange.cbar_vmin)
    table = stat_colors(centres, cmap, crange)
    table[np.abs(centres) < threshold] = HIDDEN_COLOR
    return table


def grey_band(table, threshold):
    """Grey the entries of a colour bar's ``vtkLookupTable`` where ``|value| < threshold``, in place.

    The band of values not drawn, as nilearn's colour bars show it
    (:data:`HIDDEN_COLOR`); stat maps make theirs with :func:`threshold_table`,
    surfaces and connectomes grey their lookup table with this. Returns the table.

    Examples
    --------
    >>> from brainview import colors
    >>> table = grey_band(colors.lookup_table("RdBu_r", (-4, 4)), 2.0)
    >>> table.GetTableValue(128)[:3], table.GetTableValue(0)[:3] != (0.5, 0.5, 0.5)
    ((0.5019607843137255, 0.5019607843137255, 0.5019607843137255), True)
    """
    if not threshold:
        return table
    from vtkmodules.util.numpy_support import vtk_to_numpy

    rgba = vtk_to_numpy(table.GetTable())  # the table's memory: edited in place
    low, high = table.GetRange()
    centres = low + (np.arange(len(rgba)) + 0.5) / len(rgba) * (high - low)
    rgba[np.abs(centres) < threshold] = np.round(np.array(HIDDEN_COLOR) * 255).astype(rgba.dtype)
    table.Modified()
    return table


def colorbar_ticks(vmin, vmax, threshold=None, *, n_ticks=5, tick_format=TICK_FORMAT):
    """Colour bar tick values: ``n_ticks`` evenly spaced, plus ``±threshold`` and 0.

    The same ticks as nilearn's colour bars (``get_cbar_ticks``): ticks inside
    the hidden band ``(-threshold, threshold)`` are dropped, and a tick too
    close to the threshold yields to it.

    Examples
    --------
    >>> colorbar_ticks(-8.0, 8.0, 3.0).tolist()
    [-8.0, -3.0, 0.0, 3.0, 8.0]
    """
    f_vmin, f_vmax = float(tick_format % vmin), float(tick_format % vmax)
    if f_vmin == f_vmax and (threshold is None or threshold == 0 or f_vmax == 0):
        return np.linspace(f_vmin, f_vmax, 1)
    if tick_format == "%i":  # integer labels: no more ticks than integers (nilearn)
        if threshold is not None and int(threshold) != threshold:
            warnings.warn("format: '%i' labels with a non-integer threshold "
                          f"({threshold:g}); the threshold tick is rounded.", BrainviewWarning, stacklevel=3)
        if f_vmax - f_vmin < n_ticks - 1:
            n_ticks = int(f_vmax - f_vmin + 1)
    ticks = np.linspace(vmin, vmax, n_ticks)
    ticks = np.array([float(tick_format % t) for t in ticks])
    step = max(b - a for a, b in pairwise(ticks))
    if threshold is not None and threshold > 1e-6:
        threshold = float(tick_format % threshold)
        if 0 <= vmin <= vmax or vmin <= vmax <= 0:
            if vmax <= 0:
                threshold = -threshold
            ticks = np.append(ticks, threshold)
        else:
            ticks = np.append(ticks, [-threshold, threshold])
        keep = ((ticks > abs(threshold)) | (ticks < -abs(threshold))
                | np.isin(ticks, [0, f_vmin, f_vmax, threshold, -threshold]))
        ticks = ticks[keep]
    if vmin < 0 < vmax:
        ticks = np.append(ticks, 0)
    ticks = np.sort(np.unique(ticks))
    abs_threshold = abs(threshold) if threshold is not None else None
    return _remove_close(ticks, step, abs_threshold, f_vmin, f_vmax)


def _remove_close(ticks, step, threshold, vmin, vmax):
    """Drop one of two ticks closer than a third of a step, keeping the range
    ends, 0 and the threshold first (nilearn's ``_remove_close_values``)."""
    keep = [vmin, 0, vmax] + ([] if threshold is None else [-threshold, threshold])
    for a, b in pairwise(ticks):
        if b - a >= step / 3:
            continue
        drop = a if a not in keep else (b if b not in keep else None)
        at_threshold = threshold is not None and (a in (-threshold, threshold) or b in (-threshold, threshold))
        if drop is None and at_threshold and (a == 0 or b == 0):
            if threshold <= 1e-5:
                drop = a if a != 0 else b
            elif vmin != 0 and vmax != 0:
                drop = 0
        if drop is not None:
            ticks = np.delete(ticks, np.where(ticks == drop))
    return ticks
