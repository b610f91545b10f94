"""The property panel: a TraitsUI view of the selected layer's own traits.

A :class:`traitsui.api.View` is built per layer from its trait names: slider
(``RangeEditor``) for positions, levels, thresholds and colour limits with
ranges from the data, ``EnumEditor`` for colormaps and modes, an opacity
slider. Editors write the layer's traits, so the scene updates through the
layer's own observers, exactly as ``layer.clim = ...`` in a script does.

Two traits do not map onto one editor — ``clim`` is a (low, high) pair and
``cmap`` holds a Colormap object — so a small :class:`LayerControls` adapter
shows them as two sliders and a name list, writing back ``layer.clim`` /
``layer.cmap`` (and keeps following the layer when a script changes them).

No edit can end the app: a value the layer refuses (a region name with a
typo, a crossed range) is reported through the ``report`` callable given to
:func:`edit_layer` — the window shows it above the panel — and the layer
keeps its previous value. On/off traits are check boxes.
"""

from __future__ import annotations

import os

import numpy as np

os.environ.setdefault("ETS_TOOLKIT", "qt")
os.environ.setdefault("QT_API", "pyqt5")

from traits.api import Callable, Enum, Float, HasTraits, Instance, observe  # noqa: E402

# traitsui.api is imported inside the functions: importing it loads the Qt
# toolkit, which aborts the process where there is no display (doctest runs).

from ..layers.base import Layer  # noqa: E402

#: Colormaps offered in the panel (any matplotlib name works from a script).
CMAPS = ("gray", "hot", "cold_hot", "cold_white_hot", "RdBu_r", "coolwarm", "bwr", "viridis",
         "plasma", "inferno", "magma", "cividis", "afmhot", "bone", "Reds", "Blues", "Greens",
         "jet", "tab20")

#: Traits whose values are one of a few strings.
CHOICES = {
    "blending": ("composite", "mip"),
    "ramp": ("linear", "flat"),
    "interpolation": ("nearest", "linear"),
    "axes": ("xyz", "x", "y", "z", "xy", "xz", "yz"),
    "mode": ("contour", "volume", "slices", "surface"),
}


