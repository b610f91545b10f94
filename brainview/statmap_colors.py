"""The colour rules of statistical maps, shared by every stat-map mode.

One place decides, for a map and the user's arguments, which values are shown
(``threshold``), how values map to colours (``vmin``/``vmax``), and what the
colour bar shows (its range and ticks). The rules are nilearn's
``plot_stat_map`` rules, so a 2-D nilearn figure and a 3-D brainview figure of
one map agree:

- ``threshold``: a number, or a percentile string such as ``"95%"`` taken
  over the absolute values of the finite non-zero voxels (see
  :func:`brainview.colors.resolve_threshold`); voxels with
  ``|value| < threshold`` are not drawn.
- ``symmetric=True`` (default): colours span ``(-vmax, vmax)`` with ``vmax``
  defaulting to ``max |value|``. Positive values take the upper half of a
  diverging map (hot for ``"cold_hot"``), negative values the lower half.
  A positive-only map therefore uses only the sequential, hot half.
- ``symmetric=False``: colours span ``(min, vmax)`` of the data, and a
  one-signed map's colour bar starts at 0 (nilearn's ``symmetric_cbar=False``).
- ``symmetric="auto"``: symmetric when the map has both signs.

Examples
--------
>>> import numpy as np
>>> from brainview.statmap_colors import color_range
>>> color_range(np.array([-2.0, 0.0, 5.0]))
ColorRange(vmin=-5.0, vmax=5.0, cbar_vmin=-5.0, cbar_vmax=5.0)
>>> color_range(np.array([0.0, 5.0]), symmetric=False, vmax=4)
ColorRange(vmin=0.0, vmax=4.0, cbar_vmin=0.0, cbar_vmax=4.0)
"""

from __future__ import annotations

from itertools import pairwise
from typing import NamedTuple

import numpy as np

from . import colors
from .errors import BrainviewValueError, check_number, describe

__all__ = [
    "ColorRange", "check_symmetric", "check_vmax", "color_range", "colorbar_ticks",
    "threshold_table", "value_colors", "max_abs",
]

#: Colour of the hidden band ``|value| < threshold`` in colour bars (opaque
#: grey: VTK's scalar bar draws no transparency).
HIDDEN_COLOR = (0.5, 0.5, 0.5, 1.0)

#: Tick label format of colour bars (nilearn's default).
TICK_FORMAT = "%.2g"


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


def color_range(values, *, vmax=None, symmetric=True):
    """Colour range and colour bar range of a map (nilearn's ``get_colorbar_and_data_ranges``).

    Parameters
    ----------
    values : ndarray
        The map's values (non-finite ones are ignored).
    vmax : float, optional
        Top of the colour scale; values above it take the top colour.
        Default: the largest ``|value|`` (symmetric) or the maximum.
    symmetric : bool or "auto"

    Returns
    -------
    ColorRange
        An empty map gets the range ``(-1, 1)`` (or ``(0, 1)``) so that colour
        lookups stay defined.
    """
    symmetric = check_symmetric(symmetric)
    vmax = check_vmax(vmax)
    data_min, data_max = _finite_min_max(values)
    if symmetric == "auto":
        top = data_max if vmax is None else min(data_max, vmax)
        symmetric = data_min < 0 < top
    if symmetric:
        top = vmax if vmax is not None else max(-data_min, data_max)
        top = top if top > 0 else 1.0
        return ColorRange(-top, top, -top, top)
    top = vmax if vmax is not None else data_max
    bottom = data_min
    if top <= bottom:
        top = bottom + 1.0
    if data_min >= 0:
        cbar = (0.0, top)
    elif data_max <= 0:
        cbar = (bottom, 0.0 if vmax is None else top)
    else:
        cbar = (bottom, top)
    return ColorRange(float(bottom), float(top), float(cbar[0]), float(cbar[1]))


def value_colors(values, cmap, vmin, vmax):
    """``(n, 4)`` RGBA of values through a colormap over ``(vmin, vmax)`` (clipped).

    Examples
    --------
    >>> value_colors(np.array([5.0, 50.0]), "cold_hot", -5, 5)[:, :3].round(2).tolist()
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    """
    scaled = np.clip((np.asarray(values, dtype=float) - vmin) / (vmax - vmin), 0.0, 1.0)
    return colors.get_cmap(cmap)(scaled)


def threshold_table(cmap, crange, threshold, *, n_colors=256):
    """RGBA table of the colour bar: the colormap over ``(cbar_vmin, cbar_vmax)``,
    coloured as over ``(vmin, vmax)``, :data:`HIDDEN_COLOR` where ``|value| < threshold``.

    Examples
    --------
    >>> table = threshold_table("cold_hot", ColorRange(-4, 4, -4, 4), 2.0, n_colors=8)
    >>> table[:, 0].round(2).tolist()
    [0.51, 0.0, 0.5, 0.5, 0.5, 0.5, 1.0, 1.0]
    """
    centres = crange.cbar_vmin + (np.arange(n_colors) + 0.5) / n_colors * (
        crange.cbar_vmax - crange.cbar_vmin)
    table = value_colors(centres, cmap, crange.vmin, crange.vmax)
    table[np.abs(centres) < threshold] = HIDDEN_COLOR
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
