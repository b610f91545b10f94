"""Screenshots of the app: the whole window, the 3-D view, one 2-D view or the lightbox.

:func:`save_view` is what File -> Save screenshot does for each target of
:data:`TARGETS`: the whole window (``grab_all``: the 3-D view read from its
render window, painted over the Qt widgets), the 3-D view (``savefig`` at the
view's size), or the pixels of one 2-D view or of the lightbox's slices as
they are shown. A view that is not shown is refused with the layout to pick.

Examples
--------
>>> sorted(TARGETS)
['3d', 'axial', 'coronal', 'lightbox', 'sagittal', 'window']
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BrainviewValueError

#: target -> the words of its menu entry.
TARGETS = {"window": "the whole window", "3d": "the 3-D view", "axial": "the axial view",
           "coronal": "the coronal view", "sagittal": "the sagittal view", "lightbox": "the lightbox"}
_SUFFIXES = (".png", ".jpg", ".jpeg")


def _widget_of(window, target):
    if target == "lightbox":
        return window.lightbox.canvas, "lightbox"
    return window.ortho.views[target], "2d"


def save_view(window, path, *, target="window"):
    """Save one target of :data:`TARGETS` of a :class:`~brainview.gui.window.MainWindow` as PNG/JPEG.

    Raises
    ------
    BrainviewValueError
        ``target`` is unknown, ``path`` has another suffix, or the view is not shown.
    """
    if target not in TARGETS:
        raise BrainviewValueError(f"target: expected one of {', '.join(map(repr, TARGETS))}, got {target!r}.")
    path = Path(path)
    if path.suffix.lower() not in _SUFFIXES:
        raise BrainviewValueError(f"path: expected a .png, .jpg or .jpeg file, got {str(path)!r}; "
                                  "add one of those suffixes.")
    if target == "3d":
        if not window.view.isVisible():
            raise BrainviewValueError("target: the 3-D view is not shown; pick a layout with it (View menu).")
        window.figure.savefig(path, size=tuple(window.figure.window.GetSize()))
        return path
    if target == "window":
        image = window.grab_all()
    else:
        widget, layout = _widget_of(window, target)
        if not widget.isVisible():
            raise BrainviewValueError(f"target: {TARGETS[target]} is not shown; switch to the "
                                      f"{'Lightbox' if layout == 'lightbox' else '2-D'} layout first (View menu).")
        image = widget.grab().toImage()
    if not image.save(str(path)):
        raise BrainviewValueError(f"path: cannot write {str(path)!r}; check the folder exists and is writable.")
    return path
