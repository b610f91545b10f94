"""nilearn's parameters with nilearn's meaning, checked against nilearn's own resolved values."""

import warnings

import nibabel as nib
import numpy as np
import pytest

from brainview.errors import BrainviewWarning
from brainview.layers import StatMap
from brainview.statmap_colors import color_range, is_diverging, stat_colors

AFFINE = np.diag([2.0, 2.0, 2.0, 1.0])


def _values(kind):
    values = np.random.default_rng(0).normal(size=400) * 2
    return {"signed": values, "positive": np.abs(values), "negative": -np.abs(values)}[kind]


def _nilearn_ranges(values, **kwargs):
    """nilearn's (vmin, vmax, cbar_vmin, cbar_vmax), its None colour-bar ends resolved as its bar does."""
    from nilearn.plotting._utils import get_colorbar_and_data_ranges

    cbar_vmin, cbar_vmax, vmin, vmax = get_colorbar_and_data_ranges(values, **kwargs)
    return (vmin, vmax, vmin if cbar_vmin is None else cbar_vmin, vmax if cbar_vmax is None else cbar_vmax)


@pytest.mark.parametrize("kind", ["signed", "positive", "negative"])
@pytest.mark.parametrize("symmetric", ["auto", True, False])
@pytest.mark.parametrize("vmin, vmax", [(None, None), (0.0, None), (1.0, None), (None, 3.0), (-2.0, None),
                                        (0.5, 4.0), (-3.0, 3.0)])
