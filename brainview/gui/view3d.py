"""The app's 3-D view: a widget showing the frames a render thread of its own draws.

The GUI thread never waits for VTK. While the window shows a figure, a
:class:`RenderRunner` thread owns every VTK call on it: the figure renders
off-screen at the widget's size in that thread, and the widget paints the
latest frame (a ``QImage`` of its pixels). The GUI thread changes models
only; the drawers' re-syncs, new layers' drawings (meshes), colour bars and
camera moves are queued for the render thread (one per drawer and trait),
which does them just before its next frame. At most one frame is drawn at a
time and one more is pending, however many changes come meanwhile: a burst
of cursor moves gives one more frame after the current one.

Mouse and keys work as VTK's trackball camera style: left drag rotates,
shift+left or middle drag pans, the wheel or a right drag zooms; the figure
is ``interacting`` while dragging (heavy layers show a lighter version) and
draws full detail at the release. A click (press and release less than
:data:`~brainview.render.events.CLICK_SLOP` pixels apart) calls the figure's
``on_pick`` callbacks, keys its ``on_key`` callbacks (both on the GUI
thread); a pick of what is under the resting mouse reaches the window's
status bar (:attr:`View3D.hovered`). Picks run on the render thread.

VTK releases the GIL while it renders, so the GUI thread runs meanwhile.
"""

from __future__ import annotations

import threading
import traceback

import numpy as np
from PyQt5 import QtCore, QtGui, QtWidgets

from .. import _vtk
from ..render.events import CLICK_SLOP
from ..render.writers import grab

__all__ = ["PICK_DELAY_MS", "RenderRunner", "View3D"]

#: How long (ms) the mouse rests before the status bar says what is under it.
PICK_DELAY_MS = 40
#: vtkInteractorStyleTrackballCamera's MotionFactor: degrees and zoom steps per pixel of drag.
_MOTION_FACTOR = 10.0
#: Qt keys and the names VTK (and ``figure.on_key``) gives them.
_KEY_NAMES = {QtCore.Qt.Key_Up: "Up", QtCore.Qt.Key_Down: "Down", QtCore.Qt.Key_Left: "Left",
              QtCore.Qt.Key_Right: "Right", QtCore.Qt.Key_Space: "space", QtCore.Qt.Key_Escape: "Escape",
              QtCore.Qt.Key_Return: "Return", QtCore.Qt.Key_Enter: "Return", QtCore.Qt.Key_Tab: "Tab",
              QtCore.Qt.Key_Backspace: "BackSpace", QtCore.Qt.Key_Delete: "Delete",
              QtCore.Qt.Key_Home: "Home", QtCore.Qt.Key_End: "End", QtCore.Qt.Key_PageUp: "Prior",
              QtCore.Qt.Key_PageDown: "Next", **{getattr(QtCore.Qt, f"Key_F{n}"): f"F{n}" for n in range(1, 13)}}


class _Job:
    """A call made from another thread, run on the render thread."""

    def __init__(self, function):
        self.function, self.done, self.retry, self.result, self.error = function, False, False, None, None


