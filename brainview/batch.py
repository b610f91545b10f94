"""Many subjects, many cores, many machines: :func:`render_many`, its report, a QC page.

:func:`render_many` calls a function that builds the current figure once per
item (a subject's map, a file name, anything picklable) and saves each
picture. Each call runs in a fresh off-screen figure, in this process
(``n_jobs=1``), in worker processes (``n_jobs=4``, :mod:`brainview._isolated`) or on the
workers of a dask.distributed cluster (``backend="dask"``). Nothing with an
OpenGL context crosses a process boundary: only the function, its item and
the resulting file name (or image array) do, and the parent process opens no
render window when the work is done elsewhere.

A failing item is recorded with its error and traceback, and the batch goes
on. :func:`write_index` turns the report into ``index.html``: a contact sheet
of every image with its file name, sortable, failures listed, that opens
offline. :func:`batch_main` is the ``brainview batch`` command's engine.

Examples
--------
>>> import tempfile, numpy as np
>>> import brainview as bv
>>> def draw(radius):
...     bv.points([[0, 0, 0]], size=radius, color="red")
>>> folder = tempfile.mkdtemp()
>>> report = bv.render_many(draw, [5, 10, 20], folder + "/dot_{index}.png", size=(64, 48))
>>> [result.path.name for result in report.rendered]
['dot_0.png', 'dot_1.png', 'dot_2.png']
>>> report = bv.render_many(draw, [5, None], None, size=(64, 48))
>>> report.failed[0].index, report.failed[0].error.split(":")[0]
(1, 'BrainviewValueError')
"""

from __future__ import annotations

import argparse
import dataclasses
import glob
import html
import os
import string
import sys
import time
import traceback
import urllib.parse
from pathlib import Path
from typing import Any

from ._isolated import run_isolated
from .errors import BrainviewError, BrainviewTypeError, BrainviewValueError, describe

__all__ = ["render_many", "BatchReport", "ItemResult", "write_index", "ReplaceLayerData",
           "batch_main"]

_FIELDS = ("stem", "name", "parent", "index")
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
_DATA_SUFFIXES = (".nii.gz", ".nii", ".mgz", ".mgh", ".gii.gz", ".gii", ".npy", ".bvscene")
_BACKENDS = ("loky", "dask")


# ------------------------------------------------------------------ results


@dataclasses.dataclass(frozen=True)
class ItemResult:
    """What became of one item of a batch.

    Attributes
    ----------
    index : int
        Position of the item in the input.
    label : str
        The item's file name, or ``item<index>`` for in-memory data.
    path : pathlib.Path or None
        The image file (``None`` when images are returned as arrays).
    status : {"rendered", "kept", "failed"}
        ``"kept"``: the file existed and ``overwrite`` was False.
    error : str or None
        ``"ExceptionType: message"`` of a failure.
    traceback : str or None
        The worker's formatted traceback of a failure.
    seconds : float
        Time spent on the item in its worker.
    image : ndarray or None
        The ``(height, width, 3)`` picture when no output file was asked for.
    """

    index: int
    label: str
    path: Path | None
    status: str
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0
    image: Any = dataclasses.field(default=None, repr=False, compare=False)


