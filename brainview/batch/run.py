""":func:`render_many`: one fresh off-screen figure per item, here, in worker processes or on dask.

Nothing with an OpenGL context crosses a process boundary: only the
function, its item and the resulting file name (or image array) do, and the
parent process opens no render window when the work is done elsewhere.

Examples
--------
>>> import brainview as bv
>>> report = render_many(lambda r: bv.points([[0, 0, 0]], size=r), [4], None, size=(16, 12))
>>> report.images[0].shape
(12, 16, 3)
"""

from __future__ import annotations

import dataclasses
import os
import string
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from .._isolated import run_isolated
from ..errors import BrainviewTypeError, BrainviewValueError, describe
from .report import BatchReport, ItemResult

__all__ = ["item_names", "render_many"]

_FIELDS = ("stem", "name", "parent", "index")


_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


_DATA_SUFFIXES = (".nii.gz", ".nii", ".mgz", ".mgh", ".gii.gz", ".gii", ".npy", ".bvscene")


_BACKENDS = ("loky", "dask")


def render_many(fn, items, out, *, size=(800, 600), bgcolor="black", antialias=True,
                translucency="blended", n_jobs=1, backend="loky", overwrite=False, progress=None,
                callback=None, timeout=None, isolate=None):
    """Call ``fn(item)`` in a fresh figure for each item and save each picture.

    Items cannot end the batch: an item that raises, calls ``sys.exit``, kills
    its worker process (``os.abort``, a segfault, the out-of-memory killer)
    or runs past ``timeout`` becomes that item's recorded failure, and the
    other items are still rendered. Items run in worker processes of
    brainview's own (:mod:`brainview._isolated`: a fresh interpreter per
    worker, reused from item to item, started once per batch: about 1-2 s
    once), so that a dying or overrunning item is caught too.
    ``isolate=False`` (with ``n_jobs=1`` and no ``timeout``) runs the items
    in this process instead: no start-up cost and a debugger works, but
    only exceptions and ``sys.exit`` are caught there; an ``os.abort`` ends
    the caller, as any Python call would.

    Parameters
    ----------
    fn : callable
        Builds the current figure from one item (``bv.stat_map(item); bv.view("left")``).
        Runs in worker processes when ``n_jobs != 1`` or ``backend="dask"``:
        it must be picklable by cloudpickle (a module-level function, or one
        defined in a script or notebook).
    items : iterable
        One entry per picture: file names, images, arrays... anything picklable.
    out : str, pathlib.Path or None
        Output file name template with the fields ``{stem}`` (file name
        without its data extension: ``zmap`` for ``sub-01/zmap.nii.gz``),
        ``{name}`` (``zmap.nii.gz``), ``{parent}`` (``sub-01``) and
        ``{index}`` (position, format specs allowed: ``{index:03d}``); for
        in-memory items stem and name are ``item<index>`` and parent is
        empty. Ends in .png or .jpg; folders are created. ``None`` returns
        the pictures as arrays in the report instead.
    size : (int, int)
        Width and height of each picture in pixels.
    bgcolor : colour
    antialias : bool
        Figure options, as for :func:`brainview.figure`.
    translucency : {"blended", "peeled"}
        How translucent surfaces (a glass brain, see-through maps) are drawn.
        ``"blended"`` (default): one pass of order-independent blending,
        about three times faster than depth peeling in software OpenGL; it
        differs from :func:`brainview.savefig`'s pictures only where
        translucent sheets overlap (on a stat map in its glass brain, 0.13
        grey levels on average). ``"peeled"``: depth peeling, the very
        pictures ``savefig`` draws.
    n_jobs : int
        Worker processes for the ``"loky"`` backend (``-1``: one per core;
        ``1``: in this process, no pool).
    backend : {"loky", "dask"}
        ``"loky"``: worker processes on this machine (brainview's own, so
        that a dying item loses nothing else; the name is joblib's, kept for
        existing scripts). ``"dask"``: the
        workers of the current ``dask.distributed`` Client (a LocalCluster,
        any scheduler address, dask-jobqueue's SLURMCluster); ``n_jobs`` is
        then ignored.
    overwrite : bool
        Re-render items whose output file exists (default: keep them).
    progress : bool or None
        A tqdm progress bar over completed images; ``None``: when the
        standard error is a terminal and tqdm is installed.
    callback : callable, optional
        ``callback(done, total)`` after each completed item (rendered,
        kept or failed), in this process.
    timeout : float, optional
        Seconds one item may take (from when its worker takes it); an item
        still running then is stopped (its worker process killed) and
        recorded as failed. Implies ``isolate``. With ``backend="dask"``
        each item runs in a process of its own on its dask worker.
    isolate : bool, optional
        Run items in worker processes (default: True). False runs them in
        this process (``n_jobs=1`` and no ``timeout`` only; otherwise refused).

    Returns
    -------
    BatchReport
        One :class:`ItemResult` per item; failures carry their error and
        traceback, every other item was still rendered.

    Raises
    ------
    BrainviewTypeError, BrainviewValueError
        Bad arguments (checked before anything runs): a non-callable ``fn``,
        an unknown template field, two items with one output name, an
        unknown backend or translucency, ``backend="dask"`` without a
        running Client, a bad ``timeout``, a size over
        :data:`brainview.limits.MAX_IMAGE_SIDE`.

    Examples
    --------
    >>> import brainview as bv
    >>> report = bv.render_many(lambda r: bv.points([[0, 0, 0]], size=r), [4, 8], None,
    ...                         size=(32, 24))
    >>> [image.shape for image in report.images]
    [(24, 32, 3), (24, 32, 3)]
    """
    from .. import cache
    from ..limits import check_image_size
    from ..scene import TRANSLUCENCY_MODES, check_size

    if not callable(fn):
        raise BrainviewTypeError(f"fn: expected a function that builds the current figure, got {describe(fn)}.")
    if callback is not None and not callable(callback):
        raise BrainviewTypeError(f"callback: expected callable(done, total) or None, got {describe(callback)}.")
    if backend not in _BACKENDS:
        raise BrainviewValueError(f"backend: must be one of {', '.join(_BACKENDS)}, got {backend!r}.")
    if translucency not in TRANSLUCENCY_MODES:
        raise BrainviewValueError(
            f"translucency: must be one of {', '.join(TRANSLUCENCY_MODES)}, got {translucency!r}."
        )
    n_jobs = _check_n_jobs(n_jobs)
    timeout, isolate = _check_isolation(timeout, isolate, n_jobs)
    items = list(items)
    paths = _output_paths(out, items)
    options = dict(size=check_image_size(check_size(size)), bgcolor=bgcolor, antialias=bool(antialias))
    parallel = backend == "dask" or n_jobs != 1
    gl_threads = _gl_threads(n_jobs) if backend == "loky" and parallel else None
    if backend == "dask":
        gl_threads = _DASK_WORKER_THREADS
    tasks, done = [], []
    for index, (item, path) in enumerate(zip(items, paths)):
        label = item_names(item, index)["name"]
        if path is not None and path.exists() and not overwrite:
            done.append(ItemResult(index, label, path, "kept"))
        else:
            tasks.append(_Task(fn, index, label, item, path, options, translucency, cache.get_setting(),
                               gl_threads))
    if backend == "dask":
        runner = _run_dask(tasks, timeout)
    elif isolate:
        runner = run_isolated(tasks, _run_task, n_jobs=n_jobs, timeout=timeout, failed=_failure)
    else:
        runner = (_run_task(task) for task in tasks)
    results = list(done)
    with _progress_bar(len(items), progress) as bar:
        for count, result in enumerate(done, 1):
            _advance(bar, callback, count, len(items))
        for result in runner:
            results.append(result)
            _advance(bar, callback, len(results), len(items))
    return BatchReport(results)


