"""Vector glyphs: bv.quiver (mlab's quiver3d) and bv.vector_field (a 3-component image).

Placement is proved analytically under an oblique, anisotropic affine; counts
of stride and mask; colours by the mesh's arrays and by pixel probes; scene
round trip, pick, and every odd input (wrong shape, NaN, all zero).
"""

import json
import warnings

import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewError, BrainviewTypeError, BrainviewValueError, BrainviewWarning
from brainview.export.scene_file import load_scene, save_scene
from brainview.geometry import vectors as vec
from brainview.layers import Quiver, VectorField

SIZE = (120, 120)


def _oblique_affine():
    """30 degrees about z, then 10 degrees about x, voxels of 2 x 3 x 4 mm, shifted."""
    a, b = np.radians(30), np.radians(10)
    rz = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])
    affine = np.eye(4)
    affine[:3, :3] = rx @ rz @ np.diag([2.0, 3.0, 4.0])
    affine[:3, 3] = (-10.0, 5.0, 20.0)
    return affine


def _one_vector(shape=(5, 6, 7), voxel=(2, 1, 3), vector=(1.0, 0, 0)):
    data = np.zeros(shape + (3,), np.float32)
    data[voxel] = vector
    return data


@pytest.fixture(autouse=True)
def _close_all():
    yield
    bv.close("all")


# ------------------------------------------------------------------ placement


@pytest.mark.parametrize("space", ["voxel", "world", "fsl"])
def test_a_voxel_vector_under_an_oblique_affine_ends_at_the_analytic_world_point(space):
    affine = _oblique_affine()
    field = VectorField((_one_vector(), affine), space=space, scale_mode="none", length=5.0)
    centre = affine[:3, :3] @ [2, 1, 3] + affine[:3, 3]
    axis_i = affine[:3, 0] / np.linalg.norm(affine[:3, 0])
    direction = {"voxel": axis_i, "world": np.array([1.0, 0, 0]),
                 "fsl": -axis_i if np.linalg.det(affine[:3, :3]) > 0 else axis_i}[space]
    ends = np.asarray(field.mesh.points)
    np.testing.assert_allclose(ends, [centre - 2.5 * direction, centre + 2.5 * direction], atol=1e-4)
    assert field.voxels.tolist() == [[2, 1, 3]]


def test_an_oblique_field_arrow_is_centred_on_its_voxel_and_points_along_the_voxel_axis():
    affine = _oblique_affine()
    field = VectorField((_one_vector(vector=(0, 0, 2.0)), affine), mode="arrows", length=8.0)
    points = np.asarray(field.mesh.points, dtype=float)
    centre = affine[:3, :3] @ [2, 1, 3] + affine[:3, 3]
    axis_k = affine[:3, 2] / np.linalg.norm(affine[:3, 2])
    along = (points - centre) @ axis_k
    assert along.min() == pytest.approx(-4.0, abs=1e-4) and along.max() == pytest.approx(4.0, abs=1e-4)
    tip = points[np.argmax(along)]
    np.testing.assert_allclose(tip, centre + 4.0 * axis_k, atol=1e-4)


def test_a_quiver_arrow_starts_at_its_position_and_its_tip_is_the_scaled_vector():
    q = Quiver([[10.0, -5, 3], [0, 0, 0]], [[0, 3.0, 4.0], [1.0, 0, 0]], scale_factor=2.0)
    points = np.asarray(q.mesh.points, dtype=float)
    per_glyph = len(points) // 2
    first = points[:per_glyph]
    direction = np.array([0, 0.6, 0.8])
    along = (first - [10, -5, 3]) @ direction
    assert along.min() == pytest.approx(0.0, abs=1e-4)
    np.testing.assert_allclose(first[np.argmax(along)], [10, -5 + 6, 3 + 8], atol=1e-4)
    assert q.glyph_lengths().tolist() == [10.0, 2.0]


