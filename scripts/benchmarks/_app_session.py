"""One app session for the ``app`` benchmark topic: run in its own process under a display.

    python -c "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')" \
        scripts/benchmarks/_app_session.py T1 ZMAP ATLAS REPEAT NAIVE OUT.json

(run by path: this folder on ``sys.path`` would shadow the standard library's ``html``).

Opens a window with the 3-D view over the 2-D views, opens the three files
(anatomy, z-map, atlas), then drives the real widgets: cursor clicks in the
axial view, arrow keys, 40 arrow presses at 30 Hz (a held key), a threshold
step of the z-map's panel, the layout switch to 2-D only and back, a short
movie. For each it records the event loop's longest gap (a 1 ms timer's
ticks), the GUI thread's CPU time (``time.thread_time``) and the wall time
until the 3-D view has drawn the final frame.

``NAIVE`` = 1 measures the old way: no render thread (the window's is
stopped), so drawer syncs and a 3-D render run on the GUI thread after every
change (a zero-delay timer, as the old window's idle render), and every layer
is re-sampled, on the GUI thread, at each 2-D refresh.
"""

import json
import sys
import tempfile
import time
from pathlib import Path

from PyQt5 import QtCore, QtTest, QtWidgets

from brainview.gui.app import get_app
from brainview.gui.files import Choices
from brainview.gui.window import MainWindow
from brainview.scene import Figure


def wait(seconds):
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec_()


class Probe:
    """Ticks of a 1 ms timer and the GUI thread's CPU time around an action."""

    def __init__(self, idle):
        self.ticks = []
        self.idle = idle  # True once the 3-D view shows the latest state
        self.timer = QtCore.QTimer()
        self.timer.setTimerType(QtCore.Qt.PreciseTimer)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def measure(self, action, settle_s=0.1, *, until=None):
        """``(longest gap s, GUI CPU s, wall s until the final 3-D frame)`` of ``action()``."""
        self.ticks.clear()
        self.timer.start(1)
        wait(0.05)
        cpu, start = time.thread_time(), time.perf_counter()
        QtCore.QTimer.singleShot(0, action)
        wait(0.01)
        while not ((until is None or until()) and self.idle()):
            wait(0.002)
        done = time.perf_counter()
        wait(settle_s)
        cpu = time.thread_time() - cpu
        self.timer.stop()
        ticks = [start] + [t for t in self.ticks if t >= start]
        gaps = [b - a for a, b in zip(ticks, ticks[1:])]
        return max(gaps), cpu, done - start


def _naive(window):
    """The old way: renders and drawer syncs on the GUI thread, after each change when idle."""
    window.view.stop()  # the figure is the script's again: its drawers sync synchronously
    window.ortho.cache_planes = False
    window.ortho.sample_in_worker = False  # planes sampled on the GUI thread
    figure = window.figure
    timer = QtCore.QTimer(window)
    timer.setSingleShot(True)
    timer.setInterval(0)

    def render():
        if window.view.isVisible():
            size = (window.view.width(), window.view.height())
            if tuple(figure.size) != size:
                figure.size = size  # (fires changed once: one more render, then stable)
            figure.render()

    timer.timeout.connect(render)
    figure.observe(lambda event: timer.start(), "changed")
    return lambda: not timer.isActive()


def _threshold_step(window, layer, index):
    """One step of the z-map's threshold field (3.0, 3.1, ...), as a slider step writes it."""
    editors = window.panel_ui.get_editors("threshold") if window.panel_ui is not None else []
    value = 3.0 + 0.1 * index
    return (lambda: setattr(editors[0], "value", value)) if editors else (lambda: setattr(layer, "threshold", value))


def main(t1, zmap, atlas, repeat, naive, out):
    app = get_app()
    window = MainWindow(Figure(size=(800, 600)))
    window.resize(1400, 950)
    window.show()
    window.set_layout("1+3")
    runner = window.view.runner
    idle = _naive(window) if naive else (lambda: not runner.pending)
    probe = Probe(idle)
    wait(0.5)
    opened = []
    window.loaded.connect(lambda: opened.append(True))
    rows = {"open": probe.measure(lambda: window.open_files([t1, zmap, atlas], choices=Choices(atlas=True)),
                                  until=lambda: bool(opened))}
    rows["layers"] = [layer.kind for layer in window.figure.layers]
    view = window.ortho.views["axial"]
    view.setFocus()
    wait(1.0)
    clicks, keys = [], []
    for index in range(repeat):
        point = QtCore.QPoint(view.width() // 2 + 7 * (index % 5 - 2), view.height() // 2 + 5 * (index % 3 - 1))
        clicks.append(probe.measure(lambda: QtTest.QTest.mouseClick(view, QtCore.Qt.LeftButton, pos=point)))
        key = QtCore.Qt.Key_Right if index % 2 == 0 else QtCore.Qt.Key_Left
        keys.append(probe.measure(lambda: QtTest.QTest.keyClick(view, key)))
    rows["click"], rows["arrow"] = clicks, keys
    pressed, start_count = [], window.render_count

    def press():
        if len(pressed) >= 40:
            presser.stop()
            return
        pressed.append(True)
        QtTest.QTest.keyClick(view, QtCore.Qt.Key_Right if len(pressed) <= 20 else QtCore.Qt.Key_Left)

    presser = QtCore.QTimer()
    presser.setInterval(33)
    presser.timeout.connect(press)
    rows["held"] = probe.measure(presser.start, until=lambda: len(pressed) >= 40)
    rows["held_frames"] = window.render_count - start_count if not naive else None
    zmap_layer = next(layer for layer in window.figure.layers if layer.kind == "stat_map")
    window.select_layer(zmap_layer)  # its panel (and colour bar), drawn before the steps
    probe.measure(lambda: None)
    rows["threshold"] = [probe.measure(_threshold_step(window, zmap_layer, index))
                         for index in range(max(2, repeat // 2))]
    rows["layout_2d"] = probe.measure(lambda: window.set_layout("2d"))
    rows["layout_back"] = probe.measure(lambda: window.set_layout("1+3"))
    movie = Path(tempfile.mkdtemp()) / "spin.mp4"
    frames = 6
    rows["movie"] = probe.measure(lambda: window.record_movie(str(movie), orbit=30, n_frames=frames, fps=24),
                                  until=movie.exists)
    rows["movie_frames"] = frames
    window.close()
    app.processEvents()
    with open(out, "w") as file:
        json.dump(rows, file)


if __name__ == "__main__":
    main(*sys.argv[2:5], int(sys.argv[5]), sys.argv[6] == "1", sys.argv[7])
