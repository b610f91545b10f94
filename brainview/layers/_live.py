"""Live data parameters of the image layers: checked (loaded) on assignment, kept as given.

A layer's ``img`` (``bg``, ``mask``, ``volume``) is a trait like any other
setting: assigning it loads the new input with the constructor's checks and
errors, so a refused value leaves the layer as it was, and the trait keeps the
value as given (a path stays a path) for :meth:`~brainview.layers.base.Layer.get_params`.
"""

from __future__ import annotations

from traits.api import ComparisonMode, TraitType


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
