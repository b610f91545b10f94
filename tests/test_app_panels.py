"""FSLeyes-style panels of the app, driven with qtbot: lightbox, typed coordinates, overlay
information, screenshots of the window or of one view, the opening size."""

import numpy as np
import pytest
from PyQt5 import QtCore, QtWidgets

pytestmark = pytest.mark.gui

from brainview.errors import BrainviewWarning  # noqa: E402
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
    qtbot.waitUntil(lambda: len(box.tiles) == 6 and not box.pending, timeout=5000)
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
    stat = window.figure.add(StatMap((_blob(), AFFINE), threshold=2.0, name="map"))
    window.set_layout("lightbox")
    box = window.lightbox
    box.configure(slices=4, columns=2)
    box.canvas.setFixedSize(320, 240)
    qtbot.waitUntil(lambda: len(box.tiles) == 4 and not box.pending and box.canvas.size() == QtCore.QSize(320, 240),
                    timeout=5000)
    pixels = _rgb(box.canvas)
    assert pixels.shape == (240, 320, 3)
    compare_to_baseline(pixels, "gui_lightbox")
    red = lambda tile: int(np.sum((tile.rgba[..., 0] > 150) & (tile.rgba[..., 1] < 80)))  # noqa: E731
    assert red(box.tiles[2]) > 0
    stat.threshold = 4.5  # over the blob's 4: a trait change of one layer reaches the slices
    qtbot.waitUntil(lambda: red(box.tiles[2]) == 0, timeout=5000)
    qtbot.waitUntil(lambda: not box.pending, timeout=5000)
    neurological = box.tiles[1].rgba.copy()
    qtbot.mouseClick(window.ortho.location.radiological, QtCore.Qt.LeftButton)  # the 2-D views' switch
    qtbot.waitUntil(lambda: box.tiles[1].radiological and not box.pending, timeout=5000)
    assert np.array_equal(box.tiles[1].rgba, neurological[:, ::-1])
    assert box.orientation()["left"] == "R"


# ------------------------------------------------------------------ typed coordinates


def _type(qtbot, spin, text):
    """Select a field's text, type a new value and press Enter, as a user does."""
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), QtCore.Qt.Key_Return)


def test_typed_mm_and_voxel_coordinates_move_the_cursor_and_follow_it(window, qtbot, anatomy):
    panel = window.coordinates
    window.select_layer(anatomy)
    _type(qtbot, panel.mm_spins[0], "4")
    assert window.ortho.cursor.position[0] == pytest.approx(4.0)
    assert panel.voxel_spins[0].value() == 12  # (4 - -20) / 2
    _type(qtbot, panel.voxel_spins[1], "3")  # voxel j = 3 of the anatomy: y = -24 + 6
    assert window.ortho.cursor.position[1] == pytest.approx(-18.0)
    assert panel.mm_spins[1].value() == pytest.approx(-18.0)
    window.ortho.views["axial"].setFocus()
    qtbot.keyClick(window.ortho.views["axial"], QtCore.Qt.Key_PageUp)  # one voxel up: the fields follow
    z = window.ortho.cursor.position[2]
    assert panel.mm_spins[2].value() == pytest.approx(z, abs=0.05)
    assert panel.voxel_spins[2].value() == int(np.rint((z + 16) / 2))


def test_typed_position_outside_the_images_is_refused_in_the_window(window, qtbot, anatomy):
    panel = window.coordinates
    before = window.ortho.cursor.position
    _type(qtbot, panel.mm_spins[2], "900")
    assert window.ortho.cursor.position == before, "the cursor stays inside the images"
    assert "outside the images" in panel.message.text()
    assert "outside the images" in window.statusBar().currentMessage()
    assert panel.mm_spins[2].value() == pytest.approx(before[2])  # the field shows the cursor again
    _type(qtbot, panel.voxel_spins[0], "21")  # the image has i = 0..20
    assert window.ortho.cursor.position == before
    assert "outside anatomy" in panel.message.text()
    _type(qtbot, panel.mm_spins[2], "2")  # an accepted position clears the message
    assert panel.message.text() == "" and window.ortho.cursor.position[2] == pytest.approx(2.0)


def test_cursor_stepped_or_set_out_of_the_images_goes_back_with_a_message(window, qtbot, anatomy):
    panel, cursor = window.coordinates, window.ortho.cursor
    _type(qtbot, panel.voxel_spins[2], "16")  # the top slice (k = 16, z = 16 mm)
    top = cursor.position
    assert top[2] == pytest.approx(16.0)
    axial = window.ortho.views["axial"]
    axial.setFocus()
    with pytest.warns(BrainviewWarning, match="outside the image"):
        qtbot.keyClick(axial, QtCore.Qt.Key_PageUp)  # one voxel above the image
    qtbot.waitUntil(lambda: cursor.position == top, timeout=3000)
    assert "outside the images" in window.statusBar().currentMessage()
    with pytest.warns(BrainviewWarning, match="outside the image"):
        anatomy.coords = (0.0, 0.0, -1e9)  # a script (or the panel) sends the 3-D planes away
    qtbot.waitUntil(lambda: cursor.position == top and tuple(anatomy.coords) == pytest.approx(top), timeout=3000)
    assert "outside the images" in panel.message.text()


