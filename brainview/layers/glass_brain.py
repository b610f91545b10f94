"""A translucent brain outline to put maps, contours and points in.

The outline is the boundary of the MNI152 brain mask (2 mm), smoothed and
decimated to about 30k triangles (:func:`brainview.geometry.glass_brain.outline_mesh`).
Computing it takes about half a second, so the mesh is cached: in memory for
the session and on disk by :mod:`brainview.cache` (by default under the user
cache directory), keyed by a hash of the mask bytes, its affine and the
meshing parameters — a changed mask or parameter gives a new entry, never a
stale mesh.

Translucency is drawn with depth peeling (enabled by every
:class:`~brainview.scene.Figure`), so opaque or translucent layers inside
the glass brain are seen through it and correctly occluded, off-screen too.

Examples
--------
>>> from brainview.layers import GlassBrain
>>> glass = GlassBrain()
>>> glass.mesh.n_cells <= 30_000
True
>>> glass.opacity = 0.3
"""

from __future__ import annotations

import numpy as np
from traits.api import Any, observe

from .. import colors
from ..cache import content_key
from ..geometry.glass_brain import N_TRIANGLES, outline_mesh
from ..errors import BrainviewValueError
from ..io import load_image
from ._live import Loaded, constructing
from . import _examples as _ex
from .base import Checked, Kind, Layer, check_opacity

_MEMORY = {}
#: ``(n_triangles, smooth) -> key`` of the default (MNI152) outline: the packaged template
#: cannot change while the process runs, so a batch of glass brains builds and hashes its
#: mask once, not once per picture.
_DEFAULT_KEYS = {}

# pyvista is imported where a mesh is made: ``import brainview.layers`` must not pay for it
# (issue 19).


def cached_outline(mask=None, *, n_triangles=N_TRIANGLES, smooth=20):
    """The outline mesh of a mask (default: the 2 mm MNI152 brain mask), cached.

    Returns a new ``pyvista.PolyData`` each call (safe to modify).
    """
    import pyvista as pv

    key = _DEFAULT_KEYS.get((n_triangles, smooth)) if mask is None else None
    if key is None or key not in _MEMORY:
        image = _outline_mask(mask)
        key = content_key(image, n_triangles, smooth)
        if mask is None:
            _DEFAULT_KEYS[n_triangles, smooth] = key
    if key not in _MEMORY:
        mesh = outline_mesh(image, n_triangles=n_triangles, smooth=smooth)
        _MEMORY[key] = (np.asarray(mesh.points, dtype=np.float32),
                        mesh.faces.reshape(-1, 4)[:, 1:].astype(np.int32),
                        np.asarray(mesh.point_data["Normals"], dtype=np.float32))
    points, faces, normals = _MEMORY[key]
    mesh = pv.PolyData(points.copy(), np.column_stack([np.full(len(faces), 3), faces]).ravel())
    mesh.point_data["Normals"] = normals.copy()
    mesh.point_data.active_normals_name = "Normals"
    return mesh


def _outline_mask(mask):
    if mask is None:
        from ..datasets import load_mni152_brain_mask

        mask = load_mni152_brain_mask(resolution=2)
    image = load_image(mask, name="mask", kind="glass_brain")
    if not np.any(image.data):
        raise BrainviewValueError(
            f"mask: every voxel of {image.name!r} is 0: there is no brain to outline. "
            "Pass a mask that is non-zero inside the brain, or leave mask=None for the MNI152 brain."
        )
    return image


class GlassBrain(Layer):
    """A smooth translucent outline of the brain.

    Parameters
    ----------
    mask : path, nibabel image or (array, affine), optional
        Brain mask whose outline to draw. Default: the MNI152 brain mask (2 mm).
    color : colour
    opacity : float
        0 to 1; low values (0.1–0.3) let what is inside show.
    name : str

    Examples
    --------
    >>> GlassBrain(color="lightblue").kind
    'glass_brain'
    """

    kind = "glass_brain"

    #: Parameters that are data: a string given for one of them is a file path.
    data_params = ("mask",)

    #: The mask, as given (None: the MNI152 brain mask); setting it redraws the outline.
    mask = Loaded()

    #: The outline mesh in world mm (pyvista.PolyData).
    mesh = Any(transient=True)

    color = Checked(lambda value, name: colors.to_rgb(value, name=name), (0.7, 0.7, 0.75), panel="color")

    def __init__(self, mask=None, *, color=(0.7, 0.7, 0.75), opacity=0.15, name="glass brain"):
        self._staged = {}
        self.mesh = cached_outline(mask)
        super().__init__(mask=mask, name=name, color=color, opacity=check_opacity(opacity))

    def _check_mask(self, value):
        if not constructing(self):
            self._staged["mesh"] = cached_outline(value)
        return value

    @observe("mask", post_init=True)
    def _update_mask(self, event):
        self.mesh = self._staged.pop("mesh")
        self._changed()


def _example():
    """Small in-memory inputs of a GlassBrain (``Kind.example``)."""
    return (((_ex.two_regions() > 0, _ex.AFFINE),), dict(opacity=0.3))


KIND = Kind(GlassBrain, drawer="brainview.render.glass_brain:GlassBrainDrawer", example=_example, roles=())
