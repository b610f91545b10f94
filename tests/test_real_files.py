"""Real files: every image nibabel ships in its test data, and byte-swapped real data.

VTK reads raw memory; a big-endian array handed over as is draws noise. Every
image here must draw exactly as its native-endian float copy, in every verb.
The corpus is found at test time from the installed nibabel, so a new nibabel
release brings its new files in.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from brainview.datasets import load_demo_atlas, load_mni152
from brainview.errors import BrainviewValueError
from brainview.geometry.glass_brain import outline_mesh
from brainview.io import load_image, vtk_ready
from brainview.layers import Atlas, Contour, Slices, StatMap, Volume

NIBABEL_DATA = Path(nib.__file__).parent / "tests" / "data"


def _corpus():
    return sorted(p for p in NIBABEL_DATA.iterdir() if p.is_file())


def _spatial_image(path):
    """nibabel's image of a file, or skip when nibabel itself cannot load it as 3-D/4-D."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nibabel warns about odd headers it still reads
        try:
            img = nib.load(path)
            data = np.asanyarray(img.dataobj)
        except ModuleNotFoundError as error:  # MINC2 needs h5py
            pytest.skip(f"nibabel needs {error.name} to read {path.name}")
        except Exception as error:  # not an image, a header without its data file, ...
            pytest.skip(f"nibabel cannot load {path.name}: {type(error).__name__}")
    if not isinstance(img, nib.spatialimages.SpatialImage) or data.ndim not in (3, 4):
        pytest.skip(f"{path.name} is not a 3-D/4-D spatial image")
    return img, data


def _native_float_twin(img, data):
    """The first volume as native float64: what the file must look like."""
    if data.ndim == 4:
        minc = getattr(img.dataobj, "minc_file", None)
        time_first = minc is not None and minc._dim_names[0] == "time"
        data = data[0] if time_first else data[..., 0]
    return np.array(data, dtype=np.float64)


def _same_points(mesh, other):
    """The two meshes have the same points (in any order: memory layouts may differ)."""
    assert mesh.n_points == other.n_points
    first, second = np.asarray(mesh.points), np.asarray(other.points)
    first, second = first[np.lexsort(first.T)], second[np.lexsort(second.T)]
    np.testing.assert_allclose(first, second, atol=1e-4)


def _byte_swapped(array):
    """The same values in the other byte order."""
    return array.byteswap().view(array.dtype.newbyteorder())


def _inside_world_box(mesh, image):
    low = np.array(image.world_bounds()[0::2]) - 1e-3
    high = np.array(image.world_bounds()[1::2]) + 1e-3
    points = np.asarray(mesh.points)
    return bool(np.all((points >= low) & (points <= high)))


def _screenshot(*layers):
    figure = bv.figure(size=(200, 200), antialias=False)
    try:
        for layer in layers:
            figure.add(layer)
        figure.view(azimuth=30, elevation=20)
        return figure.screenshot()
    finally:
        bv.close(figure)


# ------------------------------------------------- nibabel's own test images


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_every_nibabel_test_image_draws_as_its_native_float_copy(path):
    img, data = _spatial_image(path)
    volume = 0 if data.ndim == 4 else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant images warn "no surface": fine here
        layer = Contour(path, volume=volume)
        twin = Contour((_native_float_twin(img, data), img.affine), level=layer.level)
    assert layer.image.data.dtype.isnative
    assert _inside_world_box(layer.mesh, layer.image)
    if layer.mesh.n_points:
        assert _screenshot(layer).any()
    _same_points(layer.mesh, twin.mesh)


def test_corpus_covers_every_format_and_byte_order():
    found = {}
    for path in _corpus():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                img = nib.load(path)
        except Exception:
            continue
        found[type(img).__name__] = found.get(type(img).__name__, set()) | {
            np.dtype(img.get_data_dtype()).byteorder}
    for kind in ("Nifti1Image", "Nifti2Image", "MGHImage", "Minc1Image", "PARRECImage", "AFNIImage"):
        assert kind in found, f"nibabel's test data has no {kind} any more"
    assert ">" in found["Nifti1Image"] and ">" in found["MGHImage"]


