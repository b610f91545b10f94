"""Fuzzing the file loaders: every mutated file loads or raises a brainview error.

Real files (nibabel's test data, a FreeSurfer mesh written here) have bytes
flipped, integers planted in their headers, tails cut or junk inserted,
before and after gzip; GIfTI XML also gets hostile attribute values. Each
case runs under a memory budget of 64 MiB, an address-space limit (so an
allocation the budget missed fails as a MemoryError the test reports) and a
time limit (a hang fails). Anything but a result or a ``BrainviewError``
fails the test.

CI runs a fixed, derandomised set of examples per target; a long run:

    BRAINVIEW_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz.py
    BRAINVIEW_FUZZ_LONG=1 pytest tests/test_fuzz.py    # 2000 examples per target

The new formats (scene JSON, ``.bvz`` archives, QC page names) are fuzzed at
the end of this file; ``BRAINVIEW_FUZZ_TALLY=1`` prints how many hostile
inputs gave a clean error, how many loaded correctly.
"""

import contextlib
import gzip
import os
import re
import resource
import signal
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import brainview as bv
from brainview.errors import BrainviewError, MemoryBudgetError
from brainview.io import load_image, load_surface, load_surface_data

NIBABEL_DATA = Path(nib.__file__).parent / "tests" / "data"
GIFTI_DATA = Path(nib.__file__).parent / "gifti" / "tests" / "data"
EXAMPLES = int(os.environ.get("BRAINVIEW_FUZZ_EXAMPLES",
                              "2000" if os.environ.get("BRAINVIEW_FUZZ_LONG") == "1" else "40"))
