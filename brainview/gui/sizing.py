"""The size the main window opens at: every 2-D view at least :data:`MIN_VIEW_PX` on a 1600 x 1000 screen.

:func:`initial_size` is the window's size on a screen's available area (the
screen less its task bars); :func:`fit_to_screen` gives a
:class:`~brainview.gui.window.MainWindow` that size, the location panel a
width that leaves the three 2-D views their room, and the 2-D views a
:data:`ORTHO_SHARE` of the height under the 3-D view.

Examples
--------
>>> initial_size((1600, 1000))
(1584, 952)
>>> initial_size((3840, 2160))
(1800, 1120)
"""

from __future__ import annotations

#: The smallest side of a 2-D view on a 1600 x 1000 screen, in pixels.
MIN_VIEW_PX = 300
#: The largest window opened on a big screen (a window, not a full-screen app).
MAX_SIZE = (1800, 1120)
#: What the window leaves of the screen's available area: a few pixels aside, its title bar above.
MARGINS = (16, 48)
#: Share of the central height given to the 2-D views in the 3-D + 2-D layout.
ORTHO_SHARE = 0.42
#: The location panel's width beside the three 2-D views.
LOCATION_WIDTH = 270


def initial_size(available):
    """``(width, height)`` of the window on a screen whose available area is ``available = (w, h)`` px."""
    width, height = (int(v) for v in available)
    return (max(min(width - MARGINS[0], MAX_SIZE[0]), 640), max(min(height - MARGINS[1], MAX_SIZE[1]), 480))


def fit_to_screen(window, screen):
    """Size ``window`` for ``screen`` (a QScreen; None: keep its size) and share the height between the views."""
    window.ortho.location.setMaximumWidth(LOCATION_WIDTH)
    if screen is not None:
        area = screen.availableGeometry()
        window.resize(*initial_size((area.width(), area.height())))
    share = int(round(1000 * ORTHO_SHARE))
    window._splitter.setSizes([1000 - share, share])  # scaled to the splitter's height when laid out
