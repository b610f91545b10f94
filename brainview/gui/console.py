"""View > Python console: IPython inside the window, on the window's live objects.

The console is qtconsole's ``RichJupyterWidget`` talking to an *in-process*
kernel: code typed there runs in the app's own Python, on the GUI thread,
with ``bv`` (brainview), ``fig`` (the window's figure), ``layers`` (its
layer list) and ``window`` defined. ``fig.layers[0].threshold = 4`` changes
the model and the window redraws as it does for any script; the window's
figure is the current figure there, so ``bv.points(...)`` draws into it.
"""

from __future__ import annotations

import os

from PyQt5 import QtGui, QtWidgets

# ipykernel imports debugpy, which warns about frozen modules on stderr.
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

BANNER = ("brainview console: bv (the library), fig (this window's figure), layers (its layers), "
          "window.\nTry: fig.layers[0].opacity = 0.5\n")


class PythonConsole(QtWidgets.QWidget):
    """An IPython console (in-process kernel) whose namespace holds ``namespace``.

    Parameters
    ----------
    namespace : dict
        Names to define in the console (pushed again by :meth:`push`).
    parent : QWidget, optional

    Attributes
    ----------
    widget : qtconsole.rich_jupyter_widget.RichJupyterWidget
    kernel_manager : qtconsole.inprocess.QtInProcessKernelManager
    """

    def __init__(self, namespace, parent=None):
        super().__init__(parent)
        from qtconsole.inprocess import QtInProcessKernelManager
        from qtconsole.rich_jupyter_widget import RichJupyterWidget

        self.kernel_manager = QtInProcessKernelManager()
        self.kernel_manager.start_kernel(show_banner=False)
        self.kernel_manager.kernel.gui = "qt"  # the app's event loop is already running
        self.kernel_client = self.kernel_manager.client()
        self.kernel_client.start_channels()
        self.widget = RichJupyterWidget(self)
        # qtconsole prints with Ctrl+Shift+P where the platform has no Print key: that is the
        # window's shortcut to hide the console (an ambiguous shortcut fires neither).
        self.widget.print_action.setShortcut(QtGui.QKeySequence())
        self.widget.banner = BANNER
        self.widget.kernel_manager = self.kernel_manager
        self.widget.kernel_client = self.kernel_client
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.widget)
        self.push(namespace)

    @property
    def namespace(self):
        """The console's variables (the kernel's ``user_ns``)."""
        return self.kernel_manager.kernel.shell.user_ns

    def push(self, names):
        """Define (or redefine) variables in the console."""
        self.kernel_manager.kernel.shell.push(dict(names))

    def execute(self, code):
        """Run ``code`` as if typed and entered (its output shows in the console)."""
        self.widget.execute(code)

    def shutdown(self):
        """Stop the kernel (the console is unusable afterwards)."""
        self.kernel_client.stop_channels()
        self.kernel_manager.shutdown_kernel()
