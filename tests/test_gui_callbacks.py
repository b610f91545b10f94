"""Script callbacks driven by real clicks and keys on the app's 3-D view (issue 22)."""

import numpy as np
import pytest
from PyQt5 import QtCore

pytestmark = pytest.mark.gui

import brainview as bv  # noqa: E402


@pytest.fixture
def window(open_window):
    return open_window((300, 300), (700, 500))


def _pixel_of(window, xyz):
    renderer = window.figure.renderer
    renderer.SetWorldPoint(*xyz, 1.0)
    renderer.WorldToDisplay()
    x, y, _ = renderer.GetDisplayPoint()
    height = window.figure.window.GetSize()[1]
    ratio = window.view.devicePixelRatioF()
    return QtCore.QPoint(round(x / ratio), round((height - 1 - y) / ratio))


def test_a_click_on_the_3d_view_calls_on_pick_with_the_ball_clicked(window, qtbot):
    balls = window.figure.add(bv.layers.Points([[-30, 0, 0], [30, 0, 0]], size=25, color=["red", "white"]))
    window.figure.view("superior")
    window.render_now()
    picked = []
    window.figure.on_pick(picked.append)
    qtbot.mouseClick(window.view, QtCore.Qt.LeftButton, pos=_pixel_of(window, (30, 0, 0)))
    qtbot.waitUntil(lambda: len(picked) == 1, timeout=10_000)  # picked on the render thread
    assert len(picked) == 1 and picked[0].layer is balls and picked[0].item_info == {"marker": 1}
    qtbot.mouseClick(window.view, QtCore.Qt.LeftButton, pos=_pixel_of(window, (-30, 0, 0)))
    qtbot.waitUntil(lambda: len(picked) == 2, timeout=10_000)
    assert [r.item for r in picked] == [1, 0]


def test_a_key_on_the_3d_view_calls_on_key(window, qtbot):
    window.figure.add(bv.layers.Points([[0, 0, 0]], size=25))
    window.render_now()
    keys = []
    window.figure.on_key("d", keys.append)
    window.view.setFocus()
    qtbot.keyClick(window.view, "d")
    assert [event.key for event in keys] == ["d"]
    assert keys[0].figure is window.figure
