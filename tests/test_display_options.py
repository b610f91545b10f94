"""FSLeyes' display options (issue 24): gamma, invert, a clipping range and colour files (LUTs).

Mathematical properties of the ramp first (gamma 1 is the identity, gamma is
monotone, inverting twice is the identity, clipping hides exactly the values
outside), then the same through every place a layer is drawn (3-D slices,
volumes, stat maps, the 2-D painters, the colour bar), the LUT files, the
errors, and round trips through scene files and exported scripts.
"""

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import brainview as bv
from brainview import colors
from brainview.errors import BrainviewError, BrainviewTypeError, BrainviewValueError, ImageLoadError
from brainview.io.lut_files import MAX_BYTES, read_colormap_file, read_region_table
from brainview.layers import Atlas, Slices, StatMap, Volume
from brainview.planes import plane_image
from brainview.render.painters import paint_slices, paint_stat_map, paint_volume
from brainview.scene import Figure

from test_fuzz import FUZZ, guarded_case

CMAPS = ["gray", "hot", "viridis", "cold_hot", "RdBu_r"]


def ramp_image(shape=(8, 8, 3)):
    """Values 0..1 rising along x (one value per x column), identity affine."""
    data = np.broadcast_to(np.linspace(0.0, 1.0, shape[0])[:, None, None], shape).astype(np.float32)
    return np.ascontiguousarray(data), np.eye(4)


# ------------------------------------------------------------ the ramp: mathematical properties


@pytest.mark.parametrize("cmap", CMAPS)
def test_gamma_one_and_no_invert_is_the_identity(cmap):
    colormap = colors.get_cmap(cmap)
    assert colors.display_cmap(colormap, gamma=1.0, invert=False) is colormap
    assert colors.display_cmap(colormap, gamma=1, symmetric=True) is colormap
    layer = Slices(ramp_image(), cmap=cmap, gamma=1.0)
    np.testing.assert_array_equal(colors.cmap_table(colors.shown_cmap(layer)), colors.cmap_table(cmap))


def test_gamma_bends_a_grey_ramp_to_t_power_gamma_monotonically():
    t = np.linspace(0.0, 1.0, 256)
    levels = {}
    for gamma in (0.25, 0.5, 1.0, 2.0, 4.0):
        grey = colors.cmap_table(colors.display_cmap("gray", gamma=gamma))[:, 0]
        np.testing.assert_allclose(grey, t ** gamma, atol=1.5 / 255)
        assert np.all(np.diff(grey) >= 0), f"gamma {gamma}: the ramp must rise"
        assert grey[0] == 0.0 and grey[-1] == 1.0, "gamma keeps both end colours"
        levels[gamma] = grey
    gammas = sorted(levels)
    for low, high in zip(gammas, gammas[1:]):
        assert np.all(levels[high] <= levels[low] + 1e-12), "a larger gamma never brightens"


def test_symmetric_gamma_keeps_the_centre_and_ends_and_bends_each_half():
    table = colors.cmap_table(colors.display_cmap("gray", gamma=2.0, symmetric=True))[:, 0]
    t = np.linspace(0.0, 1.0, 256)
    u = 2 * t - 1
    np.testing.assert_allclose(table, 0.5 + 0.5 * np.sign(u) * np.abs(u) ** 2, atol=1.5 / 255)
    assert table[0] == 0.0 and table[-1] == 1.0 and np.all(np.diff(table) >= 0)


@pytest.mark.parametrize("cmap", CMAPS)
@pytest.mark.parametrize("gamma", [1.0, 0.5, 3.0])
def test_invert_reverses_the_end_colours_and_twice_is_the_identity(cmap, gamma):
    base = colors.get_cmap(cmap)
    once = colors.display_cmap(base, gamma=gamma, invert=True)
    np.testing.assert_allclose(once(0.0), base(1.0), atol=1e-12)
    np.testing.assert_allclose(once(1.0), base(0.0), atol=1e-12)
    twice = colors.display_cmap(colors.display_cmap(base, invert=True), invert=True)
    np.testing.assert_allclose(colors.cmap_table(twice), colors.cmap_table(base), rtol=0, atol=1e-12)
    as_drawn = [(colors.cmap_table(c) * 255).round().astype(np.uint8) for c in (twice, base)]
    np.testing.assert_array_equal(*as_drawn)


