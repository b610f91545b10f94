"""A smooth, light outline mesh of a binary brain mask, in world mm.

The outline of a glass brain: the mask's boundary (flying edges at 0.5 on a
lightly blurred mask, so the surface is not voxel-stepped), windowed-sinc
smoothing, then quadric decimation to a few tens of thousands of triangles so
that a translucent brain costs little to draw.

Examples
--------
>>> import numpy as np
>>> from brainview.io import load_image
>>> from brainview.geometry.glass_brain import outline_mesh
>>> ijk = np.indices((24, 24, 24)) - 12
>>> ball = load_image((((ijk ** 2).sum(0) < 64).astype(np.int8), np.eye(4)))
>>> mesh = outline_mesh(ball, n_triangles=500)
>>> bool(mesh.n_cells <= 600), [round(c) for c in mesh.center]
(True, [12, 12, 12])
"""

from __future__ import annotations

import numpy as np

from ..cache import memoize
from ..io import Image
from .volume import isosurface

#: Default size of the decimated outline (triangles): light, still smooth.
N_TRIANGLES = 30_000

# pyvista and VTK are imported in the functions that use them: the glass brain model imports
# this module, and ``import brainview.layers`` must not pay for them (issue 19).


@memoize
def outline_mesh(mask, *, n_triangles=N_TRIANGLES, smooth=20, blur=1.0):
    """The boundary of a binary mask as a smooth, decimated triangle mesh.

    Parameters
    ----------
    mask : brainview.io.Image
        Non-zero voxels are inside.
    n_triangles : int
        Target number of triangles after decimation (never more than the
        undecimated surface has).
    smooth : int
        Windowed-sinc smoothing iterations.
    blur : float
        Gaussian blur of the mask, in voxels, before the isosurface (0: none).

    Returns
    -------
    pyvista.PolyData
        Triangles with consistent point normals, in world mm.

    Notes
    -----
    Memoised on disk by the content of the mask and the parameters
    (:mod:`brainview.cache`): about half a second for the MNI brain, once.
    """
    from scipy.ndimage import gaussian_filter

    inside = (np.asarray(mask.data) != 0).astype(np.float32)
    if blur:
        inside = gaussian_filter(inside, float(blur))
    # Pad so the surface is closed even where the mask touches the border.
    padded = np.pad(inside, 1)
    shift = np.eye(4)
    shift[:3, 3] = -1.0
    image = Image(padded, mask.affine @ shift, mask.name)
    mesh = isosurface(image, [0.5], data=padded, smooth=smooth)
    if mesh.n_cells > n_triangles > 0:
        mesh = _decimate(mesh, 1.0 - n_triangles / mesh.n_cells)
    return mesh


def _decimate(mesh, reduction):
    import pyvista as pv
    from vtkmodules.vtkFiltersCore import vtkPolyDataNormals, vtkQuadricDecimation

    decimate = vtkQuadricDecimation()
    decimate.SetInputData(mesh)
    decimate.SetTargetReduction(float(reduction))
    decimate.VolumePreservationOn()
    normals = vtkPolyDataNormals()
    normals.SetInputConnection(decimate.GetOutputPort())
    normals.SplittingOff()
    normals.ConsistencyOn()
    normals.AutoOrientNormalsOn()
    normals.Update()
    return pv.wrap(normals.GetOutput())
