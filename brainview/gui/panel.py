"""The property panel: a TraitsUI view generated from the selected layer's trait metadata.

:func:`layer_view` builds a TraitsUI ``View`` of one ``Item`` per live trait
of a layer, its editor chosen from the trait's metadata (set where the layer
defines the trait) and, without metadata, from its type and value
(:func:`brainview.gui.editors.editor_for`) — so a new layer kind, or a new
trait of one, needs no panel code:

==================  ====================================================
``panel=``          editor
==================  ====================================================
``"check"``         check box (also any ``check_bool`` / ``Bool`` trait;
                    a third state for a switch that may be None)
``"slider"``        slider + a numeric field showing the whole value;
                    ``low=``/``high=`` or ``range="data"|"magnitude"|"x"|"y"|"z"``
                    (computed from the layer's data), ``integer=True``,
                    ``optional=True`` (an "auto" box: None),
                    ``shown="attr"`` (what None or a "95%" string means;
                    a dotted path: ``"edge_clim.1"``)
``"range"``         a ``(low, high)`` pair: two such sliders
``"cmap"``          colormap combo box with swatches; its "Colour file…"
                    entry reads a colour file (``.cmap``, ``.lut``, LUTs)
``"color"``         colour button
``choices=(...)``   combo box of those values (TraitsUI's ``EnumEditor``)
``"checklist"``     searchable checklist of the layer's ``names``
``"region_colors"`` a ``{region: colour}`` field and a "Colour file…"
                    button reading a label table (an atlas's ``colors``)
``"hidden"``        not shown (another editor covers it)
==================  ====================================================

Traits named in the layer's ``data_params`` get a file chooser; a number
a line edit; a plain value (None, text, a list, a dict) a line edit read
with :func:`ast.literal_eval`; anything else is shown as "not editable here".
A ``desc=`` becomes the label's tooltip.

Every edit goes through the view's TraitsUI ``Handler``
(:class:`PanelHandler`), which sets the layer's trait — the scene follows
through the layer's own observers, exactly as ``layer.clim = ...`` in a
script does. The editors follow the layer when a script changes it. Nothing
typed, clicked or chosen can end the app: a refused value is shown in red
under its field and passed to the ``report`` callable (the window shows it
above the panel); the layer keeps its previous value. Sliders and combo boxes
ignore the mouse wheel unless they have the keyboard focus, so scrolling the
panel changes nothing.
"""

from __future__ import annotations

from PyQt5 import QtCore, QtGui, QtWidgets

from .editors import CMAPS, editor_for, editor_key  # first: it readies Qt for TraitsUI's toolkit

from traits.api import Any, HasTraits, Str  # noqa: E402, I001
from traitsui.api import Group, Handler, Item, View  # noqa: E402

from .hints import FIRST, data_range, editor_kind, panel_traits, switches, trait_range  # noqa: E402
from .widgets import guard_wheels  # noqa: E402

__all__ = ["CMAPS", "FIRST", "LayerPanel", "PanelHandler", "data_range", "edit_layer", "editor_kind",
           "layer_view", "panel_traits", "switches", "trait_range"]

#: The colour of a refused value's message (a palette, not a style sheet: cheaper to build).
_ERROR_COLOR = "#c62828"


def layer_view(layer, names=None):
    """The TraitsUI ``View`` of a layer's panel: per trait, its editor and a message line.

    The messages are the ``<name>_error`` traits of the ``messages`` object of
    the view's context (a :class:`Messages`), shown only when not empty. Views
    are kept per layer class and editor choice, as a class's ``traits_view`` is:
    selecting a layer again builds its widgets, not its view.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> view = layer_view(Slices((np.ones((3, 3, 3)), np.eye(4))))
    >>> [item.name for item in view.content.content[0].content][:4]
    ['name', 'name_error', 'visible', 'visible_error']
    """
    names = panel_traits(layer) if names is None else names
    key = (type(layer), tuple((name, editor_key(layer, name)) for name in names))
    try:
        view = _VIEWS.get(key)
    except TypeError:  # a value that cannot be a key (a choice set from a script): built each time
        key, view = None, None
    if view is None:
        view = _build_view(layer, names)
        if key is not None:
            _VIEWS[key] = view
    return view


#: (layer class, ((name, editor key), ...)) -> View.
_VIEWS = {}


