"""File > Record movie…: choose a camera path, then write it with a progress dialog.

The dialog only gathers the arguments of :func:`brainview.export.movie.write_movie`
(the call a script would make, e.g. ``bv.movie("spin.mp4", orbit=360,
n_frames=96)`` or ``keyframes=[{}, {"camera": "left"}]`` for "from the
current view to the left view"); :func:`record_movie` runs it on the GUI
thread, which only moves the camera between frames: the 3-D view's render
thread draws each frame (:mod:`brainview.gui.view3d`) and an encoder thread
starts ffmpeg, feeds it and waits for the file
(:mod:`brainview.export.encoders`), while the GUI thread answers its events.
Before the first frame, a worker imports the encoder's modules and probes
the ffmpeg binary (:func:`~brainview.export.movie.prepare_encoder`, once per
process). Cancel (or Escape) stops the movie and no file is left behind.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from PyQt5 import QtCore, QtWidgets, sip

from ..errors import BrainviewError
from .common import VIEWS

_MOVIE_FILTER = "Movies (*.mp4 *.gif)"


class MovieDialog(QtWidgets.QDialog):
    """The movie's settings: orbit or move to a view, frames, fps, file.

    Parameters
    ----------
    parent : QWidget, optional
    record : callable
        ``record(path, **options)`` when Record is pressed; a
        :class:`~brainview.errors.BrainviewError` it raises (a refused setting)
        is shown in the dialog, which stays open.
    path : str
        The file name proposed.

    Attributes
    ----------
    orbit_button, to_view_button : QRadioButton
    degrees : QDoubleSpinBox
    view_name : QComboBox
    frames, fps : QSpinBox, QDoubleSpinBox
    path_edit : QLineEdit
    message : QLabel
        Why the settings are refused (shown next to the fields).
    """

    def __init__(self, parent=None, *, record, path="brainview.mp4"):
        super().__init__(parent)
        self._record = record
        self.setWindowTitle("Record movie")
        self.orbit_button = QtWidgets.QRadioButton("Orbit by")
        self.orbit_button.setChecked(True)
        self.degrees = QtWidgets.QDoubleSpinBox()
        self.degrees.setRange(-3600.0, 3600.0)
        self.degrees.setValue(360.0)
        self.degrees.setSuffix(" °")
        self.to_view_button = QtWidgets.QRadioButton("From the current view to")
        self.view_name = QtWidgets.QComboBox()
        self.view_name.addItems(VIEWS)
        self.frames = QtWidgets.QSpinBox()
        self.frames.setRange(2, 100000)
        self.frames.setValue(96)
        self.fps = QtWidgets.QDoubleSpinBox()
        self.fps.setRange(0.0, 240.0)
        self.fps.setSpecialValueText("default")  # 0: write_movie's default for the format
        self.fps.setValue(0.0)
        self.path_edit = QtWidgets.QLineEdit(str(path))
        browse = QtWidgets.QPushButton("Browse…")
        browse.clicked.connect(lambda checked=False: self._browse())
        self.message = QtWidgets.QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828;")
        self.message.hide()

        grid = QtWidgets.QGridLayout()
        grid.addWidget(self.orbit_button, 0, 0)
        grid.addWidget(self.degrees, 0, 1)
        grid.addWidget(self.to_view_button, 1, 0)
        grid.addWidget(self.view_name, 1, 1)
        form = QtWidgets.QFormLayout()
        form.addRow("Frames", self.frames)
        form.addRow("Frames per second", self.fps)
        file_row = QtWidgets.QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)
        form.addRow("File (.mp4, .gif)", file_row)
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Ok
                                                  | QtWidgets.QDialogButtonBox.Cancel)
        self.buttons.button(QtWidgets.QDialogButtonBox.Ok).setText("Record")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column = QtWidgets.QVBoxLayout(self)
        column.addLayout(grid)
        column.addLayout(form)
        column.addWidget(self.message)
        column.addWidget(self.buttons)

    def _browse(self):
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Record movie", self.path_edit.text(),
                                                        _MOVIE_FILTER)
        if path:
            self.path_edit.setText(path)

    def options(self):
        """The :func:`~brainview.export.movie.write_movie` keywords and the path: ``(path, options)``."""
        options = {"n_frames": self.frames.value(), "fps": self.fps.value() or None}
        if self.orbit_button.isChecked():
            options["orbit"] = self.degrees.value()
        else:
            # An empty first keyframe starts from the figure as it is.
            options["keyframes"] = [{}, {"camera": self.view_name.currentText()}]
        return self.path_edit.text().strip(), options

    def show_message(self, text):
        """Show why the settings were refused, next to the fields."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def accept(self):
        path, options = self.options()
        if Path(path).suffix.lower() not in (".mp4", ".gif"):
            self.show_message(f"File: {path!r} must end in .mp4 or .gif.")
            return
        try:
            self._record(path, **options)
        except BrainviewError as error:  # a refused setting: said next to the fields
            self.show_message(str(error))
            return
        super().accept()


