"""Help > About and Help > Keyboard shortcuts: texts built from what is running."""

from __future__ import annotations

import html
import platform
import re

from PyQt5 import QtCore, QtGui, QtWidgets

_GL_LINE = re.compile(r"^OpenGL (renderer|version) string:\s*(.*)$", re.MULTILINE)


def opengl_strings(render_window):
    """``{"renderer": ..., "version": ...}`` of the OpenGL context drawing ``render_window``."""
    try:
        report = render_window.ReportCapabilities()
    except Exception:  # a window without a context yet: say so rather than fail
        report = ""
    found = {key: value.strip() for key, value in _GL_LINE.findall(report or "")}
    return {"renderer": found.get("renderer", "unknown"), "version": found.get("version", "unknown")}


def about_text(render_window):
    """The versions of brainview, VTK, Qt, PyQt and Python, and the OpenGL renderer in use."""
    import vtkmodules

    from .._version import __version__

    gl = opengl_strings(render_window)
    rows = [
        ("brainview", __version__),
        ("VTK", vtkmodules.__version__),
        ("Qt", QtCore.QT_VERSION_STR),
        ("PyQt", QtCore.PYQT_VERSION_STR),
        ("Python", platform.python_version()),
        ("OpenGL renderer", gl["renderer"]),
        ("OpenGL version", gl["version"]),
    ]
    return "\n".join(f"{name}: {value}" for name, value in rows)


def shortcuts_text(actions):
    """An HTML table of the actions that have a keyboard shortcut (``{key: QAction}``)."""
    rows = []
    for action in actions.values():
        keys = action.shortcut().toString(QtGui.QKeySequence.NativeText) if not action.shortcut().isEmpty() else ""
        if keys:
            text = action.text().replace("&", "").rstrip("…")
            rows.append(f"<tr><td><b>{html.escape(keys)}</b>&nbsp;&nbsp;</td><td>{html.escape(text)}</td></tr>")
    rows.append("<tr><td><b>Esc</b>&nbsp;&nbsp;</td><td>Cancel a load or a movie being recorded</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def show_text_dialog(parent, title, text, *, rich=False):
    """A plain information box (modal)."""
    box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Information, title, text,
                                QtWidgets.QMessageBox.Ok, parent)
    box.setTextFormat(QtCore.Qt.RichText if rich else QtCore.Qt.PlainText)
    box.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
    box.exec_()
    return box
