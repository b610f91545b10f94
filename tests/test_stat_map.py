"""Stat maps: colour rules (vs nilearn), thresholds in geometry and pixels, inputs, bad inputs."""

from __future__ import annotations

import warnings

import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewError, BrainviewWarning
from brainview.layers import StatMap, StatMapGroup
from brainview.layers.stat_map import cut_coords
from brainview.statmap_colors import (MIN_CHROMA, ColorRange, color_range, colorbar_ticks, default_cmap,
                                      stat_colors, value_colors)

AFFINE = np.diag([2.0, 2.0, 2.0, 1.0])
AFFINE[:3, 3] = -30.0


def _blob(center_ijk, sigma=2.5, amplitude=5.0, shape=(31, 31, 31)):
    ijk = np.indices(shape).reshape(3, -1).T
    d2 = ((ijk - np.asarray(center_ijk)) ** 2).sum(1)
    return (amplitude * np.exp(-d2 / (2 * sigma ** 2))).reshape(shape).astype(np.float32)


@pytest.fixture(scope="module")
def signed_map():
    """+5 peak at world (-10, 0, 0) (voxel 10,15,15); -4 peak at world (+10, 0, 0)."""
    data = _blob((10, 15, 15)) - _blob((20, 15, 15), amplitude=4.0)
    return data, AFFINE


POSITIVE_MAP = (_blob((15, 15, 15)), AFFINE)


def _no_warn():
    return warnings.catch_warnings(record=True)


# ------------------------------------------------------------- colour rules vs nilearn


@pytest.mark.parametrize("symmetric", [True, False, "auto"])
@pytest.mark.parametrize("vmax", [None, 3.0])
@pytest.mark.parametrize("kind", ["signed", "positive", "negative"])
def test_color_range_matches_nilearn(symmetric, vmax, kind):
    from nilearn.plotting._utils import get_colorbar_and_data_ranges

    rng = np.random.default_rng(0)
    values = rng.normal(size=500) * 2
    values = {"signed": values, "positive": np.abs(values), "negative": -np.abs(values)}[kind]
    ours = color_range(values, vmax=vmax, symmetric=symmetric)
    cbar_vmin, cbar_vmax, vmin, vmax_ = get_colorbar_and_data_ranges(
        values, vmax=vmax, symmetric_cbar=symmetric)
    assert ours.vmin == pytest.approx(vmin) and ours.vmax == pytest.approx(vmax_)
    expected_cbar = (vmin if cbar_vmin is None else cbar_vmin, vmax_ if cbar_vmax is None else cbar_vmax)
    assert (ours.cbar_vmin, ours.cbar_vmax) == pytest.approx(expected_cbar)


@pytest.mark.parametrize("vmin, vmax, threshold", [
    (-8, 8, 3), (0, 8, 3), (-8, 0, 3), (-7.9, 7.9, 3.1), (-1e-3, 1e-3, 2e-4), (0, 10, None),
    (-5, 5, 4.9), (-5, 5, 0.1), (0, 1, 1e-6)])
def test_colorbar_ticks_match_nilearn(vmin, vmax, threshold):
    from nilearn.plotting._utils import get_cbar_ticks

    np.testing.assert_allclose(colorbar_ticks(vmin, vmax, threshold),
                               get_cbar_ticks(vmin, vmax, threshold))


def test_plot_stat_map_agrees_on_range_and_ticks(signed_map):
    """nilearn's 2-D figure of a map and brainview's layer use one scale and one bar."""
    import matplotlib

    matplotlib.use("Agg")
    from nilearn import plotting

    img = nib.Nifti1Image(signed_map[0], signed_map[1])
    display = plotting.plot_stat_map(img, threshold=1.5, vmax=4.5, bg_img=None,
                                     symmetric_cbar=True, cmap="cold_hot")
    layer = StatMap(img, threshold=1.5, vmax=4.5, outline=False)
    crange = layer.color_range
    assert (crange.vmin, crange.vmax) == pytest.approx((display._cbar.norm.vmin, display._cbar.norm.vmax))
    np.testing.assert_allclose(layer.colorbar_ticks(), display._cbar.get_ticks())
    display.close()


def test_value_colors_match_matplotlib_norm():
    import matplotlib

    values = np.array([-6.0, -2.0, 0.5, 3.0, 6.0])
    expected = matplotlib.colormaps["RdBu_r"](matplotlib.colors.Normalize(-4, 4, clip=True)(values))
    np.testing.assert_allclose(value_colors(values, "RdBu_r", -4, 4), expected)


