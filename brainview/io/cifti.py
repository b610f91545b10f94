"""CIFTI-2 files (``.dscalar``, ``.dlabel``, ``.dtseries``, ``.pscalar``, ``.plabel``), split for drawing.

A CIFTI-2 file is a matrix: one row per map (a scalar map, a label map, a
time point) and one column per grayordinate (a cortical vertex or a
subcortical voxel) or parcel. :func:`read_cifti` reads the header (after
brainview's hostile-file checks) and keeps the rows on disk; a
:class:`Cifti` then gives, for one row:

- :meth:`Cifti.surface_values`: the values of a cortical structure on the
  full vertex list of its surface (``surface_number_of_vertices``), NaN on
  the vertices the file leaves out (the medial wall), so they are not drawn;
- :meth:`Cifti.volume`: the subcortical voxels in their volume space (the
  file's ``transformation_matrix_voxel_indices_ijk_to_xyz``), NaN outside
  (0 for label maps);
- :meth:`Cifti.labels`: a ``.dlabel``/``.plabel`` map's names and RGBA per key.

Connectivity matrices (``.dconn``, ``.pconn``...) are refused with how to draw
them as a connectome.

Examples
--------
>>> import tempfile, numpy as np, nibabel as nib
>>> from pathlib import Path
>>> from nibabel.cifti2 import cifti2_axes as ax
>>> models = ax.BrainModelAxis.from_mask(np.array([1, 0, 1, 1]), name="cortex_left")
>>> path = Path(tempfile.mkdtemp()) / "x.dscalar.nii"
>>> header = nib.cifti2.Cifti2Header.from_axes((ax.ScalarAxis(["z"]), models))
>>> nib.save(nib.Cifti2Image(np.array([[1.0, 2.0, 3.0]], np.float32), header), path)
>>> read_cifti(path).surface_values("left").tolist()
[1.0, nan, 2.0, 3.0]
"""

from __future__ import annotations

import os
import struct
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..errors import (BrainviewError, BrainviewTypeError, BrainviewValueError, BrainviewWarning,
                      ImageLoadError, describe)
from ..limits import check_allocation
from .guards import check_affine, check_regular_file, is_out_of_memory, out_of_memory
from .images import Image, load_image

__all__ = ["CIFTI_SUFFIXES", "HEMISPHERES", "Cifti", "is_cifti", "read_cifti", "cifti_overlay", "cifti_atlas",
           "cifti_volume"]

#: File name endings of the CIFTI-2 kinds brainview draws, and of those it refuses (connectivity).
CIFTI_SUFFIXES = (".dscalar.nii", ".dlabel.nii", ".dtseries.nii", ".pscalar.nii", ".plabel.nii",
                  ".ptseries.nii")
_CONNECTIVITY_SUFFIXES = (".dconn.nii", ".pconn.nii", ".pdconn.nii", ".dpconn.nii", ".dfan.nii",
                          ".fiberTemp.nii")

#: The cortical structures of the two hemispheres.
HEMISPHERES = {"left": "CIFTI_STRUCTURE_CORTEX_LEFT", "right": "CIFTI_STRUCTURE_CORTEX_RIGHT"}

#: XML a CIFTI header may hold before its data (a 91k grayordinate file has about 3 MiB).
_MAX_XML_BYTES = 256 * 2**20

_NIFTI2_HEADER = 540


def is_cifti(value):
    """Whether ``value`` is a CIFTI-2 image or a path named like one (connectivity kinds included).

    Examples
    --------
    >>> is_cifti("sub-01.dscalar.nii"), is_cifti("zmap.nii.gz")
    (True, False)
    """
    if isinstance(value, (str, os.PathLike)):
        return str(value).lower().endswith(tuple(s.lower() for s in CIFTI_SUFFIXES + _CONNECTIVITY_SUFFIXES))
    return type(value).__name__ == "Cifti2Image"


def _short(structure):
    """``"CIFTI_STRUCTURE_CORTEX_LEFT"`` → ``"CORTEX_LEFT"``."""
    return str(structure).replace("CIFTI_STRUCTURE_", "")


