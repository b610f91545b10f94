"""Sets of maps (4-D images) as regions: probabilistic atlases and decomposition components.

Map ``k`` becomes region ``k + 1``: the voxels where the map, on its drawn
sign, reaches its threshold, without the connected clusters smaller than
the minimum region size (noise specks). A decomposition component's sign is
arbitrary (ICA, dictionary learning), so by default each map is drawn on its
dominant sign: the sign of the sum of its values beyond the threshold.

Examples
--------
>>> import numpy as np
>>> maps = np.zeros((9, 9, 9, 2), np.float32)
>>> maps[1:4, 1:4, 1:4, 0], maps[5:8, 5:8, 5:8, 1] = 1.0, -2.0
>>> regions = map_regions(maps, thresholds(maps, None), sign="dominant", min_region_size="10%",
...                       voxel_volume=1.0)
>>> [r.sign for r in regions], [r.indices.size for r in regions]
([1, -1], [27, 27])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BrainviewTypeError, BrainviewValueError, describe

#: How each map is drawn: its dominant sign, both signs, or one sign for all.
SIGNS = ("dominant", "both", "positive", "negative")

#: Default minimum region size: clusters under 10% of the map's largest are specks.
DEFAULT_MIN_REGION_SIZE = "10%"

#: nilearn's plot_prob_atlas floor: values below it are background.
_FLOOR = 1e-6


@dataclass(frozen=True, eq=False)
class MapRegion:
    """What one map draws: ``field`` values (on the drawn sign) >= ``threshold`` at ``indices``.

    ``indices`` are sorted flat voxel indices of the kept clusters; ``sign``
    is +1, -1, or 0 (both signs: ``field`` is ``|map|``); ``n_dropped`` the
    number of clusters dropped as specks.
    """

    threshold: float
    sign: int
    indices: np.ndarray
    n_dropped: int


def is_signed(maps):
    """True when any map has a negative value (decomposition components, not probabilities)."""
    return maps.dtype.kind not in "ub" and bool(np.any(maps < 0))


def nilearn_auto_percentile(n_maps):
    """nilearn ``plot_prob_atlas(threshold="auto")``'s percentile of ``|values|`` per map.

    ``100 * (1 - 0.2 * c / n_maps)`` with ``c`` 0.5 up to 10 maps (nilearn's
    "continuous" view), 0.8 up to 20 ("filled_contours"), 1.0 beyond ("contours").

    Examples
    --------
    >>> nilearn_auto_percentile(5), nilearn_auto_percentile(20)
    (98.0, 99.2)
    """
    factor = 0.5 if n_maps <= 10 else 0.8 if n_maps <= 20 else 1.0
    return round(100 * (1 - 0.2 * factor / n_maps), 10)


def _percent(text):
    """The number of a percentage string ``"95%"`` (0..100), else None."""
    text = text.strip()
    try:
        percent = float(text[:-1]) if text.endswith("%") else None
    except ValueError:
        return None
    return percent if percent is not None and 0 <= percent <= 100 else None


def check_threshold(value, name="threshold"):
    """None, ``"auto"``, a percentile string ``"95%"`` or a number >= 0."""
    if value is None or value == "auto":
        return value
    if isinstance(value, str):
        if _percent(value) is None:
            raise BrainviewValueError(
                f"{name}: expected a number >= 0, 'auto' or a percentile like '95%', got {value!r}.")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value < 0:
        raise BrainviewValueError(
            f"{name}: expected a number >= 0, 'auto' or a percentile like '95%', got {describe(value)}.")
    return float(value)


def check_min_region_size(value, name="min_region_size"):
    """A volume in mm³ (>= 0) or a share of the map's largest cluster, ``"10%"``."""
    if isinstance(value, str):
        if _percent(value) is None:
            raise BrainviewValueError(
                f"{name}: expected a volume in mm³ or a share of the largest cluster like '10%', "
                f"got {value!r}.")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise BrainviewTypeError(
            f"{name}: expected a volume in mm³ or a share of the largest cluster like '10%', "
            f"got {describe(value)}.")
    if not np.isfinite(value) or value < 0:
        raise BrainviewValueError(f"{name}: expected a volume >= 0 mm³, got {value!r}.")
    return float(value)


