"""A figure's title, texts and colour bars: the models, and the VTK actors that draw them.

:class:`Annotation` and :class:`ColorBar` are models (traits with events; a
colour bar also follows its layer); they import no rendering module.
:class:`AnnotationView` and :class:`ColorBarView` are their drawings in one
figure: a ``vtkTextActor`` or ``vtkScalarBarActor`` kept in sync by the
model's ``updated`` event. The model's ``actor`` names the actor of the
figure showing it.

Examples
--------
>>> from brainview.scene import Figure
>>> fig = Figure(size=(120, 80))
>>> title = fig.title("before")
>>> title.text = "after"
>>> title.actor.GetInput()
'after'
>>> fig.close()
"""

from __future__ import annotations

import numpy as np
from traits.api import Any, Event, HasStrictTraits, Instance, Python, observe

from .. import _vtk, colors
from ..errors import BrainviewTypeError, BrainviewValueError, describe
from ..layers.base import Checked, Layer

from vtkmodules.vtkCommonCore import vtkDoubleArray  # noqa: E402 (after _vtk's set-up)

__all__ = ["MAX_TEXT_CHARS", "Annotation", "AnnotationView", "ColorBar", "ColorBarView", "bar_tick_labels",
           "check_text"]

#: Longest title, text or colour-bar title (FreeType aborts the process on very long lines).
MAX_TEXT_CHARS = 2000
#: Pixels between colour bars and from the last one to the image's right edge.
BAR_MARGIN = 10
#: Pixels: width of the colour strip, gap to its labels, font size.
_BAR_STRIP, _BAR_GAP, BAR_FONT = 14, 6, 14
#: Layer traits that never change a colour bar.
_NOT_COLORS = {"opacity", "actor", "actors", "notice", "x", "y", "z", "axes", "interpolation",
               "outline", "trait_added", "trait_modified"}


def check_text(value, name="text"):
    """A string of at most :data:`MAX_TEXT_CHARS` characters, else a brainview error.

    Examples
    --------
    >>> check_text("x" * 2001)
    Traceback (most recent call last):
    ...
    brainview.errors.BrainviewValueError: text: at most 2000 characters can be drawn, got 2001; shorten it or split it into several texts.
    """
    if not isinstance(value, str):
        raise BrainviewTypeError(f"{name}: expected a string, got {describe(value)}.")
    if len(value) > MAX_TEXT_CHARS:
        raise BrainviewValueError(f"{name}: at most {MAX_TEXT_CHARS} characters can be drawn, got "
                                  f"{len(value)}; shorten it or split it into several texts.")
    return value


def _check_font_size(value, name="size"):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float)) or not 1 <= value <= 500:
        raise BrainviewValueError(f"{name}: expected a font size in points, 1..500, got {value!r}.")
    return value


def _check_text_color(value, name="color"):
    if value is not None:
        colors.to_rgb(value, name=name)
    return value


def _check_position(value, name="position"):
    try:
        x, y = (float(v) for v in value)
    except (TypeError, ValueError):
        raise BrainviewTypeError(f"{name}: expected (x, y) in 0..1, got {describe(value)}.") from None
    if not (0 <= x <= 1 and 0 <= y <= 1):
        raise BrainviewValueError(f"{name}: expected (x, y) in 0..1, got {value!r}.")
    return (x, y)


def _check_kind(value, name="kind"):
    if value not in ("title", "text"):
        raise BrainviewValueError(f"{name}: expected 'title' or 'text', got {value!r}.")
    return value


def check_title(title, name="title"):
    if title is not None and not isinstance(title, str):
        raise BrainviewTypeError(f"{name}: expected a string or None, got {describe(title)}.")
    return title if title is None else check_text(title, name)


def _check_n_labels(n_labels, name="n_labels"):
    if (isinstance(n_labels, bool) or not isinstance(n_labels, (int, np.integer))
            or not 2 <= n_labels <= 20):
        raise BrainviewValueError(f"{name}: expected an integer 2..20, got {n_labels!r}.")
    return int(n_labels)


