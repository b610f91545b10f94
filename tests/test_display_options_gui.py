"""Gamma, invert and the clipping range through the app's real property panel (issue 24)."""

import numpy as np
import pytest
from PyQt5 import QtCore

pytestmark = pytest.mark.gui


def _axial(window, qtbot):
    qtbot.waitUntil(lambda: not window.ortho.pending and window.ortho.views["axial"].image is not None,
                    timeout=10000)
    return window.ortho.views["axial"].image.rgba.copy()


def test_gamma_invert_and_clip_typed_in_the_panel_recolour_the_2d_views(open_window, qtbot, dialogs):
    from brainview.layers import Slices

    window = open_window((300, 300), (1200, 800))
    data = np.full((10, 10, 4), 0.5, np.float32)
    data[5:] = 0.9
    layer = window.figure.add(Slices((data, np.eye(4)), cmap="gray", clim=(0, 1)))
    window.select_layer(layer)
    panel = window.panel_ui
    before = _axial(window, qtbot)
    column = before.shape[1] // 4  # x in the 0.5 half
    assert abs(int(before[before.shape[0] // 2, column, 0]) - 128) <= 2

    field = panel.get_editors("gamma")[0].field
    field.selectAll()
    qtbot.keyClicks(field, "2")
    qtbot.keyClick(field, QtCore.Qt.Key_Return)
    assert layer.gamma == 2.0 and not panel.errors["gamma"].isVisible()
    qtbot.waitUntil(lambda: not np.array_equal(_axial(window, qtbot), before), timeout=10000)
    bent = _axial(window, qtbot)
    assert abs(int(bent[bent.shape[0] // 2, column, 0]) - round(255 * 0.5 ** 2)) <= 2

    invert = panel.get_editors("invert")[0].control
    qtbot.mouseClick(invert, QtCore.Qt.LeftButton, pos=QtCore.QPoint(8, invert.height() // 2))
    assert layer.invert is True
    qtbot.waitUntil(lambda: not np.array_equal(_axial(window, qtbot), bent), timeout=10000)
    assert abs(int(_axial(window, qtbot)[bent.shape[0] // 2, column, 0]) - round(255 * 0.75)) <= 2

    field.selectAll()
    qtbot.keyClicks(field, "-1")
    qtbot.keyClick(field, QtCore.Qt.Key_Return)
    assert panel.errors["gamma"].isVisible() and "gamma" in panel.errors["gamma"].text()
    assert layer.gamma == 2.0 and window.isVisible() and not dialogs

    clip = panel.get_editors("clip")[0]
    low = clip.ends[0][1]
    low.selectAll()
    qtbot.keyClicks(low, "0.8")
    qtbot.keyClick(low, QtCore.Qt.Key_Return)
    assert layer.clip is not None and layer.clip[0] == 0.8
    qtbot.waitUntil(lambda: _axial(window, qtbot)[bent.shape[0] // 2, column, 3] == 0, timeout=10000)