# ------------------------------------------------------------------ overlay information


def test_overlay_information_shows_the_selected_files_header(window, qtbot, tmp_path):
    import nibabel

    path = tmp_path / "t1.nii.gz"
    image = nibabel.Nifti1Image(_anatomy().astype(np.int16) * 100, AFFINE)
    image.set_qform(AFFINE, code=1)
    image.set_sform(AFFINE, code=4)
    image.header["descrip"] = b"daily panels"
    nibabel.save(image, path)
    with qtbot.waitSignal(window.loaded, timeout=30000):
        window.open_files([path])
    window.select_layer(window.figure.layers[0])
    window.actions["layer_info"].trigger()
    dialog = window.info_dialog
    assert dialog.isVisible()
    text = dialog.text()
    for expected in (str(path), "int16", "21 x 25 x 17", "2 x 2 x 2 mm", "0 to 100", "1 (scanner)",
                     "4 (mni)", "descrip = daily panels", "-20."):
        assert expected in text, expected
    window.figure.add(Slices((_blob(), AFFINE), name="memory"))
    window.select_layer(window.figure.layers[1])  # the dialog follows the selection
    assert "in-memory array" in dialog.text() and "-5 to 4" in dialog.text()
    assert dialog.header_table.rowCount() == 0


# ------------------------------------------------------------------ screenshots


def test_screenshot_of_the_window_and_of_one_view_through_the_file_dialog(window, qtbot, anatomy, tmp_path,
                                                                          monkeypatch, dialogs):
    from PyQt5 import QtGui, QtWidgets

    chosen = []
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kw: (str(chosen[-1]), "")))
    file_menu = window.menuBar().actions()[0].menu()
    entries = {act.text(): act for act in file_menu.actions()}
    chosen.append(tmp_path / "window.png")
    entries["Save screenshot of the &window…"].trigger()
    shot = QtGui.QImage(str(chosen[-1]))
    assert (shot.width(), shot.height()) == (window.width(), window.height())
    views = {act.text(): act for act in entries["Save screenshot of a 2-D &view"].menu().actions()}
    chosen.append(tmp_path / "coronal.png")
    views["Coronal…"].trigger()
    shot = QtGui.QImage(str(chosen[-1]))
    coronal = window.ortho.views["coronal"]
    assert (shot.width(), shot.height()) == (coronal.width(), coronal.height())
    assert np.array_equal(_rgb_of(shot), _rgb(coronal))
    chosen.append(tmp_path / "box.png")
    views["Lightbox…"].trigger()  # not shown in this layout: refused with a message, nothing written
    assert not chosen[-1].exists() and dialogs and "Lightbox layout" in dialogs[-1]


def _rgb_of(image):
    image = image.convertToFormat(4)
    width, height = image.width(), image.height()
    pixels = np.frombuffer(image.constBits().asstring(height * image.bytesPerLine()), np.uint8)
    return pixels.reshape(height, image.bytesPerLine() // 4, 4)[:, :width, 2::-1]


# ------------------------------------------------------------------ opening size


def test_window_opens_with_2d_views_of_300_px_on_a_1600_by_1000_screen(qtbot, monkeypatch):
    from PyQt5 import QtGui

    import brainview as bv
    from brainview.gui.window import MainWindow

    monkeypatch.setattr(QtGui.QScreen, "availableGeometry", lambda screen: QtCore.QRect(0, 0, 1600, 1000))
    figure = bv.Figure(size=(400, 400), antialias=False)
    win = MainWindow(figure)
    qtbot.addWidget(win)
    try:
        win.show()
        qtbot.waitExposed(win)
        assert win.width() <= 1600 and win.height() <= 1000
        for name, view in win.ortho.views.items():
            assert min(view.width(), view.height()) >= 300, (name, view.size())
    finally:
        win.close()
        figure.close()


# ------------------------------------------------------------------ the property panel follows the selection


def _click_row(qtbot, window, row):
    """Select a layer by clicking its row in the layer list, as a user does."""
    rect = window.layer_list.visualItemRect(window.layer_list.item(row))
    qtbot.mouseClick(window.layer_list.viewport(), QtCore.Qt.LeftButton, pos=rect.center())


def _remove_button(window):
    from PyQt5 import QtWidgets

    return next(b for b in window.findChildren(QtWidgets.QAbstractButton) if b.toolTip() == "Remove the layer")


def _type_in(qtbot, field, text):
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, QtCore.Qt.Key_Return)


