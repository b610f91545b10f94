"""Tractography reading: placement against nibabel on its own files, round trips, every odd input."""

import gzip
import struct
import sys
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from nibabel.streamlines import ArraySequence, LazyTractogram, Tractogram

import brainview as bv
from brainview.errors import (BrainviewTypeError, BrainviewValueError, BrainviewWarning, ImageLoadError,
                              MemoryBudgetError)
from brainview.io.tractography import StreamlineData, read_streamlines

NIBABEL_DATA = Path(nib.__file__).parent / "tests" / "data"
NIBABEL_TRACTOGRAMS = ["simple.trk", "complex.trk", "complex_big_endian.trk", "standard.trk",
                       "standard.LPS.trk", "simple.tck", "simple_big_endian.tck", "standard.tck",
                       "matlab_nan.tck", "multiline_header_field.tck"]


def nibabel_packed(path):
    streamlines = nib.streamlines.load(path).streamlines
    return streamlines.get_data(), np.concatenate([[0], np.cumsum([len(s) for s in streamlines])])


def three_streamlines(seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(n, 3)) * 20).astype(np.float32) for n in (3, 5, 2)]


def save(tractogram, path, header=None):
    nib.streamlines.save(tractogram, str(path), header=header)
    return path


def tck_bytes(rows, datatype="Float32LE"):
    """A TCK file of ``rows`` (float triplets, NaN delimiters and the inf end written by the caller)."""
    head = f"mrtrix tracks\ndatatype: {datatype}\nfile: . 64\nEND\n".encode()
    order = ">" if datatype.endswith("BE") else "<"
    return head.ljust(64, b"\0") + np.asarray(rows, order + "f4").tobytes()


# ------------------------------------------------------------------ placement


@pytest.mark.parametrize("name", NIBABEL_TRACTOGRAMS)
def test_nibabel_test_files_are_placed_exactly_as_nibabel_places_them(name):
    tracts = read_streamlines(NIBABEL_DATA / name)
    points, offsets = nibabel_packed(NIBABEL_DATA / name)
    assert tracts.points.dtype == np.float32 and tracts.offsets.dtype == np.int64
    np.testing.assert_array_equal(tracts.points, points)
    np.testing.assert_array_equal(tracts.offsets, offsets)
    assert tracts.source == str(NIBABEL_DATA / name)


def test_standard_trk_lps_trk_and_tck_are_the_same_streamlines_in_ras_mm():
    tck = read_streamlines(NIBABEL_DATA / "standard.tck")
    for name in ("standard.trk", "standard.LPS.trk"):
        trk = read_streamlines(NIBABEL_DATA / name)
        np.testing.assert_allclose(trk.points, tck.points, atol=1e-4)
        np.testing.assert_array_equal(trk.offsets, tck.offsets)


def test_trk_scalars_and_properties_become_point_and_streamline_data():
    tracts = read_streamlines(NIBABEL_DATA / "complex.trk")
    loaded = nib.streamlines.load(NIBABEL_DATA / "complex.trk").tractogram
    assert tracts.point_data["colors"].shape == (tracts.n_points, 3)
    assert tracts.point_data["fa"].shape == (tracts.n_points,)
    np.testing.assert_array_equal(tracts.point_data["fa"], loaded.data_per_point["fa"].get_data()[:, 0])
    assert tracts.streamline_data["mean_colors"].shape == (3, 3)
    np.testing.assert_array_equal(tracts.streamline_data["mean_curvature"],
                                  loaded.data_per_streamline["mean_curvature"][:, 0])