def _build_view(layer, names):
    items = []
    for name in names:
        kind = editor_kind(layer, name)
        label = name.replace("_", " ") + (" (data)" if kind == "file" else "")
        items.append(Item(name, label=label, editor=editor_for(layer, name), tooltip=layer.trait(name).desc or ""))
        items.append(Item(f"messages.{name}_error", style="readonly", show_label=False))
    return View(Group(*items, show_border=False), kind="subpanel")


class Messages(HasTraits):
    """The message shown under each field (``<name>_error``; "" when the last edit worked)."""

    def __init__(self, names):
        super().__init__()
        for name in names:
            self.add_trait(f"{name}_error", Str())


class PanelHandler(Handler):
    """The panel's TraitsUI handler: every editor's write comes through :meth:`setattr`."""

    #: The :class:`LayerPanel` that shows where an edit was refused.
    panel = Any()

    def setattr(self, info, object, name, value):
        """Set ``object.name`` (the layer's trait) from an editor; never raises into Qt."""
        self.panel.write(name, value)

    def refuse(self, name, text):
        """Show a message for a field whose text could not be read (nothing was written)."""
        self.panel.refuse(name, text)

    def cannot_show(self, name, error):
        """Say under a field that the layer's value cannot be shown there."""
        self.panel.cannot_show(name, error)


class LayerPanel(QtWidgets.QWidget):
    """The TraitsUI view of one layer (``ui.control``) inside a plain QWidget (see the module docstring).

    Parameters
    ----------
    layer : Layer
    report : callable, optional
        ``report(error)`` when the layer refuses an edit, ``report(None)``
        when it took one.
    background : callable, optional
        See :func:`edit_layer`.
    parent : QWidget, optional

    Attributes
    ----------
    ui : traitsui.ui.UI
        The TraitsUI view's UI (``ui.get_editors(name)``).
    editors : dict
        trait name -> its TraitsUI editor (``editor.control`` is its widget).
    errors : dict
        trait name -> the QLabel under its field showing why a value was refused.
    keys : dict
        trait name -> what chose its editor (:func:`~brainview.gui.editors.editor_key`); when a
        script sets a choice outside the list, the view is built again to show it.
    """

    def __init__(self, layer, *, report=None, background=None, parent=None):
        super().__init__(parent)
        self.layer = layer
        self.report = report or (lambda error: None)
        self.background = background
        self.ui, self._rebuilding = None, False
        self._column = QtWidgets.QVBoxLayout(self)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._build()
        self._observed = ", ".join(self.editors)
        if self._observed:
            layer.observe(self._on_layer_changed, self._observed, dispatch="ui")

    def _build(self):
        layer = self.layer
        names = panel_traits(layer)
        self.keys = {name: editor_key(layer, name) for name in names}
        self.messages = Messages(names)
        self.editors, self.errors = {}, {}
        self._refreshing = True  # building: the editors show the layer, nobody writes
        self.ui = layer.edit_traits(view=layer_view(layer, names), parent=self, kind="subpanel",
                                    handler=PanelHandler(panel=self),
                                    context={"object": layer, "messages": self.messages})
        self._column.addWidget(self.ui.control)
        self.editors = {name: self._editor(name) for name in names}
        self.errors = {name: self._editor(f"{name}_error", self.messages).control for name in names}
        red = QtGui.QPalette(self.palette())
        red.setColor(QtGui.QPalette.WindowText, QtGui.QColor(_ERROR_COLOR))
        for name, label in self.errors.items():
            label.setWordWrap(True)
            label.setPalette(red)
            label.setVisible(bool(getattr(self.messages, f"{name}_error")))  # "cannot show" while built
        guard_wheels(self.ui.control)
        self._refreshing = False

    def _rebuild(self):
        """Build the view again: a trait now needs another editor (a choice set outside its list)."""
        self._rebuilding = False
        if self.ui is None:  # disposed meanwhile
            return
        old, self.ui = self.ui, None
        self._column.removeWidget(old.control)
        old.control.hide()
        old.dispose()
        self._build()

    def _editor(self, name, owner=None):
        owner = self.layer if owner is None else owner
        return next(editor for editor in self.ui.get_editors(name) if editor.object is owner)

    def get_editors(self, name):
        """``[editor]`` of a layer trait, ``[]`` when the panel does not show it (TraitsUI's spelling)."""
        return [self.editors[name]] if name in self.editors else []

    def write(self, name, value):
        """Set a layer trait; a refused value is shown beside its field, never raised into Qt.

        Returns whether the layer took it.
        """
        if self._refreshing or self.ui is None:
            return True  # an editor showing the layer's value is not an edit
        if _unchanged(self.layer, name, value):
            return True
        if self.layer.trait(name).prepare and self.background is not None:
            # Slow to draw (a stat map's surface projection): computed in a worker with
            # progress, then set here on the GUI thread, which never waits for it.
            self.background(lambda: self.layer.prepare(**{name: value}),
                            then=lambda: self._write_now(name, value),
                            failed=lambda error: self._refused(name, error),
                            name=f"{self.layer.name}: {name} = {value!r}")
            return True
        return self._write_now(name, value)

    def _write_now(self, name, value):
        try:
            setattr(self.layer, name, value)
        except Exception as error:  # the layer keeps its value; the user reads why
            return self._refused(name, error)
        self._show(name, None)
        return True

    def _refused(self, name, error):
        self._show(name, error)
        if self.ui is not None:
            self._refresh_one(name)
        return False

    def refuse(self, name, text):
        """Show a message for a field whose text could not be read (nothing was written)."""
        from ..errors import BrainviewValueError

        self._show(name, BrainviewValueError(text))

    def _show(self, name, error):
        if name in self.errors and self.ui is not None:  # (a worker may finish after the panel went)
            setattr(self.messages, f"{name}_error", "" if error is None else str(error))
            self.errors[name].setVisible(error is not None)
        self.report(error)

    def refresh(self):
        """Show the layer's current values in every editor."""
        for name in self.editors:
            self._refresh_one(name)

    def _refresh_one(self, name):
        self._refreshing = True
        try:
            self.editors[name].update_editor()
        except Exception as error:  # a value an editor cannot show must not end the app
            self.cannot_show(name, error)
        finally:
            self._refreshing = False

    def cannot_show(self, name, error):
        """Say under a field that the layer's value cannot be shown there (the layer is unchanged)."""
        setattr(self.messages, f"{name}_error", f"cannot show {name}: {error}")
        if name in self.errors:
            self.errors[name].show()

    def _on_layer_changed(self, event):
        if self.ui is None:
            return
        if _new_editor(self.keys.get(event.name), self.layer, event.name):
            if not self._rebuilding:  # after the editor that wrote (if any) is done
                self._rebuilding = True
                QtCore.QTimer.singleShot(0, self._rebuild)
            return
        # Other traits may follow one change (an image sets its colour range): show them all.
        self.refresh()

    def dispose(self):
        """Stop following the layer and close the TraitsUI view (call when the panel goes)."""
        if self._observed:
            self.layer.observe(self._on_layer_changed, self._observed, remove=True, dispatch="ui")
            self._observed = ""
        if self.ui is not None:
            ui, self.ui = self.ui, None
            ui.dispose()


