"""Constructor arguments that stay live: assigning one re-loads or re-derives the layer's data.

Two patterns, both keeping the value as given (a path stays a path) for
:meth:`~brainview.layers.base.Layer.get_params`, both raising the
constructor's brainview error for a bad value before anything changed:

- :class:`Loaded` (image layers): the layer's ``_check_<name>(value)`` loads
  the new input and stages it for the observer that redraws; every
  assignment notifies, so assigning the same path again reloads the file.
- :class:`Reloads` (mesh layers): the layer's ``_derive(params)`` re-runs the
  constructor's loading with the new value; ``_apply`` draws what it derived.

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


class ImageInputs:
    """The live ``img`` and ``volume`` parameters of a layer drawn from one image.

    A mixin: with ``img = Loaded()`` and ``volume = Loaded()`` traits, an
    assignment loads the image with the other parameter's current value and
    stages it in ``_staged["img"]`` for the layer's observer.
    """

    def _load_input(self, img, volume):
        from ..io import load_image

        return load_image(img, volume=volume, kind=self.kind)

    def _check_img(self, value):
        if not constructing(self):
            self._staged["img"] = self._load_input(value, self.volume)
        return value

    def _check_volume(self, value):
        if not constructing(self):
            self._staged["img"] = self._load_input(self.img, value)
        return value


class Loaded(TraitType):
    """A trait checked by the layer's ``_check_<name>(value)``, which may load data.

    The check runs before the assignment: it raises the constructor's
    brainview error for a bad value, or stages what it loaded in
    ``layer._staged`` for the observer that redraws. Every assignment
    notifies: assigning the same path again reloads the file (it may have
    changed on disk).
    """

    default_value = None

    def __init__(self, default_value=None, **metadata):
        metadata.setdefault("comparison_mode", ComparisonMode.none)
        super().__init__(default_value, **metadata)

    def validate(self, obj, name, value):
        return getattr(obj, f"_check_{name}")(value)


def constructing(layer):
    """True while ``layer.__init__`` runs (it loads its inputs itself, once)."""
    return not layer.__dict__.get("_initialised")


def set_resolved(layer, **values):
    """Set traits to values derived from parameters given as None, keeping the parameters as given.

    ``Contour(img)`` stores ``level=None`` as its parameter and the default
    level of ``img`` in its ``level`` trait; when ``img`` changes, the level
    is derived again, and the parameter stays None. Observers are not
    notified: the caller redraws.
    """
    initialised = layer.__dict__.pop("_initialised", None)
    try:
        layer.trait_setq(**values)
    finally:
        if initialised is not None:
            layer.__dict__["_initialised"] = initialised


def unset_params(layer, *names):
    """Which of ``names`` the layer's parameters leave to a default (None)."""
    params = layer.get_params()
    return [name for name in names if params.get(name) is None]



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
