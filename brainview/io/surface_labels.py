"""Named, coloured regions on a mesh: ``.annot``, GIfTI label tables, ``.npz``, arrays with a table.

A parcellation is one integer label per vertex plus each label's name and
colour (:class:`SurfaceLabels`). It comes from a FreeSurfer ``.annot``, a
GIfTI label file (its LabelTable), an ``.npz`` with a ``labels`` array (and
``names``/``rgba`` indexed by label value, or an ``ids`` array giving the
label of each row), or any per-vertex integer array with a table of names and
colours (:func:`brainview.io.label_tables.read_label_table`).

Examples
--------
>>> from pathlib import Path
>>> is_label_table_file(Path("lh.aparc.annot")), is_label_table_file(Path("lh.sulc"))
(True, False)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import BrainviewError, BrainviewTypeError, BrainviewValueError, ImageLoadError, describe
from .arrays import load_npy
from .gifti import read_gifti
from .guards import check_regular_file
from .label_tables import label_key, read_label_table

__all__ = ["SurfaceLabels", "is_label_table_file", "load_surface_labels", "regions_from_array",
           "join_regions", "npz_keys"]

#: Names of label 0 that mean "no region" in a table.
_BACKGROUND = ("", "background", "unknown", "none", "???", "medial_wall", "medial wall")


@dataclass(frozen=True, eq=False)
class SurfaceLabels:
    """Regions on a mesh: a label per vertex (-1: none), and each label's name and colour.

    ``colors`` maps a label to ``(r, g, b)`` in 0..1, as the file's colour
    table gives it; a label without one gets a colour when it is drawn.
    """

    values: np.ndarray
    names: dict
    colors: dict


def is_label_table_file(path):
    """A FreeSurfer ``.annot`` or a GIfTI whose data are labels (``NIFTI_INTENT_LABEL``)."""
    if path.name.endswith(".annot"):
        return True
    if path.name.endswith(".npz"):
        return "labels" in npz_keys(path)
    if not path.name.endswith((".gii", ".gii.gz")) or not path.exists():
        return False
    try:
        gii = read_gifti(path)
    except Exception:  # unreadable (or refused): the data reader reports it
        return False
    return bool(gii.darrays) and gii.darrays[0].intent == 1002  # NIFTI_INTENT_LABEL


def load_surface_labels(labels, *, table=None, n_vertices=None, name="overlay"):
    """Named, coloured regions per vertex from a file, or from an array and a table.

    Parameters
    ----------
    labels : str, pathlib.Path or array
        ``lh.aparc.annot`` and the like, a GIfTI label file (``*.label.gii``,
        ``rh.aparc.annot.gii``), an ``.npz`` with a ``labels`` array, or (with
        ``table``) one integer label per vertex.
    table : dict, list, pandas Series/DataFrame, path, optional
        Names and colours (:func:`~brainview.io.label_tables.read_label_table`);
        they replace the file's own where both name a label.
    n_vertices : int, optional
        The vertex count of the mesh the labels belong to; checked.
    name : str
        Parameter name used in error messages.

    Returns
    -------
    SurfaceLabels or None
        None when ``labels`` holds values rather than labels and no ``table`` is given.

    Examples
    --------
    >>> from pathlib import Path
    >>> import nibabel
    >>> path = Path(nibabel.__file__).parent / "gifti/tests/data/rh.aparc.annot.gii"
    >>> regions = load_surface_labels(path)
    >>> sorted(regions.names.values())[:2], len(regions.values)
    (['bankssts', 'caudalanteriorcingulate'], 151533)
    """
    is_file = isinstance(labels, (str, os.PathLike)) and is_label_table_file(Path(labels))
    if not is_file:
        if table is None:
            return None
        values = np.asarray(labels, dtype=float).ravel() if np.ndim(labels) == 1 else None
        if values is None:
            raise BrainviewTypeError(
                f"{name}: a parcellation with a table is one label per vertex (a 1-D array) or a label "
                f"file, got {describe(labels)}; read other files with brainview.io.load_surface_data first.")
        if n_vertices is not None and len(values) != n_vertices:
            raise BrainviewValueError(
                f"{name}: has {len(values)} values but the mesh has {n_vertices} vertices. Pass the "
                "labels made on this mesh (same hemisphere and resolution).")
        return with_table(regions_from_array(values, name=name), table)
    path = Path(labels)
    try:
        if path.name.endswith(".annot"):
            regions = _read_annot(path)
        elif path.name.endswith(".npz"):
            regions = _read_npz(path, name)
        else:
            regions = _read_gifti_labels(path)
    except BrainviewError:
        raise
    except Exception as error:
        raise ImageLoadError(
            f"{name}: could not read '{path}' as surface labels ({type(error).__name__}: {error})."
        ) from error
    if n_vertices is not None and len(regions.values) != n_vertices:
        raise BrainviewValueError(
            f"{name}: '{path.name}' labels {len(regions.values)} vertices but the mesh has "
            f"{n_vertices}. Pass the labels made on this mesh (same hemisphere and resolution)."
        )
    return regions if table is None else with_table(regions, table)


def with_table(regions, table, *, name="labels"):
    """``regions`` with the names and colours of ``table`` (they win over the regions' own)."""
    names, rgb = read_label_table(table, name=name)
    if names.get(0, "").strip().lower() in _BACKGROUND:  # "0 Unknown" of a LUT: no region
        names.pop(0, None)
        rgb.pop(0, None)
    merged_names = {**regions.names, **names}
    merged_rgb = {**{k: v for k, v in regions.colors.items() if k not in names}, **rgb}
    return SurfaceLabels(regions.values, merged_names, merged_rgb)


def regions_from_array(values, *, name="overlay"):
    """Regions of one label per vertex: integers; NaN and negative values are no region.

    Label 0 is the background unless a table names it. Every other label
    present is a region (``"label 7"`` until a table names it).

    Examples
    --------
    >>> regions = regions_from_array(np.array([0, 1, 1, np.nan, 7]))
    >>> regions.values.tolist(), regions.names
    ([0, 1, 1, -1, 7], {1: 'label 1', 7: 'label 7'})
    """
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    if np.isinf(values).any():
        raise BrainviewValueError(f"{name}: a label array cannot hold infinite values; use NaN or -1 for none.")
    fractional = finite & (values != np.round(values))
    if fractional.any():
        raise BrainviewValueError(
            f"{name}: a parcellation holds one integer label per vertex, but "
            f"{int(fractional.sum())} values are not integers (e.g. {float(values[fractional][0])!r}); "
            "pass labels=None to draw values with a colour map."
        )
    if finite.any() and values[finite].max() >= 2**62:
        raise BrainviewValueError(f"{name}: label values must be below 2**62, got {values[finite].max():.0f}.")
    labels = np.where(finite & (values >= 0), values, -1).astype(np.int64)
    present = np.unique(labels[labels > 0]).tolist()
    return SurfaceLabels(labels, {v: f"label {v}" for v in present}, {})


def join_regions(left, right):
    """One parcellation of two hemispheres, left vertices first.

    Labels both tables name alike stay one region; a label the two tables
    name differently is renumbered on the right (after the left's highest).
    """
    clash = [k for k in right.names if k in left.names and left.names[k] != right.names[k]]
    offset = (max(left.names, default=0) + 1) if clash else 0
    shifted = np.where(right.values >= 0, right.values + offset, -1)
    names = {**left.names, **{k + offset: v for k, v in right.names.items()}}
    colors = {**left.colors, **{k + offset: v for k, v in right.colors.items()}}
    return SurfaceLabels(np.concatenate([left.values, shifted]), names, colors)


def npz_keys(path):
    """The array names of an ``.npz`` file (read without unpickling), or () when unreadable."""
    if not Path(path).is_file():  # a FIFO would block the reader
        return ()
    try:
        with np.load(path, allow_pickle=False) as archive:
            return tuple(archive.files)
    except Exception:  # not an npz: the reader that takes it reports it
        return ()


def _read_npz(path, name):
    check_regular_file(path, name)
    keys = npz_keys(path)
    arrays = {key: load_npy(path, name, key=key) for key in ("labels", "names", "rgba", "ids") if key in keys}
    regions = regions_from_array(np.asarray(arrays["labels"]).ravel(), name=name)
    names = [str(n) for n in arrays["names"]] if "names" in arrays else None
    rgba = np.asarray(arrays["rgba"], dtype=float) if "rgba" in arrays else None
    if rgba is not None and rgba.size and np.nanmax(rgba) > 1:
        rgba = rgba / 255.0
    ids = [label_key(i, name) for i in arrays["ids"]] if "ids" in arrays else None
    n_rows = len(names) if names is not None else (len(rgba) if rgba is not None else 0)
    ids = ids if ids is not None else list(range(n_rows))
    for what, rows in (("names", names), ("rgba", rgba)):
        if rows is not None and len(rows) != len(ids):
            raise BrainviewValueError(
                f"{name}: '{path.name}' has {len(rows)} {what} rows for {len(ids)} labels; give one "
                "per label (indexed by label value, or by an 'ids' array).")
    if rgba is not None and (rgba.ndim != 2 or rgba.shape[1] not in (3, 4)):
        raise BrainviewValueError(f"{name}: '{path.name}': 'rgba' must be (n, 3) or (n, 4), got {rgba.shape}.")
    table = {}
    for row, label in enumerate(ids):
        entry_name = names[row] if names is not None else f"label {label}"
        table[label] = (entry_name, rgba[row, :3]) if rgba is not None else entry_name
    return with_table(regions, table, name=name) if table else regions


def _read_annot(path):
    import nibabel as nib

    values, table, names = nib.freesurfer.read_annot(str(path))
    # read_annot gives each vertex its row in the colour table (-1: no label).
    return SurfaceLabels(
        values=np.asarray(values, dtype=np.int64),
        names={row: _text(label) for row, label in enumerate(names)},
        colors={row: tuple(float(c) / 255 for c in table[row, :3]) for row in range(len(names))},
    )


def _read_gifti_labels(path):
    """Regions of a GIfTI label file: entries with alpha 0 (the medial wall's "unknown", "???") are
    not drawn; entries without a colour (rgba None) get one when drawn."""
    gii = read_gifti(path, "overlay")
    names, colors = {}, {}
    for entry in gii.labeltable.labels:
        rgba = entry.rgba
        given = all(c is not None for c in rgba)
        if given and float(rgba[3]) == 0:
            continue
        if int(entry.key) == 0 and _text(entry.label).strip().lower() in _BACKGROUND:
            continue
        names[int(entry.key)] = _text(entry.label)
        if given:
            colors[int(entry.key)] = tuple(float(c) for c in rgba[:3])
    return SurfaceLabels(np.asarray(gii.darrays[0].data, dtype=np.int64).ravel(), names, colors)


def _text(label):
    return label.decode() if isinstance(label, bytes) else str(label)