def test_big_endian_image_is_not_noise():
    path = NIBABEL_DATA / "anatomical.nii"
    assert nib.load(path).get_data_dtype().byteorder == ">"
    native = (nib.load(path).get_fdata(), nib.load(path).affine)
    level = 7000.0
    big, little = Contour(path, level=level), Contour(native, level=level)
    np.testing.assert_array_equal(big.mesh.points, little.mesh.points)
    # Noise gives a speckle of tiny closed surfaces: many more points than anatomy.
    assert big.mesh.n_points < 20_000


def test_big_endian_anatomy_renders_as_its_native_copy_in_every_verb():
    path = NIBABEL_DATA / "anatomical.nii"
    img = nib.load(path)
    raw = np.asanyarray(img.dataobj)
    same_dtype = (raw.astype(raw.dtype.newbyteorder("=")), img.affine)
    as_float = (img.get_fdata(), img.affine)
    coords = tuple(img.affine[:3, :3] @ (np.array(img.shape) / 2) + img.affine[:3, 3])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for make in (
            lambda image: Contour(image, level=7000.0),
            lambda image: Volume(image, clim=(3000.0, 12000.0)),
            lambda image: Slices(image, coords=coords, clim=(0.0, 12000.0)),
            lambda image: StatMap(image, threshold=5000.0, bg=None, outline=False),
        ):
            big, native, floats = make(path), make(same_dtype), make(as_float)
            picture = _screenshot(big)
            assert picture.any()
            np.testing.assert_array_equal(picture, _screenshot(native))
            # The volume ray caster interpolates int16 and float64 a hair apart.
            difference = np.abs(picture.astype(int) - _screenshot(floats))
            assert difference.max() <= 2, make
            assert big.value_at(coords) == floats.value_at(coords)


def test_mgz_image_draws_as_its_native_copy(tmp_path):
    path = NIBABEL_DATA / "test.mgz"
    img = nib.load(path)
    assert img.get_data_dtype().byteorder == ">"
    layer = Contour(path, volume=1)
    twin = Contour((np.asarray(img.get_fdata()[..., 1]), img.affine), level=layer.level)
    assert layer.mesh.n_points > 0
    _same_points(layer.mesh, twin.mesh)


def test_minc_time_axis_is_not_taken_for_space():
    path = NIBABEL_DATA / "minc1_4d.mnc"
    img, data = _spatial_image(path)
    assert data.shape == (2, 10, 20, 20)  # MINC order: time first
    image = load_image(path, volume=1)
    np.testing.assert_array_equal(image.data, data[1])


# ------------------------------------------ byte-swapped copies of real data


@pytest.fixture(scope="module")
def template():
    img = load_mni152(resolution=2)
    return np.asarray(img.dataobj), img.affine


def test_byte_swapped_template_gives_the_same_isosurface(template):
    data, affine = template
    swapped = _byte_swapped(data)
    assert not swapped.dtype.isnative and np.array_equal(swapped, data)
    native, big = Contour((data, affine), level=0.4), Contour((swapped, affine), level=0.4)
    assert native.mesh.n_points > 10_000
    np.testing.assert_array_equal(native.mesh.points, big.mesh.points)
    big_file = Contour(nib.Nifti1Image(swapped, affine), level=0.4)
    np.testing.assert_array_equal(native.mesh.points, big_file.mesh.points)


def test_byte_swapped_template_renders_the_same_volume(template):
    data, affine = template
    small = np.ascontiguousarray(data[::2, ::2, ::2])
    affine = affine @ np.diag([2.0, 2, 2, 1])
    native = Volume((small, affine), clim=(0.2, 0.9))
    big = Volume((_byte_swapped(small), affine), clim=(0.2, 0.9))
    np.testing.assert_array_equal(_screenshot(native), _screenshot(big))


def test_byte_swapped_mask_gives_the_same_glass_brain(template):
    data, affine = template
    mask = (data[::3, ::3, ::3] > 0.3).astype(np.int16)
    affine = affine @ np.diag([3.0, 3, 3, 1])
    native = outline_mesh(load_image((mask, affine)), n_triangles=500, smooth=0)
    big = outline_mesh(load_image((_byte_swapped(mask), affine)), n_triangles=500, smooth=0)
    assert native.n_points > 100
    np.testing.assert_array_equal(native.points, big.points)


