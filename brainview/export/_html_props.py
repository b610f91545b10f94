"""VTK props turned into ones that vtk.js draws as VTK does (used by :mod:`brainview.export.html`).

vtk.js draws what trame-vtk's serialisers send it, with a few differences
from VTK that each function here removes on a copy (the figure's own props
are never changed):

- a lookup table reaches vtk.js as a colour transfer function, which
  interpolates between its nodes: :func:`step_transfer_function` gives one
  with a flat step per table entry, so a 2-colour atlas table shows its two
  colours, not their blend;
- VTK draws lines and vertices without normals unlit (their flat colour),
  vtk.js lights them (dark where they point at the viewer):
  :func:`exported_actor` turns lighting off for them;
- image slices become textured planes (:func:`textured_plane`) and glyphs
  one baked mesh (:func:`baked_glyphs`).

Examples
--------
>>> from brainview import _vtk
>>> table = _vtk.vtkLookupTable()
>>> table.SetNumberOfTableValues(2); table.SetTableValue(0, 1, 0, 0, 1); table.SetTableValue(1, 0, 0, 1, 1)
>>> table.SetRange(-0.5, 1.5)
>>> function = step_transfer_function(table, (-0.5, 1.5))
>>> function.GetColor(0.0), function.GetColor(1.0)
((1.0, 0.0, 0.0), (0.0, 0.0, 1.0))
"""

from __future__ import annotations

import numpy as np

from .. import _vtk

__all__ = ["baked_glyphs", "drawn_unlit", "exported_actor", "exported_volume", "plane_colors", "rotations_x_to",
           "step_transfer_function", "textured_plane"]


def step_transfer_function(table, value_range):
    """A colour transfer function drawing a lookup table's entries as flat steps over ``value_range``.

    Entry ``i`` of ``n`` covers ``[low + i w, low + (i + 1) w)`` with ``w = (high - low) / n``,
    as VTK maps a table; outside the range the end colours are kept (clamping).
    """
    low, high = (float(v) for v in value_range)
    n_colors = table.GetNumberOfTableValues()
    function = _vtk.vtkColorTransferFunction()
    function.ClampingOn()
    width = (high - low) / max(n_colors, 1)
    if n_colors == 0 or width <= 0:
        function.AddRGBPoint(low, *table.GetTableValue(0)[:3] if n_colors else (1.0, 1.0, 1.0))
        return function
    gap = 1e-6 * width
    for index in range(n_colors):
        rgb = table.GetTableValue(index)[:3]
        start = low + index * width
        function.AddRGBPoint(start if index == 0 else start + gap, *rgb)
        function.AddRGBPoint(start + width - gap if index < n_colors - 1 else high, *rgb)
    function.SetNanColor(*table.GetNanColor()[:3])
    return function


def drawn_unlit(actor):
    """Whether VTK draws ``actor`` unlit: lighting off, or only lines and vertices without normals."""
    if not actor.GetProperty().GetLighting():
        return True
    data = actor.GetMapper().GetInput() if actor.GetMapper() is not None else None
    if data is None or not data.IsA("vtkPolyData"):
        return False
    has_faces = data.GetNumberOfPolys() + data.GetNumberOfStrips() > 0
    return not has_faces and data.GetPointData().GetNormals() is None


