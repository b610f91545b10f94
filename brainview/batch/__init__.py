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

The modules: :mod:`brainview.batch.run` (:func:`render_many`, its workers and
backends), :mod:`brainview.batch.report` (:class:`BatchReport`, the contact
sheet) and :mod:`brainview.batch.command` (``brainview batch``).

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

# find_files, printable and MAX_GLOB_FOLDERS: importable from here, as before the split.
from .command import MAX_GLOB_FOLDERS, ReplaceLayerData, batch_main, find_files
from .report import BatchReport, ItemResult, printable, write_index
from .run import render_many

__all__ = ["render_many", "BatchReport", "ItemResult", "write_index", "ReplaceLayerData",
           "batch_main"]
