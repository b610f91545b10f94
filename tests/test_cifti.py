"""CIFTI-2 files: cortex on the vertices of the given surfaces, subcortical voxels in their space.

The files are made here with nibabel's CIFTI-2 axes (nibabel ships one CIFTI file, a
``.dconn``): two 12-vertex icosahedra as the hemispheres and a 4x5x6 volume.
"""

from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from nibabel.cifti2 import cifti2_axes as ax

import brainview as bv
from brainview.errors import BrainviewError, BrainviewValueError, ImageLoadError
from brainview.gui.cli import main
from brainview.io import load_image
from brainview.io.cifti import is_cifti, read_cifti
from brainview.layers import Atlas, StatMap, Surface

from conftest import read_png

AFFINE = np.array([[2.0, 0, 0, -10], [0, 2, 0, -20], [0, 0, 2, -30], [0, 0, 0, 1]])
LEFT, RIGHT = np.array([0, 2, 5]), np.array([1, 11])  # the vertices the file holds
VOXELS = np.array([[1, 2, 3], [3, 4, 5]])
TABLE = {0: ("???", (0.0, 0.0, 0.0, 0.0)), 1: ("V1", (1.0, 0.0, 0.0, 1.0)), 2: ("M1", (0.0, 0.5, 1.0, 1.0))}
DCONN = Path(nib.__file__).parent / "tests" / "data" / "row_major.dconn.nii"


def _icosahedron(shift):
    """A 12-vertex icosahedron of radius 20 mm centred at x = ``shift``."""
    from scipy.spatial import ConvexHull

    g = (1 + 5 ** 0.5) / 2
    v = np.array([(-1, g, 0), (1, g, 0), (-1, -g, 0), (1, -g, 0), (0, -1, g), (0, 1, g),
                  (0, -1, -g), (0, 1, -g), (g, 0, -1), (g, 0, 1), (-g, 0, -1), (-g, 0, 1)], float)
    v *= 20 / np.linalg.norm(v[0])
    faces = ConvexHull(v).simplices
    outward = np.einsum("ij,ij->i", np.cross(v[faces[:, 1]] - v[faces[:, 0]], v[faces[:, 2]] - v[faces[:, 0]]),
                        v[faces].mean(axis=1)) > 0
    faces[~outward] = faces[~outward][:, ::-1]
    return v + [shift, 0, 0], faces


def _models(left=True, right=True, volume=True):
    parts = []
    if left:
        parts.append(ax.BrainModelAxis.from_surface(LEFT, 12, "cortex_left"))
    if right:
        parts.append(ax.BrainModelAxis.from_surface(RIGHT, 12, "cortex_right"))
    if volume:
        mask = np.zeros((4, 5, 6), bool)
        mask[tuple(VOXELS.T)] = True
        parts.append(ax.BrainModelAxis.from_mask(mask, name="thalamus_left", affine=AFFINE))
    models = parts[0]
    for part in parts[1:]:
        models = models + part
    return models


def _save(path, rows, columns, data):
    header = nib.cifti2.Cifti2Header.from_axes((rows, columns))
    nib.save(nib.Cifti2Image(np.asarray(data, np.float32), header), path)
    return path


@pytest.fixture
def files(tmp_path):
    models = _models()
    parcels = ax.ParcelsAxis.from_brain_models([("p1", models[:2]), ("p2", models[3:])])  # left 0, 2 / right + voxels
    return {
        # map "a": 10, 11, ... map "b": 20, 21, ... in the order left (3), right (2), voxels (2)
        "dscalar": _save(tmp_path / "x.dscalar.nii", ax.ScalarAxis(["a", "b"]), models,
                         [np.arange(7) + 10, np.arange(7) + 20]),
        "dlabel": _save(tmp_path / "x.dlabel.nii", ax.LabelAxis(["parc"], [TABLE]), models, [[1, 0, 2, 1, 2, 1, 2]]),
        "dtseries": _save(tmp_path / "x.dtseries.nii", ax.SeriesAxis(0, 0.72, 3), models,
                          np.arange(21).reshape(3, 7)),
        "pscalar": _save(tmp_path / "x.pscalar.nii", ax.ScalarAxis(["m"]), parcels, [[5, 7]]),
        "plabel": _save(tmp_path / "x.plabel.nii", ax.LabelAxis(["parc"], [TABLE]), parcels, [[1, 2]]),
        "left_only": _save(tmp_path / "left.dscalar.nii", ax.ScalarAxis(["a"]), _models(right=False, volume=False),
                           [[1, 2, 3]]),
    }


def _expected(values, where, total=12):
    full = np.full(total, np.nan)
    full[where] = values
    return full