settings.register_profile(
    "brainview-fuzz", max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("brainview-fuzz")
BUDGET = 64 * 2**20
#: Address space allowed above what the process already maps; the budget is far below it.
HEADROOM = 1536 * 2**20
SECONDS = 10

INTERESTING_INT32 = [0, 1, -1, 2, 3, 7, 255, 348, 352, 540, 2**15, 2**16, 2**24, 2**30, 2**31 - 1,
                     -(2**31)]


@contextlib.contextmanager
def guarded_case():
    """A low brainview budget, an address-space limit and a time limit, undone afterwards."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    limit = mapped + HEADROOM if hard == resource.RLIM_INFINITY else min(hard, mapped + HEADROOM)

    def expire(*_):
        raise TimeoutError(f"a load ran for more than {SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.setitimer(signal.ITIMER_REAL, SECONDS)
    try:
        with bv.set_limits(max_bytes=BUDGET):
            yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.signal(signal.SIGALRM, previous)


def outcome(loader, path, **options):
    """Load; a brainview error is a fine outcome, anything else propagates and fails."""
    with guarded_case():
        try:
            return loader(path, **options)
        except MemoryBudgetError as error:
            # The budget must refuse first: running out of address space means it was missed.
            assert "ran out of memory" not in str(error), error
            return error
        except BrainviewError as error:
            return error


@st.composite
def mutations(draw, original, header_size):
    """``original`` with 1-6 edits, most of them in the first ``header_size`` bytes."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        in_header = draw(st.booleans()) or draw(st.booleans())
        end = min(len(data), header_size) if in_header else len(data)
        at = draw(st.integers(0, max(end - 1, 0)))
        kind = draw(st.sampled_from(["byte", "int32", "truncate", "insert"]))
        if kind == "byte":
            data[at] = draw(st.integers(0, 255))
        elif kind == "int32":
            value = draw(st.sampled_from(INTERESTING_INT32))
            order = draw(st.sampled_from(["little", "big"]))
            at -= at % 2
            data[at:at + 4] = value.to_bytes(4, order, signed=True)
        elif kind == "truncate":
            del data[at:]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
    return bytes(data)


def check_image(result):
    if not isinstance(result, BrainviewError):
        assert result.data.ndim == 3 and np.all(np.isfinite(result.affine))
        assert np.abs(result.world_bounds()).max() <= 1e6


def nifti_raw():
    return (NIBABEL_DATA / "anatomical.nii").read_bytes()


@FUZZ
@given(data=mutations(nifti_raw(), 352), compress=st.booleans())
def test_mutated_nifti_loads_or_raises_a_brainview_error(tmp_path_factory, data, compress):
    path = tmp_path_factory.mktemp("nii") / ("fuzz.nii.gz" if compress else "fuzz.nii")
    path.write_bytes(gzip.compress(data, compresslevel=1) if compress else data)
    check_image(outcome(load_image, path, volume=None))


@FUZZ
@given(data=mutations((NIBABEL_DATA / "example4d.nii.gz").read_bytes(), 64))
def test_mutated_gzip_stream_loads_or_raises_a_brainview_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("gz") / "fuzz.nii.gz"
    path.write_bytes(data)
    check_image(outcome(load_image, path, volume=0))


@FUZZ
@given(data=mutations(gzip.decompress((NIBABEL_DATA / "test.mgz").read_bytes()), 284))
def test_mutated_mgz_loads_or_raises_a_brainview_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("mgz") / "fuzz.mgz"
    path.write_bytes(gzip.compress(data, compresslevel=1))
    check_image(outcome(load_image, path, volume=0))


GIFTI_FILES = ["ascii.gii", "base64bin.gii", "gzipbase64.gii", "label.gii"]
GIFTI_ATTRIBUTES = ["Dimensionality", "Dim0", "Dim1", "DataType", "Encoding", "Endian",
                    "ExternalFileName", "ExternalFileOffset", "ArrayIndexingOrder"]
HOSTILE_VALUES = ["", "-1", "0", "3", "99999999999", "1e9", "2147483648", "NIFTI_TYPE_FLOAT64",
                  "NIFTI_TYPE_UINT8", "NIFTI_TYPE_COMPLEX64", "GZipBase64Binary", "Base64Binary",
                  "ExternalFileBinary", "ASCII", "BigEndian", "../../../../etc/passwd",
                  "/dev/zero", "/proc/self/environ", "ColumnMajorOrder", "&amp;", "x" * 300]


@st.composite
def gifti_documents(draw):
    xml = (GIFTI_DATA / draw(st.sampled_from(GIFTI_FILES))).read_text()
    for _ in range(draw(st.integers(0, 3))):
        attribute = draw(st.sampled_from(GIFTI_ATTRIBUTES))
        value = draw(st.sampled_from(HOSTILE_VALUES))
        xml = re.sub(f'{attribute}="[^"]*"', f'{attribute}="{value}"', xml, count=1)
    data = xml.encode()
    return draw(mutations(data, len(data))) if draw(st.booleans()) else data


@FUZZ
@given(data=gifti_documents(), compress=st.booleans(), as_mesh=st.booleans())
def test_mutated_gifti_loads_or_raises_a_brainview_error(tmp_path_factory, data, compress,
                                                          as_mesh):
    path = tmp_path_factory.mktemp("gii") / ("fuzz.gii.gz" if compress else "fuzz.gii")
    path.write_bytes(gzip.compress(data, compresslevel=1) if compress else data)
    result = outcome(load_surface if as_mesh else load_surface_data, path)
    if not isinstance(result, BrainviewError) and as_mesh and result.faces.size:
        assert result.vertices.shape[1] == 3 and result.faces.max() < result.n_vertices


def freesurfer_surface():
    import tempfile

    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=float)
    faces = np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lh.white"
        nib.freesurfer.write_geometry(str(path), vertices, faces)
        return path.read_bytes()


@FUZZ
@given(data=mutations(freesurfer_surface(), 64))
def test_mutated_freesurfer_surface_loads_or_raises_a_brainview_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fs") / "lh.white"
    path.write_bytes(data)
    result = outcome(load_surface, path)
    if not isinstance(result, BrainviewError) and result.faces.size:
        assert result.faces.max() < result.n_vertices


def check_streamlines(result):
    if not isinstance(result, BrainviewError):
        assert result.points.dtype == np.float32 and result.points.shape[1] == 3
        assert result.offsets[0] == 0 and result.offsets[-1] == len(result.points)
        assert np.all(np.diff(result.offsets) > 0) and np.abs(result.points).max() <= 1e6


