"""bv.lines (mlab's plot3d): one polydata of many lines, scalars or one colour, tubes, picking."""

import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewError, BrainviewTypeError, BrainviewValueError
from brainview.layers import Lines


def pixel_of(fig, xyz):
    renderer = fig.renderer
    renderer.SetWorldPoint(*xyz, 1.0)
    renderer.WorldToDisplay()
    x, y, _ = renderer.GetDisplayPoint()
    return int(round(fig.size[1] - 1 - y)), int(round(x))


def test_many_lines_are_one_polydata_with_points_unchanged():
    lines = [np.array([[0, 0, 0], [10, 0, 0.0]]), np.array([[0, 5, 0], [5, 5, 5], [10, 5, 0.0]])]
    layer = Lines(lines)
    assert layer.n_lines == 2 and layer.mesh.GetNumberOfLines() == 2 and layer.mesh.GetNumberOfPoints() == 5
    assert np.array_equal(layer.line_points, np.concatenate(lines))
    assert layer.offsets.tolist() == [0, 2, 5]
    assert Lines(np.zeros((4, 10, 3))).n_lines == 4  # (n_lines, n, 3)
    assert Lines([[0, 0, 0], [1, 1, 1]]).n_lines == 1  # nested lists: one line


def test_scalars_colour_through_the_map_with_a_colour_bar(fig):
    x = np.linspace(-40, 40, 81)
    layer = fig.add(Lines(np.column_stack([x, 0 * x, 0 * x]), scalars=x, cmap="RdBu_r", line_width=6.0))
    assert layer.clim == (-40.0, 40.0)
    lut, title = layer.colorbar_table()
    assert title == "lines" and lut.GetRange() == (-40.0, 40.0)
    fig.view("superior")
    pixels = fig.screenshot().astype(int)
    row, col = pixel_of(fig, (-35, 0, 0))
    assert pixels[row, col, 2] > pixels[row, col, 0] + 50  # low end of RdBu_r: blue
    row, col = pixel_of(fig, (35, 0, 0))
    assert pixels[row, col, 0] > pixels[row, col, 2] + 50
    layer.clim = (-400, -300)  # everything above the range: red
    pixels = fig.screenshot().astype(int)
    row, col = pixel_of(fig, (-35, 0, 0))
    assert pixels[row, col, 0] > pixels[row, col, 2] + 50


def test_one_colour_and_live_traits(fig):
    layer = fig.add(Lines([[-30, 0, 0], [30, 0, 0]], color="lime", line_width=6.0))
    fig.view("superior")
    pixels = fig.screenshot()
    row, col = pixel_of(fig, (0, 0, 0))
    assert pixels[row, col].tolist() == [0, 255, 0]
    layer.color = "red"
    assert fig.screenshot()[row, col].tolist() == [255, 0, 0]
    assert layer.colorbar_table() is None and layer.value_at((0, 0, 0)) is None
    layer.points = [[-30, 10, 0], [30, 10, 0]]
    assert layer.line_points[0, 1] == 10
    assert layer.get_params()["points"] == [[-30, 10, 0], [30, 10, 0]]


def test_tubes_are_closed_and_follow_the_radius(fig):
    layer = fig.add(Lines([[0, 0, 0], [20, 0, 0]], tube_radius=1.0, tube_sides=6))
    tube = fig.drawer(layer).actor.GetMapper().GetInputAlgorithm()
    tube.Update()
    assert tube.GetCapping() and tube.GetNumberOfSides() == 6
    assert np.allclose(tube.GetOutput().GetBounds()[2:4], (-1.0, 1.0), atol=0.15)
    layer.tube_radius = 3.0
    tube.Update()
    assert np.allclose(tube.GetOutput().GetBounds()[2:4], (-3.0, 3.0), atol=0.5)
    layer.tube_radius = None
    assert fig.drawer(layer).actor.GetMapper().GetInput() is layer.mesh


def test_pick_returns_the_line_and_point(fig):
    from vtkmodules.vtkRenderingCore import vtkCellPicker

    lines = [np.array([[-30, -10, 0], [0, -10, 0], [30, -10, 0.0]]), np.array([[-30, 10, 0], [30, 10, 0.0]])]
    layer = fig.add(Lines(lines, line_width=5.0))
    fig.view("superior")
    fig.screenshot()
    row, col = pixel_of(fig, (2, 10, 0))
    picker = vtkCellPicker()
    picker.SetTolerance(0.005)
    assert picker.Pick(col, fig.size[1] - 1 - row, 0, fig.renderer)
    item = fig.drawer(layer).item_at(picker.GetViewProp(), picker.GetCellId(), picker.GetPointId(),
                                     picker.GetPickPosition())
    assert item["line"] == 1


@pytest.mark.parametrize("points, options, error, words", [
    ([], {}, BrainviewValueError, "no lines"),
    (np.zeros((4, 2)), {}, BrainviewValueError, "(4, 2)"),
    ([[0, 0, np.nan], [1, 1, 1]], {}, BrainviewValueError, "line 0 holds NaN"),
    ("points.txt", {}, BrainviewTypeError, "load the file"),
    (np.zeros((3, 3)), dict(scalars=[1, 2]), BrainviewValueError, "scalars"),
    (np.zeros((3, 3)), dict(scalars=[np.nan] * 3), BrainviewValueError, "NaN"),
    (np.zeros((3, 3)), dict(tube_radius=-1), BrainviewValueError, "tube_radius"),
    (np.zeros((3, 3)), dict(tube_sides=2), BrainviewValueError, "tube_sides"),
    (np.zeros((3, 3)), dict(color="nope"), BrainviewValueError, "color"),
])
def test_odd_inputs_get_named_errors(points, options, error, words):
    with pytest.raises(error) as caught:
        Lines(points, **options)
    assert words in str(caught.value) and isinstance(caught.value, BrainviewError)


def test_verb_and_inputs_unchanged():
    points = np.zeros((5, 3))
    points[:, 0] = np.arange(5)
    before = points.copy()
    bv.figure(size=(60, 60))
    try:
        layer = bv.lines(points, scalars=np.arange(5.0))
        assert isinstance(layer, Lines)
    finally:
        bv.close("all")
    assert np.array_equal(points, before)
