"""A layout's panels in the HTML page (used by :mod:`brainview.export.html`).

A figure made with ``views=`` is exported as the PNG shows it: each 3-D
panel as a vtk.js renderer on the panel's viewport, with the panel's camera
and lights and the layers shown there (it turns on its own in the browser);
each cut panel as the image it draws (an ``<img>`` of its pixels, with its
L/R letters); the panels' titles, the figure's title, texts and the one
shared colour bar as overlays.

Examples
--------
>>> import numpy as np
>>> cut_overlay(np.zeros((2, 3, 3), np.uint8), (10, 0, 3, 2), (20, 10)).startswith('<div class="bv-cut"')
True
"""

from __future__ import annotations

import base64
import io

import numpy as np

from vtkmodules.vtkRenderingCore import vtkLight

from .. import _vtk
from ._html_overlays import text_overlay

__all__ = ["add_layout", "cut_overlay"]


def add_layout(scene, figure, layer_props):
    """Add the panels of ``figure``'s layout to an export ``scene`` (renderers, images, overlays).

    ``layer_props``: the layers' props by address (those a panel shows are copied into its renderer).
    """
    figure.screenshot()  # every panel placed and drawn at the figure's size
    width, height = figure.size
    # The background under the panels and the colour bar (the viewer's own renderer is white);
    # its light makes the serialiser keep a renderer without props.
    backdrop = _vtk.vtkRenderer()
    backdrop.SetBackground(*figure.bgcolor)
    backdrop.AddLight(vtkLight())
    scene.window.AddRenderer(backdrop)
    for panel, (x0, y0, w, h) in figure.panel_views():
        if panel.entry is None:
            continue
        box = (x0 / width, (height - y0 - h) / height, w / width, h / height, w, h)
        if panel.is_cut:
            scene.overlays.append(cut_overlay(panel.cuts.canvas, (x0, y0, w, h), (width, height)))
            for letter in panel.cuts.letters:
                scene.overlays.append(text_overlay(letter, box))
        else:
            renderer = scene.new_renderer(panel.renderer, h)
            props = panel.renderer.GetViewProps()
            for index in range(props.GetNumberOfItems()):
                prop = props.GetItemAsObject(index)
                layer = layer_props.get(prop.GetAddressAsString("vtkObject"))
                if layer is not None and layer.visible and prop.GetVisibility():
                    scene.add(prop, layer.name, renderer, box)
        if panel.title is not None and panel.title.GetInput():
            scene.overlays.append(text_overlay(panel.title, box))


def cut_overlay(canvas, rect, size):
    """An ``<img>`` of a cut panel's pixels ``canvas`` (rows top down) at pixel box ``rect`` of a page of ``size``."""
    from PIL import Image

    x0, y0, w, h = rect
    width, height = size
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(canvas)).save(buffer, format="png", compress_level=1)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'<div class="bv-cut" style="left: {100 * x0 / width:.4f}%; top: {100 * y0 / height:.4f}%; '
            f'width: {100 * w / width:.4f}%; height: {100 * h / height:.4f}%;">'
            f'<img alt="cut panel" src="data:image/png;base64,{data}"></div>')
