"""What the 2-D cut panels draw over the planes: connectomes, points and the outlines of meshes.

nilearn's rules, in the panel's own pixels (a plane's :meth:`~brainview.planes.PlaneImage.pixel_of`):

- a connectome as ``plot_connectome`` draws it: every node and every edge
  above ``edge_threshold`` projected onto each cut (whatever its depth),
  edges as lines coloured through ``edge_cmap`` over ``edge_clim``, the
  strongest on top, a directed graph's arrow heads at the targets' rims,
  then the nodes as disks of their 3-D colour and diameter (mm);
- points as ``add_markers`` draws them: the markers within 2 mm of the cut
  (or whose sphere reaches it), disks of their colour and diameter;
- meshes and surfaces (``surface``, ``mesh``, ``surf``): the line where the
  triangles cross the plane, in the colours the 3-D view gives them there;
- lines: a dot where each crosses the plane, in its 3-D colour there;
  drawn as tubes, the tubes' outlines (streamlines are painted on the
  planes by the plane sampler itself, as in the app's 2-D views).

Line widths in pixels (a connectome's ``edge_width`` without tubes, the
2-pixel outlines) grow with the print ``scale``; sizes in mm follow the
plane's pixel size. Everything is blended into the panel's image with
antialiased edges (coverage of each pixel, :func:`paint_disk`,
:func:`paint_segments`).

Examples
--------
>>> import numpy as np
>>> canvas = np.zeros((9, 9, 3), np.uint8)
>>> paint_disk(canvas, (4.0, 4.0), 2.0, (1.0, 0.0, 0.0))
>>> canvas[4, 4].tolist(), canvas[0, 0].tolist()
([255, 0, 0], [0, 0, 0])
"""

from __future__ import annotations

import numpy as np
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonDataModel import vtkPlane
from vtkmodules.vtkFiltersCore import vtkCutter

from .. import colors

__all__ = ["MARKER_DEPTH_MM", "OUTLINE_KINDS", "marks_bounds", "paint_arrow_head", "paint_disk", "paint_marks",
           "paint_segments"]

#: nilearn's ``add_markers`` on slices: markers at most this far (mm) from the cut are drawn.
MARKER_DEPTH_MM = 2.0

#: Layer kinds drawn where they cross the cut plane: triangles as outlines, lines as dots.
OUTLINE_KINDS = ("surface", "mesh", "surf", "lines")

#: Width in pixels (at scale 1) of a mesh's outline.
OUTLINE_WIDTH = 2.0

#: Radius in pixels (at scale 1) of the dot where a line (a streamline) crosses the plane.
CROSSING_RADIUS = 2.0


def _blend(canvas, rows, cols, coverage, rgb, opacity):
    """Blend ``rgb`` (0..1) into ``canvas[rows, cols]`` with per-pixel ``coverage`` (0..1)."""
    alpha = (np.clip(coverage, 0.0, 1.0) * opacity)[..., None]
    patch = canvas[rows, cols].astype(np.float64)
    patch[..., :3] = patch[..., :3] * (1.0 - alpha) + np.asarray(rgb[:3], float) * 255.0 * alpha
    if canvas.shape[2] == 4:  # a transparent image: the mark adds its opacity
        patch[..., 3:] = patch[..., 3:] + (255.0 - patch[..., 3:]) * alpha
    canvas[rows, cols] = np.round(patch).astype(np.uint8)


def _window(canvas, low, high):
    """Row and column slices of the pixels between ``low`` and ``high`` ((x, y), inclusive), clipped."""
    height, width = canvas.shape[:2]
    x0, y0 = max(int(np.floor(low[0])), 0), max(int(np.floor(low[1])), 0)
    x1, y1 = min(int(np.ceil(high[0])) + 1, width), min(int(np.ceil(high[1])) + 1, height)
    if x0 >= x1 or y0 >= y1:
        return None
    return slice(y0, y1), slice(x0, x1)


def paint_disk(canvas, centre, radius, rgb, opacity=1.0):
    """A filled disk of ``radius`` pixels at ``centre`` ``(x, y)`` (pixel centres at integers).

    The disk is at least one pixel wide, so that a node smaller than a pixel still shows.
    """
    radius = max(float(radius), 0.5)
    centre = np.asarray(centre, dtype=float)
    found = _window(canvas, centre - radius - 1, centre + radius + 1)
    if found is None:
        return
    rows, cols = found
    y, x = np.mgrid[rows, cols]
    distance = np.hypot(x - centre[0], y - centre[1])
    _blend(canvas, rows, cols, radius + 0.5 - distance, rgb, opacity)


