"""The brainview exception and warning hierarchy.

Every error subclasses both :class:`BrainviewError` and the builtin a Python
user expects (``ValueError``, ``TypeError``, ``OSError``), so ``except
ValueError`` keeps working.  Messages name the parameter, the value received
and the fix.

Examples
--------
>>> from brainview.errors import BrainviewValueError
>>> issubclass(BrainviewValueError, ValueError)
True
"""


class BrainviewError(Exception):
    """Base class of every error brainview raises on purpose."""


class BrainviewValueError(BrainviewError, ValueError):
    """A parameter has the right type but a value brainview cannot use."""


class BrainviewTypeError(BrainviewError, TypeError):
    """A parameter has a type brainview does not accept."""


class ImageLoadError(BrainviewError, OSError):
    """A file could not be read as the kind of data asked for."""


class BrainviewWarning(UserWarning):
    """Something was done on the user's behalf: read the message."""


def describe(value, limit=80):
    """Short, safe ``repr`` of a value for error messages.

    Examples
    --------
    >>> describe(list(range(100)))[:20]
    '[0, 1, 2, 3, 4, 5, 6'
    """
    shape = getattr(value, "shape", None)
    if shape is not None and getattr(value, "dtype", None) is not None:
        return f"{type(value).__name__} of shape {tuple(shape)} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