@pytest.fixture(scope="module")
def demo_atlas():
    atlas = load_demo_atlas(resolution=2)
    return np.asarray(atlas.maps.dataobj), atlas.maps.affine


def test_byte_swapped_atlas_draws_the_same_regions(demo_atlas):
    data, affine = demo_atlas
    native = Atlas((data, affine), smooth=0)
    big = Atlas((_byte_swapped(data), affine), smooth=0)
    assert big.names == native.names and len(big.names) > 100
    np.testing.assert_array_equal(native.mesh.points, big.mesh.points)
    np.testing.assert_array_equal(native.mesh.cell_data["region"], big.mesh.cell_data["region"])


def test_mgz_atlas_draws_its_regions(demo_atlas, tmp_path):
    data, affine = demo_atlas
    path = tmp_path / "atlas.mgz"
    nib.save(nib.MGHImage(data.astype(np.int32), affine), path)
    assert nib.load(path).get_data_dtype().byteorder == ">"
    native = Atlas((data, affine), smooth=0)
    from_mgz = Atlas(path, smooth=0)
    assert len(from_mgz.names) == len(native.names)
    assert len(np.unique(from_mgz.mesh.cell_data["region"])) == len(native.names)
    np.testing.assert_array_equal(native.mesh.points, from_mgz.mesh.points)
    point = native.centroids()[native.names[0]]
    assert from_mgz.label_at(point) == native.label_at(point)


# ----------------------------------------------------------- the conversion


def test_native_supported_data_is_not_copied():
    for dtype in (np.uint8, np.int16, np.int32, np.int64, np.float32, np.float64):
        array = np.arange(24, dtype=dtype).reshape(2, 3, 4)
        assert vtk_ready(array) is array
        assert np.shares_memory(load_image((array, np.eye(4))).data, array)
    mask = np.zeros((2, 3, 4), dtype=bool)
    assert np.shares_memory(vtk_ready(mask), mask) and vtk_ready(mask).dtype == np.uint8


def test_memory_mapped_native_file_is_not_copied(tmp_path):
    path = tmp_path / "native.nii"
    nib.save(nib.Nifti1Image(np.arange(60, dtype=np.int16).reshape(3, 4, 5), np.eye(4)), path)
    img = nib.load(path, mmap=True)
    image = load_image(img)
    assert isinstance(image.data, np.memmap)


@pytest.mark.parametrize("dtype", [">i2", ">u2", ">i4", ">u4", ">i8", ">f4", ">f8", "<f2", "<f16"])
def test_unusual_dtypes_become_native_and_keep_their_values(dtype):
    if np.dtype(dtype).itemsize == 16 and np.dtype(np.longdouble).itemsize < 16:
        pytest.skip("no 16-byte long double on this platform")
    array = np.arange(24).reshape(2, 3, 4).astype(dtype)
    ready = vtk_ready(array)
    assert ready.dtype.isnative and ready.dtype.itemsize in (1, 2, 4, 8)
    assert ready.dtype.kind == np.dtype(dtype).kind
    np.testing.assert_array_equal(ready, array)


# ------------------------------------------ nilearn and FreeSurfer surfaces

NILEARN_SURFACE_DATA = Path(__import__("nilearn").__file__).parent / "surface" / "tests" / "data"


@pytest.fixture(scope="module")
def fsaverage():
    from nilearn.datasets import load_fsaverage, load_fsaverage_data

    return load_fsaverage(), load_fsaverage_data(data_type="sulcal")


def test_nilearn_polymesh_is_accepted_as_a_mesh(fsaverage):
    meshes, _ = fsaverage
    pial = meshes["pial"]
    left = bv.layers.Surface(pial, hemi="left")
    right = bv.layers.Surface(pial, hemi="right")
    both = bv.layers.Surface(pial, hemi="both")
    assert left.n_vertices == right.n_vertices == pial.parts["left"].n_vertices
    assert both.n_vertices == 2 * left.n_vertices
    np.testing.assert_array_equal(left.mesh.points, pial.parts["left"].coordinates)
    assert left.mesh.points[:, 0].mean() < 0 < right.mesh.points[:, 0].mean()