@dataclass(frozen=True, eq=False)
class Cifti:
    """A CIFTI-2 matrix of maps × grayordinates (or parcels), read one map at a time.

    Attributes
    ----------
    name : str
        The file name (or ``"Cifti2Image"``).
    kind : str
        ``"scalar"``, ``"label"`` or ``"series"``: what the rows are.
    map_axis, models : nibabel CIFTI-2 axes
        The rows (``ScalarAxis``, ``LabelAxis``, ``SeriesAxis``) and the
        columns (``BrainModelAxis`` or ``ParcelsAxis``).
    """

    name: str
    kind: str
    map_axis: object
    models: object
    dataobj: object

    @property
    def n_maps(self):
        return len(self.map_axis)

    @property
    def map_names(self):
        """The names of the maps (scalar and label files), else ``()``."""
        return tuple(str(n) for n in getattr(self.map_axis, "name", ()))

    @property
    def parcels(self):
        """Whether the columns are parcels (``.pscalar``, ``.plabel``) rather than grayordinates."""
        return type(self.models).__name__ == "ParcelsAxis"

    @property
    def structures(self):
        """The brain structures present, short names (``"CORTEX_LEFT"``, ``"THALAMUS_LEFT"``...)."""
        if self.parcels:
            names = set(self.models.nvertices)
            names.update(self._parcel_voxel_structures())
            return tuple(sorted(_short(n) for n in names))
        return tuple(_short(n) for n, _, _ in self.models.iter_structures())

    def _parcel_voxel_structures(self):
        return ["subcortical voxels"] if any(len(v) for v in self.models.voxels) else []

    @property
    def has_volume(self):
        """Whether the file has subcortical voxels."""
        if self.parcels:
            return any(len(v) for v in self.models.voxels)
        return bool(self.models.volume_mask.any())

    def map_index(self, map, name="map"):
        """The row of ``map``: an index (negative from the end) or a map name; None: 0 (warns if several).

        Examples
        --------
        >>> import numpy as np
        >>> from nibabel.cifti2 import cifti2_axes as ax
        >>> c = Cifti("x", "scalar", ax.ScalarAxis(["a", "b"]), None, np.zeros((2, 1)))
        >>> c.map_index("b"), c.map_index(-1)
        (1, 1)
        """
        n = self.n_maps
        if map is None:
            if n > 1:
                warnings.warn(
                    f"{name}: '{self.name}' holds {n} maps{self._listing()}; showing map 0. Pick "
                    f"one with {name}=<index in 0..{n - 1}>" + (" or a map name." if self.map_names else "."),
                    BrainviewWarning, stacklevel=4)
            return 0
        if isinstance(map, str):
            if map in self.map_names:
                return self.map_names.index(map)
            raise BrainviewValueError(
                f"{name}: '{self.name}' has no map named {map!r}; its maps are{self._listing() or ' unnamed'}"
                f" (or an index in 0..{n - 1}).")
        if isinstance(map, (bool, np.bool_)) or not isinstance(map, (int, np.integer)) or not -n <= map < n:
            raise BrainviewValueError(
                f"{name}: must be an index in 0..{n - 1}" + (" or a map name" if self.map_names else "")
                + f" for '{self.name}' ({n} maps{self._listing()}), got {describe(map)}.")
        return int(map) % n

    def _listing(self, limit=12):
        names = self.map_names
        if not names:
            return ""
        shown = ", ".join(repr(n) for n in names[:limit])
        return f": {shown}" + (f" ... ({len(names)} in all)" if len(names) > limit else "")

    def row(self, map=None, name="map"):
        """The values of one map, one per column (float64; labels as their integer keys)."""
        index = self.map_index(map, name)
        check_allocation(8 * len(self.models) * 3, f"{name}: '{self.name}': one map")
        try:
            return np.asarray(self.dataobj[index], dtype=float).ravel()
        except BrainviewError:
            raise
        except Exception as error:
            if is_out_of_memory(error):
                raise out_of_memory(name, f"'{self.name}'", error=error) from error
            raise ImageLoadError(
                f"{name}: could not read the data of '{self.name}' ({type(error).__name__}: {error}). "
                "The file is corrupt or truncated.") from error

    def surface_values(self, hemi, *, map=None, n_vertices=None, name="overlay"):
        """One value per vertex of hemisphere ``hemi`` (``"left"``/``"right"``), NaN where the file has none.

        ``n_vertices``, when given, is the mesh's vertex count, checked
        against the surface the file was made on.
        """
        structure = _hemisphere(hemi, name)
        counts = {str(k): int(v) for k, v in self.models.nvertices.items()}
        if structure not in counts:
            raise BrainviewValueError(
                f"{name}: '{self.name}' has no {_short(structure)} (hemi={hemi!r}); its structures "
                f"are {', '.join(self.structures) or 'none'}. Pass the hemisphere it has"
                + (" or draw its volume part with bv.stat_map / bv.atlas." if self.has_volume else "."))
        total = counts[structure]
        if n_vertices is not None and n_vertices != total:
            made_on = ("fs_LR 32k, e.g. S1200.L.midthickness_MSMAll.32k_fs_LR.surf.gii" if total == 32492
                       else f"{total} vertices")
            raise BrainviewValueError(
                f"{name}: '{self.name}' holds {_short(structure)} data for a surface of {total} vertices, "
                f"but the mesh has {n_vertices}. Pass the {hemi} surface the file was made on "
                f"({made_on}).")
        row = self.row(map, "column" if name == "overlay" else name)
        values = np.full(total, np.nan)
        if self.parcels:
            for index, parcel in enumerate(self.models.vertices):
                if structure in parcel:
                    values[np.asarray(parcel[structure], dtype=np.int64)] = row[index]
            return values
        where = np.asarray(self.models.name) == structure
        values[np.asarray(self.models.vertex)[where]] = row[where]
        return values

    def volume(self, *, map=None, fill=None, name="img"):
        """The subcortical voxels of one map as an :class:`Image`, ``fill`` outside them.

        ``fill`` defaults to NaN (0 for label maps, where 0 is no region).
        """
        if not self.has_volume:
            raise BrainviewValueError(
                f"{name}: '{self.name}' has no volume part (no subcortical voxels; its structures are "
                f"{', '.join(self.structures) or 'none'}): draw its cortical data on surfaces with "
                "bv.surface((left_mesh, right_mesh) or 'fsaverage5', path, hemi=...), or on the command "
                "line with --surf L.gii R.gii.")
        shape = tuple(int(n) for n in self.models.volume_shape)
        check_allocation(8 * int(np.prod(shape)), f"{name}: '{self.name}': its volume of shape {shape}")
        row = self.row(map, "volume" if name == "img" else name)
        data = np.full(shape, (0.0 if self.kind == "label" else np.nan) if fill is None else float(fill))
        if self.parcels:
            for index, voxels in enumerate(self.models.voxels):
                if len(voxels):
                    i, j, k = np.asarray(voxels, dtype=np.int64).T
                    data[i, j, k] = row[index]
        else:
            mask = self.models.volume_mask
            i, j, k = np.asarray(self.models.voxel)[mask].T
            data[i, j, k] = row[mask]
        image = load_image((data, np.asarray(self.models.affine, dtype=float)), name=name)
        return replace(image, name=self.name)

    def labels(self, *, map=None, name="map"):
        """``{key: (name, (r, g, b, a))}`` of a label map (``.dlabel``, ``.plabel``)."""
        if self.kind != "label":
            raise BrainviewValueError(
                f"{name}: '{self.name}' holds {self.kind} maps, not labels; only .dlabel/.plabel "
                "files have a label table.")
        table = self.map_axis.label[self.map_index(map, name)]
        return {int(key): (str(text), tuple(float(c) for c in rgba)) for key, (text, rgba) in table.items()}