def data_range(layer):
    """``(min, max)`` of the finite values a layer shows, or None.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> data_range(Slices((np.arange(27.0).reshape(3, 3, 3), np.eye(4))))
    (0.0, 26.0)
    """
    values = None
    if getattr(layer, "image", None) is not None:
        values = np.asarray(layer.image.data)
    elif getattr(layer, "overlay_values", None) is not None:
        values = np.asarray(layer.overlay_values)
    elif getattr(layer, "_values", None) is not None:
        values = np.asarray(layer._values)
    if values is None or values.size == 0:
        return None
    if values.size > 2_000_000:
        values = values.ravel()[:: values.size // 1_000_000]
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    low, high = float(values.min()), float(values.max())
    return (low, high) if low < high else (low - 0.5, high + 0.5)


class LayerControls(HasTraits):
    """Adapter for ``clim`` (two sliders), ``cmap`` (a name), ``threshold`` and ``vmax``.

    ``threshold`` and ``vmax`` may be None on a layer (no threshold, automatic
    top of the scale); the sliders show 0 and the data's largest ``|value|``.
    """

    layer = Instance(Layer)
    clim_low = Float()
    clim_high = Float()
    cmap_name = Enum(values="_cmap_names")
    _cmap_names = Instance(list, ())
    threshold = Float()
    vmax = Float()
    #: Called with the exception when the layer refuses a value, None when it took one.
    report = Callable(lambda error: None)

    def __init__(self, layer, *, report=None):
        names = list(CMAPS)
        cmap = getattr(layer, "cmap", None)
        if cmap is not None and getattr(cmap, "name", None) not in names:
            names.append(cmap.name)
        super().__init__(layer=layer, _cmap_names=names)
        if report is not None:
            self.report = report
        span = data_range(layer) or (0.0, 1.0)
        self._peak = max(abs(span[0]), abs(span[1]))
        self._syncing = False
        self._observed = ", ".join(n for n in ("clim", "cmap", "threshold", "vmax") if _has(layer, n))
        self._from_layer(None)
        if self._observed:
            layer.observe(self._from_layer, self._observed)

    def dispose(self):
        if self._observed:
            self.layer.observe(self._from_layer, self._observed, remove=True)

    def _from_layer(self, event):
        layer = self.layer
        self._syncing = True
        try:
            if _has(layer, "clim") and layer.clim is not None:
                self.clim_low, self.clim_high = (float(v) for v in layer.clim)
            cmap = getattr(layer, "cmap", None)
            if cmap is not None and getattr(cmap, "name", None) in self._cmap_names:
                self.cmap_name = cmap.name
            if _has(layer, "threshold"):
                # A stat map keeps its threshold as given ("95%"): show the number it means.
                self.threshold = float(getattr(layer, "threshold_value", layer.threshold) or 0.0)
            if _has(layer, "vmax"):
                self.vmax = float(layer.vmax if layer.vmax is not None else self._peak)
        finally:
            self._syncing = False

    def _write(self, name, value):
        """Set a layer trait; a refused value is reported, never raised into Qt."""
        try:
            setattr(self.layer, name, value)
        except Exception as error:  # shown beside the panel by the window
            self.report(error)
        else:
            self.report(None)

    @observe("clim_low, clim_high")
    def _to_clim(self, event):
        if self._syncing or not _has(self.layer, "clim"):
            return
        low, high = self.clim_low, self.clim_high
        if high <= low:  # the sliders crossed: keep a valid range, moving the other end
            if event.name == "clim_low":
                high = low + 1e-6 * max(1.0, abs(low))
            else:
                low = high - 1e-6 * max(1.0, abs(high))
        self._write("clim", (low, high))

    @observe("cmap_name")
    def _to_cmap(self, event):
        if not self._syncing and _has(self.layer, "cmap"):
            self._write("cmap", self.cmap_name)

    @observe("threshold, vmax")
    def _to_number(self, event):
        if not self._syncing and _has(self.layer, event.name):
            value = event.new
            if event.name == "vmax" and value <= 0:
                value = None  # automatic
            self._write(event.name, value)


def _has(layer, name):
    return name in layer.class_trait_names()


def _slider(name, low, high, *, label=None, obj="object"):
    from traitsui.api import Item, RangeEditor

    # Round the ends outwards to 4 digits so that the slider's labels stay short.
    step = 10.0 ** (np.floor(np.log10(max(abs(low), abs(high), 1e-12))) - 3)
    low = float(f"{np.floor(low / step) * step:.6g}")
    high = float(f"{np.ceil(high / step) * step:.6g}")
    return Item(f"{obj}.{name}", label=label or name.replace("_", " "),
                editor=RangeEditor(low=low, high=high, mode="slider", format_str="%.4g"))


def layer_view(layer):
    """The TraitsUI :class:`View` for a layer (context: ``object`` = the layer, ``controls``).

    Building editors loads the Qt toolkit, which needs a display: see
    ``tests/test_gui.py`` for examples.
    """
    from traitsui.api import BooleanEditor, EnumEditor, Group, Item, TextEditor, View

    items = [Item("object.name", label="name"),
             Item("object.visible", label="visible", editor=BooleanEditor()),
             _slider("opacity", 0.0, 1.0)]
    span = data_range(layer)
    if _has(layer, "level") and np.ndim(layer.level) == 0 and span is not None:
        items.append(_slider("level", *span))
    peak = None if span is None else max(abs(span[0]), abs(span[1]))
    if _has(layer, "threshold") and span is not None:
        items.append(_slider("threshold", 0.0, peak, obj="controls"))
    if _has(layer, "vmax") and span is not None:
        items.append(_slider("vmax", 0.0, peak, label="vmax", obj="controls"))
    if _has(layer, "clim") and layer.clim is not None and span is not None:
        low = min(span[0], float(layer.clim[0]))
        high = max(span[1], float(layer.clim[1]))
        items += [_slider("clim_low", low, high, label="clim min", obj="controls"),
                  _slider("clim_high", low, high, label="clim max", obj="controls")]
    if _has(layer, "regions"):
        # Atlas subsets: names, substrings or regexes separated by commas; empty shows all.
        items.append(Item("object.regions", label="regions",
                          editor=TextEditor(auto_set=False, enter_set=True, evaluate=_region_list,
                                            format_func=_region_text)))
    if _has(layer, "cmap"):
        items.append(Item("controls.cmap_name", label="colormap",
                          editor=EnumEditor(name="controls._cmap_names")))
    if getattr(layer, "image", None) is not None and all(_has(layer, a) for a in "xyz"):
        bounds = layer.image.world_bounds()
        for i, axis in enumerate("xyz"):
            items.append(_slider(axis, bounds[2 * i], bounds[2 * i + 1], label=f"{axis} (mm)"))
    for name, choices in CHOICES.items():
        if _has(layer, name):
            items.append(Item(f"object.{name}", label=name, editor=EnumEditor(values=list(choices))))
    for name in switches(layer):
        items.append(Item(f"object.{name}", label=name.replace("_", " "), editor=BooleanEditor()))
    return View(Group(*items, show_border=False), resizable=True)


def switches(layer):
    """The layer's on/off traits (besides ``visible``): shown as check boxes.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> switches(Slices((np.ones((3, 3, 3)), np.eye(4))))
    ['transparent_below']
    """
    from traits.api import Bool

    from ..layers.base import check_bool, check_optional_bool

    def on_off(name):
        kind = layer.trait(name).trait_type
        return isinstance(kind, Bool) or getattr(kind, "_check", None) in (check_bool, check_optional_bool)

    return [name for name in layer.editable_traits()
            if name != "visible" and not name.startswith("_") and on_off(name)]


def _region_list(text):
    """``"Default, Visual"`` -> ``["Default", "Visual"]``; empty text -> None (all regions)."""
    names = [part.strip() for part in str(text).split(",") if part.strip()]
    return names or None


def _region_text(value):
    if value is None:
        return ""
    values = value if isinstance(value, (list, tuple)) else [value]
    return ", ".join(str(v) for v in values)


def _panel_handler(report):
    """A TraitsUI handler whose ``setattr`` reports refused values instead of raising.

    TraitsUI editors catch only ``TraitError``; a brainview error (a
    ``ValueError``) escaping an editor's Qt slot would abort the process.
    """
    from traitsui.api import Handler

    class PanelHandler(Handler):
        def setattr(self, info, object, name, value):
            try:
                super().setattr(info, object, name, value)
            except Exception as error:  # shown beside the panel; the layer keeps its value
                report(error)
            else:
                report(None)

    return PanelHandler()


def edit_layer(layer, parent, *, report=None):
    """Build the panel for ``layer`` inside a Qt ``parent``; returns ``(ui, controls)``.

    Parameters
    ----------
    layer : Layer
    parent : QWidget
    report : callable, optional
        ``report(error)`` when the layer refuses an edit, ``report(None)`` when
        it took one. Default: print refused edits.

    Call ``ui.dispose()`` and ``controls.dispose()`` when the panel goes.
    """
    if report is None:
        def report(error):
            if error is not None:
                print(f"brainview: {error}")
    controls = LayerControls(layer, report=report)
    ui = layer.edit_traits(view=layer_view(layer), parent=parent, kind="subpanel",
                           handler=_panel_handler(report),
                           context={"object": layer, "controls": controls})
    return ui, controls
