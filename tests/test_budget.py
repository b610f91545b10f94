"""The memory budget bounds real memory: refusals come before the allocations they prevent.

Peak resident memory is measured in a child process (``VmHWM`` of
``/proc/self/status``, reset through ``/proc/self/clear_refs``) after
brainview, VTK and each kind's code were imported and warmed up on a tiny
image: that baseline is subtracted, what remains is what brainview allocated.
"""

import json
import re
import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewError, MemoryBudgetError
from brainview.io import finite_data, load_image

MIB = 2**20

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self")

#: Runs in the child: builds each kind on a file under a budget it must refuse, measuring peak RSS.
_CHILD = textwrap.dedent('''
    import json, sys
    from pathlib import Path
    import numpy as np, nibabel as nib
    import brainview as bv
    import brainview.layers as layers
    from brainview.errors import MemoryBudgetError

    def peak():
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024

    def reset_peak():
        Path("/proc/self/clear_refs").write_text("5")

    def build(kind, img):
        if kind == "glass_brain":
            return layers.GlassBrain(img)
        return {"volume": layers.Volume, "contour": layers.Contour, "slices": layers.Slices,
                "stat_map": layers.StatMap, "atlas": layers.Atlas}[kind](img)

    folder, cases = Path(sys.argv[1]), json.loads(sys.argv[2])
    results = {}
    for kind, path, budget, tiny in cases:
        build(kind, tiny)  # imports, VTK's first filters, caches: the baseline
        reset_peak()
        base = peak()
        with bv.set_limits(max_bytes=budget):
            try:
                build(kind, path)
                error = None
            except MemoryBudgetError as caught:
                error = str(caught)
            except MemoryError as caught:
                error = "raw MemoryError: " + repr(caught)
        results[kind] = dict(growth=peak() - base, error=error)
    print(json.dumps(results))
''')


def _save(path, data, affine=None):
    import nibabel as nib

    nib.save(nib.Nifti1Image(data, np.eye(4) if affine is None else affine), str(path))
    return str(path)


def _ball(shape, dtype=np.float32):
    grid = np.indices(shape, dtype=np.float32)
    radius = np.sqrt(sum((g - (n - 1) / 2) ** 2 for g, n in zip(grid, shape)))
    return radius, np.maximum(100 - radius, 0).astype(dtype)


def _nested_shells(shape, n_shells):
    radius, _ = _ball(shape)
    return (np.minimum(radius / radius.max() * n_shells, n_shells - 1)).astype(np.int16) + 1


def _run_child(tmp_path, cases):
    completed = subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path), json.dumps(cases)],
                               capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def refusals(tmp_path_factory):
    """Each kind built, in one child, on an image whose layer the budget cannot hold."""
    folder = tmp_path_factory.mktemp("budget")
    radius, ball = _ball((96, 96, 96))  # 3.4 MiB of float32
    tiny = _save(folder / "tiny.nii.gz", _ball((10, 10, 10))[1])
    image = _save(folder / "ball.nii.gz", ball)
    signed = _save(folder / "signed.nii.gz", (np.sin(radius / 3) * 5).astype(np.float32))
    shells = _save(folder / "shells.nii.gz", _nested_shells((96, 96, 96), 40))
    tiny_atlas = _save(folder / "tiny_atlas.nii.gz", _nested_shells((10, 10, 10), 3))
    budget = 5 * MIB  # the data fits; the layer (copies, masks, mesh) does not
    cases = [(kind, image, budget, tiny) for kind in ("volume", "contour", "slices", "glass_brain")]
    cases += [("stat_map", signed, budget, tiny), ("atlas", shells, budget, tiny_atlas)]
    return budget, _run_child(folder, cases)


@pytest.mark.parametrize("kind", ["volume", "contour", "slices", "glass_brain", "stat_map", "atlas"])
def test_each_kind_is_refused_before_allocating_past_the_budget(refusals, kind):
    budget, results = refusals
    result = results[kind]
    assert result["error"] is not None, f"{kind} was built under a budget it exceeds"
    assert not result["error"].startswith("raw"), result["error"]
    assert "needs" in result["error"] and "5.00 MiB" in result["error"] and "set_limits" in result["error"]
    assert "Estimate:" in result["error"]
    assert result["growth"] <= budget, f"{kind}: peak RSS grew {result['growth'] / MIB:.1f} MiB"


def test_400_nested_shells_atlas_is_a_brainview_error_not_a_raw_memory_error(tmp_path):
    """The audit's 59 MiB atlas of 400 shells reached 6.48 GB under 512 MiB; scaled down 30 times."""
    data = _nested_shells((128, 128, 120), 400)  # 3.75 MiB of int16
    path = _save(tmp_path / "shells.nii.gz", data)
    tiny = _save(tmp_path / "tiny.nii.gz", _nested_shells((10, 10, 10), 3))
    budget = int(512 * MIB * data.nbytes / (59 * MIB))
    result = _run_child(tmp_path, [("atlas", path, budget, tiny)])["atlas"]
    assert result["error"] is not None and not result["error"].startswith("raw"), result["error"]
    assert re.search(r"atlas: the mesh of \d+ regions of 'array' needs .* GiB", result["error"]), result["error"]
    assert "voxel faces between regions" in result["error"]
    assert result["growth"] <= budget + data.nbytes


