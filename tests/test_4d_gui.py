"""4-D data in the app, through the real widgets: volume spin box, keys, play/pause, time-series plot."""

import nibabel as nib
import numpy as np
import pytest
from PyQt5 import QtCore

pytestmark = pytest.mark.gui

#: A nilearn-like 4 mm grid (x flipped).
AFFINE = np.array([[-4.0, 0, 0, 18], [0, 4, 0, -22], [0, 0, 4, -18], [0, 0, 0, 1]])
SHAPE = (10, 12, 10, 20)


def bold_series():
    """A BOLD-like series (positive, as scanners write it): a bright blob moving along x over time."""
    ijk = np.indices(SHAPE[:3]).transpose(1, 2, 3, 0).astype(float)
    frames = [np.exp(-np.sum((ijk - (1.0 + 0.4 * t, 6, 5)) ** 2, axis=-1) / 4.0) for t in range(SHAPE[3])]
    return (100.0 + 50.0 * np.stack(frames, axis=-1)).astype(np.float32)


@pytest.fixture(autouse=True)
def _no_modal_dialogs(dialogs):
    """Every test here records message boxes instead of blocking on them."""


@pytest.fixture
def bold_window(open_window, qtbot, tmp_path):
    """A window that opened a 4-D BOLD file through File -> Open's path; returns (window, layer)."""
    path = tmp_path / "sub-01_task-rest_bold.nii.gz"
    nib.save(nib.Nifti1Image(bold_series(), AFFINE), path)
    window = open_window((300, 300), (1200, 800))
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.open_files([path])
    (layer,) = window.figure.layers
    qtbot.waitUntil(lambda: not window.ortho.pending and window.ortho.views["axial"].image is not None,
                    timeout=10000)
    return window, layer


def _drawn(window, qtbot):
    qtbot.waitUntil(lambda: not window.ortho.pending, timeout=10000)
    return window.ortho.views["axial"].image.rgba.copy()


def test_spin_box_and_keys_step_the_volume_and_the_2d_pixels(bold_window, qtbot):
    window, layer = bold_window
    controls = window.series
    assert controls.layer is layer and layer.volume == 0 and controls.spin.maximum() == SHAPE[3] - 1
    before = _drawn(window, qtbot)
    controls.spin.setFocus()
    qtbot.keyClick(controls.spin, QtCore.Qt.Key_Up)  # the spin box's own arrow key
    assert layer.volume == 1
    np.testing.assert_array_equal(layer.image.data, bold_series()[..., 1])
    after = _drawn(window, qtbot)
    assert (np.abs(after.astype(int) - before).sum(axis=-1) > 0).sum() > 5, "the blob moved in the axial view"
    view = window.ortho.views["axial"]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)  # window shortcuts need the active window
    view.setFocus()
    for key in (QtCore.Qt.Key_Period, QtCore.Qt.Key_Period, QtCore.Qt.Key_Comma):
        qtbot.keyClick(view, key)
    assert layer.volume == 2 and controls.spin.value() == 2
    field = window.panel_ui.editors["name"].control  # typing "." or "," in a field types it, never steps
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "run.1,a")
    assert field.text() == "run.1,a" and layer.volume == 2
    layer.volume = SHAPE[3] - 1  # a script's change shows in the spin box; the keys stop at the end
    assert controls.spin.value() == SHAPE[3] - 1
    qtbot.keyClick(view, QtCore.Qt.Key_Period)
    assert layer.volume == SHAPE[3] - 1