def test_scale_mode_none_draws_every_glyph_scale_factor_long():
    q = Quiver([[0.0, 0, 0], [5, 0, 0]], [[1.0, 0, 0], [0, 0, 9.0]], mode="line", scale_mode="none",
               scale_factor=3.0)
    ends = np.asarray(q.mesh.points).reshape(-1, 2, 3)
    np.testing.assert_allclose(np.linalg.norm(ends[:, 1] - ends[:, 0], axis=1), [3.0, 3.0], rtol=1e-6)


def test_the_automatic_scale_is_mayavis_typical_distance_over_the_largest_magnitude():
    positions = np.stack(np.meshgrid(*[np.arange(4.0) * 10] * 3), -1).reshape(-1, 3)
    q = Quiver(positions, np.tile([0.0, 0, 2.0], (64, 1)), mode="line")
    diagonal = np.sqrt(3) * 30
    assert q.scale == pytest.approx(0.4 * diagonal / np.sqrt(4 * 64 ** 0.33) / 2.0)


# ------------------------------------------------------------------ counts


def test_stride_and_mask_choose_the_voxels_drawn():
    data = np.ones((6, 7, 8, 3), np.float32)
    assert VectorField((data, np.eye(4))).n_drawn == 6 * 7 * 8
    field = VectorField((data, np.eye(4)), stride=2)
    assert field.n_drawn == 3 * 4 * 4
    assert set(np.unique(field.voxels)) <= {0, 2, 4, 6}
    field.stride = 3
    assert field.n_drawn == 2 * 3 * 3 and field.mesh.n_lines == 18
    mask = np.zeros((6, 7, 8), bool)
    mask[:3] = True
    assert VectorField((data, np.eye(4)), mask=mask).n_drawn == 3 * 7 * 8
    mask_img = (mask.astype(np.uint8), np.eye(4))
    assert VectorField((data, np.eye(4)), mask=mask_img, stride=2).n_drawn == 2 * 4 * 4


def test_zero_vectors_are_not_drawn_by_default():
    data = _one_vector()
    data[0, 0, 0] = (0, 2.0, 0)
    assert VectorField((data, np.eye(4))).n_drawn == 2


# ------------------------------------------------------------------ colours


def test_direction_colour_is_the_absolute_unit_world_vector():
    affine = _oblique_affine()
    rng = np.random.default_rng(0)
    data = rng.normal(size=(3, 3, 3, 3)).astype(np.float32)
    field = VectorField((data, affine), stride=1)
    rgb = np.asarray(field.mesh.point_data["rgb"])[::2]  # one colour per segment, at both ends
    world = data.reshape(-1, 3) @ vec.voxel_axes(affine).T
    expected = np.abs(world) / np.linalg.norm(world, axis=1, keepdims=True)
    order = np.ravel_multi_index(field.voxels.T, (3, 3, 3))
    np.testing.assert_allclose(rgb, expected[order] * 255, atol=0.51)


def _pixel(figure, point):
    from vtkmodules.vtkRenderingCore import vtkCoordinate

    coordinate = vtkCoordinate()
    coordinate.SetCoordinateSystemToWorld()
    coordinate.SetValue(*(float(v) for v in point))
    x, y = coordinate.GetComputedDoubleDisplayValue(figure.renderer)
    return int(round(figure.size[1] - 1 - y)), int(round(x))


def test_magnitude_colours_map_through_the_colormap_by_pixel():
    data = np.zeros((3, 1, 1, 3), np.float32)
    data[0, 0, 0] = (0, 1.0, 0)
    data[2, 0, 0] = (0, 3.0, 0)
    affine = np.diag([10.0, 10, 10, 1])
    fig = bv.figure(size=SIZE, antialias=False)
    bv.vector_field((data, affine), color_by="magnitude", cmap="viridis", clim=(1, 3), scale_mode="none",
                    length=8.0, line_width=6)
    fig.view("superior")
    image = fig.screenshot()
    for voxel, value in [((0, 0, 0), 0.0), ((20, 0, 0), 1.0)]:
        row, column = _pixel(fig, voxel)
        expected = np.round(np.asarray(bv.colors.cmap_table("viridis")[0 if value == 0 else -1][:3]) * 255)
        np.testing.assert_allclose(image[row, column, :3], expected, atol=3)


