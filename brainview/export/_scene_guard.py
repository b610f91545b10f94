"""What a scene file may do, checked before it is done: the hostile-file guards of scene files.

A scene file can come from anyone. These guards make reading one safe:

- the JSON is a regular file, at most :data:`MAX_JSON_BYTES` (checked before
  it is read), at most :data:`MAX_DEPTH` levels deep;
- a ``$file`` reference stays inside the scene's folder once links are
  followed (:class:`FolderReferences`; ``allow_outside=True`` lifts this for
  a scene the user trusts), never names a special file (device, FIFO,
  socket, anything under ``/proc``, ``/sys`` or ``/dev``), and an error never
  tells the hash or size of a file;
- a ``.bvz`` archive is read member by member, only the members the scene
  references, each under the memory budget (:class:`ArchiveReferences`);
- the figure's size, camera and annotation texts are bounded
  (:func:`check_figure_size`, :func:`check_camera`, :func:`check_annotations`).

Examples
--------
>>> check_depth({"a": [[1], [2]]}, "scene")
>>> check_figure_size([800, 600], "scene")
(800, 600)
"""

from __future__ import annotations

import json
import math
import os
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from ..errors import SceneFileError, describe
from ..limits import check_allocation, check_image_size

#: A scene JSON larger than this is not a scene file (arrays go to sidecars, never inline).
MAX_JSON_BYTES = 16 * 1024 * 1024
#: Deepest nesting of JSON values a scene may have (brainview writes fewer than 12 levels).
MAX_DEPTH = 64
#: Farthest a camera may be from the origin, in mm (a brain is ~200 mm across).
MAX_CAMERA_MM = 1e6
#: Longest title or text a scene may hold, in characters.
MAX_TEXT = 1000
#: Widest or tallest a drawn text may be, in pixels (VTK draws it into one texture).
MAX_TEXT_PIXELS = 32768
#: Folders whose files are never data, whatever a scene says.
SPECIAL_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"))
#: Hint given with every refusal of an outside reference.
OUTSIDE_HINT = ("If you trust this scene (you saved it with its data there), load it with "
                "load_scene(path, allow_outside=True), or run `brainview --allow-outside` "
                "(`brainview batch --allow-outside` for a batch template)")


# ------------------------------------------------------------------ the JSON