def test_default_colormap_follows_nilearn_and_cold_hot_remains():
    import nilearn

    layer = StatMap(POSITIVE_MAP, outline=False)
    assert layer.cmap.name == nilearn.DEFAULT_DIVERGING_CMAP == default_cmap()
    assert layer.symmetric == "auto"
    layer.cmap = "cold_hot"
    assert layer.cmap.name == "cold_hot"
    layer.cmap = None  # back to the default
    assert layer.cmap.name == default_cmap()


@pytest.mark.parametrize("cmap", ["RdBu_r", "cold_hot", "cold_white_hot", "bwr", "coolwarm", "seismic"])
def test_every_value_above_threshold_has_a_clear_hue_of_its_sign(cmap):
    """The colour rule, at every value of a fine grid: chroma and red/blue side."""
    for crange in (ColorRange(-5.0, 5.0, -5.0, 5.0), ColorRange(0.0, 5.0, 0.0, 5.0),
                   ColorRange(-2.0, 8.0, -2.0, 8.0)):
        values = np.linspace(-10, 10, 2001)
        values = values[values != 0]
        rgb = stat_colors(values, cmap, crange)[:, :3]
        assert np.all(rgb.max(1) - rgb.min(1) >= MIN_CHROMA - 0.02)
        warm = rgb[:, 0] - rgb[:, 2]
        assert np.all(warm[values > 0] > 0.1) and np.all(warm[values < 0] < -0.1)


def test_symmetric_colours_are_nilearns_where_their_hue_is_clear():
    import matplotlib

    values = np.linspace(-6, 6, 121)
    ours = stat_colors(values, "RdBu_r", ColorRange(-5.0, 5.0, -5.0, 5.0))
    theirs = matplotlib.colormaps["RdBu_r"](matplotlib.colors.Normalize(-5, 5, clip=True)(values))
    clear = theirs[:, :3].max(1) - theirs[:, :3].min(1) >= MIN_CHROMA
    np.testing.assert_allclose(ours[clear], theirs[clear], atol=1 / 255)
    assert clear.mean() > 0.5


@pytest.mark.parametrize("cmap", [None, "cold_hot"])
@pytest.mark.parametrize("mode", ["contour", "slices"])
def test_positive_and_negative_blobs_differ_in_hue(fig, cmap, mode):
    """A +5 and a -5 blob at threshold 3, seen from above: each only in its own hue.

    The blobs are plateaus, so their isosurfaces take the end colours (cold_hot's
    ends are both white: two identical grey-white balls before the fix)."""
    data = np.clip(_blob((9, 15, 15), amplitude=20.0) - _blob((21, 15, 15), amplitude=20.0), -5, 5)
    layer = bv.stat_map((data, AFFINE), threshold=3.0, cmap=cmap, mode=mode, bg=None, outline=False)
    if mode == "slices":
        layer.cut_coords = (0.0, 0.0, 0.0)
    bv.view("superior")
    pixels = fig.screenshot().astype(int)
    warm = pixels[..., 0] > pixels[..., 2] + 40
    cold = pixels[..., 2] > pixels[..., 0] + 40
    left, right = np.s_[:, :200], np.s_[:, 200:]
    # World left (x < 0, the positive blob) is on the image's left seen from above.
    assert warm[left].sum() > 300 and cold[right].sum() > 300
    assert cold[left].sum() == 0 and warm[right].sum() == 0
    # And almost every drawn pixel has a hue: no grey-white ball (cold_hot's ends used to be white).
    # (Shaded edges and highlights are darker or paler: a hue of 20/255 there.)
    drawn = pixels.sum(axis=2) > 60
    hued_warm = pixels[..., 0] > pixels[..., 2] + 20
    hued_cold = pixels[..., 2] > pixels[..., 0] + 20
    assert hued_warm[left].sum() > 0.9 * drawn[left].sum()
    assert hued_cold[right].sum() > 0.9 * drawn[right].sum()


def test_default_crossing_point_is_not_a_cerebellar_speck():
    """The real motor map: nilearn's find_xyz_cut_coords picks the motor cortex; so do we."""
    from nilearn.plotting import find_xyz_cut_coords

    zmap = bv.datasets.load_motor_map()
    layer = StatMap(zmap, mode="slices", bg=None, outline=False)
    crossing = np.array(layer.mode_props.coords)
    expected = np.array(find_xyz_cut_coords(zmap))
    assert np.abs(crossing - expected).max() <= 3.0  # within one 3 mm voxel
    x, y, z = crossing
    assert x > 20 and -40 < y < -10 and z > 40  # right precentral gyrus, not z < -20
    data = np.abs(np.asarray(zmap.dataobj))
    peak = np.unravel_index(np.argmax(data), data.shape)
    assert (zmap.affine @ [*peak, 1])[2] < -20  # the largest |z| is the cerebellar speck


