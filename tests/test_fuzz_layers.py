"""Fuzzing atlas and connectome inputs: every outcome is a correct layer or a brainview error.

Hypothesis draws label arrays (any integer dtype, sparse and huge ids), name
lists, dicts and LUT tables, and connectome matrices and coordinates (NaN,
inf, huge, empty). The draws are derandomised (the same examples every run)
and few in CI; ``BRAINVIEW_FUZZ_EXAMPLES=500`` runs more.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from brainview.errors import BrainviewError
from brainview.layers import Atlas, Connectome

EXAMPLES = int(os.environ.get("BRAINVIEW_FUZZ_EXAMPLES", "15"))

FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

LABEL_DTYPES = [np.uint8, np.int16, np.int32, np.uint32, np.int64, np.uint64]
#: Label values a file may hold: small, Allen CCF-sized, beyond 2**53 and 2**63.
LABEL_VALUES = st.sampled_from([0, 0, 0, 1, 2, 3, 7, 255, 614454277, 2**40, 2**53 + 1, 2**63 + 5, -1])


@st.composite
def label_volumes(draw):
    dtype = draw(st.sampled_from(LABEL_DTYPES))
    info = np.iinfo(dtype)
    values = [v for v in draw(st.lists(LABEL_VALUES, min_size=1, max_size=4)) if info.min <= v <= info.max]
    data = np.zeros((6, 5, 4), dtype)
    blocks = draw(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 4), st.integers(0, 3)),
                           min_size=0, max_size=len(values)))
    for (i, j, k), value in zip(blocks, values):
        data[i:i + 2, j:j + 2, k:k + 2] = value
    return data


NAMES = st.text(alphabet="ab(+)*$?[]. ", max_size=6)


def _outcome(build):
    """The layer, or None when a brainview error was raised; anything else fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return build()
        except BrainviewError:
            return None


def _check_atlas(layer, data):
    present = sorted({int(v) for v in np.unique(data)} - {0})
    assert [int(v) for v in layer.label_values] == present
    assert len(set(layer.names)) == len(layer.names)
    assert layer.region_colors.shape == (len(present), 4)  # the drawer's table: one row per region
    for name, point in layer.centroids().items():
        assert layer.label_at(point) == name


@FUZZ
@given(label_volumes())
def test_any_label_array_gives_a_correct_atlas_or_a_brainview_error(data):
    layer = _outcome(lambda: Atlas((data, np.eye(4)), smooth=0))
    if layer is not None:
        _check_atlas(layer, data)


@FUZZ
@given(label_volumes(), st.one_of(
    st.none(), st.lists(NAMES, max_size=6),
    st.dictionaries(st.sampled_from([0, 1, 2, 3, 7, 255, 614454277]), NAMES, max_size=4)))
def test_any_labels_list_or_dict_gives_a_correct_atlas_or_a_brainview_error(data, labels):
    layer = _outcome(lambda: Atlas((data, np.eye(4)), labels=labels, smooth=0))
    if layer is not None:
        _check_atlas(layer, data)


@FUZZ
@given(label_volumes(), st.lists(st.tuples(
    st.sampled_from([0, 1, 2, 3, 7, 614454277, 2**40, "2", "x", 2.5, -1]), NAMES,
    st.sampled_from(["red", "#00ff00", "", "notacolour", None])), max_size=5))
def test_any_lut_table_gives_a_correct_atlas_or_a_brainview_error(data, rows):
    lut = pd.DataFrame(rows, columns=["index", "name", "color"])
    layer = _outcome(lambda: Atlas((data, np.eye(4)), lut=lut, smooth=0))
    if layer is not None:
        _check_atlas(layer, data)


@FUZZ
@given(label_volumes(), st.lists(st.one_of(NAMES, st.integers(-2, 300)), max_size=3))
def test_any_region_selection_gives_a_subset_or_a_brainview_error(data, regions):
    layer = _outcome(lambda: Atlas((data, np.eye(4)), smooth=0))
    if layer is None:
        return
    before = layer.shown
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layer.regions = regions
    except BrainviewError:
        assert layer.shown == before  # a refused value leaves the layer unchanged
        return
    assert set(layer.shown) <= set(layer.names)


ODD_FLOATS = st.sampled_from([0.0, 0.0, 1.0, -0.5, 0.3, np.nan, np.inf, 1e300, -1e300, 1e-300, 5e5])


@st.composite
def graphs(draw):
    n = draw(st.integers(0, 5))
    matrix = draw(hnp.arrays(float, (n, n), elements=ODD_FLOATS))
    if draw(st.booleans()):
        matrix = (matrix + matrix.T) / 2
    coords = draw(hnp.arrays(float, (n, 3), elements=st.sampled_from(
        [0.0, 10.0, -40.0, 70.0, np.nan, np.inf, 1e300, 2e6])))
    threshold = draw(st.sampled_from([None, 0.0, 0.5, "95%", "0%", "101%", -1, True, np.nan, "x"]))
    return matrix, coords, threshold


@FUZZ
@given(graphs(), st.sampled_from([None, True, False]), st.booleans())
def test_any_matrix_and_coordinates_give_a_correct_connectome_or_a_brainview_error(graph, directed, symmetrize):
    matrix, coords, threshold = graph
    layer = _outcome(lambda: Connectome(matrix, coords, edge_threshold=threshold, directed=directed,
                                        symmetrize=symmetrize))
    if layer is None:
        return
    np.testing.assert_array_equal(layer.node_centers(), coords)
    assert np.isfinite(coords).all() and np.abs(coords).max() <= 1e6
    assert 0 <= layer.n_edges_drawn <= len(layer.edges)
    assert np.isfinite(layer.edges.weights).all()
    low, high = layer.edge_clim
    assert np.isfinite([low, high]).all() and low < high