@pytest.fixture
def raising_traits():
    """An exception in any traits notification (a disposed editor touching a deleted widget) fails the test."""
    from traits.api import pop_exception_handler, push_exception_handler

    push_exception_handler(reraise_exceptions=True)
    yield
    pop_exception_handler()


def test_panel_follows_the_selection_and_is_empty_after_the_last_layer_goes(window, qtbot, raising_traits):
    """Issue 24: after the last layer was removed the panel still edited it."""
    anatomy = window.figure.add(Slices((_anatomy(), AFFINE), clim=(0, 1), name="anatomy"))
    stat = window.figure.add(StatMap((_blob(), AFFINE), threshold=2.0, name="map", outline=False))
    _click_row(qtbot, window, 0)
    panel = window.panel_ui
    assert panel.layer is anatomy and panel.get_editors("clim") and not panel.get_editors("threshold")
    _click_row(qtbot, window, 1)
    assert window.panel_ui.layer is stat and window.panel_ui.get_editors("threshold")
    assert window.panel_ui.get_editors("name")[0].control.text() == "map"
    assert panel.ui is None, "the previous layer's TraitsUI view is disposed"
    anatomy.clim = (0.2, 0.9)  # the old panel no longer follows (nor touches its deleted widgets)
    qtbot.mouseClick(_remove_button(window), QtCore.Qt.LeftButton)
    assert window.panel_ui is not None and window.panel_ui.layer is anatomy  # the list selects the next one
    last = window.panel_ui
    qtbot.mouseClick(_remove_button(window), QtCore.Qt.LeftButton)
    assert window.figure.layers == [] and window.panel_ui is None and last.ui is None
    assert "No layer selected" in window.panel_area.widget().text()
    anatomy.clim = (0.1, 0.5)  # a removed layer changed from a script: nothing shows it, nothing breaks
    stat.threshold = 3.0
    assert window.panel_area.widget().findChildren(QtWidgets.QLineEdit) == []


def test_a_script_change_shows_in_the_panel(window, qtbot, raising_traits):
    stat = window.figure.add(StatMap((_blob(), AFFINE), threshold=2.0, name="map", outline=False))
    window.select_layer(stat)
    panel = window.panel_ui
    stat.threshold = 3.5
    threshold = panel.get_editors("threshold")[0]
    assert threshold.field.text() == "3.5"
    low, high = threshold.slider.minimum(), threshold.slider.maximum()
    assert threshold.slider.value() == round(low + (high - low) * 3.5 / 5.0), "|max| 5 is the slider's end"
    stat.symmetric = False
    assert panel.get_editors("symmetric")[0].control.currentText() == "False"
    stat.name = "renamed"
    assert panel.get_editors("name")[0].control.text() == "renamed"
    stat.plot_abs = True
    assert panel.get_editors("plot_abs")[0].control.isChecked()
    assert stat.threshold == 3.5 and stat.plot_abs is True, "showing a value does not write it back"


def test_a_choice_set_from_a_script_outside_the_list_is_shown(window, qtbot, raising_traits):
    anatomy = window.figure.add(Slices((_anatomy(), AFFINE), clim=(0, 1), name="anatomy"))
    window.select_layer(anatomy)
    panel = window.panel_ui
    anatomy.axes = "zx"  # valid, but not one of the choices the combo box offers
    qtbot.waitUntil(lambda: panel.get_editors("axes")[0].control.currentText() == "zx", timeout=5000)
    assert anatomy.axes == "zx" and len(panel.ui.control.findChildren(QtWidgets.QComboBox)) >= 2
    slider = panel.get_editors("opacity")[0].slider  # the view built again still edits the layer
    slider.setFocus()
    qtbot.keyClick(slider, QtCore.Qt.Key_PageDown)
    assert anatomy.opacity == pytest.approx(0.95) and anatomy.axes == "zx"


