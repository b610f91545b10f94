"""The 3-D drawer of :class:`~brainview.layers.Surface`: the mesh in its per-vertex colours, a legend.

The model computes the colours (its mesh's ``"rgb"`` array, recoloured in
place when a colour setting changes); the drawer shows that array as it is and
sets the opacity, which needs no recolouring. A parcellation with
``legend=True`` gets a legend box of its shown regions (a 2-D actor whose
text follows the figure's background).

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import Surface
>>> vertices = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0.0]])
>>> fig = Figure(size=(40, 30))
>>> layer = fig.add(Surface((vertices, np.array([[0, 1, 2]])), overlay=[0.0, 1.0, 2.0]))
>>> fig.drawer(layer).actor.GetMapper().GetArrayName()
'rgb'
>>> fig.close()
"""

from __future__ import annotations

from .. import _vtk
from .drawer import Drawer
from .legend import legend_box

__all__ = ["LEGEND_ROWS", "SurfaceDrawer", "surface_actor", "show_surface"]

#: Most rows of a parcellation's legend; beyond them one row says how many more are shown.
LEGEND_ROWS = 30


class SurfaceDrawer(Drawer):
    """A vtkActor of the model's ``mesh`` coloured by its ``"rgb"`` point array, and its legend."""

    observes = ("mesh", "opacity", "legend", "regions")

    def build(self):
        self._entries = _rows(self.layer.legend_entries())
        self._legend_actor = legend_actor(self._entries) if self._entries else None
        if self._legend_actor is not None:
            self.before_each_render(self._color_text)  # the names follow the background
        return [surface_actor()] + ([self._legend_actor] if self._legend_actor is not None else [])

    def sync(self, name):
        if _rows(self.layer.legend_entries()) != self._entries:
            self.replace_props(self.build())
        show_surface(self.actor, self.layer)
        self._color_text()

    def item_at(self, prop, cell_id, point_id, xyz):
        """``{"vertex": i}``, with ``"region"`` (label) and ``"name"`` on a parcellation's region."""
        if prop is not self.actor or point_id is None or point_id < 0:
            return None
        info = {"vertex": int(point_id)}
        region = self.layer.region_at(int(point_id))
        if region is not None:
            info.update(region=region[0], name=region[1])
        return info

    def bounds(self):
        """The box of the mesh (the legend is 2-D)."""
        actor = self.actor
        return actor.GetBounds() if actor is not None and actor.GetVisibility() else None

    def _color_text(self, *_):
        if self._legend_actor is not None:
            figure = self.figure
            color = figure._foreground() if figure is not None else (1.0, 1.0, 1.0)
            self._legend_actor.GetEntryTextProperty().SetColor(*color)
            for i in range(self._legend_actor.GetNumberOfEntries()):
                self._legend_actor.SetEntryColor(i, *color)


def _rows(entries):
    """The legend's rows: the first :data:`LEGEND_ROWS` entries, then one "... n more" row."""
    if not entries:
        return None
    if len(entries) <= LEGEND_ROWS:
        return list(entries)
    rest = len(entries) - LEGEND_ROWS + 1
    return list(entries[:LEGEND_ROWS - 1]) + [(f"... {rest} more", (0.5, 0.5, 0.5))]


def legend_actor(entries):
    """A legend box, top left below a title: per region a square in its colour, and its name.

    The squares carry their colour as cell scalars, so that the names can
    take the text colour (VTK draws an entry's name in the entry's colour).
    """
    import numpy as np
    from vtkmodules.vtkFiltersSources import vtkPlaneSource

    rows = []
    for name, rgb in entries:
        plane = vtkPlaneSource()
        plane.Update()
        symbol = plane.GetOutput()
        _set_cell_colors(symbol, np.rint(np.asarray(rgb, dtype=float) * 255).astype(np.uint8))
        rows.append((symbol, name, (0.0, 0.0, 0.0)))
    actor = legend_box(rows, top=0.92, row_height=0.04, width=0.3, max_height=0.88)
    actor.ScalarVisibilityOn()
    return actor


def _set_cell_colors(polydata, rgb):
    from vtkmodules.vtkCommonCore import vtkUnsignedCharArray

    colors = vtkUnsignedCharArray()
    colors.SetNumberOfComponents(3)
    colors.SetName("rgb")
    for _ in range(polydata.GetNumberOfCells()):
        colors.InsertNextTuple3(*(int(c) for c in rgb))
    polydata.GetCellData().SetScalars(colors)


def surface_actor():
    """An empty actor whose mapper draws a mesh's ``"rgb"`` point array as colours."""
    mapper = _vtk.vtkPolyDataMapper()
    mapper.SetColorModeToDirectScalars()
    mapper.SetScalarModeToUsePointFieldData()
    mapper.SelectColorArray("rgb")
    mapper.ScalarVisibilityOn()
    actor = _vtk.vtkActor()
    actor.SetMapper(mapper)
    actor.GetProperty().SetSpecular(0.1)
    return actor


def show_surface(actor, layer):
    """Show a :class:`~brainview.layers.Surface` model's mesh and opacity with ``actor``."""
    mapper = actor.GetMapper()
    mapper.SetInputData(layer.mesh)
    mapper.SelectColorArray("rgb")
    actor.GetProperty().SetOpacity(layer.opacity)
