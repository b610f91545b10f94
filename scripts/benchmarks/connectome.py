"""Connectome performance: 1,000 nodes and 100,000 edges, one mesh vs one actor per edge.

- ``connectome_100k_first_png``: matrix -> ``bv.connectome`` -> first 800x600 PNG.
- ``connectome_rotation_frame``: one frame after a camera turn while the camera
  moves (``fig.interacting``, as during a mouse drag in the app: the strongest
  20,000 edges); ``connectome_still_frame``: the full-detail frame, beside
  raw VTK drawing the same scene (the layer's edge mesh as flat 2-px lines
  with the same lookup table, its nodes as 16x10 sphere glyphs, FXAA, the
  same camera and 800x600 window, read back the same way), frames
  interleaved. Raw VTK is what the drawer did before it compiled its opaque
  props' shaders without VTK's alpha ``discard``, passed each edge's colour
  ``flat`` and culled the nodes' far faces.
- ``connectome_pick_node``: ``fig.pick`` on a node (the view ray against the
  nodes' spheres, and the cell picker over the 100,000 lines), beside
  ``vtkPropPicker`` (a hardware selection render pass).
- Naive: one ``vtkLineSource`` actor per edge in a plain VTK renderer, timed
  with 2,000 edges (100,000 actors do not fit the time budget) and scaled
  linearly to 100,000 — said in the row's note.
"""

import statistics
import time

import numpy as np

N_NODES = 1000
N_EDGES = 100_000
NAIVE_EDGES = 2000


def _graph(rng):
    coords = rng.uniform([-70, -100, -50], [70, 70, 80], size=(N_NODES, 3))
    matrix = np.zeros((N_NODES, N_NODES))
    upper = np.triu_indices(N_NODES, k=1)
    chosen = rng.choice(len(upper[0]), N_EDGES, replace=False)
    weights = rng.normal(size=N_EDGES)
    matrix[upper[0][chosen], upper[1][chosen]] = weights
    return matrix + matrix.T, coords


def _naive(matrix, coords, n_edges):
    from vtkmodules.vtkFiltersSources import vtkLineSource

    from brainview import _vtk

    window = _vtk.vtkRenderWindow()
    window.SetOffScreenRendering(True)
    window.SetSize(800, 600)
    renderer = _vtk.vtkRenderer()
    window.AddRenderer(renderer)
    rows, cols = np.nonzero(np.triu(matrix, k=1))
    start = time.perf_counter()
    for i, j in zip(rows[:n_edges], cols[:n_edges]):
        source = vtkLineSource()
        source.SetPoint1(*coords[i])
        source.SetPoint2(*coords[j])
        mapper = _vtk.vtkPolyDataMapper()
        mapper.SetInputConnection(source.GetOutputPort())
        actor = _vtk.vtkActor()
        actor.SetMapper(mapper)
        renderer.AddActor(actor)
    renderer.ResetCamera()
    window.Render()
    elapsed = time.perf_counter() - start
    window.Finalize()
    return elapsed


def _frame(step):
    import brainview as bv

    start = time.perf_counter()
    bv.view(azimuth=150 + 15 * (step + 1), elevation=65)
    bv.screenshot()
    return time.perf_counter() - start


def _raw_scene(layer):
    """Raw VTK drawing the layer's meshes as the figure does, in a warm window of its own."""
    from vtkmodules.vtkFiltersSources import vtkSphereSource

    from brainview import _vtk, colors

    window = _vtk.vtkRenderWindow()
    window.SetOffScreenRendering(True)
    window.SetMultiSamples(0)
    window.SetAlphaBitPlanes(True)
    window.SetSize(800, 600)
    renderer = _vtk.vtkRenderer()
    renderer.SetUseFXAA(True)
    renderer.AutomaticLightCreationOff()
    _vtk.vtkLightKit().AddLightsToRenderer(renderer)
    window.AddRenderer(renderer)
    edges = _vtk.vtkPolyDataMapper()
    edges.SetInputData(layer.edge_mesh)
    edges.SetScalarModeToUsePointFieldData()
    edges.SelectColorArray("weight")
    edges.SetLookupTable(colors.lookup_table(layer.edge_cmap, layer.edge_clim))
    edges.SetUseLookupTableScalarRange(True)
    sphere = vtkSphereSource()
    sphere.SetThetaResolution(16)
    sphere.SetPhiResolution(10)
    sphere.SetRadius(0.5)
    nodes = _vtk.vtkGlyph3DMapper()
    nodes.SetInputData(layer.node_mesh)
    nodes.SetSourceConnection(sphere.GetOutputPort())
    nodes.SetScaleArray("size")
    nodes.SetScaleModeToScaleByMagnitude()
    nodes.SetScalarModeToUsePointFieldData()
    nodes.SelectColorArray("rgb")
    nodes.SetColorModeToDirectScalars()
    for mapper in (edges, nodes):
        actor = _vtk.vtkActor()
        actor.SetMapper(mapper)
        renderer.AddActor(actor)
    lines = renderer.GetActors().GetItemAsObject(0).GetProperty()
    lines.LightingOff()
    lines.SetLineWidth(2.0)
    window.Render()
    return window, renderer


