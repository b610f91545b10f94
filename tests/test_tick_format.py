"""Colour-bar tick formats (a %-format or a callable) give the same labels in PNG, PDF, SVG, EPS and HTML;
a layout's vector page keeps its panels where the PNG has them."""

import html
import re
import zlib

import numpy as np
import pytest

import brainview as bv
from brainview.render.annotations import bar_tick_labels


def _pdf_texts(data):
    """The strings of the PDF's text operators (``(..) Tj`` and ``[(..) kern (..)] TJ``)."""
    streams = b"".join(zlib.decompress(s) for s in re.findall(rb"stream\n(.*?)\nendstream", data, re.S)
                       if s[:2] == b"x\x9c")
    texts = [b"".join(re.findall(rb"\(((?:[^()\\]|\\.)*)\)", array)) for array in
             re.findall(rb"\[(.*?)\]\s*TJ", streams, re.S)]
    texts += re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", streams)
    return {text.replace(b"\\(", b"(").replace(b"\\)", b")").decode("latin-1") for text in texts}


_GLYPHS = {"plus": "+", "hyphen": "-", "period": ".", "space": " ", "percent": "%",
           **{name: str(digit) for digit, name in enumerate(
               ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])}}


def _eps_texts(text):
    """The strings of matplotlib's PostScript: one run of ``x y m /glyph glyphshow`` lines per text."""
    texts, run = set(), []
    for line in text.splitlines():
        found = re.fullmatch(r"[-\d.]+ [-\d.]+ m /(\w+) glyphshow", line)
        if found:
            run.append(_GLYPHS.get(found.group(1), found.group(1)))
        elif run:
            texts.add("".join(run))
            run = []
    return texts


def _html_ticks(page):
    return [html.unescape(text) for text in re.findall(r'class="bv-tick"[^>]*>([^<]*)</div>', page)]


@pytest.mark.parametrize("tick_format, expected", [
    (lambda value: f"{value:+.2f} z", ["+0.00 z", "+0.50 z", "+1.00 z"]),
    ("%.1f%%", ["0.0%", "0.5%", "1.0%"]),
])
def test_tick_labels_are_the_same_in_every_output(tmp_path, tick_format, expected):
    fig = bv.figure(size=(200, 150))
    layer = bv.slices((np.arange(8.0).reshape(2, 2, 2), np.eye(4)), clim=(0, 1))
    bar = bv.colorbar(layer, format=tick_format, n_labels=3)
    assert bar.labels == expected
    # The PNG: what VTK draws (a callable's texts as the table's annotations, a %-format as labels).
    fig.savefig(tmp_path / "fig.png")
    assert [text for _, text in bar_tick_labels(bar.actor)] == expected
    fig.savefig(tmp_path / "fig.svg")
    svg = (tmp_path / "fig.svg").read_text()
    assert all(f">{text}<" in svg or text in svg for text in expected), svg[-2000:]
    fig.savefig(tmp_path / "fig.pdf")
    assert set(expected) <= _pdf_texts((tmp_path / "fig.pdf").read_bytes())
    fig.savefig(tmp_path / "fig.eps")
    eps = (tmp_path / "fig.eps").read_text(encoding="latin-1")
    assert set(expected) <= _eps_texts(eps)
    pytest.importorskip("trame_vtk", reason="trame-vtk (brainview[html]) is not installed")
    from brainview.export.html import figure_html

    assert _html_ticks(figure_html(fig)) == expected
    bv.close(fig)


def test_pdf_text_reader_sees_a_changed_label():
    assert _pdf_texts(zlib.compress(b"BT [ (+) 0.68 (0) 0.57 (z) ] TJ ET").join([b"stream\n", b"\nendstream"])) \
        == {"+0z"}


def test_vector_page_of_a_layout_keeps_the_panels_where_the_png_has_them(tmp_path):
    """The raster under the vector colour bar is the PNG without the bar (its panels leave the bar room)."""
    import base64
    import io

    from PIL import Image

    fig = bv.figure(size=(240, 80), views=["left", "cuts:z"], cut_coords=[0.0])
    bv.points([[-30.0, 0, 0], [30, 10, 20]], size=12, values=[0.0, 1.0])
    bv.colorbar(format="%.1f")
    png = fig.screenshot()
    fig.savefig(tmp_path / "layout.svg", dpi=100)  # the raster at the figure's own pixels
    data = re.search(r'data:image/png;base64,([^"]+)"', (tmp_path / "layout.svg").read_text()).group(1)
    raster = np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))
    assert raster.shape == png.shape
    right = min(x + w for x, _, w, _ in fig.panel_rects())
    assert right < 240 - 20  # the bar's strip is right of the panels
    np.testing.assert_array_equal(raster[:, :right], png[:, :right])
    bv.close(fig)


@pytest.mark.parametrize("scale", [1, 3])
def test_callable_format_labels_right_of_the_strip_as_a_percent_format_and_never_cut(scale):
    fig = bv.figure(size=(200, 150), bgcolor="black")
    layer = bv.slices((np.arange(8.0).reshape(2, 2, 2), np.eye(4)), clim=(0, 1), cmap="viridis", opacity=0.0)
    bar = bv.colorbar(layer, format=lambda value: f"{value:+.2f} mm", n_labels=3, title="")
    image = fig.screenshot(scale=scale).astype(int)
    coloured = (image.max(axis=2) - image.min(axis=2)) > 60  # the viridis strip
    rows, cols = np.nonzero(coloured)
    white = (image.min(axis=2) > 150) & ~coloured  # the label texts (and their leader lines)
    strip = slice(rows.min(), rows.max() + 1)
    assert white[strip, cols.max() + 1:].sum() > 30 * scale  # the texts, right of the strip
    assert not white[strip, :cols.min()].any()  # nothing left of it
    assert not white[:, -1].any()  # nothing cut at the right edge
    assert bar.labels == ["+0.00 mm", "+0.50 mm", "+1.00 mm"]
    bv.close(fig)
