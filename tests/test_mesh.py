"""Grid surfaces: ``bv.mesh`` (mlab's mesh) and ``bv.surf`` (mlab's surf, warp_scale).

Geometry against analytic shapes (the Boy surface's grid, a torus and a sphere
closed by their repeated rows, a height field's z), colours by pixel probes,
scene files, picking, and every odd input.
"""

import warnings

import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning, MemoryBudgetError
from brainview.layers import Mesh, Surf
from brainview.layers.mesh import grid_triangles
from brainview.layers.surf import auto_warp_scale
from brainview.scene import Figure

SIZE = (120, 120)


def _sphere(rows=24, cols=48, radius=1.0):
    u, v = np.mgrid[0:np.pi:rows * 1j, 0:2 * np.pi:cols * 1j]
    return radius * np.sin(u) * np.cos(v), radius * np.sin(u) * np.sin(v), radius * np.cos(u)


def _torus(rows=30, cols=20, big=3.0, small=1.0):
    u, v = np.mgrid[0:2 * np.pi:rows * 1j, 0:2 * np.pi:cols * 1j]
    return (big + small * np.cos(v)) * np.cos(u), (big + small * np.cos(v)) * np.sin(u), small * np.sin(v)


def _welded_edges(layer):
    """Vertices, edges, triangles and edge use counts once coincident grid points are one vertex
    (and the triangles collapsed by that, at a sphere's poles, are dropped)."""
    points = np.round(layer.vertices(), 6)
    _, weld = np.unique(points, axis=0, return_inverse=True)
    faces = weld.ravel()[layer.mesh.regular_faces]
    faces = faces[(faces[:, 0] != faces[:, 1]) & (faces[:, 1] != faces[:, 2]) & (faces[:, 2] != faces[:, 0])]
    edges = np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
    unique, counts = np.unique(edges, axis=0, return_counts=True)
    n_vertices = len(np.unique(faces))
    return n_vertices, len(unique), len(faces), counts


def _pixel(figure, point):
    """``(row, column)`` of a world point in the figure's picture."""
    from vtkmodules.vtkRenderingCore import vtkCoordinate

    coordinate = vtkCoordinate()
    coordinate.SetCoordinateSystemToWorld()
    coordinate.SetValue(*(float(v) for v in point))
    x, y = coordinate.GetComputedDoubleDisplayValue(figure.renderer)
    return int(round(figure.size[1] - 1 - y)), int(round(x))


# ------------------------------------------------------------------ geometry


def test_boy_surface_has_one_vertex_per_grid_point_and_two_triangles_per_cell():
    # mlab's boy.py example: u, v = mgrid[-0.035:pi:0.01, -0.035:pi:0.01]
    u, v = np.mgrid[-0.035:np.pi:0.01, -0.035:np.pi:0.01]
    denominator = np.sqrt(2) - np.sin(2 * u) * np.sin(3 * v)
    x = 2 / 3 * (np.cos(u) * np.cos(2 * v) + np.sqrt(2) * np.sin(u) * np.cos(v)) * np.cos(u) / denominator
    y = 2 / 3 * (np.cos(u) * np.sin(2 * v) - np.sqrt(2) * np.sin(u) * np.sin(v)) * np.cos(u) / denominator
    z = -np.sqrt(2) * np.cos(u) ** 2 / denominator
    layer = Mesh(x, y, z, scalars=np.sin(u), cmap="YlGnBu")
    assert u.shape == (318, 318) and layer.grid_shape == u.shape
    assert layer.n_vertices == u.size == 101_124
    assert layer.n_triangles == 2 * 317 * 317
    np.testing.assert_allclose(layer.vertices()[1000], [x.flat[1000], y.flat[1000], z.flat[1000]], rtol=1e-6)


def test_grid_triangles_are_mlabs_two_per_cell_in_row_major_vertex_order():
    assert grid_triangles((2, 3)).tolist() == [[0, 3, 4], [1, 4, 5], [4, 1, 0], [5, 2, 1]]


