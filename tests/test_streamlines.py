"""Streamlines: placement, direction colours, subsets, slabs, bundles, picking, 2-D dots, odd inputs."""

import os

import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewError, BrainviewTypeError, BrainviewValueError, ImageLoadError
from brainview.geometry import polylines
from brainview.layers import Slices, Streamlines
from brainview.layers.streamlines import INTERACTIVE_POINTS
from brainview.planes import plane_image, values_at


def straight(start, stop, n=21):
    return np.linspace(start, stop, n)


def fan(n_lines=6, n=31, z=0.0):
    """Lines along x at different y (flat in z)."""
    x = np.linspace(-40, 40, n)
    return [np.column_stack([x, np.full(n, 8.0 * i - 20), np.full(n, z)]) for i in range(n_lines)]


def pixel_of(fig, xyz):
    renderer = fig.renderer
    renderer.SetWorldPoint(*xyz, 1.0)
    renderer.WorldToDisplay()
    x, y, _ = renderer.GetDisplayPoint()
    return int(round(fig.size[1] - 1 - y)), int(round(x))


# ---------------------------------------------------------------- placement and colours


def test_points_are_placed_unchanged_in_world_mm():
    rng = np.random.default_rng(0)
    tracts = [rng.normal(size=(n, 3)) * 30 for n in (2, 5, 9)]
    layer = Streamlines(tracts)
    assert np.array_equal(layer.streamline_points, np.concatenate(tracts).astype(np.float32))
    assert layer.offsets.tolist() == [0, 2, 7, 16]
    from vtkmodules.util.numpy_support import vtk_to_numpy
    assert np.array_equal(vtk_to_numpy(layer.mesh.GetPoints().GetData()), layer.streamline_points)


def test_nibabel_standard_trk_matches_nibabels_streamlines():
    nib = pytest.importorskip("nibabel")
    path = os.path.join(os.path.dirname(nib.__file__), "tests", "data", "standard.trk")
    reference = nib.streamlines.load(path).streamlines
    for tracts in (path, nib.streamlines.load(path), nib.streamlines.load(path).tractogram):
        layer = Streamlines(tracts)
        assert layer.n_streamlines == len(reference)
        assert np.allclose(layer.streamline_points, np.concatenate(list(reference)))


def test_files_read_through_brainview_io_and_a_list_of_files_is_bundles():
    nib = pytest.importorskip("nibabel")
    folder = os.path.join(os.path.dirname(nib.__file__), "tests", "data")
    paths = [os.path.join(folder, name) for name in ("standard.trk", "standard.tck")]
    layer = Streamlines(paths)
    assert layer.bundle_names == ["standard.trk", "standard.tck"]  # stems repeat: file names
    reference = nib.streamlines.load(paths[1]).streamlines
    assert layer.n_streamlines == 120 + len(reference)
    assert np.allclose(layer.streamline_points[360:], np.concatenate(list(reference)))
    assert layer.item(125) == {"streamline": 125, "bundle": layer.bundle_names[1]}


def test_direction_colours_of_analytic_lines():
    diagonal = straight([0, 0, 0], [10, 10, 0])
    tracts = [straight([0, 0, 0], [10, 0, 0]), straight([0, 0, 0], [0, -10, 0]), straight([0, 0, 0], [0, 0, 7]),
              diagonal]
    layer = Streamlines(tracts)
    rgb = layer.point_colors.reshape(4, 21, 3)
    assert (rgb[0] == [255, 0, 0]).all() and (rgb[1] == [0, 255, 0]).all() and (rgb[2] == [0, 0, 255]).all()
    assert (rgb[3] == [180, 180, 0]).all()  # 255 / sqrt(2)
    t = np.linspace(0, np.pi, 50)
    arc = np.column_stack([np.cos(t), np.sin(t), np.zeros_like(t)]) * 20  # tangent (-sin, cos, 0)
    colours = Streamlines([arc]).point_colors.astype(float) / 255
    assert np.allclose(colours[25, :2], np.abs([-np.sin(t[25]), np.cos(t[25])]), atol=0.02)


