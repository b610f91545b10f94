"""Every setting that changes the picture is a live trait (issue 10).

For each kind and each data parameter: setting it after creation draws the
picture of a layer constructed with that value from the start, the layer
keeps the value as given (``get_params``), and ``type(layer)(**layer.get_params())``
draws the same picture again. A refused value leaves the layer unchanged.

This file holds the image kinds (contour, volume, slices, stat_map,
glass_brain); tests/test_live_params_geo.py holds the geometry kinds.
"""

import warnings

import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewError
from brainview.layers import Contour, GlassBrain, Slices, StatMap, Volume

from test_api import AFFINE, _blob, _stat

SIZE = (120, 100)


@pytest.fixture(autouse=True)
def _close_all():
    yield
    bv.close("all")


def _shifted(data, shift=4):
    return np.roll(data, shift, axis=0).copy()


def _four_d(data):
    return np.stack([data, _shifted(data), data * 0.5], axis=-1)


def _screenshot(layer, camera=None):
    """A picture of ``layer`` alone in a new small figure; the camera it was taken with."""
    fig = bv.figure(size=SIZE, antialias=False)
    fig.add(layer)
    if camera is not None:
        fig.camera = camera
    return fig.screenshot(), fig.camera


def _check_live(make, name, before, after):
    """``make(**{name: before})`` then ``layer.<name> = after`` draws ``make(**{name: after})``."""
    expected, camera = _screenshot(make(**{name: after}))
    layer = make(**{name: before})
    fig = bv.figure(size=SIZE, antialias=False)
    fig.add(layer)
    fig.camera = camera
    first = fig.screenshot()
    setattr(layer, name, after)
    live = fig.screenshot()
    assert not np.array_equal(first, expected), f"{name}: the two values draw the same picture"
    np.testing.assert_array_equal(live, expected, err_msg=f"{name} set live")
    assert layer.get_params()[name] is after, f"{name}: get_params() does not return the value as given"
    clone, _ = _screenshot(type(layer)(**layer.get_params()), camera)
    np.testing.assert_array_equal(clone, expected, err_msg=f"{name}: clone from get_params()")
    return layer


# ------------------------------------------------------------ contour, volume, slices

_IMAGE_KINDS = {
    "contour": lambda **kw: Contour(**{"img": (_blob(), AFFINE), "level": 2.0, **kw}),
    "volume": lambda **kw: Volume(**{"img": (_blob(), AFFINE), "cmap": "hot", "clim": (1, 5), **kw}),
    "slices": lambda **kw: Slices(**{"img": (_blob(), AFFINE), "coords": (0, 0, 0), "clim": (0, 5), **kw}),
    "stat_map": lambda **kw: StatMap(**{"img": (_stat(), AFFINE), "threshold": 2.0, "outline": False,
                                        **kw}),
}


@pytest.mark.parametrize("kind", sorted(_IMAGE_KINDS))
def test_setting_img_draws_the_new_image(kind):
    make = _IMAGE_KINDS[kind]
    _check_live(make, "img", (_blob() if kind != "stat_map" else _stat(), AFFINE),
                (_shifted(_blob() if kind != "stat_map" else _stat()), AFFINE))


@pytest.mark.parametrize("kind", sorted(_IMAGE_KINDS))
def test_setting_volume_picks_another_volume_of_a_4d_image(kind):
    data = _stat() if kind == "stat_map" else _blob()
    four_d = (_four_d(data), AFFINE)
    make = _IMAGE_KINDS[kind]
    layer = _check_live(lambda **kw: make(img=four_d, **kw), "volume", 0, 1)
    with pytest.raises(BrainviewError, match="volume: must be an integer in 0..2"):
        layer.volume = 7
    assert layer.volume == 1 and layer.get_params()["volume"] == 1


