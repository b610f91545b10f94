"""The property panel of every registered layer kind, driven through its real widgets (issue 14)."""

import numpy as np
import nibabel as nib
import pytest

pytestmark = pytest.mark.gui

import brainview as bv  # noqa: E402
from brainview.layers.registry import LAYER_KINDS  # noqa: E402

from conftest import compare_to_baseline  # noqa: E402
from test_api import VERBS  # noqa: E402

#: Typed values for traits edited as Python literals (the others are driven generically).
LITERALS = {("atlas", "threshold"): "0.5", ("atlas", "min_region_size"): "5",
            ("stat_map", "cut_coords"): "(4, -6, 8)",
            ("atlas", "colors"): "{'a': 'red'}", ("contour", "levels"): "3", ("surface", "column"): "0",
            ("surf", "warp_scale"): "2.5", ("stat_map", "vmin"): "0.5", ("surface", "vmin"): "0.5",
            ("stat_map", "symmetric_cbar"): "True", ("surface", "vmax"): "2.0", ("surface", "symmetric_cmap"): "True",
            ("lines", "tube_radius"): "0.5", ("streamlines", "radius"): "0.5",
            ("streamlines", "max_streamlines"): "1", ("streamlines", "slab"): "2.0"}
#: Literal traits whose only valid value here is the current one: typing another is refused inline.
ONLY_VALUE = {"volume", "subject"}
#: Settings a trait depends on (set from a script before its widget is tried).
NEEDS = {("connectome", "width_by_weight"): {"tubes": True}}
#: Data traits a NIfTI file (of the kind's own test image) can replace; the others refuse a text
#: file with a named error beside the field.
IMAGE_INPUTS = {("contour", "img"), ("contour", "color_by"), ("volume", "img"), ("slices", "img"), ("stat_map", "img"),
                ("stat_map", "bg"), ("glass_brain", "mask"), ("atlas", "atlas")}


@pytest.fixture
def window(open_window, dialogs):
    return open_window((300, 300), (900, 700))


def _make(kind):
    args, options, cls = VERBS[kind]
    return cls(*args(), **options)


def _shown(window, kind):
    layer = window.figure.add(_make(kind))
    window.select_layer(layer)
    return layer, window.panel_ui


def _same(a, b):
    try:
        return bool(np.all(np.asarray(a, dtype=object) == np.asarray(b, dtype=object))) and type(a) is type(b)
    except Exception:
        return a is b


def _nifti(tmp_path, kind):
    (data, affine), = VERBS[kind][0]()[:1]
    path = tmp_path / f"{kind}.nii.gz"
    nib.save(nib.Nifti1Image(np.asarray(data, dtype=np.float32 if data.dtype == bool else data.dtype), affine), path)
    return str(path)


