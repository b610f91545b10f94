"""One self-contained HTML file of a figure: it rotates and zooms in any browser, offline.

The scene is serialised for vtk.js by trame-vtk's serialisers (the same ones
a trame application streams to its browser views) and embedded, zipped and
base64-encoded, in trame-vtk's standalone viewer page, which carries the
whole vtk.js bundle inline: the file needs no server and no network. This is
pyvista's ``export_html`` approach without a pyvista Plotter. trame-vtk is
the optional extra ``brainview[html]``.

What vtk.js cannot draw from a VTK prop directly is converted first, so that
every layer kind shows:

- meshes (contours, surfaces, atlases, edges) go as they are;
- image slices (``vtkImageActor``) become planes textured with their colours;
- glyphs (points, connectome nodes and arrows) are baked into one mesh;
- volume renderings become an isosurface at the middle of their colour range,
  with a :class:`~brainview.BrainviewWarning` naming the layer (trame-vtk's
  volume serialiser loses the voxel values in vtk.js);
- the title, texts, colour bars and legends become HTML overlays.

Anything else (3-D text labels) is left out and named in one warning.

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
    archive = _scene_archive(serializers, scene.window, scene.renderer)
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
    """A renderer holding vtk.js-drawable copies of a figure's props, and its overlays."""

    def __init__(self, figure):
        figure._apply_camera()
        source = figure.renderer
        self.renderer = _vtk.vtkRenderer()
        self.renderer.SetBackground(*source.GetBackground())
        self.renderer.SetTwoSidedLighting(source.GetTwoSidedLighting())
        self.renderer.GetActiveCamera().DeepCopy(source.GetActiveCamera())
        lights = source.GetLights()
        for index in range(lights.GetNumberOfItems()):
            self.renderer.AddLight(lights.GetItemAsObject(index))
        # Never rendered: it only gives the serialiser the window the viewer expects.
        self.window = _vtk.vtkRenderWindow()
        self.window.AddRenderer(self.renderer)
        self.window.SetSize(*figure.size)
        self.overlays = []
        self.left_out = []
        layer_props = set()
        for layer in figure.layers:
            for prop in figure.drawer(layer).props():
                layer_props.add(_address(prop))
                if layer.visible and prop.GetVisibility():
                    self._add(prop, layer.name)
        props = source.GetViewProps()
        for index in range(props.GetNumberOfItems()):
            prop = props.GetItemAsObject(index)
            if _address(prop) not in layer_props and prop.GetVisibility():
                self._add(prop, None)
        self.renderer.ResetCameraClippingRange()

    def _add(self, prop, layer_name):
        kind = prop.GetClassName()
        if prop.IsA("vtkVolume"):
            level = _fallback_level(prop)
            warnings.warn(
                f"export_html: the volume rendering of layer '{layer_name}' is shown as an "
                f"isosurface at {level:.3g} (the middle of its colour range): vtk.js views of "
                "volumes are not exported.", BrainviewWarning, stacklevel=5)
            self.renderer.AddActor(_isosurface_actor(prop, level))
        elif prop.IsA("vtkImageActor"):
            self.renderer.AddActor(_textured_plane(prop))
        elif prop.IsA("vtkActor") and prop.GetMapper() is not None and prop.GetMapper().IsA("vtkGlyph3DMapper"):
            self.renderer.AddActor(_baked_glyphs(prop))
        elif prop.IsA("vtkActor"):
            self.renderer.AddActor(prop)
        elif prop.IsA("vtkTextActor"):
            if prop.GetInput():
                self.overlays.append(_text_overlay(prop))
        elif prop.IsA("vtkScalarBarActor"):
            self.overlays.append(_colorbar_overlay(prop))
        elif prop.IsA("vtkLegendBoxActor"):
            self.overlays.append(_legend_overlay(prop))
        else:
            owner = f"layer '{layer_name}'" if layer_name else "the figure"
            self.left_out.append(f"{owner}: a {kind}")


