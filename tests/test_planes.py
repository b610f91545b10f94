"""2-D plane images and values at a point (brainview.planes), without Qt."""

import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewTypeError, BrainviewValueError
from brainview.layers import Atlas, Contour, Slices, StatMap, Volume
from brainview.planes import (Cursor, orientation_labels, plane_image, values_at, describe_values,
                              voxel_step)

PLANES = ("axial", "coronal", "sagittal")


def oblique_affine():
    """2 mm voxels, rotated 20 degrees about z and 10 about x, off-centre."""
    def rotation(axis, degrees):
        c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
        a, b = [i for i in range(3) if i != axis]
        m = np.eye(3)
        m[a, a], m[a, b], m[b, a], m[b, b] = c, -s, s, c
        return m

    affine = np.eye(4)
    affine[:3, :3] = rotation(2, 20) @ rotation(0, 10) @ np.diag([2.0, 2.0, 2.0])
    affine[:3, 3] = (-30.0, -25.0, -20.0)
    return affine


FLIPPED = np.array([[-2.0, 0, 0, 30], [0, 2, 0, -30], [0, 0, 2, -30], [0, 0, 0, 1]])  # LAS


def block_phantom(affine, centre_ijk=(15, 12, 14), shape=(30, 30, 30)):
    """Zeros with a bright 3x3x3 block; returns the layer data and the block's centre in mm."""
    data = np.zeros(shape, np.float32)
    i, j, k = centre_ijk
    data[i - 1:i + 2, j - 1:j + 2, k - 1:k + 2] = 1.0
    centre = affine[:3, :3] @ np.array(centre_ijk, float) + affine[:3, 3]
    return data, tuple(centre)


@pytest.mark.parametrize("affine", [oblique_affine(), FLIPPED], ids=["oblique", "LAS"])
@pytest.mark.parametrize("plane", PLANES)
def test_bright_voxel_lands_at_its_mm_pixel(affine, plane):
    data, centre = block_phantom(affine)
    layer = Slices((data, affine), clim=(0, 1))
    normal = {"sagittal": 0, "coronal": 1, "axial": 2}[plane]
    image = plane_image([layer], plane, centre[normal])
    col, row = image.pixel_of(centre)
    assert image.rgba[int(round(row)), int(round(col)), 0] == 255
    # The bright pixels are around the block's centre, within its size (3 voxels).
    rows, cols = np.nonzero(image.rgba[..., 0] > 128)
    world = np.array([image.world_of(c, r) for r, c in zip(rows, cols)])
    assert np.abs(world - centre).max() < 2 * np.sqrt(3) * 1.5 + image.pixel_mm
    assert np.allclose(world[:, normal], centre[normal])


def test_pixel_and_world_positions_round_trip():
    layer = Slices((np.ones((10, 12, 14)), oblique_affine()))
    for plane in PLANES:
        for radiological in (False, True):
            image = plane_image([layer], plane, 3.0, radiological=radiological)
            xyz = image.world_of(4.25, 7.5)
            assert image.pixel_of(xyz) == pytest.approx((4.25, 7.5))


def _half_of_blob(image):
    """'left' or 'right': which half of the image holds the bright pixels."""
    cols = np.nonzero(image.rgba[..., 0] > 128)[1]
    return "left" if cols.mean() < image.rgba.shape[1] / 2 else "right"


@pytest.mark.parametrize("affine", [np.diag([2.0, 2, 2, 1]) + np.c_[np.zeros((4, 3)), [-40, -40, -40, 0]],
                                    FLIPPED], ids=["RAS", "LAS"])