def test_direction_colours_show_in_the_picture(fig):
    layer = fig.add(Streamlines([straight([-40, 0, 0], [40, 0, 0]), straight([0, -40, 20], [0, 40, 20])],
                                line_width=5.0))
    fig.view("superior")
    pixels = fig.screenshot()
    row, col = pixel_of(fig, (-20, 0, 0))
    assert pixels[row, col, 0] > 200 and pixels[row, col, 1:].max() < 60
    row, col = pixel_of(fig, (0, 20, 20))
    assert pixels[row, col, 1] > 200 and pixels[row, col, [0, 2]].max() < 60
    assert layer.colorbar_table() is None


# ---------------------------------------------------------------- subsets, slabs, level of detail


def test_max_streamlines_is_a_deterministic_seeded_subset():
    tracts = fan(40)
    first = Streamlines(tracts, max_streamlines=7, seed=3)
    again = Streamlines(tracts, max_streamlines=7, seed=3)
    other = Streamlines(tracts, max_streamlines=7, seed=4)
    assert first.n_drawn == 7
    assert first.selection.lines.tolist() == again.selection.lines.tolist()
    assert first.selection.lines.tolist() != other.selection.lines.tolist()
    first.max_streamlines = None
    assert first.n_drawn == 40


def test_slab_keeps_points_near_the_planes_and_splits_lines():
    x = np.linspace(-40, 40, 81)  # 1 mm steps
    line = np.column_stack([x, np.zeros_like(x), np.zeros_like(x)])
    layer = Streamlines([line], slab=2.0, near={"x": -20, "y": 100})
    drawn = layer.streamline_points[layer.selection.connectivity]
    assert np.all(np.abs(drawn[:, 0] + 20) <= 2.0)
    assert len(drawn) == 5 and layer.n_drawn == 1
    layer.near = {"x": (-20)} | {"z": 50}
    layer.near = (-20, 100, 100)
    assert layer.n_drawn == 1
    layer.near = {"x": -20}
    layer.tracts = [line, line[::-1]]
    assert layer.n_drawn == 2
    layer.near = {"x": 0}
    layer.slab = None
    assert layer.n_drawn == 2 and len(layer.selection.connectivity) == 162


def test_slab_splits_a_line_that_leaves_and_comes_back():
    t = np.linspace(0, 4 * np.pi, 400)
    wave = np.column_stack([t, np.zeros_like(t), 10 * np.sin(t)])  # crosses z=0 five times
    layer = Streamlines([wave], slab=1.0, near={"z": 0})
    assert layer.n_drawn == 5
    cells = layer.selection
    for c in range(cells.n_cells):
        piece = layer.streamline_points[cells.connectivity[cells.offsets[c]:cells.offsets[c + 1]]]
        assert np.all(np.abs(piece[:, 2]) <= 1.0)
        assert np.all(np.diff(cells.connectivity[cells.offsets[c]:cells.offsets[c + 1]]) == 1)  # consecutive


def test_slab_near_a_slices_layer_follows_its_planes():
    slices = Slices((np.zeros((50, 50, 50)), np.eye(4)), coords=(10, 10, 10), axes="z")
    tracts = [np.column_stack([np.full(50, 5.0), np.full(50, 5.0), np.arange(50.0)])]
    layer = Streamlines(tracts, slab=1.5, near=slices)
    drawn = layer.streamline_points[layer.selection.connectivity]
    assert np.allclose(sorted(drawn[:, 2]), [9, 10, 11])
    slices.coords = (10, 10, 30)
    drawn = layer.streamline_points[layer.selection.connectivity]
    assert np.allclose(sorted(drawn[:, 2]), [29, 30, 31])
    slices.axes = "x"  # the plane x = 10 is 5 mm from the line: nothing near it
    assert layer.n_drawn == 0