def check_tick_format(value, name="format"):
    """None, a %-format of one number (``"%.1f"``, ``"%i"``) or a callable ``value -> str``.

    Examples
    --------
    >>> check_tick_format("%.1f"), check_tick_format(None)
    ('%.1f', None)
    >>> check_tick_format("{:.1f}")
    Traceback (most recent call last):
    ...
    brainview.errors.BrainviewValueError: format: expected a %-format of one number such as '%.1f' or '%i' (nilearn's cbar_tick_format), or a callable value -> str; got '{:.1f}'.
    """
    if value is None or callable(value):
        return value
    message = (f"{name}: expected a %-format of one number such as '%.1f' or '%i' (nilearn's "
               f"cbar_tick_format), or a callable value -> str; got {value!r}.")
    if not isinstance(value, str):
        raise BrainviewTypeError(message.replace(f"got {value!r}", f"got {describe(value)}"))
    try:
        formatted = value % 1.5
    except (TypeError, ValueError):
        raise BrainviewValueError(message) from None
    if formatted == value:
        raise BrainviewValueError(message)
    return check_text(value, name)


def check_rgb(value, name="color"):
    return tuple(float(v) for v in colors.to_rgb(value, name=name))


def _plain_color(color):
    """A colour as JSON can hold it: a name, an RGB list, or None."""
    if color is None or isinstance(color, str):
        return color
    return [float(v) for v in color]


class Annotation(HasStrictTraits):
    """A title or a text of a figure: a model whose traits are live (the text follows them).

    Made by :meth:`Figure.title` and :meth:`Figure.text` and kept in
    :attr:`Figure.annotations`; scene files and exported scripts read them.

    Examples
    --------
    >>> note = Annotation("text", "hello", size=12)
    >>> note.spec()
    {'kind': 'text', 'text': 'hello', 'size': 12, 'color': None, 'position': [0.02, 0.02]}
    """

    #: "title" (centred at the top) or "text" (at ``position``).
    kind = Checked(_check_kind, "text")
    #: The words shown.
    text = Checked(check_text, "")
    #: Font size in points (pixels at scale 1).
    size = Checked(_check_font_size, 16)
    #: A colour, or None for the figure's foreground (white on dark, black on light).
    color = Checked(_check_text_color, None)
    #: Where a text is, in normalised image coordinates (0..1, origin bottom left).
    position = Checked(_check_position, (0.02, 0.02))
    #: The vtkTextActor of the figure showing it (set by its :class:`AnnotationView`).
    actor = Any(transient=True)
    #: Fired when the annotation changed.
    updated = Event()

    def __init__(self, kind, text, *, size=16, color=None, position=(0.02, 0.02)):
        super().__init__(kind=kind, text=text, size=size, color=color, position=position)

    @observe("text, size, color, position", post_init=True)
    def _changed(self, event):
        self.updated = True

    def spec(self):
        """The annotation as given: ``{"kind", "text", "size", "color"[, "position"]}``."""
        spec = {"kind": self.kind, "text": self.text, "size": self.size, "color": _plain_color(self.color)}
        if self.kind == "text":
            spec["position"] = list(self.position)
        return spec


class AnnotationView:
    """The vtkTextActor drawing an :class:`Annotation` in one figure.

    ``foreground`` is the colour of a text without its own (the figure's).
    """

    def __init__(self, annotation, foreground):
        self.annotation = annotation
        self.foreground = foreground
        self.actor = _vtk.vtkTextActor()
        self.actor.GetPositionCoordinate().SetCoordinateSystemToNormalizedViewport()
        if annotation.kind == "title":
            self.actor.GetTextProperty().SetJustificationToCentered()
            self.actor.GetTextProperty().SetVerticalJustificationToTop()
        annotation.actor = self.actor
        annotation.observe(self.draw, "updated")
        self.draw()

    def draw(self, event=None):
        """Bring the actor up to date with the model."""
        note = self.annotation
        self.actor.SetInput(note.text)
        prop = self.actor.GetTextProperty()
        prop.SetFontSize(int(round(note.size)))
        prop.SetColor(*(colors.to_rgb(note.color) if note.color is not None else self.foreground))
        self.actor.SetPosition(*((0.5, 0.97) if note.kind == "title" else note.position))

    def set_foreground(self, foreground):
        self.foreground = foreground
        self.draw()

    def detach(self):
        """Stop following the model (the annotation left its figure)."""
        self.annotation.observe(self.draw, "updated", remove=True)


