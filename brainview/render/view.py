"""The figure's view: its render window, rendering, screenshots and image files, Qt hosting.

:class:`FigureView` is the part of :class:`~brainview.scene.Figure` that
draws: it takes a window from the pool (:mod:`brainview.render.windows`),
renders the renderer the figure fills, grabs the pixels and writes them
(:mod:`brainview.render.writers`). A figure shown in the desktop app draws in
the app's window instead (``_host_in``); nothing here imports Qt.

Examples
--------
>>> from brainview.scene import Figure
>>> fig = Figure(size=(64, 48))
>>> fig.screenshot(size=(32, 16)).shape
(16, 32, 3)
>>> fig.close()
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import _vtk
from ..errors import BrainviewTypeError, BrainviewValueError, check_number, describe
from .camera import FigureCamera
from .windows import check_size
from .writers import (VECTOR_FORMATS, check_image_path, grab, print_scale, print_settings,
                      unpremultiply, write_image)

__all__ = ["FigureView", "SCENE_CARRIERS"]

#: Files :meth:`FigureView.savefig` writes with the figure's scene in them (``embed_scene``).
SCENE_CARRIERS = (".png", ".tif", ".tiff", ".svg", ".pdf")


class FigureView(FigureCamera):
    """Rendering of a figure (a base of :class:`~brainview.scene.Figure`).

    Subclasses provide ``size``, ``_check_open()`` and a ``_windows``
    (:class:`~brainview.render.windows.FigureWindow`).
    """

    @property
    @_vtk.serialised
    def window(self):
        """The render window (created on first use)."""
        self._check_open()
        return self._windows.get(self.renderer, self.size)

    @_vtk.serialised
    def render(self):
        """Draw the scene now."""
        window = self.window
        self._apply_camera()
        self.renderer.ResetCameraClippingRange()
        window.Render()

    @_vtk.serialised
    def screenshot(self, *, size=None, scale=1, transparent=False):
        """The rendered image as an ``(height, width, 3)`` uint8 array (RGBA if ``transparent``).

        Parameters
        ----------
        size : (int, int), optional
            Width and height of the layout in pixels; default: the figure's size.
        scale : float
            Multiplies the pixels, keeping the framing: ``scale=3`` renders
            3x the width and height, with text, colour bars, lines and points
            3x larger, so the image looks the same, only sharper (for print).
        transparent : bool
            Return RGBA with alpha 0 on the background; colours of
            translucent pixels are straight (not premultiplied by alpha).

        Examples
        --------
        >>> from brainview.scene import Figure
        >>> fig = Figure(size=(64, 48))
        >>> fig.screenshot(size=(32, 16)).shape
        (16, 32, 3)
        >>> fig.screenshot(scale=2, transparent=True).shape
        (96, 128, 4)
        >>> fig.close()
        """
        size = self.size if size is None else check_size(size)
        scale = check_number(scale, "scale", minimum=0, strict=True)
        pixels = check_size((round(size[0] * scale), round(size[1] * scale)), "size x scale")
        if not isinstance(transparent, (bool, np.bool_)):
            raise BrainviewTypeError(f"transparent: expected True or False, got {describe(transparent)}.")
        with print_settings(self.renderer, scale=scale, transparent=bool(transparent)):
            image = self._render_pixels(pixels, alpha=bool(transparent))
        return unpremultiply(image) if transparent else image

    @_vtk.serialised
    def pixel_of(self, xyz):
        """The pixel ``(x, y)`` (top-left origin, as :meth:`pick` takes) where world point ``xyz`` is drawn.

        Places the camera first if the scene has not been framed yet.

        Examples
        --------
        >>> from brainview.scene import Figure
        >>> fig = Figure(size=(64, 64))
        >>> fig.camera = {"position": (0, 0, 300), "focal_point": (0, 0, 0),
        ...               "view_up": (0, 1, 0), "view_angle": 30.0}
        >>> fig.pixel_of((0, 0, 0))
        (32.0, 31.0)
        >>> fig.close()
        """
        point = np.asarray(xyz, dtype=float)
        if point.shape != (3,) or not np.isfinite(point).all():
            raise BrainviewValueError(f"xyz: expected one finite (x, y, z) world point in mm, got {xyz!r}.")
        window = self.window
        if window.GetNeverRendered() or not self._camera_set:
            self.render()
        height = window.GetSize()[1]
        self.renderer.SetWorldPoint(*point, 1.0)
        self.renderer.WorldToDisplay()
        x, y, _ = self.renderer.GetDisplayPoint()
        return float(x), float(height - 1 - y)

    def _render_pixels(self, size, *, alpha):
        window = self.window
        previous = tuple(window.GetSize())
        hosted = self._windows.host is not None
        if hosted and tuple(size) != previous:
            return self._screenshot_offscreen(size, alpha=alpha)
        if not hosted:
            window.SetSize(*size)
        # The camera is framed for an aspect ratio: a new one frames it again,
        # a new size of the same shape (scale=) keeps the view as it is.
        same_aspect = size[0] * previous[1] == size[1] * previous[0]
        self._camera_set = self._camera_set and same_aspect
        self.render()
        return grab(window, alpha=alpha)

    def _screenshot_offscreen(self, size, *, alpha=False):
        # Render this one image in the hosting window's own OpenGL context,
        # into off-screen buffers of the requested size: moving the renderer
        # to another context would lose its textures (image slices, colour
        # maps). The on-screen window keeps its size and contents.
        host = self._windows.host
        shown_size = tuple(host.GetSize())
        saving_angle = self._saving_view_angle(size)  # from the window's size: before resizing it
        with self._moving_camera() as camera:  # the pose is the same afterwards: no event
            saved_angle = camera.GetViewAngle()
            host.SetUseOffScreenBuffers(True)
            try:
                host.SetSize(*size)
                camera.SetViewAngle(saving_angle)
                self.renderer.ResetCameraClippingRange()
                host.Render()
                return grab(host, alpha=alpha)
            finally:
                camera.SetViewAngle(saved_angle)
                host.SetSize(*shown_size)
                host.SetUseOffScreenBuffers(False)
                host.Render()

    @_vtk.serialised
    def savefig(self, path, *, size=None, scale=None, dpi=None, transparent=False, embed_scene=True):
        """Write the figure to an image file: PNG, JPEG, TIFF, or PDF/SVG/EPS.

        Parameters
        ----------
        path : str or Path
            The suffix chooses the format: ``.png``, ``.jpg``/``.jpeg``,
            ``.tif``/``.tiff`` (raster); ``.pdf``, ``.svg``, ``.eps``, ``.ps``
            (a page of the figure's size, 100 px to the inch, with titles,
            texts, colour bars and legends as vector objects over the 3-D
            scene as a raster at ``dpi``: :mod:`brainview.render.vector`).
        size : (int, int), optional
            Width and height in pixels at scale 1; default: the figure's size.
        scale : float, optional
            Multiplies the pixels, keeping the framing (text, lines and
            colour bars grow with it): ``scale=3`` for print. Default 1, or
            ``dpi / 100``.
        dpi : float, optional
            Pixels per inch of the file, a figure's size being its pixels at
            100 dpi (as in matplotlib): ``dpi=300`` renders at ``scale=3``.
            PNG, TIFF and JPEG files record it (default ``100 * scale``).
        transparent : bool
            Alpha 0 on the background (PNG, TIFF, PDF, SVG; TIFF alpha is
            unassociated, colours straight).
        embed_scene : bool
            PNG, TIFF, SVG and PDF files carry the figure's scene, so
            ``bv.load_scene`` reopens them (:mod:`brainview.export.recipe`);
            False leaves it out.

        Examples
        --------
        >>> import tempfile, os
        >>> from brainview.scene import Figure
        >>> fig = Figure(size=(40, 30))
        >>> path = os.path.join(tempfile.mkdtemp(), "empty.png")
        >>> fig.savefig(path, dpi=200, transparent=True)
        >>> fig.close()
        """
        path = Path(path)
        check_image_path(path, transparent=transparent)
        scale, dpi = print_scale(scale, dpi)
        if not isinstance(embed_scene, (bool, np.bool_)):
            raise BrainviewTypeError(f"embed_scene: expected True or False, got {describe(embed_scene)}.")
        suffix = path.suffix.lower()
        texts = self._embedded_scene(path) if embed_scene and suffix in SCENE_CARRIERS else None
        if suffix in VECTOR_FORMATS:
            from .vector import export_page

            export_page(self, path, dpi=dpi, size=size, transparent=transparent, texts=texts)
            return
        write_image(path, self.screenshot(size=size, scale=scale, transparent=transparent), dpi=dpi, texts=texts)

    def _embedded_scene(self, path):
        """``{keyword: text}`` a figure's image file carries (none here; the Figure model gives its scene)."""
        return None

    # ------------------------------------------------------------ hosting

    @_vtk.serialised
    def _host_in(self, window):
        """Draw this figure's renderer in another render window (the desktop app's).

        The off-screen window, if any, is released; :meth:`screenshot` and
        :meth:`savefig` keep working (at another size than the host's they
        render once off-screen). :meth:`_unhost` gives the renderer back.
        """
        self._check_open()
        self._windows.host_in(window, self.renderer)

    @_vtk.serialised
    def _unhost(self):
        """Take the renderer back from the hosting window (no-op when not hosted)."""
        self._windows.unhost(self.renderer)
