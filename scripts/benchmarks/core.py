"""Foundation performance on the 1 mm MNI template (197 x 233 x 189), each beside a naive way.

- ``import_brainview``: fresh interpreter, time of ``import brainview`` (no Qt,
  no VTK loaded). Naive reference: ``import pyvista``.
- ``import_brainview_pylab``: the modules the first ``bv.*`` call loads.
- ``isosurface_1mm``: ``brainview.geometry.volume.isosurface`` at 0.35.
  Naive: pyvista's ``ImageData.contour()`` (default ``vtkContourFilter``).
- ``file_to_contour_png``: fresh interpreter, imports done, then file ->
  contour -> 800x600 PNG. Naive: nibabel + pyvista ``Plotter(off_screen=True)``
  + ``add_mesh`` + ``screenshot``; and Mayavi's ``mlab.contour3d`` + ``savefig``
  when Mayavi is installed (``pip install .[bench]``).
- ``vtk_data_native`` / ``vtk_data_big_endian``: the 1 mm template (float32)
  through ``load_image`` and ``index_image`` (the one conversion for VTK),
  native-endian beside its byte-swapped copy; the note gives the peak extra
  memory (tracemalloc): none for native data, one copy of the array for
  big-endian data. Naive: ``np.array(data, dtype="=f4")``, a copy
  for either.
- ``volume_to_png`` / ``volume_rotated_frame``: the template volume-rendered to
  the first 800x600 PNG, then one frame after a 10 degree camera turn. Naive:
  pyvista ``Plotter.add_volume`` with its defaults, and Mayavi's
  ``pipeline.volume`` when installed.
"""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = "mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz"


def _template_path():
    from brainview.datasets import nilearn_data_dir

    return str(nilearn_data_dir() / TEMPLATE)


def _in_fresh_python(code, repeat, env=None):
    """Run ``code`` (which prints JSON) in new interpreters; return the parsed outputs."""
    outputs = []
    for _ in range(repeat):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True, timeout=600, env=env)
        outputs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    return outputs


_IMPORT = """
import json, sys, time
start = time.perf_counter()
import {module}
elapsed = time.perf_counter() - start
print(json.dumps({{"t": elapsed, "qt": any(m.startswith("PyQt5") for m in sys.modules)}}))
"""

_BRAINVIEW_CONTOUR = """
import json, time
import brainview as bv, brainview.pylab, brainview._vtk, nibabel, pyvista
start = time.perf_counter()
bv.figure(size=(800, 600))
bv.contour({path!r}, level=0.35 * 255)
bv.savefig({out!r})
print(json.dumps({{"t": time.perf_counter() - start}}))
"""

_NAIVE_CONTOUR = """
import json, time
import nibabel, numpy as np, pyvista as pv, pyvista.plotting
start = time.perf_counter()
img = nibabel.load({path!r})
data = np.asarray(img.dataobj)
grid = pv.ImageData(dimensions=data.shape, spacing=img.header.get_zooms(), origin=img.affine[:3, 3])
grid.point_data["values"] = data.ravel(order="F")
mesh = grid.contour([0.35 * 255])
plotter = pv.Plotter(off_screen=True, window_size=(800, 600))
plotter.add_mesh(mesh, color="lightgray")
plotter.screenshot({out!r})
print(json.dumps({{"t": time.perf_counter() - start}}))
"""

_BRAINVIEW_VOLUME = """
import json, time
import brainview as bv, brainview.pylab, brainview._vtk, nibabel, pyvista
start = time.perf_counter()
bv.figure(size=(800, 600))
bv.volume({path!r}, cmap="gray", clim=(60, 255), opacity=0.6)
bv.savefig({out!r})
first = time.perf_counter() - start
frames = []
for step in range(1, 6):
    start = time.perf_counter()
    bv.view(azimuth=150 + 10 * step, elevation=65)
    bv.screenshot()
    frames.append(time.perf_counter() - start)
print(json.dumps({{"t": first, "frame": sorted(frames)[2]}}))
"""