def test_one_colour_quiver_draws_that_colour_and_has_no_colour_bar():
    q = Quiver([[0.0, 0, 0]], [[1.0, 0, 0]], color="red")
    assert q.solid_color == (1.0, 0.0, 0.0) and q.colorbar_table() is None
    assert Quiver([[0.0, 0, 0]], [[1.0, 0, 0]]).colorbar_table() is not None


# ------------------------------------------------------------------ scene, pick, value


def test_a_field_from_a_file_and_a_quiver_round_trip_through_a_scene_file_and_a_script(tmp_path):
    import runpy

    from brainview.export.script import export_script

    path = tmp_path / "v1.nii.gz"
    rng = np.random.default_rng(1)
    nib.save(nib.Nifti1Image(rng.normal(size=(6, 6, 6, 3)).astype(np.float32), _oblique_affine()), path)
    fig = bv.figure(size=SIZE, antialias=False)
    bv.vector_field(str(path), stride=2, color_by="magnitude", mode="arrows")
    bv.quiver([[0.0, 0, 0], [10, 0, 0]], [[0, 0, 5.0], [0, 5.0, 0]], mode="cone", color="orange")
    expected = fig.screenshot()
    save_scene(fig, tmp_path / "s.bvscene")
    export_script(fig, tmp_path / "s.py")
    assert "bv.vector_field(str(HERE / 'v1.nii.gz'), mask=None, stride=2," in (tmp_path / "s.py").read_text()
    entry = json.loads((tmp_path / "s.bvscene").read_text())["layers"][0]
    assert entry["kind"] == "vector_field"
    assert entry["params"]["img"]["$file"]["path"] == "v1.nii.gz"
    loaded = load_scene(tmp_path / "s.bvscene")
    assert [layer.kind for layer in loaded.layers] == ["vector_field", "quiver"]
    np.testing.assert_array_equal(loaded.screenshot(), expected)
    loaded.close()
    bv.close("all")
    np.testing.assert_array_equal(runpy.run_path(str(tmp_path / "s.py"))["fig"].screenshot(), expected)


def test_pick_on_a_glyph_names_its_vector():
    vectors = np.array([[0.0, 0, 0], [0, 0, 30.0], [0, 0, 30.0]])  # the zero vector draws nothing
    fig = bv.figure(size=SIZE, antialias=False)
    layer = bv.quiver([[0.0, 0, 0], [-20, 0, -15], [20, 0, -15]], vectors, mode="cone", scale_factor=1.0)
    fig.view("anterior")
    fig.screenshot()
    row, column = _pixel(fig, (20, 0, -5))
    result = fig.pick(column, row)
    assert result.layer is layer and result.item_info == {"vector": 2} and result.item == 2
    assert abs(result.world_xyz[0] - 20) < 5 and abs(result.world_xyz[2] + 5) < 3


def test_pick_on_a_field_segment_names_its_vector_and_voxel():
    data = np.zeros((3, 3, 3, 3), np.float32)
    data[0, 1, 1] = data[2, 1, 1] = (0, 1.0, 0)
    fig = bv.figure(size=SIZE, antialias=False)
    field = bv.vector_field((data, np.diag([10.0, 10, 10, 1])), line_width=4, scale_mode="none", length=8.0)
    fig.view("superior")
    fig.screenshot()
    row, column = _pixel(fig, (20, 11, 10))
    result = fig.pick(column, row)
    assert result.layer is field and result.item_info == {"vector": 1, "voxel": (2, 1, 1)}


def test_a_field_cell_names_its_vector_and_voxel_and_value_at_reads_the_magnitude():
    data = _one_vector(vector=(0, 3.0, 4.0))
    field = VectorField((data, np.eye(4)), mode="arrows")
    assert field.item_of_cell(0) == {"vector": 0, "voxel": (2, 1, 3)}
    assert field.item_of_cell(10 ** 6) is None
    assert field.value_at((2, 1, 3)) == pytest.approx(5.0)
    assert np.isnan(field.value_at((100, 0, 0)))


# ------------------------------------------------------------------ odd inputs


