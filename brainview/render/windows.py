"""The render windows figures draw in: the off-screen window pool and Qt hosting.

A figure draws in one OpenGL window: its own off-screen one, taken from this
thread's pool (one spare window kept per thread, so that a loop of
``figure(); ...; savefig(); close()`` opens one OpenGL context, not one per
picture), or the desktop app's window that hosts it. :class:`FigureWindow`
holds which, for one figure; nothing here imports Qt.

An OpenGL context belongs to the thread that made it: a window drawn by
another thread is never touched here, but left ("orphaned") for its own
thread to finalise the next time that thread opens a window.

Examples
--------
>>> from brainview.scene import Figure
>>> before = windows_made()
>>> fig = Figure(size=(16, 16)); _ = fig.screenshot(); fig.close()
>>> windows_made() - before <= 1
True
>>> release_spare_window()
True
"""

from __future__ import annotations

import os
import threading
import weakref

from .. import _vtk
from ..errors import BrainviewValueError, describe
from ..limits import MAX_IMAGE_SIDE

__all__ = ["LIVE_WINDOWS", "MAX_PIXELS", "MAX_SIDE", "FigureWindow", "check_size", "release_spare_window",
           "windows_made"]

#: Largest width or height of an image, in pixels (:data:`brainview.limits.MAX_IMAGE_SIDE`).
MAX_SIDE = MAX_IMAGE_SIDE
#: Largest number of pixels of an image (a 16384 x 16384 window aborts the process in OpenGL).
MAX_PIXELS = 40_000_000
#: Every render window a figure opened and has not closed (for leak checks).
LIVE_WINDOWS = weakref.WeakSet()
#: This thread's closed figure's off-screen window, kept for the next figure: a new OpenGL
#: context costs its buffers and every shader compiled again (40-60 ms a picture in software
#: OpenGL, most of a batch image). Thread-local, because a context belongs to its thread.
_SPARE = threading.local()
#: Larger windows are not kept: their buffers would hold memory (8 megapixels: about 100 MB).
_SPARE_MAX_PIXELS = 8_000_000
_windows_made = 0
#: ``(owner thread, window, renderer)`` of figures closed from another thread than their window's.
_ORPHANED_WINDOWS = []


def check_size(size, name="size"):
    """``(width, height)`` as ints if OpenGL can draw an image that large, else a brainview error.

    Examples
    --------
    >>> check_size((640, 480.0))
    (640, 480)
    >>> check_size((16384, 16384))
    Traceback (most recent call last):
    ...
    brainview.errors.BrainviewValueError: size: width and height must be 1..8192 pixels and width x height at most 40,000,000 pixels (larger windows abort the process in OpenGL), got (16384, 16384); ask for a smaller size or scale.
    """
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError):
        raise BrainviewValueError(f"{name}: expected (width, height) in pixels, got {describe(size)}.") from None
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE and width * height <= MAX_PIXELS):
        raise BrainviewValueError(
            f"{name}: width and height must be 1..{MAX_SIDE} pixels and width x height at most "
            f"{MAX_PIXELS:,} pixels (larger windows abort the process in OpenGL), got {size!r}; "
            "ask for a smaller size or scale.")
    return width, height


def windows_made():
    """How many OpenGL windows figures have opened in this process (kept ones reused count once).

    Examples
    --------
    >>> from brainview.scene import Figure
    >>> before = windows_made()
    >>> fig = Figure(size=(16, 16)); _ = fig.screenshot(); fig.close()
    >>> windows_made() - before <= 1
    True
    """
    return _windows_made


@_vtk.serialised
def release_spare_window():
    """Close the off-screen window this thread keeps for its next figure, if any.

    Figures of one thread reuse a single off-screen window in turn, so a loop of
    ``figure(); ...; savefig(); close()`` opens one OpenGL context, not one
    per picture; call this to free it (its buffers and compiled shaders) when
    no figure is coming.

    Examples
    --------
    >>> from brainview.scene import Figure
    >>> fig = Figure(size=(16, 16)); _ = fig.screenshot(); fig.close()
    >>> release_spare_window()
    True
    >>> release_spare_window()
    False
    """
    window = _take_spare_window()
    if window is None:
        return False
    window.Finalize()
    return True


def _finalise_orphaned_windows():
    """Finalise the windows of this thread that figures closed from other threads left."""
    mine = [entry for entry in _ORPHANED_WINDOWS if entry[0] is threading.current_thread()]
    for entry in mine:
        _ORPHANED_WINDOWS.remove(entry)
        entry[1].Finalize()


