"""Every accepted input kind loads; every bad input gets a brainview error or one warning."""

import gzip
import warnings

import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning, ImageLoadError
from brainview.io import load_image, load_surface, load_surface_data
from brainview.layers import Contour, Points, Slices, Surface, Volume

from conftest import smooth_sphere_phantom

AFFINE = np.array([[-2.0, 0, 0, 30], [0, 2, 0, -20], [0, 0, 2, -10], [0, 0, 0, 1]])


@pytest.fixture
def data():
    return np.random.default_rng(1).random((8, 9, 10)).astype(np.float32)


@pytest.mark.parametrize("suffix", [".nii", ".nii.gz", ".mgz"])
def test_image_files_load_with_their_affine(tmp_path, data, suffix):
    path = tmp_path / f"img{suffix}"
    image_class = nib.MGHImage if suffix == ".mgz" else nib.Nifti1Image
    nib.save(image_class(data, AFFINE), path)
    for source in (path, str(path), nib.load(path)):
        image = load_image(source)
        assert np.allclose(image.affine, AFFINE)
        assert np.allclose(image.data, data)


def test_array_affine_pair_is_not_copied(data):
    image = load_image((data, AFFINE))
    assert np.shares_memory(image.data, data)
    assert not image.data.flags.writeable and data.flags.writeable


@pytest.mark.parametrize("dtype", [bool, np.uint8, np.int16, np.int32, np.float64])
def test_numeric_dtypes_are_accepted(dtype):
    array = np.zeros((6, 6, 6), dtype=dtype)
    array[2:4, 2:4, 2:4] = 1
    mesh = Contour((array, np.eye(4)), level=0.5).mesh
    assert mesh.n_points > 0


def test_four_d_image_needs_a_volume_index(data):
    four_d = np.stack([data, 2 * data, 3 * data], axis=-1)
    with pytest.raises(BrainviewValueError, match=r"4-D.*volume=.*index_img"):
        load_image((four_d, AFFINE))
    assert np.allclose(load_image((four_d, AFFINE), volume=2).data, 3 * data)
    with pytest.raises(BrainviewValueError, match="volume: must be an integer in 0..2"):
        load_image((four_d, AFFINE), volume=3)
    with pytest.raises(BrainviewValueError, match="volume: only 4-D"):
        load_image((data, AFFINE), volume=0)
    assert load_image((data[..., None], AFFINE)).shape == data.shape
    with pytest.raises(BrainviewValueError, match="4-D"):
        bv.contour((four_d, AFFINE))


@pytest.mark.parametrize("bad, error, words", [
    (np.zeros((5, 5)), BrainviewTypeError, "img: expected"),
    ([1, 2, 3], BrainviewTypeError, "img: expected"),
    (42, BrainviewTypeError, "img: expected"),
    ((np.zeros((5, 5)), np.eye(4)), BrainviewValueError, "2-D"),
    ((np.zeros((3, 3, 3)), np.eye(3)), BrainviewValueError, "4x4"),
    ((np.zeros((3, 3, 3)), np.zeros((4, 4))), BrainviewValueError, "invertible"),
    (([[[1]]], np.eye(4)), BrainviewTypeError, "numpy array"),
    ((np.array([[["a"]]]), np.eye(4)), BrainviewTypeError, "real numbers"),
])
def test_bad_images_raise_informative_errors(bad, error, words):
    with pytest.raises(error, match=words):
        load_image(bad)
    with pytest.raises(error, match=words):
        bv.volume(bad)
    bv.close("all")


def test_missing_corrupt_and_truncated_files_name_the_file(tmp_path, data):
    with pytest.raises(ImageLoadError, match="not found.*nope.nii"):
        load_image(tmp_path / "nope.nii")
    corrupt = tmp_path / "corrupt.nii.gz"
    corrupt.write_bytes(b"this is not an image at all")
    with pytest.raises(ImageLoadError, match="corrupt.nii.gz"):
        load_image(corrupt)
    good = tmp_path / "good.nii.gz"
    nib.save(nib.Nifti1Image(data, AFFINE), good)
    truncated = tmp_path / "truncated.nii.gz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ImageLoadError, match="truncated.nii.gz"):
        load_image(truncated)
    with pytest.raises(OSError):  # still the builtin a user would catch
        bv.contour(truncated)
    bv.close("all")


def test_nan_and_inf_are_transparent_with_one_warning(fig, data):
    poisoned = data.copy()
    poisoned[0, 0, :5] = np.nan
    poisoned[1, 1, :2] = np.inf
    for verb in (bv.volume, bv.contour, bv.slices):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            verb((poisoned, AFFINE))
        messages = [str(w.message) for w in caught if issubclass(w.category, BrainviewWarning)]
        assert len(messages) == 1 and "7 of 720 voxels" in messages[0], messages
    assert np.isnan(poisoned).sum() == 5  # the input was not modified
    fig.screenshot()


