"""Arrows at world mm positions (mlab's ``quiver3d``): the model, and the glyph mesh shared with vector fields.

Every glyph is exact geometry in one mesh (:mod:`brainview.geometry.vectors`):
one actor for any number of arrows, and a pick on any face names its vector.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Quiver
>>> q = Quiver([[0, 0, 0], [10, 0, 0]], [[0, 0, 1], [0, 2, 0]], scale_factor=5)
>>> q.n_drawn, q.magnitudes.tolist()
(2, [1.0, 2.0])
>>> q.glyph_lengths().tolist()
[5.0, 10.0]
"""

from __future__ import annotations

import warnings

import numpy as np
from traits.api import Any, observe

from .. import colors
from .._locks import RENDER_LOCK
from ..errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning, describe
from ..geometry import vectors as vec
from ..limits import check_vector_memory
from ._live import Reloads, set_quietly, take_derived
from .base import Checked, Kind, Layer, check_choice, check_opacity, check_positive
from .points import check_coords

SCALE_MODES = ("vector", "none")


# ----------------------------------------------------------- shared with vector_field


def glyph_mesh(positions, vectors, *, mode, resolution, centered, values=None, rgb=None, what="vectors",
               held=0):
    """``(mesh, cells per glyph, light mesh)`` of one glyph per (non-zero, finite) vector (``pyvista.PolyData``).

    ``values`` (one per vector) become the point array ``"magnitude"``,
    ``rgb`` (``(n, 3)`` floats) the uint8 point array ``"rgb"``; glyph ``k``
    owns cells ``k * per`` to ``(k + 1) * per - 1``. The light mesh draws
    arrows and cones as line segments with the same colours (what a drawer
    shows while the camera moves); None for lines. ``held``: bytes of input
    held meanwhile (counted in the memory check).

    Examples
    --------
    >>> mesh, per, light = glyph_mesh([[0, 0, 0]], [[1.0, 0, 0]], mode="cone", resolution=8, centered=False)
    >>> mesh.n_cells == per, light.n_lines
    (True, 1)
    """
    from ..geometry.labels import triangle_mesh

    n = len(positions)
    template = vec.glyph_template(mode, resolution) if mode != "line" else None
    check_vector_memory(n, 2 if template is None else len(template[0]) + 2, what=what, held=held)
    light = vec.segments_mesh(vec.segments(positions, vectors, centered=centered))
    if template is None:
        mesh, light, per, repeat = light, None, 1, 2
    else:
        points, normals, triangles = vec.glyphs(positions, vectors, mode=mode, resolution=resolution,
                                                centered=centered)
        mesh = triangle_mesh(points, triangles)
        if n:
            mesh.point_data["Normals"] = normals
            mesh.point_data.active_normals_name = "Normals"
        per, repeat = len(template[2]), len(template[0])
    for target, times in ((mesh, repeat), (light, 2)):
        if target is None or not n:
            continue  # nothing drawn: no arrays (pyvista refuses empty ones)
        if values is not None:
            target.point_data["magnitude"] = np.repeat(np.asarray(values, dtype=np.float32), times)
        if rgb is not None:
            target.point_data["rgb"] = np.repeat((np.asarray(rgb) * 255).round().astype(np.uint8), times, axis=0)
    return mesh, per, light


