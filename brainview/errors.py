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

import math


class BrainviewError(Exception):
    """Base class of every error brainview raises on purpose."""


class BrainviewValueError(BrainviewError, ValueError):
    """A parameter has the right type but a value brainview cannot use."""


class BrainviewTypeError(BrainviewError, TypeError):
    """A parameter has a type brainview does not accept."""


class BrainviewImportError(BrainviewError, ImportError):
    """An optional dependency is missing: the message names the extra to install."""


class ImageLoadError(BrainviewError, OSError):
    """A file could not be read as the kind of data asked for."""


class MemoryBudgetError(BrainviewError, MemoryError):
    """Reading a file (or honouring a value) needs more memory than brainview may use.

    The limit is :func:`brainview.set_limits`'s ``max_bytes``; the message
    says how much was needed and how to raise it.
    """


class SceneFileError(BrainviewValueError):
    """A scene file that cannot be read as written: the message names the file and the problem."""


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


def check_number(value, name, *, optional=False, minimum=None, strict=False, hint=""):
    """``value`` as a finite float, else a brainview error naming ``name``.

    Parameters
    ----------
    optional : bool
        ``None`` is allowed and returned as is.
    minimum : float, optional
        Lower bound; ``strict`` makes it exclusive.
    hint : str
        What the number means, added to the bound error, e.g. ``"(it applies to |value|)"``.

    Examples
    --------
    >>> check_number("2.5", "level")
    2.5
    >>> check_number(0, "size", minimum=0, strict=True)
    Traceback (most recent call last):
    ...
    brainview.errors.BrainviewValueError: size: must be a finite number > 0, got 0.
    """
    if value is None and optional:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        expected = "a number or None" if optional else "a number"
        raise BrainviewTypeError(f"{name}: expected {expected}, got {describe(value)}.") from None
    too_low = minimum is not None and (number <= minimum if strict else number < minimum)
    if not math.isfinite(number) or too_low:
        bound = "" if minimum is None else f" {'>' if strict else '>='} {minimum:g}"
        suffix = f" {hint}" if hint else ""
        raise BrainviewValueError(f"{name}: must be a finite number{bound}{suffix}, got {value!r}.")
    return number
