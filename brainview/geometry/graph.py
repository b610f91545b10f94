"""Graphs in world mm: adjacency matrices, node coordinates, edges, node sizes.

Pure computation (no rendering). Argument names follow nilearn's
``plot_connectome``: ``adjacency_matrix``, ``node_coords``, ``node_size``,
``edge_threshold``.

Edges are extracted once, sorted by decreasing ``|weight|``; the edges at or
above any threshold are then a prefix of that list, so re-thresholding is a
binary search and a slice (:meth:`EdgeList.count_above`).

Examples
--------
>>> import numpy as np
>>> from brainview.geometry.graph import extract_edges
>>> matrix = np.array([[0, 0.5, -0.9], [0.5, 0, 0.1], [-0.9, 0.1, 0]])
>>> edges = extract_edges(matrix)
>>> edges.sources.tolist(), edges.targets.tolist(), edges.weights.tolist()
([0, 0, 1], [2, 1, 2], [-0.9, 0.5, 0.1])
>>> edges.count_above(0.5)
2
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..colors import resolve_threshold
from ..errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning, describe
from ..limits import check_allocation
from .graph_colors import node_colors
from .graph_memory import MATRIX_ENTRY_BYTES, check_drawn_edges, check_edge_memory

__all__ = [
    "MAX_COORDINATE_MM", "check_world_extent", "check_adjacency", "check_node_coords", "is_symmetric", "prepare_adjacency",
    "EdgeList", "extract_edges", "check_edge_memory", "check_drawn_edges", "node_sizes", "node_colors", "graph_to_matrix",
    "atlas_centroids", "graph_inputs", "select_subject", "DERIVED_SIZE_RANGE",
]

#: Largest world coordinate accepted (mm): a brain is ~200 mm across, a
#: microscopy sample in µm-as-mm a few 10^4; beyond, VTK's float32 points and
#: depth buffer turn the picture black.
MAX_COORDINATE_MM = 1e6


def check_world_extent(coords, name):
    """``coords`` if every finite value is within ±:data:`MAX_COORDINATE_MM`, else an error naming the value.

    Shared by surfaces, points and connectomes (their geometry in world mm).

    Examples
    --------
    >>> import numpy as np
    >>> check_world_extent(np.array([[0.0, 1e300, 0]]), "node_coords")
    Traceback (most recent call last):
    ...
    brainview.errors.BrainviewValueError: node_coords: a coordinate of 1e+300 mm (row 0) is beyond ±1e+06 mm; ...
    """
    magnitude = np.where(np.isfinite(coords), np.abs(coords), 0.0)
    if magnitude.size and magnitude.max() > MAX_COORDINATE_MM:
        row = int(np.unravel_index(np.argmax(magnitude), magnitude.shape)[0])
        value = coords.reshape(magnitude.shape)[np.unravel_index(np.argmax(magnitude), magnitude.shape)]
        raise BrainviewValueError(
            f"{name}: a coordinate of {value:g} mm (row {row}) is beyond ±{MAX_COORDINATE_MM:g} mm; "
            "coordinates are world millimetres (a brain is ~200 mm across): check the units "
            "(metres? micrometres?) or the transform that made them."
        )
    return coords


#: Diameters (mm) that ``node_size="degree"`` / ``"strength"`` map 0..max onto.
DERIVED_SIZE_RANGE = (2.0, 10.0)


def check_adjacency(adjacency_matrix, name="adjacency_matrix"):
    """A float ``(n, n)`` copy of a square numeric matrix (dense or scipy.sparse).

    NaNs are kept (they mean "no value": :func:`extract_edges` drops them);
    infinite weights, non-square and non-numeric matrices raise errors. A
    masked array's masked entries become NaN.

    Examples
    --------
    >>> check_adjacency([[0, 1], [1, 0]]).dtype
    dtype('float64')
    """
    _check_matrix_memory(getattr(adjacency_matrix, "shape", None), name)
    if hasattr(adjacency_matrix, "toarray") and hasattr(adjacency_matrix, "nnz"):
        adjacency_matrix = adjacency_matrix.toarray()
    if isinstance(adjacency_matrix, np.ma.MaskedArray):
        adjacency_matrix = adjacency_matrix.astype(float).filled(np.nan)
    try:
        matrix = np.array(adjacency_matrix)
    except (TypeError, ValueError):
        matrix = None
    if matrix is None or matrix.dtype.kind not in "biuf":
        raise BrainviewTypeError(
            f"{name}: expected a square numeric (n, n) matrix of edge weights, got "
            f"{describe(adjacency_matrix)}."
        )
    _check_matrix_memory(matrix.shape, name)
    matrix = matrix.astype(float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise BrainviewValueError(
            f"{name}: expected a square (n, n) matrix (one row and one column per node), "
            f"got shape {matrix.shape}."
        )
    if not len(matrix):
        raise BrainviewValueError(
            f"{name}: a 0x0 matrix has no nodes; a connectome needs at least one node.")
    if np.isinf(matrix).any():
        raise BrainviewValueError(
            f"{name}: contains {int(np.isinf(matrix).sum())} infinite weights; replace them "
            "with finite values (or NaN for 'no edge')."
        )
    return matrix


def check_node_coords(node_coords, n_nodes=None, name="node_coords"):
    """``(n, 3)`` float mm coordinates, one row per node, else an error saying what to do.

    Examples
    --------
    >>> check_node_coords([[0, 0, 0], [1, 2, 3]], 2).shape
    (2, 3)
    """
    try:
        coords = np.array(node_coords, dtype=float)
    except (TypeError, ValueError):
        raise BrainviewTypeError(
            f"{name}: expected an (n, 3) array of mm coordinates, got {describe(node_coords)}."
        ) from None
    if coords.ndim != 2 or coords.shape[1] != 3:
        if coords.ndim == 2 and coords.shape[0] == 3:
            hint = " It looks transposed: pass node_coords.T (one (x, y, z) row per node)."
        elif coords.ndim == 2 and coords.shape[1] == 2:
            hint = (" Two columns are 2-D positions; brainview needs world (x, y, z) mm, "
                    "e.g. the region centroids of an atlas (atlas=).")
        else:
            hint = ""
        raise BrainviewValueError(
            f"{name}: expected shape (n, 3), one (x, y, z) mm row per node, got {coords.shape}.{hint}"
        )
    if n_nodes is not None and len(coords) != n_nodes:
        raise BrainviewValueError(
            f"{name}: {len(coords)} coordinates for a {n_nodes}x{n_nodes} adjacency matrix; "
            "give one (x, y, z) row per matrix row, in the same order."
        )
    if not np.isfinite(coords).all():
        bad = np.flatnonzero(~np.isfinite(coords).all(axis=1))
        raise BrainviewValueError(
            f"{name}: {len(bad)} of {len(coords)} rows hold NaN or infinite coordinates "
            f"(rows {', '.join(map(str, bad[:5]))}{', ...' if len(bad) > 5 else ''}); every node "
            "needs a position: drop those nodes from the matrix and the coordinates.")
    if not len(coords):
        raise BrainviewValueError(f"{name}: no nodes (0 coordinates); a connectome needs at least one node.")
    return check_world_extent(coords, name)


def is_symmetric(matrix, *, rtol=1e-3, atol=1e-8):
    """True when ``matrix`` equals its transpose (NaNs in mirrored places count as equal).

    The tolerance is nilearn's (``rtol=1e-3``), so the same matrices are
    drawn undirected by both.

    Examples
    --------
    >>> import numpy as np
    >>> is_symmetric(np.array([[0, 1], [1.0000001, 0]]))
    True
    """
    return bool(np.allclose(matrix, matrix.T, rtol=rtol, atol=atol, equal_nan=True))


def _check_matrix_memory(shape, name):
    """Refuse a square matrix whose dense float copy (and its checks) exceed the budget."""
    if isinstance(shape, tuple) and len(shape) == 2 and shape[0] == shape[1]:
        n_nodes = int(shape[0])
        check_allocation(MATRIX_ENTRY_BYTES * n_nodes * n_nodes,
                         f"{name}: a {n_nodes}-node matrix ({n_nodes}x{n_nodes} weights, as a "
                         "dense float64 copy)")


def prepare_adjacency(adjacency_matrix, *, directed=None, symmetrize=False,
                      name="adjacency_matrix"):
    """Validate a matrix and decide whether it is drawn as a directed graph.

    Parameters
    ----------
    adjacency_matrix : (n, n) array-like
    directed : bool or None
        None: directed exactly when the matrix is asymmetric (with a
        warning, as nilearn). False with an asymmetric matrix is an error
        unless ``symmetrize``.
    symmetrize : bool
        Replace the matrix by ``(M + M.T) / 2`` (an undirected graph). A NaN
        on either side makes the pair NaN (dropped, never zero).

    Returns
    -------
    matrix : (n, n) float array (a new array)
    directed : bool

    Examples
    --------
    >>> import numpy as np
    >>> prepare_adjacency(np.array([[0, 1], [3, 0]]), symmetrize=True)[0].tolist()
    [[0.0, 2.0], [2.0, 0.0]]
    """
    matrix = check_adjacency(adjacency_matrix, name=name)
    if symmetrize:
        if directed:
            raise BrainviewValueError(
                "symmetrize: cannot both symmetrize and draw a directed graph; "
                "pass directed=None or symmetrize=False."
            )
        return (matrix + matrix.T) / 2.0, False
    symmetric = is_symmetric(matrix)
    if directed is None:
        if not symmetric:
            warnings.warn(
                f"{name} is not symmetric: drawing a directed graph (arrows from row to "
                "column node). Pass symmetrize=True to draw (M + M.T) / 2 undirected, or "
                "directed=True to silence this warning.",
                BrainviewWarning, stacklevel=3,
            )
        return matrix, not symmetric
    if not directed and not symmetric:
        raise BrainviewValueError(
            f"directed: False, but {name} is not symmetric. Pass symmetrize=True to average "
            "it with its transpose, or directed=None to draw arrows."
        )
    return matrix, bool(directed)


@dataclass(frozen=True)
class EdgeList:
    """Edges sorted by decreasing ``|weight|`` (ties: row-major order).

    Attributes
    ----------
    sources, targets : (m,) int arrays
        Node indices; for a directed graph the edge goes source -> target.
    weights : (m,) float array
        Finite, non-zero weights.
    directed : bool
    n_nodes : int
    """

    sources: np.ndarray
    targets: np.ndarray
    weights: np.ndarray
    directed: bool
    n_nodes: int

    def __len__(self):
        return len(self.weights)

    def resolve(self, edge_threshold, name="edge_threshold"):
        """``edge_threshold`` (a number or ``"95%"``) as a value on ``|weights|``."""
        return resolve_threshold(edge_threshold, self.weights, name=name)

    def count_above(self, threshold):
        """How many edges have ``|weight| >= threshold``: they are the first ones."""
        # -|w| is ascending; edges with -|w| <= -threshold are |w| >= threshold.
        return int(np.searchsorted(-np.abs(self.weights), -float(threshold), side="right"))

    def degree(self, count=None):
        """Number of drawn edges (the first ``count``) touching each node."""
        count = len(self) if count is None else count
        ends = np.concatenate([self.sources[:count], self.targets[:count]])
        return np.bincount(ends, minlength=self.n_nodes).astype(float)

    def strength(self, count=None):
        """Sum of ``|weight|`` of the drawn edges (the first ``count``) at each node."""
        count = len(self) if count is None else count
        ends = np.concatenate([self.sources[:count], self.targets[:count]])
        magnitude = np.abs(self.weights[:count])
        return np.bincount(ends, weights=np.concatenate([magnitude, magnitude]),
                           minlength=self.n_nodes)


def extract_edges(matrix, *, directed=False, name="adjacency_matrix"):
    """The edges of a validated matrix, sorted by decreasing ``|weight|``.

    Undirected: the upper triangle only, so each edge appears exactly once.
    Directed: every off-diagonal entry (row -> column). The diagonal (self
    loops) is never drawn. Zero weights are "no edge"; NaN weights are
    dropped too and counted in ONE warning (never turned into zero-weight
    or any other edges).

    Examples
    --------
    >>> import numpy as np
    >>> len(extract_edges(np.array([[0, 2.0], [1.0, 0]]), directed=True))
    2
    """
    n_nodes = len(matrix)
    # Masks of one byte per entry, then indices of the kept edges only: a dense
    # graph's candidate pairs are never all listed.
    missing = np.isnan(matrix)
    keep = (matrix != 0) & ~missing
    np.fill_diagonal(keep, False)
    np.fill_diagonal(missing, False)
    if not directed:
        keep = np.triu(keep, k=1)
        missing = np.triu(missing, k=1)
    n_missing = int(np.count_nonzero(missing))
    del missing
    if n_missing:
        warnings.warn(
            f"{name}: {n_missing} NaN weight(s) dropped: those edges are not drawn "
            "(NaN is 'no value', not 0).",
            BrainviewWarning, stacklevel=3,
        )
    check_edge_memory(int(np.count_nonzero(keep)), n_nodes, name=name)
    rows, cols = np.nonzero(keep)
    del keep
    weights = matrix[rows, cols]
    order = np.argsort(-np.abs(weights), kind="stable")
    return EdgeList(rows[order].astype(np.int64), cols[order].astype(np.int64),
                    weights[order], bool(directed), n_nodes)


def node_sizes(node_size, edges, count=None, name="node_size"):
    """Node diameters in mm from a scalar, an array, ``"degree"`` or ``"strength"``.

    ``"degree"`` and ``"strength"`` count the drawn edges (the first
    ``count``) and map 0..max linearly onto :data:`DERIVED_SIZE_RANGE`.

    Examples
    --------
    >>> import numpy as np
    >>> edges = extract_edges(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0.0]]))
    >>> node_sizes("degree", edges).tolist()
    [10.0, 6.0, 6.0]
    >>> node_sizes(4, edges).tolist()
    [4.0, 4.0, 4.0]
    """
    n_nodes = edges.n_nodes
    if isinstance(node_size, str):
        if node_size not in ("degree", "strength"):
            raise BrainviewValueError(
                f"{name}: expected a diameter in mm, one per node, 'degree' or 'strength'; "
                f"got {node_size!r}."
            )
        values = edges.degree(count) if node_size == "degree" else edges.strength(count)
        low, high = DERIVED_SIZE_RANGE
        top = values.max() if len(values) else 0.0
        return low + (high - low) * (values / top if top > 0 else values)
    try:
        sizes = np.array(node_size, dtype=float)
    except (TypeError, ValueError):
        raise BrainviewTypeError(
            f"{name}: expected a number, {n_nodes} numbers, 'degree' or 'strength'; got "
            f"{describe(node_size)}."
        ) from None
    if sizes.ndim == 0:
        sizes = np.full(n_nodes, float(sizes))
    if sizes.shape != (n_nodes,):
        raise BrainviewValueError(
            f"{name}: expected one diameter or {n_nodes} (one per node), got shape {sizes.shape}."
        )
    if not np.isfinite(sizes).all() or (sizes < 0).any():
        raise BrainviewValueError(
            f"{name}: diameters must be finite and >= 0 mm; got {int((sizes < 0).sum())} "
            "negative or non-finite value(s)."
        )
    return sizes


def _is_graph(value):
    """Duck-typed networkx graph: ``nodes(data=True)`` and ``edges(data=True)``."""
    return callable(getattr(value, "nodes", None)) and callable(getattr(value, "edges", None))


def graph_to_matrix(graph, name="adjacency_matrix"):
    """Adjacency matrix, node coordinates and node names of a networkx-like graph.

    Nodes need a ``"pos"`` attribute: (x, y, z) in mm. Edges use their
    ``"weight"`` attribute (1 when absent). Undirected graphs give symmetric
    matrices; ``graph.is_directed()`` is honoured.

    Returns
    -------
    matrix : (n, n) float array
    coords : (n, 3) float array
    names : list of str
    directed : bool

    Examples
    --------
    >>> class Tiny:  # the networkx interface, without networkx
    ...     def nodes(self, data=False):
    ...         return [("a", {"pos": (0, 0, 0)}), ("b", {"pos": (10, 0, 0)})]
    ...     def edges(self, data=False):
    ...         return [("a", "b", {"weight": 0.5})]
    >>> matrix, coords, names, directed = graph_to_matrix(Tiny())
    >>> matrix.tolist(), names, directed
    ([[0.0, 0.5], [0.5, 0.0]], ['a', 'b'], False)
    """
    nodes = list(graph.nodes(data=True))
    index = {node: i for i, (node, _) in enumerate(nodes)}
    coords = []
    for node, attributes in nodes:
        if "pos" not in attributes:
            raise BrainviewValueError(
                f"{name}: graph node {node!r} has no 'pos' attribute; give every node "
                "pos=(x, y, z) in mm (nx.set_node_attributes(graph, positions, 'pos')).")
        coords.append(attributes["pos"])
    directed = bool(graph.is_directed()) if callable(getattr(graph, "is_directed", None)) else False
    matrix = np.zeros((len(nodes), len(nodes)))
    for source, target, attributes in graph.edges(data=True):
        try:
            weight = float(attributes.get("weight", 1.0))
        except (TypeError, ValueError):
            raise BrainviewValueError(
                f"{name}: edge ({source!r}, {target!r}) has a non-numeric weight "
                f"{describe(attributes.get('weight'))}.") from None
        i, j = index[source], index[target]
        matrix[i, j] = weight
        if not directed:
            matrix[j, i] = weight
    return matrix, check_node_coords(coords, len(nodes), name="pos"), [str(n) for n, _ in nodes], directed


def atlas_centroids(atlas, name="atlas"):
    """Region names and ``(n, 3)`` centroids of anything with ``centroids()`` -> {name: xyz}.

    Examples
    --------
    >>> class Regions:
    ...     def centroids(self):
    ...         return {"left": (-30, 0, 0), "right": (30, 0, 0)}
    >>> names, coords = atlas_centroids(Regions())
    >>> names, coords.tolist()
    (['left', 'right'], [[-30.0, 0.0, 0.0], [30.0, 0.0, 0.0]])
    """
    if not callable(getattr(atlas, "centroids", None)):
        raise BrainviewTypeError(
            f"{name}: expected an atlas (an object with a centroids() method such as "
            f"brainview's Atlas layer), got {describe(atlas)}.")
    centroids = atlas.centroids()
    names = [str(key) for key in centroids]
    missing = [n for n, c in centroids.items() if not np.isfinite(np.asarray(c, dtype=float)).all()]
    if missing:
        raise BrainviewValueError(
            f"{name}: {len(missing)} region(s) have no centroid (NaN), e.g. a map with no voxel "
            f"above its threshold: {', '.join(map(repr, missing[:5]))}{', ...' if len(missing) > 5 else ''}. "
            "Lower the atlas threshold, or pass node_coords for the nodes you keep.")
    coords = check_node_coords(list(centroids.values()), name=f"{name}.centroids()")
    return names, coords


def select_subject(adjacency_matrix, subject=None, name="adjacency_matrix"):
    """One ``(n, n)`` matrix from a stack ``(n_subjects, n, n)`` (``ConnectivityMeasure``'s output).

    ``subject`` is an index into the stack, or ``"mean"`` (the average over
    subjects, NaN where any subject is NaN). A 2-D matrix is returned as
    given (``subject`` must then be None).

    Examples
    --------
    >>> import numpy as np
    >>> stack = np.stack([np.eye(2), 3 * np.eye(2)])
    >>> select_subject(stack, 1).tolist(), select_subject(stack, "mean").tolist()
    ([[3.0, 0.0], [0.0, 3.0]], [[2.0, 0.0], [0.0, 2.0]])
    """
    if _is_graph(adjacency_matrix) and not hasattr(adjacency_matrix, "shape"):
        ndim = 2
    else:
        ndim = np.ndim(adjacency_matrix) if not hasattr(adjacency_matrix, "nnz") else 2
    if ndim != 3:
        if subject is not None:
            raise BrainviewValueError(
                f"subject: {subject!r} picks a matrix from a stack (n_subjects, n, n), but "
                f"{name} is not one; leave subject=None.")
        return adjacency_matrix
    stack = np.asarray(adjacency_matrix, dtype=float)
    if subject is None:
        raise BrainviewValueError(
            f"{name}: a stack of {stack.shape[0]} matrices {stack.shape} (ConnectivityMeasure's "
            "output); pass subject=i to draw subject i, or subject='mean' for their average.")
    if isinstance(subject, str):
        if subject != "mean":
            raise BrainviewValueError(f"subject: expected an index or 'mean', got {subject!r}.")
        return stack.mean(axis=0)
    if isinstance(subject, bool) or not isinstance(subject, (int, np.integer)) \
            or not -len(stack) <= subject < len(stack):
        raise BrainviewValueError(
            f"subject: expected an index in 0..{len(stack) - 1} or 'mean', got {describe(subject)}.")
    return stack[int(subject)]


def graph_inputs(adjacency_matrix, node_coords=None, atlas=None):
    """Matrix, coordinates, node names and a directed hint from any accepted input.

    ``(matrix, node_coords)``, ``(matrix, atlas=)`` or a networkx-like
    graph. The directed hint is None unless a graph says so.

    Examples
    --------
    >>> import numpy as np
    >>> matrix, coords, names, directed = graph_inputs(np.zeros((2, 2)), [[0, 0, 0], [1, 1, 1]])
    >>> coords.shape, names, directed
    ((2, 3), None, None)
    """
    if _is_graph(adjacency_matrix) and not hasattr(adjacency_matrix, "shape"):
        if node_coords is not None or atlas is not None:
            raise BrainviewValueError(
                "node_coords: a graph carries its node positions ('pos'); do not pass "
                "node_coords or atlas with it.")
        matrix, coords, names, directed = graph_to_matrix(adjacency_matrix)
        return matrix, coords, names, (True if directed else None)
    matrix = check_adjacency(adjacency_matrix)
    if atlas is not None:
        if node_coords is not None:
            raise BrainviewValueError(
                "node_coords: pass either node_coords or atlas= (nodes at its region "
                "centroids), not both.")
        names, coords = atlas_centroids(atlas)
        if len(coords) != len(matrix):
            raise BrainviewValueError(
                f"atlas: {len(coords)} regions for a {len(matrix)}x{len(matrix)} "
                "adjacency_matrix; the matrix needs one row per atlas region, in the "
                "order of atlas.centroids().")
        return matrix, coords, names, None
    if node_coords is None:
        raise BrainviewValueError(
            "node_coords: missing; pass the (n, 3) mm coordinates of the nodes, or atlas=.")
    return matrix, check_node_coords(node_coords, len(matrix)), None, None
