"""Start-up cost of a model: ``import brainview.layers`` and a StatMap built from an array.

- ``import_layers_stat_map``: a fresh interpreter times ``import numpy``,
  ``from brainview.layers import StatMap`` and
  ``StatMap((data, affine), threshold=2, outline=False, bg=None)`` on a
  20 x 20 x 20 map (issue 19: under 0.5 s). The model computes no geometry
  until a drawer asks, so neither pyvista nor VTK is loaded; matplotlib is
  (the ``cmap`` trait holds a ``Colormap``). Naive way, in the same run: the
  same with the modules brainview used to import eagerly imported first
  (pyvista and VTK's ``numpy_support``, ``vtkCommonDataModel``,
  ``vtkFiltersCore``).

Each of the ``max(repeat, 7)`` measurements of each way runs in its own new
interpreter, the two ways alternating so that machine load falls on both
alike; the note gives the spread (min-max). Byte code is compiled once,
before timing, into a temporary cache (``PYTHONPYCACHEPREFIX``), as an
installed package has it: with ``PYTHONDONTWRITEBYTECODE`` every module
would be compiled again in every process.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile

#: Measurements of each way (at least): the median of 7.
MIN_REPEAT = 7

_CODE = """
import json, sys, time
start = time.perf_counter()
{eager}
import numpy as np
from brainview.layers import StatMap
data = np.zeros((20, 20, 20), np.float32)
data[5:15, 5:15, 5:15] = 4.0
layer = StatMap((data, np.eye(4)), threshold=2, outline=False, bg=None)
elapsed = time.perf_counter() - start
print(json.dumps({{"t": elapsed, "pyvista": "pyvista" in sys.modules,
                  "vtk": any(m.startswith("vtkmodules") for m in sys.modules)}}))
"""

#: What brainview's models and geometry modules imported at module level before issue 19.
_EAGER = ("import pyvista, vtkmodules.util.numpy_support, vtkmodules.vtkCommonDataModel, "
          "vtkmodules.vtkFiltersCore")


def _once(code, env):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=300, env=env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _spread(times):
    return f"{min(times):.3f}-{max(times):.3f} s"


def run(repeat=5):
    repeat = max(repeat, MIN_REPEAT)
    ours_code, naive_code = _CODE.format(eager=""), _CODE.format(eager=_EAGER)
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "DISPLAY")}
        env["PYTHONPYCACHEPREFIX"] = cache
        _once(naive_code, env)  # compiles every module both ways import
        ours, naive = [], []
        for _ in range(repeat):
            ours.append(_once(ours_code, env))
            naive.append(_once(naive_code, env))
    times, naive_times = [o["t"] for o in ours], [o["t"] for o in naive]
    return [{
        "name": "import_layers_stat_map", "median_s": statistics.median(times), "target_s": 0.5,
        "naive": "the same, pyvista + VTK imported first",
        "naive_median_s": statistics.median(naive_times),
        "note": f"median of {repeat} fresh processes each; spread {_spread(times)} "
                f"(naive {_spread(naive_times)}); pyvista loaded: {any(o['pyvista'] for o in ours)}, "
                f"VTK loaded: {any(o['vtk'] for o in ours)}",
    }]
