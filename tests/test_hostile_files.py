"""Hostile files, built at test time: each is refused with a brainview error that says why.

External GIfTI data outside the file's folder, special files that would block
a read, decompression bombs (small here: a few MB that inflate past a test
budget), gzip streams whose CRC or length is wrong, and headers whose affine
makes rendering meaningless. Bomb refusal times are measured in
scripts/benchmarks/guard.py, not asserted here.
"""

import base64
import contextlib
import gzip
import os
import signal
import struct
import zlib
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewValueError, ImageLoadError, MemoryBudgetError
from brainview.io import load_image, load_surface, load_surface_data

NIBABEL_DATA = Path(nib.__file__).parent / "tests" / "data"
MIB = 2**20


@contextlib.contextmanager
def within(seconds):
    """Fail instead of hanging: a read that blocks (a FIFO) is interrupted by SIGALRM."""
    def expire(*_):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def small_budget():
    with bv.set_limits(max_bytes=64 * MIB):
        yield 64 * MIB


# ------------------------------------------------------------------ GIfTI

def gifti_xml(arrays, *, doctype=""):
    """A GIfTI document from ``(attributes, data text)`` pairs."""
    body = "".join(
        "<DataArray " + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + ">"
        f"<MetaData/><CoordinateSystemTransformMatrix><DataSpace>NIFTI_XFORM_UNKNOWN</DataSpace>"
        f"<TransformedSpace>NIFTI_XFORM_UNKNOWN</TransformedSpace>"
        f"<MatrixData>1 0 0 0 0 1 0 0 0 0 1 0 0 0 0 1</MatrixData></CoordinateSystemTransformMatrix>"
        f"<Data>{data}</Data></DataArray>"
        for attrs, data in arrays
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
            f'<GIFTI Version="1.0" NumberOfDataArrays="{len(arrays)}">'
            f"<MetaData/><LabelTable/>{body}</GIFTI>").encode()


def array_attrs(n, *, intent="NIFTI_INTENT_SHAPE", dtype="NIFTI_TYPE_FLOAT32", encoding="ASCII",
                external=None, dims=None):
    dims = dims or [n]
    attrs = {"Intent": intent, "DataType": dtype, "ArrayIndexingOrder": "RowMajorOrder",
             "Dimensionality": len(dims), "Encoding": encoding, "Endian": "LittleEndian",
             "ExternalFileName": external or "", "ExternalFileOffset": "0" if external else ""}
    attrs.update({f"Dim{i}": d for i, d in enumerate(dims)})
    return attrs


def external_gifti(folder, external):
    path = folder / "overlay.gii"
    path.write_bytes(gifti_xml([(array_attrs(4, encoding="ExternalFileBinary",
                                             external=external), "")]))
    return path


def test_external_gifti_data_next_to_the_file_loads(tmp_path):
    (tmp_path / "values.dat").write_bytes(np.arange(4, dtype="<f4").tobytes())
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "values.dat").write_bytes(np.ones(4, dtype="<f4").tobytes())
    assert load_surface_data(external_gifti(tmp_path, "values.dat")).tolist() == [0, 1, 2, 3]
    assert load_surface_data(external_gifti(tmp_path, "sub/values.dat")).tolist() == [1] * 4


@pytest.mark.parametrize("external", ["../../../../etc/passwd", "/etc/passwd",
                                      "/proc/self/environ", "/dev/zero"])
def test_external_gifti_data_outside_the_folder_is_refused(tmp_path, external):
    path = external_gifti(tmp_path, external)
    with pytest.raises(ImageLoadError, match=f"overlay.gii' takes data from the external file "
                                             f"'{external}', which is not a path inside"):
        load_surface_data(path)


def test_external_gifti_symlink_leaving_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside.dat"
    outside.write_bytes(bytes(16))
    folder = tmp_path / "subject"
    folder.mkdir()
    (folder / "values.dat").symlink_to(outside)
    (folder / "zero.dat").symlink_to("/dev/zero")
    for name in ("values.dat", "zero.dat"):
        with pytest.raises(ImageLoadError, match=f"'{name}', a link leading out"):
            load_surface_data(external_gifti(folder, name))


def test_external_gifti_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.dat")
    with within(5), pytest.raises(ImageLoadError, match="'pipe.dat', which is not a regular file"):
        load_surface_data(external_gifti(tmp_path, "pipe.dat"))


