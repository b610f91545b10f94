"""The one registry of layer kinds, collected from the ``KIND`` each model module declares.

A kind is declared once, beside its model (``KIND = Kind(...)``, see
:class:`brainview.layers.base.Kind`): its model, its 3-D drawer, its 2-D
slice painter, a small example and the file roles that open as it. The pylab verbs, the package
namespaces (``bv.<kind>``, ``brainview.layers.<Class>``), scene files, the
script exporter, the figure's drawers, the app's roles, the API docs and the
common tests all loop over :data:`KINDS`: adding a kind is its model module,
its drawer module and their tests.

Examples
--------
>>> layer_class("contour").__name__
'Contour'
>>> sorted(LAYER_KINDS)[:3]
['atlas', 'connectome', 'contour']
>>> kind_for_role("anatomy").name
'slices'
"""

from __future__ import annotations

import importlib
import pkgutil

from ..errors import SceneFileError
from .base import Kind

#: Modules of this package that are not kinds.
_NOT_KINDS = {"base", "registry"}


def _collect_kinds():
    """``{name: Kind}`` from every public module of :mod:`brainview.layers` that declares ``KIND``."""
    package = importlib.import_module(__package__)
    kinds = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
        if info.name.startswith("_") or info.name in _NOT_KINDS:
            continue
        kind = getattr(importlib.import_module(f"{__package__}.{info.name}"), "KIND", None)
        if isinstance(kind, Kind):
            if kind.name in kinds:
                raise RuntimeError(f"layer kind {kind.name!r} is declared twice")  # a programming error
            kinds[kind.name] = kind
    return kinds


#: kind name -> :class:`~brainview.layers.base.Kind`.
KINDS = _collect_kinds()

#: kind name -> model class; each kind's pylab verb has the kind's name (``bv.stat_map``).
LAYER_KINDS = {name: kind.model for name, kind in KINDS.items()}

#: kind name -> ``"module:Class"`` of its 3-D drawer (:mod:`brainview.render`), named, never
#: imported here: models do not import the renderer.
DRAWERS_3D = {name: kind.drawer for name, kind in KINDS.items()}

#: kind name -> ``"module:function"`` of its 2-D slice painter, or None (no 2-D picture).
PAINTERS_2D = {name: kind.painter for name, kind in KINDS.items()}


def drawer_path(kind):
    """``"module:Class"`` of the 3-D drawer registered for ``kind``, or None.

    Examples
    --------
    >>> drawer_path("contour")
    'brainview.render.contour:ContourDrawer'
    """
    return DRAWERS_3D.get(kind)


def painter_path(kind):
    """``"module:function"`` of the 2-D slice painter registered for ``kind``, or None.

    None for a kind with no 2-D picture and for an unknown kind.

    Examples
    --------
    >>> painter_path("atlas")
    'brainview.render.painters:paint_atlas'
    >>> painter_path("points") is None
    True
    """
    return PAINTERS_2D.get(kind)


def layer_class(kind, *, where="kind"):
    """The class registered for ``kind``, else a brainview error listing the kinds."""
    if kind not in LAYER_KINDS:
        raise SceneFileError(f"{where}: unknown layer kind {kind!r}; known kinds: {', '.join(sorted(LAYER_KINDS))}.")
    return LAYER_KINDS[kind]


def kind_for_role(role):
    """The kind a file of ``role`` (``"anatomy"``, ``"map"``, ``"atlas"``, ``"surface"``) opens as."""
    for kind in KINDS.values():
        if role in kind.roles:
            return kind
    raise KeyError(role)  # roles come from the app's own rules, never from the user