class RenderRunner:
    """The thread drawing a figure shown in the app (see the module doc).

    Parameters
    ----------
    figure : Figure
        Hosted from construction (``figure._host_in``) until :meth:`stop`.
    size : (int, int)
        Pixels of the frames.
    on_frame : callable
        ``on_frame(pixels)`` in the render thread with each new frame, an
        ``(height, width, 3)`` uint8 array.
    on_error : callable
        ``on_error(text)`` in the render thread when queued work failed.
    on_closed : callable, optional
        ``on_closed()`` in the render thread when it ends because a script closed the figure.
    on_drawn : callable, optional
        ``on_drawn()`` in the render thread after it drew new layers (a drawing may
        decide traits left to it, such as a stat map's ``outline``).
    """

    def __init__(self, figure, size, *, on_frame, on_error, on_closed=None, on_drawn=None):
        self.figure = figure
        self._on_frame, self._on_error, self._on_closed, self._on_drawn = on_frame, on_error, on_closed, on_drawn
        self._state = threading.Condition(threading.Lock())  # the queue; never held while drawing
        self._done = threading.Condition(_vtk.RENDER_LOCK)  # a call finished, or the thread did
        self._tasks, self._calls = {}, []
        self._wanted, self._paused, self._stopping, self._finished = False, False, False, False
        self._size = tuple(int(v) for v in size)
        self.frames = 0
        #: ``wait_here(until)`` waits for calls from the main thread while answering its events
        #: (a movie on the GUI thread); None: calls block the caller.
        self.wait_here = None
        #: True while a frame or queued work is being drawn or done.
        self.busy = False
        self.window = _vtk.vtkRenderWindow()  # its OpenGL context is made by its first render, there
        self.window.SetOffScreenRendering(True)
        self.window.SetMultiSamples(0)  # multisampling is slow in software OpenGL
        self.window.SetAlphaBitPlanes(True)  # as figures' own windows: the same pixels (depth peeling)
        self.window.SetSize(*self._size)
        self._thread = threading.Thread(target=self._run, name="brainview-render", daemon=True)
        figure._host_in(self.window, self)
        figure._windows.shown = self._size  # the camera frames for it at once (the window follows)
        self._thread.start()

    # ------------------------------------------------------------ any thread

    def owns_thread(self):
        """Whether the caller is the render thread."""
        return threading.current_thread() is self._thread

    @property
    def stopping(self):
        """True once :meth:`stop` was asked (long work, a movie, ends at its next step)."""
        return self._stopping

    @property
    def pending(self):
        """True while a frame or work waits to be drawn or done (or is being)."""
        with self._state:
            return self.busy or bool(self._tasks or self._calls) or (self._wanted and not self._paused)

    def request_render(self):
        """Draw a new frame once the current one (if any) is done."""
        with self._state:
            self._wanted = True
            self._state.notify_all()

    def defer(self, work, key=None):
        """Do ``work()`` on the render thread before its next frame (once per ``key``, at its first place)."""
        with self._state:
            self._tasks.setdefault(object() if key is None else key, work)
            self._wanted = True
            self._state.notify_all()

    def call(self, function):
        """``function()`` run on the render thread once the queued work is done; waits and returns its result.

        The caller may hold :data:`~brainview._vtk.RENDER_LOCK`: it is released while waiting.
        """
        if self.owns_thread():
            return function()
        job = _Job(function)
        with self._state:
            if self._stopping:
                job.retry = True
            else:
                self._calls.append(job)
                self._state.notify_all()
        wait_here = self.wait_here
        if wait_here is not None and threading.current_thread() is threading.main_thread():
            wait_here(lambda: job.done or job.retry or self._finished)
        else:
            with self._done:
                self._done.wait_for(lambda: job.done or job.retry or self._finished)
        if job.retry or not job.done:
            if threading.current_thread() is not threading.main_thread():
                raise RuntimeError("3-D view: the window closed; its render thread ended")
            return function()  # the window closed meanwhile: the figure is the script's again
        if job.error is not None:
            raise job.error
        return job.result

    def resize(self, size):
        """Draw the next frames at ``size`` pixels."""
        with self._state:
            self._size = tuple(max(1, int(v)) for v in size)
            if self.figure._windows.runner is self:
                self.figure._windows.shown = self._size
            self._wanted = True
            self._state.notify_all()

    def set_paused(self, paused):
        """Paused: queued work and calls are still done, but no frame is drawn (the view is hidden)."""
        with self._state:
            self._paused = bool(paused)
            self._state.notify_all()

    def stop(self):
        """Finish the frame or work in progress, do the queued work, give the figure back; wait for it."""
        with self._state:
            self._stopping = True
            self._state.notify_all()
        with self._done:
            self._done.wait_for(lambda: self._finished)

    # ------------------------------------------------------------ the render thread

    def _has_work(self):
        return self._stopping or self._tasks or self._calls or (self._wanted and not self._paused)

    def _run(self):
        try:
            _vtk.is_software_rendering()  # probed here once: the GUI thread then reads it without the lock
            while True:
                with self._state:
                    self._state.wait_for(self._has_work)
                    if self._stopping:
                        break
                    self.busy = True
                try:
                    pixels = self._step()
                    if pixels is not None:
                        self._on_frame(pixels)  # handed over before the thread says it is idle
                except Exception as error:  # a frame that fails must not end the view: the next one may draw
                    self._on_error(f"3-D view: {type(error).__name__}: {error}")
                    traceback.print_exc()
                finally:
                    self.busy = False
                if self.figure.closed:
                    break  # a script closed the figure: nothing more to draw
        finally:
            self._finish()

    def _step(self):
        with _vtk.RENDER_LOCK:
            self._apply_size()  # before the work: a screenshot at the shown size draws the window
            self._run_tasks()
            self._run_calls()
            with self._state:
                wanted = self._wanted and not self._paused
                self._wanted = self._wanted and not wanted
            if wanted and not self.figure.closed:
                return self.render_frame()
        return None

    def _run_tasks(self):
        with self._state:
            tasks, self._tasks = self._tasks, {}
        if not tasks:
            return
        drawn = len(self.figure._drawers)
        for work in tasks.values():
            try:
                work()
            except Exception as error:  # a broken layer must not stop the view
                self._on_error(f"3-D view: {type(error).__name__}: {error}")
                traceback.print_exc()
        if len(self.figure._drawers) > drawn and self._on_drawn is not None:
            self._on_drawn()

    def _run_calls(self):
        self._run_tasks()  # queued while the earlier work ran: a call sees all work asked before it
        with self._state:
            calls, self._calls = self._calls, []
        for job in calls:
            try:
                job.result = job.function()
            except BaseException as error:  # raised again in the calling thread
                job.error = error
            job.done = True
        if calls:
            self._done.notify_all()

    def _apply_size(self):
        with self._state:
            size = self._size
        if tuple(self.window.GetSize()) != size:
            self.window.SetSize(*size)

    def render_frame(self):
        """Draw the scene now at the current size and return its pixels (render thread only)."""
        self._apply_size()
        self.figure.render()
        self.frames += 1
        return grab(self.window)

    def _finish(self):
        with _vtk.RENDER_LOCK:
            if not self.figure.closed:
                self._run_tasks()  # e.g. the window's colour bar leaving
                self.figure._unhost()
            self.window.Finalize()
            with self._state:
                self._stopping = self._finished = True
                calls, self._calls = self._calls, []
            for job in calls:
                job.retry = True
            self._done.notify_all()
        if self.figure.closed and self._on_closed is not None:
            self._on_closed()


