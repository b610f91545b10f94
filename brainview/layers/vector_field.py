"""A vector per voxel of a 4-D image (a diffusion tensor's principal direction): the model.

The image holds three components per voxel, ``(X, Y, Z, 3)`` (or NIfTI's
vector layout ``(X, Y, Z, 1, 3)``). Each vector is drawn at its voxel's
centre in world mm, placed by the image's affine; its components are read
along the image's voxel axes (``space="voxel"``, FSL's ``dtifit`` V1), in
world RAS+ axes (``space="world"``, MRtrix's ``tensor2metric -vector``) or
in FSL's voxel convention (``space="fsl"``: the first component negated when
the affine's determinant is positive, MRtrix's rule for FSL's gradient
vectors). Voxel-axis vectors turn with the affine's normalised linear part
(:func:`brainview.geometry.vectors.voxel_axes`), so an oblique or flipped
image's vectors point where its anatomy does.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import VectorField
>>> data = np.zeros((4, 4, 4, 3), np.float32)
>>> data[1:3, 1:3, 1:3] = (0, 0, 1)
>>> field = VectorField((data, np.diag([2.0, 2, 2, 1])))
>>> field.n_drawn, field.glyph_length
(8, 1.8)
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
from traits.api import Any, observe

from .. import colors
from .._locks import RENDER_LOCK
from ..errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning, describe
from ..geometry import vectors as vec
from ..io import Image, load_image, read_dataobj, read_image_file
from ..io.guards import check_affine, check_in_memory, check_world_extent
from ._live import Reloads, set_quietly, take_derived
from . import _examples as _ex
from .base import Checked, Kind, Layer, check_choice, check_opacity, check_positive
from .quiver import SCALE_MODES, check_resolution, check_scale, glyph_mesh

MODES = ("lines", "arrows")
COLOR_BY = ("direction", "magnitude")
SPACES = ("voxel", "world", "fsl")
#: A drawn glyph fills this share of its cell (stride times the smallest voxel size) by default.
FILL = 0.9

_IMAGE_KINDS = "a path to a NIfTI/MGH file, a nibabel image or an (array, affine) pair"


def load_field(img, name="img"):
    """``(data, affine, label)`` of a 3-component image: data ``(X, Y, Z, 3)``, read-only.

    Examples
    --------
    >>> import numpy as np
    >>> data, affine, label = load_field((np.zeros((2, 3, 4, 1, 3)), np.eye(4)))
    >>> data.shape, label
    ((2, 3, 4, 3), 'array')
    """
    if isinstance(img, (str, os.PathLike)):
        data, affine, label = read_image_file(Path(img), name, kind="vector_field")
    elif isinstance(img, tuple) and len(img) == 2:
        data, affine, label = img[0], img[1], "array"
        if not isinstance(data, np.ndarray):
            raise BrainviewTypeError(f"{name}: the first element of an (array, affine) pair must be a numpy "
                                     f"array, got {describe(data)}.")
        check_in_memory(data, name, "vector_field")
    elif hasattr(img, "dataobj") and hasattr(img, "affine"):
        filename = img.get_filename() if hasattr(img, "get_filename") else None
        data, affine = read_dataobj(img, name, filename, "vector_field")
        label = Path(filename).name if filename else type(img).__name__
    else:
        raise BrainviewTypeError(f"{name}: expected {_IMAGE_KINDS} holding 3 components per voxel, "
                                 f"got {describe(img)}.")
    data = np.asanyarray(data)
    if data.ndim == 5 and data.shape[3] == 1:  # NIfTI's vector intent: (X, Y, Z, 1, 3)
        data = data[:, :, :, 0]
    if data.ndim != 4 or data.shape[3] != 3 or min(data.shape) < 1:
        raise BrainviewValueError(
            f"{name}: expected a vector image of shape (X, Y, Z, 3), three components per voxel, got "
            f"shape {data.shape}. A scalar map goes to bv.stat_map or bv.volume; a tensor image "
            "(6 components) first needs its principal direction (FSL dtifit's V1, MRtrix tensor2metric -vector).")
    if not np.issubdtype(data.dtype, np.number) or np.iscomplexobj(data):
        raise BrainviewTypeError(f"{name}: vector components must be real numbers, got dtype {data.dtype}.")
    affine = check_affine(affine, name)
    check_world_extent(affine, data.shape, name)
    view = data.view()
    view.flags.writeable = False
    return view, affine, label


def load_mask(mask, shape, affine):
    """The ``(X, Y, Z)`` bool mask of ``mask`` (an image on the field's grid, or a bool array), or None."""
    if mask is None:
        return None
    if isinstance(mask, np.ndarray) or (isinstance(mask, list) and np.ndim(mask) == 3):
        keep = np.asarray(mask)
        where = "the array"
    else:
        image = load_image(mask, name="mask")
        keep = np.asarray(image.data)
        where = f"'{image.name}'" if image.name != "array" else "the image"
        if not np.allclose(image.affine, affine, atol=1e-3):
            raise BrainviewValueError(
                f"mask: {where} is not on the vector image's grid (its affine differs); resample it to the "
                "vector image first (nilearn.image.resample_to_img(mask, img, interpolation='nearest')).")
    if keep.shape != tuple(shape):
        raise BrainviewValueError(f"mask: {where} has shape {keep.shape}, the vector image's grid is "
                                  f"{tuple(shape)}; pass a mask on the same grid.")
    if keep.dtype != bool and not np.issubdtype(keep.dtype, np.number):
        raise BrainviewTypeError(f"mask: expected booleans or numbers (non-zero: drawn), got dtype {keep.dtype}.")
    return keep if keep.dtype == bool else np.asarray(keep != 0)


def check_stride(value, name="stride"):
    """A whole number of voxels >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise BrainviewValueError(f"{name}: expected a whole number of voxels >= 1 (1 draws every voxel, "
                                  f"2 every second one along each axis), got {value!r}.")
    return int(value)


def world_vectors(vectors, affine, space):
    """Vectors in world RAS+ axes from components read in ``space`` (see the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> world_vectors(np.array([[1.0, 0, 0]]), np.diag([-2.0, 2, 2, 1]), "voxel").tolist()
    [[-1.0, 0.0, 0.0]]
    >>> world_vectors(np.array([[1.0, 0, 0]]), np.diag([2.0, 2, 2, 1]), "fsl").tolist()
    [[-1.0, 0.0, 0.0]]
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    if space == "world":
        return vectors
    axes = vec.voxel_axes(affine)
    if space == "fsl" and np.linalg.det(np.asarray(affine)[:3, :3]) > 0:
        axes = axes * np.array([-1.0, 1.0, 1.0])  # FSL's voxel x runs right to left in a neurological image
    axes = axes.astype(np.float32)
    # Three multiply-adds: numpy's matmul of an (n, 3) by a (3, 3) float32 array takes no fast path.
    return vectors[:, :1] * axes[:, 0] + vectors[:, 1:2] * axes[:, 1] + vectors[:, 2:] * axes[:, 2]


class VectorField(Layer):
    """A vector per voxel of a 3-component image, as line segments or arrows, in world mm.

    Parameters
    ----------
    img : path, nibabel image or (array, affine)
        Shape ``(X, Y, Z, 3)`` (or ``(X, Y, Z, 1, 3)``): three components per voxel.
    mask : image, bool array or path, optional
        Voxels to draw, on the image's grid (non-zero: drawn). Default: every
        voxel whose vector is non-zero. Vectors holding NaN are never drawn
        (one warning counts them).
    stride : int
        Draw every ``stride``-th voxel along each axis, from voxel 0.
    mode : {"lines", "arrows"}
        Line segments centred on their voxels (diffusion viewers' way), or
        arrow glyphs centred there.
    color_by : {"direction", "magnitude"}
        Direction-encoded colour (red ``|x|``, green ``|y|``, blue ``|z|`` of
        the unit world vector), or the magnitude through ``cmap`` over ``clim``.
    space : {"voxel", "world", "fsl"}
        The axes the components are given in (see the module docstring).
    scale_mode : {"vector", "none"}
        Glyph length proportional to the magnitude (the longest one ``length``
        mm), or every glyph ``length`` mm.
    length : float, optional
        mm; default 0.9 times ``stride`` times the smallest voxel size (:attr:`glyph_length`).
    cmap : str, Colormap or RGBA table
        For ``color_by="magnitude"``.
    clim : (float, float), optional
        Default: the drawn magnitudes' range.
    opacity : float
    line_width : float
        Width of the line segments, in pixels (1: a dense field stays readable).
    resolution : int
        Facets around each arrow.
    name : str, optional

    Examples
    --------
    >>> import numpy as np
    >>> data = np.zeros((3, 3, 3, 3)); data[1, 1, 1] = (0, 3.0, 4.0)
    >>> VectorField((data, np.eye(4)), color_by="magnitude").clim
    (4.5, 5.5)
    """

    kind = "vector_field"

    #: Parameters that are data: a string given for one of them is a file path.
    data_params = ("img", "mask")

    #: The glyphs (pyvista.PolyData): "rgb" (direction) or "magnitude" per point.
    mesh = Any(transient=True)
    #: Arrows as line segments (shown while the camera moves), or None.
    light_mesh = Any(transient=True)

    cmap = Checked(lambda value, name: colors.get_cmap(value, name=name), panel="cmap")
    clim = Checked(lambda value, name: None if value is None else colors.check_clim(value, name=name), (0.0, 1.0),
                   panel="range", range="data")
    line_width = Checked(lambda value, name: check_positive(value, name), 1.0, panel="slider", low=0.5, high=10.0)

    img = Reloads()
    mask = Reloads()
    stride = Reloads(1, panel="slider", low=1, high=8, integer=True)
    mode = Reloads("lines", choices=MODES)
    color_by = Reloads("direction", choices=COLOR_BY)
    space = Reloads("voxel", choices=SPACES)
    scale_mode = Reloads("vector", choices=SCALE_MODES)
    length = Reloads(None, panel="slider", low=0.0, high=20.0, optional=True, shown="glyph_length")
    resolution = Reloads(8, panel="slider", low=3, high=32, integer=True)

    def __init__(self, img, *, mask=None, stride=1, mode="lines", color_by="direction", space="voxel",
                 scale_mode="vector", length=None, cmap="viridis", clim=None, opacity=1.0, line_width=1.0,
                 resolution=8, name=None):
        import pyvista as pv

        self.__dict__["_source"] = None
        derived = self._derive(dict(img=img, mask=mask, stride=stride, mode=mode, color_by=color_by, space=space,
                                    scale_mode=scale_mode, length=length, resolution=resolution, clim=clim))
        super().__init__(name=name or derived["label"], cmap=cmap, clim=derived["clim"],
                         opacity=check_opacity(opacity), line_width=line_width, img=img, mask=mask, stride=stride,
                         mode=mode, color_by=color_by, space=space, scale_mode=scale_mode, length=length,
                         resolution=resolution)
        self.mesh = pv.PolyData()
        self._apply(derived)

    def _load(self, img, mask):
        """The field and its mask, loaded again only when ``img`` or ``mask`` is a new object."""
        source = self.__dict__["_source"]
        if source is None or source[0] is not img or source[1] is not mask:
            data, affine, label = load_field(img)
            source = (img, mask, data, affine, label, load_mask(mask, data.shape[:3], affine))
            self.__dict__["_source"] = source
        return source[2:]

    def _derive(self, params):
        """The field's vectors and glyph mesh for ``params`` (raises the constructor's errors)."""
        data, affine, label, keep = self._load(params["img"], params["mask"])
        stride = check_stride(params["stride"])
        mode = check_choice(params["mode"], MODES, "mode")
        color_by = check_choice(params["color_by"], COLOR_BY, "color_by")
        space = check_choice(params["space"], SPACES, "space")
        scale_mode = check_choice(params["scale_mode"], SCALE_MODES, "scale_mode")
        length = check_scale(params["length"], "length")
        resolution = check_resolution(params["resolution"])
        ijk, positions, components, n_bad = vec.field_vectors(data, affine, keep, stride)
        if n_bad:
            warnings.warn(f"img: {n_bad} voxels drawn hold NaN or infinite components; they are not drawn.",
                          BrainviewWarning, stacklevel=4)
        if not len(ijk):
            warnings.warn(f"img: no voxel {'in the mask ' if keep is not None else ''}holds a non-zero vector "
                          f"(at stride {stride}); nothing is drawn.", BrainviewWarning, stacklevel=4)
        vectors = world_vectors(components, affine, space)
        magnitudes = np.sqrt(np.einsum("ij,ij->i", vectors, vectors))
        if length is None:
            length = FILL * stride * float(np.min(np.linalg.norm(affine[:3, :3], axis=0)))
        peak = float(magnitudes.max()) if len(magnitudes) else 1.0
        scale = (length / peak) if scale_mode == "vector" else (length / magnitudes[:, None])
        mesh, per, light = glyph_mesh(positions, vectors * scale, mode="line" if mode == "lines" else "arrow",
                                      resolution=resolution, centered=True,
                                      values=magnitudes if color_by == "magnitude" else None,
                                      rgb=vec.dec_colors(vectors) if color_by == "direction" else None, what="img",
                                      held=data.nbytes)
        auto_clim = colors.auto_clim(magnitudes)
        clim = auto_clim if params.get("clim") is None else params["clim"]
        return dict(label=label, ijk=ijk, magnitudes=magnitudes, length=float(length), mesh=mesh, light=light,
                    per=per, clim=clim, auto_clim=auto_clim, affine=affine, data=data)

    def _apply(self, derived):
        self._ijk, self._values, self._per = derived["ijk"], derived["magnitudes"], derived["per"]
        self._length, self._auto_clim = derived["length"], derived["auto_clim"]
        self._affine, self._data = derived["affine"], derived["data"]
        with RENDER_LOCK:  # a render thread may be drawing it (brainview._locks)
            self.mesh.ShallowCopy(derived["mesh"])
        self.light_mesh = derived["light"]
        params = self.get_params()
        if params["clim"] is None and tuple(self.clim) != tuple(derived["clim"]):
            set_quietly(self, clim=derived["clim"])
        if params["name"] is None and self.name != derived["label"]:
            set_quietly(self, name=derived["label"])  # a new image's file name
        self._changed()

    @observe("img, mask, stride, mode, color_by, space, scale_mode, length, resolution", post_init=True)
    def _reload(self, event):
        self._apply(take_derived(self))

    @observe("clim", post_init=True)
    def _clim_changed(self, event):
        if self.clim is None:
            set_quietly(self, clim=self._auto_clim)

    # ------------------------------------------------------------ what is drawn

    @property
    def affine(self):
        """The image's affine (voxel indices to world mm)."""
        return self._affine.copy()

    @property
    def n_drawn(self):
        """How many vectors are drawn."""
        return len(self._ijk)

    @property
    def voxels(self):
        """``(n_drawn, 3)`` voxel indices of the vectors drawn, in mesh order."""
        return self._ijk.copy()

    @property
    def magnitudes(self):
        """``(n_drawn,)`` length of each drawn vector (its components' norm)."""
        return self._values.copy()

    @property
    def glyph_length(self):
        """mm of the longest glyph (``scale_mode="vector"``) or of every glyph: ``length`` or its default."""
        return self._length

    @property
    def solid_color(self):
        """None: a field is coloured by direction or magnitude."""
        return None

    @property
    def colored_by_value(self):
        """Whether the glyphs are coloured through ``cmap`` (``color_by="magnitude"``)."""
        return self.color_by == "magnitude"

    def item_of_cell(self, cell_id):
        """``{"vector": index among those drawn, "voxel": (i, j, k)}`` of mesh cell ``cell_id``, or None."""
        glyph = int(cell_id) // self._per
        if not 0 <= glyph < len(self._ijk):
            return None
        return {"vector": glyph, "voxel": tuple(int(v) for v in self._ijk[glyph])}

    def value_at(self, xyz):
        """The magnitude of the vector of the voxel nearest ``xyz`` (NaN outside the image)."""
        data = self._data
        ijk = np.rint(Image(data[..., 0], self._affine, "field").to_voxel(np.atleast_2d(xyz))[0]).astype(int)
        if np.any(ijk < 0) or np.any(ijk >= np.array(data.shape[:3])):
            return float("nan")
        vector = world_vectors(data[tuple(ijk)][None, :], self._affine, self.space)[0]
        return float(np.linalg.norm(vector))

    def colorbar_table(self):
        if not self.colored_by_value:
            return None
        return colors.lookup_table(self.cmap, self.clim), self.name


def _example():
    """Small in-memory inputs of a VectorField (``Kind.example``): a swirl in the examples' ball."""
    ijk = np.indices((20, 20, 20)).astype(np.float32) - 9.5
    swirl = np.stack([-ijk[1], ijk[0], 0.3 * np.ones_like(ijk[0]) * 9.5], axis=-1)
    data = np.where((_ex.blob() > 0)[..., None], swirl, 0).astype(np.float32)
    return ((data, _ex.AFFINE),), dict(stride=2)


KIND = Kind(VectorField, drawer="brainview.render.vectors:VectorFieldDrawer", example=_example, roles=())
