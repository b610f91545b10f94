"""Legacy VTK polydata files (``.vtk``, ASCII or binary, versions 2 to 5.1) read without VTK.

VTK's own legacy reader trusts the counts a file declares: a crafted file
makes it write out of bounds (a segmentation fault). This reader checks
every count against the bytes that remain before reading, reads binary
blocks as views of the file, and raises ``ValueError`` (with where and what)
on anything it cannot read. It returns the arrays
:func:`brainview.io.tractography_files.read_streamline_file` needs: the
points, the lines as offsets and connectivity, the number of vertex cells
(cell data runs over vertices, then lines, then polygons) and the named
point and cell arrays (``SCALARS``, ``VECTORS``, ``NORMALS``, ``TENSORS``,
``TEXTURE_COORDINATES``, ``COLOR_SCALARS``, ``FIELD`` arrays).

Examples
--------
>>> text = (b"# vtk DataFile Version 3.0\\nlines\\nASCII\\nDATASET POLYDATA\\nPOINTS 3 float\\n"
...         b"0 0 0 1 0 0 2 0 0\\nLINES 1 4\\n3 0 1 2\\nPOINT_DATA 3\\nSCALARS fa float 1\\n"
...         b"LOOKUP_TABLE default\\n0.5 0.6 0.7\\n")
>>> arrays = read_legacy_polydata(text)
>>> arrays["offsets"].tolist(), arrays["connectivity"].tolist(), arrays["point_data"]["fa"].tolist()
([0, 3], [0, 1, 2], [0.5, 0.6, 0.7])
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["read_legacy_polydata"]

#: VTK's legacy data type names -> numpy type codes (binary data is big-endian).
_TYPES = {"bit": None, "unsigned_char": "u1", "char": "i1", "unsigned_short": "u2", "short": "i2",
          "unsigned_int": "u4", "int": "i4", "unsigned_long": "u8", "long": "i8",
          "unsigned_long_long": "u8", "long_long": "i8", "float": "f4", "double": "f8",
          "vtktypeint8": "i1", "vtktypeuint8": "u1", "vtktypeint16": "i2", "vtktypeuint16": "u2",
          "vtktypeint32": "i4", "vtktypeuint32": "u4", "vtktypeint64": "i8", "vtktypeuint64": "u8",
          "vtkidtype": "i8"}
_CELLS = ("VERTICES", "LINES", "POLYGONS", "TRIANGLE_STRIPS")
_HEADER = re.compile(r"# vtk DataFile Version (\d+)\.(\d+)", re.IGNORECASE)
_TOKEN = re.compile(rb"\S+")
_LINE_MAX = 4096
_ASCII_STEP = 1 << 20


class _Reader:
    """A position in the file's bytes: lines of text, binary blocks, ASCII numbers."""

    def __init__(self, data):
        self.data, self.pos, self.binary = data, 0, False

    def raw_line(self):
        end = self.data.find(b"\n", self.pos, self.pos + _LINE_MAX + 1)
        if end < 0:
            if len(self.data) - self.pos > _LINE_MAX:
                raise ValueError(f"the line at byte {self.pos} is longer than {_LINE_MAX} bytes")
            end = len(self.data)
        raw, self.pos = self.data[self.pos:end], end + 1
        return raw.decode("latin-1").strip()

    def line(self):
        """The next line that is not blank ('' at the end of the file)."""
        while self.pos < len(self.data):
            text = self.raw_line()
            if text:
                return text
        return ""

    def values(self, count, type_name):
        dtype = _TYPES.get(type_name.lower())
        if dtype is None:
            raise ValueError(f"data type {type_name!r} (brainview reads numbers only)")
        left = len(self.data) - self.pos
        if self.binary:
            dtype = np.dtype(">" + dtype)
            if count * dtype.itemsize > left:
                raise ValueError(f"{count} {type_name} values at byte {self.pos} run past the end of "
                                 f"the file ({left} bytes left)")
            out = np.frombuffer(self.data, dtype, count, self.pos)
            self.pos += count * dtype.itemsize
            return out
        if 2 * count > left + 1:  # each number takes a digit and a separator
            raise ValueError(f"{count} numbers at byte {self.pos} cannot fit in the {left} bytes left")
        return self._ascii(count, np.float64 if dtype[0] == "f" else np.int64)

    def _ascii(self, count, dtype):
        out, filled = np.empty(count, dtype), 0
        while filled < count:
            end = min(len(self.data), self.pos + _ASCII_STEP)
            if end < len(self.data):  # cut after the last whitespace: no number is split
                end = max(self.data.rfind(c, self.pos, end) for c in (b" ", b"\n", b"\t", b"\r")) + 1
                if end <= self.pos:
                    raise ValueError(f"a number at byte {self.pos} is longer than a MiB")
            tokens = self.data[self.pos:end].split()
            need = count - filled
            if len(tokens) >= need:
                for index, match in enumerate(_TOKEN.finditer(self.data, self.pos, end)):
                    if index == need - 1:
                        end = match.end()
                        break
                tokens = tokens[:need]
            elif end >= len(self.data):
                raise ValueError(f"the file ends after {filled + len(tokens)} of {count} numbers")
            try:
                out[filled:filled + len(tokens)] = np.array(tokens).astype(dtype)
            except (ValueError, OverflowError):
                raise ValueError(f"a value near byte {self.pos} is not a number of its type") from None
            filled, self.pos = filled + len(tokens), end
        return out