def test_nan_exported_before_any_render_is_transparent_not_dark_red():
    # HTML export maps a slice's values through its table without a render: the NaN colour (VTK's
    # default dark red until the table is built) must already be the layer's transparent one.
    from vtkmodules.util.numpy_support import numpy_to_vtk

    table = colors.lookup_table("gray", (0, 1), transparent_nan=True)
    mapped = bv._vtk.vtk_to_numpy(table.MapScalars(numpy_to_vtk(np.array([np.nan, 1.0], np.float32)), 0, -1))
    assert mapped.tolist() == [[0, 0, 0, 0], [255, 255, 255, 255]]


def test_clip_hides_exactly_the_values_outside_bounds_included():
    values = np.array([-1.0, 0.0, 0.5, 1.0, 1.0001, np.nan, np.inf], np.float32)
    assert colors.clip_mask(values, (0.0, 1.0)).tolist() == [False, True, True, True, False, False, False]
    clipped = colors.clipped(values, (0.0, 1.0))
    assert np.isnan(clipped).tolist() == [True, False, False, False, True, True, True]
    assert colors.clipped(values, None) is values


@pytest.mark.parametrize("value, match", [
    (0, "gamma: expected a number from 0.01 to 100"), (-1, "gamma"), (float("nan"), "gamma"),
    ("2", "gamma"), (True, "gamma"), (1e6, "brightens the low end"),
])
def test_bad_gamma_is_refused_naming_the_parameter_value_and_fix(value, match):
    with pytest.raises(BrainviewValueError, match=match):
        Slices(ramp_image(), gamma=value)
    layer = Slices(ramp_image())
    with pytest.raises(BrainviewValueError, match="gamma"):
        layer.gamma = value
    assert layer.gamma == 1.0


@pytest.mark.parametrize("value", [(2, 1), (0, np.inf), "0-1", (1, 2, 3), 5])
def test_bad_clip_is_refused_naming_the_parameter_and_fix(value):
    with pytest.raises(BrainviewValueError, match=r"clip: expected .*(None|Swap)"):
        Volume(ramp_image(), clip=value)


def test_bad_invert_is_refused():
    with pytest.raises(BrainviewTypeError, match="invert: expected True or False"):
        StatMap(ramp_image(), invert="yes", outline=False)


# ------------------------------------------------------------ 3-D drawings


def _top_view(layer, size=(64, 64)):
    fig = Figure(size=size, antialias=False)
    fig.add(layer)
    fig.view("superior")
    return fig


def test_clip_makes_exactly_the_voxels_outside_transparent_in_3d_slices():
    layer = Slices(ramp_image(), axes="z", cmap="gray", clim=(0, 1), clip=(0.2, 0.7), coords=(3.5, 3.5, 1))
    fig = _top_view(layer)
    drawer = fig.drawer(layer)
    fig.screenshot()
    plane = bv._vtk.vtk_to_numpy(drawer.actors["z"].GetInput().GetPointData().GetScalars())
    values = layer.image.data[:, :, 1].T.ravel()  # VTK order: x fastest
    outside = (values < 0.2) | (values > 0.7)
    assert np.array_equal(np.isnan(plane), outside)
    lut = drawer.actors["z"].GetProperty().GetLookupTable()
    assert lut.GetNanColor()[3] == 0.0, "NaN (clipped) draws nothing"
    fig.close()


def test_slice_pixel_has_the_gamma_and_inverted_colour_of_its_value():
    data = np.full((10, 10, 3), 0.5, np.float32)
    data[5:] = 0.9
    layer = Slices((data, np.eye(4)), axes="z", cmap="gray", clim=(0, 1), coords=(4.5, 4.5, 1))
    fig = _top_view(layer, (100, 100))
    assert abs(int(fig.screenshot()[50, 30, 0]) - 128) <= 2
    layer.gamma = 2.0
    shot = fig.screenshot()
    assert abs(int(shot[50, 30, 0]) - round(255 * 0.5 ** 2)) <= 2      # 0.5 -> 0.25
    assert abs(int(shot[50, 70, 0]) - round(255 * 0.9 ** 2)) <= 3      # 0.9 -> 0.81
    layer.invert = True
    shot = fig.screenshot()
    assert abs(int(shot[50, 30, 0]) - round(255 * (1 - 0.5 ** 2))) <= 2
    layer.clip = (0.8, 1.0)
    assert fig.screenshot()[50, 30].tolist() == [0, 0, 0], "the clipped half shows the background"
    fig.close()