def record_movie(figure, path, options, *, parent=None):
    """Write ``figure``'s movie with a cancellable progress dialog.

    Parameters
    ----------
    figure : Figure
    path : str
    options : dict
        Keywords of :func:`~brainview.export.movie.write_movie` (``orbit`` or
        ``keyframes``, ``n_frames``, ``fps``).
    parent : QWidget, optional
        The window the progress dialog blocks.

    Returns
    -------
    bool
        True when written, False when the user cancelled or closed the window
        (no file is left).
    """
    from ..export.movie import write_movie

    progress = QtWidgets.QProgressDialog(f"Recording {Path(path).name}…", "Cancel", 0,
                                         options["n_frames"], parent)
    progress.setWindowTitle("brainview")
    progress.setWindowModality(QtCore.Qt.WindowModal)
    progress.setMinimumDuration(0)
    # Remembered from the signals: wasCanceled() misses an Escape that reached the
    # dialog before its window was active (QDialog's reject() hides it, no cancel).
    cancelled = []
    progress.canceled.connect(lambda: cancelled.append(True))
    progress.rejected.connect(lambda: cancelled.append(True))
    progress.setValue(0)

    def gone():
        # Closing the window during the movie deletes the dialog (its child) and the view:
        # stop before the next frame renders into a window that is no more.
        return sip.isdeleted(progress) or (parent is not None and (sip.isdeleted(parent) or not parent.isVisible()))

    def callback(frame, n_frames):
        if not gone():
            progress.setValue(frame)
            # The window stays responsive between frames; Escape or Cancel stops the movie.
            QtWidgets.QApplication.processEvents()
        if cancelled or gone():
            raise KeyboardInterrupt("movie cancelled")

    try:
        _prepare(path)
        if cancelled or gone():
            return False
        with _answering(figure):
            write_movie(figure, path, callback=callback, progress=False, **options)
    except KeyboardInterrupt:
        return False
    except RuntimeError:
        if gone():  # the window closed during a frame: its render thread ended
            return False
        raise
    finally:
        if not sip.isdeleted(progress):
            progress.canceled.disconnect()  # closing a progress dialog emits "canceled"
            progress.rejected.disconnect()
            progress.close()
            progress.deleteLater()
    return True


def _prepare(path):
    """Import the encoder's modules and probe its binary on a worker, answering events meanwhile."""
    from ..export.movie import prepare_encoder

    failed = []

    def work():
        try:
            prepare_encoder(path)
        except BaseException as error:  # raised again here, on the GUI thread
            failed.append(error)

    worker = threading.Thread(target=work, name="brainview-movie-prepare", daemon=True)
    worker.start()
    _answer_events(lambda: not worker.is_alive())
    if failed:
        raise failed[0]


def _answer_events(until):
    """Wait (on the GUI thread) until ``until()``, handling the window's events meanwhile."""
    while not until():
        loop = QtCore.QEventLoop()
        QtCore.QTimer.singleShot(10, loop.quit)
        loop.exec_()


@contextlib.contextmanager
def _answering(figure):
    """Frames the movie asks for are drawn by the render thread while the GUI thread answers events;
    the view's own frames pause meanwhile (the camera moves only on this thread, between frames)."""
    runner = figure._windows.runner
    if runner is None:
        yield
        return
    runner.set_paused(True)
    runner.wait_here = _answer_events
    try:
        yield
    finally:
        runner.wait_here = None
        runner.set_paused(False)
        runner.request_render()
