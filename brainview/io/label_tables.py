"""Names and colours of labels: dicts, pandas tables, CSV/TSV look-up tables, FreeSurfer LUTs.

:func:`read_label_table` turns what a parcellation's names and colours come
as into ``({label: name}, {label: (r, g, b)})``:

- a dict ``{label: name}``, ``{label: (name, colour)}`` or ``{label: colour}``;
- a list of names indexed by label value (``names[3]`` names label 3);
- a pandas ``Series`` (index: label, values: names) or ``DataFrame``;
- a ``.csv``/``.tsv`` file with a header (columns ``index``/``id``/``key``/``label``,
  ``name``, and ``r, g, b[, a]`` (0..255, or 0..1 when no value exceeds 1) or
  ``color`` (hex or a colour name));
- a FreeSurfer colour LUT (``FreeSurferColorLUT.txt``, ``.ctab``, ``.lut``:
  ``label name r g b a`` per line, ``#`` comments).

Examples
--------
>>> names, rgb = read_label_table({1: "V1", 2: ("V2", "#ff0000")})
>>> names, rgb
({1: 'V1', 2: 'V2'}, {2: (1.0, 0.0, 0.0)})
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np

from .. import colors as bvcolors
from ..errors import BrainviewTypeError, BrainviewValueError, ImageLoadError, describe
from ..limits import check_allocation
from .guards import check_regular_file

__all__ = ["read_label_table", "is_table_file", "TABLE_SUFFIXES"]

#: File names read as tables of names and colours (a header row, or FreeSurfer's LUT lines).
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".lut", ".ctab")

_INDEX_COLUMNS = ("index", "id", "key", "label", "labelvalue", "value", "roilabel", "no", "#no")
_NAME_COLUMNS = ("name", "labelname", "roiname", "region", "regionname", "structname")


def is_table_file(value):
    """A path whose suffix names a table of labels (see :data:`TABLE_SUFFIXES`)."""
    return isinstance(value, (str, os.PathLike)) and str(value).lower().endswith(TABLE_SUFFIXES)


def read_label_table(table, *, name="labels"):
    """``({label: name}, {label: (r, g, b)})`` of a table of label names and colours.

    Parameters
    ----------
    table : dict, list, pandas Series/DataFrame, str or pathlib.Path
        See the module docstring.
    name : str
        Parameter name used in error messages.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"index": [1, 2], "name": ["a", "b"], "color": ["red", "#0000ff"]})
    >>> read_label_table(frame)[1][2]
    (0.0, 0.0, 1.0)
    """
    if isinstance(table, (str, os.PathLike)):
        return _read_file(Path(table), name)
    if isinstance(table, dict):
        return _from_dict(table, name)
    if hasattr(table, "columns") and hasattr(table, "to_dict"):  # pandas DataFrame
        columns = {str(c): list(table[c]) for c in table.columns}
        if _pick(columns, _INDEX_COLUMNS) is None:  # labels as the frame's index
            columns["index"] = list(table.index)
        return _from_columns(columns, name)
    if hasattr(table, "index") and hasattr(table, "to_dict"):  # pandas Series
        return _from_dict(dict(zip(table.index.tolist(), table.tolist())), name)
    if isinstance(table, (list, tuple, np.ndarray)) and all(isinstance(n, (str, bytes, np.str_)) for n in table):
        return {i: _text(n) for i, n in enumerate(table)}, {}
    raise BrainviewTypeError(
        f"{name}: expected label names and colours as a dict {{label: name}} or {{label: (name, "
        "colour)}}, a list of names by label value, a pandas Series/DataFrame, or a .csv/.tsv/"
        f"FreeSurfer LUT path, got {describe(table)}."
    )


def label_key(key, name="labels"):
    """A table key as the integer label it names (``3``, ``3.0``, ``"3"``), else an error."""
    try:
        number = float(key) if not isinstance(key, (int, np.integer)) else key
        value = int(number)
    except (TypeError, ValueError, OverflowError):
        value, number = None, None
    if value is None or value != number or isinstance(key, bool):
        raise BrainviewValueError(
            f"{name}: the key {describe(key)} is not a label value; keys are the integers of the "
            "label array, e.g. {1: 'V1', 2: ('V2', 'red')}."
        )
    return value


def _from_dict(table, name):
    names, rgb = {}, {}
    for key, entry in table.items():
        label = label_key(key, name)
        if isinstance(entry, (tuple, list)) and len(entry) == 2 and isinstance(entry[0], (str, bytes)):
            names[label] = _text(entry[0])
            rgb[label] = _rgb(entry[1], f"{name}[{key!r}] colour")
        elif isinstance(entry, (str, bytes, np.str_)) and not _is_color_text(entry):
            names[label] = _text(entry)
        elif isinstance(entry, (str, tuple, list, np.ndarray)):
            names[label] = f"label {label}"
            rgb[label] = _rgb(entry, f"{name}[{key!r}]")
        else:
            raise BrainviewTypeError(
                f"{name}[{key!r}]: expected a name, a (name, colour) pair or a colour, got {describe(entry)}."
            )
    return names, rgb


def _is_color_text(text):
    return isinstance(text, str) and text.startswith("#") and len(text) in (4, 7, 9)


def _rgb(color, what):
    """A colour as ``(r, g, b)`` in 0..1: a name, hex, or 3/4 numbers (0..255 when any exceeds 1)."""
    if isinstance(color, (tuple, list, np.ndarray)):
        values = np.asarray(color, dtype=float).ravel()
        if len(values) in (3, 4) and np.isfinite(values).all() and values.min() >= 0:
            scale = 255.0 if values[:3].max() > 1 else 1.0
            if values[:3].max() <= 255:
                return tuple(float(v) for v in values[:3] / scale)
    return bvcolors.to_rgb(color, name=what)


def _text(label):
    return label.decode() if isinstance(label, bytes) else str(label)


def _normal(column):
    return column.strip().lower().replace(" ", "").replace("_", "").replace("-", "")


def _pick(columns, candidates):
    by_normal = {_normal(c): c for c in columns}
    for candidate in candidates:
        if candidate in by_normal:
            return by_normal[candidate]
    return None


def _from_columns(columns, name):
    """Names and colours of a table given as ``{column: values}``."""
    index_col = _pick(columns, _INDEX_COLUMNS)
    name_col = _pick([c for c in columns if c != index_col], _NAME_COLUMNS)
    if index_col is None or name_col is None:
        raise BrainviewValueError(
            f"{name}: the table needs a label column ({', '.join(_INDEX_COLUMNS[:4])}) and a "
            f"'name' column; it has {sorted(columns)}."
        )
    labels = [label_key(v, name) for v in columns[index_col]]
    if len(set(labels)) != len(labels):
        twice = sorted({v for v in labels if labels.count(v) > 1})[:5]
        raise BrainviewValueError(f"{name}: the labels {twice} appear more than once; each needs one row.")
    names = dict(zip(labels, (_text(n) for n in columns[name_col])))
    return names, _colors_of(columns, labels, name)


def _colors_of(columns, labels, name):
    color_col = _pick(columns, ("color", "colour", "hex", "rgb"))
    channels = [_pick(columns, (c, full)) for c, full in (("r", "red"), ("g", "green"), ("b", "blue"))]
    if color_col is not None:
        return {label: _rgb(c, f"{name} colour of {label}") for label, c in zip(labels, columns[color_col])
                if not _missing(c)}
    if all(channels):
        try:
            rows = np.array([columns[c] for c in channels], dtype=float).T
        except (TypeError, ValueError) as error:
            raise BrainviewValueError(f"{name}: the r, g, b columns must hold numbers ({error}).") from None
        scale = 255.0 if len(rows) and np.nanmax(rows) > 1 else 1.0
        if len(rows) and (np.nanmin(rows) < 0 or np.nanmax(rows) > 255):
            raise BrainviewValueError(f"{name}: r, g, b values must be in 0..255 (or 0..1).")
        return {label: tuple(float(v) for v in row / scale) for label, row in zip(labels, rows)
                if np.isfinite(row).all()}
    return {}


def _missing(value):
    return value is None or value == "" or (isinstance(value, float) and np.isnan(value))


def _read_file(path, name):
    check_regular_file(path, name)
    check_allocation(64 * path.stat().st_size, f"{name}: '{path.name}'")
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as error:
        raise ImageLoadError(f"{name}: could not read '{path}' ({error}).") from error
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise BrainviewValueError(f"{name}: '{path.name}' holds no table rows.")
    if _is_freesurfer_lut(lines[0]):
        return _freesurfer_lut(lines, path, name)
    delimiter = "\t" if "\t" in lines[0] else ("," if "," in lines[0] else None)
    if delimiter is None:
        raise BrainviewValueError(
            f"{name}: '{path.name}' is neither a table with a header row (comma or tab separated: "
            "index,name,r,g,b) nor a FreeSurfer LUT ('label name r g b a' per line)."
        )
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    header = [h.strip() for h in rows[0]]
    columns = {h: [row[i].strip() if i < len(row) else "" for row in rows[1:]] for i, h in enumerate(header)}
    return _from_columns(columns, f"{name} ('{path.name}')")


def _is_freesurfer_lut(line):
    """``17  Left-Hippocampus  220 216 20 0``: an integer, a name, then numbers."""
    parts = line.split()
    return (len(parts) >= 2 and parts[0].isdigit() and not _is_number(parts[1])
            and all(_is_number(p) for p in parts[2:6]))


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _freesurfer_lut(lines, path, name):
    names, rgb = {}, {}
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if not _is_freesurfer_lut(line):
            raise BrainviewValueError(
                f"{name}: '{path.name}' row {number} {line.strip()[:60]!r} is not 'label name r g b a' "
                "as the rows before it.")
        label = int(parts[0])
        names[label] = parts[1]
        if len(parts) >= 5:
            channels = np.array([float(p) for p in parts[2:5]])
            if channels.min() < 0 or channels.max() > 255:
                raise BrainviewValueError(f"{name}: '{path.name}' row {number}: r, g, b must be in 0..255.")
            rgb[label] = tuple(float(c) for c in channels / 255.0)
    return names, rgb
