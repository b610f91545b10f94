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


def test_panel_range_of_a_4d_volume_shown_again_is_not_scanned_again(monkeypatch):
    """Each volume step takes a new view of the series: the range is kept per volume, not per view."""
    from brainview.gui import hints

    series = np.stack([np.arange(27.0).reshape(3, 3, 3) * (k + 1) for k in range(3)], -1)
    layer = Slices((series, np.eye(4)), volume=0)
    scans = []
    scan = hints._finite_range
    monkeypatch.setattr(hints, "_finite_range", lambda values: scans.append(1) or scan(values))
    for volume in (1, 2, 1, 2, 0):
        layer.volume = volume
        assert data_range(layer) == (0.0, 26.0 * (volume + 1))
    assert len(scans) == 3, "one scan per volume"
