"""Models hand drawers new data, never change what they handed over (issue 19: models hold state, views draw it).

For every kind that shows meshes: a trait change leaves the previously
published mesh bit-exact (points, cells, every point array), publishes a new
object whose arrays are those of a layer built afresh with the changed value
(the update path gives what construction gives), and the figure draws the
change. No module under ``brainview/layers`` names the render lock: only
rendering takes it (``docs/design.md``, "The app's 3-D view renders on its
own thread").
"""

import ast
from pathlib import Path

import numpy as np
import pytest
from vtkmodules.util.numpy_support import vtk_to_numpy

from brainview.layers import (Connectome, Contour, Lines, Mesh, Points, Quiver, StatMap, Streamlines, Surface,
                              VectorField)
from brainview.layers import _examples as ex
from brainview.layers.quiver import _example as quiver_example
from brainview.layers.streamlines import _example as streamlines_example
from brainview.layers.vector_field import _example as vector_field_example
from brainview.scene import Figure

LAYERS = Path(__file__).resolve().parents[1] / "brainview" / "layers"

# ------------------------------------------------------------------ no model names the render lock


def _lock_uses(source):
    """Lines of ``source`` naming ``RENDER_LOCK`` or importing the module that holds it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id == "RENDER_LOCK":
            found.append(node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr == "RENDER_LOCK":
            found.append(node.lineno)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = {alias.name for alias in node.names}
            if "RENDER_LOCK" in names or module.endswith(("_vtk", "_locks")) or names & {"_vtk", "_locks"}:
                found.append(node.lineno)
        elif isinstance(node, ast.Import) and any(a.name.endswith(("._vtk", "._locks")) for a in node.names):
            found.append(node.lineno)
    return found


def test_the_lock_scan_finds_every_way_of_naming_the_lock():
    assert _lock_uses("from .._vtk import RENDER_LOCK\nwith RENDER_LOCK:\n    pass\n") == [1, 2]
    assert _lock_uses("from .. import _vtk\nwith _vtk.RENDER_LOCK:\n    pass\n") == [1, 2]
    assert _lock_uses("import brainview._locks\n") == [1]
    assert _lock_uses("lock = None\nwith lock:\n    pass\n") == []


@pytest.mark.parametrize("path", sorted(LAYERS.glob("*.py")), ids=lambda p: p.name)
def test_no_model_module_names_the_render_lock(path):
    assert _lock_uses(path.read_text()) == [], f"{path.name} takes the render lock: hand drawers new data instead"


# ------------------------------------------------------------------ published meshes are never changed


def _arrays(mesh):
    """Everything a drawer reads from a mesh, copied: points, cells, point arrays, the active scalars."""
    out = {"n_points": mesh.GetNumberOfPoints()}
    if mesh.GetPoints() is not None:
        out["points"] = vtk_to_numpy(mesh.GetPoints().GetData()).copy()
    for cells in ("GetVerts", "GetLines", "GetPolys"):
        array = getattr(mesh, cells)()
        if array is not None and array.GetNumberOfCells():
            out[cells] = (vtk_to_numpy(array.GetOffsetsArray()).copy(),
                          vtk_to_numpy(array.GetConnectivityArray()).copy())
    data = mesh.GetPointData()
    for i in range(data.GetNumberOfArrays()):
        array = data.GetAbstractArray(i)
        if array.IsA("vtkDataArray"):
            out[array.GetName()] = vtk_to_numpy(array).copy()
        else:  # labels
            out[array.GetName()] = [array.GetValue(k) for k in range(array.GetNumberOfValues())]
    scalars = data.GetScalars()
    out["active scalars"] = None if scalars is None else scalars.GetName()
    return out


def _assert_same(arrays, expected):
    assert sorted(arrays) == sorted(expected)
    for name, values in expected.items():
        if isinstance(values, tuple):
            for got, want in zip(arrays[name], values):
                np.testing.assert_array_equal(got, want, err_msg=name)
        else:
            np.testing.assert_array_equal(arrays[name], values, err_msg=name)


def _meshes(layer):
    """``{role: mesh}`` the drawers of ``layer`` show."""
    if isinstance(layer, StatMap):
        return {"isosurface": layer.mode_props.mesh}
    if isinstance(layer, Connectome):
        return {"edges": layer.edge_mesh, "nodes": layer.node_mesh, "arrows": layer.arrow_mesh,
                "labels": layer.label_mesh}
    meshes = {"mesh": layer.mesh}
    if getattr(layer, "light_mesh", None) is not None:
        meshes["light"] = layer.light_mesh
    return meshes


def _graph(**changed):
    matrix, coords = ex.three_node_graph()
    matrix = np.triu(matrix) + 0.5 * np.tril(matrix)  # asymmetric: arrows
    params = dict(edge_threshold=0.1, directed=True, node_labels=["a", "b", "c"], node_size=6.0)
    return Connectome(matrix, coords, **{**params, **changed})


def _grid(**changed):
    u, v = np.mgrid[0:np.pi:8j, 0:2 * np.pi:12j]
    x, y, z = 20 * np.sin(u) * np.cos(v), 20 * np.sin(u) * np.sin(v), 20 * np.cos(u)
    return Mesh(x, y, z, **{"scalars": z, "clim": (-20.0, 20.0), **changed})


def _helix(**changed):
    t = np.linspace(0.0, 4 * np.pi, 40)
    helix = np.column_stack([30 * np.cos(t), 30 * np.sin(t), 4 * t - 25])
    return Lines(helix, **{"scalars": t, "clim": (0.0, 13.0), "line_width": 6.0, **changed})


def _from_example(cls, example, **changed):
    args, params = example()
    return cls(*args, **{**params, **changed})


def _stat_map(**changed):
    return StatMap((ex.signed_blob(), ex.AFFINE), **{"threshold": 2.0, "outline": False, **changed})


_BLOB = (ex.blob(), ex.AFFINE)
#: (case, make(**changed), the change): each change publishes new data and changes the picture.
CASES = [
    ("stat_map threshold", lambda **c: _stat_map(**c), {"threshold": 4.0}),
    ("stat_map cmap", lambda **c: _stat_map(**c), {"cmap": "cold_hot"}),
    ("contour level", lambda **c: Contour(_BLOB, **{"level": 2.0, **c}), {"level": 4.5}),
    ("contour color_by", lambda **c: Contour(_BLOB, **{"level": 2.0, **c}),
     {"color_by": (np.indices((20, 20, 20))[0].astype(np.float32), ex.AFFINE)}),
    ("surface cmap", lambda **c: Surface(ex.tetrahedron(), np.array([0.0, 1, 2, 3]), **{"threshold": 0.5, **c}),
     {"cmap": "gray"}),
    ("points cmap", lambda **c: Points(np.array([[0.0, 0, 0], [20, 10, 5]]), **{"values": [1.0, 2.0], "size": 15, **c}),
     {"cmap": "gray"}),
    ("mesh scalars", _grid, {"scalars": np.zeros((8, 12))}),
    ("lines scalars", _helix, {"scalars": np.linspace(13.0, 0.0, 40)}),
    ("streamlines color", lambda **c: _from_example(Streamlines, streamlines_example, **c), {"color": "red"}),
    ("streamlines max_streamlines", lambda **c: _from_example(Streamlines, streamlines_example, **c),
     {"max_streamlines": 2}),
    ("quiver scale_factor", lambda **c: _from_example(Quiver, quiver_example, **c), {"scale_factor": 3.0}),
    ("vector_field length", lambda **c: _from_example(VectorField, vector_field_example, **c), {"length": 6.0}),
    ("connectome edge_threshold", _graph, {"edge_threshold": 0.6}),
    ("connectome node_color", _graph, {"node_color": "red"}),
    ("connectome node_size", _graph, {"node_size": 12.0}),
]


@pytest.mark.parametrize("make, change", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_trait_change_publishes_new_data_and_leaves_the_shown_data_unchanged(make, change):
    layer = make()
    fig = Figure(size=(64, 48))
    try:
        fig.add(layer)
        before = fig.screenshot()
        published = _meshes(layer)
        copies = {role: _arrays(mesh) for role, mesh in published.items() if mesh is not None}
        layer.trait_set(**change)
        for role, mesh in published.items():
            if mesh is not None:
                _assert_same(_arrays(mesh), copies[role])  # bit-exact: never changed after it was handed over
        now, fresh = _meshes(layer), _meshes(make(**change))
        assert any(now[role] is not published[role] for role in now), "the change published nothing new"
        for role, mesh in now.items():
            assert (mesh is None) == (fresh[role] is None)
            if mesh is not None:
                _assert_same(_arrays(mesh), _arrays(fresh[role]))  # what a new layer with the value holds
        assert not np.array_equal(fig.screenshot(), before), "the figure did not draw the change"
    finally:
        fig.close()


def test_a_stat_map_colour_change_gives_new_plane_images_and_keeps_the_shown_ones():
    layer = StatMap((ex.signed_blob(), ex.AFFINE), threshold=2.0, mode="slices", outline=False)
    shown = [layer.mode_props.plane_rgba(axis) for axis in range(3)]
    copies = [rgba.copy() for rgba in shown]
    layer.cmap = "cold_hot"
    for old, copy in zip(shown, copies):
        np.testing.assert_array_equal(old, copy)
    fresh = StatMap((ex.signed_blob(), ex.AFFINE), threshold=2.0, mode="slices", outline=False, cmap="cold_hot")
    for axis in range(3):
        np.testing.assert_array_equal(layer.mode_props.plane_rgba(axis), fresh.mode_props.plane_rgba(axis))
    assert any(not np.array_equal(layer.mode_props.plane_rgba(axis), copies[axis]) for axis in range(3))


def test_a_colour_change_shares_the_points_of_the_shown_mesh():
    # A shallow copy with its own colour array: no copy of the points (a 1 mm isosurface costs microseconds).
    layer = Points(np.array([[0.0, 0, 0], [20, 10, 5]]), values=[1.0, 2.0])
    shown = layer.mesh
    layer.cmap = "gray"
    assert layer.mesh is not shown
    assert np.shares_memory(np.asarray(layer.mesh.points), np.asarray(shown.points))
    assert not np.shares_memory(np.asarray(layer.mesh.point_data["rgb"]), np.asarray(shown.point_data["rgb"]))


def test_streamlines_publish_their_drawn_cells_and_mesh_as_one_pair():
    # A drawer on the render thread reads both at once: never a new selection with an old mesh.
    layer = _from_example(Streamlines, streamlines_example)
    before = layer.drawn
    layer.max_streamlines = 2
    selection, mesh = layer.drawn
    assert mesh is layer.mesh and selection is layer.selection and mesh is not before[1]
    assert mesh.GetNumberOfLines() == selection.n_cells == 2
    assert before[1].GetNumberOfLines() == before[0].n_cells == layer.n_streamlines