def test_vertices_receive_the_brain_model_values_at_their_indices_and_nan_elsewhere(files):
    cifti = read_cifti(files["dscalar"])
    assert cifti.structures == ("CORTEX_LEFT", "CORTEX_RIGHT", "THALAMUS_LEFT") and cifti.map_names == ("a", "b")
    np.testing.assert_array_equal(cifti.surface_values("left", map=0), _expected([10, 11, 12], LEFT))
    np.testing.assert_array_equal(cifti.surface_values("right", map=1), _expected([23, 24], RIGHT))
    # The layer: the right hemisphere's values on its mesh, the medial wall (absent vertices) not drawn.
    layer = Surface(_icosahedron(40), files["dscalar"], hemi="right", threshold=0.0)  # every map a column
    np.testing.assert_array_equal(layer.overlay_values, _expected([13, 14], RIGHT))
    layer.column = 1  # live: map 'b'
    np.testing.assert_array_equal(layer.overlay_values, _expected([23, 24], RIGHT))
    layer.column = 0
    assert layer.shown_vertices().tolist() == np.isin(np.arange(12), RIGHT).tolist()
    assert layer.get_params()["overlay"] == files["dscalar"]  # the path, for scene files and scripts


def test_both_hemispheres_on_one_mesh_left_vertices_first(files):
    left, faces = _icosahedron(-40)
    right, _ = _icosahedron(40)
    both = (np.vstack([left, right]), np.vstack([faces, faces + 12]))
    layer = Surface(both, files["pscalar"], hemi="both")
    np.testing.assert_array_equal(layer.overlay_values[:12], _expected(5, [0, 2]))  # parcel p1: left 0, 2
    np.testing.assert_array_equal(layer.overlay_values[12:], _expected(7, RIGHT))  # parcel p2: right 1, 11


def test_subcortical_voxels_sit_at_their_ijk_and_world_position(files):
    image = read_cifti(files["dscalar"]).volume(map="b")
    assert image.shape == (4, 5, 6) and np.array_equal(image.affine, AFFINE) and image.name == "x.dscalar.nii"
    assert image.data[1, 2, 3] == 25 and image.data[3, 4, 5] == 26 and np.isnan(image.data).sum() == 118
    world = image.to_world(VOXELS)
    np.testing.assert_array_equal(world, [[-8, -16, -24], [-4, -12, -20]])
    layer = StatMap(files["dscalar"], volume="b")
    assert np.array_equal(layer.image.affine, AFFINE)
    assert [layer.value_at(xyz) for xyz in world] == [25, 26]
    assert np.count_nonzero(layer.image.data) == 2  # 0 outside the voxels: below every threshold


def test_dlabel_names_and_colours_round_trip(files):
    cifti = read_cifti(files["dlabel"])
    assert cifti.labels() == TABLE
    surface = Surface(_icosahedron(-40), files["dlabel"], hemi="left")
    assert surface.label_names == {1: "V1", 2: "M1"}  # "???" (alpha 0) is no region
    colours = surface.vertex_colors()
    np.testing.assert_allclose(colours[0], (1, 0, 0))  # vertex 0: V1
    np.testing.assert_allclose(colours[5], (0, 0.5, 1))  # vertex 5: M1
    assert np.allclose(colours[2], surface.color) and np.allclose(colours[3], surface.color)  # ??? and absent
    atlas = Atlas(files["dlabel"])
    assert atlas.name == "x.dlabel.nii" and atlas.label_values.tolist() == [1, 2]
    assert atlas.label_at(read_cifti(files["dlabel"]).volume().to_world(VOXELS)) == ["V1", "M1"]
    np.testing.assert_array_equal(atlas.region_colors[:, :3], [[255, 0, 0], [0, 128, 255]])


def test_map_and_volume_by_index_or_name(files):
    cifti = read_cifti(files["dscalar"])
    for choice in ("b", 1, -1):
        np.testing.assert_array_equal(cifti.surface_values("left", map=choice), _expected([20, 21, 22], LEFT))
    assert StatMap(files["dscalar"], volume="a").image.data[1, 2, 3] == 15
    series = read_cifti(files["dtseries"])
    assert series.kind == "series" and series.n_maps == 3 and series.map_names == ()
    assert series.volume(map=2).data[3, 4, 5] == 20


@pytest.mark.parametrize("choice, match", [(2, r"0\.\.1 or a map name .*2 maps: 'a', 'b'.*got 2"),
                                           ("c", r"no map named 'c'; its maps are: 'a', 'b'"),
                                           (True, "got True"), (1.0, "got 1.0")])
