"""The main window's work in the background: files and sessions loading, slow panel edits.

:class:`BackgroundWork` is a mixin of :class:`~brainview.gui.window.MainWindow`.
A load runs in the window's :class:`~brainview.gui.loader.Loader` (``_loader``)
behind a cancellable progress dialog: the window stays responsive, Escape or
Cancel gives up waiting (the worker is abandoned, never waited for), a load
that takes longer than :attr:`BackgroundWork.load_timeout` is abandoned and
reported; the worker also imports what drawing the loaded layers needs
(:mod:`.warm`). What was loaded is added to the figure on the GUI thread; the
``loaded`` signal is emitted once a load finished, added or failed. Slow
edits from the property panel (``prepare=True`` traits) run the same way in
a second loader (``_jobs``): :meth:`BackgroundWork.run_in_background`.
Closing the window stops both (:meth:`BackgroundWork._stop_background_work`):
nothing a worker returns afterwards reaches the closed window.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PyQt5 import QtCore, QtWidgets

from .common import remember_recent
from .loader import LoadAbandoned
from .warm import warm_imports


def _load_and_warm(load, paths):
    """``load()``, then what showing its layers needs that can be done in the same worker.

    The imports of their drawers and panels (:mod:`.warm`), and the recent-files
    list written to disk (a file write, kept off the GUI thread).
    """
    result = load()
    layers = getattr(result, "layers", None)
    if layers:
        warm_imports(layer.kind for layer in layers)
        remember_recent(paths)
    return result


class BackgroundWork:
    """Loads and background jobs of :class:`~brainview.gui.window.MainWindow` (a mixin).

    Uses the window's ``figure``, ``layer_list``, ``select_layer``,
    ``show_error``, ``statusBar``, its ``loaded`` signal and its loaders
    ``_loader`` and ``_jobs`` (made in the window's ``__init__``).
    """

    @property
    def busy(self):
        """True while files load in the background."""
        return self._loader.busy

    def _start_load(self, paths, function, on_load):
        """Run ``function`` in the loader with a cancellable progress dialog; ``on_load(result)`` after."""
        if self._loader.busy:
            self.show_error("Busy", "Still loading the previous files; try again when done "
                            "(or press Escape in the progress dialog to stop waiting).")
            return
        names = ", ".join(Path(p).name for p in paths)
        self._loading, self._on_load = paths, on_load
        self._progress = QtWidgets.QProgressDialog(f"Loading {names}…", "Cancel", 0, 0, self)
        self._progress.setWindowTitle("brainview")
        self._progress.setWindowModality(QtCore.Qt.WindowModal)
        self._progress.setMinimumDuration(200)
        # Cancel, or Escape: a dialog not yet active hides (rejected) without "canceled".
        self._progress.canceled.connect(self._loader.cancel)
        self._progress.rejected.connect(self._loader.cancel)
        self._progress.setValue(0)  # starts the timer that shows the dialog after 200 ms
        self.statusBar().showMessage(f"Loading {names}…")
        self._loader.start(functools.partial(_load_and_warm, function, list(paths)), name=names)

    def run_in_background(self, job, *, then, failed, name):
        """Run ``job()`` in a worker with a cancellable progress dialog; ``then()`` or ``failed(error)`` after.

        For work started from the property panel (switching a stat map to
        surface mode): the window stays responsive and Escape gives up.
        """
        if self._jobs.busy:
            failed(RuntimeError("still working on the previous change; wait or press Escape"))
            return
        progress = QtWidgets.QProgressDialog(f"Working on {name}…", "Cancel", 0, 0, self)
        progress.setWindowTitle("brainview")
        progress.setWindowModality(QtCore.Qt.WindowModal)
        progress.setMinimumDuration(200)
        progress.canceled.connect(self._jobs.cancel)
        progress.rejected.connect(self._jobs.cancel)
        progress.setValue(0)

        def finish(callback, *args):
            for signal in (self._jobs.finished, self._jobs.error):
                signal.disconnect()
            self._job_progress = None
            progress.canceled.disconnect()
            progress.rejected.disconnect()
            progress.close()
            progress.deleteLater()
            if not self._torn_down:  # a window closing drops what its job found
                callback(*args)

        self._jobs.finished.connect(lambda result: finish(then))
        self._jobs.error.connect(lambda error, text: finish(failed, error))
        self._job_progress = progress
        self._jobs.start(job, name=name)

    def _stop_background_work(self):
        """The window is closing: stop the load and the job still running, close their dialogs.

        Nothing is waited for: each worker is stopped at its next line of Python
        (:class:`~brainview.gui.loader.WorkStopped`; one inside a long C call
        stops when it returns, its thread a daemon), what it returns is dropped,
        and no callback of the closed window runs.
        """
        self._loader.cancel(report=False)
        if self._jobs.busy:
            for signal in (self._jobs.finished, self._jobs.error):
                signal.disconnect()
            self._jobs.cancel(report=False)
        progress, self._job_progress = getattr(self, "_job_progress", None), None
        if progress is not None:
            progress.canceled.disconnect()
            progress.rejected.disconnect()
            progress.close()
            progress.deleteLater()

    @property
    def load_timeout(self):
        """Seconds a load may take before the window gives up on it (the worker is abandoned)."""
        return self._loader.timeout

    @load_timeout.setter
    def load_timeout(self, seconds):
        self._loader.timeout = float(seconds)

    def _load_done(self, result):
        on_load = self._on_load
        try:
            on_load(result)
        finally:
            self._on_load = self._add_loaded

    def _finish_progress(self):
        if self._progress is not None:
            self._progress.canceled.disconnect()  # closing a progress dialog emits "canceled"
            self._progress.rejected.disconnect()
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None
        self.statusBar().clearMessage()

    def _add_loaded(self, opened):
        self._finish_progress()
        layers = opened.layers
        if opened.notes:
            self.statusBar().showMessage(" ".join(opened.notes), 8000)
        if not self._torn_down:
            # The list follows each addition; one panel is built, for the last layer.
            self._adding_files = True
            try:
                for layer in layers:
                    self.figure.add(layer)
            except Exception as error:
                self.show_error("Cannot show file", f"{type(error).__name__}: {error}")
            finally:
                self._adding_files = False
            if layers and layers[-1] in self.figure.layers:
                self.select_layer(layers[-1])
                if self._selected is not layers[-1]:
                    self._select(layers[-1])
                    self._update_buttons()
        self.loaded.emit()

    def _load_failed(self, error, text):
        self._finish_progress()
        if isinstance(error, LoadAbandoned):
            if text.startswith("Cancelled"):
                self.statusBar().showMessage(text, 8000)
            else:
                self.show_error("Gave up loading", text)
        elif not self._torn_down:
            names = ", ".join(f"'{Path(p).name}'" for p in self._loading)
            self.show_error("Cannot open file", f"Could not open {names}:\n\n{error}")
        self.loaded.emit()