def _address(prop):
    return prop.GetAddressAsString("vtkObject")


def _scene_archive(serializers, window, renderer):
    """The zip (index.json: scene + arrays) that trame-vtk's standalone viewer loads."""
    from trame_vtk.modules.vtk.serializers.initialize import vtk_config

    serializers.initialize_serializers()
    # Lookup tables as colour transfer functions: vtk.js then draws the table's
    # own colours (the plain serialiser keeps only its hue range).
    encoded = vtk_config.convert_lut
    vtk_config.convert_lut = True
    try:
        return _serialize(serializers, window, renderer)
    finally:
        vtk_config.convert_lut = encoded


def _serialize(serializers, window, renderer):
    from trame_vtk.modules.vtk.serializers.utils import reference_id

    context = serializers.SynchronizationContext()
    context.set_ignore_last_dependencies(True)
    scene = serializers.serialize(None, window, reference_id(window), context, 1)
    camera = renderer.GetActiveCamera()
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


# ------------------------------------------------------------------ conversions


def _fallback_level(volume):
    low, high = volume.GetProperty().GetRGBTransferFunction().GetRange()
    return (low + high) / 2


def _isosurface_actor(volume, level):
    """An isosurface of a volume prop's voxels, moved to world mm by the prop's matrix."""
    import pyvista as pv
    from vtkmodules.vtkFiltersCore import vtkFlyingEdges3D

    from ..geometry.volume import transform_mesh

    extractor = vtkFlyingEdges3D()
    extractor.SetInputData(volume.GetMapper().GetInput())
    extractor.SetValue(0, float(level))
    extractor.ComputeNormalsOn()
    extractor.ComputeScalarsOff()
    extractor.Update()
    matrix = np.array([[volume.GetMatrix().GetElement(i, j) for j in range(4)] for i in range(4)])
    mesh = transform_mesh(pv.wrap(extractor.GetOutput()), matrix)
    mapper = _vtk.vtkPolyDataMapper()
    mapper.SetInputData(mesh)
    mapper.ScalarVisibilityOff()
    actor = _vtk.vtkActor()
    actor.SetMapper(mapper)
    properties = volume.GetProperty()
    actor.GetProperty().SetColor(*properties.GetRGBTransferFunction().GetColor(level))
    high = properties.GetRGBTransferFunction().GetRange()[1]
    actor.GetProperty().SetOpacity(float(np.clip(properties.GetScalarOpacity().GetValue(high), 0.2, 1.0)))
    return actor


def _plane_colors(image_actor):
    """RGBA uint8 of an image actor's plane, shape ``(n_v, n_u, 4)``, and its geometry."""
    image = image_actor.GetInput()
    dims = image.GetDimensions()
    scalars = image.GetPointData().GetScalars()
    prop = image_actor.GetProperty()
    table = prop.GetLookupTable()
    if table is not None:
        if not prop.GetUseLookupTableScalarRange():
            table.SetRange(prop.GetColorLevel() - prop.GetColorWindow() / 2,
                           prop.GetColorLevel() + prop.GetColorWindow() / 2)
        rgba = _vtk.vtk_to_numpy(table.MapScalars(scalars, 0, -1)).reshape(-1, 4)
    else:
        values = _vtk.vtk_to_numpy(scalars).reshape(dims[0] * dims[1] * dims[2], -1)
        if values.dtype == np.uint8 and values.shape[1] in (3, 4):
            rgba = np.full((len(values), 4), 255, np.uint8)
            rgba[:, :values.shape[1]] = values
        else:
            low = prop.GetColorLevel() - prop.GetColorWindow() / 2
            gray = np.clip((values[:, 0] - low) / max(prop.GetColorWindow(), 1e-12), 0, 1)
            rgba = np.full((len(values), 4), 255, np.uint8)
            rgba[:, :3] = (gray[:, None] * 255).round().astype(np.uint8)
    in_plane = [axis for axis in range(3) if dims[axis] > 1][:2]
    while len(in_plane) < 2:
        in_plane.append(next(axis for axis in range(3) if axis not in in_plane))
    return rgba, image, in_plane


