"""One-file interactive HTML export (vtk.js through trame-vtk) and the notebook view."""

from __future__ import annotations

import base64
import html
import io
import json
import re
import shutil
import subprocess
import warnings
import zipfile

import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewValueError, BrainviewWarning

pytest.importorskip("trame_vtk", reason="trame-vtk (brainview[html]) is not installed")

from brainview.export import _html_props as html_props  # noqa: E402
from brainview.export import html as html_export  # noqa: E402

AFFINE = np.diag([2.0, 2.0, 2.0, 1.0])
AFFINE[:3, 3] = -20
#: Resource loads a page could make over the network.
NETWORK_LOADS = re.compile(
    r"""(?:src|href)["']?\s*[=,:]\s*["'`]\s*(?:https?:)?//"""
    r"""|url\(\s*["']?\s*(?:https?:)?//|@import|fetch\(\s*["'`]https?://""", re.I)


def _blob():
    ijk = np.indices((20, 20, 20)).reshape(3, -1).T
    return (6 - np.linalg.norm(ijk - 10, axis=1)).reshape(20, 20, 20).astype(np.float32)


def _scene(text):
    """The serialised vtk.js scene embedded in an exported page."""
    data = re.search(r'const base64Str = "([A-Za-z0-9+/=]+)"', text).group(1)
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(data))) as archive:
        return json.loads(archive.read("index.json"))


def _instances(node):
    yield node
    for child in node.get("dependencies", []):
        yield from _instances(child)


def _types(text):
    return [node["type"] for node in _instances(_scene(text)["scene"])]


@pytest.fixture
def small():
    figure = bv.figure(size=(200, 150), antialias=False)
    yield figure
    bv.close("all")


def test_showcase_is_one_file_without_network_resources(tmp_path):
    from brainview.demo import showcase

    figure = showcase(size=(400, 300))
    path = html_export.export_html(figure, tmp_path / "showcase.html")
    figure.close()
    assert [p.name for p in tmp_path.iterdir()] == ["showcase.html"]
    assert path.stat().st_size < 20e6
    text = path.read_text()
    assert not NETWORK_LOADS.search(text), NETWORK_LOADS.search(text)
    assert "<title>Motor task z-map" in text
    assert 'class="bv-colorbar"' in text and ">z</div>" in text
    # Meshes (head, z-map) and the two slices as textured planes.
    types = _types(text)
    assert types.count("vtkTexture") == 2
    assert types.count("vtkOpenGLActor") == 4


def test_network_check_catches_a_remote_resource():
    assert NETWORK_LOADS.search('<script src="https://cdn.example.org/vtk.js"></script>')
    assert NETWORK_LOADS.search('e.setAttribute("href",`https://kitware.github.io/x.png`)')
    assert not NETWORK_LOADS.search('see http://www.kitware.com/Copyright.htm for details')


def test_every_layer_kind_is_drawn_without_a_warning(small, tmp_path):
    matrix = np.array([[0, 0.8, -0.5], [0.8, 0, 0.3], [-0.5, 0.3, 0]])
    coords = np.array([[-30.0, 0, 0], [30, 0, 0], [0, 30, 20]])
    labels = np.zeros((20, 20, 20), int)
    labels[2:8, 2:8, 2:8], labels[12:18, 12:18, 12:18] = 1, 2
    vertices = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10]], float)
    faces = np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]])
    bv.contour((_blob(), AFFINE), level=2.0, name="contour")
    bv.volume((_blob(), AFFINE), cmap="hot", clim=(1, 5), name="vol")
    bv.slices((_blob(), AFFINE), coords=(0, 0, 0), name="slices")
    bv.surface((vertices, faces), np.array([0.0, 1, 2, 3]), name="surface")
    bv.points(coords, size=8, name="points")
    bv.stat_map((_blob(), AFFINE), threshold=2.0, outline=False, name="stat")
    bv.glass_brain((labels > 0, AFFINE))
    bv.atlas((labels, AFFINE), labels=["background", "a", "b"], smooth=0)
    bv.connectome(matrix, coords, node_labels=["A", "B", "C"], name="graph")
    with warnings.catch_warnings():
        warnings.simplefilter("error", BrainviewWarning)  # nothing is left out any more
        text = html_export.figure_html(small)
    types = _types(text)
    assert types.count("vtkTexture") == 3
    assert types.count("vtkVolume") == 1
    # contour, 3 slices, surface, points, stat map, glass brain, atlas,
    # connectome edges and nodes (the edges' level-of-detail copy is hidden).
    assert types.count("vtkOpenGLActor") == 11
    overlay = text[text.index('<div id="bv-overlay">'):]
    assert [m for m in re.findall(r'class="bv-label"[^>]*>([^<]*)</div>', overlay)] == ["A", "B", "C"]