def test_play_advances_and_pause_stops(bold_window, qtbot):
    window, layer = bold_window
    controls = window.series
    controls.timer.setInterval(5)
    button = window.findChild(QtCore.QObject, "series").widgetForAction(controls.actions["play"])
    qtbot.mouseClick(button, QtCore.Qt.LeftButton)
    assert controls.playing
    qtbot.waitUntil(lambda: layer.volume >= 3, timeout=10000)
    qtbot.mouseClick(button, QtCore.Qt.LeftButton)
    assert not controls.playing and not controls.actions["play"].isChecked()
    stopped = layer.volume
    qtbot.wait(100)
    assert layer.volume == stopped
    window.set_layout("3d")  # the 2-D views hidden: playing goes on
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window.view, QtCore.Qt.Key_P, QtCore.Qt.ControlModifier)
    qtbot.waitUntil(lambda: layer.volume >= stopped + 2, timeout=10000)
    controls.set_playing(False)
    layer.volume = 1
    layer.img = (bold_series()[..., :4], AFFINE)  # a new series: the spin box follows its length
    assert controls.spin.maximum() == 3 and controls.spin.value() == 1


def test_time_series_plot_holds_the_voxel_under_the_cursor(bold_window, qtbot):
    window, layer = bold_window
    plot = window.ortho.location.series
    voxel = (3, 6, 5)
    window.ortho.move_cursor(AFFINE[:3, :3] @ voxel + AFFINE[:3, 3])
    qtbot.waitUntil(lambda: not window.ortho.pending, timeout=10000)
    assert plot.isVisible()
    np.testing.assert_allclose(plot.values, bold_series()[voxel], rtol=1e-6)
    assert plot.current == 0
    qtbot.mouseClick(plot, QtCore.Qt.LeftButton, pos=QtCore.QPoint(plot.width() - 2, plot.height() // 2))
    assert layer.volume == SHAPE[3] - 1  # a click on the plot shows that volume
    qtbot.waitUntil(lambda: plot.current == SHAPE[3] - 1, timeout=10000)


def test_window_shortcuts_do_not_clash(open_window):
    from PyQt5 import QtWidgets

    window = open_window()
    keys = [action.shortcut().toString() for action in window.findChildren(QtWidgets.QAction)
            if not action.shortcut().isEmpty()]
    assert {",", ".", "Ctrl+P"} <= set(keys)
    assert len(keys) == len(set(keys)), sorted(keys)


def test_a_4d_probabilistic_atlas_file_with_its_tsv_opens_as_an_atlas(open_window, qtbot, tmp_path):
    """Issue 24: a probabilistic atlas with its .tsv beside it opened as grey anatomy."""
    from test_atlas_2d import PROB_NAMES, prob_centre_mm, probabilistic_atlas_image

    path = tmp_path / "prob.nii.gz"
    nib.save(probabilistic_atlas_image(), path)
    rows = "".join(f"{i}\t{n}\n" for i, n in enumerate(["Background", *PROB_NAMES]))  # nilearn's order
    (tmp_path / "prob.tsv").write_text("index\tname\n" + rows)
    window = open_window((300, 300), (1200, 800))
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.open_files([path])
    (layer,) = window.figure.layers
    assert layer.kind == "atlas" and layer.names[:3] == PROB_NAMES
    views = window.ortho.views.values()
    qtbot.waitUntil(lambda: all(view.image is not None for view in views), timeout=10000)  # cursor placed
    window.ortho.move_cursor(prob_centre_mm(2))
    qtbot.waitUntil(lambda: PROB_NAMES[2] in window.ortho.location.region.text(), timeout=10000)
    assert window.series.layer is None and not window.ortho.location.series.isVisible()


def test_keys_step_the_columns_of_per_vertex_data(open_window, qtbot):
    from brainview.layers import Surface

    n = 12
    vertices = np.random.default_rng(0).normal(scale=20.0, size=(n, 3))
    faces = np.column_stack([np.zeros(n - 2, int), np.arange(1, n - 1), np.arange(2, n)])
    values = np.arange(n * 4, dtype=float).reshape(n, 4)
    window = open_window((300, 300), (1200, 800))
    layer = window.figure.add(Surface((vertices, faces), values, name="series"))
    window.select_layer(layer)
    controls = window.series
    assert controls.layer is layer and controls.spin.maximum() == 3 and "Column" in controls.label.text()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.ortho.views["axial"].setFocus()
    qtbot.keyClick(window.ortho.views["axial"], QtCore.Qt.Key_Period)
    assert layer.column == 1 and controls.spin.value() == 1