def test_trk_and_tck_round_trips_through_nibabel_give_the_same_points(tmp_path):
    streamlines = three_streamlines()
    header = {"voxel_to_rasmm": np.array([[-2.0, 0, 0, 90], [0, 2, 0, -126], [0, 0, 2, -72], [0, 0, 0, 1]]),
              "voxel_sizes": (2.0, 2.0, 2.0), "dimensions": (91, 109, 91), "voxel_order": "LAS"}
    trk = save(Tractogram(streamlines, affine_to_rasmm=np.eye(4)), tmp_path / "a.trk", header)
    from_trk = read_streamlines(trk)
    np.testing.assert_array_equal(from_trk.points, nibabel_packed(trk)[0])
    np.testing.assert_allclose(from_trk.points, np.concatenate(streamlines), atol=1e-4)
    tck = save(Tractogram(list(from_trk.streamline(i) for i in range(3)), affine_to_rasmm=np.eye(4)),
               tmp_path / "b.tck")
    from_tck = read_streamlines(tck)
    np.testing.assert_array_equal(from_tck.points, from_trk.points)  # TCK keeps float32 as is
    back = save(Tractogram(list(from_tck.streamline(i) for i in range(3)), affine_to_rasmm=np.eye(4)),
                tmp_path / "c.trk", header)
    np.testing.assert_allclose(read_streamlines(back).points, from_tck.points, atol=1e-4)


def test_oblique_trk_header_is_placed_exactly_as_nibabel_places_it(tmp_path):
    angle = np.deg2rad(17)
    rotation = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1]])
    affine = np.eye(4)
    affine[:3, :3], affine[:3, 3] = rotation @ np.diag([1.25, 0.9, 2.1]), [-91.3, -120.7, -60.2]
    header = {"voxel_to_rasmm": affine, "voxel_sizes": (1.25, 0.9, 2.1), "dimensions": (100, 120, 60)}
    path = save(Tractogram(three_streamlines(3), affine_to_rasmm=np.eye(4)), tmp_path / "oblique.trk", header)
    tracts = read_streamlines(path)
    np.testing.assert_array_equal(tracts.points, nibabel_packed(path)[0])
    np.testing.assert_array_equal(read_streamlines(nib.streamlines.load(path)).points, tracts.points)


def test_gzipped_trk_and_tck_read_as_the_plain_files(tmp_path):
    for name in ("complex.trk", "standard.tck"):
        path = tmp_path / (name + ".gz")
        path.write_bytes(gzip.compress((NIBABEL_DATA / name).read_bytes()))
        plain, packed = read_streamlines(NIBABEL_DATA / name), read_streamlines(path)
        np.testing.assert_array_equal(packed.points, plain.points)
        np.testing.assert_array_equal(packed.offsets, plain.offsets)


def test_big_endian_tck_reads_as_native_float32(tmp_path):
    rows = [[1, 2, 3], [4, 5, 6], [np.nan] * 3, [7, 8, 9], [np.nan] * 3, [np.inf] * 3]
    path = tmp_path / "be.tck"
    path.write_bytes(tck_bytes(rows, "Float32BE"))
    tracts = read_streamlines(path)
    assert tracts.points.dtype == np.dtype("=f4")
    assert tracts.points.tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    np.testing.assert_array_equal(tracts.points, nibabel_packed(path)[0])


# ------------------------------------------------------------------ in-memory inputs


def test_tractogram_is_mapped_by_its_affine_to_rasmm_and_not_changed():
    streamlines = three_streamlines()
    affine = np.array([[0, 2.0, 0, 10], [-2.0, 0, 0, 5], [0, 0, 3, -1], [0, 0, 0, 1]])
    tractogram = Tractogram(streamlines, affine_to_rasmm=affine)
    before = tractogram.streamlines.get_data()
    tracts = read_streamlines(tractogram)
    world = tractogram.copy().to_world().streamlines.get_data()  # float64: nibabel maps in float64
    np.testing.assert_array_equal(tracts.points, world.astype(np.float32))
    np.testing.assert_array_equal(tractogram.streamlines.get_data(), before)
    np.testing.assert_array_equal(tractogram.affine_to_rasmm, affine)


def test_lazy_tractogram_and_tractogram_files_read_like_the_file():
    path = NIBABEL_DATA / "complex.trk"
    expected = read_streamlines(path)
    for source in (nib.streamlines.load(path), nib.streamlines.load(path, lazy_load=True).tractogram):
        tracts = read_streamlines(source)
        np.testing.assert_array_equal(tracts.points, expected.points)
        np.testing.assert_array_equal(tracts.point_data["colors"], expected.point_data["colors"])
        assert tracts.source is None
    assert isinstance(nib.streamlines.load(path, lazy_load=True).tractogram, LazyTractogram)


