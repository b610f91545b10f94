"""The connectome's still frame: opaque props drawn by cheaper shaders, the same pictures.

The drawer compiles its opaque props without VTK's alpha ``discard``, passes
each edge's single colour ``flat`` and culls the far faces of opaque node
spheres (``brainview.render.connectome``). These tests hold it to VTK's own
shaders: the same pixels when opaque, VTK's own shaders when translucent.
"""

import numpy as np
import pytest
import vtk

import brainview as bv


def random_graph(n=30, seed=1):
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(n, n))
    matrix = (matrix + matrix.T) / 2
    np.fill_diagonal(matrix, 0)
    return matrix, rng.uniform(-60, 60, size=(n, 3))


def _stock_shaders(fig, layer):
    """Draw the layer's props with VTK's own shaders and no culling (as raw VTK would)."""
    for prop in fig.drawer(layer).props():
        if prop.IsA("vtkActor"):
            prop.GetShaderProperty().ClearAllShaderReplacements()
            prop.GetProperty().BackfaceCullingOff()


def _differing(first, second):
    return int(np.count_nonzero(np.abs(first.astype(int) - second).max(axis=-1)))


def _fragment_shader(fig, prop):
    """The fragment shader source ``prop`` is drawn with in the next render."""
    sources = []

    @vtk.calldata_type(vtk.VTK_OBJECT)
    def built(_mapper, _event, program):
        sources.append(program.GetFragmentShader().GetSource())

    tag = prop.GetMapper().AddObserver(vtk.vtkCommand.UpdateShaderEvent, built)
    fig.screenshot()
    prop.GetMapper().RemoveObserver(tag)
    return sources[-1]


def test_opaque_connectome_draws_the_pixels_of_vtks_own_shaders(fig):
    matrix, coords = random_graph()
    layer = bv.connectome(matrix, coords, edge_threshold="80%", edge_width=4.0, node_size=10,
                          node_color=["a", "b", "c"] * 10)
    fig.view(azimuth=30, elevation=20)
    fast = fig.screenshot()
    _stock_shaders(fig, layer)
    stock = fig.screenshot()
    # A culled sphere's far faces were hidden by its near ones: at most a pixel where the
    # rasteriser's tie rule gave a silhouette edge to the far face.
    assert _differing(fast, stock) <= 10
    assert np.count_nonzero(fast.max(axis=-1)) > 0.05 * fast.shape[0] * fast.shape[1]  # not empty


def test_opaque_edges_are_compiled_opaque_with_one_colour_per_edge_and_translucent_ones_are_not(fig):
    # The nodes' glyph mapper draws through an internal helper: their shaders are held to
    # VTK's by the pixels of the tests above and below.
    matrix, coords = random_graph()
    layer = bv.connectome(matrix, coords, edge_threshold="80%")
    edges = fig.drawer(layer).props()[0]
    source = _fragment_shader(fig, edges)
    assert "fragOutput0.a = 1.0;" in source and "flat in vec4 vertexColorVSOutput;" in source
    layer.opacity = 0.5
    source = _fragment_shader(fig, edges)
    assert "fragOutput0.a = 1.0;" not in source and "flat " not in source
    layer.opacity = 1.0
    assert "fragOutput0.a = 1.0;" in _fragment_shader(fig, edges)


# A colour map with alpha makes the edges translucent, not the nodes: their culled far faces may
# differ by a silhouette pixel, as in the opaque test.
@pytest.mark.parametrize(("options", "silhouette_pixels"),
                         [({"opacity": 0.5}, 0), ({"edge_cmap": [[1, 0, 0, 0.5], [0, 0, 1, 1.0]]}, 10)],
                         ids=["opacity", "colormap_alpha"])
def test_translucent_connectome_keeps_vtks_own_shaders_and_blends(fig, options, silhouette_pixels):
    matrix, coords = random_graph()
    layer = bv.connectome(matrix, coords, edge_threshold="80%", edge_width=4.0, node_size=10, **options)
    translucent = fig.screenshot()
    _stock_shaders(fig, layer)
    assert _differing(translucent, fig.screenshot()) <= silhouette_pixels
    opaque = bv.connectome(matrix, coords, edge_threshold="80%", edge_width=4.0, node_size=10)
    layer.visible = False
    assert _differing(translucent, fig.screenshot()) > 100  # the translucent one did blend
    opaque.visible = False


def test_a_connectome_set_back_to_opaque_draws_as_if_built_opaque(fig):
    # Bug: after opacity 0.5 -> 1 the props kept shaders of the translucent pass: the edges
    # were drawn over the nodes (2,656 pixels differed from the same graph built opaque).
    matrix, coords = random_graph()
    layer = bv.connectome(matrix, coords, edge_threshold="80%", edge_width=6.0, opacity=0.5)
    fig.screenshot()
    layer.opacity = 1.0
    back = fig.screenshot()
    camera = fig.camera
    fresh_figure = bv.figure(size=(400, 400), antialias=False)
    bv.connectome(matrix, coords, edge_threshold="80%", edge_width=6.0)
    fresh_figure.camera = camera
    assert _differing(back, fresh_figure.screenshot()) == 0


def test_the_level_of_detail_while_moving_uses_the_opaque_shaders_too(fig):
    from brainview.layers.connectome import INTERACTIVE_EDGES

    rng = np.random.default_rng(5)
    n = 210
    matrix = np.triu(rng.normal(size=(n, n)), k=1)
    layer = bv.connectome(matrix + matrix.T, rng.uniform(-60, 60, size=(n, 3)), edge_threshold=0.0)
    assert layer.n_edges_drawn > INTERACTIVE_EDGES
    fig.interacting = True
    lod = next(prop for prop in fig.drawer(layer).props() if prop.GetVisibility()
               and prop.GetMapper().GetInput().GetNumberOfLines() == INTERACTIVE_EDGES)
    assert "flat in vec4 vertexColorVSOutput;" in _fragment_shader(fig, lod)
    moving = fig.screenshot()
    _stock_shaders(fig, layer)
    assert _differing(moving, fig.screenshot()) <= 10
