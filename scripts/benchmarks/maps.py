"""Sets of maps: a 20-component 2 mm decomposition -> regions -> first 800x600 PNG.

The maps are built in the set-up (20 signed Gaussian blobs with noise in the
MNI mask, fixed seed), saved as one 4-D ``.nii.gz``. Naive: every map drawn
as the isosurface of its |values| over the whole grid with no speck removal
(nilearn's threshold), one ``vtkFlyingEdges3D`` call per map.
"""

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

N_MAPS = 20


def _maps():
    import brainview as bv

    mask_img = bv.datasets.load_mni152_brain_mask(resolution=2)
    mask, affine = np.asarray(mask_img.dataobj).astype(bool), mask_img.affine
    ijk = np.argwhere(mask)
    xyz = ijk @ affine[:3, :3].T + affine[:3, 3]
    rng = np.random.default_rng(0)
    centres = xyz[rng.choice(len(xyz), N_MAPS, replace=False)]
    maps = np.zeros(mask.shape + (N_MAPS,), np.float32)
    for k, centre in enumerate(centres):
        blob = 3.0 * np.exp(-((xyz - centre) ** 2).sum(1) / (2 * 8.0**2))
        maps[tuple(ijk.T) + (k,)] = rng.choice([-1, 1]) * blob + 0.4 * rng.standard_normal(len(xyz))
    return maps, affine


def run(repeat=5):
    import nibabel as nib

    import brainview as bv
    from brainview.geometry.volume import isosurface
    from brainview.io import load_image
    from brainview.layers._atlas_maps import thresholds

    maps, affine = _maps()
    path = Path(tempfile.mkdtemp()) / "components20.nii.gz"
    nib.save(nib.Nifti1Image(maps, affine), path)
    out = str(path.with_suffix(".png"))
    first = []
    for index in range(repeat):
        start = time.perf_counter()
        bv.figure(size=(800, 600), antialias=False)
        bv.atlas(path)
        bv.savefig(out)
        first.append(time.perf_counter() - start)
        bv.close("all")
    levels = thresholds(maps, None)
    naive = []
    for _ in range(max(1, repeat // 2)):
        start = time.perf_counter()
        for k in range(N_MAPS):
            values = np.abs(maps[..., k])
            isosurface(load_image((values, affine)), [levels[k]], smooth=16)
        naive.append(time.perf_counter() - start)
    return [
        {"name": "maps_20_file_to_png", "median_s": statistics.median(first), "target_s": 2.0,
         "naive": "|map| isosurface per map over the grid, specks kept (geometry only)",
         "naive_median_s": statistics.median(naive),
         "note": f"{N_MAPS} signed maps on the 2 mm MNI grid {maps.shape[:3]}: 4-D .nii.gz -> bv.atlas -> 800x600 PNG"},
    ]