class BatchReport:
    """The results of :func:`render_many`, in the order of the items.

    Examples
    --------
    >>> report = BatchReport([ItemResult(0, "a.nii", Path("a.png"), "rendered"),
    ...                       ItemResult(1, "b.nii", None, "failed", error="ValueError: bad")])
    >>> report.ok, [r.label for r in report.failed]
    (False, ['b.nii'])
    >>> print(report.summary())
    1 rendered, 0 kept, 1 failed
      b.nii: ValueError: bad
    """

    def __init__(self, results):
        self.results = tuple(sorted(results, key=lambda result: result.index))

    def _with(self, status):
        return [result for result in self.results if result.status == status]

    @property
    def rendered(self):
        """Items whose image was made in this run."""
        return self._with("rendered")

    @property
    def kept(self):
        """Items whose image file already existed and was kept."""
        return self._with("kept")

    @property
    def failed(self):
        """Items that raised, each with its ``error`` and ``traceback``."""
        return self._with("failed")

    @property
    def ok(self):
        """True when no item failed."""
        return not self.failed

    @property
    def paths(self):
        """The image files of every item that has one, in item order."""
        return [result.path for result in self.results if result.status != "failed" and result.path]

    @property
    def images(self):
        """The pictures (``None`` for failures) when no output file was asked for."""
        return [result.image for result in self.results]

    def summary(self):
        """One line of counts, then one line per failure."""
        lines = [f"{len(self.rendered)} rendered, {len(self.kept)} kept, {len(self.failed)} failed"]
        lines += [f"  {result.label}: {result.error}" for result in self.failed]
        return "\n".join(lines)

    def write_index(self, path, *, title="brainview QC"):
        """Write the contact sheet; see :func:`write_index`."""
        return write_index(self, path, title=title)

    def __len__(self):
        return len(self.results)

    def __repr__(self):
        return f"<BatchReport: {self.summary().splitlines()[0]}>"


# ------------------------------------------------------------------ render_many


