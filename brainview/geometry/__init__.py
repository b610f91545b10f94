"""Pure computation: images and arrays in, arrays and pyvista datasets in world mm out.

Nothing here renders: no ``pyvista.plotting``, no layers, no figure, no Qt.
"""

import os

# VTK's threaded filters (flying edges, surface nets, glyphs) run on one thread
# unless a backend is chosen before vtkCommonCore loads: 40 -> 26 ms on 2 cores.
# Every VTK import in brainview goes through this package first.
os.environ.setdefault("VTK_SMP_BACKEND_IN_USE", "STDThread")
