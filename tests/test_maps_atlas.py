"""Sets of maps as regions: signed decomposition components, probabilistic atlases, their nodes."""

import warnings

import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewValueError, BrainviewWarning
from brainview.layers import Atlas, Connectome
from brainview.layers._atlas_maps import nilearn_auto_percentile

SHAPE = (40, 48, 40)
AFFINE = np.array([[4.0, 0, 0, -80], [0, 4, 0, -110], [0, 0, 4, -60], [0, 0, 0, 1]])
CENTRES = np.array([(-40, -20, 50), (40, -20, 50), (0, -60, 30), (-50, -30, 0), (30, 40, 10)], float)


def _world():
    ijk = np.indices(SHAPE).reshape(3, -1).T
    return (ijk @ AFFINE[:3, :3].T + AFFINE[:3, 3]).reshape(SHAPE + (3,))


def signed_components(noise=0.4, seed=0):
    """Five smooth blobs, alternately positive and negative, with noise everywhere."""
    rng = np.random.default_rng(seed)
    world = _world()
    maps = np.empty(SHAPE + (len(CENTRES),), np.float32)
    for k, centre in enumerate(CENTRES):
        blob = 3.0 * np.exp(-((world - centre) ** 2).sum(-1) / (2 * 8.0**2))
        maps[..., k] = (1 if k % 2 == 0 else -1) * blob + noise * rng.standard_normal(SHAPE)
    return maps


def test_five_signed_components_give_five_regions_at_their_centres():
    with warnings.catch_warnings():
        warnings.simplefilter("error", BrainviewWarning)  # no map is dropped
        layer = Atlas((signed_components(), AFFINE))
    assert layer.names == [f"component {k}" for k in range(1, 6)]
    region = layer.mesh.cell_data["region"]
    assert set(np.unique(region)) == {1, 2, 3, 4, 5}
    centres = layer.centroids()
    for k, centre in enumerate(CENTRES):
        assert np.linalg.norm(np.array(centres[f"component {k + 1}"]) - centre) < 4.0
        # no region from noise alone: every drawn triangle of a map is near its blob
        points = layer.mesh.extract_cells(np.flatnonzero(region == k + 1)).points
        assert np.linalg.norm(points - centre, axis=1).max() < 25.0


def test_dominant_sign_and_both_signs():
    maps = signed_components()
    dominant = Atlas((maps, AFFINE), smooth=0)
    assert [r.sign for r in dominant.map_regions] == [1, -1, 1, -1, 1]
    both = Atlas((maps, AFFINE), sign="both", smooth=0)
    assert [r.sign for r in both.map_regions] == [0] * 5
    with pytest.warns(BrainviewWarning, match="2 of 5 maps have no region.*component 2, component 4"):
        positive = Atlas((signed_components(noise=0.0), AFFINE), sign="positive", smooth=0)
    assert set(np.unique(positive.mesh.cell_data["region"])) == {1, 3, 5}


def test_default_threshold_is_nilearns_plot_prob_atlas_auto_rule():
    from nilearn._utils.extmath import fast_abs_percentile

    maps = signed_components()
    layer = Atlas((maps, AFFINE), smooth=0)
    percent = 100 * (1 - 0.2 * 0.5 / 5)  # plot_prob_atlas, 5 maps: the "continuous" view
    assert nilearn_auto_percentile(5) == pytest.approx(percent)
    expected = [fast_abs_percentile(maps[..., k], percent) for k in range(5)]
    assert [r.threshold for r in layer.map_regions] == pytest.approx(expected, rel=1e-6)


def test_specks_below_min_region_size_are_dropped():
    maps = signed_components()
    layer = Atlas((maps, AFFINE), smooth=0)
    assert all(r.n_dropped > 0 for r in layer.map_regions)  # noise specks existed
    everything = Atlas((maps, AFFINE), smooth=0, min_region_size=0)
    assert all(r.n_dropped == 0 for r in everything.map_regions)
    assert everything.mesh.n_cells > layer.mesh.n_cells
    layer.min_region_size = 64.0 * 2  # mm³: clusters of one voxel (64 mm³) go, the rest stays
    assert all(r.indices.size < e.indices.size for r, e in zip(layer.map_regions, everything.map_regions))
    with pytest.raises(BrainviewValueError, match="min_region_size"):
        layer.min_region_size = "ten"


def test_label_at_gives_the_component_and_its_value():
    maps = signed_components(noise=0.0)
    layer = Atlas((maps, AFFINE), smooth=0)
    answer = layer.label_at(CENTRES[1])
    assert list(answer) == ["component 2"]
    assert answer["component 2"] == pytest.approx(-3.0, abs=0.2)
    assert layer.label_at((0, 0, -50)) is None


def test_selection_and_threshold_are_live(fig):
    layer = bv.atlas((signed_components(), AFFINE))
    layer.regions = [2, 4]
    assert layer.shown == ["component 2", "component 4"]
    mapper = fig.drawer(layer).actor.GetMapper()
    drawn = np.asarray(mapper.GetInput().GetCellData().GetArray("region"))
    assert set(np.unique(drawn)) == {2, 4}
    cells = layer.mesh.n_cells
    layer.threshold = 1.5
    assert layer.mesh.n_cells < cells
    assert set(np.unique(np.asarray(mapper.GetInput().GetCellData().GetArray("region")))) == {2, 4}
    assert mapper.GetInput() is layer.shown_mesh
    with pytest.raises(BrainviewValueError, match="threshold"):
        layer.threshold = -1


def test_positive_only_probabilistic_atlas_keeps_half_maximum_threshold_and_probabilities():
    world = _world()
    maps = np.stack([np.clip(1 - np.linalg.norm(world - c, axis=-1) / 20, 0, 1) for c in CENTRES[:2]],
                    axis=-1).astype(np.float32)
    layer = Atlas((maps, AFFINE), smooth=0)
    assert layer.names == ["label 1", "label 2"]
    assert [r.threshold for r in layer.map_regions] == pytest.approx(maps.max(axis=(0, 1, 2)) / 2)
    at = layer.label_at(CENTRES[0])
    assert list(at) == ["label 1"] and at["label 1"] > 0.85
    near = layer.label_at(CENTRES[0] + [16, 0, 0])  # below threshold, still a probability
    assert list(near) == ["label 1"] and near["label 1"] == pytest.approx(0.2, abs=0.15)


def test_connectome_nodes_from_components_lie_in_each_map_main_cluster():
    maps = signed_components()
    layer = Atlas((maps, AFFINE))
    matrix = np.ones((5, 5)) - np.eye(5)
    graph = Connectome(matrix, atlas=layer)
    assert graph.node_positions.shape == (5, 3)
    assert np.allclose(graph.node_positions, list(layer.centroids().values()))
    for k, xyz in enumerate(graph.node_positions):
        assert list(layer.label_at(xyz))[0] == f"component {k + 1}"
        assert np.linalg.norm(xyz - CENTRES[k]) < 4.0


def test_four_d_maps_bad_options():
    maps = signed_components()
    with pytest.raises(BrainviewValueError, match="sign"):
        Atlas((maps, AFFINE), sign="largest")
    with pytest.raises(BrainviewValueError, match="threshold"):
        Atlas((maps, AFFINE), threshold="200%")
    with pytest.raises(BrainviewValueError, match="no map reaches"):
        Atlas((maps, AFFINE), threshold=100.0)
