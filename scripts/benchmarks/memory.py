"""Peak resident memory of each layer kind against brainview's estimate and the budget.

Each kind is built in a fresh Python process from a ``.nii.gz`` on disk:
brainview, VTK and the kind's code are imported and warmed up on a tiny
image first; the peak resident memory (``VmHWM``) is read before and after
building the layer on the real image. Rows:

- ``memory <kind>``: the time to build the layer (median of one run: memory
  is the point), with a note: brainview's estimate (the largest request its
  budget checks saw: loading with the layer's per-voxel work, then the
  mesh), the measured peak growth, and the budget in force (set to twice
  the estimate, so nothing is refused). Target: growth <= estimate. Each
  child has an empty cache (``BRAINVIEW_CACHE_DIR``): meshes are computed.

Images: nilearn's 1 mm MNI152 template (197 x 233 x 189 float32, via
``brainview.datasets.load_mni152(resolution=1)``) for volume, contour,
slices and glass_brain; a float32 "statistical map" of the same grid (the
template's smooth gradient, signed) for stat_map; an atlas of 40 nested
shells on that grid for atlas; a 3-component float32 swirl in a ball on that
grid for vector_field (drawn at stride 2, as lines). Arrays made before measuring for the mesh
kinds: a 163,842-vertex icosphere with an overlay (surface), 200,000 points,
a dense 1,000-node graph (connectome), 20,000 arrows (quiver), a 1000 x 1000 grid (mesh;
surf shares its code), 100,000 streamlines and 10,000 lines of 100 points (lists of float32
arrays; both drawn once in a 16 x 16 figure: the mapper's buffers count).

    python scripts/benchmark.py --only memory
    python scripts/benchmarks/memory.py contour /path/to/image.nii.gz   # one kind, JSON out
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KINDS = ("volume", "contour", "slices", "glass_brain", "stat_map", "atlas", "vector_field")
#: Kinds built from arrays made in the measuring process (``size``: the full-size input).
MESH_KINDS = {"surface": 7, "points": 200_000, "connectome": 1000, "quiver": 20_000, "mesh": 1000,
              "streamlines": 100_000, "lines": 10_000}
MIB = 2**20


def peak_rss():
    """``VmHWM`` of this process, in bytes: the peak resident memory so far."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _record_requests():
    """Make every budget check record its request; returns the list they append to."""
    import brainview.limits as limits

    requests, original = [], limits.check_allocation

    def recording(nbytes, what, **options):
        requests.append(int(nbytes))
        return original(nbytes, what, **options)

    for module in list(sys.modules.values()):
        if getattr(module, "check_allocation", None) is original:
            module.check_allocation = recording
    return requests


def mesh_inputs(kind, size):
    """Inputs made before measuring: a surface (an icosphere of ``size`` subdivisions) with an
    overlay, ``size`` points, or a dense graph of ``size`` nodes."""
    import numpy as np

    rng = np.random.default_rng(0)
    if kind == "surface":
        import pyvista as pv

        sphere = pv.Icosphere(radius=80.0, nsub=size)
        faces = np.ascontiguousarray(sphere.faces.reshape(-1, 4)[:, 1:])
        return ((np.asarray(sphere.points, dtype=float), faces), rng.normal(size=sphere.n_points))
    if kind == "points":
        return (rng.normal(size=(size, 3)) * 50,)
    if kind in ("streamlines", "lines"):
        steps = rng.normal(size=(size, 100, 3)).astype(np.float32)
        return (list(np.cumsum(steps, axis=1)),)
    if kind == "mesh":  # a size x size grid (x, y, z as mlab.mesh takes them)
        u, v = np.mgrid[0:2 * np.pi:size * 1j, 0:np.pi:size * 1j]
        return (60 * np.cos(u) * np.sin(v), 60 * np.sin(u) * np.sin(v), 60 * np.cos(v))
    if kind == "quiver":
        return (rng.normal(size=(size, 3)) * 50, rng.normal(size=(size, 3)))
    matrix = rng.normal(size=(size, size))
    return ((matrix + matrix.T) / 2, rng.normal(size=(size, 3)) * 50)


def build_mesh_kind(kind, inputs):
    import brainview.layers as layers

    if kind == "surface":
        return layers.Surface(*inputs)
    if kind == "points":
        return layers.Points(*inputs, size=3)
    if kind in ("streamlines", "lines"):
        from brainview.scene import Figure

        layer = (layers.Streamlines if kind == "streamlines" else layers.Lines)(*inputs)
        figure = Figure(size=(16, 16))
        figure.add(layer)
        figure.screenshot()
        figure.close()
        return layer
    if kind == "mesh":
        from brainview.scene import Figure

        layer = layers.Mesh(*inputs)
        figure = Figure(size=(64, 64))
        figure.add(layer)
        figure.screenshot()  # the drawer's vertex and index buffers are made at the first render
        return layer
    if kind == "quiver":
        return layers.Quiver(*inputs)
    return layers.Connectome(*inputs, edge_threshold="99%")


