"""Per-vertex data with several columns (time points, maps): all kept, ``column=`` live (issue 20)."""

from __future__ import annotations

import warnings
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewValueError
from brainview.layers import StatMap, Surface, Volume

GIFTI_DATA = Path(nib.__file__).parent / "gifti" / "tests" / "data"


def _mesh(n, seed=0):
    """``n`` vertices (random, in mm) and a fan of triangles over them."""
    vertices = np.random.default_rng(seed).normal(scale=20.0, size=(n, 3))
    faces = np.column_stack([np.zeros(n - 2, int), np.arange(1, n - 1), np.arange(2, n)])
    return vertices, faces


def _mgz_series(tmp_path, n=50, t=4):
    values = np.random.default_rng(1).normal(size=(n, 1, 1, t)).astype(np.float32)
    path = tmp_path / "lh.series.mgz"
    nib.save(nib.MGHImage(values, np.eye(4)), path)
    return path, values[:, 0, 0, :]


def test_gifti_with_several_arrays_keeps_every_column():
    path = GIFTI_DATA / "task.func.gii"
    arrays = [d.data for d in nib.load(path).darrays]
    layer = Surface(_mesh(len(arrays[0])), path, column=3)
    assert layer.n_columns == len(arrays) == 10
    np.testing.assert_allclose(layer.overlay_values, arrays[3])
    layer.column = 9
    np.testing.assert_allclose(layer.overlay_values, arrays[9])


def test_mgz_of_n_1_1_t_is_columns_and_a_column_change_does_not_read_the_file_again(tmp_path):
    path, values = _mgz_series(tmp_path)
    layer = Surface(_mesh(50), path, column=1)
    np.testing.assert_allclose(layer.overlay_values, values[:, 1])
    before = np.asarray(layer.mesh.point_data["rgb"]).copy()
    path.unlink()  # a re-read would fail now
    layer.column = 2
    np.testing.assert_allclose(layer.overlay_values, values[:, 2])
    assert layer.clim == pytest.approx((values[:, 2].min(), values[:, 2].max()))
    assert not np.array_equal(before, np.asarray(layer.mesh.point_data["rgb"])), "the mesh is recoloured"
    assert layer.get_params()["column"] == 2


def test_column_change_redraws_the_figure():
    values = np.column_stack([np.linspace(0, 1, 20), np.linspace(1, 0, 20)])
    layer = Surface(_mesh(20), values, clim=(0.0, 1.0))
    figure = bv.figure(size=(120, 100), antialias=False)
    figure.add(layer)
    first = figure.screenshot()
    layer.column = 1
    second = figure.screenshot()
    bv.close(figure)
    assert np.abs(first.astype(int) - second.astype(int)).sum() > 0


def test_column_out_of_range_names_the_valid_range_and_changes_nothing():
    values = np.zeros((10, 3))
    with pytest.raises(BrainviewValueError, match=r"column: 3 is out of range.*3 columns \(valid: 0\.\.2\)"):
        Surface(_mesh(10), values, column=3)
    layer = Surface(_mesh(10), values, column=1)
    with pytest.raises(BrainviewValueError, match=r"valid: 0\.\.2"):
        layer.column = -1
    with pytest.raises(TypeError, match="integer column index"):
        layer.column = 1.5
    assert layer.column == 1 and layer.get_params()["column"] == 1
    with pytest.raises(BrainviewValueError, match=r"one column.*valid: 0\.\.0"):
        Surface(_mesh(10), np.zeros(10), column=1)
    bare = Surface(_mesh(10))  # no overlay: column 0 (or None) is all there is
    bare.column = 0
    with pytest.raises(BrainviewValueError, match=r"valid: 0\.\.0"):
        bare.column = 1


def test_a_single_column_overlay_still_refuses_a_columns_array_without_column_in_load_surface_data():
    from brainview.io import load_surface_data

    with pytest.raises(BrainviewValueError, match=r"3 columns.*column=k"):
        load_surface_data(np.zeros((10, 3)), n_vertices=10)


def test_transposed_series_gets_a_transpose_hint():
    with pytest.raises(BrainviewValueError, match=r"\(columns, vertices\).*\.T"):
        Surface(_mesh(10), np.zeros((3, 10)))


def test_column_round_trips_through_scene_file_and_script(tmp_path):
    path, values = _mgz_series(tmp_path)
    bv.figure(size=(80, 60))
    layer = bv.surface(_mesh(50), path, column=0)
    layer.column = 3
    bv.save_scene(tmp_path / "s.bvscene")
    bv.export_script(tmp_path / "s.py")
    bv.close("all")
    loaded = bv.load_scene(tmp_path / "s.bvscene").layers[0]
    assert loaded.column == 3
    np.testing.assert_allclose(loaded.overlay_values, values[:, 3])
    assert "column=3" in (tmp_path / "s.py").read_text()
    bv.close("all")


@pytest.mark.parametrize("make", [lambda p: Volume(p, volume=0), lambda p: StatMap(p)], ids=["volume", "stat_map"])
def test_per_vertex_mgz_drawn_as_a_volume_points_to_surface_with_column(tmp_path, make):
    """Was a silent empty frame with bounds x -5121..5120."""
    path, _ = _mgz_series(tmp_path, n=10242, t=3)
    with pytest.raises(BrainviewValueError, match=r"per-vertex surface data.*bv\.surface|brainview\.surface.*column=k"):
        make(path)


def test_per_vertex_mgz_of_one_column_is_refused_as_a_volume_too(tmp_path):
    path = tmp_path / "lh.thickness.mgz"
    nib.save(nib.MGHImage(np.ones((642, 1, 1), np.float32), np.eye(4)), path)
    with pytest.raises(BrainviewValueError, match=r"per-vertex surface data.*overlay=path\)"):
        Volume(path)


def test_overlay_pair_of_several_columns_stacks_left_then_right():
    left, right = np.arange(8.0).reshape(4, 2), 10 + np.arange(8.0).reshape(4, 2)
    mesh_l, mesh_r = _mesh(4, 0), _mesh(4, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer = Surface((_as_surface(mesh_l), _as_surface(mesh_r)), (left, right), hemi="both", column=1)
    np.testing.assert_array_equal(layer.overlay_values, [1, 3, 5, 7, 11, 13, 15, 17])
    with pytest.raises(BrainviewValueError, match="left part has 2 columns and the right part 1"):
        Surface((_as_surface(mesh_l), _as_surface(mesh_r)), (left, right[:, 0]), hemi="both")


def _as_surface(mesh):
    from brainview.io import Surface as Mesh

    return Mesh(np.asarray(mesh[0], float) + [[-100.0, 0, 0]], mesh[1], "m")