@pytest.mark.parametrize("kind", sorted(_IMAGE_KINDS))
def test_a_refused_img_leaves_the_layer_unchanged(kind, tmp_path):
    layer = _IMAGE_KINDS[kind]()
    fig = bv.figure(size=SIZE, antialias=False)
    fig.add(layer)
    before = fig.screenshot()
    image = layer.image
    for bad, message in [(5, "img: expected"), (str(tmp_path / "missing.nii.gz"), "img: file not found"),
                         ((np.ones((4, 4)), AFFINE), "img: expected a 3-D image")]:
        with pytest.raises(BrainviewError, match=message):
            layer.img = bad
    assert layer.image is image and isinstance(layer.get_params()["img"], tuple)
    np.testing.assert_array_equal(fig.screenshot(), before)


def test_img_set_to_a_path_keeps_the_path_and_rederives_defaults(tmp_path):
    path = tmp_path / "doubled.nii.gz"
    nib.save(nib.Nifti1Image(_blob() * 2, AFFINE), path)
    layer = Contour((_blob(), AFFINE))
    layer.img = str(path)
    assert layer.get_params()["img"] == str(path) and layer.get_params()["level"] is None
    assert layer.level == Contour(str(path)).level  # the default level of the new image
    assert layer.name == "doubled.nii.gz"


def test_volume_clim_is_rederived_only_when_it_was_not_given():
    default = Volume((_blob(), AFFINE))
    default.img = (_blob() * 10, AFFINE)
    assert default.clim == Volume((_blob() * 10, AFFINE)).clim
    given = Volume((_blob(), AFFINE), clim=(1, 5))
    given.img = (_blob() * 10, AFFINE)
    assert given.clim == (1, 5)


def test_setting_coords_moves_the_planes():
    _check_live(_IMAGE_KINDS["slices"], "coords", (0, 0, 0), (6, -10, 4))


def test_slices_coords_and_x_y_z_stay_consistent():
    layer = Slices((_blob(), AFFINE))
    assert layer.get_params()["coords"] is None
    layer.coords = (6, -10, 4)
    assert (layer.x, layer.y, layer.z) == (6.0, -10.0, 4.0) and layer.plane_origin("y")[1] == -10.0
    layer.x = 2.0
    assert layer.coords == (2.0, -10.0, 4.0) and layer.get_params()["coords"] == (2.0, -10.0, 4.0)
    clone = Slices(**layer.get_params())
    for name, value in layer.get_state().items():
        setattr(clone, name, value)
    assert clone.coords == layer.coords
    with pytest.raises(BrainviewError, match="coords: expected three mm coordinates"):
        layer.coords = (1, 2)
    assert layer.coords == (2.0, -10.0, 4.0)


def test_slices_recentre_on_a_new_image_only_when_coords_were_not_given():
    layer = Slices((_blob(), AFFINE))
    layer.img = (_blob(), AFFINE @ np.diag([1, 1, 1, 1.0]) + np.array([[0, 0, 0, 10]] * 3 + [[0] * 4]))
    box = np.array(layer.image.world_bounds()).reshape(3, 2).mean(axis=1)
    np.testing.assert_allclose(layer.coords, box)


# ------------------------------------------------------------ stat_map


def test_stat_map_threshold_is_kept_as_given_and_resolved_read_only():
    layer = StatMap((_stat(), AFFINE), threshold="95%", outline=False)
    assert layer.threshold == "95%" and layer.get_params()["threshold"] == "95%"
    values = np.abs(_stat()[_stat() != 0])
    assert layer.threshold_value == pytest.approx(np.percentile(values, 95))
    with pytest.raises(AttributeError):
        layer.threshold_value = 1.0
    layer.img = (_stat() * 3, AFFINE)  # a percentile follows the new map
    assert layer.threshold == "95%" and layer.threshold_value == pytest.approx(3 * np.percentile(values, 95))
    with pytest.raises(BrainviewError, match="threshold: a percentile must be within"):
        layer.threshold = "120%"
    assert layer.threshold == "95%"


def test_stat_map_default_threshold_is_none_as_given():
    layer = StatMap((_stat(), AFFINE), outline=False)
    assert layer.threshold is None and layer.get_params()["threshold"] is None
    assert layer.threshold_value == StatMap((_stat(), AFFINE), threshold="80%", outline=False).threshold_value


