"""Atlas performance: 400 labels on the 1 mm MNI grid, one pass vs one contour per label.

The 400-label parcellation is built in the set-up: MNI grey matter (> 0.3)
split among 400 seeds drawn with a fixed seed (nearest-seed Voronoi cells).

- ``atlas_400_one_mesh``: every region into one smoothed mesh
  (``brainview.geometry.labels.label_surfaces``, VTK surface nets). Naive:
  one ``vtkFlyingEdges3D`` call per label on that label's mask over the whole
  volume — timed on 20 labels and scaled to 400 (said in the note).
- ``atlas_file_to_png``: the label file -> ``bv.atlas`` -> first 800x600 PNG.
- ``atlas_subset_change``: ``layer.regions = [...]`` + render.
- ``atlas_400_centroids``: ``label_centers`` (a point inside each region,
  one ``find_objects`` pass). Naive: nilearn's ``find_parcellation_cut_coords``
  (full-volume masks per label), timed on 40 labels and scaled to 400.
"""

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

N_LABELS = 400
NAIVE_SAMPLE = 40


def _parcellation():
    import nibabel as nib
    from scipy.spatial import cKDTree

    from brainview.datasets import nilearn_data_dir

    image = nib.load(nilearn_data_dir() / "mni_icbm152_gm_tal_nlin_sym_09a_converted.nii.gz")
    grey = np.asarray(image.dataobj, dtype=np.float32)
    ijk = np.argwhere(grey > 0.3 * grey.max())
    rng = np.random.default_rng(0)
    seeds = ijk[rng.choice(len(ijk), N_LABELS, replace=False)]
    _, nearest = cKDTree(seeds).query(ijk)
    data = np.zeros(grey.shape, np.int16)
    data[tuple(ijk.T)] = nearest + 1
    return data, image.affine


def _naive_per_label(data, labels):
    from vtkmodules.vtkFiltersCore import vtkFlyingEdges3D

    from brainview.geometry.volume import index_image

    for value in labels:
        mask, _ = index_image((data == value).astype(np.uint8))
        extractor = vtkFlyingEdges3D()
        extractor.SetInputData(mask)
        extractor.SetValue(0, 0.5)
        extractor.Update()


def run(repeat=5):
    import nibabel as nib

    import brainview as bv
    from brainview.geometry.labels import label_centers, label_surfaces
    from brainview.io import load_image

    data, affine = _parcellation()
    image = load_image((data, affine))
    label_surfaces(image, data)
    ours = []
    for _ in range(repeat):
        start = time.perf_counter()
        mesh = label_surfaces(image, data)
        ours.append(time.perf_counter() - start)
    sample = np.arange(1, NAIVE_SAMPLE + 1)
    naive = []
    for _ in range(max(1, repeat // 2)):
        start = time.perf_counter()
        _naive_per_label(data, sample)
        naive.append((time.perf_counter() - start) * N_LABELS / NAIVE_SAMPLE)
    path = Path(tempfile.mkdtemp()) / "atlas400.nii.gz"
    nib.save(nib.Nifti1Image(data, affine), path)
    out = str(path.with_suffix(".png"))
    first = []
    for _ in range(repeat):
        start = time.perf_counter()
        bv.figure(size=(800, 600), antialias=False)
        layer = bv.atlas(path)
        bv.savefig(out)
        first.append(time.perf_counter() - start)
        if _ < repeat - 1:
            bv.close("all")
    fig = bv.gcf()
    change = []
    for index in range(repeat):
        start = time.perf_counter()
        layer.regions = [int(v) for v in range(1 + index, N_LABELS, 3)]
        fig.render()
        change.append(time.perf_counter() - start)
    bv.close("all")
    centres = []
    for _ in range(repeat):
        start = time.perf_counter()
        label_centers(image, data)
        centres.append(time.perf_counter() - start)
    from nilearn.plotting import find_parcellation_cut_coords

    sample = data.copy()
    sample[sample > NAIVE_SAMPLE] = 0
    start = time.perf_counter()
    find_parcellation_cut_coords(nib.Nifti1Image(sample, affine))
    nilearn_time = (time.perf_counter() - start) * N_LABELS / NAIVE_SAMPLE
    return [
        {"name": "atlas_400_centroids", "median_s": statistics.median(centres), "target_s": 1.0,
         "naive": f"nilearn find_parcellation_cut_coords ({NAIVE_SAMPLE} labels, x{N_LABELS // NAIVE_SAMPLE})",
         "naive_median_s": nilearn_time, "note": "a point inside each of 400 regions, 1 mm grid"},
        {"name": "atlas_400_one_mesh", "median_s": statistics.median(ours), "target_s": 0.5,
         "naive": f"flying edges per label ({NAIVE_SAMPLE} timed, x{N_LABELS // NAIVE_SAMPLE})",
         "naive_median_s": statistics.median(naive),
         "note": f"{N_LABELS} labels, 1 mm grid {data.shape}: {mesh.n_cells} triangles, smoothed"},
        {"name": "atlas_file_to_png", "median_s": statistics.median(first), "target_s": 2.0,
         "naive": None, "naive_median_s": None, "note": "label .nii.gz -> bv.atlas -> 800x600 PNG"},
        {"name": "atlas_subset_change", "median_s": statistics.median(change), "target_s": 0.2,
         "naive": None, "naive_median_s": None, "note": "regions = 133 labels + render, no re-extraction"},
    ]
