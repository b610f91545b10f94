"""The cursor of the 2-D views: three plane images + the readings at the cursor, 1 mm template + z-map.

What the desktop app does on every cursor move (``brainview.gui.ortho``):
:func:`brainview.planes.plane_image` for the axial, coronal and sagittal
planes through the cursor and :func:`brainview.planes.values_at` there, on
the 1 mm MNI152 template (slices) with the motor z-map (stat map) on top.
Target: 50 ms. Naive: the same planes through the library's general
resampler (:func:`brainview.geometry.volume.world_plane`, a world grid and
``scipy.ndimage.map_coordinates`` per layer and plane), without colouring.
Also timed: moving the 3-D anatomy planes with the cursor (``layer.coords``).
"""

import statistics
import time

import numpy as np


def _median(function, repeat):
    times = []
    for index in range(repeat):
        start = time.perf_counter()
        function(index)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(repeat=5):
    import brainview as bv
    from brainview.geometry.volume import world_plane
    from brainview.layers import Slices, StatMap
    from brainview.planes import image_bounds, plane_image, values_at

    anat = Slices(bv.datasets.load_mni152(resolution=1))
    zmap = StatMap(bv.datasets.load_motor_map(), outline=False)
    layers = [anat, zmap]
    bounds = image_bounds(layers)
    positions = [(float(x), -20.0 + x / 2, 10.0 - x / 3) for x in np.linspace(-40, 40, max(repeat, 2) * 4)]
    plane_image(layers, "axial", 0.0, bounds=bounds)  # the map's range, memoised once

    def move(index):
        xyz = positions[index % len(positions)]
        for plane, axis in (("sagittal", 0), ("coronal", 1), ("axial", 2)):
            plane_image(layers, plane, xyz[axis], bounds=bounds)
        values_at(layers, xyz)

    def naive(index):
        xyz = positions[index % len(positions)]
        for axis in range(3):
            for layer in layers:
                world_plane(layer.image, axis, xyz[axis], step=1.0)
        values_at(layers, xyz)

    from brainview.scene import Figure

    figure = Figure(size=(64, 48))
    figure.add(anat)  # drawn, as in the app: moving re-cuts its VTK planes

    def move_3d_planes(index):
        anat.coords = positions[index % len(positions)]

    runs = max(repeat, 2) * 4
    fast = _median(move, runs)
    slow = _median(naive, max(repeat, 2))
    moved_3d = _median(move_3d_planes, runs)
    figure.close()
    return [
        dict(name="cursor move: 3 planes + values", median_s=fast, target_s=0.05,
             naive_median_s=slow, naive="world_plane (map_coordinates) per layer and plane"),
        dict(name="cursor move: 3-D anatomy planes", median_s=moved_3d,
             note="Slices.coords = cursor (re-cuts the VTK planes; drawn at the next frame)"),
    ]
