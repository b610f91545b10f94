"""Atlases: one closed surface per label in one mesh, exact label lookup, names, subsets, errors."""

import logging
import re

import nibabel as nib
import numpy as np
import pandas as pd
import pytest
import pyvista as pv

import brainview as bv
from brainview.errors import BrainviewTypeError, BrainviewValueError
from brainview.io import load_image
from brainview.layers import Atlas

from conftest import compare_to_baseline, rotation

SHAPE = (30, 32, 28)


def box_atlas():
    """Four boxes (labels 2, 5, 7, 9) and one ball (label 11) with gaps between them."""
    data = np.zeros(SHAPE, np.int16)
    data[2:10, 3:12, 4:12] = 2
    data[14:24, 3:10, 4:14] = 5
    data[3:11, 16:28, 15:24] = 7
    data[15:26, 17:25, 16:25] = 9
    ijk = np.indices(SHAPE)
    data[((ijk - np.array([12, 14, 21])[:, None, None, None]) ** 2).sum(0) <= 9] = 11
    return data


AFFINES = {
    "identity": np.eye(4),
    "LPS": np.array([[-2.0, 0, 0, 30], [0, -2, 0, 40], [0, 0, 2, -20], [0, 0, 0, 1]]),
    "oblique": rotation(2, 25) @ rotation(1, -15) @ np.diag([1.5, 2.0, 2.5, 1.0]),
}


def _region_meshes(layer):
    mesh = layer.mesh
    return {int(v): mesh.extract_cells(np.flatnonzero(mesh.cell_data["region"] == v)).extract_surface(algorithm=None)
            for v in np.unique(mesh.cell_data["region"])}


@pytest.mark.parametrize("label", list(AFFINES))
def test_one_closed_region_per_label_enclosing_its_centroid(label):
    affine = AFFINES[label]
    data = box_atlas()
    layer = Atlas((data, affine), smooth=0)
    regions = _region_meshes(layer)
    assert sorted(regions) == [2, 5, 7, 9, 11]
    assert layer.label_values.tolist() == [2, 5, 7, 9, 11]
    image = load_image((data, affine))
    for value, mesh in regions.items():
        assert mesh.n_cells > 0
        edges = mesh.extract_feature_edges(boundary_edges=True, feature_edges=False,
                                           manifold_edges=False, non_manifold_edges=False)
        assert edges.n_cells == 0, f"region {value} is not closed"
        centroid = image.to_world(np.argwhere(data == value)).mean(axis=0)
        inside = pv.PolyData(centroid[None, :]).select_interior_points(mesh, method="cell_locator",
                                                                        check_surface=False)
        assert inside["selected_points"][0], f"region {value} misses its centroid"
        # Placement: the mesh's bounds hug the label's voxels within one voxel.
        corners = image.to_world(np.argwhere(data == value))
        voxel = np.linalg.norm(affine[:3, :3], axis=0).max()
        assert np.all(np.abs(np.array(mesh.bounds[0::2]) - corners.min(0)) <= voxel)
        assert np.all(np.abs(np.array(mesh.bounds[1::2]) - corners.max(0)) <= voxel)


@pytest.mark.parametrize("label", list(AFFINES))
@pytest.mark.parametrize("order", ["C", "F"])
def test_region_surfaces_face_outwards(label, order):
    """Bug: with a mirroring index-to-world matrix the winding was reversed twice (dark regions)."""
    data = np.asarray(box_atlas(), order=order)
    layer = Atlas((data, AFFINES[label]), smooth=0)
    image = load_image((data, AFFINES[label]))
    for value, mesh in _region_meshes(layer).items():
        centroid = image.to_world(np.argwhere(data == value)).mean(axis=0)
        normals = mesh.compute_normals(cell_normals=True, point_normals=False, consistent_normals=False,
                                       auto_orient_normals=False, split_vertices=False)
        outward = np.einsum("ij,ij->i", normals.cell_data["Normals"], normals.cell_centers().points - centroid)
        assert np.mean(outward > 0) > 0.9, f"region {value} is inside out"
        point_normals = np.asarray(layer.mesh.point_data["Normals"])
        assert point_normals.shape[0] == layer.mesh.n_points