def _count(words, index, what):
    try:
        value = int(words[index])
    except (IndexError, ValueError):
        raise ValueError(f"the line {' '.join(words)!r} has no count of {what}") from None
    if value < 0:
        raise ValueError(f"the line {' '.join(words)!r} has a negative count")
    return value


def _word(words, index, line):
    if len(words) <= index:
        raise ValueError(f"the line {line!r} is incomplete")
    return words[index]


def read_legacy_polydata(data):
    """``{points, offsets, connectivity, n_verts, point_data, cell_data}`` of a legacy VTK polydata file.

    ``data``: the file's bytes (or a memory map of them). ``ValueError`` on a
    file this reader cannot read, saying where and what.
    """
    reader = _Reader(data)
    version = _HEADER.fullmatch(reader.raw_line())
    if version is None:
        raise ValueError("it does not start with '# vtk DataFile Version'")
    reader.raw_line()  # the title, maybe blank
    encoding = reader.line().upper()
    if encoding not in ("ASCII", "BINARY"):
        raise ValueError(f"its third line is {encoding!r}, not ASCII or BINARY")
    reader.binary = encoding == "BINARY"
    dataset = reader.line().split()
    if [word.upper() for word in dataset[:1]] != ["DATASET"] or len(dataset) < 2:
        raise ValueError("it has no DATASET line")
    if dataset[1].upper() != "POLYDATA":
        raise ValueError(f"it holds a {dataset[1]} dataset, not POLYDATA")
    modern = (int(version.group(1)), int(version.group(2))) >= (5, 0)
    arrays = {"points": None, "cells": {}, "POINT_DATA": {}, "CELL_DATA": {}}
    section = None
    while line := reader.line():
        words = line.split()
        key = words[0].upper()
        if key == "POINTS":
            n = _count(words, 1, "points")
            arrays["points"] = reader.values(3 * n, _word(words, 2, line)).reshape(n, 3)
        elif key in _CELLS:
            arrays["cells"][key] = _cells(reader, words, modern)
        elif key in ("POINT_DATA", "CELL_DATA"):
            section = (key, _count(words, 1, "values"))
        elif key == "METADATA":
            _skip_metadata(reader)
        elif section is None:
            raise ValueError(f"unknown or misplaced keyword {words[0]!r}")
        else:
            _attribute(reader, words, line, section, arrays[section[0]])
    return _result(arrays)


