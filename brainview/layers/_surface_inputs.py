"""What a :class:`~brainview.layers.Surface` is given: meshes, (left, right) pairs, overlays, parcellations.

- :func:`resolve_surface`: ``"fsaverage5"``, a mesh, a nilearn ``PolyMesh`` or
  a ``(left, right)`` pair of mesh files as one mesh; hemispheres that
  overlap (inflated meshes) are moved apart as nilearn does.
- :func:`load_overlay`: per-vertex values with all their columns, or a
  parcellation (:class:`Parcellation`), from one input or a ``(left, right)`` pair.

Examples
--------
>>> import numpy as np
>>> from brainview.io import SurfaceLabels
>>> parcels = Parcellation(SurfaceLabels(np.array([0, 2, 2, 5]), {2: "a", 5: "b"}, {}))
>>> parcels.labels.tolist(), parcels.position.tolist()
([2, 5], [-1, 0, 0, 1])
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from ..errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning, describe
from ..geometry.surface_maps import distinct_colors, join_hemispheres
from ..io import SurfaceLabels, load_surface, load_surface_data, load_surface_labels
from ..io.surface_labels import is_label_table_file, join_regions, regions_from_array, with_table
from ..io.surfaces import load_surface_columns
from ._atlas_regions import RegionIndex

#: The largest distance (mm) from a point to the nearest vertex for :meth:`Surface.label_at` to answer.
NEAREST_MM = 3.0


class Parcellation:
    """The regions drawn from :class:`~brainview.io.SurfaceLabels`: labels present and named.

    ``labels`` are the label values that some vertex carries and the table
    names (sorted); ``position`` gives each vertex's row among them (-1: no
    region); ``rgb`` one colour per row: the table's, else
    :func:`~brainview.geometry.surface_maps.distinct_colors`.
    """

    def __init__(self, regions):
        values = np.asarray(regions.values, dtype=np.int64)
        present = sorted(set(np.unique(values[values >= 0]).tolist()) & {int(k) for k in regions.names})
        self.labels = np.array(present, dtype=np.int64)
        self.names = {v: str(regions.names[v]) for v in present}
        self.table_names = {int(k): str(v) for k, v in regions.names.items()}
        fill = distinct_colors(len(present))
        self.rgb = np.array([regions.colors.get(v, fill[i]) for i, v in enumerate(present)],
                            dtype=float).reshape(-1, 3)
        if len(present):
            rows = np.searchsorted(self.labels, values).clip(0, len(present) - 1)
            self.position = np.where(self.labels[rows] == values, rows, -1)
        else:
            self.position = np.full(len(values), -1)
        self.index = RegionIndex(self.names)

    def selected(self, regions):
        """Boolean per row: the rows a ``regions`` specification (see ``Surface.regions``) selects."""
        if regions is None or not len(self.labels):
            return np.ones(len(self.labels), dtype=bool)
        return np.isin(self.labels, self.index.resolve(regions))


def is_pair(value):
    """A ``(left, right)`` pair of per-hemisphere inputs (paths, arrays or meshes), not a mesh tuple."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return False
    return all(part is None or isinstance(part, (str, os.PathLike)) or np.ndim(part) >= 1
               for part in value)


def _as_pair(value):
    """Whether ``value`` is taken as a (left, right) pair (then ``hemi`` must be "both").

    A tuple or list of two paths, arrays or None; a (2, n) ``ndarray`` is not
    one (it is data, refused with a transpose hint when n is the vertex count).
    """
    return is_pair(value)


def _is_mesh_pair(surf):
    """Two mesh files or mesh objects; ``(vertices, faces)`` arrays are one mesh."""
    return isinstance(surf, (tuple, list)) and len(surf) == 2 and all(
        part is None or isinstance(part, (str, os.PathLike)) or hasattr(part, "coordinates")
        or hasattr(part, "vertices") for part in surf)


def check_pair(value, name, hemi):
    """Refuse a pair with a side missing, and a pair without ``hemi="both"``."""
    missing = [side for side, part in zip(("left", "right"), value) if part is None]
    if missing:
        raise BrainviewValueError(
            f"{name}: the (left, right) pair has no {missing[0]} part (None); pass both "
            f"hemispheres' files, or the one you have with hemi='{'right' if missing[0] == 'left' else 'left'}'."
        )
    if hemi != "both":
        raise BrainviewValueError(
            f"{name}: a (left, right) pair is two hemispheres; pass hemi='both' (got hemi={hemi!r}), "
            f"or only the {hemi} one."
        )


