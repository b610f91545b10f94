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

import numpy as np
from traits.api import ComparisonMode, HasStrictTraits, TraitType


class ImageInputs:
    """The live ``img`` and ``volume`` parameters of a layer drawn from one image.

    A mixin: with ``img = Loaded()`` and ``volume = Loaded()`` traits, an
    assignment loads the image with the other parameter's current value and
    stages it in ``_staged["img"]`` for the layer's observer.

    The layer keeps every volume of its image (an
    :class:`~brainview.io.images.ImageSeries`, read once): assigning
    ``volume`` takes another volume of it without reading the file again;
    assigning ``img`` reads the new input (the same path too: the file may
    have changed). What a layer derives from a volume is computed once per
    volume through :meth:`_per_volume`.

    Replacing the image (FSLeyes' and the app's file field): an ``img``
    whose dimensionality does not fit the current ``volume`` adapts it:

    - a 3-D image: ``volume`` becomes None;
    - a 4-D image while ``volume`` is None: its first volume, 0 (as the app
      opens a 4-D file);
    - a 4-D image with no volume ``volume``: refused, the layer unchanged
      (assign both together: ``layer.trait_set(img=new, volume=k)``).

    The image and ``volume`` change together: observers of ``img`` see the
    new ``volume`` already, then ``volume`` notifies its own observers (the
    app's volume spin box), and :meth:`get_params` holds the new pair.
    ``layer.trait_set(img=new, volume=k)`` loads volume ``k`` of the new
    image, whichever order the two are given in, without adapting.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> layer = Slices((np.zeros((2, 2, 2, 3)), np.eye(4)), volume=2)
    >>> layer.img = (np.ones((2, 2, 2)), np.eye(4))
    >>> layer.volume, layer.get_params()["volume"], layer.n_volumes
    (None, None, 1)
    >>> layer.img = (np.zeros((2, 2, 2, 5)), np.eye(4))
    >>> layer.volume
    0
    >>> layer.trait_set(volume=4, img=(np.zeros((2, 2, 2, 6)), np.eye(4))).volume
    4
    """

    def _read_series(self, img):
        from ..io.images import load_series

        return load_series(img, kind=self.kind)

    def _load_input(self, img, volume, *, reread=True, fit=False):
        """The image of volume ``volume`` of ``img``; its series is kept for the next volume.

        ``fit``: ``volume`` is first adapted to the new image (see the class
        docstring); the volume taken is left in ``_fitted_volume``.
        """
        series = self.__dict__.get("_series")
        if reread or series is None:
            series = self._read_series(img)
        if fit:
            volume = fitting_volume(series, volume)
            self.__dict__["_fitted_volume"] = volume
        image = series.volume(volume)
        self.__dict__["_series"], self.__dict__["_series_volume"] = series, volume
        return image

    def _check_img(self, value):
        if not constructing(self) and not self.__dict__.get("_img_loaded"):
            self._staged["img"] = self._load_input(value, self.volume)
        return value

    def _check_volume(self, value):
        if not constructing(self):
            self._staged["img"] = self._load_input(self.img, value, reread=False)
        return value

    def __setattr__(self, name, value):
        if name == "img" and not constructing(self):
            self._assign_image(value, self.volume, fit=True)
        else:
            super().__setattr__(name, value)

    def trait_set(self, trait_change_notify=True, **traits):
        """Set traits; ``img`` and ``volume`` given together are loaded as one pair (see the class docstring)."""
        if trait_change_notify and "img" in traits and "volume" in traits and not constructing(self):
            traits = dict(traits)
            self._assign_image(traits.pop("img"), traits.pop("volume"), fit=False)
        return super().trait_set(trait_change_notify, **traits)

    def _assign_image(self, img, volume, *, fit):
        """Load ``img`` at ``volume`` (adapted when ``fit``), then set ``volume`` and ``img`` together.

        Raises the constructor's error before anything changed. The new
        ``volume`` is set first without notification (observers of ``img``
        see the new pair), then notified once ``img`` has been drawn.
        """
        self.__dict__.pop("_fitted_volume", None)
        image = self._load_input(img, volume, fit=fit)
        volume = self.__dict__.pop("_fitted_volume", volume)
        old = self.volume
        self._staged["img"] = image
        self.__dict__["_img_loaded"] = True
        try:
            if volume != old:
                _set_unchecked(self, "volume", volume)
            super().__setattr__("img", img)
        finally:
            del self.__dict__["_img_loaded"]
        if volume != old:
            self._staged["img"] = image  # the volume's observers redraw the same image
            self.trait_property_changed("volume", old, volume)

    @property
    def n_volumes(self):
        """How many volumes the layer's image has (1 for a 3-D image).

        Examples
        --------
        >>> import numpy as np
        >>> from brainview.layers import Slices
        >>> layer = Slices((np.arange(48.0).reshape(2, 2, 3, 4), np.eye(4)), volume=0)
        >>> layer.n_volumes
        4
        >>> layer.volume = 3
        >>> layer.value_at([1, 1, 2]), layer.series_at([1, 1, 2]).tolist()
        (47.0, [44.0, 45.0, 46.0, 47.0])
        """
        return self.__dict__["_series"].n_volumes

    def series_at(self, xyz):
        """The values of the voxel nearest world ``xyz`` mm in every volume (NaN outside the image)."""
        return self.__dict__["_series"].values_at(xyz)

    def _per_volume(self, what, compute):
        """``compute()`` once per volume of the image and ``what``: stepping back costs nothing."""
        return self.__dict__["_series"].derived(self.__dict__["_series_volume"], what, compute)


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


def fitting_volume(series, volume):
    """The volume of ``series`` an assigned image is shown at, given the layer's ``volume``.

    Raises
    ------
    BrainviewValueError
        A 4-D image with no volume ``volume``.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.io.images import load_series
    >>> four_d = load_series((np.zeros((2, 2, 2, 3)), np.eye(4)))
    >>> fitting_volume(load_series((np.zeros((2, 2, 2)), np.eye(4))), 2), fitting_volume(four_d, None)
    (None, 0)
    """
    from ..errors import BrainviewValueError

    if series.data.ndim == 3:
        return None
    if volume is None:
        return 0
    n = series.n_volumes
    if isinstance(volume, (int, np.integer)) and not isinstance(volume, bool) and volume >= n:
        raise BrainviewValueError(
            f"img: {'the new image' if series.name == 'array' else repr(series.name)} has {n} volume{'s' if n > 1 else ''} (0..{n - 1}), but the layer shows "
            f"volume {volume}. Assign both together: layer.trait_set(img=..., volume=<0..{n - 1}>), "
            f"or step volume below {n} first."
        )
    return volume


def _set_unchecked(layer, name, value):
    """Set a trait holding an already-checked value, without notification; record it as given."""
    layer.__dict__[name] = value
    record = layer._params if name in layer._params else layer._state
    record[name] = value


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
