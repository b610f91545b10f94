"""A day's work in the app, as the outside tester of issue 24 drives it: bugs found on the real widgets.

Each test is named after the symptom it found. Tests marked ``xfail(strict=True)`` reproduce a bug in
a file another helper owns (named in the reason); they pass once it is fixed, and then must lose the mark.
"""

import threading

import numpy as np
import pytest
from PyQt5 import QtCore, QtWidgets

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _no_modal_dialogs(dialogs):
    """Every test here records message boxes instead of blocking on them."""


def _toolbar_button(window, key):
    toolbar = window.findChild(QtWidgets.QToolBar, "main")
    return toolbar.widgetForAction(window.actions[key])


# ------------------------------------------------------------------ a 4-D BOLD series

#: A 4 mm grid, x flipped, as scanners write it.
BOLD_AFFINE = np.array([[-4.0, 0, 0, 18], [0, 4, 0, -22], [0, 0, 4, -18], [0, 0, 0, 1]])


@pytest.fixture
def bold(tmp_path):
    """A small BOLD series file (12 volumes, TR 2 s): a bright blob moving along x."""
    import nibabel as nib

    ijk = np.indices((8, 9, 7)).transpose(1, 2, 3, 0).astype(float)
    frames = [np.exp(-np.sum((ijk - (1.0 + 0.5 * t, 4, 3)) ** 2, axis=-1) / 3.0) for t in range(12)]
    image = nib.Nifti1Image((500.0 + 100.0 * np.stack(frames, axis=-1)).astype(np.float32), BOLD_AFFINE)
    image.header.set_xyzt_units("mm", "sec")
    image.header["pixdim"][4] = 2.0
    path = tmp_path / "sub-01_task-rest_bold.nii.gz"
    nib.save(image, path)
    return path


def _active(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)  # window shortcuts need the active window


def test_overlay_information_of_a_4d_series_showed_one_volume_and_never_which(open_window, qtbot, bold):
    """Bug: Ctrl+I on a BOLD series said 'Shape 8 x 9 x 7', no volume count, no TR, a stale range."""
    window = open_window((200, 200), (1000, 700))
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.open_files([bold])
    layer, = window.figure.layers
    window.select_layer(layer)
    window.series.spin.setFocus()
    for _ in range(3):
        qtbot.keyClick(window.series.spin, QtCore.Qt.Key_Up)
    _active(window, qtbot)
    qtbot.keyClick(window.layer_list, QtCore.Qt.Key_I, QtCore.Qt.ControlModifier)  # Overlay information
    dialog = window.info_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    text = dialog.text()
    for expected in ("Shape: 8 x 9 x 7 x 12", "Volumes: 12 (showing volume 3)", "Time between volumes: 2 sec",
                     "(volume 3)"):
        assert expected in text, (expected, text)
    qtbot.keyClick(window.series.spin, QtCore.Qt.Key_Up)  # the dialog follows the volume shown
    assert "showing volume 4" in dialog.text()
    dialog.close()
    layer.volume = 6  # closed: no longer followed; shown again: up to date
    window.actions["layer_info"].trigger()
    assert "showing volume 6" in dialog.text()


def test_overlay_information_of_the_template_under_a_map_said_in_memory_image(open_window, qtbot):
    """Bug: the template the app puts under a map showed 'File: in-memory Nifti1Image'; it is a dataset
    loader's image, as sessions and scripts name it."""
    from brainview.datasets import load_mni152
    from brainview.layers import Slices

    window = open_window((200, 200), (1000, 700))
    template = window.figure.add(Slices(load_mni152(resolution=2), name="MNI152 template"))
    window.select_layer(template)
    window.actions["layer_info"].trigger()
    text = window.info_dialog.text()
    assert "File: bv.datasets.load_mni152(resolution=2)" in text and "Data type: float32" in text