def test_tractogram_of_unknown_space_is_refused():
    tractogram = Tractogram(three_streamlines())
    tractogram.affine_to_rasmm = None
    with pytest.raises(BrainviewValueError, match="affine_to_rasmm=None"):
        read_streamlines(tractogram)


def test_array_sequence_is_packed_without_a_copy_and_sliced_views_in_order():
    seq = ArraySequence(three_streamlines())
    tracts = read_streamlines(seq)
    assert np.shares_memory(tracts.points, seq._data)
    assert not tracts.points.flags.writeable and seq._data.flags.writeable  # the input's flags kept
    sliced = seq[::-2]
    packed = read_streamlines(sliced)
    assert packed.n_streamlines == 2
    np.testing.assert_array_equal(packed.streamline(0), seq[2])
    np.testing.assert_array_equal(packed.streamline(1), seq[0])


def test_lists_tuples_and_3d_arrays_are_packed_in_order():
    streamlines = three_streamlines()
    for source in (streamlines, tuple(streamlines), [s.tolist() for s in streamlines]):
        tracts = read_streamlines(source)
        assert tracts.offsets.tolist() == [0, 3, 8, 10] and tracts.source is None
        np.testing.assert_array_equal(tracts.streamline(1), streamlines[1])
    grid = np.arange(24, dtype=float).reshape(2, 4, 3)
    tracts = read_streamlines(grid)
    assert tracts.offsets.tolist() == [0, 4, 8]
    np.testing.assert_array_equal(tracts.streamline(-1), grid[1])


class FakeStatefulTractogram:
    """The part of dipy's StatefulTractogram that brainview uses: voxel space, corner origin."""

    def __init__(self, streamlines, affine):
        self.streamlines, self.affine, self.space, self.origin = ArraySequence(streamlines), affine, "vox", "corner"
        self.data_per_point = {"fa": ArraySequence([np.ones((len(s), 1)) for s in streamlines])}
        self.data_per_streamline = {"id": np.arange(len(streamlines))}

    def to_center(self):  # dipy shifts by half a voxel, in the current space
        if self.origin == "corner":
            half = np.full(3, 0.5) if self.space == "vox" else self.affine[:3, :3] @ np.full(3, 0.5)
            self.streamlines._data -= half
            self.origin = "center"

    def to_rasmm(self):
        if self.space == "vox":
            self.streamlines._data[:] = nib.affines.apply_affine(self.affine, self.streamlines._data)
            self.space = "rasmm"


def test_stateful_tractogram_is_moved_to_rasmm_on_a_copy():
    streamlines = [np.array([[0.5, 0.5, 0.5], [1.5, 0.5, 0.5]]), np.array([[2.5, 2.5, 2.5]])]
    affine = np.diag([2.0, 2.0, 2.0, 1.0])
    sft = FakeStatefulTractogram(streamlines, affine)
    tracts = read_streamlines(sft)
    assert sft.space == "vox" and sft.origin == "corner"
    np.testing.assert_array_equal(sft.streamlines._data, np.concatenate(streamlines))
    # TrackVis corner origin: voxel corner 0.5 is the centre of voxel 0 (world 0), then the affine.
    assert tracts.points.tolist() == [[0, 0, 0], [2, 0, 0], [4, 4, 4]]
    assert tracts.point_data["fa"].tolist() == [1, 1, 1] and tracts.streamline_data["id"].tolist() == [0, 1]


def test_reference_maps_voxel_coordinates_and_is_refused_where_the_input_is_placed(tmp_path):
    affine = np.array([[2.0, 0, 0, -90], [0, 2, 0, -126], [0, 0, 2, -72], [0, 0, 0, 1]])
    image = tmp_path / "ref.nii.gz"
    nib.save(nib.Nifti1Image(np.zeros((2, 2, 2), np.uint8), affine), image)
    expected = [[-90.0, -126.0, -72.0], [-88.0, -124.0, -70.0]]
    for reference in (affine, image, nib.load(image)):
        assert read_streamlines([[[0, 0, 0], [1, 1, 1]]], reference=reference).points.tolist() == expected
    for source in (NIBABEL_DATA / "simple.trk", NIBABEL_DATA / "simple.tck", Tractogram([np.eye(3)])):
        with pytest.raises(BrainviewValueError, match="reference: .*carries its own placement"):
            read_streamlines(source, reference=affine)
    with pytest.raises(BrainviewValueError, match="reference"):
        read_streamlines([np.eye(3)], reference=np.zeros((4, 4)))
    with pytest.raises(ImageLoadError, match="reference"):
        read_streamlines([np.eye(3)], reference=tmp_path / "missing.nii")