def _textured_plane(image_actor):
    """A quad textured with an image actor's colours (pixel centres at the corners)."""
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonDataModel import vtkPolyData
    from vtkmodules.vtkRenderingCore import vtkTexture

    import pyvista as pv

    rgba, image, (axis_u, axis_v) = _plane_colors(image_actor)
    dims, origin, spacing = image.GetDimensions(), image.GetOrigin(), image.GetSpacing()
    n_u, n_v = dims[axis_u], dims[axis_v]
    corners = np.tile(np.asarray(origin, float), (4, 1))
    for corner, (i, j) in enumerate([(0, 0), (1, 0), (1, 1), (0, 1)]):
        corners[corner, axis_u] += i * (n_u - 1) * spacing[axis_u]
        corners[corner, axis_v] += j * (n_v - 1) * spacing[axis_v]
    s0, s1 = 0.5 / n_u, 1 - 0.5 / n_u
    t0, t1 = 0.5 / n_v, 1 - 0.5 / n_v
    plane = pv.PolyData(corners, faces=np.array([4, 0, 1, 2, 3]))
    plane.active_texture_coordinates = np.array([[s0, t0], [s1, t0], [s1, t1], [s0, t1]])
    texture_image = _vtk.vtkImageData()
    texture_image.SetDimensions(n_u, n_v, 1)
    # VTK orders pixels with x fastest; axis_u < axis_v, so u is the fastest here too.
    texture_image.GetPointData().SetScalars(numpy_to_vtk(np.ascontiguousarray(rgba), deep=True))
    texture = vtkTexture()
    texture.SetInputData(texture_image)
    texture.SetInterpolate(image_actor.GetProperty().GetInterpolationType() != 0)
    texture.EdgeClampOn()
    mapper = _vtk.vtkPolyDataMapper()
    mapper.SetInputData(vtkPolyData())
    mapper.GetInput().ShallowCopy(plane)
    mapper.ScalarVisibilityOff()
    actor = _vtk.vtkActor()
    actor.SetMapper(mapper)
    actor.SetTexture(texture)
    actor.SetUserMatrix(image_actor.GetMatrix())
    properties = actor.GetProperty()
    # Image slices are unlit in VTK: show their colours, not shaded ones.
    properties.LightingOff()
    properties.SetAmbient(1.0)
    properties.SetDiffuse(0.0)
    properties.SetOpacity(image_actor.GetProperty().GetOpacity())
    if properties.GetOpacity() < 1 or rgba[:, 3].min() < 255:
        actor.ForceTranslucentOn()
    return actor


def _glyph_array_name(mapper, index):
    from vtkmodules.vtkCommonDataModel import vtkDataObject

    information = mapper.GetInputArrayInformation(index)
    if information is None or not information.Has(vtkDataObject.FIELD_NAME()):
        return None
    return information.Get(vtkDataObject.FIELD_NAME())


def _rotations_x_to(directions):
    """Rotations (n, 3, 3) taking +x onto each direction (half-turns about the bisector)."""
    norms = np.linalg.norm(directions, axis=1, keepdims=True)
    unit = np.where(norms > 0, directions / np.where(norms > 0, norms, 1), [1.0, 0.0, 0.0])
    bisector = unit + [1.0, 0.0, 0.0]
    length = np.linalg.norm(bisector, axis=1, keepdims=True)
    bisector = np.where(length > 1e-9, bisector / np.where(length > 1e-9, length, 1), [0.0, 1.0, 0.0])
    return 2 * bisector[:, :, None] * bisector[:, None, :] - np.eye(3)


