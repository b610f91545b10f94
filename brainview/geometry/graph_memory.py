"""Memory a connectome needs, checked against the budget before anything is allocated.

A connectome keeps every non-zero edge (so ``edge_threshold`` can change
live) and draws those at or above the threshold; both are estimated per edge
from measurements, and refused with the estimate and a fix when over
:func:`brainview.set_limits`'s budget.

Examples
--------
>>> check_edge_memory(1000, 50)
"""

from __future__ import annotations

import math

from ..errors import MemoryBudgetError
from ..limits import check_allocation, max_bytes

__all__ = ["MATRIX_ENTRY_BYTES", "EDGE_BYTES", "DRAWN_EDGE_BYTES", "TUBE_EDGE_BYTES",
           "check_edge_memory", "check_drawn_edges"]

#: Bytes per matrix entry while a matrix is validated: its float64 copy and the
#: symmetry test's temporaries (measured: 18 at 1500 nodes).
MATRIX_ENTRY_BYTES = 24

#: Bytes per edge a connectome holds (measured: 197 at 1500 dense nodes, 216 with the drawer's
#: arrays at 1000 nodes in ``scripts/benchmark.py memory``): the
#: sorted edge list, the per-edge arrays any threshold slices, and the copies
#: made while they are built. Every non-zero edge is kept, not only those drawn.
EDGE_BYTES = 216

#: Bytes more per edge drawn as a line, and as a tube (measured at 1500 and 800
#: dense nodes: 570 and 6,400), in the drawing's VTK and OpenGL buffers.
DRAWN_EDGE_BYTES = 600
TUBE_EDGE_BYTES = 6600

_FEWER_EDGES = (
    "edge_threshold= only hides edges (every non-zero edge is kept so the threshold can change "
    "live): set the weights you do not want to 0 before passing the matrix, e.g. "
    "matrix = np.where(np.abs(matrix) >= np.nanpercentile(np.abs(matrix), 99), matrix, 0) "
    "to keep about what edge_threshold='99%' draws."
)


def check_edge_memory(n_edges, n_nodes, *, name="adjacency_matrix"):
    """Refuse, before allocating, a graph whose edges need more than the memory budget.

    The estimate is :data:`EDGE_BYTES` per non-zero edge; the message gives
    it, the budget, and how to keep fewer edges.

    Examples
    --------
    >>> check_edge_memory(1000, 50)
    >>> import brainview as bv
    >>> from brainview.errors import MemoryBudgetError
    >>> with bv.set_limits(max_bytes=2**20):
    ...     try:
    ...         check_edge_memory(10**6, 2000)
    ...     except MemoryBudgetError as error:
    ...         print(str(error)[:63])
    adjacency_matrix: 1000000 edges (the non-zero weights of a 2000
    """
    try:
        check_allocation(
            EDGE_BYTES * n_edges,
            f"{name}: {n_edges} edges (the non-zero weights of a {n_nodes}-node graph)",
        )
    except MemoryBudgetError as error:
        raise MemoryBudgetError(f"{error} {_FEWER_EDGES}") from None


def check_drawn_edges(edges, edge_threshold, *, tubes=False, name="edge_threshold"):
    """``edge_threshold`` resolved, after refusing a drawing that needs more than the budget.

    A drawn edge costs :data:`DRAWN_EDGE_BYTES` (lines) or :data:`TUBE_EDGE_BYTES`
    (tubes) beside the :data:`EDGE_BYTES` every edge costs; the message names the
    ``edge_threshold`` percentile that fits.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.geometry.graph import extract_edges
    >>> edges = extract_edges(np.array([[0, 0.5], [0.5, 0]]))
    >>> check_drawn_edges(edges, "50%")
    0.5
    """
    threshold = edges.resolve(edge_threshold, name=name)
    count = edges.count_above(threshold) if len(edges) else 0
    per_edge = TUBE_EDGE_BYTES if tubes else DRAWN_EDGE_BYTES
    try:
        check_allocation(
            EDGE_BYTES * len(edges) + per_edge * count,
            f"connectome: drawing {count} of its {len(edges)} edges{' as tubes' if tubes else ''} "
            f"({name}={edge_threshold!r})",
        )
    except MemoryBudgetError as error:
        fits = max(0, (max_bytes() - EDGE_BYTES * len(edges)) // per_edge)
        if not fits:
            raise MemoryBudgetError(f"{error} The edges alone fill it: {_FEWER_EDGES}") from None
        percent = min(99.99, math.ceil(10000 * (1 - fits / len(edges))) / 100)
        raise MemoryBudgetError(
            f"{error} Draw fewer edges: {name}='{percent:g}%' draws the strongest "
            f"{100 - percent:.4g}% (about {fits} edges){', or pass tubes=False' if tubes else ''}."
        ) from None
    return threshold
