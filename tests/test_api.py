"""Common tests over every public pylab verb (scikit-learn style).

Every verb in ``brainview.pylab.__all__`` that draws something must have an
entry in ``VERBS`` below: a test fails for a verb nobody registered, so a new
verb cannot skip these checks. Each entry gives a small synthetic input and
the object form (``Figure.add(LayerClass(...))``) of the same call.
"""

import copy
import inspect

import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from brainview import pylab
from brainview.errors import BrainviewError, BrainviewTypeError
from brainview.scene import Figure
from brainview.layers import (
    Atlas, Connectome, Contour, GlassBrain, Layer, Mesh, Points, Slices, StatMap, Surf, Surface, Volume,
)

SIZE = (120, 120)

#: pylab functions that manage figures and output rather than draw a layer.
STATE_FUNCTIONS = {
    "figure", "gcf", "get_fignums", "clf", "close", "show", "savefig", "screenshot", "movie",
    "view", "title", "text", "colorbar", "save_scene", "load_scene", "export_script", "export_html",
    "render_many", "set_cache", "grid",  # grid: a new figure of small multiples
}

#: Verbs that render their own figures and return an image, not a layer.
IMAGE_VERBS = {"surface_montage"}

# The kinds' own example inputs (Kind.example uses them too): one copy of the phantoms.
from brainview.layers._examples import AFFINE  # noqa: E402
from brainview.layers._examples import blob as _blob  # noqa: E402
from brainview.layers._examples import signed_blob as _stat  # noqa: E402
from brainview.layers._examples import tetrahedron as _mesh  # noqa: E402
from brainview.layers._examples import three_node_graph as _matrix  # noqa: E402
from brainview.layers._examples import two_regions as _labels  # noqa: E402
from brainview.layers.quiver import Quiver, _example as _quiver_example  # noqa: E402
from brainview.layers.vector_field import VectorField, _example as _field_example  # noqa: E402


# verb -> (positional args factory, keyword options, object-form class)
VERBS = {
    "contour": (lambda: ((_blob(), AFFINE),), dict(level=2.0), Contour),
    "volume": (lambda: ((_blob(), AFFINE),), dict(cmap="hot", clim=(1, 5)), Volume),
    "slices": (lambda: ((_blob(), AFFINE),), dict(coords=(0, 0, 0)), Slices),
    "surface": (lambda: (_mesh(), np.array([0.0, 1, 2, 3])), dict(threshold=0.5), Surface),
    "points": (lambda: (np.array([[0.0, 0, 0], [20, 10, 5]]),), dict(size=8, color="red"), Points),
    "stat_map": (lambda: ((_stat(), AFFINE),), dict(threshold=2.0, outline=False), StatMap),
    "glass_brain": (lambda: ((_labels() > 0, AFFINE),), dict(opacity=0.3), GlassBrain),
    "atlas": (lambda: ((_labels(), AFFINE),), dict(labels=["background", "a", "b"], smooth=0), Atlas),
    "connectome": (lambda: _matrix(), dict(edge_threshold=0.1), Connectome),
    "lines": (lambda: (np.array([[0.0, 0, 0], [20, 10, 5], [30, -10, 0]]),), dict(scalars=[0, 1, 2]),
              bv.layers.Lines),
    "streamlines": (lambda: ([np.array([[0.0, 0, 0], [20, 10, 5], [30, -10, 0]])] * 2,), dict(line_width=2.0),
                    bv.layers.Streamlines),
    "mesh": (lambda: tuple(np.mgrid[0:4, 0:5].astype(float)) + (np.ones((4, 5)),), dict(cmap="hot"), Mesh),
    "surf": (lambda: (np.arange(20.0).reshape(4, 5),), dict(warp_scale=0.5), Surf),
    "quiver": (lambda: _quiver_example()[0], dict(scale_factor=1.5), Quiver),
    "vector_field": (lambda: _field_example()[0], dict(stride=2), VectorField),
}

#: The positional parameter each verb reads its data from, and an impossible value for it.
BAD_DATA = object()


def _layer_verbs():
    return [name for name in pylab.__all__ if name not in STATE_FUNCTIONS | IMAGE_VERBS]


@pytest.fixture
def small():
    figure = bv.figure(size=SIZE, antialias=False)
    yield figure
    bv.close("all")


def test_every_pylab_name_is_exported_lazily():
    # A name missing from brainview._PYLAB is invisible as bv.<verb>.
    for name in pylab.__all__:
        assert getattr(bv, name) is not None
        assert callable(getattr(bv, name)), f"bv.{name} is not callable"


