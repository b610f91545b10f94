"""Publication output: scale= (more pixels, same framing), transparent=, TIFF, PDF/SVG/EPS."""

from __future__ import annotations

import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewValueError
from brainview.layers import Points

Image = pytest.importorskip("PIL.Image")


@pytest.fixture
def scene():
    fig = bv.figure(size=(120, 90), antialias=False)
    fig.add(Points([[0, 0, 0], [40, 0, 0]], size=16, color="orange", name="dots"))
    yield fig
    bv.close("all")


def text_height(pixels):
    """Rows holding bright (text) pixels."""
    rows = np.flatnonzero(pixels.max(axis=(1, 2)) > 128)
    return rows.max() - rows.min() + 1


def test_scale_3_gives_3x_pixels_with_the_same_framing(scene, tmp_path):
    small = scene.screenshot()
    bv.savefig(tmp_path / "big.png", scale=3)
    big = np.asarray(Image.open(tmp_path / "big.png"))
    assert big.shape == (270, 360, 3)
    shrunk = big.reshape(90, 3, 120, 3, 3).mean(axis=(1, 3))
    assert np.abs(shrunk - small).mean() < 6  # same picture, only sharper
    assert np.abs(np.roll(shrunk, 4, axis=1) - small).mean() > 3 * np.abs(shrunk - small).mean()


def test_scale_makes_text_larger_and_restores_the_font_size():
    fig = bv.figure(size=(160, 60), antialias=False)
    actor = fig.text("Hg", position=(0.1, 0.2), size=20, color="white").actor
    one = text_height(fig.screenshot())
    three = text_height(fig.screenshot(scale=3))
    bv.close("all")
    assert three == pytest.approx(3 * one, rel=0.15)
    assert actor.GetTextProperty().GetFontSize() == 20


def test_transparent_background_has_alpha_0_and_objects_alpha_255(scene, tmp_path):
    background_alpha = scene.renderer.GetBackgroundAlpha()
    bv.savefig(tmp_path / "clear.png", transparent=True)
    pixels = np.asarray(Image.open(tmp_path / "clear.png"))
    opaque = scene.screenshot()
    assert pixels.shape == (90, 120, 4)
    background = (opaque == 0).all(axis=2)  # black background of the RGB render
    assert (pixels[..., 3][background] == 0).all()
    orange = (opaque[..., 0] > 150) & (opaque[..., 2] < 80)
    assert orange.sum() > 50
    assert (pixels[..., 3][orange] == 255).all()
    assert np.abs(pixels[..., :3][orange].astype(int) - opaque[orange]).max() <= 2
    assert scene.renderer.GetBackgroundAlpha() == background_alpha  # restored


def test_tiff_is_written_with_alpha(scene, tmp_path):
    bv.savefig(tmp_path / "fig.tiff", scale=2, transparent=True)
    with Image.open(tmp_path / "fig.tiff") as image:
        assert (image.format, image.mode, image.size) == ("TIFF", "RGBA", (240, 180))


@pytest.mark.parametrize("suffix, magic", [(".pdf", b"%PDF"), (".svg", b"<?xml"), (".eps", b"%!PS")])
def test_vector_pages_have_the_figures_size_in_points_and_vector_text(scene, tmp_path, suffix, magic):
    scene.title("Left motor")
    bv.savefig(tmp_path / f"fig{suffix}", dpi=300)
    data = (tmp_path / f"fig{suffix}").read_bytes()
    assert data.startswith(magic)
    # 120x90 px at 100 px per inch: an 86.4 x 64.8 pt page, whatever the dpi.
    if suffix == ".svg":
        assert b'width="86.4pt" height="64.8pt"' in data and b"Left motor" in data  # text stays text
    elif suffix == ".pdf":
        assert b"/MediaBox [ 0 0 86.4 64.8 ]" in data
    else:
        assert b"%%BoundingBox: 0 0 86 65" in data or b"%%BoundingBox: 0 0 87 65" in data


def test_pdf_colour_bar_is_vector_and_the_scene_raster_has_the_asked_dpi(scene, tmp_path):
    """The ramp is rectangles, its labels text; the one image is the scene at 300 dpi (3x the pixels)."""
    import re
    import zlib

    scene.clear()
    bv.points([[0, 0, 0], [40, 0, 0]], size=16, values=[0.0, 1.0], cmap="viridis")
    bv.colorbar(title="ramp title")
    bv.savefig(tmp_path / "fig.svg", dpi=300)
    svg = (tmp_path / "fig.svg").read_text()
    assert "ramp title" in svg and svg.count("<image") == 1
    assert svg.count("<path d=") >= 64  # one vector rectangle per colour of the ramp
    bv.savefig(tmp_path / "fig.pdf", dpi=300)
    pdf = (tmp_path / "fig.pdf").read_bytes()
    widths = [int(w) for w in re.findall(rb"/Width (\d+)", pdf)]
    heights = [int(h) for h in re.findall(rb"/Height (\d+)", pdf)]
    assert (widths, heights) == ([360], [270])
    text = b"".join(zlib.decompress(stream) for stream in re.findall(rb"stream\n(.*?)\nendstream", pdf, re.S)
                    if stream[:2] == b"x\x9c")
    assert b" re" in text or b" l" in text  # vector drawing operators for the ramp


def test_formats_without_alpha_or_unknown_are_refused(scene, tmp_path):
    with pytest.raises(BrainviewValueError, match=r"transparent: \.jpg images have no alpha"):
        bv.savefig(tmp_path / "fig.jpg", transparent=True)
    with pytest.raises(BrainviewValueError, match=r"path: cannot write '\.bmp' images"):
        bv.savefig(tmp_path / "fig.bmp")
    with pytest.raises(BrainviewValueError, match="scale: must be a finite number > 0"):
        bv.savefig(tmp_path / "fig.png", scale=0)
    with pytest.raises(BrainviewValueError, match=r"size x scale: width and height must be 1\.\.8192 pixels"):
        bv.savefig(tmp_path / "fig.png", scale=200)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.gui
def test_shown_figure_saves_scaled_and_transparent_without_touching_the_window(qtbot):
    from brainview.gui.window import MainWindow

    fig = bv.Figure(size=(100, 80), antialias=False)
    win = MainWindow(fig)
    qtbot.addWidget(win)
    win.resize(600, 400)
    win.show()
    qtbot.waitExposed(win)
    fig.add(Points([[0, 0, 0]], size=20, color="orange"))
    win.render_now()
    shown = tuple(fig.window.GetSize())
    # Off-screen buffers of another size, then the window itself (its own size, scale 1).
    for size, scale in [(None, 2), ((shown[0] // 2, shown[1] // 2), 2), (shown, 1)]:
        pixels = fig.screenshot(size=size, scale=scale, transparent=True)
        width, height = size or (100, 80)
        assert pixels.shape == (scale * height, scale * width, 4)
        centre = pixels[scale * height // 2, scale * width // 2]
        assert pixels[0, 0, 3] == 0 and centre[3] == 255 and centre[0] > 150
    assert tuple(fig.window.GetSize()) == shown
    win.close()
    fig.close()
