"""In the app, a model change never waits for the render thread (issue 19: models hand drawers new data).

The render thread holds the render lock while it draws; models no longer take
it (they publish new meshes instead of changing drawn ones), so a colour or
threshold change on the GUI thread returns while a frame is still being drawn,
and the render thread then shows the new mesh.
"""

import threading

import numpy as np
import pytest

pytestmark = pytest.mark.gui

import brainview as bv  # noqa: E402


@pytest.fixture
def window(open_window):
    return open_window((300, 200), (800, 500))


def _hold_render_thread(window):
    """Keep the render thread inside a frame's work, holding the render lock, until ``release`` is set."""
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def busy():
        started.set()
        release.wait(30)
        finished.set()

    window.view.runner.defer(busy)
    assert started.wait(30)
    return release, finished


@pytest.mark.parametrize("make, change", [
    (lambda: bv.layers.Points([[0, 0, 0], [20, 0, 0]], values=[1.0, 2.0], size=20), dict(cmap="gray")),
    (lambda: bv.layers.StatMap((bv.layers._examples.signed_blob(), bv.layers._examples.AFFINE), threshold=2.0,
                               outline=False), dict(threshold=4.0, cmap="cold_hot")),
    (lambda: bv.layers.Connectome(*bv.layers._examples.three_node_graph(), edge_threshold=0.1),
     dict(edge_threshold=0.6, node_color="red")),
], ids=["points", "stat_map", "connectome"])
def test_a_model_change_returns_while_the_render_thread_draws(window, qtbot, make, change):
    layer = window.figure.add(make())
    window.render_now()
    before = np.asarray(window.figure.screenshot())
    release, finished = _hold_render_thread(window)
    try:
        layer.trait_set(**change)  # the GUI thread: models only, no lock
        assert not finished.is_set(), "the model change waited for the frame in progress"
    finally:
        release.set()
    qtbot.waitUntil(lambda: not window.view.runner.pending, timeout=20_000)
    assert not np.array_equal(np.asarray(window.figure.screenshot()), before), "the new data was not drawn"
