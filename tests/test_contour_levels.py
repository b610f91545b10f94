"""Contour levels (mlab's ``contours=N`` rule), ``level``/``levels`` exclusivity, and ``color_by``."""

from __future__ import annotations

import runpy

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

import brainview as bv
from brainview.errors import BrainviewTypeError, BrainviewValueError
from brainview.export.scene_file import load_scene, save_scene
from brainview.layers import Contour

SIZE = (120, 120)
#: An oblique, anisotropic, translated affine.
OBLIQUE = np.array([[0.9, -0.35, 0.1, 4.0], [0.3, 0.95, 0.2, -3.0], [0.05, -0.2, 1.1, 2.0], [0, 0, 0, 1.0]])


def _radius_phantom(size=25):
    """Distance to the centre voxel, in voxels (identity affine): nested spheres at every level."""
    ijk = np.indices((size,) * 3) - (size - 1) / 2
    return np.sqrt((ijk ** 2).sum(0)).astype(np.float32)


def _components(mesh):
    """Vertex labels of the mesh's connected pieces, and their count."""
    faces = np.asarray(mesh.faces).reshape(-1, 4)[:, 1:]
    edges = np.vstack([faces[:, [0, 1]], faces[:, [1, 2]]])
    graph = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(mesh.n_points,) * 2)
    count, labels = connected_components(graph, directed=False)
    return count, labels


def _linear_field(affine, shape, coefficients=(2.0, -1.0, 0.5), offset=3.0):
    """An image of ``c . xyz + offset`` in world mm under ``affine`` (trilinear samples are exact)."""
    ijk = np.indices(shape).reshape(3, -1).T.astype(float)
    world = ijk @ affine[:3, :3].T + affine[:3, 3]
    return (world @ np.asarray(coefficients) + offset).reshape(shape)


def test_a_list_of_n_levels_draws_n_nested_spheres_of_those_radii():
    layer = Contour((_radius_phantom(), np.eye(4)), levels=[3.0, 6.0, 9.0])
    count, labels = _components(layer.mesh)
    assert count == 3
    points, centre = np.asarray(layer.mesh.points), 12.0
    level = np.asarray(layer.mesh.point_data["level"])
    for piece in range(count):
        (value,) = np.unique(level[labels == piece])  # one level per connected piece
        radii = np.linalg.norm(points[labels == piece] - centre, axis=1)
        np.testing.assert_allclose(radii, value, atol=0.1)


@pytest.mark.parametrize("count", [1, 2, 4, 7])
def test_levels_n_follows_mayavi_rule_generate_values_from_min_to_max(count):
    # Mayavi's contour component calls vtkContourFilter.GenerateValues(N, data_min, data_max).
    from vtkmodules.vtkCommonMisc import vtkContourValues

    data = _radius_phantom(9) + 1.5
    data[0, 0, 0] = np.nan  # the range is the finite one
    with pytest.warns(bv.BrainviewWarning, match="NaN"):
        layer = Contour((data, np.eye(4)), levels=count)
    rule = vtkContourValues()
    rule.GenerateValues(count, float(np.nanmin(data)), float(np.nanmax(data)))
    np.testing.assert_allclose(layer.level_values, [rule.GetValue(i) for i in range(count)], rtol=1e-6)


def test_levels_n_draws_n_minus_2_shells_the_extremes_touch_nothing_as_in_mayavi():
    layer = Contour((_radius_phantom(), np.eye(4)), levels=5)  # 0, 5.2, 10.4, 15.6, 20.8 (the corners)
    count, labels = _components(layer.mesh)
    sizes = np.bincount(labels)
    assert (sizes > 50).sum() == 3  # the three inner levels, each one connected piece
    assert sizes[sizes <= 50].max(initial=0) <= 3  # at most a corner's degenerate triangle at the maximum
    drawn = np.unique(np.asarray(layer.mesh.point_data["level"])[np.isin(labels, np.flatnonzero(sizes > 50))])
    np.testing.assert_allclose(drawn, layer.level_values[1:4])


def test_level_and_levels_together_is_an_error_naming_both():
    with pytest.raises(BrainviewValueError, match="level, levels"):
        Contour((_radius_phantom(9), np.eye(4)), level=2.0, levels=3)


@pytest.mark.parametrize("bad, error", [(0, BrainviewValueError), (True, BrainviewTypeError),
                                        ("4", BrainviewTypeError), ([1.0, np.nan], BrainviewValueError),
                                        ([[1.0]], BrainviewTypeError)])
def test_bad_levels_are_refused_with_the_parameter_named(bad, error):
    with pytest.raises(error, match="levels"):
        Contour((_radius_phantom(9), np.eye(4)), levels=bad)


def test_levels_is_live_and_the_last_of_level_or_levels_set_wins():
    layer = Contour((_radius_phantom(), np.eye(4)), level=4.0)
    layer.levels = [3.0, 6.0]
    assert _components(layer.mesh)[0] == 2
    assert (layer.get_params()["level"], layer.get_params()["levels"]) == (None, [3.0, 6.0])
    clone = Contour(**layer.get_params())
    assert clone.level_values == [3.0, 6.0]
    layer.level = 5.0
    assert layer.level_values == [5.0] and layer.get_params()["levels"] is None
    assert _components(layer.mesh)[0] == 1