def read_json(path, shown_as):
    """The scene dict of a ``.bvscene`` file: a regular file, capped before reading, JSON only."""
    try:
        with open(path, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise SceneFileError(f"'{shown_as}': not a regular file (a folder, device or pipe).")
            raw = stream.read(MAX_JSON_BYTES + 1)
    except OSError as error:
        raise SceneFileError(f"'{shown_as}': cannot read the scene file ({error.strerror}).") from None
    return parse_json(raw, shown_as)


def check_scene_path(path):
    """Refuse a missing scene path or a special file before opening it (a FIFO blocks ``open``)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        raise SceneFileError(f"'{path}': no such scene file.") from None
    if not stat.S_ISREG(mode):
        raise SceneFileError(f"'{path}': not a regular file (a folder, device or pipe); not a scene file.")


def parse_json(raw, shown_as):
    """Parse scene JSON bytes (no NaN/Infinity, bounded size and depth), or a :class:`SceneFileError`."""
    if len(raw) > MAX_JSON_BYTES:
        raise SceneFileError(f"'{shown_as}': more than {MAX_JSON_BYTES} bytes is too large for a scene file.")
    try:
        scene = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SceneFileError(f"'{shown_as}': not a brainview scene file (not JSON: {error}).") from None
    except RecursionError:
        raise SceneFileError(f"'{shown_as}': not a brainview scene file (JSON nested too deeply).") from None
    except ValueError as error:
        raise SceneFileError(f"'{shown_as}': {error}") from None
    check_depth(scene, f"'{shown_as}'")
    return scene


def _refuse_constant(name):
    raise ValueError(f"{name} is not allowed in a scene file (JSON without NaN/Infinity).")


def check_depth(value, where):
    """Refuse JSON nested deeper than :data:`MAX_DEPTH` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SceneFileError(f"{where}: values nested more than {MAX_DEPTH} levels deep; not a scene file.")
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def file_records(scene):
    """Every ``$file`` record of a scene dict, in no particular order."""
    found, stack = [], [scene]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if len(item) == 1 and isinstance(item.get("$file"), dict):
                found.append(item["$file"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


# ------------------------------------------------------------------ references in a folder


def _record_path(record, where):
    if not isinstance(record, dict) or not isinstance(record.get("path"), str) or not record["path"]:
        raise SceneFileError(f"{where}: a data reference needs a 'path', got {describe(record)}.")
    if "\0" in record["path"]:
        raise SceneFileError(f"{where}: the data reference {describe(record['path'])} is not a file name.")
    return record["path"]


def _digest_matches(target, record):
    from ._encoding import file_digest

    if os.stat(target).st_size != record.get("size"):
        return False
    return file_digest(target)[0] == record.get("sha256")


class FolderReferences:
    """``resolve(record, where)`` for a ``.bvscene``: the checked path of a ``$file`` record.

    Parameters
    ----------
    folder : pathlib.Path
        The scene file's folder.
    allow_outside : bool
        Whether references may leave ``folder`` (after links are followed).

    Attributes
    ----------
    outside : list of pathlib.Path
        The files outside ``folder`` read so far (only with ``allow_outside``).
    """

    def __init__(self, folder, *, allow_outside):
        self.folder = Path(folder).resolve()
        self.allow_outside = bool(allow_outside)
        self.outside = []

    def target(self, record, where):
        """The resolved path of a record, checked for containment (not read)."""
        reference = _record_path(record, where)
        target = (self.folder / reference).resolve()
        if any(target == folder or folder in target.parents for folder in SPECIAL_FOLDERS):
            raise SceneFileError(f"{where}: the data reference {describe(reference)} names a system "
                                 "file; brainview reads data from regular files only.")
        inside = self.folder in target.parents
        if not inside and not self.allow_outside:
            place = "an absolute path" if os.path.isabs(reference) else "outside the scene's folder"
            raise SceneFileError(
                f"{where}: the data reference {describe(reference)} is {place} ('{self.folder}'); "
                f"scene files read only the files beside them. {OUTSIDE_HINT}."
            )
        return target, inside

    def __call__(self, record, where):
        target, inside = self.target(record, where)
        reference = record["path"]
        try:
            mode = os.stat(target).st_mode
        except OSError:
            raise SceneFileError(f"{where}: data file {describe(reference)} is missing "
                                 "(moved the scene without its data?).") from None
        if not stat.S_ISREG(mode):
            raise SceneFileError(f"{where}: the data reference {describe(reference)} is not a regular "
                                 "file (a folder, device or pipe); brainview reads data from files only.")
        if not _digest_matches(target, record):
            raise SceneFileError(
                f"{where}: data file {describe(reference)} has changed since the scene was saved "
                "(its content is not the one the scene records); restore it or save the scene again."
            )
        if not inside:
            self.outside.append(target)
        return target


# ------------------------------------------------------------------ references in a .bvz


def _member_name(reference, where):
    path = PurePosixPath(reference)
    if (path.is_absolute() or "\\" in reference or not path.parts or ".." in path.parts
            or path.name in ("", ".", "..")):
        raise SceneFileError(f"{where}: the data reference {describe(reference)} is not a member of the "
                             "archive; a .bvz file is self-contained (no path may leave it).")
    return path.as_posix()


def _checked_info(archive, name, where):
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise SceneFileError(f"{where}: the archive has no member {describe(name)}.") from None
    if info.is_dir() or stat.S_ISLNK(info.external_attr >> 16) or info.flag_bits & 0x1:
        raise SceneFileError(f"{where}: archive member {describe(name)} is a folder, a symbolic link or "
                             "encrypted; a .bvz holds plain files only.")
    return info


def read_member(archive, name, where, *, limit):
    """The bytes of one archive member: its declared size checked first, the bytes read capped, CRC checked."""
    info = _checked_info(archive, name, where)
    if info.file_size > limit:
        raise SceneFileError(f"{where}: archive member {describe(name)} declares {info.file_size} bytes, "
                             f"more than the {limit} allowed.")
    try:
        with archive.open(info) as stream:
            data = stream.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError) as error:
        raise SceneFileError(f"{where}: archive member {describe(name)} is corrupt "
                             f"({type(error).__name__}: {error}).") from None
    if len(data) != info.file_size:
        raise SceneFileError(f"{where}: archive member {describe(name)} holds other than the "
                             f"{info.file_size} bytes it declares; the archive is corrupt.")
    return data


class ArchiveReferences:
    """``resolve(record, where)`` for a ``.bvz``: a referenced member, copied alone into ``folder``.

    Only the members the scene references are read, straight from the zip,
    each checked against the memory budget (declared size, then the bytes
    actually read), as is their total; a member's CRC is checked by reading
    it to its end.
    """

    def __init__(self, archive, folder):
        self.archive, self.folder = archive, Path(folder)
        self.copied, self.total = {}, 0

    def __call__(self, record, where):
        name = _member_name(_record_path(record, where), where)
        if name not in self.copied:
            info = _checked_info(self.archive, name, where)
            check_allocation(self.total + info.file_size, f"{where}: archive member {describe(name)}")
            data = read_member(self.archive, name, where, limit=info.file_size)
            self.total += len(data)
            target = self.folder / str(len(self.copied)) / PurePosixPath(name).name
            target.parent.mkdir()
            target.write_bytes(data)
            self.copied[name] = target
        target = self.copied[name]
        if not _digest_matches(target, record):
            raise SceneFileError(f"{where}: archive member {describe(name)} is not the data the scene "
                                 "records (its content differs); the archive is corrupt.")
        return target


# ------------------------------------------------------------------ figure settings


def check_figure_size(size, where):
    """A scene's figure size as ints (see :func:`brainview.limits.check_image_size`)."""
    from ..errors import BrainviewValueError

    try:
        return check_image_size(size, "figure size")
    except BrainviewValueError as error:
        raise SceneFileError(f"{where}: {error}") from None


def check_camera(camera, where):
    """Refuse a camera pose whose numbers are not finite or farther than :data:`MAX_CAMERA_MM`."""
    for key, value in camera.items():
        numbers = value if isinstance(value, (list, tuple)) else [value]
        for number in numbers:
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                continue  # a wrong type is named by the camera's own check
            if not math.isfinite(number) or abs(number) > MAX_CAMERA_MM:
                raise SceneFileError(f"{where}: camera {key!r} holds {number!r}; camera values must be "
                                     f"finite and within {MAX_CAMERA_MM:g} mm (degrees for view_angle).")


def check_annotations(specs, where):
    """Refuse annotations that are not objects, or whose text would need a huge texture to draw.

    A text is drawn into one texture of about ``0.6 x size`` pixels a
    character by ``1.2 x size`` a line: at most :data:`MAX_TEXT` characters,
    at most :data:`MAX_TEXT_PIXELS` pixels wide or tall, within the budget.
    """
    if not isinstance(specs, list):
        raise SceneFileError(f"{where}: 'annotations' must be a list, got {describe(specs)}.")
    for index, spec in enumerate(specs):
        if not isinstance(spec, dict):
            raise SceneFileError(f"{where}: annotation {index} must be an object, got {describe(spec)}.")
        text, size = spec.get("text"), spec.get("size", 24)
        if not isinstance(text, str) or isinstance(size, bool) or not isinstance(size, (int, float)):
            continue  # wrong types are named by the figure's own checks
        lines = text.split("\n")
        width = 0.6 * abs(size) * max(len(line) for line in lines)
        height = 1.2 * abs(size) * len(lines)
        if len(text) > MAX_TEXT or max(width, height) > MAX_TEXT_PIXELS:
            raise SceneFileError(
                f"{where}: annotation {index} ({len(text)} characters at size {size:g}) would be drawn "
                f"{width:.0f}x{height:.0f} pixels; at most {MAX_TEXT} characters and {MAX_TEXT_PIXELS} "
                "pixels a side are drawn. Shorten the text or make it smaller."
            )
        check_allocation(4 * width * height, f"{where}: annotation {index}'s text")
    return specs
