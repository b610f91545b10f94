"""One self-contained HTML file of a figure: it rotates and zooms in any browser, offline.

The scene is serialised for vtk.js by trame-vtk's serialisers (the same ones
a trame application streams to its browser views) and embedded, zipped and
base64-encoded, in trame-vtk's standalone viewer page, which carries the
whole vtk.js bundle inline: the file needs no server and no network. This is
pyvista's ``export_html`` approach without a pyvista Plotter. trame-vtk is
the optional extra ``brainview[html]``.

What vtk.js cannot draw from a VTK prop directly is converted first, so that
every layer kind shows:

- meshes (contours, surfaces, atlases, edges) go as copies whose colours
  and lighting vtk.js draws as VTK does (:mod:`brainview.export._html_props`);
- volume renderings go as volumes (the page shows them once their voxels
  are loaded: vtk.js fails on a volume drawn before);
- image slices (``vtkImageActor``) become planes textured with their colours;
- glyphs (points, connectome nodes and arrows) are baked into one mesh;
- the title, texts, colour bars, legends and 3-D labels (connectome node
  names) become HTML overlays; the labels follow the camera.

Anything else is left out and named in one warning. Once drawn, the page
sets ``data-bv-drawn`` on its ``<html>`` element.

Examples
--------
>>> import os, tempfile
>>> from brainview.scene import Figure
>>> from brainview.layers import Points
>>> from brainview.export.html import export_html
>>> fig = Figure(size=(200, 150))
>>> _ = fig.add(Points([[0, 0, 0], [10, 0, 0]], size=5))
>>> path = export_html(fig, os.path.join(tempfile.mkdtemp(), "points.html"))
>>> path.read_text().count("OfflineLocalView") > 0
True
>>> fig.close()
"""

from __future__ import annotations

import base64
import html
import io
import json
import warnings
import zipfile
from pathlib import Path

import numpy as np

from .. import _vtk
from ..errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning, describe
from ._html_layout import add_layout
from ._html_overlays import colorbar_overlay, css_color, label_overlay, legend_overlay, text_overlay
from ._html_props import baked_glyphs, exported_actor, exported_volume, textured_plane

__all__ = ["export_html", "figure_html", "notebook_view"]

#: The vtk.js bundle adds favicons from kitware.github.io: the one network
#: request the standalone viewer makes. It is pointed at an empty data URL.
_FAVICON_URL = "https://kitware.github.io/vtk-js/icon/favicon-${t}x${t}.png"


def _trame_vtk():
    """trame-vtk's serialiser functions and viewer template, or a clear error."""
    try:
        from trame_vtk.modules.vtk import serializers
        from trame_vtk.tools.vtksz2html import HTML_VIEWER_PATH
    except ImportError as error:
        raise ImportError(
            "export_html needs the optional trame-vtk package (vtk.js serialisers and "
            "viewer): pip install 'brainview[html]'."
        ) from error
    return serializers, HTML_VIEWER_PATH


# ------------------------------------------------------------------ public


def figure_html(figure):
    """The figure as the text of one self-contained, interactive HTML page.

    Parameters
    ----------
    figure : brainview.scene.Figure

    Returns
    -------
    str

    Examples
    --------
    >>> from brainview.scene import Figure
    >>> from brainview.layers import Points
    >>> fig = Figure(size=(100, 80))
    >>> _ = fig.add(Points([[0, 0, 0]]))
    >>> figure_html(fig).startswith("<!doctype html>")
    True
    >>> fig.close()
    """
    # Checked by what is used, not by class: importing brainview.scene here would close an
    # import cycle (the figure's Jupyter view imports this module).
    if not all(hasattr(figure, name) for name in ("renderer", "layers", "drawer", "annotations")):
        raise BrainviewTypeError(f"figure: expected a brainview Figure, got {describe(figure)}.")
    serializers, viewer_path = _trame_vtk()
    scene = _ExportScene(figure)
    archive = _scene_archive(serializers, scene.window, scene.renderers)
    if scene.left_out:
        warnings.warn(
            "export_html: left out of the HTML (vtk.js cannot draw them): "
            + "; ".join(scene.left_out) + ".", BrainviewWarning, stacklevel=3)
    return _page(viewer_path.read_text(encoding="utf-8"), archive, scene, figure)


