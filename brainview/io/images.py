"""3-D images in world space: :class:`Image`, :func:`load_image` and the file reader behind it.

Examples
--------
>>> import numpy as np
>>> img = load_image((np.zeros((4, 5, 6)), np.eye(4)))
>>> img.shape, img.data.flags.writeable
((4, 5, 6), False)
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import (
    BrainviewError,
    BrainviewTypeError,
    BrainviewValueError,
    BrainviewWarning,
    ImageLoadError,
    describe,
)
from .arrays import check_not_per_vertex, volumes_last, vtk_ready
from .guards import (check_affine, check_declared_size, check_in_memory, check_regular_file,
                     check_world_extent, is_out_of_memory, out_of_memory)
from .gzip_stream import read_gzip_image
from .image_lists import concat_images, is_image_sequence

__all__ = ["Image", "ImageSeries", "all_finite", "finite_data", "load_image", "load_series", "read_dataobj",
           "read_image_file"]

_IMAGE_KINDS = "a path to a NIfTI/MGH file, a nibabel image or an (array, affine) pair"


@dataclass(frozen=True, eq=False)
class Image:
    """A 3-D array placed in world space (RAS+ millimetres) by its affine.

    ``data`` is VTK-ready (:func:`vtk_ready`: native byte order, a dtype VTK
    reads), shares the caller's memory whenever it already was, and is
    read-only here.

    Examples
    --------
    >>> import numpy as np
    >>> img = Image(np.zeros((2, 3, 4), dtype=np.float32), np.eye(4), "zeros")
    >>> img.world_bounds()
    (0.0, 1.0, 0.0, 2.0, 0.0, 3.0)
    """

    data: np.ndarray
    affine: np.ndarray
    name: str = "image"
    #: ``(path, volume)`` of the file it was read from by :func:`load_image` (scene files and
    #: scripts name the file instead of copying the data), None for in-memory data.
    source: tuple = field(default=None, compare=False, repr=False)

    @property
    def shape(self):
        return self.data.shape

    @property
    def voxel_sizes(self):
        """Length in mm of one step along each voxel axis."""
        return np.linalg.norm(self.affine[:3, :3], axis=0)

    def world_bounds(self):
        """``(xmin, xmax, ymin, ymax, zmin, zmax)`` of the voxel centres, in mm."""
        corners = np.array(np.meshgrid(*[[0, n - 1] for n in self.shape], indexing="ij"))
        corners = corners.reshape(3, -1)
        world = self.affine[:3, :3] @ corners + self.affine[:3, 3:4]
        lo, hi = world.min(axis=1), world.max(axis=1)
        return tuple(float(v) for pair in zip(lo, hi) for v in pair)

    def to_world(self, ijk):
        """Voxel indices ``(n, 3)`` to world mm ``(n, 3)``."""
        ijk = np.asarray(ijk, dtype=float)
        return ijk @ self.affine[:3, :3].T + self.affine[:3, 3]

    def to_voxel(self, xyz):
        """World mm ``(n, 3)`` to fractional voxel indices ``(n, 3)``."""
        inverse = np.linalg.inv(self.affine)
        xyz = np.asarray(xyz, dtype=float)
        return xyz @ inverse[:3, :3].T + inverse[:3, 3]

    def value_at(self, xyz):
        """Value of the nearest voxel at each world coordinate; NaN outside.

        Examples
        --------
        >>> import numpy as np
        >>> img = Image(np.arange(8.0).reshape(2, 2, 2), np.eye(4))
        >>> img.value_at([[1, 1, 1], [5, 5, 5]]).tolist()
        [7.0, nan]
        """
        ijk = np.rint(self.to_voxel(np.atleast_2d(xyz))).astype(int)
        inside = np.all((ijk >= 0) & (ijk < np.array(self.shape)), axis=1)
        values = np.full(len(ijk), np.nan)
        i, j, k = ijk[inside].T
        values[inside] = self.data[i, j, k]
        return values


def load_image(img, *, volume=None, name="img", kind=None):
    """Load any accepted image input as a 3-D :class:`Image`.

    Parameters
    ----------
    img : str, pathlib.Path, nibabel image, (array, affine), or a list of these
        The image. Paths may be ``.nii``, ``.nii.gz``, ``.mgz`` or any format
        nibabel reads; a nilearn Niimg-like is a path or a nibabel image. A
        list or tuple of 3-D images is one 4-D image, as in nilearn
        (:func:`brainview.io.image_lists.concat_images`): ``volume`` picks.
    volume : int, optional
        Index of the volume to take from a 4-D image. Required for 4-D inputs
        with more than one volume.
    name : str
        Parameter name used in error messages.
    kind : str, optional
        The layer kind the image is loaded for (a key of
        :data:`brainview.limits.LAYER_VOXEL_BYTES`): what that layer will
        allocate per voxel is checked against the memory budget with the
        loading itself, before anything is read or copied.

    Returns
    -------
    Image
        Data in native byte order and a VTK dtype (:func:`vtk_ready`; an
        in-memory array that already is one is not copied) and a 4×4 affine.

    Raises
    ------
    BrainviewTypeError
        ``img`` is none of the accepted kinds.
    BrainviewValueError
        The data is not 3-D (or 4-D with ``volume``), the affine is not an
        invertible 4×4 matrix, places voxels beyond ±1e6 mm or has voxel
        sizes differing by more than 1e4 times, or ``volume`` is out of range.
    ImageLoadError
        The file is missing, not a regular file, corrupt (a gzip CRC or
        length mismatch included) or truncated.
    MemoryBudgetError
        The data needs more memory than the budget (:func:`brainview.set_limits`).

    Examples
    --------
    >>> import numpy as np
    >>> load_image((np.ones((3, 3, 3, 2)), np.eye(4)), volume=1).shape
    (3, 3, 3)

    An image read from a file remembers it (:attr:`Image.source`): a scene file
    or an exported script names the file and the volume instead of copying the data.
    """
    image = load_series(img, name=name, kind=kind).volume(volume)
    if isinstance(img, (str, os.PathLike)):
        image = Image(image.data, image.affine, image.name, source=(Path(img), volume))
    return image


@dataclass(frozen=True, eq=False)
class ImageSeries:
    """Every volume of an image input, read once: a 3-D image is a series of one volume.

    A layer keeps the series of its ``img`` so that changing its ``volume``
    takes another volume of the same memory (a view: the file is not read
    again, and no volume is copied unless VTK needs another byte order or
    dtype); what the layer derives from a volume (a colour range, a default
    level) is computed once per volume (:meth:`derived`).

    Attributes
    ----------
    data : numpy.ndarray
        3-D, or 4-D with the volumes last, as read (a memory map when the file allows).
    affine : numpy.ndarray
    name : str
        The file name, ``"array"`` or the image's class.
    param : str
        The parameter named in errors.
    kind : str or None
        The layer kind the data is read for (memory budget checks).
    in_memory : bool
        The data is the caller's array: what each volume copies is checked
        against the memory budget.

    Examples
    --------
    >>> import numpy as np
    >>> series = load_series((np.arange(16.0).reshape(2, 2, 2, 2), np.eye(4)))
    >>> series.n_volumes, float(series.volume(1).data[0, 0, 0]), series.values_at([0, 0, 0]).tolist()
    (2, 1.0, [0.0, 1.0])
    """

    data: np.ndarray
    affine: np.ndarray
    name: str = "image"
    param: str = "img"
    kind: object = None
    in_memory: bool = False
    _derived: dict = field(default_factory=dict, repr=False, init=False)

    @property
    def n_volumes(self):
        """How many volumes (1 for a 3-D image)."""
        return 1 if self.data.ndim == 3 else int(self.data.shape[3])

    @property
    def shape(self):
        """The shape of one volume."""
        return tuple(self.data.shape[:3])

    def volume(self, volume):
        """Volume ``volume`` as an :class:`Image` (None: the image itself, or a 4-D image's only volume).

        Raises
        ------
        BrainviewValueError
            ``volume`` is not an index of a volume (or given for a 3-D image),
            or None for a 4-D image of several volumes.
        """
        data = _pick_volume(self.data, volume, self.param)
        if self.in_memory:
            check_in_memory(data, self.param, self.kind)
        data = vtk_ready(data).view()
        data.flags.writeable = False
        return Image(data, self.affine, self.name)

    def derived(self, volume, what, compute):
        """``compute()`` once per volume and ``what`` (a range, a level): stepping back costs nothing.

        Examples
        --------
        >>> import numpy as np
        >>> series = load_series((np.zeros((2, 2, 2, 3)), np.eye(4)))
        >>> calls = []
        >>> [series.derived(1, "range", lambda: calls.append(1) or (0.0, 1.0)) for _ in range(2)]
        [(0.0, 1.0), (0.0, 1.0)]
        >>> len(calls)
        1
        """
        key = (volume, what)
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def values_at(self, xyz):
        """The values of the voxel nearest world ``xyz`` in every volume (NaN outside).

        Reads one voxel per volume (strided), never a whole volume.
        """
        inverse = np.linalg.inv(self.affine)
        ijk = np.rint(np.asarray(xyz, dtype=float) @ inverse[:3, :3].T + inverse[:3, 3]).astype(int)
        if not np.all((ijk >= 0) & (ijk < np.array(self.shape))):
            return np.full(self.n_volumes, np.nan)
        values = self.data[ijk[0], ijk[1], ijk[2]]
        return np.atleast_1d(np.asarray(values, dtype=float)).copy()


def load_series(img, *, name="img", kind=None):
    """Read an image input once, keeping all its volumes (see :class:`ImageSeries`).

    The same inputs, checks and errors as :func:`load_image`, which takes one
    volume of this.

    Examples
    --------
    >>> import numpy as np
    >>> load_series((np.ones((3, 3, 3, 5)), np.eye(4))).n_volumes
    5
    """
    if is_image_sequence(img):  # nilearn's list of 3-D images: one 4-D image, ``volume`` picks
        img = concat_images(img, load=load_image, name=name, kind=kind)
    if isinstance(img, Image):
        data, affine, label = img.data, img.affine, img.name
    elif isinstance(img, (str, os.PathLike)):
        data, affine, label = read_image_file(Path(img), name, kind=kind)
    elif isinstance(img, tuple) and len(img) == 2:
        data, affine, label = img[0], img[1], "array"
        if not isinstance(data, np.ndarray):
            raise BrainviewTypeError(
                f"{name}: the first element of an (array, affine) pair must be a "
                f"numpy array, got {describe(data)}."
            )
    elif hasattr(img, "dataobj") and hasattr(img, "affine"):
        filename = img.get_filename() if hasattr(img, "get_filename") else None
        data, affine = read_dataobj(img, name, filename, kind)
        label = Path(filename).name if filename else type(img).__name__
    else:
        raise BrainviewTypeError(
            f"{name}: expected {_IMAGE_KINDS}, got {describe(img)}. "
            "Load it with nibabel.load(path) or pass (data, affine)."
        )
    affine = check_affine(affine, name)
    check_not_per_vertex(np.shape(data), name)
    data = np.asanyarray(data)
    first = _pick_volume(data, 0 if data.ndim == 4 else None, name)  # the shape checks, on a view
    check_world_extent(affine, first.shape, name)
    if data.dtype != bool and (not np.issubdtype(data.dtype, np.number) or np.iscomplexobj(data)):
        raise BrainviewTypeError(_not_real_message(data.dtype, name, label))
    in_memory = not isinstance(img, (str, os.PathLike)) and not _read_from_proxy(img)
    return ImageSeries(data, affine, label, name, kind, in_memory)


def _not_real_message(dtype, name, label):
    """Why an image of ``dtype`` cannot be shown, naming the file it came from."""
    where = "the image" if label == "array" or label in name else f"'{label}'"
    if dtype.names:
        kind = "an RGB colour image" if set(dtype.names) >= {"R", "G", "B"} else "a record array"
        return (
            f"{name}: {where} is {kind} (dtype {dtype}, fields {', '.join(dtype.names)}); brainview "
            "shows volumes of real numbers only. Save one channel (data['R']) or a greyscale "
            "version as a new image and open that."
        )
    return f"{name}: {where}: image data must be real numbers, got dtype {dtype}."


def _read_from_proxy(img):
    """Whether :func:`load_image` read ``img``'s data from a file proxy (checked while reading)."""
    return hasattr(img, "dataobj") and not isinstance(img, tuple) and not isinstance(img.dataobj, np.ndarray)


def read_image_file(path, name, *, kind=None):
    """``(data, affine, file name)`` of a NIfTI/MGH file, with every hostile-file guard.

    The data is read without a copy where the file allows (a memory map);
    ``name`` is the parameter named in errors; ``kind`` the layer it is read
    for (see :func:`load_image`). :func:`load_image` calls it;
    so does the app, which needs the array before choosing a role.

    Raises
    ------
    ImageLoadError
        Not a regular file, unreadable, or declaring more data than it holds.

    Examples
    --------
    >>> import os, tempfile, numpy as np, nibabel as nib
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "x.nii.gz"
    >>> nib.save(nib.Nifti1Image(np.zeros((2, 3, 4), np.float32), np.eye(4)), path)
    >>> data, affine, name = read_image_file(path, "img")
    >>> data.shape, name
    ((2, 3, 4), 'x.nii.gz')
    """
    import nibabel as nib

    check_regular_file(path, name)
    if path.name.lower().endswith((".nii.gz", ".mgz", ".mgh.gz")):
        data, affine = read_gzip_image(path, name, kind)
        return vtk_ready(data), affine, path.name
    else:
        try:
            img = nib.load(str(path))
        except Exception as error:  # nibabel raises many types for bad files
            raise ImageLoadError(
                f"{name}: could not read '{path}' as an image ({type(error).__name__}: {error}). "
                "Is it a NIfTI or MGH file?"
            ) from error
    data, affine = read_dataobj(img, name, path, kind)
    return data, affine, path.name


def read_dataobj(img, name, path, kind=None):
    """``(data, affine)`` of a nibabel image, its declared size checked before its data is read.

    The data has its volumes last and is VTK-ready (:func:`brainview.io.vtk_ready`),
    any number of dimensions; ``name`` is the parameter named in errors,
    ``path`` the file named in them (or None), ``kind`` the layer it is read
    for (see :func:`load_image`).

    Raises
    ------
    ImageLoadError
        The data cannot be read (a corrupt or truncated file).
    MemoryBudgetError
        The data needs more memory than the budget, or than the machine has.

    Examples
    --------
    >>> import numpy as np, nibabel as nib
    >>> data, affine = read_dataobj(nib.Nifti1Image(np.zeros((2, 3, 4, 5), ">f4"), np.eye(4)), "img", None)
    >>> data.shape, data.dtype.isnative
    ((2, 3, 4, 5), True)
    """
    where = f"'{path}'" if path else "the image"
    if not hasattr(img, "affine"):  # a CIFTI-2 file: maps of vertices and voxels (brainview.io.cifti)
        raise ImageLoadError(
            f"{name}: {where} is a {type(img).__name__}, not an image on a voxel grid. Draw a CIFTI-2 "
            "file with bv.surface(meshes, path, hemi=...) (its cortex), bv.stat_map(path) or "
            "bv.atlas(path) (its subcortical voxels).")
    needed = check_declared_size(img, name, path, kind)
    try:
        data = vtk_ready(volumes_last(img, np.asanyarray(img.dataobj)))
    except BrainviewError:
        raise
    except Exception as error:  # truncated gzip streams surface here
        if is_out_of_memory(error):
            raise out_of_memory(name, where, needed, error) from error
        raise ImageLoadError(
            f"{name}: could not read the data of {where} ({type(error).__name__}: {error}). "
            "The file is corrupt or truncated."
        ) from error
    return data, img.affine


def _pick_volume(data, volume, name):
    if data.ndim == 4 and data.shape[3] == 1 and volume in (None, 0):
        return data[..., 0]
    if data.ndim == 4:
        if volume is None:
            raise BrainviewValueError(
                f"{name}: got a 4-D image of shape {data.shape}; brainview shows one "
                f"3-D volume at a time. Pass volume=<index in 0..{data.shape[3] - 1}> "
                "or select it first with nilearn.image.index_img(img, index)."
            )
        if not isinstance(volume, (int, np.integer)) or not 0 <= volume < data.shape[3]:
            raise BrainviewValueError(
                f"volume: must be an integer in 0..{data.shape[3] - 1} for {name} of "
                f"shape {data.shape}, got {volume!r}."
            )
        return data[..., volume]
    if volume is not None:
        raise BrainviewValueError(
            f"volume: only 4-D images have volumes to pick, but {name} has shape {data.shape}. "
            "Leave volume=None."
        )
    if data.ndim != 3:
        raise BrainviewValueError(
            f"{name}: expected a 3-D image, got {data.ndim}-D data of shape {data.shape}. "
            "A 2-D array has no depth to show in 3-D; stack slices into a volume first."
        )
    if min(data.shape) < 1:
        raise BrainviewValueError(f"{name}: the image is empty (shape {data.shape}).")
    return data


def all_finite(data):
    """Whether every value of a float array is finite, without a mask of the whole array.

    NaN propagates through ``min`` and an infinity is the minimum or the
    maximum, so two reductions answer it allocating nothing.

    Examples
    --------
    >>> import numpy as np
    >>> all_finite(np.array([1.0, 2.0])), all_finite(np.array([1.0, np.inf]))
    (True, False)
    """
    if not data.size:
        return True
    return bool(np.isfinite(data.min()) and np.isfinite(data.max()))


def finite_data(image, *, name="img", fill=None):
    """The image data with NaN/inf replaced, and a warning counting them.

    Returns the data unchanged (no copy) when every value is finite.

    Parameters
    ----------
    image : Image
    name : str
        Parameter name used in the warning.
    fill : float, optional
        Replacement value; defaults to one below the smallest finite value,
        so non-finite voxels sit under every threshold and render transparent.

    Examples
    --------
    >>> import numpy as np, warnings
    >>> img = load_image((np.array([[[1.0, np.nan]]]), np.eye(4)))
    >>> with warnings.catch_warnings(record=True):
    ...     finite_data(img).tolist()
    [[[1.0, 0.0]]]
    """
    data = image.data
    if not np.issubdtype(data.dtype, np.floating) or all_finite(data):
        return data
    bad = ~np.isfinite(data)
    count = int(np.count_nonzero(bad))
    good = data[~bad]
    if fill is None:
        fill = float(good.min()) - 1.0 if good.size else 0.0
    warnings.warn(
        f"{name}: {count} of {data.size} voxels are NaN or infinite; they are shown as "
        "transparent (empty). Replace them yourself, e.g. np.nan_to_num, to choose otherwise.",
        BrainviewWarning,
        stacklevel=3,
    )
    return np.where(bad, np.asarray(fill, dtype=data.dtype), data)
