"""Colour maps with alpha (a Colormap with alpha or an (n, 4) RGBA table), checked by pixels.

Each kind is drawn over a white and then a black background: where a layer of
alpha ``a`` covers a pixel, the two screenshots differ by ``255 (1 - a)`` per
layer the ray crosses (the layer's own lit colour cancels out). A flat
surface is one layer, a closed shell (a sphere, a contour) two: at alpha 0.5
they let 1/2 and 1/4 of the background through; alpha 0 leaves the
background; alpha 1 hides it.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from matplotlib.colors import ListedColormap

from brainview import colors
from brainview.errors import BrainviewTypeError, BrainviewValueError
from brainview.export.html import export_html
from brainview.export.scene_file import load_scene, save_scene
from brainview.layers import Contour, Lines, Points, Surface, Volume
from brainview.scene import Figure

_IJK = np.indices((16, 16, 16)) - 7.5
_BALL = (6 - np.sqrt((_IJK ** 2).sum(0))).astype(np.float32)  # positive inside a 6-voxel ball


def _red(alpha):
    return np.array([[1.0, 0.0, 0.0, alpha]] * 2)


def _layer(kind, cmap):
    if kind == "surface":  # one flat square facing the default camera
        square = np.array([[-10, -10, 0], [10, -10, 0], [10, 10, 0], [-10, 10, 0.0]])
        return Surface((square, np.array([[0, 1, 2], [0, 2, 3]])), overlay=np.ones(4), cmap=cmap, clim=(0, 2))
    if kind == "points":
        return Points([[0.0, 0.0, 0.0]], size=15, values=[1.0], cmap=cmap, clim=(0, 2))
    if kind == "volume":
        return Volume((_BALL, np.eye(4)), cmap=cmap, clim=(0, 6))
    if kind == "lines":  # a tube through the centre: two walls along the view ray, as a shell
        return Lines([[-30.0, 0, 0], [30.0, 0, 0]], scalars=[1.0, 1.0], cmap=cmap, clim=(0, 2), tube_radius=10,
                     tube_sides=32)
    return Contour((_BALL, np.eye(4)), level=2.0, cmap=cmap)


def _over_white_and_black(layer):
    """Screenshots of ``layer`` over a white and over a black background (int arrays)."""
    figure = Figure(size=(80, 80), antialias=False, bgcolor="white")
    try:
        figure.add(layer)
        white = figure.screenshot().astype(int)
        figure.bgcolor = "black"
        return white, figure.screenshot().astype(int)
    finally:
        figure.close()


KINDS = ["surface", "points", "volume", "contour", "lines"]
#: The background let through at the centre at alpha 0.5: one layer for the flat surface, two for shells.
HALF_ALPHA_THROUGH = {"surface": 0.5, "points": 0.25, "contour": 0.25, "lines": 0.25}


@pytest.mark.parametrize("kind", KINDS)
def test_an_alpha_0_red_map_renders_nothing(kind):
    white, black = _over_white_and_black(_layer(kind, _red(0.0)))
    assert (white == 255).all() and (black == 0).all()


@pytest.mark.parametrize("kind", KINDS)
def test_an_alpha_half_map_blends_with_the_background(kind):
    white, black = _over_white_and_black(_layer(kind, ListedColormap(_red(0.5))))
    through = (white[40, 40] - black[40, 40]) / 255
    if kind == "volume":  # the ray accumulates: less than the voxels' opacity, but some
        assert (0.02 < through).all() and (through < 0.98).all()
    else:
        np.testing.assert_allclose(through, HALF_ALPHA_THROUGH[kind], atol=0.02)
    assert black[40, 40, 0] > 40  # and the layer's red is there


@pytest.mark.parametrize("kind", KINDS)
def test_an_opaque_map_hides_the_background(kind):
    white, black = _over_white_and_black(_layer(kind, _red(1.0)))
    assert np.abs(white[40, 40] - black[40, 40]).max() <= 2


@pytest.mark.parametrize("kind", ["surface", "points", "contour", "lines"])
def test_only_a_map_with_alpha_below_1_makes_the_actor_translucent(kind, fig):
    # Translucent actors are depth-peeled (costly): an opaque map must keep the actor opaque.
    opaque, faded = fig.add(_layer(kind, "hot")), fig.add(_layer(kind, _red(0.5)))
    fig.screenshot()
    assert not fig.drawer(opaque).actor.HasTranslucentPolygonalGeometry()
    assert fig.drawer(faded).actor.HasTranslucentPolygonalGeometry()


def test_cmap_table_keeps_the_alpha_of_colormaps_and_rgba_tables():
    np.testing.assert_allclose(colors.cmap_table(ListedColormap(_red(0.25)), 4)[:, 3], 0.25)
    np.testing.assert_allclose(colors.cmap_table([[0, 0, 1, 0.0], [0, 0, 1, 1.0]], 2)[:, 3], [0.0, 1.0])
    np.testing.assert_allclose(colors.cmap_table([[0, 0, 1], [1, 0, 0]], 2)[:, 3], 1.0)
    table = colors.lookup_table(_red(0.5), (0, 1))
    assert table.GetTableValue(0)[3] == pytest.approx(128 / 255)


@pytest.mark.parametrize("bad, error", [([[1, 0]], BrainviewValueError), ([[0, 0, 300, 1]], BrainviewValueError),
                                        ([["a", 0, 0]], BrainviewValueError), (3, BrainviewTypeError)])
def test_bad_rgba_tables_are_refused_naming_the_parameter(bad, error):
    with pytest.raises(error, match="cmap"):
        Points([[0.0, 0, 0]], values=[1.0], cmap=bad)


def test_a_colormap_with_alpha_survives_a_scene_file(tmp_path):
    figure = Figure(size=(80, 80), antialias=False)
    figure.add(_layer("points", ListedColormap(_red(0.5), name="viridis")))  # a registered name, other colours
    expected = figure.screenshot()
    save_scene(figure, tmp_path / "a.bvscene")
    figure.close()
    loaded = load_scene(tmp_path / "a.bvscene")
    try:
        np.testing.assert_array_equal(loaded.screenshot(), expected)
    finally:
        loaded.close()


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                    reason="Chromium is not installed (`make test` installs the Debian package `chromium`)")
def test_the_html_export_blends_as_the_png_does(tmp_path):
    from test_html_vs_png import SIZE, Chromium  # the suite's headless Chromium driver

    browser = Chromium(tmp_path / "profile")
    try:
        for kind in ("contour", "points"):  # a lookup table's alpha, per-vertex RGBA colours
            figure = Figure(size=SIZE, antialias=False, bgcolor="white")
            figure.add(_layer(kind, _red(0.5)))
            png = figure.screenshot().astype(int)
            page = export_html(figure, tmp_path / f"{kind}.html")
            figure.close()
            shown, _ = browser.screenshot(page.as_uri())
            centre = SIZE[1] // 2, SIZE[0] // 2
            assert png[centre][1] > 40  # the white shows through the red
            assert np.abs(shown[centre] - png[centre]).max() <= 4, f"{kind}: {shown[centre]} vs {png[centre]}"
    finally:
        browser.close()