def _hemisphere(hemi, name):
    if hemi not in HEMISPHERES:
        raise BrainviewValueError(
            f"hemi: a CIFTI {name} is drawn one hemisphere per mesh: hemi must be 'left' or 'right' "
            f"(or 'both' on a mesh of both), got {describe(hemi)}.")
    return HEMISPHERES[hemi]


def read_cifti(img, *, name="img"):
    """A :class:`Cifti` of a ``.dscalar``/``.dlabel``/``.dtseries``/``.pscalar``/``.plabel`` file or image.

    The header is checked before nibabel parses it: a NIfTI-2 header whose
    declared data exceeds the file is refused (truncated), XML with entity
    declarations is refused, and one map is read at a time.

    Raises
    ------
    ImageLoadError
        Missing, not a regular file, truncated, or not CIFTI-2.
    BrainviewValueError
        A connectivity matrix (``.dconn``, ``.pconn``): what to do instead.

    Examples
    --------
    >>> import numpy as np, nibabel as nib
    >>> from nibabel.cifti2 import cifti2_axes as ax
    >>> models = ax.BrainModelAxis.from_surface(np.array([0, 2]), 3, "cortex_right")
    >>> header = nib.cifti2.Cifti2Header.from_axes((ax.ScalarAxis(["z"]), models))
    >>> cifti = read_cifti(nib.Cifti2Image(np.array([[4.0, 5.0]]), header))
    >>> cifti.structures, cifti.has_volume, cifti.surface_values("right").tolist()
    (('CORTEX_RIGHT',), False, [4.0, nan, 5.0])
    """
    if isinstance(img, Cifti):
        return img
    if isinstance(img, (str, os.PathLike)):
        path = Path(img)
        check_regular_file(path, name)
        _check_header(path, name)
        import nibabel as nib

        try:
            image = nib.load(str(path))
        except Exception as error:  # nibabel raises many types for bad files
            raise ImageLoadError(
                f"{name}: could not read '{path}' as CIFTI-2 ({type(error).__name__}: {error}).") from error
        label = path.name
    elif is_cifti(img):
        image, label = img, (Path(img.get_filename()).name if img.get_filename() else "Cifti2Image")
    else:
        raise BrainviewTypeError(
            f"{name}: expected a CIFTI-2 file path or nibabel Cifti2Image, got {describe(img)}.")
    if type(image).__name__ != "Cifti2Image":
        raise ImageLoadError(
            f"{name}: '{label}' is named like a CIFTI-2 file but holds no CIFTI-2 header (a plain "
            f"{type(image).__name__}); open it as an image, or rename it.")
    return _split(image, label, name)


