"""A threshold step on a 1 mm z-map with its render, against raw VTK flying edges + one render.

- ``threshold_step_1mm``: ``layer.threshold = t`` on a 1 mm stat map (the
  motor map resampled once onto the 1 mm MNI grid in the set-up, 7.2 M
  voxels), then ``fig.render()`` of the 800x600 figure: the model re-extracts
  the ±t isosurface once, colours its vertices, the drawer hands the mesh to
  its mapper. Target (issue 19): at most 1.3x the naive way.
- the naive way, in the same run: a bare ``vtkFlyingEdges3D`` on the same
  voxels (both levels, normals on, no colours), its mapper and actor in an
  800x600 off-screen window; one step is ``SetValue`` + ``Render``.
- ``threshold_step_1mm_vs_figure``: the same step against the raw
  flying-edges actor rendered by an empty brainview figure (the figure's
  light kit, two-sided lighting and depth peeling): what the model and the
  drawer add.
- ``threshold_step_1mm_colorbar``: the same step with a colour bar (the bar
  follows from the map's memoised range; no scan of the map).
- ``threshold_step_1mm_model``: the model's part alone (``layer.threshold = t``
  on a layer in no figure: the isosurface, its move to world mm and its vertex
  colours) against the bare ``vtkFlyingEdges3D`` update alone.

Each row's note gives the quartiles of both ways (the machine may be shared).

Thresholds cycle through 2.5, 3.0, 3.5 so that every step re-extracts.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

SIZE = (800, 600)
THRESHOLDS = (2.5, 3.0, 3.5)


def _one_mm_map():
    import nibabel as nib
    import numpy as np
    from nilearn.image import resample_to_img

    from brainview.datasets import load_mni152, load_motor_map

    one = resample_to_img(load_motor_map(), load_mni152(resolution=1), interpolation="continuous",
                          force_resample=True, copy_header=True)
    return nib.Nifti1Image(np.asarray(one.dataobj, dtype=np.float32), one.affine)


def _brainview_step(img, *, colorbar):
    """A figure with the map; returns ``step(threshold)`` (set the trait, render) and the layer."""
    import brainview as bv

    fig = bv.figure(size=SIZE, antialias=False)
    layer = bv.stat_map(img, threshold=THRESHOLDS[-1], outline=False)
    if colorbar:
        bv.colorbar(layer)
    fig.render()

    def step(threshold):
        layer.threshold = threshold
        fig.render()

    return step, layer


def _naive_step(img):
    """Raw VTK: flying edges on the same voxels, one mapper, one actor, one off-screen window."""
    import numpy as np
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonDataModel import vtkImageData
    from vtkmodules.vtkFiltersCore import vtkFlyingEdges3D
    from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper, vtkRenderer, vtkRenderWindow

    import brainview._vtk  # noqa: F401  (loads the OpenGL back end as brainview does)

    data = np.asarray(img.dataobj, dtype=np.float32)
    image = vtkImageData()
    image.SetDimensions(*data.shape)
    image.SetSpacing(*img.header.get_zooms()[:3])
    flat = np.ascontiguousarray(data.ravel(order="F"))
    image.GetPointData().SetScalars(numpy_to_vtk(flat, deep=False))
    image._numpy_buffer = flat  # keep the voxels alive
    edges = vtkFlyingEdges3D()  # defaults: normals and scalars computed, as brainview's
    edges.SetInputData(image)
    edges.SetNumberOfContours(2)
    mapper = vtkPolyDataMapper()
    mapper.SetInputConnection(edges.GetOutputPort())
    mapper.ScalarVisibilityOff()
    actor = vtkActor()
    actor.SetMapper(mapper)
    renderer = vtkRenderer()
    renderer.AddActor(actor)
    window = vtkRenderWindow()
    window.SetOffScreenRendering(True)
    window.SetMultiSamples(0)  # as the figure (antialias=False)
    window.SetSize(*SIZE)
    window.AddRenderer(renderer)

    def step(threshold):
        edges.SetValue(0, -threshold)
        edges.SetValue(1, threshold)
        window.Render()

    step(THRESHOLDS[-1])
    renderer.ResetCamera()
    return step, edges, window


def _naive_in_figure(img):
    """The same raw flying-edges actor drawn by an empty figure: the figure's own render settings
    (light kit, two-sided lighting, depth peeling) without brainview's model and drawer."""
    import brainview as bv

    step, edges, window = _naive_step(img)
    actor = window.GetRenderers().GetFirstRenderer().GetActors().GetLastActor()
    window.Finalize()
    fig = bv.figure(size=SIZE, antialias=False)
    fig.renderer.AddActor(actor)
    fig.renderer.ResetCamera()

    def in_figure(threshold):
        edges.SetValue(0, -threshold)
        edges.SetValue(1, threshold)
        fig.render()

    in_figure(THRESHOLDS[-1])
    return in_figure


