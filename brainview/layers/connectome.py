"""Connectomes: nodes at mm coordinates and weighted edges, with live thresholds.

The model holds the graph and its meshes, never a VTK rendering object: all
edges are ONE polydata (:attr:`Connectome.edge_mesh`), all nodes ONE point set
(:attr:`Connectome.node_mesh`), a directed graph's arrow tips and the labels'
anchors one more each; :mod:`brainview.render.connectome` draws them (lines or
tubes, one glyph set of spheres, one of cones, one 2-D label actor and the
category legend). The edge list is sorted by ``|weight|`` once, so a new
``edge_threshold`` is a binary search and zero-copy slices of precomputed
arrays.

Argument names follow nilearn's ``plot_connectome`` (``adjacency_matrix``,
``node_coords``, ``node_color``, ``node_size``, ``edge_cmap``, ``edge_vmin``,
``edge_vmax``, ``edge_threshold``); ``node_size`` is a diameter in mm here
(nilearn's is a marker area in points², default 50). A size above
:data:`MARKER_AREA_HINT` mm is taken for nilearn's unit: it is drawn as given
(in mm) with a warning that gives the conversion, ``sqrt(area)`` mm (a marker of
area ``s`` pt² is ``sqrt(s)`` pt wide, and nilearn's default glass brain draws
about 1 mm per point: nilearn's 50 is about 7 mm).

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Connectome
>>> matrix = np.array([[0, 0.8, -0.3], [0.8, 0, 0.1], [-0.3, 0.1, 0]])
>>> coords = [[-40, 0, 0], [40, 0, 0], [0, 40, 20]]
>>> g = Connectome(matrix, coords, edge_threshold=0.2)
>>> g.n_edges_drawn
2
>>> g.edge_threshold = "50%"
>>> g.n_edges_drawn
2
>>> g.edge_threshold = 0.5
>>> g.n_edges_drawn
1
"""

from __future__ import annotations

import warnings

import numpy as np
from traits.api import TraitType, observe

from .. import colors
from .._locks import RENDER_LOCK
from ..errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning, check_number, describe
from ..geometry import graph
from ..statmap_colors import grey_band
from ._live import Reloads, take_derived
from . import _examples as _ex
from .base import Checked, Kind, Layer, StrictBool, check_bool, check_opacity, check_positive

#: Arrow heads (directed graphs) of line edges: length in mm (tubes: 3 edge widths).
_ARROW_LENGTH_MM = 5.0

#: Edges drawn while the camera moves (the strongest ones); still frames draw all.
INTERACTIVE_EDGES = 20_000

# pyvista and VTK are imported in the methods that build meshes: ``import brainview.layers``
# must not pay for them (issue 19).


class _PerLayer(TraitType):
    """A trait validated by the layer's own ``_check_<name>(value)``: the check
    needs the layer's data (node count, edge weights)."""

    def validate(self, obj, name, value):
        return getattr(obj, f"_check_{name}")(value)


def _not_bool(value, name):
    """``value`` unless it is a bool: ``True`` is not the number 1 for a width or a colour limit."""
    if isinstance(value, (bool, np.bool_)):
        raise BrainviewTypeError(f"{name}: expected a number, got {value!r}.")
    return value


def _node_labels(node_labels, names, n_nodes):
    if node_labels is None or node_labels is False:
        return None
    if node_labels is True:
        if names is None:
            raise BrainviewValueError(
                "node_labels: True takes names from an atlas or a graph; with a matrix, "
                "pass a list of one label per node.")
        return [str(n) for n in names]
    if isinstance(node_labels, str) or not hasattr(node_labels, "__len__") or len(node_labels) != n_nodes:
        raise BrainviewValueError(
            f"node_labels: expected {n_nodes} labels (one per node), got {describe(node_labels)}.")
    return [str(label) for label in node_labels]


def _vtk_array(array, name=None, id_type=False):
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonCore import VTK_ID_TYPE

    vtk_array = numpy_to_vtk(array, deep=False, array_type=VTK_ID_TYPE if id_type else None)
    if name:
        vtk_array.SetName(name)
    return vtk_array


