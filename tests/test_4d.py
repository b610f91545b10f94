"""4-D images in the library: every volume kept, ``layer.volume`` live, saved, and read once."""

import json

import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewValueError
from brainview.export.scene_file import load_scene, save_scene
from brainview.io import images
from brainview.layers import Contour, Slices, StatMap, Volume

#: A nilearn-like 4 mm grid (x flipped, as MNI152 files are).
AFFINE = np.array([[-4.0, 0, 0, 18], [0, 4, 0, -22], [0, 0, 4, -18], [0, 0, 0, 1]])
KINDS = [Volume, StatMap, Slices, Contour]


def bold(n_volumes=6):
    """A small BOLD-like series: a blob whose height changes with time, plus a distinct offset per volume."""
    ijk = np.indices((10, 12, 10)).transpose(1, 2, 3, 0)
    blob = np.exp(-np.sum((ijk - np.array([4, 6, 5])) ** 2, axis=-1) / 8.0)
    heights = 2.0 + np.arange(n_volumes)
    return (blob[..., None] * heights + 0.01 * np.arange(n_volumes)).astype(np.float32)


@pytest.fixture
def bold_path(tmp_path):
    path = tmp_path / "bold.nii.gz"
    nib.save(nib.Nifti1Image(bold(), AFFINE), path)
    return path


def _input(source, bold_path):
    data = bold()
    if source == "file":
        return bold_path
    if source == "nibabel":
        return nib.Nifti1Image(data, AFFINE)
    return (data, AFFINE)


@pytest.mark.parametrize("source", ["file", "nibabel", "array"])
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_volume_is_live_for_every_image_kind_and_input(kind, source, bold_path):
    layer = kind(_input(source, bold_path), volume=0)
    assert layer.n_volumes == 6
    layer.volume = 4
    np.testing.assert_array_equal(layer.image.data, bold()[..., 4])
    assert layer.get_params()["volume"] == 4
    np.testing.assert_allclose(layer.series_at(layer.image.to_world([[4, 6, 5]])[0]), bold()[4, 6, 5])


def test_changing_volume_reads_the_file_once_and_copies_no_volume(bold_path, monkeypatch):
    reads = []
    real = images.read_image_file
    monkeypatch.setattr(images, "read_image_file", lambda *a, **k: reads.append(a) or real(*a, **k))
    layer = Slices(bold_path, volume=0)
    first = layer.image.data
    for volume in (1, 5, 2):
        layer.volume = volume
    assert len(reads) == 1
    assert _root(first) is _root(layer.image.data)  # views of one 4-D buffer, no copy per volume
    layer.img = bold_path  # assigning the path again reads the file again (it may have changed)
    assert len(reads) == 2


def _root(array):
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def test_colour_range_is_computed_once_per_volume(monkeypatch):
    from brainview import colors

    calls = []
    real = colors.robust_range
    monkeypatch.setattr(colors, "robust_range", lambda data, *a, **k: calls.append(1) or real(data, *a, **k))
    layer = Volume((bold(), AFFINE), volume=0)
    for volume in (1, 0, 1, 0):
        layer.volume = volume
    assert len(calls) == 2
    assert layer.clim == Volume((bold(), AFFINE), volume=0).clim


def test_out_of_range_volume_is_refused_and_the_layer_keeps_its_volume():
    layer = StatMap((bold(), AFFINE), volume=2)
    with pytest.raises(BrainviewValueError, match=r"volume: must be an integer in 0\.\.5"):
        layer.volume = 6
    with pytest.raises(BrainviewValueError, match="volume"):
        layer.volume = -1
    assert layer.volume == 2 and layer.get_params()["volume"] == 2
    np.testing.assert_array_equal(layer.image.data, bold()[..., 2])
    three_d = Slices((bold()[..., 0], AFFINE))
    assert three_d.n_volumes == 1
    with pytest.raises(BrainviewValueError, match="only 4-D images"):
        three_d.volume = 1


@pytest.mark.parametrize("source", ["file", "array"])
def test_scene_file_and_script_keep_the_volume(source, bold_path, tmp_path):
    fig = bv.figure(size=(200, 200), antialias=False)
    try:
        layer = bv.stat_map(bold_path if source == "file" else (bold(), AFFINE), volume=0, threshold=1.0)
        layer.volume = 3
        save_scene(fig, tmp_path / "s.bvscene")
        params = json.loads((tmp_path / "s.bvscene").read_text())["layers"][0]["params"]
        assert params["volume"] == 3
        loaded = load_scene(tmp_path / "s.bvscene").layers[0]
        assert loaded.volume == 3 and loaded.n_volumes == 6
        np.testing.assert_array_equal(loaded.image.data, bold()[..., 3])
        bv.export_script(tmp_path / "s.py")
        assert "volume=3" in (tmp_path / "s.py").read_text()
    finally:
        bv.close("all")


def test_series_at_is_nan_outside_and_reads_every_volume():
    series = images.load_series((bold(), AFFINE))
    inside = series.values_at(AFFINE[:3, :3] @ [4, 6, 5] + AFFINE[:3, 3])
    np.testing.assert_allclose(inside, bold()[4, 6, 5])
    assert np.isnan(series.values_at([500.0, 0, 0])).all() and series.values_at([500.0, 0, 0]).shape == (6,)


@pytest.mark.parametrize("first", [0, 1])
def test_probabilistic_atlas_file_names_its_maps_from_a_table_indexed_from_0_or_1(tmp_path, first):
    """A table of the maps numbered from 0 named map k with row k + 1's name (the first region was lost)."""
    from brainview.gui.files import layers_from_files

    from test_atlas_2d import PROB_NAMES, prob_centre_mm, probabilistic_atlas_image

    path = tmp_path / "maps.nii.gz"
    nib.save(probabilistic_atlas_image(), path)
    rows = "".join(f"{first + k}\t{name}\n" for k, name in enumerate(PROB_NAMES))
    (tmp_path / "maps.tsv").write_text("index\tname\n" + rows)
    with pytest.warns(bv.errors.BrainviewWarning, match="region names from 'maps.tsv'"):
        (layer,) = layers_from_files([path])
    assert layer.kind == "atlas" and layer.names == PROB_NAMES
    assert layer.region_at(prob_centre_mm(0)) == PROB_NAMES[0]