def render_many(fn, items, out, *, size=(800, 600), bgcolor="black", antialias=True,
                translucency="blended", n_jobs=1, backend="loky", overwrite=False, progress=None,
                callback=None, timeout=None, isolate=None):
    """Call ``fn(item)`` in a fresh figure for each item and save each picture.

    Items cannot end the batch: an item that raises, calls ``sys.exit``, kills
    its worker process (``os.abort``, a segfault, the out-of-memory killer)
    or runs past ``timeout`` becomes that item's recorded failure, and the
    other items are still rendered. The design, chosen for cost: with
    ``n_jobs=1`` and no ``timeout`` items run in this process (no start-up
    cost, images stay in memory, a debugger works), where only exceptions
    and ``sys.exit`` can be caught: an ``os.abort`` there ends the caller,
    as any Python call would. ``isolate=True``, a ``timeout`` or
    ``n_jobs != 1`` run each item in a worker process of brainview's own
    (:mod:`brainview._isolated`: a fresh interpreter per worker, reused from
    item to item, started once per batch), where a dying or overrunning item
    is caught too.

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
        Run items in worker processes even with ``n_jobs=1`` (default: when
        ``n_jobs != 1`` or a ``timeout`` is given). False with ``n_jobs != 1``
        or a ``timeout`` is refused.

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
    from . import cache
    from .limits import check_image_size
    from .scene import TRANSLUCENCY_MODES, check_size

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
        label = _names(item, index)["name"]
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
        isolate = n_jobs != 1 or timeout is not None
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


def _names(item, index):
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
    paths = [Path(template.format(**_names(item, index))) for index, item in enumerate(items)]
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


# ------------------------------------------------------------------ workers


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
    from . import cache, pylab
    from .scene import drawing_translucency

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
    from . import pylab

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


# ------------------------------------------------------------------ the contact sheet


def write_index(report, path, *, title="brainview QC"):
    """Write a self-contained HTML contact sheet of a batch's images.

    A grid of every image with its item's file name, a control to sort by
    input order, by name or failures first, and the list of failures with
    their messages. Images are linked by relative path (keep the page next
    to them); the page has no external resource and opens offline.

    Parameters
    ----------
    report : BatchReport
    path : str or pathlib.Path
        The ``.html`` file to write (folders created).
    title : str

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> report = BatchReport([ItemResult(0, "a.nii", Path("a.png"), "rendered")])
    >>> page = write_index(report, Path(tempfile.mkdtemp()) / "index.html")
    >>> 'src="../a.png"' in page.read_text() or 'a.png' in page.read_text()
    True
    """
    if not isinstance(report, BatchReport):
        raise BrainviewTypeError(f"report: expected the BatchReport of render_many, got {describe(report)}.")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cards = "\n".join(_card(result, path.parent) for result in report.results)
    failures = "\n".join(
        f"<li><b>{_html_text(r.label)}</b>: {_html_text(r.error or '')}</li>" for r in report.failed
    )
    failures_block = (f'<section id="failures"><h2>{len(report.failed)} failed</h2><ul>{failures}</ul></section>'
                      if report.failed else "")
    page = _PAGE.format(title=_html_text(title), summary=_html_text(report.summary().splitlines()[0]),
                        failures=failures_block, cards=cards)
    path.write_text(page, encoding="utf-8")
    return path


def _card(result, folder):
    label = _html_text(result.label)
    failed = int(result.status == "failed")
    if failed:
        body = f'<div class="error">{_html_text(result.error or "failed")}</div>'
    elif result.path is not None:
        link = _relative_link(result.path, folder)
        body = f'<a href="{link}"><img src="{link}" alt="{label}" loading="lazy"></a>'
    else:
        body = '<div class="error">no image file (rendered to an array)</div>'
    return (f'<figure data-index="{result.index}" data-name="{label}" data-failed="{failed}">'
            f"{body}<figcaption>{label}</figcaption></figure>")


def _relative_link(path, folder):
    """A link that can only be a relative file path: each part percent-encoded (``:`` too).

    A name such as ``javascript:alert(1)//.png`` becomes
    ``javascript%3Aalert%281%29//.png``: no scheme, no markup, a file beside the page.
    """
    relative = Path(os.path.relpath(Path(path).absolute(), Path(folder).absolute())).as_posix()
    return "/".join(urllib.parse.quote(part, safe="") for part in relative.split("/"))


def printable(text):
    r"""``text`` with control characters (escape sequences, newlines, NUL) shown as ``\x1b``-style codes.

    Names come from files anyone can name: printed raw, an escape sequence
    drives the terminal, a newline forges a line.

    Examples
    --------
    >>> print(printable("sub\x1b[31m-01\n"))
    sub\x1b[31m-01\n
    """
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in str(text))


def _html_text(text):
    return html.escape(printable(text), quote=True)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 1em; background: #222; color: #eee; }}
#grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 10px; }}
figure {{ margin: 0; background: #333; padding: 4px; border: 2px solid transparent; }}
figure[data-failed="1"] {{ border-color: #e44; }}
img {{ width: 100%; display: block; }}
figcaption {{ font-size: 0.85em; word-break: break-all; padding-top: 3px; }}
.error {{ color: #f88; font-size: 0.85em; min-height: 4em; white-space: pre-wrap; }}
#failures {{ color: #f88; }}
</style></head>
<body>
<h1>{title}</h1>
<p>{summary} &middot; sort by
<select id="sort"><option value="index">input order</option><option value="name">name</option>
<option value="failed">failures first</option></select></p>
{failures}
<div id="grid">
{cards}
</div>
<script>
document.getElementById("sort").addEventListener("change", function () {{
  var key = this.value, grid = document.getElementById("grid");
  var cards = Array.prototype.slice.call(grid.children);
  cards.sort(function (a, b) {{
    if (key === "name") return a.dataset.name.localeCompare(b.dataset.name);
    if (key === "failed" && a.dataset.failed !== b.dataset.failed) return b.dataset.failed - a.dataset.failed;
    return a.dataset.index - b.dataset.index;
  }});
  cards.forEach(function (card) {{ grid.appendChild(card); }});
}});
</script>
</body></html>
"""


# ------------------------------------------------------------------ templates and the command


class ReplaceLayerData:
    """A :func:`render_many` function: a template scene with one layer's data replaced by each item.

    ``build(replacements)`` must build the current figure from the template
    with ``replacements = {layer_name: data}`` in place of those layers'
    data, keeping the camera, thresholds and every other setting (the scene
    files of ``brainview.export`` provide it). Picklable when ``build`` is.

    Parameters
    ----------
    build : callable
        ``build(replacements)``.
    layer : str
        The name of the layer whose data each item replaces.

    Examples
    --------
    >>> import brainview as bv
    >>> def build(replacements):
    ...     bv.points(replacements["dots"], size=8)
    >>> report = bv.render_many(ReplaceLayerData(build, "dots"), [[[0, 0, 0]]], None, size=(16, 16))
    >>> report.ok
    True
    """

    def __init__(self, build, layer):
        if not callable(build):
            raise BrainviewTypeError(f"build: expected callable(replacements), got {describe(build)}.")
        if not isinstance(layer, str) or not layer:
            raise BrainviewTypeError(f"layer: expected a layer name, got {describe(layer)}.")
        self.build, self.layer = build, layer

    def __call__(self, item):
        self.build({self.layer: item})


class _SceneFileBuild:
    """A scene file as ``build(replacements)`` on pylab's current figure (picklable)."""

    def __init__(self, path, *, allow_outside=False):
        from .export.scene_file import SceneTemplate

        self.template = SceneTemplate(path, allow_outside=allow_outside)
        self.figure_options = self.template.figure_options

    def check_layer(self, name):
        self.template.check_layer(name)

    def __call__(self, replacements):
        from . import pylab

        self.template.build(pylab.gcf(), replacements)


def batch_main(argv=None, *, open_template=None):
    """``brainview batch``: re-render a template scene for each of many files.

    ``brainview batch template.bvscene --replace zmap='sub-*/zmap.nii.gz' --out qc/ --jobs 4``
    writes one PNG per file (the template with the layer ``zmap``'s data
    replaced) and ``qc/index.html``; ``--scheduler tcp://host:8786`` renders
    on a dask cluster instead. Failures are listed at the end.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments after ``batch`` (default: ``sys.argv[1:]``).
    open_template : callable, optional
        ``open_template(path) -> build``, where ``build(replacements)``
        builds the current figure (see :class:`ReplaceLayerData`); a
        ``build.figure_options`` dict (size, bgcolor, antialias) gives the
        figure settings. Default: a scene file, built by
        :class:`brainview.export.scene_file.SceneTemplate` into the current figure.

    Returns
    -------
    int
        0 when every image was made, 1 when some item failed, 2 for bad
        arguments or no matching file.
    """
    parser = argparse.ArgumentParser(prog="brainview batch", description=batch_main.__doc__.splitlines()[0])
    parser.add_argument("template", help="the scene file to re-render")
    parser.add_argument("--replace", required=True, metavar="LAYER=GLOB",
                        help="layer whose data is replaced, and the files (quoted glob)")
    parser.add_argument("--out", default="qc", help="output folder (default: qc)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (-1: one per core)")
    parser.add_argument("--scheduler", help="dask scheduler address, e.g. tcp://host:8786")
    parser.add_argument("--size", help="WIDTHxHEIGHT in pixels (default: the template's size)")
    parser.add_argument("--overwrite", action="store_true", help="re-render existing images")
    parser.add_argument("--translucency", choices=("blended", "peeled"), default="blended",
                        help="blended (default, faster) or peeled (the template's savefig pixels)")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="stop an item after this many seconds and record it as failed")
    parser.add_argument("--allow-outside", action="store_true",
                        help="let the template read data files outside its folder (a template you saved)")
    args = parser.parse_args(argv)
    try:
        layer, files = _parse_replace(args.replace)
        if open_template is None:
            build = _SceneFileBuild(args.template, allow_outside=args.allow_outside)
        else:
            build = open_template(args.template)
        getattr(build, "check_layer", lambda name: None)(layer)  # a typo fails now, not per file
        options = dict(getattr(build, "figure_options", {"size": (800, 600)}))
        if args.size:
            options["size"] = _parse_size(args.size)
        fn = ReplaceLayerData(build, layer)
        out = Path(args.out) / _unique_name_template(files)
        options.update(overwrite=args.overwrite, translucency=args.translucency, progress=None,
                       timeout=args.timeout)
        if args.scheduler:
            from distributed import Client

            with Client(args.scheduler):
                report = render_many(fn, files, out, backend="dask", **options)
        else:
            report = render_many(fn, files, out, n_jobs=args.jobs, **options)
    except BrainviewError as error:
        print(f"brainview batch: error: {printable(error)}", file=sys.stderr)
        return 2
    index = write_index(report, Path(args.out) / "index.html", title=f"brainview batch: {args.template}")
    print(printable(report.summary().splitlines()[0] + f"; contact sheet: {index}"))
    if report.failed:
        print(f"{len(report.failed)} failed:", file=sys.stderr)
        for result in report.failed:
            print(f"  {printable(result.label)} ({result.index}): {printable(result.error)}", file=sys.stderr)
        return 1
    return 0


