"""Streamlines and lines: one polydata vs raw VTK vs one actor per line.

- ``streamlines_100k_first_png``: 100,000 streamlines of 100 points (10 M points, a list of
  float32 (100, 3) arrays made before timing) -> ``bv.streamlines`` (direction colours
  computed) -> first 800x600 screenshot; beside raw VTK drawing the same points as one polydata
  with precomputed per-point colours (cells from offsets, one mapper, flat, no multisampling, a warm
  window, brainview's camera pose) in the same run.
- ``streamlines_rotation_frame``: one frame after a camera turn while the camera moves
  (``fig.interacting``: every k-th streamline at every 4th point, about 50,000 points), camera turn + render + read back.
- ``streamlines_still_frame``: the full set after the camera stops.
- ``streamlines_naive_1k``: 1,000 streamlines: ``bv.streamlines`` beside one pyvista actor per
  streamline (the naive way). fury's ``actor.line`` is measured when fury imports.
- ``lines_10k_first_png``: ``bv.lines`` of 10,000 lines of 100 points (one colour) beside raw VTK,
  one polydata; ``lines_naive``: one pyvista actor per line, 1,000 timed, scaled x10.
"""

import statistics
import time

import numpy as np

SIZE = (800, 600)


def _tracts(n_lines, n_points, rng):
    """Smooth random curves in a brain-sized box, float32 (n_points, 3) each."""
    steps = rng.normal(size=(n_lines, n_points, 3)).astype(np.float32)
    steps[:, :, 0] += 1.5  # a main direction
    curves = np.cumsum(steps, axis=1)
    curves += rng.uniform([-70, -100, -50], [0, 70, 80], size=(n_lines, 1, 3)).astype(np.float32)
    return list(curves)


def _raw_window():
    """A warm off-screen window (brainview's figures reuse warm windows too): made outside the timing."""
    from brainview import _vtk

    window = _vtk.vtkRenderWindow()
    window.SetMultiSamples(0)  # as brainview's windows: no multisampling (costly in software GL)
    window.SetOffScreenRendering(True)
    window.SetSize(*SIZE)
    renderer = _vtk.vtkRenderer()
    window.AddRenderer(renderer)
    window.Render()
    return window, renderer


def _camera_of(figure):
    camera = figure.renderer.GetActiveCamera()
    return (camera.GetPosition(), camera.GetFocalPoint(), camera.GetViewUp(), camera.GetViewAngle())


def _raw_vtk(points, offsets, rgb, camera=None):
    """Raw VTK: one polydata, cells from offsets, per-point colours, render + read back.

    ``camera``: brainview's pose of the same data (the same pixels covered), else VTK's reset.
    """
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonCore import VTK_TYPE_INT32, vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
    from vtkmodules.vtkRenderingCore import vtkWindowToImageFilter

    from brainview import _vtk

    window, renderer = _raw_window()
    start = time.perf_counter()
    polydata = vtkPolyData()
    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(points, deep=False))
    cells = vtkCellArray()
    cells.SetData(numpy_to_vtk(offsets.astype(np.int32), deep=False, array_type=VTK_TYPE_INT32),
                  numpy_to_vtk(np.arange(len(points), dtype=np.int32), deep=False, array_type=VTK_TYPE_INT32))
    polydata.SetPoints(vtk_points)
    polydata.SetLines(cells)
    colours = numpy_to_vtk(rgb, deep=False)
    colours.SetName("rgb")
    polydata.GetPointData().SetScalars(colours)
    mapper = _vtk.vtkPolyDataMapper()
    mapper.SetInputData(polydata)
    mapper.SetColorModeToDirectScalars()
    actor = _vtk.vtkActor()
    actor.SetMapper(mapper)
    actor.GetProperty().LightingOff()  # flat colours, as brainview draws lines
    renderer.AddActor(actor)
    if camera is None:
        renderer.ResetCamera()
    else:
        vtk_camera = renderer.GetActiveCamera()
        vtk_camera.SetPosition(*camera[0])
        vtk_camera.SetFocalPoint(*camera[1])
        vtk_camera.SetViewUp(*camera[2])
        vtk_camera.SetViewAngle(camera[3])
        renderer.ResetCameraClippingRange()
    window.Render()
    grab = vtkWindowToImageFilter()
    grab.SetInput(window)
    grab.Update()
    elapsed = time.perf_counter() - start
    window.Finalize()
    return elapsed


def _naive_pyvista(tracts):
    """One pyvista actor per streamline, direction-coloured, render + read back."""
    import pyvista as pv

    start = time.perf_counter()
    plotter = pv.Plotter(off_screen=True, window_size=SIZE)
    for line in tracts:
        mesh = pv.lines_from_points(line)
        tangent = np.abs(np.gradient(line, axis=0))
        mesh.point_data["rgb"] = (tangent / np.linalg.norm(tangent, axis=1, keepdims=True) * 255).astype(np.uint8)
        plotter.add_mesh(mesh, scalars="rgb", rgb=True)
    plotter.screenshot()
    elapsed = time.perf_counter() - start
    plotter.close()
    return elapsed


