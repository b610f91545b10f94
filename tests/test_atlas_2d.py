"""2-D views of atlases through the model's public API: label atlases and 4-D probabilistic ones."""

import nibabel as nib
import numpy as np
import pytest

from brainview.errors import BrainviewValueError
from brainview.layers import Atlas
from brainview.planes import PLANES, describe_values, plane_image, values_at

#: A flipped, anisotropic, shifted grid (x runs right to left): nothing lines up with the world by chance.
PROB_AFFINE = np.array([[-2.0, 0, 0, 22], [0, 2.0, 0, -18], [0, 0, 2.5, -12], [0, 0, 0, 1]])
PROB_SHAPE = (24, 20, 16)
#: Voxel centres of the three maps' peaks (they overlap: neighbours are 7-8 voxels apart).
PROB_CENTRES = np.array([(7, 10, 8), (15, 10, 8), (11, 4, 7)])
PROB_NAMES = ["Left blob", "Right blob", "Back blob"]
PEAK = 0.9


def probabilistic_atlas_image():
    """A nilearn-style probabilistic atlas: one overlapping 3-D Gaussian probability map per region, 4-D NIfTI."""
    ijk = np.indices(PROB_SHAPE).transpose(1, 2, 3, 0).astype(float)
    maps = np.stack([PEAK * np.exp(-((ijk - c) ** 2).sum(-1) / (2 * 3.0 ** 2)) for c in PROB_CENTRES], axis=-1)
    return nib.Nifti1Image(maps.astype(np.float32), PROB_AFFINE)


def prob_centre_mm(k):
    """World mm of map ``k``'s peak voxel."""
    return tuple(float(v) for v in PROB_AFFINE[:3, :3] @ PROB_CENTRES[k] + PROB_AFFINE[:3, 3])


@pytest.fixture
def prob_atlas():
    return Atlas(probabilistic_atlas_image(), labels=PROB_NAMES, smooth=0)


def _pixel(plane, xyz):
    column, row = plane.pixel_of(xyz)
    return plane.rgba[int(round(row)), int(round(column))]


@pytest.mark.parametrize("plane", sorted(PLANES))
def test_2d_views_of_a_4d_probabilistic_atlas_do_not_crash_with_unhashable_ndarray(prob_atlas, plane):
    """Issue 19: every 2-D view of a 4-D atlas raised ``TypeError: unhashable type: 'numpy.ndarray'``."""
    normal = PLANES[plane][0]
    for k in range(len(PROB_NAMES)):
        xyz = prob_centre_mm(k)
        image = plane_image([prob_atlas], plane, xyz[normal])
        assert image.rgba.shape[2] == 4
        # the maximum-probability region's colour, opaque, at its peak
        np.testing.assert_array_equal(_pixel(image, xyz), prob_atlas.region_colors[k])


def test_location_text_inside_region_k_names_region_k_and_its_probability(prob_atlas):
    for k, name in enumerate(PROB_NAMES):
        xyz = prob_centre_mm(k)
        (reading,) = values_at([prob_atlas], xyz)
        assert reading.region == name
        assert next(iter(reading.value)) == name and reading.value[name] == pytest.approx(PEAK)
        assert reading.voxel == tuple(int(v) for v in PROB_CENTRES[k])
        assert f"atlas: {name} 0.9" in describe_values(xyz, [reading])
        assert prob_atlas.region_at(xyz) == name
        assert prob_atlas.probabilities_at(xyz)[name] == pytest.approx(PEAK)


def test_label_volume_of_4d_maps_is_the_maximum_probability_region_memoised_per_data(prob_atlas):
    maps = probabilistic_atlas_image().get_fdata()
    levels = maps.max(axis=(0, 1, 2)) / 2  # the default threshold: half of each map's maximum
    held = np.where(maps >= levels, maps, -np.inf)
    expected = np.where(np.isfinite(held.max(axis=-1)), held.argmax(axis=-1) + 1, 0)
    volume = prob_atlas.label_volume()
    np.testing.assert_array_equal(volume, expected)
    assert set(np.unique(volume)) == {0, 1, 2, 3}
    assert not volume.flags.writeable
    assert np.shares_memory(prob_atlas.label_volume(), volume), "computed once per data"
    prob_atlas.threshold = 0.7  # other regions: computed again
    smaller = prob_atlas.label_volume()
    assert not np.shares_memory(smaller, volume) and (smaller > 0).sum() < (volume > 0).sum()


def test_2d_view_follows_the_region_subset_and_colours_of_a_4d_atlas(prob_atlas):
    xyz = [prob_centre_mm(k) for k in range(3)]
    prob_atlas.regions = "Left"
    image = plane_image([prob_atlas], "axial", xyz[0][2])
    assert _pixel(image, xyz[0])[3] == 255 and _pixel(image, xyz[1])[3] == 0
    prob_atlas.colors = {"Left blob": "red"}
    image = plane_image([prob_atlas], "axial", xyz[0][2])
    assert _pixel(image, xyz[0]).tolist() == [255, 0, 0, 255]
    assert prob_atlas.color_of("Left blob") == (1.0, 0.0, 0.0)


def test_region_at_outside_and_probabilities_of_a_label_atlas():
    data = np.zeros((6, 6, 6), np.uint8)
    data[1:4, 1:4, 1:4] = 3
    labels = Atlas((data, np.eye(4)), labels={3: "cube"}, smooth=0)
    assert labels.region_at((2, 2, 2)) == "cube" == labels.label_at((2, 2, 2))
    assert labels.region_at([(2, 2, 2), (5, 5, 5), (50, 0, 0)]) == ["cube", None, None]
    np.testing.assert_array_equal(labels.label_volume(), data)
    assert labels.shown_labels.tolist() == [3] and labels.map_regions == ()
    with pytest.raises(BrainviewValueError, match="probabilities_at: 'atlas' is a label image"):
        labels.probabilities_at((2, 2, 2))
    with pytest.raises(BrainviewValueError, match="xyz: expected"):
        labels.region_at((1, 2))


def test_probabilities_outside_a_4d_atlas_are_none(prob_atlas):
    assert prob_atlas.probabilities_at((500.0, 0.0, 0.0)) is None
    assert prob_atlas.region_at((500.0, 0.0, 0.0)) is None
    assert [r.sign for r in prob_atlas.map_regions] == [1, 1, 1]
    assert prob_atlas.probabilistic
