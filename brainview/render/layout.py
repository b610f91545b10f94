"""Layouts: several panels in one image, each a renderer with its own viewport and camera.

A figure made with ``views=`` (``Figure(views=["left", "superior", "right",
"cuts:ortho"])``) draws its layers once (one drawer per layer, one set of
VTK props) and shows those props in every 3-D panel: a VTK prop can be in
several renderers of one window. 2-D cut panels show the image layers on
world planes (:mod:`brainview.render.cut_panels`). The figure's own renderer
becomes a transparent overlay over the whole image (its layer 1): the title,
the texts and the one shared colour bar, at the right of the whole image.

Panel entries: a 3-D view name (what :meth:`Figure.view` takes), nilearn's
``(elev, azim)`` pair, ``"cuts:ortho"``, ``"cuts:x"``, ``"cuts:y"``,
``"cuts:z"``, None (an empty cell). ``views`` is a list (one row), a list of rows (a grid), or one
of nilearn's ``display_mode`` strings (:func:`parse_views`).

Examples
--------
>>> parse_views("lyrz")
[['left', 'posterior', 'right', 'superior']]
>>> parse_views(["left", (0, 90)])
[['left', (0.0, 90.0)]]
>>> parse_views("mosaic")
[['cuts:x'], ['cuts:y'], ['cuts:z']]
"""

from __future__ import annotations

import contextlib

import numpy as np

from .. import _vtk
from ..errors import BrainviewTypeError, BrainviewValueError, describe
from ..geometry.camera import VIEWS, camera_pose
from ..geometry.surface_maps import HEMI_VIEW_NAMES, hemi_view
from .cut_panels import CutPanel, cut_positions, panel_bounds, peak_point, template_layer
from .writers import print_settings

__all__ = ["CUT_PANELS", "Layout", "layout_from_json", "layout_to_json", "parse_views"]

#: The 2-D cut panel entries and the axes they cut.
CUT_PANELS = {"cuts:ortho": "xyz", "cuts:x": "x", "cuts:y": "y", "cuts:z": "z"}

#: nilearn's glass-brain projection letters as 3-D views of the layers (nilearn's
#: coronal and axial projections are seen from behind and from above, left on the left).
PROJECTION_VIEWS = {"l": "left", "r": "right", "x": "right", "y": "posterior", "z": "superior"}

#: nilearn's slicer display modes and the cuts they draw, in nilearn's order ("yx" draws x first).
CUT_MODES = {"x": "x", "y": "y", "z": "z", "xz": "xz", "yz": "yz", "yx": "xy"}

#: nilearn's glass-brain projection display modes.
PROJECTION_MODES = ("lzry", "lyrz", "lyr", "lzr", "lr", "l", "r")

_FIX = ("use a 3-D view name ('left', 'superior', 'lateral', ...), an (elev, azim) pair, "
        "'cuts:ortho', 'cuts:x', 'cuts:y' or 'cuts:z'")


def parse_views(views):
    """Rows of panel entries of a ``views=`` value (validated; strings and pairs as given).

    nilearn's ``display_mode`` strings: ``"ortho"`` is one ``"cuts:ortho"``
    panel; ``"mosaic"`` three rows of x, y and z cuts; letters of ``"xyz"``
    (``"x"``, ``"yz"``, ``"yx"``...) cut panels, in nilearn's order; the projection modes
    (``"lyrz"``, ``"lzry"``, ``"lr"``) glass-brain projections, drawn as
    3-D views (``l`` left, ``r`` and ``x`` right, ``y`` from behind, ``z``
    from above).
    """
    if isinstance(views, str):
        return _display_mode(views)
    if not isinstance(views, (list, tuple)) or not views:
        raise BrainviewTypeError(f"views: expected a list of panels or a display_mode string, got "
                                 f"{describe(views)}; {_FIX}.")
    if _is_pair(views):
        return [[_entry(views)]]
    if all(isinstance(row, list) for row in views):
        rows = [[_entry(entry) for entry in row] for row in views]
        if any(not row for row in rows):
            raise BrainviewValueError("views: a row of panels is empty; give at least one panel per row.")
        return rows
    return [[_entry(entry) for entry in views]]


