"""An atlas's colour bar is a legend: its regions' names, each with its colour.

``bv.colorbar(atlas)`` (:meth:`brainview.scene.Figure.colorbar`) makes a
:class:`Legend` for a layer with named, coloured regions and no colour scale:
a live view of the layer, like :class:`~brainview.render.annotations.ColorBar`
(showing other regions, recolouring or renaming one redraws it), drawn by a
:class:`LegendView` (a ``vtkLegendBoxActor``: the vector writers and the HTML
export draw it too) and placed right to left with the figure's colour bars.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Atlas
>>> data = np.zeros((6, 6, 6), np.uint8); data[1:3, 1:3, 1:3] = 1; data[3:5, 3:5, 3:5] = 2
>>> atlas = Atlas((data, np.eye(4)), labels={1: "left", 2: "right"}, colors={1: "red", 2: "blue"}, smooth=0)
>>> legend = Legend(atlas)
>>> legend.entries
[('left', (1.0, 0.0, 0.0)), ('right', (0.0, 0.0, 1.0))]
>>> atlas.regions = ["right"]
>>> legend.names
['right']
"""

from __future__ import annotations

import numpy as np
from traits.api import Any, Event, HasStrictTraits, Instance, Python, observe

from .. import _vtk
from ..errors import BrainviewTypeError, BrainviewValueError, describe
from ..layers.base import Checked, Layer
from .annotations import BAR_FONT, BAR_MARGIN, check_rgb, check_title, text_width

__all__ = ["dot_legend", "legend_box", "MAX_ENTRIES", "Legend", "LegendView", "legend_entries"]

#: Most regions a legend lists (the first ones, then "+ k more").
MAX_ENTRIES = 40
#: Layer traits that never change a legend.
_NOT_LEGEND = {"opacity", "actor", "actors", "notice", "smooth", "outline", "trait_added", "trait_modified"}


def legend_entries(layer):
    """``[(name, (r, g, b))]`` of a layer's shown regions, or None when it has no named regions.

    An atlas (``names``, ``label_values``, ``shown_labels``, ``region_colors``)
    lists the regions its ``regions`` selects, in label order; a connectome its
    category legend (``shown_legend``).

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> legend_entries(Slices((np.zeros((2, 2, 2)), np.eye(4)))) is None
    True
    """
    if all(hasattr(layer, name) for name in ("names", "label_values", "shown_labels", "region_colors")):
        values = np.asarray(layer.label_values)
        rows = np.searchsorted(values, np.asarray(layer.shown_labels))
        names, table = layer.names, np.asarray(layer.region_colors, dtype=float) / 255.0
        return [(str(names[row]), tuple(float(c) for c in table[row, :3])) for row in rows]
    shown = getattr(layer, "shown_legend", None)
    if shown:
        return [(str(name), tuple(float(c) for c in rgb[:3])) for name, rgb in shown]
    return None


def _check_max_entries(value, name="n_labels"):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= MAX_ENTRIES:
        raise BrainviewValueError(f"{name}: a legend lists 1..{MAX_ENTRIES} regions, got {value!r}.")
    return int(value)


class Legend(HasStrictTraits):
    """A legend of a layer's regions: names with their colours, following the layer.

    Parameters
    ----------
    layer : Layer
        A layer with named, coloured regions (an :class:`~brainview.layers.Atlas`).
    title : str, optional
        Default: the layer's name.
    n_labels : int
        Most regions listed (1..:data:`MAX_ENTRIES`, default 20); more are
        summed up as a last line "+ k more".
    color : (float, float, float)
        Colour of the title.
    """

    #: The layer shown.
    layer = Instance(Layer)
    #: The legend's title; None: the layer's name.
    title = Checked(check_title)
    #: Most regions listed.
    n_labels = Checked(_check_max_entries, 20)
    #: Colour of the title (entries take their region's colour).
    color = Checked(check_rgb, (1.0, 1.0, 1.0))
    #: The vtkLegendBoxActor of the figure showing it (set by its :class:`LegendView`).
    actor = Any(transient=True)
    #: Fired after the legend was rebuilt.
    updated = Event()

    __ = Python

    def __init__(self, layer, *, title=None, n_labels=20, color=(1.0, 1.0, 1.0)):
        if not isinstance(layer, Layer):
            raise BrainviewTypeError(f"layer: expected a brainview layer, got {describe(layer)}.")
        if legend_entries(layer) is None:
            raise BrainviewValueError(f"layer: {layer!r} has no named regions to list in a legend.")
        super().__init__(layer=layer, title=title, n_labels=n_labels, color=color)
        from traits.observation.api import anytrait

        self._observed = anytrait()
        layer.observe(self._on_layer_change, self._observed)
        self.update()

    @property
    def entries(self):
        """``[(name, (r, g, b))]`` listed, in the layer's label order (at most :attr:`n_labels`)."""
        return list(self._entries)

    @property
    def names(self):
        """The region names listed."""
        return [name for name, _ in self._entries]

    @property
    def n_more(self):
        """Regions shown in the figure but not listed (beyond :attr:`n_labels`)."""
        return self._n_more

    @property
    def shown_title(self):
        return self.title if self.title is not None else self.layer.name

    @property
    def visible(self):
        return self._visible

    def update(self):
        """Rebuild the entries from the layer (called whenever the layer changes)."""
        entries = legend_entries(self.layer) or []
        self._entries = entries[:self.n_labels]
        self._n_more = len(entries) - len(self._entries)
        self._visible = bool(self.layer.visible and entries)
        self.updated = True

    def detach(self):
        """Stop following the layer (the legend was removed from its figure)."""
        self.layer.observe(self._on_layer_change, self._observed, remove=True)

    @observe("title, n_labels", post_init=True)
    def _settings_changed(self, event):
        self.update()

    @observe("color", post_init=True)
    def _on_color(self, event):
        self.updated = True

    def _on_layer_change(self, event):
        if event.name not in _NOT_LEGEND and not event.name.startswith("_"):
            self.update()

    def __repr__(self):
        return f"<Legend of {self.layer!r}, {len(self._entries)} regions>"


