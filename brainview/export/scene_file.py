"""Scene files: a figure as versioned JSON plus references to its data, never pickle.

A scene file (``.bvscene``) holds ``"format": "brainview.scene"``, a
``"version"``, the brainview and VTK versions that wrote it, the figure (size,
background, camera pose), its layers (kind, parameters as given, settings
changed since) and its annotations (title, texts, colour bars). Data is
referenced, not copied: a path given by the user is stored relative to the
scene file with its SHA-256 and size; data returned by a
:mod:`brainview.datasets` loader as the loader call; in-memory arrays and
images go to sidecar files in ``<scene>_data/`` (``.npy``, ``.nii.gz``). A
``.bvz`` file is the same in one zip archive, the user's files copied in.

Loading never executes code and never unpickles; it refuses an unknown
format, a future version and a data file whose content changed, naming the
file and both hashes. :data:`MIGRATIONS` holds one function per version bump.

Examples
--------
>>> import numpy as np, tempfile, os
>>> import brainview as bv
>>> fig = bv.figure(size=(64, 48))
>>> p = bv.points([[0, 0, 0], [10, 0, 0]], size=3, color="red")
>>> path = os.path.join(tempfile.mkdtemp(), "two.bvscene")
>>> save_scene(fig, path)
>>> fig2 = load_scene(path)
>>> [layer.kind for layer in fig2.layers], fig2.size
(['points'], (64, 48))
>>> bv.close("all"); fig2.close()
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ..errors import BrainviewTypeError, SceneFileError, describe
from ._encoding import decode, encode, file_digest

__all__ = ["FORMAT", "VERSION", "MIGRATIONS", "SceneFileError", "SceneTemplate", "save_scene", "load_scene",
           "scene_dict", "figure_from_dict", "populate", "data_file_writer"]

FORMAT = "brainview.scene"
VERSION = 1
#: ``{from_version: function(dict) -> dict of from_version + 1}``; empty while only version 1 exists.
MIGRATIONS = {}
#: A scene JSON larger than this is not a scene file (arrays go to sidecars, never inline).
MAX_JSON_BYTES = 16 * 1024 * 1024


# ------------------------------------------------------------------- saving


def save_scene(figure, path, *, single_file=None):
    """Write ``figure`` to a scene file.

    Parameters
    ----------
    figure : brainview.scene.Figure
    path : str or pathlib.Path
        ``.bvscene`` (JSON, in-memory data in ``<stem>_data/`` beside it) or
        ``.bvz`` (one zip file holding the scene and all its data).
    single_file : bool, optional
        Default: True for a ``.bvz`` path.

    Examples
    --------
    >>> import tempfile, os, brainview as bv
    >>> fig = bv.figure(size=(32, 32)); _ = bv.points([[0, 0, 0]])
    >>> save_scene(fig, os.path.join(tempfile.mkdtemp(), "s.bvscene")); fig.close()
    """
    path = Path(path)
    if single_file is None:
        single_file = path.suffix == ".bvz"
    if single_file:
        with tempfile.TemporaryDirectory() as folder:
            inner = Path(folder) / "scene.bvscene"
            _write(figure, inner, copy_inputs=True)
            _zip_folder(Path(folder), path)
        return
    _write(figure, path, copy_inputs=False)


def _write(figure, path, *, copy_inputs):
    sidecar = data_file_writer(path, copy_inputs=copy_inputs)
    scene = scene_dict(figure, sidecar=sidecar)
    text = _dumps(scene)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def data_file_writer(path, *, copy_inputs):
    """The ``sidecar`` function of :func:`encode` for a file written at ``path``.

    In-memory data goes to ``<stem>_data/`` beside ``path``; the user's own
    files are referenced relative to ``path`` (or copied there with ``copy_inputs``).
    Scene files and exported scripts write their data with it.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "f.bvscene"
    >>> sidecar = data_file_writer(path, copy_inputs=False)
    >>> sidecar("npy", np.zeros(3), "coords")["$file"]["path"]
    'f_data/coords.npy'
    """
    data_dir = path.parent / f"{path.stem}_data"
    written = set()

    def sidecar(kind, obj, name):
        if kind == "input":
            source = Path(obj).resolve()
            if not source.is_file():
                raise SceneFileError(f"{name}: the data file '{source}' does not exist.")
            if copy_inputs:
                data_dir.mkdir(parents=True, exist_ok=True)
                target = _unique(data_dir / source.name, written)
                shutil.copyfile(source, target)
                source = target
            sha, size = file_digest(source)
            return {"$file": {"path": _relative(source, path.parent), "sha256": sha, "size": size,
                              "role": "input"}}
        data_dir.mkdir(parents=True, exist_ok=True)
        if kind == "npy":
            target = _unique(data_dir / f"{name}.npy", written)
            np.save(target, np.ascontiguousarray(obj), allow_pickle=False)
        else:
            target = _unique(data_dir / f"{name}.nii.gz", written)
            _save_nifti(obj, target)
        sha, size = file_digest(target)
        record = {"path": _relative(target, path.parent), "sha256": sha, "size": size, "role": kind}
        if kind == "nifti":
            # NIfTI stores Fortran order; meshes are extracted in the array's own order,
            # so a C-ordered image is given back C-ordered to draw the identical picture.
            record["order"] = "C" if _is_c_ordered(obj) else "F"
        return {"$file": record}

    return sidecar


def _is_c_ordered(image):
    data = np.asanyarray(image.dataobj)
    return data.ndim > 1 and data.flags.c_contiguous and not data.flags.f_contiguous


def _dumps(scene):
    """Indented JSON with lists of plain values kept on one line (readable, diffable)."""
    text = json.dumps(scene, indent=1, allow_nan=False)
    return re.sub(r"\[\s*([^\[\]{}]*?)\s*\]",
                  lambda match: "[" + re.sub(r",\s+", ", ", match.group(1)) + "]", text)


def _save_nifti(image, target):
    import nibabel as nib

    data = np.asanyarray(image.dataobj)
    header = image.header if isinstance(image, nib.Nifti1Image) else None
    nib.save(nib.Nifti1Image(data, image.affine, header), str(target))


def _unique(target, written):
    stem, suffix = target.name.split(".", 1)
    candidate, n = target, 1
    while candidate in written:
        n += 1
        candidate = target.with_name(f"{stem}_{n}.{suffix}")
    written.add(candidate)
    return candidate


def _relative(target, folder):
    return Path(os.path.relpath(target, folder)).as_posix()


def _zip_folder(folder, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in sorted(folder.rglob("*")):
            if member.is_file():
                archive.write(member, member.relative_to(folder).as_posix())
    os.replace(temporary, path)


def scene_dict(figure, *, sidecar):
    """The JSON-ready dict of a figure (see the module docstring); ``sidecar`` writes data files."""
    import vtkmodules

    from .._version import __version__
    from ..layers.base import Layer

    layers = []
    for index, layer in enumerate(figure.layers):
        if not isinstance(layer, Layer):
            raise BrainviewTypeError(f"layer {index}: {describe(layer)} is not a brainview layer.")
        layers.append(layer_dict(layer, index, sidecar=sidecar))
    return {
        "format": FORMAT,
        "version": VERSION,
        "brainview": __version__,
        "vtk": vtkmodules.__version__,
        "figure": {"size": list(figure.size), "bgcolor": list(figure.bgcolor),
                   "antialias": figure.antialias},
        "camera": {key: list(value) if isinstance(value, tuple) else value
                   for key, value in figure.camera.items()},
        "layers": layers,
        "annotations": figure.annotation_specs(),
        "colorbars": [dict(bar, layer=figure.layers.index(bar["layer"])) for bar in figure.colorbar_specs()],
    }


def layer_dict(layer, index, *, sidecar):
    """One layer's entry: kind, name, parameters as given and settings changed since."""
    data_params = getattr(type(layer), "data_params", ())
    prefix = f"layer{index}"
    params = {name: encode(value, sidecar=sidecar, name=f"{prefix}_{name}", data_param=name in data_params)
              for name, value in layer.get_params().items()}
    state = {name: encode(value, sidecar=None, name=f"{prefix}.{name}")
             for name, value in layer.get_state().items()}
    return {"kind": layer.kind, "name": layer.name, "params": params, "state": state}


