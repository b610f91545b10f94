"""The guard of every user action: an exception becomes an error dialog, the app lives on.

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

__all__ = ["guarded"]


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