def _display_mode(mode):
    if mode == "ortho":
        return [["cuts:ortho"]]
    if mode == "mosaic":
        return [["cuts:x"], ["cuts:y"], ["cuts:z"]]
    if mode in CUT_PANELS or mode in VIEWS or mode in HEMI_VIEW_NAMES:
        return [[mode]]
    if mode in CUT_MODES:
        return [[f"cuts:{letter}" for letter in CUT_MODES[mode]]]
    if mode in PROJECTION_MODES:
        return [[PROJECTION_VIEWS[letter] for letter in mode]]
    raise BrainviewValueError(f"views: unknown display_mode {mode!r}; use nilearn's 'ortho', 'mosaic', "
                              "'x', 'y', 'z', 'yz', 'yx', 'xz', 'lyrz', 'lzry', 'lyr', 'lzr', 'lr', 'l', 'r' "
                              f"or a list of panels ({_FIX}).")


def _is_pair(value):
    return (isinstance(value, (list, tuple)) and len(value) == 2
            and all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in value))


def _entry(entry):
    if _is_pair(entry):
        pair = tuple(float(v) for v in entry)
        if not np.isfinite(pair).all():
            raise BrainviewValueError(f"views: the (elev, azim) pair {entry!r} is not finite; give degrees.")
        return pair
    if entry is None:
        return None  # an empty cell of a grid
    if isinstance(entry, str) and (entry in CUT_PANELS or entry in VIEWS or entry in HEMI_VIEW_NAMES):
        return entry
    raise BrainviewValueError(f"views: unknown panel {entry!r}; {_FIX}.")


def _camera_request(entry, layers):
    """``camera_pose`` keywords of a 3-D panel entry (as :meth:`Figure.view` resolves it)."""
    if isinstance(entry, tuple):
        elev, azim = entry
        return {"azimuth": azim % 360.0, "elevation": 90.0 - elev}
    if entry in ("dorsal", "ventral"):
        return {"name": hemi_view("left", entry)}
    if entry in HEMI_VIEW_NAMES:
        shown = {getattr(lay, "hemi", None) for lay in layers if lay.visible and lay.kind == "surface"}
        if len(shown) != 1 or not shown <= {"left", "right"}:
            raise BrainviewValueError(f"views: the panel {entry!r} needs one hemisphere; the figure shows "
                                      f"{sorted(map(str, shown)) or 'no surface'}. Use 'left' or 'right'.")
        return {"name": hemi_view(shown.pop(), entry)}
    return {"name": entry}


def configure_renderer(renderer, *, bgcolor, antialias):
    """A renderer set up as a figure's own (depth peeling, lights), for a 3-D panel."""
    renderer.SetBackground(*bgcolor)
    renderer.SetUseDepthPeeling(True)
    renderer.SetMaximumNumberOfPeels(4)
    renderer.SetOcclusionRatio(0.0)
    renderer.SetUseFXAA(antialias)
    renderer.TwoSidedLightingOn()
    renderer.AutomaticLightCreationOff()
    _vtk.vtkLightKit().AddLightsToRenderer(renderer)
    return renderer


class Panel:
    """One panel: its entry, grid cell, renderer, title and (cut panels) its :class:`CutPanel`."""

    def __init__(self, entry, cell, *, bgcolor, antialias):
        self.entry, self.cell = entry, cell
        self.renderer = configure_renderer(_vtk.vtkRenderer(), bgcolor=bgcolor, antialias=antialias)
        self.cuts = None
        self.title = None

    @property
    def is_cut(self):
        return isinstance(self.entry, str) and self.entry in CUT_PANELS