def _drive(editor, qtbot, monkeypatch, tmp_path, kind):
    """Change a trait through its widget, as a user would; returns False when the value is refused."""
    from PyQt5 import QtCore, QtGui, QtWidgets
    from traitsui.qt import boolean_editor, enum_editor, text_editor

    from brainview.gui import colour_files, editors, widgets

    control = editor.control
    if isinstance(editor, (boolean_editor.SimpleEditor, editors.TriStateEditor)):  # a QCheckBox
        qtbot.mouseClick(control, QtCore.Qt.LeftButton, pos=QtCore.QPoint(8, control.height() // 2))
    elif isinstance(editor, editors.SliderEditor):
        slider = editor.slider
        slider.setFocus()
        qtbot.keyClick(slider, QtCore.Qt.Key_PageDown if slider.value() > 0 else QtCore.Qt.Key_PageUp)
    elif isinstance(editor, editors.PairEditor):
        low, high = editor.pair()
        field = editor.ends[1][1]
        field.selectAll()
        qtbot.keyClicks(field, widgets.format_number(high + 0.25 * (high - low)))
        qtbot.keyClick(field, QtCore.Qt.Key_Return)
    elif isinstance(editor, (editors.CmapEditor, enum_editor.SimpleEditor)):  # a QComboBox
        control.setFocus()
        last = control.currentIndex() == control.count() - 1
        if isinstance(editor, editors.CmapEditor):  # the last map: its "Colour file…" entry (last)
            last = control.currentIndex() >= control.findData(colour_files.CHOOSE_FILE) - 1  # is tested apart
        qtbot.keyClick(control, QtCore.Qt.Key_Up if last else QtCore.Qt.Key_Down)
    elif isinstance(editor, editors.ColorEditor):
        monkeypatch.setattr(QtWidgets.QColorDialog, "getColor", lambda *a, **k: QtGui.QColor(20, 200, 40))
        qtbot.mouseClick(control, QtCore.Qt.LeftButton)
    elif isinstance(editor, editors.ChecklistEditor):
        item = editor.list.item(0)
        rect = editor.list.visualItemRect(item)
        qtbot.mouseClick(editor.list.viewport(), QtCore.Qt.LeftButton,
                         pos=QtCore.QPoint(rect.x() + 10, rect.center().y()))
    elif isinstance(editor, editors.FileEditor):
        image = (kind, editor.name) in IMAGE_INPUTS
        path = _nifti(tmp_path, kind) if image else str(tmp_path / "nothing.txt")
        monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", lambda *a, **k: (path, ""))
        qtbot.mouseClick(editor.button, QtCore.Qt.LeftButton)
        return image
    elif isinstance(editor, editors.RegionColorsEditor):  # a dict typed as in a script (files: tested apart)
        editor.field.selectAll()
        qtbot.keyClicks(editor.field, LITERALS[(kind, editor.name)])
        qtbot.keyClick(editor.field, QtCore.Qt.Key_Return)
    elif isinstance(editor, text_editor.SimpleEditor):  # text, numbers, literals: TraitsUI's TextEditor
        text = LITERALS.get((kind, editor.name), "0" if editor.name in ONLY_VALUE else "renamed")
        control.selectAll()
        qtbot.keyClicks(control, text)
        qtbot.keyClick(control, QtCore.Qt.Key_Return)
        return editor.name not in ONLY_VALUE
    else:
        raise AssertionError(f"no way to drive {type(editor).__name__} of {kind}.{editor.name}")
    return True


@pytest.mark.parametrize("kind", sorted(LAYER_KINDS))
def test_every_trait_of_every_kind_changes_through_its_widget(window, qtbot, monkeypatch, tmp_path, kind, dialogs):
    assert kind in VERBS, f"tests/test_api.py VERBS needs an input for the new kind {kind!r}"
    layer, panel = _shown(window, kind)
    assert panel.editors, kind
    for name, editor in panel.editors.items():
        needed = NEEDS.get((kind, name), {})
        undo = {key: getattr(layer, key) for key in needed}
        layer.trait_set(**needed)
        before = getattr(layer, name)
        if isinstance(before, np.ndarray):
            before = before.copy()
        taken = _drive(editor, qtbot, monkeypatch, tmp_path, kind)
        error = panel.errors[name]
        if taken and layer.trait(name).prepare:  # computed in a worker first, then set
            qtbot.waitUntil(lambda: not window._jobs.busy, timeout=30_000)
        if taken:
            assert not error.isVisible(), f"{kind}.{name}: {error.text()}"
            assert not _same(getattr(layer, name), before), f"{kind}.{name} did not change"
        else:  # refused: said beside the field, the layer kept its value
            assert error.isVisible() and name in error.text(), f"{kind}.{name}"
            assert window.panel_message.isVisible()
        setattr(layer, name, before)  # a script puts it back: each trait is tried on its own
        layer.trait_set(**undo)
    assert window.isVisible() and not dialogs


def test_bad_typed_number_is_reported_beside_the_field_and_the_app_lives(window, qtbot):
    from PyQt5 import QtCore

    layer, panel = _shown(window, "stat_map")
    field = panel.get_editors("threshold")[0].field
    field.selectAll()
    qtbot.keyClicks(field, "lots")
    qtbot.keyClick(field, QtCore.Qt.Key_Return)
    assert panel.errors["threshold"].isVisible() and "threshold" in panel.errors["threshold"].text()
    assert layer.threshold == 2.0 and window.isVisible()
    field.selectAll()
    qtbot.keyClicks(field, "3.25")
    qtbot.keyClick(field, QtCore.Qt.Key_Return)
    assert layer.threshold == 3.25 and not panel.errors["threshold"].isVisible()


def test_number_fields_show_the_whole_number(window, qtbot):
    layer, panel = _shown(window, "slices")
    layer.clim = (0.123456789, 4.987654321)
    field = panel.get_editors("clim")[0].ends[1][1]
    assert field.text() == "4.987654321"
    assert field.fontMetrics().horizontalAdvance(field.text()) < field.width()
    slider = panel.get_editors("x")[0].slider
    assert slider.width() >= 120


def test_colormap_choice_shows_swatches(window):
    _, panel = _shown(window, "volume")
    combo = panel.get_editors("cmap")[0].control
    icons = [combo.itemIcon(i) for i in range(combo.count())]
    assert combo.count() > 10 and all(not icon.isNull() for icon in icons)
    hot = icons[combo.findText("hot")].pixmap(combo.iconSize()).toImage()
    left, right = hot.pixelColor(1, 5), hot.pixelColor(hot.width() - 2, 5)
    assert left.value() < 40 and right.value() > 200, "a swatch runs from the low to the high colour"


def test_slider_ignores_the_wheel_unless_focused(window, qtbot):
    from PyQt5 import QtCore, QtGui, QtWidgets

    layer, panel = _shown(window, "slices")
    slider = panel.get_editors("x")[0].slider
    assert slider.focusPolicy() == QtCore.Qt.StrongFocus
    window.layer_list.setFocus()

    def wheel():
        centre = QtCore.QPointF(slider.width() / 2, slider.height() / 2)
        event = QtGui.QWheelEvent(centre, slider.mapToGlobal(centre.toPoint()), QtCore.QPoint(0, 0),
                                  QtCore.QPoint(0, 120), QtCore.Qt.NoButton, QtCore.Qt.NoModifier,
                                  QtCore.Qt.NoScrollPhase, False)
        QtWidgets.QApplication.sendEvent(slider, event)

    before = layer.x
    wheel()
    assert layer.x == before
    QtWidgets.QApplication.setActiveWindow(window)  # no window manager under Xvfb
    slider.setFocus()
    qtbot.waitUntil(slider.hasFocus)
    wheel()
    assert layer.x != before


def test_atlas_checklist_filters_by_typed_text_and_checks_set_regions(window, qtbot):
    from PyQt5 import QtCore

    layer, panel = _shown(window, "atlas")
    editor = panel.get_editors("regions")[0]
    qtbot.keyClicks(editor.filter, "B")
    visible = [editor.list.item(i).text() for i in range(editor.list.count()) if not editor.list.item(i).isHidden()]
    assert visible == ["b"]
    item = editor.list.findItems("b", QtCore.Qt.MatchExactly)[0]
    rect = editor.list.visualItemRect(item)
    qtbot.mouseClick(editor.list.viewport(), QtCore.Qt.LeftButton, pos=QtCore.QPoint(rect.x() + 10, rect.center().y()))
    assert layer.regions == ["a"] and layer.shown == ["a"]
    layer.regions = None  # a script: the checklist follows
    assert item.checkState() == QtCore.Qt.Checked


def test_selected_layer_shows_a_colour_bar_that_follows_edits(window, qtbot):
    from PyQt5 import QtCore

    fig = window.figure
    stat, panel = _shown(window, "stat_map")
    assert [bar.layer for bar in fig.colorbars] == [stat]
    bar = fig.colorbars[0]
    field = panel.get_editors("threshold")[0].field
    field.selectAll()
    qtbot.keyClicks(field, "4")
    qtbot.keyClick(field, QtCore.Qt.Key_Return)
    assert stat.threshold == 4.0 and bar.layer is stat
    grey = (np.ptp(bar.table[:, :3].astype(int), axis=1) < 10).sum()
    assert grey > 0, "the bar greys out |value| < the new threshold"
    # Another layer selected: its bar replaces the window's; a script's own bar stays.
    own = fig.colorbar(stat)
    volume = fig.add(_make("volume"))
    window.select_layer(volume)
    assert [b.layer for b in fig.colorbars] == [stat, volume] and own in fig.colorbars
    window.select_layer(fig.add(_make("glass_brain")))  # no colormap: no bar
    assert fig.colorbars == [own]


def test_default_window_layout_matches_its_baseline(qtbot, dialogs):
    """A fixed-size window with a small stat map (regenerate after the layout changes)."""
    from brainview.gui.window import MainWindow

    fig = bv.Figure(size=(400, 400), antialias=False)
    win = MainWindow(fig)
    qtbot.addWidget(win)
    win.setFixedSize(1000, 640)
    win.show()
    qtbot.waitExposed(win)
    try:
        layer = fig.add(_make("stat_map"))
        window_select = win.select_layer
        window_select(layer)
        fig.view("left")
        qtbot.wait(50)
        image = win.grab_all().convertToFormat(4)  # QImage.Format_RGB32
        width, height = image.width(), image.height()
        pixels = np.frombuffer(image.constBits().asstring(image.byteCount()), np.uint8)
        pixels = pixels.reshape(height, image.bytesPerLine() // 4, 4)[:, :width, 2::-1].copy()
        compare_to_baseline(pixels, "window_default", threshold=0.01)
    finally:
        win.close()
        fig.close()
        bv.close("all")


def test_switching_a_stat_map_to_surface_mode_works_in_the_background(window, qtbot, monkeypatch):
    """Issue 14: long work never freezes the window; the projection runs off the GUI thread.

    Structural (issue 23: no timed assertions): the projection waits until the GUI thread has
    handled five timer events, so it can only finish if the window keeps running meanwhile."""
    import threading

    from PyQt5 import QtCore

    from brainview.layers import StatMap

    layer, panel = _shown(window, "stat_map")
    threads, original = [], StatMap.prepare
    ticks, released = [], threading.Event()

    def slow_prepare(self, *, mode):
        threads.append(threading.current_thread())
        ticks.clear()
        assert released.wait(30), "the GUI thread handled no events while the projection ran"
        original(self, mode=mode)

    def tick():
        ticks.append(1)
        if threads and len(ticks) >= 5:
            released.set()

    monkeypatch.setattr(StatMap, "prepare", slow_prepare)
    timer = QtCore.QTimer()
    timer.timeout.connect(tick)
    timer.start(20)
    combo = panel.editors["mode"].control
    assert combo.itemText(combo.count() - 1) == "surface"
    combo.setFocus()
    qtbot.keyClick(combo, QtCore.Qt.Key_End)  # the last choice, as a user picks it
    assert layer.mode == "contour"  # not yet: the projection runs first
    qtbot.waitUntil(lambda: layer.mode == "surface", timeout=60_000)
    timer.stop()
    assert threads and threads[0] is not threading.main_thread()
    assert released.is_set()


def test_traitsui_combo_boxes_ignore_the_wheel_unless_focused(window, qtbot):
    """TraitsUI's own editors (an EnumEditor's combo box) behave as the panel's sliders do."""
    from PyQt5 import QtCore, QtGui, QtWidgets

    layer, panel = _shown(window, "slices")
    combo = panel.get_editors("axes")[0].control
    assert isinstance(combo, QtWidgets.QComboBox) and combo.focusPolicy() == QtCore.Qt.StrongFocus
    window.layer_list.setFocus()

    def wheel():
        centre = QtCore.QPointF(combo.width() / 2, combo.height() / 2)
        event = QtGui.QWheelEvent(centre, combo.mapToGlobal(centre.toPoint()), QtCore.QPoint(0, 0),
                                  QtCore.QPoint(0, -120), QtCore.Qt.NoButton, QtCore.Qt.NoModifier,
                                  QtCore.Qt.NoScrollPhase, False)
        QtWidgets.QApplication.sendEvent(combo, event)

    wheel()
    assert layer.axes == "xyz"
    QtWidgets.QApplication.setActiveWindow(window)  # no window manager under Xvfb
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    wheel()
    assert layer.axes == "x"


def test_a_projection_started_before_another_layer_is_selected_still_switches_the_mode(window, qtbot):
    """The panel goes when another layer is selected; the edit it started in a worker still lands."""
    from PyQt5 import QtCore

    layer, panel = _shown(window, "stat_map")
    combo = panel.get_editors("mode")[0].control
    combo.setFocus()
    qtbot.keyClick(combo, QtCore.Qt.Key_End)  # "surface": projected in a worker first
    assert layer.mode == "contour"
    other = window.figure.add(_make("volume"))
    window.select_layer(other)  # before the worker is done (its result comes through the event loop)
    assert panel.ui is None and window.panel_ui.layer is other
    qtbot.waitUntil(lambda: layer.mode == "surface", timeout=60_000)
    assert not window.panel_message.isVisible()


def test_a_value_an_editor_cannot_show_is_said_under_its_field_not_in_the_terminal(window, qtbot, monkeypatch,
                                                                                  capsys):
    from brainview.gui import editors

    def cannot(self):
        raise ValueError(f"no swatch for {self.value!r}")

    monkeypatch.setattr(editors.ColorEditor, "show_value", cannot)
    layer, panel = _shown(window, "glass_brain")
    assert panel.errors["color"].isVisible() and "cannot show color" in panel.errors["color"].text()
    layer.color = "red"  # a script: TraitsUI asks the editor to show it again
    assert "(1.0, 0.0, 0.0)" in panel.errors["color"].text() and window.isVisible()
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "no swatch" not in out + err