def test_crossing_point_follows_nilearn_at_the_given_threshold():
    from nilearn.plotting import find_xyz_cut_coords

    zmap = bv.datasets.load_motor_map()
    ijk = cut_coords(np.asarray(zmap.dataobj, dtype=float), 3.1)
    ours = zmap.affine[:3, :3] @ ijk + zmap.affine[:3, 3]
    np.testing.assert_allclose(ours, find_xyz_cut_coords(zmap, activation_threshold=3.1), atol=1e-3)


def test_crossing_point_of_empty_and_fully_thresholded_maps():
    assert cut_coords(np.zeros((5, 7, 9)), 1.0).tolist() == [2.0, 3.0, 4.0]
    data = np.zeros((5, 5, 5))
    data[1, 1, 1] = 1.0
    assert cut_coords(data, 5.0).tolist() == [1.0, 1.0, 1.0]


# ------------------------------------------------------------- threshold semantics


def test_contour_surfaces_lie_at_plus_and_minus_threshold(signed_map):
    from scipy.ndimage import map_coordinates

    layer = StatMap(signed_map, threshold=2.0, outline=False)
    mesh = layer.mode_props.mesh
    levels = np.asarray(mesh.point_data["level"])
    assert set(np.unique(levels)) == {-2.0, 2.0}
    ijk = layer.image.to_voxel(np.asarray(mesh.points)).T
    sampled = map_coordinates(signed_map[0], ijk, order=1)
    np.testing.assert_allclose(sampled, levels, atol=1e-3)
    # The positive surface wraps the positive blob (x < 0), the negative the negative one.
    points = np.asarray(mesh.points)
    assert points[levels > 0, 0].max() < 0 < points[levels < 0, 0].min()


def test_raising_the_threshold_shrinks_and_then_removes_a_part(signed_map):
    layer = StatMap(signed_map, threshold=1.0, outline=False)
    areas = []
    for threshold in (1.0, 2.0, 3.0):
        layer.threshold = threshold
        areas.append(layer.mode_props.mesh.area)
    assert areas[0] > areas[1] > areas[2] > 0
    layer.threshold = 4.5  # above the negative peak (4): only the positive blob remains
    assert np.all(np.asarray(layer.mode_props.mesh.point_data["level"]) > 0)


def test_vertices_take_their_sign_colour_and_vmax_clips(signed_map):
    layer = StatMap(signed_map, threshold=2.0, outline=False, cmap="RdBu_r")
    mesh = layer.mode_props.mesh
    rgb = np.asarray(mesh.point_data["rgb"]).astype(int)
    levels = np.asarray(mesh.point_data["level"])
    assert np.all(rgb[levels > 0, 0] > rgb[levels > 0, 2])   # positive: red side
    assert np.all(rgb[levels < 0, 2] > rgb[levels < 0, 0])   # negative: blue side
    layer.vmax = 2.0  # everything is beyond vmax: the end colours only
    rgb = np.asarray(layer.mode_props.mesh.point_data["rgb"]).astype(int)
    ends = (np.array(value_colors([2.0, -2.0], "RdBu_r", -2, 2))[:, :3] * 255).round()
    np.testing.assert_array_equal(np.unique(rgb, axis=0), np.unique(ends, axis=0))


def test_percentile_threshold_is_over_nonzero_absolute_values(signed_map):
    data = signed_map[0]
    layer = StatMap(signed_map, threshold="90%", outline=False)
    magnitudes = np.abs(data[data != 0])
    assert layer.threshold_value == pytest.approx(np.percentile(magnitudes, 90))
    assert np.mean(magnitudes >= layer.threshold_value) == pytest.approx(0.1, abs=0.01)


def test_slices_hide_voxels_below_threshold_in_pixels(signed_map):
    layer = StatMap(signed_map, threshold=2.0, mode="slices", bg=None)
    planes = layer.mode_props
    rgba = planes.plane_rgba(2)  # axial plane through the peak
    values, _, _ = __import__("brainview.geometry.volume", fromlist=["world_plane"]).world_plane(
        layer.image, 2, planes.coords[2])
    shown = rgba[..., 3] > 0
    assert shown.any()
    np.testing.assert_array_equal(shown, np.abs(np.nan_to_num(values)) >= 2.0)


