"""Figures that carry their recipe: the scene embedded in the PNG or TIFF brainview writes.

Every PNG and TIFF :meth:`~brainview.scene.Figure.savefig` writes holds its
scene (``embed_scene=False`` turns it off): the JSON of a scene file, with
the user's data files referenced by path (relative to the image) and
SHA-256, datasets by their loader call, and in-memory arrays packed in a
zip of ``.npy``/``.nii.gz`` files inside the image (up to
:data:`MAX_EMBEDDED_DATA` bytes of data in memory; more is left out with a
warning, and loading names the data that is missing). A PNG keeps them in two
compressed ``iTXt`` chunks (``brainview:scene``, ``brainview:data``), which
image viewers ignore; a TIFF in its ``ImageDescription`` tag.

A TIFF, an SVG and a PDF keep the same ``{key: text}`` as one JSON object, in the
TIFF's ``ImageDescription``, the SVG's ``dc:description`` metadata and the PDF's
``/BrainviewScene`` document-information entry; EPS and JPEG files carry none.

``bv.load_scene("fig1.png")`` and ``brainview fig1.png`` reopen the figure,
editable, with the guards of scene files: files stay inside the image's
folder unless ``allow_outside=True``, hashes are checked, the embedded zip
is read member by member under the memory budget.

Examples
--------
>>> import tempfile, os, brainview as bv
>>> fig = bv.figure(size=(64, 48)); _ = bv.points([[0, 0, 0], [20, 0, 0]], size=8, color="red")
>>> path = os.path.join(tempfile.mkdtemp(), "fig.png")
>>> fig.savefig(path)
>>> again = bv.load_scene(path)
>>> [layer.kind for layer in again.layers], again.size
(['points'], (64, 48))
>>> bv.close("all"); again.close()
"""

from __future__ import annotations

import base64
import io
import json
import struct
import tempfile
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ..errors import BrainviewError, BrainviewWarning, SceneFileError
from . import _scene_guard as _guard
from ._encoding import file_digest

__all__ = ["EMBEDDING_FORMATS", "MAX_EMBEDDED_DATA", "embedded_scene_text", "has_embedded_scene",
           "embedded_scene", "payload_text", "png_dpi", "scene_payload"]

#: Image formats that carry their scene.
EMBEDDING_FORMATS = (".png", ".tif", ".tiff", ".svg", ".pdf")
#: The PDF document-information key holding the scene.
PDF_KEY = "BrainviewScene"
#: Most in-memory data (arrays, images: their bytes in memory) an image carries: coordinates,
#: matrices and small volumes; a picture of 1 mm data stays a picture (files are referenced instead).
MAX_EMBEDDED_DATA = 4 * 1024 * 1024
SCENE_KEY, DATA_KEY = "brainview:scene", "brainview:data"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------ writing


def scene_payload(figure, image_path):
    """``{key: text}`` to embed in the image at ``image_path``: the scene JSON and, if any, its data.

    None, with a :class:`~brainview.errors.BrainviewWarning` saying why, when a
    layer holds what a scene file cannot (the picture is saved all the same).

    In-memory data beyond :data:`MAX_EMBEDDED_DATA` bytes in all is left out
    with one :class:`~brainview.errors.BrainviewWarning` naming it (the scene
    still records it, and loading says it is missing).
    """
    from .scene_writer import data_file_writer, scene_dict

    image_path = Path(image_path).resolve()
    left_out, total = [], 0
    with tempfile.TemporaryDirectory() as folder:
        sidecars = data_file_writer(Path(folder) / f"{image_path.stem}.bvscene", copy_inputs=False)

        def sidecar(kind, obj, name):
            nonlocal total
            if kind == "input":
                source = Path(obj).resolve()
                sha, size = file_digest(source)
                return {"$file": {"path": _relative_or_absolute(source, image_path.parent), "sha256": sha,
                                  "size": size, "role": "input"}}
            nbytes = _nbytes(obj)
            if total + nbytes > MAX_EMBEDDED_DATA:
                left_out.append(f"{name} ({nbytes / 2**20:.1f} MB)")
                return {"$file": {"path": f"{name} (left out)", "sha256": "0" * 64, "size": 0, "role": kind,
                                  "left_out": True}}
            total += nbytes
            return sidecars(kind, obj, name)

        try:
            scene = scene_dict(figure, sidecar=sidecar)
        except BrainviewError as error:  # a layer made of what a scene cannot hold: the picture still saves
            warnings.warn(f"savefig: '{image_path.name}' is saved without its scene: {error} "
                          "(embed_scene=False skips this).", BrainviewWarning, stacklevel=4)
            return None
        payload = {SCENE_KEY: json.dumps(scene, allow_nan=False, separators=(",", ":"))}
        data = _zip_folder(Path(folder) / f"{image_path.stem}_data", Path(folder))
    if data is not None:
        payload[DATA_KEY] = base64.b64encode(data).decode("ascii")
    if left_out:
        warnings.warn(
            f"savefig: '{image_path.name}' carries its scene without the in-memory data {', '.join(left_out)}: "
            f"an image carries up to {MAX_EMBEDDED_DATA // 2**20} MB. Save the data to files, or a scene file "
            "(bv.save_scene), to reopen the figure; embed_scene=False leaves the scene out.",
            BrainviewWarning, stacklevel=4)
    return payload