def resolve_surface(surf, bg_map, *, hemi, inflated):
    """``(mesh, bg_map, vertices of the left hemisphere or None)`` of the ``surf`` parameter."""
    if isinstance(surf, str) and surf == "fsaverage5":
        return _fsaverage5(bg_map, hemi=hemi, inflated=inflated)
    if isinstance(bg_map, str) and bg_map == "sulc":
        raise BrainviewValueError(
            "bg_map: 'sulc' names fsaverage5's sulcal depth and only works with "
            "surf='fsaverage5'; pass your mesh's own sulcal depth array or file."
        )
    if _is_mesh_pair(surf):
        check_pair(surf, "surf", hemi)
        left, right = (load_surface(part, name="surf") for part in surf)
        name = f"{left.name} + {right.name}"
    elif _is_nilearn_mesh(surf) and hemi == "both":
        left, right = load_surface(surf, hemi="left"), load_surface(surf, hemi="right")
        name = f"{type(surf).__name__} both"
    elif _is_nilearn_mesh(surf):
        return load_surface(surf, hemi=hemi), bg_map, None
    else:
        return load_surface(surf), bg_map, None
    both = join_hemispheres(left, right, separate=True if inflated else None, name=name)
    return both, bg_map, left.n_vertices


def _fsaverage5(bg_map, *, hemi, inflated):
    from ..datasets import fsaverage5_data, fsaverage5_surface

    mesh = "inflated" if inflated else "pial"
    sulc = isinstance(bg_map, str) and bg_map == "sulc"
    if hemi != "both":
        return (fsaverage5_surface(mesh, hemi=hemi),
                fsaverage5_data("sulc", hemi=hemi) if sulc else bg_map, None)
    left, right = fsaverage5_surface(mesh, hemi="left"), fsaverage5_surface(mesh, hemi="right")
    surface = join_hemispheres(left, right, separate=inflated, name=f"fsaverage5 {mesh} both")
    if sulc:
        bg_map = np.concatenate([fsaverage5_data("sulc", hemi=h) for h in ("left", "right")])
    return surface, bg_map, left.n_vertices


def is_surface_image(value):
    return hasattr(value, "mesh") and hasattr(value, "data")


def _is_nilearn_mesh(value):
    return is_surface_image(value) or isinstance(getattr(value, "parts", None), dict)


def _sides(n_vertices, n_left):
    if n_left is None:
        raise BrainviewValueError(
            "hemi: a (left, right) pair of overlays needs a mesh of two hemispheres: "
            "surf='fsaverage5', a nilearn PolyMesh or a (left, right) pair of mesh files, with hemi='both'."
        )
    return {"left": n_left, "right": n_vertices - n_left}


def load_values(values, *, n_vertices, n_left, hemi, name):
    """Per-vertex data as ``(n_vertices, n_columns)``; a ``(left, right)`` pair is stacked, left first."""
    if _as_pair(values):
        check_pair(values, name, hemi)
        sides = _sides(n_vertices, n_left)
        parts = [load_surface_columns(part, n_vertices=sides[side], name=f"{name} ({side})")
                 for side, part in zip(("left", "right"), values)]
        if parts[0].shape[1] != parts[1].shape[1]:
            raise BrainviewValueError(
                f"{name}: the left part has {parts[0].shape[1]} columns and the right part "
                f"{parts[1].shape[1]}; pass the two hemispheres of the same maps.")
        return np.concatenate(parts)
    return load_surface_columns(values, n_vertices=n_vertices, hemi=hemi, name=name)


def load_bg(bg_map, *, n_vertices, n_left, hemi):
    """The background map as one value per vertex, or None."""
    if bg_map is None:
        return None
    if _as_pair(bg_map):
        check_pair(bg_map, "bg_map", hemi)
        sides = _sides(n_vertices, n_left)
        return np.concatenate([load_surface_data(part, n_vertices=sides[side], name=f"bg_map ({side})")
                               for side, part in zip(("left", "right"), bg_map)])
    return load_surface_data(bg_map, n_vertices=n_vertices, hemi=hemi, name="bg_map")


