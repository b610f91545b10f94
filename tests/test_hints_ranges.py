"""Slider ranges of the property panel: computed once per data, right for every memory order."""

import numpy as np
import pytest

from brainview.gui.hints import data_range
from brainview.layers import Slices


def test_panel_range_of_a_fortran_ordered_image_is_its_finite_min_and_max():
    rng = np.random.default_rng(0)
    data = np.asfortranarray(rng.normal(size=(130, 130, 130)).astype(np.float32))  # > 2 M voxels: sampled
    data[0, 0, 0] = np.nan
    with pytest.warns(UserWarning, match="NaN"):
        layer = Slices((data, np.eye(4)))
    low, high = data_range(layer)
    finite = data[np.isfinite(data)]
    assert finite.min() <= low < high <= finite.max()
    assert low < -3 and high > 3  # the sample spans the data, not one corner of it


def test_panel_range_is_cached_per_data_and_follows_new_data():
    first = Slices((np.arange(27.0).reshape(3, 3, 3), np.eye(4)))
    assert data_range(first) == (0.0, 26.0)
    assert data_range(first) == (0.0, 26.0)
    second = Slices((np.arange(27.0).reshape(3, 3, 3) * 2, np.eye(4)))
    assert data_range(second) == (0.0, 52.0)
    del first
    third = Slices((np.full((2, 2, 2), 7.0), np.eye(4)))  # may reuse a freed id: never the old range
    assert data_range(third) == (6.5, 7.5)