def test_volume_follows_gamma_invert_and_clip_in_its_transfer_functions():
    layer = Volume(ramp_image(), cmap="gray", clim=(0.0, 1.0), clip=(0.25, 0.75), ramp="flat", opacity=0.5)
    fig = Figure(size=(40, 40))
    fig.add(layer)
    drawer = fig.drawer(layer)
    opacity = drawer.actor.GetProperty().GetScalarOpacity()
    assert [opacity.GetValue(v) for v in (0.2, 0.3, 0.7, 0.8)] == [0.0, 0.5, 0.5, 0.0]
    color = drawer.actor.GetProperty().GetRGBTransferFunction()
    assert color.GetColor(0.0)[0] == pytest.approx(0.0, abs=0.01)
    layer.invert = True
    assert color.GetColor(0.0)[0] == pytest.approx(1.0, abs=0.01)
    layer.trait_set(invert=False, gamma=2.0)
    assert color.GetColor(0.5)[0] == pytest.approx(0.25, abs=0.02)
    layer.clip = None
    assert opacity.GetValue(0.9) == 0.5
    fig.close()


def test_stat_map_gamma_bends_each_sign_and_clip_hides_voxels_in_every_view():
    data = np.zeros((9, 9, 9), np.float32)
    data[1:4, 1:4, 1:4], data[5:8, 5:8, 5:8] = 2.0, -4.0
    layer = StatMap((data, np.eye(4)), threshold=1.0, vmax=4.0, cmap="RdBu_r", outline=False)
    before = paint_stat_map(layer)[2](np.array([2.0, -4.0]))
    layer.gamma = 2.0
    bent = paint_stat_map(layer)[2](np.array([2.0, -4.0]))
    assert not np.allclose(before[0], bent[0]), "gamma changes the colour of a mid value"
    np.testing.assert_allclose(before[1], bent[1], atol=0.02)  # the end colour is kept
    assert layer.draw_state.cmap == colors.shown_cmap(layer)
    layer.clip = (-5.0, 0.0)  # only the negative blob is drawn
    assert paint_stat_map(layer)[2](np.array([2.0, -4.0]))[:, 3].tolist() == [0.0, 1.0]
    mesh = layer.mode_props.mesh
    assert mesh.n_points and mesh.points[:, 0].min() > 4.0, "the positive blob left the 3-D contour"
    assert layer.color_range.vmax == 4.0 and layer.threshold_value == 1.0, "clip keeps range and threshold"


def test_contour_coloured_by_level_follows_gamma_and_invert_in_3d_2d_and_its_colour_bar():
    from brainview.layers import Contour
    from brainview.render.painters import paint_contour

    data = np.zeros((9, 9, 9), np.float32)
    data[2:7, 2:7, 2:7], data[3:6, 3:6, 3:6] = 1.0, 3.0
    layer = Contour((data, np.eye(4)), levels=[0.5, 2.0], cmap="gray", clim=(0.0, 4.0))
    fig = Figure(size=(40, 40))
    fig.add(layer)
    lut = fig.drawer(layer).actor.GetMapper().GetLookupTable()
    layer.trait_set(gamma=2.0, invert=True)
    rgb = [0.0, 0.0, 0.0]
    lut.GetColor(2.0, rgb)
    assert rgb[0] == pytest.approx(1 - 0.5 ** 2, abs=2 / 255)
    inner = paint_contour(layer)[2](np.array([3.0]))[0]
    assert inner[0] == pytest.approx(1 - 0.5 ** 2, abs=2 / 255)
    bar = layer.colorbar_table()[0]
    assert bar.GetTableValue(0)[:3] == (1.0, 1.0, 1.0), "the bar runs inverted"
    fig.close()
    with pytest.raises(BrainviewValueError, match="gamma"):
        Contour((data, np.eye(4)), gamma=0)


