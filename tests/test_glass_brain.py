"""Glass brain: a light closed outline of the MNI mask, cached, drawn translucent off-screen."""

from __future__ import annotations


import numpy as np
import pytest
from conftest import compare_to_baseline

import brainview as bv
from brainview.layers import GlassBrain, glass_brain as glass_module


@pytest.fixture(scope="module")
def mesh():
    return glass_module.cached_outline()


def test_outline_is_light_closed_and_covers_the_mask(mesh):
    from brainview.datasets import load_mni152_brain_mask
    from brainview.io import load_image

    assert 20_000 <= mesh.n_cells <= 30_000
    edges = mesh.extract_feature_edges(boundary_edges=True, feature_edges=False,
                                       manifold_edges=False, non_manifold_edges=False)
    assert edges.n_cells == 0  # closed: no boundary edges
    mask = load_image(load_mni152_brain_mask(resolution=2))
    inside = np.argwhere(mask.data)
    world = mask.to_world(inside)
    np.testing.assert_allclose(np.ravel(mesh.bounds), np.ravel(
        np.column_stack([world.min(0), world.max(0)])), atol=3.0)


def test_outline_is_cached_in_memory_and_on_disk(tmp_path, monkeypatch):
    import brainview.geometry.glass_brain as geometry

    previous = bv.set_cache(tmp_path)
    monkeypatch.setattr(glass_module, "_MEMORY", {})
    ijk = np.indices((20, 20, 20)) - 10
    ball = (((ijk ** 2).sum(0) < 49).astype(np.int8), np.eye(4))
    try:
        first = glass_module.cached_outline(ball, n_triangles=300)
        assert len(list(tmp_path.rglob("output.pkl"))) == 1
        monkeypatch.setattr(glass_module, "_MEMORY", {})  # a new session: read from disk
        monkeypatch.setattr(geometry, "isosurface", _forbidden)
        second = glass_module.cached_outline(ball, n_triangles=300)
        np.testing.assert_array_equal(first.points, second.points)
        monkeypatch.setattr(glass_module, "outline_mesh", _forbidden)
        glass_module.cached_outline(ball, n_triangles=300)  # memory hit: no disk, no compute
    finally:
        bv.set_cache(previous)


def test_cache_is_keyed_by_content_and_survives_a_corrupt_file(tmp_path, monkeypatch):
    previous = bv.set_cache(tmp_path)
    monkeypatch.setattr(glass_module, "_MEMORY", {})
    ijk = np.indices((20, 20, 20)) - 10
    small = (((ijk ** 2).sum(0) < 25).astype(np.int8), np.eye(4))
    large = (((ijk ** 2).sum(0) < 64).astype(np.int8), np.eye(4))
    try:
        a = glass_module.cached_outline(small, n_triangles=300)
        b = glass_module.cached_outline(large, n_triangles=300)
        assert len(list(tmp_path.rglob("output.pkl"))) == 2
        assert np.ptp(b.points[:, 0]) > np.ptp(a.points[:, 0]) + 4
        for path in tmp_path.rglob("output.pkl"):
            path.write_bytes(b"not a pickle")
        monkeypatch.setattr(glass_module, "_MEMORY", {})
        again = glass_module.cached_outline(small, n_triangles=300)  # joblib recomputes
        np.testing.assert_allclose(again.points, a.points, atol=1e-5)
    finally:
        bv.set_cache(previous)


def _forbidden(*args, **kwargs):
    raise AssertionError("the outline was recomputed instead of read from the cache")


def _sphere_map(center, radius=12.0):
    affine = np.diag([2.0, 2.0, 2.0, 1.0])
    affine[:3, 3] = -80.0
    ijk = np.indices((81, 81, 81)).reshape(3, -1).T
    world = ijk * 2.0 - 80.0
    value = np.clip(radius - np.linalg.norm(world - np.asarray(center), axis=1), 0, None)
    return value.reshape(81, 81, 81).astype(np.float32), affine


