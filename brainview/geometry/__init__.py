"""Pure computation: images and arrays in, arrays and pyvista datasets in world mm out.

Nothing here renders: no ``pyvista.plotting``, no layers, no figure, no Qt.
"""

import os
import sys
import warnings

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


def _import_tqdm_quietly():
    """Import ``tqdm.auto`` with its "IProgress not found" warning silenced, in Jupyter only.

    pyvista imports pooch, which imports ``tqdm.auto``: in a Jupyter kernel
    without ipywidgets that warns ``TqdmWarning: IProgress not found`` on the
    first figure of every session, about a progress bar brainview never shows.
    Only that warning, only during this import, only where tqdm would give it.
    """
    in_notebook = "ipykernel.zmqshell" in sys.modules or "IPython.utils._process_emscripten" in sys.modules
    if not in_notebook or "tqdm.auto" in sys.modules:
        return
    try:
        from tqdm import TqdmWarning
    except ImportError:
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found", category=TqdmWarning)
        try:
            import tqdm.auto  # noqa: F401
        except Exception:  # tqdm's own notebook checks; pyvista will meet the same
            pass


_import_tqdm_quietly()