def _raw_frame(raw, fig):
    """One raw VTK frame from the figure's camera: render + read back."""
    from brainview import _vtk

    window, renderer = raw
    start = time.perf_counter()
    renderer.GetActiveCamera().DeepCopy(fig.renderer.GetActiveCamera())
    renderer.ResetCameraClippingRange()
    window.Render()
    grab = _vtk.vtkWindowToImageFilter()
    grab.SetInput(window)
    grab.SetInputBufferTypeToRGB()
    grab.ReadFrontBufferOff()
    grab.ShouldRerenderOff()  # as brainview's screenshots: the frame just drawn
    grab.Update()
    return time.perf_counter() - start


def _pick_times(fig, layer, coords):
    from vtkmodules.vtkRenderingCore import vtkCoordinate, vtkPropPicker

    coordinate = vtkCoordinate()
    coordinate.SetCoordinateSystemToWorld()
    coordinate.SetValue(*coords[0])
    x, y = coordinate.GetComputedDoubleDisplayValue(fig.renderer)
    start = time.perf_counter()
    fig.pick(x, fig.window.GetSize()[1] - 1 - y)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    vtkPropPicker().Pick(x, y, 0.0, fig.renderer)
    return ours, time.perf_counter() - start


def _still_frames(fig, layer, walls, cpu):
    """Three still frames of the figure and of raw VTK, interleaved: wall and process CPU times."""
    raw = _raw_scene(layer)
    for step in range(3):
        for who, frame in (("ours", lambda: _frame(step)), ("raw", lambda: _raw_frame(raw, fig))):
            start = time.process_time()
            walls[who].append(frame())
            cpu[who].append(time.process_time() - start)
    raw[0].Finalize()


def run(repeat=5):
    import brainview as bv

    rng = np.random.default_rng(0)
    matrix, coords = _graph(rng)
    first, frames, still, raw_still, picks, prop_picks = [], [], [], [], [], []
    cpu = {"ours": [], "raw": []}  # process CPU time (llvmpipe's threads too): steadier on a loaded machine
    for index in range(repeat):
        start = time.perf_counter()
        bv.figure(size=(800, 600))
        layer = bv.connectome(matrix, coords, edge_threshold=0.0, node_size=3)
        bv.screenshot()
        first.append(time.perf_counter() - start)
        fig = bv.gcf()
        fig.interacting = True
        frames.extend(_frame(step) for step in range(3))
        fig.interacting = False
        bv.screenshot()  # the full-detail shaders are built outside the timing
        _still_frames(fig, layer, {"ours": still, "raw": raw_still}, cpu)
        ours, theirs = _pick_times(fig, layer, coords)
        picks.append(ours)
        prop_picks.append(theirs)
        bv.close("all")
    naive = [_naive(matrix, coords, NAIVE_EDGES) * N_EDGES / NAIVE_EDGES for _ in range(max(1, repeat // 2))]
    return [
        {"name": "connectome_100k_first_png", "median_s": statistics.median(first), "target_s": 2.0,
         "naive": f"one actor per edge ({NAIVE_EDGES} timed, x{N_EDGES // NAIVE_EDGES})",
         "naive_median_s": statistics.median(naive),
         "note": f"{N_NODES} nodes, {N_EDGES} edges, 800x600, FXAA, no multisampling"},
        {"name": "connectome_rotation_frame", "median_s": statistics.median(frames), "target_s": 0.2,
         "naive": None, "naive_median_s": None,
         "note": "while the camera moves (fig.interacting, set by the app's mouse drags): the "
                 "strongest 20,000 edges; camera turn + render + read back"},
        {"name": "connectome_still_frame", "median_s": statistics.median(still), "target_s": 0.3,
         "naive": "raw VTK, same meshes", "naive_median_s": statistics.median(raw_still),
         "note": "all 100,000 edges as flat unlit 2-px lines and 1000 sphere nodes, after the camera "
                 "stops; camera turn + render + read back, 800x600, FXAA; process CPU time "
                 f"{statistics.median(cpu['ours']):.3f} s vs raw VTK {statistics.median(cpu['raw']):.3f} s"},
        {"name": "connectome_pick_node", "median_s": statistics.median(picks), "target_s": None,
         "naive": "vtkPropPicker (hardware selection pass)", "naive_median_s": statistics.median(prop_picks),
         "note": "fig.pick on a node of the 1000-node / 100,000-edge graph, 800x600"},
    ]