def test_left_is_left_in_neurological_and_right_in_radiological(affine):
    # A blob in the patient's left hemisphere (x < 0).
    shape = (41, 41, 41)
    world = np.indices(shape).reshape(3, -1).T @ affine[:3, :3].T + affine[:3, 3]
    data = (np.linalg.norm(world - [-20, 0, 0], axis=1) < 6).astype(np.float32).reshape(shape)
    layer = Slices((data, affine), clim=(0, 1))
    for plane in ("axial", "coronal"):
        position = 0.0
        assert _half_of_blob(plane_image([layer], plane, position)) == "left"
        assert _half_of_blob(plane_image([layer], plane, position, radiological=True)) == "right"
        assert orientation_labels(plane)["left"] == "L"
        assert orientation_labels(plane, radiological=True)["left"] == "R"
    sagittal = plane_image([layer], "sagittal", -20.0)
    assert np.array_equal(sagittal.rgba, plane_image([layer], "sagittal", -20.0, radiological=True).rgba)


def test_anterior_is_up_in_axial_and_right_in_sagittal():
    affine = np.diag([2.0, 2, 2, 1])
    affine[:3, 3] = -40
    shape = (41, 41, 41)
    world = np.indices(shape).reshape(3, -1).T @ affine[:3, :3].T + affine[:3, 3]
    data = (np.linalg.norm(world - [0, 25, 20], axis=1) < 6).astype(np.float32).reshape(shape)
    layer = Slices((data, affine), clim=(0, 1))
    axial = plane_image([layer], "axial", 20.0)
    rows = np.nonzero(axial.rgba[..., 0] > 128)[0]
    assert rows.mean() < axial.rgba.shape[0] / 2  # anterior: top
    sagittal = plane_image([layer], "sagittal", 0.0)
    rows, cols = np.nonzero(sagittal.rgba[..., 0] > 128)
    assert cols.mean() > sagittal.rgba.shape[1] / 2 and rows.mean() < sagittal.rgba.shape[0] / 2
    assert orientation_labels("sagittal") == {"left": "P", "right": "A", "top": "S", "bottom": "I"}


def _signed_map():
    affine = np.diag([2.0, 2, 2, 1])
    affine[:3, 3] = -20
    world = np.indices((21, 21, 21)).reshape(3, -1).T * 2.0 - 20
    positive = 6 * np.exp(-np.linalg.norm(world - [-10, 0, 0], axis=1) ** 2 / 30)
    negative = -6 * np.exp(-np.linalg.norm(world - [10, 0, 0], axis=1) ** 2 / 30)
    return (positive + negative).reshape(21, 21, 21).astype(np.float32), affine


def test_stat_map_colours_follow_sign_and_threshold():
    data, affine = _signed_map()
    layer = StatMap((data, affine), threshold=3.0, outline=False)
    image = plane_image([layer], "axial", 0.0)
    at = lambda xyz: image.rgba[tuple(int(round(v)) for v in image.pixel_of(xyz)[::-1])]
    red, blue, hidden = at((-10, 0, 0)), at((10, 0, 0)), at((0, 0, 0))
    assert red[3] == 255 and red[0] > red[2] + 60
    assert blue[3] == 255 and blue[2] > blue[0] + 60
    assert hidden[3] == 0  # |value| < threshold: not drawn
    with pytest.warns(bv.BrainviewWarning, match="nothing above threshold"):
        layer.threshold = 10.0
    assert plane_image([layer], "axial", 0.0).rgba[..., 3].max() == 0


def test_layers_composite_in_order_with_opacity_and_visibility():
    data, affine = _signed_map()
    anat = Slices((np.ones_like(data), affine), clim=(0, 2))  # mid grey everywhere
    stat = StatMap((data, affine), threshold=3.0, outline=False)
    image = plane_image([anat, stat], "axial", 0.0)
    col, row = (int(round(v)) for v in image.pixel_of((0, 0, 0)))
    assert tuple(image.rgba[row, col]) == tuple(plane_image([anat], "axial", 0.0).rgba[row, col])
    col, row = (int(round(v)) for v in image.pixel_of((-10, 0, 0)))
    grey = plane_image([anat], "axial", 0.0).rgba[row, col].astype(int)
    full = image.rgba[row, col].astype(int)
    assert tuple(full) == tuple(plane_image([stat], "axial", 0.0).rgba[row, col])  # the map over the anatomy
    stat.opacity = 0.5
    half = plane_image([anat, stat], "axial", 0.0).rgba[row, col].astype(int)
    assert np.abs(half - (full + grey) / 2).max() <= 1
    stat.visible = False
    assert np.array_equal(plane_image([anat, stat], "axial", 0.0).rgba, plane_image([anat], "axial", 0.0).rgba)


