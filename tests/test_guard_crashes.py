"""Crashes, hangs and raw tracebacks of issue 23, each under the symptom it had."""

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