def _model_step(img):
    """The model alone (no figure, no render): ``step(threshold)`` sets the trait."""
    from brainview.layers import StatMap

    layer = StatMap(img, threshold=THRESHOLDS[-1], outline=False)
    layer.mode_props  # noqa: B018  (builds the contour geometry, as a drawer would)

    def step(threshold):
        layer.threshold = threshold

    return step


def _edges_only(edges):
    """Flying edges alone on the naive way's filter (re-run: the naive step just ran at this threshold)."""
    def step(threshold):
        edges.SetValue(0, -threshold)
        edges.SetValue(1, threshold)
        edges.Modified()
        edges.Update()

    return step


def _interleaved(steps, repeat):
    """Per way, the times of ``repeat`` steps, the ways taking turns (a busy machine slows all alike)."""
    times = [[] for _ in steps]
    for index in range(repeat):
        threshold = THRESHOLDS[index % len(THRESHOLDS)]
        for step, spent in zip(steps, times):
            start = time.perf_counter()
            step(threshold)
            spent.append(time.perf_counter() - start)
    return times


def _spread(times):
    """``"p25-p75 s"`` of one way's times."""
    low, _, high = statistics.quantiles(times, n=4)
    return f"{low:.3f}-{high:.3f} s"


def run(repeat: int = 5) -> list[dict]:
    img = _one_mm_map()
    naive, edges, window = _naive_step(img)
    ours, layer = _brainview_step(img, colorbar=False)
    with_bar, _ = _brainview_step(img, colorbar=True)
    in_figure = _naive_in_figure(img)
    model, edges_only = _model_step(img), _edges_only(edges)
    times = _interleaved([naive, ours, with_bar, in_figure, model, edges_only], max(repeat, 6))
    naive_s, ours_s, bar_s, figure_s, model_s, edges_s = (statistics.median(t) for t in times)
    spread = [_spread(t) for t in times]
    note = (f"1 mm map {img.shape} ({np.prod(img.shape) / 1e6:.1f} M voxels), {SIZE[0]}x{SIZE[1]}; "
            f"last mesh {layer.mode_props.mesh.n_points} points (raw VTK: "
            f"{edges.GetOutput().GetNumberOfPoints()}); target 1.3x the naive median; the ways take turns; "
            f"quartiles: ours {spread[1]}, naive {spread[0]}")
    window.Finalize()
    import brainview as bv

    bv.close("all")
    return [
        {"name": "threshold_step_1mm", "median_s": ours_s, "target_s": 1.3 * naive_s,
         "naive": "vtkFlyingEdges3D + render", "naive_median_s": naive_s, "note": note},
        {"name": "threshold_step_1mm_colorbar", "median_s": bar_s, "target_s": 1.3 * naive_s,
         "naive": "vtkFlyingEdges3D + render", "naive_median_s": naive_s,
         "note": f"the same step with a colour bar following the map; quartiles {spread[2]}"},
        {"name": "threshold_step_1mm_vs_figure", "median_s": ours_s, "target_s": 1.3 * figure_s,
         "naive": "vtkFlyingEdges3D + figure render", "naive_median_s": figure_s,
         "note": "naive: the raw flying-edges actor rendered by an empty figure (its lights, peeling); "
                 f"quartiles {spread[3]}"},
        {"name": "threshold_step_1mm_model", "median_s": model_s, "target_s": None,
         "naive": "vtkFlyingEdges3D update", "naive_median_s": edges_s,
         "note": f"the model alone (isosurface, world mm, vertex colours), no render; quartiles: "
                 f"ours {spread[4]}, naive {spread[5]}"},
    ]


if __name__ == "__main__":
    for row in run(6):
        target = "none" if row["target_s"] is None else f"{row['target_s']:.3f} s"
        print(f"{row['name']}: {row['median_s']:.3f} s (target {target}, "
              f"naive {row['naive_median_s']:.3f} s) - {row['note']}")