def test_a_prop_vtkjs_cannot_draw_is_named_in_the_warning(small):
    from vtkmodules.vtkRenderingCore import vtkActor2D, vtkPolyDataMapper2D

    bv.points([[0, 0, 0]], size=5)
    stray = vtkActor2D()
    stray.SetMapper(vtkPolyDataMapper2D())
    small.renderer.AddViewProp(stray)
    with pytest.warns(BrainviewWarning, match=r"left out of the HTML.*the figure: a vtkActor2D"):
        html_export.figure_html(small)


def test_glyphs_are_baked_at_their_centres_and_sizes(small):
    layer = bv.points([[0, 0, 0], [40, 0, 0]], size=[10, 20], color=["red", "blue"])
    baked = html_props.baked_glyphs(small.drawer(layer).actor)
    mesh = baked.GetMapper().GetInput()
    bounds = np.array(mesh.GetBounds()).reshape(3, 2)
    np.testing.assert_allclose(bounds[0], [-5, 50], atol=0.2)  # a tessellated sphere
    np.testing.assert_allclose(bounds[2], [-10, 10], atol=0.01)  # its poles are on z
    colors = np.asarray(mesh.GetPointData().GetArray("rgb"))
    assert {tuple(c) for c in colors} == {(255, 0, 0), (0, 0, 255)}


def test_glyph_arrows_point_along_their_edges():
    directions = np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, -2], [-1, 0, 0]])
    rotations = html_props.rotations_x_to(directions)
    turned = rotations @ np.array([1.0, 0, 0])
    np.testing.assert_allclose(turned, directions / np.linalg.norm(directions, axis=1)[:, None],
                               atol=1e-12)
    np.testing.assert_allclose(np.linalg.det(rotations), 1.0)


def test_slice_plane_keeps_its_place_and_colours(small):
    layer = bv.slices((_blob(), AFFINE), coords=(2, 4, 6), cmap="gray", clim=(0, 6))
    plane = html_props.textured_plane(small.drawer(layer).actors["z"])
    corners = np.array(plane.GetMapper().GetInput().GetPoints().GetData())
    assert np.all(corners[:, 2] == 6)
    origin = layer.plane_origin("z")
    np.testing.assert_allclose(corners[0], origin)
    texture = plane.GetTexture().GetInput()
    rgba = np.asarray(texture.GetPointData().GetScalars()).reshape(-1, 4)
    values = layer.plane_values("z").T.ravel()
    expected = np.clip(np.round(values / 6 * 255), 0, 255)
    assert np.abs(rgba[:, 0].astype(int) - expected).max() <= 1


def test_colorbar_overlay_has_the_layer_ticks(small):
    zmap = bv.stat_map((_blob(), AFFINE), threshold=2.0, vmax=6, outline=False)
    bv.colorbar(zmap, title="t value")
    text = html_export.figure_html(small)
    overlay = text[text.index('<div id="bv-overlay">'):]
    assert ">t value</div>" in overlay
    ticks = [float(t) for t in re.findall(r'class="bv-tick"[^>]*>([-0-9.e]+)</div>', overlay)]
    assert ticks and min(ticks) == -6 and max(ticks) == 6


def test_export_html_needs_an_html_file_name(small, tmp_path):
    with pytest.raises(BrainviewValueError, match=r"path: .*\.html"):
        bv.export_html(tmp_path / "scene.png")


def test_pylab_export_html_writes_the_current_figure(small, tmp_path):
    bv.points([[0, 0, 0]], size=5)
    bv.title("one point")
    path = bv.export_html(tmp_path / "point.html")
    assert "one point" in path.read_text()