# ------------------------------------------------------------------- loading


def load_scene(path):
    """Rebuild the figure a scene file describes (a new, off-screen :class:`Figure`).

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.bvscene`` file (its data files where it says) or a ``.bvz`` file.

    Raises
    ------
    SceneFileError
        The file is not a brainview scene, is of a future version, is
        malformed, or one of its data files is missing or has changed.

    Examples
    --------
    >>> import tempfile, os, brainview as bv
    >>> fig = bv.figure(size=(32, 32)); _ = bv.points([[0, 0, 0]])
    >>> path = os.path.join(tempfile.mkdtemp(), "s.bvz")
    >>> save_scene(fig, path)
    >>> load_scene(path).layers[0].kind
    'points'
    >>> bv.close("all")
    """
    path = Path(path)
    if not path.is_file():
        raise SceneFileError(f"'{path}': no such scene file.")
    if zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory() as folder:
            _extract(path, Path(folder))
            return _load_json(Path(folder) / "scene.bvscene", shown_as=path)
    return _load_json(path, shown_as=path)


def _extract(path, folder):
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            target = (folder / member.filename).resolve()
            if folder.resolve() not in target.parents:
                raise SceneFileError(f"'{path}': archive member {member.filename!r} leaves the archive folder.")
        archive.extractall(folder)
    if not (folder / "scene.bvscene").is_file():
        raise SceneFileError(f"'{path}': a .bvz archive must hold scene.bvscene.")


