"""Connectomes: thresholds, placement, one mesh and one glyph set, validation, the example's network."""

import warnings

import numpy as np
import pytest
import pyvista as pv

import brainview as bv
from brainview.errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning
from brainview.layers import Connectome

from conftest import compare_to_baseline


def random_graph(n=30, seed=0, symmetric=True):
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(n, n))
    if symmetric:
        matrix = (matrix + matrix.T) / 2
    np.fill_diagonal(matrix, 0)
    coords = rng.uniform(-60, 60, size=(n, 3))
    return matrix, coords


def _drawn_lines(fig, layer):
    """Line cells the figure shows for ``layer`` now (its visible edge props)."""
    return sum(prop.GetMapper().GetInput().GetNumberOfLines() for prop in fig.drawer(layer).props()
               if prop.GetVisibility() and prop.IsA("vtkActor") and prop.GetMapper().IsA("vtkPolyDataMapper"))


def _drawn_pairs(layer):
    count = layer.n_edges_drawn
    edges = layer.edges
    return set(zip(edges.sources[:count].tolist(), edges.targets[:count].tolist())), edges.weights[:count]


# ------------------------------------------------------------ thresholds


def test_only_edges_at_or_above_threshold_are_drawn():
    matrix, coords = random_graph()
    layer = Connectome(matrix, coords, edge_threshold=1.0)
    pairs, weights = _drawn_pairs(layer)
    upper = np.triu(np.abs(matrix) >= 1.0, k=1)
    assert pairs == set(zip(*np.nonzero(upper)))
    assert np.all(np.abs(weights) >= 1.0)
    mesh = layer.edges_mesh()
    assert mesh.n_cells == len(pairs)  # one line per drawn edge, in one mesh


def test_percentile_threshold_is_over_nonzero_absolute_weights_once_per_edge():
    matrix, coords = random_graph()
    layer = Connectome(matrix, coords, edge_threshold="90%")
    upper = np.abs(matrix[np.triu_indices(len(matrix), k=1)])
    assert layer.threshold == pytest.approx(np.percentile(upper[upper > 0], 90))
    assert layer.n_edges_drawn == np.count_nonzero(upper >= layer.threshold)


def test_thresholds_are_monotone_and_live(fig):
    matrix, coords = random_graph(n=40, seed=3)
    layer = bv.connectome(matrix, coords, edge_threshold=0.0)
    previous = None
    for threshold in (0.0, 0.2, 0.5, 1.0, 1.5, 2.5, 10.0):
        layer.edge_threshold = threshold
        pairs, _ = _drawn_pairs(layer)
        if previous is not None:
            assert pairs <= previous, "a higher threshold never adds edges"
        previous = pairs
        assert layer.edges_mesh().n_cells == len(pairs)
    assert previous == set()
    fig.screenshot()


def test_symmetric_matrix_gives_each_undirected_edge_once():
    matrix, coords = random_graph(n=12)
    layer = Connectome(matrix, coords, edge_threshold=0.0)
    assert not layer.is_directed
    pairs, _ = _drawn_pairs(layer)
    assert len(pairs) == 12 * 11 // 2
    assert all((b, a) not in pairs for a, b in pairs)


def test_asymmetric_matrix_warns_and_draws_directed_or_symmetrises():
    matrix, coords = random_graph(n=10, symmetric=False)
    with pytest.warns(BrainviewWarning, match="asymmetric|not symmetric"):
        layer = Connectome(matrix, coords, edge_threshold=0.0)
    assert layer.is_directed
    assert layer.n_edges_drawn == 10 * 9
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        symmetric = Connectome(matrix, coords, edge_threshold=0.0, symmetrize=True)
    assert not symmetric.is_directed and symmetric.n_edges_drawn == 45


# ------------------------------------------------------------ placement and colours


def test_node_centres_are_the_coordinates(fig):
    matrix, coords = random_graph()
    layer = fig.add(Connectome(matrix, coords))
    assert np.allclose(layer.node_centers(), coords)
    props = fig.drawer(layer).props()
    assert props[1] is not None and len(props) <= 4  # edges, their level of detail, nodes (+ labels/legend)