def test_external_gifti_data_shorter_than_declared_is_truncated(tmp_path):
    (tmp_path / "short.dat").write_bytes(bytes(8))
    with pytest.raises(ImageLoadError, match="holds 8 bytes, but the array needs 16"):
        load_surface_data(external_gifti(tmp_path, "short.dat"))


def test_fifo_given_as_the_file_is_refused_without_blocking(tmp_path):
    for suffix, loader in [(".nii.gz", load_image), (".nii", load_image),
                           (".gii", load_surface), ("lh.pial", load_surface),
                           (".gii.gz", load_surface_data), (".mgz", load_surface_data)]:
        fifo = tmp_path / f"pipe{suffix}"
        os.mkfifo(fifo)
        with within(5), pytest.raises(ImageLoadError, match="pipe.*is not a regular file"):
            loader(fifo)


def test_gifti_gz_bomb_stops_at_the_declared_arrays(tmp_path, small_budget):
    """3 values declared, 80 MiB of XML: inflation stops near 64 MiB."""
    xml = gifti_xml([(array_attrs(3), "1 2 3" + " " * (80 * MIB))])
    bomb = tmp_path / "bomb.gii.gz"
    bomb.write_bytes(gzip.compress(xml))
    assert bomb.stat().st_size < 1 * MIB
    with pytest.raises(ImageLoadError, match=r"bomb.gii.gz': the XML runs past 64.\d+ MiB, more "
                                             r"than its 1 data arrays declare \(12 bytes\)"):
        load_surface_data(bomb)


def test_gifti_declaring_arrays_over_the_budget_is_refused(tmp_path, small_budget):
    xml = gifti_xml([(array_attrs(10**9), "0")])
    for path in (tmp_path / "huge.gii", tmp_path / "huge.gii.gz"):
        path.write_bytes(gzip.compress(xml) if path.suffix == ".gz" else xml)
        with pytest.raises(MemoryBudgetError, match=r"DataArray 0: its data needs 7.45 GiB, more "
                                                    r"than brainview's memory budget of 64.00 MiB; "
                                                    r"raise it with bv.set_limits"):
            load_surface_data(path)


def test_gifti_gzip_payload_bomb_is_refused(tmp_path, small_budget):
    payload = base64.b64encode(zlib.compress(bytes(100 * MIB), 9)).decode()
    path = tmp_path / "payload.gii"
    path.write_bytes(gifti_xml([(array_attrs(10, encoding="GZipBase64Binary"), payload)]))
    with pytest.raises(ImageLoadError, match="DataArray 0: its compressed data inflates past the "
                                             "40 bytes its dimensions declare"):
        load_surface_data(path)


def test_gifti_billion_laughs_is_refused(tmp_path):
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    path = tmp_path / "laughs.gii"
    path.write_bytes(gifti_xml([(array_attrs(1), "&lol9;")],
                               doctype=f"<!DOCTYPE GIFTI [{entities}]>"))
    with pytest.raises(ImageLoadError, match="laughs.gii': the XML declares the entity 'lol'"):
        load_surface_data(path)


def test_gifti_gz_with_a_bad_crc_names_the_file(tmp_path):
    xml = gifti_xml([(array_attrs(3), "1 2 3")])
    damaged = bytearray(gzip.compress(xml))
    damaged[-8] ^= 0xFF  # the CRC-32 trailer
    path = tmp_path / "crc.gii.gz"
    path.write_bytes(bytes(damaged))
    with pytest.raises(ImageLoadError, match="crc.gii.gz': the file is corrupt or truncated "
                                             r"\(BadGzipFile: CRC check failed"):
        load_surface_data(path)


# ------------------------------------------------------------------ NIfTI / MGH

def nifti_bytes(shape, dtype=np.uint8, affine=None):
    header = nib.Nifti1Header()
    header.set_data_shape(shape)
    header.set_data_dtype(dtype)
    header.set_qform(np.eye(4) if affine is None else affine, code=1)
    header.set_sform(np.eye(4) if affine is None else affine, code=1)
    return header.binaryblock + b"\0" * 4