@pytest.fixture(scope="module")
def rendered_blobs(signed_map):
    fig = bv.figure(size=(400, 400), bgcolor="black", antialias=False)
    layer = bv.stat_map(signed_map, threshold=2.0, outline=False, cmap="RdBu_r")
    bv.view("superior")
    image = bv.screenshot()
    yield fig, layer, image
    bv.close(fig)


def test_pixels_show_positive_red_left_and_negative_blue_right(rendered_blobs):
    _, _, image = rendered_blobs
    pixels = image.reshape(-1, 3).astype(int)
    columns = np.tile(np.arange(400), 400)
    red = (pixels[:, 0] > pixels[:, 2] + 40)
    blue = (pixels[:, 2] > pixels[:, 0] + 40)
    assert red.sum() > 100 and blue.sum() > 100
    # Seen from above with anterior up, world left (x < 0) is on the image's left.
    assert columns[red].mean() < 200 < columns[blue].mean()


def test_pixels_disappear_when_threshold_exceeds_a_peak(rendered_blobs):
    _, layer, _ = rendered_blobs
    layer.threshold = 4.5
    image = bv.screenshot().reshape(-1, 3).astype(int)
    assert not np.any(image[:, 2] > image[:, 0] + 40)  # the negative blob (peak 4) is gone
    assert np.any(image[:, 0] > image[:, 2] + 40)
    layer.threshold = 2.0


# ------------------------------------------------------------- live traits and modes


@pytest.mark.parametrize("mode", ["volume", "slices", "contour"])
def test_mode_switch_swaps_props_in_the_figure(fig, signed_map, mode):
    layer = bv.stat_map(signed_map, threshold=2.0, bg=None)
    drawer = fig.drawer(layer)
    before = set(map(id, drawer.props()))
    layer.mode = mode
    props = fig.renderer.GetViewProps()
    in_renderer = {id(props.GetItemAsObject(i)) for i in range(props.GetNumberOfItems())}
    assert set(map(id, drawer.props())) <= in_renderer
    if mode != "contour":
        assert not (before - set(map(id, drawer.props())) - {id(drawer.notice)}) & in_renderer
    assert fig.screenshot().any()


def test_live_traits_reject_bad_values(signed_map):
    layer = StatMap(signed_map, outline=False)
    for trait, value in [("threshold", -1), ("threshold", "high"), ("vmax", 0), ("mode", "3d"),
                         ("cmap", "not_a_map"), ("symmetric", "yes")]:
        with pytest.raises(BrainviewError, match=trait):
            setattr(layer, trait, value)


def test_colorbar_uses_the_stat_map_ticks(fig, signed_map):
    layer = bv.stat_map(signed_map, threshold=2.0, outline=False)
    bar = bv.colorbar(layer)
    top = layer.color_range.vmax
    labels = bar.actor.GetCustomLabels()
    drawn = [labels.GetValue(i) for i in range(labels.GetNumberOfTuples())]
    # nilearn's ticks, the rounded ends (5.0 for a top of 4.9987) drawn at the table's ends.
    np.testing.assert_allclose(drawn, np.clip(colorbar_ticks(-top, top, 2.0), -top, top))
    assert bar.labels == ["%.2g" % t for t in colorbar_ticks(-top, top, 2.0)]


# ------------------------------------------------------------- inputs


def test_accepts_path_nibabel_and_array_pair(tmp_path, signed_map):
    img = nib.Nifti1Image(signed_map[0], signed_map[1])
    path = tmp_path / "map.nii.gz"
    img.to_filename(path)
    meshes = [StatMap(x, threshold=2.0, outline=False).mode_props.mesh for x in (img, path, signed_map)]
    assert len({m.n_points for m in meshes}) == 1


def test_input_is_not_modified(signed_map):
    data = signed_map[0].copy()
    data[0, 0, 0] = np.nan
    before = data.copy()
    with _no_warn():
        StatMap((data, AFFINE), threshold=1.0, outline=False)
    np.testing.assert_array_equal(data, before)