def test_pixel_probe_shows_a_node_in_its_colour(fig):
    coords = np.array([[-50.0, 0, 0], [50, 0, 0], [0, 40, 0]])
    matrix = np.array([[0, 0.1, 0], [0.1, 0, 0], [0, 0, 0.0]])
    layer = bv.connectome(matrix, coords, node_color=["red", "lime", "blue"], node_size=16,
                          edge_threshold=1.0)
    fig.view("superior")
    pixels = fig.screenshot()
    renderer = fig.renderer
    for xyz, rgb in zip(coords, ((255, 0, 0), (0, 255, 0), (0, 0, 255))):
        renderer.SetWorldPoint(*xyz, 1.0)
        renderer.WorldToDisplay()
        x, y, _ = renderer.GetDisplayPoint()
        row, col = int(round(fig.size[1] - 1 - y)), int(round(x))
        patch = pixels[row - 1: row + 2, col - 1: col + 2].reshape(-1, 3).astype(int)
        dominant = np.argmax(rgb)
        assert np.all(patch[:, dominant] > 100), f"node at {xyz} not drawn in its colour"
        assert np.all(patch[:, dominant] > patch[:, [c for c in range(3) if c != dominant]].max(axis=1))
    assert layer.node_rgb().shape == (3, 3)


def test_categories_get_distinct_colours_and_a_legend():
    matrix, coords = random_graph(n=9)
    networks = ["A", "B", "C"] * 3
    layer = Connectome(matrix, coords, node_color=networks)
    entries = layer.legend_entries()
    assert [name for name, _ in entries] == ["A", "B", "C"]
    rgb = layer.node_rgb()
    assert np.allclose(rgb[0], rgb[3]) and not np.allclose(rgb[0], rgb[1])


def test_node_size_by_degree_follows_the_threshold():
    matrix = np.zeros((4, 4))
    matrix[0, 1:] = matrix[1:, 0] = [3.0, 2.0, 1.0]
    coords = np.eye(4, 3) * 30
    layer = Connectome(matrix, coords, node_size="degree", edge_threshold=0.5)
    sizes = layer.node_sizes()
    assert sizes[0] > sizes[1] and sizes[1] == sizes[2] == sizes[3]
    layer.edge_threshold = 2.5
    sizes = layer.node_sizes()
    assert sizes[0] > sizes[2] and sizes[2] == sizes[3]


def test_nodes_at_atlas_centroids():
    class TinyAtlas:
        def centroids(self):
            return {"a": (0.0, 0.0, 0.0), "b": (10.0, 0.0, 0.0), "c": (0.0, 20.0, 0.0)}

    layer = Connectome(np.ones((3, 3)) - np.eye(3), atlas=TinyAtlas())
    assert np.allclose(layer.node_centers(), [[0, 0, 0], [10, 0, 0], [0, 20, 0]])
    with pytest.raises(BrainviewValueError, match="3|regions"):
        Connectome(np.ones((4, 4)), atlas=TinyAtlas())


def test_networkx_like_graph():
    class Graph:
        def nodes(self, data=False):
            return [("a", {"pos": (0.0, 0.0, 0.0)}), ("b", {"pos": (30.0, 0.0, 0.0)})]

        def edges(self, data=False):
            return [("a", "b", {"weight": 0.7})]

        def is_directed(self):
            return False

    layer = Connectome(Graph())
    assert np.allclose(layer.node_centers(), [[0, 0, 0], [30, 0, 0]])
    assert layer.n_edges_drawn == 1


# ------------------------------------------------------------ validation


def test_nan_weights_are_dropped_and_counted_once():
    matrix, coords = random_graph(n=8)
    matrix[0, 1] = matrix[1, 0] = np.nan
    matrix[2, 3] = matrix[3, 2] = np.nan
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = Connectome(matrix, coords, edge_threshold=0.0)
    messages = [str(w.message) for w in caught if issubclass(w.category, BrainviewWarning)]
    assert len(messages) == 1 and "NaN" in messages[0] and "2" in messages[0]
    pairs, weights = _drawn_pairs(layer)
    assert (0, 1) not in pairs and (2, 3) not in pairs and np.all(weights != 0)
    assert len(pairs) == 8 * 7 // 2 - 2


