"""Movies of a figure: a camera orbit, or keyframes of camera and layer traits.

MP4 files are H.264 in yuv420p (what browsers, QuickTime and PowerPoint
play), encoded by the ffmpeg binary that the ``imageio-ffmpeg`` wheel ships
(never a system ffmpeg); GIFs are written by Pillow. ``pip install
'brainview[movie]'`` installs both, and tqdm for the progress bar.

Frames are rendered off-screen exactly like :meth:`Figure.screenshot` and
handed to the encoder, which runs on a thread of its own
(:mod:`brainview.export.encoders`: ffmpeg is started there, without forking
this process, fed and waited for), so that encoding overlaps rendering and
the caller only renders. The movie is written to a hidden temporary file
beside ``path`` and renamed at the end: an error or Ctrl-C stops the encoder
and leaves no half-written movie. The figure is left as it was (camera and
traits).

Keyframes
---------
A keyframe is a dict; its keys are

- ``"camera"``: a view name (``"left"``, ``"superior"``...), a dict of
  :meth:`Figure.view` keywords (``{"azimuth": 90, "elevation": 60}``), or a
  :class:`~brainview.geometry.camera.CameraPose`;
- ``"<layer name>.<trait>"``: a value for a trait of the layer of that name,
  e.g. ``"motor z-map.threshold": 4`` (the layer name may contain dots; the
  trait is after the last one).

Keyframes are spread evenly over the frames, the first on the first frame
and the last on the last. A key missing from a keyframe keeps its value from
the previous keyframe (the first starts from the figure as it is). Between
keyframes, the camera turns along the shortest rotation (its focal point and
distance move linearly); numbers and tuples of numbers are interpolated
linearly (integers rounded); other values (a colormap name, ``visible``)
change when their keyframe is reached.

Examples
--------
>>> import os, tempfile
>>> from brainview.scene import Figure
>>> from brainview.layers import Points
>>> fig = Figure(size=(64, 48))
>>> _ = fig.add(Points([[0, 0, 0], [30, 0, 0]], size=10, name="dots"))
>>> path = os.path.join(tempfile.mkdtemp(), "spin.gif")
>>> write_movie(fig, path, orbit=360, n_frames=8, fps=20, progress=False)
>>> write_movie(fig, path, keyframes=[{"camera": "left", "dots.opacity": 1.0},
...                                   {"camera": "superior", "dots.opacity": 0.2}],
...             n_frames=5, fps=10, progress=False)
>>> fig.close()
"""

from __future__ import annotations

import collections
import importlib
import numbers
import os
import secrets
import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import (
    BrainviewError, BrainviewTypeError, BrainviewValueError, MemoryBudgetError, check_number, describe,
)
from ..limits import check_allocation
from ..geometry.camera import CameraPose, camera_pose, view_angles
from ..scene import Figure, drawing_translucency
from .encoders import EncoderThread, GifEncoder, Mp4Encoder

#: Movies written by this process, newest last: the sphinx-gallery scraper embeds them.
MOVIES_WRITTEN = collections.deque(maxlen=64)

FORMATS = (".mp4", ".gif")
DEFAULT_FPS = {".mp4": 24.0, ".gif": 25.0}
VIEW_KEYWORDS = ("name", "azimuth", "elevation", "distance", "focalpoint")
#: MP4 frame rates the encoder takes exactly (it passes fps as a fraction of
#: denominator <= 10^6) and players play: one frame per 100 s up to 1000 fps.
MP4_FPS_RANGE = (0.01, 1000.0)
#: Largest H.264 frame: level 6.2's 139,264 macroblocks of 16x16 pixels (8192x4352),
#: at most 8192 pixels a side.
MAX_MP4_MACROBLOCKS = 139_264
MAX_MP4_SIDE = 8192
#: GIF frames are all held until the file is written (Pillow merges and
#: compares them): a palette image per frame and Pillow's copies while it writes
#: (measured: 2.3 bytes per pixel per frame).
GIF_BYTES_PER_PIXEL = 2.5


