"""Maps on fsaverage5: projection, both hemispheres, thresholds, hemisphere views, montage."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import compare_to_baseline

import brainview as bv
from brainview.geometry.surface_maps import hemi_view, join_hemispheres
from brainview.layers import StatMap, Surface

N_VERTICES = 10242
LEFT_MOTOR = (-38.0, -22.0, 56.0)


def _blob_map(center, radius=10.0, amplitude=6.0):
    """A 3 mm MNI-grid map with a gaussian blob of ``amplitude`` at ``center`` mm."""
    affine = np.diag([3.0, 3.0, 3.0, 1.0])
    affine[:3, 3] = (-78.0, -112.0, -70.0)
    ijk = np.indices((53, 63, 52)).reshape(3, -1).T
    world = ijk * 3.0 + affine[:3, 3]
    d2 = ((world - np.asarray(center)) ** 2).sum(1)
    return (amplitude * np.exp(-d2 / (2 * (radius / 2) ** 2))).reshape(53, 63, 52).astype(np.float32), affine


@pytest.fixture(scope="module")
def left_blob_layer():
    return StatMap(_blob_map(LEFT_MOTOR), threshold=2.0, mode="surface")


def test_projection_gives_one_value_per_vertex(left_blob_layer):
    textures = left_blob_layer.mode_props.textures
    assert {h: t.shape for h, t in textures.items()} == {"left": (N_VERTICES,), "right": (N_VERTICES,)}
    assert left_blob_layer.mode_props.surface.n_vertices == 2 * N_VERTICES


def test_blob_in_left_motor_cortex_lights_up_the_left_hemisphere_only(left_blob_layer):
    textures = left_blob_layer.mode_props.textures
    assert np.nanmax(textures["left"]) > 4.0
    assert np.nanmax(np.abs(textures["right"])) < 0.5
    shown = left_blob_layer.mode_props.surface.shown_vertices()
    assert shown[:N_VERTICES].sum() > 20 and shown[N_VERTICES:].sum() == 0
    # ... and the lit vertices are near the blob, on the left pial surface.
    from brainview.datasets import fsaverage5_surface

    pial = fsaverage5_surface("pial", hemi="left").vertices
    lit = pial[shown[:N_VERTICES]]
    assert np.linalg.norm(lit.mean(0) - LEFT_MOTOR) < 15


def test_surface_threshold_hides_values_below_it(left_blob_layer):
    surface = left_blob_layer.mode_props.surface
    values = surface.overlay_values
    for threshold in (2.0, 4.0):
        left_blob_layer.threshold = threshold
        shown = surface.shown_vertices()
        np.testing.assert_array_equal(shown, np.abs(np.nan_to_num(values)) >= threshold)
        base = surface.vertex_colors()[~shown]
        assert np.allclose(base[:, 0], base[:, 2])  # hidden vertices stay grey
    left_blob_layer.threshold = 2.0


def test_overlay_length_mismatch_names_both_counts():
    with pytest.raises(ValueError, match=r"100 values.*10242 vertices"):
        Surface("fsaverage5", np.zeros(100), hemi="left")
    with pytest.raises(ValueError, match=r"10242 values.*20484 vertices"):
        Surface("fsaverage5", np.zeros(N_VERTICES), hemi="both")


def test_both_hemispheres_inflated_do_not_overlap():
    both = Surface("fsaverage5", hemi="both", inflated=True, bg_map="sulc")
    points = np.asarray(both.mesh.points)
    assert both.n_vertices == 2 * N_VERTICES
    assert points[:N_VERTICES, 0].max() + 0.99 <= points[N_VERTICES:, 0].min()
    pial = Surface("fsaverage5", hemi="both")
    from brainview.datasets import fsaverage5_surface

    # Pial meshes stay where they are: world coordinates are never moved.
    np.testing.assert_array_equal(np.asarray(pial.mesh.points)[N_VERTICES:],
                                  fsaverage5_surface("pial", hemi="right").vertices)


def test_both_hemispheres_accept_a_left_right_pair():
    left, right = np.zeros(N_VERTICES), np.ones(N_VERTICES)
    both = Surface("fsaverage5", (left, right), hemi="both")
    np.testing.assert_array_equal(both.overlay_values, np.concatenate([left, right]))


def test_join_hemispheres_keeps_faces_pointing_at_their_vertices():
    from brainview.datasets import fsaverage5_surface

    left, right = fsaverage5_surface("inflated", hemi="left"), fsaverage5_surface("inflated", hemi="right")
    both = join_hemispheres(left, right, separate=True)
    np.testing.assert_array_equal(both.faces[len(left.faces):] - N_VERTICES, right.faces)


@pytest.mark.parametrize("hemi, view, expected", [
    ("left", "lateral", "left"), ("left", "medial", "right"), ("right", "lateral", "right"),
    ("right", "medial", "left"), ("left", "dorsal", "superior"), ("right", "ventral", "inferior")])
def test_hemisphere_views(hemi, view, expected):
    assert hemi_view(hemi, view) == expected


@pytest.mark.parametrize("hemi, view, match", [("both", "lateral", "hemi"), ("left", "front", "view")])
def test_bad_hemisphere_views(hemi, view, match):
    with pytest.raises(ValueError, match=match):
        hemi_view(hemi, view)


@pytest.fixture(scope="module")
def montage():
    return bv.surface_montage(_blob_map(LEFT_MOTOR), threshold=2.0, panel_size=(200, 200),
                              cmap="cold_hot")


def test_montage_tiles_four_views_with_the_blob_in_the_left_panels(montage):
    assert montage.shape == (400, 400, 3)
    panels = [montage[:200, :200], montage[:200, 200:], montage[200:, :200], montage[200:, 200:]]
    # Hot colours: red clearly above blue and green (the grey brain and white background are not).
    hot = [int(np.sum((p[..., 0].astype(int) - p[..., 2] > 80))) for p in panels]
    assert hot[0] > 50          # left lateral shows the left motor blob
    assert hot[2] == hot[3] == 0  # right hemisphere panels show nothing


def test_montage_baseline():
    from brainview.datasets import load_motor_map

    image = bv.surface_montage(load_motor_map(), threshold=3.0, panel_size=(200, 200))
    compare_to_baseline(image, "surface_montage_motor")


def test_montage_bad_arguments(tmp_path):
    img = _blob_map(LEFT_MOTOR)
    with pytest.raises(ValueError, match="views"):
        bv.surface_montage(img, views=[("left", "front")])
    with pytest.raises(ValueError, match="views"):
        bv.surface_montage(img, views=[])
    with pytest.raises(ValueError, match="ncols"):
        bv.surface_montage(img, ncols=0)
    with pytest.raises(ValueError, match="path"):
        bv.surface_montage(img, views=[("left", "dorsal")], panel_size=(50, 50),
                           path=tmp_path / "x.gif")
    with pytest.raises(ValueError, match=r"img\['left'\].*100 values"):
        bv.surface_montage({"left": np.zeros(100), "right": np.zeros(N_VERTICES)})


def test_montage_writes_a_file(tmp_path):
    values = {"left": np.linspace(-3, 3, N_VERTICES), "right": np.zeros(N_VERTICES)}
    image = bv.surface_montage(values, threshold=1.0, views=[("left", "dorsal"), ("right", "ventral")],
                               panel_size=(60, 50), path=tmp_path / "m.png")
    assert image.shape == (50, 120, 3)
    from conftest import read_png

    np.testing.assert_array_equal(read_png(tmp_path / "m.png"), image)


# ------------------------------------------------------------ files cannot hurt the user (issue 11)


def _tetrahedron():
    vertices = np.array([[0, 0, 0], [20, 0, 0], [0, 20, 0], [0, 0, 20.0], [np.nan, 5, 5]])
    faces = np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3], [4, 1, 2], [4, 0, 3]])
    return vertices, faces


def test_nan_vertices_drop_their_faces_with_one_warning_and_the_rest_is_drawn(fig):
    with pytest.warns(bv.errors.BrainviewWarning, match="1 of 5 vertices are NaN or infinite; the 2 faces"):
        layer = bv.surface(_tetrahedron(), color="white")
    assert layer.mesh.n_cells == 4 and layer.n_vertices == 5
    assert np.isfinite(layer.mesh.points).all()
    assert fig.drawer(layer).bounds() == (0.0, 20.0, 0.0, 20.0, 0.0, 20.0)
    bv.view("anterior")
    assert (fig.screenshot().max(-1) > 100).sum() > 1000


def test_nan_and_infinite_overlay_values_warn_and_show_the_base_colour():
    vertices, faces = _tetrahedron()
    with pytest.warns(bv.errors.BrainviewWarning, match="overlay: 2 of 4 values are NaN or infinite"):
        layer = Surface((vertices[:4], faces[:4]), [0.0, 1.0, np.nan, np.inf], color=(0.5, 0.5, 0.5))
    np.testing.assert_allclose(layer.vertex_colors()[2:], 0.5)
    assert layer.shown_vertices().tolist() == [True, True, False, False]


def test_vertices_beyond_1e6_mm_are_refused_naming_the_value():
    vertices, faces = _tetrahedron()
    with pytest.raises(bv.errors.BrainviewValueError, match=r"surf: a vertex lies 2e\+30 mm from the origin"):
        Surface((vertices[:4] * 1e29, faces[:4]))


def test_a_0_face_surface_is_a_brainview_error_not_a_pyvista_one():
    with pytest.raises(bv.errors.BrainviewValueError, match="surf: the mesh 'mesh' has no faces"):
        Surface((np.eye(3), np.zeros((0, 3), int)))


def test_points_beyond_1e6_mm_nan_coords_and_nan_values():
    from brainview.layers import Points

    with pytest.raises(bv.errors.BrainviewValueError, match=r"coords: a coordinate of -1e\+30 mm \(row 1\)"):
        Points([[0, 0, 0], [0, -1e30, 0]])
    with pytest.raises(bv.errors.BrainviewValueError, match=r"coords: 1 of 2 rows .*rows 1"):
        Points([[0, 0, 0], [0, np.inf, 0]])
    with pytest.raises(bv.errors.BrainviewValueError, match="coords: no points"):
        Points(np.zeros((0, 3)))
    with pytest.warns(bv.errors.BrainviewWarning, match="values: 1 of 2 values are NaN"):
        layer = Points([[0, 0, 0], [10, 0, 0]], values=[1.0, np.nan], size=5)
    assert layer.sizes.tolist() == [5.0, 0.0]
