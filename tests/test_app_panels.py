"""FSLeyes-style panels of the app, driven with qtbot: lightbox, typed coordinates, overlay
information, screenshots of the window or of one view, the opening size."""

import numpy as np
import pytest
from PyQt5 import QtCore

pytestmark = pytest.mark.gui

from brainview.layers import Slices, StatMap  # noqa: E402

from conftest import compare_to_baseline  # noqa: E402

AFFINE = np.diag([2.0, 2.0, 2.0, 1.0])
AFFINE[:3, 3] = (-20.0, -24.0, -16.0)


@pytest.fixture(autouse=True)
def _no_modal_dialogs(dialogs):
    """Every test here records message boxes instead of blocking on them."""


@pytest.fixture
def window(open_window):
    return open_window((200, 200), (1100, 760))


def _anatomy():
    """A 21 x 25 x 17 2 mm image: a smooth gradient with a bright off-centre block."""
    i, j, k = np.indices((21, 25, 17), dtype=np.float32)
    data = 0.2 + 0.3 * k / 16
    data[12:17, 5:11, 3:14] = 1.0
    return data.astype(np.float32)


def _blob():
    """A stat map's positive blob and a negative one, on the anatomy's grid."""
    data = np.zeros((21, 25, 17), np.float32)
    data[3:8, 14:20, 6:12] = 4.0
    data[14:18, 16:22, 2:6] = -5.0
    return data


def _rgb(widget):
    """A widget's pixels as an (h, w, 3) uint8 array (QWidget.grab)."""
    image = widget.grab().toImage().convertToFormat(4)  # RGB32
    width, height = image.width(), image.height()
    pixels = np.frombuffer(image.constBits().asstring(height * image.bytesPerLine()), np.uint8)
    return pixels.reshape(height, image.bytesPerLine() // 4, 4)[:, :width, 2::-1].copy()


@pytest.fixture
def anatomy(window, qtbot):
    layer = window.figure.add(Slices((_anatomy(), AFFINE), clim=(0, 1), name="anatomy"))
    qtbot.waitUntil(lambda: window.ortho.views["axial"].image is not None, timeout=5000)
    return layer


# ------------------------------------------------------------------ lightbox


def test_lightbox_click_on_a_slice_moves_the_cursor_there(window, qtbot, anatomy):
    window.layout_actions["lightbox"].trigger()  # as the View menu does
    box = window.lightbox
    assert box.isVisible() and not window.ortho.isVisible() and not window.view.isVisible()
    box.configure(slices=6, columns=3)
    qtbot.waitUntil(lambda: len(box.tiles) == 6, timeout=5000)
    assert [tile.position for tile in box.tiles] == pytest.approx(np.linspace(-16, 16, 6))
    assert {tile.plane for tile in box.tiles} == {"axial"}
    target = (6.0, -10.0, box.tiles[4].position)
    qtbot.mouseClick(box.canvas, QtCore.Qt.LeftButton, pos=box.canvas.widget_pos_of(4, target).toPoint())
    position = window.ortho.cursor.position  # one cursor: the 2-D views and the 3-D planes follow
    assert position[2] == pytest.approx(target[2])
    assert np.allclose(position[:2], target[:2], atol=box.tiles[4].pixel_mm)
    assert box.current_tile() == 4
    assert anatomy.coords == pytest.approx(position)
    box.configure(axis="sagittal", spacing=4.0, slices=3)
    qtbot.waitUntil(lambda: len(box.tiles) == 3 and box.tiles[0].plane == "sagittal", timeout=5000)
    assert [tile.position for tile in box.tiles] == pytest.approx([-4.0, 0.0, 4.0])


def test_lightbox_pixels_match_the_baseline(window, qtbot, anatomy):
    window.figure.add(StatMap((_blob(), AFFINE), threshold=2.0, name="map"))
    window.set_layout("lightbox")
    box = window.lightbox
    box.configure(slices=4, columns=2)
    box.canvas.setFixedSize(320, 240)
    qtbot.waitUntil(lambda: len(box.tiles) == 4 and box.canvas.size() == QtCore.QSize(320, 240), timeout=5000)
    pixels = _rgb(box.canvas)
    assert pixels.shape == (240, 320, 3)
    compare_to_baseline(pixels, "gui_lightbox")