def load_regions(overlay, labels, *, n_vertices, n_left, hemi):
    """A :class:`~brainview.io.SurfaceLabels` when the overlay is a parcellation, else None.

    A parcellation: a label file (``.annot``, GIfTI label, ``.npz`` with
    ``labels``), or any overlay given with ``labels`` (names and colours).
    """
    if overlay is None:
        if labels is not None:
            raise BrainviewValueError(
                "labels: names and colours of a parcellation need the parcellation itself: pass "
                "the label array (or file) as overlay.")
        return None
    if _as_pair(overlay):
        check_pair(overlay, "overlay", hemi)
        sides = _sides(n_vertices, n_left)
        parts = [load_surface_labels(part, n_vertices=sides[side], name=f"overlay ({side})")
                 for side, part in zip(("left", "right"), overlay)]
        if all(part is None for part in parts):
            if labels is None:
                return None
            parts = [regions_from_array(load_surface_data(part, n_vertices=sides[side], name=f"overlay ({side})"),
                                        name=f"overlay ({side})") for side, part in zip(("left", "right"), overlay)]
        elif any(part is None for part in parts):
            raise BrainviewValueError(
                "overlay: one part of the (left, right) pair is a label file and the other holds "
                "values; pass two label files (or two label arrays with labels=).")
        regions = join_regions(*parts)
        return regions if labels is None else with_table(regions, labels)
    if labels is not None and not _is_label_file(overlay):  # values of any form: a path, nilearn data
        columns = load_surface_columns(overlay, n_vertices=n_vertices, hemi=hemi)
        if columns.shape[1] != 1:
            raise BrainviewValueError(
                f"labels: a parcellation is one label per vertex, but the overlay has {columns.shape[1]} "
                "columns; pass the one column of labels (e.g. overlay[:, k]).")
        overlay = columns[:, 0]
    return load_surface_labels(overlay, table=labels, n_vertices=n_vertices, name="overlay")


def _is_label_file(value):
    return isinstance(value, (str, os.PathLike)) and is_label_table_file(Path(value))


def check_column(column, n_columns, *, name="column"):
    """``column`` as an int in ``0..n_columns - 1`` (None: 0), else an error giving the range."""
    if column is None:
        return 0
    if isinstance(column, bool) or not isinstance(column, (int, np.integer)):
        raise BrainviewTypeError(
            f"{name}: expected an integer column index in 0..{n_columns - 1}, got {describe(column)}.")
    if not 0 <= int(column) < n_columns:
        what = "one column: leave column=None (or 0)" if n_columns == 1 else f"{n_columns} columns"
        raise BrainviewValueError(
            f"{name}: {int(column)} is out of range; the overlay has {what} "
            f"(valid: 0..{n_columns - 1}).")
    return int(column)


def check_regions(regions, parcellation):
    """Refuse a ``regions`` selection that names no region (or a surface without a parcellation)."""
    if regions is None:
        return
    if parcellation is None:
        raise BrainviewValueError(
            "regions: only a parcellation has regions to select (a label file, or a label array "
            f"with labels=); this overlay holds values. Got regions={regions!r}; use threshold= "
            "to hide values.")
    parcellation.index.resolve(regions)


def warn_no_regions(parcellation):
    if not len(parcellation.labels):
        warnings.warn("overlay: no vertex carries a named label; the parcellation draws nothing.",
                      BrainviewWarning, stacklevel=5)


def nearest_vertex(vertices, where, *, name="where"):
    """The vertex ``where`` names: its index, or the nearest one to a point within :data:`NEAREST_MM`.

    None when the point is farther than that from every vertex.
    """
    if isinstance(where, (int, np.integer)) and not isinstance(where, bool):
        if not 0 <= int(where) < len(vertices):
            raise BrainviewValueError(
                f"{name}: vertex {int(where)} is out of range; the mesh has vertices 0..{len(vertices) - 1}.")
        return int(where)
    try:
        point = np.asarray(where, dtype=float).reshape(3)
    except (TypeError, ValueError):
        raise BrainviewTypeError(
            f"{name}: expected a vertex index (int) or a point (x, y, z) in mm, got {describe(where)}."
        ) from None
    distance = np.einsum("ij,ij->i", vertices - point, vertices - point)
    best = int(np.argmin(distance))
    return best if distance[best] <= NEAREST_MM ** 2 else None


def region_values(parcellation):
    """Each vertex's row among the parcellation's labels as floats, NaN without a region."""
    return np.where(parcellation.position >= 0, parcellation.position, np.nan).astype(float)


__all__ = ["NEAREST_MM", "Parcellation", "SurfaceLabels", "check_column", "is_pair", "load_bg",
           "load_regions", "load_values", "nearest_vertex", "region_values", "resolve_surface"]
