"""Issue 10: every setting of surfaces, points, atlases and connectomes that changes the picture is live.

For each constructor argument: set it after creation, and the picture equals
that of a layer constructed with the value (array-equal screenshots of small
figures); ``type(layer)(**layer.get_params())`` draws the same picture; a
refused value raises the constructor's error and leaves the layer unchanged.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewError
from brainview.layers import Atlas, Connectome, Points, Surface

SIZE = (160, 120)


@pytest.fixture(autouse=True)
def _close_all():
    yield
    bv.close("all")


def _picture(layer, change=None):
    """Screenshot of ``layer`` alone, after ``change(layer)`` when given (made after a first render)."""
    figure = bv.figure(size=SIZE, antialias=False)
    figure.add(layer)
    figure.view("anterior")
    figure.screenshot()
    if change is not None:
        change(layer)
        figure.view("anterior")
    image = figure.screenshot()
    figure.remove(layer)
    bv.close(figure)
    return image


def _assert_live(cls, options, name, value):
    layer = cls(**options)
    changed = _picture(layer, lambda lay: setattr(lay, name, value))
    assert layer.get_params()[name] is value, "the parameter is kept as given"
    built = _picture(cls(**{**options, name: value}))
    assert (changed != _picture(cls(**options))).any(), f"{name}: the test value changes nothing"
    np.testing.assert_array_equal(changed, built)
    np.testing.assert_array_equal(_picture(type(layer)(**layer.get_params())), built)


# ------------------------------------------------------------ points

POINTS = np.array([[0.0, 0, 0], [20, 10, 5]])


@pytest.mark.parametrize("name, value", [
    ("coords", np.array([[0.0, 0, 0], [-20, 10, 20]])),
    ("size", 14.0),
    ("color", "blue"),
    ("values", np.array([0.0, 1.0])),
    ("resolution", 4),
])
def test_points_parameter_set_after_creation_draws_as_if_constructed_with_it(name, value):
    _assert_live(Points, dict(coords=POINTS, size=8, color="red"), name, value)


def test_points_refused_value_raises_the_constructor_error_and_changes_nothing():
    layer = Points(POINTS, size=[4, 6])
    before = _picture(layer)
    with pytest.raises(BrainviewError, match="coords: a coordinate of 1e\\+30"):
        layer.coords = [[0, 0, 0], [1e30, 0, 0]]
    with pytest.raises(BrainviewError, match="size: expected one size or 2 sizes"):
        layer.size = [1, 2, 3]
    with pytest.raises(BrainviewError, match="resolution"):
        layer.resolution = True
    assert layer.get_params()["size"] == [4, 6] and layer.get_params()["coords"] is POINTS
    np.testing.assert_array_equal(_picture(layer), before)


def test_points_values_keep_clim_none_as_given_and_follow_new_values():
    layer = Points(POINTS, values=[0.0, 1.0])
    layer.values = [10.0, 30.0]
    assert layer.clim == (10.0, 30.0) and layer.get_params()["clim"] is None


# ------------------------------------------------------------ surfaces


def _tetrahedron(scale=20.0):
    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1.0]]) * scale
    return vertices, np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]])


@pytest.mark.parametrize("name, value", [
    ("surf", _tetrahedron(35.0)),
    ("overlay", np.array([3.0, 0.0, 1.0, 2.0])),
    ("bg_map", np.array([1.0, -1.0, 1.0, -1.0])),
])
def test_surface_parameter_set_after_creation_draws_as_if_constructed_with_it(name, value):
    threshold = 5.0 if name == "bg_map" else 0.5  # the shading shows where the overlay does not
    _assert_live(Surface, dict(surf=_tetrahedron(), overlay=np.array([0.0, 1, 2, 3]), threshold=threshold),
                 name, value)


@pytest.mark.parametrize("name, value", [("hemi", "right"), ("inflated", True), ("bg_map", None)])
def test_fsaverage5_hemi_inflated_and_bg_map_are_live(name, value):
    _assert_live(Surface, dict(surf="fsaverage5", hemi="left", bg_map="sulc"), name, value)


def test_surface_refused_value_raises_the_constructor_error_and_changes_nothing():
    layer = Surface(_tetrahedron(), np.array([0.0, 1, 2, 3]))
    before = _picture(layer)
    with pytest.raises(BrainviewError, match="overlay"):
        layer.overlay = np.zeros(7)
    with pytest.raises(BrainviewError, match="surf: the mesh 'mesh' has no faces"):
        layer.surf = (np.eye(3), np.zeros((0, 3), int))
    with pytest.raises(BrainviewError, match="inflated"):
        layer.inflated = "yes"
    assert layer.get_params()["surf"][0].shape == (4, 3) and layer.overlay.shape == (4,)
    np.testing.assert_array_equal(_picture(layer), before)


# ------------------------------------------------------------ connectomes


def _graph(n=4, seed=0):
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(n, n))
    matrix = (matrix + matrix.T) / 2
    np.fill_diagonal(matrix, 0)
    return matrix, rng.uniform(-40, 40, size=(n, 3))


MATRIX, COORDS = _graph()


class _Regions:
    def centroids(self):
        return {f"r{i}": tuple(xyz) for i, xyz in enumerate(COORDS[::-1] * 0.8)}


@pytest.mark.parametrize("name, value", [
    ("adjacency_matrix", _graph(seed=1)[0]),
    ("node_coords", _graph(seed=2)[1]),
    ("tubes", True),
    ("node_labels", ["a", "b", "c", "d"]),
    ("directed", True),
    ("symmetrize", True),
])
def test_connectome_parameter_set_after_creation_draws_as_if_constructed_with_it(name, value):
    options = dict(adjacency_matrix=MATRIX, node_coords=COORDS, node_color=["x", "y", "x", "y"])
    if name == "symmetrize":
        options.update(adjacency_matrix=np.triu(MATRIX), directed=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an asymmetric matrix warns
        _assert_live(Connectome, options, name, value)


@pytest.mark.parametrize("name, value", [("width_by_weight", True), ("legend", False)])
def test_connectome_tube_widths_and_legend_are_live(name, value):
    _assert_live(Connectome, dict(adjacency_matrix=MATRIX, node_coords=COORDS, tubes=True, edge_width=4.0,
                                  node_color=["x", "y", "x", "y"]), name, value)


def test_connectome_atlas_and_subject_are_live():
    _assert_live(Connectome, dict(adjacency_matrix=MATRIX, atlas=_Regions()), "node_labels", True)
    layer = Connectome(MATRIX, COORDS)
    with pytest.raises(BrainviewError, match="node_coords: pass either node_coords or atlas"):
        layer.atlas = _Regions()
    stack = np.stack([MATRIX, _graph(seed=1)[0]])
    _assert_live(Connectome, dict(adjacency_matrix=MATRIX, atlas=_Regions()), "adjacency_matrix", _graph(seed=3)[0])
    _assert_live(Connectome, dict(adjacency_matrix=stack, node_coords=COORDS, subject=0), "subject", 1)


def test_connectome_refused_graph_raises_and_changes_nothing():
    layer = Connectome(MATRIX, COORDS, node_size=[2, 4, 6, 8])
    before = _picture(layer)
    with pytest.raises(BrainviewError, match="node_coords: 4 coordinates for a 5x5"):
        layer.adjacency_matrix = _graph(n=5)[0]
    with pytest.raises(BrainviewError, match="node_labels: expected 4 labels"):
        layer.node_labels = ["a"]
    with pytest.raises(BrainviewError, match="node_coords: a coordinate of .* beyond"):
        layer.node_coords = COORDS * 1e300
    with pytest.raises(BrainviewError, match="tubes: expected True or False"):
        layer.tubes = "yes"
    assert layer.get_params()["adjacency_matrix"] is MATRIX and layer.edges.n_nodes == 4
    np.testing.assert_array_equal(_picture(layer), before)


# ------------------------------------------------------------ atlases


def _boxes(shift=0):
    data = np.zeros((20, 16, 16), np.int16)
    data[2 + shift:8 + shift, 3:12, 4:12] = 1
    data[11:18, 5:14, 2:10] = 2
    return data, np.eye(4)


def _blobs():
    """Two overlapping probability maps on a small grid."""
    ijk = np.indices((18, 14, 14)).transpose(1, 2, 3, 0).astype(float)
    maps = np.stack([np.exp(-((ijk - centre) ** 2).sum(-1) / width)
                     for centre, width in (((6, 7, 7), 18.0), ((11, 7, 6), 8.0))], -1)
    return maps.astype(np.float32), np.diag([3.0, 3, 3, 1])


LUT = {"index": [1, 2], "name": ["west", "east"], "color": ["red", "blue"]}
ATLAS = dict(atlas=_boxes(), labels=["Background", "west", "east"], smooth=0)


@pytest.mark.parametrize("name, value", [
    ("atlas", _boxes(shift=2)),
    ("lut", LUT),
    ("smooth", 6),
])
def test_atlas_parameter_set_after_creation_draws_as_if_constructed_with_it(name, value):
    _assert_live(Atlas, ATLAS, name, value)


def test_atlas_labels_are_live_and_the_label_values_a_read_only_property():
    # The names select the regions: swapping them shows the other box.
    _assert_live(Atlas, {**ATLAS, "regions": "west"}, "labels", ["Background", "east", "west"])
    layer = Atlas(**ATLAS)
    layer.labels = {1: "left", 2: "right"}
    assert layer.names == ["left", "right"] and layer.label_values.tolist() == [1, 2]
    assert layer.get_params()["labels"] == {1: "left", 2: "right"}
    with pytest.raises(AttributeError):
        layer.label_values = [3, 4]


@pytest.mark.parametrize("name, value", [
    ("prob_display", "maxprob"),
    ("threshold", 0.8),
    ("sign", "negative"),
    ("min_region_size", 2000.0),  # mm³: drops the smaller blob
])
def test_atlas_maps_settings_set_after_creation_draw_as_if_constructed_with_them(name, value):
    options = dict(atlas=_blobs(), smooth=0)
    if name == "sign":  # negative maps: the sign chooses which part is drawn
        maps, affine = _blobs()
        options["atlas"] = (maps * np.array([1.0, -1.0], np.float32), affine)
        options["sign"] = "positive"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a sign or size leaving a map empty warns
        _assert_live(Atlas, options, name, value)


def test_atlas_name_follows_a_new_atlas_unless_given(tmp_path):
    import nibabel as nib

    path = tmp_path / "parcels.nii.gz"
    nib.save(nib.Nifti1Image(_boxes(shift=1)[0], np.eye(4)), path)
    layer = Atlas(_boxes(), smooth=0)
    layer.atlas = str(path)
    assert layer.name == Atlas(str(path), smooth=0).name and layer.get_params()["name"] is None
    named = Atlas(_boxes(), smooth=0, name="mine")
    named.atlas = str(path)
    assert named.name == "mine"


def test_atlas_refused_value_raises_the_constructor_error_and_changes_nothing():
    layer = Atlas(**{**ATLAS, "regions": "west"})
    before, mesh, names = _picture(layer), layer.mesh, layer.names
    four_d = _blobs()
    for attribute, bad, message in [
        ("atlas", 5, "atlas"),
        ("labels", ["Background", "only one"], "labels: 2 names for 2 regions"),
        ("labels", {1: "left", 2: "right"}, "regions: no region matches 'west'"),
        ("lut", {"index": [1, 1], "name": ["a", "b"]}, "lut: the index 1 appears more than once"),
        ("smooth", True, "smooth: expected a number of iterations"),
        ("smooth", 10 ** 6, "smooth: at most 1000"),
        ("prob_display", "median", "prob_display: must be one of"),
    ]:
        with pytest.raises(BrainviewError, match=message):
            setattr(layer, attribute, bad)
    assert layer.mesh is mesh and layer.names == names and layer.get_params()["labels"] == ATLAS["labels"]
    np.testing.assert_array_equal(_picture(layer), before)
    strict = Atlas(_boxes(), kind="deterministic", smooth=0)
    with pytest.raises(BrainviewError, match="a deterministic atlas is one 3-D label image"):
        strict.atlas = four_d
    assert strict.get_params()["kind"] == "deterministic" and strict.kind == "atlas"


def test_atlas_threshold_no_map_reaches_is_refused_and_changes_nothing():
    layer = Atlas(_blobs(), smooth=0, threshold=0.5)
    before, mesh = _picture(layer), layer.mesh
    with pytest.raises(BrainviewError, match="threshold: no map reaches it"):
        layer.threshold = 5.0
    assert layer.threshold == 0.5 and layer.mesh is mesh and layer.get_params()["threshold"] == 0.5
    np.testing.assert_array_equal(_picture(layer), before)


# ------------------------------------------------------------ drawing apart from the model


def _drawing_objects(layer):
    """VTK rendering objects, sources and filters reachable from the layer (meshes are model data)."""
    from vtkmodules.vtkCommonExecutionModel import vtkAlgorithm
    from test_live_params import _rendering_objects

    algorithms = []

    def walk(obj, seen):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, vtkAlgorithm):
            algorithms.append(obj)
        elif isinstance(obj, dict):
            [walk(child, seen) for child in obj.values()]
        elif isinstance(obj, (list, tuple, set)):
            [walk(child, seen) for child in obj]
        elif type(obj).__module__.startswith("brainview."):
            [walk(child, seen) for child in vars(obj).values()]

    walk(layer, set())
    return _rendering_objects(layer) + algorithms


def _edit_everything(layer):
    """Set each live setting of the layer (to its own value): observers run, still no drawing."""
    for name, value in layer.get_params().items():
        if name not in ("kind", "name"):
            setattr(layer, name, value)
    layer.opacity = 0.5
    layer.visible = False
    layer.visible = True


_MODELS = {
    "points": lambda: Points(POINTS, values=[0.0, 1.0], size=8),
    "surface": lambda: Surface(_tetrahedron(), np.array([0.0, 1, 2, 3]), bg_map=np.array([1.0, -1, 1, -1])),
    "atlas": lambda: Atlas(**ATLAS, colors={"east": "red"}),
    "atlas_maps": lambda: Atlas(_blobs(), smooth=0, prob_display="maxprob"),
    "connectome": lambda: Connectome(MATRIX, COORDS, node_color=["x", "y", "x", "y"], node_labels=list("abcd"),
                                     directed=True, tubes=True),
}


@pytest.mark.parametrize("kind", sorted(_MODELS))
def test_a_model_holds_no_vtk_rendering_object_until_drawn(kind):
    layer = _MODELS[kind]()
    assert _drawing_objects(layer) == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an asymmetric matrix warns
        _edit_everything(layer)
    assert _drawing_objects(layer) == [], "a setting changed after construction made a drawing"
    expected = _MODELS[kind]()
    expected.opacity = 0.5
    np.testing.assert_array_equal(_picture(layer), _picture(expected))
    assert _drawing_objects(layer) == [], "drawn by a drawer: the model holds no VTK object"


@pytest.mark.parametrize("kind", sorted(_MODELS))
def test_the_drawer_has_the_actor_and_the_model_a_colorbar_table_without_drawing(kind):
    layer = _MODELS[kind]()
    if kind in ("points", "surface", "connectome"):
        assert layer.colorbar_table()[0].GetNumberOfTableValues() > 0
    figure = bv.figure(size=SIZE)
    drawer = figure.drawer(figure.add(layer))
    assert drawer.actor is drawer.props()[0] and drawer.actor.GetMapper() is not None
    if kind in ("points", "surface", "connectome"):
        assert layer.colorbar_table()[0].GetNumberOfTableValues() > 0


def test_a_drawn_connectome_swaps_its_props_on_a_new_graph_in_the_figure():
    layer = Connectome(MATRIX, COORDS, node_labels=list("abcd"))
    figure = bv.figure(size=SIZE, antialias=False)
    figure.add(layer)
    old = figure.drawer(layer).props()
    layer.tubes = True
    props = figure.renderer.GetViewProps()
    shown = [props.GetItemAsObject(i) for i in range(props.GetNumberOfItems())]
    assert not set(old) & set(shown) and set(figure.drawer(layer).props()) <= set(shown)


@pytest.mark.parametrize("make", [lambda **kw: Points(POINTS, values=[0.0, 1.0], **kw),
                                  lambda **kw: Surface(_tetrahedron(), np.array([0.0, 1, 2, 3]), **kw)])
def test_clim_set_back_to_none_is_the_range_of_the_values_again(make):
    layer = make(clim=(5.0, 6.0))
    layer.clim = None
    assert layer.clim == make().clim and layer.get_params()["clim"] is None
    np.testing.assert_array_equal(_picture(layer), _picture(make()))