def test_dict_of_bundles_is_one_tractogram_with_a_group_per_bundle():
    streamlines = three_streamlines()
    with pytest.warns(BrainviewWarning) as record:
        tracts = read_streamlines({"AF_L": NIBABEL_DATA / "standard.tck", "CST": streamlines,
                                   "extra": NIBABEL_DATA / "complex.trk"})
    assert [str(w.message).split(" is not")[0] for w in record] == [
        "tracts: the point data 'colors', 'fa'",
        "tracts: the streamline data 'mean_colors', 'mean_curvature', 'mean_torsion'"]
    assert tracts.n_streamlines == 120 + 3 + 3 and tracts.point_data == {} and tracts.streamline_data == {}
    assert tracts.groups["AF_L"].tolist() == list(range(120))
    assert tracts.groups["CST"].tolist() == [120, 121, 122]
    np.testing.assert_array_equal(tracts.streamline(121), streamlines[1])
    with pytest.raises(BrainviewValueError, match=r"tracts\['CST'\]: streamline 0 .*NaN"):
        read_streamlines({"AF_L": streamlines, "CST": [np.full((2, 3), np.nan)]})
    with pytest.raises(BrainviewValueError, match="dict of bundles is empty"):
        read_streamlines({})


# ------------------------------------------------------------------ odd inputs


@pytest.mark.parametrize("source", [NIBABEL_DATA / "empty.trk", NIBABEL_DATA / "empty.tck", [],
                                    [np.empty((0, 3))], ArraySequence()])
def test_empty_tractograms_are_refused_saying_empty(source):
    with pytest.raises(BrainviewValueError, match="is empty"):
        read_streamlines(source)


def test_zero_length_streamlines_are_dropped_with_a_warning_that_counts_them(tmp_path):
    streamlines = three_streamlines()
    seq = ArraySequence()  # nibabel skips empty arrays in a list: lengths of 0 set by hand
    seq._data, seq._offsets = np.concatenate(streamlines[:2]), np.array([0, 3, 3, 8])
    seq._lengths = np.array([3, 0, 5, 0])
    tractogram = Tractogram(seq, data_per_streamline={"w": np.arange(4.0)[:, None]},
                            affine_to_rasmm=np.eye(4))
    with pytest.warns(BrainviewWarning, match="2 of its 4 streamlines have no points"):
        tracts = read_streamlines(tractogram)
    assert tracts.offsets.tolist() == [0, 3, 8] and tracts.streamline_data["w"].tolist() == [0.0, 2.0]
    from brainview.io.streamline_data import pack_arrays

    with pytest.warns(BrainviewWarning, match="1 of its 3 streamlines"):
        grouped = pack_arrays(np.zeros((4, 3)), [0, 2, 2, 4], groups={"a": [0, 1], "b": [1, 2]})
    assert {k: v.tolist() for k, v in grouped.groups.items()} == {"a": [0], "b": [1]}
    rows = [[1, 2, 3], [np.nan] * 3, [np.nan] * 3, [4, 5, 6], [np.nan] * 3, [np.inf] * 3]
    path = tmp_path / "gap.tck"
    path.write_bytes(tck_bytes(rows))
    with pytest.warns(BrainviewWarning, match="1 of its 3 streamlines"):
        tracts = read_streamlines(path)
    np.testing.assert_array_equal(tracts.points, nibabel_packed(path)[0])  # nibabel skips it too
    assert tracts.offsets.tolist() == [0, 1, 2]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 2e6])
def test_nan_inf_and_far_points_are_refused_naming_the_first_bad_streamline(bad, tmp_path):
    streamlines = three_streamlines()
    streamlines[1][3, 2] = bad
    streamlines[2][0, 0] = bad
    with pytest.raises(BrainviewValueError, match=r"streamline 1 \(of 3\) .*at its point 3"):
        read_streamlines(streamlines)
    path = save(Tractogram(streamlines, affine_to_rasmm=np.eye(4)), tmp_path / "bad.tck")
    with pytest.raises(BrainviewValueError, match=r"streamline 1 \(of 3\) in '.*bad.tck'"):
        read_streamlines(path)