def test_bv_figure_stays_callable_after_importing_every_submodule():
    # Symptom fixed: a module brainview/figure.py, once imported, shadowed the
    # verb, and the second bv.figure(...) raised "'module' object is not callable".
    import pkgutil

    import brainview.pylab  # noqa: F401
    import brainview.scene  # noqa: F401

    submodules = {info.name for info in pkgutil.iter_modules(bv.__path__)}
    assert not submodules & set(pylab.__all__), "a submodule named like a verb shadows it"
    first = bv.figure(size=SIZE)
    second = bv.figure(size=SIZE)
    try:
        assert isinstance(first, Figure) and isinstance(second, Figure)
        assert first is not second and bv.gcf() is second
    finally:
        bv.close("all")


@pytest.mark.parametrize("name", _layer_verbs())
def test_every_verb_is_registered_here(name):
    assert name in VERBS, (
        f"pylab verb {name!r} has no entry in tests/test_api.py VERBS: add a small input "
        "and its layer class so the common tests cover it")


@pytest.mark.parametrize("name", sorted(VERBS))
def test_verb_renders_off_screen_and_returns_a_live_layer(small, name):
    make_args, options, _ = VERBS[name]
    layer = getattr(bv, name)(*make_args(), **options)
    assert isinstance(layer, Layer)
    assert layer in small.layers
    shown = small.screenshot()
    assert shown.shape == (SIZE[1], SIZE[0], 3) and shown.dtype == np.uint8
    assert shown.max() > 0, f"{name} drew nothing"
    layer.visible = False
    assert not np.array_equal(small.screenshot(), shown), f"hiding {name} changed nothing"


@pytest.mark.parametrize("name", sorted(VERBS))
def test_pylab_and_object_forms_agree(name):
    make_args, options, layer_class = VERBS[name]
    bv.figure(size=SIZE, antialias=False)
    try:
        getattr(bv, name)(*make_args(), **options)
        bv.view("anterior")
        from_pylab = bv.screenshot()
    finally:
        bv.close("all")
    figure = Figure(size=SIZE, antialias=False)
    try:
        figure.add(layer_class(*make_args(), **options))
        figure.view("anterior")
        from_object = figure.screenshot()
    finally:
        figure.close()
    assert np.array_equal(from_pylab, from_object)


@pytest.mark.parametrize("name", sorted(VERBS) + sorted(IMAGE_VERBS))
def test_bad_data_type_names_the_parameter(small, name):
    function = getattr(bv, name)
    parameters = inspect.signature(function).parameters.values()
    parameter = next(iter(parameters)).name
    required = [p for p in parameters if p.default is p.empty and p.kind == p.POSITIONAL_OR_KEYWORD]
    with pytest.raises((BrainviewTypeError, ValueError)) as info:
        function(*[BAD_DATA] * max(1, len(required)))  # mesh(x, y, z): every array bad
    assert isinstance(info.value, BrainviewError), f"{name}: {type(info.value).__name__} is not a brainview error"
    assert parameter in str(info.value), f"{name}: message does not name {parameter!r}: {info.value}"
    assert not small.layers


@pytest.mark.parametrize("name", sorted(VERBS))
def test_inputs_are_left_unchanged(small, name):
    make_args, options, _ = VERBS[name]
    args = make_args()
    before = copy.deepcopy(args)
    getattr(bv, name)(*args, **options)
    small.screenshot()
    for given, kept in zip(_leaves(args), _leaves(before)):
        np.testing.assert_array_equal(given, kept)


def _leaves(value):
    if isinstance(value, (tuple, list)):
        for item in value:
            yield from _leaves(item)
    else:
        yield np.asarray(value)


#: Two markers that fix the camera framing whatever the layer's bounds.
FRAME = [[-45.0, -45, -45], [45, 45, 45]]


@pytest.mark.parametrize("name", ["contour", "volume", "slices", "stat_map"])
def test_image_verbs_accept_path_nibabel_and_pair(tmp_path, name):
    make_args, options, _ = VERBS[name]
    (data, affine), = make_args()
    path = tmp_path / "img.nii.gz"
    nib.save(nib.Nifti1Image(data, affine), path)
    shots = []
    for source in (path, str(path), nib.load(path), (data, affine)):
        bv.figure(size=SIZE, antialias=False)
        try:
            getattr(bv, name)(source, **options)
            bv.points(FRAME, size=1)  # fixed framing: a misplaced layer shows
            bv.view("superior")
            shots.append(bv.screenshot())
        finally:
            bv.close("all")
    assert shots[0].max() > 0
    # A file's array comes back in another memory order, so VTK walks it in
    # another order: allow rasterisation noise, not a different picture.
    # (A 6 mm shift changes 2-3 % of the pixels by more than 16 levels.)
    for shot in shots[1:]:
        changed = np.abs(shot.astype(int) - shots[0]).max(axis=-1) > 16
        assert changed.mean() < 0.002


