"""Stepping through a 4-D file: ``layer.volume = k`` on a BOLD-sized series, and the voxel's time series.

A 53 x 63 x 46 x 60 float32 series (3.5 mm BOLD, 37 MB) written as
``.nii.gz``. Timed: a volume step of a :class:`~brainview.layers.Slices`
layer (the image is a view of the series read once; the colour range is
computed once per volume: every step here is a first visit) and reading the
time series of one voxel (what the app's location panel plots at each cursor
move). Naive: what a volume step cost before the series was kept, reading
the file again (``Slices(path, volume=k)``). Target: 50 ms per step.
"""

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def _median(function, runs):
    times = []
    for index in range(runs):
        start = time.perf_counter()
        function(index)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(repeat=5):
    import nibabel as nib

    from brainview.layers import Slices

    shape = (53, 63, 46, 60)
    rng = np.random.default_rng(0)
    data = (1000 + 20 * rng.standard_normal(shape)).astype(np.float32)
    affine = np.array([[-3.5, 0, 0, 90], [0, 3.5, 0, -126], [0, 0, 3.5, -72], [0, 0, 0, 1]])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bold.nii.gz"
        nib.save(nib.Nifti1Image(data, affine), path)
        layer = Slices(path, volume=0)
        runs = min(max(repeat, 2) * 4, shape[3] - 1)
        step = _median(lambda index: setattr(layer, "volume", index + 1), runs)
        naive = _median(lambda index: Slices(path, volume=index), max(repeat, 2))
        points = [(float(x), -20.0, 10.0) for x in np.linspace(-40, 40, runs)]
        series = _median(lambda index: layer.series_at(points[index]), runs)
    return [
        dict(name="4-D: volume step (37 MB .nii.gz)", median_s=step, target_s=0.05, naive_median_s=naive,
             naive="read the file again per volume"),
        dict(name="4-D: time series of a voxel", median_s=series, target_s=0.005),
    ]
