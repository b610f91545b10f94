"""Run file reading and geometry off the GUI thread; hand results back to it.

Layers are built in a worker thread (reading, decompression, isosurfaces
and planes are VTK filters and numpy, no OpenGL); the window adds them to
the figure on the GUI thread, where all rendering stays.

A job that does not finish in time, or that the user cancels (closing the
window cancels every job), is *abandoned*: the loader reports it and is free
at once, whatever the worker returns later is dropped, and the worker is
*stopped*: :class:`WorkStopped` is raised in its thread at the next line of
Python it runs. A worker inside one long C call (a hostile file may hang a
reader there) cannot be interrupted: it stops when that call returns.
Workers are daemon threads: neither closing the window nor leaving Python
ever waits for one. A result that arrives after the loader itself was
deleted (its window closed) is dropped too.
"""

from __future__ import annotations

import ctypes
import threading
import traceback

from PyQt5 import QtCore, sip

from .common import lower_thread_priority

#: Seconds a load may take before it is abandoned (``Loader.timeout``).
DEFAULT_TIMEOUT_S = 60.0


class LoadAbandoned(TimeoutError):
    """A load that did not finish in time or was cancelled: its worker is stopped, its result dropped."""


class WorkStopped(BaseException):
    """Raised inside an abandoned worker to stop it (a BaseException: ``except Exception`` lets it through)."""


class _Job:
    """One worker's thread and whether it still runs the job's function (guarded by ``lock``)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.running = True
        self.thread = None

    def stop(self):
        """Raise :class:`WorkStopped` in the worker while it runs the function; False when it had ended."""
        with self.lock:
            if not self.running or self.thread is None or self.thread.ident is None:
                return False
            self.running = False
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread.ident),
                                                       ctypes.py_object(WorkStopped))
            return True

    def finish(self):
        """The function returned: from now on :meth:`stop` leaves the worker alone."""
        with self.lock:
            self.running = False


class _Signals(QtCore.QObject):
    # Emitted from the worker thread, delivered on the GUI thread (queued).
    done = QtCore.pyqtSignal(object)
    failed = QtCore.pyqtSignal(object, str)


class Loader(QtCore.QObject):
    """Runs one callable at a time in a daemon thread, with a time limit.

    ``finished(result)`` or ``error(exception, text)`` is emitted on the GUI
    thread; a job abandoned (time-out or :meth:`cancel`) emits ``error``
    with a :class:`LoadAbandoned`.

    Parameters
    ----------
    parent : QObject, optional
    timeout : float
        Seconds before a job is abandoned (see :data:`DEFAULT_TIMEOUT_S`).
    """

    finished = QtCore.pyqtSignal(object)
    error = QtCore.pyqtSignal(object, str)

    def __init__(self, parent=None, *, timeout=DEFAULT_TIMEOUT_S):
        super().__init__(parent)
        self.timeout = float(timeout)
        self._signals = None
        self._job = None
        self._name = ""
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._timed_out)

    @property
    def busy(self):
        """True while a job runs that has not been abandoned."""
        return self._signals is not None

    def start(self, function, *, name="the file"):
        """Run ``function()`` in a worker; ``name`` is what messages call the job."""
        if self.busy:
            raise RuntimeError("Loader.start: a job is running; wait for it or cancel it.")
        # One signals object per job, kept alive by the worker's closure so a
        # late result of an abandoned job is emitted on a live object (and ignored).
        signals = _Signals()
        signals.done.connect(lambda result: self._done(signals, result))
        signals.failed.connect(lambda error, text: self._failed(signals, error, text))
        self._signals, self._name, self._job = signals, name, _Job()
        self._job.thread = threading.Thread(target=_run, args=(function, signals, self._job), daemon=True,
                                            name=f"brainview-load {name}")
        self._job.thread.start()
        self._timer.start(max(1, int(self.timeout * 1000)))

    def cancel(self, *, report=True):
        """Stop waiting for the running job: it is abandoned (and reported, unless ``report=False``)."""
        if not self.busy:
            return
        if report:
            self._abandon(f"Cancelled loading {self._name}.")
        else:
            self._abandon_worker()
            self._release()

    def _timed_out(self):
        if self.busy:
            self._abandon(f"Gave up on {self._name} after {self.timeout:g} s (it may be damaged, "
                          "huge or on a slow disk); the window works on.")

    def _abandon(self, text):
        self._abandon_worker()
        self._release()
        self.error.emit(LoadAbandoned(text), text)

    def _release(self):
        self._timer.stop()
        self._signals = None

    def _abandon_worker(self):
        """Stop the worker of the job being abandoned (see the module docstring)."""
        job, self._job = self._job, None
        if job is not None:
            job.stop()

    def _done(self, signals, result):
        if sip.isdeleted(self) or signals is not self._signals:
            return  # an abandoned job finished late (or its window is gone): its result is dropped
        self._release()
        self.finished.emit(result)

    def _failed(self, signals, error, text):
        if sip.isdeleted(self) or signals is not self._signals:
            return
        self._release()
        self.error.emit(error, text)


def _run(function, signals, job):
    lower_thread_priority()
    try:
        try:
            result = function()
        finally:
            job.finish()  # from here on, nothing is raised into this thread
    except WorkStopped:
        return  # abandoned: nobody waits for a result
    except Exception as error:  # reported to the user in a dialog, never raised
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        _emit(signals.failed, error, detail)
    else:
        _emit(signals.done, result)


def _emit(signal, *args):
    try:
        signal.emit(*args)
    except RuntimeError:  # the application is gone (a late worker at exit)
        pass