@pytest.mark.parametrize("shape", [(4, 4, 4, 2), (4, 4, 4), (4, 4, 4, 6), (4, 4, 4, 2, 3)])
def test_an_image_without_three_components_is_refused_naming_img(shape):
    with pytest.raises(BrainviewValueError, match=r"img: expected a vector image of shape \(X, Y, Z, 3\)"):
        VectorField((np.ones(shape, np.float32), np.eye(4)))


def test_nifti_vector_layout_x_y_z_1_3_is_read_as_a_field():
    assert VectorField((np.ones((2, 2, 2, 1, 3)), np.eye(4))).n_drawn == 8


def test_nan_vectors_are_not_drawn_and_counted_in_one_warning():
    data = np.ones((2, 2, 2, 3), np.float32)
    data[0, 0, 0, 1] = np.nan
    with pytest.warns(BrainviewWarning, match="img: 1 voxels drawn hold NaN"):
        field = VectorField((data, np.eye(4)))
    assert field.n_drawn == 7 and np.isfinite(np.asarray(field.mesh.points)).all()
    with pytest.warns(BrainviewWarning, match="vectors: 1 of 2 vectors hold NaN"):
        q = Quiver([[0.0, 0, 0], [1, 1, 1]], [[np.nan, 0, 0], [1.0, 0, 0]])
    assert q.drawn.tolist() == [1] and np.isnan(q.magnitudes[0])


def test_an_all_zero_field_draws_nothing_with_a_warning_and_renders():
    fig = bv.figure(size=SIZE, antialias=False)
    with pytest.warns(BrainviewWarning, match="no voxel holds a non-zero vector"):
        field = bv.vector_field((np.zeros((3, 3, 3, 3)), np.eye(4)))
    assert field.n_drawn == 0 and field.mesh.n_points == 0
    assert fig.screenshot().shape[:2] == SIZE[::-1]
    zero = Quiver([[0.0, 0, 0]], [[0.0, 0, 0]])
    assert zero.n_drawn == 0 and zero.scale == 1.0


@pytest.mark.parametrize("options, match", [
    (dict(stride=0), "stride: expected a whole number"), (dict(stride=1.5), "stride:"), (dict(stride=True), "stride:"),
    (dict(mode="arrow"), "mode: must be one of 'lines', 'arrows'"), (dict(space="scanner"), "space:"),
    (dict(color_by="fa"), "color_by:"), (dict(length=-1), "length"), (dict(mask=np.ones((2, 2, 2), bool)), "mask:"),
])
def test_bad_field_options_are_refused_naming_the_parameter(options, match):
    with pytest.raises(BrainviewError, match=match):
        VectorField((np.ones((3, 3, 3, 3)), np.eye(4)), **options)


def test_a_mask_off_the_fields_grid_is_refused():
    with pytest.raises(BrainviewValueError, match="mask: .* not on the vector image's grid"):
        VectorField((np.ones((3, 3, 3, 3)), np.eye(4)), mask=(np.ones((3, 3, 3)), np.diag([2.0, 2, 2, 1])))


@pytest.mark.parametrize("args, error, match", [
    (([[0, 0, 0]], [[1, 0]]), BrainviewValueError, r"vectors: expected shape \(n, 3\)"),
    (([[0, 0, 0]], [[1, 0, 0], [0, 1, 0]]), BrainviewValueError, "vectors: got 2 vectors for 1 positions"),
    (([[0, 0, 0]],), BrainviewValueError, "vectors: missing"),
    (([[0, 0, np.nan]], [[1, 0, 0]]), BrainviewValueError, "positions: 1 of 1 rows hold NaN"),
    ((object(), [[1, 0, 0]]), BrainviewTypeError, "positions:"),
])
def test_bad_quiver_inputs_are_refused_naming_the_parameter(args, error, match):
    with pytest.raises(error, match=match):
        Quiver(*args)


def test_an_n_by_6_table_is_positions_and_vectors():
    q = Quiver(np.array([[0.0, 0, 0, 0, 0, 2], [5, 0, 0, 1, 0, 0]]), mode="line", scale_factor=1.0)
    assert q.magnitudes.tolist() == [2.0, 1.0]