def paint_segments(canvas, starts, ends, width, rgbs, opacity=1.0):
    """Lines ``width`` pixels wide from ``starts[i]`` to ``ends[i]`` ``(x, y)``, each its ``rgbs[i]``, in order."""
    half = max(float(width), 1.0) / 2.0
    for start, end, rgb in zip(np.asarray(starts, float), np.asarray(ends, float), rgbs):
        found = _window(canvas, np.minimum(start, end) - half - 1, np.maximum(start, end) + half + 1)
        if found is None:
            continue
        rows, cols = found
        y, x = np.mgrid[rows, cols]
        step = end - start
        length2 = float(step @ step)
        t = np.zeros_like(x, dtype=float) if length2 == 0 else np.clip(
            ((x - start[0]) * step[0] + (y - start[1]) * step[1]) / length2, 0.0, 1.0)
        distance = np.hypot(x - start[0] - t * step[0], y - start[1] - t * step[1])
        _blend(canvas, rows, cols, half + 0.5 - distance, rgb, opacity)


def paint_arrow_head(canvas, start, end, gap, length, rgb, opacity=1.0):
    """A filled triangle pointing along ``start -> end`` (pixels), its tip ``gap`` pixels before ``end``.

    Examples
    --------
    >>> import numpy as np
    >>> canvas = np.zeros((11, 21, 3), np.uint8)
    >>> paint_arrow_head(canvas, (0.0, 5.0), (20.0, 5.0), 2.0, 8.0, (1.0, 1.0, 1.0))
    >>> int(canvas[5, 15, 0]), int(canvas[5, 20, 0]), int(canvas[0, 15, 0])  # inside, past the tip, aside
    (255, 0, 0)
    """
    start, end = np.asarray(start, float), np.asarray(end, float)
    along = end - start
    distance = float(np.hypot(*along))
    if distance <= gap:
        return
    along /= distance
    across = np.array([-along[1], along[0]])
    tip = end - along * gap
    corners = np.array([tip, tip - along * length + across * length / 3, tip - along * length - across * length / 3])
    found = _window(canvas, corners.min(axis=0) - 1, corners.max(axis=0) + 1)
    if found is None:
        return
    rows, cols = found
    y, x = np.mgrid[rows, cols]
    inside = np.full(x.shape, np.inf)
    for index in range(3):  # the signed distance to each edge, inside positive: coverage of the nearest
        a, b = corners[index], corners[(index + 1) % 3]
        normal = np.array([a[1] - b[1], b[0] - a[0]]) / max(float(np.hypot(*(b - a))), 1e-12)
        if normal @ (corners[(index + 2) % 3] - a) < 0:
            normal = -normal
        inside = np.minimum(inside, (x - a[0]) * normal[0] + (y - a[1]) * normal[1])
    _blend(canvas, rows, cols, inside + 0.5, rgb, opacity)


def paint_marks(canvas, cut, layers, *, drawer_of, scale=1.0):
    """Draw the marks of ``layers`` (see the module docstring) on ``canvas``, the pixels of plane ``cut``.

    Parameters
    ----------
    canvas : ndarray, (rows, cols, 3 or 4) uint8
        The plane's part of the panel image (written in place).
    cut : PlaneImage
        Gives the pixel of each world point.
    layers : sequence of Layer
        In drawing order; kinds without marks are skipped.
    drawer_of : callable
        ``layer -> Drawer`` of the 3-D view (a mesh's props give its triangles and colours).
    scale : float
        The print scale: line widths in pixels are multiplied by it.
    """
    for layer in layers:
        if not getattr(layer, "visible", False):
            continue
        if layer.kind == "connectome":
            _connectome(canvas, cut, layer, scale)
        elif layer.kind == "points":
            _points(canvas, cut, layer)
        elif layer.kind in OUTLINE_KINDS:
            _outline(canvas, cut, drawer_of(layer), scale, layer.opacity)


def marks_bounds(layers, drawer_of):
    """``(xmin, xmax, ymin, ymax, zmin, zmax)`` mm of what :func:`paint_marks` draws of ``layers``, or None."""
    boxes = []
    for layer in layers:
        if not getattr(layer, "visible", False):
            continue
        if layer.kind in ("connectome", "points"):  # the disks whole
            xyz = layer.node_centers() if layer.kind == "connectome" else layer.centers()
            radius = (layer.node_sizes() if layer.kind == "connectome" else layer.sizes)[:, None] / 2.0
            boxes.append(np.column_stack([(xyz - radius).min(axis=0), (xyz + radius).max(axis=0)]))
        elif layer.kind in OUTLINE_KINDS:
            box = drawer_of(layer).bounds()
            if box is not None:
                boxes.append(np.reshape(box, (3, 2)))
    if not boxes:
        return None
    low, high = np.min([b[:, 0] for b in boxes], axis=0), np.max([b[:, 1] for b in boxes], axis=0)
    return tuple(float(v) for pair in zip(low, high) for v in pair)


def _project(cut, xyz):
    """``(n, 2)`` pixel ``(x, y)`` of world points on the cut, and their signed distance (mm) to it."""
    xyz = np.asarray(xyz, dtype=float).reshape(-1, 3)
    normal, h, v = cut.axes
    pixels = np.column_stack([(xyz[:, h] - cut.origin[0]) / cut.steps[0], (xyz[:, v] - cut.origin[1]) / cut.steps[1]])
    return pixels, xyz[:, normal] - cut.position


