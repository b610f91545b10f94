"""Vector files for print: PDF, SVG and EPS pages with the 3-D scene embedded at the asked dpi.

The page has the figure's size (its pixels at :data:`~brainview.render.writers.FIGURE_DPI`,
so an 800x600 figure is an 8x6 inch page, 576x432 pt). The 3-D scene is one
raster image at ``dpi``; titles, texts, colour bars (their ramp as vector
rectangles, ticks and labels as text) and legends are vector objects drawn by
matplotlib where VTK draws them, with font sizes in points scaled like the
picture (a 24 px title of an 800 px figure is 17.3 pt on an 8 inch page).
Connectome node labels stay in the raster.

Why matplotlib and not VTK's gl2ps exporter: gl2ps embeds the scene at 72 dpi
at page size and draws the colour-bar ramp inside that raster; matplotlib's
PDF/SVG/PS backends keep every 2-D part vector and embed the raster at its own
resolution.

Examples
--------
>>> import tempfile, os
>>> from brainview.scene import Figure
>>> from brainview.layers import Points
>>> fig = Figure(size=(200, 150))
>>> _ = fig.add(Points([[0, 0, 0]], size=10))
>>> _ = fig.title("A title")
>>> path = os.path.join(tempfile.mkdtemp(), "page.svg")
>>> export_page(fig, path, dpi=150)
>>> "A title" in open(path).read()
True
>>> fig.close()
"""

from __future__ import annotations

import contextlib
import json
import warnings

import numpy as np

from .annotations import bar_tick_labels
from .writers import FIGURE_DPI

__all__ = ["OVERLAY_CLASSES", "export_page"]

#: 2-D props drawn as vector objects (hidden while the raster of the scene is rendered).
OVERLAY_CLASSES = ("vtkTextActor", "vtkScalarBarActor", "vtkLegendBoxActor")

#: Points per pixel of the figure at its own size.
_PT_PER_PX = 72.0 / FIGURE_DPI