def test_one_edit_in_the_panel_changes_the_model_once(window, qtbot, raising_traits):
    stat = window.figure.add(StatMap((_blob(), AFFINE), threshold=2.0, name="map", outline=False))
    window.select_layer(stat)
    panel = window.panel_ui
    seen = []
    stat.observe(lambda event: seen.append((event.name, event.new)), "threshold, opacity, symmetric, plot_abs, name")
    figure_changes = []
    window.figure.observe(lambda event: figure_changes.append(1), "changed")
    _type_in(qtbot, panel.get_editors("threshold")[0].field, "3")
    assert seen == [("threshold", 3.0)]
    by_panel, figure_changes[:] = len(figure_changes), []
    stat.threshold = 2.0  # the same change from a script: the figure hears of it as often
    assert len(figure_changes) == by_panel >= 1
    seen.clear()
    _type_in(qtbot, panel.get_editors("threshold")[0].field, "3")
    slider = panel.get_editors("opacity")[0].slider
    slider.setFocus()
    qtbot.keyClick(slider, QtCore.Qt.Key_PageDown)
    assert [name for name, _ in seen[1:]] == ["opacity"] and stat.opacity == pytest.approx(0.95)
    combo = panel.get_editors("symmetric")[0].control
    combo.setFocus()
    qtbot.keyClick(combo, QtCore.Qt.Key_Down)  # auto -> True
    assert seen[2:] == [("symmetric", True)]
    box = panel.get_editors("plot_abs")[0].control
    qtbot.mouseClick(box, QtCore.Qt.LeftButton, pos=QtCore.QPoint(8, box.height() // 2))
    assert seen[3:] == [("plot_abs", True)]
    field = panel.get_editors("name")[0].control
    _type_in(qtbot, field, "blob")
    field.clearFocus()  # leaving the field after Enter writes nothing more
    assert seen[4:] == [("name", "blob")]


def test_invalid_input_is_shown_in_the_window_and_leaves_the_model_unchanged(window, qtbot, capsys, raising_traits):
    stat = window.figure.add(StatMap((_blob(), AFFINE), threshold=2.0, name="map", outline=False))
    window.select_layer(stat)
    panel = window.panel_ui
    field = panel.get_editors("threshold")[0].field
    _type_in(qtbot, field, "lots")
    assert stat.threshold == 2.0 and field.text() == "2", "the layer kept its value and the field shows it"
    assert panel.errors["threshold"].isVisible() and "'lots'" in panel.errors["threshold"].text()
    assert window.panel_message.isVisible() and "threshold" in window.panel_message.text()
    assert "threshold" in window.statusBar().currentMessage()
    coords = panel.get_editors("cut_coords")[0].control
    _type_in(qtbot, coords, "(1, 2)")  # three numbers needed
    assert stat.cut_coords is None and "cut_coords" in panel.errors["cut_coords"].text()
    low = panel.get_editors("opacity")[0]
    _type_in(qtbot, low.field, "7")  # opacity is 0..1
    assert stat.opacity == 1.0 and "opacity" in window.panel_message.text()
    out, err = capsys.readouterr()
    assert out == "" and err == "", "errors go to the window, not the terminal"
    _type_in(qtbot, field, "3")  # the next good edit clears the field's message and the window's
    assert stat.threshold == 3.0 and not panel.errors["threshold"].isVisible() and not window.panel_message.isVisible()


def test_new_traits_get_editors_from_their_metadata_alone(qtbot, raising_traits):
    """Traits added to a layer kind (gamma, invert, a clipping range) need no panel code."""
    from PyQt5 import QtWidgets

    from brainview.colors import check_clim
    from brainview.gui import editors
    from brainview.gui.panel import edit_layer
    from brainview.layers.base import Checked, check_bool

    class Tuned(Slices):
        gamma = Checked(lambda value, name: float(value), 1.0, panel="slider", low=0.1, high=5.0)
        invert = Checked(check_bool, False)
        clip = Checked(lambda value, name: None if value is None else check_clim(value, name=name),
                       panel="range", range="data", optional=True)

    layer = Tuned((_anatomy(), AFFINE), clim=(0, 1))
    host = QtWidgets.QWidget()
    qtbot.addWidget(host)
    panel = edit_layer(layer, host)
    column = QtWidgets.QVBoxLayout(host)
    column.addWidget(panel)
    host.show()
    qtbot.waitExposed(host)
    gamma, invert, clip = (panel.get_editors(name)[0] for name in ("gamma", "invert", "clip"))
    assert isinstance(gamma, editors.SliderEditor) and (gamma.low, gamma.high) == (0.1, 5.0)
    assert isinstance(invert.control, QtWidgets.QCheckBox) and not invert.control.isChecked()
    assert isinstance(clip, editors.PairEditor) and clip.auto.isChecked()
    assert (clip.low, clip.high) == pytest.approx((0.2, 1.0))  # the data's range
    gamma.slider.setFocus()
    qtbot.keyClick(gamma.slider, QtCore.Qt.Key_PageDown)
    assert layer.gamma == pytest.approx(0.1 + (184 - 50) * 4.9 / 1000)  # 1.0 at step 184 of 1000, a page is 50
    qtbot.mouseClick(invert.control, QtCore.Qt.LeftButton, pos=QtCore.QPoint(8, invert.control.height() // 2))
    assert layer.invert is True
    _type_in(qtbot, clip.ends[1][1], "0.8")
    assert layer.clip == pytest.approx((0.2, 0.8))
    layer.gamma = 2.0  # a script: the panel follows
    assert gamma.field.text() == "2"
    panel.dispose()