def test_out_of_range_column_lists_the_valid_range_and_names(files, choice, match):
    with pytest.raises(BrainviewValueError, match=match):
        read_cifti(files["dscalar"]).surface_values("left", map=choice)
    with pytest.raises(BrainviewValueError, match="volume: "):
        StatMap(files["dscalar"], volume=choice)


def test_missing_structure_names_the_structures_present(files):
    with pytest.raises(BrainviewValueError, match="no CORTEX_RIGHT .*structures are CORTEX_LEFT"):
        Surface(_icosahedron(40), files["left_only"], hemi="right")
    with pytest.raises(BrainviewValueError, match="no volume part .*bv.surface"):
        StatMap(files["left_only"])
    with pytest.raises(BrainviewValueError, match="no volume part .*--surf"):
        Atlas(_save(files["left_only"].with_name("l.dlabel.nii"), ax.LabelAxis(["p"], [TABLE]),
                    _models(right=False, volume=False), [[1, 2, 1]]))
    with pytest.raises(BrainviewValueError, match="surface of 12 vertices, but the mesh has 24"):
        Surface((np.vstack([_icosahedron(0)[0]] * 2), _icosahedron(0)[1]), files["left_only"], hemi="left")
    with pytest.raises(BrainviewValueError, match="scalar maps, not labels"):
        Atlas(files["dscalar"])


def test_connectivity_file_says_how_to_make_a_connectome():
    assert is_cifti(DCONN)
    for call in (read_cifti, StatMap, Atlas, lambda p: Surface(_icosahedron(0), p, hemi="left")):
        with pytest.raises(BrainviewValueError, match=r"connectivity matrix .*bv\.connectome\(matrix, coords\)"):
            call(DCONN)


def test_truncated_or_hostile_file_is_an_image_load_error(files, tmp_path):
    truncated = tmp_path / "cut.dscalar.nii"
    truncated.write_bytes(files["dscalar"].read_bytes()[:-8])
    with pytest.raises(ImageLoadError, match="truncated"):
        read_cifti(truncated)
    raw = bytearray(files["dscalar"].read_bytes())
    entity = b'<!DOCTYPE CIFTI [<!ENTITY a "b">]>'.ljust(48)  # inserted: extension and data offset grow by 48
    raw[544:548] = (int.from_bytes(raw[544:548], "little") + 48).to_bytes(4, "little")  # esize
    raw[168:176] = (int.from_bytes(raw[168:176], "little") + 48).to_bytes(8, "little")  # vox_offset
    start = raw.index(b"<CIFTI")
    hostile = tmp_path / "entity.dscalar.nii"
    hostile.write_bytes(bytes(raw[:start]) + entity + bytes(raw[start:]))
    with pytest.raises(ImageLoadError, match="declares entities"):
        read_cifti(hostile)
    for old, new, match in ((b"<VertexIndices>1 11<", b"<VertexIndices>1 99<", "vertex indices 1..99 on a surface of 12"),
                            (b"SurfaceNumberOfVertices", b"Sur5aceNumberOfVertices", "no valid SurfaceNumberOfVertices"),
                            (b"1 2 3\n3 4 5", b"1 2 3\n3 4 9", r"voxel indices outside its volume of shape \(4, 5, 6\)")):
        corrupt = tmp_path / "corrupt.dscalar.nii"
        corrupt.write_bytes(files["dscalar"].read_bytes().replace(old, new, 1))
        with pytest.raises(ImageLoadError, match=match):
            read_cifti(corrupt)
    not_cifti = tmp_path / "plain.dscalar.nii"
    not_cifti.write_bytes(b"\x00" * 600)
    with pytest.raises(ImageLoadError, match="not a CIFTI-2 file"):
        Surface(_icosahedron(0), not_cifti, hemi="left")


def test_cifti_in_an_image_reader_is_a_brainview_error_not_attribute_error(files):
    """Bug: bv.volume / load_image on a .dscalar.nii raised AttributeError: no attribute 'affine'."""
    with pytest.raises(ImageLoadError, match=r"Cifti2Image, not an image on a voxel grid.*bv\.surface"):
        load_image(files["dscalar"])


def test_dtseries_without_a_column_shows_the_first_with_a_warning(files):
    with pytest.warns(bv.BrainviewWarning, match=r"holds 3 maps; showing map 0. Pick one with volume=<index in 0..2>\."):
        layer = StatMap(files["dtseries"])
    assert layer.image.data[1, 2, 3] == 5


def test_plabel_parcels_become_atlas_regions(files):
    atlas = Atlas(files["plabel"])
    assert atlas.label_at(read_cifti(files["plabel"]).volume().to_world(VOXELS)) == ["M1", "M1"]