def test_one_sided_vmin_vmax_match_get_colorbar_and_data_ranges(kind, symmetric, vmin, vmax):
    values = _values(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn when a symmetric bar overrides vmin/vmax
        expected = _nilearn_ranges(values, vmin=vmin, vmax=vmax, symmetric_cbar=symmetric)
        ours = color_range(values, vmin=vmin, vmax=vmax, symmetric=symmetric)
    if expected[0] >= expected[1]:  # nilearn's range is inverted (vmin=1 on a negative map): ours stays usable
        assert ours.vmax > ours.vmin
        return
    assert tuple(ours) == pytest.approx(expected)


def test_symmetric_override_of_vmin_vmax_warns_as_nilearn():
    with pytest.warns(BrainviewWarning, match="symmetric"):
        ours = color_range(_values("signed"), vmin=-1.0, vmax=4.0, symmetric=True)
    with pytest.warns(UserWarning):
        expected = _nilearn_ranges(_values("signed"), vmin=-1.0, vmax=4.0, symmetric_cbar=True)
    assert tuple(ours) == pytest.approx(expected)


@pytest.mark.parametrize("vmax", [None, 3.0])
def test_plot_abs_range_is_nilearns_from_zero(vmax):
    """plot_glass_brain(plot_abs=True): force_min_stat_map_value=0 over |value|."""
    values = _values("signed")
    expected = _nilearn_ranges(np.abs(values), vmax=vmax, symmetric_cbar="auto", force_min_stat_map_value=0)
    assert tuple(color_range(values, vmax=vmax, plot_abs=True)) == pytest.approx(expected)


def test_layer_takes_nilearns_names_vmin_plot_abs_symmetric_cbar():
    values = _values("signed").reshape(4, 10, 10)
    layer = StatMap((values, AFFINE), threshold=0.5, vmin=-1.0, symmetric_cbar=False, outline=False)
    assert tuple(layer.color_range) == pytest.approx(_nilearn_ranges(values, vmin=-1.0, symmetric_cbar=False))
    clone = StatMap(**layer.get_params())
    assert clone.get_params()["symmetric_cbar"] is False and clone.color_range == layer.color_range
    layer.symmetric_cbar = "auto"
    assert layer.color_range.vmin == pytest.approx(-layer.color_range.vmax)


def test_plot_abs_shows_magnitudes_with_one_sided_colours_and_keeps_signed_values():
    data = np.zeros((12, 12, 12))
    data[2:5, 2:5, 2:5], data[7:10, 7:10, 7:10] = 4.0, -4.0
    layer = StatMap((data, AFFINE), threshold=1.0, plot_abs=True, outline=False)
    assert (layer.color_range.cbar_vmin, layer.color_range.cbar_vmax) == (0.0, 4.0)
    rgb = layer.mode_props.mesh.point_data["rgb"].astype(float)
    assert layer.mode_props.mesh.n_points and (rgb[:, 0] > rgb[:, 2]).all()  # every part red (RdBu_r's top)
    assert layer.value_at([16.0, 16.0, 16.0]) == -4.0  # the signed value is read back
    layer.plot_abs = False
    rgb = layer.mode_props.mesh.point_data["rgb"].astype(float)
    assert (rgb[:, 2] > rgb[:, 0]).any() and layer.color_range.vmin == -4.0


def test_plot_abs_with_negative_vmin_warns_once_as_nilearn():
    values = _values("signed").reshape(4, 10, 10)
    with pytest.warns(BrainviewWarning, match="negative but plot_abs") as record:
        layer = StatMap((values, AFFINE), threshold=1.0, vmin=-1.0, plot_abs=True, outline=False)
        layer.colorbar_ticks(), layer.colorbar_table(), layer.draw_state
    assert len([w for w in record if "plot_abs" in str(w.message)]) == 1


def test_sequential_colormap_with_vmin_zero_is_not_split_in_halves():
    """A positive map in "hot" from vmin=0: nilearn's linear norm over the whole map."""
    import matplotlib

    assert not is_diverging("hot") and not is_diverging("viridis") and is_diverging("RdBu_r")
    values = np.linspace(0.0, 6.0, 7)[:, None, None] * np.ones((7, 2, 2))
    layer = StatMap((values, AFFINE), threshold=0.0, vmin=0, cmap="hot", outline=False)
    vmin, vmax, _, _ = _nilearn_ranges(values.ravel(), vmin=0, symmetric_cbar="auto")
    expected = matplotlib.colormaps["hot"](matplotlib.colors.Normalize(vmin, vmax)(values.ravel()))
    np.testing.assert_allclose(stat_colors(values.ravel(), layer.cmap, layer.color_range), expected)
    table = layer.colorbar_table()[0]
    assert table.GetRange() == pytest.approx((0.0, 6.0))


# ------------------------------------------------------------- lists and tuples of images


def _nifti(value, shape=(4, 4, 4)):
    return nib.Nifti1Image(np.full(shape, value, dtype=np.float32), AFFINE)


def test_tuple_of_two_images_is_concatenated_not_read_as_array_affine_pair(tmp_path):
    from brainview.io import load_image

    first, second = _nifti(1.0), _nifti(-2.0)
    nib.save(second, tmp_path / "second.nii")
    for images in ((first, second), [first, tmp_path / "second.nii"], (first, (second.get_fdata(), AFFINE))):
        image = load_image(images, volume=1)
        assert image.shape == (4, 4, 4) and float(image.data[0, 0, 0]) == -2.0
        np.testing.assert_allclose(image.affine, AFFINE)
    pair = load_image((np.full((4, 4, 4), 3.0), AFFINE))  # an (array, affine) pair stays a pair
    assert pair.shape == (4, 4, 4) and float(pair.data[0, 0, 0]) == 3.0


def test_list_of_images_is_one_4d_image_whose_volume_picks():
    from nilearn.image import concat_imgs

    from brainview.errors import BrainviewValueError

    images = [_nifti(float(v)) for v in (1, 2, 3)]
    expected = concat_imgs(images).get_fdata()
    for index in range(3):
        layer = StatMap(images, volume=index, threshold=0.5, outline=False)
        np.testing.assert_array_equal(layer.image.data, expected[..., index])
    layer.volume = 0  # the 4-D image is kept: another volume without reading the list again
    np.testing.assert_array_equal(layer.image.data, expected[..., 0])
    assert layer.n_volumes == 3
    with pytest.raises(BrainviewValueError, match="volume"):
        StatMap(images, threshold=0.5, outline=False)
    with pytest.raises(BrainviewValueError, match=r"img\[1\]: shape"):
        StatMap([images[0], _nifti(1.0, shape=(4, 4, 5))], volume=0)


# ------------------------------------------------------------- connectome node_size


def test_nilearn_node_size_marker_area_warns_with_unit_and_conversion():
    from brainview.layers import Connectome

    matrix = np.array([[0, 1.0], [1.0, 0]])
    coords = [[-30, 0, 0], [30, 0, 0]]
    with pytest.warns(BrainviewWarning, match=r"diameter in mm.*marker area in points².*7\.1 mm") as record:
        layer = Connectome(matrix, coords, node_size=50)  # nilearn's plot_connectome default
    assert record[0].filename == __file__  # points at the caller's line
    assert layer.node_sizes().tolist() == [50.0, 50.0]  # drawn as given: no silent change of unit
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer.node_size = 7.0
        Connectome(matrix, coords, node_size=[4, 12])
    with pytest.warns(BrainviewWarning, match="marker area"):
        layer.node_size = [6, 80]


# ------------------------------------------------------------- surfaces: nilearn's range, threshold band

MESH = (np.array([[0, 0, 0], [40, 0, 0], [0, 40, 0], [0, 0, 40.0]]), np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]]))
VALUES = np.array([-1.0, 2.0, 3.0, 0.5])


