"""Statistical and decoder weight maps: two-sided thresholds, a diverging colour scale, context.

A :class:`StatMap` shows one map in one of four modes, switched live with
its ``mode`` trait:

- ``"contour"`` (default): isosurfaces at ``+threshold`` and ``-threshold``,
  positive and negative parts coloured from the diverging colormap, inside a
  translucent glass brain (``outline``);
- ``"volume"``: ray-cast volume rendering, transparent where ``|value| < threshold``;
- ``"slices"``: three orthogonal planes crossing where nilearn would cut (the
  centre of the largest cluster, :func:`cut_coords`), over an anatomical
  background (``bg``, the MNI152 template by default);
- ``"surface"``: projected on both fsaverage5 hemispheres (nilearn's
  ``vol_to_surf``), over sulcal shading.

Threshold, colour range and colour bar follow one set of rules
(:mod:`brainview.statmap_colors`), the rules of nilearn's ``plot_stat_map``.

A ``dict`` of maps (nilearn's ``Decoder.coef_img_``: class → image, or
``{"beta": img}`` for a regression) becomes a :class:`StatMapGroup`: one
layer per class, only the ``selected`` class visible.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import StatMap
>>> ijk = np.indices((20, 20, 20)) - 6
>>> blob = np.exp(-(ijk ** 2).sum(0) / 8.0) * 5
>>> sm = StatMap((blob - blob[::-1], np.eye(4)), threshold=2, outline=False)
>>> sm.color_range.vmax
5.0
>>> sm.threshold = "50%"
>>> sm.mode = "slices"

nilearn's ``vmin``, ``plot_abs`` and ``symmetric_cbar`` resolve as nilearn does:

>>> StatMap((blob, np.eye(4)), vmin=0, cmap="hot", outline=False).color_range
ColorRange(vmin=0.0, vmax=5.0, cbar_vmin=0.0, cbar_vmax=5.0)
>>> StatMap((blob - blob[::-1], np.eye(4)), plot_abs=True, outline=False).color_range.cbar_vmin
0.0
"""

from __future__ import annotations

import warnings

import numpy as np
from traits.api import HasStrictTraits, Python, TraitType, observe

from .. import colors
from ..errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning, describe
from ..io import load_image
from ..io.images import Image
from ..statmap_colors import (check_symmetric, check_vmax, check_vmin, color_range, colorbar_ticks,
                              contour_level, default_cmap, is_diverging, threshold_table)
from . import _stat_modes
from ..io.cifti import cifti_volume, is_cifti
from ._stat_inputs import cut_coords, finite_float as _finite_float, load_stat_maps  # noqa: F401 (public here)
from ._stat_inputs import check_cut_coords as _check_cut_coords
from ._live import ImageInputs, Loaded, constructing, set_resolved, unset_params
from . import _examples as _ex
from .base import Checked, Kind, Layer, check_bool, check_choice, check_opacity, check_optional_bool

MODES = ("contour", "volume", "slices", "surface")


#: The default threshold: a percentile of |non-zero values| (nilearn's "auto" spirit).
AUTO_THRESHOLD = "80%"


class _Threshold(TraitType):
    """A threshold on ``|value|`` as given: a number, a percentile string, or None (``"80%"``).

    Validation resolves it against the layer's map (a bad value raises the
    brainview error and leaves the layer unchanged); the resolved number is
    :attr:`StatMap.threshold_value`.
    """

    default_value = None

    def validate(self, obj, name, value):
        obj._threshold_value = obj._resolve_threshold(value, name)
        return value


