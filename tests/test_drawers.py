"""One model, many views: drawers follow their layer; one layer shows in several figures."""

import pickle

import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewValueError
from brainview.layers import Atlas, Connectome, Contour, GlassBrain, Points, Slices, StatMap, Surface, Volume
from brainview.layers.registry import DRAWERS_3D, LAYER_KINDS

SIZE = (80, 60)


def _blob():
    ijk = np.indices((16, 16, 16)) - 8
    return ((ijk ** 2).sum(0) < 25).astype(np.float32), np.eye(4)


def _two_boxes():
    data = np.zeros((16, 10, 10), np.int16)
    data[2:7, 2:8, 2:8], data[9:14, 2:8, 2:8] = 1, 2
    return data, np.eye(4)


@pytest.fixture
def two_figures():
    figures = bv.figure(size=SIZE, antialias=False), bv.figure(size=SIZE, antialias=False)
    yield figures
    bv.close("all")


def _stat_blob():
    data, affine = _blob()
    return data * np.float32(5.0), affine


def _red():
    from matplotlib.colors import ListedColormap

    return ListedColormap(["red", "red"])


def _square():
    """A 20 mm square facing anterior (+y), as a surface."""
    return np.array([[-10, 0, -10], [10, 0, -10], [10, 0, 10], [-10, 0, 10.0]]), np.array([[0, 1, 2], [0, 2, 3]])


@pytest.mark.parametrize("make", [lambda: Contour(_blob(), color="red"),
                                  lambda: Points([[0, 0, 0], [8, 0, 0]], size=6, color="red"),
                                  lambda: Atlas(_two_boxes(), colors={1: "red", 2: "red"}, smooth=0),
                                  lambda: StatMap(_stat_blob(), threshold=2.0, cmap="bwr", outline=False),
                                  lambda: Connectome(np.array([[0, 1.0], [1.0, 0]]), [[0, 0, 0], [8, 0, 0]],
                                                     node_size=6, node_color="red", node_labels=["a", "b"]),
                                  lambda: Volume(_blob(), cmap=_red(), clim=(0.5, 1), opacity=1.0, ramp="flat"),
                                  lambda: Slices(_blob(), cmap=_red(), clim=(0, 1), coords=(0, 8, 8)),
                                  lambda: GlassBrain(_blob(), color="red", opacity=1.0),
                                  lambda: Surface(_square(), color="red")],
                         ids=["contour", "points", "atlas", "stat_map", "connectome", "volume", "slices",
                              "glass_brain", "surface"])
def test_one_layer_in_two_figures_draws_in_both_and_follows_a_trait_change(two_figures, make):
    first, second = two_figures
    layer = make()
    first.add(layer)
    second.add(layer)
    for fig in two_figures:
        fig.view("anterior")
    before = [fig.screenshot() for fig in two_figures]
    np.testing.assert_array_equal(before[0], before[1])
    assert before[0][..., 0].max() > 200  # red is drawn
    layer.opacity = 0.3
    after = [fig.screenshot() for fig in two_figures]
    np.testing.assert_array_equal(after[0], after[1])
    assert after[0][..., 0].max() < before[0][..., 0].max()
    second.remove(layer)
    layer.visible = False
    assert first.screenshot().max() == 0
    assert layer in first.layers and layer not in second.layers


def test_adding_a_layer_twice_to_one_figure_is_refused(two_figures):
    first, _ = two_figures
    layer = first.add(Points([[0, 0, 0]]))
    with pytest.raises(BrainviewValueError, match="already in this figure"):
        first.add(layer)


def test_a_drawn_layer_pickles_as_its_parameters(two_figures):
    first, _ = two_figures
    layer = first.add(Contour(_blob(), level=0.5, color="red"))
    copy = pickle.loads(pickle.dumps(layer))
    assert copy.get_params()["color"] == "red" and copy.mesh.n_points == layer.mesh.n_points


def test_every_drawer_names_a_registered_kind():
    assert set(DRAWERS_3D) <= set(LAYER_KINDS)


def test_a_connectome_in_two_figures_follows_its_threshold_and_colours_in_both(two_figures):
    first, second = two_figures
    matrix = np.array([[0, 1.0, 0.2], [1.0, 0, 0], [0.2, 0, 0]])
    layer = Connectome(matrix, [[-20, 0, 0], [20, 0, 0], [0, 0, 20]], node_size=4, node_color=["x", "y", "x"])
    for fig in two_figures:
        fig.add(layer)
        fig.view("anterior")
    before = [fig.screenshot() for fig in two_figures]
    layer.edge_threshold = 0.5
    layer.node_color = ["x", "y", "z"]  # a new category: a new legend in both
    after = [fig.screenshot() for fig in two_figures]
    np.testing.assert_array_equal(after[0], after[1])
    assert (after[0] != before[0]).any()
    legends = [[p for p in fig.drawer(layer).props() if p.IsA("vtkLegendBoxActor")] for fig in two_figures]
    assert [legend[0].GetNumberOfEntries() for legend in legends] == [3, 3]
    assert legends[0][0] is not legends[1][0]