@pytest.mark.parametrize("options", [{}, {"symmetric_cmap": True}, {"vmax": 2.5, "symmetric_cmap": True},
                                     {"vmin": 0.0}, {"vmin": -2.0, "symmetric_cmap": True}, {"vmax": 2.0}])
def test_surface_range_matches_nilearn_colorscale(options):
    from nilearn.plotting._engine_utils import colorscale

    from brainview.layers import Surface

    surface = Surface(MESH, VALUES, cmap="RdBu_r", **options)
    expected = colorscale("RdBu_r", VALUES, symmetric_cmap=bool(options.get("symmetric_cmap")),
                          vmin=options.get("vmin"), vmax=options.get("vmax"))
    assert surface.clim == pytest.approx((expected["vmin"], expected["vmax"]))
    assert surface.get_params()["clim"] is None


def test_surface_symmetric_cmap_is_live_and_exclusive_with_clim():
    from brainview.errors import BrainviewValueError
    from brainview.layers import Surface

    surface = Surface(MESH, VALUES)
    assert surface.clim == (-1.0, 3.0)
    surface.symmetric_cmap = True
    assert surface.clim == (-3.0, 3.0)
    with pytest.raises(BrainviewValueError, match="not both"):
        Surface(MESH, VALUES, clim=(0, 1), vmax=2.0)


def _strip_rgb(fig, bar):
    """RGB down the middle column of a colour bar's strip (its longest run of non-black pixels), top down."""
    image = fig.screenshot()
    x = bar.actor.GetPosition()[0]
    column = image[:, int((x + bar.actor.GetWidth() * bar.actor.GetBarRatio() / 2) * image.shape[1]), :3]
    drawn = np.r_[False, column.max(axis=1) > 0, False]
    edges = np.flatnonzero(np.diff(drawn.astype(int)))
    starts, ends = edges[::2], edges[1::2]
    longest = np.argmax(ends - starts)
    return column[starts[longest]:ends[longest]].astype(int)