def test_level_of_detail_while_interacting(fig):
    n = INTERACTIVE_POINTS // 50 + 100
    base = np.column_stack([np.linspace(0, 10, 100), np.zeros(100), np.zeros(100)]).astype(np.float32)
    tracts = base[None, :, :] + np.arange(n, dtype=np.float32)[:, None, None] * [0, 0.01, 0]
    layer = fig.add(Streamlines(tracts))
    drawer = fig.drawer(layer)
    lod = drawer.props()[1]
    assert drawer.actor.GetVisibility() and not lod.GetVisibility()
    drawer.set_interacting(True)
    assert lod.GetVisibility() and not drawer.actor.GetVisibility()
    lighter = lod.GetMapper().GetInput()
    assert 0 < lighter.GetNumberOfPoints() == layer.mesh.GetNumberOfPoints()  # shares the points
    assert lighter.GetLines().GetNumberOfConnectivityIds() <= INTERACTIVE_POINTS
    drawer.set_interacting(False)
    assert drawer.actor.GetVisibility()


# ---------------------------------------------------------------- bundles, values, tubes


def test_bundles_get_one_colour_each_and_a_legend_probed_by_pixels(fig):
    bundles = {"AF_L": [straight([-40, -10, 0], [40, -10, 0])] * 2, "CST": [straight([-40, 10, 0], [40, 10, 0])]}
    layer = fig.add(Streamlines(bundles, line_width=6.0))
    fig.view("superior")
    pixels = fig.screenshot().astype(int)
    entries = layer.legend_entries()
    assert [name for name, _ in entries] == ["AF_L", "CST"]
    for (name, rgb), y in zip(entries, (-10, 10)):
        row, col = pixel_of(fig, (0, y, 0))
        assert np.abs(pixels[row, col] - np.rint(np.array(rgb) * 255)).max() <= 3, name
    legend = [p for p in fig.drawer(layer).props() if p.GetClassName() == "vtkLegendBoxActor"]
    assert len(legend) == 1 and legend[0].GetNumberOfEntries() == 2
    layer.legend = False
    assert not [p for p in fig.drawer(layer).props() if p.GetClassName() == "vtkLegendBoxActor"]
    layer.color = {"AF_L": "red", "CST": "lime"}
    pixels = fig.screenshot().astype(int)
    row, col = pixel_of(fig, (0, 10, 0))
    assert pixels[row, col].tolist() == [0, 255, 0]


def test_values_per_streamline_and_per_point_with_a_colour_bar():
    tracts = fan(3, n=5)
    per_line = Streamlines(tracts, values=[1.0, 2.0, 3.0])
    assert per_line.color_mode == "values" and per_line.clim == (1.0, 3.0)
    lut, title = per_line.colorbar_table()
    assert title == "streamlines" and lut.GetRange() == (1.0, 3.0)
    per_point = Streamlines(tracts, values=np.arange(15.0), clim=(0, 10))
    assert per_point.clim == (0.0, 10.0)
    ragged = Streamlines(tracts, values=[np.zeros(5), np.ones(5), np.full(5, 2.0)])
    assert ragged.clim == (0.0, 2.0)
    with pytest.raises(BrainviewValueError, match="values"):
        Streamlines(tracts, values=np.arange(4.0))


def test_tubes_are_closed(fig):
    layer = fig.add(Streamlines([straight([0, 0, 0], [30, 0, 0])], radius=2.0))
    drawer = fig.drawer(layer)
    fig.screenshot()
    tube = drawer.actor.GetMapper().GetInputAlgorithm()
    assert tube.GetClassName() == "vtkTubeFilter" and tube.GetCapping()
    from vtkmodules.vtkFiltersCore import vtkCleanPolyData, vtkFeatureEdges, vtkTriangleFilter
    merged = vtkCleanPolyData()  # the caps have their own copies of the rim points
    merged.SetInputConnection(tube.GetOutputPort())
    triangles = vtkTriangleFilter()
    triangles.SetInputConnection(merged.GetOutputPort())
    edges = vtkFeatureEdges()
    edges.SetInputConnection(triangles.GetOutputPort())
    for flag in ("BoundaryEdges", "FeatureEdges", "NonManifoldEdges", "ManifoldEdges"):
        getattr(edges, f"{flag}{'On' if flag == 'BoundaryEdges' else 'Off'}")()
    edges.Update()
    bounds = triangles.GetOutput().GetBounds()
    assert np.allclose(bounds, (-0.0, 30.0, -2.0, 2.0, -2.0, 2.0), atol=0.3)
    assert edges.GetOutput().GetNumberOfLines() == 0  # no boundary: the caps close the tube