@pytest.mark.parametrize("matrix, coords, error, words", [
    (np.ones((3, 4)), np.zeros((3, 3)), BrainviewValueError, "square"),
    (np.ones((3, 3)), np.zeros((4, 3)), BrainviewValueError, "3"),
    (np.ones((3, 3)), np.zeros((3, 2)), BrainviewValueError, r"\(n, 3\)|3 columns"),
    (np.ones((3, 3)), np.zeros((3, 5)).T, BrainviewValueError, "3"),
    ("matrix", np.zeros((3, 3)), BrainviewTypeError, "adjacency_matrix"),
])
def test_bad_matrices_and_coordinates(matrix, coords, error, words):
    with pytest.raises(error, match=words):
        Connectome(matrix, coords)


def test_transposed_coordinates_get_a_hint():
    with pytest.raises(BrainviewValueError, match="(?i)transpose"):
        Connectome(np.ones((5, 5)), np.zeros((3, 5)))


def test_bad_sizes_and_thresholds():
    matrix, coords = random_graph(n=5)
    with pytest.raises(BrainviewValueError, match="node_size"):
        Connectome(matrix, coords, node_size=-2)
    with pytest.raises(BrainviewValueError, match="100"):
        Connectome(matrix, coords, edge_threshold="120%")
    with pytest.raises(BrainviewValueError, match="edge_threshold"):
        Connectome(matrix, coords, edge_threshold=-1)
    layer = Connectome(matrix, coords)
    with pytest.raises(BrainviewValueError, match="edge_threshold"):
        layer.edge_threshold = "abc"


def test_inputs_are_not_modified():
    matrix, coords = random_graph(n=6, symmetric=False)
    matrix[0, 1] = np.nan
    before, coords_before = matrix.copy(), coords.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Connectome(matrix, coords, symmetrize=True)
    assert np.array_equal(matrix, before, equal_nan=True) and np.array_equal(coords, coords_before)


# ------------------------------------------------------------ the example's data


def test_generated_networks_are_recovered_by_correlation():
    from nilearn.connectome import ConnectivityMeasure

    from brainview.simulate import make_network_timeseries

    networks = ["A"] * 6 + ["B"] * 6 + ["unassigned"] * 3
    series = make_network_timeseries(networks, n_timepoints=300, coupling=0.5, random_state=1)
    correlation = ConnectivityMeasure(kind="correlation").fit_transform([series])[0]
    labels = np.array(networks)
    within = (labels[:, None] == labels[None, :]) & (labels[:, None] != "unassigned")
    np.fill_diagonal(within, False)
    between = labels[:, None] != labels[None, :]
    assert correlation[within].min() > correlation[between].max()


def test_example_connectome_regression(fig):
    from nilearn.connectome import ConnectivityMeasure

    from brainview.simulate import make_network_timeseries

    rois = bv.datasets.load_seitzman_2018()
    keep = np.isin(rois["networks"], ["DefaultMode", "Visual", "SomatomotorDorsal"])
    series = make_network_timeseries(rois["networks"][keep], n_timepoints=200, coupling=0.5,
                                     random_state=42)
    correlation = ConnectivityMeasure(kind="correlation").fit_transform([series])[0]
    bv.connectome(correlation, rois["coords"][keep], edge_threshold="97%",
                  node_color=rois["networks"][keep], node_size=6, edge_cmap="RdBu_r")
    bv.view("superior")
    compare_to_baseline(fig.screenshot(), "connectome_example")


