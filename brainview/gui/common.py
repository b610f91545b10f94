"""Names the app's modules share, below the window and the entry points.

:mod:`brainview.gui.app` opens the window, so nothing the window imports may
import :mod:`brainview.gui.app`: what they share lives here (the named views,
the settings and recent files, the error hook). Qt is imported inside the
functions that need it, never at import time.

Examples
--------
>>> from brainview.gui.common import VIEWS
>>> VIEWS[:2]
('left', 'right')
"""

import os
import sys
import threading

#: The named views, in the order of the View menu and the movie dialog.
VIEWS = ("left", "right", "anterior", "posterior", "superior", "inferior")


# ------------------------------------------------------------------ worker threads

#: How many nice steps the app's worker threads (3-D rendering, 2-D slicing, loading) run below the GUI thread.
WORKER_NICENESS = 5


def lower_thread_priority(niceness=WORKER_NICENESS):
    """Let the GUI thread run first when the machine is busy: raise the calling thread's nice value.

    The render, 2-D and load threads call it when they start. On a loaded
    machine the scheduler then gives the GUI thread a core first (the event
    loop's gaps there were time spent waiting for a core, with no GUI work),
    and Mesa's software-rendering threads, which the render thread creates
    afterwards, inherit the value. Linux only (nice is per thread there);
    elsewhere nothing changes.

    Parameters
    ----------
    niceness : int
        Nice steps added to the thread's own.

    Returns
    -------
    bool
        Whether the thread's priority was lowered.

    Examples
    --------
    >>> import threading
    >>> done = []
    >>> worker = threading.Thread(target=lambda: done.append(lower_thread_priority(1)))
    >>> worker.start(); worker.join()
    >>> done == [sys.platform.startswith("linux")]
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    thread = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + niceness)
    except OSError:  # a sandbox that refuses it: the thread keeps its priority
        return False
    return True


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