def _load_json(path, *, shown_as):
    raw = path.read_bytes()
    if len(raw) > MAX_JSON_BYTES:
        raise SceneFileError(f"'{shown_as}': {len(raw)} bytes is too large for a scene file.")
    try:
        scene = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SceneFileError(f"'{shown_as}': not a brainview scene file (not JSON: {error}).") from None
    except ValueError as error:
        raise SceneFileError(f"'{shown_as}': {error}") from None
    scene = _migrate(scene, shown_as)

    def resolve(record, where):
        return _resolve(record, path.parent, f"'{shown_as}', {where}")

    return figure_from_dict(scene, resolve=resolve, where=f"'{shown_as}'")


def _refuse_constant(name):
    raise ValueError(f"{name} is not allowed in a scene file (JSON without NaN/Infinity).")


def _migrate(scene, shown_as):
    if not isinstance(scene, dict) or scene.get("format") != FORMAT:
        found = scene.get("format") if isinstance(scene, dict) else type(scene).__name__
        raise SceneFileError(f"'{shown_as}': not a brainview scene file (format {found!r}, expected {FORMAT!r}).")
    version = scene.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SceneFileError(f"'{shown_as}': bad scene version {version!r}.")
    if version > VERSION:
        raise SceneFileError(
            f"'{shown_as}': scene version {version} was written by a newer brainview "
            f"({scene.get('brainview', '?')}); this brainview reads versions up to {VERSION}. Upgrade brainview."
        )
    while version < VERSION:
        scene = MIGRATIONS[version](scene)
        version += 1
    return scene


def _resolve(record, folder, where):
    if not isinstance(record, dict) or not isinstance(record.get("path"), str):
        raise SceneFileError(f"{where}: a data reference needs a 'path', got {describe(record)}.")
    target = (folder / record["path"]).resolve()
    if not target.is_file():
        raise SceneFileError(f"{where}: data file '{target}' is missing (moved the scene without its data?).")
    sha, size = file_digest(target)
    if sha != record.get("sha256") or size != record.get("size"):
        raise SceneFileError(
            f"{where}: data file '{target}' has changed since the scene was saved: "
            f"SHA-256 {sha} ({size} bytes), the scene expects {record.get('sha256')} ({record.get('size')} bytes)."
        )
    return target


def figure_from_dict(scene, *, resolve, where="scene"):
    """Build a figure from a scene dict (already migrated to :data:`VERSION`)."""
    from ..scene import Figure

    try:
        settings = scene["figure"]
        figure = Figure(size=tuple(settings["size"]), bgcolor=tuple(settings["bgcolor"]),
                        antialias=settings["antialias"])
    except (KeyError, TypeError) as error:
        raise SceneFileError(f"{where}: bad or missing 'figure' entry ({error!r}).") from None
    try:
        populate(figure, scene, resolve=resolve, where=where)
    except BaseException:
        figure.close()
        raise
    return figure


def populate(figure, scene, *, resolve, where="scene", replacements=None):
    """Add a scene dict's layers, camera, annotations and colour bars to ``figure``.

    Parameters
    ----------
    replacements : dict, optional
        ``{layer: data}``: the named layers get this data in place of their
        first data parameter (batch rendering of a template); a layer is
        named by its name, its kind when only one layer has it, or ``layerN``.
    """
    from ..layers.registry import layer_class

    entries = _list(scene, "layers", where)
    swaps = _replacement_indices(entries, replacements or {}, where)
    try:
        built = {}
        for index, entry in enumerate(entries):
            place = f"{where}, layer {index}"
            if not isinstance(entry, dict):
                raise SceneFileError(f"{place}: expected an object, got {describe(entry)}.")
            cls = layer_class(entry.get("kind"), where=place)
            params = {name: decode(value, resolve=resolve, layers=built, where=f"{place}, {name}")
                      for name, value in _mapping(entry, "params", place).items()}
            if index in swaps:
                params[cls.data_params[0]] = swaps[index]
            layer = figure.add(cls(**params))
            for name, value in _mapping(entry, "state", place).items():
                setattr(layer, name, decode(value, resolve=None, where=f"{place}, {name}"))
            built[layer.name] = layer
        camera = {key: tuple(value) if isinstance(value, list) else value
                  for key, value in _mapping(scene, "camera", where).items()}
        figure.camera = camera
        figure.set_annotations(scene.get("annotations", []))
        for bar in _list(scene, "colorbars", where):
            figure.colorbar(figure.layers[bar["layer"]], title=bar.get("title"), n_labels=bar.get("n_labels", 5))
    except SceneFileError:
        raise
    except (TypeError, ValueError, KeyError, IndexError) as error:
        raise SceneFileError(f"{where}: {error}") from None