def _new_editor(key, layer, name):
    """Whether a trait now needs another editor: a choice its combo box does not offer (set from a
    script), or a number editor's trait that holds no number now (``volume`` None once a 3-D image
    replaced a 4-D one: a literal editor, where None can be typed).

    A literal editor shows any value.
    """
    return isinstance(key, tuple) and key[0] in ("choice", "number") and editor_key(layer, name) != key


def _unchanged(layer, name, value):
    """Whether writing ``value`` would change nothing (an editor echoing what it shows).

    Traits that reload on every assignment (a file chosen again) always write.
    """
    from traits.api import ComparisonMode

    if layer.trait(name).comparison_mode == ComparisonMode.none:
        return False
    current = getattr(layer, name)
    try:
        return current is value or (type(current) is type(value) and bool(current == value))
    except Exception:  # arrays: ambiguous truth, so a write
        return False


def edit_layer(layer, parent=None, *, report=None, background=None):
    """Build the panel for ``layer`` (a :class:`LayerPanel`, a QWidget inside ``parent``).

    Parameters
    ----------
    layer : Layer
    parent : QWidget, optional
    report : callable, optional
        ``report(error)`` when the layer refuses an edit, ``report(None)`` when
        it took one. Default: print refused edits.
    background : callable, optional
        ``background(job, *, then, failed, name)`` runs ``job()`` off the GUI
        thread, then ``then()`` (or ``failed(error)``) on it: used for traits
        whose metadata says ``prepare=True`` (the layer's ``prepare`` computes
        what they need). Default: set them directly.

    Call ``panel.dispose()`` when the panel goes.

    Examples
    --------
    Needs a display::

        panel = edit_layer(layer, report=print)
        panel.get_editors("opacity")[0].value = 0.5   # as a user's slide does
        panel.dispose()
    """
    if report is None:
        def report(error):
            if error is not None:
                print(f"brainview: {error}")
    return LayerPanel(layer, report=report, background=background, parent=parent)