def test_nifti_gz_declaring_a_huge_shape_is_refused_before_inflating(tmp_path, small_budget):
    bomb = tmp_path / "bomb.nii.gz"
    bomb.write_bytes(gzip.compress(nifti_bytes((2048, 2048, 512), np.float32) + bytes(MIB)))
    with pytest.raises(MemoryBudgetError, match=r"img: '.*bomb.nii.gz': its data needs 8.00 GiB, "
                                                r"more than brainview's memory budget of 64.00 MiB"):
        load_image(bomb)


def test_nifti_gz_stream_longer_than_its_header_is_refused(tmp_path, small_budget):
    """A plausible 1000-voxel header over 100 MB of zeros: the declared size bounds the read."""
    bomb = tmp_path / "long.nii.gz"
    bomb.write_bytes(gzip.compress(nifti_bytes((10, 10, 10)) + bytes(100 * MIB)))
    with pytest.raises(ImageLoadError, match=r"long.nii.gz': the compressed stream continues more "
                                             r"than 1.00 MiB past the data its header declares"):
        load_image(bomb)


def test_nifti_gz_within_the_budget_loads_and_over_it_names_the_fix(tmp_path):
    path = tmp_path / "honest.nii.gz"
    path.write_bytes(gzip.compress(nifti_bytes((128, 128, 128)) + bytes(128**3)))
    assert load_image(path).shape == (128, 128, 128)
    with bv.set_limits(max_bytes=MIB), pytest.raises(
            MemoryBudgetError, match=r"its data needs 2.00 MiB, more than brainview's memory "
                                     r"budget of 1.00 MiB; raise it with bv.set_limits\(max_bytes"):
        load_image(path)
    assert isinstance(MemoryBudgetError("x"), MemoryError)


@pytest.mark.parametrize("offset, words", [(-8, "CRC check failed"),
                                           (-4, "gzip length check failed")])
def test_one_corrupted_voxel_in_a_nifti_gz_is_an_error(tmp_path, offset, words):
    raw = nifti_bytes((4, 4, 4)) + bytes(range(64))
    stored = bytearray(gzip.compress(raw, compresslevel=0))  # stored blocks: a voxel byte is visible
    voxel = stored.index(bytes(range(10, 20)))
    damaged = tmp_path / "voxel.nii.gz"
    flipped = stored.copy()
    flipped[voxel] ^= 0x01
    damaged.write_bytes(bytes(flipped))
    with pytest.raises(ImageLoadError, match=r"voxel.nii.gz': the file is corrupt or truncated "
                                             r"\(gzip CRC check failed"):
        load_image(damaged)
    trailer = tmp_path / "trailer.nii.gz"
    stored[offset] ^= 0x01
    trailer.write_bytes(bytes(stored))
    with pytest.raises(ImageLoadError, match=f"trailer.nii.gz'.*{words}"):
        load_image(trailer)


def test_corrupted_mgz_crc_is_an_error(tmp_path):
    damaged = bytearray((NIBABEL_DATA / "test.mgz").read_bytes())
    damaged[-8] ^= 0xFF
    path = tmp_path / "damaged.mgz"
    path.write_bytes(bytes(damaged))
    with pytest.raises(ImageLoadError, match="damaged.mgz': .*CRC check failed"):
        load_image(path)
    assert load_image(NIBABEL_DATA / "test.mgz", volume=0).shape == (3, 4, 5)


@pytest.mark.parametrize("affine, words", [
    (np.diag([0.01, 0.01, 1000, 1]), r"voxel sizes \(0.01, 0.01, 1000\) mm differ by more than "
                                     r"10000 times"),
    (np.array([[1, 0, 0, 1e30], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1.0]]),
     r"places voxels at 1e\+30 mm from the origin \(origin \(1e\+30, 0, 0\) mm"),
    (np.diag([1e5, 1e5, 1e5, 1]), r"places voxels at 9.9e\+06 mm from the origin"),
])
def test_absurd_affines_are_refused_with_the_value(tmp_path, affine, words):
    path = tmp_path / "absurd.nii.gz"
    nib.save(nib.Nifti1Image(np.zeros((100, 10, 10), np.uint8), affine), path)
    with pytest.raises(BrainviewValueError, match=words):
        load_image(path)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_affine_is_refused(value):
    affine = np.eye(4)
    affine[0, 3] = value
    with pytest.raises(BrainviewValueError, match="finite and invertible"):
        load_image((np.zeros((2, 2, 2)), affine))


