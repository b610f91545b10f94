"""Triangle meshes and per-vertex values: :func:`load_surface`, :func:`load_surface_data`.

Examples
--------
>>> import numpy as np
>>> mesh = load_surface((np.eye(3), np.array([[0, 1, 2]])))
>>> load_surface_data([0.5, 1.0, 2.0], n_vertices=mesh.n_vertices).tolist()
[0.5, 1.0, 2.0]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..errors import BrainviewError, BrainviewTypeError, BrainviewValueError, ImageLoadError, describe
from ..limits import check_allocation
from .arrays import load_npy, vtk_ready
from .gifti import read_gifti
from .guards import check_freesurfer_geometry, check_freesurfer_morph, check_regular_file, check_vertex_extent
from .images import read_image_file
from .surface_labels import is_label_table_file, npz_keys

__all__ = ["Surface", "load_surface", "load_surface_columns", "load_surface_data"]

#: Plain numeric files read as what they are (not as FreeSurfer binary morphometry).
_TEXT_SUFFIXES = {".txt": None, ".csv": ",", ".tsv": "\t"}

@dataclass(frozen=True, eq=False)
class Surface:
    """A triangle mesh in world mm: ``vertices (n, 3)`` float, ``faces (m, 3)`` int."""

    vertices: np.ndarray
    faces: np.ndarray
    name: str = "surface"

    @property
    def n_vertices(self):
        return len(self.vertices)


def load_surface(surf, *, hemi=None, name="surf"):
    """Load a triangle mesh as a :class:`Surface`.

    Parameters
    ----------
    surf : str, pathlib.Path, (vertices, faces) or nilearn mesh
        A GIfTI file (``.gii``/``.gii.gz``), a FreeSurfer geometry file
        (``lh.pial``, ``rh.white``, ...), a pair of arrays ``(n, 3)`` float and
        ``(m, 3)`` int, any object with ``coordinates`` and ``faces``
        (nilearn's ``InMemoryMesh``/``FileMesh``), a nilearn ``PolyMesh``
        (``load_fsaverage()["pial"]``) or the mesh of a ``SurfaceImage``.
    hemi : {"left", "right"}, optional
        The part of a ``PolyMesh`` or ``SurfaceImage`` to take; needed when it
        has both.
    name : str
        Parameter name used in error messages.

    Examples
    --------
    >>> import numpy as np
    >>> s = load_surface((np.eye(3), np.array([[0, 1, 2]])))
    >>> s.n_vertices
    3
    """
    if isinstance(surf, Surface):
        return surf
    if hasattr(surf, "mesh") and hasattr(surf, "data"):  # nilearn SurfaceImage
        surf = surf.mesh
    if hasattr(surf, "parts") and isinstance(surf.parts, dict):  # nilearn PolyMesh
        part = _pick_part(surf.parts, hemi, name)
        return replace(load_surface(surf.parts[part], name=name), name=f"{type(surf).__name__} {part}")
    if isinstance(surf, (str, os.PathLike)):
        vertices, faces = _read_surface_file(Path(surf), name)
        label = Path(surf).name
    elif isinstance(surf, tuple) and len(surf) == 2:
        vertices, faces = surf
        label = "mesh"
    elif hasattr(surf, "coordinates") and hasattr(surf, "faces"):
        vertices, faces = surf.coordinates, surf.faces
        label = type(surf).__name__
    else:
        raise BrainviewTypeError(
            f"{name}: expected a GIfTI/FreeSurfer surface path, a (vertices, faces) pair, "
            f"a mesh with .coordinates and .faces or a nilearn PolyMesh/SurfaceImage, "
            f"got {describe(surf)}."
        )
    vertices = np.asarray(vertices, dtype=float)  # native float64, whatever the file's byte order
    faces = vtk_ready(np.asarray(faces))
    if vertices.ndim != 2 or vertices.shape[1] != 3:
        raise BrainviewValueError(
            f"{name}: vertices must have shape (n, 3), got {vertices.shape}."
        )
    if faces.ndim != 2 or faces.shape[1] != 3 or not np.issubdtype(faces.dtype, np.integer):
        raise BrainviewValueError(
            f"{name}: faces must be integers of shape (m, 3), got {describe(faces)}."
        )
    check_vertex_extent(vertices, name)
    if faces.size and (faces.min() < 0 or faces.max() >= len(vertices)):
        raise BrainviewValueError(
            f"{name}: faces index vertices 0..{len(vertices) - 1}, but contain "
            f"{faces.min()}..{faces.max()}."
        )
    return Surface(vertices, faces, label)


def _pick_part(parts, hemi, name, *, allow_both=False):
    """The key of nilearn's ``parts`` dict (``PolyMesh``, ``PolyData``) that ``hemi`` names."""
    choices = list(parts) + (["both"] if allow_both and len(parts) > 1 else [])
    if hemi is None and len(parts) == 1:
        return next(iter(parts))
    if hemi not in choices:
        raise BrainviewValueError(
            f"hemi: {name} has the parts {', '.join(map(repr, parts))}; pass hemi= one of "
            f"{', '.join(map(repr, choices))}, got {hemi!r}."
        )
    return hemi


def _read_surface_file(path, name):
    import nibabel as nib

    check_regular_file(path, name)
    try:
        if path.name.endswith((".gii", ".gii.gz")):
            gii = read_gifti(path, name)
            pointset = gii.agg_data("NIFTI_INTENT_POINTSET")
            triangles = gii.agg_data("NIFTI_INTENT_TRIANGLE")
            if pointset is None or triangles is None or not len(pointset):
                raise ImageLoadError(
                    f"{name}: could not read '{path}' as a surface: it has no POINTSET and "
                    "TRIANGLE arrays (per-vertex data is drawn with overlay=)."
                )
            return pointset, triangles
        check_freesurfer_geometry(path, name)
        vertices, faces = nib.freesurfer.read_geometry(str(path))
        return vertices, faces
    except BrainviewError:
        raise
    except Exception as error:
        raise ImageLoadError(
            f"{name}: could not read '{path}' as a surface ({type(error).__name__}: {error}). "
            "Expected a GIfTI mesh or a FreeSurfer geometry file."
        ) from error


def load_surface_data(data, *, n_vertices=None, hemi=None, name="overlay"):
    """Load one value per vertex as a 1-D float array.

    Parameters
    ----------
    data : array-like, str, pathlib.Path or nilearn surface data
        Values; a GIfTI (``.gii``/``.gii.gz``), MGH/MGZ or FreeSurfer
        morphometry file (``lh.sulc``, ``lh.thickness``, ``lh.curv``...); a
        NumPy ``.npy``, a text ``.txt`` (whitespace separated), ``.csv`` or
        ``.tsv`` file (an optional header row is skipped); a FreeSurfer
        ``.label`` file (a vertex subset: 1 on its vertices, NaN elsewhere,
        so only the subset is drawn; needs ``n_vertices``); or a nilearn
        ``PolyData`` or ``SurfaceImage`` (its data). Data of several columns
        (time points) is refused here: see :func:`load_surface_columns`.
    n_vertices : int, optional
        The vertex count of the mesh the data belongs to; checked.
    hemi : {"left", "right", "both"}, optional
        The part of a ``PolyData``/``SurfaceImage`` to take (``"both"``: left
        then right); needed when it has both.
    name : str
        Parameter name used in error messages.

    Examples
    --------
    >>> load_surface_data([1, 2, 3], n_vertices=3).tolist()
    [1.0, 2.0, 3.0]
    """
    columns = load_surface_columns(data, n_vertices=n_vertices, hemi=hemi, name=name)
    if columns.shape[1] != 1:
        raise BrainviewValueError(
            f"{name}: expected one value per vertex (1-D), got {columns.shape[1]} columns of "
            f"{columns.shape[0]} values (shape {columns.shape}); one column is drawn at a time: pass it to "
            f"brainview.surface(mesh, overlay, column=k) with k in 0..{columns.shape[1] - 1}."
        )
    return columns[:, 0]


def load_surface_columns(data, *, n_vertices=None, hemi=None, name="overlay"):
    """Load per-vertex data with all its columns as an ``(n_vertices, n_columns)`` float array.

    A GIfTI with several data arrays, an MGH/MGZ of shape ``n x 1 x 1 x T``,
    an ``(n, T)`` array or a text/``.npy`` file of ``n`` rows and ``T``
    columns keep every column (a time series, several maps); one-column
    data gives ``(n, 1)``. ``data`` as in :func:`load_surface_data`.

    Examples
    --------
    >>> import numpy as np
    >>> load_surface_columns(np.arange(6.0).reshape(3, 2), n_vertices=3).shape
    (3, 2)
    """
    if hasattr(data, "mesh") and hasattr(data, "data"):  # nilearn SurfaceImage
        data = data.data
    if hasattr(data, "parts") and isinstance(data.parts, dict):  # nilearn PolyData
        part = _pick_part(data.parts, hemi, name, allow_both=True)
        keys = list(data.parts) if part == "both" else [part]
        values = np.concatenate([np.asarray(data.parts[key], dtype=float) for key in keys])
    elif isinstance(data, (str, os.PathLike)) and str(data).endswith(".label"):
        values = _read_label_file(Path(data), n_vertices, name)
    elif isinstance(data, (str, os.PathLike)) and is_label_table_file(Path(data)):
        raise BrainviewValueError(
            f"{name}: '{Path(data).name}' holds named regions, not values; it is drawn in its "
            "own colours by brainview.surface(mesh, overlay=path) "
            "(see brainview.io.load_surface_labels)."
        )
    elif isinstance(data, (str, os.PathLike)):
        values = _read_surface_data_file(Path(data), name)
    else:
        try:
            values = np.asarray(data, dtype=float)
        except (TypeError, ValueError) as error:
            raise BrainviewTypeError(
                f"{name}: expected one number per vertex (array or file path), got "
                f"{describe(data)}."
            ) from error
    return _as_columns(values, n_vertices, name)


def _as_columns(values, n_vertices, name):
    """``(n, T)``: an MGH ``n x 1 x 1 x T`` image, an ``(n, T)`` array, or 1-D values as one column."""
    if values.ndim >= 3 and values.shape[1:3] == (1, 1):
        values = values.reshape(values.shape[0], -1)
    elif values.ndim != 2 or values.shape[0] == 1:
        values = np.squeeze(values)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2:
        raise BrainviewValueError(
            f"{name}: expected one value per vertex (1-D) or one column per map/time point (2-D: "
            f"vertices x columns), got shape {values.shape}."
        )
    if n_vertices is not None and len(values) != n_vertices:
        hint = ""
        if values.shape[1] == n_vertices:
            hint = f" Its shape {values.shape} looks like (columns, vertices): pass its transpose (.T)."
        raise BrainviewValueError(
            f"{name}: has {len(values)} values but the mesh has {n_vertices} vertices.{hint} "
            "Pass the overlay computed on this mesh (same hemisphere and resolution)."
        )
    return values


def _read_surface_data_file(path, name):
    import nibabel as nib

    check_regular_file(path, name)
    if path.name.endswith((".mgh", ".mgz", ".nii", ".nii.gz")):
        return np.asarray(read_image_file(path, name)[0], dtype=float)
    if path.suffix.lower() in _TEXT_SUFFIXES or path.suffix.lower() in (".npy", ".npz"):
        return _read_plain_file(path, name)
    try:
        if path.name.endswith((".gii", ".gii.gz")):
            return np.asarray(read_gifti(path, name).agg_data(), dtype=float)
        check_freesurfer_morph(path, name)
        return np.asarray(nib.freesurfer.read_morph_data(str(path)), dtype=float)
    except BrainviewError:
        raise
    except Exception as error:
        raise ImageLoadError(
            f"{name}: could not read '{path}' as per-vertex data "
            f"({type(error).__name__}: {error})."
        ) from error


def _read_plain_file(path, name):
    """Numbers in a ``.npy`` (never unpickled), one-array ``.npz`` or ``.txt``/``.csv``/``.tsv`` file."""
    check_allocation(16 * path.stat().st_size, f"{name}: '{path.name}'")
    suffix = path.suffix.lower()
    try:
        if suffix == ".npy":
            return np.asarray(load_npy(path, name), dtype=float)
        if suffix == ".npz":
            keys = npz_keys(path)
            if len(keys) != 1:
                raise BrainviewValueError(
                    f"{name}: '{path.name}' holds the arrays {list(keys)}; per-vertex values are one "
                    "array (a parcellation: a 'labels' array with 'names'/'rgba').")
            return np.asarray(load_npy(path, name, key=keys[0]), dtype=float)
        return _read_text_numbers(path, _TEXT_SUFFIXES[suffix], name)
    except BrainviewError:
        raise
    except Exception as error:
        raise ImageLoadError(
            f"{name}: could not read '{path}' as per-vertex numbers ({type(error).__name__}: {error})."
        ) from error


def _read_text_numbers(path, delimiter, name):
    """Rows of numbers; a first row that is not numbers (a header) is skipped."""
    with open(path, encoding="utf-8-sig") as stream:
        first = stream.readline()
    cells = [c.strip() for c in (first.split(delimiter) if delimiter else first.split())]
    try:
        [float(c) for c in cells if c]
        header = 0
    except ValueError:
        header = 1
    try:
        values = np.loadtxt(path, delimiter=delimiter, skiprows=header, ndmin=1, encoding="utf-8-sig")
    except ValueError as error:
        raise BrainviewValueError(
            f"{name}: '{path.name}' is not a table of numbers ({error}); per-vertex values are one "
            "number per row (columns: maps or time points). A table of names and colours is "
            "passed as labels=."
        ) from None
    return values


def _read_label_file(path, n_vertices, name):
    """A FreeSurfer ``.label`` file: 1.0 on its vertices, NaN elsewhere."""
    import nibabel as nib

    if not path.exists():
        raise ImageLoadError(f"{name}: file not found: '{path}'. Check the path.")
    if n_vertices is None:
        raise BrainviewValueError(
            f"{name}: '{path.name}' lists a subset of a mesh's vertices; the mesh's vertex "
            "count is needed to place it. Pass it with the mesh, e.g. brainview.surface(mesh, overlay=path)."
        )
    try:
        vertices = np.asarray(nib.freesurfer.read_label(str(path)), dtype=np.int64)
    except Exception as error:
        raise ImageLoadError(
            f"{name}: could not read '{path}' as a FreeSurfer label "
            f"({type(error).__name__}: {error})."
        ) from error
    if vertices.size and (vertices.min() < 0 or vertices.max() >= n_vertices):
        raise BrainviewValueError(
            f"{name}: '{path.name}' names vertices {vertices.min()}..{vertices.max()}, but the "
            f"mesh has {n_vertices} vertices. Pass the label made on this mesh (same subject, "
            "hemisphere and resolution)."
        )
    values = np.full(n_vertices, np.nan)
    values[vertices] = 1.0
    return values
