"""The figure's camera: named views, framing, an exact pose, and ``camera_changed`` events.

:class:`FigureCamera` is the part of :class:`~brainview.scene.Figure` that
points the camera. The pose is read from and written to the renderer's
vtkCamera, whoever moves it (a script, a movie, the app's mouse): every
change of the pose fires ``camera_changed`` once, with the new pose, so the
app and drawers can observe the camera instead of polling it.

Examples
--------
>>> from brainview.scene import Figure
>>> fig = Figure(size=(64, 64))
>>> seen = []
>>> fig.observe(lambda event: seen.append(event.new["position"]), "camera_changed")
>>> fig.camera = {"position": (0, -300, 0), "focal_point": (0, 0, 0),
...               "view_up": (0, 0, 1), "view_angle": 30.0}
>>> seen
[(0.0, -300.0, 0.0)]
>>> fig.close()
"""

from __future__ import annotations

import contextlib
import weakref

import numpy as np
from traits.api import Any, Event, HasStrictTraits, Python

from ..errors import BrainviewValueError, check_number
from ..geometry.camera import camera_pose, check_pose, view_angles
from ..geometry.surface_maps import HEMI_VIEW_NAMES, hemi_view

__all__ = ["FigureCamera"]


def _nilearn_angles(pair, azimuth, elevation):
    """``(azimuth, elevation)`` in Mayavi's convention of nilearn's ``(elev, azim)`` view."""
    if azimuth is not None or elevation is not None:
        raise BrainviewValueError("view: give either an (elev, azim) pair or azimuth=/elevation=, not both.")
    if len(pair) != 2:
        raise BrainviewValueError(f"view: expected nilearn's (elev, azim) pair of degrees, got {pair!r}.")
    elev, azim = (check_number(v, "view") for v in pair)
    return azim % 360.0, 90.0 - elev


