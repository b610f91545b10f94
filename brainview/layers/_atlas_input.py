"""Reading what an atlas can be given as: images, Bunches, name lists, dicts, LUT tables.

Examples
--------
>>> import numpy as np
>>> source = read((np.zeros((2, 2, 2)), np.eye(4)), labels={1: "a"}, lut=None)
>>> source.labels
{1: 'a'}
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import colors as bvcolors
from ..errors import BrainviewTypeError, BrainviewValueError, describe
from ..geometry.labels import present_labels
from ..io import Image, check_affine, load_image, read_dataobj, read_image_file
from ..io.cifti import cifti_atlas
from ..io.lut_files import read_region_table
from ._atlas_luts import read_region_file
from .base import check_choice

_BACKGROUND = ("background", "unknown", "none", "???", "")


@dataclass
class Source:
    maps: object
    labels: object = None
    lut: object = None
    colors: object = None
    name: str = "atlas"


def _field(obj, key):
    """``obj.key`` or ``obj[key]`` (nilearn Bunches allow both), else None."""
    if isinstance(obj, (tuple, np.ndarray, str, bytes, os.PathLike)):
        return None
    if isinstance(obj, dict):
        return obj.get(key)
    try:
        return getattr(obj, key, None)
    except (KeyError, LookupError):
        return None


def read(atlas, *, labels, lut):
    """Split an atlas argument into maps, names, lut and colours."""
    name = _name_of(atlas, "atlas") if isinstance(atlas, (str, os.PathLike)) else "atlas"
    atlas = cifti_atlas(atlas)  # a CIFTI label file: its subcortical voxels and label table (io.cifti)
    maps = _field(atlas, "maps")
    if maps is not None:
        return Source(
            maps=maps,
            labels=labels if labels is not None else _field(atlas, "labels"),
            lut=lut if lut is not None else _field(atlas, "lut"),
            colors=_field(atlas, "colors"),
            name=_name_of(maps, name),
        )
    return Source(maps=atlas, labels=labels, lut=lut, name=_name_of(atlas, "atlas"))


def _name_of(maps, default):
    if isinstance(maps, (str, os.PathLike)):
        return Path(maps).name
    filename = getattr(maps, "get_filename", lambda: None)()
    return Path(filename).name if filename else default


def raw_array(maps):
    """``(data, affine)`` of an image input, 3-D or 4-D, without picking a volume."""
    if isinstance(maps, (str, os.PathLike)):
        data, affine, _ = read_image_file(Path(maps), "atlas")
    elif isinstance(maps, tuple) and len(maps) == 2:
        data, affine = maps
        if not isinstance(data, np.ndarray):
            raise BrainviewTypeError(
                f"atlas: the first element of an (array, affine) pair must be a numpy array, "
                f"got {describe(data)}."
            )
    elif hasattr(maps, "dataobj") and hasattr(maps, "affine"):
        data, affine = read_dataobj(maps, "atlas", None)
    else:
        raise BrainviewTypeError(
            f"atlas: expected a label image (path, nibabel image, (array, affine)) or an atlas "
            f"Bunch with 'maps' and 'labels', got {describe(maps)}."
        )
    data = np.asanyarray(data)
    if data.ndim not in (3, 4):
        raise BrainviewValueError(
            f"atlas: expected a 3-D label image or a 4-D set of probability maps, got "
            f"{data.ndim}-D data of shape {data.shape}."
        )
    return data, check_affine(affine, "atlas")


def names_and_colors(source, map_values, data, *, default="label"):
    """``({label: name}, colours (n, 3) in label order or None)`` for the present labels.

    ``map_values`` are the label values of a probabilistic atlas (1..K);
    otherwise the labels present in ``data`` are used. Unnamed labels are
    called ``f"{default} {value}"``.
    """
    values = map_values if map_values is not None else present_labels(data)
    table_names, table_colors = {}, {}
    if source.lut is not None:
        table_names, table_colors = _read_lut(source.lut)
    names = dict(table_names)
    if source.labels is not None:
        names.update(_names_from_labels(source.labels, values, probabilistic=map_values is not None))
    by_value = {}
    seen = {}
    for value in values:
        name = str(names.get(int(value), f"{default} {int(value)}"))
        if name in seen:  # names are keys (regions=, centroids()): keep them unique
            name = f"{name} ({int(value)})"
        seen[name] = value
        by_value[int(value)] = name
    colors = None
    if table_colors and all(int(v) in table_colors for v in values):
        colors = np.array([table_colors[int(v)] for v in values])
    elif source.colors is not None:
        colors = _colors_from_list(source.colors, source.labels, values)
    return by_value, colors


def _names_from_labels(labels, values, *, probabilistic):
    if isinstance(labels, dict):
        return {_label_key(k): str(v) for k, v in labels.items()}
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
        raise BrainviewTypeError(
            f"labels: expected a list of names or a dict {{label: name}}, got {describe(labels)}."
        )
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in labels]
    return {int(v): names[i] for v, i in zip(values, _positions(names, values, probabilistic))}


def _label_key(key):
    """A ``labels`` dict key as the integer label value it names."""
    try:
        return int(key)
    except (TypeError, ValueError, OverflowError):
        raise BrainviewValueError(
            f"labels: the dict's keys are label values (integers in the atlas image), got the "
            f"key {describe(key)}; write {{1: {describe(key)}, ...}} to name label 1, or pass "
            "a list of names in label order."
        ) from None


def _positions(names, values, probabilistic):
    """Index into ``names`` of each label value (see the Atlas ``labels`` parameter).

    A list is indexed by label value only when its first entry names the
    background (``"Background"``, ``"Unknown"``, ...): otherwise a list one
    longer than the regions would shift every name by one without a word.
    """
    values = [int(v) for v in np.asarray(values).tolist()]
    has_background = bool(names) and names[0].strip().lower() in _BACKGROUND
    high = max(values, default=0)
    if probabilistic:
        if len(names) == len(values) + 1 and has_background:
            return np.asarray(values)
        if len(names) == len(values):
            return np.asarray(values) - 1
    elif has_background and len(names) > high:
        return np.asarray(values)
    elif not has_background and len(names) == len(values):
        return np.arange(len(values))
    if not has_background and len(names) > high:
        raise BrainviewValueError(
            f"labels: {len(names)} names for {len(values)} regions with label values up to "
            f"{high}, and the first name {names[0]!r} is not a background name: is it the name "
            "of label 0 or of the first region? Put 'Background' first to index the names by "
            "label value, give one name per region present (in label order), or a dict "
            "{label: name}."
        )
    raise BrainviewValueError(
        f"labels: {len(names)} names for {len(values)} regions with label values up to {high}. "
        "Give one name per label value (index 0 'Background'), one per region present, "
        "or a dict {label: name}."
    )


def _colors_from_list(colors, labels, values):
    rows = np.asarray(colors, dtype=float)
    if labels is not None and not isinstance(labels, dict) and len(labels) == len(rows):
        names = [str(n) for n in labels]
        positions = _positions(names, values, probabilistic=False)
    else:
        positions = np.asarray(values) if len(rows) > int(np.max(values)) else np.arange(len(values))
    if rows.ndim != 2 or rows.shape[1] < 3 or positions.max() >= len(rows):
        raise BrainviewValueError(f"colors: expected one (r, g, b) row per label, got {describe(colors)}.")
    return rows[positions, :3]


def _lut_index(value):
    """A LUT row's label value as an int (an integer-valued number or text), else an error."""
    try:
        number = float(value) if not isinstance(value, (int, np.integer)) else value
        index = int(number)
    except (TypeError, ValueError, OverflowError):
        raise BrainviewValueError(f"lut: the index {value!r} is not a label value (an integer >= 0).") from None
    if index != number or index < 0:
        raise BrainviewValueError(f"lut: the index {value!r} is not a label value (an integer >= 0).")
    return index