def _nbytes(obj):
    data = getattr(obj, "dataobj", obj)
    return int(getattr(data, "nbytes", 0) or np.asarray(data).nbytes)


def _relative_or_absolute(target, folder):
    try:
        return target.relative_to(folder).as_posix()
    except ValueError:
        import os

        return Path(os.path.relpath(target, folder)).as_posix()


def _zip_folder(data_dir, root):
    if not data_dir.is_dir():
        return None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # .npy.gz/.nii.gz: compressed below
        for file in sorted(data_dir.iterdir()):
            archive.write(file, file.relative_to(root).as_posix())
    return zlib.compress(buffer.getvalue(), 1)  # fast: savefig must stay a picture's cost


# ------------------------------------------------------------------ reading


def _png_chunks(png):
    """``(type, body)`` of each chunk, bounded: a corrupt file is a SceneFileError."""
    if not png.startswith(_PNG_SIGNATURE):
        raise SceneFileError("not a PNG file")
    position = len(_PNG_SIGNATURE)
    while position + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        end = position + 8 + length
        if end + 4 > len(png):
            raise SceneFileError(f"a PNG chunk {kind!r} runs past the end of the file (truncated or corrupt)")
        yield kind, png[position + 8:end]
        if kind == b"IEND":
            return
        position = end + 4


def png_dpi(png):
    """The dpi a PNG's ``pHYs`` chunk records, or None.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.render.writers import encode_png
    >>> png_dpi(encode_png(np.zeros((2, 2, 3), np.uint8), dpi=300))
    300.0
    """
    for kind, body in _png_chunks(png):
        if kind == b"pHYs" and len(body) == 9 and body[8] == 1:
            return round(struct.unpack(">I", body[:4])[0] * 0.0254, 1)
    return None


def embedded_scene_text(png, keyword):
    """The text of the ``iTXt`` chunk ``keyword`` in PNG bytes, or None (bounded decompression)."""
    for kind, body in _png_chunks(png):
        if kind != b"iTXt" or not body.startswith(keyword.encode("latin-1") + b"\0"):
            continue
        rest = body[len(keyword) + 1:]
        compressed, rest = rest[0], rest[2:]
        _language, _, rest = rest.partition(b"\0")
        _translated, _, text = rest.partition(b"\0")
        if compressed:
            text = _inflate(text, _guard.MAX_JSON_BYTES + MAX_EMBEDDED_DATA * 2)
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError as error:  # e.g. a compressed text whose flag says plain
            raise SceneFileError(f"the embedded scene is corrupt (not UTF-8 text: {error.reason})") from None
    return None


def _inflate(data, limit):
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit)
    except zlib.error as error:
        raise SceneFileError(f"the embedded scene is corrupt ({error})") from None
    if inflater.unconsumed_tail:
        raise SceneFileError(f"the embedded scene is larger than {limit} bytes; not a brainview figure")
    return out


def _read_payload(path):
    """``{key: text}`` embedded in a PNG or TIFF file (empty when none)."""
    suffix = path.suffix.lower()
    size = path.stat().st_size
    limit = _guard.MAX_JSON_BYTES + 3 * MAX_EMBEDDED_DATA
    if suffix == ".png":
        raw = path.read_bytes() if size <= limit + 512 * 2**20 else b""
        texts = {key: embedded_scene_text(raw, key) for key in (SCENE_KEY, DATA_KEY)}
        return {key: text for key, text in texts.items() if text is not None}
    if suffix in (".svg", ".pdf"):
        if size > limit:
            raise SceneFileError(f"'{path}': {size} bytes, larger than a brainview figure with its scene.")
        text = _svg_description(path) if suffix == ".svg" else _pdf_info_string(path.read_bytes(), PDF_KEY)
        if text is None or not text.startswith('{"' + SCENE_KEY):
            return {}
        return _guard.parse_json(text.encode("utf-8"), path)
    from PIL import Image  # a dependency of matplotlib

    try:
        with Image.open(path) as image:
            description = image.tag_v2.get(270) if hasattr(image, "tag_v2") else None
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise SceneFileError(f"'{path}': not a readable TIFF file ({error}).") from None
    if not isinstance(description, str) or not description.startswith('{"' + SCENE_KEY):
        return {}
    if len(description) > limit:
        raise SceneFileError(f"'{path}': the embedded scene is larger than {limit} bytes.")
    return _guard.parse_json(description.encode("utf-8"), path)


