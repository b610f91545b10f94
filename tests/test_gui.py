"""The desktop app under Xvfb: window, layer list, property panel, picking, errors, teardown."""

import gc
import os
import subprocess
import sys

import nibabel as nib
import numpy as np
import pytest

pytestmark = pytest.mark.gui

import brainview as bv  # noqa: E402
from brainview.scene import LIVE_WINDOWS  # noqa: E402

from conftest import smooth_sphere_phantom  # noqa: E402

GRID = np.array([[2.0, 0, 0, -40], [0, 2, 0, -40], [0, 0, 2, -40], [0, 0, 0, 1]])
CENTER = (-10.0, 6.0, 4.0)


def blob_map():
    """A z-map-like phantom: +8 Gaussian blob at CENTER, -6 blob opposite, 0 elsewhere."""
    ijk = np.indices((41, 41, 41)).reshape(3, -1).T
    world = ijk @ GRID[:3, :3].T + GRID[:3, 3]
    positive = 8.0 * np.exp(-(np.linalg.norm(world - np.array(CENTER), axis=1) / 10.0) ** 2)
    negative = -6.0 * np.exp(-(np.linalg.norm(world - np.array([20.0, -15, 0]), axis=1) / 8.0) ** 2)
    values = positive + negative
    values[np.abs(values) < 1.0] = 0.0
    return values.reshape(41, 41, 41).astype(np.float32)


@pytest.fixture
def phantom_path(tmp_path):
    data = blob_map()
    path = tmp_path / "phantom.nii.gz"
    nib.save(nib.Nifti1Image(data, GRID), path)
    return path


@pytest.fixture(autouse=True)
def _no_modal_dialogs(dialogs):
    """Every test here records message boxes instead of blocking on them."""


@pytest.fixture
def window(open_window):
    return open_window((400, 400), (900, 600))


def _grab_view(win):
    """The 3-D view's pixels as rendered (reads the render window, not the Qt backing store)."""
    win.render_now()
    return win.figure.screenshot()


def _open(win, qtbot, paths, **options):
    with qtbot.waitSignal(win.loaded, timeout=60000):
        win.open_files(paths, **options)


def test_window_shows_a_loaded_file(window, qtbot, phantom_path):
    _open(window, qtbot, [phantom_path])
    assert len(window.figure.layers) >= 1
    assert window.layer_list.count() == len(window.figure.layers)
    names = [layer.name for layer in window.figure.layers]
    assert "MNI152 template" in names and "phantom" in names
    window.set_view("left")  # the blob (x = -10 mm) is in front of the x = 0 mm plane
    pixels = _grab_view(window)
    assert pixels.std() > 5, "the 3-D view must show something"
    hot = (pixels[..., 0] > 150) & (pixels[..., 2] < 100)
    assert hot.sum() > 50, "the map's positive blob is drawn in warm colours"


def test_property_panel_changes_trait_and_image(window, qtbot):
    layer = window.figure.add(bv.layers.Contour(
        (smooth_sphere_phantom(GRID, CENTER, 14, shape=(41, 41, 41)), GRID), level=0.0,
        color="orange"))
    window.select_layer(layer)
    qtbot.waitUntil(lambda: bool(window.panel_ui.get_editors("level")), timeout=5000)
    before = _grab_view(window)
    editors = window.panel_ui.get_editors("level")
    assert editors, "the property panel must edit the contour level"
    editors[0].value = 8.0
    qtbot.waitUntil(lambda: layer.level == pytest.approx(8.0), timeout=5000)
    after = _grab_view(window)
    assert np.abs(after.astype(int) - before).max(axis=2).astype(bool).mean() > 0.01
    opacity = window.panel_ui.get_editors("opacity")[0]
    opacity.value = 0.2
    assert layer.opacity == pytest.approx(0.2)