def test_wrong_inputs_get_errors_naming_the_parameter():
    with pytest.raises(BrainviewTypeError, match=r"tracts: expected .*pass \[array\]"):
        read_streamlines(np.zeros((5, 3)))
    with pytest.raises(BrainviewTypeError, match="fibres: expected"):
        read_streamlines(42, name="fibres")
    with pytest.raises(BrainviewValueError, match=r"streamline 1 must have shape \(n, 3\)"):
        read_streamlines([np.zeros((2, 3)), np.zeros((2, 2))])
    with pytest.raises(BrainviewTypeError, match="streamline 0 must be an"):
        read_streamlines([["a", "b", "c"]])


def test_unknown_extension_lists_the_formats_and_images_point_to_their_verbs(tmp_path):
    with pytest.raises(ImageLoadError, match=r"'.fib'.*\.trk.*\.tck.*\.trx.*\.vtk/\.vtp"):
        read_streamlines(tmp_path / "tracts.fib")
    with pytest.raises(ImageLoadError, match="is an image, not a tractogram; draw it with bv.stat_map"):
        read_streamlines(tmp_path / "brain.nii.gz")
    with pytest.raises(ImageLoadError, match="bv.surface"):
        read_streamlines(tmp_path / "lh.pial.gii")
    disguised = tmp_path / "brain.trk"
    disguised.write_bytes((NIBABEL_DATA / "anatomical.nii").read_bytes())
    with pytest.raises(ImageLoadError, match="is a NIfTI image, not a tractogram"):
        read_streamlines(disguised)
    with pytest.raises(ImageLoadError, match="file not found"):
        read_streamlines(tmp_path / "missing.tck")


def trk_with_first_count(count):
    data = bytearray((NIBABEL_DATA / "simple.trk").read_bytes())
    data[1000:1004] = struct.pack("<i", count)
    return bytes(data)


@pytest.mark.parametrize("count", [2**31 - 1, -5, 10**8])
def test_trk_declaring_a_huge_point_count_is_refused_without_allocating_it(tmp_path, count):
    path = tmp_path / "huge.trk"
    path.write_bytes(trk_with_first_count(count))
    tracemalloc.start()
    try:
        with pytest.raises(ImageLoadError, match="not a valid TRK file"):
            read_streamlines(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20


def test_truncated_and_corrupt_files_are_refused(tmp_path):
    trk = (NIBABEL_DATA / "complex.trk").read_bytes()
    cases = {"cut.trk": trk[:1010], "head.trk": trk[:500], "cut.tck": (NIBABEL_DATA / "simple.tck").read_bytes()[:-7],
             "no_end.tck": tck_bytes([[1, 2, 3], [np.nan] * 3, [4, 5, 6]]),
             "no_delimiter.tck": tck_bytes([[1, 2, 3]]),
             "double.tck": tck_bytes([[1, 2, 3], [np.nan] * 3, [np.inf] * 3]).replace(b"Float32LE", b"Float64LE"),
             "offset.tck": tck_bytes([[np.inf] * 3]).replace(b"file: . 64", b"file: . 99"),
             "endless.tck": b"mrtrix tracks\n" + b"key: value\n" * 100_000,
             "bad.trk.gz": gzip.compress(trk)[:-20]}
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ImageLoadError):
            read_streamlines(path)
    for reference in (NIBABEL_DATA / "no_header_end.tck", NIBABEL_DATA / "no_magic_number.tck"):
        with pytest.raises(ImageLoadError, match="not a valid TCK file"):
            read_streamlines(reference)


def test_gzip_bomb_stops_at_the_memory_budget(tmp_path):
    path = tmp_path / "bomb.tck.gz"
    path.write_bytes(gzip.compress(b"mrtrix tracks\n" + bytes(8 * 2**20), compresslevel=9))
    with bv.set_limits(max_bytes=2**20), pytest.raises(MemoryBudgetError, match="inflated data"):
        read_streamlines(path)