def _parse_replace(text):
    layer, sep, pattern = text.partition("=")
    if not sep or not layer or not pattern:
        raise BrainviewValueError(f"--replace: expected LAYER=GLOB, e.g. zmap='sub-*/zmap.nii.gz', got {text!r}.")
    files = find_files(os.path.expanduser(pattern))
    if not files:
        raise BrainviewValueError(f"--replace: no file matches {pattern!r}.")
    return layer, files


#: Folders a ``**`` pattern may visit before it is refused as too broad.
MAX_GLOB_FOLDERS = 100_000


def find_files(pattern):
    """The files matching a glob pattern, sorted; ``**`` visits each real folder once.

    :func:`glob.glob` with ``recursive=True`` follows symbolic links into
    loops (``a -> .``) and never ends; here every folder under a ``**`` is
    visited once, by its device and inode, hidden folders skipped as glob does.

    Examples
    --------
    >>> import tempfile, os
    >>> root = tempfile.mkdtemp(); os.makedirs(f"{root}/s/t"); open(f"{root}/s/t/z.nii", "w").close()
    >>> os.symlink(".", f"{root}/s/loop")
    >>> [os.path.relpath(p, root) for p in find_files(f"{root}/**/z.nii")]
    ['s/t/z.nii']
    """
    parts = pattern.split(os.sep)
    if "**" not in parts:
        return sorted(p for p in glob.glob(pattern) if os.path.isfile(p))
    at = parts.index("**")
    head, rest = os.sep.join(parts[:at]), os.sep.join(parts[at + 1:]) or "*"
    bases = glob.glob(head) if glob.has_magic(head) else [head or os.curdir]
    found, seen = set(), set()
    for base in bases:
        for folder in _folders_once(base, seen):
            found.update(find_files(os.path.join(folder, rest)))
    if not head:  # as glob does: 'sub/z.nii', not './sub/z.nii'
        found = {path[len(os.curdir + os.sep):] if path.startswith(os.curdir + os.sep) else path
                 for path in found}
    return sorted(found)