def test_dict_gives_one_layer_per_class_and_a_selector(fig, signed_map):
    maps = {"face": signed_map, "house": (-signed_map[0], AFFINE), "chair": signed_map}
    group = bv.stat_map(maps, threshold=2.0, outline=False)
    assert isinstance(group, StatMapGroup)
    assert [layer.name for layer in fig.layers] == ["face", "house", "chair"]
    assert [layer.visible for layer in group.layers] == [True, False, False]
    group.selected = "house"
    assert [layer.visible for layer in group.layers] == [False, True, False]
    # Hidden classes draw nothing: every prop of theirs is invisible.
    assert [any(p.GetVisibility() for p in fig.drawer(layer).props()) for layer in group.layers] == \
        [False, True, False]
    with pytest.raises(ValueError, match="'face', 'house', 'chair'"):
        group.selected = "car"
    with pytest.raises(ValueError, match="available classes"):
        group["car"]
    with pytest.raises(ValueError, match="available classes"):
        bv.stat_map(maps, selected="car")


def test_regression_dict_with_beta(fig, signed_map):
    group = bv.stat_map({"beta": signed_map}, threshold=2.0, outline=False)
    assert group.classes == ["beta"] and group["beta"].visible
    assert fig.screenshot().any()


@pytest.fixture(scope="module")
def masker_and_mask():
    from nilearn.maskers import NiftiMasker

    mask = np.zeros((12, 12, 12), dtype=np.int8)
    mask[2:6, 3:9, 4:8] = 1
    mask_img = nib.Nifti1Image(mask, AFFINE)
    return NiftiMasker(mask_img).fit(), mask


def test_masker_and_coef_place_weights_where_the_mask_is(masker_and_mask):
    masker, mask = masker_and_mask
    coef = np.arange(1, mask.sum() + 1, dtype=float)
    fig = bv.figure(size=(64, 64))
    try:
        layer = bv.stat_map(coef, masker=masker, threshold=0.5, outline=False)
        data = np.asarray(layer.image.data)
        np.testing.assert_array_equal(data != 0, mask.astype(bool))
        np.testing.assert_allclose(np.sort(data[mask.astype(bool)]), coef)
        group = bv.stat_map(np.vstack([coef, -coef, coef]), masker=masker, outline=False)
        assert group.classes == [0, 1, 2]
    finally:
        bv.close(fig)


def test_coef_without_masker_or_with_wrong_length_is_explained(masker_and_mask):
    masker, mask = masker_and_mask
    with pytest.raises(TypeError, match="masker="):
        bv.stat_map(np.ones(int(mask.sum())))
    with pytest.raises(ValueError, match=rf"10 features.*{int(mask.sum())} voxels"):
        bv.stat_map(np.ones(10), masker=masker)
    with pytest.raises(TypeError, match="masker"):
        bv.stat_map(np.ones(10), masker="mask.nii")
    from nilearn.maskers import NiftiMasker

    with pytest.raises(ValueError, match="Fit the masker"):
        bv.stat_map(np.ones(10), masker=NiftiMasker())


def test_learnt_weight_map_overlaps_the_planted_pattern():
    from nilearn.maskers import NiftiMasker
    from sklearn.svm import LinearSVC

    from brainview.simulate import make_decoder_dataset

    data = make_decoder_dataset(n_samples=80, rng=3)
    masker = NiftiMasker(data["mask_img"], standardize="zscore_sample").fit()
    features = masker.transform(data["imgs"])
    clf = LinearSVC(C=0.01).fit(features, data["labels"])
    assert list(clf.classes_) == ["face", "house"]  # coef_ > 0 points to "house"
    weights = np.asarray(bv.layers.stat_map.load_stat_maps(clf.coef_[0], masker=masker).data)
    truth = -np.asarray(data["pattern_img"].dataobj)  # house-minus-face
    inside = np.asarray(data["mask_img"].dataobj).astype(bool)
    w, t = weights[inside], truth[inside]
    top = np.abs(w) >= np.percentile(np.abs(w), 99)
    assert (t[top] != 0).mean() > 0.1 > 20 * (t != 0).mean()  # >25x enriched over chance
    assert w[t > 0].mean() > 0 > w[t < 0].mean()
    assert np.corrcoef(w, t)[0, 1] > 0.1


# ------------------------------------------------------------- bad inputs


@pytest.mark.parametrize("values", [np.zeros((8, 8, 8)), np.full((8, 8, 8), np.nan)])
def test_empty_map_warns_once_shows_a_notice_and_saves(fig, tmp_path, values):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = bv.stat_map((values, np.eye(4)), threshold=1.0)
    assert len([w for w in caught if issubclass(w.category, BrainviewWarning)]) == 1
    assert "empty map" in str(caught[0].message)
    assert layer.empty and fig.drawer(layer).notice.GetVisibility()
    assert "empty map" in layer.notice and fig.drawer(layer).notice.GetInput() == layer.notice
    assert layer.mode_props.mesh.n_points == 0
    bv.savefig(tmp_path / "empty.png")
    assert (tmp_path / "empty.png").stat().st_size > 0