def export_page(figure, path, *, dpi, size=None, transparent=False, texts=None):
    """Write ``figure`` as a PDF, SVG or EPS page (by ``path``'s suffix); see the module docstring.

    ``texts`` ``{key: text}`` is kept as one JSON object in the PDF's
    ``/BrainviewScene`` entry or the SVG's ``dc:description`` (EPS: not kept).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)  # no GUI backend for a file
    from pathlib import Path

    from matplotlib.figure import Figure as PageFigure

    path = Path(path)
    width, height = figure.size if size is None else size
    scale = dpi / FIGURE_DPI
    overlays = _overlays(figure.renderer)
    # One render: the colour bars are placed for the raster (its panels leave them room) and hidden.
    with _hidden(figure.renderer, overlays):
        raster = figure.screenshot(size=(width, height), scale=scale, transparent=transparent)
    page = PageFigure(figsize=(width / FIGURE_DPI, height / FIGURE_DPI), dpi=FIGURE_DPI)
    axes = page.add_axes((0, 0, 1, 1))
    axes.set_axis_off()
    axes.imshow(raster, extent=(0, 1, 0, 1), interpolation="none", aspect="auto")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    for prop in overlays:
        if prop.IsA("vtkTextActor"):
            _text(axes, prop)
        elif prop.IsA("vtkScalarBarActor"):
            _colorbar(page, prop, (width, height))
        else:
            _legend(axes, prop, height)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Unknown infodict keyword", UserWarning)  # our own PDF key
        page.savefig(str(path), format=path.suffix.lower().lstrip("."), dpi=dpi,
                     transparent=bool(transparent), metadata=_metadata(path, texts))


def _metadata(path, texts):
    metadata = {"Creator": "brainview"}
    if texts:
        text = json.dumps(texts, separators=(",", ":"))
        if path.suffix.lower() == ".pdf":
            metadata["BrainviewScene"] = text
        elif path.suffix.lower() == ".svg":
            metadata["Description"] = text
    return metadata


def _overlays(renderer):
    props = renderer.GetViewProps()
    props.InitTraversal()
    found = []
    for _ in range(props.GetNumberOfItems()):
        prop = props.GetNextProp()
        if prop.GetVisibility() and any(prop.IsA(name) for name in OVERLAY_CLASSES):
            if not prop.IsA("vtkTextActor") or prop.GetInput():
                found.append(prop)
    return found


@contextlib.contextmanager
def _hidden(renderer, props):
    """Hide ``props`` while ``renderer`` draws, once the figure has placed them.

    The figure places its colour bars when a render starts (and a layout's
    panels leave them room): hidden after that (a later observer of the
    same event), shown again when the render ends, they keep the places the
    picture gives them, and the page draws them there.
    """
    def show(caller=None, event=None, visible=True):
        for prop in props:
            prop.SetVisibility(visible)

    tags = [renderer.AddObserver("StartEvent", lambda caller, event: show(visible=False), -1.0),
            renderer.AddObserver("EndEvent", show, -1.0)]
    try:
        yield
    finally:
        for tag in tags:
            renderer.RemoveObserver(tag)
        show()


def _position(prop):
    x, y = prop.GetPositionCoordinate().GetValue()[:2]
    return float(x), float(y)


def _text(axes, actor):
    text = actor.GetTextProperty()
    x, y = _position(actor)
    axes.text(x, y, actor.GetInput(), transform=axes.transAxes, fontsize=text.GetFontSize() * _PT_PER_PX,
              color=text.GetColor(), alpha=text.GetOpacity(),
              ha=("left", "center", "right")[text.GetJustification()],
              va=("bottom", "center", "top")[text.GetVerticalJustification()],
              fontweight="bold" if text.GetBold() else "normal", fontstyle="italic" if text.GetItalic() else "normal")


def _colorbar(page, bar, size):
    """The ramp as one vector rectangle per colour, the ticks and the title as text."""
    from matplotlib.collections import PolyCollection

    table = bar.GetLookupTable()
    low, high = table.GetRange()
    x, y = _position(bar)
    width, height = bar.GetWidth(), bar.GetHeight()
    strip = width * bar.GetBarRatio()
    axes = page.add_axes((x, y, strip, height))
    axes.set_axis_off()
    rgba = _ramp(table, low, high)
    # One rectangle per run of equal colours: no hairline seams between equal neighbours.
    starts = np.flatnonzero(np.r_[True, np.any(rgba[1:] != rgba[:-1], axis=1)])
    ends = np.r_[starts[1:], len(rgba)]
    bottoms, tops = starts / len(rgba), ends / len(rgba)
    boxes = [[(0, low), (1, low), (1, high), (0, high)] for low, high in zip(bottoms, tops)]
    axes.add_collection(PolyCollection(boxes, facecolors=rgba[starts], edgecolors="none", linewidths=0))
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    label = bar.GetLabelTextProperty()
    font = label.GetFontSize() * _PT_PER_PX
    pad = bar.GetTextPad() / (strip * size[0])
    for tick, text in bar_tick_labels(bar):  # the texts VTK draws, a callable format's included
        axes.text(1 + pad, (tick - low) / (high - low), text, fontsize=font,
                  color=label.GetColor(), ha="left", va="center", transform=axes.transAxes, clip_on=False)
    title = bar.GetTitleTextProperty()
    if bar.GetTitle():
        centre = (width / 2) / strip
        axes.text(centre, 1 + 0.4 * font / (72 * height * size[1] / FIGURE_DPI), bar.GetTitle(),
                  fontsize=title.GetFontSize() * _PT_PER_PX, color=title.GetColor(), ha="center", va="bottom",
                  transform=axes.transAxes, clip_on=False)


def _ramp(table, low, high):
    """``(n, 4)`` RGBA of a colour bar's table, bottom to top."""
    if table.IsA("vtkLookupTable"):
        return np.array([table.GetTableValue(i) for i in range(table.GetNumberOfTableValues())])
    values = low + (high - low) * (np.arange(256) + 0.5) / 256
    return np.array([(*table.GetColor(v), table.GetOpacity(v)) for v in values])


def _legend(axes, legend, view_height):
    """Entries top down in the legend's box: a dot and the name in the entry's colour."""
    n_entries = max(legend.GetNumberOfEntries(), 1)
    x, y = _position(legend)
    box_height = legend.GetPosition2Coordinate().GetValue()[1]
    row = box_height / n_entries
    default = legend.GetEntryTextProperty().GetColor()
    font = 0.8 * row * view_height * _PT_PER_PX
    for index in range(legend.GetNumberOfEntries()):
        rgb = legend.GetEntryColor(index)
        color = default if min(rgb) < 0 else rgb
        centre = y + box_height - (index + 0.5) * row
        axes.plot([x + 0.01], [centre], "o", color=color, markersize=0.5 * font, transform=axes.transAxes)
        axes.text(x + 0.025, centre, legend.GetEntryString(index) or "", color=color, fontsize=font,
                  va="center", ha="left", transform=axes.transAxes)