def test_interacting_draws_only_the_strongest_edges(fig):
    from brainview.layers.connectome import INTERACTIVE_EDGES

    rng = np.random.default_rng(5)
    n = 400
    matrix = np.triu(rng.normal(size=(n, n)), k=1)
    matrix += matrix.T
    coords = rng.uniform(-60, 60, size=(n, 3))
    layer = bv.connectome(matrix, coords, edge_threshold=0.0)
    assert layer.n_edges_drawn > INTERACTIVE_EDGES
    full = fig.screenshot()
    fig.interacting = True
    light = fig.screenshot()
    assert _drawn_lines(fig, layer) == INTERACTIVE_EDGES
    weights = np.abs(layer.edges.weights)
    assert np.all(weights[:INTERACTIVE_EDGES] >= weights[INTERACTIVE_EDGES])  # the strongest ones
    assert np.abs(light.astype(int) - full).sum() > 0
    fig.interacting = False
    assert np.array_equal(fig.screenshot(), full)
    assert _drawn_lines(fig, layer) == layer.n_edges_drawn
    small = bv.connectome(matrix[:20, :20], coords[:20])
    fig.interacting = True
    assert _drawn_lines(fig, small) == small.n_edges_drawn  # few edges: all of them while moving


def test_directed_graph_gets_one_arrow_per_drawn_edge(fig):
    coords = np.array([[-40.0, 0, 0], [40, 0, 0], [0, 40, 0]])
    matrix = np.array([[0, 2.0, 0], [0, 0, 1.0], [0.5, 0, 0]])
    with pytest.warns(BrainviewWarning):
        layer = bv.connectome(matrix, coords, edge_threshold=0.8)
    assert layer.is_directed and layer.n_edges_drawn == 2
    assert layer.arrow_mesh.GetNumberOfPoints() == 2
    tips = np.asarray(pv.wrap(layer.arrow_mesh).points)
    # Each arrow tip sits on the surface of its target node, on the side facing the source.
    assert np.linalg.norm(tips[0] - coords[1]) < np.linalg.norm(tips[0] - coords[0])
    fig.screenshot()


def test_labels_tubes_and_width_by_weight_render(fig):
    matrix, coords = random_graph(n=6, seed=2)
    names = [f"node {i}" for i in range(6)]
    layer = bv.connectome(matrix, coords, node_labels=names, tubes=True, width_by_weight=True,
                          edge_width=3.0, edge_threshold="50%")
    plain = fig.screenshot()
    assert any(prop.IsA("vtkActor2D") and prop.GetMapper().IsA("vtkLabeledDataMapper")
               for prop in fig.drawer(layer).props())
    layer.nodes_visible = False
    without_nodes = fig.screenshot()
    assert np.abs(plain.astype(int) - without_nodes).sum() > 0
    layer.edges_visible = False
    assert fig.screenshot().sum() < without_nodes.sum()
    with pytest.raises(BrainviewValueError):
        Connectome(matrix, coords, node_labels=names[:3])


# ------------------------------------------------------------ atlases, stacks, pandas


def test_connectome_nodes_from_an_atlas_equal_its_centroids():
    data = np.zeros((20, 10, 10), np.int16)
    data[2:6, 2:8, 2:8] = data[14:18, 2:8, 2:8] = 1  # one region in both hemispheres
    data[8:12, 2:8, 2:8] = 2
    affine = np.eye(4)
    affine[0, 3] = -10.0
    atlas = bv.layers.Atlas((data, affine), smooth=0)
    layer = Connectome(np.array([[0, 1.0], [1.0, 0]]), atlas=atlas)
    assert np.allclose(layer.node_positions, list(atlas.centroids().values()))
    assert layer.node_positions[0, 0] < -2  # not on the midline
    assert atlas.label_at(layer.node_positions) == atlas.names


def test_stacked_matrices_need_a_subject_or_the_mean():
    coords = [[0, 0, 0], [20, 0, 0], [0, 20, 0]]
    stack = np.stack([np.full((3, 3), value) - np.diag([value] * 3) for value in (1.0, 3.0)])
    with pytest.raises(BrainviewValueError, match="subject=i"):
        Connectome(stack, coords)
    assert Connectome(stack, coords, subject=1).edges.weights.tolist() == [3.0] * 3
    assert Connectome(stack, coords, subject="mean").edges.weights.tolist() == [2.0] * 3
    with pytest.raises(BrainviewValueError, match="subject"):
        Connectome(stack, coords, subject=2)
    with pytest.raises(BrainviewValueError, match="subject"):
        Connectome(stack[0], coords, subject=0)


