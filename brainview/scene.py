"""The scene: the Figure class — layers, camera, annotations, rendering to images.

(The module is not called ``figure``: that name is the pylab verb ``bv.figure()``,
which a submodule of the same name would shadow once imported.)

A figure renders off-screen by default (EGL/OSMesa, no display needed). The
desktop app shows the same figure by hosting its renderer in a Qt widget;
nothing in here imports Qt.

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import Points
>>> fig = Figure(size=(120, 100))
>>> _ = fig.add(Points([[0, 0, 0]], size=10))
>>> fig.screenshot().shape
(100, 120, 3)
>>> fig.close()
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from pathlib import Path

import numpy as np
from traits.api import Any, Event, HasStrictTraits, Instance, List, Python, observe

from . import _vtk, colors
from .errors import BrainviewTypeError, BrainviewValueError, check_number, describe
from .geometry.camera import camera_pose
from .layers.base import Checked, Layer

from vtkmodules.vtkCommonCore import vtkDoubleArray  # noqa: E402 (after _vtk's set-up)
from vtkmodules.vtkRenderingCore import vtkTextRenderer  # noqa: E402

_IMAGE_WRITERS = {".png": "vtkPNGWriter", ".jpg": "vtkJPEGWriter", ".jpeg": "vtkJPEGWriter",
                  ".tif": "vtkTIFFWriter", ".tiff": "vtkTIFFWriter"}
#: Vector formats of VTK's gl2ps exporter: suffix -> its setter.
_VECTOR_FORMATS = {".pdf": "SetFileFormatToPDF", ".svg": "SetFileFormatToSVG",
                   ".eps": "SetFileFormatToEPS", ".ps": "SetFileFormatToPS"}

#: Every render window a figure opened and has not closed (for leak checks).
LIVE_WINDOWS = weakref.WeakSet()
#: This thread's closed figure's off-screen window, kept for the next figure: a new OpenGL
#: context costs its buffers and every shader compiled again (40-60 ms a picture in software
#: OpenGL, most of a batch image). Thread-local, because a context belongs to its thread.
_SPARE = threading.local()
#: Larger windows are not kept: their buffers would hold memory (8 megapixels: about 100 MB).
_SPARE_MAX_PIXELS = 8_000_000
_windows_made = 0
#: ``(owner thread, window, renderer)`` of figures closed from another thread than their window's.
_ORPHANED_WINDOWS = []


def windows_made():
    """How many OpenGL windows figures have opened in this process (kept ones reused count once).

    Examples
    --------
    >>> before = windows_made()
    >>> fig = Figure(size=(16, 16)); _ = fig.screenshot(); fig.close()
    >>> windows_made() - before <= 1
    True
    """
    return _windows_made


@_vtk.serialised
def release_spare_window():
    """Close the off-screen window this thread keeps for its next figure, if any.

    Figures of one thread reuse a single off-screen window in turn, so a loop of
    ``figure(); ...; savefig(); close()`` opens one OpenGL context, not one
    per picture; call this to free it (its buffers and compiled shaders) when
    no figure is coming.

    Examples
    --------
    >>> fig = Figure(size=(16, 16)); _ = fig.screenshot(); fig.close()
    >>> release_spare_window()
    True
    >>> release_spare_window()
    False
    """
    window = _take_spare_window()
    if window is None:
        return False
    window.Finalize()
    return True


def _finalise_orphaned_windows():
    """Finalise the windows of this thread that figures closed from other threads left."""
    mine = [entry for entry in _ORPHANED_WINDOWS if entry[0] is threading.current_thread()]
    for entry in mine:
        _ORPHANED_WINDOWS.remove(entry)
        entry[1].Finalize()


def _take_spare_window():
    _finalise_orphaned_windows()
    spare = getattr(_SPARE, "window", None)
    _SPARE.window = None
    if spare is None or spare[1] != os.getpid():
        return None  # none, or one inherited through fork(): its context is the parent's
    return spare[0]


def _keep_spare_window(window):
    width, height = window.GetSize()
    if getattr(_SPARE, "window", None) is not None or width * height > _SPARE_MAX_PIXELS:
        window.Finalize()
    else:
        _SPARE.window = (window, os.getpid())


def _plain_color(color):
    """A colour as JSON can hold it: a name, an RGB list, or None."""
    if color is None or isinstance(color, str):
        return color
    return [float(v) for v in color]


def _check_size(size, name="size"):
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError):
        raise BrainviewValueError(f"{name}: expected (width, height) in pixels, got {describe(size)}.") from None
    if width < 1 or height < 1 or width > 16384 or height > 16384:
        raise BrainviewValueError(f"{name}: width and height must be 1..16384 pixels, got {size!r}.")
    return width, height


#: Pixels between colour bars and from the last one to the image's right edge.
_BAR_MARGIN = 10
#: Pixels: width of the colour strip, gap to its labels, font size.
_BAR_STRIP, _BAR_GAP, _BAR_FONT = 14, 6, 14
#: Layer traits that never change a colour bar.
_NOT_COLORS = {"opacity", "actor", "actors", "notice", "x", "y", "z", "axes", "interpolation",
               "outline", "trait_added", "trait_modified"}


def _check_annotation_text(value, name="text"):
    if not isinstance(value, str):
        raise BrainviewTypeError(f"{name}: expected a string, got {describe(value)}.")
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


class Annotation(HasStrictTraits):
    """A title or a text of a figure: a model whose traits are live (the text follows them).

    Made by :meth:`Figure.title` and :meth:`Figure.text` and kept in
    :attr:`Figure.annotations`; scene files and exported scripts read them.

    Examples
    --------
    >>> fig = Figure(size=(120, 80))
    >>> title = fig.title("before")
    >>> title.text = "after"
    >>> title.actor.GetInput()
    'after'
    >>> fig.close()
    """

    #: "title" (centred at the top) or "text" (at ``position``).
    kind = Python()
    #: The words shown.
    text = Checked(_check_annotation_text, "")
    #: Font size in points (pixels at scale 1).
    size = Checked(_check_font_size, 16)
    #: A colour, or None for the figure's foreground (white on dark, black on light).
    color = Checked(_check_text_color, None)
    #: Where a text is, in normalised image coordinates (0..1, origin bottom left).
    position = Checked(_check_position, (0.02, 0.02))
    #: The vtkTextActor drawing it (belongs to the figure's drawing).
    actor = Any(transient=True)
    #: Fired when the annotation changed.
    updated = Event()

    _foreground = Python()

    def __init__(self, kind, text, *, size, color, position, foreground):
        super().__init__(kind=kind, text=text, size=size, color=color, position=position)
        self._foreground = foreground
        self.actor = _vtk.vtkTextActor()
        self.actor.GetPositionCoordinate().SetCoordinateSystemToNormalizedViewport()
        if kind == "title":
            self.actor.GetTextProperty().SetJustificationToCentered()
            self.actor.GetTextProperty().SetVerticalJustificationToTop()
        self._draw(None)

    @observe("text, size, color, position", post_init=True)
    def _draw(self, event):
        self.actor.SetInput(self.text)
        prop = self.actor.GetTextProperty()
        prop.SetFontSize(int(round(self.size)))
        prop.SetColor(*(colors.to_rgb(self.color) if self.color is not None else self._foreground))
        self.actor.SetPosition(*((0.5, 0.97) if self.kind == "title" else self.position))
        if event is not None:
            self.updated = True

    def spec(self):
        """The annotation as given: ``{"kind", "text", "size", "color"[, "position"]}``."""
        spec = {"kind": self.kind, "text": self.text, "size": self.size, "color": _plain_color(self.color)}
        if self.kind == "text":
            spec["position"] = list(self.position)
        return spec


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
    """

    #: The layer shown.
    layer = Instance(Layer)

    #: The bar's title; None: the layer's name.
    title = Checked(lambda value, name: _check_title(value))

    #: Number of labels of layers without their own tick rule.
    n_labels = Checked(lambda value, name: _check_n_labels(value), 5)

    #: The vtkScalarBarActor drawing the bar.
    actor = Any(transient=True)

    #: Fired after the bar was rebuilt.
    updated = Event()

    __ = Python

    def __init__(self, layer, *, title=None, n_labels=5, color=(1.0, 1.0, 1.0)):
        if not isinstance(layer, Layer):
            raise BrainviewTypeError(f"layer: expected a brainview layer, got {describe(layer)}.")
        if layer.colorbar_table() is None:
            raise BrainviewValueError(
                f"layer: {layer!r} has no colormap to show (give it cmap= or an overlay)."
            )
        super().__init__(layer=layer, title=title, n_labels=n_labels)
        self.actor = _vtk.vtkScalarBarActor()
        self.actor.SetBarRatio(0.5)
        self.actor.SetHeight(0.8)
        self.actor.SetDrawNanAnnotation(False)
        self.actor.UnconstrainedFontSizeOn()
        self.actor.SetTextPad(_BAR_GAP)
        for text_prop in (self.actor.GetTitleTextProperty(), self.actor.GetLabelTextProperty()):
            text_prop.SetColor(*color)
            text_prop.SetFontSize(_BAR_FONT)
            text_prop.ItalicOff()
            text_prop.BoldOff()
            text_prop.ShadowOff()
        self._width_px = self._title_overhang = 0
        from traits.observation.api import anytrait

        self._observed = anytrait()
        layer.observe(self._layer_changed, self._observed)
        self.update()

    # ------------------------------------------------------------ the view

    @property
    def range(self):
        """``(low, high)`` of the bar's lookup table."""
        return tuple(float(v) for v in self.actor.GetLookupTable().GetRange())

    @property
    def ticks(self):
        """The label values, inside :attr:`range`."""
        return self._ticks.copy()

    @property
    def labels(self):
        """The label texts, as drawn."""
        return [self._format % tick for tick in self._ticks]

    @property
    def table(self):
        """``(n, 4)`` uint8 RGBA of the bar's lookup table, bottom to top."""
        return _vtk.vtk_to_numpy(self.actor.GetLookupTable().GetTable()).copy()

    def update(self):
        """Rebuild the bar from the layer (called whenever the layer changes)."""
        table = self.layer.colorbar_table()
        if table is None:
            self.actor.SetVisibility(False)
            self._ticks = np.zeros(0)
            self.updated = True
            return
        lut, name = table
        self.actor.SetLookupTable(lut)
        low, high = lut.GetRange()
        own_ticks = getattr(self.layer, "colorbar_ticks", None)
        if own_ticks is not None:
            ticks, self._format = np.asarray(own_ticks(), dtype=float), "%.2g"
        else:
            ticks, self._format = np.linspace(low, high, self.n_labels), "%.3g"
        # A tick rounded beyond the table (0.005 for a top of 0.00496) is
        # drawn at the end: VTK drops labels outside the range.
        self._ticks = np.unique(np.clip(ticks, low, high))
        labels = vtkDoubleArray()
        for tick in self._ticks:
            labels.InsertNextValue(float(tick))
        self.actor.SetCustomLabels(labels)
        self.actor.SetUseCustomLabels(True)
        self.actor.SetLabelFormat(self._format)
        self.actor.SetTitle(self.title if self.title is not None else name)
        self.actor.SetVisibility(self.layer.visible)
        label_width = max((_text_width(self.actor.GetLabelTextProperty(), text) for text in self.labels),
                          default=0)
        title_width = _text_width(self.actor.GetTitleTextProperty(), self.actor.GetTitle())
        self._width_px = _BAR_STRIP + _BAR_GAP + label_width + 2
        # VTK centres the title over the bar: a wider title sticks out on both sides.
        self._title_overhang = max(0, (title_width - self._width_px + 1) // 2)
        self.actor.Modified()
        self.updated = True

    def place(self, right, width, height):
        """Put the bar's right edge at pixel ``right`` of a ``width`` x ``height``
        image; return where the next bar to the left should end."""
        if not self.actor.GetVisibility():
            return right
        right -= self._title_overhang
        bar_width = max(min(self._width_px, right), 1)
        self.actor.SetPosition((right - bar_width) / width, 0.1)
        self.actor.SetWidth(bar_width / width)
        self.actor.SetBarRatio(min(1.0, _BAR_STRIP / bar_width))
        return right - bar_width - self._title_overhang - _BAR_MARGIN

    def detach(self):
        """Stop following the layer (the bar was removed from its figure)."""
        self.layer.observe(self._layer_changed, self._observed, remove=True)

    @observe("title, n_labels", post_init=True)
    def _settings_changed(self, event):
        self.update()

    def _layer_changed(self, event):
        if event.name not in _NOT_COLORS and not event.name.startswith("_"):
            self.update()

    def __repr__(self):
        return f"<ColorBar of {self.layer!r}, range {self.range}>"


def _check_title(title):
    if title is not None and not isinstance(title, str):
        raise BrainviewTypeError(f"title: expected a string or None, got {describe(title)}.")
    return title


def _check_n_labels(n_labels):
    if (isinstance(n_labels, bool) or not isinstance(n_labels, (int, np.integer))
            or not 2 <= n_labels <= 20):
        raise BrainviewValueError(f"n_labels: expected an integer 2..20, got {n_labels!r}.")
    return int(n_labels)


def _text_width(text_prop, text):
    """Pixel width of a text drawn with a text property (72 dpi, VTK's default)."""
    if not text:
        return 0
    box = [0, 0, 0, 0]
    vtkTextRenderer().GetBoundingBox(text_prop, text, box, 72)
    return box[1] - box[0] + 1


@contextlib.contextmanager
def _print_settings(renderer, *, scale, transparent):
    """Temporarily scale text, lines and points by ``scale``; clear the background if ``transparent``.

    Text and colour-bar fonts have sizes in pixels: rendering at ``scale``
    times the pixels without them would shrink every label.
    """
    restore = []
    if scale != 1:
        text_props, actor_props = _pixel_sized_properties(renderer)
        for prop in text_props:
            size = prop.GetFontSize()
            restore.append((prop.SetFontSize, size))
            prop.SetFontSize(max(1, round(size * scale)))
        for prop in actor_props:
            restore.append((prop.SetLineWidth, prop.GetLineWidth()))
            restore.append((prop.SetPointSize, prop.GetPointSize()))
            prop.SetLineWidth(prop.GetLineWidth() * scale)
            prop.SetPointSize(prop.GetPointSize() * scale)
    if transparent:
        # Over black, OpenGL's blending leaves colours premultiplied by alpha,
        # which _unpremultiply undoes exactly.
        restore.append((lambda rgb: renderer.SetBackground(*rgb), renderer.GetBackground()))
        restore.append((renderer.SetBackgroundAlpha, renderer.GetBackgroundAlpha()))
        renderer.SetBackground(0.0, 0.0, 0.0)
        renderer.SetBackgroundAlpha(0.0)
    try:
        yield
    finally:
        for setter, value in reversed(restore):
            setter(value)


TRANSLUCENCY_MODES = ("blended", "peeled")


@contextlib.contextmanager
def drawing_translucency(fig, mode):
    """Draw ``fig``'s translucent surfaces with ``mode`` inside the block.

    ``"peeled"``: depth peeling, what :meth:`Figure.savefig` draws (exact
    for up to 4 overlapping sheets). ``"blended"``: one pass of
    order-independent (weighted) blending, 2-4 times faster in software
    OpenGL, for many pictures in a row (movies, batches); it differs from
    peeling only where translucent sheets overlap.

    Examples
    --------
    >>> fig = Figure(size=(32, 24))
    >>> with drawing_translucency(fig, "blended"):
    ...     bool(fig.renderer.GetUseDepthPeeling())
    False
    >>> bool(fig.renderer.GetUseDepthPeeling())
    True
    >>> fig.close()
    """
    if mode not in TRANSLUCENCY_MODES:
        raise BrainviewValueError(f"translucency: must be 'blended' or 'peeled', got {mode!r}.")
    renderer = fig.renderer
    saved = renderer.GetUseDepthPeeling(), renderer.GetUseOIT()
    if mode == "blended":
        renderer.SetUseDepthPeeling(False)
        renderer.SetUseOIT(True)
    try:
        yield
    finally:
        renderer.SetUseDepthPeeling(saved[0])
        renderer.SetUseOIT(saved[1])


def _pixel_sized_properties(renderer):
    """The text properties and actor properties of a renderer's props, each once."""
    text_props, actor_props = {}, {}
    props = renderer.GetViewProps()
    props.InitTraversal()
    for _ in range(props.GetNumberOfItems()):
        prop = props.GetNextProp()
        for name in ("GetTextProperty", "GetTitleTextProperty", "GetLabelTextProperty",
                     "GetAnnotationTextProperty", "GetEntryTextProperty"):
            if hasattr(prop, name):
                text_props.setdefault(id(getattr(prop, name)()), getattr(prop, name)())
        mapper = prop.GetMapper() if hasattr(prop, "GetMapper") else None
        if mapper is not None and hasattr(mapper, "GetLabelTextProperty"):
            text_props.setdefault(id(mapper.GetLabelTextProperty()), mapper.GetLabelTextProperty())
        if prop.IsA("vtkActor"):
            actor_props.setdefault(id(prop.GetProperty()), prop.GetProperty())
    return [p for p in text_props.values() if p is not None], list(actor_props.values())


def _unpremultiply(rgba):
    """Straight-alpha colours from colours premultiplied by alpha (rendered over black)."""
    alpha = rgba[:, :, 3:].astype(np.float32)
    rgb = rgba[:, :, :3].astype(np.float32)
    straight = np.where(alpha > 0, rgb * 255.0 / np.maximum(alpha, 1.0), 0.0)
    out = rgba.copy()
    out[:, :, :3] = np.clip(np.rint(straight), 0, 255).astype(np.uint8)
    return out


def _vtk_image(pixels):
    """A vtkImageData of an ``(height, width, channels)`` uint8 image (VTK's rows go up)."""
    from vtkmodules.util.numpy_support import numpy_to_vtk

    height, width, channels = pixels.shape
    image = _vtk.vtkImageData()
    image.SetDimensions(width, height, 1)
    image.GetPointData().SetScalars(
        numpy_to_vtk(np.ascontiguousarray(np.flipud(pixels)).reshape(-1, channels), deep=True))
    return image


def _encode_png(pixels):
    """PNG file bytes of an ``(height, width, 3 or 4)`` uint8 image."""
    writer = _vtk.vtkPNGWriter()
    writer.WriteToMemoryOn()
    writer.SetInputData(_vtk_image(pixels))
    writer.Write()
    return bytes(_vtk.vtk_to_numpy(writer.GetResult()))


class Figure(HasStrictTraits):
    """A 3-D scene of layers, rendered off-screen or in the desktop app.

    Parameters
    ----------
    size : (int, int)
        Width and height of images in pixels.
    bgcolor : colour
    antialias : bool
        FXAA (cheap, post-process). Multisampling is never used: in software
        OpenGL it multiplies the cost of every frame.

    Examples
    --------
    >>> fig = Figure(size=(200, 100), bgcolor="white")
    >>> fig.size
    (200, 100)
    >>> fig.close()
    """

    #: The layers, in drawing order. Observe it to follow additions/removals.
    layers = List(Instance(Layer))

    #: Fired after any layer changed and the scene needs redrawing.
    changed = Event()

    #: The vtkRenderer holding the scene (hosted by an off-screen or Qt window).
    renderer = Any()

    #: The colour bars (:class:`ColorBar`), right to left from the last.
    colorbars = List()

    #: The title and texts (:class:`Annotation`), in the order they were added.
    annotations = List()

    __ = Python

    def __init__(self, *, size=(800, 600), bgcolor="black", antialias=True):
        super().__init__()
        self._size = _check_size(size)
        self._bgcolor = colors.to_rgb(bgcolor, name="bgcolor")
        self.renderer = _vtk.vtkRenderer()
        self.renderer.SetBackground(*self._bgcolor)
        self.renderer.SetUseDepthPeeling(True)
        # 4 layers of translucency: the showcase, the baselines and the glass-brain scenes are
        # pixel-identical to 8, at about half the cost of a frame in software OpenGL.
        self.renderer.SetMaximumNumberOfPeels(4)
        self.renderer.SetOcclusionRatio(0.0)
        self.renderer.SetUseFXAA(bool(antialias))
        self.renderer.TwoSidedLightingOn()
        self.renderer.AutomaticLightCreationOff()
        _vtk.vtkLightKit().AddLightsToRenderer(self.renderer)
        self._window = self._window_thread = None
        self._host = None
        self._pending_view = {}
        self._camera_set = False
        self._antialias = bool(antialias)
        self._closed = False
        self.renderer.AddObserver("StartEvent", self._layout_colorbars)
        self._interacting = False
        self._drawers = {}

    # ------------------------------------------------------------ layers

    def add(self, layer):
        """Add a layer to the scene and return it.

        Examples
        --------
        >>> from brainview.layers import Points
        >>> fig = Figure()
        >>> fig.add(Points([[0, 0, 0]])).kind
        'points'
        >>> fig.close()
        """
        self._check_open()
        if not isinstance(layer, Layer):
            raise BrainviewTypeError(f"layer: expected a brainview layer, got {describe(layer)}.")
        if layer in self._drawers:
            raise BrainviewValueError(f"layer: {layer!r} is already in this figure.")
        from .render.drawer import drawer_for

        drawer = drawer_for(layer, self)
        drawer.set_interacting(self._interacting)
        for prop in drawer.props():
            self.renderer.AddViewProp(prop)
        self._drawers[layer] = drawer
        self.layers.append(layer)
        self.changed = True
        return layer

    def drawer(self, layer):
        """The drawer showing ``layer`` in this figure (its VTK props: ``drawer.props()``).

        Examples
        --------
        >>> from brainview.layers import Points
        >>> fig = Figure()
        >>> layer = fig.add(Points([[0, 0, 0]]))
        >>> fig.drawer(layer).actor.IsA("vtkActor")
        1
        >>> fig.close()
        """
        if layer not in self._drawers:
            raise BrainviewValueError(f"layer: {layer!r} is not in this figure.")
        return self._drawers[layer]

    def layer_of(self, prop):
        """The layer one of whose props is ``prop``, or None."""
        return next((layer for layer, drawer in self._drawers.items() if prop in drawer.props()), None)

    def remove(self, layer):
        """Remove a layer from the scene."""
        if layer not in self._drawers:
            raise BrainviewValueError(f"layer: {layer!r} is not in this figure.")
        drawer = self._drawers.pop(layer)
        for prop in drawer.props():
            self.renderer.RemoveViewProp(prop)
        for bar in [b for b in self.colorbars if b.layer is layer]:
            self._remove_colorbar(bar)
        drawer.dispose()
        self.layers.remove(layer)
        self.changed = True

    def move(self, layer, index):
        """Move a layer to position ``index`` of the drawing order (and of ``layers``).

        Examples
        --------
        >>> from brainview.layers import Points
        >>> fig = Figure()
        >>> a, b = fig.add(Points([[0, 0, 0]], name="a")), fig.add(Points([[1, 1, 1]], name="b"))
        >>> fig.move(b, 0)
        >>> [layer.name for layer in fig.layers]
        ['b', 'a']
        >>> fig.close()
        """
        if layer not in self._drawers:
            raise BrainviewValueError(f"layer: {layer!r} is not in this figure.")
        order = [lay for lay in self.layers if lay is not layer]
        if not (isinstance(index, int) and 0 <= index <= len(order)):
            raise BrainviewValueError(f"index: expected 0..{len(order)}, got {index!r}.")
        order.insert(index, layer)
        # VTK draws props in the order they were added: re-add them in the new order.
        for lay in order:
            for prop in self._drawers[lay].props():
                self.renderer.RemoveViewProp(prop)
        for lay in order:
            for prop in self._drawers[lay].props():
                self.renderer.AddViewProp(prop)
        self.layers = order
        self.changed = True

    def clear(self):
        """Remove every layer and annotation; keep the window and camera settings."""
        for layer in list(self.layers):
            self.remove(layer)
        self._remove_annotations()
        self._camera_set = False
        self.changed = True

    @property
    def interacting(self):
        """True while the camera is being moved (set by the desktop app's mouse drags).

        Heavy layers draw a lighter version meanwhile (a connectome: its
        strongest edges only); setting it back to False restores full detail.

        Examples
        --------
        >>> fig = Figure()
        >>> fig.interacting = True
        >>> fig.interacting
        True
        >>> fig.close()
        """
        return self._interacting

    @interacting.setter
    def interacting(self, value):
        self._interacting = bool(value)
        for drawer in self._drawers.values():
            drawer.set_interacting(self._interacting)

    def _layer_changed(self, layer):
        self.changed = True

    def _layer_props_changed(self, layer, old_props):
        """A layer replaced its VTK props (a stat map changing ``mode``): swap them here."""
        self._drawer_props_changed(self._drawers[layer], old_props)

    def _drawer_props_changed(self, drawer, old_props):
        """A drawer replaced its VTK props: swap them in the renderer."""
        for prop in old_props:
            self.renderer.RemoveViewProp(prop)
        for prop in drawer.props():
            self.renderer.AddViewProp(prop)
        self.changed = True

    # ------------------------------------------------------------ camera

    def view(self, name=None, *, azimuth=None, elevation=None, distance=None, focalpoint=None):
        """Point the camera: an anatomical view name or angles (Mayavi's convention).

        Parameters
        ----------
        name : {"left", "right", "anterior", "posterior", "superior", "inferior"}, optional
            ``"left"`` looks at the left hemisphere from the left (RAS+
            world); ``"superior"`` looks down with anterior up.
        azimuth, elevation : float, optional
            Degrees; azimuth from +x (right) towards +y (anterior),
            elevation from +z (superior).
        distance : float, optional
            mm from the focal point; default fits every visible layer.
        focalpoint : (float, float, float), optional
            Default: the centre of the visible layers.

        The camera is placed at the next render, so layers added after this
        call are still framed.

        Examples
        --------
        >>> fig = Figure()
        >>> fig.view("left")
        >>> fig.close()
        """
        from .geometry.camera import view_angles

        if name is not None:
            view_angles(name)  # validates now, not at render time
        self._pending_view = dict(name=name, azimuth=azimuth, elevation=elevation,
                                  distance=distance, focalpoint=focalpoint)
        self._camera_set = False
        self.changed = True

    def _apply_camera(self):
        if self._camera_set:
            return
        bounds = self.bounds()
        if bounds is None:
            return
        # A hosted figure is framed for its window's shape, not its saving size.
        width, height = self.size if self._host is None else self._host.GetSize()
        camera = self.renderer.GetActiveCamera()
        pose = camera_pose(**self._pending_view, bounds=bounds,
                           view_angle=camera.GetViewAngle(), aspect=width / height)
        camera.SetFocalPoint(*pose.focal_point)
        camera.SetPosition(*pose.position)
        camera.SetViewUp(*pose.view_up)
        self.renderer.ResetCameraClippingRange()
        self._camera_set = True

    def reset_camera(self):
        """Frame every visible layer again, keeping the current direction."""
        self._camera_set = False

    @property
    def camera(self):
        """The camera pose: ``{"position", "focal_point", "view_up", "view_angle"}`` (mm, degrees).

        Reading it places the camera first if the scene has not been framed
        yet. Assigning a pose (all four keys) sets it exactly: the values read
        back are the ones given, which is what scene files and exported
        scripts rely on.

        Examples
        --------
        >>> import numpy as np
        >>> fig = Figure(size=(64, 64))
        >>> fig.camera = {"position": (0, -300, 0), "focal_point": (0, 0, 0),
        ...               "view_up": (0, 0, 1), "view_angle": 30.0}
        >>> fig.camera["position"]
        (0.0, -300.0, 0.0)
        >>> fig.close()
        """
        self._apply_camera()
        camera = self.renderer.GetActiveCamera()
        # Shown in the app, the pose is the one the figure's own images use (savefig).
        return {"position": tuple(camera.GetPosition()), "focal_point": tuple(camera.GetFocalPoint()),
                "view_up": tuple(camera.GetViewUp()), "view_angle": self._saving_view_angle(self.size)}

    @camera.setter
    def camera(self, pose):
        from .geometry.camera import check_pose

        pose = check_pose(pose)
        camera = self.renderer.GetActiveCamera()
        camera.SetPosition(*pose["position"])
        camera.SetFocalPoint(*pose["focal_point"])
        camera.SetViewUp(*pose["view_up"])
        camera.SetViewAngle(self._shown_view_angle(pose["view_angle"]))
        self.renderer.ResetCameraClippingRange()
        self._pending_view = {}
        self._camera_set = True
        self.changed = True

    @property
    def camera_is_set(self):
        """Whether the camera is placed (False: it frames the layers at the next render)."""
        return self._camera_set

    @property
    def pending_view(self):
        """The last :meth:`view` request not yet applied (a copy; empty when none)."""
        return {} if self._camera_set else dict(self._pending_view)

    def bounds(self):
        """World mm bounds of every visible layer, or None for an empty scene."""
        boxes = [self._drawers[layer].bounds() for layer in self.layers if layer.visible]
        boxes = np.array([b for b in boxes if b is not None])
        if not len(boxes):
            return None
        return tuple(float(v) for v in np.ravel(
            np.column_stack([boxes[:, 0::2].min(0), boxes[:, 1::2].max(0)])))

    # ------------------------------------------------------------ annotations

    def title(self, text, *, size=24, color=None):
        """The title, centred at the top of the image (replaces an earlier title).

        Returns
        -------
        Annotation
            A live model: ``t.text = "..."`` changes the title.
        """
        previous = next((a for a in self.annotations if a.kind == "title"), None)
        if previous is not None:
            previous.trait_set(text=_check_annotation_text(text), size=size, color=color)
            return previous
        return self._add_annotation("title", text, size=size, color=color, position=(0.5, 0.97))

    def text(self, text, *, position=(0.02, 0.02), size=16, color=None):
        """Text at a position in normalised image coordinates (0..1, origin bottom left).

        Returns
        -------
        Annotation
            A live model: set its ``text``, ``position``, ``size`` or ``color``.
        """
        return self._add_annotation("text", text, size=size, color=color, position=position)

    def _add_annotation(self, kind, text, *, size, color, position):
        annotation = Annotation(kind, text, size=size, color=color, position=position,
                                foreground=self._foreground())
        self.renderer.AddViewProp(annotation.actor)
        annotation.observe(self._annotation_changed, "updated")
        self.annotations.append(annotation)
        self.changed = True
        return annotation

    def _annotation_changed(self, event):
        self.changed = True

    def annotation_specs(self):
        """The title and texts as given: a list of ``{"kind", "text", "size", "color"[, "position"]}``."""
        return [annotation.spec() for annotation in self.annotations]

    def set_annotations(self, specs):
        """Add the title and texts that :meth:`annotation_specs` returned (scene files use it)."""
        for spec in specs:
            options = {"size": spec.get("size", 24), "color": spec.get("color")}
            if spec.get("kind") == "title":
                self.title(spec["text"], **options)
            elif spec.get("kind") == "text":
                self.text(spec["text"], position=tuple(spec.get("position", (0.02, 0.02))), **options)
            else:
                raise BrainviewValueError(f"annotations: unknown kind {spec.get('kind')!r}; "
                                          "expected 'title' or 'text'.")

    def _remove_annotations(self):
        for annotation in self.annotations:
            self.renderer.RemoveViewProp(annotation.actor)
            annotation.observe(self._annotation_changed, "updated", remove=True)
        self.annotations = []

    def colorbar(self, layer=None, *, title=None, n_labels=5):
        """A vertical colour bar for a layer's colormap and range, on the right.

        The bar is a live view of the layer (a :class:`ColorBar` kept in
        :attr:`colorbars`): changing the layer's threshold, range, colormap or
        symmetry redraws it.

        Parameters
        ----------
        layer : Layer, optional
            Default: the most recent layer that has a colormap.
        title : str, optional
            Default: the layer's name.
        n_labels : int
            Number of evenly spaced labels of layers without their own tick
            rule (stat maps use nilearn's ticks).

        Returns
        -------
        ColorBar

        Examples
        --------
        >>> import numpy as np
        >>> from brainview.layers import Slices
        >>> fig = Figure()
        >>> layer = fig.add(Slices((np.arange(8.0).reshape(2, 2, 2), np.eye(4)), clim=(0, 7)))
        >>> bar = fig.colorbar(layer)
        >>> layer.clim = (0, 10)
        >>> bar.range
        (0.0, 10.0)
        >>> fig.close()
        """
        self._check_open()
        if layer is None:
            candidates = [lay for lay in self.layers if lay.colorbar_table() is not None]
            if not candidates:
                raise BrainviewValueError(
                    "colorbar: no layer in this figure has a colormap; add a volume, "
                    "slices or an overlay first, or pass layer=."
                )
            layer = candidates[-1]
        bar = ColorBar(layer, title=title, n_labels=n_labels, color=self._foreground())
        self.renderer.AddViewProp(bar.actor)
        bar.observe(self._colorbar_changed, "updated")
        self.colorbars.append(bar)
        self.changed = True
        return bar

    def colorbar_specs(self):
        """The colour bars as asked for: a list of ``{"layer", "title", "n_labels"}``.

        The bar the desktop app shows for its selected layer is part of the
        picture (savefig draws it), so scene files and scripts keep it too.
        """
        return [{"layer": bar.layer, "title": bar.title, "n_labels": bar.n_labels} for bar in self.colorbars]

    @property
    def bgcolor(self):
        """Background colour as an ``(r, g, b)`` tuple of 0..1 floats (settable: any colour).

        Titles, texts and colour-bar labels without a colour of their own
        follow: white on a dark background, black on a light one.

        Examples
        --------
        >>> fig = Figure(size=(40, 30))
        >>> fig.bgcolor = "white"
        >>> fig.bgcolor, tuple(int(v) for v in fig.screenshot()[0, 0])
        ((1.0, 1.0, 1.0), (255, 255, 255))
        >>> fig.close()
        """
        return tuple(float(v) for v in self._bgcolor)

    @bgcolor.setter
    def bgcolor(self, color):
        self._bgcolor = colors.to_rgb(color, name="bgcolor")
        self.renderer.SetBackground(*self._bgcolor)
        foreground = self._foreground()
        for annotation in self.annotations:
            annotation._foreground = foreground
            annotation._draw(None)
        for bar in self.colorbars:
            for text_prop in (bar.actor.GetTitleTextProperty(), bar.actor.GetLabelTextProperty()):
                text_prop.SetColor(*foreground)
        self.changed = True

    @property
    def antialias(self):
        """Whether FXAA antialiasing is on."""
        return self._antialias

    def _colorbar_changed(self, event):
        self.changed = True

    def _remove_colorbar(self, bar):
        self.renderer.RemoveViewProp(bar.actor)
        bar.observe(self._colorbar_changed, "updated", remove=True)
        bar.detach()
        self.colorbars.remove(bar)

    def _layout_colorbars(self, caller=None, event=None):
        """Place the colour bars right to left, each as wide as its labels (in pixels
        of the image being rendered, so no label is cut at the edge)."""
        width, height = self.renderer.GetSize()
        if width < 1 or height < 1:
            return
        right = width - _BAR_MARGIN
        for bar in reversed(self.colorbars):
            right = bar.place(right, width, height)

    def _foreground(self):
        return (0.0, 0.0, 0.0) if np.mean(self._bgcolor) > 0.5 else (1.0, 1.0, 1.0)

    # ------------------------------------------------------------ rendering

    @property
    def size(self):
        """``(width, height)`` in pixels of rendered images (settable; the camera pose is kept).

        Examples
        --------
        >>> fig = Figure(size=(200, 100))
        >>> fig.size = (64, 48)
        >>> fig.screenshot().shape
        (48, 64, 3)
        >>> fig.close()
        """
        return self._size

    @size.setter
    @_vtk.serialised
    def size(self, size):
        self._size = _check_size(size)
        if self._window is not None:
            self._window.SetSize(*self._size)
        self.changed = True

    @property
    @_vtk.serialised
    def window(self):
        """The render window (created on first use)."""
        self._check_open()
        if self._host is not None:
            return self._host
        if self._window is None:
            window = _take_spare_window() or self._new_window()
            window.AddRenderer(self.renderer)
            window.SetSize(*self._size)
            self._window, self._window_thread = window, threading.current_thread()
            LIVE_WINDOWS.add(window)
        elif self._window_thread is not threading.current_thread():
            # An OpenGL context belongs to the thread that made it: drawing it from
            # another one aborts the process inside the driver.
            raise BrainviewValueError(
                "figure: it was drawn in another thread, and its OpenGL window belongs to that "
                "thread; draw it there, or build a figure in this thread (bv.load_scene of a "
                "saved scene, or layers made from each layer's get_params())."
            )
        return self._window

    @staticmethod
    def _new_window():
        global _windows_made
        window = _vtk.vtkRenderWindow()
        window.SetOffScreenRendering(True)
        window.SetMultiSamples(0)
        window.SetAlphaBitPlanes(True)
        _windows_made += 1
        return window

    @_vtk.serialised
    def render(self):
        """Draw the scene now."""
        window = self.window
        self._apply_camera()
        self.renderer.ResetCameraClippingRange()
        window.Render()

    @_vtk.serialised
    def screenshot(self, *, size=None, scale=1, transparent=False):
        """The rendered image as an ``(height, width, 3)`` uint8 array (RGBA if ``transparent``).

        Parameters
        ----------
        size : (int, int), optional
            Width and height of the layout in pixels; default: the figure's size.
        scale : float
            Multiplies the pixels, keeping the framing: ``scale=3`` renders
            3x the width and height, with text, colour bars, lines and points
            3x larger, so the image looks the same, only sharper (for print).
        transparent : bool
            Return RGBA with alpha 0 on the background; colours of
            translucent pixels are straight (not premultiplied by alpha).

        Examples
        --------
        >>> fig = Figure(size=(64, 48))
        >>> fig.screenshot(size=(32, 16)).shape
        (16, 32, 3)
        >>> fig.screenshot(scale=2, transparent=True).shape
        (96, 128, 4)
        >>> fig.close()
        """
        size = self._size if size is None else _check_size(size)
        scale = check_number(scale, "scale", minimum=0, strict=True)
        pixels = _check_size((round(size[0] * scale), round(size[1] * scale)), "size x scale")
        if not isinstance(transparent, (bool, np.bool_)):
            raise BrainviewTypeError(f"transparent: expected True or False, got {describe(transparent)}.")
        with _print_settings(self.renderer, scale=scale, transparent=bool(transparent)):
            image = self._render_pixels(pixels, alpha=bool(transparent))
        return _unpremultiply(image) if transparent else image

    def _render_pixels(self, size, *, alpha):
        window = self.window
        previous = tuple(window.GetSize())
        if self._host is not None and tuple(size) != previous:
            return self._screenshot_offscreen(size, alpha=alpha)
        if self._host is None:
            window.SetSize(*size)
        # The camera is framed for an aspect ratio: a new one frames it again,
        # a new size of the same shape (scale=) keeps the view as it is.
        same_aspect = size[0] * previous[1] == size[1] * previous[0]
        self._camera_set = self._camera_set and same_aspect
        self.render()
        return self._grab(window, alpha=alpha)

    @staticmethod
    def _grab(window, *, alpha=False):
        grabber = _vtk.vtkWindowToImageFilter()
        grabber.SetInput(window)
        if alpha:
            grabber.SetInputBufferTypeToRGBA()
        else:
            grabber.SetInputBufferTypeToRGB()
        grabber.ReadFrontBufferOff()
        grabber.ShouldRerenderOff()
        grabber.Update()
        image = grabber.GetOutput()
        width, height, _ = image.GetDimensions()
        pixels = _vtk.vtk_to_numpy(image.GetPointData().GetScalars())
        channels = 4 if alpha else 3
        return np.flipud(pixels.reshape(height, width, -1)[:, :, :channels]).copy()

    def _screenshot_offscreen(self, size, *, alpha=False):
        # Render this one image in the hosting window's own OpenGL context,
        # into off-screen buffers of the requested size: moving the renderer
        # to another context would lose its textures (image slices, colour
        # maps). The on-screen window keeps its size and contents.
        host = self._host
        shown_size = tuple(host.GetSize())
        camera = self.renderer.GetActiveCamera()
        saved_angle = camera.GetViewAngle()
        saving_angle = self._saving_view_angle(size)  # from the window's size: before resizing it
        host.SetUseOffScreenBuffers(True)
        try:
            host.SetSize(*size)
            camera.SetViewAngle(saving_angle)
            self.renderer.ResetCameraClippingRange()
            host.Render()
            return self._grab(host, alpha=alpha)
        finally:
            camera.SetViewAngle(saved_angle)
            host.SetSize(*shown_size)
            host.SetUseOffScreenBuffers(False)
            host.Render()

    def _narrowing(self, size):
        """How much narrower an image of ``size`` is than the window showing the figure (<= 1)."""
        if self._host is None:
            return 1.0
        shown = self._host.GetSize()
        ratio = (size[0] / size[1]) / (shown[0] / max(shown[1], 1))
        return ratio if ratio < 1 - 1e-3 else 1.0

    def _saving_view_angle(self, size, angle=None):
        """The view angle that keeps what the window shows horizontally in an image of ``size``.

        A figure shown in the app is framed for the window; an image of
        another, narrower shape widens the angle so nothing shown is cut.
        """
        angle = float(self.renderer.GetActiveCamera().GetViewAngle() if angle is None else angle)
        narrowing = self._narrowing(size)
        if narrowing == 1.0:
            return angle  # exact: a pose read back is the pose given
        return float(np.degrees(2 * np.arctan(np.tan(np.radians(angle) / 2) / narrowing)))

    def _shown_view_angle(self, saving_angle):
        """The window's view angle whose images at the figure's size have ``saving_angle``."""
        narrowing = self._narrowing(self.size)
        if narrowing == 1.0:
            return saving_angle
        return float(np.degrees(2 * np.arctan(np.tan(np.radians(saving_angle) / 2) * narrowing)))

    # ------------------------------------------------------------ Jupyter

    @_vtk.serialised
    def _repr_png_(self):
        """The figure as PNG bytes, for Jupyter (rendered again only when the scene changed).

        Examples
        --------
        >>> fig = Figure(size=(40, 30))
        >>> fig._repr_png_()[:8]
        b'\\x89PNG\\r\\n\\x1a\\n'
        >>> fig.close()
        """
        if self._closed:
            return None  # Jupyter then shows the text repr: "<Figure ..., closed>"
        if getattr(self, "_png_cache", None) is None:
            self._png_cache = (None, None)
            # Any layer, annotation or view change fires ``changed``: forget the image.
            self.observe(lambda event: setattr(self, "_png_cache", (None, None)), "changed")
        camera = self.renderer.GetActiveCamera()
        key = (self._camera_set, camera.GetPosition(), camera.GetFocalPoint(),
               camera.GetViewUp(), camera.GetViewAngle(), self._size)
        if self._png_cache[0] != key or self._png_cache[1] is None:
            png = _encode_png(self.screenshot())
            camera = self.renderer.GetActiveCamera()  # the render may have framed it
            key = (self._camera_set, camera.GetPosition(), camera.GetFocalPoint(),
                   camera.GetViewUp(), camera.GetViewAngle(), self._size)
            self._png_cache = (key, png)
        return self._png_cache[1]

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Jupyter's rich display: the still image and the text repr.

        Examples
        --------
        >>> fig = Figure(size=(40, 30))
        >>> sorted(fig._repr_mimebundle_())
        ['image/png', 'text/plain']
        >>> fig.close()
        """
        bundle = {"text/plain": repr(self)}
        png = self._repr_png_()
        if png is not None:
            bundle["image/png"] = png
        return bundle

    # ------------------------------------------------------------ hosting

    @_vtk.serialised
    def _host_in(self, window):
        """Draw this figure's renderer in another render window (the desktop app's).

        The off-screen window, if any, is released; :meth:`screenshot` and
        :meth:`savefig` keep working (at another size than the host's they
        render once off-screen). :meth:`_unhost` gives the renderer back.
        """
        self._check_open()
        if self._host is not None:
            raise BrainviewValueError("figure: already shown in a window; close that window first.")
        self._release_window()
        window.AddRenderer(self.renderer)
        self._host = window
        LIVE_WINDOWS.add(window)

    @_vtk.serialised
    def _unhost(self):
        """Take the renderer back from the hosting window (no-op when not hosted)."""
        if self._host is None:
            return
        # Textures and buffers belong to the host's OpenGL context: free them
        # there, so that the next window rebuilds them in its own context.
        self._host.MakeCurrent()
        self.renderer.ReleaseGraphicsResources(self._host)
        self._host.RemoveRenderer(self.renderer)
        LIVE_WINDOWS.discard(self._host)
        self._host = None

    def _orphan_foreign_window(self):
        """Leave a window drawn by another thread, with its scene, for that thread to finalise.

        Its context cannot be made current here, and any OpenGL clean-up run here (removing
        a prop, a renderer, destroying the window) would run in this thread's context and
        delete this thread's own shaders and buffers: its figures drew black. The window's
        thread finalises it when it next opens a window; a finished thread's is kept.
        """
        if self._window is None or self._window_thread is threading.current_thread():
            return
        LIVE_WINDOWS.discard(self._window)
        _ORPHANED_WINDOWS.append((self._window_thread, self._window, self.renderer))
        self._window = None
        self.renderer = _vtk.vtkRenderer()  # the scene stays with the window until then

    @_vtk.serialised
    def _release_window(self):
        if self._window is not None:
            self._window.MakeCurrent()
            self.renderer.ReleaseGraphicsResources(self._window)
            self._window.RemoveRenderer(self.renderer)
            LIVE_WINDOWS.discard(self._window)
            _keep_spare_window(self._window)
            self._window = None

    @_vtk.serialised
    def pick(self, x, y):
        """What is under pixel ``(x, y)`` (origin top left): see :func:`brainview.picking.pick`."""
        from .picking import pick

        return pick(self, x, y)

    @_vtk.serialised
    def savefig(self, path, *, size=None, scale=1, transparent=False):
        """Write the figure to an image file: PNG, JPEG, TIFF, or PDF/SVG/EPS.

        Parameters
        ----------
        path : str or Path
            The suffix chooses the format: ``.png``, ``.jpg``/``.jpeg``,
            ``.tif``/``.tiff`` (raster); ``.pdf``, ``.svg``, ``.eps``, ``.ps``
            (vector text and colour bars over a raster of the 3-D scene, by
            VTK's gl2ps exporter).
        size : (int, int), optional
            Width and height in pixels; default: the figure's size.
        scale : float
            Multiplies the pixels, keeping the framing (text, lines and
            colour bars grow with it): ``scale=3`` for print.
        transparent : bool
            Alpha 0 on the background (PNG and TIFF only).

        Examples
        --------
        >>> import tempfile, os
        >>> fig = Figure(size=(40, 30))
        >>> path = os.path.join(tempfile.mkdtemp(), "empty.png")
        >>> fig.savefig(path, scale=2, transparent=True)
        >>> fig.close()
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in _IMAGE_WRITERS and suffix not in _VECTOR_FORMATS:
            raise BrainviewValueError(
                f"path: cannot write {path.suffix!r} images; use a .png or .jpg file name "
                f"(or .tiff, .pdf, .svg, .eps) (got '{path}')."
            )
        if transparent and suffix not in (".png", ".tif", ".tiff"):
            raise BrainviewValueError(
                f"transparent: {path.suffix} images have no alpha channel; save a .png or "
                f".tiff file for a transparent background (got '{path}')."
            )
        if suffix in _VECTOR_FORMATS:
            self._export_vector(path, size=size, scale=scale)
            return
        pixels = self.screenshot(size=size, scale=scale, transparent=transparent)
        import vtkmodules.vtkIOImage

        writer = getattr(vtkmodules.vtkIOImage, _IMAGE_WRITERS[suffix])()
        writer.SetFileName(str(path))
        writer.SetInputData(_vtk_image(pixels))
        writer.Write()

    @_vtk.serialised
    def export_html(self, path):
        """Write the scene to one self-contained HTML file that rotates and zooms offline.

        Needs the optional extra ``brainview[html]`` (trame-vtk); see
        :mod:`brainview.export.html` for what each layer kind becomes.

        Parameters
        ----------
        path : str or pathlib.Path
            A ``.html`` file name.

        Returns
        -------
        pathlib.Path

        Examples
        --------
        >>> import os, tempfile
        >>> fig = Figure(size=(80, 60))
        >>> fig.export_html(os.path.join(tempfile.mkdtemp(), "scene.html")).name
        'scene.html'
        >>> fig.close()
        """
        from .export.html import export_html

        self._check_open()
        return export_html(self, path)

    def interactive(self, *, height=None):
        """An interactive view of the scene for a Jupyter notebook, with no server.

        The page :meth:`export_html` writes, in an ``<iframe srcdoc=...>``:
        make it a cell's last expression to rotate and zoom the scene there.

        Parameters
        ----------
        height : int, optional
            Height in pixels (default: the figure's height).

        Returns
        -------
        IPython.display.HTML

        Examples
        --------
        >>> fig = Figure(size=(80, 60))
        >>> "<iframe srcdoc=" in fig.interactive().data
        True
        >>> fig.close()
        """
        from .export.html import notebook_view

        self._check_open()
        return notebook_view(self, height=height)


    def _export_vector(self, path, *, size, scale):
        try:
            import vtkmodules.vtkRenderingGL2PSOpenGL2  # noqa: F401  (gl2ps-aware OpenGL classes)
            from vtkmodules.vtkIOExportGL2PS import vtkGL2PSExporter
        except ImportError:
            raise BrainviewValueError(
                f"path: this VTK build has no gl2ps exporter, so it cannot write "
                f"{path.suffix} files; save a .png or .tiff (with scale= for print) instead."
            ) from None
        # Lay the scene out at the requested size first: the exporter draws the window as is.
        self.screenshot(size=size, scale=scale)
        exporter = vtkGL2PSExporter()
        exporter.SetRenderWindow(self.window)
        getattr(exporter, _VECTOR_FORMATS[path.suffix.lower()])()
        exporter.SetFilePrefix(str(path.with_suffix("")))
        exporter.CompressOff()
        # Meshes of 10^5 triangles as vector polygons make files no viewer can open:
        # the 3-D scene is embedded as an image, text and colour bars stay vector.
        exporter.Write3DPropsAsRasterImageOn()
        exporter.Write()
        written = path.with_suffix(path.suffix.lower())  # gl2ps adds a lower-case suffix
        if written != path:
            written.replace(path)

    # ------------------------------------------------------------ lifetime

    @property
    def closed(self):
        return self._closed

    def _check_open(self):
        if self._closed:
            raise BrainviewValueError("figure: this figure is closed; create a new one with bv.figure().")

    @_vtk.serialised
    def close(self):
        """Release the render window and every VTK object of the scene."""
        if self._closed:
            return
        self._orphan_foreign_window()
        for drawer in self._drawers.values():
            drawer.dispose()
        self._drawers = {}
        self.layers = []
        self.renderer.RemoveAllViewProps()
        self._unhost()
        self._release_window()
        self._remove_annotations()
        for bar in list(self.colorbars):
            self._remove_colorbar(bar)
        self._closed = True

    def __repr__(self):
        state = "closed" if self._closed else f"{len(self.layers)} layers"
        return f"<Figure {self._size[0]}x{self._size[1]}, {state}>"
