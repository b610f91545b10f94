"""An atlas's colour files and the image display options that do not apply to labels.

:func:`read_region_file` reads a look-up table file as ``({label: name},
{label: (r, g, b)})``: FSLeyes ``.lut`` files (:mod:`brainview.io.lut_files`),
FreeSurfer colour LUTs and CSV/TSV tables with a header
(:mod:`brainview.io.label_tables`). ``Atlas(colors="my.lut")`` recolours the
regions from one (live, nothing re-extracted), ``Atlas(lut=...)`` names them too.

``gamma`` and ``invert`` bend or reverse a colour ramp over values; an atlas
draws each label in its own colour, with no ramp: :func:`check_no_ramp`
refuses anything but the identity with a brainview error saying what to use.

Examples
--------
>>> check_no_ramp(1.0, "gamma"), check_no_ramp(False, "invert")
(1.0, False)
"""

from __future__ import annotations

import functools
import os

import numpy as np

from ..errors import BrainviewValueError, describe
from ..geometry.volume import MAX_SMOOTH

__all__ = ["read_region_file", "is_color_file", "check_no_ramp", "check_smooth", "check_points"]

_IDENTITY = {"gamma": 1.0, "invert": False}


def is_color_file(value):
    """A path given for ``colors=`` (a string or a path object), not a ``{region: colour}`` dict."""
    return isinstance(value, (str, os.PathLike))


def read_region_file(path, name="lut"):
    """``({label: name}, {label: (r, g, b)})`` of a look-up table file (see the module docstring).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "lut.txt")
    >>> with open(path, "w") as stream:
    ...     _ = stream.write("0 Unknown 0 0 0 0\\n17 Left-Hippocampus 220 216 20 0\\n")
    >>> read_region_file(path)[1][17]
    (0.8627450980392157, 0.8470588235294118, 0.0784313725490196)
    """
    from ..io.label_tables import read_label_table
    from ..io.lut_files import read_region_table

    table = read_region_table(path, name=name)
    return table if table is not None else read_label_table(path, name=name)


def region_colors_of_file(path, names, name="colors"):
    """``{label: (r, g, b)}`` of a colour file for the labels an atlas has (others in the file ignored).

    The file is read once per size and modification time (the atlas's colour
    table is asked for at every redraw).
    """
    try:
        status = os.stat(path)
    except OSError:
        status = None  # read_region_file says why
    key = (os.fspath(path), name) + ((status.st_size, status.st_mtime_ns) if status else (None, None))
    rgb = _file_colors(*key)
    found = {int(label): color for label, color in rgb.items() if int(label) in names}
    if not found:
        shown = ", ".join(str(v) for v in list(names)[:8])
        raise BrainviewValueError(
            f"{name}: '{os.fspath(path)}' gives colours to none of this atlas's labels ({shown}"
            f"{', ...' if len(names) > 8 else ''}). Use the table made for this atlas, or a dict "
            "{region name or label: colour}.")
    return found


@functools.lru_cache(maxsize=16)
def _file_colors(path, name, size, mtime_ns):
    """The ``{label: rgb}`` of a colour file, remembered per path, size and modification time."""
    return read_region_file(path, name=name)[1]


def check_no_ramp(value, name):
    """``gamma``/``invert`` of an atlas: only the identity (1 / False); anything else is refused."""
    if isinstance(value, (bool, np.bool_)) == (name == "invert") and value == _IDENTITY[name]:
        return _IDENTITY[name]
    raise BrainviewValueError(
        f"{name}: an atlas draws each region in its own colour, with no colour ramp to "
        f"{'bend' if name == 'gamma' else 'reverse'}; got {name}={describe(value)}. Leave {name} out "
        f"(or {_IDENTITY[name]!r}); change region colours with colors={{region: colour}} or "
        "colors='table.lut', or draw the image with bv.slices(..., "
        f"{name}={'2.0' if name == 'gamma' else 'True'}) for a colour ramp.")


def check_smooth(value, name="smooth"):
    """Surface-nets iterations, 0 to 1000 (``True`` is refused, a huge count would hang)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise BrainviewValueError(f"{name}: expected a number of iterations >= 0, got {value!r}.")
    if value > MAX_SMOOTH:
        raise BrainviewValueError(
            f"{name}: at most {MAX_SMOOTH} smoothing iterations, got {value!r}; "
            "a few tens already give a smooth surface.")
    return int(value)


def check_points(xyz, name):
    """``xyz`` as a float array of one point ``(3,)`` or of ``(n, 3)`` points (world mm)."""
    points = np.asarray(xyz, dtype=float)
    if points.shape[-1:] != (3,) or points.ndim > 2:
        raise BrainviewValueError(f"{name}: expected (x, y, z) mm or an (n, 3) array, got {describe(xyz)}.")
    return points