def test_surface_colorbar_shows_threshold_band_in_grey():
    import brainview as bv

    fig = bv.figure(size=(300, 300), antialias=False)
    try:
        surface = bv.surface(MESH, VALUES, cmap="RdBu_r", symmetric_cmap=True, threshold=1.5)
        bar = bv.colorbar(surface)
        strip = _strip_rgb(fig, bar)
        middle = strip[len(strip) * 2 // 5: len(strip) * 3 // 5]  # values -0.6..0.6: under the threshold
        assert (np.abs(middle - 128) <= 2).all()
        ends = np.r_[strip[:len(strip) // 8], strip[-len(strip) // 8:]]
        assert (np.abs(ends - ends.mean(axis=1, keepdims=True)).max(axis=1) > 40).all()  # coloured ends
        surface.threshold = None
        assert not (np.abs(_strip_rgb(fig, bar) - 128) <= 2).all(axis=1).any()  # no band left
    finally:
        bv.close(fig)


def test_connectome_colorbar_greys_edges_below_edge_threshold():
    from vtkmodules.util.numpy_support import vtk_to_numpy

    from brainview.layers import Connectome

    matrix = np.array([[0, 0.9, -0.2], [0.9, 0, 0.5], [-0.2, 0.5, 0]])
    layer = Connectome(matrix, [[-40, 0, 0], [40, 0, 0], [0, 40, 0]], edge_threshold=0.4)
    table = layer.colorbar_table()[0]
    rgba, (low, high) = vtk_to_numpy(table.GetTable()), table.GetRange()
    centres = low + (np.arange(len(rgba)) + 0.5) / len(rgba) * (high - low)
    assert (rgba[np.abs(centres) < 0.4, :3] == 128).all() and not (rgba[np.abs(centres) > 0.4, :3] == 128).all()


# ------------------------------------------------------------- colour bar format and the atlas legend


def test_colorbar_format_follows_nilearns_cbar_tick_format():
    import brainview as bv
    from nilearn.plotting._utils import get_cbar_ticks

    from brainview.errors import BrainviewValueError

    values = _values("signed").reshape(4, 10, 10) * 3
    fig = bv.figure(size=(200, 150))
    try:
        layer = bv.stat_map((values, AFFINE), threshold=2.0, outline=False)
        bar = bv.colorbar(layer, format="%i")
        crange = layer.color_range
        np.testing.assert_allclose(bar.ticks, get_cbar_ticks(crange.cbar_vmin, crange.cbar_vmax, 2.0, tick_format="%i"))
        assert bar.labels == ["%i" % t for t in bar.ticks] and bar.actor.GetLabelFormat() == "%i"
        bar.format = lambda value: f"{value:+.1f}"
        assert bar.labels[-1].startswith("+") and not bar.actor.GetDrawTickLabels()
        fig.render()
        with pytest.raises(BrainviewValueError, match="cbar_tick_format"):
            bar.format = "{:.1f}"
    finally:
        bv.close(fig)


def test_colorbar_of_atlas_is_a_legend_of_names_and_colors_not_a_cmap_error():
    import brainview as bv
    from brainview.render.legend import Legend

    data = np.zeros((12, 12, 12), np.uint8)
    data[1:5, 1:5, 1:5], data[6:10, 6:10, 6:10] = 1, 2
    fig = bv.figure(size=(300, 200), antialias=False)
    try:
        atlas = bv.atlas((data, AFFINE), labels={1: "Precentral", 2: "Insula"}, colors={1: "red", 2: (0, 0, 1)})
        legend = bv.colorbar(atlas)
        assert isinstance(legend, Legend)
        assert legend.entries == [("Precentral", (1.0, 0.0, 0.0)), ("Insula", (0.0, 0.0, 1.0))]
        image = fig.screenshot()
        actor = legend.actor
        names = [actor.GetEntryString(i) for i in range(actor.GetNumberOfEntries())]
        assert names == ["atlas", "Precentral", "Insula"]
        assert [actor.GetEntryColor(i) for i in (1, 2)] == [(1.0, 0.0, 0.0), (0.0, 0.0, 1.0)]
        left = int(actor.GetPositionCoordinate().GetValue()[0] * image.shape[1])
        box = image[:, left:, :3].astype(int)
        assert ((box[..., 0] > 200) & (box[..., 2] < 50)).any() and ((box[..., 2] > 200) & (box[..., 0] < 50)).any()
        atlas.colors = {2: "lime"}
        assert legend.entries[1] == ("Insula", (0.0, 1.0, 0.0))
        assert fig.colorbar_specs()[0]["n_labels"] == 20
    finally:
        bv.close(fig)


def test_scene_file_and_script_keep_tick_format_legend_and_nilearn_params(tmp_path):
    import brainview as bv
    from brainview.render.legend import Legend

    data = np.zeros((12, 12, 12), np.uint8)
    data[1:5, 1:5, 1:5] = 1
    signed = _values("signed").reshape(4, 10, 10)
    fig = bv.figure(size=(200, 150))
    try:
        stat = bv.stat_map((signed, AFFINE), threshold=1.0, vmin=0.5, symmetric_cbar=False, plot_abs=True,
                           outline=False)
        bv.colorbar(stat, format="%.1f")
        bv.colorbar(bv.atlas((data, AFFINE), labels={1: "V1"}), n_labels=5)
        bv.save_scene(tmp_path / "fig.json")
        bv.export_script(tmp_path / "fig.py")
    finally:
        bv.close(fig)
    loaded = bv.load_scene(tmp_path / "fig.json")
    try:
        bar, legend = loaded.colorbars
        assert bar.format == "%.1f" and isinstance(legend, Legend) and legend.names == ["V1"] and legend.n_labels == 5
        params = loaded.layers[0].get_params()
        assert (params["vmin"], params["symmetric_cbar"], params["plot_abs"]) == (0.5, False, True)
    finally:
        bv.close(loaded)
    script = (tmp_path / "fig.py").read_text()
    assert "format='%.1f'" in script and "plot_abs=True" in script