def test_tck_reading_holds_one_float32_copy_of_the_points(tmp_path):
    n = 100_000
    points = np.random.default_rng(1).normal(size=(n, 10, 3)).astype(np.float32)
    rows = np.concatenate([points, np.full((n, 1, 3), np.nan, np.float32)], axis=1).reshape(-1, 3)
    path = tmp_path / "many.tck"
    path.write_bytes(tck_bytes(np.concatenate([rows, [[np.inf] * 3]])))
    tracemalloc.start()
    try:
        tracts = read_streamlines(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(tracts.points, points.reshape(-1, 3))
    assert tracts.n_streamlines == n
    # The points (12 MB), two int64 per streamline, and steps of bounded size: no second copy.
    assert peak < points.nbytes + 16 * n + 4 * 2**20


# ------------------------------------------------------------------ TRX, VTK


def test_trx_round_trip_keeps_points_and_data(tmp_path):
    trx_file_memmap = pytest.importorskip("trx.trx_file_memmap")
    streamlines = three_streamlines()
    tractogram = Tractogram(streamlines, affine_to_rasmm=np.eye(4),
                            data_per_point={"fa": [np.arange(len(s), dtype=np.float32)[:, None]
                                                   for s in streamlines]},
                            data_per_streamline={"w": np.array([[1.0], [2.0], [3.0]])})
    reference = nib.Nifti1Image(np.zeros((4, 4, 4), np.uint8), np.eye(4))
    trx = trx_file_memmap.TrxFile.from_tractogram(tractogram, reference=reference)
    trx_file_memmap.save(trx, str(tmp_path / "a.trx"))
    trx.close()
    tracts = read_streamlines(tmp_path / "a.trx")
    np.testing.assert_array_equal(tracts.points, np.concatenate(streamlines))
    assert tracts.offsets.tolist() == [0, 3, 8, 10]
    assert tracts.point_data["fa"].tolist() == [0, 1, 2, 0, 1, 2, 3, 4, 0, 1]
    assert tracts.streamline_data["w"].tolist() == [1.0, 2.0, 3.0]
    trx = trx_file_memmap.load(str(tmp_path / "a.trx"))
    trx.groups["core"] = np.array([2, 0], np.uint32)
    trx_file_memmap.save(trx, str(tmp_path / "grouped.trx"))
    trx.close()
    assert read_streamlines(tmp_path / "grouped.trx").groups["core"].tolist() == [0, 2]


def test_trx_without_trx_python_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "trx", None)  # import trx fails as when it is not installed
    with pytest.raises(ImageLoadError, match=r"brainview\[trx\]"):
        read_streamlines(tmp_path / "a.trx")


def _far_offsets(data):
    offsets = np.frombuffer(data, "<u4").copy()
    offsets[1] = 2**31  # the second streamline starts far past the points
    return offsets.tobytes()


def test_corrupt_trx_files_and_folders_are_refused(tmp_path):
    pytest.importorskip("trx")
    path = tmp_path / "bad.trx"
    path.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(ImageLoadError, match="not a valid TRX file"):
        read_streamlines(path)
    trx_file_memmap = pytest.importorskip("trx.trx_file_memmap")
    tractogram = Tractogram(three_streamlines(), affine_to_rasmm=np.eye(4))
    trx = trx_file_memmap.TrxFile.from_tractogram(tractogram, reference=nib.Nifti1Image(np.zeros((2, 2, 2)), np.eye(4)))
    trx_file_memmap.save(trx, str(tmp_path / "good.trx"))
    trx.close()
    with zipfile.ZipFile(tmp_path / "good.trx") as good, zipfile.ZipFile(tmp_path / "offsets.trx", "w") as bad:
        for member in good.namelist():  # offsets far past the points: gigabytes if packed blindly
            data = good.read(member)
            bad.writestr(member, _far_offsets(data) if member.startswith("offsets") else data)
    with pytest.raises(BrainviewValueError, match="point outside their 10 points"):
        read_streamlines(tmp_path / "offsets.trx")
    (tmp_path / "folder.trx").mkdir()
    with pytest.raises(ImageLoadError, match="not a valid TRX file"):
        read_streamlines(tmp_path / "folder.trx")


