"""The geometry cache: keyed by content (a one-voxel edit recomputes), equal results, off
switch, clearing, and several processes filling one folder."""

from __future__ import annotations

import joblib
import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from brainview import cache
from brainview.errors import BrainviewTypeError
from brainview.geometry.labels import label_surfaces
from brainview.io import load_image


@pytest.fixture
def cache_folder(tmp_path):
    previous = bv.set_cache(tmp_path / "cache")
    yield tmp_path / "cache"
    bv.set_cache(previous)


@pytest.fixture
def count_projections(monkeypatch):
    """Counts nilearn's vol_to_surf calls: the work the cache saves."""
    import nilearn.surface

    calls = []
    original = nilearn.surface.vol_to_surf

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(nilearn.surface, "vol_to_surf", counting)
    return calls


def blob_map(shift=0.0):
    ijk = np.indices((20, 24, 20)).reshape(3, -1).T
    affine = np.diag([8.0, 8.0, 8.0, 1.0])
    affine[:3, 3] = (-80, -110, -70)
    world = ijk * 8.0 + affine[:3, 3]
    data = 5 * np.exp(-np.sum((world - (-40 + shift, -20, 40)) ** 2, axis=1) / 400.0)
    return nib.Nifti1Image(data.reshape(20, 24, 20).astype(np.float32), affine)


def surface_textures(img):
    fig = bv.figure(size=(40, 30))
    layer = bv.stat_map(img, threshold=1.0, mode="surface")
    textures = dict(layer.mode_props.textures)
    bv.close(fig)
    return textures


def test_second_surface_stat_map_is_read_back_equal(cache_folder, count_projections):
    img = blob_map()
    first = surface_textures(img)
    assert len(count_projections) == 2  # one per hemisphere
    second = surface_textures(img)
    assert len(count_projections) == 2, "the second stat map projected again"
    for hemi in ("left", "right"):
        np.testing.assert_array_equal(second[hemi], first[hemi])
    assert np.nanmax(first["left"]) > 1.0  # the blob is on the left hemisphere


def test_one_voxel_edit_recomputes(cache_folder, count_projections, tmp_path):
    path = tmp_path / "zmap.nii.gz"
    img = blob_map()
    nib.save(img, path)
    surface_textures(path)
    edited = np.asarray(img.dataobj).copy()
    edited[5, 12, 15] += 1.0
    nib.save(nib.Nifti1Image(edited, img.affine), path)  # same file name, same object kind
    surface_textures(path)
    assert len(count_projections) == 4


def test_cache_off_computes_every_time(count_projections):
    previous = bv.set_cache(None)
    try:
        assert cache.get_cache() is None
        surface_textures(blob_map())
        surface_textures(blob_map())
        assert len(count_projections) == 4
    finally:
        bv.set_cache(previous)


def test_atlas_surfaces_are_read_back_equal(cache_folder):
    data = np.zeros((12, 8, 8), np.int16)
    data[2:6, 2:6, 2:6], data[6:10, 2:6, 2:6] = 3, 7
    image = load_image((data, np.diag([2.0, 2.0, 2.0, 1.0])))
    first = label_surfaces(image, data)
    second = label_surfaces(image, data)
    assert second is not first
    np.testing.assert_array_equal(second.points, first.points)
    np.testing.assert_array_equal(second.faces, first.faces)
    np.testing.assert_array_equal(second.cell_data["region"], first.cell_data["region"])
    np.testing.assert_array_equal(second.point_data["Normals"], first.point_data["Normals"])
    np.testing.assert_array_equal(second.field_data["adjacency"], [[3, 7]])
    assert second.point_data.active_normals_name == "Normals"
    assert any(cache_folder.rglob("output.pkl"))


def test_cached_mesh_can_be_modified_without_changing_the_cache(cache_folder):
    data = np.zeros((8, 8, 8), np.uint8)
    data[2:6, 2:6, 2:6] = 1
    image = load_image((data, np.eye(4)))
    mesh = label_surfaces(image, data)
    mesh.points[:] = 0
    assert label_surfaces(image, data).points.any()


def test_key_is_content_not_object():
    a = np.arange(24.0).reshape(2, 3, 4)
    assert cache.content_key(a) == cache.content_key(a.copy())
    assert cache.content_key(a) == cache.content_key(np.asfortranarray(a))
    edited = a.copy()
    edited[1, 2, 3] += 1e-9
    assert cache.content_key(a) != cache.content_key(edited)
    assert cache.content_key(a) != cache.content_key(a.reshape(4, 3, 2))
    shifted = load_image((a, np.diag([1.0, 1.0, 2.0, 1.0])))
    assert cache.content_key(load_image((a, np.eye(4)))) != cache.content_key(shifted)
    assert cache.content_key(load_image((a, np.eye(4)), name="x")) == \
        cache.content_key(load_image((a, np.eye(4)), name="y"))


def test_key_refuses_what_it_cannot_hash_by_content():
    with pytest.raises(BrainviewTypeError, match="cannot key a cached result by the content of"):
        cache.content_key(object())


def test_set_cache_accepts_a_joblib_memory(tmp_path):
    memory = joblib.Memory(tmp_path / "mine", verbose=0)
    previous = bv.set_cache(memory)
    try:
        assert cache.get_cache() is memory
        data = np.zeros((6, 6, 6), np.uint8)
        data[1:4, 1:4, 1:4] = 2
        label_surfaces(load_image((data, np.eye(4))), data)
        assert any((tmp_path / "mine").rglob("output.pkl"))
    finally:
        bv.set_cache(previous)


def test_set_cache_refuses_other_types():
    with pytest.raises(BrainviewTypeError, match="location: expected a folder path, a joblib.Memory"):
        bv.set_cache(3)


def test_clear_cache_deletes_every_entry(cache_folder):
    data = np.zeros((6, 6, 6), np.uint8)
    data[1:4, 1:4, 1:4] = 2
    label_surfaces(load_image((data, np.eye(4))), data)
    assert any(cache_folder.rglob("output.pkl"))
    bv.clear_cache()
    assert not any(cache_folder.rglob("output.pkl"))


def draw_atlas(seed):
    """A batch item whose atlas surfaces go through the cache (in a worker process)."""
    data = np.zeros((10, 10, 10), np.uint8)
    data[2:5, 2:8, 2:8], data[5:8, 2:8, 2:8] = 1, 2
    bv.atlas((data, np.eye(4)), smooth=seed % 2)


def test_two_processes_fill_one_cache_folder(cache_folder, tmp_path):
    # 2 workers x 8 items over 2 distinct inputs: both write the same entries at once.
    report = bv.render_many(draw_atlas, list(range(8)), tmp_path / "{index}.png", size=(40, 30),
                            n_jobs=2)
    assert report.ok, report.summary()
    entries = sorted(cache_folder.rglob("output.pkl"))
    assert len(entries) == 2, "the workers did not use the parent's cache folder"
    serial = bv.render_many(draw_atlas, list(range(2)), None, size=(40, 30))
    for index in range(2):
        np.testing.assert_array_equal(serial.images[index], _read(report.paths[index]))


def _read(path):
    from conftest import read_png

    return read_png(path)
