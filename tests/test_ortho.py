"""The linked 2-D views, cursor and location panel of the desktop app, driven with qtbot."""

import threading

import numpy as np
import pytest

pytestmark = pytest.mark.gui

from brainview.layers import Slices, StatMap  # noqa: E402

from test_planes import block_phantom, oblique_affine  # noqa: E402


@pytest.fixture(autouse=True)
def _no_modal_dialogs(dialogs):
    """Every test here records message boxes instead of blocking on them."""


@pytest.fixture
def window(open_window):
    return open_window((400, 400), (1100, 800))


@pytest.fixture
def phantom(window, qtbot):
    """An oblique 2 mm phantom with a bright block, shown as anatomy slices; returns (layer, centre mm)."""
    affine = oblique_affine()
    data, centre = block_phantom(affine)
    layer = window.figure.add(Slices((data + 0.05, affine), clim=(0, 1), name="phantom"))
    views = window.ortho.views
    qtbot.waitUntil(lambda: all(view.image is not None for view in views.values()), timeout=5000)
    return layer, centre


def _bright_centroid(view):
    """Widget position of the centre of the bright pixels shown by a view (read from its pixels)."""
    from PyQt5 import QtCore

    image = view.grab().toImage().convertToFormat(4)  # RGB32
    width, height = image.width(), image.height()
    pixels = np.frombuffer(image.constBits().asstring(height * image.bytesPerLine()), np.uint8)
    pixels = pixels.reshape(height, image.bytesPerLine() // 4, 4)[:, :width, :3].astype(int)
    bright = (pixels.min(axis=2) > 200)  # white, not the green crosshair
    border = 24  # the orientation letters and the caption are white too
    bright[:border], bright[-border:], bright[:, :border], bright[:, -border:] = False, False, False, False
    rows, cols = np.nonzero(bright)
    ratio = view.devicePixelRatioF()
    return QtCore.QPoint(int(round(cols.mean() / ratio)), int(round(rows.mean() / ratio)))


def _drag(view, start, end, button):
    """Press at ``start``, move to ``end`` with the button held, release (qtbot's mouseMove holds no button)."""
    from PyQt5 import QtCore, QtGui, QtWidgets

    for kind, pos, buttons in ((QtCore.QEvent.MouseButtonPress, start, button),
                               (QtCore.QEvent.MouseMove, end, button),
                               (QtCore.QEvent.MouseButtonRelease, end, QtCore.Qt.NoButton)):
        event = QtGui.QMouseEvent(kind, QtCore.QPointF(pos), button if kind != QtCore.QEvent.MouseMove
                                  else QtCore.Qt.NoButton, buttons, QtCore.Qt.NoModifier)
        QtWidgets.QApplication.sendEvent(view, event)


def test_the_window_opens_with_three_linked_2d_views_and_the_cursor_at_the_slices(window, phantom):
    layer, _ = phantom
    assert window.current_layout == "1+3"
    assert window.view.isVisible() and window.ortho.isVisible()
    assert window.ortho.cursor.position == pytest.approx(tuple(layer.coords))
    assert "x=" in window.status_label.text() and "phantom:" in window.status_label.text()


@pytest.mark.parametrize("plane", ["axial", "coronal", "sagittal"])
def test_click_on_the_bright_block_moves_the_cursor_there_within_half_a_voxel(window, qtbot, phantom, plane):
    from PyQt5 import QtCore

    layer, centre = phantom
    normal = {"sagittal": 0, "coronal": 1, "axial": 2}[plane]
    start = list(window.ortho.cursor.position)
    start[normal] = centre[normal]
    window.ortho.move_cursor(start)  # the view's plane through the block
    view = window.ortho.views[plane]
    qtbot.waitUntil(lambda: view.image.position == pytest.approx(centre[normal]), timeout=3000)
    qtbot.mouseClick(view, QtCore.Qt.LeftButton, pos=_bright_centroid(view))
    xyz = np.array(window.ortho.cursor.position)
    in_plane = [a for a in range(3) if a != normal]
    # Half a voxel (1 mm) plus one screen pixel's worth of mm.
    scale = view._frame()[0]
    assert np.abs(xyz[in_plane] - np.array(centre)[in_plane]).max() <= 1.0 + view.image.pixel_mm / scale
    assert xyz[normal] == pytest.approx(centre[normal])
    assert tuple(layer.coords) == pytest.approx(tuple(xyz))  # the 3-D planes follow
    assert window.ortho.location.spins[0].value() == pytest.approx(xyz[0], abs=0.05)


def test_click_at_a_known_mm_point_and_drag(window, qtbot, phantom):
    from PyQt5 import QtCore

    view = window.ortho.views["coronal"]
    target = (12.0, window.ortho.cursor.position[1], -6.0)
    qtbot.mouseClick(view, QtCore.Qt.LeftButton, pos=view.widget_pos_of(target).toPoint())
    scale = view._frame()[0]
    assert window.ortho.cursor.position == pytest.approx(target, abs=view.image.pixel_mm / 2 + 1 / scale)
    other = (0.0, target[1], 4.0)
    _drag(view, view.widget_pos_of(target), view.widget_pos_of(other), QtCore.Qt.LeftButton)
    assert window.ortho.cursor.position[2] == pytest.approx(4.0, abs=1.0)


def test_arrow_keys_and_page_keys_step_one_voxel(window, qtbot, phantom):
    from PyQt5 import QtCore

    from brainview.planes import voxel_step

    layer, _ = phantom
    view = window.ortho.views["axial"]
    view.setFocus()
    before = np.array(window.ortho.cursor.position)
    qtbot.keyClick(view, QtCore.Qt.Key_Right)
    step_x = voxel_step(layer.image, 0)
    assert np.array(window.ortho.cursor.position) - before == pytest.approx([step_x, 0, 0])
    qtbot.keyClick(view, QtCore.Qt.Key_Up)
    qtbot.keyClick(view, QtCore.Qt.Key_PageDown)
    expected = before + [step_x, voxel_step(layer.image, 1), -voxel_step(layer.image, 2)]
    assert np.array(window.ortho.cursor.position) == pytest.approx(expected)
    # Radiological: the screen's right is the patient's left.
    window.ortho.location.radiological.click()
    _settle(window, qtbot)
    assert view.image.radiological
    qtbot.keyClick(view, QtCore.Qt.Key_Right)
    assert window.ortho.cursor.position[0] == pytest.approx(expected[0] - step_x)


def test_radiological_switch_mirrors_axial_and_coronal_and_their_letters(window, qtbot, phantom):
    from brainview.planes import orientation_labels

    views = window.ortho.views
    neurological = {name: view.image.rgba.copy() for name, view in views.items()}
    window.ortho.location.radiological.click()
    _settle(window, qtbot)
    for name in ("axial", "coronal"):
        assert views[name].image.radiological
        assert np.array_equal(views[name].image.rgba, neurological[name][:, ::-1])
    assert np.array_equal(views["sagittal"].image.rgba, neurological["sagittal"])
    assert orientation_labels("axial", radiological=True)["right"] == "L"


def test_layout_switch_hides_and_shows_the_views(window, qtbot, phantom):
    window.layout_actions["3d"].trigger()
    assert window.view.isVisible() and not window.ortho.isVisible()
    window.layout_actions["2d"].trigger()
    assert not window.view.isVisible() and window.ortho.isVisible()
    assert window.ortho.arrangement == "grid"
    window.ortho.move_cursor((1.0, 2.0, 3.0))  # still linked while the 3-D view is hidden
    assert window.grab_all().width() > 0
    window.layout_actions["1+3"].trigger()
    assert window.view.isVisible() and window.ortho.isVisible() and window.ortho.arrangement == "row"


def test_wheel_zooms_about_the_mouse_and_middle_drag_pans(window, qtbot, phantom):
    from PyQt5 import QtCore, QtGui, QtWidgets

    view = window.ortho.views["axial"]
    point = (5.0, -10.0, view.image.position)
    anchor = view.widget_pos_of(point)
    event = QtGui.QWheelEvent(anchor, view.mapToGlobal(anchor.toPoint()), QtCore.QPoint(0, 0),
                              QtCore.QPoint(0, 240), QtCore.Qt.NoButton, QtCore.Qt.NoModifier,
                              QtCore.Qt.NoScrollPhase, False)
    QtWidgets.QApplication.sendEvent(view, event)
    assert view.zoom == pytest.approx(1.25 ** 2)
    after = view.widget_pos_of(point)
    assert (after.x(), after.y()) == pytest.approx((anchor.x(), anchor.y()), abs=0.01)
    cursor = window.ortho.cursor.position
    _drag(view, QtCore.QPoint(50, 50), QtCore.QPoint(70, 60), QtCore.Qt.MiddleButton)
    moved = view.widget_pos_of(point)
    assert (moved.x() - after.x(), moved.y() - after.y()) == pytest.approx((20, 10), abs=0.01)
    assert window.ortho.cursor.position == cursor  # panning never moves the cursor
    qtbot.keyClick(view, QtCore.Qt.Key_Home)
    assert view.zoom == 1.0


def test_location_panel_shows_values_voxels_and_typing_moves_the_cursor(window, qtbot, phantom):
    layer, centre = phantom
    data = np.zeros((10, 10, 10), np.float32)
    data[4:7, 4:7, 4:7] = 5.0
    affine = np.diag([3.0, 3.0, 3.0, 1.0])
    affine[:3, 3] = -15
    window.figure.add(StatMap((data, affine), threshold=1.0, outline=False, name="map"))
    qtbot.waitUntil(lambda: window.ortho.location.table.rowCount() == 2, timeout=3000)
    spins = window.ortho.location.spins
    for spin, value in zip(spins, (3.0, 3.0, 3.0)):
        spin.lineEdit().selectAll()
        qtbot.keyClicks(spin.lineEdit(), f"{value}")
        qtbot.keyClick(spin.lineEdit(), "\r")
    assert window.ortho.cursor.position == pytest.approx((3.0, 3.0, 3.0))
    table = window.ortho.location.table
    assert table.item(1, 0).text() == "map" and table.item(1, 1).text() == "5 [6, 6, 6]"
    assert "map: 5 [6, 6, 6]" in window.status_label.text()


def test_an_exception_while_painting_or_sampling_never_ends_the_app(window, qtbot, phantom, monkeypatch):
    from brainview.gui import ortho

    view = window.ortho.views["axial"]

    def broken(self, painter):
        raise RuntimeError("paint exploded")

    monkeypatch.setattr(ortho.PlaneView, "_paint_plane", broken)
    view.repaint()
    qtbot.wait(10)
    monkeypatch.undo()

    def broken_plane(grid):
        raise RuntimeError("sampling exploded")  # in the worker thread that samples the planes

    monkeypatch.setattr(ortho, "plane_sampler", lambda layer: broken_plane)
    window.ortho.move_cursor((0.0, 0.0, 0.0))
    qtbot.waitUntil(lambda: "sampling exploded" in window.status_label.text(), timeout=3000)
    assert "sampling exploded" in view.error
    view.repaint()
    monkeypatch.undo()
    window.ortho.move_cursor((1.0, 0.0, 0.0))
    _settle(window, qtbot)
    assert view.error is None and window.isVisible()


def test_cursor_follows_when_a_script_moves_the_slices(window, qtbot, phantom):
    """The cursor is one world position shared by every view: moving the 3-D planes from a
    script (or the console, or the panel) moves it too."""
    layer, centre = phantom
    target = tuple(float(v) for v in np.round(centre) + (2.0, -2.0, 4.0))
    layer.coords = target
    qtbot.waitUntil(lambda: window.ortho.cursor.position == pytest.approx(target), timeout=3000)
    assert "x=" in window.status_label.text()


def _map(name="map"):
    data = np.zeros((10, 10, 10), np.float32)
    data[4:7, 4:7, 4:7] = 5.0
    affine = np.diag([3.0, 3.0, 3.0, 1.0])
    affine[:3, 3] = -15
    return StatMap((data, affine), threshold=1.0, outline=False, name=name)


@pytest.fixture
def sampled(monkeypatch):
    """``[(layer name, plane), ...]``: every layer plane the 2-D views sample from now on."""
    from brainview.gui import ortho

    calls, original = [], ortho.plane_sampler

    def counting(layer):
        sample = original(layer)

        def counted(grid):
            calls.append((layer.name, grid.plane))
            return sample(grid)

        return counted

    monkeypatch.setattr(ortho, "plane_sampler", counting)
    return calls


def _settle(window, qtbot):
    """Wait until the 2-D views have drawn every pending change."""
    from PyQt5 import QtWidgets

    qtbot.waitUntil(lambda: not window.ortho.pending, timeout=5000)
    QtWidgets.QApplication.processEvents()


def test_cursor_move_along_x_resamples_only_the_sagittal_view(window, qtbot, phantom, sampled):
    """Issue 19 point 6: moving the cursor changes the plane of the view whose normal moved; the
    other views only move their crosshair."""
    from PyQt5 import QtCore

    window.figure.add(_map())
    _settle(window, qtbot)
    sampled.clear()
    axial = window.ortho.views["axial"]
    before = {name: view.image for name, view in window.ortho.views.items()}
    axial.setFocus()
    qtbot.keyClick(axial, QtCore.Qt.Key_Right)  # along x: the sagittal plane moves
    _settle(window, qtbot)
    assert sorted(sampled) == [("map", "sagittal"), ("phantom", "sagittal")]
    assert window.ortho.views["sagittal"].image.position == pytest.approx(window.ortho.cursor.position[0])
    sampled.clear()
    qtbot.keyClick(axial, QtCore.Qt.Key_Up)  # along y: the coronal plane
    _settle(window, qtbot)
    assert sorted(sampled) == [("map", "coronal"), ("phantom", "coronal")]
    assert window.ortho.views["axial"].image is before["axial"], "the axial view was not redrawn"


def test_a_layer_trait_change_resamples_that_layer_only(window, qtbot, phantom, sampled):
    layer, _ = phantom
    stat = window.figure.add(_map())
    window.ortho.move_cursor((0.0, 0.0, 0.0))  # through the map's block
    _settle(window, qtbot)
    sampled.clear()
    shown = window.ortho.views["axial"].image.rgba.copy()
    stat.cmap = "viridis"
    _settle(window, qtbot)
    assert sorted(sampled) == [("map", "axial"), ("map", "coronal"), ("map", "sagittal")]
    assert not np.array_equal(window.ortho.views["axial"].image.rgba, shown)
    sampled.clear()
    stat.opacity = 0.5  # composited, never re-sampled
    _settle(window, qtbot)
    assert sampled == []
    window.figure.move(stat, 0)  # a new order: composited again from the kept planes
    _settle(window, qtbot)
    assert sampled == []
    window.figure.remove(stat)
    _settle(window, qtbot)
    stat.cmap = "cold_hot"  # no longer shown: not followed any more
    _settle(window, qtbot)
    assert sampled == []


def test_held_arrow_key_never_waits_for_the_3d_view(window, qtbot, phantom):
    """Issue 24 "Freezes": every arrow key re-rendered the 3-D scene (0.3-1.5 s each at 1 mm) on
    the GUI thread; now its render thread draws, and a held key gives one frame for all moves."""
    from PyQt5 import QtCore, QtWidgets

    layer, _ = phantom
    assert window.view.isVisible()
    window.render_now()
    _settle(window, qtbot)
    # The render thread is kept busy meanwhile (a slow frame): the keys never wait for it.
    started, release = threading.Event(), threading.Event()
    window.view.runner.defer(lambda: started.set() or release.wait(30))
    assert started.wait(30)
    start = window.render_count
    view = window.ortho.views["axial"]
    view.setFocus()
    keys = [QtCore.Qt.Key_Right, QtCore.Qt.Key_Up, QtCore.Qt.Key_Left, QtCore.Qt.Key_Down]
    for index in range(40):  # a square of 10 voxels a side, inside the phantom
        qtbot.keyClick(view, keys[index // 10])
        QtWidgets.QApplication.processEvents()  # the event loop runs between presses, as for a user
    assert window.render_count == start, "no 3-D render while the cursor moves"
    assert tuple(layer.coords) == pytest.approx(window.ortho.cursor.position), "the 3-D planes follow"
    assert f"x={window.ortho.cursor.position[0]:.1f}" in window.status_label.text(), "the status bar is live"
    release.set()
    qtbot.waitUntil(lambda: window.render_count > start and not window.render_pending, timeout=10_000)
    QtWidgets.QApplication.processEvents()
    assert window.render_count - start <= 2, "the frame in progress, then one for all 40 moves"


def test_each_arrow_key_a_user_waits_after_renders_the_3d_view(window, qtbot, phantom):
    """Moves apart in time: the render thread draws each one (coalescing never drops the last move)."""
    from PyQt5 import QtCore, QtWidgets

    window.render_now()
    _settle(window, qtbot)
    start = window.render_count
    view = window.ortho.views["axial"]
    view.setFocus()
    for _ in range(5):
        count = window.render_count
        qtbot.keyClick(view, QtCore.Qt.Key_Right)
        qtbot.waitUntil(lambda: window.render_count > count, timeout=10_000)
    assert window.render_count - start >= 5


def test_a_change_other_than_the_cursor_renders_when_the_loop_is_idle(window, qtbot, phantom):
    layer, _ = phantom
    window.render_now()
    start = window.render_count
    layer.clim = (0.0, 0.5)
    qtbot.waitUntil(lambda: window.render_count > start, timeout=10_000)


def test_a_4d_probabilistic_atlas_shows_in_the_2d_views_and_the_location_panel(window, qtbot):
    """Issue 19: a 4-D atlas crashed all three 2-D views and left the location panel empty."""
    from brainview.layers import Atlas
    from brainview.planes import PLANES

    from test_atlas_2d import PROB_NAMES, prob_centre_mm, probabilistic_atlas_image

    layer = window.figure.add(Atlas(probabilistic_atlas_image(), labels=PROB_NAMES, smooth=0, name="prob"))
    views = window.ortho.views
    qtbot.waitUntil(lambda: all(view.image is not None for view in views.values()), timeout=5000)
    k, name = 1, PROB_NAMES[1]
    xyz = prob_centre_mm(k)
    window.ortho.move_cursor(xyz)
    location = window.ortho.location
    qtbot.waitUntil(lambda: name in location.region.text(), timeout=3000)
    _settle(window, qtbot)
    assert location.region.text() == f"Region: {name} (0.9)"
    assert location.table.item(0, 0).text() == "prob" and location.table.item(0, 1).text().startswith(f"{name} 0.9")
    assert f"prob: {name} 0.9" in window.status_label.text()
    for plane, view in views.items():
        assert view.error is None
        assert view.image.position == pytest.approx(xyz[PLANES[plane][0]])
        column, row = view.image.pixel_of(xyz)
        np.testing.assert_array_equal(view.image.rgba[int(round(row)), int(round(column))],
                                      layer.region_colors[k])


def test_planes_are_sampled_in_the_worker_thread_not_the_gui_thread(window, qtbot, phantom, monkeypatch):
    """Issue 24: the 2-D views slice in a worker; the GUI thread only takes each layer's snapshot."""
    from PyQt5 import QtCore

    from brainview.gui import ortho

    threads, original = [], ortho.plane_sampler

    def recording(layer):
        sample = original(layer)

        def recorded(grid):
            threads.append(threading.current_thread().name)
            return sample(grid)

        return recorded

    monkeypatch.setattr(ortho, "plane_sampler", recording)
    axial = window.ortho.views["axial"]
    axial.setFocus()
    qtbot.keyClick(axial, QtCore.Qt.Key_Right)
    qtbot.keyClick(axial, QtCore.Qt.Key_Up)
    _settle(window, qtbot)
    assert threads and set(threads) == {"brainview-planes"}


def test_a_dragged_cursor_ends_on_the_picture_of_its_last_position(window, qtbot, phantom):
    """Requests faster than pictures: older ones are dropped, the last position is always drawn,
    and what each view shows is what :func:`~brainview.planes.plane_image` draws there."""
    from PyQt5 import QtCore

    from brainview.planes import PLANES, plane_image

    layer, _ = phantom
    axial = window.ortho.views["axial"]
    axial.setFocus()
    for _ in range(12):  # a held key: no wait between the moves
        qtbot.keyClick(axial, QtCore.Qt.Key_Right)
        qtbot.keyClick(axial, QtCore.Qt.Key_Up)
    _settle(window, qtbot)
    position = window.ortho.cursor.position
    for name, view in window.ortho.views.items():
        expected = plane_image(window.figure, name, position[PLANES[name][0]])
        assert view.image.position == pytest.approx(position[PLANES[name][0]])
        np.testing.assert_array_equal(view.image.rgba, expected.rgba)


def test_a_window_screenshot_waits_for_the_2d_pictures_in_flight(window, qtbot, phantom):
    """File > Save screenshot of the whole window shows the cursor's planes, not the previous ones."""
    from brainview.planes import PLANES

    window.ortho.move_cursor((3.0, -4.0, 6.0))
    window.grab_all()  # no wait: the pictures asked for by the move are drawn first
    for name, view in window.ortho.views.items():
        assert view.image.position == pytest.approx((3.0, -4.0, 6.0)[PLANES[name][0]])
    assert not window.ortho.pending