class ColorBar(HasStrictTraits):
    """A colour bar: a live view of one layer's colormap, range and ticks.

    It observes its layer: changing the layer's ``threshold``, ``vmax``,
    ``clim``, ``cmap``, ``symmetric``, ``mode``, ``name`` or visibility
    rebuilds the bar (lookup table, range, tick labels), so the bar never
    shows a stale scale. Tick labels lie inside the table's range (a label
    rounded beyond it, such as 0.005 for a top of 0.00496, is drawn at the
    end), and the figure places the bar so that its longest label and its
    title fit inside the image.

    Parameters
    ----------
    layer : Layer
        A layer with a colormap (``layer.colorbar_table()`` is not None).
    title : str, optional
        Default: the layer's name.
    n_labels : int
        Labels of layers without their own tick rule (2..20).
    color : (float, float, float)
        Colour of the text.
    format : str or callable, optional
        Tick label format: a %-format (nilearn's ``cbar_tick_format``, e.g.
        ``"%.1f"``, ``"%i"``; a stat map's ticks follow it as in nilearn) or a
        callable ``value -> str``. Default: ``"%.2g"`` for layers with their
        own tick rule (stat maps, nilearn's default), else ``"%.3g"``. A
        callable is drawn as the bar's annotations and is not kept in scene
        files or scripts.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> layer = Slices((np.arange(8.0).reshape(2, 2, 2), np.eye(4)), clim=(0, 7))
    >>> bar = ColorBar(layer, n_labels=3)
    >>> bar.labels
    ['0', '3.5', '7']
    >>> layer.clim = (0, 1)
    >>> bar.labels
    ['0', '0.5', '1']
    >>> bar.format = "%.1f"
    >>> bar.labels
    ['0.0', '0.5', '1.0']
    """

    #: The layer shown.
    layer = Instance(Layer)
    #: The bar's title; None: the layer's name.
    title = Checked(check_title)
    #: Number of labels of layers without their own tick rule.
    n_labels = Checked(_check_n_labels, 5)
    #: Colour of the title and labels.
    color = Checked(check_rgb, (1.0, 1.0, 1.0))
    #: Tick label format: None (the default), a %-format or a callable ``value -> str``.
    format = Checked(check_tick_format, None)
    #: The vtkScalarBarActor of the figure showing it (set by its :class:`ColorBarView`).
    actor = Any(transient=True)
    #: Fired after the bar was rebuilt.
    updated = Event()

    __ = Python

    def __init__(self, layer, *, title=None, n_labels=5, color=(1.0, 1.0, 1.0), format=None):
        if not isinstance(layer, Layer):
            raise BrainviewTypeError(f"layer: expected a brainview layer, got {describe(layer)}.")
        if layer.colorbar_table() is None:
            raise BrainviewValueError(
                f"layer: {layer!r} has no colormap to show (give it cmap= or an overlay)."
            )
        super().__init__(layer=layer, title=title, n_labels=n_labels, color=color, format=format)
        from traits.observation.api import anytrait

        self._observed = anytrait()
        layer.observe(self._on_layer_change, self._observed)
        self.update()

    @property
    def lookup_table(self):
        """The layer's vtkLookupTable the bar shows."""
        return self._lut

    @property
    def range(self):
        """``(low, high)`` of the bar's lookup table."""
        return tuple(float(v) for v in self._lut.GetRange())

    @property
    def ticks(self):
        """The label values, inside :attr:`range`."""
        return self._ticks.copy()

    @property
    def labels(self):
        """The label texts, as drawn (through :attr:`format`)."""
        if callable(self.format):
            return [str(self.format(float(tick))) for tick in self._ticks]
        return [self.label_format % tick for tick in self._ticks]

    @property
    def table(self):
        """``(n, 4)`` uint8 RGBA of the bar's lookup table, bottom to top."""
        return _vtk.vtk_to_numpy(self._lut.GetTable()).copy()

    @property
    def shown_title(self):
        """The title drawn: :attr:`title`, or the layer's name."""
        return self.title if self.title is not None else self._name

    @property
    def label_format(self):
        """The %-format of the labels: :attr:`format` when it is one, else ``"%.2g"`` for a
        layer's own ticks and ``"%.3g"`` for others."""
        return self.format if isinstance(self.format, str) else self._format

    @property
    def visible(self):
        """False while the layer is hidden or has no colormap."""
        return self._visible

    def update(self):
        """Rebuild the bar from the layer (called whenever the layer changes)."""
        table = self.layer.colorbar_table()
        if table is None:
            self._visible = False
            self._ticks = np.zeros(0)
            self.updated = True
            return
        self._lut, self._name = table
        low, high = self._lut.GetRange()
        own_ticks = getattr(self.layer, "colorbar_ticks", None)
        if own_ticks is not None:
            ticks = own_ticks(tick_format=self.format) if isinstance(self.format, str) else own_ticks()
            ticks, self._format = np.asarray(ticks, dtype=float), "%.2g"
        else:
            ticks, self._format = np.linspace(low, high, self.n_labels), "%.3g"
        # A tick rounded beyond the table (0.005 for a top of 0.00496) is
        # drawn at the end: VTK drops labels outside the range.
        self._ticks = np.unique(np.clip(ticks, low, high))
        self._visible = bool(self.layer.visible)
        self.updated = True

    def detach(self):
        """Stop following the layer (the bar was removed from its figure)."""
        self.layer.observe(self._on_layer_change, self._observed, remove=True)

    @observe("title, n_labels, format", post_init=True)
    def _settings_changed(self, event):
        self.update()

    @observe("color", post_init=True)
    def _on_color(self, event):
        self.updated = True

    def _on_layer_change(self, event):
        if event.name not in _NOT_COLORS and not event.name.startswith("_"):
            self.update()

    def __repr__(self):
        return f"<ColorBar of {self.layer!r}, range {self.range}>"