def test_levels_are_coloured_one_colour_each_through_the_cmap(fig):
    from vtkmodules.util.numpy_support import vtk_to_numpy

    layer = fig.add(Contour((_radius_phantom(), np.eye(4)), levels=[3.0, 9.0], cmap="bwr"))
    table, _ = layer.colorbar_table()
    assert table.GetRange() == (3.0, 9.0)  # the levels span the map: the inner shell blue, the outer red
    fig.screenshot()
    drawn = vtk_to_numpy(fig.drawer(layer).actor.GetMapper().MapScalars(1.0))  # each vertex's colour as drawn
    level = np.asarray(layer.mesh.point_data["level"])
    assert {tuple(c) for c in drawn[level == 3.0]} == {(0, 0, 255, 255)}
    assert {tuple(c) for c in drawn[level == 9.0]} == {(255, 0, 0, 255)}


def test_color_by_samples_equal_the_analytic_field_at_the_vertices_under_an_oblique_affine():
    field = _linear_field(OBLIQUE, (30, 30, 30))
    layer = Contour((_radius_phantom(), np.eye(4)), level=5.0, color_by=(field, OBLIQUE))
    points = np.asarray(layer.mesh.points)
    samples = np.asarray(layer.mesh.point_data["color_by"])
    expected = points @ np.array([2.0, -1.0, 0.5]) + 3.0
    assert np.isfinite(samples).all()
    np.testing.assert_allclose(samples, expected, atol=1e-4)
    assert layer.color_range == pytest.approx((samples.min(), samples.max()))


def test_color_by_is_nan_outside_the_second_image_and_drawn_in_the_surface_colour(fig):
    affine = np.diag([1.0, 1.0, 1.0, 1.0])
    affine[:3, 3] = (12.0, 0.0, 0.0)  # the second image covers x >= 12 only: half of the sphere
    field = _linear_field(affine, (20, 25, 25))
    layer = Contour((_radius_phantom(), np.eye(4)), level=8.0, color="red", cmap=[[0, 0, 1, 1.0]] * 2,
                    color_by=(field, affine))
    x = np.asarray(layer.mesh.points)[:, 0]
    samples = np.asarray(layer.mesh.point_data["color_by"])
    np.testing.assert_array_equal(np.isnan(samples), x < 12.0 - 1e-6)
    fig.add(layer)
    image = fig.screenshot().astype(int)
    assert ((image[..., 0] - image[..., 2]) > 60).sum() > 200  # outside: the surface's own red
    assert ((image[..., 2] - image[..., 0]) > 60).sum() > 200  # inside: the colormap's blue


def test_color_by_is_live_and_has_its_own_colour_bar_titled_by_the_second_image():
    layer = Contour((_radius_phantom(), np.eye(4)), level=5.0)
    assert layer.colorbar_table() is None
    layer.color_by = (_linear_field(np.eye(4), (25, 25, 25)), np.eye(4))
    table, title = layer.colorbar_table()
    assert title == layer.color_image.name and table.GetRange() == pytest.approx(layer.color_range)
    layer.color_by = None
    assert layer.colorbar_table() is None


def test_levels_and_color_by_survive_a_scene_file_and_a_script(tmp_path):
    figure = bv.figure(size=SIZE, antialias=False)
    bv.contour((_radius_phantom(), np.eye(4)), levels=4, color_by=(_linear_field(OBLIQUE, (30, 30, 30)), OBLIQUE),
               cmap=[[1, 0, 0, 0.5], [0, 0, 1, 1.0]])
    expected = figure.screenshot()
    save_scene(figure, tmp_path / "c.bvscene")
    loaded = load_scene(tmp_path / "c.bvscene")
    assert loaded.layers[0].get_params()["levels"] == 4
    np.testing.assert_array_equal(loaded.screenshot(), expected)
    bv.export_script(tmp_path / "c.py")
    np.testing.assert_array_equal(runpy.run_path(str(tmp_path / "c.py"))["fig"].screenshot(), expected)
    bv.close("all")


def test_levels_set_back_to_none_draws_the_default_level_as_a_rebuilt_layer_does():
    layer = Contour((_radius_phantom(), np.eye(4)), level=4.0)
    layer.levels = 3
    layer.levels = None
    assert layer.level_values == Contour(**layer.get_params()).level_values


def test_color_by_given_as_a_path_is_saved_as_that_file(tmp_path):
    import json

    import nibabel as nib

    path = tmp_path / "field.nii.gz"
    nib.save(nib.Nifti1Image(_linear_field(np.eye(4), (25, 25, 25)).astype(np.float32), np.eye(4)), path)
    figure = bv.figure(size=SIZE, antialias=False)
    bv.contour((_radius_phantom(), np.eye(4)), level=5.0, color_by=str(path))
    save_scene(figure, tmp_path / "p.bvscene")
    bv.close("all")
    params = json.loads((tmp_path / "p.bvscene").read_text())["layers"][0]["params"]
    assert params["color_by"]["$file"]["role"] == "input"