@FUZZ
@given(data=mutations((NIBABEL_DATA / "complex.trk").read_bytes(), 1000), compress=st.booleans())
def test_mutated_trk_reads_or_raises_a_brainview_error(tmp_path_factory, data, compress):
    from brainview.io.tractography import read_streamlines

    path = tmp_path_factory.mktemp("trk") / ("fuzz.trk.gz" if compress else "fuzz.trk")
    path.write_bytes(gzip.compress(data, compresslevel=1) if compress else data)
    check_streamlines(outcome(read_streamlines, path))


@FUZZ
@given(data=mutations((NIBABEL_DATA / "simple.tck").read_bytes(), 100), compress=st.booleans())
def test_mutated_tck_reads_or_raises_a_brainview_error(tmp_path_factory, data, compress):
    from brainview.io.tractography import read_streamlines

    path = tmp_path_factory.mktemp("tck") / ("fuzz.tck.gz" if compress else "fuzz.tck")
    path.write_bytes(gzip.compress(data, compresslevel=1) if compress else data)
    check_streamlines(outcome(read_streamlines, path))


def vtk_lines_file():
    import tempfile

    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
    from vtkmodules.vtkIOLegacy import vtkPolyDataWriter

    polydata, points, lines = vtkPolyData(), vtkPoints(), vtkCellArray()
    points.SetData(numpy_to_vtk(np.arange(30, dtype=np.float32).reshape(10, 3), deep=True))
    lines.SetData(numpy_to_vtk(np.array([0, 4, 10]), deep=True), numpy_to_vtk(np.arange(10), deep=True))
    polydata.SetPoints(points)
    polydata.SetLines(lines)
    with tempfile.TemporaryDirectory() as folder:
        writer = vtkPolyDataWriter()
        writer.SetFileName(str(Path(folder) / "lines.vtk"))
        writer.SetInputData(polydata)
        writer.SetFileTypeToBinary()
        writer.Write()
        return (Path(folder) / "lines.vtk").read_bytes()


@FUZZ
@given(data=mutations(vtk_lines_file(), 400))
def test_mutated_vtk_lines_read_or_raise_a_brainview_error(tmp_path_factory, data):
    from brainview.io.tractography import read_streamlines

    path = tmp_path_factory.mktemp("vtk") / "fuzz.vtk"
    path.write_bytes(data)
    check_streamlines(outcome(read_streamlines, path))


