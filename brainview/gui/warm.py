"""Import, in the loader's worker, the modules that showing some layers will need.

The first drawing of a kind imports its drawer on the 3-D view's render thread
(VTK's rendering modules, scipy.ndimage and the numpy/scipy modules it pulls
in: about 250 ms), and the first property panel imports TraitsUI's Qt panels
on the GUI thread. Imports hold the GIL, so the window stopped answering while
the files it had just loaded were drawn. Imported in the worker that loads
the files, before their layers are handed over, that time passes while the
window shows its progress dialog and answers events.

Examples
--------
>>> from brainview.gui.warm import warm_imports
>>> warm_imports(["stat_map"])
"""

from __future__ import annotations

import importlib

from ..layers.registry import drawer_path, painter_path

__all__ = ["warm_imports"]

#: Imported on first use by several drawers (framing, the stat map's modes) and by the panels.
SHARED_MODULES = ("brainview.geometry.extent", "brainview.render.volume", "brainview.render._stat_modes",
                  "scipy.ndimage", "traitsui.qt.ui_panel")


def warm_imports(kinds):
    """Import the 3-D drawers and 2-D painters of ``kinds`` and the modules they share.

    Parameters
    ----------
    kinds : iterable of str
        Layer kinds (``layer.kind``); unknown kinds are skipped.
    """
    paths = {path for kind in set(kinds) for path in (drawer_path(kind), painter_path(kind)) if path}
    for module in sorted({path.partition(":")[0] for path in paths}) + list(SHARED_MODULES):
        importlib.import_module(module)