def _split(image, label, name):
    try:
        rows, columns = (image.header.get_axis(i) for i in (0, 1))
    except Exception as error:
        raise ImageLoadError(
            f"{name}: '{label}': unreadable CIFTI-2 axes ({type(error).__name__}: {error}).") from error
    kinds = {"ScalarAxis": "scalar", "LabelAxis": "label", "SeriesAxis": "series"}
    column_kind = type(columns).__name__
    grayordinates = ("BrainModelAxis", "ParcelsAxis")
    if type(rows).__name__ in grayordinates or column_kind not in grayordinates:
        raise BrainviewValueError(
            f"{name}: '{label}' is a connectivity matrix ({type(rows).__name__} x {column_kind}), not maps. "
            "Draw it as a connectome: compute one coordinate per row (e.g. the centroids of the parcels' "
            "vertices and voxels, in mm) and call bv.connectome(matrix, coords), with matrix = "
            "nibabel.load(path).get_fdata(); or show one row as a map: save it as a .dscalar.nii.")
    if type(rows).__name__ not in kinds:
        raise ImageLoadError(f"{name}: '{label}': unsupported CIFTI-2 row axis {type(rows).__name__}.")
    if image.shape != (len(rows), len(columns)):
        raise ImageLoadError(
            f"{name}: '{label}': its data has shape {image.shape} but its header describes "
            f"{len(rows)} maps x {len(columns)} columns; the file is corrupt.")
    _check_models(columns, f"{name}: '{label}'")
    return Cifti(label, kinds[type(rows).__name__], rows, columns, image.dataobj)


