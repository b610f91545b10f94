"""Mouse events for the app's 3-D view (tests): press, move with the button held, release, wheel."""

from PyQt5 import QtCore, QtGui, QtWidgets

_TYPES = {"press": QtCore.QEvent.MouseButtonPress, "move": QtCore.QEvent.MouseMove,
          "release": QtCore.QEvent.MouseButtonRelease}


def mouse(widget, action, xy, *, button=QtCore.Qt.LeftButton, modifiers=QtCore.Qt.NoModifier):
    """Send one mouse event to ``widget`` at widget pixel ``xy`` (a move carries the held ``button``)."""
    pos = QtCore.QPointF(*xy)
    held = QtCore.Qt.NoButton if action == "release" else button
    event = QtGui.QMouseEvent(_TYPES[action], pos, QtCore.Qt.NoButton if action == "move" else button,
                              held, modifiers)
    QtWidgets.QApplication.sendEvent(widget, event)


def wheel(widget, xy, notches):
    """Turn the wheel ``notches`` steps (positive: away from the user) over ``widget``."""
    pos = QtCore.QPointF(*xy)
    event = QtGui.QWheelEvent(pos, widget.mapToGlobal(pos.toPoint()), QtCore.QPoint(0, 0),
                              QtCore.QPoint(0, 120 * notches), QtCore.Qt.NoButton, QtCore.Qt.NoModifier,
                              QtCore.Qt.NoScrollPhase, False)
    QtWidgets.QApplication.sendEvent(widget, event)
