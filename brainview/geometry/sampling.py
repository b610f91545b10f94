"""Values of an image at world positions, trilinear, placed by its affine.

Examples
--------
>>> import numpy as np
>>> from brainview.io import load_image
>>> img = load_image((np.arange(27.0).reshape(3, 3, 3), np.diag([2.0, 2.0, 2.0, 1.0])))
>>> sample_linear(img, [[1.0, 0.0, 0.0], [0.0, 0.0, 4.0], [0.0, 0.0, 5.0]]).tolist()
[4.5, 2.0, nan]
"""

from __future__ import annotations

import numpy as np

__all__ = ["sample_linear"]

#: Fraction of a voxel by which a position may pass the outer voxel centres and still count as inside.
EDGE_TOLERANCE = 1e-6


def sample_linear(image, xyz):
    """Trilinear samples of ``image`` at world positions ``xyz``; NaN outside its field of view.

    Positions go to fractional voxel indices through the inverse of the
    image's affine (obliques and flips included), then the eight voxels
    around each one are blended. The field of view is the box of the voxel
    centres (indices ``0 .. n - 1`` along each axis, where every sample has
    real voxels on both sides); positions outside it get NaN, as do samples
    that blend a NaN voxel.

    Parameters
    ----------
    image : brainview.io.Image
    xyz : array-like, shape (n, 3)
        World positions in mm.

    Returns
    -------
    ndarray, shape (n,)
        Float64 samples.
    """
    from scipy.ndimage import map_coordinates

    xyz = np.asarray(xyz, dtype=float).reshape(-1, 3)
    ijk = image.to_voxel(xyz).T
    top = np.array(image.shape[:3], dtype=float)[:, None] - 1
    inside = np.all((ijk >= -EDGE_TOLERANCE) & (ijk <= top + EDGE_TOLERANCE), axis=0)
    values = np.full(len(xyz), np.nan)
    if inside.any():
        values[inside] = map_coordinates(image.data, np.clip(ijk[:, inside], 0, top), order=1, mode="nearest",
                                         prefilter=False, output=np.float64)
    return values