def test_slices_colour_range_and_transparent_below():
    data = np.linspace(0, 1, 27).reshape(3, 3, 3)
    layer = Slices((data, np.eye(4)), clim=(0.4, 0.6), cmap="gray", transparent_below=True)
    image = plane_image([layer], "sagittal", 1.0)
    values = np.array([[data[1, j, k] for j in range(3)] for k in range(2, -1, -1)])
    shown = image.rgba[..., 3] == 255
    assert np.array_equal(shown, values >= 0.4)
    assert (image.rgba[..., 0][values >= 0.6] == 255).all()


def test_volume_and_contour_layers_are_drawn_where_their_3d_drawing_is():
    data = np.zeros((9, 9, 9), np.float32)
    data[2:7, 2:7, 2:7] = 2.0
    volume = Volume((data, np.eye(4)), clim=(1, 2), cmap="hot")
    contour = Contour((data, np.eye(4)), level=1.0, color="green")
    for layer in (volume, contour):
        image = plane_image([layer], "axial", 4.0)
        assert np.array_equal(image.rgba[..., 3] > 0, np.rot90(data[:, :, 4] > 1))
    assert tuple(plane_image([contour], "axial", 4.0).rgba[4, 4]) == (0, 128, 0, 255)


def test_atlas_regions_have_their_3d_colours_and_names():
    data = np.zeros((12, 6, 6), np.int16)
    data[1:5, 1:5, 1:5] = 3
    data[7:11, 1:5, 1:5] = 8
    atlas = Atlas((data, np.eye(4)), labels={3: "left box", 8: "right box"}, smooth=0)
    image = plane_image([atlas], "axial", 2.0)
    for name, xyz in (("left box", (2, 2, 2)), ("right box", (9, 2, 2))):
        col, row = (int(round(v)) for v in image.pixel_of(xyz))
        assert np.allclose(image.rgba[row, col, :3] / 255, atlas.color_of(name), atol=0.01)
        (reading,) = values_at([atlas], xyz)
        assert reading.region == name and reading.value == name
    atlas.regions = ["right box"]
    image = plane_image([atlas], "axial", 2.0)
    col, row = (int(round(v)) for v in image.pixel_of((2, 2, 2)))
    assert image.rgba[row, col, 3] == 0
    assert values_at([atlas], (0, 0, 0))[0].region is None


def test_values_at_matches_each_layers_value_at_on_a_real_las_map():
    zmap = StatMap(bv.datasets.load_motor_map(), outline=False)
    anat = Slices((np.random.default_rng(0).random((20, 24, 20)), oblique_affine()))
    rng = np.random.default_rng(1)
    for xyz in rng.uniform(-60, 60, size=(20, 3)):
        readings = values_at([anat, zmap], xyz)
        assert [r.name for r in readings] == [anat.name, zmap.name]
        for reading, layer in zip(readings, (anat, zmap)):
            expected = layer.value_at(xyz)
            assert reading.value == expected or (np.isnan(expected) and np.isnan(reading.value))
            ijk = np.rint(layer.image.to_voxel([xyz])[0]).astype(int)
            inside = np.all((ijk >= 0) & (ijk < layer.image.shape))
            assert reading.voxel == (tuple(ijk) if inside else None)
            assert (reading.voxel is None) == np.isnan(expected)


