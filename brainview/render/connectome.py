"""The 3-D drawer of :class:`~brainview.layers.Connectome`: edges, nodes, arrows, labels, legend.

All edges are one polydata drawn by one mapper (as flat, unlit lines, or as
shaded tubes); all nodes one glyph set; a directed graph's arrow heads one
glyph set; the labels and the category legend one 2-D actor each. While the
camera moves (:meth:`ConnectomeDrawer.set_interacting`) a graph of more than
``INTERACTIVE_EDGES`` edges shows only its strongest ones, sharing the edge
mesh's points; the still frame shows them all.

The still frame of 100,000 edges costs what rasterising their long lines
costs (software OpenGL: most of the frame). The opaque props are compiled
without VTK's alpha ``discard`` and each line's single colour is passed
``flat``; opaque node spheres do not draw their far faces. The pixels are
VTK's own (a silhouette pixel at most, where the rasteriser's tie rule gave
it to a far face), a fifth less work; translucent props keep VTK's shaders.

Label and legend text follow the figure's background (white on dark, black
on light) unless the layer's ``label_color`` is given: they are re-read at
each render, so a later ``fig.bgcolor`` change shows.

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import Connectome
>>> fig = Figure(size=(40, 30))
>>> layer = fig.add(Connectome(np.array([[0, 1.0], [1.0, 0]]), [[0, 0, 0], [20, 0, 0]]))
>>> [prop.GetClassName() for prop in fig.drawer(layer).props()]
['vtkOpenGLActor', 'vtkOpenGLActor', 'vtkOpenGLActor']
>>> fig.close()
"""

from __future__ import annotations

import numpy as np
from vtkmodules.util.numpy_support import numpy_to_vtk
from vtkmodules.vtkCommonCore import VTK_ID_TYPE
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkFiltersCore import vtkTubeFilter
from vtkmodules.vtkFiltersSources import vtkConeSource, vtkSphereSource

from .. import _vtk, colors
from ..geometry.camera import union_bounds
from ..layers.connectome import INTERACTIVE_EDGES
from .drawer import Drawer
from .legend import dot_legend

#: Arrow head width / length.
_ARROW_ASPECT = 0.35

#: VTK's declarations of the per-vertex colour passed from the vertex to the fragment shader.
_SMOOTH_COLOR_OUT = "out vec4 vertexColorVSOutput;"
_SMOOTH_COLOR_IN = "in vec4 vertexColorVSOutput;"
#: The fragment shader's lighting tag, after which the colour is final, and the line making it opaque.
_LIGHT_TAG = "//VTK::Light::Impl"
_OPAQUE_LINE = "\n  fragOutput0.a = 1.0;\n"