def build(kind, path):
    import brainview.layers as layers

    if kind in MESH_KINDS:
        return build_mesh_kind(kind, path)  # path: the inputs, made before measuring
    if kind == "glass_brain":
        return layers.GlassBrain(path)
    if kind == "atlas":
        return layers.Atlas(path)
    if kind == "vector_field":
        return layers.VectorField(path, stride=2)
    layer = {"volume": layers.Volume, "contour": layers.Contour, "slices": layers.Slices,
             "stat_map": layers.StatMap}[kind](path)
    if kind == "volume":
        from brainview.scene import Figure

        Figure(size=(16, 16)).add(layer)  # its drawer: the VTK volume and its copy of the scalars
    return layer


def measure(kind, path):
    """``{estimate, growth, budget, seconds}`` of one kind in this (fresh) process."""
    import numpy as np

    import brainview as bv

    if kind in MESH_KINDS:
        warm = mesh_inputs(kind, 3 if kind == "surface" else 50)
        path = mesh_inputs(kind, MESH_KINDS[kind])
    else:
        warm = Path(tempfile.mkdtemp()) / "warm.nii.gz"
        _write(warm, _image(kind, (12, 12, 12)), np.eye(4))
    build(kind, warm)  # imports, caches, VTK's first filters
    requests = _record_requests()
    with bv.set_limits(max_bytes=2**40):
        build(kind, warm)
        requests.clear()
        before = peak_rss()
        start = time.perf_counter()
        layer = build(kind, path)
        seconds = time.perf_counter() - start
    growth = peak_rss() - before
    del layer
    estimate = max(requests, default=0)
    return dict(estimate=estimate, growth=growth, budget=2 * estimate, seconds=seconds)


def _image(kind, shape):
    """Data of ``kind``'s image: the template's kind of values, a signed map, or nested shells."""
    import numpy as np

    grid = np.indices(shape, dtype=np.float32)
    centre = (np.array(shape, dtype=np.float32) - 1) / 2
    radius = np.sqrt(sum((g - c) ** 2 for g, c in zip(grid, centre)))
    if kind == "atlas":
        return np.minimum(radius / (radius.max() / 40), 40).astype(np.int16) + 1
    if kind == "vector_field":  # a swirl about z inside the brain-sized ball, zero outside
        inside = radius < min(shape) / 2
        swirl = np.stack([-(grid[1] - centre[1]), grid[0] - centre[0], np.full(shape, 20.0, np.float32)], -1)
        return np.where(inside[..., None], swirl, 0).astype(np.float32)
    if kind == "stat_map":
        return (np.sin(radius / 6) * 5).astype(np.float32)
    return np.maximum(1000 - radius * 8, 0).astype(np.float32)


def _write(path, data, affine):
    import nibabel as nib

    nib.save(nib.Nifti1Image(data, affine), str(path))


def _inputs(folder):
    import numpy as np

    from brainview.datasets import load_mni152

    template = load_mni152(resolution=1)
    paths = {}
    for kind in KINDS:
        path = folder / f"{kind}.nii.gz"
        if kind in ("stat_map", "atlas", "vector_field"):
            _write(path, _image(kind, template.shape), template.affine)
        else:
            _write(path, np.asarray(template.dataobj, dtype=np.float32), template.affine)
        paths[kind] = path
    return paths


def run(repeat):
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for kind, path in [*_inputs(Path(folder)).items(), *((kind, "full") for kind in MESH_KINDS)]:
            # A fresh cache: a mesh read back from an earlier run is not what building costs.
            env = dict(os.environ, BRAINVIEW_CACHE_DIR=str(Path(folder) / f"cache-{kind}"))
            completed = subprocess.run([sys.executable, __file__, kind, str(path)], capture_output=True,
                                       text=True, check=False, env=env)
            if completed.returncode:
                print(completed.stderr[-2000:], file=sys.stderr)
                continue
            result = json.loads(completed.stdout.strip().splitlines()[-1])
            verdict = "within" if result["growth"] <= result["estimate"] else "OVER"
            rows.append(dict(
                name=f"memory {kind}", median_s=result["seconds"], target_s=None,
                estimate_bytes=result["estimate"], growth_bytes=result["growth"], budget_bytes=result["budget"],
                note=(f"estimate {result['estimate'] / MIB:.0f} MiB, peak RSS growth "
                      f"{result['growth'] / MIB:.0f} MiB ({verdict} the estimate), budget "
                      f"{result['budget'] / MIB:.0f} MiB"),
            ))
    return rows


if __name__ == "__main__":
    # This folder's html.py would shadow the standard library's html (matplotlib imports it).
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
    print(json.dumps(measure(sys.argv[1], sys.argv[2])))
