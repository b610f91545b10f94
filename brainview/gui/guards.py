"""The guard of every user action (an exception becomes an error dialog, the app lives on), and
:func:`on_gui_thread` for the observers of models that a script in another thread may change.

Examples
--------
>>> class Window:
...     shown = []
...     def show_error(self, title, text):
...         self.shown.append((title, text))
...     @guarded
...     def open_thing(self):
...         raise ValueError("no such thing")
>>> Window().open_thing(), Window.shown
(None, [('Open thing failed', 'ValueError: no such thing')])
"""

from __future__ import annotations

import functools
import threading

from PyQt5 import QtCore, sip

__all__ = ["guarded", "on_gui_thread"]


def guarded(method):
    """Turn an exception in a user action into an error dialog: the app lives on.

    ``method`` belongs to a window with ``show_error(title, text)``. Connect
    Qt signals through a lambda that drops the signal's own arguments
    (``clicked(bool)`` passes ``checked``), as :meth:`WindowActions._build_actions` does.
    """

    @functools.wraps(method)
    def wrapper(self, *args, **options):
        try:
            return method(self, *args, **options)
        except Exception as error:  # shown to the user, never raised into Qt
            self.show_error(f"{method.__name__.strip('_').replace('_', ' ').capitalize()} failed",
                            f"{type(error).__name__}: {error}")
            return None

    return wrapper


class _Poster(QtCore.QObject):
    """Runs functions on the GUI thread (where it lives), in the order they were posted."""

    posted = QtCore.pyqtSignal(object)

    @QtCore.pyqtSlot(object)
    def run(self, function):
        function()


_poster = None
_poster_lock = threading.Lock()


def _post(function):
    """Call ``function()`` soon on the GUI thread (the application's thread)."""
    global _poster
    with _poster_lock:
        if _poster is None:
            poster = _Poster()
            app = QtCore.QCoreApplication.instance()
            if app is not None and poster.thread() is not app.thread():
                poster.moveToThread(app.thread())
            poster.posted.connect(poster.run, QtCore.Qt.QueuedConnection)
            _poster = poster
    _poster.posted.emit(function)


def on_gui_thread(method):
    """An observer of models on a Qt object: called now on the object's thread, queued there from another.

    A script in another thread may change a layer, the figure's layers or the
    cursor; the widgets that follow them must hear it on their own thread
    (Qt refuses timers and paints from any other). A call queued for an
    object deleted meanwhile does nothing.
    """

    @functools.wraps(method)
    def wrapper(self, *args):
        if sip.isdeleted(self):
            return None
        if QtCore.QThread.currentThread() is self.thread():
            return method(self, *args)
        _post(lambda: None if sip.isdeleted(self) else method(self, *args))
        return None

    return wrapper