def vtk_lines(connectivity, offsets, points):
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData

    polydata, vtk_points, cells = vtkPolyData(), vtkPoints(), vtkCellArray()
    vtk_points.SetData(numpy_to_vtk(np.asarray(points, np.float32), deep=True))
    cells.SetData(numpy_to_vtk(np.asarray(offsets, np.int64), deep=True),
                  numpy_to_vtk(np.asarray(connectivity, np.int64), deep=True))
    polydata.SetPoints(vtk_points)
    polydata.SetLines(cells)
    values = numpy_to_vtk(np.arange(len(points), dtype=np.float32), deep=True)
    values.SetName("fa")
    polydata.GetPointData().AddArray(values)
    weights = numpy_to_vtk(np.arange(len(offsets) - 1, dtype=np.float64) + 10, deep=True)
    weights.SetName("weight")
    polydata.GetCellData().AddArray(weights)
    return polydata


def write_vtk(polydata, path, binary=False, version=None):
    if path.suffix == ".vtp":
        from vtkmodules.vtkIOXML import vtkXMLPolyDataWriter as Writer
    else:
        from vtkmodules.vtkIOLegacy import vtkPolyDataWriter as Writer
    writer = Writer()
    writer.SetFileName(str(path))
    writer.SetInputData(polydata)
    if path.suffix == ".vtk":
        if binary:
            writer.SetFileTypeToBinary()
        if version is not None:
            writer.SetFileVersion(version)  # 42: the legacy cell layout (count, ids...)
    else:
        writer.SetDataModeToBinary() if binary else writer.SetDataModeToAscii()
    assert writer.Write() == 1
    return path


@pytest.mark.parametrize("name,binary,version", [("lines.vtk", False, None), ("lines.vtk", True, None),
                                                 ("lines.vtk", False, 42), ("lines.vtk", True, 42),
                                                 ("lines.vtp", True, None)])
def test_vtk_polydata_lines_read_as_stored_with_their_data(tmp_path, name, binary, version):
    points = np.arange(15, dtype=np.float32).reshape(5, 3)
    # The second line runs backwards over points 4, 3: points are gathered in line order.
    path = write_vtk(vtk_lines([0, 1, 2, 4, 3], [0, 3, 5], points), tmp_path / name, binary, version)
    tracts = read_streamlines(path)
    np.testing.assert_array_equal(tracts.points, points[[0, 1, 2, 4, 3]])
    assert tracts.offsets.tolist() == [0, 3, 5]
    assert tracts.point_data["fa"].tolist() == [0, 1, 2, 4, 3]
    assert tracts.streamline_data["weight"].tolist() == [10, 11]
    if name == "lines.vtk" and not binary:
        moved = read_streamlines(path, reference=np.diag([2.0, 2.0, 2.0, 1.0]))
        np.testing.assert_array_equal(moved.points, 2 * points[[0, 1, 2, 4, 3]])


def test_hand_written_ascii_vtk_with_vertices_and_scalars_reads(tmp_path):
    path = tmp_path / "mrtrix.vtk"  # as MRtrix's tckconvert writes them, with a vertex cell first
    path.write_bytes(b"# vtk DataFile Version 3.0\nExported\nASCII\nDATASET POLYDATA\nPOINTS 4 float\n"
                     b"0 0 0\n1 0 0\n2 nan 0\n3 nan 0\nVERTICES 1 2\n1 0\nLINES 2 7\n2 0 1\n3 1 2 0\n"
                     b"CELL_DATA 3\nSCALARS id int\nLOOKUP_TABLE default\n7 8 9\n")
    with pytest.raises(BrainviewValueError, match=r"streamline 1 \(of 2\)"):
        read_streamlines(path)  # point 2 is on the second line; point 3 on none, never checked
    path.write_bytes(path.read_bytes().replace(b"2 nan 0", b"2 0 0"))
    tracts = read_streamlines(path)
    assert tracts.offsets.tolist() == [0, 2, 5] and tracts.points[:, 0].tolist() == [0, 1, 1, 2, 0]
    assert tracts.streamline_data["id"].tolist() == [8, 9]