def _folders_once(base, seen):
    """``base`` and the folders below it, each real folder (device, inode) once."""
    stack = [base]
    while stack:
        folder = stack.pop()
        try:
            info = os.stat(folder)
        except OSError:
            continue
        if (info.st_dev, info.st_ino) in seen or not os.path.isdir(folder):
            continue
        seen.add((info.st_dev, info.st_ino))
        if len(seen) > MAX_GLOB_FOLDERS:
            raise BrainviewValueError(f"--replace: the pattern reaches more than {MAX_GLOB_FOLDERS} folders; "
                                      "name a narrower folder before '**'.")
        yield folder
        try:
            names = sorted(entry.name for entry in os.scandir(folder) if not entry.name.startswith("."))
        except OSError:
            continue
        stack.extend(os.path.join(folder, name) for name in reversed(names))


def _parse_size(text):
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise BrainviewValueError(f"--size: expected WIDTHxHEIGHT such as 800x600, got {text!r}.") from None
    return width, height


def _unique_name_template(files):
    """``{stem}.png``, or with the folder or the index when stems repeat (``sub-*/zmap.nii.gz``)."""
    for template in ("{stem}.png", "{parent}_{stem}.png"):
        names = [template.format(**_names(f, i)) for i, f in enumerate(files)]
        if len(set(names)) == len(names):
            return template
    return "{index:04d}_{stem}.png"
