"""Label tables: the region names (and colours) of an atlas, from a file beside it or named.

:func:`label_table_beside` finds the table next to an atlas file;
:func:`read_label_table` reads TSV/CSV tables with ``index`` and ``name``
columns (or ``label,name``, ``id,label``...), FreeSurfer colour tables,
FSLeyes ``.lut`` files, ``index name`` lines and plain name lists.

Examples
--------
>>> file_stem("sub-01_dseg.nii.gz")
'sub-01_dseg'
>>> label_table_beside("/nonexistent/atlas.nii.gz") is None
True
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

from ..errors import BrainviewValueError

__all__ = ["FREESURFER_SEGMENTATIONS", "file_stem", "label_table_beside", "read_label_table"]

#: Names of FreeSurfer segmentations (``aseg``, ``aparc+aseg``, ``wmparc``, ``ribbon``...).
FREESURFER_SEGMENTATIONS = re.compile(
    r"^(aseg|aparc.*\+aseg|wmparc|ribbon|.*h\.ribbon|apas\+head|aseg\.auto.*)$", re.I)
_TABLE_SUFFIXES = (".tsv", ".txt", ".csv", ".lut", "_labels.tsv", "_labels.txt", "_lut.tsv", "_lut.txt")
#: Header words of the index column, then of the name column, in order of preference
#: (``label`` is the index beside a ``name`` column, the name beside an ``id`` column).
_INDEX_COLUMNS = ("index", "id", "idx", "key", "label_id", "value", "label")
_NAME_COLUMNS = ("name", "label_name", "region", "structure", "roi", "label")


def file_stem(name):
    """A file name without its image or surface suffix (``"zstat1.nii.gz"`` -> ``"zstat1"``)."""
    for suffix in (".nii.gz", ".gii.gz", ".nii", ".gii", ".mgz", ".mgh", ".mnc", ".hdr", ".img"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def label_table_beside(path):
    """The label table next to an atlas file, or None.

    Looked for: ``<stem>.tsv``, ``<stem>.txt``, ``<stem>.csv``, ``<stem>.lut``,
    ``<stem>_labels.tsv``/``.txt``, ``<stem>_lut.tsv``/``.txt`` and, for
    FreeSurfer segmentations, ``FreeSurferColorLUT.txt`` in the same folder
    or in ``$FREESURFER_HOME``.

    Examples
    --------
    >>> label_table_beside("/nonexistent/atlas.nii.gz") is None
    True
    """
    path = Path(path)
    stem = file_stem(path.name)
    for suffix in _TABLE_SUFFIXES:
        candidate = path.with_name(stem + suffix)
        if candidate.is_file():
            return candidate
    if FREESURFER_SEGMENTATIONS.match(stem):
        for folder in (path.parent, Path(os.environ.get("FREESURFER_HOME", "/nonexistent"))):
            candidate = folder / "FreeSurferColorLUT.txt"
            if candidate.is_file():
                return candidate
    return None


def read_label_table(path):
    """Region names (and colours) from a label file, as ``Atlas`` accepts them.

    Reads a table with ``index`` and ``name`` columns (TSV, CSV or
    semicolon-separated, as spreadsheets save it, a byte-order mark
    included; BIDS ``dseg.tsv``, nilearn's ``lut``; an optional ``color``
    column; the header may say ``label,name`` or ``id,label``), a FreeSurfer
    colour table (``index name R G B A`` lines), an FSLeyes ``.lut``
    (``index r g b name`` lines, colours from 0 to 1) or ``index name``
    lines, or a plain list of names, one per line.

    Returns
    -------
    dict
        Keyword arguments for :class:`~brainview.layers.Atlas`: ``{"lut": columns}``
        or ``{"labels": names}``.

    Raises
    ------
    BrainviewValueError
        The file is missing, empty or has rows that are none of these forms.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "lut.txt")
    >>> _ = open(path, "w").write("# FreeSurfer\\n0 Unknown 0 0 0 0\\n17 Left-Hippocampus 220 216 20 0\\n")
    >>> read_label_table(path)["lut"]["name"]
    ['Unknown', 'Left-Hippocampus']
    """
    path = Path(path)
    if not path.is_file():
        raise BrainviewValueError(f"labels: file not found: '{path}'. Check the path.")
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")  # a spreadsheet's byte-order mark
    except OSError as error:
        raise BrainviewValueError(f"labels: could not read '{path}' ({error}).") from error
    lines = [line.strip() for line in text.splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise BrainviewValueError(f"labels: '{path}' holds no names.")
    delimiter = next((mark for mark in ("\t", ",", ";") if mark in lines[0]), None)
    header = [cell.strip().lower() for cell in (lines[0].split(delimiter) if delimiter else lines[0].split())]
    index, name = _header_columns(header)
    if index is not None:
        rows = list(csv.DictReader(lines, delimiter=delimiter or " ", skipinitialspace=True))
        rows = [{key.strip().lower(): (value or "").strip() for key, value in row.items() if key}
                for row in rows]
        return {"lut": _columns(path, [(row[index], row[name], row.get("color")) for row in rows])}
    cells = [[cell.strip() for cell in (line.split(delimiter) if delimiter else line.split())]
             for line in lines]
    if all(len(cell) >= 2 and cell[0].lstrip("-").isdigit() for cell in cells):
        return {"lut": _columns(path, [_indexed_row(cell) for cell in cells])}
    return {"labels": lines}


def _header_columns(header):
    """``(index column, name column)`` of a table's header words, or ``(None, None)`` for no header."""
    index = next((word for word in _INDEX_COLUMNS if word in header), None)
    name = next((word for word in _NAME_COLUMNS if word in header and word != index), None)
    return (index, name) if index is not None and name is not None else (None, None)


def _fractions(cells):
    """The floats of ``cells`` when all are numbers from 0 to 1, else None."""
    try:
        values = [float(cell) for cell in cells]
    except ValueError:
        return None
    return values if all(0.0 <= value <= 1.0 for value in values) else None


def _indexed_row(cells):
    """``(index, name, colour)`` of ``index name [R G B [A]]`` cells (FreeSurfer's LUT) or of
    ``index r g b name`` cells (FSLeyes' ``.lut``, colours from 0 to 1)."""
    rgb = _fractions(cells[1:4]) if len(cells) >= 5 else None
    if rgb is not None:
        return cells[0], " ".join(cells[4:]), "#" + "".join(f"{round(255 * value):02x}" for value in rgb)
    for n_numbers in (4, 3):
        numbers = cells[-n_numbers:]
        if len(cells) >= 2 + n_numbers and all(c.isdigit() for c in numbers):
            color = "#" + "".join(f"{min(int(c), 255):02x}" for c in numbers[:3])
            return cells[0], " ".join(cells[1:-n_numbers]), color
    return cells[0], " ".join(cells[1:]), None


def _columns(path, rows):
    try:
        indices = [int(index) for index, _, _ in rows]
    except ValueError:
        raise BrainviewValueError(f"labels: '{path}': the index column must hold integers.") from None
    columns = {"index": indices, "name": [name for _, name, _ in rows]}
    colors = [color or None for _, _, color in rows]
    if all(colors):
        columns["color"] = colors
    return columns
