"""Colour files chosen in the property panel: a layer's "Colour file…" colour map, an atlas's LUT (issue 24)."""

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PyQt5 import QtCore, QtWidgets

pytestmark = pytest.mark.gui

#: An FSLeyes .lut of two colours: the lower half of the colour range red, the upper blue.
TWO_COLOURS = "1 1.0 0.0 0.0 low\n2 0.0 0.0 1.0 high\n"


@pytest.fixture
def window(open_window, dialogs):
    return open_window((300, 300), (1200, 800))


def _answer(monkeypatch, path):
    """The file dialog answers ``path`` ("" is Cancel); returns the list of its calls."""
    calls = []

    def answer(parent, caption, folder, filters):
        calls.append(filters)
        return (str(path), "")

    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", staticmethod(answer))
    return calls


def _choose_colour_file(qtbot, combo):
    """End on the focused combo box: its last entry, "Colour file…", as a user's keys choose it."""
    combo.setFocus()
    qtbot.keyClick(combo, QtCore.Qt.Key_End)


def _slices(window):
    from brainview.layers import Slices

    data = np.full((10, 10, 4), 0.25, np.float32)
    data[5:] = 0.9  # x >= 5: the upper half of the colour range
    layer = window.figure.add(Slices((data, np.eye(4)), cmap="gray", clim=(0, 1)))
    window.select_layer(layer)
    return layer, window.panel_ui


def _axial(window, qtbot):
    qtbot.waitUntil(lambda: not window.ortho.pending and window.ortho.views["axial"].image is not None,
                    timeout=10000)
    return window.ortho.views["axial"].image.rgba.copy()


def test_colour_file_chosen_in_the_panel_recolours_the_2d_view_and_is_saved_as_a_file(
        window, qtbot, monkeypatch, tmp_path):
    from brainview.export.scene_writer import data_file_writer, layer_dict

    lut = tmp_path / "two.lut"
    lut.write_text(TWO_COLOURS)
    layer, panel = _slices(window)
    before = _axial(window, qtbot)
    middle, low_column, high_column = before.shape[0] // 2, before.shape[1] // 4, 3 * before.shape[1] // 4
    assert before[middle, low_column, :3].tolist() == [64, 64, 64]  # gray at 0.25

    combo = panel.get_editors("cmap")[0].control
    calls = _answer(monkeypatch, lut)
    _choose_colour_file(qtbot, combo)
    assert len(calls) == 1 and "*.lut" in calls[0]
    assert not panel.errors["cmap"].isVisible(), panel.errors["cmap"].text()
    assert layer.get_params()["cmap"] == lut and isinstance(layer.get_params()["cmap"], Path)
    assert layer.cmap.colors.tolist() == [[1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 1.0]]
    assert combo.currentText() == "two.lut" and combo.itemData(combo.currentIndex(), QtCore.Qt.ToolTipRole) == str(lut)
    swatch = combo.itemIcon(combo.currentIndex()).pixmap(combo.iconSize()).toImage()
    left, right = swatch.pixelColor(1, 5), swatch.pixelColor(swatch.width() - 2, 5)
    assert (left.red(), left.blue(), right.red(), right.blue()) == (255, 0, 0, 255), "the file's swatch"

    qtbot.waitUntil(lambda: not np.array_equal(_axial(window, qtbot), before), timeout=10000)
    shown = _axial(window, qtbot)
    assert shown[middle, low_column, :3].tolist() == [255, 0, 0]
    assert shown[middle, high_column, :3].tolist() == [0, 0, 255]

    entry = layer_dict(layer, 0, sidecar=data_file_writer(tmp_path / "scene.bvscene", copy_inputs=False))
    reference = entry["params"]["cmap"]["$file"]
    assert reference["path"] == "two.lut" and reference["sha256"] == hashlib.sha256(lut.read_bytes()).hexdigest()

    gray = combo.findData("gray")  # a named map again, then the file's entry again (read again)
    combo.setCurrentIndex(gray)
    combo.activated.emit(gray)
    assert layer.cmap.name == "gray" and combo.currentText() == "gray"
    combo.activated.emit(combo.findData(str(lut)))
    assert layer.get_params()["cmap"] == lut and combo.currentText() == "two.lut" and len(calls) == 1


def test_refused_colour_file_is_shown_under_the_field_and_the_layer_keeps_its_map(window, qtbot, monkeypatch,
                                                                                 tmp_path):
    bad = tmp_path / "bad.lut"
    bad.write_text("1 red green blue\n")
    layer, panel = _slices(window)
    combo = panel.get_editors("cmap")[0].control
    colormap = layer.cmap
    _answer(monkeypatch, bad)
    _choose_colour_file(qtbot, combo)
    error = panel.errors["cmap"]
    assert error.isVisible() and "cmap" in error.text() and "bad.lut" in error.text()
    assert window.panel_message.isVisible()
    assert layer.cmap is colormap and layer.get_params()["cmap"] == "gray"
    assert combo.currentText() == "gray", "the combo shows the layer's map again"
    assert window.isVisible()


def test_cancelled_colour_file_dialog_changes_nothing(window, qtbot, monkeypatch, dialogs):
    layer, panel = _slices(window)
    combo = panel.get_editors("cmap")[0].control
    colormap, count = layer.cmap, combo.count()
    calls = _answer(monkeypatch, "")
    _choose_colour_file(qtbot, combo)
    assert len(calls) == 1
    assert layer.cmap is colormap and layer.get_params()["cmap"] == "gray"
    assert combo.currentText() == "gray" and combo.count() == count
    assert not panel.errors["cmap"].isVisible() and not dialogs


def test_atlas_lut_chosen_in_the_panel_names_and_recolours_its_regions(window, qtbot, monkeypatch, tmp_path):
    from brainview.layers import Atlas

    data = np.zeros((8, 6, 6), np.uint8)
    data[1:4, 1:5, 1:5], data[4:7, 1:5, 1:5] = 1, 2
    layer = window.figure.add(Atlas((data, np.eye(4)), smooth=0))
    window.select_layer(layer)
    panel = window.panel_ui
    editor = panel.get_editors("lut")[0]
    bad = tmp_path / "bad.lut"
    bad.write_text("1 0.5 0.5\n")
    names, colours = list(layer.names), layer.region_colors.copy()
    _answer(monkeypatch, bad)
    qtbot.mouseClick(editor.button, QtCore.Qt.LeftButton)
    assert panel.errors["lut"].isVisible() and "lut" in panel.errors["lut"].text()
    assert layer.names == names and np.array_equal(layer.region_colors, colours)

    lut = tmp_path / "regions.lut"
    lut.write_text("1 1.0 0.0 0.0 Left box\n2 0.0 0.0 1.0 Right box\n")
    calls = _answer(monkeypatch, lut)
    qtbot.mouseClick(editor.button, QtCore.Qt.LeftButton)
    assert "*.lut" in calls[0]
    assert not panel.errors["lut"].isVisible(), panel.errors["lut"].text()
    assert layer.names == ["Left box", "Right box"]
    assert layer.region_colors[:, :3].tolist() == [[255, 0, 0], [0, 0, 255]]
    assert editor.label.text() == "regions.lut"
