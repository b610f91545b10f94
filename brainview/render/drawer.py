"""The base drawer: one layer model drawn in one figure, kept in sync by trait events.

napari's ``layer_to_visual`` in VTK: the model never holds a VTK rendering
object; the figure asks the registry for the layer's drawer class, the drawer
builds its props and observes the model. A trait change re-syncs the props
and asks the figure to render (the figure coalesces renders). In the desktop
app, where a render thread owns the figure's VTK objects, the re-sync is
queued for that thread (one per drawer and trait, however many changes came)
and done just before its next frame: the GUI thread only changes models.

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import Points
>>> layer = Points(np.zeros((1, 3)))
>>> fig1, fig2 = Figure(size=(40, 30)), Figure(size=(40, 30))
>>> _ = fig1.add(layer); _ = fig2.add(layer)
>>> layer.visible = False
>>> fig1.drawer(layer).actor.GetVisibility(), fig2.drawer(layer).actor.GetVisibility()
(0, 0)
>>> fig1.close(); fig2.close()
"""

from __future__ import annotations

import functools
import importlib
import weakref

from ..geometry.camera import union_bounds
from ..layers.registry import drawer_path

__all__ = ["Drawer", "drawer_for"]


class Drawer:
    """Draws one layer in one figure; subclasses build props and follow the model.

    Subclasses set :attr:`observes` (the model's trait names whose changes
    re-sync the drawing) and implement :meth:`build` and :meth:`sync`.

    Parameters
    ----------
    layer : Layer
        The model drawn.
    figure : Figure
        The figure whose renderer shows the props (held weakly).
    """

    #: Model traits that change the drawing; ``visible`` and ``updated`` are always observed.
    observes = ()

    #: Context drawn to be seen through (a glass brain): picks hit it only when nothing else is there.
    is_context = False

    def __init__(self, layer, figure):
        self.layer = layer
        self._figure = weakref.ref(figure)
        self.interacting = False
        self.disposed = False
        self._render_tag = None
        self._props = list(self.build())
        self.sync(None)
        self._show_visibility()
        self._names = ("visible", "updated") + tuple(self.observes)
        for name in self._names:
            layer.observe(self._on_model_change, name)

    # ------------------------------------------------------------ subclass API

    def build(self):
        """Make and return the VTK props (a list); called once."""
        raise NotImplementedError

    def sync(self, name):
        """Bring the props up to date after trait ``name`` changed (None: everything)."""

    def item_at(self, prop, cell_id, point_id, xyz):
        """What a pick hit in this drawing: a dict such as ``{"vertex": 12}``, or None.

        :func:`brainview.picking.pick` calls it for a hit on one of the
        drawer's props at world point ``xyz`` (cell and point ids of the
        prop's data, -1 when none). None lets the picker name the voxel of an
        image layer, or nothing.
        """
        return None

    def set_interacting(self, interacting):
        """The camera starts or stops moving: a heavy drawing may show a lighter version."""
        self.interacting = bool(interacting)

    # ------------------------------------------------------------ for the figure

    @property
    def figure(self):
        """The figure this drawer draws in (None once it is gone)."""
        return self._figure()

    def props(self):
        """The VTK props drawing the layer, in drawing order."""
        return list(self._props)

    @property
    def actor(self):
        """The main prop (the first one)."""
        return self._props[0] if self._props else None

    def bounds(self):
        """``(xmin, xmax, ymin, ymax, zmin, zmax)`` of the drawn props in world mm, or None.

        Hidden props and props of opacity 0 do not count: the camera frames what is seen.
        """
        return union_bounds([p.GetBounds() for p in self._props if _drawn(p)])

    def replace_props(self, props):
        """Swap the drawing's props (a stat map changing ``mode``) and tell the figure."""
        old, self._props = self._props, list(props)
        figure = self.figure
        if figure is not None:
            figure._drawer_props_changed(self, old)

    def dispose(self):
        """Stop following the model (the layer left the figure)."""
        self.disposed = True
        for name in self._names:
            self.layer.observe(self._on_model_change, name, remove=True)
        figure = self.figure
        if figure is not None and self._render_tag is not None:
            figure.renderer.RemoveObserver(self._render_tag)
        self._render_tag = None

    def before_each_render(self, callback):
        """Call ``callback()`` before each render of the figure (once set, later calls do nothing).

        For what follows the figure rather than the model: legend and label
        text in the colour that reads on the current background.
        """
        figure = self.figure
        if figure is not None and self._render_tag is None:
            self._render_tag = figure.renderer.AddObserver("StartEvent", lambda *_: callback())

    # ------------------------------------------------------------ internals

    def _show_visibility(self):
        for prop in self._props:
            prop.SetVisibility(self.visible_prop(prop))

    def visible_prop(self, prop):
        """Whether ``prop`` is shown now (subclasses hide parts, e.g. while interacting)."""
        return bool(self.layer.visible)

    def _on_model_change(self, event):
        figure = self.figure
        if figure is not None and figure._defers():  # hosted by a render thread: it syncs before drawing
            figure._later(functools.partial(self._follow, event.name), key=(id(self), event.name))
        else:
            self._follow(event.name)
        self.request_render()

    def _follow(self, name):
        """Bring the props up to date after trait ``name`` changed (``updated``: everything)."""
        if self.disposed:
            return  # queued before the layer left the figure
        if name != "visible":
            self.sync(None if name == "updated" else name)
        self._show_visibility()

    def request_render(self):
        """Tell the figure the picture changed (it renders when it next can)."""
        figure = self.figure
        if figure is not None:
            figure._layer_changed(self.layer)


def _drawn(prop):
    """Whether a prop is visible and not fully transparent."""
    if not prop.GetVisibility():
        return False
    get_property = getattr(prop, "GetProperty", None)
    opacity = getattr(get_property(), "GetOpacity", None) if get_property is not None else None
    return opacity is None or opacity() > 0


def drawer_for(layer, figure):
    """A new drawer of ``layer`` for ``figure``, of the class the kind registry names."""
    module, _, name = drawer_path(layer.kind).partition(":")
    return getattr(importlib.import_module(module), name)(layer, figure)