def test_the_guard_itself_catches_a_missed_budget():
    """The address-space limit turns an allocation the budget missed into a failure."""
    with pytest.raises(MemoryError):
        with guarded_case():
            np.ones(4 * HEADROOM // 8)


# ------------------------------------------------------------ scene files, .bvz, QC pages (issue 23)

import collections  # noqa: E402
from conftest import LinkParser  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import stat  # noqa: E402
import urllib.parse  # noqa: E402
import zipfile  # noqa: E402

from brainview.batch import BatchReport, ItemResult, write_index  # noqa: E402
from brainview.export._scene_guard import file_records  # noqa: E402
from brainview.export.scene_file import load_scene  # noqa: E402

#: Outcomes of the scene fuzzers: "error" (a brainview error), "loaded" (checked correct).
TALLY = collections.Counter()
if os.environ.get("BRAINVIEW_FUZZ_TALLY") == "1":
    import atexit

    atexit.register(lambda: print(f"\nscene fuzz tally: {dict(TALLY)}"))


def base_scene():
    """A valid scene of two points, written by hand (the version 1 format)."""
    return {
        "format": "brainview.scene", "version": 1, "brainview": "0", "vtk": "9",
        "figure": {"size": [40, 30], "bgcolor": [0.0, 0.0, 0.0], "antialias": False},
        "camera": {"position": [0.0, -300.0, 0.0], "focal_point": [0.0, 0.0, 0.0],
                   "view_up": [0.0, 0.0, 1.0], "view_angle": 30.0},
        "layers": [{"kind": "points", "name": "dots",
                    "params": {"coords": {"$array": {"dtype": "<f8", "shape": [2, 3],
                                                     "data": [0.0, 0.0, 0.0, 10.0, 5.0, 0.0]}},
                               "size": 3, "color": "red"},
                    "state": {"opacity": 0.5}}],
        "annotations": [{"kind": "title", "text": "fuzz", "size": 12, "color": None}],
        "colorbars": [],
    }


HOSTILE_PATHS = ["../outside.npy", "/etc/passwd", "/proc/self/pagemap", "/dev/zero", "sub/../../outside.npy",
                 "link_out.npy", "fifo.npy", "inside.npy", "", ".", "a\u0000b", "C:\\x.npy", "//x/y.npy"]
HOSTILE_DTYPES = ["<f8", "|b1", "<i4", "<U500000000", "|O", "|V16", "<c16", "|S3", ">f4", "<U4", "<M8", "f8,i4",
                  "(3,)f8", "bogus"]


def nested_lists(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


def hostile_values():
    """JSON values a hostile scene can put anywhere: ``$`` forms with bad bodies, deep nesting, big numbers."""
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False),
                     st.text(max_size=20), st.just("x" * 20_000))
    file_record = st.fixed_dictionaries({
        "path": st.sampled_from(HOSTILE_PATHS), "sha256": st.sampled_from(["0" * 64, "inside"]),
        "size": st.integers(-1, 2**40), "role": st.sampled_from(["npy", "nifti", "input", None])})
    array = st.fixed_dictionaries({
        "dtype": st.sampled_from(HOSTILE_DTYPES),
        "shape": st.lists(st.integers(-1, 10**6), max_size=4),
        "data": st.lists(st.one_of(st.floats(allow_nan=False), st.text(max_size=3), st.booleans()), max_size=8)})
    special = st.one_of(
        file_record.map(lambda r: {"$file": r}), array.map(lambda a: {"$array": a}),
        st.sampled_from(["$tuple", "$dict", "$dataset", "$surface", "$layer", "$series", "$bunch", "$python"])
        .flatmap(lambda key: leaf.map(lambda body: {key: body})),
        st.integers(60, 300).map(nested_lists),
    )
    return st.recursive(st.one_of(leaf, special),
                        lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                        max_leaves=8)


SCENE_PLACES = [("layers", 0, "params", "coords"), ("layers", 0, "params", "size"), ("layers", 0, "state", "opacity"),
                ("layers", 0, "state", "_actor"), ("layers", 0, "state", "nonsense"), ("layers", 0, "kind"),
                ("camera", "position"), ("camera", "view_angle"), ("figure", "size"), ("figure",),
                ("annotations",), ("annotations", 0, "text"), ("annotations", 0, "size"), ("colorbars",),
                ("layers",), ("version",), ("layers", 0, "params", "_params")]


@st.composite
def hostile_scenes(draw):
    scene = base_scene()
    for _ in range(draw(st.integers(1, 3))):
        *parents, key = draw(st.sampled_from(SCENE_PLACES))
        target = scene
        for step in parents:
            try:
                target = target[step]
            except (KeyError, IndexError, TypeError):
                break
        else:
            if isinstance(target, dict) or (isinstance(target, list) and isinstance(key, int) and key < len(target)):
                target[key] = draw(hostile_values())
    return scene


def scene_folder(root):
    """A scene folder with the files hostile references aim at, and one outside it."""
    folder = root / "scene"
    folder.mkdir()
    np.save(root / "outside.npy", np.zeros((2, 3)))
    np.save(folder / "inside.npy", np.zeros((2, 3)))
    os.symlink(root / "outside.npy", folder / "link_out.npy")
    os.mkfifo(folder / "fifo.npy")
    return folder


def leaves_folder(scene, folder):
    """Whether a ``$file`` reference of ``scene`` resolves outside ``folder``."""
    for record in file_records(scene):
        path = record.get("path")
        if isinstance(path, str) and "\0" not in path:
            target = (folder / path).resolve()
            if folder.resolve() not in target.parents:
                return True
    return False


def loaded_or_error(load, *args, **options):
    """Load under the budget, address-space and time limits; a brainview error is a fine outcome."""
    result = outcome(load, *args, **options)
    if isinstance(result, BrainviewError):
        TALLY["error"] += 1
    else:
        TALLY["loaded"] += 1
    return result


