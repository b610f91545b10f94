"""World placement: data lands at its mm coordinates under any affine, and views are not mirrored."""

import numpy as np
import pytest

from brainview.io import load_image
from brainview.layers import Contour, Points, Slices, Volume

from conftest import rotation, smooth_sphere_phantom, sphere_phantom

CENTER = np.array([-40.0, 10.0, 20.0])
RADIUS = 12.0


def _affines():
    oblique = rotation(2, 20) @ rotation(0, 15) @ np.array(
        [[2, 0, 0, -80], [0, 2, 0, -30], [0, 0, 2, -20], [0, 0, 0, 1.0]])
    return {
        "identity": np.array([[1, 0, 0, -60], [0, 1, 0, -10], [0, 0, 1, 0], [0, 0, 0, 1.0]]),
        "LAS": np.array([[-2, 0, 0, 0], [0, 2, 0, -30], [0, 0, 2, -20], [0, 0, 0, 1.0]]),
        "LPS": np.array([[-2, 0, 0, 0], [0, -2, 0, 50], [0, 0, 2, -20], [0, 0, 0, 1.0]]),
        "anisotropic": np.array([[1, 0, 0, -60], [0, 2, 0, -30], [0, 0, 3, -40], [0, 0, 0, 1.0]]),
        "oblique": oblique,
    }


AFFINES = _affines()


def _phantom_center(affine):
    """A centre inside the 40^3 grid for this affine (the middle voxel, nudged)."""
    return (affine @ [19.3, 20.6, 18.9, 1])[:3]


@pytest.mark.parametrize("label", list(AFFINES))
def test_isosurface_centroid_and_bounds(label):
    affine = AFFINES[label]
    center = _phantom_center(affine)
    image = (smooth_sphere_phantom(affine, center, RADIUS), affine)
    mesh = Contour(image, level=0.0).mesh
    voxel = np.linalg.norm(affine[:3, :3], axis=0).max()
    centroid = np.asarray(mesh.points).mean(axis=0)
    assert np.linalg.norm(centroid - center) < voxel / 2
    expected = np.ravel(np.column_stack([center - RADIUS, center + RADIUS]))
    assert np.allclose(mesh.bounds, expected, atol=voxel)


@pytest.mark.parametrize("label", ["LAS", "oblique"])
def test_isosurface_of_binary_sphere_is_placed(label):
    affine = AFFINES[label]
    center = _phantom_center(affine)
    mesh = Contour((sphere_phantom(affine, center, RADIUS), affine), level=0.5).mesh
    voxel = np.linalg.norm(affine[:3, :3], axis=0).max()
    assert np.linalg.norm(np.asarray(mesh.points).mean(axis=0) - center) < voxel / 2


@pytest.mark.parametrize("label", ["identity", "LAS", "oblique"])
def test_isosurface_normals_point_outwards(label):
    """Flipped and C-ordered data once produced inside-out surfaces (dark centres)."""
    affine = AFFINES[label]
    center = _phantom_center(affine)
    mesh = Contour((smooth_sphere_phantom(affine, center, RADIUS), affine), level=0.0).mesh
    normals = mesh.point_normals if "Normals" not in mesh.point_data else mesh.point_data["Normals"]
    radial = np.asarray(mesh.points) - center
    # Positive inside: the gradient points inwards, so VTK normals point along -gradient = outwards.
    outward = np.einsum("ij,ij->i", np.asarray(normals), radial) > 0
    assert outward.mean() > 0.95
    cell_normals = mesh.compute_normals(cell_normals=True, point_normals=False,
                                        auto_orient_normals=False, consistent_normals=False)
    centers = cell_normals.cell_centers().points - center
    assert (np.einsum("ij,ij->i", cell_normals.cell_data["Normals"], centers) > 0).mean() > 0.95


@pytest.mark.parametrize("label", ["identity", "LAS", "LPS", "oblique"])
def test_slices_cut_at_requested_mm(label):
    affine = AFFINES[label]
    rng = np.random.default_rng(0)
    data = rng.random((40, 40, 40)).astype(np.float32)
    image = load_image((data, affine))
    coords = _phantom_center(affine)
    layer = Slices((data, affine), coords=coords)
    for index, axis in enumerate("xyz"):
        origin = layer.plane_origin(axis)
        assert origin[index] == pytest.approx(coords[index])
        values = layer.plane_values(axis)
        # The plane's pixels are the image's nearest voxels at those world points.
        spacing = layer.plane(axis)[2]
        in_plane = [a for a in range(3) if a != index]
        u, v = np.meshgrid(np.arange(values.shape[0]), np.arange(values.shape[1]), indexing="ij")
        world = np.zeros(u.shape + (3,))
        world[..., index] = coords[index]
        world[..., in_plane[0]] = origin[in_plane[0]] + u * spacing
        world[..., in_plane[1]] = origin[in_plane[1]] + v * spacing
        expected = image.value_at(world.reshape(-1, 3)).reshape(values.shape)
        inside = np.isfinite(expected) & np.isfinite(values)
        assert inside.sum() > 100
        assert np.mean(values[inside] == expected[inside]) > 0.98


def test_slice_moves_when_trait_changes():
    layer = Slices((np.ones((10, 10, 10), np.float32), np.eye(4)), coords=(5, 5, 5))
    layer.y = 2.0
    assert layer.plane_origin("y")[1] == 2.0
    assert layer.plane_origin("x")[0] == 5.0