def _check_n_jobs(n_jobs):
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise BrainviewValueError(
            f"n_jobs: expected a positive number of processes or -1 (one per core), got {n_jobs!r}."
        )
    return (os.cpu_count() or 1) if n_jobs == -1 else n_jobs


def _check_isolation(timeout, isolate, n_jobs):
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < float("inf"):
            raise BrainviewValueError(f"timeout: expected a positive number of seconds or None, got {timeout!r}.")
    if isolate is None:
        isolate = True  # an item must not be able to end the caller (os.abort, a segfault)
    if not isinstance(isolate, bool):
        raise BrainviewTypeError(f"isolate: expected True, False or None, got {describe(isolate)}.")
    if not isolate and (n_jobs != 1 or timeout is not None):
        raise BrainviewValueError(
            f"isolate: False needs n_jobs=1 and no timeout (got n_jobs={n_jobs}, timeout={timeout!r}); "
            "items run in worker processes when there are several or when they may be stopped."
        )
    return timeout, isolate


def _gl_threads(n_jobs):
    # llvmpipe (software OpenGL) starts one rendering thread per core in each
    # process; with one process per core they only fight for the same cores.
    return max(1, (os.cpu_count() or 1) // n_jobs)


#: For dask, the rendering threads are decided in the worker: as many as it has task
#: threads, the cores dask gave it (a node's 16 one-thread workers: 1 each, not 16 x cores).
_DASK_WORKER_THREADS = "dask worker threads"


def _worker_gl_threads(gl_threads):
    if gl_threads != _DASK_WORKER_THREADS:
        return gl_threads
    from distributed import get_worker

    try:
        return max(1, int(get_worker().state.nthreads))
    except (ValueError, AttributeError, TypeError):  # not in a worker, or another dask version
        return None


def item_names(item, index):
    """The output template's fields for one item: ``stem``, ``name``, ``parent``, ``index``.

    Examples
    --------
    >>> item_names("sub-01/zmap.nii.gz", 3)
    {'stem': 'zmap', 'name': 'zmap.nii.gz', 'parent': 'sub-01', 'index': 3}
    >>> item_names([1, 2], 0)["stem"]
    'item0'
    """
    source = item
    if not isinstance(item, (str, os.PathLike)) and hasattr(item, "get_filename"):
        source = item.get_filename()  # a nibabel image loaded from a file
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = path.name
        stem = next((name[: -len(s)] for s in _DATA_SUFFIXES if name.lower().endswith(s)),
                    path.stem)
        return {"stem": stem, "name": name, "parent": path.parent.name, "index": index}
    return {"stem": f"item{index}", "name": f"item{index}", "parent": "", "index": index}


def _output_paths(out, items):
    if out is None:
        return [None] * len(items)
    if not isinstance(out, (str, os.PathLike)):
        raise BrainviewTypeError(
            f"out: expected a file name template such as 'qc/{{stem}}.png', or None, got {describe(out)}."
        )
    template = os.path.expanduser(os.fspath(out))
    unknown = [field for _, field, _, _ in string.Formatter().parse(template)
               if field is not None and field not in _FIELDS]
    if unknown:
        raise BrainviewValueError(
            f"out: unknown field {{{unknown[0]}}} in {template!r}; use {{stem}}, {{name}}, {{parent}} or {{index}}."
        )
    if not template.lower().endswith(_IMAGE_SUFFIXES):
        raise BrainviewValueError(f"out: the template must end in .png or .jpg, got {template!r}.")
    paths = [Path(template.format(**item_names(item, index))) for index, item in enumerate(items)]
    seen = {}
    for index, path in enumerate(paths):
        if path in seen:
            raise BrainviewValueError(
                f"out: items {seen[path]} and {index} would both be written to '{path}'; "
                "add {parent} or {index} to the template, e.g. 'qc/{parent}_{stem}.png'."
            )
        seen[path] = index
    return paths


class _progress_bar:
    """tqdm when asked for (or in a terminal), else nothing."""

    def __init__(self, total, progress):
        self.bar = None
        if progress is None:
            progress = sys.stderr is not None and sys.stderr.isatty() and _has_tqdm()
        if progress:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, unit="image")

    def __enter__(self):
        return self.bar

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()


