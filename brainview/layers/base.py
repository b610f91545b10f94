"""What every layer shares: a name, visibility, opacity, and a link to its figure.

A layer is a traits model: it validates, loads and computes, and holds no
VTK rendering object. Each figure showing it draws it with a drawer of
:mod:`brainview.render`, which observes the layer's traits: setting a trait
(from a script, or from a GUI widget bound to the same trait) updates every
drawing of the layer.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Points
>>> layer = Points(np.zeros((1, 3)))
>>> layer.visible = False
>>> layer.get_state()
{'visible': False}
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from typing import Callable

import numpy as np
from traits.api import Bool, Event, HasStrictTraits, Python, Str, TraitType

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


def check_optional_bool(value, name):
    """None (decided later, e.g. from the figure) or a bool, else a brainview error."""
    return None if value is None else check_bool(value, name)


class StrictBool(Bool):
    """A ``Bool`` trait whose bad assignments raise a brainview error, not a bare TraitError."""

    def error(self, obj, name, value):
        check_bool(value, name)


def _recording_init(init):
    """Wrap a layer class's ``__init__`` so that the outermost call records its arguments.

    scikit-learn's estimators store their parameters as given; brainview's
    layers validate and load in ``__init__``, so the arguments are captured
    here, before any of that, exactly as the caller passed them.
    """
    signature = inspect.signature(init)

    @functools.wraps(init)
    def wrapper(self, *args, **kwargs):
        if "_params" not in self.__dict__:
            bound = signature.bind(self, *args, **kwargs)
            bound.apply_defaults()
            params = dict(bound.arguments)
            del params[next(iter(signature.parameters))]  # self
            self.__dict__["_params"] = params
            self.__dict__["_state"] = {}
            init(self, *args, **kwargs)
            self.__dict__["_initialised"] = True
        else:
            init(self, *args, **kwargs)

    wrapper.__signature__ = signature
    return wrapper


def _rebuild_layer(cls, params, state):
    """Unpickle a layer: construct it from its parameters, then apply the later settings."""
    layer = cls(**params)
    for name, value in state.items():
        setattr(layer, name, value)
    return layer


class Layer(HasStrictTraits):
    """Base class of all layers. Subclasses implement :meth:`props`.

    Public attributes are strict (a typo such as ``layer.levle = 2`` raises);
    private ``_attributes`` hold VTK objects and data freely.

    The layer contract (DESIGN.md section 2): every constructor argument is
    kept as given and returned by :meth:`get_params`, and every public trait
    set after construction is remembered as given: a trait named like a
    constructor argument updates that parameter, any other one (``visible``,
    a slice position) is returned by :meth:`get_state`. Together they rebuild
    the same picture, in this process or another one.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _recording_init(cls.__dict__["__init__"])

    def __setattr__(self, name, value):
        constant = getattr(type(self), name, None)
        if isinstance(constant, (str, tuple)) and self.trait(name) is None:
            # Class constants (kind, data_params): traits would refuse them too, but
            # would then leave the name unreadable on this object.
            raise BrainviewTypeError(f"{name}: {type(self).__name__}.{name} is fixed ({constant!r}); "
                                     "it cannot be set.")
        super().__setattr__(name, value)
        # Record after validation: a refused value leaves the record as it was.
        if not name.startswith("_") and self.__dict__.get("_initialised") and self.editable_trait(name):
            if name in self._params:
                self._params[name] = value
            else:
                self._state[name] = value

    def editable_trait(self, name):
        """Whether ``name`` is a public setting of the picture (not a VTK handle or an event)."""
        trait = self.trait(name)
        return trait is not None and not trait.transient and name not in ("name_",)

    def get_params(self):
        """The constructor arguments, as given (updated by later assignments of same-named traits).

        ``type(layer)(**layer.get_params())`` builds a layer that draws the same
        picture (:meth:`get_state` holds the other settings changed since).

        Examples
        --------
        >>> import numpy as np
        >>> from brainview.layers import Points
        >>> layer = Points(np.zeros((1, 3)), size=3)
        >>> layer.get_params()["size"]
        3
        >>> layer.opacity = 0.5
        >>> layer.get_params()["opacity"]
        0.5
        """
        return dict(self._params)

    def __reduce_ex__(self, protocol):
        # A layer travels to another process (joblib, dask) as its parameters and
        # settings, never as VTK objects: the receiver rebuilds its own drawing.
        return _rebuild_layer, (type(self), self.get_params(), self.get_state())

    def get_state(self):
        """Public traits set after construction that are not constructor arguments, as given.

        Examples
        --------
        >>> import numpy as np
        >>> from brainview.layers import Points
        >>> layer = Points(np.zeros((1, 3)))
        >>> layer.visible = False
        >>> layer.get_state()
        {'visible': False}
        """
        return dict(self._state)

    #: Prefix trait: every ``_name`` attribute is a plain Python attribute.
    __ = Python

    #: Shown in the layer list and in pick reports.
    name = Str()

    #: Whether the layer is drawn.
    visible = StrictBool(True)

    #: Overall opacity, 0 (invisible) to 1 (opaque).
    opacity = Checked(lambda value, name: check_opacity(value, name), 1.0, panel="slider", low=0.0, high=1.0)

    #: Fired when derived data changed in place (drawers observe it with the traits they show).
    updated = Event(transient=True)

    #: Short name of the kind of layer ("contour", "volume", ...).
    kind = "layer"

    def value_at(self, xyz):
        """Value of the layer's data at a world coordinate; None when it has none."""
        return None

    def colorbar_table(self):
        """The lookup table and title a colorbar for this layer should show."""
        return None

    def _changed(self):
        """Tell the drawers that derived data changed in place (they re-sync on ``updated``)."""
        self.updated = True

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}{'' if self.visible else ' (hidden)'}>"


# ----------------------------------------------------------- kinds


@dataclass(frozen=True)
class Kind:
    """A kind of layer, declared once, beside its model: ``KIND = Kind(...)`` in its module.

    The registry (:mod:`brainview.layers.registry`) collects these; the pylab
    verbs, the package namespaces, scene files, script export, the figure's
    drawers, the app's roles, the API docs and the common tests read them.

    Parameters
    ----------
    model : type
        The :class:`Layer` subclass; its ``kind`` is the kind's name and verb.
    drawer : str
        ``"module:Class"`` of its 3-D drawer in :mod:`brainview.render` (named,
        not imported: a model never loads the renderer).
    example : callable
        ``example() -> (args, options)``: small in-memory inputs that draw
        something, for the common tests and the docs.
    roles : tuple of str
        File roles of the app and the ``brainview`` command that open as this kind.
    painter : str or None
        ``"module:function"`` of its 2-D slice painter (:mod:`brainview.render.painters`,
        named, not imported), which :mod:`brainview.planes` calls to colour the layer's
        image on a plane; None for a kind with no 2-D picture (points, meshes).

    Examples
    --------
    >>> from brainview.layers.registry import KINDS
    >>> kind = KINDS["points"]
    >>> kind.name, kind.drawer, kind.painter
    ('points', 'brainview.render.points:PointsDrawer', None)
    >>> KINDS["volume"].painter
    'brainview.render.painters:paint_volume'
    >>> kind.make_example().kind
    'points'
    """

    model: type
    drawer: str
    example: Callable
    roles: tuple = ()
    painter: str | None = None

    @property
    def name(self):
        """The kind's name: ``model.kind`` (and the pylab verb's name)."""
        return self.model.kind

    def make_example(self):
        """A new model built from :attr:`example`'s inputs."""
        args, options = self.example()
        return self.model(*args, **options)


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