def test_mode_switches_live_and_the_drawer_follows():
    fig = bv.figure(size=SIZE, antialias=False)
    q = bv.quiver([[0.0, 0, 0]], [[0.0, 0, 10.0]], mode="line")
    assert fig.drawer(q).actor.GetMapper().GetInput().GetNumberOfLines() == 1
    before = fig.screenshot()
    q.mode = "cone"
    assert fig.drawer(q).actor.GetMapper().GetInput().GetNumberOfPolys() > 0
    assert not np.array_equal(fig.screenshot(), before)
    assert q.get_params()["mode"] == "cone"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q.clim = None  # back to the magnitudes' range
    assert q.clim == (9.5, 10.5)


def test_many_arrows_show_as_coloured_segments_while_the_camera_moves(monkeypatch):
    from brainview.render import vectors as drawers

    monkeypatch.setattr(drawers, "INTERACTIVE_POINTS", 100)
    fig = bv.figure(size=SIZE, antialias=False)
    q = bv.quiver(np.arange(15.0).reshape(5, 3), np.ones((5, 3)) * [[1], [2], [3], [4], [5]])
    arrows, segments = fig.drawer(q).props()
    fig.interacting = True
    assert not arrows.GetVisibility() and segments.GetVisibility()
    light = segments.GetMapper().GetInput()
    assert light.GetNumberOfLines() == 5
    np.testing.assert_allclose(np.asarray(light.GetPointData().GetArray("magnitude"))[::2],
                               np.sqrt(3) * np.arange(1, 6), rtol=1e-6)
    fig.interacting = False
    assert arrows.GetVisibility() and not segments.GetVisibility()


def test_setting_img_draws_the_new_field_and_a_refused_one_changes_nothing(tmp_path):
    fig = bv.figure(size=SIZE, antialias=False)
    field = bv.vector_field((_one_vector(vector=(0, 3.0, 4.0)), np.eye(4)), mode="arrows")
    before = fig.screenshot()
    for bad, message in [(5, "img: expected"), ((np.ones((3, 3, 3, 2)), np.eye(4)), "img: expected a vector image"),
                         (str(tmp_path / "missing.nii.gz"), "img: file not found")]:
        with pytest.raises(BrainviewError, match=message):
            field.img = bad
    with pytest.raises(BrainviewError, match="stride:"):
        field.stride = 0
    np.testing.assert_array_equal(fig.screenshot(), before)
    assert field.value_at((2, 1, 3)) == pytest.approx(5.0)
    two = _one_vector(vector=(0, 3.0, 4.0))
    two[0, 0, 0] = (1.0, 0, 0)
    polys = fig.drawer(field).actor.GetMapper().GetInput().GetNumberOfPolys()
    field.img = (two, np.eye(4))
    assert field.n_drawn == 2 and field.get_params()["img"][0] is two
    assert fig.drawer(field).actor.GetMapper().GetInput().GetNumberOfPolys() == 2 * polys


def test_a_field_named_by_default_takes_its_new_files_name(tmp_path):
    path = tmp_path / "dyads1.nii.gz"
    nib.save(nib.Nifti1Image(np.ones((2, 2, 2, 3), np.float32), np.eye(4)), path)
    field = VectorField((np.ones((2, 2, 2, 3)), np.eye(4)))
    field.img = str(path)
    assert field.name == "dyads1.nii.gz" and field.get_params()["name"] is None
    assert VectorField(str(path), name="V1").name == "V1"


def test_a_segment_is_picked_within_two_pixels_of_its_line_and_not_beyond():
    data = np.zeros((1, 1, 1, 3), np.float32)
    data[0, 0, 0] = (0, 1.0, 0)
    fig = bv.figure(size=SIZE, antialias=False)
    field = bv.vector_field((data, np.eye(4)), line_width=1, scale_mode="none", length=40.0)
    bv.quiver([[-50.0, -50, 0], [50, 50, 0]], [[1.0, 0, 0], [1.0, 0, 0]], mode="line")  # frames the view
    fig.view("superior")
    fig.screenshot()
    row, column = _pixel(fig, (0, 5, 0))
    assert fig.pick(column + 1, row).layer is field
    assert fig.pick(column + 6, row).layer is None