def _gifti(path, mesh):
    vertices, faces = mesh
    nib.save(nib.gifti.GiftiImage(darrays=[
        nib.gifti.GiftiDataArray(vertices.astype(np.float32), intent="NIFTI_INTENT_POINTSET"),
        nib.gifti.GiftiDataArray(faces.astype(np.int32), intent="NIFTI_INTENT_TRIANGLE")]), path)
    return path


def test_cli_opens_cifti_on_the_given_surfaces(files, tmp_path, capsys):
    left, right = _gifti(tmp_path / "L.surf.gii", _icosahedron(-40)), _gifti(tmp_path / "R.surf.gii", _icosahedron(40))
    out = tmp_path / "cifti.png"
    status = main([str(files["dscalar"]), "--surf", str(left), str(right), "--volume", "1", "--view", "superior", "--cmap", "viridis",
                   "--screenshot", str(out), "--size", "160", "120"])
    err = capsys.readouterr().err
    assert status == 0 and "warning" not in err, err  # the medial wall is NaN by design
    pixels = read_png(out).astype(int)
    coloured = pixels.max(axis=2) - pixels.min(axis=2) > 60  # the overlay; the glass brain is grey
    assert pixels.shape == (120, 160, 3) and coloured[:, :70].sum() > 20 and coloured[:, 90:].sum() > 20
    status = main([str(files["dscalar"]), "--screenshot", str(tmp_path / "no.png")])
    error = capsys.readouterr().err.strip().splitlines()
    assert status == 1 and error[-1].startswith("brainview: error: surf: ") and not (tmp_path / "no.png").exists()
    assert "left cortex: 12 vertices, right cortex: 12 vertices" in error[-1]
    assert "add --surf L.surf.gii R.surf.gii" in error[-1]
    status = main([str(files["left_only"]), "--surf", str(left), str(right), "--screenshot", str(tmp_path / "no.png")])
    assert status == 1 and "(left cortex: 12 vertices) and needs" in (err := capsys.readouterr().err)
    assert "got 2: give exactly --surf L.surf.gii" in err
    status = main([str(DCONN), "--screenshot", str(tmp_path / "no.png")])
    assert status == 1 and "bv.connectome" in capsys.readouterr().err


def test_dscalar_on_two_hemispheres_picture(tmp_path):
    """A map on fsaverage5's two hemispheres, its medial wall (vertices absent) left empty."""
    vertices = {h: bv.datasets.fsaverage5_surface("pial", hemi=h).vertices for h in ("left", "right")}
    keep = {h: np.flatnonzero(np.abs(v[:, 0]) > 10) for h, v in vertices.items()}  # the medial wall left out
    models = (ax.BrainModelAxis.from_surface(keep["left"], 10242, "cortex_left")
              + ax.BrainModelAxis.from_surface(keep["right"], 10242, "cortex_right"))
    values = np.concatenate([vertices[h][keep[h], 1] / 20 for h in ("left", "right")])  # anterior-posterior
    path = _save(tmp_path / "gradient.dscalar.nii", ax.ScalarAxis(["y"]), models, [values])
    layer = Surface("fsaverage5", path, hemi="both", inflated=True, cmap="RdBu_r", clim=(-4, 4), threshold=0.5)
    assert np.isnan(layer.overlay_values).sum() == 2 * 10242 - len(values)
    fig = bv.figure(size=(400, 400), antialias=False, bgcolor="white")
    fig.add(layer)
    fig.view("superior")
    out = tmp_path / "dscalar_both.png"
    fig.savefig(out)
    bv.close("all")
    pixels = read_png(out).astype(int)
    red = (pixels[..., 0] > pixels[..., 2] + 60).sum()
    blue = (pixels[..., 2] > pixels[..., 0] + 60).sum()
    assert red > 2000 and blue > 2000  # anterior positive, posterior negative on both hemispheres


def test_pylab_verbs_and_scene_file_keep_the_cifti_path(files, tmp_path):
    from brainview.export.scene_file import load_scene

    bv.figure(size=(120, 90), antialias=False)
    bv.surface(_icosahedron(-40), files["dlabel"], hemi="left")
    bv.stat_map(files["dscalar"], volume="b", threshold=1.0)
    bv.atlas(files["dlabel"])
    bv.save_scene(tmp_path / "cifti.bvscene")
    bv.close("all")
    surface, stat_map, atlas = load_scene(tmp_path / "cifti.bvscene").layers
    assert Path(surface.overlay) == files["dlabel"] and surface.label_names == {1: "V1", 2: "M1"}
    assert stat_map.volume == "b" and stat_map.image.data[3, 4, 5] == 26
    assert atlas.label_values.tolist() == [1, 2]
