"""The base of the property panel's TraitsUI editors: Qt readied for TraitsUI, and :class:`LayerEditor`.

Imported first by :mod:`brainview.gui.editors` and :mod:`brainview.gui.file_editors`:
TraitsUI's Qt toolkit needs a QApplication before it is imported.
"""

from __future__ import annotations

import ast
import os
import sys

from PyQt5 import QtWidgets

# TraitsUI on the app's PyQt5 (as brainview.gui.app says too, for a window opened first).
os.environ.setdefault("ETS_TOOLKIT", "qt")
os.environ.setdefault("QT_API", "pyqt5")


def _application():
    """A QApplication before TraitsUI's toolkit is imported: pyface creates one on import,
    which aborts the process without a display; an offscreen one is made first then
    (importing the app's modules headless, as their doctests do, must not end the process)."""
    linux_without_display = (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
                             and not os.environ.get("WAYLAND_DISPLAY")
                             and os.environ.get("QT_QPA_PLATFORM", "xcb") == "xcb")
    if QtWidgets.QApplication.instance() is None and linux_without_display:
        return QtWidgets.QApplication([sys.argv[0] if sys.argv and sys.argv[0] else "brainview",
                                       "-platform", "offscreen"])
    return None


_HEADLESS_APP = _application()

from traitsui.qt.editor import Editor  # noqa: E402 (after the application)

__all__ = ["LayerEditor", "literal"]


class LayerEditor(Editor):
    """A TraitsUI editor of one layer trait (``self.object`` is the layer)."""

    @property
    def trait(self):
        return self.object.trait(self.name)

    def refuse(self, text):
        """Show a message beside the field for text that could not be read (nothing is written)."""
        self.ui.handler.refuse(self.name, text)

    def update_editor(self):
        """Show the layer's value (TraitsUI calls this when the trait changes); never raises into Qt."""
        try:
            self.show_value()
        except Exception as error:  # a value set from a script that this editor cannot show
            self.ui.handler.cannot_show(self.name, error)

    def show_value(self):
        """Show the layer's value in the widgets, their signals blocked (showing is not editing)."""


def literal(text):
    """A plain Python value typed as in a script; an unquoted word ("auto", "10%") is text.

    Examples
    --------
    >>> literal("(4, -6, 8)"), literal("auto"), literal("")
    ((4, -6, 8), 'auto', None)
    """
    try:
        return ast.literal_eval(text.strip() or "None")
    except (ValueError, SyntaxError):
        return text.strip()  # the layer decides