def test_stat_map_img_in_slices_mode_recentres_the_planes():
    make = lambda **kw: StatMap(**{"img": (_stat(), AFFINE), "threshold": 2.0, "outline": False,
                                   "mode": "slices", "bg": None, **kw})
    _check_live(make, "img", (_stat(), AFFINE), (_shifted(_stat(), 6), AFFINE))


def test_stat_map_bg_is_live():
    anatomy = (np.indices((20, 20, 20)).sum(0).astype(np.float32), AFFINE)
    make = lambda **kw: StatMap(**{"img": (_stat(), AFFINE), "threshold": 2.0, "outline": False,
                                   "mode": "slices", **kw})
    layer = _check_live(make, "bg", None, anatomy)
    with pytest.raises(BrainviewError, match="bg: expected a 3-D image"):
        layer.bg = (np.ones((3, 3)), AFFINE)
    assert layer.bg is anatomy


def test_stat_map_inflated_is_live():
    make = lambda **kw: StatMap(**{"img": (_stat(), AFFINE), "threshold": 2.0, "outline": False,
                                   "mode": "surface", **kw})
    layer = _check_live(make, "inflated", True, False)
    with pytest.raises(BrainviewError, match="inflated: expected True or False"):
        layer.inflated = "no"


def test_stat_map_outline_none_means_a_glass_brain_unless_the_figure_has_one():
    alone = bv.figure(size=SIZE, antialias=False)
    layer = alone.add(StatMap((_stat(), AFFINE), threshold=2.0))
    assert layer.get_params()["outline"] is None
    outline = alone.drawer(layer).outline
    assert outline is not None and set(outline.props()) <= set(alone.drawer(layer).props())
    shared = bv.figure(size=SIZE, antialias=False)
    bv.glass_brain()
    inside = shared.add(StatMap((_stat(), AFFINE), threshold=2.0))
    assert shared.drawer(inside).outline is None
    # the verb and the class agree: the same picture either way
    verb_fig = bv.figure(size=SIZE, antialias=False)
    bv.glass_brain()
    bv.stat_map((_stat(), AFFINE), threshold=2.0)
    verb_fig.camera = shared.camera
    np.testing.assert_array_equal(verb_fig.screenshot(), shared.screenshot())


def test_stat_map_outline_set_live_adds_and_removes_the_glass_brain():
    _check_live(lambda **kw: StatMap(**{"img": (_stat(), AFFINE), "threshold": 2.0, **kw}),
                "outline", False, True)


# ------------------------------------------------------------ glass_brain


def _ball(radius=6):
    ijk = np.indices((20, 20, 20)) - 9.5
    return ((ijk ** 2).sum(0) < radius ** 2).astype(np.int8)


def test_glass_brain_mask_is_live():
    box = np.zeros((20, 20, 20), np.int8)
    box[3:17, 5:15, 4:12] = 1
    make = lambda **kw: GlassBrain(**{"opacity": 0.6, **kw})
    layer = _check_live(make, "mask", (_ball(), AFFINE), (box, AFFINE))
    mesh = layer.mesh
    with pytest.raises(BrainviewError, match="mask: every voxel"):
        layer.mask = (np.zeros((5, 5, 5)), AFFINE)
    assert layer.mesh is mesh