@pytest.mark.parametrize("mode", ["slices", "volume"])
def test_stat_map_3d_view_redraws_when_gamma_or_invert_change(mode):
    ijk = np.indices((12, 12, 12)) - 5.5
    data = (np.exp(-(ijk ** 2).sum(0) / 10.0) * 5).astype(np.float32)
    fig = Figure(size=(60, 60))
    layer = fig.add(StatMap((data, np.eye(4)), threshold=1.0, outline=False, cmap="RdBu_r", mode=mode, bg=None))
    plain = fig.screenshot()
    layer.invert = True
    inverted = fig.screenshot()
    assert np.abs(inverted.astype(int) - plain).sum() > 0
    layer.trait_set(invert=False, gamma=3.0)
    assert np.abs(fig.screenshot().astype(int) - plain).sum() > 0
    layer.gamma = 1.0
    np.testing.assert_array_equal(fig.screenshot(), plain)
    fig.close()


# ------------------------------------------------------------ 2-D painters and the colour bar


def test_clip_makes_exactly_the_voxels_outside_transparent_in_2d_planes():
    image = ramp_image()
    for layer in (Slices(image, clip=(0.3, 0.8), clim=(0, 1)), Volume(image, clip=(0.3, 0.8), clim=(0.0, 1.0))):
        plane = plane_image([layer], "axial", 1.0)
        values = layer.image.data[:, :, 1]  # the axial plane's values, x along columns
        shown = plane.rgba[..., 3] > 0
        expected = ((values >= 0.3) & (values <= 0.8)).T[::-1]  # rows: y from the top
        assert np.array_equal(shown, expected), layer.kind


def test_figure_cut_panels_follow_gamma_invert_and_clip():
    data = np.full((10, 10, 4), 0.5, np.float32)
    data[5:] = 0.9
    fig = Figure(size=(120, 120), views=["cuts:z"], cut_coords=[1.0], bgcolor="black")
    layer = fig.add(Slices((data, np.eye(4)), cmap="gray", clim=(0, 1)))
    centre = fig.screenshot()[60]
    left = int(np.argmax(centre[:, 0] > 100))  # the first column of the 0.5 half
    probe = left + 10
    assert abs(int(centre[probe, 0]) - 128) <= 2
    layer.gamma = 2.0
    assert abs(int(fig.screenshot()[60, probe, 0]) - 64) <= 2
    layer.invert = True
    assert abs(int(fig.screenshot()[60, probe, 0]) - 191) <= 2
    layer.clip = (0.8, 1.0)
    assert fig.screenshot()[60, probe].tolist() == [0, 0, 0]
    fig.close()


@pytest.mark.parametrize("painter, cls", [(paint_slices, Slices), (paint_volume, Volume)])
def test_painters_colour_a_value_with_gamma_and_invert(painter, cls):
    layer = cls(ramp_image(), cmap="gray", clim=(0.0, 1.0), gamma=2.0, invert=True)
    rgba = painter(layer)[2](np.array([0.5, 1.0], np.float32))
    assert rgba[0, 0] == pytest.approx(1 - 0.5 ** 2, abs=2 / 255)
    assert rgba[1, 0] == pytest.approx(0.0, abs=1 / 255)


def test_colour_bar_shows_the_inverted_gamma_ramp_and_the_clipped_band():
    layer = Slices(ramp_image(), cmap="hot", clim=(0, 1))
    fig = Figure(size=(60, 60))
    fig.add(layer)
    bar = fig.colorbar(layer)
    plain = bar.table.copy()
    layer.invert = True
    np.testing.assert_array_equal(bar.table, plain[::-1])
    layer.trait_set(invert=False, gamma=2.0)
    expected = (colors.cmap_table(colors.display_cmap("hot", gamma=2.0)) * 255).round().astype(np.uint8)
    np.testing.assert_array_equal(bar.table, expected)
    layer.clip = (0.5, 1.0)
    assert bar.table[:128, 3].max() == 0 and bar.table[128:, 3].min() == 255
    fig.close()


