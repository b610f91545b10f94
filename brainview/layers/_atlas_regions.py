"""An atlas's regions as model data: names by label, what selects them, their colours, their cells.

Examples
--------
>>> index = RegionIndex({3: "left box", 9: "right box"})
>>> index.resolve("right").tolist(), index.positions([9]).tolist()
([9], [1])
>>> region_table(np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), index, {"left": "lime"}).tolist()
[[0, 255, 0, 255], [0, 0, 255, 255]]
"""

from __future__ import annotations

import difflib
import fnmatch
import re

import numpy as np

from .. import colors as bvcolors
from ..errors import BrainviewTypeError, BrainviewValueError, describe
from ..geometry.labels import label_array, triangle_mesh
from ._atlas_luts import is_color_file, region_colors_of_file

#: Qualitative palette for atlases without colours (neighbours get different ones).
PALETTE = "tab20"

# VTK is imported in the function that reads meshes: the atlas model imports this module, and
# ``import brainview.layers`` must not pay for it (issue 19).


class RegionIndex:
    """Region names by label value, and what selects them (names, globs, patterns, values).

    Examples
    --------
    >>> index = RegionIndex({3: "left box", 9: "right box"})
    >>> index.resolve("*BOX").tolist(), index.resolve(re.compile("^r")).tolist()
    ([3, 9], [9])
    """

    def __init__(self, names):
        self.values = label_array(sorted(names))
        self.names = {int(v): names[v] for v in self.values}
        self._by_name = {n: v for v, n in self.names.items()}

    def positions(self, labels):
        """Numbers 0..n-1 of label values among :attr:`values` (the colour table's rows)."""
        return np.searchsorted(self.values, np.asarray(labels, dtype=self.values.dtype))

    def resolve(self, value):
        """Label values selected by a region specification (see :attr:`Atlas.regions`)."""
        if value is None:
            return self.values
        items = value if isinstance(value, (list, tuple, set, np.ndarray)) else [value]
        chosen = []
        for item in items:
            chosen.extend(self._match(item))
        return label_array(sorted(set(chosen)))

    def resolve_colors(self, value):
        """``{label value: (r, g, b)}`` of a ``{region: colour}`` dict or of a colour file's rows."""
        if is_color_file(value):
            return region_colors_of_file(value, self.names)
        if not isinstance(value, dict):
            raise BrainviewTypeError(
                f"colors: expected a dict {{region name or label: colour}} or the path of a colour file "
                f"('regions.lut', FreeSurferColorLUT.txt), got {describe(value)}."
            )
        resolved = {}
        for key, color in value.items():
            rgb = bvcolors.to_rgb(color, name=f"colors[{key!r}]")
            for label in self.resolve([key]):
                resolved[int(label)] = rgb
        return resolved

    def _match(self, item):
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            if int(item) not in self.names:
                raise BrainviewValueError(
                    f"regions: no region has label {item}; labels run "
                    f"{self.values.min()}..{self.values.max()} ({len(self.values)} regions)."
                )
            return [int(item)]
        if isinstance(item, re.Pattern):
            found = [v for v, n in self.names.items() if item.search(n)]
            if not found:
                raise BrainviewValueError(f"regions: the pattern {item.pattern!r} matches no region name.")
            return found
        if not isinstance(item, str):
            raise BrainviewTypeError(
                f"regions: expected region names, patterns or label values, got {describe(item)}."
            )
        return self._match_text(item)

    def _match_text(self, text):
        """Regions named ``text``, else containing it, else matching it as a shell glob (any case).

        Text is never run as a regular expression: text typed into the app
        cannot hang it (``"(a+)+$"`` is catastrophic for a backtracking
        regex). Python's glob translation has no catastrophic backtracking.
        """
        lowered = text.lower()
        exact = [v for v, n in self.names.items() if n.lower() == lowered]
        if exact:
            return exact
        found = [v for v, n in self.names.items() if lowered in n.lower()]
        if found:
            return found
        found = [v for v, n in self.names.items() if fnmatch.fnmatchcase(n.lower(), lowered)]
        if found:
            return found
        close = difflib.get_close_matches(text, list(self._by_name), n=5, cutoff=0.5)
        hint = f" Close matches: {', '.join(repr(c) for c in close)}." if close else ""
        raise BrainviewValueError(
            f"regions: no region matches {text!r} (by name, substring or shell glob such as "
            f"'Default*').{hint} See atlas.names for all names."
        )


def region_table(base_colors, index, overrides):
    """The colour table: one RGBA row (0..255, uint8) per region in label order, overrides applied."""
    rgba = np.ones((len(index.values), 4))
    rgba[:, :3] = base_colors
    for label, rgb in index.resolve_colors(overrides or {}).items():
        rgba[index.positions([label])[0], :3] = rgb
    return np.rint(rgba * 255).astype(np.uint8)


def region_numbers(mesh, values):
    """Each cell's region as its number 0..n-1 in ``values`` (also stored as ``"region_index"``)."""
    region = np.asarray(mesh.cell_data["region"]) if mesh.n_cells else np.zeros(0, np.int64)
    numbers = np.searchsorted(values, region.astype(values.dtype)).astype(np.int32)
    if mesh.n_cells:
        mesh.cell_data["region_index"] = numbers
    return numbers


def subset_mesh(mesh, mesh_region, keep_region):
    """The cells of the kept regions (by region number), sharing the points and normals of ``mesh``."""
    from vtkmodules.util.numpy_support import vtk_to_numpy

    keep = keep_region[mesh_region]
    connectivity = vtk_to_numpy(mesh.GetPolys().GetConnectivityArray()).reshape(-1, 3)
    subset = triangle_mesh(np.zeros((0, 3)), connectivity[keep])
    subset.SetPoints(mesh.GetPoints())
    subset.GetPointData().ShallowCopy(mesh.GetPointData())
    subset.cell_data["region"] = np.asarray(mesh.cell_data["region"])[keep]
    subset.cell_data["region_index"] = mesh_region[keep]
    return subset


def qualitative(labels, pairs):
    """Greedy colouring over the region adjacency graph: neighbours differ.

    Regions in order of decreasing degree take the least-used palette colour
    that no coloured neighbour has (when the palette allows).

    Examples
    --------
    >>> rgb = qualitative(np.array([1, 2, 3]), [(1, 2), (2, 3)])
    >>> bool(np.any(rgb[0] != rgb[1])), bool(np.any(rgb[1] != rgb[2]))
    (True, True)
    """
    palette = bvcolors.cmap_table(PALETTE, 20)[:, :3]
    # tab20 pairs dark/light shades: interleave them so the first 10 picks are distinct hues
    palette = np.concatenate([palette[0::2], palette[1::2]])
    index = {int(v): i for i, v in enumerate(labels)}
    neighbours = [set() for _ in labels]
    for a, b in np.asarray(pairs).reshape(-1, 2).tolist():
        if int(a) in index and int(b) in index:
            neighbours[index[int(a)]].add(index[int(b)])
            neighbours[index[int(b)]].add(index[int(a)])
    order = sorted(range(len(labels)), key=lambda i: (-len(neighbours[i]), i))
    chosen = np.full(len(labels), -1)
    used = np.zeros(len(palette), dtype=int)
    for i in order:
        taken = {chosen[j] for j in neighbours[i]}
        free = [c for c in range(len(palette)) if c not in taken] or list(range(len(palette)))
        pick = min(free, key=lambda c: (used[c], c))
        chosen[i] = pick
        used[pick] += 1
    return palette[chosen]
