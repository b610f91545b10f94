"""Pure computation: images and arrays in, arrays and pyvista datasets in world mm out.

Nothing here renders: no ``pyvista.plotting``, no layers, no figure, no Qt.
"""

import os
import sys

# VTK's threaded filters (flying edges, surface nets, glyphs) run on one thread
# unless a backend is chosen before vtkCommonCore loads: 40 -> 26 ms on 2 cores.
# Every VTK import in brainview goes through this package first.
os.environ.setdefault("VTK_SMP_BACKEND_IN_USE", "STDThread")


def _sequential_vtk_in_child():
    """In a forked child, run VTK's threaded filters on the calling thread.

    The STDThread backend's pool threads do not survive ``fork``: a child
    forked after one sizeable filter (``multiprocessing``'s default on Linux)
    waits forever for them in its first contour. The parent keeps its threads.
    """
    core = sys.modules.get("vtkmodules.vtkCommonCore")
    if core is not None:
        core.vtkSMPTools.SetBackend("Sequential")


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_sequential_vtk_in_child)
