"""One model, many views: drawers follow their layer; one layer shows in several figures."""

import pickle

import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewValueError
from brainview.layers import Contour, GlassBrain, Points, Slices, Surface, Volume
from brainview.layers.registry import DRAWERS_3D, LAYER_KINDS

SIZE = (80, 60)


def _blob():
    ijk = np.indices((16, 16, 16)) - 8
    return ((ijk ** 2).sum(0) < 25).astype(np.float32), np.eye(4)


@pytest.fixture
def two_figures():
    figures = bv.figure(size=SIZE, antialias=False), bv.figure(size=SIZE, antialias=False)
    yield figures
    bv.close("all")


def _red():
    from matplotlib.colors import ListedColormap

    return ListedColormap(["red", "red"])


def _square():
    """A 20 mm square facing anterior (+y), as a surface."""
    return np.array([[-10, 0, -10], [10, 0, -10], [10, 0, 10], [-10, 0, 10.0]]), np.array([[0, 1, 2], [0, 2, 3]])


@pytest.mark.parametrize("make", [lambda: Contour(_blob(), color="red"),
                                  lambda: Points([[0, 0, 0], [8, 0, 0]], size=6, color="red"),
                                  lambda: Volume(_blob(), cmap=_red(), clim=(0.5, 1), opacity=1.0, ramp="flat"),
                                  lambda: Slices(_blob(), cmap=_red(), clim=(0, 1), coords=(0, 8, 8)),
                                  lambda: GlassBrain(_blob(), color="red", opacity=1.0),
                                  lambda: Surface(_square(), color="red")],
                         ids=["contour", "points", "volume", "slices", "glass_brain", "surface"])
def test_one_layer_in_two_figures_draws_in_both_and_follows_a_trait_change(two_figures, make):
    first, second = two_figures
    layer = make()
    first.add(layer)
    second.add(layer)
    for fig in two_figures:
        fig.view("anterior")
    before = [fig.screenshot() for fig in two_figures]
    np.testing.assert_array_equal(before[0], before[1])
    assert before[0][..., 0].max() > 200  # red is drawn
    layer.opacity = 0.3
    after = [fig.screenshot() for fig in two_figures]
    np.testing.assert_array_equal(after[0], after[1])
    assert after[0][..., 0].max() < before[0][..., 0].max()
    second.remove(layer)
    layer.visible = False
    assert first.screenshot().max() == 0
    assert layer in first.layers and layer not in second.layers


def test_adding_a_layer_twice_to_one_figure_is_refused(two_figures):
    first, _ = two_figures
    layer = first.add(Points([[0, 0, 0]]))
    with pytest.raises(BrainviewValueError, match="already in this figure"):
        first.add(layer)


def test_a_drawn_layer_pickles_as_its_parameters(two_figures):
    first, _ = two_figures
    layer = first.add(Contour(_blob(), level=0.5, color="red"))
    copy = pickle.loads(pickle.dumps(layer))
    assert copy.get_params()["color"] == "red" and copy.mesh.n_points == layer.mesh.n_points


def test_every_drawer_names_a_registered_kind():
    assert set(DRAWERS_3D) <= set(LAYER_KINDS)
