"""Parcellations on surfaces: one colour per region, tables of names and colours, pairs (issue 20)."""

from __future__ import annotations

import warnings
from pathlib import Path

import nibabel as nib
import numpy as np
import pandas as pd
import pytest

import brainview as bv
from brainview.datasets import nilearn_data_dir
from brainview.errors import BrainviewValueError, BrainviewWarning
from brainview.io.label_tables import read_label_table
from brainview.layers import Surface

FSAVERAGE5 = nilearn_data_dir() / "fsaverage5"
N5 = 10242


def _grid(n_x, n_y, spacing=1.0):
    """A flat grid mesh in the z=0 plane, ``n_x * n_y`` vertices, x fastest."""
    x, y = np.meshgrid(np.arange(n_x) * spacing, np.arange(n_y) * spacing)
    vertices = np.column_stack([x.ravel(), y.ravel(), np.zeros(x.size)])
    quads = [(j * n_x + i, j * n_x + i + 1, (j + 1) * n_x + i + 1, (j + 1) * n_x + i)
             for j in range(n_y - 1) for i in range(n_x - 1)]
    faces = np.array([tri for a, b, c, d in quads for tri in ((a, b, c), (a, c, d))])
    return vertices, faces


def _stripes(n_x, n_y, n_parcels):
    """Label per vertex of a grid: ``n_parcels`` vertical stripes labelled 1..n."""
    columns = np.tile(np.arange(n_x), n_y)
    return 1 + columns * n_parcels // n_x


# ------------------------------------------------------------ one colour per region


def test_180_parcels_get_180_distinct_colours_not_a_colour_map():
    """Was: 180 parcels drawn through a continuous map shared about 20 colours."""
    mesh = _grid(180, 2)
    labels = _stripes(180, 2, 180)
    layer = Surface(mesh, labels, labels={i: f"parcel {i}" for i in range(1, 181)})
    rgb = np.rint(layer.vertex_colors() * 255).astype(int)
    per_parcel = {int(label): tuple(rgb[labels == label][0]) for label in np.unique(labels)}
    assert len(per_parcel) == 180 and len(set(per_parcel.values())) == 180
    assert layer.colorbar_table() is None