def test_visibility_checkbox_hides_the_layer(window, qtbot):
    from PyQt5 import QtCore

    layer = window.figure.add(bv.layers.Points([[0, 0, 0]], size=40, color="red"))
    qtbot.waitUntil(lambda: window.layer_list.count() == 1, timeout=5000)
    item = window.layer_list.item(0)
    shown = _grab_view(window)
    item.setCheckState(QtCore.Qt.Unchecked)
    assert layer.visible is False
    hidden = _grab_view(window)
    assert shown[..., 0].sum() > hidden[..., 0].sum()
    item.setCheckState(QtCore.Qt.Checked)
    assert layer.visible is True


def test_layer_list_follows_script_calls(window, qtbot):
    from PyQt5 import QtCore

    fig = window.figure
    first = fig.add(bv.layers.Points([[0, 0, 0]], name="first"))
    second = fig.add(bv.layers.Points([[5, 5, 5]], name="second"))
    qtbot.waitUntil(lambda: window.layer_list.count() == 2, timeout=5000)
    names = [window.layer_list.item(i).text() for i in range(window.layer_list.count())]
    assert len(names) == 2 and "first" in names[0] and "second" in names[1]
    fig.remove(first)
    qtbot.waitUntil(lambda: window.layer_list.count() == 1, timeout=5000)
    window.select_layer(second)
    qtbot.mouseClick(window._buttons["remove"], QtCore.Qt.LeftButton)
    assert fig.layers == []


def test_status_bar_reports_mm_and_value_under_the_mouse(window, qtbot):
    data = smooth_sphere_phantom(GRID, CENTER, 14, shape=(41, 41, 41))
    window.figure.add(bv.layers.Slices((data, GRID), coords=CENTER, axes="z", name="phantom"))
    window.figure.view("superior")
    window.render_now()
    renderer = window.figure.renderer
    renderer.SetWorldPoint(*CENTER, 1.0)
    renderer.WorldToDisplay()
    x, y, _ = renderer.GetDisplayPoint()
    height = window.figure.window.GetSize()[1]
    result = window.report_at(x, height - 1 - y)
    assert result is not None and result.world_xyz is not None
    assert np.allclose(result.world_xyz, CENTER, atol=2.0)
    assert result.values["phantom"] == pytest.approx(14.0, abs=2.0)
    text = window.status_label.text()
    assert "mm" in text and "phantom" in text and f"z={CENTER[2]:.1f}" in text


def test_corrupt_file_shows_an_error_and_keeps_the_scene(window, qtbot, tmp_path, monkeypatch):
    from PyQt5 import QtWidgets

    shown = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "exec_", lambda box: shown.append(box.text()) or 0)
    layer = window.figure.add(bv.layers.Points([[0, 0, 0]], name="kept"))
    corrupt = tmp_path / "broken.nii.gz"
    corrupt.write_bytes(b"\x1f\x8b not really gzip")
    _open(window, qtbot, [corrupt])
    assert shown and "broken.nii.gz" in shown[0]
    assert window.figure.layers == [layer]


def test_view_buttons_and_screenshot(window, qtbot, tmp_path):
    window.figure.add(bv.layers.Points([[-40, 0, 0], [40, 0, 0]], size=20, color=["red", "blue"]))
    window.set_view("superior")
    pixels = _grab_view(window)
    red = np.argwhere((pixels[..., 0] > 150) & (pixels[..., 2] < 80))
    blue = np.argwhere((pixels[..., 2] > 150) & (pixels[..., 0] < 80))
    assert red[:, 1].mean() < blue[:, 1].mean(), "left hemisphere on the left from above"
    window.save_screenshot(tmp_path / "shot.png")
    assert (tmp_path / "shot.png").stat().st_size > 0


def test_twenty_open_close_cycles_leak_no_windows(qtbot):
    from PyQt5 import QtWidgets

    from brainview.gui.window import MainWindow

    for _ in range(20):
        fig = bv.Figure(size=(200, 200), antialias=False)
        fig.add(bv.layers.Points([[0, 0, 0]], size=10))
        win = MainWindow(fig)
        win.show()
        qtbot.waitExposed(win)
        win.render_now()
        win.close()
        fig.close()
    QtWidgets.QApplication.processEvents()
    gc.collect()
    assert len(LIVE_WINDOWS) == 0
    alive = [w for w in QtWidgets.QApplication.topLevelWidgets()
             if isinstance(w, MainWindow) and w.isVisible()]
    assert alive == []


