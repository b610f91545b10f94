"""Named, coloured regions on a mesh: FreeSurfer ``.annot`` and GIfTI label tables.

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

from ..errors import BrainviewError, BrainviewValueError, ImageLoadError
from .gifti import read_gifti

__all__ = ["SurfaceLabels", "is_label_table_file", "load_surface_labels"]

@dataclass(frozen=True, eq=False)
class SurfaceLabels:
    """Regions on a mesh: a label per vertex (-1: none), and each label's name and colour.

    ``colors`` maps a label to ``(r, g, b)`` in 0..1, as the file's colour table gives it.
    """

    values: np.ndarray
    names: dict
    colors: dict


def is_label_table_file(path):
    """A FreeSurfer ``.annot`` or a GIfTI whose data are labels (``NIFTI_INTENT_LABEL``)."""
    if path.name.endswith(".annot"):
        return True
    if not path.name.endswith((".gii", ".gii.gz")) or not path.exists():
        return False
    try:
        gii = read_gifti(path)
    except Exception:  # unreadable (or refused): the data reader reports it
        return False
    return bool(gii.darrays) and gii.darrays[0].intent == 1002  # NIFTI_INTENT_LABEL


def load_surface_labels(labels, *, n_vertices=None, name="overlay"):
    """Named, coloured regions per vertex from a FreeSurfer ``.annot`` or GIfTI label file.

    Parameters
    ----------
    labels : str or pathlib.Path
        ``lh.aparc.annot`` and the like, or a GIfTI label file
        (``*.label.gii``, ``rh.aparc.annot.gii``).
    n_vertices : int, optional
        The vertex count of the mesh the labels belong to; checked.
    name : str
        Parameter name used in error messages.

    Returns
    -------
    SurfaceLabels or None
        None when the file holds values rather than labels.

    Examples
    --------
    >>> from pathlib import Path
    >>> import nibabel
    >>> path = Path(nibabel.__file__).parent / "gifti/tests/data/rh.aparc.annot.gii"
    >>> regions = load_surface_labels(path)
    >>> sorted(regions.names.values())[:2], len(regions.values)
    (['bankssts', 'caudalanteriorcingulate'], 151533)
    """
    if not isinstance(labels, (str, os.PathLike)) or not is_label_table_file(Path(labels)):
        return None
    path = Path(labels)
    try:
        if path.name.endswith(".annot"):
            regions = _read_annot(path)
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
    return regions


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
    gii = read_gifti(path, "overlay")
    table = gii.labeltable.labels
    return SurfaceLabels(
        values=np.asarray(gii.darrays[0].data, dtype=np.int64).ravel(),
        names={int(entry.key): _text(entry.label) for entry in table},
        colors={int(entry.key): tuple(float(c) for c in entry.rgba[:3]) for entry in table},
    )


def _text(label):
    return label.decode() if isinstance(label, bytes) else str(label)