# ---------------------------------------------------------------- picking and 2-D


def test_pick_returns_the_streamline_at_a_known_pixel(fig):
    from vtkmodules.vtkRenderingCore import vtkCellPicker

    bundles = {"left": [straight([-40, -20, 0], [40, -20, 0])], "right": fan(3, z=0.0)[:1] + [
        straight([-40, 20, 0], [40, 20, 0])]}
    layer = fig.add(Streamlines(bundles, line_width=5.0))
    fig.view("superior")
    fig.screenshot()
    drawer = fig.drawer(layer)
    for y, expected in ((-20, {"streamline": 0, "bundle": "left"}), (20, {"streamline": 2, "bundle": "right"})):
        row, col = pixel_of(fig, (10, y, 0))
        picker = vtkCellPicker()
        picker.SetTolerance(0.005)
        assert picker.Pick(col, fig.size[1] - 1 - row, 0, fig.renderer)
        item = drawer.item_at(picker.GetViewProp(), picker.GetCellId(), picker.GetPointId(), picker.GetPickPosition())
        assert item == expected
    assert layer.bundle_at((0, 20, 0)) == "right"


def test_two_d_views_show_crossings_as_direction_dots():
    layer = Streamlines([straight([-30, 0, 0], [30, 0, 0], 61), straight([0, -30, 5], [0, 30, 5], 61)])
    image = plane_image([layer], "sagittal", 0.0)  # the x line crosses x = 0 at (0, 0, 0)
    col, row = (int(round(c)) for c in image.pixel_of((0, 0, 0)))
    assert image.rgba[row, col].tolist() == [255, 0, 0, 255]
    col, row = (int(round(c)) for c in image.pixel_of((0, 10, 5)))
    assert image.rgba[row, col, 1] == 255  # the y line lies in the plane: green
    (reading,) = values_at([layer], (0, 0, 0))
    assert reading.value == 0 and np.isnan(layer.value_at((20, 20, -20)))


# ---------------------------------------------------------------- odd inputs


@pytest.mark.parametrize("tracts, error, words", [
    ([], BrainviewValueError, "no lines"),
    ({}, BrainviewValueError, "no bundles"),
    ([np.zeros((4, 2))], BrainviewValueError, "line 0 has shape (4, 2)"),
    ([np.zeros((3, 5))], BrainviewValueError, "Transpose"),
    ([np.zeros((2, 3)), np.array([[0, 0, 0], [np.nan, 1, 2]])], BrainviewValueError, "line 1 holds NaN"),
    (42, BrainviewTypeError, "list of (n, 3)"),
    ("/no/such/file.trk", ImageLoadError, "file not found"),
    ([np.zeros((2, 3), dtype=complex)], BrainviewTypeError, "complex"),
])
def test_odd_inputs_get_named_errors(tracts, error, words):
    with pytest.raises(error, match=None) as caught:
        Streamlines(tracts)
    assert words in str(caught.value) and isinstance(caught.value, BrainviewError)


def test_empty_and_single_point_streamlines_are_kept_and_draw_nothing(fig):
    tracts = [np.zeros((0, 3)), straight([0, 0, 0], [10, 0, 0]), np.ones((1, 3))]
    layer = fig.add(Streamlines(tracts, values=[1.0, 2.0, 3.0]))
    assert layer.n_streamlines == 3 and layer.n_drawn == 1
    assert layer.selection.lines.tolist() == [1]
    fig.screenshot()
    only_empty = Streamlines([np.zeros((0, 3))])
    assert only_empty.n_drawn == 0 and np.isnan(only_empty.value_at((0, 0, 0)))


def test_bad_options_are_refused():
    tracts = fan(2)
    for options, words in ((dict(color="bundle"), "bundles"), (dict(color="nocolour"), "not a colour"),
                           (dict(max_streamlines=0), "max_streamlines"), (dict(slab=-1), "slab"),
                           (dict(near={"w": 1}), "near"), (dict(near="slices"), "near"),
                           (dict(seed=-1), "seed"), (dict(radius=0), "radius")):
        with pytest.raises(BrainviewError, match=None) as caught:
            Streamlines(tracts, **options)
        assert words in str(caught.value), options
    with pytest.raises(BrainviewValueError, match="color"):
        Streamlines({"a": tracts, "b": tracts}, color={"a": "red"})