class StatMap(ImageInputs, Layer):
    """A statistical or weight map with a two-sided threshold.

    Parameters
    ----------
    img : path, nibabel image or (array, affine)
        The map (see :func:`brainview.io.load_image`). For a decoder's
        ``coef_`` vector, use :func:`load_stat_maps` or ``bv.stat_map(coef, masker=...)``.
    threshold : float or str, optional
        Values with ``|value| < threshold`` are not drawn; ``"95%"`` is the
        95th percentile of ``|value|`` over the non-zero voxels. Default:
        ``"80%"`` (like nilearn's ``threshold="auto"``: an isosurface at 0
        would wrap every non-zero voxel in the colour of zero). Pass 0 to
        draw every non-zero voxel. Must be >= 0.
    vmax : float, optional
        Top of the colour scale (values beyond take the end colours).
        Default: the largest ``|value|``.
    vmin : float, optional
        Bottom of the colour scale, nilearn's ``vmin``: one-sided
        ``vmin``/``vmax`` follow nilearn's ``get_colorbar_and_data_ranges``
        exactly (:func:`brainview.statmap_colors.color_range`). Default: from
        the data (``-vmax`` when symmetric).
    plot_abs : bool
        Show ``|value|`` (nilearn's ``plot_abs=True`` of ``plot_glass_brain``):
        one colour scale from 0, the upper half of a diverging colormap.
        Default False: signs kept (as ``plot_stat_map``). :meth:`value_at`
        still reads the signed value.
    cmap : str or Colormap, optional
        A diverging colormap. Default (None): nilearn's current default for
        stat maps (:func:`~brainview.statmap_colors.default_cmap`,
        ``"RdBu_r"``); ``"cold_hot"`` is nilearn's former one. Positive
        values take the upper half, negative ones the lower half, and only
        colours with a clear hue are used, so that the sign of every shown
        value can be read in shaded 3-D.
    symmetric : bool or "auto"
        Colours and colour bar span ``(-vmax, vmax)`` (True), the data's
        range (False), or symmetric only when the map has both signs
        ("auto", default), as nilearn's ``symmetric_cbar``: a positive-only
        map gets a one-sided colour bar ``(0, max)``.
    symmetric_cbar : bool or "auto", optional
        nilearn's name of ``symmetric``; when given (not None) it wins.
    gamma, invert, clip :
        FSLeyes' display options: gamma of the colour ramp (each sign's half of a
        diverging map), the colour map reversed, a clipping range of values drawn.

    A diverging colormap shows each sign with its half (the sign readable
    from the hue); a sequential one (``"hot"``, ``"viridis"``) is used whole
    over ``(vmin, vmax)``, as nilearn does, never split in two halves
    (:func:`brainview.statmap_colors.is_diverging`).
    mode : {"contour", "volume", "slices", "surface"}
    opacity : float
    outline : bool or None
        Draw a glass brain around the map in the 3-D modes (contour, volume).
        None (default): a glass brain unless the figure the layer is added
        to already has one (decided when it is added).
    bg : path, nibabel image, (array, affine) or None, optional
        Anatomical background of the "slices" mode. Default: the MNI152 template (1 mm).
    inflated : bool
        Inflated surfaces in the "surface" mode (hemispheres moved apart).
    cut_coords : (float, float, float), optional
        World mm where the planes of the "slices" mode cross. Default:
        nilearn's ``find_xyz_cut_coords`` (the centre of the largest cluster
        above the threshold).
    volume : int, optional
        Volume index of a 4-D image.
        Assigning another ``img`` adapts it: None for a 3-D image, 0 for a 4-D image
        while it is None (see :class:`~brainview.layers._live.ImageInputs`).
    name : str, optional

    Notes
    -----
    An all-zero, all-NaN or fully thresholded map is not an error: the layer
    draws nothing but its context and a notice (:attr:`notice`), and warns once.

    The model holds what each mode shows (:attr:`mode_props`: the isosurface
    mesh and its vertex colours, the plane images, the surface projection),
    computed when first needed and updated in place: a threshold step
    re-extracts the isosurface once, a colour change recolours it, and the
    map's range and percentiles are computed once per image. Figures draw it
    with :class:`brainview.render.stat_map.StatMapDrawer`.
    """

    kind = "stat_map"

    #: Parameters that are data: a string given for one of them is a file path.
    data_params = ("img", "bg")

    #: The map, as given (setting it loads the new map and redraws).
    img = Loaded()
    #: Volume index of a 4-D map, or None.
    volume = Loaded()
    #: Anatomical background of the "slices" mode, as given ("mni152", None or an image).
    bg = Loaded()
    inflated = Checked(check_bool, True)
    threshold = _Threshold(panel="slider", range="magnitude", shown="threshold_value", optional=True)
    vmax = Checked(check_vmax, panel="slider", range="magnitude", optional=True, shown="color_range.vmax")
    vmin = Checked(check_vmin, optional=True)
    plot_abs = Checked(check_bool, False)
    symmetric_cbar = Checked(lambda value, name: None if value is None else check_symmetric(value, name))
    cmap = Checked(lambda value, name: colors.get_cmap(
        default_cmap() if value is None else value, name=name), panel="cmap")
    symmetric = Checked(check_symmetric, "auto", choices=("auto", True, False))
    mode = Checked(lambda value, name: check_choice(value, MODES, name), "contour", choices=MODES,
                   prepare=True)
    outline = Checked(check_optional_bool, None)
    #: Where the planes of the "slices" mode cross (mm); None: nilearn's cut coordinates.
    cut_coords = Checked(lambda value, name: _check_cut_coords(value, name), None)
    gamma = Checked(lambda value, name: colors.check_gamma(value, name), 1.0, panel="slider", low=0.1, high=4.0)
    invert = Checked(check_bool, False)
    clip = Checked(lambda value, name: colors.check_clip(value, name), None, panel="range", range="data",
                   optional=True)

    def __init__(self, img, *, threshold=None, vmax=None, cmap=None, symmetric="auto",
                 mode="contour", opacity=1.0, outline=None, bg="mni152", inflated=True,
                 cut_coords=None, volume=None, name=None, vmin=None, plot_abs=False,
                 symmetric_cbar=None, gamma=1.0, invert=False, clip=None):
        self._staged = {}
        self._abs, self._clip = check_bool(plot_abs, "plot_abs"), colors.check_clip(clip, "clip")
        self._set_image(self._load_input(img, volume))
        self._bg_image = self._load_bg(bg)
        self._warned = False
        super().__init__(
            img=img, volume=volume, bg=bg, inflated=inflated, name=name or self._image.name,
            threshold=threshold, vmax=vmax, cmap=cmap, symmetric=symmetric, mode=mode,
            opacity=check_opacity(opacity), outline=outline, cut_coords=cut_coords,
            vmin=vmin, plot_abs=plot_abs, symmetric_cbar=symmetric_cbar, gamma=gamma, invert=invert, clip=clip,
        )
        self._crange = None
        self._warn_if_empty()
        self.color_range  # noqa: B018 (resolved now: a range warning comes from the constructor's call)

    # ------------------------------------------------------------ public

    @property
    def image(self):
        """The :class:`brainview.io.Image` shown (NaN replaced by 0; ``|value|`` with ``plot_abs``)."""
        return self._image

    @property
    def threshold_value(self):
        """The threshold on ``|value|`` in use, as a number (``threshold`` resolved on this map)."""
        return self._threshold_value

    @property
    def color_range(self):
        """The :class:`~brainview.statmap_colors.ColorRange` in use (from the map's range; computed,
        and warned about, once per change of the map or of its range parameters)."""
        if self._crange is None:
            symmetric = self.symmetric if self.symmetric_cbar is None else self.symmetric_cbar
            self._crange = color_range(self._range, vmin=self.vmin, vmax=self.vmax, symmetric=symmetric,
                                       plot_abs=self.plot_abs)
        return self._crange

    @property
    def diverging(self):
        """Whether ``cmap`` is diverging: each sign takes its half (``gamma`` bends each half)."""
        return is_diverging(self.cmap)

    @property
    def peak(self):
        """The largest ``|value|`` of the map (0 for an empty map), computed once per image."""
        return self._peak_magnitude

    @property
    def empty(self):
        """True when no voxel reaches the threshold (nothing drawn)."""
        return not self._peak_magnitude >= contour_level(self.threshold_value, 0.0)

    @property
    def notice(self):
        """The notice drawn over an empty map (why nothing shows), or ``""`` when the map shows."""
        return self._empty_message() if self.empty else ""

    @property
    def draw_state(self):
        """What every mode draws from: ``(threshold, crange, cmap, opacity)``, resolved."""
        return _stat_modes.DrawState(self.threshold_value, self.color_range, colors.shown_cmap(self), self.opacity)

    @property
    def mode_props(self):
        """What the current mode shows, computed on first use and kept up to date.

        ``"contour"``: ``.mesh`` (pyvista.PolyData, ``"level"`` and ``"rgb"``
        point arrays); ``"volume"``: ``.color_nodes`` and ``.opacity_nodes``
        (transfer functions); ``"slices"``: ``.coords`` and ``.plane(axis)``
        (RGBA images); ``"surface"``: ``.textures`` (values per fsaverage5
        vertex) and ``.surface`` (a :class:`~brainview.layers.Surface`).
        Pure data: no VTK rendering object.
        """
        if self.mode not in self._geometry:
            self._geometry[self.mode] = self._build(self.mode)
        geometry = self._geometry[self.mode]
        geometry.update(self.draw_state)
        return geometry

    def value_at(self, xyz):
        return float(self._signed.value_at(xyz)[0])

    def colorbar_table(self):
        """The colour bar's table (a new ``vtkLookupTable``) and title: the map's colours over the
        bar's range, grey where ``|value| < threshold`` (one-sided for a one-signed map by default)."""
        from vtkmodules.util.numpy_support import numpy_to_vtk
        from vtkmodules.vtkCommonCore import vtkLookupTable

        crange = self.color_range
        table = threshold_table(colors.shown_cmap(self), crange, self.threshold_value)
        lut = vtkLookupTable()
        lut.SetNumberOfTableValues(len(table))
        lut.SetTable(numpy_to_vtk((table * 255).round().astype(np.uint8), deep=True))
        lut.SetRange(crange.cbar_vmin, crange.cbar_vmax)
        return lut, self.name

    def colorbar_ticks(self, tick_format=None):
        """Tick values of this map's colour bar (nilearn's rule, ``cbar_tick_format`` ``tick_format``)."""
        crange = self.color_range
        return colorbar_ticks(crange.cbar_vmin, crange.cbar_vmax, self.threshold_value,
                              **({} if tick_format is None else {"tick_format": tick_format}))

    def resolve_outline(self, layers):
        """Whether the glass brain is drawn in a figure showing ``layers`` (called when added).

        ``outline=None`` means a glass brain unless one of ``layers`` is one;
        the decision is then kept in the ``outline`` trait (the panel's check
        box shows it) while the parameter stays None.

        Examples
        --------
        >>> import numpy as np
        >>> from brainview.layers import GlassBrain
        >>> layer = StatMap((np.ones((4, 4, 4)), np.eye(4)), threshold=0.5)
        >>> layer.resolve_outline([]), layer.get_params()["outline"]
        (True, None)
        """
        if self.outline is not None:
            return self.outline
        from .glass_brain import GlassBrain

        shown = not any(isinstance(layer, GlassBrain) and layer is not self for layer in layers)
        set_resolved(self, outline=shown)
        return shown

    def prepare(self, *, mode):
        """Compute ahead what drawing in ``mode`` needs, so that ``layer.mode = mode`` is quick.

        Surface mode projects the map onto fsaverage5 (seconds the first time);
        the desktop app runs this in a worker thread, with progress, before it
        switches the mode. It only computes and keeps the result: nothing is
        drawn, no trait changes. Other modes need nothing.

        Examples
        --------
        >>> import numpy as np
        >>> layer = StatMap((np.ones((4, 4, 4)), np.eye(4)), threshold=0.5, outline=False)
        >>> layer.prepare(mode="contour")
        """
        check_choice(mode, MODES, "mode")
        if mode == "surface" and "surface" not in self._prepared:
            self._prepared["surface"] = _stat_modes.project_both(self._image, self._data)

    # ------------------------------------------------------------ updates

    @observe("threshold, vmin, vmax, cmap, symmetric, symmetric_cbar, opacity, gamma, invert", post_init=True)
    def _update_colors(self, event):
        # Drawers observe these traits too (after this handler): only the built mode recomputes.
        self._crange = None
        if event.name == "threshold":
            self._warn_if_empty()
        if self.mode in self._geometry:
            self._geometry[self.mode].update(self.draw_state)

    # ------------------------------------------------------------ data

    def _check_bg(self, value):
        if not constructing(self):
            self._staged["bg"] = self._load_bg(value)
        return value

    def _read_series(self, img):
        from ..io.images import load_series

        if isinstance(img, dict):
            raise BrainviewTypeError(
                "img: a dict of maps makes one layer per class: use StatMapGroup(maps) "
                "or bv.stat_map(maps)."
            )
        return load_series(load_stat_maps(img), kind="stat_map")

    def _load_input(self, img, volume, *, reread=True, fit=False):
        if is_cifti(img):  # a CIFTI map (an index or a name) is picked where its voxels are read
            img, volume, reread, fit = cifti_volume(img, volume), None, True, False
        return super()._load_input(img, volume, reread=reread, fit=fit)

    @staticmethod
    def _load_bg(bg):
        """The background image; the MNI152 template ("mni152") is loaded when first drawn."""
        if bg is None or (isinstance(bg, str) and bg == "mni152"):
            return bg
        return load_image(bg, name="bg")

    def _set_image(self, image):
        """Take a new map and compute, once, what no trait changes: its range, its peak."""
        self._signed = image
        if self._abs:
            magnitude = np.abs(image.data)
            magnitude.flags.writeable = False
            image = Image(magnitude, image.affine, image.name)
        self._image = image
        self._crange = None
        self._prepared = {}  # computed ahead for the previous image: stale
        self._geometry = {}
        self._percentiles = self._per_volume("percentiles", dict)  # threshold string -> value
        self._data = _finite_float(image)
        low, high = self._per_volume("abs range" if self._abs else "range", lambda: (float(self._data.min()), float(self._data.max()))
                                     if self._data.size else (0.0, 0.0))
        self._range = np.array([low, high])
        self._peak_magnitude = max(-low, high, 0.0)
        self._unclipped = self._data  # percentile thresholds are of the whole map, whatever ``clip``
        if self._clip is not None:  # outside the clipping range: 0, never drawn (the colour range is kept)
            self._data = np.where(colors.clip_mask(self._data, self._clip), self._data, np.float32(0))

    def _resolve_threshold(self, threshold, name="threshold"):
        """A threshold as a number; a percentile is computed once per map and string."""
        threshold = AUTO_THRESHOLD if threshold is None else threshold
        if not isinstance(threshold, str):
            return colors.resolve_threshold(threshold, self._unclipped, name=name)
        if threshold not in self._percentiles:
            self._percentiles[threshold] = colors.resolve_threshold(threshold, self._unclipped, name=name)
        return self._percentiles[threshold]

    @observe("img, volume", post_init=True)
    def _update_image(self, event):
        self._set_image(self._staged.pop("img"))
        self._threshold_value = self._resolve_threshold(self.threshold)
        if unset_params(self, "name"):
            set_resolved(self, name=self._image.name)
        self._warned = False
        self._warn_if_empty()
        self._changed()

    @observe("plot_abs, clip", post_init=True)
    def _update_abs(self, event):
        self._abs, self._clip = self.plot_abs, self.clip
        self._staged["img"] = self._signed
        self._update_image(event)

    @observe("bg, inflated", post_init=True)
    def _update_context(self, event):
        if event.name == "bg":
            self._bg_image = self._staged.pop("bg")
        self._geometry.pop("slices" if event.name == "bg" else "surface", None)
        self._changed()

    @observe("cut_coords", post_init=True)
    def _move_planes(self, event):
        if "slices" in self._geometry:
            self._geometry["slices"].move(self._peak())

    @observe("visible", post_init=True)
    def _update_visible(self, event):
        # Overrides Layer's handler; the surface mode's hemispheres follow the map.
        if "surface" in self._geometry:
            self._geometry["surface"].surface.visible = self.visible

    def _build(self, mode):
        if mode == "contour":
            return _stat_modes.ContourGeometry(self._image, self._data, peak=self._peak_magnitude)
        if mode == "volume":
            return _stat_modes.VolumeGeometry(self._image, self._data)
        if mode == "slices":
            return _stat_modes.PlaneGeometry(self._image, self._data, self._background(), self._peak())
        geometry = _stat_modes.SurfaceGeometry(self._image, self._data, inflated=self.inflated,
                                               textures=self._prepared.get("surface"))
        geometry.surface.visible = self.visible
        return geometry

    def _empty_message(self):
        if self._peak_magnitude == 0:
            return f"{self.name}: empty map (every value is 0 or NaN)"
        return (f"{self.name}: nothing above threshold {self.threshold_value:.3g} "
                f"(max |value| {self._peak_magnitude:.3g})")

    def _warn_if_empty(self):
        empty = self.empty
        peak = self._peak_magnitude
        message = self._empty_message()
        if empty and not self._warned:
            self._warned = True
            warnings.warn(
                f"{message}: nothing is drawn. Lower the threshold"
                + (" or check the map." if peak else " or pass the map you meant."),
                BrainviewWarning, stacklevel=5,
            )
        if not empty:
            self._warned = False

    def _background(self):
        bg = self._bg_image
        if isinstance(bg, str):
            from ..datasets import load_mni152

            bg = self._bg_image = load_image(load_mni152(resolution=1), name="bg")
        return bg

    def _peak(self):
        """World mm where the slices cross: ``cut_coords``, else nilearn's ``find_xyz_cut_coords``."""
        if self.cut_coords is not None:
            return np.array(self.cut_coords, dtype=float)
        ijk = cut_coords(self._data, self.threshold_value)
        return self._image.to_world(np.array([ijk]))[0]