def _check_models(models, what):
    """Refuse brain models whose vertex or voxel indices fall outside their surface or volume."""
    counts = {}
    for structure, count in models.nvertices.items():
        if not isinstance(count, (int, np.integer)) or count < 0:
            raise ImageLoadError(f"{what}: {_short(structure)} has no valid SurfaceNumberOfVertices "
                                 f"({count!r}); the file is corrupt.")
        check_allocation(24 * int(count), f"{what}: {_short(structure)} of {count} vertices")
        counts[str(structure)] = int(count)
    if type(models).__name__ == "ParcelsAxis":
        vertices = [(str(s), np.asarray(v)) for parcel in models.vertices for s, v in parcel.items()]
        voxels = [np.asarray(v).reshape(-1, 3) for v in models.voxels]
    else:
        surface = np.asarray(models.surface_mask)
        names = np.asarray(models.name)[surface]
        vertices = [(str(s), np.asarray(models.vertex)[surface][names == s]) for s in np.unique(names)]
        voxels = [np.asarray(models.voxel)[np.asarray(models.volume_mask)].reshape(-1, 3)]
    for structure, indices in vertices:
        if indices.size and (indices.min() < 0 or indices.max() >= counts.get(structure, 0)):
            raise ImageLoadError(
                f"{what}: {_short(structure)} has vertex indices {int(indices.min())}..{int(indices.max())} "
                f"on a surface of {counts.get(structure, 0)} vertices; the file is corrupt.")
    if any(v.size for v in voxels):
        shape = np.asarray(models.volume_shape, dtype=np.int64)
        check_affine(models.affine, what)
        where = f"its volume of shape {tuple(int(n) for n in shape)}"
        if any(v.size and (v.min() < 0 or (v >= shape).any()) for v in voxels):
            raise ImageLoadError(f"{what}: voxel indices outside {where}; the file is corrupt.")
        check_allocation(8 * int(np.prod(shape, dtype=object)), f"{what}: {where}")


def _check_header(path, name):
    """Refuse a file whose NIfTI-2 header declares more than the file holds, or XML with entities."""
    size = os.stat(path).st_size
    with open(path, "rb") as stream:
        head = stream.read(_NIFTI2_HEADER)
        orders = [o for o in "<>" if len(head) == _NIFTI2_HEADER
                  and struct.unpack(o + "i", head[:4])[0] == _NIFTI2_HEADER]
        if not orders:
            raise ImageLoadError(
                f"{name}: '{path}' is not a CIFTI-2 file (no NIfTI-2 header, {len(head)} bytes "
                "at its start); the file is corrupt, truncated or of another format.")
        order = orders[0]
        bitpix = struct.unpack(order + "h", head[14:16])[0]
        dims = struct.unpack(order + "8q", head[16:80])
        offset = struct.unpack(order + "q", head[168:176])[0]
        n_dims = dims[0]
        sizes = dims[1:n_dims + 1]
        if not 1 <= n_dims <= 7 or bitpix <= 0 or offset < _NIFTI2_HEADER or any(d < 0 for d in sizes):
            raise ImageLoadError(f"{name}: '{path}': bad NIfTI-2 header (dim {dims}, bitpix {bitpix}, "
                                 f"vox_offset {offset}); the file is corrupt.")
        declared = offset + int(np.prod(sizes, dtype=object)) * bitpix // 8
        if declared > size:
            raise ImageLoadError(
                f"{name}: '{path}' declares {declared} bytes (header, XML and a "
                f"{' x '.join(str(d) for d in sizes)} matrix) but holds {size}; the file "
                "is truncated or corrupt.")
        if offset - _NIFTI2_HEADER > _MAX_XML_BYTES:
            raise ImageLoadError(
                f"{name}: '{path}': its CIFTI XML runs to {offset} bytes; the header is corrupt.")
        xml = stream.read(offset - _NIFTI2_HEADER)
    if b"<!ENTITY" in xml.upper():
        raise ImageLoadError(
            f"{name}: '{path}': the CIFTI XML declares entities; CIFTI-2 files have none, and entities "
            "can expand without bound, so brainview does not read it.")


# ------------------------------------------------------------------ hooks of the layers' inputs


