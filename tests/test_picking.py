"""Picking, the figure hosting API and file dispatch: library code the desktop app uses (no Qt)."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest

from brainview.errors import BrainviewValueError, ImageLoadError
from brainview.scene import LIVE_WINDOWS, Figure
from brainview.gui.files import file_kind, layers_from_files, volume_role
from brainview.layers import Points, Slices
from brainview.picking import PickResult, pick

# A 2 mm grid whose voxel (i, j, k) holds 100*i + j: values identify positions.
AFFINE = np.diag([2.0, 2.0, 2.0, 1.0])
AFFINE[:3, 3] = (-20.0, -30.0, -10.0)


def ramp_image():
    i, j, _ = np.indices((21, 31, 11))
    return (100.0 * i + j).astype(np.float32), AFFINE


def display_xy(figure, xyz):
    """Top-left-origin pixel where a world point is drawn."""
    from vtkmodules.vtkRenderingCore import vtkCoordinate

    coordinate = vtkCoordinate()
    coordinate.SetCoordinateSystemToWorld()
    coordinate.SetValue(*xyz)
    x, y = coordinate.GetComputedDoubleDisplayValue(figure.renderer)
    return x, figure.window.GetSize()[1] - 1 - y


@pytest.fixture
def plane_figure():
    figure = Figure(size=(200, 200), antialias=False)
    figure.add(Slices(ramp_image(), axes="z", coords=(0, 0, 0), name="ramp"))
    figure.view("superior")
    figure.render()
    yield figure
    figure.close()


@pytest.mark.parametrize("xyz", [(0.0, 0.0, 0.0), (10.0, -20.0, 0.0), (-16.0, 24.0, 0.0)])
def test_pick_returns_world_mm_and_value_at_projected_position(plane_figure, xyz):
    result = pick(plane_figure, *display_xy(plane_figure, xyz))
    assert np.allclose(result.world_xyz, xyz, atol=2.0)  # within a voxel
    i, j = np.rint((np.asarray(xyz[:2]) - AFFINE[:2, 3]) / 2.0)
    assert result.values == {"ramp": pytest.approx(100 * i + j)}
    assert result.layer is plane_figure.layers[0]
    assert result.region is None


def test_pick_background_gives_empty_result(plane_figure):
    assert pick(plane_figure, 1, 1) == PickResult()
    assert PickResult().describe() == ""


def test_figure_pick_delegates_and_reports_every_image_layer(plane_figure):
    plane_figure.add(Slices(ramp_image(), axes="z", coords=(0, 0, 0), name="ramp", opacity=0.5))
    plane_figure.add(Points([[0, 0, 0]], size=1, name="dots"))  # no values: left out
    result = plane_figure.pick(*display_xy(plane_figure, (4.0, 6.0, 0.0)))
    assert set(result.values) == {"ramp", "ramp (2)"}
    assert "x=4.0 y=6.0 z=0.0 mm" in result.describe()


def test_pick_names_the_atlas_region():
    from brainview.layers import Atlas

    labels = np.zeros((20, 20, 20), dtype=np.int16)
    labels[2:9, 5:15, 5:15] = 1
    labels[11:18, 5:15, 5:15] = 2
    figure = Figure(size=(200, 200), antialias=False)
    try:
        figure.add(Atlas((labels, np.eye(4)), labels=["Background", "west", "east"], smooth=0))
        figure.view("superior")
        figure.render()
        result = figure.pick(*display_xy(figure, (14.5, 10.0, 14.0)))
        assert result.region == "east"
        assert 13 <= result.world_xyz[0] <= 18
        assert "east" in result.describe()
    finally:
        figure.close()


def test_pick_rejects_non_numeric_pixels(plane_figure):
    with pytest.raises(BrainviewValueError, match="x, y"):
        pick(plane_figure, "a", None)


# ---------------------------------------------------------------- hosting API


def test_hosted_figure_renders_in_the_host_and_saves_at_other_sizes():
    from brainview import _vtk

    figure = Figure(size=(120, 100), antialias=False)
    figure.add(Slices(ramp_image(), axes="z", name="ramp"))
    figure.screenshot()  # creates the off-screen window
    host = _vtk.vtkRenderWindow()
    host.SetOffScreenRendering(True)
    host.SetSize(160, 90)
    try:
        figure._host_in(host)
        assert figure.window is host and figure.renderer in list(_iter(host.GetRenderers()))
        assert host in LIVE_WINDOWS and len([w for w in LIVE_WINDOWS if w is not host]) == 0
        assert figure.screenshot().shape == (100, 120, 3)  # its own size, off-screen
        same = figure.screenshot(size=(160, 90))  # the host's size: read from the host
        assert same.shape == (90, 160, 3) and same.max() > 0
        assert tuple(host.GetSize()) == (160, 90)  # the host was not resized
        assert figure.window is host  # still hosted after an off-screen image
        with pytest.raises(BrainviewValueError, match="already shown"):
            figure._host_in(host)
        figure._unhost()
        assert host not in LIVE_WINDOWS
        assert figure.screenshot().shape == (100, 120, 3)
    finally:
        figure.close()
        host.Finalize()
    assert not [w for w in LIVE_WINDOWS]


def _iter(collection):
    collection.InitTraversal()
    item = collection.GetNextItem()
    while item is not None:
        yield item
        item = collection.GetNextItem()


def test_move_changes_layer_order_and_validates():
    figure = Figure(size=(50, 50))
    a, b = figure.add(Points([[0, 0, 0]], name="a")), figure.add(Points([[1, 1, 1]], name="b"))
    figure.move(a, 1)
    assert figure.layers == [b, a]
    with pytest.raises(BrainviewValueError, match="index"):
        figure.move(a, 5)
    figure.close()


# ---------------------------------------------------------------- file dispatch


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("files")
    paths = {}
    rng = np.random.default_rng(0)
    anat = rng.uniform(10, 100, (12, 12, 12)).astype(np.float32)
    nib.save(nib.Nifti1Image(anat, np.eye(4)), folder / "t1.nii.gz")
    labels = np.zeros((12, 12, 12), dtype=np.int16)
    labels[2:5, 2:5, 2:5], labels[6:9, 6:9, 6:9] = 1, 2
    nib.save(nib.Nifti1Image(labels, np.eye(4)), folder / "labels.nii.gz")
    vertices = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10]], dtype=np.float32)
    faces = np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]], dtype=np.int32)
    mesh = nib.gifti.GiftiImage(darrays=[
        nib.gifti.GiftiDataArray(vertices, intent="NIFTI_INTENT_POINTSET"),
        nib.gifti.GiftiDataArray(faces, intent="NIFTI_INTENT_TRIANGLE")])
    nib.save(mesh, folder / "lh.mesh.gii")
    data = nib.gifti.GiftiImage(darrays=[nib.gifti.GiftiDataArray(
        np.arange(4, dtype=np.float32), intent="NIFTI_INTENT_SHAPE")])
    nib.save(data, folder / "thickness.gii")
    nib.freesurfer.write_geometry(str(folder / "lh.pial"), vertices, faces)
    nib.freesurfer.write_morph_data(str(folder / "lh.thickness"), np.arange(4, dtype=np.float32))
    (folder / "notes.nii.gz").write_bytes(b"\x1f\x8b\x08\x00 broken gzip")
    (folder / "table.nii").write_bytes(b"a,b,c\n" * 100)
    for name in ("t1.nii.gz", "labels.nii.gz", "lh.mesh.gii", "thickness.gii", "lh.pial",
                 "lh.thickness", "notes.nii.gz", "table.nii"):
        paths[name] = folder / name
    return paths


@pytest.mark.parametrize("name, kind", [
    ("t1.nii.gz", "volume"), ("labels.nii.gz", "volume"), ("lh.mesh.gii", "surface"),
    ("thickness.gii", "surface_data"), ("lh.pial", "surface"), ("lh.thickness", "surface_data"),
])
def test_file_kind_reads_content(files, name, kind):
    assert file_kind(files[name]) == kind


@pytest.mark.parametrize("name, reason", [("notes.nii.gz", "corrupt gzip"), ("table.nii", "unsupported")])
def test_file_kind_rejects_bad_files_naming_them(files, name, reason):
    with pytest.raises(ImageLoadError, match=reason) as info:
        file_kind(files[name])
    assert name in str(info.value)


def test_file_kind_missing_file(tmp_path):
    with pytest.raises(ImageLoadError, match="not found"):
        file_kind(tmp_path / "nope.nii")


def test_volume_role_of_empty_and_all_nan_floats_is_map(tmp_path):
    for name, data in (("nan", np.full((3, 3, 3), np.nan, np.float32)),
                       ("zeros", np.zeros((3, 3, 3), np.float32))):
        nib.save(nib.Nifti1Image(data, np.eye(4)), tmp_path / f"{name}.nii")
        assert volume_role(tmp_path / f"{name}.nii") == "map"


def test_layers_from_files_anatomy_atlas_and_surface(files):
    kinds = [layer.kind for layer in layers_from_files([files["t1.nii.gz"], files["labels.nii.gz"]],
                                                       atlas=True)]
    assert kinds == ["slices", "atlas"]
    kinds = [layer.kind for layer in layers_from_files([files["t1.nii.gz"]], atlas=files["labels.nii.gz"])]
    assert kinds == ["slices", "atlas"]
    (surface,) = layers_from_files([files["lh.mesh.gii"]], overlay=files["thickness.gii"])
    assert surface.kind == "surface" and surface.overlay_values.tolist() == [0, 1, 2, 3]
    (surface,) = layers_from_files([files["lh.pial"], files["lh.thickness"]])
    assert surface.overlay is not None


def test_layers_from_files_errors(files):
    with pytest.raises(BrainviewValueError, match="with its surface"):
        layers_from_files([files["thickness.gii"]])
    with pytest.raises(BrainviewValueError, match="atlas"):
        layers_from_files([files["lh.pial"]], atlas=True)


# ---------------------------------------------------------------- picking through context


def _sphere(radius, center=(0.0, 0.0, 0.0), shape=(41, 41, 41)):
    affine = np.diag([2.0, 2.0, 2.0, 1.0])
    affine[:3, 3] = -40.0
    ijk = np.indices(shape).reshape(3, -1).T
    world = ijk @ affine[:3, :3].T + affine[:3, 3]
    distance = np.linalg.norm(world - np.asarray(center), axis=1)
    return (radius - distance).reshape(shape).astype(np.float32), affine


def test_translucent_context_does_not_hide_the_blob_inside_it():
    """Bug: the translucent template surface caught every pick; the status bar read 0."""
    from brainview.layers import Contour, GlassBrain, StatMap

    shell, affine = _sphere(35.0)
    blob = np.clip(_sphere(8.0)[0], 0, None) * 2.0  # up to 16 at the centre, 0 outside r=8 mm
    figure = Figure(size=(200, 200), antialias=False)
    try:
        figure.add(GlassBrain(opacity=0.3))
        figure.add(Contour((shell, affine), level=0.0, opacity=0.3, name="template surface"))
        figure.add(StatMap((blob, affine), threshold=1.0, name="blob"))
        figure.view("left")
        figure.render()
        result = figure.pick(*display_xy(figure, (0.0, 0.0, 0.0)))
        assert result.layer is not None and result.layer.name == "blob"
        assert result.world_xyz[0] < -4, "the point is on the blob, not on the shell at x=-35"
        assert result.values["blob"] > 1.0
        # Nothing opaque behind: the translucent shell gives the point.
        edge = figure.pick(*display_xy(figure, (-35.0, 0.0, 25.0)))
        assert edge.world_xyz is not None and edge.values["blob"] == 0.0
    finally:
        figure.close()


def _big_sphere_layer(kind):
    from brainview.layers import Connectome

    if kind == "points":
        return Points([[60.0, 0, 0], [0.0, 0, 0]], size=[10, 50], color="red", name="spheres")
    from brainview.errors import BrainviewWarning

    with pytest.warns(BrainviewWarning, match="node_size: 50 mm"):  # a deliberately huge node: said so
        return Connectome(np.array([[0, 1.0], [1.0, 0]]), [[60.0, 0, 0], [0.0, 0, 0]], node_size=[10, 50],
                          edge_threshold=2.0, name="spheres")  # no edge drawn: the nodes alone


@pytest.mark.parametrize("kind", ["points", "connectome"])
@pytest.mark.parametrize("glass", [False, True], ids=["alone", "in_glass_brain"])
def test_picking_returns_nothing_on_points_and_connectome_nodes_even_at_the_centre_of_a_50mm_sphere(kind, glass):
    """Bug: the cell picker does not see glyphs: picks on markers and nodes gave the background."""
    from brainview.layers import Contour, GlassBrain

    figure = Figure(size=(200, 200), antialias=False)
    try:
        if glass:  # a glass brain and a translucent (pickable) shell of radius 35 mm around the sphere
            figure.add(GlassBrain(opacity=0.3))
            shell = figure.add(Contour(_sphere(35.0), level=0.0, opacity=0.3, name="shell"))
        layer = figure.add(_big_sphere_layer(kind))
        figure.view("superior")
        figure.render()
        camera = np.array(figure.renderer.GetActiveCamera().GetPosition())
        pixel = display_xy(figure, (0.0, 0.0, 0.0))
        result = figure.pick(*pixel)
        assert result.layer is layer and result.item == 1
        # On the sphere's surface (radius 25 mm), on its side facing the camera, under the pixel.
        assert np.linalg.norm(result.world_xyz) == pytest.approx(25.0, abs=0.01)
        assert result.world_xyz[2] > 20 and np.linalg.norm(camera - result.world_xyz) < np.linalg.norm(camera)
        np.testing.assert_allclose(display_xy(figure, result.world_xyz), pixel, atol=0.01)
        small = figure.pick(*display_xy(figure, (60.0, 0.0, 0.0)))
        assert small.layer is layer and small.item == 0
        inside_edge = figure.pick(*display_xy(figure, (0.0, 23.0, 0.0)))
        assert inside_edge.layer is layer and inside_edge.item == 1
        assert np.linalg.norm(inside_edge.world_xyz) == pytest.approx(25.0, abs=0.01)
        outside = figure.pick(*display_xy(figure, (0.0, 28.0, 0.0)))
        assert not {"marker", "node"} & set(outside.item_info)  # the shell names its voxel, no sphere
        assert outside.layer is (shell if glass else None)  # nothing opaque: the translucent shell
    finally:
        figure.close()


def test_pick_result_item_is_optional_and_keeps_the_old_positional_fields():
    result = PickResult((1.0, 2.0, 3.0), {"map": 2.0}, None, None)
    assert result.item is None and result.describe() == "x=1.0 y=2.0 z=3.0 mm | map: 2"
    assert PickResult((0.0, 0.0, 0.0), item=4).item == 4