class ConnectomeDrawer(Drawer):
    """Draws a connectome's public meshes (``edge_mesh``, ``node_mesh``, ``arrow_mesh``, ``label_mesh``)."""

    observes = ("edge_cmap", "edge_vmin", "edge_vmax", "opacity", "edges_visible", "nodes_visible",
                "label_color")

    def build(self):
        layer = self.layer
        self._lut = _vtk.vtkLookupTable()
        self._opaque_shaders = {}  # actor -> whether its shader draws it opaque
        self._structure = self._structure_of(layer)
        self._edge_actor = self._colored_actor(self._edge_mapper(layer))
        self._lod_mesh = vtkPolyData()
        self._lod_of = None  # (edge mesh, its MTime) the level of detail was made from
        lod_mapper = _vtk.vtkPolyDataMapper()
        lod_mapper.SetInputData(self._lod_mesh)
        self._lod_actor = self._colored_actor(lod_mapper)
        _flat_lines(self._lod_actor)  # lines, even when the still frame shows tubes
        if not layer.draws_tubes:
            _flat_lines(self._edge_actor)
        self._node_actor = _vtk.vtkActor()
        self._node_actor.SetMapper(self._node_mapper(layer.node_mesh))
        self._arrow_actor = self._make_arrows(layer.arrow_mesh) if layer.arrow_mesh is not None else None
        self._label_actor = _labels(layer.label_mesh) if layer.label_mesh is not None else None
        self._legend = layer.shown_legend
        self._legend_actor = dot_legend(self._legend) if self._legend else None
        if self._label_actor is not None or self._legend_actor is not None:
            self.before_each_render(self._color_text)  # the text follows the background
        optional = [self._arrow_actor, self._label_actor, self._legend_actor]
        return [self._edge_actor, self._lod_actor, self._node_actor] + [p for p in optional if p is not None]

    @staticmethod
    def _structure_of(layer):
        """What the props are made for: new meshes or a new kind of edge need new props."""
        return (id(layer.edge_mesh), layer.draws_tubes, id(layer.arrow_mesh), id(layer.label_mesh))

    def _edge_mapper(self, layer):
        mapper = _vtk.vtkPolyDataMapper()
        if layer.draws_tubes:
            self._tube = vtkTubeFilter()
            self._tube.SetInputData(layer.edge_mesh)
            self._tube.SetNumberOfSides(8)
            self._tube.SetVaryRadiusToVaryRadiusByAbsoluteScalar()
            mapper.SetInputConnection(self._tube.GetOutputPort())
        else:
            mapper.SetInputData(layer.edge_mesh)
        return mapper

    @staticmethod
    def _node_mapper(mesh):
        sphere = vtkSphereSource()
        sphere.SetThetaResolution(16)
        sphere.SetPhiResolution(10)
        sphere.SetRadius(0.5)
        mapper = _glyph_mapper(mesh, sphere, "size")
        mapper.SelectColorArray("rgb")
        mapper.SetColorModeToDirectScalars()
        return mapper

    def _make_arrows(self, mesh):
        cone = vtkConeSource()
        cone.SetResolution(12)
        cone.SetHeight(1.0)
        cone.SetRadius(_ARROW_ASPECT)
        cone.SetCenter(-0.5, 0.0, 0.0)  # the tip at the glyph point
        mapper = _glyph_mapper(mesh, cone, None)
        mapper.SetOrientationArray("direction")
        mapper.SetOrientationModeToDirection()
        return self._colored_actor(mapper)

    def _colored_actor(self, mapper):
        mapper.SetScalarModeToUsePointFieldData()
        mapper.SelectColorArray("weight")
        mapper.SetLookupTable(self._lut)
        mapper.SetUseLookupTableScalarRange(True)
        mapper.ScalarVisibilityOn()
        actor = _vtk.vtkActor()
        actor.SetMapper(mapper)
        return actor

    # ------------------------------------------------------------ following the model

    def sync(self, name):
        layer = self.layer
        if self._structure != self._structure_of(layer) or self._legend != layer.shown_legend:
            self.replace_props(self.build())  # a new graph (a Reloads parameter) or new categories
        colors.lookup_table(layer.edge_cmap, layer.edge_clim, table=self._lut)
        opaque = layer.opacity >= 1.0
        for prop in self._props:
            if prop is not self._legend_actor:
                prop.GetProperty().SetOpacity(layer.opacity)
        for actor in (self._edge_actor, self._lod_actor, self._arrow_actor):
            if actor is not None:
                self._compile_opaque(actor, opaque and self._lut.IsOpaque())
        self._compile_opaque(self._node_actor, opaque)  # the nodes' colours are RGB: opaque
        # An opaque sphere's far half is hidden by its near half: not rasterised at all.
        self._node_actor.GetProperty().SetBackfaceCulling(opaque)
        if not layer.draws_tubes:
            self._edge_actor.GetProperty().SetLineWidth(layer.edge_width)
        if self._arrow_actor is not None:
            self._arrow_actor.GetMapper().SetScaleFactor(layer.arrow_length)
        self._update_lod()
        self._color_text()

    def _compile_opaque(self, actor, opaque):
        """Draw ``actor`` with :func:`_opaque_shader` when it is opaque, else with VTK's own shader
        (a change rebuilds the shader: only a change)."""
        if self._opaque_shaders.get(actor) != opaque:
            lines = actor is self._lod_actor or (actor is self._edge_actor and not self.layer.draws_tubes)
            _opaque_shader(actor.GetShaderProperty(), opaque, flat_color=lines)
            self._opaque_shaders[actor] = opaque

    def _update_lod(self):
        """The strongest ``INTERACTIVE_EDGES`` edges as lines, when the edge mesh changed."""
        mesh = self.layer.edge_mesh
        if self._lod_of == (mesh, mesh.GetMTime()):
            return
        count = min(mesh.GetNumberOfLines(), INTERACTIVE_EDGES)
        lines = vtkCellArray()
        lines.SetData(_ids(np.arange(0, 2 * count + 1, 2)), _ids(np.arange(2 * count)))
        self._lod_mesh.SetPoints(mesh.GetPoints())
        self._lod_mesh.SetLines(lines)
        self._lod_mesh.GetPointData().AddArray(mesh.GetPointData().GetArray("weight"))
        self._lod_mesh.Modified()
        self._lod_of = (mesh, mesh.GetMTime())

    def item_at(self, prop, cell_id, point_id, xyz):
        """``{"edge": k, "nodes": (i, j), "weight": w}`` for a hit on an edge (the drawn edge nearest
        the hit point: tubes and arrows have many cells per edge), else None."""
        if prop not in (self._edge_actor, self._lod_actor, self._arrow_actor):
            return None
        layer = self.layer
        edges, count = layer.edges, layer.n_edges_drawn
        if not count:
            return None
        centres = layer.node_centers()
        start, end = centres[edges.sources[:count]], centres[edges.targets[:count]]
        along = end - start
        length2 = np.maximum(np.einsum("ij,ij->i", along, along), 1e-12)
        t = np.clip(np.einsum("ij,ij->i", np.asarray(xyz) - start, along) / length2, 0.0, 1.0)
        gap = np.linalg.norm(start + t[:, None] * along - np.asarray(xyz), axis=1)
        k = int(np.argmin(gap))
        return {"edge": k, "nodes": (int(edges.sources[k]), int(edges.targets[k])),
                "weight": float(edges.weights[k])}

    def set_interacting(self, interacting):
        """While the camera moves, a graph of many edges shows only its strongest ones."""
        super().set_interacting(interacting)
        self._show_visibility()

    def visible_prop(self, prop):
        layer = self.layer
        edges_on = layer.visible and layer.edges_visible
        if prop is self._edge_actor or prop is self._lod_actor:
            light = self.interacting and layer.n_edges_drawn > INTERACTIVE_EDGES
            return edges_on and light == (prop is self._lod_actor)
        if prop is self._arrow_actor:
            return edges_on
        return layer.visible and layer.nodes_visible

    def bounds(self):
        """The box of the drawn edges and nodes (labels and legend are 2-D)."""
        return union_bounds([actor.GetBounds() for actor in (self._edge_actor, self._lod_actor, self._node_actor)
                             if actor.GetVisibility()])

    # ------------------------------------------------------------ text that follows the background

    def _text_color(self):
        given = self.layer.label_color
        if given is not None:
            return tuple(given)
        figure = self.figure
        return figure._foreground() if figure is not None else (1.0, 1.0, 1.0)

    def _color_text(self, *_):
        color = self._text_color()
        if self._label_actor is not None:
            self._label_actor.GetMapper().GetLabelTextProperty().SetColor(*color)
        if self._legend_actor is not None:
            self._legend_actor.GetEntryTextProperty().SetColor(*color)