class Connectome(Layer):
    """A graph drawn in world mm: nodes as spheres, edges coloured by weight.

    Parameters
    ----------
    adjacency_matrix : (n, n) array-like, scipy.sparse matrix, a stack, or a graph
        Edge weights. Symmetric: an undirected graph (upper triangle, each
        edge once). Asymmetric: a directed graph with arrows (row -> column)
        and a warning, unless ``symmetrize``. NaN weights are dropped (one
        warning); zeros and the diagonal are never drawn. A networkx-like
        graph (``nodes(data=True)`` with ``"pos"`` in mm,
        ``edges(data=True)`` with ``"weight"``) is accepted as well, and so
        is a stack ``(n_subjects, n, n)`` (``ConnectivityMeasure``'s output)
        with ``subject``.
    node_coords : (n, 3) array-like, optional
        mm coordinates, one row per matrix row. Not needed with ``atlas``
        or a graph.
    atlas : object with ``centroids()`` -> {name: (x, y, z)}, optional
        Nodes at the region centroids, in that order (e.g. an Atlas layer:
        a point inside each region, or inside each map's main cluster for a
        set of maps such as decomposition components).
    subject : int or "mean", optional
        For a stack of matrices: the index of the one to draw, or "mean"
        for their average.
    node_color : colour, n colours, n categories, or "auto"
        Categories (network names, a pandas Series of names or a pandas
        Categorical, in its category order) get distinct colours and a legend.
    node_size : float, (n,) array, "degree" or "strength"
        Diameters in mm; "degree"/"strength" of the drawn edges map onto
        2..10 mm and follow the threshold. Not nilearn's marker area in
        points²: a size above 30 mm warns and gives the diameter that looks
        like it, ``sqrt(area)`` mm.
    edge_cmap : str or Colormap
    edge_vmin, edge_vmax : float, optional
        Colour range of the edge weights; default ``-m, m`` with ``m`` the
        largest ``|weight|`` (a diverging map centred at 0, as nilearn).
    edge_threshold : float or str, optional
        Only edges with ``|weight| >= edge_threshold`` are drawn; ``"95%"``
        is the 95th percentile of the non-zero ``|weights|`` (each undirected
        edge counted once).
    edge_width : float
        Line width in pixels, or tube diameter in mm with ``tubes``.
    tubes : bool
        Draw edges as shaded tubes instead of lines.
    width_by_weight : bool
        Tube diameter proportional to ``|weight|`` (``edge_width`` for the
        largest); needs ``tubes``.
    node_labels : sequence of n str, True, or None
        Text next to each node; True uses the atlas region or graph node names.
    label_color : colour, optional
        Colour of the labels (and legend text); None follows the figure's
        background (white on dark, black on light), live.
    directed : bool, optional
        None: directed exactly when the matrix is asymmetric.
    symmetrize : bool
        Draw ``(M + M.T) / 2`` undirected instead of arrows.
    legend : bool
        Show the category legend (when ``node_color`` holds categories).
    opacity : float
    name : str

    Examples
    --------
    >>> import numpy as np
    >>> g = Connectome(np.eye(2)[::-1], [[0, 0, 0], [20, 0, 0]], node_size=[3, 5])
    >>> g.node_centers().tolist()
    [[0.0, 0.0, 0.0], [20.0, 0.0, 0.0]]
    """

    kind = "connectome"

    #: Parameters that are data: a string given for one of them is a file path.
    data_params = ("adjacency_matrix", "node_coords", "atlas", "node_color", "node_labels")

    edge_threshold = _PerLayer(panel="slider", range="magnitude", optional=True)
    node_size = _PerLayer(panel="slider", low=0.5, high=30.0)
    node_color = _PerLayer(panel="color")
    edge_cmap = Checked(lambda value, name: colors.get_cmap(value, name=name), panel="cmap")
    edge_vmin = _PerLayer(panel="slider", range="data", optional=True, shown="edge_clim.0")
    edge_vmax = _PerLayer(panel="slider", range="data", optional=True, shown="edge_clim.1")
    edge_width = Checked(lambda value, name: check_positive(_not_bool(value, name), name), 2.0,
                         panel="slider", low=0.5, high=20.0)

    #: Colour of the node labels; None: black or white, whichever shows on the figure's background.
    label_color = Checked(lambda value, name: None if value is None else colors.to_rgb(value, name=name),
                          panel="color", optional=True)

    #: Whether the edges (and arrow heads) are drawn.
    edges_visible = StrictBool(True)

    #: Whether the nodes (and their labels) are drawn.
    nodes_visible = StrictBool(True)

    #: The constructor's data and drawing parameters, live and kept as given.
    adjacency_matrix = Reloads()
    node_coords = Reloads()
    atlas = Reloads()
    subject = Reloads()
    tubes = Reloads(False, panel="check")
    width_by_weight = Reloads(False, panel="check")
    node_labels = Reloads()
    directed = Reloads(choices=(None, True, False))
    symmetrize = Reloads(False, panel="check")
    legend = Reloads(True, panel="check")

    def __init__(self, adjacency_matrix, node_coords=None, *, atlas=None, node_color="auto",
                 node_size=6.0, edge_cmap="RdBu_r", edge_vmin=None, edge_vmax=None,
                 edge_threshold=None, edge_width=2.0, tubes=False, width_by_weight=False,
                 node_labels=None, label_color=None, directed=None, symmetrize=False, legend=True,
                 subject=None, opacity=1.0, name="connectome"):
        self._apply_graph(self._derive(dict(
            adjacency_matrix=adjacency_matrix, node_coords=node_coords, atlas=atlas, subject=subject,
            tubes=tubes, width_by_weight=width_by_weight, node_labels=node_labels, directed=directed,
            symmetrize=symmetrize, legend=legend)))
        super().__init__(name=name, opacity=check_opacity(opacity), edge_cmap=edge_cmap,
                         edge_vmin=edge_vmin, edge_vmax=edge_vmax, edge_width=edge_width,
                         edge_threshold=edge_threshold, node_size=node_size,
                         node_color=node_color, adjacency_matrix=adjacency_matrix,
                         node_coords=node_coords, atlas=atlas, subject=subject, tubes=tubes,
                         width_by_weight=width_by_weight, node_labels=node_labels,
                         label_color=label_color, directed=directed, symmetrize=symmetrize, legend=legend)
        self._edge_range(self.edge_vmin, self.edge_vmax)  # low < high: refused here, not at drawing
        self._update_all()

    @staticmethod
    def _derive(params):
        """Nodes, edges and labels of the graph parameters (raises the constructor's errors)."""
        matrix, coords, names, graph_directed = graph.graph_inputs(
            graph.select_subject(params["adjacency_matrix"], params["subject"]),
            params["node_coords"], params["atlas"])
        for flag in ("tubes", "width_by_weight", "symmetrize", "legend"):
            check_bool(params[flag], flag)
        if params["directed"] is not None:
            check_bool(params["directed"], "directed")
        directed = params["directed"]
        matrix, is_directed = graph.prepare_adjacency(
            matrix, directed=graph_directed if directed is None else directed,
            symmetrize=params["symmetrize"])
        edges = graph.extract_edges(matrix, directed=is_directed)
        if params["width_by_weight"] and not params["tubes"]:
            raise BrainviewValueError(
                "width_by_weight: lines have one width for all edges; pass tubes=True too.")
        if "node_size" in params:  # a new graph: the other settings must still fit it
            graph.node_sizes(params["node_size"], edges)
            graph.node_colors(params["node_color"], edges.n_nodes)
            graph.check_drawn_edges(edges, params["edge_threshold"], tubes=params["tubes"])
        return dict(coords=coords, edges=edges, labels=_node_labels(params["node_labels"], names, edges.n_nodes),
                    tubes=bool(params["tubes"]), width_by_weight=bool(params["width_by_weight"]),
                    legend=bool(params["legend"]))

    def _apply_graph(self, derived):
        """Take the derived graph: its arrays and meshes (drawers show them)."""
        self._coords = derived["coords"]  # checked by graph_inputs, under the name the caller used
        self._edges, self._labels = derived["edges"], derived["labels"]
        self._tubes, self._width_by_weight = derived["tubes"], derived["width_by_weight"]
        self._show_legend = derived["legend"]
        self._precompute_edges()
        self._build_meshes()

    @observe("adjacency_matrix, node_coords, atlas, subject, tubes, width_by_weight, node_labels, "
             "directed, symmetrize, legend", post_init=True)
    def _reload(self, event):
        self._apply_graph(take_derived(self))
        self._update_all()

    # ------------------------------------------------------------ checks

    def _check_edge_threshold(self, value):
        if isinstance(value, (bool, np.bool_)):
            raise BrainviewTypeError(
                f"edge_threshold: expected a number or a percentile string like '95%', got {value!r} "
                "(True is not 1.0 here); pass None to draw every edge.")
        graph.check_drawn_edges(self._edges, value, tubes=self._tubes)  # raises on bad values
        return value

    def _check_node_size(self, value):
        sizes = graph.node_sizes(value, self._edges)
        if not isinstance(value, str):
            _warn_if_marker_area(sizes)
        return value if isinstance(value, str) else np.array(value, dtype=float)

    def _check_node_color(self, value):
        graph.node_colors(value, self._edges.n_nodes)
        return value

    def _check_edge_vmin(self, value):
        value = check_number(_not_bool(value, "edge_vmin"), "edge_vmin", optional=True)
        if self.__dict__.get("_initialised"):
            self._edge_range(value, self.edge_vmax)  # low < high, or refused now, not at redraw
        return value

    def _check_edge_vmax(self, value):
        value = check_number(_not_bool(value, "edge_vmax"), "edge_vmax", optional=True)
        if self.__dict__.get("_initialised"):
            self._edge_range(self.edge_vmin, value)
        return value

    # ------------------------------------------------------------ geometry

    def _precompute_edges(self):
        """Arrays in sorted-edge order; any threshold uses a prefix of each."""
        edges, coords = self._edges, self._coords
        ends = np.empty((2 * len(edges), 3))
        ends[0::2], ends[1::2] = coords[edges.sources], coords[edges.targets]
        self._ends = ends
        self._end_weights = np.repeat(edges.weights, 2)
        largest = abs(edges.weights[0]) if len(edges) else 1.0
        self._end_radius = np.abs(self._end_weights) / largest
        self._connectivity = np.arange(2 * len(edges), dtype=np.int64)
        self._offsets = np.arange(0, 2 * len(edges) + 1, 2, dtype=np.int64)
        direction = coords[edges.targets] - coords[edges.sources]
        length = np.linalg.norm(direction, axis=1, keepdims=True)
        self._directions = direction / np.where(length > 0, length, 1.0)

    def _build_meshes(self):
        """The data the drawing shows: edges, nodes, arrow tips, labels."""
        import pyvista as pv
        from vtkmodules.vtkCommonCore import vtkStringArray
        from vtkmodules.vtkCommonDataModel import vtkPolyData

        self._edge_mesh = vtkPolyData()
        self._node_mesh = pv.PolyData(self._coords.copy())
        self._arrow_mesh = vtkPolyData() if self._edges.directed else None
        self._label_mesh = None
        if self._labels is not None:
            self._label_mesh = vtkPolyData()
            self._label_mesh.SetPoints(pv.vtk_points(self._coords))
            names = vtkStringArray()
            names.SetName("label")
            for label in self._labels:
                names.InsertNextValue(label)
            self._label_mesh.GetPointData().AddArray(names)

    # ------------------------------------------------------------ public

    @property
    def is_directed(self):
        """True when edges are drawn with arrows (row -> column); ``directed`` is the parameter as given."""
        return self._edges.directed

    @property
    def edges(self):
        """Every edge (:class:`brainview.geometry.graph.EdgeList`), sorted by ``|weight|``."""
        return self._edges

    @property
    def threshold(self):
        """``edge_threshold`` resolved to a value on ``|weights|``."""
        return self._edges.resolve(self.edge_threshold)

    @property
    def n_edges_drawn(self):
        """How many edges pass the threshold (are drawn)."""
        return self._edges.count_above(self.threshold)

    @property
    def edge_clim(self):
        """The colour range of the edges: ``(edge_vmin, edge_vmax)`` with defaults filled in."""
        return self._edge_range(self.edge_vmin, self.edge_vmax)

    def _edge_range(self, vmin, vmax):
        largest = abs(self._edges.weights[0]) if len(self._edges) else 1.0
        low = -largest if vmin is None else vmin
        high = largest if vmax is None else vmax
        return colors.check_clim((low, high), name="edge_vmin, edge_vmax")

    @property
    def node_positions(self):
        """``(n, 3)`` mm positions of the nodes, whatever gave them (coordinates, atlas, graph)."""
        return self._coords.copy()

    def node_centers(self):
        """``(n, 3)`` mm centres of the node glyphs, as drawn."""
        return np.asarray(self._node_mesh.points, dtype=float).copy()

    def node_sizes(self):
        """``(n,)`` node diameters in mm, as drawn."""
        return np.asarray(self._node_mesh.point_data["size"], dtype=float).copy()

    def node_rgb(self):
        """``(n, 3)`` node colours (0..1), as drawn."""
        return np.asarray(self._node_mesh.point_data["rgb"], dtype=float) / 255.0

    def edges_mesh(self):
        """The drawn edges as a pyvista PolyData (one line per edge, "weight" per point)."""
        import pyvista as pv

        return pv.wrap(self._edge_mesh)

    def legend_entries(self):
        """``[(category, (r, g, b)), ...]`` when nodes are coloured by category, else None."""
        return graph.node_colors(self.node_color, self._edges.n_nodes)[1]

    # ------------------------------------------------------------ what drawers show (read, never modify)

    @property
    def edge_mesh(self):
        """The drawn edges: one vtkPolyData of lines in ``|weight|`` order, the strongest first.

        Point arrays: "weight" (coloured through :meth:`colorbar_table`) and,
        with ``tubes``, the tube "radius" as active scalars. Updated in place.
        """
        return self._edge_mesh

    @property
    def node_mesh(self):
        """The node centres (pyvista.PolyData) with "size" (diameter, mm) and "rgb" (uint8) arrays."""
        return self._node_mesh

    @property
    def arrow_mesh(self):
        """Arrow tips of a directed graph (vtkPolyData: "direction" and "weight" per tip), else None."""
        return self._arrow_mesh

    @property
    def label_mesh(self):
        """Label anchors (vtkPolyData, a "label" string per point, above each node), or None."""
        return self._label_mesh

    @property
    def draws_tubes(self):
        """Whether the edges are drawn as tubes (the checked ``tubes``)."""
        return self._tubes

    @property
    def arrow_length(self):
        """Length of the arrow heads in mm: 3 edge widths with tubes, else 5 mm."""
        return 3.0 * self.edge_width if self._tubes else _ARROW_LENGTH_MM

    @property
    def shown_legend(self):
        """The legend drawn: :meth:`legend_entries` when ``legend`` is on, else None."""
        return self._legend if self._show_legend else None

    def colorbar_table(self):
        if not len(self._edges):
            return None
        # Edges with |weight| < edge_threshold are not drawn: grey on the bar, as nilearn's.
        return grey_band(colors.lookup_table(self.edge_cmap, self.edge_clim), self.threshold), self.name

    # ------------------------------------------------------------ updates (derived data, then `updated`)

    def _update_all(self):
        self._update_edges(None)
        self._update_node_colors(None)

    @observe("edge_threshold, edge_width", post_init=True)
    def _update_edges(self, event):
        import pyvista as pv
        from vtkmodules.vtkCommonDataModel import vtkCellArray

        count = self.n_edges_drawn
        mesh = self._edge_mesh
        with RENDER_LOCK:  # a render thread may be drawing it (brainview._locks)
            mesh.SetPoints(pv.vtk_points(self._ends[: 2 * count], deep=False))
            lines = vtkCellArray()
            lines.SetData(_vtk_array(self._offsets[: count + 1], id_type=True),
                          _vtk_array(self._connectivity[: 2 * count], id_type=True))
            mesh.SetLines(lines)
            mesh.GetPointData().AddArray(_vtk_array(self._end_weights[: 2 * count], "weight"))
            if self._tubes:
                radius = self.edge_width / 2.0
                scale = self._end_radius[: 2 * count] if self._width_by_weight else np.ones(2 * count)
                mesh.GetPointData().SetScalars(_vtk_array(np.ascontiguousarray(radius * scale), "radius"))
            mesh.Modified()
        self._update_nodes(None)

    @observe("node_size", post_init=True)
    def _update_nodes(self, event):
        import pyvista as pv

        count = self.n_edges_drawn
        sizes = graph.node_sizes(self.node_size, self._edges, count)
        if count == 0 and not sizes.any():
            warnings.warn(
                f"connectome: nothing to draw: no edge reaches edge_threshold={self.edge_threshold!r} "
                f"(|weights| up to {abs(self._edges.weights[0]) if len(self._edges) else 0:g}) and "
                "every node_size is 0. Lower the threshold or give the nodes a size.",
                BrainviewWarning, stacklevel=4)
        with RENDER_LOCK:  # a render thread may be drawing it (brainview._locks)
            self._node_mesh.point_data["size"] = sizes
            self._node_mesh.Modified()
            if self._label_mesh is not None:
                # A label starts at the top of its node (+z), not at its centre where a dark
                # node would swallow the first letters.
                lifted = self._coords + np.column_stack([np.zeros((len(sizes), 2)), sizes / 2.0])
                self._label_mesh.SetPoints(pv.vtk_points(lifted))
                self._label_mesh.Modified()
            if self._arrow_mesh is not None:
                self._update_arrows(count, sizes)
        self._changed()

    def _update_arrows(self, count, sizes):
        import pyvista as pv

        targets = self._edges.targets[:count]
        directions = self._directions[:count]
        tips = self._coords[targets] - directions * (sizes[targets, None] / 2.0)
        mesh = pv.PolyData(tips) if count else pv.PolyData()
        if count:
            mesh.point_data["direction"] = directions
            mesh.point_data["weight"] = self._edges.weights[:count]
        self._arrow_mesh.ShallowCopy(mesh)

    @observe("node_color", post_init=True)
    def _update_node_colors(self, event):
        rgb, self._legend = graph.node_colors(self.node_color, self._edges.n_nodes)
        with RENDER_LOCK:  # a render thread may be drawing it (brainview._locks)
            self._node_mesh.point_data["rgb"] = (rgb * 255).round().astype(np.uint8)
            self._node_mesh.Modified()
        self._changed()



#: Node diameters above this (mm) look like nilearn's ``node_size`` (a marker area in points², default 50).
MARKER_AREA_HINT = 30.0


def _warn_if_marker_area(sizes):
    """Warn when node sizes look like nilearn's marker areas (points²) rather than diameters (mm)."""
    if not len(sizes) or float(sizes.max()) <= MARKER_AREA_HINT:
        return
    area = float(sizes.max())
    warnings.warn(
        f"node_size: {area:g} mm is a very large node diameter; brainview's node_size is a diameter "
        f"in mm, nilearn's plot_connectome node_size a marker area in points² (default 50). "
        f"Drawn as {area:g} mm; for nilearn's look pass node_size=sqrt(area) "
        f"(here {np.sqrt(area):.1f} mm; nilearn's default 50 is about 7 mm).",
        BrainviewWarning, stacklevel=6)


def _example():
    """Small in-memory inputs of a Connectome (``Kind.example``)."""
    return (_ex.three_node_graph(), dict(edge_threshold=0.1))


KIND = Kind(Connectome, drawer="brainview.render.connectome:ConnectomeDrawer", example=_example, roles=())