def _is_index_name_tsv(path):
    """A tab-separated table whose header has ``index`` and ``name`` (nilearn's lut; read below)."""
    with open(path, encoding="utf-8-sig", errors="replace") as stream:
        header = stream.readline(4096).rstrip("\r\n").split("\t")
    return "index" in header and "name" in header


def _read_lut(lut):
    """``({index: name}, {index: rgb})`` from a DataFrame-like table or a table file."""
    if isinstance(lut, (str, os.PathLike)):
        path = Path(lut)
        if not path.exists():
            raise BrainviewValueError(f"lut: file not found: '{path}'.")
        if read_region_table(path, name="lut") is not None or not _is_index_name_tsv(path):
            return read_region_file(path, name="lut")  # FSLeyes .lut, FreeSurfer LUT, CSV/TSV tables
        with open(path, newline="") as stream:
            rows = list(csv.DictReader(stream, delimiter="\t"))
        columns = {key: [row.get(key) for row in rows] for key in (rows[0] if rows else {})}
    else:
        try:
            columns = {key: list(lut[key]) for key in lut.keys()}
        except (TypeError, AttributeError, KeyError):
            raise BrainviewTypeError(
                f"lut: expected a table with columns 'index' and 'name' (a pandas DataFrame "
                f"or a TSV path), got {describe(lut)}."
            ) from None
    if "index" not in columns or "name" not in columns:
        raise BrainviewValueError(
            f"lut: the table needs 'index' and 'name' columns, it has {sorted(columns)}."
        )
    indices = [_lut_index(i) for i in columns["index"]]
    seen = set()
    for index in indices:
        if index in seen:
            raise BrainviewValueError(
                f"lut: the index {index} appears more than once; each label value needs one row "
                "(one name and colour).")
        seen.add(index)
    names = dict(zip(indices, (str(n) for n in columns["name"])))
    rgb = {}
    for index, color in zip(indices, columns.get("color") or []):
        if color is None or (isinstance(color, float) and np.isnan(color)) or color == "":
            continue
        rgb[index] = bvcolors.to_rgb(color, name=f"lut color of {index}")
    return names, rgb


def load_maps(maps):
    """The Image (first volume for 4-D input) and the full 3-D or 4-D array."""
    if isinstance(maps, Image):
        return maps, maps.data
    data, affine = raw_array(maps)
    if data.ndim == 4 and data.shape[3] == 1:
        data = data[..., 0]
    if data.ndim == 4:
        return load_image((data, affine), volume=0, name="atlas"), data
    return load_image((data, affine), name="atlas"), data


def check_kind(kind, maps):
    """The atlas kind, ``"deterministic"`` (3-D labels) or ``"probabilistic"`` (4-D maps), checked."""
    check_choice(kind, (None, "deterministic", "probabilistic"), "kind")
    if maps.ndim == 4 and kind == "deterministic":
        raise BrainviewValueError(
            f"atlas: a deterministic atlas is one 3-D label image, got 4-D data of shape {maps.shape}. "
            "A 4-D image holds one probability map per region: pass kind='probabilistic' "
            "(or leave kind=None)."
        )
    if maps.ndim == 3 and kind == "probabilistic":
        raise BrainviewValueError(
            f"atlas: a probabilistic atlas is a 4-D image (one map per region), got 3-D data "
            f"of shape {maps.shape}. Pass kind='deterministic' for a label image."
        )
    return kind or ("probabilistic" if maps.ndim == 4 else "deterministic")