def test_inputs_are_not_modified():
    tracts = fan(3)
    before = [t.copy() for t in tracts]
    layer = Streamlines(tracts, slab=2.0, near=(0, 0, 0), max_streamlines=2)
    layer.seed = 5
    assert all(np.array_equal(a, b) for a, b in zip(tracts, before))


def test_pack_reads_an_array_sequence_without_a_loop():
    nib = pytest.importorskip("nibabel")
    sequence = nib.streamlines.ArraySequence([np.zeros((2, 3)), np.ones((4, 3))])
    packed = polylines.pack(sequence)
    assert packed.offsets.tolist() == [0, 2, 6] and packed.points.dtype == np.float32
    assert bv.layers.Streamlines(sequence[1:]).n_streamlines == 1  # a sliced sequence


def test_memory_budget_refuses_before_building_and_counts_tubes():
    from brainview.errors import MemoryBudgetError

    tracts = np.zeros((50, 100, 3))
    tracts[:, :, 0] = np.arange(100)
    with bv.set_limits(max_bytes=2_000_000):
        layer = Streamlines(tracts)  # 5,000 points as lines: within 2 MB
        with pytest.raises(MemoryBudgetError, match="radius: tubes"):
            layer.radius = 1.0  # x 8 sides: over
        assert layer.radius is None
        with pytest.raises(MemoryBudgetError, match="tracts"):
            Streamlines(np.zeros((500, 100, 3)))
        with pytest.raises(MemoryBudgetError, match="tube_radius"):
            bv.layers.Lines(tracts, tube_radius=1.0)


def test_many_streamlines_save_as_one_packed_array(tmp_path):
    """A list of 1,000 streamlines made a 41 MB PNG in 53 s (each line an inline JSON array)."""
    import warnings

    rng = np.random.default_rng(1)
    tracts = list(np.cumsum(rng.normal(size=(1000, 80, 3)), axis=1))
    fig = bv.figure(size=(64, 64))
    try:
        layer = bv.streamlines(tracts, max_streamlines=10)
        bv.save_scene(tmp_path / "scene.json")
        text = (tmp_path / "scene.json").read_text()
        assert "$polylines" in text and len(text) < 20_000
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.savefig(tmp_path / "fig.png")
        assert (tmp_path / "fig.png").stat().st_size < 3_000_000
        again = bv.load_scene(tmp_path / "scene.json")
        (copy,) = [item for item in again.layers if item.kind == "streamlines"]
        assert np.array_equal(copy.streamline_points, layer.streamline_points)
        assert copy.offsets.tolist() == layer.offsets.tolist() and copy.n_drawn == 10
        script = tmp_path / "script.py"
        bv.export_script(script)
        assert "np.split(" in script.read_text()
    finally:
        bv.close("all")


def test_a_plane_between_two_far_apart_points_still_shows_the_crossing():
    layer = Streamlines([np.array([[-10.0, 0, 0], [10, 0, 0]])])  # 20 mm apart, crossing x = 0.3
    image = plane_image([layer], "sagittal", 0.3)
    col, row = (int(round(c)) for c in image.pixel_of((0.3, 0, 0)))
    assert image.rgba[row, col].tolist() == [255, 0, 0, 255]
    assert layer.value_at((0.3, 0, 0)) == 0


def test_fig_pick_on_a_thin_line_names_the_streamline(fig):
    layer = fig.add(Streamlines({"AF": [straight([-40, 0, 0], [40, 0, 0], 5)]}, line_width=3.0))
    fig.view("superior")
    fig.screenshot()
    row, col = pixel_of(fig, (15, 0, 0))
    result = fig.pick((col, row))
    assert result.layer is layer and result.item_info == {"streamline": 0, "bundle": "AF"}
    assert result.values[layer.name] == 0