def test_torus_and_sphere_grids_close_once_their_repeated_rows_are_welded():
    torus = Mesh(*_torus())
    n_vertices, n_edges, n_faces, counts = _welded_edges(torus)
    assert (counts == 2).all()  # closed: every edge between two triangles
    assert n_vertices - n_edges + n_faces == 0  # a torus's Euler characteristic
    n_vertices, n_edges, n_faces, counts = _welded_edges(Mesh(*_sphere()))
    assert (counts == 2).all()
    assert n_vertices - n_edges + n_faces == 2  # a sphere's


def test_sphere_normals_point_along_the_radius():
    layer = Mesh(*_sphere(radius=5.0))
    points, normals = layer.vertices(), np.asarray(layer.mesh.point_data["Normals"])
    away_from_poles = np.abs(points[:, 2]) < 4.5
    cosines = np.abs((points * normals).sum(axis=1) / np.linalg.norm(points, axis=1))
    assert cosines[away_from_poles].min() > 0.98


def test_mesh_is_not_closed_automatically():
    # mlab does not wrap a grid: an open cylinder keeps its seam where its last column is not its first.
    u, v = np.mgrid[0:1:5j, 0:2 * np.pi * 0.9:12j]
    layer = Mesh(np.cos(v), np.sin(v), u)
    *_, counts = _welded_edges(layer)
    assert (counts == 1).any()


def test_height_field_vertex_z_is_warp_scale_times_z():
    x, y = np.mgrid[-2:2:9j, -3:3:7j]
    heights = np.sin(x) * np.cos(y)
    layer = Surf(heights, x=x[:, 0], y=y[0], warp_scale=2.5)
    vertices = layer.vertices().reshape(9, 7, 3)
    np.testing.assert_allclose(vertices[..., 2], 2.5 * heights, atol=1e-6)
    np.testing.assert_allclose(vertices[..., 0], x, atol=1e-6)  # z[i, j] is at (x[i], y[j])
    np.testing.assert_allclose(vertices[..., 1], y, atol=1e-6)
    layer.warp_scale = -1
    np.testing.assert_allclose(layer.vertices()[:, 2], -heights.ravel(), atol=1e-6)


def test_auto_warp_scale_makes_the_z_extent_mlabs_0_3_of_the_x_plus_y_extents():
    x, y = np.ogrid[0:10:11j, 0:20:21j]
    heights = (x * y) / 1000.0  # extent 0.2
    layer = Surf(heights, x=x, y=y)
    scale = layer.resolved_warp_scale
    assert scale == pytest.approx(0.3 * (10 + 20) / 0.2)
    z = layer.vertices()[:, 2]
    assert z.max() - z.min() == pytest.approx(0.3 * (10 + 20), rel=1e-5)
    np.testing.assert_allclose(z, scale * heights.ravel(), rtol=1e-5)
    assert auto_warp_scale(np.zeros((2, 2)), np.zeros((2, 2)), np.ones((2, 2))) == 1.0  # flat field


def test_surf_default_grid_is_the_indices_and_mgrid_ogrid_and_1d_axes_agree():
    heights = np.arange(12.0).reshape(3, 4)
    default = Surf(heights, warp_scale=1).vertices()
    np.testing.assert_allclose(default[:, :2], np.indices((3, 4)).reshape(2, -1).T)
    x, y = np.mgrid[0:3, 0:4].astype(float)
    ox, oy = np.ogrid[0:3, 0:4]
    for grid in ((x, y), (ox, oy), (np.arange(3), np.arange(4))):
        np.testing.assert_allclose(Surf(heights, x=grid[0], y=grid[1], warp_scale=1).vertices(), default)


# ------------------------------------------------------------------ colours