def _connectome(canvas, cut, layer, scale):
    coords = layer.node_positions
    if layer.edges_visible and layer.n_edges_drawn:
        count = layer.n_edges_drawn
        edges = layer.edges
        sources, targets = edges.sources[:count][::-1], edges.targets[:count][::-1]  # the strongest last
        weights = edges.weights[:count][::-1]
        table = colors.lookup_table(layer.edge_cmap, layer.edge_clim)
        rgba = vtk_to_numpy(table.MapScalars(numpy_to_vtk(np.ascontiguousarray(weights, dtype=float)), 0, -1))
        pixels, _ = _project(cut, coords)
        width = layer.edge_width / cut.pixel_mm if layer.draws_tubes else layer.edge_width * scale
        paint_segments(canvas, pixels[sources], pixels[targets], width, rgba[:, :3] / 255.0, layer.opacity)
        if layer.is_directed:  # an arrow head at the target's rim, as the 3-D cones
            radii = layer.node_sizes() / 2.0 / cut.pixel_mm
            for start, end, radius, rgb in zip(pixels[sources], pixels[targets], radii[targets], rgba[:, :3]):
                paint_arrow_head(canvas, start, end, radius, max(3.0 * width, 6.0 * scale), rgb / 255.0,
                                 layer.opacity)
    if layer.nodes_visible:
        pixels, _ = _project(cut, layer.node_centers())
        for centre, size, rgb in zip(pixels, layer.node_sizes(), layer.node_rgb()):
            if size > 0:
                paint_disk(canvas, centre, size / 2.0 / cut.pixel_mm, rgb, layer.opacity)


def _points(canvas, cut, layer):
    pixels, depth = _project(cut, layer.centers())
    sizes = layer.sizes
    for centre, away, size, rgb in zip(pixels, np.abs(depth), sizes, layer.point_colors()):
        if size > 0 and away <= max(MARKER_DEPTH_MM, size / 2.0):
            paint_disk(canvas, centre, size / 2.0 / cut.pixel_mm, rgb, layer.opacity)


def _outline(canvas, cut, drawer, scale, opacity):
    """Where the drawer's triangles (segments) or lines (dots) cross the plane, coloured as in 3-D."""
    normal_axis = cut.axes[0]
    for prop in drawer.props():
        mapper = prop.GetMapper() if prop.IsA("vtkActor") and prop.GetVisibility() else None
        mesh = mapper.GetInput() if mapper is not None and mapper.IsA("vtkPolyDataMapper") else None
        if mesh is None or mesh.GetNumberOfPolys() + mesh.GetNumberOfStrips() + mesh.GetNumberOfLines() == 0:
            continue
        plane = vtkPlane()
        plane.SetOrigin(*[cut.position if axis == normal_axis else 0.0 for axis in range(3)])
        plane.SetNormal(*[1.0 if axis == normal_axis else 0.0 for axis in range(3)])
        cutter = vtkCutter()
        cutter.SetCutFunction(plane)
        cutter.SetInputData(mesh)
        cutter.Update()
        lines = cutter.GetOutput()
        if lines.GetNumberOfPoints() == 0:
            continue
        points = vtk_to_numpy(lines.GetPoints().GetData()).astype(float)
        rgb = _line_colors(prop, mapper, lines)
        pixels, _ = _project(cut, points)
        alpha = opacity * prop.GetProperty().GetOpacity()
        if lines.GetNumberOfLines() == 0:  # lines (streamlines) cross the plane at points: dots
            for centre, color in zip(pixels, rgb):
                paint_disk(canvas, centre, CROSSING_RADIUS * scale, color, alpha)
            continue
        connectivity = vtk_to_numpy(lines.GetLines().GetConnectivityArray())
        offsets = vtk_to_numpy(lines.GetLines().GetOffsetsArray())
        pairs = np.array([(connectivity[i], connectivity[i + 1]) for start, stop in zip(offsets[:-1], offsets[1:])
                          for i in range(start, stop - 1)], dtype=np.int64).reshape(-1, 2)
        paint_segments(canvas, pixels[pairs[:, 0]], pixels[pairs[:, 1]], OUTLINE_WIDTH * scale,
                       (rgb[pairs[:, 0]] + rgb[pairs[:, 1]]) / 2.0, alpha)


def _line_colors(prop, mapper, lines):
    """``(n, 3)`` RGB (0..1) per point of the cut lines: the mapper's colours of the interpolated scalars."""
    count = lines.GetNumberOfPoints()
    if mapper.GetScalarVisibility():
        copy = mapper.NewInstance()
        copy.ShallowCopy(mapper)
        copy.SetInputData(lines)
        mapped = copy.MapScalars(lines, 1.0)
        if mapped is not None and mapped.GetNumberOfTuples() == count:
            return vtk_to_numpy(mapped)[:, :3].astype(float) / 255.0
    return np.tile(prop.GetProperty().GetColor(), (count, 1))
