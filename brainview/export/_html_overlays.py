"""The 2-D parts of a figure as HTML over the vtk.js view (used by :mod:`brainview.export.html`).

Texts, colour bars and legends become positioned ``<div>`` elements where
VTK draws them; the labels of a ``vtkLabeledDataMapper`` (connectome node
labels), which vtk.js cannot draw, become ``<div>`` elements placed at their
points' screen positions, which the page's script moves with the camera.

Examples
--------
>>> css_color((1.0, 0.5, 0.0))
'rgba(255, 128, 0, 1)'
"""

from __future__ import annotations

import html

import numpy as np

from .. import _vtk
from ..render.annotations import bar_tick_labels

__all__ = ["colorbar_overlay", "css_color", "label_overlay", "legend_overlay", "text_overlay"]

#: CSS shifts of a box placed by its bottom-left corner, per VTK justification.
_SHIFT_X = {0: "0%", 1: "-50%", 2: "-100%"}
_SHIFT_Y = {0: "0%", 1: "50%", 2: "100%"}


def css_color(rgb, alpha=1.0):
    r, g, b = (int(round(255 * float(c))) for c in rgb[:3])
    return f"rgba({r}, {g}, {b}, {alpha:.3g})"


def _normalized_position(actor, box=None):
    """The actor's position as fractions of the page, from the bottom left.

    ``box``: ``(left, bottom, width, height)`` of the actor's viewport (a
    layout's panel) as fractions of the page, with its size in pixels
    ``(left, bottom, width, height, width_px, height_px)``; positions in
    viewport pixels (a panel's title) are divided by the latter.
    """
    coordinate = actor.GetPositionCoordinate()
    x, y = (float(v) for v in coordinate.GetValue()[:2])
    if box is None:
        return x, y
    left, bottom, width, height, width_px, height_px = box
    if coordinate.GetCoordinateSystemAsString() == "Viewport":
        x, y = x / max(width_px, 1), y / max(height_px, 1)
    return left + x * width, bottom + y * height


def text_overlay(actor, box=None):
    """A ``<div>`` showing a text actor's text where VTK draws it (``box``: its panel, see above)."""
    text = actor.GetTextProperty()
    x, y = _normalized_position(actor, box)
    shift_x = _SHIFT_X[text.GetJustification()]
    shift_y = _SHIFT_Y[text.GetVerticalJustification()]
    style = (f"left: {100 * x:.2f}%; bottom: {100 * y:.2f}%; "
             f"transform: translate({shift_x}, {shift_y}); font-size: {text.GetFontSize()}px; "
             f"color: {css_color(text.GetColor(), text.GetOpacity())}; white-space: pre;"
             + (" font-weight: bold;" if text.GetBold() else "") + (" font-style: italic;" if text.GetItalic() else ""))
    return f'<div class="bv-text" style="{style}">{html.escape(actor.GetInput())}</div>'


def colorbar_overlay(bar):
    """A colour bar: a CSS gradient of the lookup table's colours, with tick labels."""
    table = bar.GetLookupTable()
    low, high = table.GetRange()
    n_colors = table.GetNumberOfTableValues()
    stops = []
    for index in range(n_colors):
        rgba = table.GetTableValue(index)
        color = css_color(rgba, rgba[3])
        stops.append(f"{color} {100 * index / n_colors:.3f}% {100 * (index + 1) / n_colors:.3f}%")
    label_color = css_color(bar.GetLabelTextProperty().GetColor())
    tick_divs = []
    for tick, text in bar_tick_labels(bar):  # the texts VTK draws, a callable format's included
        position = 100 * (tick - low) / (high - low)
        tick_divs.append(f'<div class="bv-tick" style="bottom: {position:.2f}%;">{html.escape(text)}</div>')
    x, y = _normalized_position(bar)
    width, height = bar.GetWidth(), bar.GetHeight()
    font = bar.GetLabelTextProperty().GetFontSize()
    return (
        f'<div class="bv-colorbar" style="left: {100 * x:.2f}%; bottom: {100 * y:.2f}%; '
        f'width: {100 * width:.2f}%; height: {100 * height:.2f}%; color: {label_color}; '
        f'font-size: {font}px;">'
        f'<div class="bv-colorbar-title">{html.escape(bar.GetTitle() or "")}</div>'
        f'<div class="bv-colorbar-scale"><div class="bv-colorbar-ramp" '
        f'style="background: linear-gradient(to top, {", ".join(stops)});"></div>'
        f'{"".join(tick_divs)}</div></div>'
    )


