"""Jupyter: the interactive view of a figure in a notebook, and its inline image.

A cell ending with a figure shows its PNG (the figure's ``_repr_png_`` and
``_repr_mimebundle_``, by :mod:`brainview.render.inline`);
:func:`interactive` (``fig.interactive()``) shows the HTML export in the page,
where it rotates and zooms with no server.

Examples
--------
>>> from brainview.scene import Figure
>>> fig = Figure(size=(80, 60))
>>> "<iframe srcdoc=" in interactive(fig).data
True
>>> sorted(figure_mimebundle(fig))
['image/png', 'text/plain']
>>> fig.close()
"""

from __future__ import annotations

from ..export.html import notebook_view
from ..render.inline import figure_mimebundle, figure_png

__all__ = ["figure_mimebundle", "figure_png", "interactive"]


def interactive(fig, *, height=None):
    """An interactive view of the figure for a notebook, with no server (an ``IPython.display.HTML``).

    The page :func:`brainview.export.html.export_html` writes, in an
    ``<iframe srcdoc=...>``; ``height`` in pixels defaults to the figure's.
    """
    return notebook_view(fig, height=height)
