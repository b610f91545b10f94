"""Crashes, hangs and raw tracebacks of issue 23, each under the symptom it had."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewError, MemoryBudgetError

# Only a hang guard: the child finishes in about a second; it hung forever.
HANG_GUARD_S = 180

FORK_SCRIPT = textwrap.dedent(
    """
    import multiprocessing
    import numpy as np
    from brainview.io import load_image
    from brainview.geometry.volume import isosurface

    def contour():
        grid = np.mgrid[-40:40, -40:40, -40:40]
        ball = (np.sqrt((grid ** 2).sum(0)) < 30).astype(np.float32)
        mesh = isosurface(load_image((ball, np.eye(4))), [0.5])
        return np.asarray(mesh.points), np.asarray(mesh.faces)

    def child(queue):
        queue.put(contour())

    if __name__ == "__main__":
        points, faces = contour()
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        # daemon: a hung child is killed when this script gives up.
        process = context.Process(target=child, args=(queue,), daemon=True)
        process.start()
        child_points, child_faces = queue.get(timeout=60)
        process.join()
        assert process.exitcode == 0, process.exitcode
        assert len(points) > 10000
        np.testing.assert_array_equal(child_points, points)
        np.testing.assert_array_equal(child_faces, faces)
        print("same mesh")
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="fork is the default start method on Linux")
def test_forked_child_hangs_in_contour_after_a_threaded_filter(tmp_path):
    script = tmp_path / "fork_contour.py"
    script.write_text(FORK_SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "same mesh" in result.stdout


def test_atlas_labels_dict_with_name_keys_raises_raw_valueerror():
    data = np.zeros((5, 5, 5), dtype=np.int16)
    data[2, 2, 2] = 1
    with pytest.raises(BrainviewError, match=r"labels: .*key 'one'"):
        bv.layers.Atlas((data, np.eye(4)), labels={"one": "A"})
    # Integer keys, and integers written as text, still name the regions.
    assert "A" in repr(bv.layers.Atlas((data, np.eye(4)), labels={"1": "A"}).get_params()["labels"])


def _rgb_nifti(path):
    nib = pytest.importorskip("nibabel")
    rgb = np.zeros((4, 4, 4), dtype=[("R", "u1"), ("G", "u1"), ("B", "u1")])
    rgb["R"][1:3, 1:3, 1:3] = 200
    nib.save(nib.Nifti1Image(rgb, np.eye(4)), path)
    return path


@pytest.mark.parametrize("name", ["T1w_rgb.nii.gz", "zstat1.nii.gz", "aparc_dseg.nii", "plain.nii"])
def test_app_file_opener_raises_raw_typeerror_on_rgb_nifti(tmp_path, name):
    from brainview.gui.files import open_files

    path = _rgb_nifti(tmp_path / name)
    with pytest.raises(BrainviewError, match=rf"'{path}': an RGB colour image"):
        open_files([path])


def test_load_image_of_rgb_nifti_names_the_file_and_the_colour(tmp_path):
    path = _rgb_nifti(tmp_path / "colour.nii.gz")
    with pytest.raises(BrainviewError, match=r"'colour.nii.gz' is an RGB colour image"):
        bv.io.load_image(path)


MEMORY_LIMIT_SCRIPT = textwrap.dedent(
    """
    import os, resource, sys
    import numpy as np, nibabel as nib
    from brainview.io import load_image

    path = sys.argv[1]
    header = nib.Nifti1Header()
    header.set_data_shape((2048, 1024, 1024))
    header.set_data_dtype(np.float32)
    header.set_data_offset(352)
    with open(path, "wb") as stream:
        stream.write(header.binaryblock + bytes(4))
    os.truncate(path, 352 + 2048 * 1024 * 1024 * 4)  # sparse: no disk used
    limit = 4 * 2**30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        load_image(path)
    except Exception as error:
        print(type(error).__name__, error)
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS and sparse files")
def test_8gib_nii_over_a_memory_limit_is_called_corrupt_or_truncated(tmp_path):
    script = tmp_path / "limit.py"
    script.write_text(MEMORY_LIMIT_SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "big.nii")],
        capture_output=True, text=True, timeout=HANG_GUARD_S, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("MemoryBudgetError"), result.stdout
    assert "needs about 8.00 GiB" in result.stdout
    assert "corrupt" not in result.stdout and "truncated" not in result.stdout


def test_8gib_nii_over_the_budget_says_so_with_the_estimate(tmp_path):
    nib = pytest.importorskip("nibabel")
    path = tmp_path / "big.nii"
    header = nib.Nifti1Header()
    header.set_data_shape((2048, 1024, 1024))
    header.set_data_dtype(np.float32)
    header.set_data_offset(352)
    path.write_bytes(header.binaryblock + bytes(4))
    os.truncate(path, 352 + 2048 * 1024 * 1024 * 4)
    with bv.set_limits(max_bytes=256 * 2**20):
        with pytest.raises(MemoryBudgetError, match=r"needs 8\.00 GiB, more than brainview's memory budget of 256\.00 MiB"):
            bv.io.load_image(path)


def _dense_graph(n_nodes):
    rng = np.random.default_rng(0)
    matrix = rng.random((n_nodes, n_nodes))
    matrix = (matrix + matrix.T) / 2
    np.fill_diagonal(matrix, 0)
    return matrix, rng.random((n_nodes, 3)) * 100


def test_dense_2500_node_connectome_crashes_under_2gb():
    # The same case at 1/2.5 scale: 1000 dense nodes (499,500 edges) drawn under 256 MiB.
    matrix, coords = _dense_graph(1000)
    with bv.set_limits(max_bytes=256 * 2**20):
        with pytest.raises(MemoryBudgetError, match=r"drawing 499500 of its 499500 edges") as caught:
            bv.layers.Connectome(matrix, coords)
        message = str(caught.value)
        assert "GiB" in message or "MiB" in message
        suggested = message.split("edge_threshold='")[1].split("'")[0]
        layer = bv.layers.Connectome(matrix, coords, edge_threshold=suggested)
        assert 0 < layer.n_edges_drawn < 499500
        with pytest.raises(MemoryBudgetError, match="edge_threshold="):
            layer.edge_threshold = None  # the live setting is checked too
        with pytest.raises(MemoryBudgetError, match="tubes=False"):
            bv.layers.Connectome(matrix, coords, edge_threshold=suggested, tubes=True)


def test_6000_node_connectome_segfaults_under_256mib():
    # A read-only broadcast view: the test itself allocates nothing of the 6000x6000 matrix.
    matrix = np.broadcast_to(np.float64(0.5), (6000, 6000))
    with bv.set_limits(max_bytes=256 * 2**20):
        with pytest.raises(MemoryBudgetError, match=r"6000-node matrix .* needs [\d.]+ MiB"):
            bv.layers.Connectome(matrix, np.zeros((6000, 3)))


def test_connectome_with_too_many_edges_is_refused_before_extracting_them():
    from brainview.geometry.graph import extract_edges

    matrix, _ = _dense_graph(600)  # 179,700 edges, about 34 MiB to hold
    with bv.set_limits(max_bytes=8 * 2**20):
        with pytest.raises(MemoryBudgetError, match=r"179700 edges .* set the weights you do not want to 0"):
            extract_edges(matrix)
    edges = extract_edges(matrix)
    rows, cols = np.triu_indices(600, k=1)
    assert sorted(zip(edges.sources.tolist(), edges.targets.tolist())) == sorted(zip(rows.tolist(), cols.tolist()))


# A Jupyter kernel without ipywidgets, as tqdm.autonotebook recognises one.
FAKE_NOTEBOOK = textwrap.dedent(
    """
    import sys, types, warnings
    sys.modules["ipykernel.zmqshell"] = types.ModuleType("ipykernel.zmqshell")
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: type("ZMQInteractiveShell", (), {})()
    sys.modules["IPython"] = ipython
    sys.modules["ipywidgets"] = None  # not installed
    warnings.simplefilter("always")
    """
)


def _run_in_fake_notebook(code):
    return subprocess.run([sys.executable, "-c", FAKE_NOTEBOOK + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=HANG_GUARD_S, check=False,
                          # qtpy (imported by other tests) sets QT_API: tqdm then assumes a Qt console.
                          env={k: v for k, v in os.environ.items()
                               if k not in ("DISPLAY", "QT_API") and not k.startswith("SPYDER")})


def test_notebook_shows_tqdmwarning_iprogress_not_found_on_first_figure():
    pytest.importorskip("tqdm")
    control = _run_in_fake_notebook("import tqdm.auto")
    assert "IProgress not found" in control.stderr, "the fake notebook no longer triggers tqdm's warning"
    result = _run_in_fake_notebook(
        """
        import brainview as bv
        fig = bv.figure(size=(64, 48))
        bv.points([[0, 0, 0], [20, 0, 0]])
        fig.screenshot()
        import pyvista, tqdm.auto  # already imported quietly: nothing more to say
        print("drawn")
        """
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "drawn" in result.stdout
    assert "TqdmWarning" not in result.stderr and "IProgress" not in result.stderr, result.stderr
