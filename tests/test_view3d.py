"""The app's 3-D view renders on its own thread (issue 24 "Freezes", issue 19 point 6).

Structure, not timings (those are in scripts/benchmarks/app.py): renders happen
off the GUI thread, a model change never renders synchronously, the mouse turns
and zooms the camera, hover and click picks arrive, closing mid-work is clean,
and the whole-window screenshot holds the 3-D pixels.
"""

import threading

import numpy as np
import pytest
from PyQt5 import QtCore, QtGui, QtWidgets

pytestmark = pytest.mark.gui

import brainview as bv  # noqa: E402

from view3d_helpers import mouse, wheel  # noqa: E402


@pytest.fixture
def window(open_window):
    return open_window((300, 200), (800, 500))


def _busy_render_thread(window):
    """Keep the render thread busy (as a slow frame would) until the returned event is set."""
    started, release = threading.Event(), threading.Event()
    window.view.runner.defer(lambda: started.set() or release.wait(30))
    assert started.wait(30)
    return release


def _idle(window, qtbot):
    qtbot.waitUntil(lambda: not window.view.runner.pending, timeout=20_000)


def test_renders_happen_on_the_render_thread(window, qtbot):
    layer = window.figure.add(bv.layers.Points([[0, 0, 0]], size=20))
    threads = []
    window.figure.renderer.AddObserver("StartEvent", lambda *args: threads.append(threading.get_ident()))
    layer.color = "red"  # a model change on the GUI thread
    qtbot.waitUntil(lambda: bool(threads), timeout=20_000)
    window.render_now()  # a synchronous request runs there too
    assert threads and threading.get_ident() not in threads
    assert set(threads) == {window.view.runner._thread.ident}


def test_a_model_change_on_the_gui_thread_waits_for_the_render_thread(window, qtbot):
    # Slices: a model that changes no VTK data in place (those hold the render lock: brainview._locks).
    layer = window.figure.add(bv.layers.Slices((np.arange(64.0).reshape(4, 4, 4), np.eye(4) * 5), axes="z"))
    window.render_now()
    actor = next(prop for prop in window.figure.drawer(layer).props() if prop.GetVisibility())
    release = _busy_render_thread(window)
    frames = window.render_count
    layer.clim = (0.0, 10.0)
    layer.visible = False
    # Returned at once: the props are synced and drawn by the render thread, not here.
    assert actor.GetVisibility() == 1 and window.render_count == frames
    release.set()
    _idle(window, qtbot)
    assert actor.GetVisibility() == 0
    assert window.render_count - frames <= 2, "the frame in progress, then one for both changes"


def test_a_layer_added_from_the_gui_thread_is_drawn_by_the_render_thread(window, qtbot):
    layer = bv.layers.Points([[0, 0, 0]], size=20)
    release = _busy_render_thread(window)
    window.figure.add(layer)
    assert window.figure.layers == [layer] and window.layer_list.count() == 1  # listed at once
    release.set()
    assert window.figure.drawer(layer).actor is not None  # waits for the render thread's drawing
    qtbot.waitUntil(lambda: window.view.frame is not None and window.view.frame.max() > 0, timeout=20_000)


def test_a_frame_that_raises_does_not_end_the_render_thread(window, qtbot, monkeypatch):
    """A failed frame is reported in the window and the next change is drawn (the view never dies)."""
    layer = window.figure.add(bv.layers.Points([[0, 0, 0]], size=20))
    _idle(window, qtbot)
    original, failures = type(window.figure).render, []

    def render_once_broken(figure):
        if not failures:
            failures.append(True)
            raise RuntimeError("frame exploded")
        original(figure)

    monkeypatch.setattr(type(window.figure), "render", render_once_broken)
    layer.color = "red"
    qtbot.waitUntil(lambda: "frame exploded" in window.statusBar().currentMessage(), timeout=20_000)
    frames = window.render_count
    layer.color = "blue"
    qtbot.waitUntil(lambda: window.render_count > frames, timeout=20_000)
    assert window.view.runner._thread.is_alive()