def _take_spare_window():
    _finalise_orphaned_windows()
    spare = getattr(_SPARE, "window", None)
    _SPARE.window = None
    if spare is None or spare[1] != os.getpid():
        return None  # none, or one inherited through fork(): its context is the parent's
    return spare[0]


def _keep_spare_window(window):
    width, height = window.GetSize()
    if getattr(_SPARE, "window", None) is not None or width * height > _SPARE_MAX_PIXELS:
        window.Finalize()
    else:
        _SPARE.window = (window, os.getpid())


def _new_window():
    global _windows_made
    window = _vtk.vtkRenderWindow()
    window.SetOffScreenRendering(True)
    window.SetMultiSamples(0)
    window.SetAlphaBitPlanes(True)
    _windows_made += 1
    return window


class FigureWindow:
    """The window one figure's renderer draws in: its own off-screen one, or a host's.

    Examples
    --------
    >>> slot = FigureWindow()
    >>> renderer = _vtk.vtkRenderer()
    >>> window = slot.get(renderer, (32, 24))
    >>> tuple(window.GetSize()), slot.host is None
    ((32, 24), True)
    >>> slot.release(renderer)
    >>> release_spare_window()
    True
    """

    def __init__(self):
        #: The figure's own off-screen window (None until first drawn) and its thread.
        self.own = self.thread = None
        #: The window hosting the renderer (the desktop app's), or None.
        self.host = None
        #: The thread drawing the hosting window (the app's render thread: an object with
        #: ``owns_thread()``, ``call(function)`` and ``defer(function, key)``), or None.
        self.runner = None
        #: The size the host shows the figure at, when the runner resizes its window later.
        self.shown = None

    def get(self, renderer, size):
        """The window to draw ``renderer`` in: the host, or the own one (made on first use)."""
        if self.host is not None:
            return self.host
        if self.own is None:
            window = _take_spare_window() or _new_window()
            window.AddRenderer(renderer)
            window.SetSize(*size)
            self.own, self.thread = window, threading.current_thread()
            LIVE_WINDOWS.add(window)
        elif self.thread is not threading.current_thread():
            # An OpenGL context belongs to the thread that made it: drawing it from
            # another one aborts the process inside the driver.
            raise BrainviewValueError(
                "figure: it was drawn in another thread, and its OpenGL window belongs to that "
                "thread; draw it there, or build a figure in this thread (bv.load_scene of a "
                "saved scene, or layers made from each layer's get_params())."
            )
        return self.own

    def shown_size(self):
        """``(width, height)`` the host shows the figure at (read from any thread)."""
        return tuple(self.shown) if self.shown is not None else tuple(self.host.GetSize())

    def resize(self, size):
        """Give the own off-screen window (if any) a new size."""
        if self.own is not None:
            self.own.SetSize(*size)

    def host_in(self, window, renderer):
        """Draw ``renderer`` in ``window`` (the desktop app's); the own window goes back to the pool."""
        if self.host is not None:
            raise BrainviewValueError("figure: already shown in a window; close that window first.")
        self.release(renderer)
        window.AddRenderer(renderer)
        self.host = window
        LIVE_WINDOWS.add(window)

    def unhost(self, renderer):
        """Take ``renderer`` back from the hosting window (no-op when not hosted)."""
        if self.host is None:
            return
        # Textures and buffers belong to the host's OpenGL context: free them
        # there, so that the next window rebuilds them in its own context.
        self.host.MakeCurrent()
        renderer.ReleaseGraphicsResources(self.host)
        self.host.RemoveRenderer(renderer)
        LIVE_WINDOWS.discard(self.host)
        self.host = self.runner = self.shown = None

    def orphan_if_foreign(self, renderer):
        """Leave a window drawn by another thread, with its scene, for that thread to finalise.

        Its context cannot be made current here, and any OpenGL clean-up run here (removing
        a prop, a renderer, destroying the window) would run in this thread's context and
        delete this thread's own shaders and buffers: its figures drew black. The window's
        thread finalises it when it next opens a window; a finished thread's is kept.
        Returns True when the window (and ``renderer``) were left so.
        """
        if self.own is None or self.thread is threading.current_thread():
            return False
        LIVE_WINDOWS.discard(self.own)
        _ORPHANED_WINDOWS.append((self.thread, self.own, renderer))
        self.own = None
        return True

    def release(self, renderer):
        """Free ``renderer``'s resources in the own window and keep the window for the next figure."""
        if self.own is not None:
            self.own.MakeCurrent()
            renderer.ReleaseGraphicsResources(self.own)
            self.own.RemoveRenderer(renderer)
            LIVE_WINDOWS.discard(self.own)
            _keep_spare_window(self.own)
            self.own = None