def test_all_regions_are_one_mesh_and_one_actor(fig):
    layer = bv.atlas((box_atlas(), np.eye(4)))
    drawer = fig.drawer(layer)
    assert drawer.props() == [drawer.actor]
    assert fig.renderer.GetViewProps().GetNumberOfItems() == 1


def test_label_at_matches_direct_voxel_lookup():
    affine = AFFINES["oblique"]
    data = box_atlas()
    layer = Atlas((data, affine), smooth=0)
    image = load_image((data, affine))
    rng = np.random.default_rng(0)
    inside = np.argwhere(data > 0)
    picks = inside[rng.integers(0, len(inside), 1000)] + rng.uniform(-0.49, 0.49, (1000, 3))
    xyz = image.to_world(picks)
    expected = [f"label {v}" for v in data[tuple(np.rint(picks).astype(int).T)]]
    assert layer.label_at(xyz) == expected
    assert layer.label_at(image.to_world([[0, 0, 0]])[0]) is None  # background
    assert layer.label_at((1e4, 0, 0)) is None  # outside the image
    assert layer.value_at(xyz[0]) == expected[0]


def test_one_sided_convex_regions_are_centred_on_their_voxel_centroid():
    affine = AFFINES["LPS"].copy()
    affine[0, 3] = 100.0  # every region at x > 0: nothing to split
    data = box_atlas()
    centroids = Atlas((data, affine), smooth=0).centroids()
    image = load_image((data, affine))
    for value in (2, 5, 7, 9, 11):
        expected = image.to_world(np.argwhere(data == value)).mean(axis=0)
        assert np.allclose(centroids[f"label {value}"], expected)