class MovieWriteError(BrainviewError, OSError):
    """The movie file could not be written (a folder in the way, no permission, the encoder failed)."""


def write_movie(fig, path, *, orbit=None, keyframes=None, n_frames=96, fps=None,
                callback=None, progress=None, translucency="blended"):
    """Render a movie of ``fig`` to an MP4 or GIF file.

    Parameters
    ----------
    fig : Figure
    path : str or Path
        ``.mp4`` (H.264) or ``.gif``.
    orbit : float, optional
        Degrees to turn the camera around its view-up axis through the focal
        point (positive: counter-clockwise seen from above). Frame ``i`` is at
        ``orbit * i / n_frames``, so ``orbit=360`` loops without a repeated frame.
    keyframes : list of dict, optional
        At least two keyframes (see the module documentation). Give ``orbit``
        or ``keyframes``, not both.
    n_frames : int
        Number of frames in the file.
    fps : float, optional
        Frames per second; default 24 for MP4, 25 for GIF. A GIF stores frame
        delays in 1/100 s, so its fps must be 100/k for an integer k >= 2
        (50, 33.3, 25, 20, 10 ...); other values are refused, naming the
        nearest valid ones.
    callback : callable, optional
        ``callback(frame, n_frames)`` after each frame is encoded, ``frame``
        counting from 1 to ``n_frames``. An exception it raises (a
        ``KeyboardInterrupt`` too) stops the movie and no file is written.
    progress : bool, optional
        Show a tqdm progress bar on stderr; default: when stderr is a terminal.
    translucency : {"blended", "peeled"}
        How translucent surfaces are drawn. ``"blended"`` (default): one pass of
        order-independent blending, about four times faster than depth
        peeling in software OpenGL; on the showcase the frames differ from
        :meth:`~brainview.scene.Figure.savefig` by 0.26 grey levels on average
        (0.04 % of pixels by more than 10, where translucent sheets overlap).
        ``"peeled"``: depth peeling, the very frames ``savefig`` draws.

    Notes
    -----
    A GIF merges a frame identical to the one before into a longer one
    (Pillow does): a GIF of a still scene has fewer frames, same duration.

    Examples
    --------
    >>> import os, tempfile
    >>> from brainview.scene import Figure
    >>> from brainview.layers import Points
    >>> fig = Figure(size=(33, 25))  # odd sizes are padded to even for H.264
    >>> _ = fig.add(Points([[0, 0, 0], [30, 0, 0]], size=10))
    >>> path = os.path.join(tempfile.mkdtemp(), "spin.mp4")
    >>> write_movie(fig, path, orbit=90, n_frames=4, progress=False)
    >>> os.path.exists(path)
    True
    >>> fig.close()
    """
    if not isinstance(fig, Figure):
        raise BrainviewTypeError(f"fig: expected a brainview Figure, got {describe(fig)}.")
    fig._check_open()
    path = _check_path(path)
    n_frames = _check_n_frames(n_frames, keyframes is not None)
    fps = _check_fps(fps, path.suffix.lower())
    if callback is not None and not callable(callback):
        raise BrainviewTypeError(
            f"callback: expected a function (frame, n_frames), got {describe(callback)}.")
    if progress is not None and not isinstance(progress, bool):
        raise BrainviewTypeError(f"progress: expected True, False or None, got {describe(progress)}.")
    if (orbit is None) == (keyframes is None):
        raise BrainviewValueError(
            "orbit, keyframes: give one of them: orbit=360 turns the camera around the scene, "
            "keyframes=[{...}, {...}] moves between camera poses and layer settings."
        )
    _check_frames(fig.size, path.suffix.lower(), n_frames)
    exe = prepare_encoder(path)
    from tqdm import tqdm

    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part{path.suffix}")
    try:
        with _restored(fig, _trait_targets(fig, keyframes or [])), drawing_translucency(fig, translucency):
            first = fig.screenshot()  # frames the camera for the figure's size, as savefig does
            if orbit is not None:
                frames = _orbit_frames(fig, check_number(orbit, "orbit"), n_frames)
            else:
                frames = _keyframe_frames(fig, _check_keyframes(fig, keyframes), n_frames)
            height, width = first.shape[:2]
            encoder = _start_encoder(fig, exe, temporary, (width, height), fps)
            try:
                with tqdm(total=n_frames, unit="frame", desc=path.name,
                          disable=None if progress is None else not progress) as bar:
                    for index, apply_frame in enumerate(frames):
                        apply_frame()
                        encoder.write(fig.screenshot())
                        bar.update()
                        if callback is not None:
                            callback(index + 1, n_frames)
                encoder.close()
            except BaseException:
                encoder.abort()  # the encoder stops before its file is removed
                raise
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError) and not isinstance(error, BrainviewError):
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise MovieWriteError(
                f"path: could not write the movie '{path}' ({type(error).__name__}: {reason}). "
                "Check that its folder is writable and has space."
            ) from error
        raise
    MOVIES_WRITTEN.append(path.resolve())