def test_slices_show_nan_as_transparent(fig):
    array = np.ones((10, 10, 10), np.float32)
    array[:, :, 5] = np.nan
    with pytest.warns(BrainviewWarning, match="100 of 1000 voxels"):
        layer = bv.slices((array, np.eye(4)), coords=(5, 5, 5), axes="z")
    assert np.isnan(layer.plane_values("z")).all()
    lut = layer.colorbar_table()[0]
    rgba = [0.0] * 4
    lut.GetColor(float("nan"), rgba[:3])
    assert lut.GetNanColor()[3] == 0.0


def test_level_above_maximum_warns_once_and_saves(fig, tmp_path, data):
    with pytest.warns(BrainviewWarning, match=r"level: \[5\] outside the data range") as caught:
        layer = bv.contour((data, AFFINE), level=5.0)
    assert len([w for w in caught if issubclass(w.category, BrainviewWarning)]) == 1
    assert layer.mesh.n_points == 0
    bv.savefig(tmp_path / "empty.png")
    assert (tmp_path / "empty.png").exists()


def test_surface_inputs_and_overlay_mismatch(tmp_path):
    vertices = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10.0]])
    faces = np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]])
    gifti = nib.gifti.GiftiImage(darrays=[
        nib.gifti.GiftiDataArray(vertices.astype(np.float32), intent="NIFTI_INTENT_POINTSET"),
        nib.gifti.GiftiDataArray(faces.astype(np.int32), intent="NIFTI_INTENT_TRIANGLE"),
    ])
    nib.save(gifti, tmp_path / "mesh.gii")
    nib.freesurfer.write_geometry(str(tmp_path / "lh.pial"), vertices, faces)
    for source in (tmp_path / "mesh.gii", tmp_path / "lh.pial", (vertices, faces)):
        assert np.allclose(load_surface(source).vertices, vertices)
    with pytest.raises(BrainviewValueError, match="has 3 values but the mesh has 4 vertices"):
        Surface((vertices, faces), overlay=[1, 2, 3])
    with pytest.raises(BrainviewValueError, match="has 10241 values but the mesh has 10242"):
        bv.surface("fsaverage5", np.zeros(10241))
    with pytest.raises(BrainviewValueError, match="faces index vertices 0..3"):
        load_surface((vertices, faces + 1))
    with pytest.raises(BrainviewValueError, match=r"shape \(n, 3\)"):
        load_surface((vertices[:, :2], faces))
    with pytest.raises(BrainviewTypeError, match="surf: expected"):
        load_surface(12)
    broken = tmp_path / "broken.gii"
    broken.write_text("<not gifti")
    with pytest.raises(ImageLoadError, match="broken.gii"):
        load_surface(broken)
    with pytest.raises(BrainviewValueError, match="1-D"):
        load_surface_data(np.zeros((4, 2)))
    bv.close("all")


def test_points_validation():
    with pytest.raises(BrainviewValueError, match=r"Transpose"):
        Points(np.zeros((3, 5)))
    with pytest.raises(BrainviewValueError, match=r"\(n, 3\)"):
        Points(np.zeros((4, 2)))
    with pytest.raises(BrainviewValueError, match="one size or 2 sizes"):
        Points(np.zeros((2, 3)), size=[1, 2, 3])
    with pytest.raises(BrainviewValueError, match=">= 0"):
        Points(np.zeros((2, 3)), size=-1)
    with pytest.raises(BrainviewValueError, match="not a colour"):
        Points(np.zeros((2, 3)), color="notacolour")


def test_inputs_are_never_modified(fig, data):
    original = data.copy()
    coords = np.array([[0.0, 1, 2], [3, 4, 5]])
    coords_copy = coords.copy()
    bv.contour((data, AFFINE))
    bv.volume((data, AFFINE))
    bv.slices((data, AFFINE))
    bv.points(coords, size=3)
    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0.0]])
    overlay = np.array([0.0, 1, 2])
    bv.surface((vertices, np.array([[0, 1, 2]])), overlay.copy(), threshold=0.5)
    fig.screenshot()
    assert np.array_equal(data, original) and np.array_equal(coords, coords_copy)
    assert np.array_equal(overlay, [0.0, 1, 2])


@pytest.mark.parametrize("layer, trait, value, words", [
    (lambda: Contour((np.arange(64.0).reshape(4, 4, 4), np.eye(4)), level=30), "opacity", 2.0, "opacity"),
    (lambda: Contour((np.arange(64.0).reshape(4, 4, 4), np.eye(4)), level=30), "level", "high", "level"),
    (lambda: Contour((np.arange(64.0).reshape(4, 4, 4), np.eye(4)), level=30), "smooth", -1, "smooth"),
    (lambda: Volume((np.ones((4, 4, 4)), np.eye(4)), clim=(0, 1)), "clim", (5, 1), "clim"),
    (lambda: Volume((np.ones((4, 4, 4)), np.eye(4)), clim=(0, 1)), "cmap", "nope", "cmap"),
    (lambda: Volume((np.ones((4, 4, 4)), np.eye(4)), clim=(0, 1)), "blending", "sum", "blending"),
    (lambda: Slices((np.ones((4, 4, 4)), np.eye(4))), "axes", "q", "axes"),
    (lambda: Slices((np.ones((4, 4, 4)), np.eye(4))), "x", float("nan"), "x"),
])
def test_bad_trait_values_raise_brainview_errors(layer, trait, value, words):
    target = layer()
    with pytest.raises((BrainviewValueError, BrainviewTypeError), match=words):
        setattr(target, trait, value)