def cifti_overlay(overlay, *, hemi, n_vertices, column=None, all_maps=False):
    """A CIFTI overlay of ``bv.surface`` as what the surface reads: values, or regions for labels.

    Anything else is returned unchanged. With ``hemi="both"`` the mesh holds
    the left vertices first, then the right ones. ``all_maps``: the values of
    every map, one column each (``(n_vertices, n_maps)``; a label file still
    gives the regions of the map ``column`` picks).

    Examples
    --------
    >>> cifti_overlay("lh.thickness", hemi="left", n_vertices=None)
    'lh.thickness'
    """
    if not is_cifti(overlay):
        return overlay
    from .surface_labels import SurfaceLabels

    cifti = read_cifti(overlay, name="overlay")
    parts = ("left", "right") if hemi == "both" else (hemi,)
    counts = [int(cifti.models.nvertices.get(HEMISPHERES.get(h), 0)) for h in parts]
    if hemi == "both" and n_vertices is not None and n_vertices != sum(counts):
        raise BrainviewValueError(
            f"overlay: '{cifti.name}' holds {' + '.join(map(str, counts))} cortical vertices (left + "
            f"right) but the mesh has {n_vertices}; pass the two surfaces the file was made on.")
    if all_maps and cifti.kind != "label":
        from ..limits import check_allocation

        check_allocation(8 * sum(counts or [n_vertices or 0]) * cifti.n_maps, f"overlay: '{cifti.name}' maps")
        return np.column_stack([np.concatenate([cifti.surface_values(
            h, map=index, n_vertices=n_vertices if hemi != "both" else None) for h in parts])
            for index in range(cifti.n_maps)])
    if column is None and cifti.n_maps > 1:
        warnings.warn(
            f"overlay: '{cifti.name}' holds {cifti.n_maps} maps{cifti._listing()}; showing map 0. Pick one "
            f"with the surface's column=<index in 0..{cifti.n_maps - 1} or map name>, or pass "
            "bv.io.read_cifti(path).surface_values(hemi, map=...) as the overlay.", BrainviewWarning, stacklevel=4)
    index = cifti.map_index(0 if column is None else column, "column")
    values = np.concatenate([cifti.surface_values(
        h, map=index, n_vertices=n_vertices if hemi != "both" else None) for h in parts])
    if cifti.kind != "label":
        return values
    table = cifti.labels(map=index)
    keys = np.where(np.isfinite(values), values, -1).astype(np.int64)
    named = {key: text for key, (text, rgba) in table.items() if rgba[3] > 0}  # alpha 0: unlabelled (???)
    keys[~np.isin(keys, list(named))] = -1
    return SurfaceLabels(values=keys, names=named, colors={key: table[key][1][:3] for key in named})


def cifti_volume(img, volume=None):
    """The subcortical part of a CIFTI map as an :class:`Image`, 0 outside (``bv.stat_map``).

    Anything else is returned unchanged.

    Examples
    --------
    >>> cifti_volume("zmap.nii.gz")
    'zmap.nii.gz'
    """
    if not is_cifti(img):
        return img
    return read_cifti(img).volume(map=volume, fill=0.0)  # a map's 0 is below every threshold


def cifti_atlas(atlas, *, map=None):
    """``{"maps": (data, affine), "lut": {...}}`` of a CIFTI label file's subcortical part (``bv.atlas``).

    Anything else is returned unchanged. ``lut`` has ``index``, ``name`` and
    ``color`` columns from the file's label table (keys with alpha 0, the
    unlabelled ``???``, left out).

    Examples
    --------
    >>> cifti_atlas("aseg.nii.gz")
    'aseg.nii.gz'
    """
    if not is_cifti(atlas):
        return atlas
    cifti = read_cifti(atlas, name="atlas")
    if cifti.kind != "label":
        raise BrainviewValueError(
            f"atlas: '{cifti.name}' holds {cifti.kind} maps, not labels; draw it with bv.stat_map "
            "(its subcortical part) or bv.surface (its cortex). Atlases are .dlabel.nii/.plabel.nii files.")
    index = cifti.map_index(map, "map")
    image = cifti.volume(map=index, name="atlas")
    table = {key: value for key, value in cifti.labels(map=index).items() if key != 0 and value[1][3] > 0}
    lut = {"index": list(table), "name": [v[0] for v in table.values()],
           "color": [v[1][:3] for v in table.values()]}
    return {"maps": (np.asarray(image.data), image.affine), "lut": lut}