def _baked_glyphs(actor):
    """One mesh of every glyph a ``vtkGlyph3DMapper`` draws, coloured like it."""
    import pyvista as pv

    glyphs = actor.GetMapper()
    glyphs.GetInputAlgorithm(0, 0).Update()
    glyphs.GetInputAlgorithm(1, 0).Update()
    centres = pv.wrap(glyphs.GetInputDataObject(0, 0))
    source = pv.wrap(glyphs.GetInputDataObject(1, 0)).triangulate()
    n_glyphs, n_vertices = centres.n_points, source.n_points
    scale = np.full(n_glyphs, glyphs.GetScaleFactor())
    scale_name = _glyph_array_name(glyphs, 0)
    if glyphs.GetScaling() and glyphs.GetScaleMode() == glyphs.SCALE_BY_MAGNITUDE and scale_name in centres.point_data:
        values = np.asarray(centres.point_data[scale_name], float).reshape(n_glyphs, -1)
        scale = scale * np.linalg.norm(values, axis=1)
    rotations = np.broadcast_to(np.eye(3), (n_glyphs, 3, 3))
    orientation_name = _glyph_array_name(glyphs, 3)
    if glyphs.GetOrient() and orientation_name in centres.point_data:
        rotations = _rotations_x_to(np.asarray(centres.point_data[orientation_name], float))
    shape = np.asarray(source.points, float)
    points = np.einsum("gij,vj->gvi", rotations, shape) * scale[:, None, None]
    points = (points + np.asarray(centres.points, float)[:, None, :]).reshape(-1, 3)
    faces = source.faces.reshape(-1, 4)[:, 1:]
    offsets = (np.arange(n_glyphs) * n_vertices)[:, None, None]
    cells = np.concatenate([np.full((n_glyphs, len(faces), 1), 3), faces[None] + offsets], axis=2)
    mesh = pv.PolyData(points, faces=cells.ravel()) if n_glyphs else pv.PolyData()
    if n_glyphs and source.point_data.get("Normals") is not None:
        normals = np.einsum("gij,vj->gvi", rotations, np.asarray(source.point_data["Normals"], float))
        mesh.point_data["Normals"] = normals.reshape(-1, 3)
        mesh.GetPointData().SetActiveNormals("Normals")
    color_name = glyphs.GetArrayName()
    if n_glyphs and color_name in centres.point_data:
        mesh.point_data[color_name] = np.repeat(np.asarray(centres.point_data[color_name]), n_vertices, axis=0)
    mapper = _vtk.vtkPolyDataMapper()
    mapper.SetInputData(mesh)
    mapper.SetScalarVisibility(glyphs.GetScalarVisibility() and color_name in mesh.point_data)
    mapper.SetScalarModeToUsePointFieldData()
    mapper.SelectColorArray(color_name or "")
    mapper.SetColorMode(glyphs.GetColorMode())
    mapper.SetLookupTable(glyphs.GetLookupTable())
    mapper.SetUseLookupTableScalarRange(glyphs.GetUseLookupTableScalarRange())
    mapper.SetScalarRange(glyphs.GetScalarRange())
    baked = _vtk.vtkActor()
    baked.SetMapper(mapper)
    baked.SetProperty(actor.GetProperty())
    baked.SetUserMatrix(actor.GetMatrix())
    return baked


# ------------------------------------------------------------------ overlays


def _css_color(rgb, alpha=1.0):
    r, g, b = (int(round(255 * float(c))) for c in rgb[:3])
    return f"rgba({r}, {g}, {b}, {alpha:.3g})"


def _normalized_position(actor):
    coordinate = actor.GetPositionCoordinate()
    x, y = coordinate.GetValue()[:2]
    return float(x), float(y)