class _ClassKey(TraitType):
    """One of the group's class keys; an unknown key lists the available ones."""

    def validate(self, obj, name, value):
        keys = list(obj._layers)
        if value not in keys:
            listed = ", ".join(repr(k) for k in keys)
            raise BrainviewValueError(f"{name}: unknown class {value!r}; available classes: {listed}.")
        return value


class StatMapGroup(HasStrictTraits):
    """One :class:`StatMap` per class of a dict of maps, and which class is shown.

    Parameters
    ----------
    maps : dict
        ``{class: image}`` (nilearn's ``Decoder.coef_img_``).
    selected : key, optional
        The class shown first (default: the first key).
    threshold, vmax, cmap, symmetric, mode, opacity, outline, bg, inflated, vmin, plot_abs, symmetric_cbar,
    gamma, invert, clip :
        As :class:`StatMap`; a percentile threshold is computed per map.

    Examples
    --------
    >>> import numpy as np
    >>> maps = {c: (np.eye(4)[:3, :3, None] * s * np.ones((3, 3, 3)), np.eye(4))
    ...         for c, s in (("face", 1.0), ("house", -1.0))}
    >>> group = StatMapGroup(maps, threshold=0.5, outline=False)
    >>> [layer.visible for layer in group.layers]
    [True, False]
    >>> group.selected = "house"
    >>> group["house"].visible
    True
    """

    __ = Python

    #: The class whose map is visible.
    selected = _ClassKey()

    def __init__(self, maps, *, selected=None, threshold=None, vmax=None, cmap=None,
                 symmetric="auto", mode="contour", opacity=1.0, outline=None, bg="mni152",
                 inflated=True, cut_coords=None, vmin=None, plot_abs=False, symmetric_cbar=None,
                 gamma=1.0, invert=False, clip=None):
        if not isinstance(maps, dict) or not maps:
            raise BrainviewTypeError(f"maps: expected a non-empty dict class -> image, got {describe(maps)}.")
        self._layers = {
            key: StatMap(image, threshold=threshold, vmax=vmax, cmap=cmap, symmetric=symmetric,
                         mode=mode, opacity=opacity, outline=outline, bg=bg, inflated=inflated,
                         cut_coords=cut_coords, name=str(key), vmin=vmin, plot_abs=plot_abs,
                         symmetric_cbar=symmetric_cbar, gamma=gamma, invert=invert, clip=clip)
            for key, image in load_stat_maps(maps).items()
        }
        super().__init__(selected=next(iter(self._layers)) if selected is None else selected)
        self._show_selected(None)

    @property
    def layers(self):
        """The layers, one per class, in the dict's order."""
        return list(self._layers.values())

    @property
    def classes(self):
        return list(self._layers)

    def __getitem__(self, key):
        self.trait("selected").handler.validate(self, "key", key)
        return self._layers[key]

    def __len__(self):
        return len(self._layers)

    @observe("selected", post_init=True)
    def _show_selected(self, event):
        for key, layer in self._layers.items():
            layer.visible = key == self.selected

    def __repr__(self):
        return f"<StatMapGroup {self.classes!r}, selected={self.selected!r}>"


def _example():
    """Small in-memory inputs of a StatMap (``Kind.example``)."""
    return (((_ex.signed_blob(), _ex.AFFINE),), dict(threshold=2.0, outline=False))


KIND = Kind(StatMap, drawer="brainview.render.stat_map:StatMapDrawer", example=_example, roles=("map",),
            painter="brainview.render.painters:paint_stat_map")
