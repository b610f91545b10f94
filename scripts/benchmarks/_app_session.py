"""One app session for the ``app`` benchmark topic: run in its own process under a display.

    python -c "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')" \
        scripts/benchmarks/_app_session.py T1 ZMAP ATLAS REPEAT NAIVE OUT.json

(run by path: this folder on ``sys.path`` would shadow the standard library's ``html``).

Opens a window with the 3-D view over the 2-D views, opens the three files
(anatomy, z-map, atlas), then drives the real widgets: cursor clicks in the
axial view, arrow keys, 40 arrow presses at 30 Hz (a held key). For each it
records the event loop's longest gap (a 1 ms timer's ticks) and the GUI
thread's CPU time (``time.thread_time``). ``NAIVE`` = 1 measures the old way:
a 3-D render after every cursor move and every layer re-sampled at each
2-D refresh.
"""

import json
import sys
import time

from PyQt5 import QtCore, QtTest, QtWidgets

from brainview.gui.app import get_app
from brainview.gui.files import Choices
from brainview.gui.window import CURSOR_QUIET_MS, MainWindow
from brainview.scene import Figure


def wait(seconds):
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec_()


class Probe:
    """Ticks of a 1 ms timer and the GUI thread's CPU time around an action."""

    def __init__(self):
        self.ticks, self.renders = [], []
        self.timer = QtCore.QTimer()
        self.timer.setTimerType(QtCore.Qt.PreciseTimer)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def measure(self, action, settle_s, *, until=None, before_render=False):
        """``(longest gap s, GUI CPU s, wall s)`` of ``action()`` and the events it leaves, over ``settle_s``.

        ``before_render``: only until a 3-D render starts (the deferred render once the cursor is
        still is measured apart; a loaded machine may overrun ``settle_s`` into it).
        """
        self.ticks.clear()
        self.renders.clear()
        self.timer.start(1)
        wait(0.05)
        cpu, start = time.thread_time(), time.perf_counter()
        QtCore.QTimer.singleShot(0, action)
        if until is not None:
            while not until():
                wait(0.005)
        done = time.perf_counter()
        wait(settle_s)
        cpu = time.thread_time() - cpu
        self.timer.stop()
        end = min(self.renders) if before_render and self.renders else float("inf")
        ticks = [start] + [t for t in self.ticks if start <= t <= end]
        gaps = [b - a for a, b in zip(ticks, ticks[1:])]
        return max(gaps), cpu, done - start


def main(t1, zmap, atlas, repeat, naive, out):
    app = get_app()
    window = MainWindow(Figure(size=(800, 600)))
    window.resize(1400, 950)
    window.show()
    window.set_layout("1+3")
    if naive:
        window.defer_cursor_renders = False
        window.ortho.cache_planes = False
    probe = Probe()
    window.view.GetRenderWindow().AddObserver("StartEvent", lambda *args: probe.renders.append(time.perf_counter()))
    wait(0.5)
    opened = []
    window.loaded.connect(lambda: opened.append(True))
    rows = {"open": probe.measure(lambda: window.open_files([t1, zmap, atlas], choices=Choices(atlas=True)),
                                  2.0, until=lambda: bool(opened))}
    rows["layers"] = [layer.kind for layer in window.figure.layers]
    view = window.ortho.views["axial"]
    view.setFocus()
    wait(1.0)
    # Settle past the quiet period: each move ends with the deferred render (measured apart).
    quiet = CURSOR_QUIET_MS / 1000 * 0.75
    clicks, keys, renders = [], [], []
    for index in range(repeat):
        point = QtCore.QPoint(view.width() // 2 + 7 * (index % 5 - 2), view.height() // 2 + 5 * (index % 3 - 1))
        count = window.render_count
        clicks.append(probe.measure(lambda: QtTest.QTest.mouseClick(view, QtCore.Qt.LeftButton, pos=point),
                                    quiet if not naive else 1.5, before_render=not naive))
        renders.append(window.render_count - count)
        wait(1.5)  # the deferred render, if any, happens here
        key = QtCore.Qt.Key_Right if index % 2 == 0 else QtCore.Qt.Key_Left
        keys.append(probe.measure(lambda: QtTest.QTest.keyClick(view, key), quiet if not naive else 1.5,
                                  before_render=not naive))
        wait(1.5)
    rows["click"], rows["arrow"], rows["renders_during_click"] = clicks, keys, renders
    # The render once the cursor is still: its longest gap.
    rows["deferred"] = probe.measure(lambda: QtTest.QTest.keyClick(view, QtCore.Qt.Key_Up), 1.5)
    wait(1.0)
    pressed, start_count = [], window.render_count
    presser = QtCore.QTimer()
    presser.setInterval(33)

    def press():
        if len(pressed) >= 40:
            presser.stop()
            return
        pressed.append(True)
        QtTest.QTest.keyClick(view, QtCore.Qt.Key_Right if len(pressed) <= 20 else QtCore.Qt.Key_Left)

    presser.timeout.connect(press)
    rows["held"] = probe.measure(presser.start, 0.1, until=lambda: len(pressed) >= 40, before_render=not naive)
    rows["held_renders_before_still"] = window.render_count - start_count
    wait(1.5)
    rows["held_renders"] = window.render_count - start_count
    # The lightbox (12 axial slices of the three layers), sampled one slice per turn of the event loop.
    rows["lightbox"] = probe.measure(lambda: window.set_layout("lightbox"), 0.2,
                                     until=lambda: window.lightbox.isVisible() and not window.lightbox.pending)
    window.close()
    app.processEvents()
    with open(out, "w") as file:
        json.dump(rows, file)


if __name__ == "__main__":
    main(*sys.argv[2:5], int(sys.argv[5]), sys.argv[6] == "1", sys.argv[7])