def test_scalars_colour_the_surface_and_one_colour_replaces_them():
    x, y = np.mgrid[-10:10:21j, -10:10:21j]
    fig = Figure(size=SIZE, antialias=False)
    try:
        layer = fig.add(Mesh(x, y, np.zeros_like(x), scalars=x, cmap="bwr"))
        fig.view("superior")
        picture = fig.screenshot()
        high, low = picture[_pixel(fig, (8, 0, 0))], picture[_pixel(fig, (-8, 0, 0))]
        assert high[0] > high[2] + 60 and low[2] > low[0] + 60, (high, low)  # red at x = 8, blue at -8
        assert layer.clim == (-10.0, 10.0)
        layer.clim = (8.5, 9.0)  # everything at or below the low end: blue
        assert fig.screenshot()[_pixel(fig, (8, 0, 0))][2] > 100
        layer.color = "lime"
        green = fig.screenshot()[_pixel(fig, (8, 0, 0))]
        assert green[1] > green[0] + 60 and green[1] > green[2] + 60
        assert layer.colorbar_table() is None
    finally:
        fig.close()


def test_mesh_colours_by_z_by_default_as_mlab():
    x, y = np.mgrid[0:3, 0:3].astype(float)
    layer = Mesh(x, y, x + 2 * y)
    np.testing.assert_array_equal(layer.scalar_values(), x + 2 * y)
    assert layer.clim == (0.0, 6.0)
    assert Surf(x * 3, warp_scale=0.5).clim == (0.0, 6.0)  # surf: the elevations, not warped
    from matplotlib import colormaps

    rgb = layer.vertex_colors()
    np.testing.assert_allclose(rgb[[0, 8]], colormaps["viridis"]([0.0, 1.0])[:, :3], atol=1e-6)
    layer.color = (1.0, 0.5, 0.0)
    assert (layer.vertex_colors() == (1.0, 0.5, 0.0)).all()


def test_representation_and_opacity_reach_the_actor():
    fig = Figure(size=SIZE)
    try:
        layer = fig.add(Mesh(*_sphere(8, 12)))
        prop = fig.drawer(layer).actor.GetProperty()
        layer.representation = "wireframe"
        layer.opacity = 0.5
        assert prop.GetRepresentationAsString() == "Wireframe" and prop.GetOpacity() == 0.5
        with pytest.raises(BrainviewValueError, match="representation"):
            layer.representation = "fancymesh"
    finally:
        fig.close()


# ------------------------------------------------------------------ NaN (mlab's mask)


def test_nan_points_are_left_out_with_their_triangles_and_a_warning():
    x, y = np.mgrid[0:4, 0:4].astype(float)
    z = np.zeros((4, 4))
    z[0, 0] = np.nan
    with pytest.warns(BrainviewWarning, match="1 of 16 grid points"):
        layer = Mesh(x, y, z)
    assert layer.n_vertices == 16 and layer.n_triangles == 18 - 2  # vertex numbers stay grid numbers
    scalars = np.ones((4, 4))
    scalars[3, 3] = np.nan
    with pytest.warns(BrainviewWarning):
        masked = Surf(np.ones((4, 4)), scalars=scalars)
    assert masked.n_triangles == 16 and np.isfinite(masked.vertices()).all()
    with pytest.raises(BrainviewValueError, match="every triangle"), warnings.catch_warnings():
        warnings.simplefilter("ignore", BrainviewWarning)
        Mesh(x, y, np.full((4, 4), np.nan))
    with pytest.raises(BrainviewValueError, match="every triangle"):
        layer.scalars = np.where(np.eye(4) > 0, 1.0, np.nan)  # a live value too, refused before it is taken
    assert layer.get_params()["scalars"] is None and layer.n_triangles == 16


# ------------------------------------------------------------------ odd inputs