def test_vtk_files_without_lines_or_with_hostile_content_are_refused(tmp_path):
    from vtkmodules.vtkFiltersSources import vtkSphereSource

    sphere = vtkSphereSource()
    sphere.Update()
    with pytest.raises(ImageLoadError, match="has no lines"):
        read_streamlines(write_vtk(sphere.GetOutput(), tmp_path / "sphere.vtk"))
    cases = {
        "hostile.vtk": (b"# vtk DataFile Version 3.0\nx\nASCII\nDATASET POLYDATA\nPOINTS 999999999999 float\n"
                        b"0 0 0\n", "declares POINTS 999999999999"),
        "outside.vtk": (b"# vtk DataFile Version 3.0\nx\nASCII\nDATASET POLYDATA\nPOINTS 2 float\n"
                        b"0 0 0 1 1 1\nLINES 1 3\n2 0 7\n", r"its lines index points outside 0..1"),
        # Read by VTK's legacy reader, this cell count made it write out of bounds (a segfault).
        "cells.vtk": (b"# vtk DataFile Version 3.0\nx\nASCII\nDATASET POLYDATA\nPOINTS 2 float\n"
                      b"0 0 0 1 1 1\nLINES 1 3\n99 0 1\n", "cell 0 of LINES runs past its 3 values"),
        "grid.vtk": (b"# vtk DataFile Version 3.0\nx\nASCII\nDATASET STRUCTURED_POINTS\nDIMENSIONS 1 1 1\n",
                     "holds a STRUCTURED_POINTS dataset, not POLYDATA"),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ImageLoadError, match=message):
            read_streamlines(tmp_path / name)


def test_vtp_that_aborts_vtk_s_reader_is_an_error_not_a_crash(tmp_path):
    points = np.arange(15, dtype=np.float32).reshape(5, 3)
    path = write_vtk(vtk_lines([0, 1, 2, 3, 4], [0, 3, 5], points), tmp_path / "lines.vtp", binary=True)
    data = path.read_bytes()
    start = data.index(b'Name="fa"')
    start = data.index(b">", start) + 1
    start += len(data[start:]) - len(data[start:].lstrip())
    # A crafted block header: VTK's XML reader aborts the process (std::bad_alloc) on it.
    path.write_bytes(data[:start] + b"1000000000000" + data[start:])
    with pytest.raises(ImageLoadError, match="VTK's reader failed on it: it died of SIG"):
        read_streamlines(path)


# ------------------------------------------------------------------ the data class, the app


def test_streamline_index_out_of_range_is_refused_and_arrays_are_read_only():
    tracts = read_streamlines(three_streamlines())
    assert isinstance(tracts, StreamlineData) and read_streamlines(tracts) is tracts
    with pytest.raises(BrainviewValueError, match=r"i: expected a streamline index in -3..2"):
        tracts.streamline(3)
    with pytest.raises(ValueError):
        tracts.points[0, 0] = 1.0
    assert tracts.lengths.tolist() == [3, 5, 2] and tracts.n_points == 10


def test_app_opens_tractograms_in_the_streamlines_role(monkeypatch, tmp_path):
    from brainview.gui import files
    from brainview.layers import registry

    assert files.file_kind(NIBABEL_DATA / "simple.trk") == "streamlines"
    gz = tmp_path / "AF_L.tck.gz"
    gz.write_bytes(gzip.compress((NIBABEL_DATA / "simple.tck").read_bytes()))
    built = []

    class Model:
        def __init__(self, tracts, *, name):
            built.append((tracts, name))

    class FakeKind:
        model = Model

    monkeypatch.setattr(registry, "kind_for_role", lambda role: FakeKind if role == "streamlines" else None)
    files.open_files([NIBABEL_DATA / "simple.trk", gz])
    assert built == [(NIBABEL_DATA / "simple.trk", "simple"), (gz, "AF_L")]

    def no_such_role(role):
        raise KeyError(role)

    monkeypatch.setattr(registry, "kind_for_role", no_such_role)
    with pytest.raises(ImageLoadError, match="no streamlines layer"):
        files.open_files([NIBABEL_DATA / "simple.tck"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ImageLoadError, match="file not found"):
            files.file_kind(tmp_path / "missing.trk")