def test_nii_gz_loads_with_one_copy_of_its_data(tmp_path):
    """Loading a 117 MiB .nii.gz grew memory by 377 MB: the file, the inflated bytes, two copies."""
    script = textwrap.dedent('''
        import sys
        from pathlib import Path
        import numpy as np
        from brainview.io import load_image
        def peak():
            return int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]) * 1024
        load_image(sys.argv[2])
        Path("/proc/self/clear_refs").write_text("5")
        base = peak()
        image = load_image(sys.argv[1])
        print(peak() - base, image.data.nbytes)
    ''')
    data = _ball((200, 200, 200))[1]  # 30.5 MiB: two copies more would be 61 MiB
    path = _save(tmp_path / "ball.nii.gz", data)
    tiny = _save(tmp_path / "tiny.nii.gz", data[:4, :4, :4].copy())
    completed = subprocess.run([sys.executable, "-c", script, path, tiny], capture_output=True, text=True,
                               check=False)
    assert completed.returncode == 0, completed.stderr[-2000:]
    growth, nbytes = map(int, completed.stdout.split())
    assert growth <= nbytes + 8 * MIB  # inflation steps of 1 MiB: a few at once


def test_array_in_memory_is_checked_with_its_layer():
    data = _ball((64, 64, 64))[1]  # 1 MiB
    with bv.set_limits(max_bytes=2 * MIB), pytest.raises(
            MemoryBudgetError, match=r"img: the array of shape \(64, 64, 64\) needs .*contour layer"):
        bv.layers.Contour((data, np.eye(4)))
    with bv.set_limits(max_bytes=2 * MIB):
        assert load_image((data, np.eye(4))).shape == (64, 64, 64)  # no copy, no layer: fits


def test_array_in_memory_copy_is_counted():
    """A big-endian array is copied to native order: that copy counts, the native array costs nothing."""
    native = _ball((64, 64, 64), np.float64)[1]  # 2 MiB
    swapped = native.astype(">f8")
    with bv.set_limits(max_bytes=MIB):
        assert load_image((native, np.eye(4))).data.base is not None  # a view, not a copy
        with pytest.raises(MemoryBudgetError, match=r"the array of shape \(64, 64, 64\) needs 2.00 MiB"):
            load_image((swapped, np.eye(4)))


def test_refusal_names_the_layer_estimate_budget_and_fixes(tmp_path):
    path = _save(tmp_path / "ball.nii.gz", _ball((64, 64, 64))[1])
    with bv.set_limits(max_bytes=2 * MIB), pytest.raises(MemoryBudgetError) as info:
        bv.layers.Volume(path)
    message = str(info.value)
    assert "ball.nii.gz" in message and "volume layer" in message and "2.00 MiB" in message
    assert "smaller image" in message and "set_limits" in message
    assert isinstance(info.value, MemoryError) and isinstance(info.value, BrainviewError)


def test_isosurface_larger_than_the_budget_is_refused_before_extraction():
    noise = np.random.default_rng(0).random((64, 64, 64)).astype(np.float32)  # 1 MiB, crossed everywhere
    with bv.set_limits(max_bytes=8 * MIB), pytest.raises(
            MemoryBudgetError, match=r"contour: the isosurface of 'array' at 0.5 needs .* vertices"):
        bv.layers.Contour((noise, np.eye(4)), level=0.5)
    with bv.set_limits(max_bytes=8 * MIB):
        assert bv.layers.Contour((_ball((64, 64, 64))[1], np.eye(4)), level=50.0).mesh.n_points > 0


def test_finite_data_makes_no_mask_of_finite_data():
    image = load_image((_ball((64, 64, 64))[1], np.eye(4)))
    tracemalloc.start()
    try:
        assert finite_data(image) is image.data
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < image.data.size // 8  # a bool mask would be image.data.size bytes


def test_surface_and_points_layers_are_checked_against_the_budget_before_building():
    """Issue 23: mesh kinds had no estimate: a huge surface or point cloud met no budget."""
    from brainview.layers import Points, Surface

    rng = np.random.default_rng(0)
    vertices = rng.normal(size=(30_000, 3)) * 50
    faces = rng.integers(0, 30_000, size=(60_000, 3))
    coords = rng.normal(size=(30_000, 3)) * 50
    with bv.set_limits(max_bytes=2 * MIB):
        with pytest.raises(MemoryBudgetError, match=r"surf: 30000 vertices needs .*Estimate: .*60000 triangles"):
            Surface((vertices, faces))
        with pytest.raises(MemoryBudgetError, match=r"coords needs .*30000 markers"):
            Points(coords)
    small = Surface((vertices[:100], faces[:50] % 100))
    assert small.n_vertices == 100 and len(Points(coords[:100]).centers()) == 100