def export_html(figure, path):
    """Write the figure to one interactive HTML file that needs no network.

    Parameters
    ----------
    figure : brainview.scene.Figure
    path : str or pathlib.Path
        File to write; its name must end in ``.html`` or ``.htm``.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import os, tempfile
    >>> from brainview.scene import Figure
    >>> fig = Figure(size=(100, 80))
    >>> export_html(fig, os.path.join(tempfile.mkdtemp(), "empty.html")).suffix
    '.html'
    >>> fig.close()
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise BrainviewValueError(
            f"path: an HTML export needs a .html file name, got '{path}'.")
    text = figure_html(figure)
    path.write_text(text, encoding="utf-8")
    return path


def notebook_view(figure, *, height=None):
    """The figure as an interactive view in a Jupyter notebook, with no server.

    The page :func:`export_html` writes, embedded in an ``<iframe srcdoc=...>``.

    Parameters
    ----------
    figure : brainview.scene.Figure
    height : int, optional
        Height of the view in pixels (default: the figure's height).

    Returns
    -------
    IPython.display.HTML

    Examples
    --------
    >>> from brainview.scene import Figure
    >>> fig = Figure(size=(100, 80))
    >>> "<iframe" in notebook_view(fig).data
    True
    >>> fig.close()
    """
    from IPython.display import HTML

    width, default_height = figure.size
    if height is None:
        height = default_height
    if isinstance(height, bool) or not isinstance(height, (int, np.integer)) or not 1 <= height <= 16384:
        raise BrainviewValueError(f"height: expected a number of pixels 1..16384, got {describe(height)}.")
    page = html.escape(figure_html(figure), quote=True)
    # In a <div>: IPython warns about HTML that starts with "<iframe".
    return HTML(f'<div class="brainview-view"><iframe srcdoc="{page}" style="width: 100%; '
                f'max-width: {width}px; height: {int(height)}px; border: none;"></iframe></div>')


# ------------------------------------------------------------------ scene


class _ExportScene:
    """Renderers holding vtk.js-drawable copies of a figure's props, and its overlays.

    One renderer for a single view; a layout (``views=``) gets one per 3-D
    panel, on the panel's viewport with its camera and lights, and its cut
    panels as images (:mod:`brainview.export._html_layout`).
    """

    def __init__(self, figure):
        # Never rendered: it only gives the serialiser the window the viewer expects.
        self.window = _vtk.vtkRenderWindow()
        self.window.SetSize(*figure.size)
        self.overlays = []
        self.left_out = []
        self.renderers = []
        self._sources = {}  # export renderer -> (the figure's renderer it copies, its height in pixels)
        self.size = tuple(figure.size)
        layer_props = {_address(prop): layer for layer in figure.layers for prop in figure.drawer(layer).props()}
        if figure.views is not None:
            add_layout(self, figure, layer_props)
        else:
            figure._apply_camera()
            renderer = self.new_renderer(figure.renderer, figure.size[1])
            for layer in figure.layers:
                for prop in figure.drawer(layer).props():
                    if layer.visible and prop.GetVisibility():
                        self.add(prop, layer.name, renderer)
        props = figure.renderer.GetViewProps()  # the title, texts and colour bars (a layout's overlay)
        for index in range(props.GetNumberOfItems()):
            prop = props.GetItemAsObject(index)
            if _address(prop) not in layer_props and prop.GetVisibility():
                self.add(prop, None, self.renderers[0] if figure.views is None else None)
        shown = [r for r in self.renderers if r.GetViewProps().GetNumberOfItems()]
        for renderer in self.renderers:
            renderer.ResetCameraClippingRange()
            view = str(shown.index(renderer)) if renderer in shown else "0"
            self.overlays = [overlay.replace(_view_token(renderer), view) for overlay in self.overlays]
        self.renderer = self.renderers[0] if self.renderers else None
        self.n_props = sum(r.GetViewProps().GetNumberOfItems() for r in self.renderers)

    def new_renderer(self, source, height):
        """An export renderer like ``source`` (background, lighting, camera, lights, viewport)."""
        renderer = _vtk.vtkRenderer()
        renderer.SetBackground(*source.GetBackground())
        renderer.SetTwoSidedLighting(source.GetTwoSidedLighting())
        renderer.SetViewport(*source.GetViewport())
        renderer.GetActiveCamera().DeepCopy(source.GetActiveCamera())
        lights = source.GetLights()
        for index in range(lights.GetNumberOfItems()):
            renderer.AddLight(_exported_light(lights.GetItemAsObject(index)))
        self.window.AddRenderer(renderer)
        self.renderers.append(renderer)
        self._sources[_address(renderer)] = (source, height)
        return renderer

    def add(self, prop, layer_name, renderer, box=None):
        """Add ``prop`` to ``renderer`` as vtk.js can draw it, or as an overlay (``box``: its panel)."""
        kind = prop.GetClassName()
        mapper = prop.GetMapper() if hasattr(prop, "GetMapper") else None
        source, height = self._sources[_address(renderer)] if renderer is not None else (None, self.size[1])
        pixel_size = None if source is None else _pixel_size(source.GetActiveCamera(), height)
        if prop.IsA("vtkTextActor"):
            if prop.GetInput():
                self.overlays.append(text_overlay(prop, box))
        elif prop.IsA("vtkScalarBarActor"):
            self.overlays.append(colorbar_overlay(prop))
        elif prop.IsA("vtkLegendBoxActor"):
            self.overlays.append(legend_overlay(prop, height, box, view_width=self.size[0] if box is None else box[4]))
        elif prop.IsA("vtkActor2D") and mapper is not None and mapper.IsA("vtkLabeledDataMapper") and source:
            view = _view_token(renderer) if len(self._sources) > 1 or self.renderers[0] is not renderer else ""
            self.overlays.append(label_overlay(prop, source, size=self.size, view=view))
        elif renderer is None or not prop.IsA("vtkProp3D"):
            owner = f"layer '{layer_name}'" if layer_name else "the figure"
            self.left_out.append(f"{owner}: a {kind}")
        elif prop.IsA("vtkVolume"):
            renderer.AddVolume(exported_volume(prop))
        elif prop.IsA("vtkImageActor"):
            renderer.AddActor(textured_plane(prop))
        elif prop.IsA("vtkActor") and mapper is not None and mapper.IsA("vtkGlyph3DMapper"):
            renderer.AddActor(exported_actor(baked_glyphs(prop), pixel_size=pixel_size))
        elif prop.IsA("vtkActor") and mapper is not None and mapper.IsA("vtkPolyDataMapper"):
            renderer.AddActor(exported_actor(prop, pixel_size=pixel_size))
        elif prop.IsA("vtkActor"):
            renderer.AddActor(prop)
        else:
            owner = f"layer '{layer_name}'" if layer_name else "the figure"
            self.left_out.append(f"{owner}: a {kind}")


def _view_token(renderer):
    """A placeholder for the page's index of an export renderer (known once every renderer is filled)."""
    return f"@bv-view-{_address(renderer)}@"


def _pixel_size(camera, height):
    """World mm per screen pixel at the camera's focal point."""
    if camera.GetParallelProjection():
        return 2 * camera.GetParallelScale() / height
    return 2 * camera.GetDistance() * np.tan(np.radians(camera.GetViewAngle()) / 2) / height


def _exported_light(light):
    """A copy of a light; a headlight becomes the camera light it is.

    vtk.js takes a headlight's world direction for a direction in camera
    space (a figure lit by several lights then shows its headlight from the
    side, the faces towards the viewer too dark); a camera light at
    ``(0, 0, 1)`` looking at ``(0, 0, 0)`` is the same light in VTK and vtk.js.
    """
    copy = light.NewInstance()
    copy.DeepCopy(light)
    if light.LightTypeIsHeadlight():
        copy.SetLightTypeToCameraLight()
        copy.SetPosition(0.0, 0.0, 1.0)
        copy.SetFocalPoint(0.0, 0.0, 0.0)
    return copy


def _address(prop):
    return prop.GetAddressAsString("vtkObject")


def _scene_archive(serializers, window, renderers):
    """The zip (index.json: scene + arrays) that trame-vtk's standalone viewer loads."""
    from trame_vtk.modules.vtk.serializers.initialize import vtk_config

    serializers.initialize_serializers()
    # Lookup tables as colour transfer functions: vtk.js then draws the table's
    # own colours (the plain serialiser keeps only its hue range).
    encoded = vtk_config.convert_lut
    vtk_config.convert_lut = True
    try:
        return _serialize(serializers, window, renderers)
    finally:
        vtk_config.convert_lut = encoded


def _serialize(serializers, window, renderers):
    from trame_vtk.modules.vtk.serializers.utils import reference_id

    context = serializers.SynchronizationContext()
    context.set_ignore_last_dependencies(True)
    scene = serializers.serialize(None, window, reference_id(window), context, 1)
    cameras = {reference_id(r.GetActiveCamera()): r.GetActiveCamera() for r in renderers}
    unit_distances = {}
    for renderer in renderers:
        volumes = renderer.GetVolumes()
        for volume in (volumes.GetItemAsObject(i) for i in range(volumes.GetNumberOfItems())):
            unit_distances[reference_id(volume.GetProperty())] = volume.GetProperty().GetScalarOpacityUnitDistance()
    _adjust_scene(scene, cameras, unit_distances)
    camera = renderers[0].GetActiveCamera() if renderers else _vtk.vtkRenderer().GetActiveCamera()
    scene["extra"] = {"vtkRefId": reference_id(window),
                      "centerOfRotation": camera.GetFocalPoint(),
                      "camera": reference_id(camera)}
    hashes = {}
    for entry in serializers.extract_array_hash(scene):
        key = entry["hash"]
        hashes[key] = dict(**entry, content=context.get_cached_data_array(key, False))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.json", json.dumps({"hashes": hashes, "scene": scene}),
                         compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _adjust_scene(node, cameras, unit_distances):
    """Complete what trame-vtk's serialisers leave out, in place.

    Volumes start hidden (the page shows them once their voxels are loaded:
    vtk.js fails on a volume drawn before); an image's direction matrix goes
    column by column as vtk.js reads it (trame-vtk sends it row by row: an
    image with flipped or swapped axes lands elsewhere); volume properties
    get their opacity unit distance (``unit_distances``, by id); cameras
    (``cameras``, by id) get their projection.
    """
    properties = node.get("properties", {})
    if node.get("type") == "vtkVolume":
        properties["visibility"] = 0
    elif node.get("id") in unit_distances and node.get("type") == "vtkVolumeProperty":
        node.setdefault("calls", []).append(["setScalarOpacityUnitDistance", [0, unit_distances[node["id"]]]])
    elif node.get("type") in ("vtkImageData", "vtkStructuredPoints") and "direction" in properties:
        properties["direction"] = list(np.reshape(properties["direction"], (3, 3)).T.ravel())
    elif node.get("type") in ("vtkCamera", "vtkOpenGLCamera") and node.get("id") in cameras:
        camera = cameras[node["id"]]
        properties.update(viewAngle=camera.GetViewAngle(), parallelScale=camera.GetParallelScale(),
                          parallelProjection=bool(camera.GetParallelProjection()))
    for child in node.get("dependencies", []):
        _adjust_scene(child, cameras, unit_distances)


# ------------------------------------------------------------------ page


_STYLE = """
html, body { margin: 0; padding: 0; height: 100%; overflow: hidden; }
.content { position: absolute; top: 0; left: 0; width: 100%; height: 100%; }
#bv-overlay { position: absolute; top: 0; left: 0; width: 100%; height: 100%;
  pointer-events: none; z-index: 10; font-family: sans-serif; }
#bv-overlay > div { position: absolute; }
.bv-colorbar { display: flex; flex-direction: column; align-items: flex-start; }
.bv-colorbar-title { width: 35%; text-align: center; margin-bottom: 4px; }
.bv-colorbar-scale { position: relative; flex: 1; width: 35%; }
.bv-colorbar-ramp { position: absolute; top: 0; bottom: 0; left: 0; right: 0; }
.bv-tick { position: absolute; left: 110%; transform: translateY(50%); white-space: nowrap; }
.bv-legend { white-space: nowrap; }
.bv-cut { z-index: -1; }
.bv-cut img { display: block; width: 100%; height: 100%; image-rendering: pixelated; }
.bv-dot { display: inline-block; width: 0.5em; height: 0.5em; border-radius: 50%; margin-right: 0.4em; }
.bv-labels { top: 0; left: 0; width: 100%; height: 100%; }
.bv-label { position: absolute; white-space: pre; line-height: 1; }
"""

#: Shows the volumes once their voxels are loaded, draws, sets ``data-bv-drawn``
#: on ``<html>``, then keeps the 3-D labels at their points' screen positions.
_SCRIPT = """
function bvRenderers() {
  const view = window.global && window.global.renderWindow;
  return view ? view.getRenderers().filter((r) => r.getViewProps().length > 0) : [];
}
function bvLoaded(renderers, expected) {
  const count = renderers.reduce((n, r) => n + r.getViewProps().length, 0);
  return count >= expected && renderers.every((r) => r.getVolumes().every((v) => {
    const data = v.getMapper() && v.getMapper().getInputData();
    return data && data.getPointData().getScalars();
  }));
}
function bvFollowLabels(renderers) {
  const labels = Array.from(document.querySelectorAll('.bv-label'));
  const container = document.querySelector('.content');
  if (!labels.length || !renderers.length) return;
  const points = labels.map((label) => label.dataset.world.split(',').map(Number));
  const views = labels.map((label) => renderers[Number(label.dataset.view || 0)] || renderers[0]);
  let last = '';
  function place() {
    const key = views.map((r) => r.getActiveCamera().getMTime()).join(':') + ':'
      + container.clientWidth + 'x' + container.clientHeight;
    if (key !== last) {
      last = key;
      labels.forEach((label, i) => {
        const viewport = views[i].getViewport();  // a layout's panel: its own aspect
        const aspect = (container.clientWidth * (viewport[2] - viewport[0]))
          / Math.max(container.clientHeight * (viewport[3] - viewport[1]), 1);
        const xyz = views[i].worldToNormalizedDisplay(points[i][0], points[i][1], points[i][2], aspect);
        label.style.left = (100 * xyz[0]) + '%';
        label.style.bottom = (100 * xyz[1]) + '%';
      });
    }
    requestAnimationFrame(place);
  }
  place();
}
function bvWatch(expected) {
  const renderers = bvRenderers();
  if (!bvLoaded(renderers, expected)) {
    setTimeout(() => bvWatch(expected), 25);
    return;
  }
  renderers.forEach((r) => r.getVolumes().forEach((v) => v.setVisibility(true)));
  window.global.renderWindow.render();
  bvFollowLabels(renderers);
  requestAnimationFrame(() => { document.documentElement.dataset.bvDrawn = 'true'; });
}
"""


def _page(template, archive, scene, figure):
    """The viewer page with the scene, the overlays, the figure's title and colours."""
    if _FAVICON_URL not in template:
        raise RuntimeError(
            "export_html: this trame-vtk viewer template is not the one brainview knows "
            "(its favicon link changed); the page could reach the network. Please report it.")
    template = template.replace(_FAVICON_URL, "data:,")
    background = css_color(figure.renderer.GetBackground())
    head = (f"<style>{_STYLE} body {{ background: {background}; }}</style>")
    template = template.replace("<title>VTK.js | Example - OfflineLocalView</title>",
                                f"<title>{_page_title(figure)}</title>")
    template = template.replace("</head>", head + "\n</head>", 1)
    data = base64.b64encode(archive).decode("ascii")
    body = (
        '<div class="content"></div>\n'
        f'<div id="bv-overlay">{"".join(scene.overlays)}</div>\n'
        f"<script>{_SCRIPT}\nfunction loadDataSet() {{\n"
        "  const container = document.querySelector('.content');\n"
        f'  const base64Str = "{data}";\n'
        "  OfflineLocalView.load(container, { base64Str });\n"
        f"  bvWatch({scene.n_props});\n}}\n</script>\n"
    )
    index = template.rindex("</body>")
    return template[:index] + body + template[index:]


def _page_title(figure):
    props = figure.renderer.GetViewProps()
    for index in range(props.GetNumberOfItems()):
        prop = props.GetItemAsObject(index)
        if prop.IsA("vtkTextActor") and prop.GetTextProperty().GetVerticalJustification() == 2:
            return html.escape(prop.GetInput() or "brainview figure")
    return "brainview figure"
