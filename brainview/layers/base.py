"""What every layer shares: a name, visibility, opacity, and a link to its figure.

A layer is a traits model that owns its VTK props and keeps them in sync with
its traits. Setting a trait (from a script, or from a GUI widget bound to the
same trait) updates the props and asks the figure to re-render.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Points
>>> layer = Points(np.zeros((1, 3)))
>>> layer.visible = False
>>> layer.actor.GetVisibility()
0
"""

from __future__ import annotations

import weakref

import numpy as np
from traits.api import Any, Bool, HasStrictTraits, Python, Str, TraitType, observe

from ..errors import BrainviewTypeError, BrainviewValueError, check_number, describe


class Checked(TraitType):
    """A trait validated by a brainview check function ``check(value, name)``.

    Assigning a bad value raises the check's brainview error (a ``ValueError``
    or ``TypeError`` naming the trait), not a bare ``TraitError``.
    """

    def __init__(self, check, default_value=None, **metadata):
        self._check = check
        super().__init__(default_value, **metadata)

    def validate(self, obj, name, value):
        return self._check(value, name)


def check_bool(value, name):
    """``value`` as a bool if it is one (numpy's too), else a brainview error.

    ``bool("no")`` is True: strings and numbers are refused rather than guessed.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise BrainviewTypeError(f"{name}: expected True or False, got {describe(value)}.")


class StrictBool(Bool):
    """A ``Bool`` trait whose bad assignments raise a brainview error, not a bare TraitError."""

    def error(self, obj, name, value):
        check_bool(value, name)


class Layer(HasStrictTraits):
    """Base class of all layers. Subclasses implement :meth:`props`.

    Public attributes are strict (a typo such as ``layer.levle = 2`` raises);
    private ``_attributes`` hold VTK objects and data freely.
    """

    #: Prefix trait: every ``_name`` attribute is a plain Python attribute.
    __ = Python

    #: Shown in the layer list and in pick reports.
    name = Str()

    #: Whether the layer is drawn.
    visible = StrictBool(True)

    #: Overall opacity, 0 (invisible) to 1 (opaque).
    opacity = Checked(lambda value, name: check_opacity(value, name), 1.0)

    #: Weak reference to the figure drawing this layer (set by Figure.add).
    _figure_ref = Any(transient=True)

    #: The main VTK prop drawing this layer (read it, do not replace it).
    actor = Any(transient=True)

    #: Short name of the kind of layer ("contour", "volume", ...).
    kind = "layer"

    def props(self):
        """The VTK props (actors, volumes) that draw this layer."""
        raise NotImplementedError

    def bounds(self):
        """``(xmin, xmax, ymin, ymax, zmin, zmax)`` in world mm, or None when empty."""
        boxes = [p.GetBounds() for p in self.props() if p.GetVisibility()]
        boxes = [b for b in boxes if b[0] <= b[1]]
        if not boxes:
            return None
        boxes = np.array(boxes)
        return tuple(float(v) for v in np.ravel(
            np.column_stack([boxes[:, 0::2].min(0), boxes[:, 1::2].max(0)])))

    def value_at(self, xyz):
        """Value of the layer's data at a world coordinate; None when it has none."""
        return None

    def colorbar_table(self):
        """The lookup table and title a colorbar for this layer should show."""
        return None

    @property
    def figure(self):
        """The figure showing this layer, or None."""
        return self._figure_ref() if self._figure_ref is not None else None

    def _attach(self, figure):
        self._figure_ref = weakref.ref(figure)

    def _detach(self):
        self._figure_ref = None

    def _set_interacting(self, interacting):
        """The camera starts or stops moving: heavy layers may draw a lighter version."""

    def _changed(self):
        """Ask the figure (if any) to redraw after props changed."""
        figure = self.figure
        if figure is not None:
            figure._layer_changed(self)

    @observe("visible", post_init=True)
    def _update_visible(self, event):
        for prop in self.props():
            prop.SetVisibility(self.visible)
        self._changed()

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}{'' if self.visible else ' (hidden)'}>"


# ----------------------------------------------------------- shared checks


def check_positive(value, name, *, allow_zero=False):
    """A float > 0 (or >= 0), else a brainview error naming ``name``."""
    return check_number(value, name, minimum=0, strict=not allow_zero)


def check_choice(value, choices, name):
    """``value`` if it is one of ``choices``, else an error listing them."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise BrainviewValueError(f"{name}: must be one of {listed}; got {value!r}.")
    return value


def check_opacity(value, name="opacity"):
    number = check_positive(value, name, allow_zero=True)
    if number > 1:
        raise BrainviewValueError(f"{name}: must be between 0 and 1, got {value!r}.")
    return number