def test_an_atlas_in_two_figures_follows_its_colours_and_region_subset_in_both(two_figures):
    first, second = two_figures
    layer = Atlas(_two_boxes(), colors={1: "red", 2: "blue"}, smooth=0)
    for fig in two_figures:
        fig.add(layer)
        fig.view("anterior")
    before = [fig.screenshot() for fig in two_figures]
    np.testing.assert_array_equal(before[0], before[1])
    assert before[0][..., 2].max() > 200 and before[0][..., 0].max() > 200  # both boxes drawn
    mesh = layer.mesh
    layer.colors = {1: "lime", 2: "blue"}
    recoloured = [fig.screenshot() for fig in two_figures]
    np.testing.assert_array_equal(recoloured[0], recoloured[1])
    assert recoloured[0][..., 1].max() > 200 and recoloured[0][..., 0].max() < 50  # red is gone
    layer.regions = 2
    subset = [fig.screenshot() for fig in two_figures]
    np.testing.assert_array_equal(subset[0], subset[1])
    assert subset[0][..., 1].max() < 50 and subset[0][..., 2].max() > 200  # the lime box is hidden
    assert layer.mesh is mesh, "colours and subsets never re-extract geometry"
    for fig in two_figures:
        assert fig.drawer(layer).actor.GetMapper().GetInput() is layer.shown_mesh


def _vtk_input(actor):
    return actor.GetMapper().GetInput()


def test_moving_one_slice_plane_cuts_that_plane_only_and_a_colour_change_cuts_none(two_figures):
    first, _ = two_figures
    layer = first.add(Slices(_blob(), coords=(0, 0, 0)))
    actors = first.drawer(layer).actors
    inputs = {axis: _vtk_input(actor) for axis, actor in actors.items()}
    planes = {axis: layer.plane(axis) for axis in "xyz"}
    layer.x = 3.0
    assert layer.plane("x") is not planes["x"] and _vtk_input(actors["x"]) is not inputs["x"]
    assert all(layer.plane(axis) is planes[axis] and _vtk_input(actors[axis]) is inputs[axis] for axis in "yz")
    moved = _vtk_input(actors["x"])
    layer.cmap, layer.clim, layer.opacity = "hot", (0.1, 0.9), 0.5
    assert _vtk_input(actors["x"]) is moved and all(_vtk_input(actors[a]) is inputs[a] for a in "yz")
    assert actors["z"].GetProperty().GetLookupTable().GetRange() == (0.1, 0.9)


def test_a_volume_colour_change_hands_vtk_no_new_voxels_and_a_new_image_does(two_figures):
    first, _ = two_figures
    layer = first.add(Volume(_blob(), clim=(0.2, 1.0)))
    actor = first.drawer(layer).actor
    voxels = _vtk_input(actor)
    layer.cmap, layer.clim, layer.ramp, layer.blending = "hot", (0.1, 0.9), "flat", "mip"
    assert _vtk_input(actor) is voxels
    assert actor.GetProperty().GetRGBTransferFunction().GetRange() == (0.1, 0.9)
    layer.img = (_blob()[0] * 2, np.eye(4))
    assert _vtk_input(actor) is not voxels


def test_a_surface_opacity_change_does_not_recolour_the_vertices(two_figures):
    first, _ = two_figures
    vertices, faces = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0.0]]), np.array([[0, 1, 2]])
    layer = first.add(Surface((vertices, faces), [0.0, 1.0, 2.0], bg_map=[1.0, -1.0, 0.5]))
    rgb = layer.mesh.GetPointData().GetArray("rgb")
    layer.opacity = 0.5
    assert layer.mesh.GetPointData().GetArray("rgb") is rgb
    assert first.drawer(layer).actor.GetProperty().GetOpacity() == 0.5
    layer.threshold = 1.5
    assert layer.mesh.GetPointData().GetArray("rgb") is not rgb
    assert layer.shown_vertices().tolist() == [False, False, True]


@pytest.mark.parametrize("kind", sorted(DRAWERS_3D))
def test_a_kind_with_a_drawer_has_a_model_module_that_imports_no_rendering(kind):
    import ast
    import inspect
    import sys

    module = sys.modules[LAYER_KINDS[kind].__module__]
    tree = ast.parse(inspect.getsource(module))
    names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    names += [f"{'.' * node.level}{node.module or ''}.{alias.name}" for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) for alias in node.names]
    bad = [name for name in names if "_vtk" in name.split(".") or "vtkRendering" in name or "vtkFiltersSources" in name]
    assert not bad, f"{module.__name__} imports {bad}"
    layer_class = LAYER_KINDS[kind]
    assert not {"props", "_draw", "_get_actor", "_sync_drawing", "_attach", "_detach"} & set(vars(layer_class))


def test_every_kind_is_built_validated_saved_and_pickled_with_no_rendering_module_loaded(tmp_path):
    """Issue 19 point 1: a model is data; only a figure loads the renderer (one fresh process)."""
    import subprocess
    import sys

    code = (
        "import json, pickle, sys\n"
        "from pathlib import Path\n"
        "from brainview.errors import BrainviewError\n"
        "from brainview.layers.registry import KINDS\n"
        "from brainview.export.scene_file import data_file_writer, layer_dict\n"
        "sidecar = data_file_writer(Path(sys.argv[1]) / 'scene.bvscene', copy_inputs=False)\n"
        "for index, (name, kind) in enumerate(sorted(KINDS.items())):\n"
        "    layer = kind.make_example()\n"
        "    try:\n"
        "        layer.opacity = 2.0\n"
        "    except BrainviewError:\n"
        "        pass\n"
        "    else:\n"
        "        raise SystemExit(f'{name}: opacity=2 was accepted')\n"
        "    copy = pickle.loads(pickle.dumps(layer))\n"
        "    assert copy.get_params().keys() == layer.get_params().keys(), name\n"
        "    json.dumps(layer_dict(layer, index, sidecar=sidecar))\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('vtkmodules.vtkRendering', 'brainview.render',"
        " 'brainview.scene', 'PyQt5')))\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