def test_pandas_series_and_categorical_network_labels_are_categories():
    import pandas as pd

    coords = [[0, 0, 0], [20, 0, 0], [0, 20, 0]]
    matrix = np.ones((3, 3)) - np.eye(3)
    series = pd.Series(["DMN", "Visual", "DMN"], dtype=object)
    layer = Connectome(matrix, coords, node_color=series)
    assert [name for name, _ in layer.legend_entries()] == ["DMN", "Visual"]
    categorical = pd.Categorical(["DMN", "Visual", "DMN"], categories=["Visual", "DMN", "Motor"])
    for value in (categorical, pd.Series(categorical)):
        layer = Connectome(matrix, coords, node_color=value)
        assert [name for name, _ in layer.legend_entries()] == ["Visual", "DMN", "Motor"]
        rgb = layer.node_rgb()
        assert np.allclose(rgb[0], rgb[2]) and not np.allclose(rgb[0], rgb[1])
    with pytest.raises(BrainviewValueError, match="no category"):
        Connectome(matrix, coords, node_color=pd.Categorical(["DMN", None, "DMN"]))


# ------------------------------------------------------------ files cannot hurt the user (issue 11)


def test_coordinates_of_1e300_are_refused_naming_the_value_not_drawn_black():
    matrix, coords = random_graph(n=4)
    coords[2, 1] = 1e300
    with pytest.raises(BrainviewValueError, match=r"node_coords: a coordinate of 1e\+300 mm \(row 2\)"):
        Connectome(matrix, coords)


def test_nan_coordinates_are_refused_with_their_count():
    matrix, coords = random_graph(n=4)
    coords[[1, 3], 0] = np.nan
    with pytest.raises(BrainviewValueError, match=r"node_coords: 2 of 4 rows .*rows 1, 3"):
        Connectome(matrix, coords)


def test_a_0_node_connectome_is_a_brainview_error_not_a_pyvista_one():
    with pytest.raises(BrainviewValueError, match="adjacency_matrix: a 0x0 matrix has no nodes"):
        Connectome(np.zeros((0, 0)), np.zeros((0, 3)))


@pytest.mark.parametrize("name", ["edge_threshold", "edge_vmin", "edge_vmax", "edge_width"])
def test_edge_threshold_true_is_a_type_error_not_1(name):
    matrix, coords = random_graph(n=4)
    with pytest.raises(BrainviewTypeError, match=f"{name}: expected a number.*True"):
        Connectome(matrix, coords, **{name: True})
    layer = Connectome(matrix, coords)
    with pytest.raises(BrainviewTypeError, match=name):
        setattr(layer, name, True)


def test_messages_through_atlas_name_the_atlas_not_node_coords():
    class Regions:
        def centroids(self):
            return {"a": (0.0, 0.0, 0.0), "empty map": (np.nan, np.nan, np.nan)}

    with pytest.raises(BrainviewValueError, match=r"^atlas: 1 region\(s\) have no centroid .*'empty map'"):
        Connectome(np.ones((2, 2)), atlas=Regions())

    class Far:
        def centroids(self):
            return {"a": (0.0, 0.0, 0.0), "b": (1e9, 0.0, 0.0)}

    with pytest.raises(BrainviewValueError, match=r"^atlas.centroids\(\): a coordinate of 1e\+09"):
        Connectome(np.ones((2, 2)), atlas=Far())


