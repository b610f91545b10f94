"""Camera poses in RAS+ world space, by anatomical name or by angles.

Angles follow Mayavi's ``mlab.view``: ``azimuth`` is measured in the x-y
plane from +x (right) towards +y (anterior); ``elevation`` from +z (superior).
The camera looks at the focal point from that direction.

Examples
--------
>>> import numpy as np
>>> pose = camera_pose("left", bounds=(-70, 70, -100, 70, -50, 80))
>>> np.round(pose.direction, 6).tolist()  # from focal point to camera
[-1.0, 0.0, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BrainviewValueError

#: name -> (azimuth, elevation) in degrees.
VIEWS = {
    "right": (0.0, 90.0),
    "anterior": (90.0, 90.0),
    "left": (180.0, 90.0),
    "posterior": (270.0, 90.0),
    "superior": (0.0, 0.0),
    "inferior": (0.0, 180.0),
}

#: The view a figure opens with: from the front left, a little above.
DEFAULT_VIEW = (150.0, 65.0)


@dataclass(frozen=True)
class CameraPose:
    position: np.ndarray
    focal_point: np.ndarray
    view_up: np.ndarray

    @property
    def direction(self):
        """Unit vector from the focal point to the camera."""
        offset = self.position - self.focal_point
        return offset / np.linalg.norm(offset)


def union_bounds(boxes):
    """The box holding every ``(xmin, xmax, ymin, ymax, zmin, zmax)`` box (None when none).

    Examples
    --------
    >>> union_bounds([(0, 1, 0, 1, 0, 0), (0, 0, -1, 2, 0, 3)])
    (0.0, 1.0, -1.0, 2.0, 0.0, 3.0)
    """
    boxes = np.array([b for b in boxes if b is not None and b[0] <= b[1]], dtype=float)
    if not len(boxes):
        return None
    return tuple(float(v) for v in np.ravel(
        np.column_stack([boxes[:, 0::2].min(0), boxes[:, 1::2].max(0)])))


def view_angles(name):
    """``(azimuth, elevation)`` of an anatomical view name."""
    if name not in VIEWS:
        raise BrainviewValueError(
            f"view: unknown view {name!r}; use one of {', '.join(VIEWS)}, a hemisphere view "
            "(lateral, medial, dorsal, ventral), nilearn's (elev, azim) pair, or azimuth=/elevation= in degrees."
        )
    return VIEWS[name]


def camera_pose(name=None, *, azimuth=None, elevation=None, distance=None,
                focalpoint=None, bounds, view_angle=30.0, aspect=1.0, margin=1.05, points=None):
    """Where to put the camera to see ``bounds`` from a direction.

    Parameters
    ----------
    name : str, optional
        ``"left"``, ``"right"``, ``"anterior"``, ``"posterior"``,
        ``"superior"`` or ``"inferior"``; overrides nothing given explicitly.
    azimuth, elevation : float, optional
        Degrees (see module docstring); default to the named or default view.
    distance : float, optional
        Camera to focal point, mm. Default: the closest distance at which the
        whole bounding box fits the view.
    focalpoint : (3,) float, optional
        Default: the centre of ``bounds``.
    bounds : (xmin, xmax, ymin, ymax, zmin, zmax)
    view_angle : float
        Vertical field of view, degrees.
    aspect : float
        Width / height of the image.
    points : (n, 3) float, optional
        The world points the view must hold (default: the eight corners of
        ``bounds``): three orthogonal planes are framed by their own corners,
        closer than the corners of the box around them.
    """
    base_azimuth, base_elevation = view_angles(name) if name is not None else DEFAULT_VIEW
    azimuth = base_azimuth if azimuth is None else float(azimuth)
    elevation = base_elevation if elevation is None else float(elevation)
    az, el = np.radians(azimuth), np.radians(elevation)
    direction = np.array([np.sin(el) * np.cos(az), np.sin(el) * np.sin(az), np.cos(el)])
    # Looking straight down or up the z axis, anterior (+y) is up on screen.
    up = np.array([0.0, 1.0, 0.0]) if abs(np.sin(el)) < 1e-6 else np.array([0.0, 0.0, 1.0])
    box = np.asarray(bounds, dtype=float).reshape(3, 2)
    focal = box.mean(axis=1) if focalpoint is None else np.asarray(focalpoint, dtype=float)
    if points is not None and focalpoint is None:
        focal = _centred(np.asarray(points, dtype=float).reshape(-1, 3), focal, direction, up)
    if distance is None:
        if points is None:
            distance = fit_distance(box, focal, direction, up, view_angle, aspect) * margin
        else:
            distance = fit_points(points, focal, direction, up, view_angle, aspect) * margin
    return CameraPose(focal + direction * float(distance), focal, up)


def _centred(points, focal, direction, up):
    """``focal`` moved across the view so that ``points`` project symmetrically about it."""
    right = np.cross(-direction, up)
    right /= np.linalg.norm(right)
    true_up = np.cross(right, -direction)
    for axis in (right, true_up):
        along = (points - focal) @ axis
        focal = focal + axis * (along.max() + along.min()) / 2
    return focal


def fit_distance(box, focal, direction, up, view_angle, aspect):
    """Smallest distance at which every corner of ``box`` is inside the view."""
    return fit_points(np.array(np.meshgrid(*box, indexing="ij")).reshape(3, -1).T, focal, direction, up,
                      view_angle, aspect)


def fit_points(points, focal, direction, up, view_angle, aspect):
    """Smallest distance at which every one of the ``(n, 3)`` world ``points`` is inside the view.

    Examples
    --------
    >>> import numpy as np
    >>> square = [(-1, -1, 0), (1, -1, 0), (1, 1, 0), (-1, 1, 0)]
    >>> round(fit_points(square, np.zeros(3), np.array([0, 0, 1.0]), np.array([0, 1.0, 0]), 90, 1), 6)
    1.0
    """
    right = np.cross(-direction, up)
    right /= np.linalg.norm(right)
    true_up = np.cross(right, -direction)
    corners = np.asarray(points, dtype=float).reshape(-1, 3) - focal
    tan_v = np.tan(np.radians(view_angle) / 2)
    tan_h = tan_v * aspect
    depth = corners @ direction
    needed = np.maximum(
        depth + np.abs(corners @ right) / tan_h,
        depth + np.abs(corners @ true_up) / tan_v,
    )
    return max(float(needed.max()), 1e-3)


_POSE_KEYS = ("position", "focal_point", "view_up", "view_angle")


def check_pose(pose, name="camera"):
    """A camera pose dict with float tuples, validated: a brainview error names what is wrong.

    Examples
    --------
    >>> check_pose({"position": (0, 0, 9), "focal_point": (0, 0, 0), "view_up": (0, 1, 0),
    ...             "view_angle": 30})["position"]
    (0.0, 0.0, 9.0)
    """
    from ..errors import BrainviewTypeError

    if not isinstance(pose, dict) or set(pose) != set(_POSE_KEYS):
        raise BrainviewTypeError(
            f"{name}: expected a dict with exactly the keys {', '.join(_POSE_KEYS)}, got {pose!r}."
        )
    checked = {}
    for key in _POSE_KEYS[:3]:
        vector = np.asarray(pose[key], dtype=float) if not isinstance(pose[key], str) else None
        if vector is None or vector.shape != (3,) or not np.isfinite(vector).all():
            raise BrainviewValueError(f"{name}[{key!r}]: expected 3 finite numbers, got {pose[key]!r}.")
        checked[key] = tuple(float(v) for v in vector)
    if np.allclose(checked["position"], checked["focal_point"]):
        raise BrainviewValueError(f"{name}: position and focal_point must differ, both are {checked['position']}.")
    if np.linalg.norm(np.cross(np.subtract(checked["focal_point"], checked["position"]), checked["view_up"])) < 1e-9:
        raise BrainviewValueError(f"{name}['view_up']: must not be parallel to the viewing direction.")
    angle = pose["view_angle"]
    if isinstance(angle, bool) or not isinstance(angle, (int, float, np.number)) or not 0 < angle < 180:
        raise BrainviewValueError(f"{name}['view_angle']: expected degrees in (0, 180), got {angle!r}.")
    checked["view_angle"] = float(angle)
    return checked
