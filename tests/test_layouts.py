"""Layouts: several panels in one image (views=), cut panels, bv.grid."""

import runpy

import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewValueError
from brainview.layers import Points, Slices, StatMap
from brainview.planes import plane_image
from brainview.render.cut_panels import fit_plane, over_background
from brainview.render.layout import parse_views
from brainview.scene import Figure


def _stat_map(bg="mni152"):
    data = np.zeros((10, 12, 10))
    data[2:5, 4:7, 4:7] = 4.0
    data[6:8, 5:8, 3:5] = -5.0
    affine = np.diag([8.0, 8.0, 8.0, 1.0])
    affine[:3, 3] = (-40, -48, -40)
    return StatMap((data, affine), threshold=2.0, bg=bg)


def test_layout_panels_pixel_equal_to_single_view_renders():
    points = [[-30, 0, 0], [30, 10, 20], [0, -40, -10]]
    fig = Figure(size=(240, 90), views=["left", (30, 45), "superior"])
    fig.add(Points(points, size=12, color="red"))
    image = fig.screenshot()
    rects = fig.panel_rects()
    assert [w for _, _, w, _ in rects] == [80, 80, 80]
    for entry, (x, y, w, h) in zip(["left", (30, 45), "superior"], rects):
        single = Figure(size=(w, h))
        single.add(Points(points, size=12, color="red"))
        single.view(entry)
        alone = single.screenshot()
        single.close()
        assert alone.any()
        np.testing.assert_array_equal(image[y:y + h, x:x + w], alone)
    fig.close()