def test_missing_trame_vtk_names_the_extra(monkeypatch, small):
    import sys

    monkeypatch.setitem(sys.modules, "trame_vtk.tools.vtksz2html", None)
    with pytest.raises(ImportError, match=r"brainview\[html\]"):
        html_export.figure_html(small)


def test_interactive_embeds_the_exported_page(small):
    pytest.importorskip("IPython")
    bv.points([[0, 0, 0]], size=5)
    view = small.interactive(height=300)
    page = html.unescape(re.search(r'srcdoc="([^"]*)"', view.data).group(1))
    assert page.startswith("<!doctype html>") and "OfflineLocalView.load" in page
    assert "height: 300px" in view.data


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (`make test` installs "
                    "the Debian package `chromium` when apt-get is usable)")
def test_chromium_draws_the_showcase_offline(tmp_path):
    from PIL import Image

    from brainview.demo import showcase

    figure = showcase(size=(400, 300))
    with warnings.catch_warnings():
        warnings.simplefilter("error", BrainviewWarning)  # the showcase loses nothing
        path = html_export.export_html(figure, tmp_path / "showcase.html")
    figure.close()
    screenshot = tmp_path / "screenshot.png"
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={screenshot}", "--window-size=400,300", "--virtual-time-budget=10000",
        path.as_uri(),
    ]
    subprocess.run(command, capture_output=True, timeout=90, check=False)
    assert screenshot.exists(), "Chromium wrote no screenshot"
    pixels = np.asarray(Image.open(screenshot).convert("RGB")).astype(int)
    drawn = pixels.max(axis=2) > 40  # the background is black
    assert drawn.mean() > 0.15  # the head, the slices and the map
    # The z-map's hot colours (red > green, blue) and cold ones (blue > red) both show.
    red, blue = pixels[..., 0], pixels[..., 2]
    assert np.sum((red > 150) & (blue < 80)) > 100
    assert np.sum((blue > 150) & (red < 80)) > 100


# ------------------------------------------------------------------ symptoms (issue 19, point 7)


def _exported(figure):
    """The export renderer of a figure (the props vtk.js receives)."""
    return html_export._ExportScene(figure).renderer


def _actors(renderer):
    actors = renderer.GetActors()
    return [actors.GetItemAsObject(i) for i in range(actors.GetNumberOfItems())]


def test_atlas_region_colours_are_not_blended_in_the_export(small):
    labels = np.zeros((20, 20, 20), int)
    labels[2:8, 2:8, 2:8], labels[12:18, 12:18, 12:18] = 1, 2
    layer = bv.atlas((labels, AFFINE), labels=["background", "a", "b"], smooth=0)
    (actor,) = _actors(_exported(small))
    function = actor.GetMapper().GetLookupTable()
    assert function.IsA("vtkColorTransferFunction")
    table = small.drawer(layer).props()[0].GetMapper().GetLookupTable()
    for index in range(table.GetNumberOfTableValues()):  # region indices 0, 1 map to their colours
        np.testing.assert_allclose(function.GetColor(index), table.GetTableValue(index)[:3], atol=1e-6)


def test_atlas_normals_reach_vtkjs_as_normals_not_scalars(small):
    labels = np.zeros((20, 20, 20), int)
    labels[2:8, 2:8, 2:8] = 1
    bv.atlas((labels, AFFINE), labels=["background", "a"], smooth=0)
    scene = _scene(html_export.figure_html(small))
    fields = [f for node in _instances(scene["scene"]) for f in node.get("properties", {}).get("fields", [])]
    normals = [f for f in fields if f["name"] == "Normals"]
    assert normals and all(f["registration"] == "setNormals" for f in normals)


def test_connectome_edges_are_exported_flat_and_unlit(small):
    matrix = np.array([[0, 0.8, -0.5], [0.8, 0, 0.3], [-0.5, 0.3, 0]])
    layer = bv.connectome(matrix, np.array([[-30.0, 0, 0], [30, 0, 0], [0, 30, 20]]))
    edges = small.drawer(layer).props()[0]
    lighting = edges.GetProperty().GetLighting()
    exported = _actors(_exported(small))
    lines = [a for a in exported
             if a.GetMapper().GetInput().GetNumberOfStrips() and not a.GetProperty().GetLighting()]
    assert len(lines) == 1  # 2-pixel lines as unlit tubes (browsers draw 1-pixel lines only)
    assert edges.GetProperty().GetLighting() == lighting  # the figure's own actor is left as it was
    assert "weight" in [lines[0].GetMapper().GetInput().GetPointData().GetArrayName(i)
                        for i in range(lines[0].GetMapper().GetInput().GetPointData().GetNumberOfArrays())]