def _around(fig, image, xyz, half=8):
    """Pixels around the projection of a world point (after a render)."""
    renderer = fig.renderer
    renderer.SetWorldPoint(*xyz, 1.0)
    renderer.WorldToDisplay()
    x, y, _ = renderer.GetDisplayPoint()
    row, col = image.shape[0] - 1 - int(round(y)), int(round(x))
    return image[row - half:row + half, col - half:col + half].reshape(-1, 3)


def test_map_inside_the_glass_brain_is_seen_through_it(fig):
    bv.glass_brain(opacity=0.2)
    bv.stat_map(_sphere_map((0, -20, 10)), threshold=0.5, vmax=1.0, cmap="bwr")
    bv.view("left")
    image = fig.screenshot().astype(int)
    centre = _around(fig, image, (0, -20, 10))
    # A red sphere behind the translucent grey outline: reddish, not grey, not pure red.
    assert np.median(centre[:, 0] - centre[:, 2]) > 40
    outline_only = image[200, 40:80]
    assert np.all(np.abs(outline_only[:, 0] - outline_only[:, 2]) < 30)


def test_translucent_layers_are_occluded_in_depth_order(fig):
    """A front opaque sphere hides a back one, through the translucent glass (depth peeling)."""
    bv.glass_brain(opacity=0.2)
    front, back = _sphere_map((-30, 0, 10), 15), _sphere_map((30, 0, 10), 15)
    bv.stat_map(front, threshold=0.5, vmax=1.0, cmap="bwr", outline=False)       # red
    bv.stat_map((-back[0], back[1]), threshold=0.5, vmax=1.0, cmap="bwr", outline=False)  # blue
    bv.view("left")  # the camera is at -x: the red sphere is in front
    image = fig.screenshot().astype(int)
    centre = _around(fig, image, (0, 0, 10))
    assert np.median(centre[:, 0] - centre[:, 2]) > 40
    bv.view("right")
    image = fig.screenshot().astype(int)
    centre = _around(fig, image, (0, 0, 10))
    assert np.median(centre[:, 2] - centre[:, 0]) > 40


def test_glass_brain_traits_and_bad_values(fig):
    glass = fig.add(GlassBrain(color="lightblue", opacity=0.3))
    actor = fig.drawer(glass).actor
    assert actor.GetProperty().GetOpacity() == pytest.approx(0.3)
    glass.color = "red"
    assert actor.GetProperty().GetColor() == (1.0, 0.0, 0.0)
    assert fig.drawer(glass).is_context  # context: picks go through the glass (tests/test_picking.py)
    with pytest.raises(ValueError, match="opacity"):
        GlassBrain(opacity=2)
    with pytest.raises(ValueError, match="color"):
        glass.color = "nope"
    with pytest.raises(TypeError, match="mask"):
        GlassBrain(mask=3)


def test_glass_brain_default_baseline(fig):
    """Image regression: the glass brain with the real motor map, default stat_map settings."""
    from brainview.datasets import load_motor_map

    layer = bv.stat_map(load_motor_map(), threshold=3.0)
    assert isinstance(layer, bv.layers.StatMap)
    bv.view("left")
    compare_to_baseline(fig.screenshot(), "glass_brain_default")


def test_comparator_fails_on_a_changed_image(fig):
    from brainview.datasets import load_motor_map

    bv.stat_map(load_motor_map(), threshold=3.0, cmap="cold_hot")
    bv.view("left")
    with pytest.raises(AssertionError, match="differs"):
        compare_to_baseline(fig.screenshot(), "glass_brain_default")


def test_all_zero_mask_is_refused_with_a_named_error():
    """An empty mask made VTK raise 'Array Normals cannot have shape (0, 3)'."""
    with pytest.raises(bv.BrainviewError, match="mask: every voxel .* is 0"):
        GlassBrain(mask=(np.zeros((6, 6, 6)), np.eye(4)))


def test_glass_brain_errors_name_mask():
    with pytest.raises(bv.BrainviewError, match="^mask: "):
        bv.glass_brain(mask=(np.ones((4, 4)), np.eye(4)))
    with pytest.raises(bv.BrainviewError, match="^mask: "):
        bv.glass_brain(mask="/no/such/mask.nii.gz")
