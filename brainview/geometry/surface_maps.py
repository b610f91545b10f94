"""Volume maps on cortical surfaces: projection, both hemispheres, per-hemisphere views.

- :func:`project_to_surface` samples a volume between the white and pial
  surfaces with nilearn's ``vol_to_surf`` (imported lazily: it is the
  interoperability point with the learning stack, and costs 1 s to import).
- :func:`join_hemispheres` makes one mesh of two hemispheres; inflated
  hemispheres overlap in world space, so the right one is moved right until
  they are 1 mm apart (what nilearn's ``combine_hemispheres_meshes`` does).
- :func:`hemi_view` names the camera direction of a lateral/medial/dorsal/
  ventral view of a hemisphere.
- :func:`distinct_colors` gives n colours that all differ (a parcellation's
  regions without a colour table: 180 parcels, 180 colours).

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


#: Hemispheres whose x ranges overlap by more than this (mm) are not where brains are (inflated).
OVERLAP_MM = 5.0


def hemispheres_overlap(left, right):
    """Whether the left hemisphere reaches more than :data:`OVERLAP_MM` right of the right one's left edge.

    Pial and white meshes meet at the midline (fsaverage's overlap by about
    1.3 mm); inflated, spherical or flat ones overlap by tens of mm.
    """
    return bool(left.vertices[:, 0].max() - right.vertices[:, 0].min() > OVERLAP_MM)


def join_hemispheres(left, right, *, separate=None, name="both hemispheres"):
    """One mesh of a left and a right hemisphere (left vertices first).

    Parameters
    ----------
    left, right : brainview.io.Surface
    separate : bool or None
        Move the right hemisphere along +x until it is 1 mm right of the left
        one (for inflated meshes, which overlap where they are), as nilearn's
        ``combine_hemispheres_meshes``. None: when they overlap by more than
        :data:`OVERLAP_MM` (:func:`hemispheres_overlap`); meshes in world
        coordinates stay where they are.
    """
    if separate is None:
        separate = hemispheres_overlap(left, right)
    offset = np.zeros(3)
    if separate:
        offset[0] = left.vertices[:, 0].max() - right.vertices[:, 0].min() + 1.0
    vertices = np.vstack([left.vertices, right.vertices + offset])
    faces = np.vstack([left.faces, right.faces + left.n_vertices])
    return Surface(vertices, faces, name)


def distinct_colors(n):
    """``(n, 3)`` colours in 0..1, all different once written as 8-bit RGB.

    Up to 20: the tab20 palette, dark shades first (10 distinct hues, then
    their light shades). Beyond: hues a golden angle apart in three
    lightness and saturation bands.

    Examples
    --------
    >>> rgb = distinct_colors(180)
    >>> len({tuple(c) for c in np.rint(rgb * 255).astype(int).tolist()})
    180
    """
    import colorsys

    from .. import colors as bvcolors

    if n <= 20:
        palette = bvcolors.cmap_table("tab20", 20)[:, :3]
        return np.concatenate([palette[0::2], palette[1::2]])[:n]
    rows, seen = [], set()
    step = 0
    while len(rows) < n:
        hue = (step * 0.618033988749895) % 1.0
        band = step % 3
        rgb = colorsys.hsv_to_rgb(hue, (0.85, 0.55, 0.75)[band], (0.9, 0.95, 0.65)[band])
        key = tuple(int(round(c * 255)) for c in rgb)
        if key not in seen:
            seen.add(key)
            rows.append(rgb)
        step += 1
    return np.array(rows, dtype=float)


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
