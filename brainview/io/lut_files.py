"""Colour-map and look-up-table files: FSL ``.cmap``/``.lut``, FreeSurfer LUTs, RGB text/CSV tables.

:func:`read_colormap_file` makes a colour map of an image (``cmap="my.lut"``)
from a file of colours, one row per colour, in the file's order:

- FSL/FSLeyes ``.cmap``: ``r g b`` per line, 0..1;
- FSLeyes ``.lut``: ``label r g b name`` per line, r, g, b in 0..1 (rows sorted by label);
- FreeSurfer colour LUT (``FreeSurferColorLUT.txt``, ``.ctab``): ``label name r g b a``,
  0..255 (rows sorted by label);
- a plain text, CSV or TSV table of ``r g b`` or ``r g b a`` columns, in 0..1 or
  0..255 (a table with any value above 1 is read as 0..255), with or without a
  header row (``r,g,b`` or ``red,green,blue[,alpha]`` columns are picked by name).

:func:`read_region_table` reads an FSLeyes ``.lut`` as an atlas's
``({label: name}, {label: rgb})`` (the other formats are read by
:mod:`brainview.io.label_tables`).

Files are read with limits (at most :data:`MAX_BYTES` bytes, :data:`MAX_COLORS`
rows of at most :data:`MAX_LINE` characters; regular files only): a hostile or wrong file gives a
brainview error naming the parameter, the file and what to do.

Examples
--------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "ramp.cmap")
>>> with open(path, "w") as stream:
...     _ = stream.write("0 0 0\\n1 0.5 0\\n")
>>> read_colormap_file(path).colors.tolist()
[[0.0, 0.0, 0.0, 1.0], [1.0, 0.5, 0.0, 1.0]]
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from ..errors import BrainviewValueError, ImageLoadError
from .guards import check_regular_file

__all__ = ["read_colormap_file", "read_region_table", "is_colormap_path", "MAX_BYTES", "MAX_COLORS",
           "MAX_LINE", "COLORMAP_SUFFIXES"]

#: Largest colour file read (bytes): FreeSurfer's full LUT is 60 kB.
MAX_BYTES = 4 * 2**20
#: Most colour rows in one file (Allen CCF's label table has ~1,300).
MAX_COLORS = 65536
#: Longest line of a colour file (a row is a label, a few numbers and a name).
MAX_LINE = 4096
#: Suffixes that make a string given as ``cmap=`` a file path rather than a colour-map name.
COLORMAP_SUFFIXES = (".cmap", ".lut", ".txt", ".csv", ".tsv", ".ctab", ".ctbl")

_SPLIT = re.compile(r"[,\t ]+")
_FIX = ("Use a file of 'r g b' rows (0..1 or 0..255), an FSL .cmap/.lut or a FreeSurfer colour LUT, "
        "or a colormap name such as 'hot'.")


def is_colormap_path(value):
    """Whether ``value`` names a colour file rather than a colour map: a path object, or a
    string ending in a colour-file suffix (:data:`COLORMAP_SUFFIXES`) or holding a folder.

    Examples
    --------
    >>> is_colormap_path("hot"), is_colormap_path("labels.lut"), is_colormap_path("maps/x")
    (False, True, True)
    """
    if isinstance(value, os.PathLike):
        return True
    return isinstance(value, str) and (value.lower().endswith(COLORMAP_SUFFIXES) or "/" in value
                                       or os.sep in value)


def read_colormap_file(path, *, name="cmap"):
    """A ``ListedColormap`` of a colour file's rows, in order (see the module docstring).

    The colour map's name is the path as given, so that a scene file keeps the path.

    Raises
    ------
    ImageLoadError
        A missing file, or not a regular file.
    BrainviewValueError
        Too large, binary, no colour rows, a row that is not a colour.
    """
    from matplotlib.colors import ListedColormap

    rows = _rows(path, name)
    rgba = _colors_of(rows, path, name)
    return ListedColormap(rgba, name=os.fspath(path))


def read_region_table(path, *, name="lut"):
    """``({label: name}, {label: (r, g, b)})`` of an FSLeyes ``.lut`` file, or None for another format.

    The file is read within the limits first (a hostile file is refused here);
    other formats (FreeSurfer LUTs, CSV/TSV tables with a header) are for
    :func:`brainview.io.label_tables.read_label_table`.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "atlas.lut")
    >>> with open(path, "w") as stream:
    ...     _ = stream.write("1 1 0 0 Left box\\n2 0 0 1 Right box\\n")
    >>> read_region_table(path)
    ({1: 'Left box', 2: 'Right box'}, {1: (1.0, 0.0, 0.0), 2: (0.0, 0.0, 1.0)})
    """
    rows = _rows(path, name)
    if not _is_fsl_lut(rows[0][1]):
        return None
    names, rgb = {}, {}
    for number, cells in rows:
        label, color, text = _fsl_lut_row(cells, number, path, name)
        if label in names:
            raise BrainviewValueError(f"{name}: '{Path(path).name}' line {number}: label {label} appears "
                                      "twice; give each label one row.")
        names[label], rgb[label] = text, color
    return names, rgb


# ---------------------------------------------------------------- reading


def _rows(path, name):
    """``[(line number, cells)]`` of the file's non-empty, non-comment lines, within the limits."""
    path = Path(path)
    check_regular_file(path, name)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise BrainviewValueError(
            f"{name}: '{path.name}' is {size:,} bytes; a colour file holds at most {MAX_BYTES:,}. {_FIX}")
    try:
        raw = path.read_bytes()[:MAX_BYTES]
    except OSError as error:
        raise ImageLoadError(f"{name}: could not read '{path}' ({error}).") from error
    if b"\0" in raw:
        raise BrainviewValueError(f"{name}: '{path.name}' is a binary file, not a text table of colours. {_FIX}")
    text = raw.decode("utf-8-sig", errors="replace")
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith(("#", "%", "//")):
            continue
        if len(line) > MAX_LINE or len(rows) > MAX_COLORS:  # refused before splitting it into cells
            what = f"line {number} is longer than {MAX_LINE:,} characters" if len(line) > MAX_LINE else \
                f"has more than {MAX_COLORS:,} rows"
            raise BrainviewValueError(f"{name}: '{path.name}' {what}; it is not a colour table. {_FIX}")
        rows.append((number, [cell.strip().strip('"') for cell in _SPLIT.split(line) if cell.strip()]))
    if not rows:
        raise BrainviewValueError(f"{name}: '{path.name}' holds no colour rows. {_FIX}")
    return rows