def test_html_export_carries_the_clipped_inverted_gamma_colours():
    pytest.importorskip("trame_vtk", reason="trame-vtk (brainview[html]) is not installed")
    from brainview.export import _html_props as html_props
    from brainview.export.html import figure_html

    fig = Figure(size=(120, 90), antialias=False)
    layer = fig.add(Slices(ramp_image(), axes="z", cmap="gray", clim=(0, 1), gamma=2.0, invert=True,
                           clip=(0.2, 0.9), coords=(3.5, 3.5, 1)))
    plane = html_props.textured_plane(fig.drawer(layer).actors["z"])
    rgba = np.asarray(plane.GetTexture().GetInput().GetPointData().GetScalars()).reshape(-1, 4)
    values = layer.image.data[:, :, 1].T.ravel()
    inside = (values >= 0.2) & (values <= 0.9)
    assert np.array_equal(rgba[:, 3] > 0, inside)
    expected = np.round(255 * (1 - np.clip(np.floor(values * 256) / 255, 0, 1) ** 2))
    assert np.abs(rgba[inside, 0].astype(int) - expected[inside]).max() <= 2
    fig.colorbar(layer)
    overlay = figure_html(fig)
    overlay = overlay[overlay.index('<div id="bv-overlay">'):]
    stops = [[float(v) for v in stop.split(",")] for stop in re.findall(r"rgba\(([0-9., ]+)\) [0-9.]+%", overlay)]
    assert len(stops) == 256
    shown = [stop for stop in stops if stop[3] > 0]
    assert len(shown) == round(256 * 0.7), "the bar is transparent outside the clipping range"
    assert shown[0][0] > 240 and shown[-1][0] < 60, "the bar runs inverted: white at its low end"
    fig.close()


# ------------------------------------------------------------ LUT files


def test_colour_files_parse_to_the_table_written(tmp_path):
    rng = np.random.default_rng(0)
    table = rng.integers(0, 256, size=(7, 3))
    (tmp_path / "ramp.cmap").write_text("\n".join(" ".join(f"{v / 255:.10f}" for v in row) for row in table))
    (tmp_path / "bytes.csv").write_text("r,g,b\n" + "\n".join(",".join(str(v) for v in row) for row in table))
    (tmp_path / "plain.txt").write_text("# colours\n" + "\n".join("\t".join(str(v) for v in row) for row in table))
    (tmp_path / "fsl.lut").write_text("\n".join(
        f"{label} {' '.join(f'{v / 255:.10f}' for v in row)} Region {label}"
        for label, row in zip(range(7, 0, -1), table[::-1])))  # written backwards: read in label order
    (tmp_path / "fs.txt").write_text("\n".join(
        f"{label} Region-{label} {' '.join(str(v) for v in row)} 0" for label, row in enumerate(table)))
    for name in ("ramp.cmap", "bytes.csv", "plain.txt", "fsl.lut", "fs.txt"):
        cmap = colors.get_cmap(str(tmp_path / name))
        np.testing.assert_allclose(cmap.colors, np.column_stack([table / 255, np.ones(7)]), atol=1e-9,
                                   err_msg=name)
    rgba = tmp_path / "alpha.csv"
    rgba.write_text("0,0,0,0\n1,0.5,0,1\n")
    assert colors.get_cmap(rgba).colors.tolist() == [[0, 0, 0, 0], [1, 0.5, 0, 1]]


@pytest.mark.parametrize("text, match", [
    ("", "holds no colour rows"), ("1 2\n", "not a colour"), ("0 0 0\n-0.5 0 0\n", "outside 0..1"),
    ("0 0 0\n300 0 0\n", "outside 0..255"), ("r,g,x\n1,2,3\n", "without r, g, b columns"),
    ("1 0 0 0 A\n2 0 0\n", "line 2 .* is not 'label r g b name'"), ("0 0 nan\n", "not a colour"),
])
def test_bad_colour_file_is_a_brainview_error_naming_parameter_file_and_fix(tmp_path, text, match):
    path = tmp_path / "bad.lut"
    path.write_text(text)
    with pytest.raises(BrainviewValueError, match=f"cmap: 'bad.lut' .*{match}|cmap: 'bad.lut'.*") as error:
        Slices(ramp_image(), cmap=str(path))
    assert "bad.lut" in str(error.value) and ("cmap" in str(error.value))
    with pytest.raises(BrainviewValueError, match=match):
        read_colormap_file(path)