class Layout:
    """The panels of a figure's layout (made by :class:`~brainview.scene.Figure` from ``views=``).

    Parameters
    ----------
    figure : Figure
    views : list of rows of entries (:func:`parse_views`)
    titles : list of str, optional
        One per panel, row by row.
    cut_coords : int, sequence of float, optional
        nilearn's meaning: for ``"cuts:ortho"`` an ``(x, y, z)`` point, for
        single-axis cut panels a number of cuts or their positions (mm).
        Default: the peak of the last stat map for ortho, 7 cuts otherwise.
    radiological : bool
        Cut panels show the patient's left on the right.
    """

    def __init__(self, figure, views, *, titles=None, cut_coords=None, radiological=False):
        self.figure = figure
        self.rows = views
        self.radiological = bool(radiological)
        self.cut_coords = _check_cut_coords(cut_coords)
        entries = [(entry, (r, c)) for r, row in enumerate(views) for c, entry in enumerate(row)]
        self.titles = _check_titles(titles, len(entries))
        self.panels = [Panel(entry, cell, bgcolor=figure.bgcolor, antialias=figure.antialias)
                       for entry, cell in entries]
        for panel, title in zip(self.panels, self.titles):
            if title:
                panel.title = _title_actor(title)
                panel.renderer.AddViewProp(panel.title)
        self.backdrop = _vtk.vtkRenderer()
        self.backdrop.SetBackground(*figure.bgcolor)
        self.left = None  # pixels of the colour-bar strip's left edge (set at each render)
        self.frame = None  # the figure camera's axes when the panels were framed (see _turn)
        self._template = {}  # the cut panels' anatomical background layer (template_layer)
        self.panel_of = {}  # layer -> the one panel index showing it (small multiples)
        self.generation = 0  # counts the figure's changes: cut images are composed again after one
        figure.observe(self._figure_changed, "changed")

    def _figure_changed(self, event):
        self.generation += 1

    # ------------------------------------------------------------ layer props

    def show_props(self, props, layer=None):
        """Add a layer drawer's props to every 3-D panel (to its own panel only, see :attr:`panel_of`)."""
        only = self.panel_of.get(layer)
        for index, panel in enumerate(self.panels):
            if panel.entry is not None and not panel.is_cut and only in (None, index):
                for prop in props:
                    panel.renderer.AddViewProp(prop)

    def hide_props(self, props):
        for panel in self.panels:
            for prop in props:
                panel.renderer.RemoveViewProp(prop)

    # ------------------------------------------------------------ settings

    def set_background(self, bgcolor, foreground):
        for renderer in self.renderers():
            renderer.SetBackground(*bgcolor)
        for panel in self.panels:
            if panel.title is not None:
                panel.title.GetTextProperty().SetColor(*foreground)

    def set_antialias(self, antialias):
        for panel in self.panels:
            panel.renderer.SetUseFXAA(bool(antialias))

    def renderers(self):
        """The backdrop and the panels' renderers, in drawing order."""
        return [self.backdrop, *(panel.renderer for panel in self.panels)]

    # ------------------------------------------------------------ geometry

    def panel_rects(self, size, left=None):
        """Pixel boxes ``(x, y, width, height)`` (top-left origin) of the panels in an image of ``size``.

        ``left``: the colour bars' left edge (default: :attr:`left` of the
        last render, else the full width).
        """
        width, height = size
        area = width if left is None else left
        nrows = len(self.rows)
        rects = []
        for panel in self.panels:
            r, c = panel.cell
            ncols = len(self.rows[r])
            x0, x1 = round(c * area / ncols), round((c + 1) * area / ncols)
            y0, y1 = round(r * height / nrows), round((r + 1) * height / nrows)
            rects.append((x0, y0, x1 - x0, y1 - y0))
        return rects

    def panel_at(self, x, y, size):
        """The panel under pixel ``(x, y)`` (top-left origin), or None (over the colour bars)."""
        for panel, (x0, y0, w, h) in zip(self.panels, self.panel_rects(size, self._left(size))):
            if x0 <= x < x0 + w and y0 <= y < y0 + h:
                return panel
        return None

    def _left(self, size):
        return None if self.left is None else min(self.left, size[0])

    # ------------------------------------------------------------ drawing

    def prepare(self, window, *, bar_left, transparent=False):
        """Before a render: renderers in ``window``, viewports, cameras and cut images."""
        if window.GetNumberOfLayers() < 2:
            window.SetNumberOfLayers(2)
        overlay = self.figure.renderer
        overlay.SetLayer(1)
        overlay.SetUseFXAA(False)
        for renderer in self.renderers():
            if not window.HasRenderer(renderer):
                window.AddRenderer(renderer)
        width, height = window.GetSize()
        self.left = bar_left
        self.backdrop.SetViewport(0.0, 0.0, 1.0, 1.0)
        bounds = self.figure.bounds()
        layers = list(self.figure.layers)
        turn = self._turn()
        for panel, (x0, y0, w, h) in zip(self.panels, self.panel_rects((width, height), bar_left)):
            panel.renderer.SetViewport(x0 / width, (height - y0 - h) / height,
                                       (x0 + w) / width, (height - y0) / height)
            if panel.title is not None:
                panel.title.SetPosition(w / 2, h - 4)
            if panel.is_cut:
                self._draw_cuts(panel, (w, h), transparent=transparent)
            elif bounds is not None and panel.entry is not None:
                self._place_camera(panel, bounds, w / max(h, 1), layers, turn)

    def _turn(self):
        """The rotation (3x3) of the figure's camera since the panels were framed, or None.

        The panels turn with the figure's camera about their own focal
        points: a movie's orbit or a mouse drag turns every 3-D panel.
        """
        frame = _camera_frame(self.figure.renderer.GetActiveCamera())
        if self.frame is None:
            self.frame = frame
        return None if np.array_equal(frame, self.frame) else frame @ self.frame.T

    def _place_camera(self, panel, bounds, aspect, layers, turn):
        camera = panel.renderer.GetActiveCamera()
        pose = camera_pose(**_camera_request(panel.entry, layers), bounds=bounds,
                           view_angle=camera.GetViewAngle(), aspect=aspect)
        position, view_up = np.asarray(pose.position), np.asarray(pose.view_up)
        if turn is not None:
            position = pose.focal_point + turn @ (position - pose.focal_point)
            view_up = turn @ view_up
        camera.SetFocalPoint(*pose.focal_point)
        camera.SetPosition(*position)
        camera.SetViewUp(*view_up)
        panel.renderer.ResetCameraClippingRange()

    def _draw_cuts(self, panel, size, *, transparent):
        figure = self.figure
        if panel.cuts is None:
            axes = CUT_PANELS[panel.entry]
            bounds = panel_bounds(figure.layers, figure.drawer)
            if axes == "xyz":
                point = self.cut_coords if _is_point(self.cut_coords) else peak_point(figure.layers, bounds=bounds)
                cuts = list(zip("xyz", point))
            else:
                given = self.cut_coords
                if given is None or (not isinstance(given, int) and not self._single()):
                    given = 7  # nilearn's default count; the (x, y, z) point is the ortho panels'
                cuts = [(axes, p) for p in cut_positions(figure.layers, axes, given, bounds=bounds)]
            panel.cuts = CutPanel(panel.renderer, cuts)
            if panel.title is not None:  # over the image: 2-D props draw in the order added
                panel.renderer.RemoveViewProp(panel.title)
                panel.renderer.AddViewProp(panel.title)
        key = (size, transparent, self.scale, figure.bgcolor, self.generation)
        foreground = (0.0, 0.0, 0.0) if np.mean(figure.bgcolor) > 0.5 else (1.0, 1.0, 1.0)
        layers = list(figure.layers)
        template = template_layer(layers, cache=self._template)
        shown = layers if template is None else [template, *layers]
        panel.cuts.draw(shown, size, bgcolor=figure.bgcolor, foreground=foreground, radiological=self.radiological,
                        transparent=transparent, key=key, drawer_of=figure.drawer, scale=self.scale)

    def _single(self):
        """Whether the cut panels are single-axis ones only (a 3-number cut_coords is then 3 positions)."""
        return all(panel.entry != "cuts:ortho" for panel in self.panels)

    @contextlib.contextmanager
    def print_settings(self, *, scale, transparent):
        """Scale the panels' text and line widths by ``scale`` (each once); clear backgrounds if transparent."""
        scratch = _vtk.vtkRenderer()  # in no window: a set of every panel prop, each once
        for panel in self.panels:
            props = panel.renderer.GetViewProps()
            props.InitTraversal()
            for _ in range(props.GetNumberOfItems()):
                scratch.AddViewProp(props.GetNextProp())
        self.transparent, self.scale = bool(transparent), float(scale)
        with contextlib.ExitStack() as stack:
            stack.enter_context(print_settings(scratch, scale=scale, transparent=False))
            for renderer in self.renderers():
                stack.enter_context(print_settings(renderer, scale=1, transparent=transparent))
            try:
                yield
            finally:
                self.transparent, self.scale = False, 1.0
        scratch.RemoveAllViewProps()

    transparent = False
    scale = 1.0  # the print scale of the image being rendered (line widths of the cut panels' marks)

    def dispose(self, window):
        """Take the panels out of ``window`` (before the figure gives its window back)."""
        for renderer in self.renderers():
            if window is not None and window.HasRenderer(renderer):
                window.MakeCurrent()
                renderer.ReleaseGraphicsResources(window)
                window.RemoveRenderer(renderer)
            renderer.RemoveAllViewProps()
        self.figure.observe(self._figure_changed, "changed", remove=True)
        if window is not None:
            window.SetNumberOfLayers(1)
        self.figure.renderer.SetLayer(0)