def _flat_lines(actor):
    """Flat, unlit colours (as the colour bar shows them): lines have no normals to shade."""
    properties = actor.GetProperty()
    properties.LightingOff()
    properties.SetAmbient(1.0)
    properties.SetDiffuse(0.0)
    properties.SetSpecular(0.0)


def _opaque_shader(shaders, opaque, *, flat_color):
    """Compile an opaque actor's fragments as opaque (``opaque``), or go back to VTK's shader.

    VTK's fragment shader ends with ``if (alpha <= 0.0) discard;``: a shader
    that may discard writes its depth after it runs, for every fragment. With
    the alpha a constant 1 (it was 1: the same pixels) the compiler drops the
    test and the depth test and write come first. ``flat_color``: each edge
    has one colour (its weight at both ends), passed to its fragments
    ``flat``, not interpolated along the line. In software OpenGL, where
    100,000 long lines cost most of a frame, the two make it about 20 %
    cheaper. Translucent actors keep VTK's shader (depth peeling).
    """
    if opaque:
        shaders.AddFragmentShaderReplacement(_LIGHT_TAG, True, _LIGHT_TAG + _OPAQUE_LINE, False)
    else:
        shaders.ClearFragmentShaderReplacement(_LIGHT_TAG, True)
    if flat_color and opaque:  # applied to VTK's generated declarations (replaceFirst=False)
        shaders.AddVertexShaderReplacement(_SMOOTH_COLOR_OUT, False, "flat " + _SMOOTH_COLOR_OUT, False)
        shaders.AddFragmentShaderReplacement(_SMOOTH_COLOR_IN, False, "flat " + _SMOOTH_COLOR_IN, False)
    elif flat_color:
        shaders.ClearVertexShaderReplacement(_SMOOTH_COLOR_OUT, False)
        shaders.ClearFragmentShaderReplacement(_SMOOTH_COLOR_IN, False)


def _ids(array):
    return numpy_to_vtk(np.ascontiguousarray(array, dtype=np.int64), deep=True, array_type=VTK_ID_TYPE)


def _glyph_mapper(mesh, source, scale_array):
    mapper = _vtk.vtkGlyph3DMapper()
    mapper.SetInputData(mesh)
    mapper.SetSourceConnection(source.GetOutputPort())
    if scale_array:
        mapper.SetScaleArray(scale_array)
        mapper.SetScaleModeToScaleByMagnitude()
    else:
        mapper.SetScaleModeToNoDataScaling()
    mapper.SetScalarModeToUsePointFieldData()
    return mapper


def _labels(mesh):
    mapper = _vtk.vtkLabeledDataMapper()
    mapper.SetInputData(mesh)
    mapper.SetLabelModeToLabelFieldData()
    mapper.SetFieldDataName("label")
    text = mapper.GetLabelTextProperty()
    text.SetFontSize(12)
    text.BoldOff()
    text.ItalicOff()
    text.ShadowOff()
    actor = _vtk.vtkActor2D()
    actor.SetMapper(mapper)
    return actor