def _has_tqdm():
    import importlib.util

    return importlib.util.find_spec("tqdm") is not None


def _advance(bar, callback, done, total):
    if bar is not None:
        bar.update(1)
    if callback is not None:
        callback(done, total)


@dataclasses.dataclass(frozen=True)
class _Task:
    """Everything one worker needs: picklable, with no VTK object."""

    fn: Any
    index: int
    label: str
    item: Any
    path: Path | None
    options: dict
    translucency: str
    cache: Any
    gl_threads: int | str | None


def _run_task(task):
    """Render one item in a fresh figure; never raises for an error of the item."""
    from .. import cache, pylab
    from ..scene import drawing_translucency

    gl_threads = _worker_gl_threads(task.gl_threads)
    if gl_threads is not None:
        # Read by Mesa when this process creates its first OpenGL context.
        os.environ.setdefault("LP_NUM_THREADS", str(gl_threads))
    if cache.get_setting() is not task.cache and cache.get_setting() != task.cache:
        cache.set_cache(task.cache)
    start = time.perf_counter()
    with pylab.restoring_figures():  # closes what the item opened
        try:
            pylab.figure(**task.options)
            task.fn(task.item)
            with drawing_translucency(pylab.gcf(), task.translucency):
                if task.path is None:
                    image, path = pylab.screenshot(), None
                else:
                    image, path = None, _save_current(task.path)
            status, error, trace = "rendered", None, None
        except (Exception, SystemExit) as exc:  # one bad item must not stop the batch
            image, path, status = None, task.path, "failed"
            error, trace = f"{type(exc).__name__}: {exc}", traceback.format_exc()
    return ItemResult(task.index, task.label, path, status, error, trace,
                      time.perf_counter() - start, image)


