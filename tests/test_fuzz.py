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
EXAMPLES = int(os.environ.get("BRAINVIEW_FUZZ_EXAMPLES", "40"))
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


def test_the_guard_itself_catches_a_missed_budget():
    """The address-space limit turns an allocation the budget missed into a failure."""
    with pytest.raises(MemoryError):
        with guarded_case():
            np.ones(4 * HEADROOM // 8)