def test_nilearn_in_memory_mesh_and_one_part_polymesh_need_no_hemi(fsaverage):
    from nilearn.surface import InMemoryMesh, PolyMesh

    from brainview.io import load_surface

    left = fsaverage[0]["pial"].parts["left"]
    in_memory = InMemoryMesh(left.coordinates, left.faces)
    assert load_surface(in_memory).n_vertices == left.n_vertices
    assert load_surface(PolyMesh(left=in_memory)).n_vertices == left.n_vertices


def test_nilearn_polymesh_asks_for_a_hemisphere_by_name(fsaverage):
    from brainview.io import load_surface

    with pytest.raises(BrainviewValueError, match=r"hemi: .*'left', 'right'.*got 'top'"):
        load_surface(fsaverage[0]["pial"], hemi="top")
    with pytest.raises(BrainviewValueError, match="hemi:"):
        load_surface(fsaverage[0]["pial"])


def test_nilearn_surface_image_gives_mesh_and_overlay(fsaverage):
    _, sulcal = fsaverage
    for hemi in ("left", "right"):
        layer = bv.layers.Surface(sulcal, hemi=hemi, cmap="coolwarm")
        np.testing.assert_array_equal(layer.overlay_values, sulcal.data.parts[hemi])
    both = bv.layers.Surface(sulcal, hemi="both")
    np.testing.assert_array_equal(
        both.overlay_values, np.concatenate([sulcal.data.parts["left"], sulcal.data.parts["right"]]))


def test_nilearn_surface_image_as_overlay_on_fsaverage5(fsaverage):
    _, sulcal = fsaverage
    layer = bv.layers.Surface("fsaverage5", sulcal, hemi="right")
    np.testing.assert_array_equal(layer.overlay_values, sulcal.data.parts["right"])


def test_freesurfer_annot_draws_regions_in_their_table_colours():
    path = NILEARN_SURFACE_DATA / "test.annot"
    values, table, names = nib.freesurfer.read_annot(path)
    layer = bv.layers.Surface("fsaverage5", path, hemi="left")
    assert set(layer.label_names.values()) == {n.decode() for n in names}
    rgb = layer.vertex_colors()
    for vertex in np.random.default_rng(0).choice(np.flatnonzero(values >= 0), 20):
        np.testing.assert_allclose(rgb[vertex], table[values[vertex], :3] / 255)
    assert layer.colorbar_table() is None


def test_gifti_label_file_draws_regions_in_their_table_colours():
    path = Path(nib.__file__).parent / "gifti" / "tests" / "data" / "rh.aparc.annot.gii"
    gii = nib.load(path)
    n_vertices = len(gii.darrays[0].data)
    mesh = (np.random.default_rng(0).random((n_vertices, 3)), np.array([[0, 1, 2]]))
    layer = bv.layers.Surface(mesh, path)
    colors = {entry.key: entry.rgba[:3] for entry in gii.labeltable.labels}
    vertex = int(np.flatnonzero(gii.darrays[0].data == gii.labeltable.labels[3].key)[0])
    np.testing.assert_allclose(layer.vertex_colors()[vertex], colors[gii.labeltable.labels[3].key])


def test_freesurfer_label_is_a_vertex_subset_not_a_length_error():
    path = NILEARN_SURFACE_DATA / "test.label"
    vertices = nib.freesurfer.read_label(path)
    layer = bv.layers.Surface("fsaverage5", path, hemi="left")
    assert set(np.flatnonzero(layer.shown_vertices())) == set(vertices.tolist())
    with pytest.raises(BrainviewValueError, match=r"names vertices .* but the mesh has 3"):
        bv.layers.Surface((np.eye(3), np.array([[0, 1, 2]])), path)


def test_annot_file_as_values_gets_a_pointer_to_label_drawing():
    from brainview.io import load_surface_data

    with pytest.raises(BrainviewValueError, match="named regions, not values"):
        load_surface_data(NILEARN_SURFACE_DATA / "test.annot")