def test_out_of_image_message_stayed_red_in_the_coordinates_after_the_cursor_moved_on(open_window, qtbot):
    """Bug: one arrow key past the image's edge left '... outside the images' in the Coordinates dock
    for the rest of the session; it now goes once the cursor moves on inside the images."""
    from brainview.layers import Slices

    window = open_window((200, 200), (1000, 700))
    window.figure.add(Slices((np.arange(343.0).reshape(7, 7, 7), np.eye(4)), name="small"))
    view, message = window.ortho.views["axial"], window.coordinates.message
    qtbot.waitUntil(lambda: view.image is not None, timeout=10000)
    view.setFocus()
    assert window.ortho.cursor.position[0] == pytest.approx(3.0)  # the centre voxel
    for _ in range(4):  # voxels 4, 5, 6, then 7: out, and back to 6
        qtbot.keyClick(view, QtCore.Qt.Key_Right)
    qtbot.waitUntil(lambda: "outside the images" in message.text(), timeout=5000)
    assert window.ortho.cursor.position[0] == pytest.approx(6.0)
    qtbot.keyClick(view, QtCore.Qt.Key_Left)
    assert window.ortho.cursor.position[0] == pytest.approx(5.0) and message.text() == ""


# ------------------------------------------------------------------ the command


def test_the_command_with_per_file_roles_and_options_opens_them_in_the_window(qtbot, monkeypatch, tmp_path, dialogs):
    """``brainview t1.nii.gz zmap.nii.gz:map:threshold=3.1 roi.nii.gz:mask``, the window's way (not
    ``--screenshot``): the roles and options reach the layers, and the binary ROI is drawn in the 2-D views."""
    import nibabel as nib

    from brainview.gui import app, cli

    affine = np.diag([2.0, 2.0, 2.0, 1.0])
    affine[:3, 3] = -10
    ijk = np.indices((11, 11, 11))
    roi = np.zeros((11, 11, 11), np.uint8)
    roi[4:7, 4:7, 4:7] = 1
    files = {"t1": (100 * np.exp(-((ijk - 5) ** 2).sum(0) / 30.0)).astype(np.float32),
             "zmap": np.where(ijk[0] < 4, 5.0, 0.0).astype(np.float32), "roi": roi}
    for name, data in files.items():
        nib.save(nib.Nifti1Image(data, affine), tmp_path / f"{name}.nii.gz")
    monkeypatch.chdir(tmp_path)
    seen = {}
    show_figure = app.show_figure

    def show_and_watch(figure, **options):  # the real window: read once its files are in and drawn, closed
        window = show_figure(figure, **options)
        timer = QtCore.QTimer(window)
        timer.setInterval(20)

        def read_and_close():
            axial = window.ortho.views["axial"].image
            if window.render_pending or axial is None:
                return
            timer.stop()
            seen.update(layers=[(layer.kind, layer.name) for layer in figure.layers], axial=axial.rgba.copy(),
                        params={layer.name: layer.get_params() for layer in figure.layers})
            window.close()

        timer.timeout.connect(read_and_close)
        window.loaded.connect(timer.start)
        return window

    monkeypatch.setattr(app, "show_figure", show_and_watch)
    qapp = QtWidgets.QApplication.instance()
    quits = qapp.quitOnLastWindowClosed()
    # The command's window is the test process's last one: Qt would post a Quit event, left for the
    # next test's event loops (they would return at once). The command's own app.quit ends its loop.
    qapp.setQuitOnLastWindowClosed(False)
    try:
        assert cli.main(["t1.nii.gz", "zmap.nii.gz:map:threshold=3.1", "roi.nii.gz:mask",
                         "--quit-after", "60000"]) == 0
    finally:
        qapp.setQuitOnLastWindowClosed(quits)
    assert seen["layers"] == [("slices", "t1"), ("stat_map", "zmap"), ("contour", "roi")]
    assert seen["params"]["zmap"]["threshold"] == 3.1
    from brainview.gui.file_roles import MASK_COLOR

    mask = np.round(255 * np.array(MASK_COLOR[:3]))
    filled = (np.abs(seen["axial"][..., :3].astype(float) - mask).max(axis=-1) <= 2).sum()
    assert filled >= 0.5 * 3 * 3, "the ROI's 3 x 3 voxels at the cursor are drawn filled in the mask colour"
    assert not dialogs