def _replacement_indices(entries, replacements, where):
    """``{layer index: data}`` for ``{layer name, unique kind or "layerN": data}``."""
    kinds = [entry.get("kind") if isinstance(entry, dict) else None for entry in entries]
    found = {}
    for key, data in replacements.items():
        matches = [i for i, entry in enumerate(entries)
                   if isinstance(entry, dict) and (entry.get("name") == key or key == f"layer{i}")]
        if not matches and kinds.count(key) == 1:
            matches = [kinds.index(key)]
        if len(matches) != 1:
            names = [f"{entry.get('name')!r} ({entry.get('kind')})" for entry in entries if isinstance(entry, dict)]
            raise SceneFileError(
                f"{where}: no single layer named {key!r} to replace; the scene's layers are {', '.join(names)} "
                "(name a layer, a kind the scene has once, or layer0, layer1...)."
            )
        found[matches[0]] = data
    return found


class SceneTemplate:
    """A scene file as a recipe: ``template.build(figure, replacements)`` builds it into a figure.

    Used by ``brainview batch``: each worker process builds the template with
    one layer's data replaced (camera, thresholds and every other setting
    kept). Picklable: it holds the scene's JSON and its folder, so the
    workers need the scene's data files at the same paths.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.bvscene`` file (``.bvz`` archives are unpacked into a temporary folder per build).

    Examples
    --------
    >>> import tempfile, os, numpy as np, brainview as bv
    >>> fig = bv.figure(size=(40, 30)); _ = bv.points([[0, 0, 0]], name="dots")
    >>> path = os.path.join(tempfile.mkdtemp(), "t.bvscene"); save_scene(fig, path); bv.close("all")
    >>> template = SceneTemplate(path)
    >>> template.figure_options["size"]
    (40, 30)
    >>> fig = bv.figure(**template.figure_options)
    >>> template.build(fig, {"dots": np.array([[5.0, 0, 0]])})
    >>> fig.layers[0].get_params()["coords"].tolist()
    [[5.0, 0.0, 0.0]]
    >>> bv.close("all")
    """

    def __init__(self, path):
        path = Path(path)
        if not path.is_file():
            raise SceneFileError(f"'{path}': no such scene file.")
        if zipfile.is_zipfile(path):
            raise SceneFileError(f"'{path}': use a .bvscene file (with its data folder) as a batch template.")
        self.path = path.resolve()
        raw = path.read_bytes()
        try:
            scene = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError) as error:
            raise SceneFileError(f"'{path}': not a brainview scene file ({error}).") from None
        self.scene = _migrate(scene, path)
        settings = self.scene.get("figure")
        try:
            self.figure_options = {"size": tuple(settings["size"]), "bgcolor": tuple(settings["bgcolor"]),
                                   "antialias": bool(settings["antialias"])}
        except (KeyError, TypeError) as error:
            raise SceneFileError(f"'{path}': bad or missing 'figure' entry ({error!r}).") from None

    def check_layer(self, name):
        """Raise a :class:`SceneFileError` listing the layers unless ``name`` picks exactly one."""
        _replacement_indices(_list(self.scene, "layers", f"'{self.path}'"), {name: None}, f"'{self.path}'")

    def build(self, figure, replacements):
        """Add the scene's layers to ``figure`` with ``{layer name: data}`` replaced; set its camera."""
        folder = self.path.parent

        def resolve(record, where):
            return _resolve(record, folder, f"'{self.path}', {where}")

        populate(figure, self.scene, resolve=resolve, where=f"'{self.path}'", replacements=replacements)


def _list(scene, key, where):
    value = scene.get(key, [])
    if not isinstance(value, list):
        raise SceneFileError(f"{where}: '{key}' must be a list, got {describe(value)}.")
    return value


def _mapping(scene, key, where):
    value = scene.get(key, {})
    if not isinstance(value, dict):
        raise SceneFileError(f"{where}: '{key}' must be an object, got {describe(value)}.")
    return value
