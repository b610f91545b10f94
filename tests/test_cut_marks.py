"""Cut panels draw connectomes, points and mesh outlines over the planes; pixel_of in a layout's panels."""

import matplotlib
import numpy as np
import pytest

from brainview.errors import BrainviewValueError
from brainview.layers import Connectome, Lines, Mesh, Points
from brainview.render.cut_marks import paint_disk, paint_segments
from brainview.scene import Figure

NODES = np.array([[-30.0, -20.0, -10.0], [30.0, 20.0, 25.0], [0.0, 35.0, -30.0]])
#: A-B above the threshold, A-C below it.
MATRIX = np.array([[0, 0.9, 0.1], [0.9, 0, 0], [0.1, 0, 0]])
RGB = np.array([[1.0, 0, 0], [0, 0.8, 0], [0, 0, 1.0]])


def _near(pixel, rgb, within=3):
    return np.abs(pixel.astype(int) - np.round(np.asarray(rgb) * 255)).max() <= within


def test_disk_and_segment_cover_the_pixels_within_their_radius_and_half_width():
    canvas = np.zeros((21, 21, 4), np.uint8)
    paint_disk(canvas, (10.0, 10.0), 4.0, (0.0, 1.0, 0.0))
    y, x = np.mgrid[:21, :21]
    distance = np.hypot(x - 10, y - 10)
    assert (canvas[distance <= 3.5, 1] == 255).all() and (canvas[distance <= 3.5, 3] == 255).all()
    assert (canvas[distance >= 4.5] == 0).all()
    lines = np.zeros((21, 21, 3), np.uint8)
    paint_segments(lines, [(2.0, 5.0)], [(18.0, 5.0)], 3.0, [(1.0, 1.0, 1.0)])
    assert (lines[4:7, 2:19] == 255).all() and (lines[:3] == 0).all() and (lines[8:] == 0).all()
    assert (lines[5, 20] == 0).all()  # the segment ends at its end, past the round cap


def test_connectome_nodes_and_edges_on_every_cut_at_their_projected_pixels():
    fig = Figure(size=(1200, 300), views=["cuts:ortho", "cuts:x", "cuts:y"], bgcolor="white",
                 cut_coords=(0.0, 0.0, 0.0), antialias=False)
    graph = fig.add(Connectome(MATRIX, NODES, node_color=[tuple(c) for c in RGB], node_size=8.0,
                               edge_threshold=0.5, edge_cmap="viridis", edge_vmin=0, edge_vmax=1, edge_width=4.0))
    image = fig.screenshot()
    edge_rgb = matplotlib.colormaps["viridis"](0.9)[:3]  # the weight through the edge colour map
    planes = 0
    for panel in (0, 1, 2):
        at = {index: fig.pixel_of(node, panel=panel) for index, node in enumerate(NODES)}
        for plane in range(len(at[0])):
            planes += 1
            pixels = {index: np.array(at[index][plane]) for index in at}
            for index, (x, y) in pixels.items():  # each node in its 3-D colour at its pixel
                assert _near(image[round(y), round(x)], RGB[index]), (panel, plane, index)
                if plane > 1:
                    continue
                # the panel's own mapping: a pick there lands on the node's projection
                hit = fig.pick(round(x), round(y)).world_xyz
                normal = "xyz".index(fig.views[0][panel][-1]) if panel else plane
                off = np.delete(np.subtract(hit, NODES[index]), normal)
                assert np.abs(off).max() <= 2.0, (panel, plane, index, hit)
            x, y = (pixels[0] + pixels[1]) / 2  # the drawn edge's midpoint: the edge colour
            assert _near(image[round(y), round(x)], edge_rgb, within=4), (panel, plane)
            x, y = (pixels[0] + pixels[2]) / 2  # the edge under the threshold: not drawn
            assert _near(image[round(y), round(x)], (1, 1, 1)), (panel, plane)
    assert planes == 3 + 7 + 7  # ortho's three planes and the 7 x and y cuts
    graph.edge_threshold = 0.05  # now A-C is drawn as well
    x, y = (np.array(fig.pixel_of(NODES[0], panel=0)[0]) + fig.pixel_of(NODES[2], panel=0)[0]) / 2
    assert not _near(fig.screenshot()[round(y), round(x)], (1, 1, 1))
    fig.close()