# ------------------------------------------------------------------ checks


def _check_path(path):
    try:
        path = Path(path)
    except TypeError:
        raise BrainviewTypeError(f"path: expected a file name, got {describe(path)}.") from None
    _check_path_suffix(path)
    if not path.parent.is_dir():
        raise BrainviewValueError(f"path: the folder '{path.parent}' does not exist; create it first.")
    if path.is_dir():
        raise BrainviewValueError(
            f"path: '{path}' is a folder; name a movie file inside it, e.g. '{path / ('movie' + path.suffix.lower())}'."
        )
    if not os.access(path.parent, os.W_OK):
        raise MovieWriteError(f"path: cannot write in the folder '{path.parent}' (permission denied).")
    return path


def _check_frames(size, suffix, n_frames):
    """Refuse frame sizes the encoder cannot take and frames that do not fit the memory budget."""
    width, height = (int(side) + int(side) % 2 for side in size)  # MP4 frames are padded to even
    if suffix == ".mp4":
        macroblocks = -(-width // 16) * -(-height // 16)
        if max(width, height) > MAX_MP4_SIDE or macroblocks > MAX_MP4_MACROBLOCKS:
            raise BrainviewValueError(
                f"fig: a {size[0]}x{size[1]} figure is too large for an MP4 (H.264 frames are at "
                f"most {MAX_MP4_SIDE} pixels a side and {MAX_MP4_MACROBLOCKS * 256 / 1e6:.1f} "
                "megapixels, e.g. 8192x4352); make the figure smaller (fig.size = (1920, 1080))."
            )
        check_allocation(4 * 3 * width * height, f"a {size[0]}x{size[1]} MP4 frame")
    else:
        try:
            check_allocation(int(GIF_BYTES_PER_PIXEL * n_frames * width * height),
                             f"n_frames: a GIF of {n_frames} frames of {size[0]}x{size[1]}")
        except MemoryBudgetError as error:
            raise MemoryBudgetError(
                f"{error} A GIF holds every frame until the file is written: use fewer frames or "
                "a smaller figure, or write an .mp4, which streams its frames."
            ) from None


def _check_n_frames(n_frames, keyframed):
    minimum = 2 if keyframed else 1
    if isinstance(n_frames, bool) or not isinstance(n_frames, numbers.Integral) or n_frames < minimum:
        raise BrainviewValueError(
            f"n_frames: expected an integer >= {minimum}"
            f"{' (first and last keyframe)' if keyframed else ''}, got {n_frames!r}."
        )
    return int(n_frames)


def _check_fps(fps, suffix):
    if fps is None:
        return DEFAULT_FPS[suffix]
    fps = check_number(fps, "fps", minimum=0, strict=True)
    low, high = MP4_FPS_RANGE
    if suffix == ".mp4" and not low <= fps <= high:
        raise BrainviewValueError(
            f"fps: an MP4 plays {low:g} to {high:g} frames per second, got {fps:g}; "
            "choose a rate in that range (24, 30 and 60 are usual)."
        )
    if suffix == ".gif":
        delay = 100.0 / fps  # GIF frame delays are whole 1/100 s
        if abs(delay - round(delay)) > 1e-6 or round(delay) < 2:
            low, high = max(2, int(np.floor(delay))), max(2, int(np.ceil(delay)))
            nearest = " or ".join(f"{100 / k:.4g}" for k in sorted({low, high}))
            raise BrainviewValueError(
                f"fps: a GIF stores frame delays in 1/100 s (and browsers slow down delays "
                f"under 0.02 s), so {fps:g} fps cannot be played exactly; use {nearest} "
                f"(100/k for a whole k >= 2), or write an .mp4."
            )
    return fps


def _check_keyframes(fig, keyframes):
    if isinstance(keyframes, dict) or not isinstance(keyframes, (list, tuple)) or len(keyframes) < 2:
        raise BrainviewValueError(
            f"keyframes: expected a list of at least two dicts, got {describe(keyframes)}."
        )
    for index, keyframe in enumerate(keyframes):
        if not isinstance(keyframe, dict):
            raise BrainviewTypeError(f"keyframes[{index}]: expected a dict, got {describe(keyframe)}.")
        if "camera" in keyframe:
            _keyframe_pose(fig, keyframe["camera"], f"keyframes[{index}]['camera']")
    return keyframes


def _trait_targets(fig, keyframes):
    """``{key: (layer, trait)}`` for every ``"<layer>.<trait>"`` key of the keyframes."""
    targets = {}
    for keyframe in keyframes if isinstance(keyframes, (list, tuple)) else []:
        for key in keyframe if isinstance(keyframe, dict) else []:
            if key != "camera" and key not in targets:
                targets[key] = _find_trait(fig, key)
    return targets


def _find_trait(fig, key):
    names = [layer.name for layer in fig.layers]
    if not isinstance(key, str) or "." not in key:
        raise BrainviewValueError(
            f"keyframes: unknown key {key!r}; use 'camera' or '<layer name>.<trait>' with a "
            f"layer of this figure: {', '.join(map(repr, names)) or 'none'}."
        )
    layer_name, trait = key.rsplit(".", 1)
    matches = [layer for layer in fig.layers if layer.name == layer_name]
    if len(matches) != 1:
        problem = "no layer" if not matches else f"{len(matches)} layers"
        raise BrainviewValueError(
            f"keyframes: {problem} named {layer_name!r} in the figure (key {key!r}); "
            f"layer names must be unique here: {', '.join(map(repr, names)) or 'none'}."
        )
    layer = matches[0]
    settable = sorted(name for name in layer.editable_traits()
                      if not name.startswith("_") and name != "name"
                      and not layer.trait(name).transient)
    if trait not in settable:
        raise BrainviewValueError(
            f"keyframes: layer {layer_name!r} has no trait {trait!r} (key {key!r}); "
            f"its traits: {', '.join(settable)}."
        )
    return layer, trait


# ------------------------------------------------------------------ frames


def _camera_state(fig):
    camera = fig.renderer.GetActiveCamera()
    return CameraPose(np.array(camera.GetPosition()), np.array(camera.GetFocalPoint()),
                      np.array(camera.GetViewUp()))


def _set_camera(fig, pose):
    camera = fig.renderer.GetActiveCamera()
    camera.SetFocalPoint(*pose.focal_point)
    camera.SetPosition(*pose.position)
    camera.SetViewUp(*pose.view_up)


def _orbit_frames(fig, degrees, n_frames):
    from scipy.spatial.transform import Rotation

    start = _camera_state(fig)
    axis = start.view_up / np.linalg.norm(start.view_up)
    offset = start.position - start.focal_point
    for index in range(n_frames):
        turn = Rotation.from_rotvec(axis * np.radians(degrees * index / n_frames))
        pose = CameraPose(start.focal_point + turn.apply(offset), start.focal_point, start.view_up)
        yield lambda pose=pose: _set_camera(fig, pose)


def _keyframe_pose(fig, camera, name):
    if isinstance(camera, CameraPose):
        return camera
    if isinstance(camera, str):
        view_angles(camera)  # an unknown name: the error lists the view names
        options = {"name": camera}
    elif isinstance(camera, dict):
        unknown = sorted(set(camera) - set(VIEW_KEYWORDS), key=str)
        if unknown:
            raise BrainviewValueError(
                f"{name}: unknown view keyword(s) {unknown}; use {', '.join(VIEW_KEYWORDS)}."
            )
        options = dict(camera)
    else:
        raise BrainviewTypeError(
            f"{name}: expected a view name, a dict of view keywords or a CameraPose, "
            f"got {describe(camera)}."
        )
    bounds = fig.bounds()
    if bounds is None:
        raise BrainviewValueError(f"{name}: the figure has no visible layer to point the camera at.")
    width, height = fig.size
    view_angle = fig.renderer.GetActiveCamera().GetViewAngle()
    return camera_pose(**options, bounds=bounds, view_angle=view_angle, aspect=width / height)


def _keyframe_frames(fig, keyframes, n_frames):
    """Each frame as a function that sets the camera and traits of that moment."""
    from scipy.spatial.transform import Rotation, Slerp

    targets = _trait_targets(fig, keyframes)
    state = {"camera": _camera_state(fig), **{key: getattr(*targets[key]) for key in targets}}
    states = []
    for index, keyframe in enumerate(keyframes):
        state = dict(state)
        for key, value in keyframe.items():
            state[key] = (_keyframe_pose(fig, value, f"keyframes[{index}]['camera']")
                          if key == "camera" else value)
        states.append(state)
    poses = [s["camera"] for s in states]
    turns = Slerp(np.arange(len(poses)), Rotation.from_matrix([_orientation(p) for p in poses]))
    applied = {}
    for frame in range(n_frames):
        position = frame * (len(states) - 1) / (n_frames - 1)
        segment = min(int(position), len(states) - 2)
        fraction = position - segment

        def apply_frame(segment=segment, fraction=fraction, position=position):
            before, after = states[segment], states[segment + 1]
            _set_camera(fig, _between(poses[segment], poses[segment + 1], fraction,
                                      turns(position).as_matrix()))
            for key, (layer, trait) in targets.items():
                value = _interpolate(before[key], after[key], fraction)
                if key not in applied or not _same(applied[key], value):
                    setattr(layer, trait, value)
                    applied[key] = value

        yield apply_frame


def _orientation(pose):
    """Rotation matrix whose columns are the camera's right, up and backward axes."""
    back = pose.direction
    right = np.cross(pose.view_up, back)
    right /= np.linalg.norm(right)
    return np.column_stack([right, np.cross(back, right), back])


def _between(start, end, fraction, orientation):
    focal = (1 - fraction) * start.focal_point + fraction * end.focal_point
    distance = ((1 - fraction) * np.linalg.norm(start.position - start.focal_point)
                + fraction * np.linalg.norm(end.position - end.focal_point))
    return CameraPose(focal + distance * orientation[:, 2], focal, orientation[:, 1])


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _interpolate(start, end, fraction):
    if fraction == 0 or fraction == 1:
        return start if fraction == 0 else end
    if _is_number(start) and _is_number(end):
        value = (1 - fraction) * start + fraction * end
        both_int = isinstance(start, numbers.Integral) and isinstance(end, numbers.Integral)
        return round(value) if both_int else float(value)
    if (isinstance(start, (tuple, list)) and isinstance(end, (tuple, list))
            and len(start) == len(end) and all(map(_is_number, [*start, *end]))):
        return tuple(_interpolate(a, b, fraction) for a, b in zip(start, end))
    return start


def _same(a, b):
    try:
        return bool(np.array_equal(a, b)) if not isinstance(a, str) else a == b
    except (TypeError, ValueError):
        return False


@contextmanager
def _restored(fig, targets):
    """Leave the figure's camera and the movie's traits as they were."""
    camera = fig.renderer.GetActiveCamera()
    saved_camera = (camera.GetPosition(), camera.GetFocalPoint(), camera.GetViewUp())
    saved_set = fig._camera_set
    saved_traits = {key: getattr(layer, trait) for key, (layer, trait) in targets.items()}
    try:
        yield
    finally:
        for key, (layer, trait) in targets.items():
            if not _same(getattr(layer, trait), saved_traits[key]):
                setattr(layer, trait, saved_traits[key])
        camera.SetPosition(*saved_camera[0])
        camera.SetFocalPoint(*saved_camera[1])
        camera.SetViewUp(*saved_camera[2])
        fig._camera_set = saved_set


# ------------------------------------------------------------------ encoders


def prepare_encoder(path):
    """Import what writing ``path`` needs and find the encoder; return the ffmpeg binary (None for a GIF).

    :func:`write_movie` calls it; the app calls it first on a worker thread,
    so that the GUI thread imports nothing and probes no binary when the
    movie starts (imageio-ffmpeg runs ``ffmpeg -version`` the first time,
    then remembers the binary).

    Parameters
    ----------
    path : str or Path
        The movie file (``.mp4`` or ``.gif``).

    Returns
    -------
    str or None

    Raises
    ------
    ImportError
        A package the format needs is missing (``pip install 'brainview[movie]'``).

    Examples
    --------
    >>> prepare_encoder("spin.gif") is None
    True
    """
    suffix = _check_path_suffix(path)
    modules = _require_encoder(suffix)
    importlib.import_module("scipy.spatial.transform")  # the frames' camera turns

    modules["tqdm"].tqdm.get_lock()  # made once per process (a multiprocessing lock)
    return _bundled_ffmpeg(modules["imageio_ffmpeg"]) if suffix == ".mp4" else None


def _check_path_suffix(path):
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise BrainviewValueError(
            f"path: cannot write {suffix!r} movies; use a .mp4 or .gif file name (got '{path}')."
        )
    return suffix


def _require_encoder(suffix):
    needed = ("imageio_ffmpeg", "tqdm") if suffix == ".mp4" else ("PIL", "tqdm")
    modules = {}
    for module in needed:
        try:
            modules[module] = __import__(module)
        except ImportError:
            raise ImportError(
                f"brainview movies need the package {module!r}: pip install 'brainview[movie]'."
            ) from None
    return modules


def _bundled_ffmpeg(imageio_ffmpeg):
    """The ffmpeg binary shipped in the imageio-ffmpeg wheel (or IMAGEIO_FFMPEG_EXE if set)."""
    try:
        exe = imageio_ffmpeg.get_ffmpeg_exe()  # probed once per process (imageio-ffmpeg caches it)
    except RuntimeError:
        exe = None
    package = Path(imageio_ffmpeg.__file__).resolve().parent
    explicit = bool(os.environ.get("IMAGEIO_FFMPEG_EXE"))
    if exe is None or not (explicit or package in Path(exe).resolve().parents):
        raise ImportError(
            "brainview movies use the ffmpeg binary of the imageio-ffmpeg wheel, and this "
            "installation of imageio-ffmpeg has none: reinstall it from a wheel "
            "(pip install --force-reinstall imageio-ffmpeg)."
        )
    return exe


def _start_encoder(fig, exe, path, size, fps):
    """The movie's encoder, fed on a thread of its own (:mod:`brainview.export.encoders`).

    The app's GUI thread waits for it (a full queue, the end) as it waits for
    the figure's render thread: answering its events (``wait_here``).
    """
    if exe is None:
        encoder = GifEncoder(path, size, fps)
    else:
        encoder = Mp4Encoder(exe, path, size, fps, background=fig._bgcolor)
    runner = fig._windows.runner
    wait_here = getattr(runner, "wait_here", None)
    if threading.current_thread() is not threading.main_thread():
        wait_here = None  # only the GUI thread answers events
    return EncoderThread(encoder, wait=wait_here)