def _camera_frame(camera):
    """The camera's axes (right, up, backwards) as the columns of a rotation matrix."""
    backwards = np.subtract(camera.GetPosition(), camera.GetFocalPoint())
    backwards = backwards / (np.linalg.norm(backwards) or 1.0)
    up = np.asarray(camera.GetViewUp(), dtype=float)
    up = up - backwards * np.dot(up, backwards)
    up = up / (np.linalg.norm(up) or 1.0)
    return np.column_stack([np.cross(up, backwards), up, backwards])


def _title_actor(text):
    actor = _vtk.vtkTextActor()
    actor.SetInput(text)
    prop = actor.GetTextProperty()
    prop.SetFontSize(16)
    prop.SetJustificationToCentered()
    prop.SetVerticalJustificationToTop()
    return actor


def _is_point(value):
    return value is not None and not isinstance(value, int) and len(value) == 3


def _check_cut_coords(cut_coords):
    if cut_coords is None:
        return None
    if isinstance(cut_coords, (int, np.integer)) and not isinstance(cut_coords, bool):
        if cut_coords < 1:
            raise BrainviewValueError(f"cut_coords: a number of cuts must be at least 1, got {cut_coords!r}.")
        return int(cut_coords)
    try:
        values = tuple(float(v) for v in cut_coords)
    except (TypeError, ValueError):
        raise BrainviewTypeError(f"cut_coords: expected a number of cuts or a list of mm positions "
                                 f"(an (x, y, z) point for 'cuts:ortho'), got {describe(cut_coords)}.") from None
    if not values or not np.isfinite(values).all():
        raise BrainviewValueError(f"cut_coords: expected finite mm positions, got {cut_coords!r}.")
    return values