def test_memory_exhaustion_is_not_reported_as_corruption(tmp_path, monkeypatch):
    path = tmp_path / "fine.nii.gz"
    nib.save(nib.Nifti1Image(np.zeros((3, 3, 3), np.uint8), np.eye(4)), path)

    def exhausted(img, data):
        raise MemoryError

    monkeypatch.setattr("brainview.io.gzip_stream.volumes_last", exhausted)
    with pytest.raises(MemoryBudgetError, match="ran out of memory reading the data of") as info:
        load_image(path)
    assert "corrupt" not in str(info.value)


def test_slice_plane_over_the_budget_is_refused():
    from brainview.geometry.volume import world_plane

    img = load_image((np.zeros((2, 2, 2), np.uint8), np.diag([1000.0, 1000, 1000, 1])))
    with bv.set_limits(max_bytes=MIB), pytest.raises(
            MemoryBudgetError, match=r"a slice plane of 1001 x 1001 samples at step 1 mm needs"):
        world_plane(img, 0, 0.0, step=1.0)


# ------------------------------------------------------------------ FreeSurfer

def test_freesurfer_surface_declaring_more_vertices_than_its_bytes(tmp_path):
    path = tmp_path / "lh.pial"
    path.write_bytes(b"\xff\xff\xfe" + b"created by bomb\n\n" + struct.pack(">ii", 2**30, 1)
                     + bytes(64))
    with pytest.raises(ImageLoadError, match=r"lh.pial' declares 1073741824 vertices and 1 faces, "
                                             r"more than its 92 bytes hold"):
        load_surface(path)


def test_freesurfer_morphometry_declaring_more_values_than_its_bytes(tmp_path):
    path = tmp_path / "lh.thickness"
    path.write_bytes(b"\xff\xff\xff" + struct.pack(">iii", 2**30, 1, 1) + bytes(16))
    with pytest.raises(ImageLoadError, match="lh.thickness' declares 1073741824 values"):
        load_surface_data(path)


def test_vertices_beyond_a_kilometre_are_refused():
    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1e30, 0]])
    with pytest.raises(BrainviewValueError, match=r"a vertex lies 1e\+30 mm from the origin"):
        load_surface((vertices, np.array([[0, 1, 2]])))


# ------------------------------------------------------------------ the budget itself

def test_set_limits_returns_the_previous_and_restores_it():
    from brainview import limits

    default = limits.max_bytes()
    previous = bv.set_limits(max_bytes=123 * MIB)
    assert previous.max_bytes is None and limits.max_bytes() == 123 * MIB
    with bv.set_limits(max_bytes=MIB) as inside:
        assert inside.max_bytes == 123 * MIB and limits.max_bytes() == MIB
    assert limits.max_bytes() == 123 * MIB
    bv.set_limits(max_bytes=None)
    assert abs(limits.max_bytes() - default) < default / 2  # available memory moves a little
    with pytest.raises(BrainviewValueError, match="max_bytes: must be a positive number"):
        bv.set_limits(max_bytes=-1)
    with pytest.raises(bv.BrainviewTypeError, match="max_bytes: expected a number of bytes"):
        bv.set_limits(max_bytes="1 GB")


@pytest.mark.parametrize("suffix, scaled", [(".nii.gz", False), (".nii.gz", True), (".mgz", False)])
def test_gzip_images_read_into_one_buffer_equal_nibabel(tmp_path, suffix, scaled):
    """The streamed reader (data viewing the inflated buffer) gives nibabel's values, scaling included."""
    data = np.arange(4 * 5 * 6, dtype=np.int16).reshape(4, 5, 6) - 50
    affine = np.diag([2.0, -1.5, 3.0, 1.0])
    img = (nib.MGHImage(data.astype(np.float32), affine) if suffix == ".mgz"
           else nib.Nifti1Image(data, affine))
    if scaled:
        img.header.set_slope_inter(0.5, 3.0)
    path = tmp_path / f"x{suffix}"
    nib.save(img, path)
    expected = np.asanyarray(nib.load(path).dataobj)
    loaded = load_image(path)
    assert loaded.data.dtype.isnative and loaded.data.dtype == expected.dtype.newbyteorder("=")
    np.testing.assert_array_equal(loaded.data, expected)
    np.testing.assert_allclose(loaded.affine, nib.load(path).affine)
