"""The desktop window: a brainview :class:`~brainview.scene.Figure` in Qt.

The 3-D view (:mod:`brainview.gui.view3d`) paints frames that a render
thread of its own draws off-screen from the figure's renderer
(``Figure._host_in``), so the GUI thread never waits for VTK. pyvistaqt's
``QtInteractor`` is not used (nor declared): it renders on the GUI thread
(the freeze the render thread removes), and it is a pyvista ``Plotter`` that
creates and owns its renderers, while a brainview figure is a plain
``vtkRenderer`` that must move into the window and back out unchanged.

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

    A figure a window shows already (``bv.show()`` typed in the window's
    Python console) raises that window and returns it, without blocking.

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
    window = _window_showing(fig)
    if window is not None:  # ``bv.show()`` typed in the window's own console: that window, raised
        window.raise_()
        window.activateWindow()
        block = False
    else:
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


def _window_showing(fig):
    """The open window that shows ``fig``, or None."""
    from PyQt5 import QtWidgets

    from .window import MainWindow

    return next((widget for widget in QtWidgets.QApplication.topLevelWidgets()
                 if isinstance(widget, MainWindow) and widget.figure is fig and widget.isVisible()), None)