def test_hostile_colour_files_are_refused_before_reading(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as stream:
        stream.truncate(MAX_BYTES + 1)
    with pytest.raises(BrainviewValueError, match="at most"):
        colors.get_cmap(big)
    (tmp_path / "one_line.csv").write_text("0," * 1_000_000)
    with pytest.raises(BrainviewValueError, match="line 1 is longer than 4,096 characters"):
        colors.get_cmap(tmp_path / "one_line.csv")
    (tmp_path / "rows.txt").write_text("0 0 0\n" * 70_000)
    with pytest.raises(BrainviewValueError, match="more than 65,536 rows"):
        colors.get_cmap(tmp_path / "rows.txt")
    binary = tmp_path / "binary.lut"
    binary.write_bytes(b"0 0 0\n\0\x01\x02")
    with pytest.raises(BrainviewValueError, match="binary file"):
        colors.get_cmap(binary)
    with pytest.raises(ImageLoadError, match="cmap: file not found"):
        colors.get_cmap(str(tmp_path / "missing.lut"))
    with pytest.raises(ImageLoadError, match="not a regular file"):
        colors.get_cmap(tmp_path)
    with pytest.raises(BrainviewValueError, match="unknown colormap 'hott'.*colour file"):
        colors.get_cmap("hott")


#: Colour cells: valid ones (0..1 or 0..255), and hostile ones.
FRACTIONS = st.floats(0, 1).map(lambda v: f"{v:.4g}")
CELLS = st.one_of(FRACTIONS, st.integers(0, 255).map(str),
                  st.sampled_from(["-1", "256", "nan", "inf", "1e400", "x", "0x10", "1,5"]))
GOOD_ROWS = st.lists(FRACTIONS, min_size=3, max_size=4).map(" ".join)
ROWS = st.one_of(*[GOOD_ROWS] * 8, st.lists(CELLS, min_size=1, max_size=5).map(" ".join),
                 st.text(alphabet="0123456789 .,-#\t\nabrgeE", max_size=30))


@FUZZ
@given(st.lists(ROWS, max_size=8),
       st.sampled_from(["x.lut", "x.cmap", "x.csv", "x.txt"]))
def test_any_colour_file_gives_a_colour_map_in_range_or_a_brainview_error(tmp_path_factory, lines, name):
    path = tmp_path_factory.mktemp("lut") / name
    path.write_text("\n".join(lines))
    with guarded_case():
        try:
            cmap = colors.get_cmap(path)
        except BrainviewError:
            return
    table = np.asarray(cmap.colors)
    assert table.ndim == 2 and table.shape[1] == 4 and len(table) >= 1
    assert np.isfinite(table).all() and table.min() >= 0 and table.max() <= 1


# ------------------------------------------------------------ atlases


def _atlas_data():
    data = np.zeros((8, 6, 6), np.uint8)
    data[1:4, 1:5, 1:5], data[4:7, 1:5, 1:5] = 1, 2
    return data


def test_atlas_colour_file_recolours_its_regions_live(tmp_path):
    fsl = tmp_path / "regions.lut"
    fsl.write_text("1 1.0 0.0 0.0 Left box\n2 0.0 0.0 1.0 Right box\n")
    freesurfer = tmp_path / "FreeSurferColorLUT.txt"
    freesurfer.write_text("0 Unknown 0 0 0 0\n1 Left 0 255 0 0\n2 Right 255 255 0 0\n99 Other 1 2 3 0\n")
    layer = Atlas((_atlas_data(), np.eye(4)), smooth=0, colors=str(fsl))
    assert layer.region_colors[:, :3].tolist() == [[255, 0, 0], [0, 0, 255]]
    fig = Figure(size=(40, 40))
    fig.add(layer)
    mesh_before = layer.mesh
    layer.colors = freesurfer
    table = fig.drawer(layer).actor.GetMapper().GetLookupTable()
    assert [table.GetTableValue(i)[:3] for i in range(2)] == [(0.0, 1.0, 0.0), (1.0, 1.0, 0.0)]
    assert layer.mesh is mesh_before, "recolouring extracts nothing again"
    assert plane_image([layer], "axial", 2.0).rgba[..., :3].max(axis=(0, 1)).tolist() == [255, 255, 0]
    assert layer.get_params()["colors"] == freesurfer
    fig.close()
    named = Atlas((_atlas_data(), np.eye(4)), smooth=0, lut=fsl)
    assert named.names == ["Left box", "Right box"] and named.region_colors[1, :3].tolist() == [0, 0, 255]
    assert read_region_table(fsl)[0] == {1: "Left box", 2: "Right box"}
    table = tmp_path / "atlas_lut.csv"  # the trial's atlas with a .csv LUT: names and 0..255 colours
    table.write_text("index,name,r,g,b\n1,Left box,0,128,255\n2,Right box,255,0,128\n")
    from_csv = Atlas((_atlas_data(), np.eye(4)), smooth=0, lut=str(table))
    assert from_csv.names == ["Left box", "Right box"]
    assert from_csv.region_colors[:, :3].tolist() == [[0, 128, 255], [255, 0, 128]]


@FUZZ
@given(st.lists(st.one_of(*[st.tuples(st.sampled_from(["1", "2"]), st.lists(FRACTIONS, min_size=3, max_size=3),
                                     st.just("Left"))] * 6,
                          st.tuples(st.sampled_from(["7", "x", "-1", "2.5", "99999999999"]),
                                    st.lists(CELLS, min_size=3, max_size=3), st.sampled_from(["B c", "", "1"])))
                .map(lambda row: " ".join([row[0], *row[1], row[2]])), max_size=4))
def test_any_atlas_colour_file_recolours_or_gives_a_brainview_error(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("atlas_lut") / "regions.lut"
    path.write_text("\n".join(rows))
    with guarded_case():
        try:
            layer = Atlas((_atlas_data(), np.eye(4)), smooth=0, colors=str(path))
        except BrainviewError:
            return
    table = layer.region_colors
    assert table.shape == (2, 4) and table.dtype == np.uint8


def test_atlas_refuses_gamma_and_invert_naming_the_parameter_and_what_to_use(tmp_path):
    with pytest.raises(BrainviewValueError, match=r"gamma: an atlas draws each region in its own colour.*colors="):
        Atlas((_atlas_data(), np.eye(4)), smooth=0, gamma=2.0)
    layer = Atlas((_atlas_data(), np.eye(4)), smooth=0, gamma=1, invert=False)
    with pytest.raises(BrainviewValueError, match=r"invert: .* no colour ramp to reverse.*bv.slices"):
        layer.invert = True
    assert layer.invert is False
    other = tmp_path / "other.lut"
    other.write_text("7 1 0 0 Seven\n")
    with pytest.raises(BrainviewValueError, match=r"colors: '.*other.lut' gives colours to none of this atlas"):
        layer.colors = str(other)


# ------------------------------------------------------------ parameters, scene files, scripts


def test_options_are_parameters_kept_as_given():
    layer = Slices(ramp_image(), gamma=2, invert=True, clip=[0.1, 0.9])
    params = layer.get_params()
    assert (params["gamma"], params["invert"], params["clip"]) == (2, True, [0.1, 0.9])
    assert (layer.gamma, layer.clip) == (2.0, (0.1, 0.9))
    layer.gamma = 0.5
    assert layer.get_params()["gamma"] == 0.5
    clone = Slices(**layer.get_params())
    assert (clone.gamma, clone.invert, clone.clip) == (0.5, True, (0.1, 0.9))


def test_display_options_and_colour_files_round_trip_through_scene_files_and_scripts(tmp_path):
    from brainview.export.scene_file import load_scene, save_scene
    from test_scene_file import _replay_in_fresh_process

    lut = tmp_path / "ramp.cmap"
    lut.write_text("0 0 1\n0 1 0\n1 0 0\n1 1 1\n")
    regions = tmp_path / "regions.lut"
    regions.write_text("1 1.0 0.5 0.0 Left box\n2 0.0 0.5 1.0 Right box\n")
    fig = Figure(size=(80, 60))
    layer = fig.add(Slices(ramp_image(), cmap=lut, clim=(0, 1), gamma=0.5, axes="z"))
    layer.trait_set(invert=True, clip=(0.1, 0.8))  # set after creation: they travel too
    fig.add(Atlas((_atlas_data(), np.eye(4)), smooth=0, colors=str(regions), opacity=0.5))
    fig.view("superior")
    expected = fig.screenshot()
    save_scene(fig, tmp_path / "options.bvscene")
    from brainview.export.script import export_script

    export_script(fig, tmp_path / "options.py")
    again = load_scene(tmp_path / "options.bvscene")
    reloaded = again.layers[0]
    assert (reloaded.gamma, reloaded.invert, reloaded.clip) == (0.5, True, (0.1, 0.8))
    assert Path(reloaded.get_params()["cmap"]).name == "ramp.cmap"
    again.close()
    fig.close()
    scene, script = _replay_in_fresh_process([(tmp_path / "options.bvscene", tmp_path / "scene.npy"),
                                              (tmp_path / "options.py", tmp_path / "script.npy")])
    np.testing.assert_array_equal(scene, expected)
    np.testing.assert_array_equal(script, expected)