def thresholds(maps, threshold):
    """One threshold per map on the drawn sign's values (see the Atlas ``threshold``).

    None: half of each map's maximum for positive-only maps (probabilities),
    nilearn's ``"auto"`` rule for signed maps. A percentile is of each map's
    ``|values|`` over the whole grid, as nilearn's (``"auto"`` is one).

    Examples
    --------
    >>> maps = np.stack([np.arange(8.0).reshape(2, 2, 2)] * 2, axis=-1)
    >>> thresholds(maps, None).tolist(), thresholds(maps, 2).tolist()
    ([3.5, 3.5], [2.0, 2.0])
    """
    n_maps = maps.shape[3]
    if threshold is None and not is_signed(maps):
        return maps.reshape(-1, n_maps).max(axis=0).astype(float) / 2
    if threshold is None or threshold == "auto":
        threshold = f"{nilearn_auto_percentile(n_maps)}%"
    if isinstance(threshold, str):
        percent = float(threshold.strip()[:-1])
        return np.array([max(_abs_percentile(maps[..., k], percent), _FLOOR) for k in range(n_maps)])
    return np.full(n_maps, float(threshold))


def _abs_percentile(values, percent):
    """nilearn's ``fast_abs_percentile`` (a partial sort of ``|values|`` over the grid).

    Only the non-zero values are sorted: outside the brain most of a grid is
    0, and those ties make a full partition slow.
    """
    flat = np.abs(np.asarray(values, dtype=np.float32)).ravel()
    index = min(int(flat.size * 0.01 * percent), flat.size - 1)
    nonzero = flat[flat != 0]
    index -= flat.size - nonzero.size
    return float(np.partition(nonzero, index)[index]) if index >= 0 else 0.0


def map_regions(maps, levels, *, sign, min_region_size, voxel_volume):
    """The :class:`MapRegion` of every map (see the module docstring)."""
    return [_map_region(maps[..., k], float(levels[k]), sign, min_region_size, voxel_volume)
            for k in range(maps.shape[3])]


def signed_field(values, sign):
    """The values a region is drawn from: ``sign * values``, or ``|values|`` for both signs."""
    values = np.asarray(values, dtype=np.float32)
    return np.abs(values) if sign == 0 else values if sign > 0 else -values


def _map_region(values, level, sign, min_region_size, voxel_volume):
    from scipy import ndimage

    values = np.asarray(values, dtype=np.float32)
    chosen = _choose_sign(values, level, sign)
    above = signed_field(values, chosen) >= level
    clusters, count = ndimage.label(above)
    if not count:
        return MapRegion(level, chosen, np.zeros(0, np.int64), 0)
    sizes = np.bincount(clusters.ravel())
    sizes[0] = 0
    if isinstance(min_region_size, str):
        smallest = float(min_region_size.strip()[:-1]) / 100 * sizes.max()
    else:
        smallest = min_region_size / voxel_volume
    keep = sizes >= max(smallest, 1)
    keep[0] = False
    return MapRegion(level, chosen, np.flatnonzero(keep[clusters]), int(count - keep.sum()))


def _choose_sign(values, level, sign):
    if sign == "positive":
        return 1
    if sign == "negative":
        return -1
    if sign == "both":
        return 0
    beyond = values[np.abs(values) >= level]
    return 1 if float(beyond.sum(dtype=np.float64)) >= 0 else -1


def region_box(region, shape):
    """``(slices, mask)``: the bounding box of a region's voxels and the region inside it."""
    ijk = np.column_stack(np.unravel_index(region.indices, shape))
    low, high = ijk.min(axis=0), ijk.max(axis=0) + 1
    mask = np.zeros(tuple(high - low), dtype=bool)
    mask[tuple((ijk - low).T)] = True
    return tuple(slice(int(a), int(b)) for a, b in zip(low, high)), mask


def main_cluster_center(region, values, affine):
    """Voxel coordinates of a point inside the map's main (largest) cluster.

    nilearn's ``find_probabilistic_atlas_cut_coords`` (``find_xyz_cut_coords``
    per map): the centre of mass of ``|value|`` over the largest connected
    cluster; when it falls outside the cluster (a curved one), the cluster
    voxel nearest to it.
    """
    from ..geometry.labels import largest_component

    box, mask = region_box(region, values.shape)
    mask = largest_component(mask)
    voxels = np.argwhere(mask)
    weights = np.abs(np.asarray(values[box], dtype=float)[mask])
    center = weights @ voxels / weights.sum() if weights.sum() > 0 else voxels.mean(axis=0)
    if not mask[tuple(np.rint(center).astype(np.int64))]:
        offsets = (voxels - center) @ affine[:3, :3].T
        center = voxels[np.argmin(np.einsum("ij,ij->i", offsets, offsets))].astype(float)
    return center + np.array([s.start for s in box])