def test_plane_image_of_a_figure_skips_meshes_and_hidden_layers():
    fig = bv.Figure(size=(64, 64))
    try:
        data, affine = _signed_map()
        fig.add(bv.layers.Points([[0, 0, 0]]))
        anat = fig.add(Slices((np.abs(data), affine)))
        assert plane_image(fig, "z", 0.0).rgba.shape == (21, 21, 4)
        assert [r.name for r in values_at(fig, (0, 0, 0))] == [anat.name]
        anat.visible = False
        assert plane_image(fig, "z", 0.0).rgba[..., 3].max() == 0
        assert values_at(fig, (0, 0, 0)) == []
    finally:
        fig.close()


def test_status_line_names_coordinate_values_voxels_and_outside():
    layer = Slices((np.arange(8.0).reshape(2, 2, 2), np.eye(4)), name="anat")
    text = describe_values((1, 1, 1), values_at([layer], (1, 1, 1)))
    assert text == "x=1.0 y=1.0 z=1.0 mm | anat: 7 [1, 1, 1]"
    assert describe_values((9, 9, 9), values_at([layer], (9, 9, 9))).endswith("anat: outside")


def test_voxel_step_and_cursor_steps():
    assert voxel_step(bv.io.load_image((np.zeros((2, 2, 2)), FLIPPED)), 0) == pytest.approx(2.0)
    cursor = Cursor()
    cursor.step(0, 3, step_mm=2.0)
    assert cursor.position == (6.0, 0.0, 0.0)
    seen = []
    cursor.observe(lambda event: seen.append(event.new), "position")
    cursor.position = (1, 2, 3)
    assert seen == [(1.0, 2.0, 3.0)]


def test_bad_arguments_raise_named_errors():
    layer = Slices((np.ones((3, 3, 3)), np.eye(4)))
    with pytest.raises(BrainviewValueError, match="plane: expected 'axial'"):
        plane_image([layer], "oblique", 0)
    with pytest.raises(BrainviewTypeError, match="position_mm"):
        plane_image([layer], "axial", "middle")
    with pytest.raises(BrainviewValueError, match="pixel_mm"):
        plane_image([layer], "axial", 0, pixel_mm=0)
    with pytest.raises(BrainviewValueError, match="bounds: expected"):
        plane_image([layer], "axial", 0, bounds=(1, 0, 0, 1, 0, 1))
    with pytest.raises(BrainviewTypeError, match="figure_or_layers"):
        plane_image(3, "axial", 0)
    with pytest.raises(BrainviewValueError, match="xyz: expected three mm"):
        values_at([layer], (0, np.nan, 0))
    with pytest.raises(BrainviewValueError, match="position: expected three"):
        Cursor(position="here")
    with pytest.raises(BrainviewValueError, match="axis"):
        Cursor().step(3, 1, step_mm=1)


def test_a_huge_extent_is_coarsened_not_allocated():
    layer = Slices((np.ones((3, 3, 3)), np.eye(4)))
    image = plane_image([layer], "axial", 0, bounds=(-1e5, 1e5, -1e5, 1e5, 0, 1), pixel_mm=0.01)
    assert max(image.rgba.shape[:2]) <= 2048


def test_2d_plane_shows_the_background_where_the_anatomy_is_zero():
    """The 2-D views and cut panels agree with the 3-D planes: an anatomy's zeros are not black squares."""
    from brainview.layers import Slices

    data = np.zeros((6, 6, 6), np.float32)
    data[2:4, 2:4, :] = 5.0
    layer = Slices((data, np.eye(4)), cmap="gray", clim=(-1, 5), transparent_below=False)
    rgba = plane_image([layer], "axial", 3.0).rgba
    alpha = rgba[..., 3]
    assert alpha.max() == 255 and alpha.min() == 0
    assert (alpha > 0).sum() == (rgba[..., 0] == 255).sum()  # only the 5.0 block is drawn, in white