def test_app_process_opens_and_exits_cleanly(phantom_path):
    result = subprocess.run(
        [sys.executable, "-m", "brainview.gui.cli", str(phantom_path), "--quit-after", "1500"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr


def test_screenshot_without_display_and_help(tmp_path, phantom_path):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    out = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, "-m", "brainview.gui.cli", str(phantom_path), "--screenshot", str(out),
         "--size", "320", "240"], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    from conftest import read_png

    assert read_png(out).shape == (240, 320, 3)
    helped = subprocess.run([sys.executable, "-m", "brainview.gui.cli", "--help"],
                            capture_output=True, text=True, timeout=60, env=env)
    assert helped.returncode == 0 and "--screenshot" in helped.stdout


def test_saving_at_another_size_while_shown_keeps_textures(window, qtbot):
    """Bug: an off-screen render at another size lost image-slice textures (black slices)."""
    data = blob_map()
    window.figure.add(bv.layers.Slices((np.abs(data) + 1, GRID), axes="x", cmap="gray",
                                       clim=(0, 9), name="bright plane"))
    window.set_view("left")
    window.render_now()
    shown = window.figure.window.GetSize()
    at_window_size = window.figure.screenshot(size=tuple(shown))
    other = window.figure.screenshot(size=(shown[0] // 2 + 1, shown[1] // 2 + 3))
    assert other.shape == (shown[1] // 2 + 3, shown[0] // 2 + 1, 3)
    assert other.mean() > 0.5 * at_window_size.mean() > 5
    assert tuple(window.figure.window.GetSize()) == tuple(shown)


def test_camera_drag_switches_the_figure_to_interacting(window, qtbot):
    from view3d_helpers import mouse

    window.figure.add(bv.layers.Points([[0, 0, 0]], size=10))
    window.render_now()
    mouse(window.view, "press", (100, 100))
    mouse(window.view, "move", (140, 110))
    assert window.figure.interacting
    mouse(window.view, "release", (140, 110))
    assert not window.figure.interacting


def test_files_load_in_the_background_with_progress(window, qtbot, phantom_path):
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.open_files([phantom_path])
        # The call returned at once: the worker reads and builds while the window stays live.
        assert window.busy
        assert window._progress is not None
        qtbot.wait(10)  # the event loop keeps running meanwhile
    assert not window.busy and window._progress is None
    assert len(window.figure.layers) == 2


def test_dropping_files_on_the_window_opens_them(window, qtbot, phantom_path):
    from PyQt5 import QtCore, QtGui

    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(phantom_path))])
    event = QtGui.QDropEvent(QtCore.QPointF(50, 50), QtCore.Qt.CopyAction, mime,
                             QtCore.Qt.LeftButton, QtCore.Qt.NoModifier)
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.dropEvent(event)
    assert "phantom" in [layer.name for layer in window.figure.layers]


def test_reordering_layers_from_the_list(window, qtbot):
    fig = window.figure
    first = fig.add(bv.layers.Points([[0, 0, 0]], name="first"))
    second = fig.add(bv.layers.Points([[5, 5, 5]], name="second"))
    window.select_layer(second)
    window.move_selected(-1)
    assert fig.layers == [second, first]
    qtbot.waitUntil(lambda: "second" in window.layer_list.item(0).text(), timeout=5000)


def test_show_opens_the_current_figure_and_returns_it_usable(qtbot):
    fig = bv.figure(size=(200, 150), antialias=False)
    bv.points([[0, 0, 0]], size=20, color="red")
    window = bv.show(block=False)  # deletes itself when closed
    qtbot.waitExposed(window)
    assert window.figure is fig and window.layer_list.count() == 1
    bv.points([[10, 0, 0]], size=5)  # a script call while the window is open
    qtbot.waitUntil(lambda: window.layer_list.count() == 2, timeout=5000)
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert fig.screenshot().shape == (150, 200, 3)  # back to off-screen rendering
    bv.close("all")


def test_show_without_display_says_what_to_do(monkeypatch):
    from brainview.gui import app

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    with pytest.raises(bv.BrainviewError, match="savefig"):
        app.check_display()


def test_show_blocks_in_a_script_until_the_window_closes(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(
        "import brainview as bv\n"
        "from PyQt5 import QtCore, QtWidgets\n"
        "from brainview.gui.app import get_app\n"
        "bv.points([[0, 0, 0]], size=10)\n"
        "get_app()\n"
        "QtCore.QTimer.singleShot(1500, lambda: [w.close() for w in QtWidgets.QApplication.topLevelWidgets()])\n"
        "bv.show()\n"
        "print('returned', bv.screenshot().shape)\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "returned (600, 800, 3)" in result.stdout


def test_atlas_region_under_the_mouse_and_region_subset_in_the_panel(window, qtbot):
    labels = np.zeros((41, 41, 41), np.int16)
    labels[10:20, 10:30, 10:30], labels[22:32, 10:30, 10:30] = 1, 2
    fig = window.figure
    fig.add(bv.layers.GlassBrain()) if hasattr(bv.layers, "GlassBrain") else None
    atlas = fig.add(bv.layers.Atlas((labels, GRID), labels=["left box", "right box"], smooth=0))
    fig.view("left")
    window.render_now()
    centre = atlas.centroids()["left box"]
    result = window.report_at(*fig.pixel_of(centre))  # both on the render thread, at the same size
    assert result.region == "left box", "the glass brain must not hide the atlas from picking"
    assert "left box" in window.status_label.text()
    window.select_layer(atlas)
    qtbot.waitUntil(lambda: bool(window.panel_ui.get_editors("regions")), timeout=5000)
    editor = window.panel_ui.get_editors("regions")[0]
    editor.value = ["right"]
    assert atlas.shown == ["right box"]


# ---------------------------------------------------------------- the app cannot be killed by input


def _two_box_atlas():
    labels = np.zeros((41, 41, 41), np.int16)
    labels[10:20, 10:30, 10:30], labels[22:32, 10:30, 10:30] = 1, 2
    return bv.layers.Atlas((labels, GRID), labels=["left box", "right box"], smooth=0)


def test_typo_in_the_regions_field_is_reported_inline_and_the_next_edit_works(window, qtbot):
    """Bug: a typo in the atlas regions field aborted the process (exit 134) under bv.show()."""
    from PyQt5 import QtCore

    atlas = window.figure.add(_two_box_atlas())
    window.select_layer(atlas)
    field = window.panel_ui.get_editors("regions")[0].control
    qtbot.keyClicks(field, "nowhere")
    qtbot.keyClick(field, QtCore.Qt.Key_Return)
    assert window.panel_message.isVisible() and "regions" in window.panel_message.text()
    assert atlas.regions is None and window.isVisible()
    field.clear()
    qtbot.keyClicks(field, "right")
    qtbot.keyClick(field, QtCore.Qt.Key_Return)
    assert atlas.shown == ["right box"] and not window.panel_message.isVisible()


def test_outline_is_a_check_box_that_a_click_toggles(window, qtbot):
    """Bug: the outline switch was a text box; typing into it aborted the process."""
    from PyQt5 import QtCore, QtWidgets

    layer = window.figure.add(bv.layers.StatMap((blob_map(), GRID), threshold=2.0))
    window.select_layer(layer)
    box = window.panel_ui.get_editors("outline")[0].control
    # Drawn on the render thread, which decides the outline: the panel shows the decision.
    qtbot.waitUntil(lambda: box.checkState() == QtCore.Qt.Checked, timeout=10_000)
    assert isinstance(box, QtWidgets.QCheckBox) and box.isChecked()
    qtbot.mouseClick(box, QtCore.Qt.LeftButton, pos=QtCore.QPoint(8, box.height() // 2))
    assert layer.outline is False
    visible = window.panel_ui.get_editors("visible")[0].control
    assert isinstance(visible, QtWidgets.QCheckBox)


def test_remove_button_click_removes_the_selected_layer(window, qtbot, monkeypatch):
    """Bug: the remove button raised TypeError on every click (clicked(bool) passed 'checked')."""
    from PyQt5 import QtCore, QtWidgets

    shown = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "exec_", lambda box: shown.append(box.text()) or 0)
    first = window.figure.add(bv.layers.Points([[0, 0, 0]], name="first"))
    second = window.figure.add(bv.layers.Points([[5, 5, 5]], name="second"))
    window.select_layer(second)
    qtbot.mouseClick(window._buttons["remove"], QtCore.Qt.LeftButton)
    assert window.figure.layers == [first] and not shown
    qtbot.mouseClick(window._buttons["remove"], QtCore.Qt.LeftButton)
    assert window.figure.layers == [] and not shown


def test_first_hover_keeps_the_camera_of_the_first_paint(qtbot):
    """Bug: the first hover re-rendered with another camera than the first paint."""
    from PyQt5 import QtCore

    from brainview.gui.window import MainWindow

    fig = bv.Figure(size=(300, 300), antialias=False)
    fig.add(bv.layers.Points([[-40, 0, 0], [40, 20, 10]], size=10))
    fig.view("left")
    win = MainWindow(fig)
    qtbot.addWidget(win)
    try:
        win.show()
        qtbot.waitExposed(win)
        qtbot.waitUntil(lambda: win.view.frame is not None, timeout=10_000)  # the first frame
        camera = fig.renderer.GetActiveCamera()
        painted = camera.GetPosition()
        assert painted[0] < -50, "the first paint already looks from the left"
        qtbot.mouseMove(win.view, QtCore.QPoint(100, 120))
        qtbot.mouseMove(win.view, QtCore.QPoint(110, 130))
        qtbot.waitUntil(lambda: win.last_pick is not None, timeout=3000)
        assert camera.GetPosition() == pytest.approx(painted)
    finally:
        win.close()
        fig.close()


def test_error_hook_is_installed_only_while_a_window_is_open(window):
    from brainview.gui.common import report_unexpected

    assert sys.excepthook is report_unexpected


def test_bad_input_under_show_does_not_kill_the_process(tmp_path):
    """Under bv.show() (no command-line hook): a typo and an error escaping a slot."""
    script = tmp_path / "script.py"
    script.write_text(
        "import numpy as np, brainview as bv\n"
        "from PyQt5 import QtCore, QtWidgets\n"
        "from PyQt5.QtTest import QTest\n"
        "from brainview.gui.app import get_app\n"
        "QtWidgets.QMessageBox.exec_ = lambda box: print('dialog:', box.text()) or 0\n"
        "labels = np.zeros((20, 20, 20), np.int16); labels[2:9] = 1; labels[11:18] = 2\n"
        "atlas = bv.atlas((labels, np.eye(4)), labels=['west', 'east'], smooth=0)\n"
        "get_app()\n"
        "def act():\n"
        "    window = [w for w in QtWidgets.QApplication.topLevelWidgets() if hasattr(w, 'panel_ui')][0]\n"
        "    field = window.panel_ui.get_editors('regions')[0].control\n"
        "    QTest.keyClicks(field, 'wset')\n"
        "    QTest.keyClick(field, QtCore.Qt.Key_Return)\n"
        "    QtCore.QTimer.singleShot(0, lambda: 1 / 0)\n"
        "    QtCore.QTimer.singleShot(300, window.close)\n"
        "QtCore.QTimer.singleShot(800, act)\n"
        "bv.show()\n"
        "print('alive', atlas.regions)\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "alive None" in result.stdout and "dialog: ZeroDivisionError" in result.stdout