def _text_overlay(actor):
    """A ``<div>`` showing a text actor's text where VTK draws it."""
    text = actor.GetTextProperty()
    x, y = _normalized_position(actor)
    shift_x = {0: "0%", 1: "-50%", 2: "-100%"}[text.GetJustification()]
    shift_y = {0: "0%", 1: "50%", 2: "100%"}[text.GetVerticalJustification()]
    style = (f"left: {100 * x:.2f}%; bottom: {100 * y:.2f}%; "
             f"transform: translate({shift_x}, {shift_y}); font-size: {text.GetFontSize()}px; "
             f"color: {_css_color(text.GetColor(), text.GetOpacity())}; white-space: pre;")
    return f'<div class="bv-text" style="{style}">{html.escape(actor.GetInput())}</div>'


def _colorbar_overlay(bar):
    """A colour bar: a CSS gradient of the lookup table's colours, with tick labels."""
    table = bar.GetLookupTable()
    low, high = table.GetRange()
    n_colors = table.GetNumberOfTableValues()
    stops = []
    for index in range(n_colors):
        rgba = table.GetTableValue(index)
        color = _css_color(rgba, rgba[3])
        stops.append(f"{color} {100 * index / n_colors:.3f}% {100 * (index + 1) / n_colors:.3f}%")
    if bar.GetUseCustomLabels() and bar.GetCustomLabels() is not None:
        labels = bar.GetCustomLabels()
        ticks = [labels.GetValue(i) for i in range(labels.GetNumberOfTuples())]
    else:
        ticks = list(np.linspace(low, high, max(bar.GetNumberOfLabels(), 2)))
    label_color = _css_color(bar.GetLabelTextProperty().GetColor())
    label_format = bar.GetLabelFormat() or "%.3g"
    tick_divs = []
    for tick in ticks:
        if high > low and low <= tick <= high:
            position = 100 * (tick - low) / (high - low)
            tick_divs.append(f'<div class="bv-tick" style="bottom: {position:.2f}%;">'
                             f'{html.escape(label_format % tick)}</div>')
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


def _legend_overlay(legend):
    """A legend box: a coloured dot and a name per entry, top left as VTK draws it."""
    rows = []
    for index in range(legend.GetNumberOfEntries()):
        color = _css_color(legend.GetEntryColor(index))
        name = html.escape(legend.GetEntryString(index) or "")
        rows.append(f'<div><span class="bv-dot" style="background: {color};"></span>{name}</div>')
    x, y = legend.GetPositionCoordinate().GetValue()[:2]
    height = legend.GetPosition2Coordinate().GetValue()[1]
    color = _css_color(legend.GetEntryTextProperty().GetColor())
    return (f'<div class="bv-legend" style="left: {100 * x:.2f}%; bottom: {100 * (y + height):.2f}%; '
            f'transform: translateY(100%); color: {color};">{"".join(rows)}</div>')


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
.bv-legend { font-size: 14px; }
.bv-dot { display: inline-block; width: 0.7em; height: 0.7em; border-radius: 50%; margin-right: 0.4em; }
"""


def _page(template, archive, scene, figure):
    """The viewer page with the scene, the overlays, the figure's title and colours."""
    if _FAVICON_URL not in template:
        raise RuntimeError(
            "export_html: this trame-vtk viewer template is not the one brainview knows "
            "(its favicon link changed); the page could reach the network. Please report it.")
    template = template.replace(_FAVICON_URL, "data:,")
    background = _css_color(figure.renderer.GetBackground())
    head = (f"<style>{_STYLE} body {{ background: {background}; }}</style>")
    template = template.replace("<title>VTK.js | Example - OfflineLocalView</title>",
                                f"<title>{_page_title(figure)}</title>")
    template = template.replace("</head>", head + "\n</head>", 1)
    data = base64.b64encode(archive).decode("ascii")
    body = (
        '<div class="content"></div>\n'
        f'<div id="bv-overlay">{"".join(scene.overlays)}</div>\n'
        "<script>\nfunction loadDataSet() {\n"
        "  const container = document.querySelector('.content');\n"
        f'  const base64Str = "{data}";\n'
        "  OfflineLocalView.load(container, { base64Str });\n}\n</script>\n"
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
