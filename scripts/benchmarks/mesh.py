"""Grid surfaces (``bv.mesh``): a 1000 x 1000 grid to the first PNG, beside raw VTK on the same polydata.

- ``mesh_1000x1000_first_png``: x, y, z arrays (made before timing) -> ``bv.figure`` ->
  ``bv.mesh(x, y, z)`` -> ``bv.savefig`` of an 800x600 PNG: validation, mlab's
  triangulation (2 triangles per cell, 1,996,002 triangles), normals, colours by z.
- Naive (the target: brainview within 1.3x of it): raw VTK in the same run on the same
  polydata, built without Python loops: points and scalars from numpy, the same triangles
  from numpy through ``vtkCellArray.SetData``, the same normals filter
  (``vtkTriangleMeshPointNormals``), a lookup table, an off-screen 800x600 window with FXAA
  and no multisampling (as a brainview figure), render, PNG. Runs interleaved; raw VTK makes
  a new window each time, brainview takes one from its pool.
- ``surf_1000x1000_first_png``: the same through ``bv.surf(z)`` (``warp_scale="auto"``).
"""

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

N = 1000
TARGET_RATIO = 1.3


def _grid():
    u, v = np.mgrid[0:2 * np.pi:N * 1j, 0:np.pi:N * 1j]
    x = (60 + 20 * np.cos(v * 2)) * np.cos(u)
    y = (60 + 20 * np.cos(v * 2)) * np.sin(u)
    z = 20 * np.sin(v * 2) + 5 * np.sin(8 * u)
    return x, y, z


def _raw_vtk(x, y, z, path):
    """The same picture with VTK alone: numpy -> vtkPolyData -> PNG, no Python loops."""
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonCore import vtkLookupTable, vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
    from vtkmodules.vtkFiltersCore import vtkTriangleMeshPointNormals
    from vtkmodules.vtkIOImage import vtkPNGWriter
    from vtkmodules.vtkRenderingCore import vtkWindowToImageFilter

    from brainview import _vtk

    start = time.perf_counter()
    rows, cols = x.shape
    points = np.column_stack([x.ravel(), y.ravel(), z.ravel()]).astype(np.float32)
    corner = (np.arange(rows - 1, dtype=np.int32)[:, None] * cols + np.arange(cols - 1, dtype=np.int32)).ravel()
    triangles = np.concatenate([np.column_stack([corner, corner + cols, corner + cols + 1]),
                                np.column_stack([corner + cols + 1, corner + 1, corner])]).ravel()
    offsets = np.arange(0, triangles.size + 1, 3, dtype=np.int32)
    cells = vtkCellArray()
    cells.SetData(numpy_to_vtk(offsets, deep=True), numpy_to_vtk(triangles, deep=True))
    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(points, deep=True))
    polydata = vtkPolyData()
    polydata.SetPoints(vtk_points)
    polydata.SetPolys(cells)
    scalars = numpy_to_vtk(z.ravel().astype(np.float32), deep=True)
    scalars.SetName("scalars")
    polydata.GetPointData().SetScalars(scalars)
    normals = vtkTriangleMeshPointNormals()
    normals.SetInputData(polydata)
    table = vtkLookupTable()
    table.SetRange(float(z.min()), float(z.max()))
    table.Build()
    mapper = _vtk.vtkPolyDataMapper()
    mapper.SetInputConnection(normals.GetOutputPort())
    mapper.SetLookupTable(table)
    mapper.UseLookupTableScalarRangeOn()
    actor = _vtk.vtkActor()
    actor.SetMapper(mapper)
    renderer = _vtk.vtkRenderer()
    renderer.AddActor(actor)
    renderer.UseFXAAOn()
    window = _vtk.vtkRenderWindow()
    window.SetOffScreenRendering(True)
    window.SetMultiSamples(0)  # FXAA instead, as a brainview figure (VTK's default 8x MSAA costs more)
    window.SetSize(800, 600)
    window.AddRenderer(renderer)
    renderer.ResetCamera()
    window.Render()
    grab = vtkWindowToImageFilter()
    grab.SetInput(window)
    grab.ReadFrontBufferOff()  # the frame just rendered, as brainview reads it: no second render
    grab.ShouldRerenderOff()
    writer = vtkPNGWriter()
    writer.SetInputConnection(grab.GetOutputPort())
    writer.SetFileName(str(path))
    writer.Write()
    elapsed = time.perf_counter() - start
    window.Finalize()
    return elapsed


def _brainview(verb, args, path, **options):
    import brainview as bv

    start = time.perf_counter()
    bv.figure(size=(800, 600))
    getattr(bv, verb)(*args, **options)
    bv.savefig(str(path))
    elapsed = time.perf_counter() - start
    bv.close("all")
    return elapsed


def run(repeat=5):
    x, y, z = _grid()
    heights = np.sin(x / 10) * np.cos(y / 10)
    ours, raw, surfs = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        png = Path(folder) / "mesh.png"
        _brainview("mesh", (x[:50, :50], y[:50, :50], z[:50, :50]), png)  # imports, first window
        _raw_vtk(x[:50, :50], y[:50, :50], z[:50, :50], png)
        for _ in range(repeat):
            ours.append(_brainview("mesh", (x, y, z), png))
            raw.append(_raw_vtk(x, y, z, png))
            surfs.append(_brainview("surf", (heights,), png))
    raw_median = statistics.median(raw)
    ratio = statistics.median(ours) / raw_median
    return [
        {"name": "mesh_1000x1000_first_png", "median_s": statistics.median(ours),
         "target_s": TARGET_RATIO * raw_median, "naive": "raw VTK, same polydata",
         "naive_median_s": raw_median,
         "note": f"{N}x{N} grid, {2 * (N - 1) ** 2} triangles, 800x600 PNG; brainview / raw VTK = "
                 f"{ratio:.2f} (target <= {TARGET_RATIO})"},
        {"name": "surf_1000x1000_first_png", "median_s": statistics.median(surfs),
         "target_s": TARGET_RATIO * raw_median, "naive": "raw VTK mesh above",
         "naive_median_s": raw_median, "note": "bv.surf(z), warp_scale='auto', 800x600 PNG"},
    ]