def test_a_left_drag_rotates_the_camera_and_the_wheel_zooms(window, qtbot):
    fig = window.figure
    fig.add(bv.layers.Points([[-30, 0, 0], [30, 0, 0]], size=15))
    fig.view("anterior")
    window.render_now()
    QtGui.QCursor.setPos(window.mapToGlobal(QtCore.QPoint(-50, -50)))  # no real pointer moves meanwhile
    QtWidgets.QApplication.processEvents()
    before = fig.camera
    mouse(window.view, "press", (200, 150))
    for x in range(210, 300, 10):
        mouse(window.view, "move", (x, 150))
    assert fig.interacting
    mouse(window.view, "release", (290, 150))
    assert not fig.interacting
    _idle(window, qtbot)
    turned = fig.camera
    offset = lambda pose: np.subtract(pose["position"], pose["focal_point"])  # noqa: E731
    # A horizontal drag turns about the view-up axis: the distance and view-up stay.
    assert np.linalg.norm(offset(turned)) == pytest.approx(np.linalg.norm(offset(before)), rel=1e-6)
    angle = np.degrees(np.arccos(np.dot(offset(turned), offset(before))
                                 / np.linalg.norm(offset(turned)) / np.linalg.norm(offset(before))))
    assert angle > 20
    assert turned["view_up"] == pytest.approx(before["view_up"], abs=1e-6)
    wheel(window.view, (200, 150), 2)  # two notches forward: 1.1 ** 2 closer each
    _idle(window, qtbot)
    zoomed = fig.camera
    ratio = np.linalg.norm(offset(turned)) / np.linalg.norm(offset(zoomed))
    assert ratio == pytest.approx(1.1 ** 4, rel=1e-6)


def test_hovering_a_layer_reports_it_in_the_status_bar(window, qtbot):
    fig = window.figure
    ball = fig.add(bv.layers.Points([[0, 0, 0]], size=60, name="ball"))
    fig.view("superior")
    window.render_now()
    x, y = fig.pixel_of((0, 0, 0))
    ratio = window.view.devicePixelRatioF()
    qtbot.mouseMove(window.view, QtCore.QPoint(round(x / ratio), round(y / ratio)))
    mouse(window.view, "move", (x / ratio + 1, y / ratio))  # a move with no button: a hover
    qtbot.waitUntil(lambda: window.last_pick is not None and window.last_pick.layer is ball, timeout=20_000)
    assert window.last_pick.item_info == {"marker": 0}
    assert window.status_label.text() == window.last_pick.describe() and "mm" in window.status_label.text()


def test_closing_while_a_render_is_in_flight_gives_the_figure_back(qtbot):
    from brainview.gui.window import MainWindow

    fig = bv.Figure(size=(120, 80), antialias=False)
    fig.add(bv.layers.Points([[0, 0, 0]], size=20, color="red"))
    win = MainWindow(fig)
    win.show()
    qtbot.waitExposed(win)
    release = _busy_render_thread(win)
    runner = win.view.runner
    threading.Timer(0.2, release.set).start()  # the frame in flight ends while the window closes
    win.close()
    assert not runner._thread.is_alive()
    assert fig._windows.host is None and fig._windows.runner is None
    image = fig.screenshot()  # the script's figure again, drawn on this thread
    assert image.shape == (80, 120, 3) and image[..., 0].max() > 200
    fig.close()


def test_the_whole_window_screenshot_holds_the_3d_pixels(window, qtbot):
    fig = window.figure
    fig.bgcolor = "black"
    fig.add(bv.layers.Points([[0, 0, 0]], size=80, color=(0.0, 1.0, 0.0)))
    fig.view("superior")
    image = window.grab_all()
    origin = window.view.mapTo(window, QtCore.QPoint(0, 0))
    ratio = image.devicePixelRatio()
    shot = image.copy(round(origin.x() * ratio), round(origin.y() * ratio),
                      round(window.view.width() * ratio), round(window.view.height() * ratio))
    shot = shot.convertToFormat(4)  # RGB32
    pixels = np.frombuffer(shot.constBits().asstring(shot.byteCount()), np.uint8)
    pixels = pixels.reshape(shot.height(), shot.bytesPerLine() // 4, 4)[:, :shot.width(), 2::-1]
    green = (pixels[..., 1] > 150) & (pixels[..., 0] < 80) & (pixels[..., 2] < 80)
    assert green.mean() > 0.02, "the 3-D view's ball is in the window's picture"
    frame = window.view.frame
    assert abs(green.mean() - ((frame[..., 1] > 150) & (frame[..., 0] < 80)).mean()) < 0.01


def test_the_render_thread_runs_below_the_gui_thread_priority(window, qtbot):
    """On a busy machine the scheduler serves the GUI thread first (Linux: per-thread nice values)."""
    import os
    import sys

    from brainview.gui.common import WORKER_NICENESS

    if not sys.platform.startswith("linux"):
        pytest.skip("per-thread nice values are Linux's")
    gui = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    render = os.getpriority(os.PRIO_PROCESS, window.view.runner._thread.native_id)
    planes = os.getpriority(os.PRIO_PROCESS, window.ortho._worker._thread.native_id)
    assert render == planes == min(gui + WORKER_NICENESS, 19)