def _svg_description(path):
    """The ``dc:description`` text of an SVG's metadata (what matplotlib writes), or None."""
    import xml.etree.ElementTree as ElementTree  # expat refuses entity expansion bombs (Python >= 3.7.1)

    try:
        for _, element in ElementTree.iterparse(path):
            if element.tag == "{http://purl.org/dc/elements/1.1/}description":
                return element.text
    except ElementTree.ParseError as error:
        raise SceneFileError(f"'{path}': not a readable SVG file ({error}).") from None
    return None


def _pdf_info_string(pdf, key):
    """The literal string of ``/key (...)`` in a PDF's document information, unescaped, or None."""
    start = pdf.rfind(b"/" + key.encode("ascii") + b" (")
    if start < 0:
        return None
    out, depth, index = bytearray(), 1, start + len(key) + 3
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    while index < len(pdf):
        byte = pdf[index]
        if byte == ord("\\") and index + 1 < len(pdf):
            index += 1
            out += escapes.get(pdf[index], bytes([pdf[index]]))
        elif byte == ord("(") or byte == ord(")"):
            depth += 1 if byte == ord("(") else -1
            if depth == 0:
                return out.decode("latin-1")
            out.append(byte)
        else:
            out.append(byte)
        index += 1
    raise SceneFileError("the PDF's embedded scene is cut short (truncated file)")


def payload_text(payload):
    """One JSON object holding a payload: the TIFF description, PDF and SVG metadata text."""
    return json.dumps(payload, separators=(",", ":"))


def has_embedded_scene(path):
    """Whether the PNG or TIFF file at ``path`` carries a brainview scene.

    Examples
    --------
    >>> import tempfile, os, numpy as np
    >>> from brainview.render.writers import write_image
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "plain.png"
    >>> write_image(path, np.zeros((2, 2, 3), np.uint8))
    >>> has_embedded_scene(path)
    False
    """
    path = Path(path)
    if path.suffix.lower() not in EMBEDDING_FORMATS or not path.is_file():
        return False
    try:
        return SCENE_KEY in _read_payload(path)
    except SceneFileError:
        return False


class _EmbeddedReferences:
    """``resolve(record, where)``: the user's files beside the image, the in-memory data from its zip."""

    def __init__(self, folder, archive, scratch, *, allow_outside):
        self.files = _guard.FolderReferences(folder, allow_outside=allow_outside)
        self.archive = None if archive is None else _guard.ArchiveReferences(archive, scratch)

    def __call__(self, record, where):
        if record.get("role") == "input":
            return self.files(record, where)
        if record.get("left_out") or self.archive is None:
            raise SceneFileError(
                f"{where}: the image does not carry the in-memory data {record.get('path')!r} (more than "
                f"{MAX_EMBEDDED_DATA // 2**20} MB in all); reopen the scene file saved with the data instead.")
        return self.archive(record, where)


def embedded_scene(path, *, allow_outside=False):
    """``(scene dict, resolve)`` of the scene a PNG or TIFF written by brainview carries.

    ``resolve`` reads the user's files beside the image and the in-memory
    data from the embedded zip; use it inside :func:`scratch_folder`.
    :func:`brainview.export.scene_file.load_scene` builds the figure.

    Raises
    ------
    SceneFileError
        The image carries no scene, or its scene or data is corrupt.
    """
    path = Path(path)
    _guard.check_scene_path(path)
    payload = _read_payload(path)
    if SCENE_KEY not in payload:
        raise SceneFileError(
            f"'{path}': this image carries no brainview scene (written by another program, or saved "
            "with embed_scene=False); open a .bvscene or .bvz file instead.")
    scene = _guard.parse_json(payload[SCENE_KEY].encode("utf-8"), path)
    archive = None
    if DATA_KEY in payload:
        try:
            packed = base64.b64decode(payload[DATA_KEY], validate=True)
            archive = zipfile.ZipFile(io.BytesIO(_inflate(packed, 2 * MAX_EMBEDDED_DATA)))
        except (ValueError, zipfile.BadZipFile):
            raise SceneFileError(f"'{path}': the embedded data is corrupt.") from None
    return scene, lambda scratch: _EmbeddedReferences(path.parent, archive, scratch, allow_outside=allow_outside)