@pytest.mark.parametrize("label", ["identity", "LAS", "oblique"])
def test_volume_prop_bounds_match_image(fig, label):
    affine = AFFINES[label]
    data = np.zeros((40, 40, 40), np.float32)
    data[5:30, 8:20, 10:35] = 1
    layer = fig.add(Volume((data, affine), clim=(0.1, 1)))
    image = load_image((data, affine))
    assert np.allclose(fig.drawer(layer).actor.GetBounds(), image.world_bounds(), atol=1e-4)


def test_points_at_their_coordinates():
    coords = np.array([[-40.0, -20, 50], [10, 60, -5], [0, 0, 0]])
    assert np.array_equal(Points(coords).centers(), coords)


# ------------------------------------------------------------ left / right on screen


def _blob_columns(pixels, color):
    """Column and row centroid of pixels close to an RGB colour."""
    target = np.array(color) * 255
    close = np.abs(pixels.astype(float) - target).sum(axis=2) < 120
    rows, cols = np.nonzero(close)
    return (cols.mean() if cols.size else None), (rows.mean() if rows.size else None), close.sum()


def _two_blob_scene(fig, kind):
    """Red blob at x=-40 (left hemisphere), blue at x=+40, green at y=+50 (anterior).

    Contours: one layer per blob. Volume: ONE image stored LAS (x flipped, the
    classic cause of mirrored volume renderings) holding the three blobs as
    values 1, 2, 3 mapped to red, blue, green. (Separate overlapping volumes
    are composited in drawing order by VTK, not by depth.)
    """
    grid = np.array([[2.0, 0, 0, -80], [0, 2, 0, -60], [0, 0, 2, -40], [0, 0, 0, 1]])
    blobs = (((-40, 10, 20), "red"), ((40, 10, 20), "blue"), ((0, 50, 20), "lime"))
    if kind == "contour":
        for center, color in blobs:
            data = smooth_sphere_phantom(grid, center, 10, shape=(81, 81, 61))
            fig.add(Contour((data, grid), level=0.0, color=color))
        return
    las = grid @ np.diag([-1.0, 1, 1, 1])
    las[0, 3] = 80
    data = np.zeros((81, 81, 61), np.float32)
    for value, (center, _) in enumerate(blobs, start=1):
        data[sphere_phantom(las, center, 10, shape=(81, 81, 61)) > 0] = value
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap(["red", "blue", "lime"])
    layer = fig.add(Volume((data, las), cmap=cmap, clim=(0.5, 3.5), opacity=1.0, ramp="flat"))
    # Categorical values: linear interpolation would draw 1-2 rings around value 3.
    fig.drawer(layer).actor.GetProperty().SetInterpolationTypeToNearest()


def _solid_cmap(color):
    from matplotlib.colors import ListedColormap

    return ListedColormap([color, color])


@pytest.mark.parametrize("kind", ["contour", "volume"])
def test_views_are_not_mirrored(fig, kind):
    _two_blob_scene(fig, kind)
    width = fig.size[0]
    fig.view("superior")
    pixels = fig.screenshot()
    red_x, _, _ = _blob_columns(pixels, (1, 0, 0))
    blue_x, _, _ = _blob_columns(pixels, (0, 0, 1))
    _, green_y, _ = _blob_columns(pixels, (0, 1, 0))
    _, red_y, _ = _blob_columns(pixels, (1, 0, 0))
    assert red_x < width / 2 < blue_x, "superior: left hemisphere must be on the left"
    assert green_y < red_y, "superior: anterior must be up"

    fig.view("posterior")
    pixels = fig.screenshot()
    assert _blob_columns(pixels, (1, 0, 0))[0] < width / 2 < _blob_columns(pixels, (0, 0, 1))[0]

    fig.view("anterior")
    pixels = fig.screenshot()
    assert _blob_columns(pixels, (0, 0, 1))[0] < width / 2 < _blob_columns(pixels, (1, 0, 0))[0]

    fig.view("left")
    pixels = fig.screenshot()
    red_count = _blob_columns(pixels, (1, 0, 0))[2]
    blue_count = _blob_columns(pixels, (0, 0, 1))[2]
    # Perspective lets the far blob peek out beside the near one; it is mostly hidden.
    assert red_count > 100 and blue_count < red_count / 3, "left view: the left blob must hide the right one"

    fig.view("right")
    pixels = fig.screenshot()
    assert _blob_columns(pixels, (0, 0, 1))[2] > 3 * max(_blob_columns(pixels, (1, 0, 0))[2], 1)


def test_las_big_endian_file_lands_where_its_ras_copy_does():
    from pathlib import Path

    import nibabel as nib

    path = Path(nib.__file__).parent / "tests" / "data" / "anatomical.nii"
    img = nib.load(path)
    assert nib.aff2axcodes(img.affine) == ("L", "A", "S")
    canonical = nib.as_closest_canonical(img)
    las, ras = Contour(path, level=7000.0), Contour(canonical, level=7000.0)
    first, second = np.asarray(las.mesh.points), np.asarray(ras.mesh.points)
    first, second = first[np.lexsort(first.T)], second[np.lexsort(second.T)]
    np.testing.assert_allclose(first, second, atol=1e-3)