def test_unknown_colormap_suggests_close_names():
    with pytest.raises(BrainviewValueError, match="Did you mean 'viridis'"):
        Volume((np.ones((4, 4, 4)), np.eye(4)), cmap="viridiss")


def test_bad_view_and_colorbar(fig):
    with pytest.raises(BrainviewValueError, match="left, anterior|left.*superior"):
        bv.view("sideways")
    with pytest.raises(BrainviewValueError, match="no layer in this figure has a colormap"):
        bv.colorbar()
    with pytest.raises(BrainviewValueError, match="width and height"):
        bv.figure(size=(0, 10))
    with pytest.raises(bv.BrainviewTypeError, match="brainview layer"):
        fig.add("not a layer")


def test_gzip_corruption_inside_valid_header(tmp_path, data):
    """A .nii.gz whose gzip stream is damaged after the header."""
    good = tmp_path / "good.nii"
    nib.save(nib.Nifti1Image(data, AFFINE), good)
    raw = bytearray(good.read_bytes())
    damaged = tmp_path / "damaged.nii.gz"
    compressed = bytearray(gzip.compress(bytes(raw)))
    compressed[len(compressed) // 2: len(compressed) // 2 + 64] = b"\xff" * 64
    damaged.write_bytes(bytes(compressed))
    with pytest.raises(ImageLoadError, match="damaged.nii.gz"):
        load_image(damaged)


def test_sulcal_shading_separates_sulci_from_gyri():
    """Bug: the sulcal shading was too faint to see (brightness 0.58-0.87 only)."""
    layer = Surface("fsaverage5", hemi="left", bg_map="sulc")
    sulc = bv.datasets.fsaverage5_data("sulc", hemi="left")
    brightness = layer.vertex_colors()[:, 0] / layer.color[0]
    assert brightness[sulc < -0.5].mean() - brightness[sulc > 0.5].mean() > 0.3
    assert brightness.max() <= 1.0


@pytest.mark.parametrize("dtype", [bool, np.uint8, np.int16, np.float32, ">i2"])
def test_binary_mask_gets_level_half_without_a_no_surface_warning(dtype):
    mask = np.zeros((8, 8, 8), dtype=dtype)
    mask[2:6, 2:6, 2:6] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", BrainviewWarning)
        layer = Contour((mask, AFFINE))
    assert layer.level == 0.5
    assert layer.mesh.n_points > 0


def test_real_brain_mask_gets_level_half():
    from brainview.datasets import load_mni152_brain_mask

    with warnings.catch_warnings():
        warnings.simplefilter("error", BrainviewWarning)
        assert Contour(load_mni152_brain_mask(resolution=2)).level == 0.5


@pytest.mark.parametrize("low, high", [(2, 7), (-1, 1), (0, 255)])
def test_two_valued_data_default_level_is_their_midpoint(low, high):
    data = np.full((6, 6, 6), low, dtype=np.float32)
    data[1:4, 1:4, 1:4] = high
    assert Contour((data, AFFINE)).level == (low + high) / 2


def test_three_valued_data_keeps_the_robust_default_level():
    data = np.zeros((6, 6, 6), dtype=np.float32)
    data[1:4, 1:4, 1:4] = 1
    data[2, 2, 2] = 3
    assert Contour((data, AFFINE)).level != 0.5


_DTYPES = ["i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f4", "f8"]


@pytest.mark.parametrize("endianness", ["<", ">"])
@pytest.mark.parametrize("dtype", _DTYPES)
@pytest.mark.parametrize("slope", [1.0, 0.5])
def test_any_dtype_byte_order_and_scaling_draws_as_its_float_copy(tmp_path, dtype, endianness, slope):
    values = np.clip(smooth_sphere_phantom(AFFINE, (20, 0, 10), 8, shape=(12, 12, 12)) * 10 + 50, 0, 100)
    header = nib.Nifti1Header(endianness=endianness)
    img = nib.Nifti1Image(values.astype(dtype), AFFINE, header)
    inter = 0.0 if slope == 1 else 2.0
    img.header.set_slope_inter(slope, inter)
    path = tmp_path / "img.nii"
    nib.save(img, path)
    loaded = nib.load(path)
    if np.dtype(dtype).itemsize > 1:
        assert np.dtype(loaded.get_data_dtype()).str[0] == endianness
    level = 60.0 * slope + inter
    layer = Contour(path, level=level)
    twin = Contour((loaded.get_fdata(), AFFINE), level=level)
    assert layer.image.data.dtype.isnative
    assert layer.mesh.n_points > 0
    np.testing.assert_allclose(layer.mesh.points, twin.mesh.points, atol=1e-4)
