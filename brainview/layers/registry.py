"""The one registry of layer kinds: ``kind`` name -> layer class.

The pylab verbs, the package namespace, scene files, the script exporter,
the app's property panel and the common tests all read it; adding a kind
means adding its class here (and its module and tests), nothing else.

Examples
--------
>>> layer_class("contour").__name__
'Contour'
>>> sorted(LAYER_KINDS)[:3]
['atlas', 'connectome', 'contour']
"""

from __future__ import annotations

from ..errors import SceneFileError
from .atlas import Atlas
from .connectome import Connectome
from .contour import Contour
from .glass_brain import GlassBrain
from .points import Points
from .slices import Slices
from .stat_map import StatMap
from .surface import Surface
from .volume import Volume

#: kind -> class; each kind's pylab verb has the kind's name (``bv.stat_map``).
LAYER_KINDS = {cls.kind: cls for cls in (
    Contour, Volume, Slices, Surface, Points, StatMap, GlassBrain, Atlas, Connectome)}


#: kind -> ``"module:Class"`` of its 3-D drawer (:mod:`brainview.render`), named, never
#: imported here: models do not import the renderer. A kind not listed still owns its props
#: (drawn through :class:`brainview.render.drawer.LegacyDrawer`) until its drawer lands.
DRAWERS_3D = {
    "atlas": "brainview.render.atlas:AtlasDrawer",
    "connectome": "brainview.render.connectome:ConnectomeDrawer",
    "contour": "brainview.render.contour:ContourDrawer",
    "points": "brainview.render.points:PointsDrawer",
    "volume": "brainview.render.volume:VolumeDrawer",
    "slices": "brainview.render.slices:SlicesDrawer",
    "glass_brain": "brainview.render.glass_brain:GlassBrainDrawer",
    "surface": "brainview.render.surface:SurfaceDrawer",
    "stat_map": "brainview.render.stat_map:StatMapDrawer",
}


def drawer_path(kind):
    """``"module:Class"`` of the 3-D drawer registered for ``kind``, or None.

    Examples
    --------
    >>> drawer_path("contour")
    'brainview.render.contour:ContourDrawer'
    """
    return DRAWERS_3D.get(kind)


def layer_class(kind, *, where="kind"):
    """The class registered for ``kind``, else a brainview error listing the kinds."""
    if kind not in LAYER_KINDS:
        raise SceneFileError(f"{where}: unknown layer kind {kind!r}; known kinds: {', '.join(sorted(LAYER_KINDS))}.")
    return LAYER_KINDS[kind]