def test_volume_is_exported_as_a_volume_where_the_png_shows_it(small):
    layer = bv.volume((_blob(), AFFINE), cmap="hot", clim=(1, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("error", BrainviewWarning)
        text = html_export.figure_html(small)
    volumes = [n for n in _instances(_scene(text)["scene"]) if n["type"] == "vtkVolume"]
    assert len(volumes) == 1 and "userMatrix" not in volumes[0]["properties"]
    (image,) = [n for n in _instances(volumes[0]) if n["type"] == "vtkImageData"]
    # vtk.js reads the direction column by column: index -> world as VTK places the voxels.
    direction = np.reshape(image["properties"]["direction"], (3, 3)).T
    origin, spacing = (np.asarray(image["properties"][k]) for k in ("origin", "spacing"))
    corner = origin + direction @ (spacing * 19)
    bounds = np.array(small.drawer(layer).props()[0].GetBounds()).reshape(3, 2)
    np.testing.assert_allclose(np.sort([origin, corner], axis=0).T, bounds, atol=1e-6)


def test_headlight_is_exported_as_a_camera_light_and_the_figure_keeps_its_own(small):
    bv.points([[0, 0, 0]], size=5)
    lights = small.renderer.GetLights()
    before = [lights.GetItemAsObject(i).GetLightType() for i in range(lights.GetNumberOfItems())]
    exported = _exported(small).GetLights()
    types = [exported.GetItemAsObject(i).GetLightType() for i in range(exported.GetNumberOfItems())]
    assert 1 in before  # VTK_LIGHT_TYPE_HEADLIGHT
    assert 1 not in types and len(types) == len(before)
    assert [lights.GetItemAsObject(i).GetLightType() for i in range(lights.GetNumberOfItems())] == before


def test_legend_entries_keep_their_network_colours(small):
    matrix = np.array([[0, 0.8, -0.5], [0.8, 0, 0.3], [-0.5, 0.3, 0]])
    layer = bv.connectome(matrix, np.array([[-30.0, 0, 0], [30, 0, 0], [0, 30, 20]]),
                          node_color=["visual", "motor", "visual"])
    text = html_export.figure_html(small)
    legend = text[text.index('class="bv-legend"'):]
    for category, rgb in layer.legend_entries():
        color = html_export.css_color(rgb)
        dot = f'<span class="bv-dot" style="background: {color};"></span>'
        assert f'<div style="color: {color};">{dot}{category}' in legend


def test_node_labels_are_overlays_at_their_nodes(small):
    matrix = np.array([[0, 0.8], [0.8, 0]])
    coords = np.array([[-30.0, 0, 0], [30, 0, 0]])
    bv.connectome(matrix, coords, node_labels=["left", "right"])
    small.screenshot()  # the camera is placed at the first drawing
    text = html_export.figure_html(small)
    found = re.findall(r'class="bv-label" data-world="([^"]+)" '
                       r'style="left: ([0-9.]+)%; bottom: ([0-9.]+)%;[^"]*">(\w+)<', text)
    assert [name for *_, name in found] == ["left", "right"]
    for (world, left, bottom, _), coord in zip(found, coords):
        np.testing.assert_allclose([float(v) for v in world.split(",")][:2], coord[:2])  # drawn above the node
    positions = [(float(left), float(bottom)) for _, left, bottom, _ in found]
    assert all(0 < v < 100 for v in np.ravel(positions))  # in the view (where: test_html_vs_png.py)
    assert abs(positions[0][0] - positions[1][0]) > 10


def test_export_leaves_the_slice_table_range_alone(small):
    layer = bv.slices((_blob(), AFFINE), coords=(0, 0, 0), cmap="gray", clim=(0, 6))
    tables = [p.GetProperty().GetLookupTable() for p in small.drawer(layer).props()]
    ranges = [t.GetRange() for t in tables if t is not None]
    html_export.figure_html(small)
    assert [t.GetRange() for t in tables if t is not None] == ranges