# ------------------------------------------------------------ bad traits


@pytest.fixture(scope="module")
def layers():
    return {
        "contour": Contour((_blob(), AFFINE), level=2.0),
        "volume": Volume((_blob(), AFFINE), clim=(1, 5)),
        "slices": Slices((_blob(), AFFINE)),
        "points": Points([[0, 0, 0]]),
        "surface": Surface(_mesh(), np.arange(4.0)),
        "connectome": Connectome(*_matrix()),
    }


@pytest.mark.parametrize("kind, trait, value", [
    ("contour", "opacity", 2),
    ("contour", "opacity", -0.1),
    ("contour", "level", "high"),
    ("contour", "color", "notacolour"),
    ("contour", "smooth", -1),
    ("volume", "clim", (5, 1)),
    ("volume", "cmap", "nope"),
    ("volume", "blending", "sum"),
    ("volume", "ramp", "steep"),
    ("volume", "opacity", 1.5),
    ("slices", "axes", "q"),
    ("slices", "x", "left"),
    ("slices", "x", float("nan")),
    ("slices", "interpolation", "cubic"),
    ("slices", "clim", (1, 1)),
    ("points", "cmap", 3),
    ("points", "opacity", "half"),
    ("surface", "threshold", -1),
    ("surface", "clim", (2, 0)),
    ("surface", "visible", "yes"),
    ("connectome", "edges_visible", "no"),
])
def test_bad_trait_assignment_raises_a_brainview_error(layers, kind, trait, value):
    layer = layers[kind]
    before = getattr(layer, trait)
    with pytest.raises((ValueError, TypeError)) as info:
        setattr(layer, trait, value)
    assert isinstance(info.value, BrainviewError), f"{type(info.value).__name__}: {info.value}"
    assert trait in str(info.value)
    assert getattr(layer, trait) == before or before != before  # unchanged


def test_typo_in_a_trait_name_raises():
    layer = Points([[0, 0, 0]])
    with pytest.raises(Exception, match="opacty"):
        layer.opacty = 0.5


# ------------------------------------------------------------ figure verbs


def test_view_with_a_bad_name_lists_the_valid_names(small):
    with pytest.raises(ValueError) as info:
        bv.view("top")
    assert isinstance(info.value, BrainviewError)
    for name in ("left", "right", "anterior", "posterior", "superior", "inferior"):
        assert name in str(info.value)


def test_colorbar_without_a_colormap_layer_errors(small):
    bv.points([[0, 0, 0]])
    with pytest.raises(ValueError, match="colorbar"):
        bv.colorbar()


def test_colorbar_of_a_layer_without_colormap_names_it(small):
    points = bv.points([[0, 0, 0]])
    with pytest.raises(ValueError, match="layer"):
        bv.colorbar(points)


@pytest.mark.parametrize("call", [
    lambda: bv.figure(size=(0, 10)),
    lambda: bv.figure(size="big"),
    lambda: bv.close("some"),
    lambda: bv.close(99),
    lambda: bv.text(3),
    lambda: bv.text("x", position=(2, 0)),
])
def test_figure_functions_reject_bad_arguments(call):
    try:
        with pytest.raises((ValueError, TypeError)) as info:
            call()
        assert isinstance(info.value, BrainviewError)
    finally:
        bv.close("all")


@pytest.mark.parametrize("make, trait", [
    (lambda: Volume((np.ones((4, 4, 4)), np.eye(4)), clim=(0, 1)), "shade"),
    (lambda: Slices((np.ones((4, 4, 4)), np.eye(4)), clim=(0, 1)), "transparent_below"),
])
def test_switches_refuse_strings(make, trait):
    """Bug: bool("no") is True, so shade="no" turned shading on."""
    layer = make()
    with pytest.raises(BrainviewTypeError, match=trait):
        setattr(layer, trait, "no")
    setattr(layer, trait, np.bool_(True))
    assert getattr(layer, trait) is True
