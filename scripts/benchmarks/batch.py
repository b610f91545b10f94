"""Batch rendering: 16 subjects' 2 mm stat maps, serial vs joblib processes vs a dask LocalCluster.

- ``batch_plain_loop``: the naive way, ``bv.figure(); qc(path); bv.savefig(); bv.close()``
  in a loop, drawing translucency as render_many does by default (blended);
  ``batch_serial`` is :func:`brainview.render_many` with ``n_jobs=1, isolate=False``
  (in this process; the default isolates items in a worker process): their
  ratio is render_many's per-image overhead (target under 10 %).
- ``batch_serial_peeled``: ``translucency="peeled"``, savefig's very pixels
  (depth peeling), beside the plain loop of savefig that draws them.
- ``batch_joblib_2``: ``n_jobs=2`` (loky processes, warm: the first, cold run,
  which starts the workers, is reported in the note); target 1.6x faster than serial.
- ``batch_joblib_2_lp_all``: the same with every worker's software OpenGL
  (llvmpipe) left free to start one thread per core (``LP_NUM_THREADS`` = cores),
  to show why render_many gives each worker cores / n_jobs threads.
- ``batch_dask_2``: a dask ``LocalCluster(n_workers=2, threads_per_worker=1)``;
  ``batch_dask_2_untrimmed``: the same with the workers' ``MALLOC_TRIM_THRESHOLD_``
  unset (dask sets it to 65536, and each picture's buffers then cost page faults).

The speed-up of ``n_jobs=2`` is bounded by the serial run's own use of the
cores: llvmpipe rasterises on every core, so serial is not single-core; the
joblib row's note gives the bound (serial wall time over half its CPU time).

Each row's note gives images per second. The glass brain comes from the
cache (computed once before timing), as it would for a user.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

N_SUBJECTS = 16
SIZE = (600, 400)


def qc(path):
    import brainview as bv

    bv.stat_map(path, threshold=3.1)
    bv.view("left")


def _subjects(folder):
    """16 '2 mm subjects': the motor map on the 2 mm MNI grid, shifted and noised per subject."""
    from brainview.simulate import make_subject_zmaps

    return make_subject_zmaps(folder, n_subjects=N_SUBJECTS, resolution=2, max_shift=2.0)


def _plain_loop(paths, out, translucency="blended"):
    import brainview as bv
    from brainview.scene import drawing_translucency

    for path in paths:
        fig = bv.figure(size=SIZE)
        qc(path)
        with drawing_translucency(fig, translucency):
            bv.savefig(out / f"{path.parent.name}.png")
        bv.close()


def _timed(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def _interleaved(functions, repeat):
    """Each function's times, timing them in turn ``repeat`` times."""
    times = [[] for _ in functions]
    for _ in range(repeat):
        for function, spent in zip(functions, times):
            spent.extend(_timed(function, 1))
    return times


def _fresh_workers():
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)