def test_threshold_above_the_maximum_warns_and_draws_nothing(fig, signed_map):
    with pytest.warns(BrainviewWarning, match="nothing above threshold 9"):
        layer = bv.stat_map(signed_map, threshold=9.0, outline=False)
    assert layer.empty and layer.mode_props.mesh.n_points == 0
    assert fig.screenshot().max() > 0  # the notice is drawn
    layer.threshold = 2.0
    assert not layer.empty and not fig.drawer(layer).notice.GetVisibility() and layer.notice == ""


@pytest.mark.parametrize("threshold, error", [(-1.0, ValueError), ("-5%", ValueError),
                                              ("abc", ValueError), ([1], TypeError)])
def test_bad_threshold(signed_map, threshold, error):
    with pytest.raises(error, match="threshold"):
        StatMap(signed_map, threshold=threshold, outline=False)


def test_4d_map_is_a_clear_error():
    with pytest.raises(ValueError, match="4-D image.*volume="):
        StatMap((np.zeros((4, 4, 4, 3)), np.eye(4)))


@pytest.mark.parametrize("bad, error, match", [
    ({}, ValueError, "empty dict"), ("missing.nii.gz", OSError, "not found"),
    (42, TypeError, "img"), (np.zeros((3, 3)), TypeError, "masker")])
def test_bad_inputs(bad, error, match):
    with pytest.raises(error, match=match):
        bv.layers.stat_map.load_stat_maps(bad) if isinstance(bad, dict) else StatMap(bad)


def test_slices_mode_over_the_default_mni_background(fig):
    """The default background (the MNI template) draws under the map in slices mode."""
    layer = bv.stat_map(bv.datasets.load_motor_map(), threshold=3.0, mode="slices")
    pixels = fig.screenshot()
    grey = (np.abs(pixels[..., 0].astype(int) - pixels[..., 2]) < 10) & (pixels[..., 0] > 60)
    warm = (pixels[..., 0] > 150) & (pixels[..., 2] < 80)
    assert grey.sum() > 1000, "anatomy shows"
    assert warm.sum() > 20, "supra-threshold voxels show in warm colours"
    assert layer.mode == "slices"


# ------------------------------------------------------------ files that cannot hurt (issue 11)


def test_huge_stat_map_gives_the_surface_of_the_plain_one(signed_map):
    data, affine = signed_map
    plain = StatMap((data, affine), threshold=2.0, outline=False)
    huge = StatMap((data * np.float32(2.0 ** 100), affine), threshold=2.0 * 2.0 ** 100, outline=False)
    np.testing.assert_array_equal(huge.mode_props.mesh.points, plain.mode_props.mesh.points)
    normals = np.asarray(huge.mode_props.mesh.point_data["Normals"])
    np.testing.assert_allclose(np.linalg.norm(normals, axis=1), 1.0, atol=1e-5)


def test_inflated_refuses_strings(signed_map):
    with pytest.raises(BrainviewError, match="inflated: expected True or False"):
        StatMap(signed_map, inflated="no", outline=False)


@pytest.mark.parametrize("bg, message", [(5, "^bg: expected"), ("/no/such/bg.nii", "^bg: file not found")])
def test_bad_background_is_refused_when_given_not_when_drawn(signed_map, bg, message):
    with pytest.raises(BrainviewError, match=message):
        StatMap(signed_map, bg=bg, outline=False)  # contour mode: the background is not drawn yet


# ------------------------------------------------------------- fine-grained updates (issue 19, point 6)


@pytest.fixture
def two_figures():
    figures = bv.figure(size=(80, 60), antialias=False), bv.figure(size=(80, 60), antialias=False)
    yield figures
    bv.close("all")


