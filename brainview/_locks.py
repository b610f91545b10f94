"""The render lock, apart from VTK's rendering modules so that models can hold it too.

:data:`RENDER_LOCK` is :data:`brainview._vtk.RENDER_LOCK`. Rendering holds it
while OpenGL draws or reads back; a model holds it while it changes, in
place, a VTK data object that a drawing shows (a mesh's colours, its points):
in the desktop app a render thread may be drawing that very object meanwhile
(:mod:`brainview.gui.view3d`), and VTK data objects are not thread-safe.

Examples
--------
>>> from brainview._locks import RENDER_LOCK
>>> with RENDER_LOCK:
...     pass
"""

import threading

__all__ = ["RENDER_LOCK"]

#: Re-entrant: rendering code calls rendering code holding it.
RENDER_LOCK = threading.RLock()