# ------------------------------------------------------------------ shortcuts


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_no_shortcut_clash_with_every_dock_open_alternates_and_qshortcuts_counted(open_window, qtbot, bold):
    """Every QAction's shortcuts (alternates too) and every QShortcut, with the 4-D toolbar, the atlas
    panel and the console open: each key sequence once, and none takes the 2-D views' own keys."""
    window = open_window((200, 200), (1000, 700))
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.open_files([bold])
    window.actions["atlas_panel"].trigger()
    window.actions["console"].trigger()
    qtbot.waitUntil(lambda: window.console is not None, timeout=30000)
    keys = [(sequence.toString(), action.text()) for action in window.findChildren(QtWidgets.QAction)
            for sequence in action.shortcuts() if not sequence.isEmpty()]
    keys += [(shortcut.key().toString(), "QShortcut") for shortcut in window.findChildren(QtWidgets.QShortcut)
             if not shortcut.key().isEmpty()]
    names = [key for key, _ in keys]
    assert {",", ".", "Ctrl+P", "Ctrl+Shift+P", "Ctrl+Alt+A", "Ctrl+I", "Ctrl+S"} <= set(names)
    assert len(names) == len(set(names)), sorted(keys)
    views_keys = {"Left", "Right", "Up", "Down", "PgUp", "PgDown", "Home"}  # PlaneView.keyPressEvent
    assert not views_keys & set(names)



@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_bv_show_typed_in_the_console_raised_already_shown_in_a_window(open_window, qtbot):
    """Bug: a script's habit, ``bv.points(...); bv.show()``, typed in the window's console printed a
    traceback ('figure: already shown in a window'). Now it gives that window back."""
    window = open_window((200, 200), (1000, 700))
    window.actions["console"].trigger()
    console = window.console
    console.execute("dots = bv.points([[0, 0, 0]], size=20, name='dots'); shown = bv.show()")
    qtbot.waitUntil(lambda: "shown" in console.namespace, timeout=10000)
    assert console.namespace["shown"] is window and [layer.name for layer in window.figure.layers] == ["dots"]
    assert "Error" not in console.widget._control.toPlainText()

# ------------------------------------------------------------------ a script in another thread


def test_a_layer_added_by_a_script_thread_makes_qt_refuse_timers_of_the_2d_views_and_panels(open_window, qtbot):
    """Bug: the 2-D views heard a script thread's figure and cursor events on that thread and started their
    timers there, which Qt refuses; they now hear them on the GUI thread (guards.on_gui_thread)."""
    from brainview.layers import Slices

    window = open_window((200, 200), (1000, 700))
    layer = Slices((np.arange(1000.0).reshape(10, 10, 10), np.eye(4)), name="from a thread")
    refused = []

    def handler(kind, context, message):  # Qt's warnings, whatever pytest's capture mode
        if "another thread" in message:
            refused.append(message)

    previous = QtCore.qInstallMessageHandler(handler)
    try:
        script = threading.Thread(target=window.figure.add, args=(layer,))
        script.start()
        script.join(30)
        qtbot.waitUntil(lambda: window.layer_list.count() == 1, timeout=10000)  # the window's list follows
    finally:
        QtCore.qInstallMessageHandler(previous)
    assert not refused, refused



def _in_a_thread(function, *args):
    script = threading.Thread(target=function, args=args)
    script.start()
    script.join(30)


def test_a_script_thread_adding_a_layer_or_moving_the_cursor_out_left_the_lightbox_and_cursor_behind(
        open_window, qtbot):
    """Bug: the lightbox, atlas panel, coordinates and 4-D controls heard a script thread's change on
    that thread: the lightbox's timer never started (empty slices) and a cursor moved out of the
    images stayed out."""
    from brainview.layers import Atlas, Slices

    window = open_window((200, 200), (1000, 700))
    window.layout_actions["lightbox"].trigger()
    labels = np.zeros((10, 10, 10), np.uint8)
    labels[2:5, 2:5, 2:5] = 1
    layers = (Slices((np.arange(1000.0).reshape(10, 10, 10), np.eye(4)), name="anatomy"),
              Atlas((labels, np.eye(4)), labels=["Background", "blob"], smooth=0, name="atlas"),
              Slices((np.ones((10, 10, 10, 3)), np.eye(4)), volume=0, name="series"))
    for layer in layers:
        _in_a_thread(window.figure.add, layer)
    lightbox = window.lightbox
    qtbot.waitUntil(lambda: bool(lightbox.tiles) and not lightbox.pending, timeout=10000)
    assert any(tile.rgba[..., 3].any() for tile in lightbox.tiles), "the slices are drawn"
    assert window.atlas_panel.shown_entries == ["atlas - blob"]
    assert window.series.layer is layers[2] and window.series.spin.maximum() == 2
    inside = tuple(window.ortho.cursor.position)
    _in_a_thread(setattr, window.ortho.cursor, "position", (500.0, 0.0, 0.0))
    qtbot.waitUntil(lambda: tuple(window.ortho.cursor.position) == inside, timeout=10000)
    assert "outside the images" in window.coordinates.message.text()