def test_no_warning_from_a_good_live_change():
    layer = Slices((_blob(), AFFINE), coords=(0, 0, 0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer.img = (_shifted(_blob()), AFFINE)
        layer.coords = (2, 2, 2)


# ------------------------------------------------------------ drawing apart from the model


def _rendering_objects(obj, seen=None):
    """VTK rendering objects (props, mappers, lookup tables, volume properties) reachable from obj."""
    from vtkmodules.vtkCommonCore import vtkScalarsToColors
    from vtkmodules.vtkRenderingCore import vtkAbstractMapper, vtkProp, vtkVolumeProperty

    seen = set() if seen is None else seen
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, (vtkProp, vtkAbstractMapper, vtkScalarsToColors, vtkVolumeProperty)):
        return [obj]
    if isinstance(obj, dict):
        children = list(obj.values())
    elif isinstance(obj, (list, tuple, set)):
        children = list(obj)
    elif type(obj).__module__.startswith("brainview."):
        children = list(vars(obj).values())
    else:
        return []
    return [found for child in children for found in _rendering_objects(child, seen)]


_MODELS = {
    **_IMAGE_KINDS,
    "glass_brain": lambda **kw: GlassBrain(**{"mask": (_ball(), AFFINE), **kw}),
}


@pytest.mark.parametrize("kind", sorted(_MODELS))
def test_a_model_holds_no_vtk_rendering_object_until_drawn(kind):
    layer = _MODELS[kind]()
    layer.opacity = 0.5
    layer.visible = False
    layer.visible = True
    if kind != "glass_brain":
        layer.img = layer.img  # reloads and re-derives: still no drawing
    assert _rendering_objects(layer) == []
    expected, camera = _screenshot(_MODELS[kind](opacity=0.5))
    drawn, _ = _screenshot(layer, camera)
    assert _rendering_objects(layer) == [], "drawn by a drawer: the model holds no VTK object"
    np.testing.assert_array_equal(drawn, expected)


def test_reading_a_plane_or_a_mesh_makes_no_drawing():
    layer = Slices((_blob(), AFFINE), coords=(0, 0, 0))
    assert _rendering_objects(layer) == []
    assert layer.plane_origin("z")[2] == 0.0 and layer.plane_values("z").shape == layer.plane("z")[0].shape
    assert _rendering_objects(layer) == []  # the model cuts planes in numpy
    fig = bv.figure(size=SIZE)
    assert set(fig.drawer(fig.add(layer)).actors) == set("xyz")
    contour = fig.add(Contour((_blob(), AFFINE), level=2.0))
    assert fig.drawer(contour).actor.GetMapper().GetInput().GetNumberOfPoints() > 0
    assert _rendering_objects(contour) == []


def test_assigning_the_same_path_again_reloads_the_file(tmp_path):
    path = tmp_path / "map.nii.gz"
    nib.save(nib.Nifti1Image(_blob(), AFFINE), path)
    layer = Contour(str(path), level=2.0)
    before = layer.mesh.n_points
    nib.save(nib.Nifti1Image(_blob() * 0.5, AFFINE), path)  # a smaller ball at level 2
    layer.img = layer.img
    assert layer.mesh.n_points < before


def test_stat_map_slice_crossing_is_a_live_parameter():
    """Issue 14: the slice positions of a stat map's slices mode can be changed (script and panel)."""
    import brainview as bv

    data = np.zeros((30, 30, 30), np.float32)
    data[10:20, 10:20, 10:20] = 5.0
    affine = np.diag([2.0, 2, 2, 1])
    affine[:3, 3] = -30
    fig = bv.figure(size=(160, 120), antialias=False)
    layer = bv.stat_map((data, affine), threshold=2.0, mode="slices", bg=None, outline=False)
    assert np.allclose(layer.mode_props.coords, [0, 0, 0], atol=2)  # nilearn's crossing: the blob's centre
    before = fig.screenshot()  # drawn: the planes must move, not just start elsewhere
    layer.cut_coords = (10, -6, 8)
    moved = fig.screenshot()
    assert layer.mode_props.coords == [10.0, -6.0, 8.0]
    assert not np.array_equal(before, moved)
    bv.close("all")
    other = bv.figure(size=(160, 120), antialias=False)
    bv.stat_map((data, affine), threshold=2.0, mode="slices", bg=None, outline=False, cut_coords=(10, -6, 8))
    np.testing.assert_array_equal(other.screenshot(), moved)
    with pytest.raises(bv.BrainviewError, match="cut_coords"):
        layer.cut_coords = (1, 2)
    bv.close("all")