def exported_actor(actor, *, pixel_size=None):
    """A copy of a mesh actor that vtk.js draws as VTK draws the original.

    The copy shares the data; its mapper maps colours through
    :func:`step_transfer_function` of the original's lookup table, and its
    property is unlit where VTK draws the original unlit (:func:`drawn_unlit`).
    Browsers draw every WebGL line 1 pixel wide: unlit lines wider than that
    become unlit tubes of their width, ``pixel_size`` mm at the focal point.
    """
    source = actor.GetMapper()
    source.Update()
    data = _normals_kept(source.GetInput())
    width = actor.GetProperty().GetLineWidth()
    if pixel_size and width > 1 and drawn_unlit(actor) and data.GetNumberOfLines() and not data.GetNumberOfPolys():
        data = _flat_tubes(data, radius=width * pixel_size / 2)
    mapper = _vtk.vtkPolyDataMapper()
    mapper.SetInputData(data)
    for name in ("ScalarVisibility", "ScalarMode", "ColorMode", "ArrayAccessMode", "ArrayName",
                 "ArrayId", "ArrayComponent", "ScalarRange", "UseLookupTableScalarRange",
                 "InterpolateScalarsBeforeMapping"):
        value = getattr(source, "Get" + name)()
        getattr(mapper, "Set" + name)(*(value if isinstance(value, tuple) else (value,)))
    table = source.GetLookupTable()
    if table is not None and table.IsA("vtkLookupTable") and _maps_alpha(source, table):
        _bake_colors(source, data, mapper)  # a transfer function has no alpha: the table's RGBA, mapped here
    elif table is not None and table.IsA("vtkLookupTable"):
        value_range = table.GetRange() if source.GetUseLookupTableScalarRange() else source.GetScalarRange()
        mapper.SetLookupTable(step_transfer_function(table, value_range))
    elif table is not None:
        mapper.SetLookupTable(table)
    copy = _vtk.vtkActor()
    copy.ShallowCopy(actor)
    copy.SetMapper(mapper)
    properties = copy.MakeProperty()
    properties.DeepCopy(actor.GetProperty())
    if drawn_unlit(actor):
        properties.LightingOff()
    copy.SetProperty(properties)
    return copy


def _maps_alpha(mapper, table):
    """Whether ``mapper`` maps scalars through ``table`` and the table has alpha < 1 somewhere."""
    if not mapper.GetScalarVisibility():
        return False
    alphas = [table.GetTableValue(i)[3] for i in range(table.GetNumberOfTableValues())]
    return bool(alphas) and min(alphas) < 1


def _bake_colors(source, data, mapper):
    """Draw ``data`` (a copy of the mesh) in the RGBA colours ``source`` maps its scalars to, alpha included."""
    colors = source.MapScalars(1.0)
    if colors is None or colors.GetNumberOfTuples() != data.GetNumberOfPoints():
        return  # cell colours: the transfer function's way, without alpha
    baked = colors.NewInstance()
    baked.DeepCopy(colors)  # the mapper reuses its colour array
    baked.SetName("bv_rgba")
    copy = data.NewInstance()
    copy.ShallowCopy(data)  # the figure's mesh keeps its arrays
    copy.GetPointData().AddArray(baked)
    mapper.SetInputData(copy)
    mapper.SetColorModeToDirectScalars()
    mapper.SetScalarModeToUsePointFieldData()
    mapper.SelectColorArray("bv_rgba")


def _flat_tubes(lines, *, radius):
    """The lines of ``lines`` as 6-sided tubes of ``radius`` (unlit, they look like wide lines)."""
    from vtkmodules.vtkFiltersCore import vtkTubeFilter

    tubes = vtkTubeFilter()
    tubes.SetInputData(lines)
    tubes.SetRadius(radius)
    tubes.SetNumberOfSides(6)
    tubes.CappingOff()
    tubes.Update()
    return tubes.GetOutput()


def _normals_kept(data):
    """``data``, or a shallow copy whose normals are not also its scalars.

    trame-vtk sends an array that is two attributes as the first only: point
    normals that are the active scalars too reach vtk.js as scalars, and
    vtk.js then shades the mesh flat.
    """
    attributes = data.GetPointData()
    normals = attributes.GetNormals()
    if normals is None or attributes.GetScalars() is not normals:
        return data
    copy = data.NewInstance()
    copy.ShallowCopy(data)
    copy.GetPointData().SetActiveAttribute(-1, attributes.SCALARS)
    return copy


