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

import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning, describe
from ..geometry.labels import largest_component, triangle_mesh
from ..geometry.volume import isosurface
from ..io import load_image

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
    box, mask = region_box(region, values.shape)
    mask = largest_component(mask)
    voxels = np.argwhere(mask)
    weights = np.abs(np.asarray(values[box], dtype=float)[mask])
    center = weights @ voxels / weights.sum() if weights.sum() > 0 else voxels.mean(axis=0)
    if not mask[tuple(np.rint(center).astype(np.int64))]:
        offsets = (voxels - center) @ affine[:3, :3].T
        center = voxels[np.argmin(np.einsum("ij,ij->i", offsets, offsets))].astype(float)
    return center + np.array([s.start for s in box])


def check_probabilities(maps):
    """The maps as an array of finite numbers with some value above 0, else the constructor's errors."""
    maps = np.asanyarray(maps)
    if maps.dtype.kind not in "fiub":
        raise BrainviewTypeError(f"atlas: probability maps must be numbers, got dtype {maps.dtype}.")
    if maps.dtype.kind == "f" and not np.all(np.isfinite(maps)):
        raise BrainviewValueError(
            "atlas: probability maps hold NaN or infinite values; replace them, e.g. np.nan_to_num."
        )
    if not np.any(maps > 0):
        raise BrainviewValueError("atlas: the probabilistic atlas is empty: no map has a value above 0.")
    return maps


def warn_empty_maps(regions, names, threshold, sign):
    """Refuse maps where no map has a region; warn (once) about the maps left without one."""
    empty = [names[k + 1] for k, region in enumerate(regions) if not region.indices.size]
    if len(empty) == len(regions):
        raise BrainviewValueError(
            f"threshold: no map reaches it ({threshold!r}); lower the threshold.")
    if empty:
        warnings.warn(
            f"atlas: {len(empty)} of {len(regions)} maps have no region at "
            f"threshold={threshold!r}, sign={sign!r}: {', '.join(empty[:10])}"
            f"{', ...' if len(empty) > 10 else ''}. Lower the threshold or pass sign='both'.",
            BrainviewWarning, stacklevel=5)


def max_probability(maps, regions):
    """Label each voxel by the map (1..n) with the largest drawn value among the regions holding it.

    0 where no region holds the voxel.

    Examples
    --------
    >>> maps = np.zeros((4, 1, 1, 2), np.float32)
    >>> maps[:3, 0, 0, 0], maps[1:, 0, 0, 1] = 0.9, [0.5, 0.95, 0.9]
    >>> regions = map_regions(maps, [0.4, 0.4], sign="positive", min_region_size=0, voxel_volume=1.0)
    >>> max_probability(maps, regions)[:, 0, 0].tolist()
    [1, 1, 2, 2]
    """
    shape = maps.shape[:3]
    best_value = np.full(int(np.prod(shape)), -np.inf, dtype=np.float32)
    labels = np.zeros(best_value.size, dtype=np.int32)
    for k, region in enumerate(regions):
        values = signed_field(maps[..., k].reshape(-1)[region.indices], region.sign)
        better = values > best_value[region.indices]
        best_value[region.indices[better]] = values[better]
        labels[region.indices[better]] = k + 1
    return labels.reshape(shape)


def map_isosurfaces(image, maps, regions, smooth):
    """One isosurface per map region, in one mesh with the map number as ``"region"``.

    Each map is contoured in its region's bounding box (plus one voxel), on
    its drawn sign's values with the dropped clusters zeroed.
    """
    pieces = [_map_isosurface(image, maps, k, region, smooth) for k, region in enumerate(regions)
              if region.indices.size]
    pieces = [(k, surface) for k, surface in pieces if surface.n_cells]
    if not pieces:
        raise BrainviewValueError("threshold: no map reaches it; lower the threshold.")
    offsets = np.cumsum([0] + [surface.n_points for _, surface in pieces])
    mesh = triangle_mesh(np.concatenate([np.asarray(s.points) for _, s in pieces]),
                         np.concatenate([s.regular_faces + o for (_, s), o in zip(pieces, offsets)]))
    mesh.point_data["Normals"] = np.concatenate(
        [np.asarray(s.point_data["Normals"]) for _, s in pieces]).astype(np.float32)
    mesh.point_data.active_normals_name = "Normals"
    mesh.cell_data["region"] = np.concatenate(
        [np.full(s.n_cells, k + 1, dtype=np.int32) for k, s in pieces])
    return mesh


def _map_isosurface(image, maps, k, region, smooth):
    """``(k, surface)``: map ``k``'s isosurface at its region's threshold, in its padded box."""
    shape = maps.shape[:3]
    box, mask = region_box(region, shape)
    low = np.array([max(s.start - 1, 0) for s in box])
    high = np.array([min(s.stop + 1, n) for s, n in zip(box, shape)])
    padded = tuple(slice(a, b) for a, b in zip(low, high))
    kept = np.zeros(tuple(high - low), dtype=bool)
    kept[tuple(slice(s.start - a, s.stop - a) for s, a in zip(box, low))] = mask
    field = np.array(signed_field(maps[padded + (k,)], region.sign), dtype=np.float32)
    # Dropped specks (and, with a sign, the other sign) leave no surface;
    # sub-threshold values stay, so the surface sits where the map crosses the level.
    field[(field >= region.threshold) & ~kept] = 0.0
    shift = np.eye(4)
    shift[:3, 3] = low
    crop = load_image((field, image.affine @ shift), name="atlas")
    return k, isosurface(crop, [region.threshold], smooth=min(smooth, 20))