_MAYAVI_CONTOUR = """
import json, time
import nibabel, numpy as np
from mayavi import mlab
mlab.options.offscreen = True
start = time.perf_counter()
img = nibabel.load({path!r})
data = np.asarray(img.dataobj)
mlab.figure(size=(800, 600))
mlab.contour3d(data, contours=[0.35 * 255])
mlab.savefig({out!r}, size=(800, 600))
print(json.dumps({{"t": time.perf_counter() - start}}))
"""

_MAYAVI_VOLUME = """
import json, time
import nibabel, numpy as np
from mayavi import mlab
mlab.options.offscreen = True
start = time.perf_counter()
img = nibabel.load({path!r})
data = np.asarray(img.dataobj)
mlab.figure(size=(800, 600))
mlab.pipeline.volume(mlab.pipeline.scalar_field(data))
mlab.savefig({out!r}, size=(800, 600))
print(json.dumps({{"t": time.perf_counter() - start}}))
"""

_NAIVE_VOLUME = """
import json, time
import nibabel, numpy as np, pyvista as pv, pyvista.plotting
start = time.perf_counter()
img = nibabel.load({path!r})
data = np.asarray(img.dataobj)
grid = pv.ImageData(dimensions=data.shape, spacing=img.header.get_zooms(), origin=img.affine[:3, 3])
grid.point_data["values"] = data.ravel(order="F")
plotter = pv.Plotter(off_screen=True, window_size=(800, 600))
plotter.add_volume(grid, cmap="gray", clim=(60, 255))
plotter.screenshot({out!r})
first = time.perf_counter() - start
frames = []
for step in range(5):
    start = time.perf_counter()
    plotter.camera.azimuth += 10
    plotter.render()  # screenshot() alone returns the last frame without rendering
    plotter.screenshot()
    frames.append(time.perf_counter() - start)
print(json.dumps({{"t": first, "frame": sorted(frames)[2]}}))
"""


def _median(outputs, key="t"):
    return statistics.median(o[key] for o in outputs)


def _isosurface_rows(repeat):
    import numpy as np
    import pyvista as pv

    import brainview as bv
    from brainview.geometry.volume import isosurface
    from brainview.io import load_image

    image = load_image(bv.datasets.load_mni152(resolution=1))
    isosurface(image, [0.35])
    ours, naive = [], []
    grid = pv.ImageData(dimensions=image.shape, origin=image.affine[:3, 3])
    grid.point_data["values"] = np.asarray(image.data).ravel(order="F")
    for _ in range(repeat):
        start = time.perf_counter()
        mesh = isosurface(image, [0.35])
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        grid.contour([0.35])
        naive.append(time.perf_counter() - start)
    return {"name": "isosurface_1mm", "median_s": statistics.median(ours), "target_s": 0.06,
            "naive": "pyvista ImageData.contour()", "naive_median_s": statistics.median(naive),
            "note": f"{mesh.n_points} points, {mesh.n_cells} triangles, world mm"}


def _peak_extra_bytes(function, *args):
    """Peak bytes allocated (tracemalloc, numpy included) while ``function(*args)`` runs."""
    import tracemalloc

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = function(*args)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    return peak, result


def _vtk_data_rows(repeat):
    import numpy as np

    import brainview as bv
    from brainview.geometry.volume import index_image
    from brainview.io import load_image

    img = bv.datasets.load_mni152(resolution=1)
    native = np.asarray(img.dataobj)
    big = native.byteswap().view(native.dtype.newbyteorder())

    def to_vtk(data):
        image = load_image((data, img.affine))
        return image, index_image(image.data)

    def naive(data):
        return np.array(data, dtype="=f4")  # a defensive copy, whatever the input

    rows = []
    for name, data in (("vtk_data_native", native), ("vtk_data_big_endian", big)):
        times, naive_times = [], []
        for _ in range(repeat):
            start = time.perf_counter()
            to_vtk(data)
            times.append(time.perf_counter() - start)
            start = time.perf_counter()
            naive(data)
            naive_times.append(time.perf_counter() - start)
        extra, (image, _) = _peak_extra_bytes(to_vtk, data)
        naive_extra, _ = _peak_extra_bytes(naive, data)
        shared = np.shares_memory(image.data, data)
        rows.append({
            "name": name, "median_s": statistics.median(times),
            "target_s": 0.005 if name == "vtk_data_native" else 0.1,
            "naive": "np.array(data, dtype=\"=f4\") copy", "naive_median_s": statistics.median(naive_times),
            "note": f"peak extra memory {extra / 2**20:.2f} MiB for a {data.nbytes / 2**20:.1f} MiB "
                    f"{data.dtype.str} array (shares memory: {shared}); naive "
                    f"{naive_extra / 2**20:.1f} MiB",
        })
    return rows


