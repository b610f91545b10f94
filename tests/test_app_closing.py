"""Closing the window in the middle of background work stops waiting for it and exits cleanly.

Each kind of work the app runs in a worker, made slow by a fake that waits
for the test: the guesses of File -> Open (a scan of the files' values),
the load itself, and a stat map's surface projection started from the
property panel. The window is closed while the worker runs; then the worker
is let go, and what it returns must reach nothing (no callback of the
closed window, no dialog, no "wrapped C/C++ object has been deleted"). The
same three, in a fresh process, end with exit code 0. Closing during a
movie is tested in tests/test_gui.py.
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[1]
AFFINE = np.array([[3.0, 0, 0, -30], [0, 3, 0, -30], [0, 0, 3, -30], [0, 0, 0, 1]])


class SlowWork:
    """A stand-in for a slow worker: Python steps for up to a minute, then its result.

    ``completed`` says whether it ran to its end; ``ended`` is set however it ended (stopped included).
    """

    def __init__(self, result=None):
        self.started, self.ended = threading.Event(), threading.Event()
        self.result, self.completed = result, False

    def __call__(self, *args, **options):
        self.started.set()
        try:
            for _ in range(60000):  # a step of work per ms: a worker between two lines of Python
                time.sleep(0.001)
            self.completed = True
            return self.result() if callable(self.result) else self.result
        finally:
            self.ended.set()


@pytest.fixture
def zmap(tmp_path):
    data = np.zeros((20, 20, 20), np.float32)
    data[5:10, 5:10, 5:10] = 5.0
    path = tmp_path / "zstat1.nii.gz"
    nib.save(nib.Nifti1Image(data, AFFINE), path)
    return path


def _answer_open(monkeypatch, paths):
    from PyQt5 import QtWidgets

    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *args, **kw: ([str(p) for p in paths], "")))


def _start_scan(window, qtbot, monkeypatch, zmap):
    """File -> Open: the guesses of what the files are run in a worker (made slow)."""
    slow = SlowWork(result=[])
    monkeypatch.setattr("brainview.gui.roles.guess_all", slow)
    _answer_open(monkeypatch, [zmap])
    window.actions["open"].trigger()
    return slow


def _start_load(window, qtbot, monkeypatch, zmap):
    """The load of a file (made slow): what File -> Open runs once the roles are known."""
    from brainview.gui import files

    slow = SlowWork(result=lambda: files.open_files([zmap], anatomy=False))
    monkeypatch.setattr("brainview.gui.window.open_files", slow)
    window.open_files([zmap])
    return slow


def _start_projection(window, qtbot, monkeypatch, zmap):
    """A stat map switched to surface mode in the property panel: its projection runs in a worker."""
    from PyQt5 import QtCore

    import brainview as bv

    layer = window.figure.add(bv.layers.StatMap(zmap, threshold=2.0, name="zmap"))
    window.select_layer(layer)
    slow = SlowWork()
    monkeypatch.setattr("brainview.layers._stat_modes.project_both", slow)
    box = window.panel_ui.get_editors("mode")[0].control
    box.setFocus()
    assert box.itemText(box.count() - 1) == "surface"
    qtbot.keyClick(box, QtCore.Qt.Key_End)  # the last mode: surface
    return slow


STARTS = {"scan": _start_scan, "load": _start_load, "projection": _start_projection}


@pytest.fixture
def window(own_window):
    """A shown window the test closes itself."""
    return own_window((120, 100), (700, 500))


@pytest.mark.parametrize("work", sorted(STARTS))
def test_closing_the_window_during_background_work_drops_its_result_without_errors(
        window, qtbot, monkeypatch, dialogs, zmap, work):
    """Bug: closing during a projection aborted the process (a late result reached a deleted QTimer)."""
    from PyQt5 import QtWidgets

    figure = window.figure
    slow = STARTS[work](window, qtbot, monkeypatch, zmap)
    qtbot.waitUntil(slow.started.is_set)
    assert window.busy or window._jobs.busy, "the work runs in a worker"
    layers_before = list(figure.layers)
    closed = []
    window.closed.connect(lambda: closed.append(True))
    window.close()
    assert closed == [True], "the window closes at once, without waiting for the worker"
    qtbot.waitUntil(slow.ended.is_set)  # never released: only closing can end it
    assert not slow.completed, "closing stopped the work"
    for _ in range(5):  # deliver the worker's late signal (the window's deletion: in the process test below)
        QtWidgets.QApplication.processEvents()
    assert list(figure.layers) == layers_before, "nothing the worker returned reached the figure"
    assert not dialogs, "no error dialog"
    if work == "projection":
        assert figure.layers[0].mode == "contour", "the closed window's panel set nothing"


CHILD = r'''
import sys, threading
from PyQt5 import QtCore, QtWidgets
app = QtWidgets.QApplication(["brainview"])
sys.path.insert(0, sys.argv[2])
import pytest
import test_app_closing as case
from brainview.gui.window import MainWindow
import brainview as bv

class Bot:  # what the starts need of qtbot
    def keyClick(self, widget, key):
        from PyQt5.QtTest import QTest
        QTest.keyClick(widget, key)

for work in ("scan", "load", "projection"):
    patch = pytest.MonkeyPatch()
    window = MainWindow(bv.Figure(size=(120, 100), antialias=False))
    window.show()
    slow = case.STARTS[work](window, Bot(), patch, sys.argv[1])
    while not slow.started.is_set():
        app.processEvents()
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(20, window.close)
    QtCore.QTimer.singleShot(60, lambda: slow.ended.wait(60))
    QtCore.QTimer.singleShot(200, loop.quit)
    loop.exec_()
    patch.undo()
    print("closed during", work, "stopped" if not slow.completed else "completed", flush=True)
'''


def test_closing_during_each_kind_of_work_ends_the_process_with_exit_code_0(zmap):
    """The three closes above in a new process under a real event loop: exit 0, nothing on stderr but Qt's notes."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", CHILD, str(zmap), str(ROOT / "tests")], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split("\n")[:3] == [f"closed during {work} stopped" for work in ("scan", "load", "projection")]
    assert "Traceback" not in result.stderr and "deleted" not in result.stderr, result.stderr[-3000:]


def test_cancelling_a_job_stops_its_worker_even_through_except_exception(qtbot):
    """A cancelled job's worker is stopped at its next line of Python; a library's ``except Exception``
    cannot swallow the stop; the loader reports the cancel and is free at once."""
    from brainview.gui.loader import LoadAbandoned, Loader

    slow = SlowWork(result="late")

    def guarded_work():  # library code that turns every error into its own
        try:
            return slow()
        except Exception as error:
            raise ValueError("converted") from error

    loader = Loader()
    errors = []
    loader.error.connect(lambda error, text: errors.append(error))
    loader.finished.connect(lambda result: errors.append(result))
    loader.start(guarded_work, name="slow")
    qtbot.waitUntil(slow.started.is_set)
    loader.cancel()
    assert not loader.busy and len(errors) == 1 and isinstance(errors[0], LoadAbandoned)
    qtbot.waitUntil(slow.ended.is_set)
    assert not slow.completed
    qtbot.wait(20)  # a late result or error, if any, would be delivered now
    assert len(errors) == 1
