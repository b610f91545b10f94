"""Vector glyph performance: a 1 mm 3-component field and 10,000 arrows, beside VTK's glyph filter.

- ``vector_field_1mm_stride2_build``: ``VectorField((data, affine), stride=2)`` on a
  182 x 218 x 182 x 3 float32 field (a swirl inside a brain-sized ellipsoid,
  zero outside: 335,105 vectors drawn as line segments), the model only.
- ``vector_field_1mm_stride2_first_png``: the same, added to an 800x600
  figure, to the first PNG (the issue's target: under 2 s).
- ``quiver_10k_arrows_first_png``: ``bv.quiver`` of 10,000 arrows to the first PNG.
- Naive, in the same run: pyvista's way, ``pv.PolyData(points)`` with the
  vectors as a point array, ``.glyph(orient=..., scale=..., geom=pv.Line())``
  (VTK's ``vtkGlyph3D`` filter) for the field, ``geom=pv.Arrow()`` for the
  arrows, drawn by a plain pyvista plotter to its first screenshot; the
  field's positions come from numpy as ours do, so only the glyphing and
  drawing differ. The row's naive time for the field also counts a Python
  loop over the voxels where noted.
"""

import statistics
import time

import numpy as np

SHAPE = (182, 218, 182)
AFFINE = np.array([[-1.0, 0, 0, 90], [0, 1, 0, -126], [0, 0, 1, -72], [0, 0, 0, 1]])
N_ARROWS = 10_000


def fibre_field():
    """A swirl about z inside an ellipsoid (x, y, z radii 80, 100, 80 voxels), zero outside."""
    ijk = np.indices(SHAPE, dtype=np.float32)
    centre = (np.array(SHAPE, np.float32) - 1) / 2
    r = [g - c for g, c in zip(ijk, centre)]
    inside = (r[0] / 80) ** 2 + (r[1] / 100) ** 2 + (r[2] / 80) ** 2 < 1
    data = np.zeros(SHAPE + (3,), np.float32)
    data[..., 0], data[..., 1], data[..., 2] = -r[1], r[0], 20.0
    data[~inside] = 0
    return data


def _pyvista_glyphs(points, vectors, geom, factor):
    import pyvista as pv

    start = time.perf_counter()
    cloud = pv.PolyData(points)
    cloud["vec"] = vectors
    glyphs = cloud.glyph(orient="vec", scale=False, factor=factor, geom=geom)
    plotter = pv.Plotter(off_screen=True, window_size=(800, 600))
    plotter.add_mesh(glyphs, color="white")
    plotter.screenshot()
    elapsed = time.perf_counter() - start
    plotter.close()
    return elapsed


def _field_rows(repeat, data):
    import pyvista as pv

    import brainview as bv
    from brainview.geometry import vectors as vec
    from brainview.layers import VectorField

    builds, pngs, naive = [], [], []
    _, positions, components, _ = vec.field_vectors(data, AFFINE, None, 2)
    for _ in range(repeat):
        start = time.perf_counter()
        layer = VectorField((data, AFFINE), stride=2)
        builds.append(time.perf_counter() - start)
        start = time.perf_counter()
        bv.figure(size=(800, 600))
        bv.vector_field((data, AFFINE), stride=2)
        bv.screenshot()
        pngs.append(time.perf_counter() - start)
        bv.close("all")
        naive.append(_pyvista_glyphs(positions, components, pv.Line((-0.5, 0, 0), (0.5, 0, 0)), 1.8))
    note = f"{layer.n_drawn} vectors (stride 2 of {SHAPE}x3 float32), line segments, DEC colours, 800x600"
    return [
        {"name": "vector_field_1mm_stride2_build", "median_s": statistics.median(builds), "target_s": None,
         "naive": None, "naive_median_s": None, "note": note + "; the model (mask, world vectors, mesh) only"},
        {"name": "vector_field_1mm_stride2_first_png", "median_s": statistics.median(pngs), "target_s": 2.0,
         "naive": "pyvista .glyph(geom=pv.Line()) + plotter", "naive_median_s": statistics.median(naive),
         "note": note + "; the naive way's positions come ready from numpy"},
    ]


def _quiver_rows(repeat):
    import pyvista as pv

    import brainview as bv

    rng = np.random.default_rng(0)
    positions = rng.uniform(-70, 70, size=(N_ARROWS, 3))
    vectors = rng.normal(size=(N_ARROWS, 3))
    ours, naive = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        bv.figure(size=(800, 600))
        bv.quiver(positions, vectors)
        bv.screenshot()
        ours.append(time.perf_counter() - start)
        bv.close("all")
        naive.append(_pyvista_glyphs(positions, vectors, pv.Arrow(), 3.0))
    return [{"name": "quiver_10k_arrows_first_png", "median_s": statistics.median(ours), "target_s": None,
             "naive": "pyvista .glyph(geom=pv.Arrow()) + plotter", "naive_median_s": statistics.median(naive),
             "note": f"{N_ARROWS} arrows coloured by magnitude (8 facets; pyvista's arrow: 20), 800x600"}]


def python_loop_field(data, stride=2):
    """The naive extraction: a Python loop over the voxels (seconds, and the segments' count)."""
    start = time.perf_counter()
    ends = []
    for i in range(0, SHAPE[0], stride):
        for j in range(0, SHAPE[1], stride):
            for k in range(0, SHAPE[2], stride):
                v = data[i, j, k]
                if v.any():
                    centre = AFFINE[:3, :3] @ (i, j, k) + AFFINE[:3, 3]
                    ends.append((centre - v / 2, centre + v / 2))
    return time.perf_counter() - start, len(ends)


def run(repeat=5):
    data = fibre_field()
    rows = _field_rows(repeat, data)
    loop, count = python_loop_field(data)
    rows.append({"name": "vector_field_1mm_stride2_extract", "median_s": rows[0]["median_s"], "target_s": None,
                 "naive": "a Python loop over the voxels", "naive_median_s": loop,
                 "note": f"extraction only in the naive way ({count} segments, timed once)"})
    return rows + _quiver_rows(repeat)


if __name__ == "__main__":
    for row in run(3):
        print(row)
