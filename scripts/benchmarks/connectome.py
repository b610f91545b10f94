"""Connectome performance: 1,000 nodes and 100,000 edges, one mesh vs one actor per edge.

- ``connectome_100k_first_png``: matrix -> ``bv.connectome`` -> first 800x600 PNG.
- ``connectome_rotation_frame``: one frame after a camera turn while the camera
  moves (``fig.interacting``, as during a mouse drag in the app: the strongest
  20,000 edges); ``connectome_still_frame``: the full-detail frame.
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


def run(repeat=5):
    import brainview as bv

    rng = np.random.default_rng(0)
    matrix, coords = _graph(rng)
    first, frames, still = [], [], []
    for index in range(repeat):
        start = time.perf_counter()
        bv.figure(size=(800, 600))
        bv.connectome(matrix, coords, edge_threshold=0.0, node_size=3)
        bv.screenshot()
        first.append(time.perf_counter() - start)
        fig = bv.gcf()
        for interacting, times in ((True, frames), (False, still)):
            fig.interacting = interacting
            for step in range(3):
                start = time.perf_counter()
                bv.view(azimuth=150 + 15 * (step + 1), elevation=65)
                bv.screenshot()
                times.append(time.perf_counter() - start)
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
        {"name": "connectome_still_frame", "median_s": statistics.median(still), "target_s": None,
         "naive": None, "naive_median_s": None, "note": "all 100,000 edges, after the camera stops"},
    ]