class _WindowOnRenderThread:
    """What the GUI thread may ask of the view's render window: its size, its OpenGL report."""

    def __init__(self, runner):
        self._runner = runner

    def GetSize(self):  # noqa: N802  (VTK's name)
        return tuple(self._runner.window.GetSize())

    def ReportCapabilities(self):  # noqa: N802
        return self._runner.call(self._runner.window.ReportCapabilities)


class View3D(QtWidgets.QWidget):
    """The 3-D view of a figure: frames from its :class:`RenderRunner`, trackball mouse, keys, picks.

    Parameters
    ----------
    figure : Figure
    parent : QWidget, optional

    Attributes
    ----------
    runner : RenderRunner
    """

    #: A pick of what is under the resting mouse: the PickResult (or the exception raised).
    hovered = QtCore.pyqtSignal(object)
    #: Queued work failed on the render thread (the message).
    failed = QtCore.pyqtSignal(str)
    #: A script closed the figure.
    figure_closed = QtCore.pyqtSignal()
    #: New layers were drawn (the render thread may have decided traits left to the drawing).
    drawn = QtCore.pyqtSignal()
    _frame_ready = QtCore.pyqtSignal()
    _clicked = QtCore.pyqtSignal(object)

    def __init__(self, figure, parent=None):
        super().__init__(parent)
        self.figure = figure
        self.setFocusPolicy(QtCore.Qt.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(64, 64)
        self.setAttribute(QtCore.Qt.WA_OpaquePaintEvent)
        self._image = self._latest = None
        self._latest_lock = threading.Lock()
        self._drag = None
        self._motion = {"rotate": np.zeros(2), "pan": np.zeros(2), "zoom": 0.0}
        self._motion_lock = threading.Lock()
        self._hover_xy = None
        self._pick_timer = QtCore.QTimer(self)
        self._pick_timer.setSingleShot(True)
        self._pick_timer.setInterval(PICK_DELAY_MS)
        self._pick_timer.timeout.connect(self._hover_pick)
        self._frame_ready.connect(self._show_latest)
        self._clicked.connect(self._call_pick_callbacks)
        self.runner = RenderRunner(figure, self._pixel_size(), on_frame=self._deliver, on_error=self.failed.emit,
                                   on_closed=self.figure_closed.emit, on_drawn=self.drawn.emit)

    # ------------------------------------------------------------ frames

    def _pixel_size(self):
        ratio = self.devicePixelRatioF()
        return max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio))

    def request_render(self):
        """Draw a new frame when the render thread is free (a change of the scene)."""
        if not self.runner.stopping:
            self.runner.request_render()

    def render_now(self):
        """Draw a frame now, wait for it and show it (tests, screenshots; blocks the caller)."""
        if self.runner.stopping:
            return None
        pixels = self.runner.call(self.runner.render_frame)
        self._set_image(pixels)
        self.repaint()
        return pixels

    @property
    def frame(self):
        """The frame shown: an ``(height, width, 3)`` uint8 array (None before the first)."""
        return None if self._image is None else self._image[1]

    def GetRenderWindow(self):  # noqa: N802  (QVTKRenderWindowInteractor's name: the About box asks it)
        return _WindowOnRenderThread(self.runner)

    def _deliver(self, pixels):  # render thread
        with self._latest_lock:
            pending, self._latest = self._latest is not None, pixels
        if not pending:
            self._frame_ready.emit()

    def _show_latest(self):
        with self._latest_lock:
            pixels, self._latest = self._latest, None
        if pixels is not None:
            self._set_image(pixels)
            self.update()

    def _set_image(self, pixels):
        pixels = np.ascontiguousarray(pixels)
        height, width, _ = pixels.shape
        image = QtGui.QImage(pixels.data, width, height, 3 * width, QtGui.QImage.Format_RGB888)
        self._image = (image, pixels)  # the array outlives the QImage that points at it

    def paintEvent(self, event):  # noqa: N802
        painter = QtGui.QPainter(self)
        if self._image is None:
            painter.fillRect(self.rect(), QtGui.QColor(*(round(255 * c) for c in self.figure.bgcolor)))
        else:
            painter.drawImage(self.rect(), self._image[0])
        painter.end()

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        if not self.runner.stopping:
            self.runner.resize(self._pixel_size())

    def showEvent(self, event):  # noqa: N802
        super().showEvent(event)
        self.runner.set_paused(False)
        self.request_render()

    def hideEvent(self, event):  # noqa: N802
        super().hideEvent(event)
        self.runner.set_paused(True)

    def stop(self):
        """Stop the render thread (after the frame or work in progress) and give the figure back."""
        self._pick_timer.stop()
        self.runner.stop()

    # ------------------------------------------------------------ mouse: the trackball camera

    def mousePressEvent(self, event):  # noqa: N802
        button, shift = event.button(), event.modifiers() & QtCore.Qt.ShiftModifier
        mode = {QtCore.Qt.LeftButton: "pan" if shift else "rotate", QtCore.Qt.MiddleButton: "pan",
                QtCore.Qt.RightButton: "zoom"}.get(button)
        if mode is not None and self._drag is None:
            self._drag = {"mode": mode, "button": button, "start": event.pos(), "last": event.pos(), "moved": False}
        self._pick_timer.stop()
        self.setFocus()

    def mouseMoveEvent(self, event):  # noqa: N802
        drag, pos = self._drag, event.pos()
        if drag is None:
            self._hover_xy = self._pixel(pos)
            self._pick_timer.start()
            return
        if not drag["moved"] and (pos - drag["start"]).manhattanLength() < CLICK_SLOP:
            return
        if not drag["moved"]:
            drag["moved"] = True
            self.figure.interacting = True  # heavy layers draw lighter meanwhile
        delta = pos - drag["last"]
        drag["last"] = pos
        self.move_camera(drag["mode"], delta.x(), delta.y())

    def mouseReleaseEvent(self, event):  # noqa: N802
        drag = self._drag
        if drag is None or event.button() != drag["button"]:
            return
        self._drag = None
        if drag["moved"]:
            self.figure.interacting = False  # the full-detail frame
        elif drag["button"] == QtCore.Qt.LeftButton and self.figure.has_callbacks:
            self._pick_on_render_thread(self._pixel(event.pos()), click=True)

    def wheelEvent(self, event):  # noqa: N802
        steps = event.angleDelta().y() / 120.0
        if steps:  # ::OnMouseWheelForward: 1.1 ** (MotionFactor * 0.2) closer per notch
            self._add_motion("zoom", _MOTION_FACTOR * 0.2 * steps)

    def move_camera(self, mode, dx, dy):
        """Move the camera as a drag of ``(dx, dy)`` widget pixels would (``"rotate"``, ``"pan"``, ``"zoom"``).

        Drags add up until the render thread applies them before its next frame.
        """
        if mode == "zoom":  # ::Dolly: dragging up zooms in
            self._add_motion("zoom", -_MOTION_FACTOR * float(dy) / max(self.height() / 2, 1))
        elif mode in ("rotate", "pan"):
            self._add_motion(mode, np.array([float(dx), float(dy)]))
        else:
            raise ValueError(f"mode: expected 'rotate', 'pan' or 'zoom', got {mode!r}.")

    def _add_motion(self, mode, amount):
        with self._motion_lock:
            self._motion[mode] = self._motion[mode] + amount
        self.runner.defer(self._apply_motion, "camera motion")

    def _apply_motion(self):  # render thread
        with self._motion_lock:
            rotate, pan, zoom = self._motion["rotate"], self._motion["pan"], self._motion["zoom"]
            self._motion = {"rotate": np.zeros(2), "pan": np.zeros(2), "zoom": 0.0}
        figure = self.figure
        if figure.closed:
            return
        figure._apply_camera()  # placed first if a view is pending
        width, height = self.runner.window.GetSize()
        ratio = self.devicePixelRatioF()
        with figure._moving_camera() as camera:
            if rotate.any():  # vtkInteractorStyleTrackballCamera::Rotate (widget y points down)
                camera.Azimuth(-20.0 / width * rotate[0] * ratio * _MOTION_FACTOR)
                camera.Elevation(20.0 / height * rotate[1] * ratio * _MOTION_FACTOR)
                camera.OrthogonalizeViewUp()
            if pan.any():
                self._pan(camera, pan * ratio)
            if zoom:
                camera.Dolly(1.1 ** zoom)
            figure.renderer.ResetCameraClippingRange()
        figure._camera_set = True

    def _pan(self, camera, delta):
        """vtkInteractorStyleTrackballCamera::Pan: the point under the mouse follows it."""
        renderer = self.figure.renderer
        renderer.SetWorldPoint(*camera.GetFocalPoint(), 1.0)
        renderer.WorldToDisplay()
        x, y, depth = renderer.GetDisplayPoint()
        points = []
        for dx, dy in ((0.0, 0.0), (delta[0], -delta[1])):
            renderer.SetDisplayPoint(x + dx, y + dy, depth)
            renderer.DisplayToWorld()
            world = np.array(renderer.GetWorldPoint())
            points.append(world[:3] / world[3])
        motion = points[0] - points[1]
        camera.SetFocalPoint(*(np.array(camera.GetFocalPoint()) + motion))
        camera.SetPosition(*(np.array(camera.GetPosition()) + motion))

    # ------------------------------------------------------------ picks and keys

    def _pixel(self, pos):
        """A widget position in frame pixels (top-left origin)."""
        ratio = self.devicePixelRatioF()
        return float(pos.x() * ratio), float(pos.y() * ratio)

    def leaveEvent(self, event):  # noqa: N802
        self._pick_timer.stop()
        super().leaveEvent(event)

    def _hover_pick(self):
        if self._hover_xy is not None and self._drag is None:
            self._pick_on_render_thread(self._hover_xy, click=False)

    def _pick_on_render_thread(self, xy, *, click):
        signal = self._clicked if click else self.hovered

        def pick():
            try:
                result = self.figure.pick(xy)
            except Exception as error:  # shown in the status bar; never kills the thread
                result = error
            signal.emit(result)

        # Hover picks replace each other; every click is picked.
        self.runner.defer(pick, None if click else "hover pick")

    def _call_pick_callbacks(self, result):
        if isinstance(result, Exception):
            self.failed.emit(f"pick failed: {result}")
        elif not self.figure.closed:
            self.figure._call_pick_callbacks(result)

    def keyPressEvent(self, event):  # noqa: N802
        key = _KEY_NAMES.get(event.key()) or (event.text() if event.text().isprintable() else "")
        if key and not self.figure.closed and self.figure.has_callbacks:
            self.figure.press_key(key, xy=self._hover_xy)
        super().keyPressEvent(event)  # the window's own keys still work

