"""A figure's inline image for Jupyter: a cell ending with a figure shows its PNG.

:class:`~brainview.scene.Figure` keeps thin ``_repr_png_`` and
``_repr_mimebundle_`` methods (Jupyter looks them up on the object) that call
the functions here. The PNG is rendered again only when the scene changed: a
layer, an annotation or the view (the figure's ``changed`` event), the camera
pose or the size. (The interactive view, which needs the HTML export, is
:func:`brainview.integrations.jupyter.interactive`.)

Examples
--------
>>> from brainview.scene import Figure
>>> fig = Figure(size=(40, 30))
>>> figure_png(fig)[:8]
b'\\x89PNG\\r\\n\\x1a\\n'
>>> sorted(figure_mimebundle(fig))
['image/png', 'text/plain']
>>> fig.close()
"""

from __future__ import annotations

import weakref

from .writers import encode_png

__all__ = ["figure_mimebundle", "figure_png"]

#: figure -> (key of the scene drawn, PNG bytes); a changed scene forgets its entry.
_PNG_CACHE = weakref.WeakKeyDictionary()


def _scene_key(fig):
    camera = fig.renderer.GetActiveCamera()
    return (fig.camera_is_set, camera.GetPosition(), camera.GetFocalPoint(),
            camera.GetViewUp(), camera.GetViewAngle(), fig.size)


def _forget(fig):
    """An observer of ``changed`` that forgets the figure's image (holding the figure weakly)."""
    ref = weakref.ref(fig)

    def forget(event):
        figure = ref()
        if figure is not None and figure in _PNG_CACHE:
            _PNG_CACHE[figure] = (None, None)
    return forget


def figure_png(fig):
    """The figure as PNG bytes, or None when it is closed (Jupyter then shows its text repr).

    Rendered again only when the scene changed since the last call.
    """
    if fig.closed:
        return None
    if fig not in _PNG_CACHE:
        _PNG_CACHE[fig] = (None, None)
        # Any layer, annotation or view change fires ``changed``: forget the image.
        fig.observe(_forget(fig), "changed")
    key, png = _PNG_CACHE[fig]
    if key != _scene_key(fig) or png is None:
        png = encode_png(fig.screenshot())
        _PNG_CACHE[fig] = (_scene_key(fig), png)  # after the render, which may have framed the camera
    return png


def figure_mimebundle(fig):
    """Jupyter's rich display of a figure: ``{"text/plain"[, "image/png"]}``."""
    bundle = {"text/plain": repr(fig)}
    png = figure_png(fig)
    if png is not None:
        bundle["image/png"] = png
    return bundle