class FigureCamera(HasStrictTraits):
    """The camera of a figure (a base of :class:`~brainview.scene.Figure`).

    Subclasses provide ``bounds()`` (the world box framed), ``layers``,
    ``drawer(layer)``, ``size`` and a ``_windows``
    (:class:`~brainview.render.windows.FigureWindow`).
    """

    #: The vtkRenderer holding the scene (hosted by an off-screen or Qt window).
    renderer = Any()

    #: Fired after any layer changed and the scene needs redrawing.
    changed = Event()

    #: Fired with the new pose (as :attr:`camera` reads it) whenever the camera moved.
    camera_changed = Event()

    __ = Python

    def _watch_camera(self):
        """Fire :attr:`camera_changed` when the renderer's camera changes pose."""
        # VTK picks the near plane's tolerance once, at the first clipping-range reset: 0.01
        # before the figure has a window, 0.001 after (24-bit depth). A pose set before the
        # first render then rendered differently from the same pose framed at it; fix it.
        self.renderer.SetNearClippingPlaneTolerance(0.001)
        self._camera_quiet = 0
        self._pose_seen = self._raw_pose()
        ref = weakref.ref(self)

        def modified(caller, event):
            figure = ref()
            if figure is not None and not figure._camera_quiet:
                figure._camera_moved()
        self.renderer.GetActiveCamera().AddObserver("ModifiedEvent", modified)

    def _raw_pose(self):
        camera = self.renderer.GetActiveCamera()
        return (camera.GetPosition(), camera.GetFocalPoint(), camera.GetViewUp(), camera.GetViewAngle())

    def _camera_moved(self):
        pose = self._raw_pose()
        if pose != self._pose_seen:  # not a clipping range or another detail
            self._pose_seen = pose
            self.camera_changed = self._pose()

    @contextlib.contextmanager
    def _moving_camera(self):
        """Change the camera in several steps inside the block; fire one event at the end."""
        self._camera_quiet += 1
        try:
            yield self.renderer.GetActiveCamera()
        finally:
            self._camera_quiet -= 1
        if not self._camera_quiet:
            self._camera_moved()

    @contextlib.contextmanager
    def _moving_placed_camera(self):
        """Move the camera from where it is (placed first if pending); one event, one redraw after."""
        self._apply_camera()
        with self._moving_camera() as camera:
            yield camera
            self.renderer.ResetCameraClippingRange()
        self._camera_set = True
        self.changed = True

    def view(self, name=None, *, azimuth=None, elevation=None, distance=None, focalpoint=None, hemi=None):
        """Point the camera: an anatomical view name or angles (Mayavi's ``mlab.view``).

        Every argument not given keeps the current camera's value, as in
        ``mlab.view``: ``view(distance=200)`` moves the camera closer along
        the direction it looks now. A view ``name`` is a preset: it gives the
        direction, and the distance and focal point not given frame the
        visible layers again.

        Parameters
        ----------
        name : str or (float, float), optional
            ``"left"``, ``"right"``, ``"anterior"``, ``"posterior"``,
            ``"superior"``, ``"inferior"`` (``"left"`` looks at the left
            hemisphere from the left, RAS+ world; ``"superior"`` looks down
            with anterior up); nilearn's hemisphere views ``"lateral"``,
            ``"medial"``, ``"dorsal"``, ``"ventral"``; or nilearn's
            ``(elev, azim)`` pair in degrees (elevation above the horizontal
            plane, azimuth from +x): ``(0, 180)`` is ``"left"``.
        azimuth, elevation : float, optional
            Degrees, Mayavi's convention: azimuth from +x (right) towards +y
            (anterior), elevation from +z (superior).
        distance : float, optional
            mm from the focal point.
        focalpoint : (float, float, float), optional
            The point looked at, world mm.
        hemi : {"left", "right"}, optional
            The hemisphere of ``"lateral"`` and ``"medial"``; default: the one
            hemisphere the visible surface layers show.

        Returns
        -------
        tuple or None
            With no argument at all: the current ``(azimuth, elevation,
            distance, focalpoint)`` (as ``mlab.view()`` returns), the camera
            unchanged; otherwise None.

        The camera is placed at the next render, so layers added after this
        call are still framed.

        Examples
        --------
        >>> import numpy as np
        >>> from brainview.scene import Figure
        >>> from brainview.layers import Points
        >>> fig = Figure(size=(64, 64))
        >>> _ = fig.add(Points([[-50, 0, 0], [50, 0, 0]], size=10))
        >>> fig.view("anterior")
        >>> fig.view(focalpoint=(0, 0, 0), distance=300)
        >>> azimuth, elevation, distance, focal = fig.view()
        >>> round(azimuth), round(elevation), round(distance)
        (90, 90, 300)
        >>> fig.close()
        """
        if isinstance(name, (tuple, list)):
            name, azimuth, elevation = None, *_nilearn_angles(name, azimuth, elevation)
        elif name in ("dorsal", "ventral"):
            name = hemi_view("left", name)  # from above or below, whichever hemisphere
        elif name in HEMI_VIEW_NAMES:
            name = hemi_view(hemi or self._shown_hemisphere(name), name)
        elif hemi is not None:
            raise BrainviewValueError(f"hemi: only 'lateral' and 'medial' views take a hemisphere, not {name!r}.")
        if hemi is not None and hemi not in ("left", "right"):
            raise BrainviewValueError(f"hemi: must be 'left' or 'right', got {hemi!r}.")
        given = dict(azimuth=azimuth, elevation=elevation, distance=distance, focalpoint=focalpoint)
        if name is None and all(value is None for value in given.values()):
            return self.current_view()
        if name is not None:
            view_angles(name)  # validates now, not at render time
            request = dict(given, name=name)
        else:
            request = dict(self._kept_view(), **{k: v for k, v in given.items() if v is not None})
        self._pending_view = request
        self._camera_set = False
        self.changed = True
        return None

    def _shown_hemisphere(self, name):
        """The one hemisphere ("left" or "right") the visible surface layers show, else an error."""
        shown = {getattr(layer, "hemi", None) for layer in self.layers if layer.visible and layer.kind == "surface"}
        if len(shown) == 1 and shown <= {"left", "right"}:
            return shown.pop()
        raise BrainviewValueError(
            f"view: {name!r} needs a hemisphere; the figure shows {sorted(map(str, shown)) or 'no surface'}. "
            "Give hemi='left' or hemi='right'.")

    def _kept_view(self):
        """What a view call keeps: the pending request, else the placed camera's angles and distance."""
        if not self._camera_set:
            kept = dict(self._pending_view)
            kept.setdefault("name", None)
            return kept
        azimuth, elevation, distance, focal = self.current_view()
        return dict(name=None, azimuth=azimuth, elevation=elevation, distance=distance, focalpoint=focal)

    def current_view(self):
        """``(azimuth, elevation, distance, focalpoint)`` of the camera now (degrees, mm).

        Places the camera first if the scene has not been framed yet.

        Examples
        --------
        >>> from brainview.scene import Figure
        >>> fig = Figure(size=(64, 64))
        >>> fig.camera = {"position": (0, -300, 0), "focal_point": (0, 0, 0),
        ...               "view_up": (0, 0, 1), "view_angle": 30.0}
        >>> fig.current_view()
        (270.0, 90.0, 300.0, (0.0, 0.0, 0.0))
        >>> fig.close()
        """
        pose = self.camera
        offset = np.subtract(pose["position"], pose["focal_point"])
        distance = float(np.linalg.norm(offset))
        elevation = float(np.degrees(np.arccos(np.clip(offset[2] / distance, -1.0, 1.0))))
        azimuth = float(np.degrees(np.arctan2(offset[1], offset[0])) % 360.0)
        return (round(azimuth, 9), round(elevation, 9), round(distance, 9),
                tuple(float(v) for v in pose["focal_point"]))

    def _apply_camera(self):
        if self._camera_set:
            return
        bounds = self.bounds()
        if bounds is None:
            return
        # A hosted figure is framed for its window's shape, not its saving size.
        host = self._windows.host
        width, height = self.size if host is None else self._windows.shown_size()
        with self._moving_camera() as camera:
            pose = camera_pose(**self._pending_view, bounds=bounds, points=self._frame_points(),
                               view_angle=camera.GetViewAngle(), aspect=width / height)
            camera.SetFocalPoint(*pose.focal_point)
            camera.SetPosition(*pose.position)
            camera.SetViewUp(*pose.view_up)
            self.renderer.ResetCameraClippingRange()
        self._camera_set = True

    def _frame_points(self):
        """The world points the framing holds, or None for the corners of :meth:`bounds`.

        A drawer may give tighter points (``frame_points()``: the corners of
        slices' drawn planes, not of the box around the three planes); the
        other layers then count by their boxes' corners.
        """
        points, tighter = [], False
        for layer in list(self.layers):
            if not layer.visible or getattr(layer, "opacity", 1.0) <= 0:
                continue
            try:
                drawer = self.drawer(layer)
            except BrainviewValueError:  # listed, not drawn yet (by the app's render thread, which is
                continue                 # framing now): not framed, as bounds() leaves it out
            own = getattr(drawer, "frame_points", None)
            if own is not None:
                points.append(np.reshape(own(), (-1, 3)))
                tighter = True
                continue
            box = drawer.bounds()
            if box is not None and box[0] <= box[1]:
                points.append(np.array(np.meshgrid(*np.reshape(box, (3, 2)), indexing="ij")).reshape(3, -1).T)
        points = np.concatenate(points) if tighter else np.zeros((0, 3))
        return points if len(points) else None  # None: the bounds' corners, as before

    def rotate(self, *, azimuth=0.0, elevation=0.0):
        """Turn the camera about the focal point by degrees, from where it is now (a mouse drag).

        ``azimuth`` turns about the view-up axis, ``elevation`` about the
        horizontal screen axis; the distance and focal point stay.

        Examples
        --------
        >>> from brainview.scene import Figure
        >>> fig = Figure(size=(64, 64))
        >>> fig.camera = {"position": (0, -300, 0), "focal_point": (0, 0, 0),
        ...               "view_up": (0, 0, 1), "view_angle": 30.0}
        >>> fig.rotate(azimuth=90)
        >>> [round(v) for v in fig.camera["position"]]
        [300, 0, 0]
        >>> fig.close()
        """
        azimuth = check_number(azimuth, "azimuth")
        elevation = check_number(elevation, "elevation")
        with self._moving_placed_camera() as camera:
            camera.Azimuth(azimuth)
            camera.Elevation(elevation)
            camera.OrthogonalizeViewUp()

    def zoom(self, factor):
        """Move the camera ``factor`` times closer to the focal point (below 1: farther), as a mouse wheel.

        Examples
        --------
        >>> from brainview.scene import Figure
        >>> fig = Figure(size=(64, 64))
        >>> fig.camera = {"position": (0, -300, 0), "focal_point": (0, 0, 0),
        ...               "view_up": (0, 0, 1), "view_angle": 30.0}
        >>> fig.zoom(2)
        >>> fig.camera["position"]
        (0.0, -150.0, 0.0)
        >>> fig.close()
        """
        factor = check_number(factor, "factor", minimum=0, strict=True)
        with self._moving_placed_camera() as camera:
            camera.Dolly(factor)

    def reset_camera(self):
        """Frame every visible layer again, keeping the current direction."""
        self._camera_set = False

    @property
    def camera(self):
        """The camera pose: ``{"position", "focal_point", "view_up", "view_angle"}`` (mm, degrees).

        Reading it places the camera first if the scene has not been framed
        yet. Assigning a pose (all four keys) sets it exactly: the values read
        back are the ones given, which is what scene files and exported
        scripts rely on. Every change fires :attr:`camera_changed`.

        Examples
        --------
        >>> from brainview.scene import Figure
        >>> fig = Figure(size=(64, 64))
        >>> fig.camera = {"position": (0, -300, 0), "focal_point": (0, 0, 0),
        ...               "view_up": (0, 0, 1), "view_angle": 30.0}
        >>> fig.camera["position"]
        (0.0, -300.0, 0.0)
        >>> fig.close()
        """
        self._apply_camera()
        return self._pose()

    @camera.setter
    def camera(self, pose):
        pose = check_pose(pose)
        with self._moving_camera() as camera:
            camera.SetPosition(*pose["position"])
            camera.SetFocalPoint(*pose["focal_point"])
            camera.SetViewUp(*pose["view_up"])
            camera.SetViewAngle(self._shown_view_angle(pose["view_angle"]))
            self.renderer.ResetCameraClippingRange()
        self._pending_view = {}
        self._camera_set = True
        self.changed = True

    def _pose(self):
        camera = self.renderer.GetActiveCamera()
        # Shown in the app, the pose is the one the figure's own images use (savefig).
        return {"position": tuple(camera.GetPosition()), "focal_point": tuple(camera.GetFocalPoint()),
                "view_up": tuple(camera.GetViewUp()), "view_angle": self._saving_view_angle(self.size)}

    @property
    def camera_is_set(self):
        """Whether the camera is placed (False: it frames the layers at the next render)."""
        return self._camera_set

    @property
    def pending_view(self):
        """The last :meth:`view` request not yet applied (a copy; empty when none)."""
        return {} if self._camera_set else dict(self._pending_view)

    def _narrowing(self, size):
        """How much narrower an image of ``size`` is than the window showing the figure (<= 1)."""
        host = self._windows.host
        if host is None:
            return 1.0
        shown = self._windows.shown_size()
        ratio = (size[0] / size[1]) / (shown[0] / max(shown[1], 1))
        return ratio if ratio < 1 - 1e-3 else 1.0

    def _saving_view_angle(self, size, angle=None):
        """The view angle that keeps what the window shows horizontally in an image of ``size``.

        A figure shown in the app is framed for the window; an image of
        another, narrower shape widens the angle so nothing shown is cut.
        """
        angle = float(self.renderer.GetActiveCamera().GetViewAngle() if angle is None else angle)
        narrowing = self._narrowing(size)
        if narrowing == 1.0:
            return angle  # exact: a pose read back is the pose given
        return float(np.degrees(2 * np.arctan(np.tan(np.radians(angle) / 2) / narrowing)))

    def _shown_view_angle(self, saving_angle):
        """The window's view angle whose images at the figure's size have ``saving_angle``."""
        narrowing = self._narrowing(self.size)
        if narrowing == 1.0:
            return saving_angle
        return float(np.degrees(2 * np.arctan(np.tan(np.radians(saving_angle) / 2) * narrowing)))