def _bilateral_demo_atlas(n_regions=None):
    """A max-prob-like bilateral atlas (as Harvard-Oxford's): the demo atlas's left
    regions, each mirrored onto the right hemisphere under the same label."""
    atlas = bv.datasets.load_demo_atlas()
    data = np.asarray(atlas.maps.dataobj).copy()
    assert np.allclose(atlas.maps.affine[0], [2, 0, 0, -98])  # voxel 49 is x = 0
    data[49:] = 0
    if n_regions is not None:
        keep = np.unique(data)[1:][:: max(1, len(np.unique(data)) // n_regions)][:n_regions]
        data[~np.isin(data, keep)] = 0
    data[50:] = data[48::-1][:49]
    return data, atlas.maps.affine


def test_bilateral_region_centroid_not_on_midline():
    data, affine = _bilateral_demo_atlas()
    layer = Atlas((data, affine), smooth=0)
    naive = load_image((data, affine)).to_world(
        np.array([np.argwhere(data == v).mean(axis=0) for v in layer.label_values]))
    assert np.mean(np.abs(naive[:, 0]) < 5) > 0.9  # the bug: plain centroids sit on the midline
    centroids = layer.centroids()
    xyz = np.array(list(centroids.values()))
    assert (xyz[:, 0] < 0).all(), "a bilateral region's point is in one (the left) hemisphere"
    assert layer.label_at(xyz) == list(centroids)


def test_centroids_agree_with_nilearn_find_parcellation_cut_coords():
    from nilearn.plotting import find_parcellation_cut_coords

    data, affine = _bilateral_demo_atlas(n_regions=30)
    demo = np.asarray(bv.datasets.load_demo_atlas().maps.dataobj)
    one_sided = (data == 0) & np.isin(demo, [5, 77, 150, 290])  # plus a few of its own regions
    data[one_sided] = demo[one_sided] + 1000
    layer = Atlas((data, affine), smooth=0)
    ours = np.array(list(layer.centroids().values()))
    theirs, labels = find_parcellation_cut_coords(nib.Nifti1Image(data, affine), return_label_names=True)
    assert [int(v) for v in labels] == layer.label_values.tolist()
    distance = np.linalg.norm(ours - theirs, axis=1)
    assert np.mean(distance <= 2 * 2.0) >= 0.9, np.round(distance, 1)  # within 2 voxels (2 mm)
    assert layer.label_at(ours) == layer.names  # always inside


def test_centroid_of_a_curved_region_lies_inside_it():
    data = np.zeros((20, 20, 6), np.uint8)
    data[3:17, 3:17, 2:4] = 1
    data[6:14, 6:17, 2:4] = 0  # a U: its centre of mass is in the gap
    layer = Atlas((data, np.eye(4)), smooth=0)
    centre = layer.centroids()["label 1"]
    assert layer.label_at(centre) == "label 1"
    mean = np.argwhere(data == 1).mean(axis=0)
    assert np.linalg.norm(np.array(centre) - mean) < 4  # the nearest voxel, not just anywhere


# ------------------------------------------------------------ names and colours


def test_names_from_list_dict_lut_and_bunch(tmp_path):
    data = box_atlas()
    values = [2, 5, 7, 9, 11]
    names = ["two", "five", "seven", "nine", "eleven"]
    by_list = Atlas((data, np.eye(4)), labels=names, smooth=0)
    assert by_list.names == names
    by_dict = Atlas((data, np.eye(4)), labels=dict(zip(values, names)), smooth=0)
    assert by_dict.names == names
    lut = pd.DataFrame({"index": [0] + values, "name": ["Background"] + names,
                        "color": ["#000000", "#ff0000", "#00ff00", "#0000ff", "#ffff00", "#ff00ff"]})
    by_lut = Atlas((data, np.eye(4)), lut=lut, smooth=0)
    assert by_lut.names == names
    assert np.allclose(by_lut.color_of("two"), (1, 0, 0))
    lut.to_csv(tmp_path / "lut.tsv", sep="\t", index=False)
    assert Atlas((data, np.eye(4)), lut=tmp_path / "lut.tsv", smooth=0).names == names
    nib.save(nib.Nifti1Image(data, np.eye(4)), tmp_path / "labels.nii.gz")

    from sklearn.utils import Bunch  # the class nilearn's atlas fetchers return

    bunch = Bunch(maps=str(tmp_path / "labels.nii.gz"), labels=["Background"] + [f"L{v}" for v in range(1, 12)])
    assert Atlas(bunch, smooth=0).names == ["L2", "L5", "L7", "L9", "L11"]
    assert Atlas((data, np.eye(4)), smooth=0).names == [f"label {v}" for v in values]


def test_default_colours_tell_neighbours_apart():
    layer = Atlas((box_atlas(), np.eye(4)), smooth=0)
    colors = {name: np.array(layer.color_of(name)) for name in layer.names}
    for first, a in colors.items():
        for second, b in colors.items():
            if first != second:
                assert np.abs(a - b).max() > 0.05


# ------------------------------------------------------------ subsets (live, no re-extraction)


def test_subset_by_name_regex_and_index_is_live_without_reextraction(fig):
    names = ["Visual L", "Visual R", "Default L", "Default R", "Motor"]
    layer = bv.atlas((box_atlas(), np.eye(4)), labels=names)
    mesh = layer.mesh
    before = fig.screenshot()
    layer.regions = ["Visual"]
    assert layer.shown == ["Visual L", "Visual R"]
    layer.regions = re.compile(r"^Default")
    assert layer.shown == ["Default L", "Default R"]
    layer.regions = "Motor"
    assert layer.shown == ["Motor"]
    layer.regions = 7
    assert layer.shown == ["Default L"]
    layer.regions = None
    assert layer.shown == names
    assert layer.mesh is mesh, "subsets must not re-extract geometry"
    layer.regions = ["Motor"]
    assert np.abs(fig.screenshot().astype(int) - before).sum() > 0
    layer.opacity = 0.4
    layer.colors = {"Motor": "white"}
    assert layer.mesh is mesh


def test_unknown_region_lists_close_matches():
    layer = Atlas((box_atlas(), np.eye(4)), labels=["Visual L", "Visual R", "Default L", "Default R", "Motor"],
                  smooth=0)
    with pytest.raises(BrainviewValueError, match=r"Visul.*Visual"):
        layer.regions = ["Visul"]
    with pytest.raises(BrainviewValueError):
        layer.regions = 99


# ------------------------------------------------------------ bad input


def test_float_labels_near_integer_are_rounded_with_one_message(caplog):
    data = box_atlas().astype(np.float32) + 1e-4
    data[data < 0.5] = 0
    with caplog.at_level(logging.INFO, logger="brainview"):
        layer = Atlas((data, np.eye(4)), smooth=0)
    assert layer.label_values.tolist() == [2, 5, 7, 9, 11]
    assert len([r for r in caplog.records if "round" in r.getMessage()]) == 1


def test_bad_atlases_raise_informative_errors():
    data = box_atlas()
    with pytest.raises(BrainviewValueError, match="must be integers"):
        Atlas((data + 0.4, np.eye(4)))
    with pytest.raises(BrainviewValueError, match=">= 0"):
        Atlas((data - 3, np.eye(4)))
    with pytest.raises(BrainviewValueError, match="empty|no region"):
        Atlas((np.zeros(SHAPE, np.int16), np.eye(4)))
    with pytest.raises(BrainviewValueError, match="labels"):
        Atlas((data, np.eye(4)), labels=["a", "b"])
    four_d = np.stack([data, data], axis=-1)
    with pytest.raises(BrainviewValueError, match="probabilistic"):
        Atlas((four_d, np.eye(4)), kind="deterministic")
    with pytest.raises(BrainviewTypeError):
        Atlas(12)


def test_probabilistic_atlas_maps_and_probabilities():
    ijk = np.indices(SHAPE).reshape(3, -1).T
    maps = []
    for centre in ([8, 10, 10], [20, 20, 16]):
        distance = np.linalg.norm(ijk - centre, axis=1)
        maps.append(np.clip(1 - distance / 8, 0, 1).reshape(SHAPE))
    maps = np.stack(maps, axis=-1).astype(np.float32)
    layer = Atlas((maps, np.eye(4)), labels=["A", "B"], smooth=0)
    assert layer.names == ["A", "B"]
    assert set(np.unique(layer.mesh.cell_data["region"])) == {1, 2}
    at_a = layer.label_at((8, 10, 10))
    assert at_a["A"] == pytest.approx(1.0) and at_a.get("B", 0.0) == pytest.approx(0.0)
    maxprob = Atlas((maps, np.eye(4)), labels=["A", "B"], prob_display="maxprob", smooth=0)
    assert set(np.unique(maxprob.mesh.cell_data["region"])) == {1, 2}


# ------------------------------------------------------------ demo atlas


def test_demo_atlas_regression(fig):
    atlas = bv.datasets.load_demo_atlas()
    layer = bv.atlas(atlas)
    assert len(layer.names) > 250
    assert layer.label_at((1e4, 0, 0)) is None
    layer.regions = ["DefaultMode", "Visual"]
    bv.view("left")
    compare_to_baseline(fig.screenshot(), "demo_atlas")


def test_bunch_whose_missing_attributes_raise_keyerror_is_accepted():
    # dict subclasses with __getattr__ = __getitem__ raise KeyError for a missing "lut"
    import nibabel as nib

    class Bunch(dict):
        __getattr__ = dict.__getitem__

    data = np.zeros((8, 8, 8), np.int16)
    data[2:6, 2:6, 2:6] = 1
    bunch = Bunch(maps=nib.Nifti1Image(data, np.eye(4)), labels=["Background", "cube"])
    assert Atlas(bunch, smooth=0).names == ["cube"]


# ------------------------------------------------------------ files cannot hurt the user (issue 11)


def _sparse_atlas(ids, dtype=np.int64):
    data = np.zeros((20, 20, 12), dtype)
    for k, value in enumerate(ids):
        data[2 + 6 * (k % 3):6 + 6 * (k % 3), 2 + 8 * (k // 3):8 + 8 * (k // 3), 2:8] = value
    return data


def test_sparse_allen_ids_make_tables_sized_by_the_number_of_regions_not_the_largest_id(fig):
    ids = [1, 614454277, 2**40]
    layer = fig.add(Atlas((_sparse_atlas(ids), np.eye(4)), smooth=0))
    assert layer.label_values.tolist() == ids
    assert sorted(int(v) for v in np.unique(layer.mesh.cell_data["region"])) == ids
    assert layer.region_colors.shape == (3, 4)
    assert fig.drawer(layer).actor.GetMapper().GetLookupTable().GetNumberOfTableValues() == 3
    assert layer.label_at((9, 4, 4)) == "label 614454277"
    assert layer.label_at((15, 4, 4)) == "label 1099511627776"
    centroids = layer.centroids()
    assert [layer.label_at(point) for point in centroids.values()] == list(centroids)
    layer.regions = [614454277]
    assert layer.shown == ["label 614454277"]
    layer.colors = {2**40: "red"}
    assert layer.color_of(2**40) == (1.0, 0.0, 0.0)
    assert len(set(layer.color_of(v) for v in ids)) == 3


def test_uint64_label_above_2_63_is_a_region_not_an_overflow_error():
    big = 2**63 + 5
    layer = Atlas((_sparse_atlas([3, big], dtype=np.uint64), np.eye(4)), smooth=0)
    assert [int(v) for v in layer.label_values] == [3, big]
    assert layer.label_at((9, 4, 4)) == f"label {big}"
    assert layer.regions is None and layer.shown == ["label 3", f"label {big}"]
    layer.regions = big
    assert layer.shown == [f"label {big}"]


def test_sparse_atlas_renders_its_regions_in_distinct_colours(fig):
    layer = bv.atlas((_sparse_atlas([1, 614454277, 2**40]), np.eye(4)), smooth=0)
    bv.view("superior")
    image = fig.screenshot()
    colours = {tuple(int(c) for c in image[y, x]) for y, x in zip(*np.nonzero(image.sum(-1) > 60))}
    assert len({tuple(round(c, 1) for c in layer.color_of(v)) for v in layer.label_values}) == 3
    assert len(colours) > 3


def test_catastrophic_regex_in_regions_is_not_run_and_returns_at_once():
    names = ["a" * 40 + "!", "a" * 30 + "b"]
    layer = Atlas((box_atlas(), np.eye(4)), labels=names + ["c", "d", "e"], smooth=0)
    # As a backtracking regex, "(a+)+$" takes 2**40 steps on "aaa...a!": as text it is a plain name.
    with pytest.raises(BrainviewValueError, match=r"no region matches '\(a\+\)\+\$'"):
        layer.regions = ["(a+)+$"]
    with pytest.raises(BrainviewValueError, match="no region matches"):
        Atlas((box_atlas(), np.eye(4)), labels=names + ["c", "d", "e"], regions="(a|aa)*c", smooth=0)


def test_regions_take_shell_globs_in_any_case():
    layer = Atlas((box_atlas(), np.eye(4)), labels=["Visual L", "Visual R", "Default L", "Default R", "Motor"],
                  smooth=0)
    layer.regions = "default*"
    assert layer.shown == ["Default L", "Default R"]
    layer.regions = ["*L", "Mot?r"]
    assert layer.shown == ["Visual L", "Default L", "Motor"]


def test_four_names_for_three_labels_is_an_error_not_a_silent_shift():
    data = np.zeros((12, 6, 6), np.int16)
    data[1:3], data[5:7], data[9:11] = 1, 2, 3
    with pytest.raises(BrainviewValueError, match=r"first name 'A' is not a background name.*'Background' first"):
        Atlas((data, np.eye(4)), labels=["A", "B", "C", "D"], smooth=0)
    assert Atlas((data, np.eye(4)), labels=["Background", "B", "C", "D"], smooth=0).names == ["B", "C", "D"]
    assert Atlas((data, np.eye(4)), labels=["A", "B", "C"], smooth=0).names == ["A", "B", "C"]


def test_duplicate_lut_index_is_an_error_naming_the_index():
    lut = pd.DataFrame({"index": [0, 2, 5, 2], "name": ["Background", "x", "y", "z"]})
    with pytest.raises(BrainviewValueError, match="index 2 appears more than once"):
        Atlas((box_atlas(), np.eye(4)), lut=lut, smooth=0)
    with pytest.raises(BrainviewValueError, match="index 2.5 is not a label value"):
        Atlas((box_atlas(), np.eye(4)), lut=pd.DataFrame({"index": [2.5], "name": ["x"]}), smooth=0)


def test_selecting_no_region_warns_that_nothing_is_drawn():
    layer = Atlas((box_atlas(), np.eye(4)), smooth=0)
    with pytest.warns(bv.errors.BrainviewWarning, match="selects no region"):
        layer.regions = []
    assert layer.shown == []