# ------------------------------------------------------------------ closing during background work


@pytest.fixture
def closing_window(own_window):
    """A shown window the test closes itself."""
    return own_window((200, 200), (1000, 700))


def test_closing_while_the_atlas_panel_finds_its_regions_drops_the_late_centres(closing_window, qtbot, monkeypatch,
                                                                                 dialogs):
    """The atlas panel's own worker (region centres for "go to region"), not the window's loader: closed
    with Ctrl+W while it runs, its late result reaches no closed widget and moves no cursor."""
    from brainview.layers import Atlas

    data = np.zeros((12, 8, 8), np.uint8)
    data[1:5, 2:6, 2:6], data[7:11, 2:6, 2:6] = 1, 2
    window = closing_window
    window.figure.add(Atlas((data, np.eye(4)), labels=["Background", "left", "right"], smooth=0, name="atlas"))
    started, release, ended = threading.Event(), threading.Event(), threading.Event()
    centroids = Atlas.centroids

    def slow_centroids(self):
        started.set()
        release.wait(30)
        try:
            return centroids(self)
        finally:
            ended.set()

    monkeypatch.setattr(Atlas, "centroids", slow_centroids)
    _active(window, qtbot)
    qtbot.keyClick(window.layer_list, QtCore.Qt.Key_A, QtCore.Qt.ControlModifier | QtCore.Qt.AltModifier)
    panel = window.atlas_panel
    qtbot.waitUntil(panel.isVisible, timeout=5000)
    qtbot.keyClicks(panel.search, "right")
    qtbot.keyClick(panel.search, QtCore.Qt.Key_Return)  # go to region: the worker starts
    qtbot.waitUntil(started.is_set, timeout=10000)
    assert "Finding the regions of atlas" in panel.message.text()
    cursor, position = panel.cursor, tuple(panel.cursor.position)
    with qtbot.waitSignal(window.closed, timeout=10000):
        qtbot.keyClick(window.layer_list, QtCore.Qt.Key_W, QtCore.Qt.ControlModifier)  # File > Close
    release.set()
    assert ended.wait(30)
    qtbot.wait(3 * 20)  # a few of the panel's polls (POLL_MS), had it outlived the window
    assert tuple(cursor.position) == position and not dialogs


# ------------------------------------------------------------------ the role chooser


def test_role_chooser_for_a_dropped_folder_of_40_files_put_its_open_button_off_the_screen(qtbot, tmp_path):
    """Bug: one row per file and no scrolling: 40 files made a 1613 px dialog on a 1000 px screen."""
    from brainview.gui.file_roles import ROLES, RoleGuess
    from brainview.gui.roles import RoleDialog

    paths = [tmp_path / f"sub-{subject:02d}_T1w.nii.gz" for subject in range(40)]
    roles = ("anatomy", "map", "atlas", "prob_atlas", "mask")
    assert set(roles) <= set(ROLES)
    dialog = RoleDialog([RoleGuess(path, "anatomy", [f"its name ('{path.name}') says anatomy"], roles=roles)
                         for path in paths])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    screen = dialog.screen().availableGeometry()
    button = dialog.findChild(QtWidgets.QDialogButtonBox).button(QtWidgets.QDialogButtonBox.Open)
    bottom = button.mapToGlobal(QtCore.QPoint(0, button.height())).y()
    assert dialog.frameGeometry().height() <= screen.height() and bottom <= screen.bottom()
    last = dialog.boxes[-1]
    dialog.findChild(QtWidgets.QScrollArea).ensureWidgetVisible(last)  # the last file's row scrolls in
    last.setFocus()
    qtbot.keyClick(last, QtCore.Qt.Key_Down)  # anatomy -> statistical map
    qtbot.mouseClick(button, QtCore.Qt.LeftButton)
    assert dialog.result() == QtWidgets.QDialog.Accepted and dialog.changed() == {paths[-1]: "map"}
