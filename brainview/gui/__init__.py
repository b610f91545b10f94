"""The desktop application: a Qt window for any brainview figure, and the ``brainview`` command.

Only the modules of this package import Qt, and only when a window is
opened; ``brainview.gui.files`` and the command's ``--screenshot`` path are
Qt-free (they run without a display).
"""