class ColorBarView:
    """The vtkScalarBarActor drawing a :class:`ColorBar` in one figure, placed by :meth:`place`."""

    def __init__(self, bar):
        self.bar = bar
        self.actor = actor = _vtk.vtkScalarBarActor()
        actor.SetBarRatio(0.5)
        actor.SetHeight(0.8)
        actor.SetDrawNanAnnotation(False)
        actor.UnconstrainedFontSizeOn()
        actor.SetTextPad(_BAR_GAP)
        for text_prop in (actor.GetTitleTextProperty(), actor.GetLabelTextProperty()):
            text_prop.SetFontSize(BAR_FONT)
            text_prop.ItalicOff()
            text_prop.BoldOff()
            text_prop.ShadowOff()
        bar.actor = actor
        bar.observe(self.draw, "updated")
        self.draw()

    def draw(self, event=None):
        """Bring the actor up to date with the model."""
        bar, actor = self.bar, self.actor
        for text_prop in (actor.GetTitleTextProperty(), actor.GetLabelTextProperty()):
            text_prop.SetColor(*bar.color)
        if not bar.visible:
            actor.SetVisibility(False)
            return
        actor.SetLookupTable(bar.lookup_table)
        labels = vtkDoubleArray()
        for tick in bar.ticks:
            labels.InsertNextValue(float(tick))
        actor.SetCustomLabels(labels)
        actor.SetUseCustomLabels(True)
        actor.SetLabelFormat(bar.label_format)
        # A callable format has no printf equivalent: its texts are the table's annotations.
        by_callable = callable(bar.format)
        actor.SetDrawTickLabels(not by_callable)
        actor.SetDrawAnnotations(by_callable)
        actor.SetTextPosition(actor.PrecedeScalarBar if by_callable else actor.SucceedScalarBar)
        if by_callable:
            _annotate(bar.lookup_table, bar.ticks, bar.labels)
            actor.GetAnnotationTextProperty().ShallowCopy(actor.GetLabelTextProperty())
        actor.SetTitle(bar.shown_title)
        actor.SetVisibility(True)
        actor.Modified()

    def _widths(self):
        """``(bar width, title overhang, margin)`` in pixels at the fonts' current size.

        Measured when placed, not when drawn: a print scale (``savefig(scale=3)``)
        enlarges the fonts just before the render, and the strip, gap and margin
        grow with them, so no label or title is cut at the image's edge.
        """
        actor = self.actor
        factor = actor.GetLabelTextProperty().GetFontSize() / BAR_FONT
        label_width = max((text_width(actor.GetLabelTextProperty(), text) for text in self.bar.labels), default=0)
        label_width += round(2 * _BAR_GAP * factor) if callable(self.bar.format) else 0  # annotation leaders
        title_width = text_width(actor.GetTitleTextProperty(), actor.GetTitle())
        actor.SetTextPad(max(1, round(_BAR_GAP * factor)))
        width = round((_BAR_STRIP + _BAR_GAP) * factor) + label_width + 2
        # VTK centres the title over the bar: a wider title sticks out on both sides.
        return width, max(0, (title_width - width + 1) // 2), round(BAR_MARGIN * factor), factor

    def place(self, right, width, height):
        """Put the bar, with its margin, left of pixel ``right`` of a ``width`` x ``height``
        image; return where the next bar to the left should end."""
        if not self.actor.GetVisibility():
            return right
        bar_px, overhang, margin, factor = self._widths()
        right -= margin + overhang
        bar_width = max(min(bar_px, right), 1)
        box_width = bar_width
        if callable(self.bar.format):
            # Annotations (a callable format's labels) go on the far side of the (empty) tick labels:
            # with the labels "before" the strip, VTK puts the strip at the box's right edge and the
            # annotations right of it, outside the box, where a %-format's labels are drawn.
            box_width = max(min(round((_BAR_STRIP + _BAR_GAP) * factor), bar_width), 1)
        self.actor.SetPosition((right - bar_width) / width, 0.1)
        self.actor.SetWidth(box_width / width)
        self.actor.SetBarRatio(min(1.0, _BAR_STRIP * factor / box_width))
        return right - bar_width - overhang

    def detach(self):
        """Stop following the model (the bar left its figure)."""
        self.bar.observe(self.draw, "updated", remove=True)


def _annotate(table, ticks, labels):
    """Put ``labels`` at ``ticks`` as the lookup table's annotations (a callable tick format)."""
    from vtkmodules.vtkCommonCore import vtkVariant

    table.ResetAnnotations()
    for tick, label in zip(ticks, labels):
        table.SetAnnotation(vtkVariant(float(tick)), label)


def bar_tick_labels(actor):
    """``[(value, text), ...]`` of a colour bar actor's tick labels as VTK draws them, bottom to top.

    A callable ``format`` is drawn as the table's annotations (:func:`_annotate`),
    a %-format as custom labels through the actor's label format: the PDF/SVG/EPS
    page and the HTML overlay read both here, so every output shows the same texts.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> bar = ColorBar(Slices((np.arange(8.0).reshape(2, 2, 2), np.eye(4)), clim=(0, 1)), n_labels=3,
    ...                format=lambda v: f"{v:+.1f} z")
    >>> bar_tick_labels(ColorBarView(bar).actor)
    [(0.0, '+0.0 z'), (0.5, '+0.5 z'), (1.0, '+1.0 z')]
    """
    table = actor.GetLookupTable()
    low, high = table.GetRange()
    if actor.GetDrawAnnotations() and not actor.GetDrawTickLabels():
        pairs = [(table.GetAnnotatedValue(i).ToDouble(), table.GetAnnotation(i))
                 for i in range(table.GetNumberOfAnnotatedValues())]
    else:
        labels = actor.GetCustomLabels() if actor.GetUseCustomLabels() else None
        ticks = ([labels.GetValue(i) for i in range(labels.GetNumberOfTuples())] if labels is not None
                 else list(np.linspace(low, high, max(actor.GetNumberOfLabels(), 2))))
        label_format = actor.GetLabelFormat() or "%.3g"
        pairs = [(tick, label_format % tick) for tick in ticks]
    return sorted((float(value), str(text)) for value, text in pairs if high > low and low <= value <= high)


def text_width(text_prop, text):
    """Pixel width of a text drawn with a text property (72 dpi, VTK's default)."""
    if not text:
        return 0
    from vtkmodules.vtkRenderingCore import vtkTextRenderer

    box = [0, 0, 0, 0]
    vtkTextRenderer().GetBoundingBox(text_prop, text, box, 72)
    return box[1] - box[0] + 1