def _count_calls(monkeypatch, module, name):
    calls = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_threshold_step_extracts_once_scans_no_range_and_requests_one_render(
        monkeypatch, two_figures, signed_map):
    """Issue 19: a slider step ran four full-volume min/max scans and fired `changed` twice."""
    from brainview import colors, scene, statmap_colors
    from brainview.layers import _stat_modes

    layer = StatMap(signed_map, threshold="90%", outline=False)
    for fig in two_figures:
        fig.add(layer)
        fig.colorbar(layer)
    extractions = _count_calls(monkeypatch, _stat_modes, "isosurface")
    scans = _count_calls(monkeypatch, statmap_colors, "_finite_min_max")
    percentiles = _count_calls(monkeypatch, colors, "resolve_threshold")
    renders = _count_calls(monkeypatch, scene.Figure, "_layer_changed")
    bar_updates = []
    two_figures[0].colorbars[0].observe(bar_updates.append, "updated")
    layer.threshold = 2.5
    assert len(extractions) == 1, "one isosurface for both figures"
    assert all(np.size(args[0]) <= 2 for args in scans), "a range was scanned over the whole map"
    assert len(renders) == 2 and len(bar_updates) == 1  # one render request per figure, one bar update
    layer.threshold = "90%"
    layer.threshold = 2.5
    layer.threshold = "90%"
    # "90%" was resolved when the layer was made: not again (a percentile sorts the whole map).
    assert [args for args in percentiles if isinstance(args[0], str)] == [] and len(extractions) == 4
    for fig in two_figures:
        assert fig.drawer(layer).actor.GetMapper().GetInput() is layer.mode_props.mesh


def test_a_colour_change_recolours_without_re_extracting(monkeypatch, two_figures, signed_map):
    from brainview.layers import _stat_modes

    first, second = two_figures
    layer = first.add(StatMap(signed_map, threshold=2.0, cmap="bwr", outline=False))
    second.add(layer)
    mesh = layer.mode_props.mesh
    before = first.screenshot()
    extractions = _count_calls(monkeypatch, _stat_modes, "isosurface")
    layer.cmap = "cold_hot"
    layer.vmax = 3.0
    assert extractions == [] and layer.mode_props.mesh is mesh
    after = first.screenshot()
    assert not np.array_equal(before, after)
    np.testing.assert_array_equal(second.screenshot(), after)


def test_one_stat_map_in_two_figures_switches_mode_in_both_with_its_own_glass_brain(two_figures, signed_map):
    first, second = two_figures
    layer = first.add(StatMap(signed_map, threshold=2.0, outline=True))
    second.add(layer)
    outlines = [fig.drawer(layer).outline for fig in two_figures]
    assert outlines[0] is not None and outlines[1] is not None and outlines[0] is not outlines[1]
    layer.mode = "volume"
    np.testing.assert_array_equal(first.screenshot(), second.screenshot())
    layer.mode = "slices"
    assert all(fig.drawer(layer).outline is None for fig in two_figures)
    assert all(len(fig.drawer(layer).props()) == 4 for fig in two_figures)  # three planes, the notice
    np.testing.assert_array_equal(first.screenshot(), second.screenshot())


def test_a_bare_model_computes_no_geometry_until_read(monkeypatch, signed_map):
    from brainview.layers import _stat_modes

    extractions = _count_calls(monkeypatch, _stat_modes, "isosurface")
    layer = StatMap(signed_map, threshold=2.0, outline=False)
    layer.threshold = 3.0
    layer.cmap = "cold_hot"
    assert extractions == []
    assert layer.mode_props.mesh.n_points > 0 and len(extractions) == 1


# ------------------------------------------------- threshold step internals (issue 19, performance)


def _whole_volume_surface(data, affine, level):
    """The reference: bare flying edges over every voxel, moved to world mm."""
    import pyvista as pv
    from vtkmodules.vtkFiltersCore import vtkFlyingEdges3D

    from brainview.geometry.volume import index_image, index_to_world, transform_mesh

    image, axes = index_image(data)
    edges = vtkFlyingEdges3D()
    edges.SetInputData(image)
    edges.SetNumberOfContours(2)
    edges.SetValue(0, -level)
    edges.SetValue(1, level)
    edges.Update()
    return transform_mesh(pv.wrap(edges.GetOutput()), index_to_world(affine, axes))


def _oblique_map(order):
    from scipy.ndimage import gaussian_filter

    rng = np.random.default_rng(7)
    data = (gaussian_filter(rng.normal(size=(26, 30, 22)), 2.0) * 25).astype(np.float32)
    data[0:3, 4:9, 20:22] = 6.0  # a blob cut by three faces of the volume
    data = np.asfortranarray(data) if order == "F" else data
    oblique = np.array([[0.9, 0.2, 0.1, -10], [-0.15, 1.1, 0.3, 5], [0.05, -0.2, -1.3, 7], [0, 0, 0, 1]])
    return data, oblique


