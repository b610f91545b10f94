"""nilearn's view names and (elev, azim) pairs on bv.view (issue 21), against the anatomical views."""

import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewValueError


@pytest.fixture
def fig():
    figure = bv.figure(size=(80, 60))
    bv.points([[-40, -20, 0], [40, 30, 20]], size=10)
    yield figure
    bv.close("all")


@pytest.mark.parametrize("pair, name", [((0, 180), "left"), ((0, 0), "right"), ((0, 90), "anterior"),
                                         ((90, 0), "superior"), ((-90, 0), "inferior"), ((0, 270), "posterior")])
def test_nilearn_elev_azim_pairs_point_the_camera_as_the_named_views(fig, pair, name):
    fig.view(name)
    expected = fig.view()[:2]
    fig.view(pair)
    np.testing.assert_allclose(fig.view()[:2], expected, atol=1e-6)


def test_hemisphere_views_follow_the_shown_hemisphere_or_hemi(fig):
    fig.view("lateral", hemi="left")
    assert fig.view()[:2] == pytest.approx((180, 90))
    fig.view("medial", hemi="left")
    assert fig.view()[:2] == pytest.approx((0, 90))
    fig.view("dorsal")
    assert fig.view()[1] == pytest.approx(0)
    with pytest.raises(BrainviewValueError, match="needs a hemisphere"):
        fig.view("lateral")  # points only: no hemisphere to follow
    bv.surface("fsaverage5", hemi="right")
    fig.view("lateral")
    assert fig.view()[:2] == pytest.approx((0, 90))


def test_bad_view_requests_name_the_fix(fig):
    with pytest.raises(BrainviewValueError, match="lateral, medial"):
        fig.view("sideways")
    with pytest.raises(BrainviewValueError, match="not both"):
        fig.view((0, 180), azimuth=10)
    with pytest.raises(BrainviewValueError, match="only 'lateral' and 'medial'"):
        fig.view("left", hemi="left")
    with pytest.raises(BrainviewValueError, match="elev, azim"):
        fig.view((1, 2, 3))
