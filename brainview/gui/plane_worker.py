"""The 2-D views' pictures, sampled and composited off the GUI thread.

A cursor move or a layer change asks for a view's picture
(:class:`PlaneRequest`): the GUI thread takes each layer's snapshot
(:func:`~brainview.planes.plane_sampler`, cheap), and a worker thread samples
the planes that changed and composites them
(:func:`~brainview.planes.compose`). Numpy releases the GIL while it samples
and blends, so the event loop keeps answering while a 1 mm image is sliced
(issue 24: files "slice ... in workers").

A newer request for a view replaces an older one that has not started; the
view shows each result newer than the one it shows, so a dragged cursor keeps
drawing while requests come faster than pictures.

Examples
--------
>>> from brainview.gui.plane_worker import PlaneWorker  # doctest: +SKIP
>>> worker = PlaneWorker()  # doctest: +SKIP
>>> worker.finished.connect(lambda result: print(result.name))  # doctest: +SKIP
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass, field

from PyQt5 import QtCore

from ..planes import compose

__all__ = ["PlaneRequest", "PlaneResult", "PlaneWorker"]


@dataclass
class PlaneRequest:
    """One view's picture to draw.

    Attributes
    ----------
    name : str
        The view (``"axial"``, ...).
    token : int
        Increases with each request of that view: results are ordered by it.
    grid : brainview.planes.PlaneGrid
    layers : list
        ``[(layer, version, opacity, sampler), ...]`` bottom first; ``sampler``
        is the layer's :func:`~brainview.planes.plane_sampler` snapshot.
    kept : dict
        ``{layer: (grid, version, rgba)}``: planes sampled before, reused when
        their grid and version match.
    """

    name: str
    token: int
    grid: object
    layers: list
    kept: dict = field(default_factory=dict)


@dataclass
class PlaneResult:
    """A view's picture and the layers' planes it was composited from."""

    name: str
    token: int
    image: object
    planes: dict


def draw_request(request):
    """Sample the planes a request lacks and composite them (any thread).

    Parameters
    ----------
    request : PlaneRequest

    Returns
    -------
    PlaneResult
    """
    planes, shown = {}, []
    for layer, version, opacity, sampler in request.layers:
        entry = request.kept.get(layer)
        if entry is None or entry[0] != request.grid or entry[1] != version:
            entry = (request.grid, version, sampler(request.grid))
        planes[layer] = entry
        shown.append((entry[2], opacity))
    return PlaneResult(request.name, request.token, compose(request.grid, shown), planes)


class PlaneWorker(QtCore.QObject):
    """One thread that draws the 2-D views' requests, the latest per view.

    Signals
    -------
    finished(PlaneResult)
        On the GUI thread (a queued connection).
    failed(str, str)
        The view's name and why its picture could not be drawn.
    """

    finished = QtCore.pyqtSignal(object)
    failed = QtCore.pyqtSignal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._state = threading.Condition()
        self._queue = {}  # view name -> its latest request not started
        self._stopping = False
        self._thread = threading.Thread(target=self._run, daemon=True, name="brainview-planes")
        self._thread.start()

    def submit(self, request):
        """Draw ``request`` when the thread is free (replacing that view's request not started)."""
        with self._state:
            self._queue.pop(request.name, None)
            self._queue[request.name] = request  # re-inserted: the queue stays in order of asking
            self._state.notify()

    def stop(self):
        """End the thread after the request it draws (queued ones are dropped); no more signals."""
        with self._state:
            self._stopping = True
            self._queue.clear()
            self._state.notify()

    def _run(self):
        while True:
            with self._state:
                self._state.wait_for(lambda: self._stopping or self._queue)
                if self._stopping:
                    return
                request = self._queue.pop(next(iter(self._queue)))
            try:
                result = draw_request(request)
            except Exception as error:  # a broken layer must not end the thread: the view shows why
                traceback.print_exc()
                self._emit(self.failed, request.name, f"2-D views: {type(error).__name__}: {error}")
            else:
                self._emit(self.finished, result)

    def _emit(self, signal, *args):
        with self._state:
            if self._stopping:
                return
        try:
            signal.emit(*args)
        except RuntimeError:  # the window is gone (a late result at exit)
            pass