def run(repeat: int = 5) -> list[dict]:
    import brainview as bv

    repeat = max(1, min(repeat, 5))  # each repeat renders 16 images
    folder = Path(tempfile.mkdtemp())
    paths = _subjects(folder / "in")
    out = folder / "out"
    out.mkdir()
    _plain_loop(paths[:1], out)  # imports and the glass brain cache, once

    def render(**options):
        return lambda: bv.render_many(qc, paths, out / "{parent}.png", size=SIZE, overwrite=True,
                                      progress=False, **options)

    _fresh_workers()
    cold = _timed(render(n_jobs=2), 1)[0]
    # Round after round, so that the machine's slow and fast spells touch each way alike.
    loop, serial, joblib2 = _interleaved([lambda: _plain_loop(paths, out), render(n_jobs=1, isolate=False),
                                          render(n_jobs=2)], repeat)
    cpu = time.process_time()  # every thread of this process: llvmpipe's too
    serial_wall = _timed(render(n_jobs=1, isolate=False), 1)[0]
    serial_cpu = time.process_time() - cpu
    loop_peeled, serial_peeled = _interleaved([lambda: _plain_loop(paths, out, "peeled"),
                                               render(n_jobs=1, isolate=False, translucency="peeled")], repeat)
    _fresh_workers()
    os.environ["LP_NUM_THREADS"] = str(os.cpu_count() or 1)
    try:
        _timed(render(n_jobs=2), 1)
        lp_all = _timed(render(n_jobs=2), repeat)
    finally:
        del os.environ["LP_NUM_THREADS"]
        _fresh_workers()
    dask_row = _dask_row(render, repeat)
    dask_untrimmed = _dask_row(render, repeat, trim_memory=False)

    def rate(seconds):
        return f"{N_SUBJECTS / seconds:.2f} images/s"

    s, j = statistics.median(serial), statistics.median(joblib2)
    rows = [
        {"name": "batch_plain_loop", "median_s": statistics.median(loop), "target_s": None,
         "naive": None, "naive_median_s": None,
         "note": f"{rate(statistics.median(loop))}; {N_SUBJECTS} 2 mm stat maps, {SIZE[0]}x{SIZE[1]} PNGs"},
        {"name": "batch_serial", "median_s": s, "target_s": 1.10 * statistics.median(loop),
         "naive": "plain loop of savefig", "naive_median_s": statistics.median(loop),
         "note": f"{rate(s)}; overhead over the plain loop "
                 f"{100 * (s / statistics.median(loop) - 1):+.1f} % (target < 10 %)"},
        {"name": "batch_serial_peeled", "median_s": statistics.median(serial_peeled), "target_s": None,
         "naive": "plain loop of savefig (peeled)", "naive_median_s": statistics.median(loop_peeled),
         "note": f"{rate(statistics.median(serial_peeled))}; translucency='peeled': savefig's pixels; "
                 f"blended is {statistics.median(serial_peeled) / s:.1f}x faster"},
        {"name": "batch_joblib_2", "median_s": j, "target_s": s / 1.6,
         "naive": "render_many n_jobs=1", "naive_median_s": s,
         "note": f"{rate(j)} warm; cold (starting the workers) {cold:.2f} s; "
                 f"{os.cpu_count()} cores, LP_NUM_THREADS={max(1, (os.cpu_count() or 1) // 2)} per worker; "
                 f"serial already keeps {serial_cpu / serial_wall:.2f} cores busy (CPU {serial_cpu:.2f} s "
                 f"in {serial_wall:.2f} s), so 2 workers can be about "
                 f"{serial_wall / (serial_cpu / 2):.2f}x faster at most"},
        {"name": "batch_joblib_2_lp_all", "median_s": statistics.median(lp_all), "target_s": None,
         "naive": "render_many n_jobs=1", "naive_median_s": s,
         "note": f"{rate(statistics.median(lp_all))}; LP_NUM_THREADS={os.cpu_count()} in each worker"},
    ]
    if dask_row:
        seconds, startup = dask_row
        rows.append({"name": "batch_dask_2", "median_s": seconds, "target_s": None,
                     "naive": "render_many n_jobs=1", "naive_median_s": s,
                     "note": f"{rate(seconds)} warm; LocalCluster(2 processes) start {startup:.2f} s; "
                             "dask's default MALLOC_TRIM_THRESHOLD_=65536"})
    if dask_untrimmed:
        seconds, _ = dask_untrimmed
        rows.append({"name": "batch_dask_2_untrimmed", "median_s": seconds, "target_s": None,
                     "naive": "dask's default workers", "naive_median_s": dask_row[0],
                     "note": f"{rate(seconds)} warm; workers without MALLOC_TRIM_THRESHOLD_ "
                             "(docs/batch.md)"})
    return rows


def _dask_row(render, repeat, *, trim_memory=True):
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        return None
    # dask's nannies start workers with MALLOC_TRIM_THRESHOLD_=65536 (hand memory back to the
    # system after every large free); None unsets it, as docs/batch.md advises for render workers.
    # A nanny also writes it into this process's environment, which later workers inherit.
    key = "MALLOC_TRIM_THRESHOLD_"
    environ = {} if trim_memory else {f"distributed.nanny.pre-spawn-environ.{key}": None}
    saved = os.environ.pop(key, None) if not trim_memory else None
    start = time.perf_counter()
    try:
        with dask.config.set(environ), \
                LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                             dashboard_address=None) as cluster, Client(cluster):
            startup = time.perf_counter() - start
            _timed(render(backend="dask"), 1)  # imports in the workers
            return statistics.median(_timed(render(backend="dask"), repeat)), startup
    finally:
        if saved is not None:
            os.environ[key] = saved


if __name__ == "__main__":
    import logging

    logging.getLogger("distributed").setLevel(logging.WARNING)
    for row in run(3):
        print(f"{row['name']}: {row['median_s']:.2f} s - {row['note']}")