def _save_current(path):
    from .. import pylab

    path.parent.mkdir(parents=True, exist_ok=True)
    # Written under another name, then renamed: an interrupted batch never
    # leaves a half-written image that a later run would keep.
    partial = path.with_name(f".{path.stem}.{os.getpid()}.partial{path.suffix}")
    try:
        pylab.savefig(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _failure(task, message):
    """The result of an item whose worker died, overran or could not take it."""
    return ItemResult(task.index, task.label, task.path, "failed", f"WorkerError: {message}", None)


def _run_alone(task, timeout):
    """On a dask worker: one item in a process of its own, stopped after ``timeout`` seconds."""
    return next(run_isolated([task], _run_task, n_jobs=1, timeout=timeout, failed=_failure))


def _run_dask(tasks, timeout):
    client = _dask_client()
    from distributed import as_completed

    if timeout is None:
        futures = {client.submit(_run_task, task, pure=False): task for task in tasks}
    else:
        futures = {client.submit(_run_alone, task, timeout, pure=False): task for task in tasks}
    for future in as_completed(futures):
        task = futures[future]
        try:
            yield future.result()
        except Exception as exc:  # the worker died (out of memory, a crash)
            yield ItemResult(task.index, task.label, task.path, "failed",
                             f"{type(exc).__name__}: {exc}", traceback.format_exc())
        future.release()


def _dask_client():
    try:
        from distributed import get_client
    except ImportError:
        raise BrainviewValueError(
            "backend: 'dask' needs dask.distributed; install it with "
            "`pip install 'brainview[batch]'` (or `pip install dask[distributed]`)."
        ) from None
    try:
        return get_client()
    except ValueError:
        raise BrainviewValueError(
            "backend: 'dask' renders on the current dask.distributed Client, and none is running; "
            "start one first: `with Client('tcp://scheduler:8786'):`, `Client(LocalCluster())` "
            "or dask-jobqueue's `Client(SLURMCluster(...))`."
        ) from None