@pytest.mark.parametrize("make, error, words", [
    (lambda: Mesh(np.zeros((3, 4)), np.zeros((3, 4)), np.zeros((4, 3))), BrainviewValueError, "z: expected the grid's shape"),
    (lambda: Mesh(np.zeros(5), np.zeros(5), np.zeros(5)), BrainviewValueError, "x: expected a 2-D array"),
    (lambda: Mesh(np.zeros((1, 5)), np.zeros((1, 5)), np.zeros((1, 5))), BrainviewValueError, "1x5 grid"),
    (lambda: Mesh("a", "b", "c"), BrainviewTypeError, "x: expected a 2-D array of numbers"),
    (lambda: Mesh(*np.mgrid[0:2, 0:2], np.array([[0, np.inf], [0, 0]])), BrainviewValueError, "z: 1 values are infinite"),
    (lambda: Mesh(*np.mgrid[0:2, 0:2], np.zeros((2, 2)), scalars=np.zeros((2, 3))), BrainviewValueError, "scalars"),
    (lambda: Mesh(*np.mgrid[0:2, 0:2], np.zeros((2, 2)), color="nope"), BrainviewValueError, "color"),
    (lambda: Surf(np.zeros((3, 1))), BrainviewValueError, "3x1 grid"),
    (lambda: Surf(np.zeros((3, 4)), x=np.arange(4)), BrainviewValueError, "x: expected 3 values"),
    (lambda: Surf(np.zeros((3, 4)), y=np.zeros((2, 4))), BrainviewValueError, "y: expected 4 values"),
    (lambda: Surf(np.zeros((3, 4)), warp_scale=np.nan), BrainviewValueError, "warp_scale: expected a finite"),
    (lambda: Surf(np.zeros((3, 4)), warp_scale=np.inf), BrainviewValueError, "warp_scale"),
    (lambda: Surf(np.zeros((3, 4)), warp_scale="Auto"), BrainviewTypeError, "warp_scale"),
    (lambda: Surf(np.zeros((3, 4)), warp_scale=True), BrainviewTypeError, "warp_scale"),
    (lambda: Surf(np.zeros((3, 4)), clim=(2, 1)), BrainviewValueError, "clim"),
])
def test_odd_inputs_are_refused_with_the_parameter_named(make, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_a_refused_live_value_leaves_the_layer_as_it_was():
    layer = Surf(np.arange(12.0).reshape(3, 4), warp_scale=1)
    before = layer.vertices()
    with pytest.raises(BrainviewValueError, match="warp_scale"):
        layer.warp_scale = float("nan")
    with pytest.raises(BrainviewValueError, match="z"):
        layer.z = np.zeros((1, 4))
    np.testing.assert_array_equal(layer.vertices(), before)
    assert layer.get_params()["warp_scale"] == 1


def test_a_grid_over_the_memory_budget_is_refused_before_it_is_built():
    with bv.set_limits(max_bytes=2**20), pytest.raises(MemoryBudgetError, match="grid points"):
        Surf(np.zeros((300, 300)))


# ------------------------------------------------------------------ live, saved, picked


def test_new_z_rebuilds_the_mesh_and_the_auto_colour_range():
    x, y = np.mgrid[0:3, 0:3].astype(float)
    layer = Mesh(x, y, x)
    layer.z = 10 * y
    assert layer.clim == (0.0, 20.0) and layer.get_params()["clim"] is None
    np.testing.assert_allclose(layer.vertices()[:, 2], 10 * y.ravel())
    layer.clim = (1, 2)
    layer.clim = None  # back to the scalars' range
    assert layer.clim == (0.0, 20.0) and layer.get_params()["clim"] is None


def test_scene_file_round_trip_keeps_the_live_settings(tmp_path):
    bv.figure(size=SIZE, antialias=False)
    try:
        x, y = np.mgrid[-5:5:11j, -5:5:11j]
        layer = bv.surf(x * y, x=x, y=y, cmap="magma")
        layer.warp_scale = 0.25
        layer.representation = "wireframe"
        mesh = bv.mesh(*_sphere(10, 14, radius=3.0), color="orange")
        before = bv.screenshot()
        bv.save_scene(tmp_path / "grid.bvscene")
        bv.close("all")
        fig = bv.load_scene(tmp_path / "grid.bvscene")
        surf, sphere = fig.layers
        assert surf.kind == "surf" and surf.warp_scale == 0.25 and surf.representation == "wireframe"
        assert sphere.color == mesh.color and sphere.n_vertices == 140
        np.testing.assert_array_equal(fig.screenshot(), before)
    finally:
        bv.close("all")


def test_a_pick_names_the_nearest_grid_vertex_its_row_column_and_scalar():
    x, y = np.mgrid[-10:10:11j, -10:10:11j]  # 2 mm spacing
    fig = Figure(size=SIZE, antialias=False)
    try:
        layer = fig.add(Mesh(x, y, np.zeros_like(x), scalars=10 * x + y))
        fig.view("superior")
        fig.screenshot()
        row, column = _pixel(fig, (4.3, -5.8, 0.0))  # nearest grid point: x = 4 (row 7), y = -6 (column 2)
        result = fig.pick(column, row)
        assert result.layer is layer
        assert result.item_info == {"vertex": 7 * 11 + 2, "row": 7, "column": 2} and result.item == 79
        assert result.values == {"mesh": 10 * 4 - 6}  # the scalar there
        assert layer.value_at((4.0, -6.0, 3.0)) is None  # off the surface
    finally:
        fig.close()


def test_a_large_grid_is_drawn_coarser_while_the_camera_moves(monkeypatch):
    import brainview.layers.mesh as mesh_module

    monkeypatch.setattr(mesh_module, "INTERACTIVE_TRIANGLES", 200)
    fig = Figure(size=SIZE, antialias=False)
    try:
        x, y, z = _sphere(41, 41, radius=10.0)  # 3200 triangles
        layer = fig.add(Mesh(x, y, z))
        drawer = fig.drawer(layer)
        still = fig.screenshot()
        fig.interacting = True
        moving = fig.screenshot()
        shown = [prop for prop in drawer.props() if prop.GetVisibility()]
        assert len(shown) == 1 and shown[0] is not drawer.actor
        assert 0 < shown[0].GetMapper().GetInput().GetNumberOfCells() <= 200
        assert np.abs(moving.astype(int) - still).mean() < 10  # the same sphere, coarser
        fig.interacting = False
        assert [prop for prop in drawer.props() if prop.GetVisibility()] == [drawer.actor]
    finally:
        fig.close()


def test_the_colour_range_slider_spans_the_scalars():
    from brainview.gui.hints import editor_kind, panel_traits, trait_range

    layer = Surf(np.arange(12.0).reshape(3, 4), scalars=np.linspace(-5, 7, 12).reshape(3, 4))
    assert trait_range(layer, "clim") == (-5.0, 7.0)
    shown = panel_traits(layer)
    assert {"cmap", "clim", "color", "representation", "warp_scale"} <= set(shown)
    assert not {"x", "y", "z", "scalars"} & set(shown)  # grids are data, not typed in a panel
    assert editor_kind(layer, "representation") == "choice"


def test_a_colour_map_alpha_blends_the_grid_with_the_background():
    # A flat 40 mm square filling the view, under a red map of alpha 0.5, over white and black.
    x, y = np.mgrid[-20:20:5j, -20:20:5j]
    red = np.tile([1.0, 0.0, 0.0, 0.5], (4, 1))
    pictures = []
    for background in ("white", "black"):
        fig = Figure(size=SIZE, bgcolor=background, antialias=False)
        try:
            layer = fig.add(Mesh(x, y, np.zeros_like(x), cmap=red))
            fig.view("superior")
            pictures.append(fig.screenshot()[60, 60].astype(int))
            assert fig.drawer(layer).actor.HasTranslucentPolygonalGeometry()
        finally:
            fig.close()
    white, black = pictures
    np.testing.assert_allclose((white - black) / 255, 0.5, atol=0.03)
    assert black[0] > 40