def _symbol_color(symbol):
    """The CSS colour of a legend symbol coloured by its cell scalars (a surface's regions), else None."""
    scalars = symbol.GetCellData().GetScalars() if symbol is not None else None
    if scalars is None or scalars.GetNumberOfTuples() == 0 or scalars.GetNumberOfComponents() < 3:
        return None
    return css_color([scalars.GetComponent(0, c) / 255 for c in range(3)])


def legend_overlay(legend, view_height, box=None, *, view_width=None):
    """A legend box, top left as VTK draws it: per entry a dot and a name in the entry's colour.

    VTK fits the entries to the box, ``view_height`` pixels being the whole
    view: one row per entry, the text in the entry's colour (the text
    property's colour for an entry without one). ``box``: its panel (see
    :func:`_normalized_position`; ``view_height`` is then the panel's). With
    ``view_width``, the text is as small as VTK makes it to fit a narrow box.
    """
    n_entries = max(legend.GetNumberOfEntries(), 1)
    x, y = _normalized_position(legend, box)
    width, height = legend.GetPosition2Coordinate().GetValue()[:2]
    row = height * view_height / n_entries
    font = 0.8 * row
    longest = max((len(legend.GetEntryString(i) or "") for i in range(legend.GetNumberOfEntries())), default=0)
    if view_width is not None and longest:  # the symbol takes half a row, a letter about 0.55 em
        font = min(font, max(width * view_width - row / 2 - 4, 1) / (0.55 * longest))
    height *= 1.0 if box is None else box[3]  # of the page
    default = legend.GetEntryTextProperty().GetColor()
    rows = []
    for index in range(legend.GetNumberOfEntries()):
        rgb = legend.GetEntryColor(index)
        color = css_color(default if min(rgb) < 0 else rgb)
        dot = _symbol_color(legend.GetEntrySymbol(index)) or color
        name = html.escape(legend.GetEntryString(index) or "")
        rows.append(f'<div style="color: {color};"><span class="bv-dot" style="background: {dot};"></span>'
                    f'{name}</div>')
    return (f'<div class="bv-legend" style="left: {100 * x:.2f}%; bottom: {100 * (y + height):.2f}%; '
            f'transform: translateY(100%); font-size: {font:.1f}px; line-height: {row:.1f}px;">'
            f'{"".join(rows)}</div>')


def label_overlay(actor, renderer, *, size=None, view=""):
    """The labels a ``vtkLabeledDataMapper`` draws: one ``<div>`` per point, at its screen position.

    Each label carries its point's world position (``data-world``), from
    which the page's script places it again whenever the camera moves; its
    first position is VTK's own projection in ``renderer``. ``size``: the
    window's pixels (default: the renderer's, a view filling its window);
    ``view``: the page's name for the renderer (``data-view``) whose camera moves them.
    """
    mapper = actor.GetMapper()
    data = mapper.GetInput()
    names = data.GetPointData().GetAbstractArray(mapper.GetFieldDataName()) if data is not None else None
    if names is None or data.GetNumberOfPoints() == 0:
        return ""
    text = mapper.GetLabelTextProperty()
    coordinate = _vtk.vtkCoordinate()
    coordinate.SetCoordinateSystemToWorld()
    width, height = renderer.GetSize() if size is None else size
    style = (f"font-size: {text.GetFontSize()}px; color: {css_color(text.GetColor(), text.GetOpacity())};"
             + (" font-weight: bold;" if text.GetBold() else "")
             + (" font-style: italic;" if text.GetItalic() else ""))
    shift = (f"transform: translate({_SHIFT_X[text.GetJustification()]}, "
             f"{_SHIFT_Y[text.GetVerticalJustification()]});")
    labels = []
    tag = f' data-view="{view}"' if view else ""
    for index in range(data.GetNumberOfPoints()):
        point = data.GetPoint(index)
        coordinate.SetValue(*point)
        x, y = coordinate.GetComputedDoubleDisplayValue(renderer)
        world = ",".join(f"{v:.6g}" for v in point)
        name = html.escape(str(names.GetValue(index)))
        labels.append(f'<div class="bv-label"{tag} data-world="{world}" style="left: {100 * x / max(width, 1):.3f}%; '
                      f'bottom: {100 * y / max(height, 1):.3f}%; {shift}">{name}</div>')
    return f'<div class="bv-labels" style="{style}">{"".join(labels)}</div>'