def test_each_parcel_is_drawn_in_its_own_colour_by_pixel_probe():
    n_x, n_parcels = 60, 4
    mesh = _grid(n_x, 20)
    colors = {1: "red", 2: "lime", 3: "blue", 4: "yellow"}
    table = {label: (f"p{label}", color) for label, color in colors.items()}
    layer = Surface(mesh, _stripes(n_x, 20, n_parcels), labels=table)
    figure = bv.figure(size=(200, 80), bgcolor="black", antialias=False)
    figure.add(layer)
    figure.view("superior")
    image = figure.screenshot().astype(float)
    picked = figure.pick(figure.pixel_of((50.0, 10.0, 0.0))).item_info  # in stripe 4
    bv.close(figure)
    assert picked["region"] == 4 and picked["name"] == "p4" and _stripes(n_x, 20, 4)[picked["vertex"]] == 4
    expected = np.array([bv.colors.to_rgb(c) for c in colors.values()])
    lit = image[image.shape[0] // 2]
    lit = lit[lit.sum(axis=1) > 30]
    chunks = np.array_split(lit, n_parcels)
    for index, chunk in enumerate(chunks):
        pixel = np.median(chunk[len(chunk) // 3: 2 * len(chunk) // 3], axis=0)
        direction = pixel / np.linalg.norm(pixel)
        similarity = (expected / np.linalg.norm(expected, axis=1)[:, None]) @ direction
        # view "superior" may mirror x: the stripe order is read from either side
        assert np.argmax(similarity) in (index, n_parcels - 1 - index)
    assert len({tuple(np.round(np.median(c, axis=0))) for c in chunks}) == n_parcels


def test_label_at_a_vertex_a_point_and_far_away():
    mesh = _grid(10, 2)
    layer = Surface(mesh, _stripes(10, 2, 2), labels={1: "west", 2: "east"})
    assert layer.label_at(0) == "west" and layer.label_at(9) == "east"
    assert layer.label_at((8.2, 0.4, 0.5)) == "east"
    assert layer.label_at((8.0, 0.0, 50.0)) is None  # far from the mesh
    assert layer.value_at((0.0, 0.0, 0.0)) == "west"
    with pytest.raises(BrainviewValueError, match="vertex 20 is out of range"):
        layer.label_at(20)
    with pytest.raises(BrainviewValueError, match="not a parcellation"):
        Surface(mesh, np.zeros(20)).label_at(0)


def test_region_selection_shows_only_those_and_is_live():
    mesh = _grid(30, 2)
    labels = _stripes(30, 2, 3)
    layer = Surface(mesh, labels, labels={1: "Visual", 2: "Motor", 3: "Default A"}, regions="motor")
    np.testing.assert_array_equal(layer.shown_vertices(), labels == 2)
    assert layer.shown_regions == ["Motor"]
    grey = layer.vertex_colors()[labels == 1]
    np.testing.assert_allclose(grey, np.tile(layer.color, (len(grey), 1)))
    layer.regions = ["Default*", 1]
    assert layer.shown_regions == ["Visual", "Default A"]
    np.testing.assert_array_equal(layer.shown_vertices(), labels != 2)
    with pytest.raises(BrainviewValueError, match="no region matches 'Motr'.*'Motor'"):
        layer.regions = "Motr"
    assert layer.regions == ["Default*", 1]
    with pytest.raises(BrainviewValueError, match="only a parcellation has regions"):
        Surface(mesh, np.zeros(60), regions="x")


def test_legend_lists_the_shown_regions_and_follows_regions_and_legend():
    mesh = _grid(30, 2)
    layer = Surface(mesh, _stripes(30, 2, 3), labels={1: ("a", "red"), 2: ("b", "blue"), 3: "c"},
                    legend=True, regions=["a", "b"])
    figure = bv.figure(size=(120, 100))
    drawer = figure.drawer(figure.add(layer))
    legends = [p for p in drawer.props() if p.IsA("vtkLegendBoxActor")]
    assert [legends[0].GetEntryString(i) for i in range(legends[0].GetNumberOfEntries())] == ["a", "b"]
    assert layer.legend_entries() == [("a", (1.0, 0.0, 0.0)), ("b", (0.0, 0.0, 1.0))]
    from brainview.export._html_overlays import legend_overlay

    html = legend_overlay(legends[0], 100)  # the HTML export's dots take the regions' colours
    assert "background: rgba(255, 0, 0, 1)" in html and "background: rgba(0, 0, 255, 1)" in html
    layer.regions = None
    legends = [p for p in drawer.props() if p.IsA("vtkLegendBoxActor")]
    assert legends[0].GetNumberOfEntries() == 3
    layer.legend = False
    assert not [p for p in drawer.props() if p.IsA("vtkLegendBoxActor")]
    many = figure.add(Surface(_grid(40, 2), _stripes(40, 2, 40), labels={}, legend=True))
    (legend,) = [p for p in figure.drawer(many).props() if p.IsA("vtkLegendBoxActor")]
    from brainview.render.surface import LEGEND_ROWS

    assert legend.GetNumberOfEntries() == LEGEND_ROWS
    assert legend.GetEntryString(LEGEND_ROWS - 1) == f"... {40 - LEGEND_ROWS + 1} more"
    bv.close(figure)


# ------------------------------------------------------------ tables of names and colours


def test_label_tables_from_dict_series_dataframe_and_list():
    assert read_label_table({1: "a", "2": ("b", (255, 0, 0, 255))}) == ({1: "a", 2: "b"}, {2: (1.0, 0.0, 0.0)})
    assert read_label_table(pd.Series(["x", "y"], index=[3, 7]))[0] == {3: "x", 7: "y"}
    frame = pd.DataFrame({"id": [1, 2], "name": ["a", "b"], "r": [255, 0], "g": [0, 0], "b": [0, 255]})
    assert read_label_table(frame) == ({1: "a", 2: "b"}, {1: (1.0, 0.0, 0.0), 2: (0.0, 0.0, 1.0)})
    assert read_label_table(["Background", "V1"])[0] == {0: "Background", 1: "V1"}
    assert read_label_table(pd.DataFrame({"name": ["a"]}, index=[4]))[0] == {4: "a"}  # labels as the index
    with pytest.raises(BrainviewValueError, match="key 'x' is not a label value"):
        read_label_table({"x": "a"})


def test_label_tables_from_csv_tsv_and_freesurfer_lut(tmp_path):
    (tmp_path / "lut.csv").write_text("index,name,color\n1,Vis,#ff0000\n2,SomMot,blue\n")
    (tmp_path / "lut.tsv").write_text("label\tname\tr\tg\tb\ta\n1\tVis\t1\t0\t0\t1\n2\tSomMot\t0\t0\t1\t1\n")
    (tmp_path / "FreeSurferColorLUT.txt").write_text(
        "#No. Label Name:  R G B A\n0  Unknown  0 0 0 0\n1  Vis  255 0 0 0\n\n2  SomMot  0 0 255 0\n")
    for name in ("lut.csv", "lut.tsv", "FreeSurferColorLUT.txt"):
        names, rgb = read_label_table(tmp_path / name)
        assert {k: names[k] for k in (1, 2)} == {1: "Vis", 2: "SomMot"}, name
        assert rgb[1] == (1.0, 0.0, 0.0) and rgb[2] == (0.0, 0.0, 1.0), name
    layer = Surface(_grid(4, 2), np.array([0, 1, 2, 2, 0, 1, 2, 2]), labels=tmp_path / "FreeSurferColorLUT.txt")
    assert layer.region_names == {1: "Vis", 2: "SomMot"}  # "0 Unknown" is the background
    (tmp_path / "dup.csv").write_text("index,name\n1,a\n1,b\n")
    with pytest.raises(BrainviewValueError, match=r"labels \[1\] appear more than once"):
        read_label_table(tmp_path / "dup.csv")
    (tmp_path / "bad.csv").write_text("foo,bar\n1,a\n")
    with pytest.raises(BrainviewValueError, match="needs a label column"):
        read_label_table(tmp_path / "bad.csv")


def test_npz_with_labels_rgba_and_names(tmp_path):
    labels = np.array([0, 1, 1, 2, 2, 2, 0, 1])
    np.savez(tmp_path / "parc.npz", labels=labels, names=np.array(["Background", "left", "right"]),
             rgba=np.array([[0, 0, 0, 0], [255, 0, 0, 255], [0, 0, 255, 255]]))
    layer = Surface(_grid(4, 2), tmp_path / "parc.npz")
    assert layer.region_names == {1: "left", 2: "right"}
    np.testing.assert_allclose(layer.vertex_colors()[3], (0.0, 0.0, 1.0))
    np.savez(tmp_path / "short.npz", labels=labels, names=np.array(["bg", "left"]), rgba=np.zeros((3, 4)))
    with pytest.raises(BrainviewValueError, match="3 rgba rows for 2 labels"):
        Surface(_grid(4, 2), tmp_path / "short.npz")


# ------------------------------------------------------------ odd inputs: errors or defined behaviour


def test_odd_label_arrays():
    mesh = _grid(4, 2)
    with pytest.raises(BrainviewValueError, match="has 7 values but the mesh has 8 vertices"):
        Surface(mesh, np.ones(7), labels={1: "a"})
    with pytest.raises(BrainviewValueError, match=r"not integers \(e\.g\. 1\.5\)"):
        Surface(mesh, np.full(8, 1.5), labels={1: "a"})
    with pytest.raises(BrainviewValueError, match="one label per vertex, but the overlay has 2 columns"):
        Surface(mesh, np.ones((8, 2)), labels={1: "a"})
    with pytest.raises(BrainviewValueError, match="infinite"):
        Surface(mesh, np.r_[np.inf, np.ones(7)], labels={1: "a"})
    # NaN and negative values: no region (base colour), no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer = Surface(mesh, np.array([np.nan, -1, 1, 1, 2, 2, 5, 5]), labels={1: "a", 2: "b", 9: "unused"})
    np.testing.assert_array_equal(layer.shown_vertices(), [0, 0, 1, 1, 1, 1, 1, 1])
    # Names for labels no vertex carries are kept, not drawn; labels without a name are "label N".
    assert layer.label_names[9] == "unused" and 9 not in layer.region_names
    assert layer.region_names[5] == "label 5"
    with pytest.warns(BrainviewWarning, match="no vertex carries a named label"):
        Surface(mesh, np.zeros(8), labels={})
    with pytest.raises(BrainviewValueError, match="need the parcellation itself"):
        Surface(mesh, None, labels={1: "a"})


def test_pair_with_one_side_missing_or_without_hemi_both():
    left, right = FSAVERAGE5 / "pial_left.gii.gz", FSAVERAGE5 / "pial_right.gii.gz"
    with pytest.raises(BrainviewValueError, match="pair has no right part"):
        Surface((left, None), hemi="both")
    with pytest.raises(BrainviewValueError, match="pass hemi='both'"):
        Surface((left, right))
    with pytest.raises(BrainviewValueError, match=r"overlay \(right\): has 3 values but the mesh has 10242"):
        Surface("fsaverage5", (np.zeros(N5), np.zeros(3)), hemi="both")
    with pytest.raises(BrainviewValueError, match="pair has no left part"):
        Surface("fsaverage5", (None, np.zeros(N5)), hemi="both")
    with pytest.raises(BrainviewValueError, match=r"overlay: a \(left, right\) pair.*hemi='both'"):
        Surface("fsaverage5", (np.zeros(N5), np.zeros(N5)), hemi="left")


# ------------------------------------------------------------ (left, right) pairs, both hemispheres


def _label_gifti(path, labels, names):
    table = nib.gifti.GiftiLabelTable()
    for key, name in names.items():
        entry = nib.gifti.GiftiLabel(key=key, red=key / 10, green=0.5, blue=1 - key / 10, alpha=1.0)
        entry.label = name
        table.labels.append(entry)
    array = nib.gifti.GiftiDataArray(labels.astype(np.int32), intent="NIFTI_INTENT_LABEL", datatype="NIFTI_TYPE_INT32")
    nib.save(nib.gifti.GiftiImage(darrays=[array], labeltable=table), path)
    return path


def test_fsaverage5_with_a_pair_of_label_giftis_and_hemi_both(tmp_path):
    """Was refused: ("fsaverage5", (lh.label.gii, rh.label.gii), hemi="both")."""
    left = (np.arange(N5) % 3).astype(int)
    right = (np.arange(N5) % 2 + 1).astype(int)
    names = {0: "???", 1: "frontal", 2: "parietal"}
    paths = (_label_gifti(tmp_path / "lh.label.gii", left, names), _label_gifti(tmp_path / "rh.label.gii", right, names))
    layer = Surface("fsaverage5", paths, hemi="both")
    assert layer.n_vertices == 2 * N5
    assert layer.label_at(1) == "frontal" and layer.label_at(N5) == "frontal" and layer.label_at(N5 + 1) == "parietal"
    np.testing.assert_allclose(layer.vertex_colors()[N5 + 1], (0.2, 0.5, 0.8), atol=1e-6)


def test_pair_of_mesh_files_and_of_overlay_files_with_hemi_both():
    """Was a raw numpy ValueError."""
    pair = (FSAVERAGE5 / "pial_left.gii.gz", FSAVERAGE5 / "pial_right.gii.gz")
    sulc = (FSAVERAGE5 / "sulc_left.gii.gz", FSAVERAGE5 / "sulc_right.gii.gz")
    layer = Surface(pair, sulc, hemi="both")
    reference = Surface("fsaverage5", hemi="both")
    np.testing.assert_array_equal(np.asarray(layer.mesh.points), np.asarray(reference.mesh.points))
    expected = np.concatenate([nib.load(p).agg_data() for p in sulc])
    np.testing.assert_allclose(layer.overlay_values, expected)


def test_inflated_hemispheres_from_nilearn_and_from_file_pairs_are_in_their_own_half_space():
    """Was: nilearn's inflated mesh with both hemispheres drawn overlapping."""
    from nilearn.datasets import load_fsaverage

    inflated = load_fsaverage("fsaverage5")["inflated"]
    files = (FSAVERAGE5 / "infl_left.gii.gz", FSAVERAGE5 / "infl_right.gii.gz")
    for layer in (Surface(inflated, hemi="both"), Surface(files, hemi="both")):
        x = np.asarray(layer.mesh.points)[:, 0]
        gap = x[N5:].min() - x[:N5].max()
        assert 0.5 <= gap <= 2.0, gap  # apart by a small gap, as nilearn's combine_hemispheres_meshes
        # the left hemisphere is unmoved
        np.testing.assert_array_equal(np.asarray(layer.mesh.points)[:N5], nib.load(files[0]).agg_data()[0])


def test_text_npy_and_csv_overlays_are_read_as_what_they_are(tmp_path):
    """Was: a .txt of 32,492 values parsed as FreeSurfer binary ("has 130029 values")."""
    from brainview.io import load_surface_columns, load_surface_data

    values = np.random.default_rng(0).normal(size=32492)
    np.savetxt(tmp_path / "map.txt", values)
    np.save(tmp_path / "map.npy", values)
    np.savetxt(tmp_path / "map.csv", np.column_stack([values, 2 * values]), delimiter=",",
               header="a,b", comments="")
    np.testing.assert_allclose(load_surface_data(tmp_path / "map.txt", n_vertices=32492), values)
    np.testing.assert_array_equal(load_surface_data(tmp_path / "map.npy", n_vertices=32492), values)
    np.testing.assert_allclose(load_surface_columns(tmp_path / "map.csv")[:, 1], 2 * values)
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}], dtype=object))
    with pytest.raises(bv.errors.ImageLoadError, match="objects.npy"):
        load_surface_data(tmp_path / "objects.npy")


