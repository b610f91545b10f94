"""The HTML export of a layout: every 3-D panel and cut panel in the PNG's arrangement, with the shared colour bar.

Checked in headless Chromium as ``test_html_vs_png.py`` checks each kind (measured: frame 3.0, 3-D
panels 0.30, cut panels 99 % and 97 % equal pixels, the rest the L/R letters; exporting the main camera
only, as before: 17.4, 47.4, 84 % and 67 %): the
page's screenshot against the PNG (mean difference over the frame and over
the 3-D views), the cut panels pixel for pixel, a probe at the stat map's
blob in each 3-D panel (where :meth:`Figure.pixel_of` puts it in that panel).
"""

import re

import numpy as np
import pytest

import brainview as bv
from brainview.layers import StatMap

pytest.importorskip("trame_vtk", reason="trame-vtk (brainview[html]) is not installed")

from test_html_vs_png import CHROMIUM, FRAME_LIMIT, PROBE_LIMIT, SIZE, VIEW_LIMIT  # noqa: E402
from test_html_vs_png import Chromium, view_difference  # noqa: E402

VIEWS = [["left", "superior"], ["cuts:ortho", "cuts:z"]]
BLOB = (-24.0, -8.0, 8.0)  # inside the positive cube of the map


def _stat_map():
    data = np.zeros((10, 12, 10))
    data[2:5, 4:7, 4:7] = 4.0
    data[6:8, 5:8, 3:5] = -5.0
    affine = np.diag([8.0, 8.0, 8.0, 1.0])
    affine[:3, 3] = (-40, -48, -40)
    return StatMap((data, affine), threshold=2.0, bg=None, outline=False)


@pytest.fixture
def layout():
    fig = bv.figure(size=SIZE, views=VIEWS, titles=["left", "top", None, None], cut_coords=(-24, -8, 8),
                    antialias=False)
    layer = fig.add(_stat_map())
    fig.colorbar(layer, title="z")
    yield fig
    bv.close(fig)


def test_layout_page_has_a_renderer_per_3d_panel_an_image_per_cut_panel_and_one_colour_bar(layout):
    from brainview.export.html import _ExportScene, figure_html

    scene = _ExportScene(layout)
    viewports = [tuple(r.GetViewport()) for r in scene.renderers]
    assert viewports == [tuple(panel.renderer.GetViewport()) for panel, _ in layout.panel_views()[:2]]
    for exported, (panel, _) in zip(scene.renderers, layout.panel_views()):
        np.testing.assert_allclose(exported.GetActiveCamera().GetPosition(),
                                   panel.renderer.GetActiveCamera().GetPosition())
    page = figure_html(layout)
    assert page.count('class="bv-cut"') == 2 and page.count('class="bv-colorbar"') == 1
    assert [t for t in re.findall(r'class="bv-text"[^>]*>([^<]*)<', page) if t in ("left", "top")] == ["left", "top"]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_layout_html_shows_what_the_png_shows(layout, tmp_path):
    from PIL import Image

    from brainview.export.html import export_html

    layout.savefig(tmp_path / "layout.png")
    png = np.asarray(Image.open(tmp_path / "layout.png").convert("RGB")).astype(int)
    probes = [layout.pixel_of(BLOB, panel=panel) for panel in (0, 1)]
    page = export_html(layout, tmp_path / "layout.html")
    browser = Chromium(tmp_path / "profile")
    try:
        shown, boxes = browser.screenshot(page.as_uri())
    finally:
        browser.close()
    assert shown.shape == png.shape
    frame = float(np.abs(shown - png).mean())
    cut_boxes = [b for b in boxes if b[2] - b[0] > 100]  # the two cut panels' images
    view = view_difference(png, shown, [b for b in boxes if b not in cut_boxes])
    assert frame <= FRAME_LIMIT, f"mean difference over the frame {frame:.2f}"
    assert view <= VIEW_LIMIT, f"mean difference over the 3-D panels {view:.2f}"
    for panel, (x, y, w, h) in list(enumerate(layout.panel_rects()))[2:]:
        inner = (slice(y, y + h), slice(x, x + w))
        same = np.all(shown[inner] == png[inner], axis=2)
        assert same.mean() > 0.95, f"cut panel {panel}: {same.mean():.3f} of its pixels equal"  # but the letters
    for x, y in probes:
        row, column = round(y), round(x)
        expected = png[row, column]
        assert expected[0] > 80 and expected[0] > 2 * expected[2]  # the positive blob, shaded red
        near = shown[row - 2:row + 3, column - 2:column + 3].reshape(-1, 3)
        assert np.abs(near - expected).max(axis=1).min() <= PROBE_LIMIT


def test_labels_follow_their_own_panel_and_legends_fit_a_narrow_panel():
    from brainview.export.html import figure_html

    fig = bv.figure(size=(300, 150), views=["left", "superior", "cuts:z"])
    bv.connectome(np.array([[0, 0.8], [0.8, 0]]), np.array([[-30.0, 0, 0], [30, 0, 0]]),
                  node_labels=["alpha", "beta"], node_color=["visual", "motor"])
    page = figure_html(fig)
    assert re.findall(r'class="bv-label"( data-view="\d")?', page) == ["", "", ' data-view="1"', ' data-view="1"']
    fonts = [float(f) for f in re.findall(r'class="bv-legend"[^>]*font-size: ([0-9.]+)px', page)]
    assert len(fonts) == 2  # a legend in each 3-D panel, as the PNG draws it
    for font in fonts:  # "visual" within the legend's 24 % of a 100-pixel panel
        assert 0.55 * font * len("visual") <= 0.24 * 100
    bv.close(fig)