def check_resolution(value, name="resolution"):
    """Facets around each glyph: an integer from 3 to 64."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 3 <= value <= 64:
        raise BrainviewValueError(f"{name}: expected an integer from 3 to 64 (facets around each glyph), "
                                  f"got {value!r}.")
    return int(value)


def check_scale(value, name):
    """None (automatic) or a number > 0."""
    return None if value is None else check_positive(value, name)


def check_vectors(vectors, n_points, name="vectors"):
    """``(n, 3)`` float vectors, one per position; rows with NaN or infinity are counted, not refused."""
    try:
        array = np.asarray(vectors, dtype=float)
    except (TypeError, ValueError):
        raise BrainviewTypeError(f"{name}: expected an (n, 3) array of vectors, got {describe(vectors)}.") from None
    if array.shape == (3,):
        array = array[None, :]
    if array.ndim != 2 or array.shape[1] != 3:
        hint = " Transpose it: one (u, v, w) row per vector." if array.ndim == 2 and array.shape[0] == 3 else ""
        raise BrainviewValueError(f"{name}: expected shape (n, 3) with one (u, v, w) row per position, "
                                  f"got {array.shape}.{hint}")
    if len(array) != n_points:
        raise BrainviewValueError(f"{name}: got {len(array)} vectors for {n_points} positions; "
                                  "pass one vector per position.")
    return array


def split_table(positions, vectors):
    """``(positions, vectors)`` checked, from two ``(n, 3)`` arrays or one ``(n, 6)`` table and None.

    Examples
    --------
    >>> p, v = split_table([[0, 0, 0, 1, 2, 3]], None)
    >>> p.tolist(), v.tolist()
    ([[0.0, 0.0, 0.0]], [[1.0, 2.0, 3.0]])
    """
    if vectors is None and np.ndim(positions) == 2 and np.shape(positions)[1] == 6:
        table = np.asarray(positions, dtype=float) if _numeric(positions) else positions
        positions, vectors = table[:, :3], table[:, 3:]
    positions = check_coords(positions, "positions")
    if vectors is None:
        raise BrainviewValueError("vectors: missing; pass one (u, v, w) row per position, or positions as an "
                                  "(n, 6) table of (x, y, z, u, v, w) rows.")
    return positions, check_vectors(vectors, len(positions))


def _numeric(value):
    try:
        np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    return True


def shown_vectors(vectors, name="vectors"):
    """Indices of the vectors drawn: finite and non-zero (one warning counts the non-finite ones)."""
    finite = np.isfinite(vectors).all(axis=1)
    bad = int(len(vectors) - finite.sum())
    if bad:
        warnings.warn(f"{name}: {bad} of {len(vectors)} vectors hold NaN or infinity; they are not drawn.",
                      BrainviewWarning, stacklevel=5)
    return np.flatnonzero(finite & (vectors != 0).any(axis=1))


class Quiver(Layer):
    """Arrows (or cones, or lines) at positions, scaled and coloured by the vectors' magnitudes.

    mlab's ``quiver3d``: each glyph starts at its position and points along
    its vector. Zero vectors draw nothing; vectors holding NaN are not drawn
    (one warning counts them).

    Parameters
    ----------
    positions : (n, 3) array
        World mm of each glyph's tail; or, with ``vectors`` left out, an
        ``(n, 6)`` table of rows ``(x, y, z, u, v, w)``.
    vectors : (n, 3) array
        One vector per position, in world (RAS+) axes.
    mode : {"arrow", "cone", "line"}
        The glyph: an arrow, a cone (its base at the position), a line segment.
    scale_factor : float, optional
        mm per unit of magnitude (``scale_mode="vector"``) or the length of
        every glyph (``"none"``). Default: mlab's, the longest glyph as long
        as the positions' typical distance (:attr:`scale`).
    scale_mode : {"vector", "none"}
        Glyph length proportional to the magnitude, or all the same.
    color : colour, optional
        One colour for every glyph; default (None): coloured by magnitude
        through ``cmap`` over ``clim``, with a colour bar.
    cmap : str, Colormap or RGBA table
    clim : (float, float), optional
        Default: the magnitudes' range.
    opacity : float
    resolution : int
        Facets around each arrow or cone.
    line_width : float
        Width of ``mode="line"`` glyphs, in pixels.
    name : str

    Examples
    --------
    >>> Quiver([[0, 0, 0]], [[1, 0, 0]], mode="cone", color="red").n_drawn
    1
    """

    kind = "quiver"

    #: Parameters that are data: a string given for one of them is a file path.
    data_params = ("positions", "vectors")

    #: The glyphs (pyvista.PolyData): "magnitude" per point, "Normals" for arrows and cones.
    mesh = Any(transient=True)
    #: Arrows and cones as line segments (shown while the camera moves), or None.
    light_mesh = Any(transient=True)

    cmap = Checked(lambda value, name: colors.get_cmap(value, name=name), panel="cmap")
    clim = Checked(lambda value, name: None if value is None else colors.check_clim(value, name=name), (0.0, 1.0),
                   panel="range", range="data")
    line_width = Checked(lambda value, name: check_positive(value, name), 2.0, panel="slider", low=0.5, high=10.0)

    positions = Reloads()
    vectors = Reloads()
    mode = Reloads("arrow", choices=vec.GLYPH_MODES)
    scale_factor = Reloads(None, panel="slider", low=0.0, optional=True, shown="scale")
    scale_mode = Reloads("vector", choices=SCALE_MODES)
    color = Reloads(None, panel="color")
    resolution = Reloads(8, panel="slider", low=3, high=32, integer=True)

    def __init__(self, positions, vectors=None, *, mode="arrow", scale_factor=None, scale_mode="vector", color=None,
                 cmap="viridis", clim=None, opacity=1.0, resolution=8, line_width=2.0, name="quiver"):
        import pyvista as pv

        derived = self._derive(dict(positions=positions, vectors=vectors, mode=mode, scale_factor=scale_factor,
                                    scale_mode=scale_mode, color=color, resolution=resolution, clim=clim))
        super().__init__(name=name, cmap=cmap, clim=derived["clim"], opacity=check_opacity(opacity),
                         line_width=line_width, positions=positions, vectors=vectors, mode=mode,
                         scale_factor=scale_factor, scale_mode=scale_mode, color=color, resolution=resolution)
        self.mesh = pv.PolyData()
        self._apply(derived)

    @staticmethod
    def _derive(params):
        """Checked arrays and the glyph mesh of the data parameters (raises the constructor's errors)."""
        positions, vectors = split_table(params["positions"], params["vectors"])
        mode = check_choice(params["mode"], vec.GLYPH_MODES, "mode")
        scale_mode = check_choice(params["scale_mode"], SCALE_MODES, "scale_mode")
        factor = check_scale(params["scale_factor"], "scale_factor")
        color = None if params["color"] is None else colors.to_rgb(params["color"], name="color")
        resolution = check_resolution(params["resolution"])
        drawn = shown_vectors(vectors)
        magnitudes = np.linalg.norm(np.where(np.isfinite(vectors), vectors, np.nan), axis=1)
        if factor is None:
            factor = vec.auto_scale(positions, magnitudes[drawn] if scale_mode == "vector" else np.ones(1))
        shown = vectors[drawn]
        if scale_mode == "none":
            shown = shown / magnitudes[drawn, None]
        mesh, per, light = glyph_mesh(positions[drawn], shown * factor, mode=mode, resolution=resolution,
                                      centered=False, values=magnitudes[drawn], what="vectors")
        auto_clim = colors.auto_clim(magnitudes[drawn])
        clim = auto_clim if params.get("clim") is None else params["clim"]
        return dict(magnitudes=magnitudes, drawn=drawn, factor=float(factor), mesh=mesh, light=light, per=per,
                    color=color, clim=clim, auto_clim=auto_clim, scale_mode=scale_mode)

    def _apply(self, derived):
        self._magnitudes, self._drawn, self._per = derived["magnitudes"], derived["drawn"], derived["per"]
        self._values = self._magnitudes[self._drawn]  # what the colour range spans (the panel reads it)
        self._factor, self._color, self._scale_mode = derived["factor"], derived["color"], derived["scale_mode"]
        self._auto_clim = derived["auto_clim"]
        with RENDER_LOCK:  # a render thread may be drawing it (brainview._locks)
            self.mesh.ShallowCopy(derived["mesh"])
        self.light_mesh = derived["light"]
        if self.get_params()["clim"] is None and tuple(self.clim) != tuple(derived["clim"]):
            set_quietly(self, clim=derived["clim"])
        self._changed()

    @observe("positions, vectors, mode, scale_factor, scale_mode, color, resolution", post_init=True)
    def _reload(self, event):
        self._apply(take_derived(self))

    @observe("clim", post_init=True)
    def _clim_changed(self, event):
        if self.clim is None:
            set_quietly(self, clim=self._auto_clim)

    # ------------------------------------------------------------ what is drawn

    @property
    def magnitudes(self):
        """``(n,)`` length of each vector (NaN for vectors holding NaN)."""
        return self._magnitudes.copy()

    @property
    def n_drawn(self):
        """How many glyphs are drawn (zero and non-finite vectors draw none)."""
        return len(self._drawn)

    @property
    def drawn(self):
        """Indices (into ``vectors``) of the glyphs drawn, in mesh order."""
        return self._drawn.copy()

    @property
    def scale(self):
        """The scale factor in force: ``scale_factor``, or mlab's automatic one."""
        return self._factor

    @property
    def colored_by_value(self):
        """Whether the glyphs are coloured through ``cmap`` (no single ``color``)."""
        return self._color is None

    @property
    def solid_color(self):
        """The single RGB colour, or None when coloured by magnitude."""
        return self._color

    def glyph_lengths(self):
        """``(n_drawn,)`` mm length of each drawn glyph."""
        if self._scale_mode == "none":
            return np.full(len(self._drawn), self._factor)
        return self._magnitudes[self._drawn] * self._factor

    def item_of_cell(self, cell_id):
        """``{"vector": index into vectors}`` of the glyph owning mesh cell ``cell_id``, or None."""
        glyph = int(cell_id) // self._per
        return {"vector": int(self._drawn[glyph])} if 0 <= glyph < len(self._drawn) else None

    def colorbar_table(self):
        if not self.colored_by_value:
            return None
        return colors.lookup_table(self.cmap, self.clim), self.name


def _example():
    """Small in-memory inputs of a Quiver (``Kind.example``)."""
    positions = np.array([[-20.0, 0, 0], [0, 0, 0], [20, 0, 0]])
    vectors = np.array([[0.0, 0, 1], [0, 1, 1], [1, 0, 0]]) * 10
    return (positions, vectors), dict(scale_factor=1.5)


KIND = Kind(Quiver, drawer="brainview.render.vectors:QuiverDrawer", example=_example, roles=())
