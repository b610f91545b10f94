"""The Layer menu on the real widgets: add a view of an opened image (mayavi2's "add module"), change a role.

A view is a new layer of the SAME source (the same path object: no copy),
selected once added; a saved session and an exported script name the file
once per layer. "Change role…" opens the role chooser preset to the role the
layer has, and the chosen role replaces the layer in place.
"""

import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

pytestmark = pytest.mark.gui

from PyQt5 import QtCore, QtWidgets  # noqa: E402

import brainview as bv  # noqa: E402

AFFINE = np.array([[2.0, 0, 0, -30], [0, 2, 0, -30], [0, 0, 2, -30], [0, 0, 0, 1]])
SIZE = (160, 120)


@pytest.fixture(autouse=True)
def _no_modal_dialogs(dialogs):
    """Message boxes are recorded, never shown."""


@pytest.fixture
def anatomy(tmp_path):
    ijk = np.indices((31, 31, 31))
    path = tmp_path / "T1w.nii.gz"
    nib.save(nib.Nifti1Image((100 * np.exp(-((ijk - 15) ** 2).sum(0) / 60.0)).astype(np.float32), AFFINE), path)
    return path


@pytest.fixture
def window(open_window, qtbot, monkeypatch, anatomy):
    """A window with the anatomy opened through File -> Open."""
    win = open_window(SIZE, (900, 600))
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *args, **kw: ([str(anatomy)], "")))
    with qtbot.waitSignal(win.loaded, timeout=60000):
        win.actions["open"].trigger()
    assert [layer.kind for layer in win.figure.layers] == ["slices"]
    return win


def _leaves(menu):
    """Every action in a menu and its submenus (not the submenus themselves)."""
    found = []
    for act in menu.actions():
        found += _leaves(act.menu()) if act.menu() is not None else [act]
    return found


def _texts(menu):
    return [act.text() for act in _leaves(menu)]


def _records(path):
    def walk(value):
        if isinstance(value, dict):
            return [value["$file"]] if "$file" in value else [r for item in value.values() for r in walk(item)]
        return [r for item in value for r in walk(item)] if isinstance(value, list) else []

    return [walk(layer["params"]) for layer in json.loads(Path(path).read_text())["layers"]]


@pytest.mark.parametrize("kind", ["contour", "volume", "slices", "stat_map"])
def test_add_view_of_this_image_adds_a_selected_layer_of_the_same_file(window, qtbot, monkeypatch, tmp_path,
                                                                      anatomy, kind):
    from brainview.gui.layer_actions import VIEW_KINDS

    source = window.figure.layers[0]
    window.render_now()
    before = window.figure.screenshot()
    menu = window.layer_menu()  # the layer list's context menu holds the Layer menu's actions
    assert _texts(menu) == [*VIEW_KINDS.values(), "Change &role…"]
    assert all(act.isEnabled() for act in _leaves(menu))
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.actions[f"layer_view_{kind}"].trigger()
    assert [layer.kind for layer in window.figure.layers] == ["slices", kind]
    view = window.figure.layers[1]
    assert view.get_params()["img"] is source.get_params()["img"], "the same source object: no copy"
    assert view.name == f"T1w ({VIEW_KINDS[kind].lower()})"
    assert window.selected_layer is view and window.layer_list.currentRow() == 1
    window.render_now()
    assert np.any(window.figure.screenshot() != before), "the new view draws"

    session = tmp_path / "views.bvscene"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(session), "")))
    window.actions["save_session"].trigger()
    assert [[record["path"] for record in layer] for layer in _records(session)] == [["T1w.nii.gz"]] * 2
    script = tmp_path / "views.py"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(script), "")))
    window.actions["export_script"].trigger()
    assert script.read_text().count("str(HERE / 'T1w.nii.gz')") == 2


def test_add_view_is_offered_only_for_an_image_layer(window, qtbot, monkeypatch):
    from PyQt5 import QtGui

    window.figure.add(bv.layers.Points([[0, 0, 0]], name="dots"))
    window.select_layer(window.figure.layers[-1])
    menu = window.layer_menu()
    assert not any(act.isEnabled() for act in _leaves(menu)), "points have no image (and no file)"
    shown = []  # a right click on the image's row: its context menu, that row selected
    monkeypatch.setattr(QtWidgets.QMenu, "exec_", lambda menu, *args: shown.append(
        [(act.text(), act.isEnabled()) for act in _leaves(menu)]))
    viewport = window.layer_list.viewport()
    centre = window.layer_list.visualItemRect(window.layer_list.item(0)).center()
    QtWidgets.QApplication.sendEvent(viewport, QtGui.QContextMenuEvent(QtGui.QContextMenuEvent.Mouse, centre))
    assert window.selected_layer is window.figure.layers[0]
    assert shown == [[("Contour", True), ("Volume rendering", True), ("Slices", True), ("Statistical map", True),
                      ("Change &role…", True)]]


def test_change_role_of_an_opened_file_replaces_its_layer_in_place(window, qtbot, monkeypatch, tmp_path, anatomy):
    from brainview.gui.roles import RoleDialog

    window.figure.add(bv.layers.Points([[0, 0, 0]], name="dots"))  # the replaced layer keeps its place
    window.select_layer(window.figure.layers[0])
    shown = []

    def exec_(dialog):  # the chooser, answered on its widgets: the role box, then Open
        box = dialog.boxes[0]
        why = dialog.findChild(QtWidgets.QLabel, "why_0").text()
        shown.append((box.currentData(), why))
        box.setFocus()
        qtbot.keyClick(box, QtCore.Qt.Key_Down)  # anatomy -> statistical map
        button = dialog.findChild(QtWidgets.QDialogButtonBox).button(QtWidgets.QDialogButtonBox.Open)
        qtbot.mouseClick(button, QtCore.Qt.LeftButton)
        return dialog.result()

    monkeypatch.setattr(RoleDialog, "exec_", exec_)
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.actions["change_role"].trigger()
    (current, why), = shown
    assert current == "anatomy" and "opened as anatomy" in why and "read from the file" in why
    assert [layer.kind for layer in window.figure.layers] == ["stat_map", "points"]
    layer = window.figure.layers[0]
    assert Path(layer.get_params()["img"]) == anatomy and window.selected_layer is layer

    session = tmp_path / "role.bvscene"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(session), "")))
    window.actions["save_session"].trigger()
    kinds = [entry["kind"] for entry in json.loads(session.read_text())["layers"]]
    assert kinds == ["stat_map", "points"]
    loaded = bv.load_scene(session)
    try:
        assert [layer.kind for layer in loaded.layers] == kinds
    finally:
        loaded.close()


def test_change_role_keeps_the_volume_of_a_4d_file(window, qtbot, tmp_path):
    series = np.stack([np.full((8, 8, 8), k, np.float32) for k in range(1, 5)], -1)
    series[:2] = 0
    path = tmp_path / "bold.nii.gz"
    nib.save(nib.Nifti1Image(series, AFFINE), path)
    layer = window.figure.add(bv.layers.Slices(path, volume=2, name="bold"))
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.change_role(layer, "map")
    new = window.figure.layers[-1]
    assert new.kind == "stat_map" and new.volume == 2 and layer not in window.figure.layers