def _assert_same_mesh(mesh, reference):
    assert mesh.n_points == reference.n_points > 0
    np.testing.assert_array_equal(mesh.faces, reference.faces)
    np.testing.assert_array_equal(mesh.points, reference.points)
    np.testing.assert_array_equal(mesh.point_data["Normals"], reference.point_data["Normals"])


def test_a_threshold_step_draws_the_mesh_of_flying_edges_over_the_whole_volume():
    """The step contours only the box where the levels cross: the same triangles, normals and order."""
    data, oblique = _oblique_map("C")
    layer = StatMap((data, oblique), threshold=1.0, outline=False)
    for threshold in (1.0, 2.0, 4.0, 1.0):
        layer.threshold = threshold
        _assert_same_mesh(layer.mode_props.mesh, _whole_volume_surface(data, oblique, threshold))


@pytest.mark.parametrize("order", ["C", "F"])
def test_prepared_isosurfaces_equal_flying_edges_over_the_whole_volume(order):
    from brainview.geometry.volume import Isosurfaces
    from brainview.io import load_image

    data, oblique = _oblique_map(order)
    surfaces = Isosurfaces(load_image((data, oblique)), data=data)
    for level in (0.5, 3.0, 5.9):
        _assert_same_mesh(surfaces.extract([-level, level]), _whole_volume_surface(data, oblique, level))
    assert surfaces.extract([-100.0, 100.0]).n_points == 0
    first = surfaces.extract([-3.0, 3.0])
    again = surfaces.extract([-3.0, 3.0])  # the same levels twice: moved to world mm once each
    _assert_same_mesh(again, first)


def test_an_earlier_thresholds_mesh_keeps_its_points_after_the_next_step(signed_map):
    """Meshes of successive steps share no arrays: moving the new one to world mm leaves the old one."""
    layer = StatMap(signed_map, threshold=2.0, outline=False)
    first = layer.mode_props.mesh
    points, colors = np.array(first.points), np.array(first.point_data["rgb"])
    layer.threshold = 3.0
    layer.threshold = 2.0  # the same levels again: a new mesh, moved to world mm once
    np.testing.assert_array_equal(first.points, points)
    np.testing.assert_array_equal(layer.mode_props.mesh.points, points)
    np.testing.assert_array_equal(layer.mode_props.mesh.point_data["rgb"], colors)


def test_a_threshold_step_prepares_the_map_once(monkeypatch, signed_map):
    """The wrapping for VTK, the magnitude check and the slab ranges do not depend on the threshold."""
    from brainview.geometry import volume

    layer = StatMap(signed_map, threshold=2.0, mode="volume", outline=False)
    calls = {name: _count_calls(monkeypatch, volume, name)
             for name in ("index_image", "magnitude_scale", "_slab_ranges")}
    layer.mode = "contour"
    for threshold in (2.5, 3.0, 3.5):
        layer.threshold = threshold
        assert layer.mode_props.mesh.n_points > 0
    assert {name: len(made) for name, made in calls.items()} == {
        "index_image": 1, "magnitude_scale": 1, "_slab_ranges": 1}


def test_isosurface_refuses_an_extractor_prepared_for_another_image(signed_map):
    from brainview.geometry.volume import Isosurfaces, isosurface
    from brainview.io import load_image

    prepared = Isosurfaces(load_image(signed_map))
    with pytest.raises(BrainviewError, match="prepared"):
        isosurface(load_image(signed_map), [1.0], prepared=prepared)


def test_a_threshold_step_counts_no_slices_when_its_boxes_fit_the_memory_budget(monkeypatch, signed_map):
    """The budget check of an isosurface samples slices of the map (tens of ms at 1 mm): a step whose
    crossing boxes hold fewer edges than the budget allows skips it."""
    from brainview.geometry import volume

    layer = StatMap(signed_map, threshold=2.0, outline=False)
    assert layer.mode_props.mesh.n_points > 0
    counts = _count_calls(monkeypatch, volume, "crossing_count")
    for threshold in (2.5, 3.0):
        layer.threshold = threshold
    assert counts == []


def test_a_stat_map_mesh_over_the_memory_budget_is_refused():
    noise = np.random.default_rng(0).random((64, 64, 64)).astype(np.float32) - 0.5  # crossed everywhere
    with bv.set_limits(max_bytes=8 * 2**20):
        layer = StatMap((noise, np.eye(4)), threshold=0.01, outline=False)
        with pytest.raises(MemoryError, match="isosurface"):
            layer.mode_props  # noqa: B018
