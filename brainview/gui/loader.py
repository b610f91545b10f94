"""Run file reading and geometry off the GUI thread; hand results back to it.

Layers are built in a worker thread (reading, decompression, isosurfaces
and planes are VTK filters and numpy, no OpenGL); the window adds them to
the figure on the GUI thread, where all rendering stays.
"""

from __future__ import annotations

import traceback

from PyQt5 import QtCore


class _Signals(QtCore.QObject):
    done = QtCore.pyqtSignal(object)
    failed = QtCore.pyqtSignal(object, str)


class _Job(QtCore.QRunnable):
    def __init__(self, function, signals):
        super().__init__()
        self._function = function
        self.signals = signals
        self.setAutoDelete(True)

    def run(self):
        try:
            result = self._function()
        except Exception as error:  # reported to the user in a dialog, never raised
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            self.signals.failed.emit(error, detail)
        else:
            self.signals.done.emit(result)


class Loader(QtCore.QObject):
    """Runs one callable at a time in the global thread pool.

    ``finished(result)`` or ``error(exception, text)`` is emitted on the GUI
    thread.
    """

    finished = QtCore.pyqtSignal(object)
    error = QtCore.pyqtSignal(object, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._signals = None

    @property
    def busy(self):
        return self._signals is not None

    def start(self, function):
        # One signals object per job, owned here so it outlives the runnable.
        signals = _Signals()
        signals.done.connect(self._done)
        signals.failed.connect(self._failed)
        self._signals = signals
        QtCore.QThreadPool.globalInstance().start(_Job(function, signals))

    def _done(self, result):
        self._signals = None
        self.finished.emit(result)

    def _failed(self, error, text):
        self._signals = None
        self.error.emit(error, text)