def test_gifti_label_tables_without_colours_and_with_transparent_entries():
    """nibabel's label.gii has no colours (rgba None: was an ImageLoadError); alpha 0 is not drawn."""
    gifti = Path(nib.__file__).parent / "gifti" / "tests" / "data"
    data = nib.load(gifti / "label.gii").darrays[0].data
    layer = Surface((np.random.default_rng(0).random((len(data), 3)), np.array([[0, 1, 2]])), gifti / "label.gii")
    assert layer.region_names == {1: "Positive", 2: "Negative"}  # "???" (label 0) is the background
    rgb = layer.vertex_colors()
    assert not np.allclose(rgb[data == 1][0], rgb[data == 2][0])
    aparc = nib.load(gifti / "rh.aparc.annot.gii")
    unknown = aparc.labeltable.labels[0]
    assert unknown.label == "unknown" and unknown.rgba[3] == 0
    layer = Surface((np.zeros((len(aparc.darrays[0].data), 3)), np.array([[0, 1, 2]])), gifti / "rh.aparc.annot.gii")
    assert "unknown" not in layer.region_names.values() and len(layer.region_names) == 34


def test_npz_member_declaring_more_than_the_budget_is_refused_before_it_is_read(tmp_path):
    import zipfile

    header = tmp_path / "header.npy"
    with open(header, "wb") as stream:
        np.lib.format.write_array_header_1_0(stream, {"descr": "<f8", "fortran_order": False,
                                                       "shape": (10**12,)})
    with zipfile.ZipFile(tmp_path / "bomb.npz", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(header, "labels.npy")
    with pytest.raises(bv.errors.MemoryBudgetError, match="labels"):
        Surface(_grid(4, 2), tmp_path / "bomb.npz")


def test_parcellation_round_trips_through_a_scene_file_and_a_script(tmp_path):
    mesh = _grid(30, 2)
    bv.figure(size=(80, 60))
    layer = bv.surface(mesh, _stripes(30, 2, 3), labels={1: ("a", "red"), 2: "b", 3: "c"},
                       regions=["a", "c"], legend=True)
    colors = layer.vertex_colors()
    bv.save_scene(tmp_path / "p.bvscene")
    bv.export_script(tmp_path / "p.py")
    bv.close("all")
    loaded = bv.load_scene(tmp_path / "p.bvscene").layers[0]
    np.testing.assert_array_equal(loaded.vertex_colors(), colors)
    assert loaded.shown_regions == ["a", "c"] and loaded.legend is True
    script = (tmp_path / "p.py").read_text()
    assert "regions=['a', 'c']" in script and "legend=True" in script
    bv.close("all")