def test_nothing_drawn_warns():
    matrix, coords = random_graph(n=4)
    with pytest.warns(BrainviewWarning, match="nothing to draw"):
        Connectome(matrix, coords, edge_threshold=100.0, node_size=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer = Connectome(matrix, coords, edge_threshold=100.0)  # the nodes are still drawn
    with pytest.warns(BrainviewWarning, match="nothing to draw"):
        layer.node_size = 0.0


def test_equal_edge_vmin_and_vmax_are_refused_when_set_not_at_redraw():
    """Bug: edge_vmin == edge_vmax was accepted, then every redraw failed inside a traits handler."""
    matrix, coords = np.array([[0, 0.5], [0.5, 0]]), np.array([[0.0, 0, 0], [20, 0, 0]])
    with pytest.raises(bv.errors.BrainviewValueError, match="low < high"):
        bv.layers.Connectome(matrix, coords, edge_vmin=1.0, edge_vmax=1.0)
    layer = bv.layers.Connectome(matrix, coords, edge_vmin=-1.0, edge_vmax=1.0)
    with pytest.raises(bv.errors.BrainviewValueError, match="low < high"):
        layer.edge_vmax = -1.0
    assert layer.edge_clim == (-1.0, 1.0)


def test_node_labels_start_above_their_node_not_inside_it():
    """Bug: labels were anchored at node centres: a dark node swallowed their first letters."""
    from vtkmodules.util.numpy_support import vtk_to_numpy

    matrix, coords = np.array([[0, 0.5], [0.5, 0]]), np.array([[-30.0, 0, 0], [30, 0, 0]])
    layer = Connectome(matrix, coords, node_labels=["a", "b"], node_size=12)
    anchors = vtk_to_numpy(layer.label_mesh.GetPoints().GetData())
    np.testing.assert_allclose(anchors, coords + [0, 0, 6])
    layer.node_size = 20
    np.testing.assert_allclose(vtk_to_numpy(layer.label_mesh.GetPoints().GetData()), coords + [0, 0, 10])


def _label_pixels(fig, layer):
    """Pixels the labels change: the picture with them minus the picture without them."""
    with_labels = fig.screenshot().astype(int)
    layer.node_labels = None
    without = fig.screenshot().astype(int)
    layer.node_labels = ["WWWW", "MMMM"]
    return with_labels[np.abs(with_labels - without).max(axis=-1) > 60]


def test_connectome_labels_copy_their_colour_when_added_and_stay_white_on_a_white_background(fig):
    """Bug: labels took the figure's text colour once, when added: white on a later white background."""
    matrix, coords = np.array([[0, 0.5], [0.5, 0]]), np.array([[-40.0, 0, 0], [20, 0, 0]])
    layer = fig.add(Connectome(matrix, coords, node_labels=["WWWW", "MMMM"], node_size=1.0,
                               edge_threshold=1.0))
    fig.view("anterior")
    on_black = _label_pixels(fig, layer)
    assert len(on_black) > 20 and on_black.min(axis=-1).mean() > 150  # light text on black
    fig.bgcolor = "white"
    on_white = _label_pixels(fig, layer)
    assert len(on_white) > 20 and on_white.max(axis=-1).mean() < 105  # dark text on white
    layer.label_color = "red"
    red = _label_pixels(fig, layer)
    assert len(red) > 20 and red[:, 0].mean() > 150 and red[:, 1:].max(axis=-1).mean() < 105
    layer.label_color = None
    assert _label_pixels(fig, layer).max(axis=-1).mean() < 105  # follows the background again
    assert layer.get_params()["label_color"] is None


def test_label_color_set_after_creation_draws_as_if_constructed_with_it():
    matrix, coords = np.array([[0, 0.5], [0.5, 0]]), np.array([[-40.0, 0, 0], [20, 0, 0]])
    pictures = []
    for make in (lambda: Connectome(matrix, coords, node_labels=["a", "b"], label_color="lime"),
                 lambda: Connectome(matrix, coords, node_labels=["a", "b"])):
        figure = bv.figure(size=(120, 90), antialias=False)
        layer = figure.add(make())
        layer.label_color = "lime"
        figure.view("anterior")
        pictures.append(figure.screenshot())
        bv.close(figure)
    np.testing.assert_array_equal(pictures[0], pictures[1])
    assert (pictures[0][..., 1].astype(int) - pictures[0][..., 0] > 150).any()  # lime text drawn


def test_the_colour_bar_of_a_connectome_follows_its_edge_range_and_colormap(fig):
    matrix, coords = random_graph(n=6)
    layer = bv.connectome(matrix, coords, edge_cmap="RdBu_r")
    bar = fig.colorbar(layer)
    largest = float(np.abs(layer.edges.weights).max())
    assert bar.range == pytest.approx((-largest, largest))
    layer.edge_vmax = 5.0
    assert bar.range == pytest.approx((-largest, 5.0))
    before = bar.table
    layer.edge_cmap = "viridis"
    assert not np.array_equal(bar.table, before)
