"""Data a model hands its drawers: new objects, never changed once handed over.

A model publishes what its drawers show (a mesh, arrays) by assigning a new
object to a trait or attribute; it never changes, in place, an object it has
published. A drawer, on its own thread (the desktop app's render thread,
:mod:`brainview.gui.view3d`), swaps its mapper's input to the new object. So
no model ever needs the render lock: the object a render is drawing is never
changed under it. A new colour array costs a shallow copy of the mesh
(:func:`with_point_arrays`): the points and cells are shared, not copied.

Examples
--------
>>> import numpy as np
>>> import pyvista as pv
>>> mesh = pv.PolyData(np.zeros((2, 3)))
>>> coloured = with_point_arrays(mesh, rgb=np.zeros((2, 3), np.uint8))
>>> "rgb" in coloured.point_data, "rgb" in mesh.point_data, coloured.GetPoints() is mesh.GetPoints()
(True, False, True)
"""

from __future__ import annotations

from traits.api import Any, ComparisonMode

__all__ = ["published", "with_point_arrays"]


def published():
    """A trait holding data drawers show: replaced, never changed in place.

    Compared by identity: assigning a new object always notifies (and costs
    nothing), where the default equality would compare two meshes' arrays.
    """
    return Any(transient=True, comparison_mode=ComparisonMode.identity)


def with_point_arrays(mesh, *, remove=(), **arrays):
    """A shallow copy of ``mesh`` with point ``arrays`` set (numpy) and the ``remove`` arrays left out.

    ``mesh`` (a pyvista PolyData, or a plain vtkPolyData) is not changed: the
    copy shares its points, cells and other arrays, and has its own list of
    point arrays.
    """
    import pyvista as pv

    copy = pv.wrap(mesh).copy(deep=False)
    for name in remove:
        if name in copy.point_data:
            copy.point_data.remove(name)
    for name, values in arrays.items():
        copy.point_data[name] = values
    return copy