def _colors_of(rows, path, name):
    """``(n, 4)`` RGBA in 0..1 of a file's rows (FSL lut, FreeSurfer LUT or an RGB table)."""
    first = rows[0][1]
    if _is_fsl_lut(first):
        table = sorted(_fsl_lut_row(cells, number, path, name)[:2] for number, cells in rows)
        return _rgba([color for _, color in table], 1.0, path, name, rows[0][0])
    if _is_freesurfer_row(first):
        table = sorted(_freesurfer_row(cells, number, path, name) for number, cells in rows)
        return _rgba([color for _, color in table], 255.0, path, name, rows[0][0])
    columns = None
    if not all(_parses(cell) for cell in first):  # a header row (nan and inf are numbers, refused below)
        columns = _rgb_columns(first, path, name)
        rows = rows[1:]
        if not rows:
            raise BrainviewValueError(f"{name}: '{Path(path).name}' has a header and no colour rows. {_FIX}")
    values = []
    for number, cells in rows:
        picked = cells if columns is None else [cells[i] for i in columns if i < len(cells)]
        if len(picked) not in (3, 4) or not all(_is_number(cell) for cell in picked):
            raise BrainviewValueError(
                f"{name}: '{Path(path).name}' line {number} {' '.join(cells)[:60]!r} is not a colour "
                f"(3 or 4 numbers: r g b [a]). {_FIX}")
        values.append([float(cell) for cell in picked] + ([] if len(picked) == 4 else [np.nan]))
    table = np.array(values, dtype=float)
    scale = 255.0 if np.nanmax(table[:, :3]) > 1 else 1.0
    return _rgba(table, scale, path, name, rows[0][0])


def _rgba(colors, scale, path, name, number):
    """Checked ``(n, 4)`` RGBA in 0..1 of colours in 0..``scale`` (NaN alpha: opaque)."""
    table = np.array(colors, dtype=float).reshape(len(colors), -1)
    if table.shape[1] == 3:
        table = np.column_stack([table, np.full(len(table), np.nan)])
    alpha = table[:, 3]
    # A 0..255 table's alpha is 0..255 too (FreeSurfer's 4th column is 0, meaning opaque: dropped).
    table[:, 3] = np.where(np.isnan(alpha), scale, alpha)
    if not np.isfinite(table).all() or table.min() < 0 or table.max() > scale:
        high = "1" if scale == 1 else "255"
        raise BrainviewValueError(
            f"{name}: '{Path(path).name}' has colour values outside 0..{high} (from line {number}). {_FIX}")
    return table / scale


def _rgb_columns(header, path, name):
    """Positions of the r, g, b (and a) columns of a header row."""
    wanted = (("r", "red"), ("g", "green"), ("b", "blue"), ("a", "alpha"))
    lowered = [cell.lower() for cell in header]
    found = [next((i for i, cell in enumerate(lowered) if cell in names), None) for names in wanted]
    if None in found[:3]:
        raise BrainviewValueError(
            f"{name}: '{Path(path).name}' has a header {' '.join(header)[:60]!r} without r, g, b columns. "
            f"{_FIX}")
    return [i for i in found if i is not None]


def _is_number(text):
    try:
        return np.isfinite(float(text))
    except (ValueError, OverflowError):
        return False


def _parses(text):
    try:
        float(text)
    except (ValueError, OverflowError):
        return False
    return True


def _is_label(text):
    return text.isdigit() and len(text) < 12


def _is_fsl_lut(cells):
    """``17 0.8 0.2 0.1 Left Hippocampus``: a label, three numbers, then a name."""
    return len(cells) >= 5 and _is_label(cells[0]) and all(_is_number(c) for c in cells[1:4]) \
        and not _is_number(cells[4])


def _is_freesurfer_row(cells):
    """``17 Left-Hippocampus 220 216 20 0``: a label, a name, then three or four numbers."""
    return len(cells) in (5, 6) and _is_label(cells[0]) and not _is_number(cells[1]) \
        and all(_is_number(c) for c in cells[2:])


def _fsl_lut_row(cells, number, path, name):
    if not _is_fsl_lut(cells):
        raise BrainviewValueError(
            f"{name}: '{Path(path).name}' line {number} {' '.join(cells)[:60]!r} is not "
            f"'label r g b name' as the lines before it. {_FIX}")
    color = tuple(float(c) for c in cells[1:4])
    if min(color) < 0 or max(color) > 1:
        raise BrainviewValueError(
            f"{name}: '{Path(path).name}' line {number}: an FSL .lut colour is r g b in 0..1, got {color}.")
    return int(cells[0]), color, " ".join(cells[4:])


def _freesurfer_row(cells, number, path, name):
    if not _is_freesurfer_row(cells):
        raise BrainviewValueError(
            f"{name}: '{Path(path).name}' line {number} {' '.join(cells)[:60]!r} is not "
            f"'label name r g b a' as the lines before it. {_FIX}")
    return int(cells[0]), [float(c) for c in cells[2:5]]