def exported_volume(volume):
    """A copy of a volume prop with its matrix moved into its image's origin, spacing and direction.

    vtk.js misplaces a volume by its user matrix (a blob of 2 mm voxels drawn
    a few pixels wide); an image placed in world mm needs no matrix. The copy
    shares the voxels; its sample and opacity unit distances are scaled to mm.
    """
    source = volume.GetMapper()
    source.Update()
    image = source.GetInput()
    matrix = np.array([[volume.GetMatrix().GetElement(i, j) for j in range(4)] for i in range(4)])
    direction = np.array([[image.GetDirectionMatrix().GetElement(i, j) for j in range(3)] for i in range(3)])
    linear = matrix[:3, :3] @ direction @ np.diag(image.GetSpacing())
    spacing = np.linalg.norm(linear, axis=0)
    placed = image.NewInstance()
    placed.ShallowCopy(image)
    placed.SetOrigin(*(matrix[:3, :3] @ np.asarray(image.GetOrigin()) + matrix[:3, 3]))
    placed.SetSpacing(*spacing)
    placed.SetDirectionMatrix(*(linear / np.where(spacing > 0, spacing, 1)).ravel())
    # VTK samples and attenuates in the image's own units (voxels here), vtk.js in world mm.
    scale = float(np.cbrt(abs(np.linalg.det(matrix[:3, :3])))) or 1.0
    mapper = source.NewInstance()
    mapper.SetInputData(placed)
    mapper.SetBlendMode(source.GetBlendMode())
    mapper.SetSampleDistance(source.GetSampleDistance() * scale)
    properties = volume.GetProperty().NewInstance()
    properties.DeepCopy(volume.GetProperty())
    properties.SetScalarOpacityUnitDistance(volume.GetProperty().GetScalarOpacityUnitDistance() * scale)
    copy = _vtk.vtkVolume()
    copy.SetMapper(mapper)
    copy.SetProperty(properties)
    return copy


def plane_colors(image_actor):
    """RGBA uint8 of an image actor's plane, shape ``(n_v, n_u, 4)``, and its geometry."""
    image = image_actor.GetInput()
    dims = image.GetDimensions()
    scalars = image.GetPointData().GetScalars()
    prop = image_actor.GetProperty()
    table = prop.GetLookupTable()
    if table is not None:
        if not prop.GetUseLookupTableScalarRange():
            copy = table.NewInstance()  # the figure's table keeps its range
            copy.DeepCopy(table)
            table = copy
            table.SetRange(prop.GetColorLevel() - prop.GetColorWindow() / 2,
                           prop.GetColorLevel() + prop.GetColorWindow() / 2)
        rgba = _vtk.vtk_to_numpy(table.MapScalars(scalars, 0, -1)).reshape(-1, 4)
    else:
        values = _vtk.vtk_to_numpy(scalars).reshape(dims[0] * dims[1] * dims[2], -1)
        if values.dtype == np.uint8 and values.shape[1] in (3, 4):
            rgba = np.full((len(values), 4), 255, np.uint8)
            rgba[:, :values.shape[1]] = values
        else:
            low = prop.GetColorLevel() - prop.GetColorWindow() / 2
            gray = np.clip((values[:, 0] - low) / max(prop.GetColorWindow(), 1e-12), 0, 1)
            rgba = np.full((len(values), 4), 255, np.uint8)
            rgba[:, :3] = (gray[:, None] * 255).round().astype(np.uint8)
    in_plane = [axis for axis in range(3) if dims[axis] > 1][:2]
    while len(in_plane) < 2:
        in_plane.append(next(axis for axis in range(3) if axis not in in_plane))
    return rgba, image, in_plane


