"""The figure's view: its render window, rendering, screenshots and image files, Qt hosting.

:class:`FigureView` is the part of :class:`~brainview.scene.Figure` that
draws: it takes a window from the pool (:mod:`brainview.render.windows`),
renders the renderer the figure fills, grabs the pixels and writes them
(:mod:`brainview.render.writers`). A figure shown in the desktop app draws in
the app's window instead (``_host_in``); nothing here imports Qt.

The app draws that window on a thread of its own (a *runner*, see
:mod:`brainview.gui.view3d`), which owns every VTK call on the figure while
it is shown: :func:`on_render_thread` methods (render, screenshot, pick,
savefig) called from another thread run there and wait for it, and VTK work
that follows a model change (:meth:`FigureView._later`) is queued for it and
done just before its next frame, so that the thread changing models (the
GUI's) never waits for a render.

Examples
--------
>>> from brainview.scene import Figure
>>> fig = Figure(size=(64, 48))
>>> fig.screenshot(size=(32, 16)).shape
(16, 32, 3)
>>> fig.close()
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from .. import _vtk
from ..errors import BrainviewTypeError, BrainviewValueError, check_number, describe
from .camera import FigureCamera
from .windows import check_size
from .writers import (VECTOR_FORMATS, check_image_path, grab, print_scale, print_settings,
                      unpremultiply, write_image)

__all__ = ["FigureView", "SCENE_CARRIERS", "on_render_thread"]

#: Files :meth:`FigureView.savefig` writes with the figure's scene in them (``embed_scene``).
SCENE_CARRIERS = (".png", ".tif", ".tiff", ".svg", ".pdf")


def on_render_thread(method):
    """Run a figure's ``method`` on the thread that draws it when hosted (waiting for it), else here.

    Without a render thread (scripts, notebooks) the method runs in the
    calling thread holding :data:`brainview._vtk.RENDER_LOCK`, as
    :func:`brainview._vtk.serialised` does.
    """

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        runner = self._windows.runner
        if runner is not None and not runner.owns_thread():
            return runner.call(functools.partial(run, self, *args, **kwargs))
        with _vtk.RENDER_LOCK:
            return method(self, *args, **kwargs)

    return run


class FigureView(FigureCamera):
    """Rendering of a figure (a base of :class:`~brainview.scene.Figure`).

    Subclasses provide ``size``, ``_check_open()`` and a ``_windows``
    (:class:`~brainview.render.windows.FigureWindow`).
    """

    @property
    def window(self):
        """The render window (created on first use)."""
        self._check_open()
        if self._windows.host is not None:  # the app's: read its size from any thread
            return self._windows.host
        with _vtk.RENDER_LOCK:
            return self._windows.get(self.renderer, self.size)

    # ------------------------------------------------------------ the scene's VTK work (see _later)

    def _draw_layer(self, layer):
        """Build ``layer``'s drawer and show its props (the render thread's work when hosted)."""
        if layer in self._drawers:
            return
        from .drawer import drawer_for

        drawer = drawer_for(layer, self)
        drawer.set_interacting(self._interacting)
        self._show_props(drawer.props(), layer)
        self._drawers[layer] = drawer

    def _undraw_layer(self, layer):
        drawer = self._drawers.pop(layer, None)
        if drawer is not None:
            self._hide_props(drawer.props())
            drawer.dispose()

    def _restack(self):
        # VTK draws props in the order they were added: re-add them in the layers' order.
        drawn = [lay for lay in self.layers if lay in self._drawers]
        for lay in drawn:
            self._hide_props(self._drawers[lay].props())
        for lay in drawn:
            self._show_props(self._drawers[lay].props(), lay)

    def _drawers_interacting(self):
        for drawer in list(self._drawers.values()):
            drawer.set_interacting(self._interacting)

    def _show_view(self, model, view_class, *args):
        """Draw an annotation or a colour bar (VTK work: on the render thread when hosted)."""
        view = self._views[model] = view_class(model, *args)
        self.renderer.AddViewProp(view.actor)
        # The view redraws its actor when its model fires ``updated`` (a layer's colormap
        # changed on the GUI thread): that redraw is VTK work too, done where _later says.
        model.observe(view.draw, "updated", remove=True)
        follow = self.__dict__.setdefault("_view_followers", {})[model] = \
            lambda event: self._later(view.draw, key=("view", id(view)))
        model.observe(follow, "updated")

    def _hide_view(self, model):
        view = self._views.pop(model, None)
        if view is not None:
            model.observe(self._view_followers.pop(model), "updated", remove=True)
            model.observe(view.draw, "updated")  # as the view left it: its detach removes it
            self.renderer.RemoveViewProp(view.actor)
            view.detach()

    # ------------------------------------------------------------ the camera, never moved mid-frame

    # The camera is no OpenGL object: a script (or a view button) moves it on its own thread,
    # holding the render lock, so that the app's render thread never draws a half-set pose;
    # ``changed`` then fires on the caller's thread, where the app's widgets live.

    @_vtk.serialised
    def view(self, *args, **kwargs):
        return FigureCamera.view(self, *args, **kwargs)

    view.__doc__ = FigureCamera.view.__doc__

    @_vtk.serialised
    def current_view(self):
        return FigureCamera.current_view(self)

    current_view.__doc__ = FigureCamera.current_view.__doc__

    @_vtk.serialised
    def rotate(self, *, azimuth=0.0, elevation=0.0):
        return FigureCamera.rotate(self, azimuth=azimuth, elevation=elevation)

    rotate.__doc__ = FigureCamera.rotate.__doc__

    @_vtk.serialised
    def zoom(self, factor):
        return FigureCamera.zoom(self, factor)

    zoom.__doc__ = FigureCamera.zoom.__doc__

    @property
    @_vtk.serialised
    def camera(self):
        return FigureCamera.camera.fget(self)

    @camera.setter
    @_vtk.serialised
    def camera(self, pose):
        FigureCamera.camera.fset(self, pose)

    camera.__doc__ = FigureCamera.camera.__doc__

    # ------------------------------------------------------------ the render thread (hosted in the app)

    def _defers(self):
        """Whether VTK work asked for in this thread waits for the figure's render thread."""
        runner = self._windows.runner
        return runner is not None and not runner.owns_thread()

    def _later(self, work, key=None):
        """Do VTK ``work()`` now (holding the render lock), or on the render thread before its next frame.

        ``key`` names work that a later request of the same key makes
        redundant (one sync per drawer and trait): it runs once, where the
        first request was queued.
        """
        runner = self._windows.runner
        if runner is not None and not runner.owns_thread():
            runner.defer(work, key)
            return
        with _vtk.RENDER_LOCK:
            work()

    def _flush(self):
        """Wait until the render thread has done the VTK work queued so far (no-op when none)."""
        if self._defers():
            self._windows.runner.call(lambda: None)

    def _changed_here(self):
        """The picture changed: fire ``changed``, or (on the render thread, which draws next anyway) nothing.

        ``changed`` observers are the app's widgets: they must hear it on the GUI thread only.
        """
        runner = self._windows.runner
        if runner is not None and runner.owns_thread():
            runner.request_render()
        else:
            self.changed = True

    @on_render_thread
    def render(self):
        """Draw the scene now."""
        window = self.window
        self._apply_camera()
        self.renderer.ResetCameraClippingRange()
        window.Render()

    @on_render_thread
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
        with self._print_settings(scale=scale, transparent=bool(transparent)):
            image = self._render_pixels(pixels, alpha=bool(transparent))
        return unpremultiply(image) if transparent else image

    def _print_settings(self, *, scale, transparent):
        """Text, lines and background set for an image at ``scale`` (a layout adds its panels)."""
        return print_settings(self.renderer, scale=scale, transparent=transparent)

    @on_render_thread
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
        off_screen = bool(host.GetUseOffScreenBuffers())  # the app's render thread draws off-screen
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
                host.SetUseOffScreenBuffers(off_screen)
                if not off_screen:  # an on-screen window shows its picture again; the app's
                    host.Render()   # render thread draws its next frame when it needs one

    @on_render_thread
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
    def _host_in(self, window, runner=None):
        """Draw this figure's renderer in another render window (the desktop app's).

        The off-screen window, if any, is released; :meth:`screenshot` and
        :meth:`savefig` keep working (at another size than the host's they
        render once off-screen). :meth:`_unhost` gives the renderer back.
        ``runner``: the thread drawing ``window`` (see :func:`on_render_thread`),
        calling this from that thread.
        """
        self._check_open()
        self._windows.host_in(window, self.renderer)
        self._windows.runner = runner

    @_vtk.serialised
    def _unhost(self):
        """Take the renderer back from the hosting window (no-op when not hosted)."""
        self._windows.unhost(self.renderer)