def test_points_as_markers_within_2_mm_of_the_cut_a_mesh_as_its_outline_a_line_as_a_dot():
    fig = Figure(size=(300, 300), views=["cuts:z"], cut_coords=[0.0], bgcolor="white", antialias=False)
    fig.add(Points([[10.0, 10.0, 1.5], [-10.0, -10.0, 6.0]], size=3.0, color="red"))
    u, v = np.mgrid[0:np.pi:41j, 0:2 * np.pi:81j]
    radius = 30.0
    fig.add(Mesh(radius * np.sin(u) * np.cos(v), radius * np.sin(u) * np.sin(v), radius * np.cos(u), color="blue"))
    fig.add(Lines([[10.0, -15.0, -10.0], [10.0, -15.0, 10.0]], color="lime"))
    image = fig.screenshot()
    (crossing,) = fig.pixel_of((10.0, -15.0, 0.0), panel=0)  # where the line crosses z = 0
    assert _near(image[round(crossing[1]), round(crossing[0])], (0, 1, 0))
    (near,), (far,) = fig.pixel_of((10.0, 10.0, 1.5), panel=0), fig.pixel_of((-10.0, -10.0, 6.0), panel=0)
    assert _near(image[round(near[1]), round(near[0])], (1, 0, 0))
    assert _near(image[round(far[1]), round(far[0])], (1, 1, 1))  # 6 mm away, 1.5 mm in radius: left out
    (centre,) = fig.pixel_of((0.0, 0.0, 0.0), panel=0)
    (edge,) = fig.pixel_of((radius, 0.0, 0.0), panel=0)
    pixels_per_mm = (edge[0] - centre[0]) / radius
    blue = (image[..., 2] > 200) & (image[..., 0] < 80)
    rows, cols = np.nonzero(blue)
    distance = np.hypot(cols - centre[0], rows - centre[1]) / pixels_per_mm
    assert len(rows) > 100  # the circle where the sphere crosses z = 0 ...
    assert np.abs(distance - radius).max() <= 1.5 / pixels_per_mm + 0.5  # ... and nothing but it
    fig.close()


def test_pixel_of_in_each_3d_panel_matches_a_single_view_render():
    points = [[-30, 0, 0], [30, 10, 20], [0, -40, -10]]
    entries = ["left", (30, 45), "superior"]
    fig = Figure(size=(240, 90), views=entries)
    fig.add(Points(points, size=12, color="red"))
    for panel, (entry, (x0, y0, w, h)) in enumerate(zip(entries, fig.panel_rects())):
        single = Figure(size=(w, h))
        single.add(Points(points, size=12, color="red"))
        single.view(entry)
        for point in points:
            x, y = single.pixel_of(point)
            np.testing.assert_allclose(fig.pixel_of(point, panel=panel), (x0 + x, y0 + y), atol=1e-6)
        single.close()
    fig.close()


def test_pixel_of_names_the_panel_it_needs():
    fig = Figure(size=(120, 60), views=["left", None])
    with pytest.raises(BrainviewValueError, match=r"panel: a figure with views= needs the panel.*0\.\.1"):
        fig.pixel_of((0, 0, 0))
    with pytest.raises(BrainviewValueError, match="panel: panel 1 is an empty cell"):
        fig.pixel_of((0, 0, 0), panel=1)
    fig.close()
    single = Figure(size=(60, 60))
    with pytest.raises(BrainviewValueError, match="panel: this figure has no panels"):
        single.pixel_of((0, 0, 0), panel=0)
    single.close()


@pytest.mark.filterwarnings("ignore::brainview.errors.BrainviewWarning")  # "asymmetric: drawn directed"
def test_directed_edges_get_an_arrow_head_at_the_target_only():
    nodes = np.array([[-30.0, 0.0, 0.0], [30.0, 0.0, 0.0]])
    fig = Figure(size=(300, 120), views=["cuts:z"], cut_coords=[0.0], bgcolor="white", antialias=False)
    fig.add(Connectome(np.array([[0, 1.0], [0, 0]]), nodes, node_size=4.0, edge_width=4.0, edge_cmap="viridis",
                       edge_vmin=0, edge_vmax=1, node_color="black"))
    image = fig.screenshot().astype(int)
    (source,), (target,) = fig.pixel_of(nodes[0], panel=0), fig.pixel_of(nodes[1], panel=0)
    radius = 2.0 * (target[0] - source[0]) / 60.0  # the nodes' 2 mm in pixels
    head = 12.0  # 3 edge widths long, 2/3 of that wide at its base
    yellow = (image[..., 0] > 150) & (image[..., 2] < 150)  # viridis at 1.0
    yellow[round(target[1]) - 2:round(target[1]) + 3] = False  # the 4-pixel line: what sticks out of it
    rows = slice(round(target[1]) - 8, round(target[1]) + 9)
    at_target = yellow[rows, round(target[0] - radius - head):round(target[0] - radius)].sum()
    at_source = yellow[rows, round(source[0] + radius):round(source[0] + radius + head)].sum()
    assert at_source == 0 and at_target >= 3  # the head sticks out of the line at the target only
    fig.close()
