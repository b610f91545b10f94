"""Volume maps on cortical surfaces: projection, both hemispheres, per-hemisphere views.

- :func:`project_to_surface` samples a volume between the white and pial
  surfaces with nilearn's ``vol_to_surf`` (imported lazily: it is the
  interoperability point with the learning stack, and costs 1 s to import).
- :func:`join_hemispheres` makes one mesh of two hemispheres; inflated
  hemispheres overlap in world space, so the right one is moved right until
  they are 1 mm apart (what nilearn's ``combine_hemispheres_meshes`` does).
- :func:`hemi_view` names the camera direction of a lateral/medial/dorsal/
  ventral view of a hemisphere.

Examples
--------
>>> import numpy as np
>>> from brainview.io import Surface
>>> left = Surface(np.array([[-2.0, 0, 0], [-1, 1, 0], [-1, 0, 1]]), np.array([[0, 1, 2]]))
>>> right = Surface(np.array([[-3.0, 0, 0], [2, 1, 0], [2, 0, 1]]), np.array([[0, 1, 2]]))
>>> both = join_hemispheres(left, right, separate=True)
>>> float(both.vertices[3:, 0].min() - both.vertices[:3, 0].max())
1.0
>>> hemi_view("left", "medial")
'right'
"""

from __future__ import annotations

import numpy as np

from ..cache import memoize
from ..errors import BrainviewValueError
from ..io import Surface

#: (hemisphere, view) -> anatomical camera direction (see brainview.geometry.camera).
_HEMI_VIEWS = {
    ("left", "lateral"): "left", ("left", "medial"): "right",
    ("right", "lateral"): "right", ("right", "medial"): "left",
}
HEMI_VIEW_NAMES = ("lateral", "medial", "dorsal", "ventral")


def hemi_view(hemi, view):
    """The camera direction (a :data:`brainview.geometry.camera.VIEWS` name) of a hemisphere view.

    ``"lateral"`` looks at a hemisphere from outside, ``"medial"`` from the
    midline, ``"dorsal"`` from above, ``"ventral"`` from below.
    """
    if hemi not in ("left", "right"):
        raise BrainviewValueError(f"hemi: must be 'left' or 'right', got {hemi!r}.")
    if view not in HEMI_VIEW_NAMES:
        raise BrainviewValueError(
            f"view: must be one of {', '.join(HEMI_VIEW_NAMES)} for a hemisphere, got {view!r}."
        )
    if view == "dorsal":
        return "superior"
    if view == "ventral":
        return "inferior"
    return _HEMI_VIEWS[hemi, view]


def join_hemispheres(left, right, *, separate=False, name="both hemispheres"):
    """One mesh of a left and a right hemisphere (left vertices first).

    Parameters
    ----------
    left, right : brainview.io.Surface
    separate : bool
        Move the right hemisphere along +x until it is 1 mm right of the left
        one (for inflated meshes, which overlap where they are).
    """
    offset = np.zeros(3)
    if separate:
        offset[0] = left.vertices[:, 0].max() - right.vertices[:, 0].min() + 1.0
    vertices = np.vstack([left.vertices, right.vertices + offset])
    faces = np.vstack([left.faces, right.faces + left.n_vertices])
    return Surface(vertices, faces, name)


@memoize
def project_to_surface(image, pial, white, *, radius=3.0, kind="auto"):
    """Sample a volume on a cortical mesh (nilearn's ``vol_to_surf``).

    Each vertex gets the mean of the image along the segment from the white
    to the pial surface (``kind="auto"`` = nilearn's default "line" sampling
    when an inner mesh is given), so activity in the cortical ribbon is found
    whatever the map's resolution.

    Parameters
    ----------
    image : brainview.io.Image
    pial, white : brainview.io.Surface
        Outer and inner meshes of one hemisphere, vertex for vertex.
    radius : float
        mm; used by nilearn's "ball" sampling.

    Returns
    -------
    ndarray, shape (n_vertices,)
        NaN where the segment lies outside the image.

    Notes
    -----
    Memoised on disk by the content of the image and meshes
    (:mod:`brainview.cache`): a map already projected is read back.
    """
    import nibabel as nib
    from nilearn.surface import vol_to_surf

    if pial.n_vertices != white.n_vertices:
        raise BrainviewValueError(
            f"white: has {white.n_vertices} vertices but pial has {pial.n_vertices}; "
            "pass the two meshes of the same hemisphere."
        )
    data = np.asarray(image.data, dtype=np.float32)
    volume = nib.Nifti1Image(data, image.affine)
    return np.asarray(vol_to_surf(volume, (pial.vertices, pial.faces), radius=radius,
                                  kind=kind, inner_mesh=(white.vertices, white.faces)),
                      dtype=float)
