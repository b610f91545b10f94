"""Node colours of a graph: one colour, one per node, or categories with a legend.

Pure computation (no rendering); :func:`node_colors` is also importable from
:mod:`brainview.geometry.graph`.

Examples
--------
>>> rgb, legend = node_colors(["b", "a", "b"], 3)
>>> legend[0][0], rgb.shape
('a', (3, 3))
"""

from __future__ import annotations

import numpy as np

from ..errors import BrainviewValueError, describe

__all__ = ["node_colors"]


def _category_palette(n_categories):
    """``n`` distinct colours: tab10, tab20, or evenly spaced hues beyond 20."""
    from ..colors import get_cmap

    if n_categories <= 10:
        return np.asarray(get_cmap("tab10").colors)[:n_categories, :3]
    if n_categories <= 20:
        # tab20's dark shades first, then the light ones: neighbours differ most.
        table = np.asarray(get_cmap("tab20").colors)[:, :3]
        return np.concatenate([table[0::2], table[1::2]])[:n_categories]
    return get_cmap("hsv")(np.arange(n_categories) / n_categories)[:, :3]


def node_colors(node_color, n_nodes, name="node_color"):
    """RGB per node, and the legend when ``node_color`` holds categories.

    Parameters
    ----------
    node_color : colour, sequence of n colours, sequence of n categories, or "auto"
        Categories (e.g. network names, or integer labels) that are not all
        colours get distinct colours from a qualitative colormap (tab10, or
        tab20 beyond 10 categories), in sorted order. "auto" is nilearn's
        default: Set2 sampled across the nodes.

    Returns
    -------
    rgb : (n, 3) float array in 0..1
    legend : list of (category, (r, g, b)) or None

    Examples
    --------
    >>> rgb, legend = node_colors(["DMN", "Visual", "DMN"], 3)
    >>> [name for name, _ in legend]
    ['DMN', 'Visual']
    >>> bool((rgb[0] == rgb[2]).all())
    True
    >>> node_colors("red", 2)[0].tolist()
    [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]
    """
    from ..colors import get_cmap, to_rgb

    categorical = _categorical(node_color, n_nodes, name)
    if categorical is not None:
        return categorical
    if isinstance(node_color, str) and node_color == "auto":
        return get_cmap("Set2")(np.linspace(0, 1, n_nodes))[:, :3], None
    if isinstance(node_color, (str, tuple)) or (
            np.ndim(node_color) == 1 and len(node_color) in (3, 4)
            and np.asarray(node_color).dtype.kind == "f"):
        return np.tile(to_rgb(node_color, name=name), (n_nodes, 1)), None
    return _listed_colors(node_color, n_nodes, name)


def _listed_colors(node_color, n_nodes, name):
    """Colours of a sequence of n colours or n categories (with the legend of the categories)."""
    from ..colors import to_rgb

    try:
        items = np.asarray(node_color)
    except (TypeError, ValueError):
        items = None
    if items is None or items.ndim not in (1, 2) or len(items) != n_nodes:
        raise BrainviewValueError(
            f"{name}: expected one colour, {n_nodes} colours or {n_nodes} categories (one per "
            f"node), got {describe(node_color)}."
        )
    if items.ndim == 2:
        if items.shape[1] not in (3, 4) or items.dtype.kind not in "iuf":
            raise BrainviewValueError(
                f"{name}: expected an (n, 3) or (n, 4) array of RGB(A) in 0..1, got {items.shape}."
            )
        return np.array([to_rgb(tuple(row), name=name) for row in items]), None
    if items.dtype.kind in "US":
        try:
            return np.array([to_rgb(str(item), name=name) for item in items]), None
        except BrainviewValueError:
            pass  # not all colours: they are categories
    elif items.dtype.kind == "O" and all(isinstance(item, str) for item in items):
        items = items.astype(str)  # a pandas Series of network names holds objects
    elif items.dtype.kind not in "biu":
        raise BrainviewValueError(
            f"{name}: categories must be strings or integers, got dtype {items.dtype}."
        )
    categories, index = np.unique(items, return_inverse=True)
    palette = _category_palette(len(categories))
    legend = [(str(category), tuple(float(c) for c in palette[i]))
              for i, category in enumerate(categories)]
    return palette[index.ravel()], legend


def _categorical(node_color, n_nodes, name):
    """Colours and legend of a pandas Categorical (or category Series), in its category order."""
    values = getattr(node_color, "cat", node_color)  # Series.cat exists only for categories
    codes, categories = getattr(values, "codes", None), getattr(values, "categories", None)
    if codes is None or categories is None:
        return None
    codes = np.asarray(codes)
    if codes.shape != (n_nodes,):
        raise BrainviewValueError(
            f"{name}: expected {n_nodes} categories (one per node), got {codes.size}.")
    if (codes < 0).any():
        raise BrainviewValueError(
            f"{name}: {int((codes < 0).sum())} node(s) have no category (NaN); give every node "
            "one, e.g. series.cat.add_categories('unassigned').fillna('unassigned').")
    palette = _category_palette(len(categories))
    legend = [(str(category), tuple(float(c) for c in palette[i]))
              for i, category in enumerate(categories)]
    return palette[codes], legend