@FUZZ
@given(scene=hostile_scenes())
def test_hostile_scene_json_loads_correctly_or_raises_a_brainview_error(tmp_path_factory, scene):
    folder = scene_folder(tmp_path_factory.mktemp("scene"))
    path = folder / "fuzz.bvscene"
    path.write_text(json.dumps(scene))
    figure = loaded_or_error(load_scene, path)
    if not isinstance(figure, BrainviewError):
        try:
            assert not leaves_folder(scene, folder), "a reference outside the folder was read"
            assert all(0 < side <= 8192 for side in figure.size)
            assert all(abs(v) <= 1e6 for key in ("position", "focal_point") for v in figure.camera[key])
        finally:
            figure.close()


ZIP_NAMES = ["scene.bvscene", "d.npy", "../d.npy", "/abs.npy", "sub/d.npy", "d.npy/", "link.npy", "bomb.npy"]


@st.composite
def hostile_archives(draw):
    """A ``.bvz``: a scene referencing members, members with hostile names, kinds and sizes, bytes flipped."""
    data = io.BytesIO()
    np.save(data, np.arange(6.0).reshape(2, 3))
    member = data.getvalue()
    import hashlib

    scene = base_scene()
    reference = draw(st.sampled_from(ZIP_NAMES[1:]))
    scene["layers"][0]["params"]["coords"] = {"$file": {
        "path": reference.rstrip("/"), "sha256": hashlib.sha256(member).hexdigest(), "size": len(member),
        "role": "npy"}}
    stream = io.BytesIO()
    import warnings

    with warnings.catch_warnings(), zipfile.ZipFile(
            stream, "w", draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))) as archive:
        warnings.simplefilter("ignore", UserWarning)  # duplicate member names are meant
        archive.writestr("scene.bvscene", json.dumps(scene))
        for name in draw(st.lists(st.sampled_from(ZIP_NAMES[1:]), max_size=3)):
            info = zipfile.ZipInfo(name)
            if name == "link.npy":
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, b"\0" * (96 * 2**20) if name == "bomb.npy" else member,
                             compress_type=zipfile.ZIP_DEFLATED)
    raw = stream.getvalue()
    return draw(mutations(raw, len(raw))) if draw(st.booleans()) else raw


@FUZZ
@given(raw=hostile_archives())
def test_hostile_bvz_loads_correctly_or_raises_a_brainview_error(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("bvz") / "fuzz.bvz"
    path.write_bytes(raw)
    figure = loaded_or_error(load_scene, path)
    if not isinstance(figure, BrainviewError):
        try:
            coords = figure.layers[0].get_params()["coords"]
            assert np.asarray(coords).shape == (2, 3)
        finally:
            figure.close()


@FUZZ
@given(names=st.lists(st.one_of(st.text(min_size=1, max_size=40),
                                st.sampled_from(["javascript:alert(1)", "<script>x</script>", "\x1b[2J",
                                                 "a\nb", "'\"><img onerror=x>", "data:x", "//host/x"])),
                      min_size=1, max_size=6, unique=True))
def test_qc_page_of_any_names_has_only_relative_links_and_no_markup(tmp_path_factory, names):
    folder = tmp_path_factory.mktemp("qc")
    results = []
    for index, name in enumerate(names):
        safe = name.replace("/", "_").replace("\0", "_") or "_"
        results.append(ItemResult(index, name, folder / f"{index}_{safe}.png", "rendered"))
    results.append(ItemResult(len(names), names[0], None, "failed", error=f"ValueError: {names[-1]}"))
    text = write_index(BatchReport(results), folder / "index.html", title=names[0]).read_text()
    parser = LinkParser()
    parser.feed(text)
    assert parser.scripts == 1
    assert len(parser.links) == 2 * len(names)
    for link, result in zip(parser.links[::2], results):
        parts = urllib.parse.urlsplit(link)
        assert parts.scheme == "" and parts.netloc == "" and not link.startswith("/")
        assert urllib.parse.unquote(link) == result.path.name
    assert not any(ch != "\n" and not ch.isprintable() for ch in text)