def textured_plane(image_actor):
    """A quad textured with an image actor's colours (pixel centres at the corners)."""
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonDataModel import vtkPolyData
    from vtkmodules.vtkRenderingCore import vtkTexture

    import pyvista as pv

    rgba, image, (axis_u, axis_v) = plane_colors(image_actor)
    dims, origin, spacing = image.GetDimensions(), image.GetOrigin(), image.GetSpacing()
    n_u, n_v = dims[axis_u], dims[axis_v]
    corners = np.tile(np.asarray(origin, float), (4, 1))
    for corner, (i, j) in enumerate([(0, 0), (1, 0), (1, 1), (0, 1)]):
        corners[corner, axis_u] += i * (n_u - 1) * spacing[axis_u]
        corners[corner, axis_v] += j * (n_v - 1) * spacing[axis_v]
    s0, s1 = 0.5 / n_u, 1 - 0.5 / n_u
    t0, t1 = 0.5 / n_v, 1 - 0.5 / n_v
    binary = image_actor.GetProperty().GetOpacity() >= 1 and np.isin(rgba[:, 3], (0, 255)).all()
    if binary and rgba[:, 3].min() == 0:
        # vtk.js has no depth peeling: a plane with transparent pixels drawn translucent blends in
        # the wrong order with the others. Opaque pixels and holes: draw the opaque pixels only.
        plane = _drawn_pixels(rgba[:, 3].reshape(n_v, n_u) > 0, corners[0], axis_u, axis_v, spacing)
    else:
        plane = pv.PolyData(corners, faces=np.array([4, 0, 1, 2, 3]))
        plane.active_texture_coordinates = np.array([[s0, t0], [s1, t0], [s1, t1], [s0, t1]])
    texture_image = _vtk.vtkImageData()
    texture_image.SetDimensions(n_u, n_v, 1)
    # VTK orders pixels with x fastest; axis_u < axis_v, so u is the fastest here too.
    texture_image.GetPointData().SetScalars(numpy_to_vtk(np.ascontiguousarray(rgba), deep=True))
    texture = vtkTexture()
    texture.SetInputData(texture_image)
    texture.SetInterpolate(image_actor.GetProperty().GetInterpolationType() != 0)
    texture.EdgeClampOn()
    mapper = _vtk.vtkPolyDataMapper()
    mapper.SetInputData(vtkPolyData())
    mapper.GetInput().ShallowCopy(plane)
    mapper.ScalarVisibilityOff()
    actor = _vtk.vtkActor()
    actor.SetMapper(mapper)
    actor.SetTexture(texture)
    actor.SetUserMatrix(image_actor.GetMatrix())
    properties = actor.GetProperty()
    # Image slices are unlit in VTK: show their colours, not shaded ones.
    properties.LightingOff()
    properties.SetAmbient(1.0)
    properties.SetDiffuse(0.0)
    properties.SetOpacity(image_actor.GetProperty().GetOpacity())
    if binary:
        actor.ForceOpaqueOn()  # its transparent pixels are holes in its geometry
    elif properties.GetOpacity() < 1 or rgba[:, 3].min() < 255:
        actor.ForceTranslucentOn()
    return actor


def _drawn_pixels(shown, origin, axis_u, axis_v, spacing):
    """Quads of the ``(n_v, n_u)`` pixels ``shown`` of a plane, textured as the whole plane's quad would be.

    Pixel ``i`` spans half a step on either side of its centre (the first and
    last only inwards, as the plane's own quad): texture coordinates at the
    edges make each quad sample its own texel.
    """
    import pyvista as pv

    n_v, n_u = shown.shape
    edges = [np.clip(np.arange(n + 1) - 0.5, 0, n - 1) for n in (n_u, n_v)]
    grid_u, grid_v = np.meshgrid(*edges)  # (n_v + 1, n_u + 1)
    points = np.tile(np.asarray(origin, float), (grid_u.size, 1))
    points[:, axis_u] += grid_u.ravel() * spacing[axis_u]
    points[:, axis_v] += grid_v.ravel() * spacing[axis_v]
    rows, columns = np.nonzero(shown)
    first = rows * (n_u + 1) + columns
    faces = np.column_stack([np.full(len(first), 4), first, first + 1, first + n_u + 2, first + n_u + 1])
    plane = pv.PolyData(points, faces=faces.ravel())
    plane.active_texture_coordinates = np.column_stack([(grid_u.ravel() + 0.5) / n_u,
                                                        (grid_v.ravel() + 0.5) / n_v])
    return plane


def _glyph_array_name(mapper, index):
    from vtkmodules.vtkCommonDataModel import vtkDataObject

    information = mapper.GetInputArrayInformation(index)
    if information is None or not information.Has(vtkDataObject.FIELD_NAME()):
        return None
    return information.Get(vtkDataObject.FIELD_NAME())