def run(repeat=5):
    rows = []
    ours = _in_fresh_python(_IMPORT.format(module="brainview"), repeat)
    naive = _in_fresh_python(_IMPORT.format(module="pyvista"), repeat)
    rows.append({"name": "import_brainview", "median_s": _median(ours), "target_s": 0.5,
                 "naive": "import pyvista", "naive_median_s": _median(naive),
                 "note": f"Qt imported: {any(o['qt'] for o in ours)}"})
    ours = _in_fresh_python(_IMPORT.format(module="brainview.pylab"), repeat)
    rows.append({"name": "import_brainview_pylab", "median_s": _median(ours), "target_s": None,
                 "naive": "import pyvista", "naive_median_s": _median(naive),
                 "note": "what the first bv.* call loads (VTK rendering, traits, pyvista core); no Qt"})
    rows.append(_isosurface_rows(repeat))
    rows += _vtk_data_rows(repeat)
    path = _template_path()
    out = str(Path(tempfile.mkdtemp()) / "bench.png")
    ours = _in_fresh_python(_BRAINVIEW_CONTOUR.format(path=path, out=out), repeat)
    naive = _in_fresh_python(_NAIVE_CONTOUR.format(path=path, out=out), repeat)
    rows.append({"name": "file_to_contour_png", "median_s": _median(ours), "target_s": 1.0,
                 "naive": "nibabel + pyvista Plotter", "naive_median_s": _median(naive),
                 "note": "after imports"})
    ours = _in_fresh_python(_BRAINVIEW_VOLUME.format(path=path, out=out), repeat)
    naive = _in_fresh_python(_NAIVE_VOLUME.format(path=path, out=out), repeat)
    rows.append({"name": "volume_to_png", "median_s": _median(ours), "target_s": 1.5,
                 "naive": "pyvista Plotter.add_volume", "naive_median_s": _median(naive),
                 "note": "after imports"})
    rows.append({"name": "volume_rotated_frame", "median_s": _median(ours, "frame"), "target_s": 0.15,
                 "naive": "pyvista camera.azimuth + screenshot", "naive_median_s": _median(naive, "frame"),
                 "note": "800x600, software OpenGL"})
    rows += _mayavi_rows(repeat, path, out, rows)
    return rows


def _mayavi_rows(repeat, path, out, rows):
    """The same file -> PNG measurements with Mayavi's mlab, when Mayavi is installed (make benchmark)."""
    import importlib.util
    import os

    ours = {row["name"]: row["median_s"] for row in rows}
    if importlib.util.find_spec("mayavi") is None:
        return [{"name": "mayavi_comparison", "median_s": 0.0, "target_s": None, "naive": None,
                 "naive_median_s": None, "note": "Mayavi not installed: `pip install .[bench]` to compare"}]
    # Mayavi's off-screen mode must not load a GUI toolkit.
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"} | {"ETS_TOOLKIT": "null"}
    contour = _in_fresh_python(_MAYAVI_CONTOUR.format(path=path, out=out), repeat, env)
    volume = _in_fresh_python(_MAYAVI_VOLUME.format(path=path, out=out), repeat, env)
    return [
        {"name": "file_to_contour_png", "median_s": ours["file_to_contour_png"], "target_s": 1.0,
         "naive": "Mayavi mlab.contour3d + savefig", "naive_median_s": _median(contour),
         "note": "target: at least 2.5x faster than Mayavi"},
        {"name": "volume_to_png", "median_s": ours["volume_to_png"], "target_s": 1.5,
         "naive": "Mayavi pipeline.volume + savefig", "naive_median_s": _median(volume),
         "note": "target: at least 4x faster than Mayavi"},
    ]