def _fury(tracts):
    """fury's actor.line (one actor of all streamlines), when fury imports; else None."""
    try:
        from fury import actor, window
    except ImportError:
        return None
    start = time.perf_counter()
    scene = window.Scene()
    scene.add(actor.line(tracts))
    window.snapshot(scene, size=SIZE)
    return time.perf_counter() - start


def _ours(verb, data, **options):
    import brainview as bv

    start = time.perf_counter()
    bv.figure(size=SIZE)
    layer = getattr(bv, verb)(data, **options)
    bv.screenshot()
    return time.perf_counter() - start, layer


def _frames(fig, interacting, count=3):
    import brainview as bv

    fig.interacting = interacting
    times = []
    for step in range(count):
        start = time.perf_counter()
        bv.view(azimuth=30 + 20 * step, elevation=40)
        bv.screenshot()
        times.append(time.perf_counter() - start)
    fig.interacting = False
    return times


def _streamline_rows(repeat, rng):
    import brainview as bv
    from brainview.geometry import polylines

    tracts = _tracts(100_000, 100, rng)
    packed = polylines.pack(tracts)
    rgb = polylines.direction_colors(packed)
    first, raw, frames, still = [], [], [], []
    for _ in range(repeat):
        elapsed, _ = _ours("streamlines", tracts)
        first.append(elapsed)
        fig = bv.gcf()
        camera = _camera_of(fig)
        frames.extend(_frames(fig, True))
        still.extend(_frames(fig, False, count=2))
        bv.close("all")
        raw.append(_raw_vtk(packed.points, packed.offsets, rgb, camera))
    bv.figure(size=SIZE)
    bv.points([[0.0, 0, 0]])
    bv.screenshot()
    empty = _frames(bv.gcf(), True)  # what a frame costs with (almost) nothing to draw
    bv.close("all")
    small = tracts[:1000]
    ours_small = [_ours("streamlines", small)[0] for _ in range(repeat)]
    bv.close("all")
    naive = [_naive_pyvista(small) for _ in range(max(1, repeat // 2))]
    fury = _fury(small)
    return [
        {"name": "streamlines_100k_first_png", "median_s": statistics.median(first),
         "target_s": 1.5 * statistics.median(raw), "naive": "raw VTK, one polydata (target: 1.5x it)",
         "naive_median_s": statistics.median(raw),
         "note": "100,000 x 100 points from a list of arrays, direction colours, 800x600"},
        {"name": "streamlines_rotation_frame", "median_s": statistics.median(frames), "target_s": 0.3,
         "naive": "the same frame of one point (a frame's own cost)", "naive_median_s": statistics.median(empty),
         "note": "while interacting: every k-th streamline at every 4th point (about 50,000 points)"},
        {"name": "streamlines_still_frame", "median_s": statistics.median(still), "target_s": None,
         "naive": None, "naive_median_s": None, "note": "all 10 M points after the camera stops"},
        {"name": "streamlines_1k_first_png", "median_s": statistics.median(ours_small), "target_s": None,
         "naive": "one pyvista actor per streamline", "naive_median_s": statistics.median(naive),
         "note": ("fury actor.line: %.3f s" % fury) if fury is not None else
                 "fury is not installed here: actor.line not measured"},
    ]


def _lines_rows(repeat, rng):
    import brainview as bv
    from brainview.geometry import polylines

    lines = _tracts(10_000, 100, rng)
    packed = polylines.pack(lines)
    white = np.full((len(packed.points), 3), 255, np.uint8)
    ours, raw = [], []
    for _ in range(repeat):
        ours.append(_ours("lines", lines)[0])
        camera = _camera_of(bv.gcf())
        bv.close("all")
        raw.append(_raw_vtk(packed.points, packed.offsets, white, camera))
    naive = [_naive_pyvista(lines[:1000]) * 10 for _ in range(max(1, repeat // 2))]
    return [
        {"name": "lines_10k_first_png", "median_s": statistics.median(ours),
         "target_s": 1.3 * statistics.median(raw), "naive": "raw VTK, one polydata (target: 1.3x it)",
         "naive_median_s": statistics.median(raw), "note": "10,000 x 100 points, one colour, 800x600"},
        {"name": "lines_naive", "median_s": statistics.median(ours), "target_s": None,
         "naive": "one pyvista actor per line (1,000 timed, x10)", "naive_median_s": statistics.median(naive),
         "note": "the same bv.lines run"},
    ]


def run(repeat=5):
    rng = np.random.default_rng(0)
    return _streamline_rows(repeat, rng) + _lines_rows(repeat, rng)
