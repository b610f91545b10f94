"""Colour bars: live views of their layer (model, VTK objects and saved pixels), readable labels."""

from __future__ import annotations

import numpy as np
import pytest

import brainview as bv
from brainview.scene import ColorBar
from brainview.statmap_colors import colorbar_ticks

from conftest import read_png

AFFINE = np.diag([2.0, 2.0, 2.0, 1.0])
AFFINE[:3, 3] = -30.0


def _blob(center_ijk, amplitude, sigma=2.5, shape=(31, 31, 31)):
    ijk = np.indices(shape).reshape(3, -1).T
    d2 = ((ijk - np.asarray(center_ijk)) ** 2).sum(1)
    return (amplitude * np.exp(-d2 / (2 * sigma ** 2))).reshape(shape).astype(np.float32)


SIGNED = (_blob((10, 15, 15), 5.0) - _blob((20, 15, 15), 4.0), AFFINE)
POSITIVE = (_blob((15, 15, 15), 5.0), AFFINE)


def _bar_region(pixels):
    """The right quarter of the image, where colour bars are drawn."""
    return pixels[:, 3 * pixels.shape[1] // 4:].astype(int)


def _saved(fig, path):
    fig.savefig(path)
    return read_png(path)


# ------------------------------------------------------------- a view of its layer


def test_colorbar_follows_threshold(fig, tmp_path):
    layer = bv.stat_map(SIGNED, threshold=1.0, outline=False)
    bar = bv.colorbar(layer)
    assert fig.colorbars == [bar]
    grey_before = np.all(bar.table[:, :3] == 128, axis=1).sum()
    before = _saved(fig, tmp_path / "before.png")
    layer.threshold = 3.0
    # The model's VTK objects: a wider grey band and the new ±threshold ticks.
    assert np.all(bar.table[:, :3] == 128, axis=1).sum() > grey_before
    assert "3" in bar.labels and "-3" in bar.labels
    labels = bar.actor.GetCustomLabels()
    assert 3.0 in [labels.GetValue(i) for i in range(labels.GetNumberOfTuples())]
    # And the saved image's bar region.
    after = _saved(fig, tmp_path / "after.png")
    assert np.abs(_bar_region(after) - _bar_region(before)).sum() > 0


@pytest.mark.parametrize("trait, value", [("vmax", 2.0), ("cmap", "cold_hot"), ("symmetric", False)])
def test_colorbar_follows_vmax_cmap_and_symmetric(fig, tmp_path, trait, value):
    layer = bv.stat_map(SIGNED, threshold=1.0, outline=False)
    bar = bv.colorbar(layer)
    table, crange, before = bar.table, bar.range, _saved(fig, tmp_path / "before.png")
    setattr(layer, trait, value)
    assert not np.array_equal(bar.table, table) or bar.range != crange
    assert bar.range == pytest.approx((layer.color_range.cbar_vmin, layer.color_range.cbar_vmax))
    after = _saved(fig, tmp_path / "after.png")
    assert np.abs(_bar_region(after) - _bar_region(before)).sum() > 0


def test_colorbar_follows_clim_of_other_layers(fig):
    layer = bv.slices((np.arange(27.0).reshape(3, 3, 3), np.eye(4)), clim=(0, 20))
    bar = bv.colorbar(layer, n_labels=3)
    assert bar.labels == ["0", "10", "20"]
    layer.clim = (0, 8)
    assert bar.range == (0.0, 8.0) and bar.labels == ["0", "4", "8"]


def test_colorbar_title_follows_the_layer_name_unless_given(fig):
    layer = bv.stat_map(SIGNED, threshold=1.0, outline=False, name="z")
    bar = bv.colorbar(layer)
    layer.name = "t"
    assert bar.actor.GetTitle() == "t"
    bar.title = "weight"
    layer.name = "u"
    assert bar.actor.GetTitle() == "weight"


def test_colorbar_hides_with_its_layer_and_goes_with_it(fig):
    layer = bv.stat_map(SIGNED, threshold=1.0, outline=False)
    bar = bv.colorbar(layer)
    layer.visible = False
    assert not bar.actor.GetVisibility()
    layer.visible = True
    assert bar.actor.GetVisibility()
    fig.remove(layer)
    assert fig.colorbars == []
    assert not fig.renderer.HasViewProp(bar.actor)
    layer.threshold = 2.0  # no longer observed: nothing breaks
    assert "2" not in bar.labels


def test_stat_map_colorbar_ticks_are_nilearns(fig):
    layer = bv.stat_map(SIGNED, threshold=2.0, outline=False)
    bar = bv.colorbar(layer)
    top = float(np.abs(SIGNED[0]).max())
    assert bar.range == pytest.approx((-top, top))
    assert bar.labels == ["%.2g" % t for t in colorbar_ticks(-top, top, 2.0)]


# ------------------------------------------------------------- one-sided and tiny ranges


def test_positive_only_map_gets_one_sided_colorbar(fig):
    layer = bv.stat_map(POSITIVE, threshold=1.0, outline=False)
    bar = bv.colorbar(layer)
    assert bar.range == pytest.approx((0.0, 5.0))
    assert bar.labels[0] == "0" and not any(label.startswith("-") for label in bar.labels)
    shown = ~np.all(bar.table[:, :3] == 128, axis=1)
    rgb = bar.table[shown, :3].astype(int)
    assert np.all(rgb[:, 0] > rgb[:, 2] + 40)  # warm colours only, no blue half
    layer.symmetric = True  # nilearn's symmetric_cbar=True: back to ±vmax
    assert bar.range == pytest.approx((-5.0, 5.0))


def test_colorbar_end_label_shown_for_tiny_range(fig):
    data = SIGNED[0] / 5.0 * 0.00496
    layer = bv.stat_map((data, AFFINE), threshold=0.001, outline=False)
    bar = bv.colorbar(layer)
    low, high = bar.range
    assert high == pytest.approx(0.00496, rel=1e-3)
    # nilearn's end tick 0.005 lies beyond the table: drawn at the end, labelled 0.005.
    assert bar.ticks.min() >= low and bar.ticks.max() <= high
    assert bar.labels[0] == "-0.005" and bar.labels[-1] == "0.005"
    fig.render()
    # Every label is drawn (VTK drops labels outside its range without a word).
    assert bar.actor.GetCustomLabels().GetNumberOfTuples() == len(bar.labels)


def test_long_tick_labels_inside_image(fig):
    fig_white = bv.figure(size=(400, 400), bgcolor="white", antialias=False)
    data = SIGNED[0] * 2469.1357
    layer = bv.stat_map((data, AFFINE), threshold=1000.0, outline=False, mode="slices", bg=None)
    plain = fig_white.screenshot()
    bar = bv.colorbar(layer, title="a rather long title")
    assert max(len(label) for label in bar.labels) >= 7  # such as "1.2e+04"
    drawn = fig_white.screenshot()
    changed = np.any(drawn != plain, axis=2)
    columns = np.nonzero(changed.any(axis=0))[0]
    rows = np.nonzero(changed.any(axis=1))[0]
    # The bar and its text changed pixels, none of them in the outer 3 pixels.
    assert columns.size and columns.max() < drawn.shape[1] - 3
    assert rows.min() >= 3 and rows.max() < drawn.shape[0] - 3
    # The text is really drawn: dark pixels in the bar region, right of the colour strip.
    text = drawn[:, columns.min():].max(axis=2) < 100
    assert text.sum() > 50


def test_two_colorbars_do_not_overlap(fig):
    a = bv.stat_map(SIGNED, threshold=1.0, outline=False)
    b = bv.slices((np.arange(27.0).reshape(3, 3, 3) * 1000, np.eye(4)))
    bar_a, bar_b = bv.colorbar(a), bv.colorbar(b)
    fig.render()
    left_a, width_a = bar_a.actor.GetPosition()[0], bar_a.actor.GetWidth()
    left_b = bar_b.actor.GetPosition()[0]
    assert left_a + width_a <= left_b


# ------------------------------------------------------------- errors


def test_colorbar_bad_arguments_are_named(fig):
    layer = bv.stat_map(SIGNED, threshold=1.0, outline=False)
    with pytest.raises(bv.BrainviewTypeError, match="title"):
        bv.colorbar(layer, title=3)
    with pytest.raises(ValueError, match="n_labels"):
        bv.colorbar(layer, n_labels=1)
    with pytest.raises(TypeError, match="layer"):
        ColorBar("not a layer")
    bar = bv.colorbar(layer)
    with pytest.raises(ValueError, match="n_labels"):
        bar.n_labels = 50
    points = bv.points([[0, 0, 0]])
    with pytest.raises(ValueError, match="no colormap"):
        ColorBar(points)


def test_figure_redraws_after_the_bar_followed(fig):
    """The app redraws on ``figure.changed``: the last one comes after the bar was rebuilt."""
    layer = bv.stat_map(SIGNED, threshold=1.0, outline=False)
    bar = bv.colorbar(layer)
    seen = []
    fig.observe(lambda event: seen.append(list(bar.labels)), "changed")
    layer.threshold = 3.0
    assert seen and "3" in seen[-1]
