"""Names the app's modules share, below the window and the entry points (Qt-free).

:mod:`brainview.gui.app` opens the window, so nothing the window imports may
import :mod:`brainview.gui.app`: what they share lives here.

Examples
--------
>>> from brainview.gui.common import VIEWS
>>> VIEWS[:2]
('left', 'right')
"""

#: The named views, in the order of the View menu and the movie dialog.
VIEWS = ("left", "right", "anterior", "posterior", "superior", "inferior")
