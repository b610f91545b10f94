"""Constructor arguments that stay live: setting one re-derives the layer's data and redraws.

A :class:`Reloads` trait stores its value as given (a path, an array, a list
of names), so ``get_params()`` returns it. Assigning it after construction
first derives the layer's data from the parameters with the new value
(``layer._derive(params)``, the constructor's own loading and validation):
a bad value raises the constructor's brainview error there, before anything
changed. The layer's observer then applies what was derived
(``layer._apply(derived)``) and redraws.

Examples
--------
>>> from brainview.layers import Points
>>> layer = Points([[0, 0, 0]], size=2)
>>> layer.size = 5
>>> layer.sizes.tolist(), layer.get_params()["size"]
([5.0], 5)
"""

from __future__ import annotations

from traits.api import ComparisonMode, HasStrictTraits, TraitType


class Reloads(TraitType):
    """A parameter whose assignment re-derives the layer's data (see the module docstring)."""

    def __init__(self, default_value=None, **metadata):
        # Identity: arrays cannot be compared with ==, and an equal new array is still a new value.
        super().__init__(default_value, comparison_mode=ComparisonMode.identity, **metadata)

    def validate(self, obj, name, value):
        if obj.__dict__.get("_initialised"):
            obj.__dict__["_derived"] = obj._derive({**obj.get_params(), name: value})
        return value


def take_derived(layer):
    """What the last :class:`Reloads` assignment derived (once)."""
    return layer.__dict__.pop("_derived")


def set_quietly(layer, **values):
    """Set traits to values derived from the parameters, without recording them as given.

    A colour range computed from new data (``clim=None``) is derived, not a
    parameter the user passed: ``get_params()`` keeps None.
    """
    for name, value in values.items():
        HasStrictTraits.__setattr__(layer, name, value)