def test_cut_panel_shows_plane_image_over_the_background():
    layer = Slices((np.arange(10 * 12 * 8, dtype=float).reshape(10, 12, 8), np.eye(4) * [2, 2, 2, 1]),
                   clim=(0, 900))
    fig = Figure(size=(120, 100), views=["cuts:z"], cut_coords=[6.0], bgcolor="white")
    fig.add(layer)
    image = fig.screenshot()
    cut = fit_plane([layer], "z", 6.0, (120, 100))
    expected = plane_image([layer], "axial", 6.0, pixel_mm=abs(cut.steps[0])).rgba
    np.testing.assert_array_equal(cut.rgba, expected)
    rows, cols = expected.shape[:2]
    x0, y0 = (120 - cols) // 2, (100 - rows) // 2
    shown = image[y0:y0 + rows, x0:x0 + cols]
    drawn = over_background(expected, (1.0, 1.0, 1.0))
    keep = np.abs(np.arange(rows) - rows // 2) > 10  # the L/R letters sit at mid-height
    np.testing.assert_array_equal(shown[keep], drawn[keep])
    assert (image[:y0] == 255).all()  # the background above the plane
    fig.close()


def test_display_mode_strings_parsed_as_nilearn():
    from nilearn.plotting.displays import _projectors, _slicers

    for mode in ("lyrz", "lzry", "lyr", "lr", "l", "r"):
        letters = _projectors.PROJECTORS[mode]._cut_displayed
        assert parse_views(mode) == [[{"l": "left", "r": "right", "y": "posterior", "z": "superior"}[c]
                                      for c in letters]]
    for mode in ("x", "y", "z", "yx", "xz", "yz"):
        cls = _slicers.SLICERS[mode]
        letters = getattr(cls, "_cut_displayed", None) or cls._direction
        assert parse_views(mode) == [[f"cuts:{c}" for c in letters]]
    assert _slicers.SLICERS["mosaic"]._cut_displayed == "xyz"
    assert parse_views("mosaic") == [["cuts:x"], ["cuts:y"], ["cuts:z"]]
    assert parse_views("ortho") == [["cuts:ortho"]]
    assert parse_views([["left", "right"], ["cuts:x"]]) == [["left", "right"], ["cuts:x"]]


@pytest.mark.parametrize("views, named", [(["left", "cuts:w"], "'cuts:w'"), (["lefty"], "'lefty'"),
                                          ("lxq", "'lxq'"), ([[]], "empty"), ([(1, 2, 3)], "(1, 2, 3)")])
def test_bad_views_entry_names_the_entry_and_the_fix(views, named):
    with pytest.raises(BrainviewValueError, match="views") as error:
        Figure(views=views)
    assert named in str(error.value)
    if named != "empty":
        assert "cuts:ortho" in str(error.value)


def test_titles_need_one_per_panel():
    with pytest.raises(BrainviewValueError, match="titles: expected one title"):
        Figure(views=["left", "right"], titles=["only one"])


def test_layout_scene_file_round_trip_and_scale_2(tmp_path):
    fig = bv.figure(size=(160, 60), views=["left", "cuts:ortho"], titles=["3-D", None],
                    cut_coords=(0, -8, 0))
    layer = fig.add(_stat_map())
    fig.colorbar(layer)
    fig.savefig(tmp_path / "layout.png", scale=2)
    from PIL import Image

    saved = np.asarray(Image.open(tmp_path / "layout.png"))
    assert saved.shape[:2] == (120, 320)
    bv.save_scene(tmp_path / "layout.bvz")
    again = bv.load_scene(tmp_path / "layout.bvz")
    assert again.layout_spec == fig.layout_spec
    assert again.views == [["left", "cuts:ortho"]]
    np.testing.assert_array_equal(again.screenshot(), fig.screenshot())
    bv.close(again)
    bv.close(fig)


def test_exported_script_of_a_layout_makes_the_same_layout(tmp_path):
    fig = bv.figure(size=(120, 60), views=[["left"], [(10, 20)]], radiological=True)
    bv.points([[0, 0, 0], [20, 0, 0]])
    bv.export_script(tmp_path / "layout.py")
    expected = fig.screenshot()
    bv.close(fig)
    rebuilt = runpy.run_path(str(tmp_path / "layout.py"))["fig"]
    assert rebuilt.layout_spec == fig.layout_spec
    np.testing.assert_array_equal(rebuilt.screenshot(), expected)
    bv.close(rebuilt)


def test_pick_in_a_layout_picks_in_the_panel_under_the_pixel():
    layer = _stat_map(bg=None)  # no template: the cut covers the map's box, centred on (-4, -4)
    fig = Figure(size=(200, 100), views=["superior", "cuts:z"], cut_coords=[0.0])
    fig.add(layer)
    fig.render()
    (x3, y3, w3, h3), (xc, yc, wc, hc) = fig.panel_rects()
    hit = fig.pick(x3 + w3 // 2, y3 + h3 // 2)
    assert hit.layer is not None  # the glass brain or the map, in the 3-D panel
    centre = fig.pick(xc + wc // 2, yc + hc // 2)
    assert centre.world_xyz[2] == 0.0 and abs(centre.world_xyz[0]) < 8 and abs(centre.world_xyz[1]) < 8
    assert centre.values[layer.name] == layer.value_at(centre.world_xyz)
    fig.close()


def test_grid_one_panel_per_volume_with_shared_colours_and_scene_round_trip(tmp_path):
    data = np.zeros((6, 6, 6, 3))
    data[2:4, 2:4, 2:4] = [1.0, 2.0, -4.0]
    fig = bv.grid((data, np.eye(4) * [8, 8, 8, 1]), ncols=2, size=(200, 160), threshold=0.5, bg=None)
    assert fig.views == [["superior", "superior"], ["superior", None]]
    assert fig.layer_panels() == [0, 1, 2]
    assert {(layer.color_range.vmin, layer.color_range.vmax) for layer in fig.layers} == {(-4.0, 4.0)}
    assert len(fig.colorbars) == 1
    bv.save_scene(tmp_path / "grid.bvz")
    again = bv.load_scene(tmp_path / "grid.bvz")
    assert again.layer_panels() == [0, 1, 2]
    np.testing.assert_array_equal(again.screenshot(), fig.screenshot())
    bv.close(again)
    bv.close(fig)


def test_layout_panels_turn_with_the_figure_camera_for_movies(tmp_path):
    fig = bv.figure(size=(120, 60), views=["left", "superior"])
    bv.points([[-30, 0, 0], [30, 10, 20]], size=12, color="red")
    still = fig.screenshot()
    bv.movie(tmp_path / "turn.gif", orbit=90, n_frames=3)
    from PIL import Image

    assert Image.open(tmp_path / "turn.gif").n_frames == 3  # the frames differ: the panels turned
    fig.rotate(azimuth=45)
    x, y, w, h = fig.panel_rects()[1]
    assert (fig.screenshot()[y:y + h, x:x + w] != still[y:y + h, x:x + w]).any()
    fig.reset_camera()
    np.testing.assert_array_equal(fig.screenshot(), still)
    bv.close(fig)


def test_transparent_layout_has_alpha_0_around_the_panels_content():
    fig = Figure(size=(160, 60), views=["left", "cuts:z"], cut_coords=[0.0], bgcolor="white")
    fig.add(Points([[-30, 0, 0], [30, 10, 20]], size=12, color="red"))
    fig.add(Slices((np.ones((8, 8, 8)), np.eye(4) * [4, 4, 4, 1]), clim=(0, 1)))
    rgba = fig.screenshot(transparent=True)
    (x0, y0, w0, h0), (x1, y1, w1, h1) = fig.panel_rects()
    assert rgba[0, 0, 3] == 0 and rgba[y1, x1 + w1 - 1, 3] == 0  # the corners of both panels
    red = (rgba[..., 0] > 200) & (rgba[..., 1] < 80) & (rgba[..., 3] == 255)
    assert red[y0:y0 + h0, x0:x0 + w0].any()
    assert (rgba[y1 + h1 // 2 - 12:y1 + h1 // 2 + 12, x1 + w1 // 2, 3] == 255).all()  # the plane, opaque
    fig.close()
