"""The brain-mining example's data: planted networks where they are said to be, with the said graph.

The example itself (scripts/plot_brain_mining.py, run by tests/test_examples.py)
checks that CanICA recovers every network and GraphicalLassoCV the couplings.
"""

import numpy as np
import pytest

from brainview.errors import BrainviewValueError
from brainview.simulate import (
    NETWORK_COUPLINGS,
    RESTING_NETWORKS,
    _latent_series,
    make_resting_state_dataset,
    network_partial_correlation,
)


@pytest.fixture(scope="module")
def dataset():
    return make_resting_state_dataset(n_subjects=1, n_timepoints=20, resolution=4, rng=0)


def _world_to_voxel(img, xyz):
    return tuple(np.round(np.linalg.solve(img.affine, [*xyz, 1.0])[:3]).astype(int))


def test_each_network_peaks_at_its_mni_centres_on_the_2mm_grid():
    data = make_resting_state_dataset(n_subjects=1, n_timepoints=10, resolution=2, rng=0)
    profiles = data["networks_img"].dataobj
    for index, name in enumerate(data["network_names"]):
        for centre in RESTING_NETWORKS[name]:
            assert profiles[_world_to_voxel(data["networks_img"], centre) + (index,)] == pytest.approx(1.0)


def test_planted_networks_are_spatially_distinct(dataset):
    profiles = np.asarray(dataset["networks_img"].dataobj).reshape(-1, len(dataset["network_names"]))
    overlap = np.corrcoef(profiles.T)[np.triu_indices(profiles.shape[1], 1)]
    assert np.abs(overlap).max() < 0.05


def test_networks_live_inside_the_brain_mask(dataset):
    mask = np.asarray(dataset["mask_img"].dataobj).astype(bool)
    profiles = np.asarray(dataset["networks_img"].dataobj)
    assert not profiles[~mask].any()


def test_latent_series_have_the_planted_partial_correlations():
    partial = network_partial_correlation()
    series = _latent_series(partial, 50_000, np.random.default_rng(0))
    precision = np.linalg.inv(np.corrcoef(series.T))
    scale = 1 / np.sqrt(np.diag(precision))
    estimated = -precision * np.outer(scale, scale)
    off_diagonal = ~np.eye(len(partial), dtype=bool)
    np.testing.assert_allclose(estimated[off_diagonal], partial[off_diagonal], atol=0.02)
    np.testing.assert_allclose(series.std(axis=0), 1.0, atol=0.02)


def test_partial_correlation_matrix_is_the_couplings_and_nothing_else():
    names = list(RESTING_NETWORKS)
    partial = network_partial_correlation()
    assert np.allclose(partial, partial.T) and np.allclose(np.diag(partial), 1.0)
    for (first, second), value in NETWORK_COUPLINGS.items():
        assert partial[names.index(first), names.index(second)] == value
    assert np.count_nonzero(partial[np.triu_indices(len(names), 1)]) == len(NETWORK_COUPLINGS)


def test_same_seed_same_data_other_seed_other_data():
    first, again, other = (make_resting_state_dataset(n_subjects=1, n_timepoints=10, resolution=4, rng=seed)
                           for seed in (0, 0, 1))
    assert np.array_equal(first["imgs"][0].dataobj, again["imgs"][0].dataobj)
    assert not np.array_equal(first["imgs"][0].dataobj, other["imgs"][0].dataobj)


def test_subjects_share_the_networks_not_the_time_series():
    data = make_resting_state_dataset(n_subjects=2, n_timepoints=10, resolution=4, rng=0)
    assert len(data["imgs"]) == 2
    assert not np.array_equal(data["imgs"][0].dataobj, data["imgs"][1].dataobj)


@pytest.mark.parametrize(("options", "match"), [
    ({"resolution": 3}, "resolution: must be 2 or 4"),
    ({"n_timepoints": 5}, "n_timepoints: expected an integer >= 10"),
    ({"n_subjects": True}, "n_subjects: expected an integer >= 1"),
])
def test_bad_dataset_options_are_named(options, match):
    with pytest.raises(BrainviewValueError, match=match):
        make_resting_state_dataset(**options)


def test_impossible_couplings_are_refused():
    with pytest.raises(BrainviewValueError, match="couplings: no Gaussian process"):
        network_partial_correlation(["a", "b", "c"], {("a", "b"): 0.9, ("b", "c"): 0.9, ("a", "c"): 0.9})
    with pytest.raises(BrainviewValueError, match="couplings: unknown network 'limbic'"):
        network_partial_correlation(couplings={("limbic", "visual"): 0.3})