class LegendView:
    """The vtkLegendBoxActor drawing a :class:`Legend`: a coloured square and the name per row,
    the title first (in the legend's colour)."""

    def __init__(self, legend):
        from vtkmodules.vtkCommonDataModel import vtkPolyData
        from vtkmodules.vtkFiltersSources import vtkPlaneSource

        self.bar = legend
        self.actor = actor = _vtk.vtkLegendBoxActor()
        for coordinate in (actor.GetPositionCoordinate(), actor.GetPosition2Coordinate()):
            coordinate.SetCoordinateSystemToNormalizedViewport()
        actor.BorderOff()
        actor.SetPadding(2)
        text = actor.GetEntryTextProperty()
        text.SetFontSize(BAR_FONT)
        text.ShadowOff()
        text.ItalicOff()
        text.BoldOff()
        square = vtkPlaneSource()
        square.Update()
        self._symbol, self._no_symbol = square.GetOutput(), vtkPolyData()
        legend.actor = actor
        legend.observe(self.draw, "updated")
        self.draw()

    def _rows(self):
        legend = self.bar
        rows = [(legend.shown_title, None)] if legend.shown_title else []
        rows += [(name, rgb) for name, rgb in legend.entries]
        if legend.n_more:
            rows.append((f"+ {legend.n_more} more", None))
        return rows

    def draw(self, event=None):
        """Bring the actor up to date with the model."""
        legend, actor = self.bar, self.actor
        actor.GetEntryTextProperty().SetColor(*legend.color)
        if not legend.visible:
            actor.SetVisibility(False)
            return
        rows = self._rows()
        actor.SetNumberOfEntries(len(rows))
        for index, (text, rgb) in enumerate(rows):
            # Rows without a region (title, "+ k more"): no symbol, in the legend's colour.
            actor.SetEntry(index, self._symbol if rgb else self._no_symbol, text, rgb if rgb else legend.color)
        actor.SetVisibility(True)
        actor.Modified()

    def place(self, right, width, height):
        """Put the legend, with its margin, left of pixel ``right`` (as a colour bar's place)."""
        actor = self.actor
        if not actor.GetVisibility():
            return right
        text_prop = actor.GetEntryTextProperty()
        factor = text_prop.GetFontSize() / BAR_FONT
        rows = self._rows()
        widest = max(text_width(text_prop, text) for text, _ in rows)
        row_px = 1.5 * text_prop.GetFontSize()
        box_width = min(widest + 3 * row_px, right)  # the symbol and the padding: text never spills over
        box_height = min(row_px * len(rows), 0.9 * height)
        right -= round(BAR_MARGIN * factor)
        left = max(right - box_width, 0)
        actor.GetPositionCoordinate().SetValue(left / width, 0.5 + box_height / height / 2 - box_height / height)
        actor.GetPosition2Coordinate().SetValue(box_width / width, box_height / height)
        return left

    def detach(self):
        """Stop following the model (the legend left its figure)."""
        self.bar.observe(self.draw, "updated", remove=True)


def legend_box(rows, *, top=0.99, row_height=0.045, width=0.24, max_height=0.9):
    """A ``vtkLegendBoxActor`` top left of the view: one row per ``(symbol, name, rgb)``.

    ``symbol`` is the row's vtkPolyData (a dot, a square carrying its colour
    as cell scalars), ``rgb`` the colour VTK draws the symbol and the name in.
    The connectome's categories, the streamlines' bundles and a surface's
    parcels all use it.
    """
    actor = _vtk.vtkLegendBoxActor()
    actor.SetNumberOfEntries(len(rows))
    for i, (symbol, name, rgb) in enumerate(rows):
        actor.SetEntry(i, symbol, str(name), tuple(float(v) for v in rgb))
    height = min(row_height * len(rows), max_height)
    actor.GetPositionCoordinate().SetCoordinateSystemToNormalizedViewport()
    actor.GetPositionCoordinate().SetValue(0.01, top - height)
    actor.GetPosition2Coordinate().SetCoordinateSystemToNormalizedViewport()
    actor.GetPosition2Coordinate().SetValue(width, height)
    actor.BorderOff()
    actor.SetPadding(2)
    text = actor.GetEntryTextProperty()
    text.SetFontSize(14)
    text.ShadowOff()
    text.ItalicOff()
    text.BoldOff()
    return actor


def dot_legend(entries):
    """:func:`legend_box` of ``[(name, rgb)]`` with a dot of each colour (connectome categories, bundles)."""
    from vtkmodules.vtkFiltersSources import vtkSphereSource

    symbol = vtkSphereSource()
    symbol.Update()
    return legend_box([(symbol.GetOutput(), name, rgb) for name, rgb in entries])