def _check_titles(titles, count):
    if titles is None:
        return [None] * count
    if isinstance(titles, str) or not isinstance(titles, (list, tuple)) or len(titles) != count:
        raise BrainviewValueError(f"titles: expected one title (or None) per panel, {count} in all, "
                                  f"got {titles!r}.")
    for title in titles:
        if title is not None and not isinstance(title, str):
            raise BrainviewTypeError(f"titles: expected str or None for each panel, got {describe(title)}.")
    return list(titles)


def layout_to_json(spec):
    """The ``"layout"`` entry of a scene file's figure (JSON types) of :attr:`Figure.layout_spec`."""
    cut = spec["cut_coords"]
    return {"views": [[list(e) if isinstance(e, tuple) else e for e in row] for row in spec["views"]],
            "titles": list(spec["titles"]), "cut_coords": list(cut) if isinstance(cut, tuple) else cut,
            "radiological": bool(spec["radiological"])}


def layout_from_json(entry):
    """``Figure`` keywords of a scene file's ``"layout"`` entry (None or absent: a single view)."""
    if entry is None:
        return {}
    views = [[tuple(e) if isinstance(e, list) else e for e in row] for row in entry["views"]]
    return {"views": views, "titles": entry.get("titles"), "cut_coords": entry.get("cut_coords"),
            "radiological": bool(entry.get("radiological", False))}