def _cells(reader, words, modern):
    """``(offsets, connectivity)`` of a cell block, either layout (5.x: OFFSETS/CONNECTIVITY)."""
    n, size = _count(words, 1, "cells"), _count(words, 2, "cell values")
    if modern:
        blocks = {}
        for expected, count in (("OFFSETS", n), ("CONNECTIVITY", size)):
            header = reader.line().split()
            if [word.upper() for word in header[:1]] != [expected]:
                raise ValueError(f"{' '.join(words)} is not followed by {expected}")
            blocks[expected] = reader.values(count, _word(header, 1, expected)).astype(np.int64)
        offsets, connectivity = blocks["OFFSETS"], blocks["CONNECTIVITY"]
        if n == 0:
            offsets = np.zeros(1, np.int64)
        if offsets[0] != 0 or offsets[-1] != size or np.any(offsets[1:] < offsets[:-1]):
            raise ValueError(f"the offsets of {words[0]} do not run from 0 to {size} in order")
        return offsets, connectivity
    values = reader.values(size, "int").astype(np.int64)
    offsets, counts, position = np.zeros(n + 1, np.int64), np.zeros(n, np.int64), 0
    for i in range(n):  # each cell is its point count, then the point ids
        if position >= size or not 0 <= values[position] <= size - position - 1:
            raise ValueError(f"cell {i} of {words[0]} runs past its {size} values")
        counts[i] = position
        offsets[i + 1] = offsets[i] + values[position]
        position += int(values[position]) + 1
    if position != size:
        raise ValueError(f"{words[0]} declares {size} values but its {n} cells hold {position}")
    keep = np.ones(size, bool)
    keep[counts] = False
    return offsets, values[keep]


def _skip_metadata(reader):
    """VTK 5.1's METADATA block: lines up to a blank one."""
    while reader.pos < len(reader.data) and reader.raw_line():
        pass


def _attribute(reader, words, line, section, table):
    """Read one attribute of a POINT_DATA/CELL_DATA section into ``table`` (name -> array)."""
    n = section[1]
    key = words[0].upper()
    if key == "FIELD":
        for _ in range(_count(words, 2, "arrays")):
            header = reader.line().split()
            while header and header[0].upper() == "METADATA":
                _skip_metadata(reader)
                header = reader.line().split()
            name, columns = _word(header, 0, "FIELD array"), _count(header, 1, "components")
            rows = _count(header, 2, "tuples")
            table[name] = reader.values(rows * columns, _word(header, 3, " ".join(header))).reshape(rows, columns)
        return
    name = _word(words, 1, line)
    if key == "SCALARS":
        columns = _count(words, 3, "components") if len(words) > 3 else 1
        table_line = reader.line().split()
        if [word.upper() for word in table_line[:1]] != ["LOOKUP_TABLE"]:
            raise ValueError(f"SCALARS {name} is not followed by LOOKUP_TABLE")
        table[name] = reader.values(n * columns, _word(words, 2, line)).reshape(n, columns)
    elif key in ("VECTORS", "NORMALS", "TENSORS"):
        columns = 9 if key == "TENSORS" else 3
        table[name] = reader.values(n * columns, _word(words, 2, line)).reshape(n, columns)
    elif key == "TEXTURE_COORDINATES":
        columns = _count(words, 2, "dimensions")
        table[name] = reader.values(n * columns, _word(words, 3, line)).reshape(n, columns)
    elif key == "COLOR_SCALARS":
        columns = _count(words, 2, "components")
        kind = "unsigned_char" if reader.binary else "float"
        table[name] = reader.values(n * columns, kind).reshape(n, columns)
    elif key == "LOOKUP_TABLE":  # a colour table of its own: read past it
        reader.values(4 * _count(words, 2, "colours"), "unsigned_char" if reader.binary else "float")
    else:
        raise ValueError(f"unknown keyword {words[0]!r}")


def _result(arrays):
    points = arrays["points"]
    if points is None:
        raise ValueError("it has no POINTS")
    cells = arrays["cells"]
    if "LINES" not in cells or len(cells["LINES"][0]) < 2:
        total = sum(len(offsets) - 1 for offsets, _ in cells.values())
        raise ValueError(f"it has no lines (it holds {total} other cells); it is no tractogram. "
                         "A surface mesh is drawn with bv.surface")
    offsets, connectivity = cells["LINES"]
    return {"points": points, "offsets": offsets, "connectivity": connectivity,
            "n_verts": len(cells["VERTICES"][0]) - 1 if "VERTICES" in cells else 0,
            "point_data": {name: _squeeze(values) for name, values in arrays["POINT_DATA"].items()},
            "cell_data": {name: _squeeze(values) for name, values in arrays["CELL_DATA"].items()}}


def _squeeze(values):
    return values[:, 0] if values.shape[1] == 1 else values
