"""A session reopened in the app keeps its colour bars' tick format (the app re-added bars without it)."""

import numpy as np
import pytest

import brainview as bv
from brainview.export.scene_writer import save_scene

pytestmark = pytest.mark.gui


def _scene_with_a_formatted_bar(path):
    fig = bv.Figure(size=(120, 90))
    layer = fig.add(bv.layers.Slices((np.arange(8.0).reshape(2, 2, 2), np.eye(4)), clim=(0, 1)))
    fig.colorbar(layer, format="%.1f mm", n_labels=3, title="depth")
    save_scene(fig, path)
    fig.close()


def test_scene_file_round_trip_keeps_the_colorbar_format(tmp_path):
    _scene_with_a_formatted_bar(tmp_path / "bar.bvz")
    again = bv.load_scene(tmp_path / "bar.bvz")
    assert [(bar.format, bar.labels) for bar in again.colorbars] == [("%.1f mm", ["0.0 mm", "0.5 mm", "1.0 mm"])]
    bv.close(again)


def test_session_reopened_in_the_app_keeps_the_colorbar_format(tmp_path, open_window, qtbot):
    _scene_with_a_formatted_bar(tmp_path / "bar.bvz")
    window = open_window((120, 90), (600, 400))
    with qtbot.waitSignal(window.loaded, timeout=120000):
        window.open_session(tmp_path / "bar.bvz")
    bars = [bar for bar in window.figure.colorbars if bar.title == "depth"]
    assert [(bar.format, bar.labels) for bar in bars] == [("%.1f mm", ["0.0 mm", "0.5 mm", "1.0 mm"])]
    assert len(window.figure.colorbars) == 1  # the window adds no second bar for the selected layer