def rotations_x_to(directions):
    """Rotations (n, 3, 3) taking +x onto each direction (half-turns about the bisector)."""
    norms = np.linalg.norm(directions, axis=1, keepdims=True)
    unit = np.where(norms > 0, directions / np.where(norms > 0, norms, 1), [1.0, 0.0, 0.0])
    bisector = unit + [1.0, 0.0, 0.0]
    length = np.linalg.norm(bisector, axis=1, keepdims=True)
    bisector = np.where(length > 1e-9, bisector / np.where(length > 1e-9, length, 1), [0.0, 1.0, 0.0])
    return 2 * bisector[:, :, None] * bisector[:, None, :] - np.eye(3)


def baked_glyphs(actor):
    """One mesh of every glyph a ``vtkGlyph3DMapper`` draws, coloured like it."""
    import pyvista as pv

    glyphs = actor.GetMapper()
    glyphs.GetInputAlgorithm(0, 0).Update()
    glyphs.GetInputAlgorithm(1, 0).Update()
    centres = pv.wrap(glyphs.GetInputDataObject(0, 0))
    source = pv.wrap(glyphs.GetInputDataObject(1, 0)).triangulate()
    n_glyphs, n_vertices = centres.n_points, source.n_points
    scale = np.full(n_glyphs, glyphs.GetScaleFactor())
    scale_name = _glyph_array_name(glyphs, 0)
    by_magnitude = glyphs.GetScaling() and glyphs.GetScaleMode() == glyphs.SCALE_BY_MAGNITUDE
    if by_magnitude and scale_name in centres.point_data:
        values = np.asarray(centres.point_data[scale_name], float).reshape(n_glyphs, -1)
        scale = scale * np.linalg.norm(values, axis=1)
    rotations = np.broadcast_to(np.eye(3), (n_glyphs, 3, 3))
    orientation_name = _glyph_array_name(glyphs, 3)
    if glyphs.GetOrient() and orientation_name in centres.point_data:
        rotations = rotations_x_to(np.asarray(centres.point_data[orientation_name], float))
    shape = np.asarray(source.points, float)
    points = np.einsum("gij,vj->gvi", rotations, shape) * scale[:, None, None]
    points = (points + np.asarray(centres.points, float)[:, None, :]).reshape(-1, 3)
    faces = source.faces.reshape(-1, 4)[:, 1:]
    offsets = (np.arange(n_glyphs) * n_vertices)[:, None, None]
    cells = np.concatenate([np.full((n_glyphs, len(faces), 1), 3), faces[None] + offsets], axis=2)
    mesh = pv.PolyData(points, faces=cells.ravel()) if n_glyphs else pv.PolyData()
    if n_glyphs and source.point_data.get("Normals") is not None:
        normals = np.einsum("gij,vj->gvi", rotations, np.asarray(source.point_data["Normals"], float))
        mesh.point_data["Normals"] = normals.reshape(-1, 3)
        mesh.GetPointData().SetActiveNormals("Normals")
    color_name = glyphs.GetArrayName()
    if n_glyphs and color_name in centres.point_data:
        mesh.point_data[color_name] = np.repeat(np.asarray(centres.point_data[color_name]), n_vertices, axis=0)
    mapper = _vtk.vtkPolyDataMapper()
    mapper.SetInputData(mesh)
    mapper.SetScalarVisibility(glyphs.GetScalarVisibility() and color_name in mesh.point_data)
    mapper.SetScalarModeToUsePointFieldData()
    mapper.SelectColorArray(color_name or "")
    mapper.SetColorMode(glyphs.GetColorMode())
    mapper.SetLookupTable(glyphs.GetLookupTable())
    mapper.SetUseLookupTableScalarRange(glyphs.GetUseLookupTableScalarRange())
    mapper.SetScalarRange(glyphs.GetScalarRange())
    baked = _vtk.vtkActor()
    baked.SetMapper(mapper)
    baked.SetProperty(actor.GetProperty())
    baked.SetUserMatrix(actor.GetMatrix())
    return baked
