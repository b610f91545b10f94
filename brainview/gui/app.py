"""The desktop window: a brainview :class:`~brainview.scene.Figure` in Qt.

The 3-D view is VTK's own ``QVTKRenderWindowInteractor`` holding the
figure's renderer (``Figure._host_in``). pyvistaqt's ``QtInteractor`` is not
used: it is a pyvista ``Plotter`` that creates and owns its renderers, while a
brainview figure is a plain ``vtkRenderer`` that must move into the window and
back out (for off-screen saving) unchanged.

Everything the window does is a library call a script can make
(``fig.add``, ``fig.remove``, ``fig.view``, ``layer.visible = ...``,
``fig.pick``): the window observes ``fig.layers`` and ``fig.changed`` and
follows whatever a script does too.

Examples
--------
Needs a display::

    import brainview as bv
    bv.contour(img)
    bv.show()          # blocks until the window is closed
"""

from __future__ import annotations

import os
import sys

from ..errors import BrainviewError
from .common import VIEWS  # noqa: F401  (gui/window.py imports it from here: KNOWN_OFFENDERS)

os.environ.setdefault("ETS_TOOLKIT", "qt")
os.environ.setdefault("QT_API", "pyqt5")
if sys.platform.startswith("linux") and os.environ.get("DISPLAY"):
    # VTK draws into an X window; under Wayland Qt must use XWayland too.
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

_app = None


def check_display():
    """Raise a clear error when no window can be opened (Linux without X)."""
    if (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
            and os.environ.get("QT_QPA_PLATFORM", "xcb") == "xcb"):
        raise BrainviewError(
            "show: no display to open a window on (DISPLAY is not set). Save images "
            "instead with bv.savefig('figure.png'), run `brainview ... --screenshot out.png`, "
            "or start an X server (xvfb-run)."
        )


def get_app():
    """The QApplication (created on first use)."""
    global _app
    check_display()
    from PyQt5 import QtWidgets

    app = QtWidgets.QApplication.instance()
    if app is None:
        app = QtWidgets.QApplication([sys.argv[0] if sys.argv and sys.argv[0] else "brainview"])
        app.setApplicationName("brainview")
    _app = app
    return app


def event_loop_running():
    """True when a Qt event loop already runs (IPython ``%gui qt``, a Qt app)."""
    from PyQt5 import QtCore

    app = QtCore.QCoreApplication.instance()
    if app is not None and app.thread().loopLevel() > 0:
        return True
    try:
        shell = sys.modules["IPython"].get_ipython()
    except (KeyError, AttributeError):
        return False
    return shell is not None and str(getattr(shell, "active_eventloop", "")).startswith("qt")


def show(*, block=None):
    """Open the current figure (``bv.gcf()``) in the desktop window: ``bv.show()``.

    Blocks until the window is closed in a script; returns at once when an
    event loop already runs (IPython with ``%gui qt``). Needs a display.
    It lives with the app, not in :mod:`brainview.pylab`: the app is a client
    of the scripting layer, never the other way round.

    Examples
    --------
    Needs a display::

        import brainview as bv
        bv.points([[0, 0, 0]])
        bv.show()
    """
    from .. import pylab

    return show_figure(pylab.gcf(), block=block)


def show_figure(fig, *, block=None, files=(), choices=None):
    """Open ``fig`` in a window and return the window.

    Parameters
    ----------
    fig : Figure
    block : bool, optional
        Wait until the window is closed. Default: block unless a Qt event
        loop already runs (then the window lives on alongside it).
    files : sequence of path
        Files to load into the figure once the window shows (in a worker
        thread, with progress); see :func:`brainview.gui.files.open_files`.
    choices : brainview.gui.files.Choices, optional
        What the user said about the files (roles, names, volume, colours).
    """
    app = get_app()
    from .window import MainWindow

    if block is None:
        block = not event_loop_running()
    window = MainWindow(fig)
    window.show()
    if files:
        window.open_files(files, choices=choices)
    if block:
        from PyQt5 import QtCore

        loop = QtCore.QEventLoop()
        window.closed.connect(loop.quit)
        loop.exec_()
        app.processEvents()
    return window


# ------------------------------------------------------------------ settings

#: Where the app keeps its settings (recent files) instead of the user's
#: configuration folder, when set: tests point it at a temporary folder.
SETTINGS_DIR_VARIABLE = "BRAINVIEW_SETTINGS_DIR"
RECENT_FILES_KEY = "recent_files"
MAX_RECENT_FILES = 10


def settings():
    """The app's ``QSettings`` (an INI file; in ``$BRAINVIEW_SETTINGS_DIR`` when that is set)."""
    from PyQt5 import QtCore

    folder = os.environ.get(SETTINGS_DIR_VARIABLE)
    if folder:
        QtCore.QSettings.setPath(QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope, folder)
    return QtCore.QSettings(QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope,
                            "brainview", "brainview")


def recent_files():
    """Files and sessions opened lately, newest first (those that still exist)."""
    value = settings().value(RECENT_FILES_KEY, [])
    paths = [value] if isinstance(value, str) else list(value or [])
    return [p for p in paths if isinstance(p, str) and os.path.exists(p)]


def remember_recent(paths):
    """Put ``paths`` first in :func:`recent_files` (at most :data:`MAX_RECENT_FILES` kept)."""
    fresh = [os.path.abspath(str(p)) for p in paths]
    kept = [p for p in recent_files() if p not in fresh]
    store = settings()
    store.setValue(RECENT_FILES_KEY, (fresh + kept)[:MAX_RECENT_FILES])
    store.sync()


# ------------------------------------------------------------------ safety net

_hook_users = 0
_previous_hook = None


def report_unexpected(exc_type, value, tb):
    """``sys.excepthook`` while a window is open: print the traceback, show a dialog, go on.

    PyQt5 aborts the process (exit 134) when an exception escapes a slot and
    ``sys.excepthook`` is Python's own; with this hook the app lives on.
    """
    import traceback

    traceback.print_exception(exc_type, value, tb)
    try:
        from PyQt5 import QtWidgets

        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Critical, "brainview: unexpected error",
                                    f"{exc_type.__name__}: {value}", QtWidgets.QMessageBox.Ok)
        box.exec_()
    except Exception:  # no dialog possible (no application): the traceback was printed
        pass


def install_error_hook():
    """Install :func:`report_unexpected` as ``sys.excepthook`` (counted: one per window)."""
    global _hook_users, _previous_hook
    if _hook_users == 0:
        _previous_hook = sys.excepthook
        sys.excepthook = report_unexpected
    _hook_users += 1


def remove_error_hook():
    """Undo one :func:`install_error_hook`; the last window puts the previous hook back."""
    global _hook_users
    if _hook_users == 0:
        return
    _hook_users -= 1
    if _hook_users == 0 and sys.excepthook is report_unexpected:
        sys.excepthook = _previous_hook
